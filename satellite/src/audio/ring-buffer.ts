/** The last `capacity` samples of a stream: the pre-roll that goes to the hub with a wake word. */
export class PcmRingBuffer {
  private readonly buffer: Int16Array;
  private writeIndex = 0;
  private filled = 0;

  constructor(readonly capacity: number) {
    this.buffer = new Int16Array(capacity);
  }

  get length(): number {
    return this.filled;
  }

  write(samples: Int16Array): void {
    const input = samples.length > this.capacity ? samples.subarray(samples.length - this.capacity) : samples;
    const first = Math.min(input.length, this.capacity - this.writeIndex);
    this.buffer.set(input.subarray(0, first), this.writeIndex);
    this.buffer.set(input.subarray(first), 0);
    this.writeIndex = (this.writeIndex + input.length) % this.capacity;
    this.filled = Math.min(this.capacity, this.filled + input.length);
  }

  /** Copy of the newest `count` buffered samples (all by default), oldest first. */
  snapshot(count = this.filled): Int16Array {
    const length = Math.min(this.filled, Math.max(0, Math.floor(count)));
    const out = new Int16Array(length);
    const start = (this.writeIndex - length + this.capacity) % this.capacity;
    const first = Math.min(length, this.capacity - start);
    out.set(this.buffer.subarray(start, start + first), 0);
    out.set(this.buffer.subarray(0, length - first), first);
    return out;
  }

  clear(): void {
    this.filled = 0;
    this.writeIndex = 0;
  }
}

/** RMS level of s16 samples in dBFS (full-scale sine ≈ -3 dBFS); -120 for silence. */
export function levelDbfs(samples: Int16Array): number {
  if (samples.length === 0) return -120;
  let sum = 0;
  for (const sample of samples) sum += sample * sample;
  const rms = Math.sqrt(sum / samples.length) / 32_768;
  return rms > 0 ? Math.max(-120, 20 * Math.log10(rms)) : -120;
}
