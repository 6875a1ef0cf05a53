import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@hugh/common';
import { HubConfigSchema, createPipeline, startHub } from '@hugh/hub';
import { GPU_LATENCIES, startModelledEngines } from '../testing/modelled-engines.js';
import { connectSatellite } from '../testing/satellites.js';
import { buildClip, recordingClip, runClip, type ClipSpec, type Measured } from '../testing/spoken-clips.js';
import type { Voice } from '../testing/speech.js';
import { percentile, type Benchmark, type Figure } from './report.js';

/**
 * What the user feels: from the real end of speech in a clip to the first reply audio frame at the
 * satellite, through the real hub (real MQTT transport, real Silero VAD, real pipeline), with the GPU
 * engines modelled over their wire formats at the issue's latencies (testing/modelled-engines.ts).
 */

const VOICES: Voice[] = [
  { tool: 'flite', voice: 'slt' },
  { tool: 'espeak-ng', voice: 'en-us' },
  { tool: 'flite', voice: 'awb' },
];

const LOCAL: ClipSpec[] = ['what time is it', 'turn on the kitchen lights', 'set a timer for five minutes', 'what day is it', 'cancel the timer'].map((text) => ({ path: 'local', phrases: [{ text }] }));
const LLM: ClipSpec[] = ['what is the capital of france', 'why is the sky blue', 'tell me a joke about cats', 'how far away is the moon'].map((text) => ({ path: 'llm', phrases: [{ text }] }));
/** A pause inside the sentence, where acting on the first half cuts the user off. */
const PAUSES: ClipSpec[] = [
  { path: 'local', phrases: [{ text: 'set a timer for' }, { text: 'ten minutes', pauseBeforeMs: 550 }] },
  { path: 'llm', phrases: [{ text: 'what is' }, { text: 'the capital of france', pauseBeforeMs: 550 }] },
  { path: 'local', phrases: [{ text: 'turn on the' }, { text: 'kitchen lights', pauseBeforeMs: 520 }] },
];
const ANSWERS: Record<string, string> = {
  'what is the capital of france': 'The capital of France is Paris, a city on the Seine. It has been the capital for centuries.',
  'why is the sky blue': 'Sunlight scatters off the air, and blue light scatters the most. So the sky looks blue to us.',
  'tell me a joke about cats': 'Why did the cat sit on the computer? To keep an eye on the mouse.',
  'how far away is the moon': 'The moon is about three hundred eighty thousand kilometres away, on average.',
};
/** Real recordings (../shared/audio): the LLM path, the end of speech found by energy. */
const RECORDINGS = [
  { file: 'audio/welcome-3s.wav', text: 'welcome to willow this is an example three second file' },
  { file: 'audio/jfk.wav', text: 'and so my fellow americans ask not what your country can do for you ask what you can do for your country' },
];

/** Turn latency under modelled GPU engines: p50/p90 per path, cut-offs on pause clips, STT calls per turn. */
export const turnLatency: Benchmark = async ({ smoke, sharedDir }) => {
  const engines = await startModelledEngines(GPU_LATENCIES);
  for (const [question, answer] of Object.entries(ANSWERS)) engines.setAnswer(question, answer);
  const config = HubConfigSchema.parse({
    auth: { allowAnonymous: true },
    mqtt: { host: '127.0.0.1', port: 0 },
    http: { host: '127.0.0.1', port: 0 },
    vad: { modelPath: join(sharedDir, 'models/silero-vad/silero_vad_v5.onnx') },
    stt: { engines: [{ type: 'whisper-cpp', url: engines.url }] },
    tts: { engines: [{ type: 'openai', url: engines.url }] },
    llm: { url: engines.url },
    state: { dir: mkdtempSync(join(tmpdir(), 'hugh-latency-')) },
    devices: [{ name: 'kitchen lights', room: 'Kitchen' }],
  });
  const logger = silentLogger();
  const hub = await startHub(config, { logger, services: (context) => createPipeline(config, logger, context) });
  const client = await connectSatellite('bench', `mqtt://127.0.0.1:${hub.mqttPort}`);
  const voices = smoke ? VOICES.slice(0, 1) : VOICES;
  const specs = smoke ? [LOCAL[0]!, LLM[0]!, PAUSES[0]!] : [...LOCAL, ...LLM, ...PAUSES];
  const clips = [...voices.flatMap((voice) => specs.map((spec) => buildClip(spec, voice))), ...(smoke ? [] : RECORDINGS.map((recording) => recordingClip(sharedDir, recording)))];
  const results: Measured[] = [];
  try {
    for (const clip of clips) results.push(await runClip(hub, client, engines, clip));
  } finally {
    await client.stop();
    await hub.close();
    await engines.close();
  }

  const model = `modelled engines over their wire formats (STT whisper.cpp /inference ${GPU_LATENCIES.sttBaseMs} ms + ${GPU_LATENCIES.sttMsPerAudioS} ms/s; LLM Ollama NDJSON first token ${GPU_LATENCIES.llmFirstTokenMs} ms then ${GPU_LATENCIES.llmTokensPerS} tokens/s; TTS OpenAI /v1/audio/speech first audio ${GPU_LATENCIES.ttsFirstAudioMs} ms then ${GPU_LATENCIES.ttsRealtimeFactor}× real time), real hub over MQTT, real Silero VAD, ${voices.length} voice(s)`;
  const figures: Figure[] = [];
  for (const [path, target] of [['local', '≤ 500 ms'], ['llm', '≤ 900 ms']] as const) {
    const latencies = results.filter((result) => result.clip.path === path && !result.clip.pause && result.latencyMs !== undefined && result.clip.name.includes('(')).map((result) => result.latencyMs!);
    const conditions = `${latencies.length} synthesised clips, real end of speech (known from the clip) to the first reply frame at the satellite; ${model}`;
    figures.push({ name: `turn latency, ${path === 'local' ? 'local intent' : 'LLM answer'}, p50`, value: percentile(latencies, 50), unit: 'ms', target, conditions });
    figures.push({ name: `turn latency, ${path === 'local' ? 'local intent' : 'LLM answer'}, p90`, value: percentile(latencies, 90), unit: 'ms', conditions });
  }
  const pauses = results.filter((result) => result.clip.pause);
  const cutOffs = pauses.filter((result) => result.transcript !== result.clip.fullText);
  figures.push({
    name: 'turn latency, cut-offs on pause clips',
    value: cutOffs.length,
    unit: `of ${pauses.length}`,
    target: '0',
    conditions: `clips with a 520-550 ms pause inside the sentence; a cut-off is a turn answered on less than the whole sentence${cutOffs.length ? ` (${cutOffs.map((result) => `"${result.transcript}"`).join(', ')})` : ''}; ${model}`,
  });
  const recordings = results.filter((result) => !result.clip.name.includes('('));
  for (const result of recordings) {
    figures.push({
      name: `turn latency, recording ${result.clip.name}`,
      value: result.latencyMs ?? Number.NaN,
      unit: 'ms',
      conditions: `real speech, end found by energy at ${result.clip.speechEndS.toFixed(2)} s; answered on "${result.transcript ?? ''}"${result.transcript === result.clip.fullText ? '' : ' (a cut-off)'}; partial transcripts modelled as the words in proportion to the speech covered; ${model}`,
    });
  }
  const calls = results.map((result) => result.sttCalls);
  figures.push({ name: 'turn latency, STT calls per turn, mean', value: calls.reduce((a, b) => a + b, 0) / Math.max(1, calls.length), unit: 'calls', target: '≤ 1.6', conditions: `${calls.length} turns (all clips above)` });
  return figures;
};
