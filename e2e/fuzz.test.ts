import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import WebSocket from 'ws';
import { silentLogger } from '@hugh/common';
import { HubConfigSchema, startHub, type Hub } from '@hugh/hub';
import { ERROR_CODES } from '@hugh/protocol';
import { pcmBytes, pcmChunks, readWavAs16kMono, streamTurn, type HubClient } from '@hugh/satellite';
import { fuzzInputs } from '../testing/fuzz.js';
import { waitFor } from '../testing/net.js';
import { RecordingHandler, payloadOf } from '../testing/recording-handler.js';
import { connectSatellite } from '../testing/satellites.js';
import { sharedPath } from '../testing/shared.js';

const PER_TRANSPORT = 20_000;
const documented = new Set(Object.keys(ERROR_CODES));

describe('fuzzing through both transports while a well-behaved satellite streams', () => {
  let hub: Hub;
  let good: HubClient;
  const handler = new RecordingHandler();
  const speech = readWavAs16kMono(sharedPath('audio/welcome-3s.wav'));

  beforeAll(async () => {
    // The error budget is raised so the fuzzers stay connected; its disconnect has its own test.
    hub = await startHub(HubConfigSchema.parse({ auth: { allowAnonymous: true }, mqtt: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 }, limits: { maxErrors: 1_000_000, messagesPerSecond: 1_000_000 } }), { logger: silentLogger(), services: () => ({ turns: handler }) });
    good = await connectSatellite('kitchen', `mqtt://127.0.0.1:${hub.mqttPort}`);
  });
  afterAll(async () => {
    await good.stop();
    await hub.close();
  });

  it(`${PER_TRANSPORT} mutated inputs over WebSocket and ${PER_TRANSPORT} over MQTT: answered with documented codes, no crash, the good satellite's turns complete`, async () => {
    const goodTurns = (async () => {
      const results = [];
      for (let i = 0; i < 2; i++) results.push(await streamTurn(good, pcmChunks(speech, { realtime: true })));
      return results;
    })();

    const wsCodes: string[] = [];
    const socket = new WebSocket(`ws://127.0.0.1:${hub.httpPort}/satellite`);
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      const message = JSON.parse(data.toString()) as { type: string; code?: string };
      if (message.type === 'error') wsCodes.push(message.code!);
    });
    await new Promise((resolve) => socket.once('open', resolve));
    let wsSent = 0;
    for (const input of fuzzInputs(PER_TRANSPORT, 7)) {
      // A frame over 64 KiB would close this socket with 1009 (tested elsewhere): keep it open.
      if (input.kind === 'audio' && input.data.byteLength > 64 * 1024) continue;
      socket.send(input.data, { binary: input.kind === 'audio' });
      wsSent++;
      if (wsSent % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
    }

    const mqttCodes: string[] = [];
    const fuzzer = await mqtt.connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`, { clientId: 'hugh-sat-fuzzer', protocolVersion: 4 });
    fuzzer.on('message', (_topic, payload) => {
      const message = JSON.parse(payload.toString()) as { type: string; code?: string };
      if (message.type === 'error') mqttCodes.push(message.code!);
    });
    await fuzzer.subscribeAsync('hugh/sat/fuzzer/down/ctl');
    let mqttSent = 0;
    for (const input of fuzzInputs(PER_TRANSPORT, 8)) {
      fuzzer.publish(`hugh/sat/fuzzer/up/${input.kind}`, Buffer.from(input.data));
      mqttSent++;
      if (mqttSent % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
    }

    // Most inputs are invalid; each invalid one gets exactly one error answer.
    await waitFor(() => wsCodes.length >= wsSent * 0.8 && mqttCodes.length >= mqttSent * 0.8, 'the error answers', 60_000);
    expect([...wsCodes, ...mqttCodes].every((code) => documented.has(code))).toBe(true);
    expect(wsCodes.length).toBeLessThanOrEqual(wsSent);
    expect(mqttCodes.length).toBeLessThanOrEqual(mqttSent);

    const results = await goodTurns;
    await waitFor(() => handler.of('kitchen').filter((turn) => turn.done).length === 2, 'both good turns');
    for (const [index, turn] of handler.of('kitchen').entries()) {
      expect(turn.turnId).toBe(results[index]?.turnId);
      expect(payloadOf(turn).equals(Buffer.from(pcmBytes(speech)))).toBe(true);
    }
    expect((await fetch(`http://127.0.0.1:${hub.httpPort}/healthz`)).ok).toBe(true);
    socket.terminate();
    await fuzzer.endAsync(true);
  }, 120_000);
});
