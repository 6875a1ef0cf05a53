import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@hugh/common';
import { CredentialStore, HubConfigSchema, issueCertificates, startHub, type Hub } from '@hugh/hub';
import { encodeMessage, satelliteMessage } from '@hugh/protocol';
import { pcmChunks, readWavAs16kMono, streamTurn, type HubClient } from '@hugh/satellite';
import { waitFor } from '../testing/net.js';
import { RecordingHandler } from '../testing/recording-handler.js';
import { connectSatellite } from '../testing/satellites.js';
import { sharedPath } from '../testing/shared.js';

const dir = mkdtempSync(join(tmpdir(), 'hugh-security-'));
const credentialsFile = join(dir, 'credentials.json');
const passwords: Record<string, string> = {};
const clients: HubClient[] = [];
let hub: Hub;
const handler = new RecordingHandler();
const speech = readWavAs16kMono(sharedPath('audio/welcome-3s.wav'));

beforeAll(async () => {
  const store = CredentialStore.load(credentialsFile);
  passwords.kitchen = await store.issue('satellite', 'kitchen');
  passwords.den = await store.issue('satellite', 'den');
  passwords['home-assistant'] = await store.issue('integration', 'home-assistant');
  const certs = issueCertificates({ dir: join(dir, 'tls'), hosts: ['hub.test'] });
  hub = await startHub(
    HubConfigSchema.parse({
      mqtt: { host: '127.0.0.1', port: 0 },
      http: { host: '127.0.0.1', port: 0 },
      auth: { credentialsFile },
      tls: { certFile: certs.hubCert, keyFile: certs.hubKey, mqttPort: 0, httpPort: 0 },
      limits: { turnsPerMinute: 3, connectionsPerAddress: 12 },
      state: { dir: join(dir, 'state') },
    }),
    { logger: silentLogger(), services: () => ({ turns: handler }) },
  );
});
afterEach(async () => {
  for (const client of clients.splice(0)) await client.stop();
});
afterAll(async () => {
  await hub.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The CONNACK answer to a login: 0 accepted, 5 not authorized. */
async function mqttLogin(clientId: string, username?: string, password?: string): Promise<number> {
  const client = mqtt.connect(`mqtt://127.0.0.1:${hub.mqttPort}`, { clientId, protocolVersion: 4, reconnectPeriod: 0, ...(username !== undefined ? { username, password: password ?? '' } : {}) });
  try {
    return await new Promise<number>((resolve) => {
      client.once('connect', () => resolve(0));
      client.once('error', (error) => resolve((error as { code?: number }).code ?? -1));
    });
  } finally {
    client.end(true);
  }
}

/** The HTTP status of a WebSocket upgrade (101 when it was accepted). */
async function wsLogin(authorization?: string): Promise<number> {
  const socket = new WebSocket(`ws://127.0.0.1:${hub.httpPort}/satellite`, authorization ? { headers: { authorization } } : {});
  return new Promise<number>((resolve) => {
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    socket.once('error', () => resolve(-1));
  });
}

/** The granted QoS of one subscription, 128 when refused (mqtt.js rejects a SUBACK failure). */
async function grant(client: mqtt.MqttClient, filter: string): Promise<number> {
  try {
    const [granted] = await client.subscribeAsync(filter);
    return granted!.qos;
  } catch {
    return 128;
  }
}

const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

describe('logins are refused without the right credentials', () => {
  it('embedded MQTT broker: CONNACK "not authorized" for no credentials, a wrong password, an unknown satellite, or another satellite id', async () => {
    expect(await mqttLogin('hugh-sat-kitchen')).toBe(5);
    expect(await mqttLogin('hugh-sat-kitchen', 'kitchen', 'wrong-password')).toBe(5);
    expect(await mqttLogin('hugh-sat-garage', 'garage', passwords.kitchen)).toBe(5);
    expect(await mqttLogin('hugh-sat-den', 'kitchen', passwords.kitchen)).toBe(5); // kitchen's password, den's client id
    expect(await mqttLogin('hugh-sat-kitchen', 'home-assistant', passwords['home-assistant'])).toBe(5); // an integration posing as a satellite
    expect(await mqttLogin('hugh-sat-kitchen', 'kitchen', passwords.kitchen)).toBe(0);
    expect(await mqttLogin('home-assistant-1', 'home-assistant', passwords['home-assistant'])).toBe(0);
  });

  it('WebSocket: 401 for no credentials, a wrong password, an unknown satellite or an integration; a satellite may only say hello as itself', async () => {
    expect(await wsLogin()).toBe(401);
    expect(await wsLogin(basic('kitchen', 'wrong'))).toBe(401);
    expect(await wsLogin(basic('garage', passwords.kitchen!))).toBe(401);
    expect(await wsLogin(basic('home-assistant', passwords['home-assistant']!))).toBe(401);
    expect(await wsLogin(basic('kitchen', passwords.kitchen!))).toBe(101);

    const socket = new WebSocket(`ws://127.0.0.1:${hub.httpPort}/satellite`, { headers: { authorization: basic('kitchen', passwords.kitchen!) } });
    const errors: string[] = [];
    socket.on('message', (data) => errors.push((JSON.parse(data.toString()) as { code?: string }).code ?? ''));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(encodeMessage(satelliteMessage({ type: 'hello', satelliteId: 'den', softwareVersion: 't', capabilities: { wakeEngines: [], playback: true }, playbackFormats: [{ sampleRateHz: 16_000, channels: 1 }] })));
    await waitFor(() => errors.includes('HUGH_ERR_SATELLITE_MISMATCH'), 'the mismatch error');
    socket.close();
    expect(hub.sessions.sessions.has('den')).toBe(false);
  });
});

describe('each login reaches only its own topics', () => {
  it('satellite kitchen can neither publish as den nor subscribe to den\'s audio; an integration reaches events and commands, never audio', async () => {
    const kitchen = await mqtt.connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`, { clientId: 'hugh-sat-kitchen', username: 'kitchen', password: passwords.kitchen!, protocolVersion: 4, reconnectPeriod: 0 });
    const den = await connectSatellite('den', `mqtt://127.0.0.1:${hub.mqttPort}`, { password: passwords.den! });
    clients.push(den);
    const filters = ['hugh/sat/den/down/audio', 'hugh/sat/den/up/audio', 'hugh/sat/kitchen/down/ctl'];
    expect(await Promise.all(filters.map((filter) => grant(kitchen, filter)))).toEqual([128, 128, 0]);
    const refusals: string[] = [];
    kitchen.on('message', (_topic, payload) => refusals.push((JSON.parse(payload.toString()) as { code: string }).code));
    await kitchen.publishAsync('hugh/sat/den/up/ctl', encodeMessage(satelliteMessage({ type: 'cancel', turnId: 1, reason: 'user' })));
    await waitFor(() => refusals.includes('HUGH_ERR_NOT_AUTHORIZED'), 'the refusal on kitchen\'s own topic');
    await kitchen.endAsync();

    const integration = await mqtt.connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`, { clientId: 'ha', username: 'home-assistant', password: passwords['home-assistant']!, protocolVersion: 4, reconnectPeriod: 0 });
    const integrationFilters = ['hugh/sat/+/event/#', 'hugh/sat/+/state', 'hugh/#', 'hugh/sat/+/up/audio', 'hugh/sat/den/down/+'];
    expect(await Promise.all(integrationFilters.map((filter) => grant(integration, filter)))).toEqual([0, 0, 128, 128, 128]);
    await integration.publishAsync('hugh/sat/den/cmd/volume', '35');
    await waitFor(() => hub.sessions.sessions.get('den')?.volumePercent === 35, 'the volume command to reach den');
    await integration.endAsync();
  });
});

describe('TLS', () => {
  it('a satellite trusting the house CA completes a turn over mqtts and over wss; one with another CA is refused', async () => {
    const ca = readFileSync(join(dir, 'tls/ca.crt'));
    for (const url of [`mqtts://localhost:${hub.mqttsPort}`, `wss://localhost:${hub.httpsPort}`]) {
      const client = await connectSatellite('kitchen', url, { password: passwords.kitchen!, ca });
      clients.push(client);
      const result = await streamTurn(client, pcmChunks(speech.subarray(0, 16_000), { realtime: false }));
      expect(result?.reason).toBe('end-of-input');
      await waitFor(() => handler.turns.some((turn) => turn.turnId === result!.turnId && turn.done), `the turn over ${url}`);
      await client.stop();
    }

    const otherCa = issueCertificates({ dir: join(dir, 'other-tls'), hosts: ['hub.test'] });
    for (const url of [`mqtts://localhost:${hub.mqttsPort}`, `wss://localhost:${hub.httpsPort}`]) {
      const client = await connectSatellite('kitchen', url, { password: passwords.kitchen!, ca: readFileSync(otherCa.caCert), wait: false });
      clients.push(client);
      expect(await new Promise((resolve) => client.link.once('refused', resolve))).toBe('tls');
      expect(client.ready).toBe(false);
    }
  });
});

describe('limits', () => {
  it('turns per minute: the fourth turn within a minute is refused with HUGH_ERR_RATE_LIMITED', async () => {
    const client = await connectSatellite('den', `mqtt://127.0.0.1:${hub.mqttPort}`, { password: passwords.den! });
    clients.push(client);
    const errors: string[] = [];
    client.on('hub-error', (code: string) => errors.push(code));
    for (let i = 0; i < 4; i++) await streamTurn(client, pcmChunks(speech.subarray(0, 3_200), { realtime: false }));
    await waitFor(() => errors.includes('HUGH_ERR_RATE_LIMITED'), 'the rate-limit error');
    expect(handler.of('den').length).toBeLessThanOrEqual(3);
  });

  it('message rate: a connection sending far over limits.messagesPerSecond gets HUGH_ERR_RATE_LIMITED for the excess', async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${hub.httpPort}/satellite`, { headers: { authorization: basic('kitchen', passwords.kitchen!) } });
    const codes: string[] = [];
    socket.on('message', (data, isBinary) => {
      if (!isBinary) codes.push((JSON.parse(data.toString()) as { code?: string }).code ?? '');
    });
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(encodeMessage(satelliteMessage({ type: 'hello', satelliteId: 'kitchen', softwareVersion: 't', capabilities: { wakeEngines: [], playback: true }, playbackFormats: [{ sampleRateHz: 16_000, channels: 1 }] })));
    for (let i = 0; i < 300; i++) socket.send(encodeMessage(satelliteMessage({ type: 'ping', nonce: String(i) })));
    await waitFor(() => codes.includes('HUGH_ERR_RATE_LIMITED'), 'the rate-limit errors');
    socket.close();
  });

  it('connections per address: beyond the limit a WebSocket upgrade gets 429, and there is room again once they close', async () => {
    const open: WebSocket[] = [];
    let refusedAt: number | undefined;
    for (let i = 0; i < 13 && refusedAt === undefined; i++) {
      const socket = new WebSocket(`ws://127.0.0.1:${hub.httpPort}/satellite`, { headers: { authorization: basic('kitchen', passwords.kitchen!) } });
      const status = await new Promise<number>((resolve) => {
        socket.once('open', () => resolve(101));
        socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      });
      if (status === 101) open.push(socket);
      else refusedAt = status === 429 ? i : -1;
    }
    expect(refusedAt).toBeGreaterThan(0);
    expect(open.length).toBeLessThanOrEqual(12);
    for (const socket of open) socket.close();
    await waitFor(async () => (await wsLogin(basic('kitchen', passwords.kitchen!))) === 101, 'room again after closing');
  });
});

describe('TLS only', () => {
  it('with tls.only there is no plain MQTT or HTTP listener', async () => {
    const only = await startHub(
      HubConfigSchema.parse({
        mqtt: { host: '127.0.0.1', port: 0 },
        http: { host: '127.0.0.1', port: 0 },
        auth: { credentialsFile },
        tls: { certFile: join(dir, 'tls/hub.crt'), keyFile: join(dir, 'tls/hub.key'), mqttPort: 0, httpPort: 0, only: true },
        state: { dir: join(dir, 'state') },
      }),
      { logger: silentLogger() },
    );
    try {
      expect(only.mqttPort).toBeUndefined();
      expect(only.mqttsPort).toBeGreaterThan(0);
      expect(only.httpPort).toBe(only.httpsPort);
      const client = await connectSatellite('kitchen', `wss://localhost:${only.httpsPort}`, { password: passwords.kitchen!, ca: readFileSync(join(dir, 'tls/ca.crt')) });
      clients.push(client);
      expect(client.ready).toBe(true);
    } finally {
      for (const client of clients.splice(0)) await client.stop();
      await only.close();
    }
  });
});
