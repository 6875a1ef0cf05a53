import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import WebSocket from 'ws';
import { silentLogger } from '@hugh/common';
import { HubConfigSchema, startHub, type Hub } from '@hugh/hub';
import { encodeAudioFrame, satelliteMessage, type HubMessage } from '@hugh/protocol';
import { pcmBytes, pcmChunks, readWavAs16kMono, streamTurn, type HubClient } from '@hugh/satellite';
import { waitFor } from '../testing/net.js';
import { RecordingHandler, payloadOf } from '../testing/recording-handler.js';
import { connectSatellite } from '../testing/satellites.js';
import { sharedPath } from '../testing/shared.js';

const hello = (satelliteId: string) =>
  JSON.stringify(
    satelliteMessage({ type: 'hello', satelliteId, softwareVersion: 'x', capabilities: { wakeEngines: [], playback: false }, playbackFormats: [] }),
  );
const goodFrame = () =>
  encodeAudioFrame({ turnId: 7, seq: 0, sampleRateHz: 16_000, channels: 1, codec: 'pcm_s16le', last: false, timestampMs: 0, payload: new Uint8Array(640) });

/** Each bad input, how to send it, and the error code the hub must answer with. */
const BAD_INPUTS: { name: string; kind: 'ctl' | 'audio'; payload: () => Buffer | string; code: string }[] = [
  { name: 'random text as a control message', kind: 'ctl', payload: () => randomBytes(150).toString('base64'), code: 'HUGH_ERR_MESSAGE_MALFORMED' },
  { name: 'random bytes as an audio frame', kind: 'audio', payload: () => randomBytes(200), code: 'HUGH_ERR_FRAME_BAD_MAGIC' },
  { name: 'a truncated frame', kind: 'audio', payload: () => Buffer.from(goodFrame().subarray(0, 100)), code: 'HUGH_ERR_FRAME_TRUNCATED' },
  { name: 'an unknown message type', kind: 'ctl', payload: () => JSON.stringify({ v: 1, type: 'self-destruct' }), code: 'HUGH_ERR_UNKNOWN_MESSAGE_TYPE' },
  { name: 'a wrong protocol version', kind: 'ctl', payload: () => JSON.stringify({ v: 99, type: 'state', state: 'idle' }), code: 'HUGH_ERR_UNSUPPORTED_VERSION' },
  { name: 'a frame for a turn never started', kind: 'audio', payload: () => Buffer.from(goodFrame()), code: 'HUGH_ERR_UNKNOWN_TURN' },
];

