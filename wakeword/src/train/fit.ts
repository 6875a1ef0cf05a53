import { EMBEDDING_SIZE, KEYWORD_WINDOW } from '../geometry.js';
import type { DenseLayer } from '../mlp.js';
import { NEGATIVE, POSITIVE } from './dataset.js';
import type { Rng } from './rng.js';

const INPUTS = KEYWORD_WINDOW * EMBEDDING_SIZE;

/** One stream's embeddings back to back (a window is a contiguous slice) with a label per window. */
export interface TrainingStream {
  flat: Float32Array;
  labels: Int8Array;
  /** 1 for hard negatives (over a confusable), weighted `hardWeight` times. */
  hard: Uint8Array;
}

export interface FitOptions {
  hidden: number;
  epochs: number;
  /** Negatives drawn per epoch, as a multiple of the positives. */
  negativeRatio?: number;
  batch?: number;
  learningRate?: number;
  weightDecay?: number;
  /** Weight of a hard negative relative to other negatives. */
  hardWeight?: number;
  onEpoch?: (epoch: number, loss: number) => void;
}

/** Per-dimension mean and standard deviation of the embeddings (the classifier's input scaling). */
export function embeddingStats(streams: readonly Float32Array[]): { mean: Float32Array; std: Float32Array } {
  const mean = new Float64Array(EMBEDDING_SIZE);
  const square = new Float64Array(EMBEDDING_SIZE);
  let count = 0;
  for (const flat of streams) {
    for (let offset = 0; offset < flat.length; offset += EMBEDDING_SIZE) {
      for (let d = 0; d < EMBEDDING_SIZE; d++) {
        const value = flat[offset + d] as number;
        mean[d] = (mean[d] as number) + value;
        square[d] = (square[d] as number) + value * value;
      }
      count++;
    }
  }
  const std = new Float32Array(EMBEDDING_SIZE);
  const m = new Float32Array(EMBEDDING_SIZE);
  for (let d = 0; d < EMBEDDING_SIZE; d++) {
    m[d] = (mean[d] as number) / Math.max(1, count);
    std[d] = Math.sqrt(Math.max(1e-6, (square[d] as number) / Math.max(1, count) - (m[d] as number) ** 2));
  }
  return { mean: m, std };
}

/** Scales embeddings in place: `(x - mean) / std`. */
export function standardise(flat: Float32Array, stats: { mean: Float32Array; std: Float32Array }): void {
  for (let offset = 0; offset < flat.length; offset += EMBEDDING_SIZE) {
    for (let d = 0; d < EMBEDDING_SIZE; d++) flat[offset + d] = ((flat[offset + d] as number) - (stats.mean[d] as number)) / (stats.std[d] as number);
  }
}

/** `Σ w[row + i] · x[i]` over the input, four accumulators (V8 keeps them in registers). */
function dot(w: Float32Array, row: number, x: Float32Array): number {
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  for (let i = 0; i < INPUTS; i += 4) {
    a += w[row + i]! * x[i]!;
    b += w[row + i + 1]! * x[i + 1]!;
    c += w[row + i + 2]! * x[i + 2]!;
    d += w[row + i + 3]! * x[i + 3]!;
  }
  return a + b + c + d;
}

/** `g[row + i] += k · x[i]` over the input. */
function axpy(g: Float32Array, row: number, k: number, x: Float32Array): void {
  for (let i = 0; i < INPUTS; i += 4) {
    g[row + i]! += k * x[i]!;
    g[row + i + 1]! += k * x[i + 1]!;
    g[row + i + 2]! += k * x[i + 2]!;
    g[row + i + 3]! += k * x[i + 3]!;
  }
}

class Adam {
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private t = 0;

  constructor(private readonly params: Float32Array) {
    this.m = new Float32Array(params.length);
    this.v = new Float32Array(params.length);
  }

  step(grad: Float32Array, learningRate: number, weightDecay: number): void {
    this.t++;
    const c1 = 1 - 0.9 ** this.t;
    const c2 = 1 - 0.999 ** this.t;
    for (let i = 0; i < this.params.length; i++) {
      const g = grad[i] as number;
      const m = 0.9 * (this.m[i] as number) + 0.1 * g;
      const v = 0.999 * (this.v[i] as number) + 0.001 * g * g;
      this.m[i] = m;
      this.v[i] = v;
      this.params[i] = (this.params[i] as number) * (1 - learningRate * weightDecay) - (learningRate * (m / c1)) / (Math.sqrt(v / c2) + 1e-8);
    }
  }
}

/**
 * Trains `16 × 96 → hidden (ReLU) → 1 (sigmoid)` on standardised windows with class-balanced
 * cross-entropy, Adam (decoupled weight decay) and a cosine learning rate. Every epoch sees all
 * positives and a fresh draw of negatives. Deterministic for a given `rng`.
 */
