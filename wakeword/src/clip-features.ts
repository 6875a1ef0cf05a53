import type { FeatureModels } from './feature-models.js';
import { EMBEDDING_WINDOW_FRAMES, MEL_BINS, MEL_CONTEXT_SAMPLES, MEL_FRAMES_PER_STEP, STEP_SAMPLES } from './geometry.js';

/** Embeddings per model call when a whole clip is processed at once. */
const BATCH = 32;

/**
 * The embeddings a stream would compute for a whole recording, in two model calls per batch
 * instead of two per step (the trainer and enrolment's way; the frame grids are the same, so the
 * numbers are too). Entry `i` is the embedding after `(i + 1) * 1280` samples; entries for the
 * first steps, before 76 mel frames of audio exist, are left out: `firstStep` says how many.
 */
export async function clipEmbeddings(models: FeatureModels, samples: Int16Array): Promise<{ firstStep: number; embeddings: Float32Array[] }> {
  const steps = Math.floor(samples.length / STEP_SAMPLES);
  // A stream starts with 480 samples of zero history: the same frame grid.
  const input = new Float32Array(MEL_CONTEXT_SAMPLES + steps * STEP_SAMPLES);
  input.set(samples.subarray(0, steps * STEP_SAMPLES), MEL_CONTEXT_SAMPLES);
  const firstStep = Math.ceil((EMBEDDING_WINDOW_FRAMES - MEL_FRAMES_PER_STEP) / MEL_FRAMES_PER_STEP);
  if (steps <= firstStep) return { firstStep, embeddings: [] };
  const frames = await models.mel(input);
  const embeddings: Float32Array[] = [];
  for (let start = firstStep; start < steps; start += BATCH) {
    const count = Math.min(BATCH, steps - start);
    const windows = new Float32Array(count * EMBEDDING_WINDOW_FRAMES * MEL_BINS);
    for (let i = 0; i < count; i++) {
      const lastFrame = (start + i) * MEL_FRAMES_PER_STEP + MEL_FRAMES_PER_STEP - 1;
      for (let f = 0; f < EMBEDDING_WINDOW_FRAMES; f++) {
        const frame = frames[lastFrame - EMBEDDING_WINDOW_FRAMES + 1 + f];
        if (frame) windows.set(frame, (i * EMBEDDING_WINDOW_FRAMES + f) * MEL_BINS);
      }
    }
    embeddings.push(...(await models.embed(windows)));
  }
  return { firstStep, embeddings };
}
