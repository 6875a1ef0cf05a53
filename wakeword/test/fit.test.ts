import { describe, expect, it } from 'vitest';
import { EMBEDDING_SIZE, KEYWORD_WINDOW } from '../src/geometry.js';
import { forward } from '../src/mlp.js';
import { embeddingStats, fitClassifier, foldedLayers, standardise, type TrainingStream } from '../src/train/fit.js';
import { Rng } from '../src/train/rng.js';

/** Streams of noise embeddings; a window is positive when its newest embedding has dimension 0 raised. */
function toyStreams(seed: number): { raw: Float32Array[]; streams: TrainingStream[] } {
  const rng = new Rng(seed);
  const raw: Float32Array[] = [];
  const streams: TrainingStream[] = [];
  for (let s = 0; s < 6; s++) {
    const steps = 60;
    const flat = Float32Array.from({ length: steps * EMBEDDING_SIZE }, () => 5 + 2 * rng.normal());
    const labels = new Int8Array(steps).fill(-1);
    for (let index = KEYWORD_WINDOW - 1; index < steps; index++) {
      const positive = rng.next() < 0.3;
      if (positive) flat[index * EMBEDDING_SIZE] = 20;
      labels[index] = positive ? 1 : 0;
    }
    raw.push(Float32Array.from(flat));
    streams.push({ flat, labels, hard: new Uint8Array(steps) });
  }
  return { raw, streams };
}

function train(seed: number) {
  const { raw, streams } = toyStreams(seed);
  const stats = embeddingStats(streams.map((stream) => stream.flat));
  for (const stream of streams) standardise(stream.flat, stats);
  const weights = fitClassifier(streams, { hidden: 8, epochs: 12, batch: 16, learningRate: 3e-3 }, new Rng(seed + 1));
  return { raw, streams, layers: foldedLayers(weights, stats) };
}

describe('the classifier trainer', () => {
  it('learns a toy keyword, and its folded layers take raw embeddings', () => {
    const { raw, streams, layers } = train(7);
    let correct = 0;
    let total = 0;
    streams.forEach((stream, s) => {
      stream.labels.forEach((label, index) => {
        if (label < 0) return;
        const window = raw[s]!.subarray((index - KEYWORD_WINDOW + 1) * EMBEDDING_SIZE, (index + 1) * EMBEDDING_SIZE);
        correct += Number(forward(layers, window) >= 0.5) === label ? 1 : 0;
        total++;
      });
    });
    expect(correct / total).toBeGreaterThan(0.97);
  });

  it('is deterministic: the same seed gives the same weights, bit for bit', () => {
    const first = train(11).layers;
    const second = train(11).layers;
    expect(Buffer.from(first[0]!.weights.buffer).equals(Buffer.from(second[0]!.weights.buffer))).toBe(true);
    expect(Array.from(first[1]!.bias)).toEqual(Array.from(second[1]!.bias));
    expect(Buffer.from(train(12).layers[0]!.weights.buffer).equals(Buffer.from(first[0]!.weights.buffer))).toBe(false);
  });
});
