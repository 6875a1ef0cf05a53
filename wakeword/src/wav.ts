import { readFileSync } from 'node:fs';
import wavefile from 'wavefile';
import { HughError } from '@hugh/protocol';
import { SAMPLE_RATE_HZ } from './geometry.js';

const { WaveFile } = wavefile;

/** Reads WAV bytes of any rate, bit depth and channel count as 16 kHz mono s16 samples. */
export function decodeWavAs16kMono(bytes: Uint8Array, name = 'input'): Int16Array {
  let wav: InstanceType<typeof WaveFile>;
  try {
    wav = new WaveFile(bytes);
  } catch (error) {
    throw new HughError('HUGH_ERR_CONFIG_INVALID', `${name} is not a readable WAV file: ${(error as Error).message}`);
  }
  const fmt = wav.fmt as { numChannels: number; sampleRate: number };
  if (wav.bitDepth !== '16') wav.toBitDepth('16');
  // wavefile's cubic interpolation with its low-pass filter.
  if (fmt.sampleRate !== SAMPLE_RATE_HZ) wav.toSampleRate(SAMPLE_RATE_HZ);
  const samples = wav.getSamples(false, Int16Array) as unknown as Int16Array | Int16Array[];
  if (!Array.isArray(samples)) return samples;
  const channels = samples;
  const first = channels[0] ?? new Int16Array(0);
  const mono = new Int16Array(first.length);
  for (let i = 0; i < mono.length; i++) {
    let sum = 0;
    for (const channel of channels) sum += channel[i] ?? 0;
    mono[i] = Math.round(sum / channels.length);
  }
  return mono;
}

/** Reads a WAV file of any rate, bit depth and channel count as 16 kHz mono s16 samples (channels averaged). */
export function readWavAs16kMono(path: string): Int16Array {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new HughError('HUGH_ERR_CONFIG_INVALID', `input ${path} cannot be read: ${(error as Error).message}`);
  }
  return decodeWavAs16kMono(bytes, `input ${path}`);
}

/** Writes 16-bit PCM as a WAV file's bytes. */
export function encodeWav(pcm: Int16Array, sampleRateHz: number, channels = 1): Uint8Array {
  const wav = new WaveFile();
  wav.fromScratch(channels, sampleRateHz, '16', pcm);
  return wav.toBuffer();
}
