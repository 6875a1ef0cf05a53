import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SMALL_SIZES, formatReport, trainWakeWord } from '@hugh/wakeword/train';
import type { Benchmark, Figure } from './report.js';

/** The system's ALSA test sounds ("front left", …): another real speaker, where alsa-utils is installed. */
const ALSA_SOUNDS = '/usr/share/sounds/alsa';

/** The smoke run: two training voices and one held out, a few dozen utterances (seconds, not minutes). */
const SMOKE = {
  sizes: { ...SMALL_SIZES, positives: 24, confusables: 16, sentences: 8, realSpeechCopies: 1, evalPositives: 4, evalConfusables: 4, evalSentences: 2, evalSpeechMinutes: 0.5, epochs: 2, hidden: 8 },
  voices: { train: [{ tool: 'espeak-ng' as const, voice: 'en-US' }, { tool: 'flite' as const, voice: 'kal16' }], heldOut: [{ tool: 'espeak-ng' as const, voice: 'en-GB', variant: 'f3' }] },
};

/**
 * `hugh-hub wake-word train "hey hugh"` in full (every local voice, seed 1): its held-out figures
 * against the issue's targets, and how long it took. The model and its report go to bench/reports/.
 */
export const wakeWordTrain: Benchmark = async ({ smoke, sharedDir }) => {
  const outDir = fileURLToPath(new URL(`./reports/wake-word${smoke ? '-smoke' : ''}/`, import.meta.url));
  const speech = [`${sharedDir}/audio`, ...(existsSync(ALSA_SOUNDS) ? [ALSA_SOUNDS] : [])];
  const { report, modelPath } = await trainWakeWord({
    phrase: 'hey hugh',
    outDir,
    modelsDir: `${sharedDir}/models/openwakeword`,
    speech,
    seed: 1,
    ...(smoke ? SMOKE : {}),
    log: (line) => process.stderr.write(`  wake-word-train: ${line}\n`),
  });
  process.stderr.write(`${formatReport(report)}\n  model: ${modelPath}\n`);
  const { figures } = report;
  const run = `seed 1, ${report.voices.train.length} training voices, ${report.voices.heldOut.length} held out, ${smoke ? 'smoke sizes' : 'full sizes'}`;
  const out: Figure[] = [
    { name: 'wake word train: recall, held-out voices', value: figures.recall * 100, unit: '%', target: '≥ 90 %', conditions: `${report.recall.phrases} "hey hugh, <command>" by held-out voices, everyday mixes; ${run}` },
    { name: 'wake word train: false accepts, held-out synthetic speech', value: figures.falseAcceptsPerHourSyntheticSpeech, unit: 'per hour', conditions: `${report.syntheticSpeech.hours.toFixed(2)} h of sentences and random words by held-out voices; ${run}` },
    { name: 'wake word train: false accepts on confusables', value: figures.confusableRate * 100, unit: '%', target: '≤ 5 %', conditions: `${report.confusables.clips} clips ("hey you", "hugo", "huge", "hey google", "hey jarvis", phrases with "you"…) by held-out voices; ${run}` },
    { name: 'wake word train: near misses accepted', value: figures.nearMissRate * 100, unit: '%', conditions: `${report.nearMisses.clips} clips of "hey hugo", "hey human", "hey few"… (no target); ${run}` },
    { name: 'wake word train: calibrated threshold', value: report.calibration.threshold, unit: '(raw output)', conditions: `set by ${report.calibration.setBy} on validation audio of training voices; ${run}` },
    { name: 'wake word train: duration', value: report.times.total! / 60, unit: 'min', target: '< 30 min', conditions: `wall time of the whole run on this machine (${Object.entries(report.times).map(([phase, seconds]) => `${phase} ${seconds} s`).join(', ')})` },
  ];
  if (figures.falseAcceptsPerHourRealSpeech !== null) {
    out.splice(1, 0, { name: 'wake word train: false accepts, held-out real speech', value: figures.falseAcceptsPerHourRealSpeech, unit: 'per hour', target: '≤ 1 per hour', conditions: `${report.realSpeech!.count} in ${report.realSpeech!.hours.toFixed(2)} h: ${report.speech.heldOut.join(', ')} as recorded and augmented (one speaker, 60 s of distinct speech); ${run}` });
  }
  if (figures.cpuRatio !== null) {
    out.push({ name: 'wake word train: CPU per stream vs hey_jarvis', value: figures.cpuRatio, unit: '×', target: '≤ 1.1 ×', conditions: `features + hey_hugh ${report.cpu!.trained.toFixed(2)} % of a core, features + hey_jarvis ${report.cpu!.builtin.toFixed(2)} %, 20 s of real speech, 1 thread` });
  }
  return out;
};
