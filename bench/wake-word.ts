import { OpenWakeWordEngine, readWavAs16kMono } from '@hugh/satellite';
import type { Benchmark } from './report.js';

/** CPU time of the openWakeWord pipeline (mel + embedding + hey_jarvis) per second of audio, on real speech. */
export const wakeWordCpu: Benchmark = async ({ smoke, sharedDir }) => {
  const engine = await OpenWakeWordEngine.load(`${sharedDir}/models/openwakeword`, [{ model: 'hey_jarvis_v0.1.onnx' }]);
  const speech = readWavAs16kMono(`${sharedDir}/audio/speech-60s.wav`);
  const audio = smoke ? speech.subarray(0, 16_000 * 5) : speech;
  // Warm up the runtime once, untimed.
  for (let offset = 0; offset + 1280 <= 16_000; offset += 1280) await engine.process(audio.slice(offset, offset + 1280));
  engine.reset();
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  for (let offset = 0; offset + 1280 <= audio.length; offset += 1280) await engine.process(audio.slice(offset, offset + 1280));
  const cpu = process.cpuUsage(cpuBefore);
  const wallMs = performance.now() - wallBefore;
  const audioS = audio.length / 16_000;
  await engine.close();
  return [
    {
      name: 'wake word CPU (openWakeWord, 1 keyword)',
      value: ((cpu.user + cpu.system) / 1000 / (audioS * 1000)) * 100,
      unit: '% of one core',
      target: '≤ 2 %',
      conditions: `${audioS.toFixed(0)} s of real speech (speech-60s.wav), 80 ms steps, onnxruntime-node CPU, 1 intra-op thread; wall ${(wallMs / audioS).toFixed(1)} ms per audio second`,
    },
  ];
};
