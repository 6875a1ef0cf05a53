import { SAMPLE_RATE_HZ } from './geometry.js';

const FRAME = SAMPLE_RATE_HZ / 100;

function frameEnergies(samples: Int16Array): number[] {
  const energies: number[] = [];
  for (let start = 0; start + FRAME <= samples.length; start += FRAME) {
    let sum = 0;
    for (let i = start; i < start + FRAME; i++) sum += (samples[i] as number) ** 2;
    energies.push(sum / FRAME);
  }
  return energies;
}

/**
 * Where the speech of a short take is, in samples: the first and last 10 ms frame 15 dB above
 * the take's quiet (its 10th percentile frame) and within 35 dB of its loudest. Undefined when
 * nothing stands out of the noise.
 */
export function speechBounds(samples: Int16Array): { start: number; end: number } | undefined {
  const energies = frameEnergies(samples);
  if (energies.length === 0) return undefined;
  const sorted = [...energies].sort((a, b) => a - b);
  const quiet = sorted[Math.floor(sorted.length * 0.1)]!;
  const loudest = sorted.at(-1)!;
  const threshold = Math.max(quiet * 10 ** 1.5, loudest / 10 ** 3.5, 1);
  const first = energies.findIndex((energy) => energy > threshold);
  if (first < 0 || loudest < quiet * 10 ** 2) return undefined;
  let last = energies.length - 1;
  while (last > first && energies[last]! <= threshold) last--;
  return { start: first * FRAME, end: (last + 1) * FRAME };
}

/** The quietest `seconds` of a take (its room), looped to `length` samples: padding that sounds like the take. */
export function roomTone(samples: Int16Array, length: number, seconds = 0.2): Int16Array {
  const window = Math.min(samples.length, Math.round(seconds * SAMPLE_RATE_HZ));
  let best = 0;
  let bestEnergy = Number.POSITIVE_INFINITY;
  for (let start = 0; start + window <= samples.length; start += FRAME) {
    let energy = 0;
    for (let i = start; i < start + window; i++) energy += (samples[i] as number) ** 2;
    if (energy < bestEnergy) {
      bestEnergy = energy;
      best = start;
    }
  }
  const out = new Int16Array(length);
  for (let i = 0; i < length && window > 0; i++) {
    // Back and forth, so that the loop has no clicks.
    const cycle = Math.floor(i / window);
    const offset = i % window;
    out[i] = samples[best + (cycle % 2 === 0 ? offset : window - 1 - offset)] as number;
  }
  return out;
}
