import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@hugh/common';
import { HubConfigSchema, startHub, type Hub } from '@hugh/hub';
import { pcmBytes, pcmChunks, readWavAs16kMono, streamTurn, type HubClient } from '@hugh/satellite';
import { Mosquitto } from '../testing/mosquitto.js';
import { freePort, waitFor } from '../testing/net.js';
import { RecordingHandler, payloadOf } from '../testing/recording-handler.js';
import { connectSatellite } from '../testing/satellites.js';
import { sharedPath } from '../testing/shared.js';

const TEN_SECONDS = 16_000 * 10;

describe('two satellites stream 10 s each at once, one over MQTT and one over WebSocket', () => {
  let hub: Hub | undefined;
  let mosquitto: Mosquitto | undefined;
  const clients: HubClient[] = [];

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.stop()));
    await hub?.close();
    await mosquitto?.kill();
    hub = mosquitto = undefined;
  });

  async function streamBoth(mqttUrl: string, wsUrl: string, handler: RecordingHandler): Promise<void> {
    const kitchenAudio = readWavAs16kMono(sharedPath('audio/willow-10s.wav')).subarray(0, TEN_SECONDS);
    const denAudio = readWavAs16kMono(sharedPath('audio/jfk.wav')).subarray(0, TEN_SECONDS);
    const kitchen = await connectSatellite('kitchen', mqttUrl);
    const den = await connectSatellite('den', wsUrl);
    clients.push(kitchen, den);

    const [kitchenResult, denResult] = await Promise.all([
      streamTurn(kitchen, pcmChunks(kitchenAudio, { realtime: true })),
      streamTurn(den, pcmChunks(denAudio, { realtime: true })),
    ]);
    expect(kitchenResult?.reason).toBe('end-of-input');
    expect(denResult?.reason).toBe('end-of-input');
    await waitFor(() => handler.turns.length === 2 && handler.turns.every((turn) => turn.done), 'both turns to end');

    for (const [satelliteId, audio, result] of [
      ['kitchen', kitchenAudio, kitchenResult],
      ['den', denAudio, denResult],
    ] as const) {
      const [turn] = handler.of(satelliteId);
      expect(turn?.turnId).toBe(result?.turnId);
      // Every frame, in order, none missing, none twice, byte for byte.
      expect(turn?.frames.map((frame) => frame.seq)).toEqual([...Array(result?.frames).keys()]);
      expect(turn?.frames.length).toBe(250);
      expect(payloadOf(turn!).equals(Buffer.from(pcmBytes(audio)))).toBe(true);
    }
  }

  it('through the embedded aedes broker', async () => {
    const handler = new RecordingHandler();
    const config = HubConfigSchema.parse({ auth: { allowAnonymous: true }, mqtt: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 } });
    hub = await startHub(config, { logger: silentLogger(), services: () => ({ turns: handler }) });
    await streamBoth(`mqtt://127.0.0.1:${hub.mqttPort}`, `ws://127.0.0.1:${hub.httpPort}`, handler);
  });

  it('through a real Mosquitto started on a free port', async () => {
    mosquitto = new Mosquitto(await freePort());
    await mosquitto.start();
    const handler = new RecordingHandler();
    const config = HubConfigSchema.parse({ auth: { allowAnonymous: true }, mqtt: { brokerUrl: mosquitto.url }, http: { host: '127.0.0.1', port: 0 } });
    hub = await startHub(config, { logger: silentLogger(), services: () => ({ turns: handler }) });
    expect(hub.mqttPort).toBeUndefined();
    await streamBoth(mosquitto.url, `ws://127.0.0.1:${hub.httpPort}`, handler);
  });
});
