import { join } from 'node:path';
import type ort from 'onnxruntime-node';
import { EMBEDDING_SIZE, EMBEDDING_WINDOW_FRAMES, MEL_BINS } from './geometry.js';
import { openOnnxModel, runOnnx } from './onnx-session.js';

/**
 * openWakeWord's two feature models: melspectrogram (raw int16 values as float32, not scaled;
 * frames transformed `x/10 + 2` as openWakeWord does) and the embedding model (76 mel frames →
 * 96 floats). Stateless: streams and clips keep their own buffers.
 */
export class FeatureModels {
  private constructor(
    private readonly melModel: ort.InferenceSession,
    private readonly embeddingModel: ort.InferenceSession,
  ) {}

  /** Loads `melspectrogram.onnx` and `embedding_model.onnx` from `modelsDir`. */
  static async load(modelsDir: string, options: { threads?: number } = {}): Promise<FeatureModels> {
    const [mel, embedding] = await Promise.all([
      openOnnxModel(join(modelsDir, 'melspectrogram.onnx'), options.threads),
      openOnnxModel(join(modelsDir, 'embedding_model.onnx'), options.threads),
    ]);
    return new FeatureModels(mel, embedding);
  }

  /** Mel frames (32 bins each, one per 10 ms) of `samples`, int16 values. */
  async mel(samples: Float32Array): Promise<Float32Array[]> {
    const data = await runOnnx(this.melModel, samples, [1, samples.length]);
    const frames: Float32Array[] = [];
    for (let offset = 0; offset + MEL_BINS <= data.length; offset += MEL_BINS) {
      const bins = data.subarray(offset, offset + MEL_BINS);
      for (let bin = 0; bin < MEL_BINS; bin++) bins[bin] = (bins[bin] as number) / 10 + 2;
      frames.push(bins);
    }
    return frames;
  }

  /** One embedding per window of 76 mel frames (a batch: `windows` holds them back to back). */
  async embed(windows: Float32Array): Promise<Float32Array[]> {
    const count = windows.length / (EMBEDDING_WINDOW_FRAMES * MEL_BINS);
    const data = await runOnnx(this.embeddingModel, windows, [count, EMBEDDING_WINDOW_FRAMES, MEL_BINS, 1]);
    return Array.from({ length: count }, (_, index) => data.subarray(index * EMBEDDING_SIZE, (index + 1) * EMBEDDING_SIZE));
  }

  async close(): Promise<void> {
    await Promise.all([this.melModel.release(), this.embeddingModel.release()]);
  }
}
