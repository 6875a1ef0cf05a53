/** The Convex and language-model clients: the hub and the worker use them, the satellite never loads them. */
export * from './llm/chat-model.js';
export * from './llm/ollama.js';
export * from './llm/openai-chat.js';
export * from './convex/functions.js';
export * from './convex/port.js';
export * from './llm/system-prompt.js';
/** Server-sent events of streamed engine answers (eventsource-parser). */
export * from './sse.js';
