import { z } from 'zod';
import { EMBEDDING_SIZE, KEYWORD_WINDOW } from './geometry.js';
import { logit, sigmoid, type KeywordScorer } from './keyword-scorer.js';
import { forward, type DenseLayer } from './mlp.js';
import { FEATURES, FeaturesSchema, KeywordNameSchema, decodeFloats, encodeFloats, readModelFile } from './model-file.js';

export const CLASSIFIER_FORMAT = 'hugh-wakeword-classifier';

const LayerSchema = z.strictObject({
  inputs: z.int().min(1).max(KEYWORD_WINDOW * EMBEDDING_SIZE),
  outputs: z.int().min(1).max(1024),
  activation: z.enum(['relu', 'sigmoid', 'linear']),
  /** `outputs × inputs` float32, row-major, little-endian, base64. */
  weights: z.base64(),
  bias: z.base64(),
});

/**
 * A trained keyword classifier (`hugh-hub wake-word train`), `<keyword>.trained.json`:
 * dense layers over the 16 newest embeddings flattened (1536 floats, oldest first), ending in
 * one sigmoid output, and the threshold calibrated for it at training time.
 */
export const ClassifierFileSchema = z.strictObject({
  format: z.literal(CLASSIFIER_FORMAT),
  version: z.literal(1),
  keyword: KeywordNameSchema,
  /** What is said, e.g. "hey hugh". */
  phrase: z.string().min(1).max(100),
  features: FeaturesSchema,
  layers: z.array(LayerSchema).min(1).max(4),
  /** The raw sigmoid output at which the keyword counts as said; scores are reported with it at 0.5. */
  threshold: z.number().gt(0).lt(1),
  /** What the training run measured (the full report lies beside the model). */
  report: z.record(z.string(), z.unknown()).default({}),
});

export type ClassifierFile = z.infer<typeof ClassifierFileSchema>;

/** The classifier's layers, checked to chain from 1536 inputs to one sigmoid output. */
export function classifierLayers(file: ClassifierFile): DenseLayer[] {
  let inputs = KEYWORD_WINDOW * EMBEDDING_SIZE;
  const layers = file.layers.map((layer, index) => {
    if (layer.inputs !== inputs) throw new Error(`layers.${index}.inputs: expected ${inputs}, got ${layer.inputs}`);
    inputs = layer.outputs;
    return {
      inputs: layer.inputs,
      outputs: layer.outputs,
      activation: layer.activation,
      weights: decodeFloats(layer.weights, layer.inputs * layer.outputs, `layers.${index}.weights`),
      bias: decodeFloats(layer.bias, layer.outputs, `layers.${index}.bias`),
    };
  });
  const last = layers.at(-1)!;
  if (last.outputs !== 1 || last.activation !== 'sigmoid') throw new Error('layers: the last layer must have one sigmoid output');
  return layers;
}

export function encodeClassifier(input: { keyword: string; phrase: string; layers: DenseLayer[]; threshold: number; report: Record<string, unknown> }): ClassifierFile {
  return {
    format: CLASSIFIER_FORMAT,
    version: 1,
    keyword: input.keyword,
    phrase: input.phrase,
    features: FEATURES,
    layers: input.layers.map((layer) => ({ inputs: layer.inputs, outputs: layer.outputs, activation: layer.activation, weights: encodeFloats(layer.weights), bias: encodeFloats(layer.bias) })),
    threshold: input.threshold,
    report: input.report,
  };
}

/** A trained classifier as a keyword: its raw output mapped so that the calibrated threshold scores 0.5. */
export class TrainedKeyword implements KeywordScorer {
  readonly steps = KEYWORD_WINDOW;
  readonly keyword: string;
  readonly phrase: string;
  private readonly input = new Float32Array(KEYWORD_WINDOW * EMBEDDING_SIZE);
  private readonly offset: number;

  constructor(
    private readonly layers: readonly DenseLayer[],
    readonly threshold: number,
    meta: { keyword: string; phrase: string },
    readonly description: string,
  ) {
    this.keyword = meta.keyword;
    this.phrase = meta.phrase;
    this.offset = logit(threshold);
  }

  static async load(path: string): Promise<TrainedKeyword> {
    return readModelFile(path, (value) => TrainedKeyword.parse(value, path));
  }

  /** From a parsed model file; throws what is wrong with it. */
  static parse(value: unknown, path: string): TrainedKeyword {
    const file = ClassifierFileSchema.parse(value);
    return new TrainedKeyword(classifierLayers(file), file.threshold, file, path);
  }

  /** The raw sigmoid output for a window. */
  raw(recent: readonly Float32Array[]): number {
    recent.forEach((embedding, index) => this.input.set(embedding, index * EMBEDDING_SIZE));
    return forward(this.layers, this.input);
  }

  async score(recent: readonly Float32Array[]): Promise<number> {
    const p = Math.min(1 - 1e-7, Math.max(1e-7, this.raw(recent)));
    return sigmoid(logit(p) - this.offset);
  }

  async close(): Promise<void> {}
}
