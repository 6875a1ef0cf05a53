import { HughError } from '@hugh/protocol';
import { FeatureModels, STEP_SAMPLES, StreamingFeatures, WARMUP_STEPS, loadKeyword, type KeywordScorer } from '@hugh/wakeword';
import type { KeywordScore, WakeWordEngine } from './wake-word-engine.js';

export interface OpenWakeWordKeyword {
  /**
   * A keyword name looked up in the models folder (`hey_jarvis`, `hey_hugh`: openWakeWord
   * `.onnx`, trained `.trained.json`, enrolled `.enrolled.json`) or a model file, absolute or
   * relative to the models folder, e.g. `hey_jarvis_v0.1.onnx`.
   */
  model: string;
  /** Score at or above which the keyword counts as said; 0.5 is each model's own threshold. */
  threshold?: number;
}

/**
 * Keywords on openWakeWord's features. Per 80 ms step one mel/embedding pass (see
 * `StreamingFeatures`) serves every keyword: openWakeWord's keyword models, trained classifiers
 * and enrolled templates each score the newest embeddings.
 */
export class OpenWakeWordEngine implements WakeWordEngine {
  readonly name = 'openwakeword';
  readonly frameSamples = STEP_SAMPLES;
  readonly keywords: string[];
  readonly thresholds: Map<string, number>;
  private steps = 0;

  private constructor(
    private readonly models: FeatureModels,
    private readonly features: StreamingFeatures,
    private readonly scorers: KeywordScorer[],
    thresholds: Map<string, number>,
  ) {
    this.keywords = scorers.map((scorer) => scorer.keyword);
    this.thresholds = thresholds;
  }

  static async load(modelsDir: string, keywords: OpenWakeWordKeyword[]): Promise<OpenWakeWordEngine> {
    if (keywords.length === 0) throw new HughError('HUGH_ERR_CONFIG_INVALID', 'wake.keywords: at least one keyword model is needed');
    const models = await FeatureModels.load(modelsDir);
    const scorers = await Promise.all(keywords.map((entry) => loadKeyword(entry.model, modelsDir)));
    const names = scorers.map((scorer) => scorer.keyword);
    const repeated = names.find((name, index) => names.indexOf(name) !== index);
    if (repeated) throw new HughError('HUGH_ERR_CONFIG_INVALID', `wake.keywords: ${repeated} is configured twice`);
    const thresholds = new Map(keywords.map((entry, index) => [names[index]!, entry.threshold ?? 0.5]));
    const features = await StreamingFeatures.create(models, Math.max(...scorers.map((scorer) => scorer.steps)));
    return new OpenWakeWordEngine(models, features, scorers, thresholds);
  }

  /** What each keyword runs on, for the start-up log. */
  get descriptions(): Record<string, string> {
    return Object.fromEntries(this.scorers.map((scorer) => [scorer.keyword, scorer.description]));
  }

  reset(): void {
    this.features.reset();
    this.steps = 0;
  }

  async process(frame: Int16Array): Promise<KeywordScore[]> {
    await this.features.push(frame);
    this.steps++;
    const scores: KeywordScore[] = [];
    for (const scorer of this.scorers) {
      // openWakeWord's warm-up: the first steps after start or reset score nothing.
      scores.push({ keyword: scorer.keyword, score: this.steps <= WARMUP_STEPS ? 0 : await scorer.score(this.features.recent(scorer.steps)) });
    }
    return scores;
  }

  async close(): Promise<void> {
    await Promise.all([this.models.close(), ...this.scorers.map((scorer) => scorer.close())]);
  }
}
