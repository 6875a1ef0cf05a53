import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeClassifier } from '../src/classifier.js';
import { EMBEDDING_SIZE, KEYWORD_WINDOW } from '../src/geometry.js';
import { loadKeyword } from '../src/resolve-keyword.js';
import { encodeTemplate } from '../src/template.js';
import type { DenseLayer } from '../src/mlp.js';
import { Rng } from '../src/train/rng.js';
import { sharedPath } from '../../testing/shared.js';

const rng = new Rng(9);
const floats = (length: number) => Float32Array.from({ length }, () => rng.uniform(-0.1, 0.1));
const layers = (): DenseLayer[] => [
  { inputs: KEYWORD_WINDOW * EMBEDDING_SIZE, outputs: 4, weights: floats(4 * KEYWORD_WINDOW * EMBEDDING_SIZE), bias: floats(4), activation: 'relu' },
  { inputs: 4, outputs: 1, weights: floats(4), bias: floats(1), activation: 'sigmoid' },
];
const classifier = (threshold = 0.3) => encodeClassifier({ keyword: 'hey_hugh', phrase: 'hey hugh', layers: layers(), threshold, report: {} });
const template = () => encodeTemplate({ keyword: 'hey_hugh', phrase: 'hey hugh', takes: [Array.from({ length: 8 }, () => floats(EMBEDDING_SIZE))], threshold: 0.05, sharpness: 6, report: {} });
const window = () => Array.from({ length: 30 }, () => floats(EMBEDDING_SIZE));

function modelsDir(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'hugh-models-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}

describe('wake word model files', () => {
  it('a trained classifier scores 0.5 exactly at its calibrated threshold', async () => {
    const file = classifier();
    const scorer = await loadKeyword('hey_hugh', modelsDir({ 'hey_hugh.trained.json': file }));
    expect(scorer.keyword).toBe('hey_hugh');
    const recent = window().slice(-scorer.steps);
    const raw = await loadKeyword('x.trained.json', modelsDir({ 'x.trained.json': { ...file, threshold: 0.5 } }));
    // The same window: the calibrated score is the raw output shifted by the threshold's logit.
    const p = await raw.score(recent);
    const expected = 1 / (1 + Math.exp(-(Math.log(p / (1 - p)) - Math.log(0.3 / 0.7))));
    expect(await scorer.score(recent)).toBeCloseTo(expected, 5);
  });

  it('a name finds openWakeWord models by version, trained and enrolled files; both of the last two listen together', async () => {
    const dir = modelsDir({ 'hey_hugh.trained.json': classifier(), 'hey_hugh.enrolled.json': template() });
    symlinkSync(sharedPath('models/openwakeword/hey_jarvis_v0.1.onnx'), join(dir, 'hey_jarvis_v0.1.onnx'));
    expect((await loadKeyword('hey_jarvis', dir)).description).toMatch(/hey_jarvis_v0\.1\.onnx$/);
    const both = await loadKeyword('hey_hugh', dir);
    expect(both.description).toMatch(/hey_hugh\.trained\.json \+ .*hey_hugh\.enrolled\.json$/);
    expect(both.steps).toBeGreaterThanOrEqual(KEYWORD_WINDOW);
    expect((await loadKeyword('hey_hugh.enrolled.json', dir)).description).toMatch(/enrolled/);
  });

  it('a name without a model says where it looked and how to make one', async () => {
    await expect(loadKeyword('hey_nobody', modelsDir({}))).rejects.toThrow(/no model for hey_nobody in .* \(looked for hey_nobody\.onnx, hey_nobody_v\*\.onnx, hey_nobody\.trained\.json, hey_nobody\.enrolled\.json\).*wake-word train "hey nobody"/);
  });

  it.each([
    ['not JSON', '{"format":', /is not valid JSON/],
    ['another format', { format: 'something', version: 1 }, /is not a valid model file: format/],
    ['weights of the wrong size', { ...classifier(), layers: [{ ...classifier().layers[0], weights: Buffer.alloc(12).toString('base64') }, classifier().layers[1]] }, /layers\.0\.weights: expected 6144 float32 values, got 3/],
    ['layers that do not chain', { ...classifier(), layers: [classifier().layers[0], { ...classifier().layers[1], inputs: 5 }] }, /layers\.1\.inputs: expected 4, got 5/],
    ['a weight that is not finite', { ...classifier(), layers: [classifier().layers[0], { ...classifier().layers[1], bias: Buffer.from(new Float32Array([Number.NaN]).buffer).toString('base64') }] }, /layers\.1\.bias: value 0 is not finite/],
    ['a threshold out of range', { ...classifier(), threshold: 1.5 }, /threshold/],
    ['other features', { ...classifier(), features: { ...classifier().features, windowEmbeddings: 20 } }, /features\.windowEmbeddings/],
    ['an enrolled take too long', { ...template(), takes: [{ steps: 400, embeddings: '' }] }, /takes\.0\.steps/],
  ])('refuses %s, naming the file', async (_name, content, message) => {
    const dir = modelsDir({ 'bad.trained.json': content });
    await expect(loadKeyword('bad.trained.json', dir)).rejects.toThrow(message);
    await expect(loadKeyword('bad.trained.json', dir)).rejects.toThrow(/HUGH_ERR_CONFIG_INVALID|bad\.trained\.json/);
  });

  it('refuses a file too large before reading it', async () => {
    const dir = modelsDir({ 'big.trained.json': ' '.repeat(9 << 20) });
    await expect(loadKeyword('big.trained.json', dir)).rejects.toThrow(/at most 8388608/);
  });
});
