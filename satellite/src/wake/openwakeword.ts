import { access, constants } from 'node:fs/promises';
import { basename, join } from 'node:path';
import ort from 'onnxruntime-node';
import { HughError } from '@hugh/protocol';
import type { KeywordScore, WakeWordEngine } from './wake-word-engine.js';

/** openWakeWord's fixed pipeline geometry (dscripka/openWakeWord, models v0.1). */
const STEP_SAMPLES = 1280; // 80 ms at 16 kHz: one embedding per step
const MEL_CONTEXT_SAMPLES = 480; // history the mel model needs to emit 8 frames for 1280 new samples
const MEL_BINS = 32;
const EMBEDDING_WINDOW_FRAMES = 76;
const EMBEDDING_SIZE = 96;
const KEYWORD_WINDOW = 16; // embeddings the keyword models look at (1.28 s)
/** openWakeWord zeroes the first predictions after start, while the buffers hold no real audio. */
const WARMUP_STEPS = 5;

export interface OpenWakeWordKeyword {
  /** Model file, absolute or relative to the models folder, e.g. `hey_jarvis_v0.1.onnx`. */
  model: string;
  /** Score at or above which the keyword counts as said; 0.5 is what the models were trained for. */
  threshold?: number;
}

/** The name users see: the file name without version and extension (`hey_jarvis_v0.1.onnx` → `hey_jarvis`). */
export function keywordName(model: string): string {
  return basename(model).replace(/\.onnx$/, '').replace(/_v\d+(\.\d+)*$/, '');
}

