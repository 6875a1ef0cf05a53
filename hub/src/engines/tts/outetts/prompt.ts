import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { HughError } from '@hugh/protocol';

/**
 * OuteTTS prompts, as llama.cpp's `tts` example builds them: numbers spelled out, lower case,
 * `- _ / , . \` as spaces, everything but a-z and spaces dropped; the speaker profile's words and
 * then the text's, joined by `<|text_sep|>` (0.2) or `<|space|>` (0.3); then the profile's audio,
 * one line per word.
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

/** Audio code tokens of the OuteTTS vocabulary: 151672 ≤ t ≤ 155772, code = t − 151672. */
export const FIRST_CODE_TOKEN = 151_672;
export const LAST_CODE_TOKEN = 155_772;
const LAST_CODE = LAST_CODE_TOKEN - FIRST_CODE_TOKEN;

export function tokensToCodes(tokens: readonly number[]): number[] {
  return tokens.filter((token) => token >= FIRST_CODE_TOKEN && token <= LAST_CODE_TOKEN).map((token) => token - FIRST_CODE_TOKEN);
}

/** The prompt formats of the OuteTTS models: 0.2 (OuteTTS-0.2-500M) and 0.3 (OuteTTS-0.3-500M/1B). */
export type OuteTtsVersion = '0.2' | '0.3';

/**
 * A speaker profile as OuteTTS stores it (its `default_speakers/*.json`): its transcript and, per
 * word, its duration and audio codes. Without one the model picks a voice per request, so the
 * voice would change from sentence to sentence.
 */
export const SpeakerProfileSchema = z.object({
  text: z.string(),
  words: z
    .array(z.object({ word: z.string().min(1), duration: z.number().nonnegative(), codes: z.array(z.int().min(0).max(LAST_CODE)) }))
    .min(1),
});
export type SpeakerProfile = z.infer<typeof SpeakerProfileSchema>;

/** Reads and checks a speaker profile; a coded error names the file and what is wrong. */
export async function readSpeakerProfile(file: string): Promise<SpeakerProfile> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `outetts speakerFile ${file}: ${(error as Error).message} (deploy/vm-vocal/install.sh fetches the default speaker)`);
  }
  const parsed = SpeakerProfileSchema.safeParse(json);
  if (!parsed.success) throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `outetts speakerFile ${file}: not an OuteTTS speaker profile: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

export function buildPrompt(text: string, speaker: SpeakerProfile, version: OuteTtsVersion = '0.2'): string {
  const separator = version === '0.3' ? '<|space|>' : '<|text_sep|>';
  // 0.3 has no <|code_start|>, and ends each word's codes with <|space|> instead of <|code_end|>.
  const [codeStart, codeEnd] = version === '0.3' ? ['', '<|space|>'] : ['<|code_start|>', '<|code_end|>'];
  const words = [...speaker.words.map((entry) => entry.word), ...promptWords(text)];
  const audio = speaker.words.map((entry) => `${entry.word}<|t_${entry.duration.toFixed(2)}|>${codeStart}${entry.codes.map((code) => `<|${code}|>`).join('')}${codeEnd}\n`).join('');
  return `<|im_start|>\n<|text_start|>${words.join(separator)}<|text_end|>\n<|audio_start|>\n${audio}`;
}