export function fitClassifier(streams: readonly TrainingStream[], options: FitOptions, rng: Rng): { w1: Float32Array; b1: Float32Array; w2: Float32Array; b2: Float32Array } {
  const hidden = options.hidden;
  const batch = options.batch ?? 128;
  const baseRate = options.learningRate ?? 1e-3;
  const weightDecay = options.weightDecay ?? 1e-4;
  const hardWeight = options.hardWeight ?? 2;
  const positives: number[] = [];
  const negatives: number[] = [];
  // An example is (stream, window) packed in one number: stream * 2^20 + window.
  streams.forEach((stream, s) => stream.labels.forEach((label, index) => (label === POSITIVE ? positives : label === NEGATIVE ? negatives : undefined)?.push(s * 2 ** 20 + index)));
  if (positives.length === 0 || negatives.length === 0) throw new Error(`fitClassifier: ${positives.length} positive and ${negatives.length} negative windows; both are needed`);

  const w1 = new Float32Array(hidden * INPUTS);
  const b1 = new Float32Array(hidden);
  const w2 = new Float32Array(hidden);
  const b2 = new Float32Array(1);
  const limit1 = Math.sqrt(6 / INPUTS);
  for (let i = 0; i < w1.length; i++) w1[i] = rng.uniform(-limit1, limit1);
  const limit2 = Math.sqrt(6 / (hidden + 1));
  for (let i = 0; i < w2.length; i++) w2[i] = rng.uniform(-limit2, limit2);
  const optimisers = [w1, b1, w2, b2].map((params) => new Adam(params));
  const grads = [w1, b1, w2, b2].map((params) => new Float32Array(params.length));
  const [gw1, gb1, gw2, gb2] = grads as [Float32Array, Float32Array, Float32Array, Float32Array];
  const h = new Float32Array(hidden);

  const perEpochNegatives = Math.min(negatives.length, Math.round(positives.length * (options.negativeRatio ?? 4)));
  const totalSteps = options.epochs * Math.ceil((positives.length + perEpochNegatives) / batch);
  let step = 0;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const drawn = rng.shuffle(negatives).slice(0, perEpochNegatives);
    const examples = rng.shuffle([...positives, ...drawn]);
    // Each class weighs half of the epoch.
    const positiveWeight = examples.length / (2 * positives.length);
    const negativeWeight = examples.length / (2 * drawn.length);
    let lossSum = 0;
    for (let start = 0; start < examples.length; start += batch) {
      for (const g of grads) g.fill(0);
      const end = Math.min(examples.length, start + batch);
      for (let e = start; e < end; e++) {
        const packed = examples[e]!;
        const stream = streams[Math.floor(packed / 2 ** 20)]!;
        const index = packed % 2 ** 20;
        const x = stream.flat.subarray((index - KEYWORD_WINDOW + 1) * EMBEDDING_SIZE, (index + 1) * EMBEDDING_SIZE);
        const y = stream.labels[index] === POSITIVE ? 1 : 0;
        const weight = y === 1 ? positiveWeight : negativeWeight * (stream.hard[index] ? hardWeight : 1);
        let z = b2[0] as number;
        for (let j = 0; j < hidden; j++) {
          const value = Math.max(0, b1[j]! + dot(w1, j * INPUTS, x));
          h[j] = value;
          z += w2[j]! * value;
        }
        const p = 1 / (1 + Math.exp(-z));
        lossSum += -weight * Math.log(Math.max(1e-7, y === 1 ? p : 1 - p));
        const dz = weight * (p - y);
        gb2[0] = (gb2[0] as number) + dz;
        for (let j = 0; j < hidden; j++) {
          const value = h[j] as number;
          gw2[j] = (gw2[j] as number) + dz * value;
          if (value <= 0) continue;
          const dh = dz * (w2[j] as number);
          gb1[j] = (gb1[j] as number) + dh;
          axpy(gw1, j * INPUTS, dh, x);
        }
      }
      const scale = 1 / (end - start);
      for (const g of grads) for (let i = 0; i < g.length; i++) g[i] = (g[i] as number) * scale;
      const rate = 1e-5 + 0.5 * (baseRate - 1e-5) * (1 + Math.cos((Math.PI * step++) / totalSteps));
      optimisers.forEach((optimiser, k) => optimiser.step(grads[k]!, rate, k === 0 || k === 2 ? weightDecay : 0));
    }
    options.onEpoch?.(epoch + 1, lossSum / examples.length);
  }
  return { w1, b1, w2, b2 };
}

/** The trained network as dense layers that take raw embeddings: the input scaling folded into the first layer. */
export function foldedLayers(weights: { w1: Float32Array; b1: Float32Array; w2: Float32Array; b2: Float32Array }, stats: { mean: Float32Array; std: Float32Array }): DenseLayer[] {
  const hidden = weights.b1.length;
  const w1 = new Float32Array(weights.w1.length);
  const b1 = Float32Array.from(weights.b1);
  for (let j = 0; j < hidden; j++) {
    let shift = 0;
    for (let i = 0; i < INPUTS; i++) {
      const d = i % EMBEDDING_SIZE;
      const w = (weights.w1[j * INPUTS + i] as number) / (stats.std[d] as number);
      w1[j * INPUTS + i] = w;
      shift += w * (stats.mean[d] as number);
    }
    b1[j] = (b1[j] as number) - shift;
  }
  return [
    { inputs: INPUTS, outputs: hidden, weights: w1, bias: b1, activation: 'relu' },
    { inputs: hidden, outputs: 1, weights: Float32Array.from(weights.w2), bias: Float32Array.from(weights.b2), activation: 'sigmoid' },
  ];
}
