import { silentLogger } from '@hugh/common';
import { HubConfigSchema, createPipeline, startHub, type TurnRecord } from '@hugh/hub';
import { HubClient, createHubLink, pcmChunks, readWavAs16kMono, streamTurn } from '@hugh/satellite';
import { percentile, type Benchmark } from './report.js';

/**
 * The hub's own share of time to first audio: first reply audio out − end of speech − (STT time
 * + reply text to the first sentence + first TTS), with the real local engines, one satellite.
 */
export const hubOverhead: Benchmark = async ({ smoke, sharedDir }) => {
  const figures = [];
  for (const transport of ['mqtt', 'ws'] as const) {
    const records: TurnRecord[] = [];
    const config = HubConfigSchema.parse({ auth: { allowAnonymous: true }, mqtt: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 }, vad: { modelPath: `${sharedDir}/models/silero-vad/silero_vad_v5.onnx` } });
    const logger = silentLogger();
    const hub = await startHub(config, { logger, services: (context) => createPipeline(config, logger, context) });
    hub.events.on('turn', (record) => records.push(record));
    const url = transport === 'mqtt' ? `mqtt://127.0.0.1:${hub.mqttPort}` : `ws://127.0.0.1:${hub.httpPort}`;
    const client = new HubClient(await createHubLink({ url, satelliteId: 'bench', logger }), {
      satelliteId: 'bench',
      softwareVersion: 'bench',
      wakeEngines: [],
      playbackFormats: [{ sampleRateHz: 22_050, channels: 1 }],
      logger,
    });
    client.start();
    await client.waitReady();
    const speech = readWavAs16kMono(`${sharedDir}/audio/welcome-3s.wav`);
    const withSilence = new Int16Array(speech.length + 24_000);
    withSilence.set(speech);
    const turns = smoke ? 1 : 10;
    for (let i = 0; i < turns; i++) {
      const done = new Promise((resolve) => client.once('reply-stop', resolve));
      await streamTurn(client, pcmChunks(withSilence, { realtime: true }));
      await done;
    }
    await client.stop();
    await hub.close();
    const overhead = records.map((record) => record.hubOverheadMs).filter((value): value is number => value !== undefined);
    const toFirstAudio = records.map((record) => record.times.firstAudioOutMs! - record.times.endOfSpeechMs!);
    figures.push(
      { name: `hub overhead to first audio, ${transport}, p50`, value: percentile(overhead, 50), unit: 'ms', target: '≤ 5 ms p99', conditions: `${overhead.length} turns, 1 satellite, pocketsphinx + local reply + espeak-ng; overhead = first audio − end of speech − engine times` },
      { name: `hub overhead to first audio, ${transport}, p99`, value: percentile(overhead, 99), unit: 'ms', target: '≤ 5 ms', conditions: 'same turns' },
      { name: `time to first audio after end of speech, ${transport}, p50`, value: percentile(toFirstAudio, 50), unit: 'ms', conditions: 'same turns; dominated by pocketsphinx on 2 CPU cores' },
    );
  }
  return figures;
};
