import type { Calibration } from './evaluate.js';
import type { TrainSizes } from './plan.js';

/** The issue's targets for a trained wake word (held-out voices and speech only). */
export const TARGETS = { recall: 0.9, falseAcceptsPerHour: 1, confusableRate: 0.05, cpuRatio: 1.1 };

export interface TrainReportInput {
  keyword: string;
  phrase: string;
  seed: number;
  sizes: TrainSizes;
  /** Seconds per phase. */
  times: Record<string, number>;
  voices: { train: string[]; heldOut: string[] };
  /** Where the random words of the negatives came from. */
  wordList: string;
  speech: { train: string[]; heldOut: string[] };
  windows: { positive: number; negative: number };
  calibration: Calibration;
  recall: { value: number; phrases: number; missedByVoice: Record<string, number> };
  /** The target's confusables, and the near misses (the phrase with its last word swapped for a sound-alike) apart. */
  confusables: { value: number; clips: number; byText: Record<string, { said: number; accepted: number }> };
  nearMisses: { value: number; clips: number; byText: Record<string, { said: number; accepted: number }> };
  /** Held-out real speech (augmented copies of the held-out recording); absent without recordings. */
  realSpeech: { count: number; hours: number } | undefined;
  syntheticSpeech: { count: number; hours: number };
  /** % of one core per stream: features + this keyword, and features + hey_jarvis. */
  cpu: { trained: number; builtin: number } | undefined;
}

export interface TrainReport extends TrainReportInput {
  figures: {
    recall: number;
    falseAcceptsPerHourRealSpeech: number | null;
    falseAcceptsPerHourSyntheticSpeech: number;
    confusableRate: number;
    nearMissRate: number;
    cpuRatio: number | null;
  };
  targets: typeof TARGETS;
  /** Whether every target is met (a figure that could not be measured is not met). */
  targetsMet: boolean;
  /** The deterministic part, stored in the model file too. */
  summary: Record<string, unknown>;
}

const round = (value: number, digits = 4) => Number(value.toFixed(digits));

export function buildReport(input: TrainReportInput): TrainReport {
  const figures = {
    recall: input.recall.value,
    falseAcceptsPerHourRealSpeech: input.realSpeech && input.realSpeech.hours > 0 ? input.realSpeech.count / input.realSpeech.hours : null,
    falseAcceptsPerHourSyntheticSpeech: input.syntheticSpeech.count / input.syntheticSpeech.hours,
    confusableRate: input.confusables.value,
    nearMissRate: input.nearMisses.value,
    cpuRatio: input.cpu ? input.cpu.trained / input.cpu.builtin : null,
  };
  const targetsMet =
    figures.recall >= TARGETS.recall &&
    figures.falseAcceptsPerHourRealSpeech !== null &&
    figures.falseAcceptsPerHourRealSpeech <= TARGETS.falseAcceptsPerHour &&
    figures.confusableRate <= TARGETS.confusableRate &&
    figures.cpuRatio !== null &&
    figures.cpuRatio <= TARGETS.cpuRatio;
  const summary = {
    seed: input.seed,
    threshold: round(input.calibration.threshold),
    heldOutVoices: input.voices.heldOut.length,
    recall: round(figures.recall),
    recallPhrases: input.recall.phrases,
    falseAcceptsPerHourRealSpeech: figures.falseAcceptsPerHourRealSpeech === null ? null : round(figures.falseAcceptsPerHourRealSpeech, 2),
    realSpeechHours: input.realSpeech ? round(input.realSpeech.hours, 3) : 0,
    wordList: input.wordList,
    falseAcceptsPerHourSyntheticSpeech: round(figures.falseAcceptsPerHourSyntheticSpeech, 2),
    confusableRate: round(figures.confusableRate),
    confusableClips: input.confusables.clips,
    nearMissRate: round(figures.nearMissRate),
    nearMissClips: input.nearMisses.clips,
  };
  return { ...input, figures, targets: TARGETS, targetsMet, summary };
}

/** The report as lines for a terminal. */
export function formatReport(report: TrainReport): string {
  const pct = (value: number) => `${(value * 100).toFixed(1)} %`;
  const { figures, targets } = report;
  const mark = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const lines = [
    `wake word "${report.phrase}" (${report.keyword}), seed ${report.seed}, ${report.voices.train.length} training voices, ${report.voices.heldOut.length} held out`,
    `  threshold (calibrated on validation audio, set by ${report.calibration.setBy}): ${report.calibration.threshold.toFixed(4)}`,
    `  recall, held-out voices saying "${report.phrase}, <command>": ${pct(figures.recall)} of ${report.recall.phrases} (target ≥ ${pct(targets.recall)}: ${mark(figures.recall >= targets.recall)})`,
    ...Object.entries(report.recall.missedByVoice).map(([voice, missed]) => `    missed ${missed} by ${voice}`),
    figures.falseAcceptsPerHourRealSpeech === null
      ? '  false accepts on held-out real speech: not measured (no --speech or --eval-speech recordings)'
      : `  false accepts, held-out real speech: ${report.realSpeech!.count} in ${report.realSpeech!.hours.toFixed(2)} h = ${figures.falseAcceptsPerHourRealSpeech.toFixed(2)} per hour (target ≤ ${targets.falseAcceptsPerHour}: ${mark(figures.falseAcceptsPerHourRealSpeech <= targets.falseAcceptsPerHour)})`,
    `  false accepts, held-out synthetic speech: ${report.syntheticSpeech.count} in ${report.syntheticSpeech.hours.toFixed(2)} h = ${figures.falseAcceptsPerHourSyntheticSpeech.toFixed(2)} per hour`,
    `  false accepts on confusables (held-out voices): ${pct(figures.confusableRate)} of ${report.confusables.clips} (target ≤ ${pct(targets.confusableRate)}: ${mark(figures.confusableRate <= targets.confusableRate)})`,
    ...Object.entries(report.confusables.byText)
      .filter(([, row]) => row.accepted > 0)
      .map(([text, row]) => `    "${text}": ${row.accepted} of ${row.said}`),
    `  near misses ("${report.phrase}" with its last word swapped for a sound-alike; no target): ${pct(figures.nearMissRate)} of ${report.nearMisses.clips}`,
    ...Object.entries(report.nearMisses.byText)
      .filter(([, row]) => row.accepted > 0)
      .map(([text, row]) => `    "${text}": ${row.accepted} of ${row.said}`),
    report.cpu
      ? `  CPU per stream: ${report.cpu.trained.toFixed(2)} % of a core vs hey_jarvis ${report.cpu.builtin.toFixed(2)} % (×${figures.cpuRatio!.toFixed(2)}, target ≤ ×${targets.cpuRatio}: ${mark(figures.cpuRatio! <= targets.cpuRatio)})`
      : '  CPU per stream: not measured (hey_jarvis_v0.1.onnx not in the models folder)',
    `  time: ${Object.entries(report.times).map(([name, seconds]) => `${name} ${seconds} s`).join(', ')}`,
    `  every target met: ${report.targetsMet ? 'yes' : 'no'}`,
  ];
  return lines.join('\n');
}
