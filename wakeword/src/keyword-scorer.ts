/**
 * One keyword's model over a stream's embeddings. Scores are calibrated so that 0.5 is the
 * model's own threshold (openWakeWord's keyword models were trained for 0.5; trained
 * classifiers and enrolled templates map their calibrated threshold to 0.5), so a configured
 * threshold like `hey_hugh:0.6` and the raised threshold during playback mean the same for all.
 */
export interface KeywordScorer {
  /** The name users see and the satellite reports (`hey_jarvis`, `hey_hugh`). */
  readonly keyword: string;
  /** What it is, for logs: the model file(s). */
  readonly description: string;
  /** How many of the newest embeddings `score` needs. */
  readonly steps: number;
  /** Scores the newest embeddings (oldest first, `steps` of them). */
  score(recent: readonly Float32Array[]): Promise<number>;
  close(): Promise<void>;
}

/** Keyword names map to the spoken phrase by underscores → spaces (`hey_hugh` → "hey hugh"). */
export function phraseOf(keyword: string): string {
  return keyword.replaceAll('_', ' ');
}

/** The keyword name of a phrase: lower case, words joined by underscores ("Hey Hugh" → `hey_hugh`). */
export function keywordOf(phrase: string): string {
  return phrase
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** 1 / (1 + e^-x), without overflow. */
export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

export function logit(p: number): number {
  return Math.log(p / (1 - p));
}
