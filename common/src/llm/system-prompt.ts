/**
 * The assistant's instructions, the one text both dispatchers start from: the hub's local LLM
 * (`llm.systemPrompt`) and Convex's settings (`settings:set`), each of which can override it.
 * No imports: the Convex functions bundle this file too.
 */
export const DEFAULT_SYSTEM_PROMPT =
  'You are H.U.G.H., the voice assistant of a family home. Your answers are spoken aloud: answer in one to three short sentences of plain text, without lists, markdown or emoji.';
