import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import wavefile from 'wavefile';
import { HughError } from '@hugh/protocol';
import { SAMPLE_RATE_HZ } from '../geometry.js';
import type { Voice } from './voices.js';

const run = promisify(execFile);
const { WaveFile } = wavefile;

/** How one utterance is spoken. */
export interface Utterance {
  text: string;
  voice: Voice;
  /** Speaking rate relative to the voice's default (1 = as is). */
  rate: number;
  /** espeak-ng pitch, 0-99 (50 = default); flite keeps its own. */
  pitch: number;
}

/**
 * PCM of a synthesiser's WAV on stdout. espeak-ng streams it with a placeholder data length, so
 * the data chunk is taken to the end of the bytes rather than trusted.
 */
function parseSynthWav(bytes: Buffer): { samples: Int16Array; sampleRateHz: number } {
  if (bytes.length < 44 || bytes.toString('ascii', 0, 4) !== 'RIFF' || bytes.toString('ascii', 8, 12) !== 'WAVE') throw new Error('not a WAV file');
  let offset = 12;
  let sampleRateHz = 0;
  while (offset + 8 <= bytes.length) {
    const id = bytes.toString('ascii', offset, offset + 4);
    const size = bytes.readUInt32LE(offset + 4);
    if (id === 'fmt ') {
      if (bytes.readUInt16LE(offset + 8) !== 1 || bytes.readUInt16LE(offset + 10) !== 1 || bytes.readUInt16LE(offset + 22) !== 16) throw new Error('expected 16-bit mono PCM');
      sampleRateHz = bytes.readUInt32LE(offset + 12);
    }
    if (id === 'data') {
      const data = bytes.subarray(offset + 8, offset + 8 + Math.min(size, bytes.length - offset - 8));
      const samples = new Int16Array(Math.floor(data.length / 2));
      for (let i = 0; i < samples.length; i++) samples[i] = data.readInt16LE(i * 2);
      return { samples, sampleRateHz };
    }
    offset += 8 + size + (size % 2);
  }
  throw new Error('no data chunk');
}

/** Resamples to 16 kHz with wavefile's cubic interpolation and low-pass filter. */
export function to16k(samples: Int16Array, sampleRateHz: number): Int16Array {
  if (sampleRateHz === SAMPLE_RATE_HZ) return samples;
  const wav = new WaveFile();
  wav.fromScratch(1, sampleRateHz, '16', samples);
  wav.toSampleRate(SAMPLE_RATE_HZ);
  return wav.getSamples(false, Int16Array) as unknown as Int16Array;
}

/** Cuts leading and trailing quiet (below -40 dB under the peak, in 10 ms frames), keeping 20 ms. */
export function trimSilence(samples: Int16Array): Int16Array {
  const frame = SAMPLE_RATE_HZ / 100;
  let peak = 0;
  for (const sample of samples) peak = Math.max(peak, Math.abs(sample));
  const floor = peak / 100;
  const loud = (index: number) => {
    let max = 0;
    for (let i = index * frame; i < Math.min(samples.length, (index + 1) * frame); i++) max = Math.max(max, Math.abs(samples[i] as number));
    return max > floor;
  };
  const frames = Math.ceil(samples.length / frame);
  let first = 0;
  while (first < frames && !loud(first)) first++;
  let last = frames - 1;
  while (last > first && !loud(last)) last--;
  return samples.slice(Math.max(0, (first - 2) * frame), Math.min(samples.length, (last + 3) * frame));
}

/** flite cannot write a WAV to a pipe (it seeks), so it writes here. */
let scratch: string | undefined;
let counter = 0;

function synthArgs(utterance: Utterance, file: string): [string, string[]] {
  const { voice, text, rate } = utterance;
  if (voice.tool === 'espeak-ng') {
    const name = voice.variant ? `${voice.voice}+${voice.variant}` : voice.voice;
    return ['espeak-ng', ['-v', name, '-s', String(Math.round(175 * rate)), '-p', String(Math.round(utterance.pitch)), '--stdout', text]];
  }
  return ['flite', ['-voice', voice.voice, '--setf', `duration_stretch=${(1 / rate).toFixed(3)}`, '-t', text, '-o', file]];
}

/** Speaks an utterance: 16 kHz mono s16, the synthesiser's own silence trimmed. */
export async function synthesize(utterance: Utterance): Promise<Int16Array> {
  scratch ??= mkdtempSync(join(tmpdir(), 'hugh-wakeword-'));
  const file = join(scratch, `${process.pid}-${counter++}.wav`);
  const [tool, args] = synthArgs(utterance, file);
  let wav: Buffer;
  try {
    const { stdout } = await run(tool, args, { encoding: 'buffer', maxBuffer: 32 << 20 });
    wav = tool === 'flite' ? readFileSync(file) : stdout;
  } catch (error) {
    throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${tool} could not speak ${JSON.stringify(utterance.text)}: ${(error as Error).message}`);
  } finally {
    rmSync(file, { force: true });
  }
  const { samples, sampleRateHz } = parseSynthWav(wav);
  return trimSilence(to16k(samples, sampleRateHz));
}
