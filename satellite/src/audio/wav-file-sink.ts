import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlaybackFormat } from '@hugh/protocol';
import type { AudioSink } from './sink.js';
import { encodeWav, pcmSamples } from './wav.js';

/** Writes each stream to `<dir>/<prefix>-<n>.wav`; `files` lists what was written, in order. */
export class WavFileSink implements AudioSink {
  readonly description: string;
  readonly files: string[] = [];
  private chunks: Buffer[] = [];
  private format: PlaybackFormat | undefined;
  private count = 0;

  constructor(
    private readonly dir: string,
    private readonly prefix = 'reply',
  ) {
    this.description = `WAV files in ${dir}`;
    mkdirSync(dir, { recursive: true });
  }

  open(format: PlaybackFormat): void {
    if (this.format) void this.finish();
    this.format = format;
    this.chunks = [];
  }

  write(pcm: Uint8Array): void {
    if (this.format) this.chunks.push(Buffer.from(pcm));
  }

  async finish(): Promise<void> {
    const format = this.format;
    if (!format) return;
    this.format = undefined;
    const file = join(this.dir, `${this.prefix}-${++this.count}.wav`);
    writeFileSync(file, encodeWav(pcmSamples(Buffer.concat(this.chunks)), format.sampleRateHz, format.channels));
    this.chunks = [];
    this.files.push(file);
  }

  abort(): void {
    // What was heard until the barge-in is still written: the file shows where playback stopped.
    void this.finish();
  }

  async close(): Promise<void> {
    await this.finish();
  }
}
