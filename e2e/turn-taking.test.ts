import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@hugh/common';
import { HubConfigSchema, createPipeline, startHub, type Hub } from '@hugh/hub';
import type { HubClient } from '@hugh/satellite';
import { GPU_LATENCIES, startModelledEngines } from '../testing/modelled-engines.js';
import { connectSatellite } from '../testing/satellites.js';
import { sharedPath } from '../testing/shared.js';
import { buildClip, runClip } from '../testing/spoken-clips.js';
import { VOICES } from '../testing/speech.js';

/**
 * Speculative end of turn through the real hub (real Silero, real transports), with engines modelled
 * over their wire formats (whisper.cpp, Ollama, OpenAI TTS): this tests the turn-taking, not a model.
 */
let engines: Awaited<ReturnType<typeof startModelledEngines>>;
let hub: Hub;
const clients: HubClient[] = [];
const TRAILING_SILENCE_MS = 900;

beforeAll(async () => {
  engines = await startModelledEngines(GPU_LATENCIES);
  const config = HubConfigSchema.parse({
    auth: { allowAnonymous: true },
    mqtt: { host: '127.0.0.1', port: 0 },
    http: { host: '127.0.0.1', port: 0 },
    vad: { modelPath: sharedPath('models/silero-vad/silero_vad_v5.onnx'), trailingSilenceMs: TRAILING_SILENCE_MS },
    stt: { engines: [{ type: 'whisper-cpp', url: engines.url }] },
    tts: { engines: [{ type: 'openai', url: engines.url }] },
    llm: { url: engines.url },
    state: { dir: mkdtempSync(join(tmpdir(), 'hugh-turn-taking-')) },
  });
  const logger = silentLogger();
  hub = await startHub(config, { logger, services: (context) => createPipeline(config, logger, context) });
}, 30_000);
afterAll(async () => {
  for (const client of clients) await client.stop();
  await hub.close();
  await engines.close();
});

describe.each([
  ['MQTT', () => `mqtt://127.0.0.1:${hub.mqttPort}`],
  ['WebSocket', () => `ws://127.0.0.1:${hub.httpPort}`],
])('over %s', (_name, url) => {
  let client: HubClient;
  beforeAll(async () => {
    client = await connectSatellite(`tt-${_name.toLowerCase()}`, url());
    clients.push(client);
  });

  it('a plain command is answered before the long silence has even passed', async () => {
    const clip = buildClip({ path: 'local', phrases: [{ text: 'what time is it' }] }, VOICES[0]!);
    const result = await runClip(hub, client, engines, clip);
    expect(result.transcript).toBe('what time is it');
    expect(result.latencyMs).toBeDefined();
    expect(result.latencyMs!).toBeLessThan(TRAILING_SILENCE_MS);
    expect(result.sttCalls).toBe(1);
  }, 20_000);

  it('a sentence with a 550 ms pause inside is answered whole, not on its first half', async () => {
    const clip = buildClip({ path: 'local', phrases: [{ text: 'set a timer for' }, { text: 'ten minutes', pauseBeforeMs: 550 }] }, VOICES[4]!);
    const result = await runClip(hub, client, engines, clip);
    expect(result.transcript).toBe('set a timer for ten minutes');
    expect(result.latencyMs!).toBeGreaterThan(0); // the reply began after the sentence ended
  }, 20_000);
});
