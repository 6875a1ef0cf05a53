import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readWavAs16kMono } from '@hugh/satellite';

export type Voice = { tool: 'flite'; voice: string } | { tool: 'espeak-ng'; voice: string };

/** Voices of the two local synthesisers, different enough to stand for different speakers. */
export const VOICES: Voice[] = [
  { tool: 'flite', voice: 'slt' },
  { tool: 'flite', voice: 'rms' },
  { tool: 'flite', voice: 'awb' },
  { tool: 'flite', voice: 'kal16' },
  { tool: 'espeak-ng', voice: 'en-us' },
  { tool: 'espeak-ng', voice: 'en-gb' },
  { tool: 'espeak-ng', voice: 'en-us+f3' },
  { tool: 'espeak-ng', voice: 'en-gb-scotland' },
];

const dir = mkdtempSync(join(tmpdir(), 'hugh-speech-'));
let counter = 0;

/**
 * Speaks `text` with a local synthesiser into a 16 kHz mono s16 WAV with `padS` seconds of
 * silence before and after (sox does the conversion). Returns the file's path.
 */
export function synthesize(text: string, voice: Voice, options: { padS?: number; gainDb?: number; trim?: boolean; rate?: number; pitch?: number } = {}): string {
  const raw = join(dir, `raw-${counter}.wav`);
  const out = join(dir, `speech-${counter++}.wav`);
  // `rate` (1 = the voice's own) and `pitch` (espeak-ng's 0-99) make takes of one speaker differ.
  const rate = options.rate ?? 1;
  if (voice.tool === 'flite') execFileSync('flite', ['-voice', voice.voice, '--setf', `duration_stretch=${1 / rate}`, '-t', text, '-o', raw]);
  else execFileSync('espeak-ng', ['-v', voice.voice, '-s', String(Math.round(175 * rate)), '-p', String(options.pitch ?? 50), '-w', raw, text]);
  const pad = String(options.padS ?? 1);
  // `trim` cuts the synthesiser's own leading and trailing silence, so the pad is all there is.
  const trim = options.trim ? ['silence', '1', '0.02', '0.5%', 'reverse', 'silence', '1', '0.02', '0.5%', 'reverse'] : [];
  execFileSync('sox', [raw, '-r', '16000', '-c', '1', '-b', '16', out, ...trim, 'gain', String(options.gainDb ?? 0), 'pad', pad, pad]);
  return out;
}

/** Seconds from the start of a file to the first sample above -40 dBFS (the speech onset). */
export function onsetSeconds(samples: Int16Array, sampleRateHz = 16_000): number {
  const threshold = 32_768 * 10 ** (-40 / 20);
  const index = samples.findIndex((sample) => Math.abs(sample) > threshold);
  return index < 0 ? Number.NaN : index / sampleRateHz;
}

/** The length of a WAV clip in seconds. */
export function clipSeconds(path: string): number {
  return readWavAs16kMono(path).length / 16_000;
}
