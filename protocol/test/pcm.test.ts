import { describe, expect, it } from 'vitest';
import { pcmBytes, pcmSamples } from '@hugh/protocol';

describe('pcm', () => {
  // Regression: a frame payload at an odd offset of a network Buffer threw "start offset of
  // Int16Array should be a multiple of 2", because Buffer#slice returns a view, not a copy.
  it('reads samples from bytes at an odd offset of a Buffer', () => {
    const pool = Buffer.alloc(11);
    pool.set([0x01, 0x00, 0xff, 0xff, 0x00, 0x80], 3);
    expect(Array.from(pcmSamples(pool.subarray(3, 9)))).toEqual([1, -1, -32_768]);
  });

  it('round-trips samples through bytes without copying when aligned', () => {
    const samples = Int16Array.from([0, 1, -2, 32_767]);
    const bytes = pcmBytes(samples);
    expect(bytes.buffer).toBe(samples.buffer);
    expect(Array.from(pcmSamples(bytes))).toEqual([0, 1, -2, 32_767]);
  });
});
