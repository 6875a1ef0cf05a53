import { describe, expect, it } from 'vitest';
import { endAlignedDtw, unit } from '../src/dtw.js';
import { Rng } from '../src/train/rng.js';

const rng = new Rng(3);
const vector = () => unit(Float32Array.from({ length: 96 }, () => rng.normal()));
const sequence = (length: number) => Array.from({ length }, vector);

describe('end-aligned DTW', () => {
  const template = sequence(10);

  it('is 0 for the template itself, at the end of a longer query', () => {
    expect(endAlignedDtw(template, [...sequence(6), ...template])).toBeCloseTo(0, 6);
  });

  it('absorbs a slower or faster saying of the same sequence', () => {
    const slow = template.flatMap((frame) => [frame, frame]);
    const fast = template.filter((_, index) => index % 2 === 0);
    expect(endAlignedDtw(template, slow)).toBeCloseTo(0, 6);
    // Each kept frame matches exactly; the dropped ones are matched to their neighbours.
    expect(endAlignedDtw(template, fast)).toBeLessThan(0.6);
    expect(endAlignedDtw(template, sequence(10))).toBeGreaterThan(0.8);
  });

  it('matches only what ends now: the same sequence further back scores worse', () => {
    const earlier = [...template, ...sequence(5)];
    expect(endAlignedDtw(template, earlier)).toBeGreaterThan(0.3);
  });

  it('is infinite for an empty side', () => {
    expect(endAlignedDtw([], template)).toBe(Number.POSITIVE_INFINITY);
    expect(endAlignedDtw(template, [])).toBe(Number.POSITIVE_INFINITY);
  });
});
