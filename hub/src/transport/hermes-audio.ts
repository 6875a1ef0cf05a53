import { CAPTURE_SAMPLE_RATE_HZ, HughError, MAX_SAMPLE_RATE_HZ, MIN_SAMPLE_RATE_HZ } from '@hugh/protocol';
import { parseWav } from '../engines/wav.js';

/**
 * One Rhasspy `audioFrame` (a small WAV: 16-bit PCM, usually 16 kHz mono, but whatever the site's
 * microphone was set to) as the 16 kHz mono the hub's pipeline takes: channels mixed down, the rate
 * converted by linear interpolation that carries its position across chunks, so the joins between
 * chunks add no clicks or drift. One converter per site (its stream); a change of format restarts it.
 */
export class HermesAudioConverter {
  private format: { sampleRateHz: number; channels: number } | undefined;
  /** Position of the next output sample in input samples, relative to the next chunk's first (−1 ≤ p < 0: between the last chunk's end and it). */
  private position = 0;
  private previous = 0;

  /** 16 kHz mono samples of one WAV chunk; throws HUGH_ERR_FRAME_INVALID for anything but 16-bit PCM at 8–48 kHz. */
  convert(wav: Uint8Array): Int16Array {
    let audio;
    try {
      audio = parseWav(wav);
    } catch (error) {
      throw new HughError('HUGH_ERR_FRAME_INVALID', `audioFrame: ${(error as Error).message.replace('engine answered with ', '')}`);
    }
    if (audio.sampleRateHz < MIN_SAMPLE_RATE_HZ || audio.sampleRateHz > MAX_SAMPLE_RATE_HZ) {
      throw new HughError('HUGH_ERR_FRAME_INVALID', `audioFrame: ${audio.sampleRateHz} Hz is outside ${MIN_SAMPLE_RATE_HZ}–${MAX_SAMPLE_RATE_HZ} Hz`);
    }
    if (this.format?.sampleRateHz !== audio.sampleRateHz || this.format.channels !== audio.channels) {
      this.format = { sampleRateHz: audio.sampleRateHz, channels: audio.channels };
      this.position = 0;
    }
    let mono = audio.samples;
    if (audio.channels === 2) {
      mono = new Int16Array(audio.samples.length / 2);
      for (let i = 0; i < mono.length; i++) mono[i] = ((audio.samples[2 * i] as number) + (audio.samples[2 * i + 1] as number)) >> 1;
    }
    if (audio.sampleRateHz === CAPTURE_SAMPLE_RATE_HZ || mono.length === 0) return mono;
    const step = audio.sampleRateHz / CAPTURE_SAMPLE_RATE_HZ;
    const out = new Int16Array(Math.max(0, Math.ceil((mono.length - 1 - this.position) / step)));
    let written = 0;
    let position = this.position;
    for (; position < mono.length - 1 && written < out.length; position += step) {
      const index = Math.floor(position);
      const fraction = position - index;
      const a = index < 0 ? this.previous : (mono[index] as number);
      const b = mono[index + 1] as number;
      out[written++] = Math.round(a + (b - a) * fraction);
    }
    this.position = position - mono.length;
    this.previous = mono[mono.length - 1] as number;
    return out.subarray(0, written);
  }
}

/** Audio the hub keeps from before a wake word: the last `ms` of a site's stream. */
export class PreRollBuffer {
  private chunks: Int16Array[] = [];
  private samples = 0;

  constructor(private maxSamples = 0) {}

  /** Keeps at most `ms` (the welcome's pre-roll). */
  resize(ms: number): void {
    this.maxSamples = Math.round((ms / 1000) * CAPTURE_SAMPLE_RATE_HZ);
    this.trim();
  }

  push(samples: Int16Array): void {
    if (this.maxSamples === 0 || samples.length === 0) return;
    this.chunks.push(samples.slice());
    this.samples += samples.length;
    this.trim();
  }

  /** What is kept, oldest first, and the buffer empties. */
  take(): Int16Array {
    const all = new Int16Array(this.samples);
    let offset = 0;
    for (const chunk of this.chunks) {
      all.set(chunk, offset);
      offset += chunk.length;
    }
    this.chunks = [];
    this.samples = 0;
    return all;
  }

  private trim(): void {
    while (this.chunks.length > 0 && this.samples - this.chunks[0]!.length >= this.maxSamples) this.samples -= this.chunks.shift()!.length;
    const first = this.chunks[0];
    if (first && this.samples > this.maxSamples) {
      this.chunks[0] = first.subarray(this.samples - this.maxSamples);
      this.samples = this.maxSamples;
    }
  }
}

/** RMS level of samples in dBFS (≤ 0), for arbitration between rooms; −200 for silence. */
export function levelDbfs(samples: Int16Array): number {
  if (samples.length === 0) return -200;
  let sum = 0;
  for (const sample of samples) sum += sample * sample;
  const rms = Math.sqrt(sum / samples.length) / 32_768;
  return rms > 0 ? Math.max(-200, Math.min(0, 20 * Math.log10(rms))) : -200;
}
