import type { FeatureModels } from '../feature-models.js';
import { SAMPLE_RATE_HZ, STEP_SAMPLES } from '../geometry.js';
import type { KeywordScorer } from '../keyword-scorer.js';
import { StreamingFeatures } from '../streaming-features.js';

/** CPU time of one satellite stream (features + this keyword) per second of audio, as % of one core. */
async function cpuPercent(models: FeatureModels, scorer: KeywordScorer, audio: Int16Array): Promise<number> {
  const stream = await StreamingFeatures.create(models, scorer.steps);
  const before = process.cpuUsage();
  for (let offset = 0; offset + STEP_SAMPLES <= audio.length; offset += STEP_SAMPLES) {
    await stream.push(audio.subarray(offset, offset + STEP_SAMPLES));
    await scorer.score(stream.recent(scorer.steps));
  }
  const used = process.cpuUsage(before);
  return ((used.user + used.system) / 1000 / ((audio.length / SAMPLE_RATE_HZ) * 1000)) * 100;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/**
 * CPU per stream of each scorer on the same audio, measured in turns (a, b, a, b, …) so that a
 * busy machine weighs on both alike; the median of `rounds` turns each.
 */
export async function compareCpu(models: FeatureModels, scorers: KeywordScorer[], audio: Int16Array, rounds = 3): Promise<number[]> {
  const results: number[][] = scorers.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (const [index, scorer] of scorers.entries()) results[index]!.push(await cpuPercent(models, scorer, audio));
  }
  return results.map(median);
}
