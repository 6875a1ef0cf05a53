import { setTimeout as sleep } from 'node:timers/promises';
import recorder from 'node-record-lpcm16';
import { Backoff, type Logger } from '@hugh/common';
import { CAPTURE_SAMPLE_RATE_HZ, HughError } from '@hugh/protocol';
import { pcmSamples, readWavAs16kMono } from './wav.js';

/** A source of 16 kHz mono s16 audio: a microphone, a file or stdin. */
export interface AudioInput {
  readonly description: string;
  /** Chunks of samples until `signal` aborts (or, for a file without trailing silence, its end). */
  samples(signal: AbortSignal): AsyncIterable<Int16Array>;
}

const CHUNK_MS = 80;
const CHUNK_SAMPLES = (CAPTURE_SAMPLE_RATE_HZ * CHUNK_MS) / 1000;

/**
 * A WAV file (any rate or channel count, converted) delivered at the pace of a microphone, then
 * silence (a quiet room) until stopped, unless `thenSilence` is false.
 */
export class FileInput implements AudioInput {
  readonly description: string;
  private readonly audio: Int16Array;

  constructor(
    readonly path: string,
    private readonly options: { realtime?: boolean; thenSilence?: boolean } = {},
  ) {
    this.description = `file ${path}`;
    this.audio = readWavAs16kMono(path);
  }

  async *samples(signal: AbortSignal): AsyncIterable<Int16Array> {
    const realtime = this.options.realtime ?? true;
    const startedMs = Date.now();
    for (let index = 0; !signal.aborted; index++) {
      const offset = index * CHUNK_SAMPLES;
      if (offset >= this.audio.length && !(this.options.thenSilence ?? true)) return;
      if (realtime) {
        const waitMs = startedMs + index * CHUNK_MS - Date.now();
        if (waitMs > 0) await sleep(waitMs);
      }
      const chunk = offset < this.audio.length ? this.audio.slice(offset, offset + CHUNK_SAMPLES) : new Int16Array(CHUNK_SAMPLES);
      if (chunk.length < CHUNK_SAMPLES) {
        const padded = new Int16Array(CHUNK_SAMPLES);
        padded.set(chunk);
        yield padded;
      } else yield chunk;
    }
  }
}

/** Pulls bytes from a byte stream and yields whole s16 samples (a sample may straddle chunks). */
async function* samplesOf(stream: AsyncIterable<Buffer | string>): AsyncIterable<Int16Array> {
  let carry = Buffer.alloc(0);
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'binary') : chunk;
    const all = carry.length ? Buffer.concat([carry, bytes]) : bytes;
    const whole = all.length - (all.length % 2);
    carry = Buffer.from(all.subarray(whole));
    if (whole > 0) yield pcmSamples(Buffer.from(all.subarray(0, whole)));
  }
}

/** Raw 16 kHz mono s16le on stdin (e.g. `arecord -f S16_LE -r 16000 | hugh-satellite --input -`). */
export class StdinInput implements AudioInput {
  readonly description = 'stdin (raw s16le 16 kHz mono)';

  async *samples(signal: AbortSignal): AsyncIterable<Int16Array> {
    for await (const samples of samplesOf(process.stdin)) {
      if (signal.aborted) return;
      yield samples;
    }
  }
}

export interface MicrophoneOptions {
  /** ALSA device for arecord (`-D`), or the sox/rec device (`AUDIODEV`); default device if unset. */
  device?: string;
  /** arecord on Linux, sox on macOS unless given. */
  recorder?: 'arecord' | 'sox' | 'rec';
  logger: Logger;
  backoff?: Backoff;
}

/**
 * The microphone through node-record-lpcm16 (`audioType: 'raw'`: WAV output makes arecord stop
 * after ~18 h). A recorder that fails or exits is restarted with backoff; the process never ends
 * because of a missing or busy device.
 */
export class MicrophoneInput implements AudioInput {
  readonly description: string;
  private readonly recorder: 'arecord' | 'sox' | 'rec';
  private readonly backoff: Backoff;

  constructor(private readonly options: MicrophoneOptions) {
    this.recorder = options.recorder ?? (process.platform === 'darwin' ? 'sox' : 'arecord');
    this.description = `microphone (${this.recorder}${options.device ? ` -D ${options.device}` : ''})`;
    this.backoff = options.backoff ?? new Backoff(500, 10_000);
  }

  async *samples(signal: AbortSignal): AsyncIterable<Int16Array> {
    const { logger } = this.options;
    while (!signal.aborted) {
      let stderr = '';
      let delivered = false;
      let exitCode: Promise<number | null> = Promise.resolve(null);
      const recording = recorder.record({
        sampleRate: CAPTURE_SAMPLE_RATE_HZ,
        channels: 1,
        audioType: 'raw',
        recorder: this.recorder,
        ...(this.options.device ? { device: this.options.device } : {}),
      });
      const stop = () => recording.stop();
      signal.addEventListener('abort', stop, { once: true });
      try {
        const child = recording.process;
        exitCode = new Promise((resolve) => {
          child.once('close', (code) => resolve(code));
          child.once('error', () => resolve(-1));
        });
        child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
        // node-record-lpcm16 emits strings as stream errors, possibly after the stream ended;
        // the exit code read below says the same thing, so its errors are only swallowed here.
        recording.stream().on('error', () => undefined);
        for await (const samples of samplesOf(recording.stream())) {
          if (!delivered) {
            delivered = true;
            this.backoff.reset();
            logger.info({ input: this.description }, 'microphone open');
          }
          yield samples;
        }
      } catch (error) {
        if (!signal.aborted) logger.error({ input: this.description, err: error }, 'recorder stream failed');
      } finally {
        signal.removeEventListener('abort', stop);
        recording.stop();
      }
      if (signal.aborted) return;
      const code = await exitCode;
      logger.error({ input: this.description, stderr: stderr.trim() }, `recorder failed: ${this.recorder} exited with code ${code}; retrying`);
      await sleep(this.backoff.nextDelayMs(), undefined, { signal }).catch(() => undefined);
    }
  }
}

/** `-` is stdin, a path is a file, unset is the microphone. */
export function createInput(input: string | undefined, options: MicrophoneOptions & { realtime?: boolean; thenSilence?: boolean }): AudioInput {
  if (input === undefined || input === '') return new MicrophoneInput(options);
  if (input === '-') return new StdinInput();
  if (!/\.wav$/i.test(input)) throw new HughError('HUGH_ERR_CONFIG_INVALID', `input: ${input} is not a .wav file or "-"`);
  return new FileInput(input, options);
}
