import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EndOfSpeechDetector, HubConfigSchema, SileroVadModel, endpointSettings } from '@hugh/hub';
import { readWavAs16kMono } from '@hugh/satellite';
import { energyEndS } from '../testing/spoken-clips.js';
import type { Benchmark, Figure } from './report.js';

const DEFAULTS = endpointSettings(HubConfigSchema.parse({}));

function synthesised(text: string, voice: string): Int16Array {
  const dir = mkdtempSync(join(tmpdir(), 'hugh-eos-'));
  execFileSync('flite', ['-voice', voice, '-t', text, '-o', join(dir, 'raw.wav')]);
  execFileSync('sox', [join(dir, 'raw.wav'), '-r', '16000', '-c', '1', '-b', '16', join(dir, 'out.wav'), 'silence', '1', '0.02', '0.5%', 'reverse', 'silence', '1', '0.02', '0.5%', 'reverse', 'pad', '0.5', '2']);
  return readWavAs16kMono(join(dir, 'out.wav'));
}

/**
 * How long after the speech really ended the hub decides the end: audio time (trailing silence
 * plus frame granularity) and the VAD's compute per decision. Frames arrive in 40 ms pieces.
 */
export const endOfSpeech: Benchmark = async ({ smoke, sharedDir }) => {
  const model = await SileroVadModel.load(`${sharedDir}/models/silero-vad/silero_vad_v5.onnx`);
  const clips: [string, Int16Array][] = [
    ['jfk.wav', readWavAs16kMono(`${sharedDir}/audio/jfk.wav`)],
    ['welcome-3s.wav', readWavAs16kMono(`${sharedDir}/audio/welcome-3s.wav`)],
    ['willow-10s.wav', readWavAs16kMono(`${sharedDir}/audio/willow-10s.wav`)],
    ['speech-60s.wav', readWavAs16kMono(`${sharedDir}/audio/speech-60s.wav`)],
    ['flite slt "what time is it"', synthesised('what time is it', 'slt')],
    ['flite awb "turn on the kitchen lights"', synthesised('turn on the kitchen lights', 'awb')],
    ['flite rms "set a timer for ten minutes"', synthesised('set a timer for ten minutes', 'rms')],
  ];
  const selected = smoke ? clips.slice(1, 2).concat(clips.slice(4, 5)) : clips;
  const figures: Figure[] = [];
  const beyond: number[] = [];
  for (const [name, original] of selected) {
    // Real recordings end abruptly: append 2 s of silence, as a room would have.
    const samples = new Int16Array(original.length + 32_000);
    samples.set(original);
    const detector = new EndOfSpeechDetector(model.create(), DEFAULTS);
    let computeMs = 0;
    let steps = 0;
    for (let offset = 0; offset < samples.length; offset += 640) {
      const started = performance.now();
      const decision = (await detector.push(samples.subarray(offset, offset + 640))).find((event) => event.kind === 'end-of-speech' || event.kind === 'no-speech');
      computeMs += performance.now() - started;
      steps++;
      if (!decision) continue;
      const decidedS = (offset + 640) / 16_000;
      const endS = energyEndS(samples, decidedS);
      const totalMs = (decidedS - endS) * 1000 + computeMs / steps;
      beyond.push(totalMs - DEFAULTS.trailingSilenceMs);
      figures.push({
        name: `end-of-speech delay: ${name}`,
        value: totalMs,
        unit: 'ms',
        target: `silence ${DEFAULTS.trailingSilenceMs} + ≤ 100`,
        conditions: `${decision.kind} at ${decidedS.toFixed(2)} s; energy end ${endS.toFixed(2)} s; VAD ${(computeMs / steps).toFixed(2)} ms per 40 ms chunk`,
      });
      break;
    }
  }
  beyond.sort((a, b) => a - b);
  figures.push({
    name: 'end-of-speech delay beyond the configured silence (median)',
    value: beyond[Math.floor(beyond.length / 2)] ?? Number.NaN,
    unit: 'ms',
    target: '≤ 100 ms',
    conditions: `${beyond.length} clips; worst ${Math.max(...beyond).toFixed(0)} ms; Silero VAD v5, threshold ${DEFAULTS.speechThreshold}, 32 ms frames`,
  });
  await model.close();
  return figures;
};
