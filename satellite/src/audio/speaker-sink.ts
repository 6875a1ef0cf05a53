import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@hugh/common';
import type { PlaybackFormat } from '@hugh/protocol';
import type { AudioSink } from './sink.js';

// The child always runs built JavaScript, also when this module runs from source (tests).
const CHILD = fileURLToPath(
  import.meta.url.endsWith('.ts') ? new URL('../../dist/audio/speaker-child.js', import.meta.url) : new URL('./speaker-child.js', import.meta.url),
);

function record(kind: number, payload: Uint8Array = new Uint8Array(0)): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt8(kind, 0);
  header.writeUInt32LE(payload.byteLength, 1);
  return Buffer.concat([header, payload]);
}

/**
 * Plays through `speaker` (ALSA or CoreAudio) in a long-lived child process, so that replies start
 * without a process start and a dead sound card cannot kill the satellite: a crashed child is
 * logged and started again for the next stream. The ALSA device is `pcm.!default` of the user's
 * asoundrc (speaker's own device option is not honoured by its ALSA backend).
 */
export class SpeakerSink implements AudioSink {
  readonly description = 'speaker';
  private child: ChildProcess | undefined;
  private waiters: (() => void)[] = [];

  constructor(private readonly logger: Logger) {}

  private get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  private ensureChild(): ChildProcess {
    if (this.running && this.child) return this.child;
    const child = spawn(process.execPath, [CHILD], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdout?.on('data', (chunk: Buffer) => {
      for (const _line of chunk.toString().split('\n').filter(Boolean)) this.waiters.shift()?.();
    });
    child.stderr?.on('data', (chunk: Buffer) => this.logger.warn({ output: chunk.toString().trim() }, 'speaker'));
    child.stdin?.on('error', () => undefined); // a dead child is reported by 'exit'
    child.on('exit', (code, signal) => {
      if (code !== 0) this.logger.error({ code, signal }, 'speaker process died (sound card missing or busy?); it restarts with the next reply');
      for (const waiter of this.waiters.splice(0)) waiter();
    });
    this.child = child;
    return child;
  }

  private send(data: Buffer): void {
    const child = this.ensureChild();
    child.stdin?.write(data);
  }

  open(format: PlaybackFormat, _kind?: 'reply' | 'chime'): void {
    const payload = Buffer.alloc(5);
    payload.writeUInt32LE(format.sampleRateHz, 0);
    payload.writeUInt8(format.channels, 4);
    this.send(record(1, payload));
  }

  write(pcm: Uint8Array): void {
    this.send(record(2, pcm));
  }

  finish(): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.send(record(3));
    });
  }

  abort(): void {
    this.waiters.push(() => undefined);
    this.send(record(4));
  }

  async close(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.stdin?.end();
      setTimeout(() => child.kill(), 3_000).unref();
    });
  }
}
