import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger } from '@hugh/common';
import { HubConfigSchema, SileroVadModel, startHub, type ReplyGenerator, type SpeechToText, type TextToSpeech, type TurnRecord } from '@hugh/hub';
import { modelledPipeline } from './modelled-pipeline.js';
import { percentile, type Benchmark, type Figure } from './report.js';

const root = fileURLToPath(new URL('../', import.meta.url));
/** Engines modelled on the GPU VM, so the hub, not pocketsphinx, is what the CPU runs. */
const stt: SpeechToText = { name: 'modelled-stt', transcribe: async () => (await sleep(150), 'what is the weather') };
const tts: TextToSpeech = {
  name: 'modelled-tts',
  async *synthesize() {
    await sleep(120);
    yield { sampleRateHz: 24_000, channels: 1, samples: new Int16Array(24_000) };
  },
};
const replies: ReplyGenerator = {
  async *reply() {
    await sleep(250);
    yield 'It will be sunny all day. ';
    yield 'Take a hat.';
  },
};

/**
 * The hub's own overhead per turn (first audio out − end of speech − engine times) with 1, 10 and
 * 50 satellites talking at once, over MQTT and WebSocket. The satellites run in another process.
 */
export const hubOverheadMany: Benchmark = async ({ smoke, sharedDir }) => {
  const vad = await SileroVadModel.load(`${sharedDir}/models/silero-vad/silero_vad_v5.onnx`);
  const logger = silentLogger();
  const figures: Figure[] = [];
  for (const count of smoke ? [1, 10] : [1, 10, 50]) {
    for (const transport of ['mqtt', 'ws'] as const) {
      const records: TurnRecord[] = [];
      const pipeline = modelledPipeline({ vad, stt, tts, replies, logger, onRecord: (record) => records.push(record) });
      const hub = await startHub(HubConfigSchema.parse({ auth: { allowAnonymous: true }, mqtt: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 }, limits: { connectionsPerAddress: 1_000 } }), { logger, services: () => ({ turns: pipeline }) });
      const url = transport === 'mqtt' ? `mqtt://127.0.0.1:${hub.mqttPort}` : `ws://127.0.0.1:${hub.httpPort}`;
      const child = spawn(`${root}node_modules/.bin/tsx`, ['bench/load-satellites.ts', url, String(count), `${sharedDir}/audio/welcome-3s.wav`], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise((resolve) => child.once('exit', resolve));
      await hub.close();
      const overhead = records.map((record) => record.hubOverheadMs).filter((value): value is number => value !== undefined);
      const conditions = `${count} satellite(s) at once from another process, ${overhead.length}/${count} turns answered; modelled engines (STT 150 ms, reply 250 ms, TTS 120 ms/sentence); real Silero VAD`;
      figures.push(
        { name: `hub overhead, ${count} satellites, ${transport}, p50`, value: percentile(overhead, 50), unit: 'ms', target: '≤ 5 ms p99 at 50', conditions },
        { name: `hub overhead, ${count} satellites, ${transport}, p99`, value: percentile(overhead, 99), unit: 'ms', target: '≤ 5 ms p99 at 50', conditions },
      );
    }
  }
  await vad.close();
  return figures;
};