async function openModel(path: string): Promise<ort.InferenceSession> {
  try {
    await access(path, constants.R_OK);
  } catch {
    throw new HughError('HUGH_ERR_CONFIG_INVALID', `wake word model ${path} is missing or unreadable (set wake.modelsDir or HUGH_MODELS_DIR)`);
  }
  try {
    // One thread: a satellite runs on a small board, and one 80 ms step costs about a millisecond.
    return await ort.InferenceSession.create(path, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  } catch (error) {
    throw new HughError('HUGH_ERR_CONFIG_INVALID', `wake word model ${path} cannot be loaded: ${(error as Error).message}`);
  }
}

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
 * openWakeWord through onnxruntime-node. Per 80 ms step: the melspectrogram model on the newest
 * 1280 samples plus 480 of history (raw int16 values as float32, not scaled) gives 8 frames of 32
 * bins, transformed `x/10 + 2`; the embedding model turns the last 76 frames into 96 floats; each
 * keyword model scores the last 16 embeddings. One mel/embedding pass serves every keyword.
 */
export class OpenWakeWordEngine implements WakeWordEngine {
  readonly name = 'openwakeword';
  readonly frameSamples = STEP_SAMPLES;
  readonly keywords: string[];
  readonly thresholds: Map<string, number>;
  private history = new Int16Array(MEL_CONTEXT_SAMPLES);
  private mel: Float32Array[] = [];
  private embeddings: Float32Array[] = [];
  private steps = 0;
  private initial: { mel: Float32Array[]; embeddings: Float32Array[] } = { mel: [], embeddings: [] };

  private constructor(
    private readonly melModel: ort.InferenceSession,
    private readonly embeddingModel: ort.InferenceSession,
    private readonly keywordModels: { keyword: string; session: ort.InferenceSession }[],
    thresholds: Map<string, number>,
  ) {
    this.keywords = keywordModels.map((entry) => entry.keyword);
    this.thresholds = thresholds;
  }

  static async load(modelsDir: string, keywords: OpenWakeWordKeyword[]): Promise<OpenWakeWordEngine> {
    if (keywords.length === 0) throw new HughError('HUGH_ERR_CONFIG_INVALID', 'wake.keywords: at least one keyword model is needed');
    const resolve = (file: string) => (file.startsWith('/') ? file : join(modelsDir, file));
    const [melModel, embeddingModel] = await Promise.all([openModel(resolve('melspectrogram.onnx')), openModel(resolve('embedding_model.onnx'))]);
    const keywordModels = await Promise.all(keywords.map(async (entry) => ({ keyword: keywordName(entry.model), session: await openModel(resolve(entry.model)) })));
    const thresholds = new Map(keywords.map((entry) => [keywordName(entry.model), entry.threshold ?? 0.5]));
    const engine = new OpenWakeWordEngine(melModel, embeddingModel, keywordModels, thresholds);
    await engine.warmUp();
    return engine;
  }

  /** Fills the buffers from noise, like openWakeWord does, so scoring can start at once. */
  private async warmUp(): Promise<void> {
    this.mel = Array.from({ length: EMBEDDING_WINDOW_FRAMES }, () => new Float32Array(MEL_BINS).fill(1));
    const noise = warmupNoise(STEP_SAMPLES * (KEYWORD_WINDOW + 1));
    for (let offset = 0; offset < noise.length; offset += STEP_SAMPLES) await this.features(noise.subarray(offset, offset + STEP_SAMPLES));
    this.initial = { mel: [...this.mel], embeddings: [...this.embeddings] };
    this.reset();
  }

  reset(): void {
    this.history = new Int16Array(MEL_CONTEXT_SAMPLES);
    this.mel = [...this.initial.mel];
    this.embeddings = [...this.initial.embeddings];
    this.steps = 0;
  }

  /** Runs mel + embedding for one step and appends to the rolling buffers. */
  private async features(step: Int16Array): Promise<void> {
    const input = new Float32Array(MEL_CONTEXT_SAMPLES + STEP_SAMPLES);
    input.set(this.history, 0);
    input.set(step, MEL_CONTEXT_SAMPLES);
    this.history = step.slice(step.length - MEL_CONTEXT_SAMPLES);

    const melOut = await this.melModel.run({ [this.melModel.inputNames[0]!]: new ort.Tensor('float32', input, [1, input.length]) });
    const melData = melOut[this.melModel.outputNames[0]!]!.data as Float32Array;
    for (let frame = 0; frame + MEL_BINS <= melData.length; frame += MEL_BINS) {
      const bins = new Float32Array(MEL_BINS);
      for (let bin = 0; bin < MEL_BINS; bin++) bins[bin] = (melData[frame + bin] as number) / 10 + 2;
      this.mel.push(bins);
    }
    if (this.mel.length > EMBEDDING_WINDOW_FRAMES) this.mel.splice(0, this.mel.length - EMBEDDING_WINDOW_FRAMES);

    const window = new Float32Array(EMBEDDING_WINDOW_FRAMES * MEL_BINS);
    this.mel.forEach((bins, index) => window.set(bins, index * MEL_BINS));
    const embOut = await this.embeddingModel.run({
      [this.embeddingModel.inputNames[0]!]: new ort.Tensor('float32', window, [1, EMBEDDING_WINDOW_FRAMES, MEL_BINS, 1]),
    });
    // Copy: the runtime may reuse the output buffer on the next run.
    this.embeddings.push(Float32Array.from(embOut[this.embeddingModel.outputNames[0]!]!.data as Float32Array));
    if (this.embeddings.length > KEYWORD_WINDOW) this.embeddings.splice(0, this.embeddings.length - KEYWORD_WINDOW);
  }

  async process(frame: Int16Array): Promise<KeywordScore[]> {
    if (frame.length !== STEP_SAMPLES) throw new HughError('HUGH_ERR_INTERNAL', `openWakeWord takes ${STEP_SAMPLES}-sample steps, got ${frame.length}`);
    await this.features(frame);
    this.steps++;
    const input = new Float32Array(KEYWORD_WINDOW * EMBEDDING_SIZE);
    this.embeddings.forEach((embedding, index) => input.set(embedding, index * EMBEDDING_SIZE));
    const scores: KeywordScore[] = [];
    for (const { keyword, session } of this.keywordModels) {
      if (this.steps <= WARMUP_STEPS) {
        scores.push({ keyword, score: 0 });
        continue;
      }
      const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', input, [1, KEYWORD_WINDOW, EMBEDDING_SIZE]) });
      scores.push({ keyword, score: (out[session.outputNames[0]!]!.data as Float32Array)[0] ?? 0 });
    }
    return scores;
  }

  async close(): Promise<void> {
    await Promise.all([this.melModel, this.embeddingModel, ...this.keywordModels.map((entry) => entry.session)].map((session) => session.release()));
  }
}
