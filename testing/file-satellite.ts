import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@hugh/common';
import type { PlaybackFormat, SatelliteState } from '@hugh/protocol';
import { FileInput, HubClient, OpenWakeWordEngine, Satellite, WakeWordDetector, WavFileSink, createHubLink, encodeWav, type OpenWakeWordKeyword } from '@hugh/satellite';
import { sharedPath } from './shared.js';

export interface FileSatelliteOptions {
  hubUrl: string;
  id: string;
  room?: string;
  /** The microphone: this WAV, then a quiet room. Unset: a quiet room from the start. */
  clip?: string;
  playbackFormats?: PlaybackFormat[];
  chimes?: boolean;
  replyTimeoutMs?: number;
  /** Its login at a hub with logins on. */
  password?: string;
  /** Wake words (default hey_jarvis) and where their models are (default ../shared's openWakeWord models). */
  keywords?: OpenWakeWordKeyword[];
  modelsDir?: string;
  /** Runs once the hub has welcomed the satellite, before its microphone starts. */
  beforeRun?: (client: HubClient) => Promise<void>;
}

/** A whole satellite (real wake word, real link) whose microphone is a file and whose speaker is a WAV sink. */
export async function startFileSatellite(options: FileSatelliteOptions) {
  const logger = silentLogger();
  const engine = await OpenWakeWordEngine.load(options.modelsDir ?? sharedPath('models/openwakeword'), options.keywords ?? [{ model: 'hey_jarvis_v0.1.onnx' }]);
  const link = await createHubLink({ url: options.hubUrl, satelliteId: options.id, logger, ...(options.password ? { username: options.id, password: options.password } : {}) });
  const client = new HubClient(link, {
    satelliteId: options.id,
    ...(options.room ? { room: options.room } : {}),
    softwareVersion: '9.9.9',
    wakeEngines: ['openwakeword'],
    playbackFormats: options.playbackFormats ?? [{ sampleRateHz: 24_000, channels: 1 }, { sampleRateHz: 22_050, channels: 1 }],
    logger,
  });
  const sink = new WavFileSink(mkdtempSync(join(tmpdir(), `hugh-${options.id}-`)));
  let clip = options.clip;
  if (!clip) {
    clip = join(mkdtempSync(join(tmpdir(), 'hugh-quiet-')), 'quiet.wav');
    writeFileSync(clip, encodeWav(new Int16Array(16_000), 16_000));
  }
  const file = new FileInput(clip);
  // What the microphone has delivered so far: tests wait for the clip to have been heard, not for a fixed time.
  let heardSamples = 0;
  const input = {
    description: file.description,
    async *samples(signal: AbortSignal) {
      for await (const chunk of file.samples(signal)) {
        yield chunk;
        heardSamples += chunk.length;
      }
    },
  };
  const satellite = new Satellite(client, input, new WakeWordDetector([engine]), sink, {
    replyTimeoutMs: options.replyTimeoutMs ?? 15_000,
    chimes: options.chimes ?? false,
    logger,
  });
  const states: SatelliteState[] = [];
  satellite.on('state', (state) => states.push(state));
  client.start();
  await client.waitReady();
  await options.beforeRun?.(client);
  const stopper = new AbortController();
  const running = satellite.run(stopper.signal);
  return {
    client,
    sink,
    satellite,
    states,
    /** Seconds of the clip (then of silence) the satellite has heard and processed. */
    heardSeconds: () => heardSamples / 16_000,
    async stop() {
      stopper.abort();
      await running;
      await client.stop();
      await engine.close();
    },
  };
}
