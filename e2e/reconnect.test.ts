import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@hugh/common';
import { HubConfigSchema, startHub, type Hub } from '@hugh/hub';
import { pcmChunks, readWavAs16kMono, streamTurn, type HubClient } from '@hugh/satellite';
import { HubProcess } from '../testing/hub-process.js';
import { Mosquitto } from '../testing/mosquitto.js';
import { freePort, waitFor } from '../testing/net.js';
import { RecordingHandler } from '../testing/recording-handler.js';
import { connectSatellite } from '../testing/satellites.js';
import { sharedPath } from '../testing/shared.js';

const speech = () => readWavAs16kMono(sharedPath('audio/willow-10s.wav'));
const twoSeconds = () => speech().subarray(0, 32_000);

describe('recovery after the hub or the broker dies mid-stream', () => {
  const clients: HubClient[] = [];
  let hubProcess: HubProcess | undefined;
  let hub: Hub | undefined;
  let mosquitto: Mosquitto | undefined;

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.stop()));
    await hubProcess?.kill();
    await hub?.close();
    await mosquitto?.kill();
    hubProcess = hub = mosquitto = undefined;
  });

  it('hugh-hub is SIGKILLed and restarted: both satellites reconnect within 5 s, a new turn works, no old frame arrives', async () => {
    const [mqttPort, httpPort] = [await freePort(), await freePort()];
    hubProcess = new HubProcess(['--allow-anonymous', '--mqtt-port', String(mqttPort), '--http-port', String(httpPort), '--mqtt-host', '127.0.0.1', '--host', '127.0.0.1', '--vad-model', sharedPath('models/silero-vad/silero_vad_v5.onnx')]);
    await hubProcess.start();
    const kitchen = await connectSatellite('kitchen', `mqtt://127.0.0.1:${mqttPort}`);
    const den = await connectSatellite('den', `ws://127.0.0.1:${httpPort}`);
    clients.push(kitchen, den);

    const oldTurns = [streamTurn(kitchen, pcmChunks(speech(), { realtime: true })), streamTurn(den, pcmChunks(speech(), { realtime: true }))];
    // Both turns are well under way (a second of audio each) when the hub dies.
    await waitFor(() => (kitchen.currentTurn?.frameCount ?? 0) >= 25 && (den.currentTurn?.frameCount ?? 0) >= 25, 'both turns to stream');
    await hubProcess.kill();
    const [kitchenOld, denOld] = await Promise.all(oldTurns);
    // The link dropped under them: both turns were abandoned, not finished.
    expect(kitchenOld?.reason).toBe('error');
    expect(denOld?.reason).toBe('error');
    expect(kitchen.ready || den.ready).toBe(false);

    await hubProcess.start();
    const restartedMs = Date.now();
    await waitFor(() => kitchen.ready && den.ready, 'both satellites to be welcomed again', 5_000);
    expect(Date.now() - restartedMs).toBeLessThan(5_000);

    const [kitchenNew, denNew] = await Promise.all([
      streamTurn(kitchen, pcmChunks(twoSeconds(), { realtime: true })),
      streamTurn(den, pcmChunks(twoSeconds(), { realtime: true })),
    ]);
    await waitFor(() => hubProcess!.find('turn ended').length === 2, 'the restarted hub to finish both new turns');

    const ended = hubProcess.find('turn ended');
    for (const result of [kitchenNew, denNew]) {
      const line = ended.find((entry) => entry.turnId === result?.turnId);
      expect(line?.frames).toBe(50);
      expect(line?.missingFrames).toBe(0);
    }
    const oldIds = new Set([kitchenOld?.turnId, denOld?.turnId]);
    expect(hubProcess.find('turn started').map((line) => line.turnId).filter((id) => oldIds.has(id as number))).toEqual([]);
    expect(hubProcess.lines.filter((line) => line.code === 'HUGH_ERR_UNKNOWN_TURN')).toEqual([]);
  }, 60_000);

  it('Mosquitto is SIGKILLed and restarted: satellite and hub reconnect within 5 s and a new turn works', async () => {
    mosquitto = new Mosquitto(await freePort());
    await mosquitto.start();
    const handler = new RecordingHandler();
    hub = await startHub(HubConfigSchema.parse({ auth: { allowAnonymous: true }, mqtt: { brokerUrl: mosquitto.url }, http: { host: '127.0.0.1', port: 0 } }), {
      logger: silentLogger(),
      services: () => ({ turns: handler }),
    });
    const kitchen = await connectSatellite('kitchen', mosquitto.url);
    clients.push(kitchen);

    const oldTurn = streamTurn(kitchen, pcmChunks(speech(), { realtime: true }));
    await waitFor(() => (handler.turns[0]?.frames.length ?? 0) >= 25, 'a second of the turn to reach the hub');
    await mosquitto.kill();
    const old = await oldTurn;
    expect(old?.reason).toBe('error');

    await mosquitto.start();
    const restartedMs = Date.now();
    await waitFor(() => kitchen.ready, 'the satellite to be welcomed again', 5_000);
    expect(Date.now() - restartedMs).toBeLessThan(5_000);

    const fresh = await streamTurn(kitchen, pcmChunks(twoSeconds(), { realtime: true }));
    await waitFor(() => handler.turns.find((turn) => turn.turnId === fresh?.turnId)?.done, 'the new turn to reach the hub');
    const turn = handler.turns.find((entry) => entry.turnId === fresh?.turnId);
    expect(turn?.frames.map((frame) => frame.seq)).toEqual([...Array(50).keys()]);
    expect(turn?.frames.every((frame) => frame.turnId === fresh?.turnId)).toBe(true);
    // Frames of the old turn that reached the hub all came before the broker died.
    const oldRecord = handler.turns.find((entry) => entry.turnId === old?.turnId);
    expect(oldRecord?.done).toBe(true);
  }, 60_000);
});
