import type { TrainedKeyword } from '../classifier.js';
import type { EmbeddedStream } from './dataset.js';
import { calibrate, confusableBreakdown, confusableMaxima, falseAccepts, phraseMaxima, rate, scoreStream, type Calibration, type ScoredStream } from './evaluate.js';
import type { StreamSet } from './plan.js';

export interface Assessment {
  calibration: Calibration;
  recall: { value: number; phrases: number; missedByVoice: Record<string, number> };
  confusables: { value: number; clips: number; byText: Record<string, { said: number; accepted: number }> };
  nearMisses: { value: number; clips: number; byText: Record<string, { said: number; accepted: number }> };
  realSpeech: { count: number; hours: number };
  syntheticSpeech: { count: number; hours: number };
}

/**
 * Calibrates the threshold on the validation streams (training voices), then measures the
 * model on what it never saw: held-out voices saying the phrase with a command, confusables and
 * near misses, ordinary sentences, and held-out real speech.
 */
export function assess(model: TrainedKeyword, streams: readonly EmbeddedStream[], isNearMiss: (text: string) => boolean, log: (line: string) => void): Assessment {
  const scored = new Map<StreamSet, ScoredStream[]>();
  for (const stream of streams) if (stream.set !== 'train') scored.set(stream.set, [...(scored.get(stream.set) ?? []), scoreStream(model, stream)]);
  const set = (name: StreamSet) => scored.get(name) ?? [];
  const calibration = calibrate(set('validation'), { confusable: (text) => !isNearMiss(text) });
  const { threshold } = calibration;
  log(`threshold ${threshold.toFixed(4)} (validation: speech max ${calibration.speechMax.toFixed(4)}, confusables' quantile ${calibration.confusableQuantile.toFixed(4)})`);

  const phrases = set('eval-recall').flatMap((entry) => entry.stream.phrases);
  const recallScores = phraseMaxima(set('eval-recall'));
  const missedByVoice: Record<string, number> = {};
  recallScores.forEach((score, index) => {
    if (score < threshold) missedByVoice[phrases[index]!.voice] = (missedByVoice[phrases[index]!.voice] ?? 0) + 1;
  });
  const group = (only: (text: string) => boolean) => {
    const maxima = confusableMaxima(set('eval-confusable'), only);
    return { value: rate(maxima.map(({ score }) => score), threshold), clips: maxima.length, byText: confusableBreakdown(maxima, threshold) };
  };
  return {
    calibration,
    recall: { value: rate(recallScores, threshold), phrases: recallScores.length, missedByVoice },
    confusables: group((text) => !isNearMiss(text)),
    nearMisses: group(isNearMiss),
    realSpeech: falseAccepts(set('eval-speech'), threshold),
    syntheticSpeech: falseAccepts(set('eval-sentences'), threshold),
  };
}
