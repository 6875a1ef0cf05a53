import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HughError } from '@hugh/protocol';
import type { EngineCallOptions } from '../stt/speech-to-text.js';
import type { PcmAudio } from '../wav.js';
import { wavChunks } from '../wav-stream.js';
import type { TextToSpeech } from './text-to-speech.js';

export interface SaySettings {
  /** A voice `say -v '?'` lists; unset: the system's. */
  voice?: string;
  /** Words per minute; unset: the voice's own rate. */
  rateWpm?: number;
  sampleRateHz: number;
}

/**
 * macOS's `say` (say(1)), the MacBook hub's own voice. It writes a file, never a stream, so each
 * phrase is synthesised to a private temporary file and then read. What say(1) documents and this
 * relies on: the file format follows the extension (`.wav`: WAVE; AIFF, the default, takes only
 * big-endian data), and `--data-format=LEI16@RATE` is little-endian 16-bit integer PCM at RATE Hz.
 * Apple's WAVE writer puts a `FLLR` filler chunk before `data`, which the chunk walk of
 * `wavChunks` skips. The text goes in on stdin (`-f -`): nothing in it can be read as an option,
 * and its length is not bounded by the command line.
 */
export class SayTts implements TextToSpeech {
  readonly name = 'say';

  constructor(private readonly settings: SaySettings) {}

  async *synthesize(text: string, options: EngineCallOptions): AsyncIterable<PcmAudio> {
    const dir = await mkdtemp(join(tmpdir(), 'hugh-say-'));
    const file = join(dir, 'phrase.wav');
    try {
      await this.run(['-o', file, `--data-format=LEI16@${this.settings.sampleRateHz}`, ...(this.settings.voice ? ['-v', this.settings.voice] : []), ...(this.settings.rateWpm ? ['-r', String(this.settings.rateWpm)] : []), '-f', '-'], text, options.signal);
      yield* wavChunks(createReadStream(file), 'say');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private run(args: string[], text: string, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn('say', args, { stdio: ['pipe', 'ignore', 'pipe'], signal });
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-500)));
      child.stdin.on('error', () => undefined); // a say that exits early closes its stdin; the exit code tells why
      child.once('error', (error) =>
        reject(signal.aborted ? new HughError('HUGH_ERR_CANCELLED', 'say: cancelled') : new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `say: cannot run it (macOS only): ${error.message}`)),
      );
      child.once('close', (code) => {
        if (code === 0) resolve();
        else if (!signal.aborted) reject(new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `say exited with ${code}: ${stderr.trim().slice(-200)}`));
      });
      child.stdin.end(text);
    });
  }
}
