import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpenWakeWordEngine, WakeWordDetector, detectInFile } from '@hugh/satellite';
import { FeatureModels, enrollTemplate, readWavAs16kMono } from '@hugh/wakeword';
import { synthesize, type Voice } from '../testing/speech.js';
import type { Benchmark } from './report.js';

/** Speakers: voices of both synthesisers, male and female. */
const SPEAKERS: Voice[] = [
  { tool: 'espeak-ng', voice: 'en-us+m3' },
  { tool: 'espeak-ng', voice: 'en-gb+f2' },
  { tool: 'espeak-ng', voice: 'en-gb-scotland+m7' },
  { tool: 'espeak-ng', voice: 'en-us+f4' },
  { tool: 'flite', voice: 'slt' },
  { tool: 'flite', voice: 'rms' },
  { tool: 'flite', voice: 'awb' },
  { tool: 'flite', voice: 'kal16' },
];
const TAKES: [number, number][] = [[0.95, 46], [1.05, 54], [1, 50]];
/** Later sayings: faster, slower, higher, lower, and followed by a command. */
const LATER: [string, number, number][] = [
  ['hey hugh', 0.9, 58], ['hey hugh', 1.1, 44], ['hey hugh', 0.85, 50], ['hey hugh', 1.15, 52], ['hey hugh', 1, 36], ['hey hugh', 1, 64],
  ['hey hugh, what time is it', 1, 50], ['hey hugh, turn on the lights', 1.05, 48], ['hey hugh, set a timer', 0.95, 55], ['hey hugh, stop', 1.1, 50],
];
const RECORDINGS = ['jfk.wav', 'welcome-3s.wav', 'willow-10s.wav', 'hello-world-22k.wav', 'speech-60s.wav'];

/**
 * `hugh-satellite enroll` for several speakers: three takes each, then recall on that speaker's
 * ten later sayings and false accepts on the shared real recordings (the enrolled targets).
 */
export const wakeWordEnroll: Benchmark = async ({ smoke, sharedDir }) => {
  const speakers = smoke ? SPEAKERS.slice(0, 1) : SPEAKERS;
  let detected = 0;
  let said = 0;
  let falseAccepts = 0;
  let recordedS = 0;
  for (const speaker of speakers) {
    const dir = mkdtempSync(join(tmpdir(), 'hugh-enroll-bench-'));
    for (const file of ['melspectrogram.onnx', 'embedding_model.onnx']) symlinkSync(`${sharedDir}/models/openwakeword/${file}`, join(dir, file));
    const models = await FeatureModels.load(dir);
    const takes = TAKES.map(([rate, pitch], index) => ({ name: `take ${index + 1}`, samples: readWavAs16kMono(synthesize('hey hugh', speaker, { rate, pitch, padS: 0.6 })) }));
    writeFileSync(join(dir, 'hey_hugh.enrolled.json'), JSON.stringify(await enrollTemplate(models, { keyword: 'hey_hugh', phrase: 'hey hugh', takes })));
    await models.close();
    const engine = await OpenWakeWordEngine.load(dir, [{ model: 'hey_hugh' }]);
    for (const [text, rate, pitch] of smoke ? LATER.slice(0, 2) : LATER) {
      engine.reset();
      said++;
      if ((await detectInFile(new WakeWordDetector([engine]), synthesize(text, speaker, { rate, pitch }))).length > 0) detected++;
    }
    for (const recording of smoke ? RECORDINGS.slice(0, 1) : RECORDINGS) {
      engine.reset();
      const path = `${sharedDir}/audio/${recording}`;
      recordedS += readWavAs16kMono(path).length / 16_000;
      falseAccepts += (await detectInFile(new WakeWordDetector([engine]), path)).length;
    }
    await engine.close();
  }
  const conditions = `${speakers.length} synthetic speakers (espeak-ng and flite), 3 takes each (rate 0.95-1.05, pitch 46-54)`;
  return [
    { name: 'wake word enroll: recall on the speaker\'s later sayings', value: (detected / said) * 100, unit: '%', target: '≥ 90 %', conditions: `${detected} of ${said}: the phrase alone at rate 0.85-1.15 and pitch 36-64, and before a command; ${conditions}` },
    { name: 'wake word enroll: false accepts on the shared recordings', value: falseAccepts, unit: 'detections', target: '0', conditions: `${(recordedS / 60).toFixed(1)} min of real speech (every template against every recording in ../shared/audio); ${conditions}` },
  ];
};
