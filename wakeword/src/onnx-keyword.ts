import { basename } from 'node:path';
import type ort from 'onnxruntime-node';
import { EMBEDDING_SIZE, KEYWORD_WINDOW } from './geometry.js';
import type { KeywordScorer } from './keyword-scorer.js';
import { openOnnxModel, runOnnx } from './onnx-session.js';

/** The name users see: the file name without version and extension (`hey_jarvis_v0.1.onnx` → `hey_jarvis`). */
export function keywordName(model: string): string {
  return basename(model)
    .replace(/\.(onnx|trained\.json|enrolled\.json|json)$/, '')
    .replace(/_v\d+(\.\d+)*$/, '');
}

/** An openWakeWord keyword model (`[1, 16, 96]` embeddings in, one score out). */
export class OnnxKeyword implements KeywordScorer {
  readonly steps = KEYWORD_WINDOW;
  readonly keyword: string;

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly description: string,
  ) {
    this.keyword = keywordName(description);
  }

  static async load(path: string): Promise<OnnxKeyword> {
    return new OnnxKeyword(await openOnnxModel(path), path);
  }

  async score(recent: readonly Float32Array[]): Promise<number> {
    const input = new Float32Array(KEYWORD_WINDOW * EMBEDDING_SIZE);
    recent.forEach((embedding, index) => input.set(embedding, index * EMBEDDING_SIZE));
    return (await runOnnx(this.session, input, [1, KEYWORD_WINDOW, EMBEDDING_SIZE]))[0] ?? 0;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
