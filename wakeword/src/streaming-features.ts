import { HughError } from '@hugh/protocol';
import type { FeatureModels } from './feature-models.js';
import { EMBEDDING_WINDOW_FRAMES, KEYWORD_WINDOW, MEL_BINS, MEL_CONTEXT_SAMPLES, STEP_SAMPLES } from './geometry.js';

/** Low-level deterministic noise, as openWakeWord fills its buffers with at start. */
function warmupNoise(samples: number): Int16Array {
  const noise = new Int16Array(samples);
  let seed = 12_345;
  for (let i = 0; i < samples; i++) {
    seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
    noise[i] = ((seed >>> 8) % 2000) - 1000;
  }
  return noise;
}

/**
 * One audio stream's features, step by step: per 80 ms the mel model runs on the newest 1280
 * samples plus 480 of history (8 new frames), and the embedding model on the last 76 frames.
 * Keeps the last `historySteps` embeddings for every keyword of the stream to score.
 */
export class StreamingFeatures {
  private history = new Int16Array(MEL_CONTEXT_SAMPLES);
  private mel: Float32Array[] = [];
  private embeddings: Float32Array[] = [];
  private initial: { mel: Float32Array[]; embeddings: Float32Array[] } = { mel: [], embeddings: [] };

  private constructor(
    private readonly models: FeatureModels,
    readonly historySteps: number,
  ) {}

  /** A stream whose buffers are already filled from noise, like openWakeWord's, so scoring can start at once. */
  static async create(models: FeatureModels, historySteps = KEYWORD_WINDOW): Promise<StreamingFeatures> {
    const stream = new StreamingFeatures(models, Math.max(historySteps, KEYWORD_WINDOW));
    stream.mel = Array.from({ length: EMBEDDING_WINDOW_FRAMES }, () => new Float32Array(MEL_BINS).fill(1));
    const noise = warmupNoise(STEP_SAMPLES * (stream.historySteps + 1));
    for (let offset = 0; offset < noise.length; offset += STEP_SAMPLES) await stream.push(noise.subarray(offset, offset + STEP_SAMPLES));
    stream.initial = { mel: [...stream.mel], embeddings: [...stream.embeddings] };
    stream.reset();
    return stream;
  }

  /** Forgets the audio (back to the state after start). */
  reset(): void {
    this.history = new Int16Array(MEL_CONTEXT_SAMPLES);
    this.mel = [...this.initial.mel];
    this.embeddings = [...this.initial.embeddings];
  }

  /** Consumes one 1280-sample step; returns its embedding. */
  async push(step: Int16Array): Promise<Float32Array> {
    if (step.length !== STEP_SAMPLES) throw new HughError('HUGH_ERR_INTERNAL', `openWakeWord takes ${STEP_SAMPLES}-sample steps, got ${step.length}`);
    const input = new Float32Array(MEL_CONTEXT_SAMPLES + STEP_SAMPLES);
    input.set(this.history, 0);
    input.set(step, MEL_CONTEXT_SAMPLES);
    this.history = step.slice(step.length - MEL_CONTEXT_SAMPLES);
    this.mel.push(...(await this.models.mel(input)));
    if (this.mel.length > EMBEDDING_WINDOW_FRAMES) this.mel.splice(0, this.mel.length - EMBEDDING_WINDOW_FRAMES);
    const window = new Float32Array(EMBEDDING_WINDOW_FRAMES * MEL_BINS);
    this.mel.forEach((bins, index) => window.set(bins, index * MEL_BINS));
    const [embedding] = await this.models.embed(window);
    this.embeddings.push(embedding!);
    if (this.embeddings.length > this.historySteps) this.embeddings.splice(0, this.embeddings.length - this.historySteps);
    return embedding!;
  }

  /** The last `count` embeddings, oldest first (at most `historySteps`). */
  recent(count: number): Float32Array[] {
    return this.embeddings.slice(-count);
  }
}