describe('malformed input from one client gets that client a coded error; a good satellite streams on unaffected', () => {
  let hub: Hub;
  let good: HubClient;
  let handler: RecordingHandler;
  let goodStream: ReturnType<typeof streamTurn>;
  const audio = readWavAs16kMono(sharedPath('audio/welcome-3s.wav'));

  beforeAll(async () => {
    handler = new RecordingHandler();
    hub = await startHub(HubConfigSchema.parse({ auth: { allowAnonymous: true }, mqtt: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 } }), {
      logger: silentLogger(),
      turnHandler: handler,
    });
    good = await connectSatellite('kitchen', `ws://127.0.0.1:${hub.httpPort}`);
    goodStream = streamTurn(good, pcmChunks(audio, { realtime: true }));
  });

  afterAll(async () => {
    await good.stop();
    await hub.close();
  });

  describe('over MQTT', () => {
    let bad: MqttClient;
    const received: HubMessage[] = [];

    beforeAll(async () => {
      bad = await mqtt.connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`, { clientId: 'hugh-sat-intruder', protocolVersion: 4, reconnectPeriod: 0 });
      bad.on('message', (_topic, payload) => received.push(JSON.parse(payload.toString()) as HubMessage));
      await bad.subscribeAsync('hugh/sat/intruder/down/ctl');
      await bad.publishAsync('hugh/sat/intruder/up/ctl', hello('intruder'));
      await waitFor(() => received.some((message) => message.type === 'welcome'), 'welcome');
    });
    afterAll(async () => {
      await bad.endAsync(true);
    });

    async function answerTo(send: () => Promise<unknown>): Promise<HubMessage> {
      const before = received.length;
      await send();
      return waitFor(() => received.slice(before).find((message) => message.type === 'error'), 'an error answer');
    }

    it.each(BAD_INPUTS)('$name → $code', async ({ kind, payload, code }) => {
      const error = await answerTo(() => bad.publishAsync(`hugh/sat/intruder/up/${kind}`, payload()));
      expect(error).toMatchObject({ type: 'error', code });
    });

    it('a 100 KiB frame (within the MQTT packet cap, over the frame cap) → HUGH_ERR_FRAME_TOO_LARGE', async () => {
      const error = await answerTo(() => bad.publishAsync('hugh/sat/intruder/up/audio', Buffer.alloc(100 * 1024)));
      expect(error).toMatchObject({ code: 'HUGH_ERR_FRAME_TOO_LARGE' });
    });

    it("publishing on another satellite's topic → HUGH_ERR_NOT_AUTHORIZED, and the message never reaches it", async () => {
      const error = await answerTo(() => bad.publishAsync('hugh/sat/kitchen/up/ctl', JSON.stringify({ v: 1, type: 'cancel', turnId: 1, reason: 'user' })));
      expect(error).toMatchObject({ code: 'HUGH_ERR_NOT_AUTHORIZED' });
      const forged = await answerTo(() => bad.publishAsync('hugh/sat/kitchen/down/ctl', JSON.stringify({ v: 1, type: 'mute', muted: true })));
      expect(forged).toMatchObject({ code: 'HUGH_ERR_NOT_AUTHORIZED' });
      expect(good.muted).toBe(false);
    });

    it("subscribing to another satellite's audio is refused (SUBACK 0x80)", async () => {
      // mqtt.js turns a 0x80 return code into a rejected subscribe.
      await expect(bad.subscribeAsync('hugh/sat/kitchen/up/audio')).rejects.toThrow(/Subscribe error/);
      await expect(bad.subscribeAsync('hugh/#')).rejects.toThrow(/Subscribe error/);
      await expect(bad.subscribeAsync('hugh/sat/intruder/down/audio')).resolves.toBeDefined();
    });

    // Last in this block: it costs the client its connection.
    it('a 1 MiB packet closes only that connection, from its fixed header, before it is buffered', async () => {
      const closed = new Promise<void>((resolve) => bad.once('close', () => resolve()));
      bad.publish('hugh/sat/intruder/up/audio', Buffer.alloc(1024 * 1024));
      await closed;
    });
  });

  describe('over WebSocket', () => {
    let socket: WebSocket;
    const received: HubMessage[] = [];

    beforeAll(async () => {
      socket = new WebSocket(`ws://127.0.0.1:${hub.httpPort}/satellite`);
      socket.on('message', (data, isBinary) => {
        if (!isBinary) received.push(JSON.parse(data.toString()) as HubMessage);
      });
      await new Promise((resolve) => socket.once('open', resolve));
    });
    afterAll(() => socket.terminate());

    async function answerTo(send: () => void): Promise<HubMessage> {
      const before = received.length;
      send();
      return waitFor(() => received.slice(before).find((message) => message.type === 'error'), 'an error answer');
    }

    it('anything before hello → HUGH_ERR_HELLO_REQUIRED', async () => {
      const error = await answerTo(() => socket.send(JSON.stringify({ v: 1, type: 'state', state: 'idle' })));
      expect(error).toMatchObject({ code: 'HUGH_ERR_HELLO_REQUIRED' });
      socket.send(hello('hallway'));
      await waitFor(() => received.some((message) => message.type === 'welcome'), 'welcome');
    });

    it.each(BAD_INPUTS)('$name → $code', async ({ kind, payload, code }) => {
      const data = payload();
      const error = await answerTo(() => socket.send(typeof data === 'string' ? data : data, { binary: kind === 'audio' }));
      expect(error).toMatchObject({ type: 'error', code });
    });

    async function closeCodeAfter(data: Buffer, binary: boolean): Promise<number> {
      const other = new WebSocket(`ws://127.0.0.1:${hub.httpPort}/satellite`);
      await new Promise((resolve) => other.once('open', resolve));
      const closed = new Promise<number>((resolve) => other.once('close', (code) => resolve(code)));
      other.send(data, { binary });
      return closed;
    }

    it('a 1 MiB message closes only that socket, with 1009 (RFC 6455: message too big)', async () => {
      expect(await closeCodeAfter(Buffer.alloc(1024 * 1024), true)).toBe(1009);
    });

    it('a text message that is not UTF-8 closes only that socket, with 1007 (RFC 6455: invalid payload)', async () => {
      expect(await closeCodeAfter(Buffer.from([0xff, 0xfe, 0xfd, 0x80]), false)).toBe(1007);
    });
  });

  it("the good satellite's stream arrived complete and byte-identical meanwhile", async () => {
    const result = await goodStream;
    expect(result?.reason).toBe('end-of-input');
    const turn = await waitFor(() => handler.of('kitchen').find((entry) => entry.done), 'the good turn');
    expect(turn.frames.map((frame) => frame.seq)).toEqual([...Array(result?.frames).keys()]);
    expect(payloadOf(turn).equals(Buffer.from(pcmBytes(audio)))).toBe(true);
    expect(good.ready).toBe(true);
  });
});
