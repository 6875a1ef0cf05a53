/** The wake phrase, when the recogniser hears it in the pre-roll: "hey jarvis, what time…" → "what time…". */
const WAKE_PREFIX = /^\s*(?:(?:hey|hi|ok|okay|a|k)[\s,]+)?(?:jarvis|travis|service)\b[\s,.!?]*/i;

export function cleanTranscript(text: string): string {
  return text.replace(WAKE_PREFIX, '').replace(/\s+/g, ' ').trim();
}
