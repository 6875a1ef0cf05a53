import type { PlaybackFormat } from '@hugh/protocol';

/** Where reply audio and chimes go: the speaker, a WAV file (tests, demos), or nowhere. */
export interface AudioSink {
  readonly description: string;
  /** Starts a stream; a stream still open is finished first. `kind` only names files. */
  open(format: PlaybackFormat, kind?: 'reply' | 'chime'): void;
  write(pcm: Uint8Array): void;
  /** Ends the stream; resolves once everything written has been played (or written out). */
  finish(): Promise<void>;
  /** Stops at once, dropping what is queued (barge-in, cancel). */
  abort(): void;
  close(): Promise<void>;
}

/** Scales s16 samples by a volume in percent; the square law sounds even to the ear. */
export function applyVolume(pcm: Uint8Array, volumePercent: number): Uint8Array {
  if (volumePercent >= 100) return pcm;
  const gain = (Math.max(0, volumePercent) / 100) ** 2;
  const out = new Uint8Array(pcm.byteLength);
  const input = new DataView(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  const output = new DataView(out.buffer);
  for (let i = 0; i + 1 < pcm.byteLength; i += 2) output.setInt16(i, Math.round(input.getInt16(i, true) * gain), true);
  return out;
}

/** Discards audio (a satellite without a speaker, or `--output none`). */
export class NullSink implements AudioSink {
  readonly description = 'nowhere';
  open(): void {}
  write(): void {}
  async finish(): Promise<void> {}
  abort(): void {}
  async close(): Promise<void> {}
}
