/** What recognisers make of some wake words' names when their tail is in the pre-roll (pocketsphinx: "k travis what time…"). */
const MISHEARD: Record<string, string[]> = { jarvis: ['travis', 'service'], hugh: ['you', 'hue', 'huge'] };
const GREETINGS = ['hey', 'hi', 'ok', 'okay', 'a', 'k'];

/** The words of a keyword model's phrase: `hey_jarvis_v0.1.onnx` → ["hey", "jarvis"], `alexa` → ["alexa"]. */
export function wakePhraseWords(keyword: string): string[] {
  const name = keyword
    .toLowerCase()
    .replace(/\.(onnx|json|ppn)$/, '')
    .replace(/\.(trained|enrolled)$/, '')
    .replace(/_v\d+(\.\d+)*$/, '');
  return name.split(/[_\s-]+/).filter(Boolean);
}

/**
 * The transcript without the wake phrase the satellite woke on, if the recogniser heard its tail:
 * "hey jarvis, what time…" → "what time…". Only the keyword of this turn is stripped, so a satellite
 * woken by "hey hugh" keeps a question that starts with "Jarvis".
 */
export function cleanTranscript(text: string, keyword?: string): string {
  let cleaned = text;
  if (keyword) {
    const words = wakePhraseWords(keyword);
    const name = words[words.length - 1];
    if (name) {
      const names = [name, ...(MISHEARD[name] ?? [])].map(escape).join('|');
      const leading = [...new Set([...words.slice(0, -1), ...GREETINGS])].map(escape).join('|');
      cleaned = cleaned.replace(new RegExp(`^\\s*(?:(?:${leading})[\\s,]+)*(?:${names})\\b[\\s,.!?]*`, 'i'), '');
    }
  }
  return cleaned.replace(/\s+/g, ' ').trim();
}

function escape(word: string): string {
  return word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
