import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@hugh/common';
import { CredentialStore, HubConfigSchema, startHub, type Hub, type Turn } from '@hugh/hub';
import type { HubClient } from '@hugh/satellite';
import { waitFor } from '../testing/net.js';
import { RecordingHandler } from '../testing/recording-handler.js';
import { connectSatellite } from '../testing/satellites.js';

/** Logins as an attacker on the LAN tries them: stale passwords, cross-site pages, guessing. */
const HUB_BIN = fileURLToPath(new URL('../hub/bin/hugh-hub.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'hugh-logins-'));
const stateDir = join(dir, 'state');
const passwords: Record<string, string> = {};
const logLines: Record<string, unknown>[] = [];
let hub: Hub;

const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
const hubCli = (...args: string[]) => promisify(execFile)(process.execPath, [HUB_BIN, ...args], { env: { ...process.env, HUGH_STATE_DIR: stateDir } });

beforeAll(async () => {
  const store = CredentialStore.load(join(stateDir, 'credentials.json'));
  for (const id of ['kitchen', 'den', 'hall']) passwords[id] = await store.issue('satellite', id);
  passwords.dashboard = await store.issue('integration', 'dashboard');
  const logger = createLogger('hub', {
    level: 'info',
    destination: new Writable({ write: (chunk: Buffer, _encoding, done) => (logLines.push(JSON.parse(chunk.toString()) as Record<string, unknown>), done()) }),
  });
  hub = await startHub(
    HubConfigSchema.parse({ mqtt: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0, trustedAddresses: ['127.0.0.1'] }, state: { dir: stateDir } }),
    // Announcements need a pipeline that speaks; this one ends each reply at once.
    { logger, turnHandler: Object.assign(new RecordingHandler(), { announce: async (turn: Turn) => turn.startReply({ sampleRateHz: 16_000, channels: 1 }).end('done') }) },
  );
});
afterAll(async () => {
  await hub.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('revocation bites within a second of the file change', () => {
  it('`satellite remove den` closes its live MQTT connection; `satellite rotate kitchen` closes a WebSocket opened with the old password; both say why', async () => {
    const clients: HubClient[] = [];
    try {
      const den = await connectSatellite('den', `mqtt://127.0.0.1:${hub.mqttPort}`, { password: passwords.den! });
      const kitchen = await connectSatellite('kitchen', `ws://127.0.0.1:${hub.httpPort}`, { password: passwords.kitchen! });
      clients.push(den, kitchen);
      const denGone = new Promise<number>((resolve) => den.once('disconnected', () => resolve(Date.now())));
      const kitchenGone = new Promise<number>((resolve) => kitchen.once('disconnected', () => resolve(Date.now())));

      await hubCli('satellite', 'remove', 'den');
      const removedMs = Date.now();
      expect((await denGone) - removedMs).toBeLessThan(1_000);
      await hubCli('satellite', 'rotate', 'kitchen');
      const rotatedMs = Date.now();
      expect((await kitchenGone) - rotatedMs).toBeLessThan(1_000);

      expect(logLines.some((line) => line.msg === 'login revoked (removed or password changed): MQTT connection closed' && line.login === 'den')).toBe(true);
      expect(logLines.some((line) => line.msg === 'login revoked (removed or password changed): WebSocket closed' && line.login === 'kitchen')).toBe(true);
      // And they stay out: the old credentials are refused on reconnect.
      await expect(connectSatellite('den', `mqtt://127.0.0.1:${hub.mqttPort}`, { password: passwords.den!, wait: false }).then((client) => (clients.push(client), client.waitReady(1_500)))).rejects.toThrow(/did not welcome/);
    } finally {
      for (const client of clients) await client.stop();
    }
  });
});

describe('the dashboard cannot be driven by another site', () => {
  it('a cross-site text/plain form post with the cached Basic login is refused, and so is JSON from a foreign Origin; same-origin JSON works', async () => {
    const hall = await connectSatellite('hall', `mqtt://127.0.0.1:${hub.mqttPort}`, { password: passwords.hall! });
    const said: string[] = [];
    hall.on('say', (text) => said.push(text));
    try {
      const url = `http://127.0.0.1:${hub.httpPort}/api/announce`;
      const authorization = basic('dashboard', passwords.dashboard!);
      const form = await fetch(url, { method: 'POST', headers: { authorization, 'content-type': 'text/plain', origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' }, body: '{"satelliteId":"hall","text":"open the door"}' });
      expect(form.status).toBe(403);
      const foreign = await fetch(url, { method: 'POST', headers: { authorization, 'content-type': 'application/json', origin: 'http://evil.example' }, body: JSON.stringify({ satelliteId: 'hall', text: 'open the door' }) });
      expect(foreign.status).toBe(403);
      const own = await fetch(url, { method: 'POST', headers: { authorization, 'content-type': 'application/json', origin: `http://127.0.0.1:${hub.httpPort}`, 'sec-fetch-site': 'same-origin' }, body: JSON.stringify({ satelliteId: 'hall', text: 'dinner is ready' }) });
      expect(own.status).toBe(202);
      await waitFor(() => said.includes('dinner is ready'), 'the same-origin announcement');
      expect(said).toEqual(['dinner is ready']);
    } finally {
      await hall.stop();
    }
  });

  it('a WebSocket upgrade carrying an Origin (a web page) is refused, also on a hub with logins off', async () => {
    const status = (port: number, headers: Record<string, string>) =>
      new Promise<number>((resolve) => {
        const socket = new WebSocket(`ws://127.0.0.1:${port}/satellite`, { headers });
        socket.once('open', () => (socket.close(), resolve(101)));
        socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      });
    expect(await status(hub.httpPort, { origin: 'http://evil.example', authorization: basic('hall', passwords.hall!) })).toBe(403);
    const open = await startHub(HubConfigSchema.parse({ auth: { allowAnonymous: true }, mqtt: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 }, state: { dir: join(dir, 'open') } }), { logger: createLogger('hub', { level: 'silent' }) });
    try {
      expect(await status(open.httpPort, { origin: `http://127.0.0.1:${open.httpPort}` })).toBe(403);
      expect(await status(open.httpPort, {})).toBe(101);
    } finally {
      await open.close();
    }
  });
});

describe('guessing passwords', () => {
  /** One MQTT login attempt; resolves with its CONNACK code and how long it took. */
  async function attempt(username: string, password: string): Promise<{ code: number; ms: number }> {
    const startedMs = performance.now();
    const client = mqtt.connect(`mqtt://127.0.0.1:${hub.mqttPort}`, { clientId: `guess-${Math.random()}`, username, password, protocolVersion: 4, reconnectPeriod: 0 });
    const code = await new Promise<number>((resolve) => {
      client.once('connect', () => resolve(0));
      client.once('error', (error) => resolve((error as { code?: number }).code ?? -1));
    });
    client.end(true);
    return { code, ms: performance.now() - startedMs };
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const metric = async (outcome: string) => {
    const text = await (await fetch(`http://127.0.0.1:${hub.httpPort}/metrics`)).text();
    return Number(new RegExp(`^hugh_logins_total\\{outcome="${outcome}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  };

  it('an unknown username is refused as slowly as a known one with a wrong password (medians of 15 within 3×)', async () => {
    const unknown: number[] = [];
    const known: number[] = [];
    for (let i = 0; i < 15; i++) {
      unknown.push((await attempt('nobody', 'guess')).ms);
      known.push((await attempt('hall', 'guess')).ms);
      // A good login clears the address's failures, so the back-off does not skew the timing.
      expect((await attempt('dashboard', passwords.dashboard!)).code).toBe(0);
    }
    const ratio = median(known) / median(unknown);
    expect(ratio).toBeGreaterThan(1 / 3);
    expect(ratio).toBeLessThan(3);
  });

  it('the 30th failed login in a row from one address is refused before any hashing', async () => {
    const lockedBefore = await metric('locked-out');
    const results: { code: number; ms: number }[] = [];
    for (let i = 0; i < 30; i++) results.push(await attempt('hall', `guess-${i}`));
    expect(results.every((result) => result.code === 5)).toBe(true);
    expect(await metric('locked-out')).toBeGreaterThan(lockedBefore);
    // Refused without scrypt: far quicker than the first, hashed, refusals.
    expect(results[29]!.ms).toBeLessThan(median(results.slice(0, 5).map((result) => result.ms)));
    expect(hub.embeddedBroker).toBeDefined();
  });
});
