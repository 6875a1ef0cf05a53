import { KEYWORD_WINDOW, SAMPLE_RATE_HZ, STEP_MS } from '../geometry.js';
import type { TrainedKeyword } from '../classifier.js';
import { windowEndSample, type EmbeddedStream } from './dataset.js';
import type { Span } from './render.js';

/** The satellite's default refractory period: after a detection the keyword cannot fire for 2 s. */
export const REFRACTORY_STEPS = Math.round(2000 / STEP_MS);

export interface ScoredStream {
  stream: EmbeddedStream;
  /** Raw classifier output per window (0 where there is no full window yet). */
  scores: Float32Array;
}

export function scoreStream(classifier: TrainedKeyword, stream: EmbeddedStream): ScoredStream {
  const scores = new Float32Array(stream.embeddings.length);
  for (let index = KEYWORD_WINDOW - 1; index < scores.length; index++) scores[index] = classifier.raw(stream.embeddings.slice(index - KEYWORD_WINDOW + 1, index + 1));
  return { stream, scores };
}

const s = (seconds: number) => seconds * SAMPLE_RATE_HZ;

function maxIn(scored: ScoredStream, from: number, to: number, skip: (end: number) => boolean = () => false): number {
  let max = 0;
  for (let index = 0; index < scored.scores.length; index++) {
    const end = windowEndSample(scored.stream, index);
    if (end >= from && end <= to && !skip(end)) max = Math.max(max, scored.scores[index] as number);
  }
  return max;
}

/** Per phrase, the best score from shortly after it starts to 1.2 s after it ends: detected when ≥ the threshold. */
export function phraseMaxima(scored: readonly ScoredStream[]): number[] {
  return scored.flatMap((entry) => entry.stream.phrases.map((phrase) => maxIn(entry, phrase.start + s(0.2), phrase.end + s(1.2))));
}

/**
 * Per confusable, the best score while it is said and 1.2 s after (windows that still hold a
 * phrase said just before are not its own): a false accept when ≥ the threshold.
 */
export function confusableMaxima(scored: readonly ScoredStream[], only?: (text: string) => boolean): { text: string; score: number }[] {
  return scored.flatMap((entry) => entry.stream.confusables.filter((span) => !only || only(span.text)).map((span) => ({ text: span.text, score: maxIn(entry, span.start, span.end + s(1.2), (end) => near(end, entry.stream.phrases, 0.5, 2)) })));
}

/** Per confusable text, how many were said and how many woke it. */
export function confusableBreakdown(maxima: readonly { text: string; score: number }[], threshold: number): Record<string, { said: number; accepted: number }> {
  const table: Record<string, { said: number; accepted: number }> = {};
  for (const { text, score } of maxima) {
    const row = (table[text] ??= { said: 0, accepted: 0 });
    row.said++;
    if (score >= threshold) row.accepted++;
  }
  return table;
}

function near(end: number, spans: readonly Span[], before: number, after: number): boolean {
  return spans.some((span) => end >= span.start - s(before) && end <= span.end + s(after));
}

/**
 * Detections (threshold, then the refractory period) away from any phrase or confusable: what a
 * satellite listening to this audio would wrongly wake on.
 */
export function falseAccepts(scored: readonly ScoredStream[], threshold: number): { count: number; hours: number } {
  let count = 0;
  let steps = 0;
  for (const { stream, scores } of scored) {
    let last = -Infinity;
    for (let index = KEYWORD_WINDOW - 1; index < scores.length; index++) {
      const end = windowEndSample(stream, index);
      if (near(end, stream.phrases, 0.5, 2) || near(end, stream.confusables, 0, 1.2)) continue;
      steps++;
      if ((scores[index] as number) >= threshold && index - last >= REFRACTORY_STEPS) {
        count++;
        last = index;
      }
    }
  }
  return { count, hours: (steps * STEP_MS) / 3_600_000 };
}

export function rate(values: readonly number[], threshold: number): number {
  return values.length === 0 ? Number.NaN : values.filter((value) => value >= threshold).length / values.length;
}

/** The value below which `share` of `values` lie (nearest rank). */
export function quantile(values: readonly number[], share: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1))] ?? 0;
}

export interface Calibration {
  threshold: number;
  /** What set it: ordinary speech (no false accept on the validation streams) or the confusables. */
  setBy: 'speech' | 'confusables' | 'floor' | 'recall';
  /** The highest score on validation speech, and the confusables' quantile, that set it. */
  speechMax: number;
  confusableQuantile: number;
  validation: { recall: number; confusableRate: number; falseAccepts: number; hours: number };
}

/**
 * The threshold, from validation streams (training voices, fresh utterances and mixes): just above
 * every score on their ordinary speech, and at least the `confusableShare` quantile of their
 * confusables, so that no more than 1 - share of those wake it; but never above the score that
 * `minRecall` (90 %) of their phrases reach: a wake word that does not wake is no use, and the
 * report then says how often it wakes wrongly.
 */
export function calibrate(validation: readonly ScoredStream[], options: { confusableShare?: number; floor?: number; minRecall?: number; confusable?: (text: string) => boolean } = {}): Calibration {
  const floor = options.floor ?? 0.2;
  // Never so high that more than 1 - minRecall of the validation phrases go unheard.
  const recallCap = quantile(phraseMaxima(validation), 1 - (options.minRecall ?? 0.9));
  let speechMax = 0;
  for (const { stream, scores } of validation) {
    for (let index = KEYWORD_WINDOW - 1; index < scores.length; index++) {
      const end = windowEndSample(stream, index);
      if (near(end, stream.phrases, 0.5, 2) || near(end, stream.confusables, 0, 1.2)) continue;
      speechMax = Math.max(speechMax, scores[index] as number);
    }
  }
  const speech = Math.min(0.999, speechMax + (1 - speechMax) * 0.1);
  const confusableScores = confusableMaxima(validation, options.confusable).map(({ score }) => score);
  const confusables = quantile(confusableScores, options.confusableShare ?? 0.97);
  const wanted = Math.max(floor, speech, Math.min(0.999, confusables + 1e-4));
  const threshold = Math.max(floor, Math.min(wanted, recallCap));
  const setBy = threshold < wanted ? 'recall' : threshold === floor ? 'floor' : threshold === speech ? 'speech' : 'confusables';
  const fa = falseAccepts(validation, threshold);
  return {
    threshold,
    setBy,
    speechMax,
    confusableQuantile: confusables,
    validation: { recall: rate(phraseMaxima(validation), threshold), confusableRate: rate(confusableScores, threshold), falseAccepts: fa.count, hours: fa.hours },
  };
}
