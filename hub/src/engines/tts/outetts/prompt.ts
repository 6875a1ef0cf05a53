/**
 * OuteTTS 0.2 prompts, as llama.cpp's `tts` example builds them: numbers spelled out, lower case,
 * `- _ / , . \` as spaces, everything but a-z and spaces dropped, words joined by `<|text_sep|>`.
 */
const ONES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const SCALES: [number, string][] = [
  [1_000_000_000, 'billion'],
  [1_000_000, 'million'],
  [1_000, 'thousand'],
  [100, 'hundred'],
];

export function integerToWords(value: number): string {
  if (value < 20) return ONES[value] as string;
  if (value < 100) return `${TENS[Math.floor(value / 10)]}${value % 10 ? ` ${ONES[value % 10]}` : ''}`;
  for (const [scale, name] of SCALES) {
    if (value >= scale) {
      const rest = value % scale;
      return `${integerToWords(Math.floor(value / scale))} ${name}${rest ? ` ${integerToWords(rest)}` : ''}`;
    }
  }
  return String(value);
}

/** `3.5` → `three point five`, `42` → `forty two`. */
export function numbersToWords(text: string): string {
  return text.replace(/\d+(\.\d+)?/g, (match) => {
    const [whole, fraction] = match.split('.');
    const words = integerToWords(Number(whole));
    return fraction ? `${words} point ${[...fraction].map((digit) => ONES[Number(digit)]).join(' ')}` : words;
  });
}

export function promptWords(text: string): string[] {
  return numbersToWords(text)
    .toLowerCase()
    .replace(/[-_/,.\\]/g, ' ')
    .replace(/[^a-z\s]/g, '')
    .split(/\s+/)
    .filter(Boolean);
}

/** A speaker profile as OuteTTS stores it: its transcript and, per word, its duration and audio codes. */
export interface SpeakerProfile {
  text: string;
  words: { word: string; duration: number; codes: number[] }[];
}

export function buildPrompt(text: string, speaker?: SpeakerProfile): string {
  const words = promptWords(text);
  if (!speaker) return `<|im_start|>\n<|text_start|>${words.join('<|text_sep|>')}<|text_end|>\n<|audio_start|>\n`;
  const speakerWords = promptWords(speaker.text);
  const audio = speaker.words
    .map((entry) => `${entry.word}<|t_${entry.duration.toFixed(2)}|><|code_start|>${entry.codes.map((code) => `<|${code}|>`).join('')}<|code_end|>\n`)
    .join('');
  return `<|im_start|>\n<|text_start|>${[...speakerWords, ...words].join('<|text_sep|>')}<|text_end|>\n<|audio_start|>\n${audio}`;
}

/** Audio code tokens of the OuteTTS vocabulary: 151672 ≤ t ≤ 155772, code = t − 151672. */
export const FIRST_CODE_TOKEN = 151_672;
export const LAST_CODE_TOKEN = 155_772;

export function tokensToCodes(tokens: readonly number[]): number[] {
  return tokens.filter((token) => token >= FIRST_CODE_TOKEN && token <= LAST_CODE_TOKEN).map((token) => token - FIRST_CODE_TOKEN);
}
