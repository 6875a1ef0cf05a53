import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isAbsolute, join } from 'node:path';
import { HughError } from '@hugh/protocol';
import { TrainedKeyword } from './classifier.js';
import type { KeywordScorer } from './keyword-scorer.js';
import { readModelFile } from './model-file.js';
import { OnnxKeyword } from './onnx-keyword.js';
import { EnrolledKeyword, TEMPLATE_FORMAT } from './template.js';

/** Models that ship with the code (`wakeword/models/`): looked in after the models folder. */
export const BUNDLED_MODELS_DIR = fileURLToPath(new URL('../models/', import.meta.url));

/** A trained classifier and an enrolled template for one keyword, both listening: either wakes it. */
class EitherKeyword implements KeywordScorer {
  readonly keyword: string;
  readonly steps: number;
  readonly description: string;

  constructor(private readonly scorers: readonly KeywordScorer[]) {
    this.keyword = scorers[0]!.keyword;
    this.steps = Math.max(...scorers.map((scorer) => scorer.steps));
    this.description = scorers.map((scorer) => scorer.description).join(' + ');
  }

  async score(recent: readonly Float32Array[]): Promise<number> {
    let best = 0;
    for (const scorer of this.scorers) best = Math.max(best, await scorer.score(recent.slice(-scorer.steps)));
    return best;
  }

  async close(): Promise<void> {
    await Promise.all(this.scorers.map((scorer) => scorer.close()));
  }
}

/** A `.json` model of either kind, by its `format` field (a trained classifier unless it says template). */
function loadJsonModel(path: string): Promise<KeywordScorer> {
  return readModelFile<KeywordScorer>(path, (value) =>
    (value as { format?: unknown } | null)?.format === TEMPLATE_FORMAT ? EnrolledKeyword.parse(value, path) : TrainedKeyword.parse(value, path),
  );
}

function has(dir: string, file: string): boolean {
  try {
    return readdirSync(dir).includes(file);
  } catch {
    return false;
  }
}

/** `hey_jarvis` → `hey_jarvis_v0.1.onnx` (the newest version when there are several). */
function versionedOnnx(dir: string, name: string): string | undefined {
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    return undefined;
  }
  const pattern = new RegExp(`^${name}_v\\d+(\\.\\d+)*\\.onnx$`);
  return files.filter((file) => pattern.test(file)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).at(-1);
}

/**
 * One `wake.keywords` entry as a scorer. A file (`*.onnx`, `*.trained.json`, `*.enrolled.json`,
 * absolute or in the models folder) is that model. A name (`hey_hugh`) is looked up: an
 * openWakeWord model `<name>.onnx` or `<name>_v*.onnx`, else a trained `<name>.trained.json`, in
 * the models folder and then among the bundled models; and an enrolled `<name>.enrolled.json` in
 * the models folder. When a classifier and an enrolled template both exist, both listen and
 * either wakes the keyword (everyone, and the enrolled speaker better).
 */
export async function loadKeyword(entry: string, modelsDir: string): Promise<KeywordScorer> {
  if (/\.(onnx|json)$/.test(entry)) {
    const path = isAbsolute(entry) ? entry : join(modelsDir, entry);
    return entry.endsWith('.onnx') ? OnnxKeyword.load(path) : loadJsonModel(path);
  }
  if (!/^[a-z0-9_.-]{1,64}$/i.test(entry)) throw new HughError('HUGH_ERR_CONFIG_INVALID', `wake.keywords: ${JSON.stringify(entry)} is neither a model file nor a keyword name like hey_hugh`);
  let classifier: Promise<KeywordScorer> | undefined;
  for (const dir of [modelsDir, BUNDLED_MODELS_DIR]) {
    const onnx = has(dir, `${entry}.onnx`) ? `${entry}.onnx` : versionedOnnx(dir, entry);
    if (onnx) classifier = OnnxKeyword.load(join(dir, onnx));
    else if (has(dir, `${entry}.trained.json`)) classifier = TrainedKeyword.load(join(dir, `${entry}.trained.json`));
    if (classifier) break;
  }
  const enrolled = has(modelsDir, `${entry}.enrolled.json`) ? EnrolledKeyword.load(join(modelsDir, `${entry}.enrolled.json`)) : undefined;
  const found = await Promise.all([classifier, enrolled].filter((scorer): scorer is Promise<KeywordScorer> => scorer !== undefined));
  if (found.length === 0) {
    throw new HughError(
      'HUGH_ERR_CONFIG_INVALID',
      `wake.keywords: no model for ${entry} in ${modelsDir} (looked for ${entry}.onnx, ${entry}_v*.onnx, ${entry}.trained.json, ${entry}.enrolled.json): ` +
        `train one with \`hugh-hub wake-word train "${entry.replaceAll('_', ' ')}"\` or enrol with \`hugh-satellite enroll --keyword ${entry}\``,
    );
  }
  // The name in the configuration is the keyword the satellite reports.
  const scorers = found.map((scorer) => (scorer.keyword === entry ? scorer : renamed(scorer, entry)));
  return scorers.length === 1 ? scorers[0]! : new EitherKeyword(scorers);
}

function renamed(scorer: KeywordScorer, keyword: string): KeywordScorer {
  return { keyword, steps: scorer.steps, description: scorer.description, score: (recent) => scorer.score(recent), close: () => scorer.close() };
}
