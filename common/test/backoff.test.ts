import { describe, expect, it } from 'vitest';
import { Backoff } from '@hugh/common';

describe('Backoff', () => {
  it('doubles up to the cap with jitter in [½, 1] of the ceiling, and resets', () => {
    const low = new Backoff(100, 1_000, () => 0);
    expect([1, 2, 3, 4, 5].map(() => low.nextDelayMs())).toEqual([50, 100, 200, 400, 500]);
    const high = new Backoff(100, 1_000, () => 1);
    expect([1, 2, 3, 4, 5].map(() => high.nextDelayMs())).toEqual([100, 200, 400, 800, 1_000]);
    high.reset();
    expect(high.nextDelayMs()).toBe(100);
  });
});
