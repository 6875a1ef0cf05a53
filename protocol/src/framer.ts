/**
 * Cuts a byte stream into frames of a fixed size, keeping the remainder for the next push: the one
 * implementation behind the satellite's capture frames, the hub's reply frames and the VAD's and wake
 * word's fixed steps. Each frame returned is a fresh copy, safe to keep; pushes cost O(bytes).
 */
export class Framer {
  private pending: Uint8Array;
  private filled = 0;

  constructor(readonly frameBytes: number) {
    if (!Number.isInteger(frameBytes) || frameBytes <= 0) throw new RangeError(`frameBytes must be a positive integer, got ${frameBytes}`);
    this.pending = new Uint8Array(frameBytes);
  }

  /** Bytes waiting for a whole frame. */
  get pendingBytes(): number {
    return this.filled;
  }

  /** Adds `bytes`; returns every frame they completed, in order. */
  push(bytes: Uint8Array): Uint8Array[] {
    const frames: Uint8Array[] = [];
    let offset = 0;
    while (offset < bytes.length) {
      const taken = Math.min(this.frameBytes - this.filled, bytes.length - offset);
      this.pending.set(bytes.subarray(offset, offset + taken), this.filled);
      this.filled += taken;
      offset += taken;
      if (this.filled === this.frameBytes) {
        frames.push(this.pending);
        this.pending = new Uint8Array(this.frameBytes);
        this.filled = 0;
      }
    }
    return frames;
  }

  /** The partial frame (a copy, possibly empty), and the framer starts afresh. */
  flush(): Uint8Array {
    const rest = this.pending.slice(0, this.filled);
    this.filled = 0;
    return rest;
  }
}

/** A Framer over s16 samples: frames of `frameSamples` samples. */
export class SampleFramer {
  private readonly bytes: Framer;

  constructor(readonly frameSamples: number) {
    this.bytes = new Framer(frameSamples * 2);
  }

  push(samples: Int16Array): Int16Array[] {
    return this.bytes.push(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength)).map((frame) => new Int16Array(frame.buffer, frame.byteOffset, frame.byteLength / 2));
  }

  /** Samples waiting for a whole frame. */
  get pendingSamples(): number {
    return this.bytes.pendingBytes / 2;
  }

  flush(): Int16Array {
    const rest = this.bytes.flush();
    return new Int16Array(rest.buffer, rest.byteOffset, rest.byteLength / 2);
  }
}
