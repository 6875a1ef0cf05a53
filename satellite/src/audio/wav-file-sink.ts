import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlaybackFormat } from '@hugh/protocol';
import type { AudioSink } from './sink.js';
import { encodeWav, pcmSamples } from './wav.js';

/** Writes each stream to `<dir>/<kind>-<n>.wav` (n counts all streams); `files` lists replies in order, `chimes` the chimes. */
export class WavFileSink implements AudioSink {
  readonly description: string;
  readonly files: string[] = [];
  readonly chimes: string[] = [];
  private chunks: Buffer[] = [];
  private format: PlaybackFormat | undefined;
  private kind: 'reply' | 'chime' = 'reply';
  private count = 0;

  constructor(private readonly dir: string) {
    this.description = `WAV files in ${dir}`;
    mkdirSync(dir, { recursive: true });
  }

  open(format: PlaybackFormat, kind: 'reply' | 'chime' = 'reply'): void {
    if (this.format) void this.finish();
    this.format = format;
    this.kind = kind;
    this.chunks = [];
  }

  write(pcm: Uint8Array): void {
    if (this.format) this.chunks.push(Buffer.from(pcm));
  }

  async finish(): Promise<void> {
    const format = this.format;
    if (!format) return;
    this.format = undefined;
    const file = join(this.dir, `${this.kind}-${String(++this.count).padStart(3, '0')}.wav`);
    writeFileSync(file, encodeWav(pcmSamples(Buffer.concat(this.chunks)), format.sampleRateHz, format.channels));
    this.chunks = [];
    (this.kind === 'reply' ? this.files : this.chimes).push(file);
  }

  abort(): void {
    // What was heard until the barge-in is still written: the file shows where playback stopped.
    void this.finish();
  }

  async close(): Promise<void> {
    await this.finish();
  }
}
