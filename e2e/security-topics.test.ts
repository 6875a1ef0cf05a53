import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@hugh/common';
import { CredentialStore, HubConfigSchema, startHub, type Hub } from '@hugh/hub';
import { encodeAudioFrame, encodeMessage, satelliteMessage, type HubMessage } from '@hugh/protocol';
import { waitFor } from '../testing/net.js';
import { RecordingHandler } from '../testing/recording-handler.js';

/**
 * A logged-in satellite (or integration) on the embedded broker trying to reach what is not its own:
 * other trees (Home Assistant discovery, a Zigbee lock), the hub's `$` topics, and the broker's capacity.
 */
const dir = mkdtempSync(join(tmpdir(), 'hugh-topics-'));
const passwords: Record<string, string> = {};
const clients: MqttClient[] = [];
let hub: Hub;
const handler = new RecordingHandler();

beforeAll(async () => {
  const credentialsFile = join(dir, 'credentials.json');
  const store = CredentialStore.load(credentialsFile);
  for (const id of ['kitchen', 'den']) passwords[id] = await store.issue('satellite', id);
  passwords['home-assistant'] = await store.issue('integration', 'home-assistant');
  hub = await startHub(
    HubConfigSchema.parse({
      mqtt: { host: '127.0.0.1', port: 0 },
      http: { host: '127.0.0.1', port: 0 },
      auth: { credentialsFile },
      state: { dir: join(dir, 'state') },
      limits: { messagesPerSecond: 100, maxErrors: 20 },
    }),
    { logger: silentLogger(), services: () => ({ turns: handler }) },
  );
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.endAsync(true)));
});
afterAll(async () => {
  await hub.close();
  rmSync(dir, { recursive: true, force: true });
});

async function login(id: string, options: mqtt.IClientOptions = {}): Promise<MqttClient> {
  const clientId = id === 'home-assistant' ? 'ha-1' : `hugh-sat-${id}`;
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`, { clientId, username: id, password: passwords[id]!, protocolVersion: 4, reconnectPeriod: 0, ...options });
  clients.push(client);
  return client;
}

/** A satellite's own control messages from the hub, as it reads them on its down/ctl topic. */
async function satelliteWithInbox(id: string): Promise<{ client: MqttClient; inbox: HubMessage[] }> {
  const client = await login(id);
  const inbox: HubMessage[] = [];
  client.on('message', (topic, payload) => topic.endsWith('/down/ctl') && inbox.push(JSON.parse(payload.toString()) as HubMessage));
  await client.subscribeAsync(`hugh/sat/${id}/down/ctl`);
  return { client, inbox };
}

/** Everything the broker delivers, as a subscriber on the hub itself sees it (no ACL applies in-process). */
function everything(filter: string): { topic: string; payload: Buffer }[] {
  const seen: { topic: string; payload: Buffer }[] = [];
  void hub.bus.subscribe(filter, (topic, payload) => seen.push({ topic, payload: Buffer.from(payload) }));
  return seen;
}

const hello = (id: string) => encodeMessage(satelliteMessage({ type: 'hello', satelliteId: id, softwareVersion: 't', capabilities: { wakeEngines: [], playback: false }, playbackFormats: [] }));

describe('satellites publish only their own up/… and availability topics', () => {
  it("a satellite's retained Home Assistant config, homeassistant/status and a Zigbee lock command reach no subscriber and leave nothing retained", async () => {
    const delivered = everything('#');
    const ha = await login('home-assistant');
    const haSaw: string[] = [];
    ha.on('message', (topic) => haSaw.push(topic));
    await ha.subscribeAsync('homeassistant/#');
    const { client: kitchen, inbox } = await satelliteWithInbox('kitchen');

    const forged = JSON.stringify({ name: 'Mute', command_topic: 'evil/den/mute', unique_id: 'hugh_den_mute' });
    await kitchen.publishAsync('homeassistant/switch/hugh_den/mute/config', forged, { retain: true, qos: 1 });
    await kitchen.publishAsync('homeassistant/status', 'online', { qos: 1 });
    await kitchen.publishAsync('zigbee2mqtt/front_door_lock/set', '{"state":"UNLOCK"}', { retain: true, qos: 2 });
    await waitFor(() => inbox.filter((message) => message.type === 'error' && message.code === 'HUGH_ERR_NOT_AUTHORIZED').length === 3, 'three refusals on kitchen\'s own topic');

    const attacked = ['homeassistant/switch/hugh_den/mute/config', 'homeassistant/status', 'zigbee2mqtt/front_door_lock/set'];
    expect(delivered.map((message) => message.topic).filter((topic) => attacked.includes(topic))).toEqual([]);
    // Only the hub's own device is in discovery (published by the hub itself, at start).
    const notTheHubs = (topics: string[]) => topics.filter((topic) => !topic.startsWith('homeassistant/') || topic.split('/')[2] !== 'hugh-hub');
    expect(notTheHubs(haSaw)).toEqual([]);
    expect(await hub.embeddedBroker!.retainedTopics('zigbee2mqtt/#')).toEqual([]);
    expect(notTheHubs(await hub.embeddedBroker!.retainedTopics('homeassistant/#'))).toEqual([]);
  });

  it('a will outside its tree is refused at login (CONNACK 5)', async () => {
    await expect(login('kitchen', { will: { topic: 'zigbee2mqtt/front_door_lock/set', payload: Buffer.from('{"state":"UNLOCK"}'), qos: 1, retain: true } })).rejects.toMatchObject({ code: 5 });
    await expect(login('kitchen', { will: { topic: 'hugh/sat/kitchen/availability', payload: Buffer.from('offline'), qos: 1, retain: true } })).resolves.toBeDefined();
  });
});

describe('refused publishes are never readable', () => {
  it('nobody may subscribe to $hugh/… or #, and a frame refused on another satellite\'s audio topic is never re-published with its payload', async () => {
    const ha = await login('home-assistant');
    await expect(ha.subscribeAsync('$hugh/#')).rejects.toThrow(/Subscribe error/);
    await expect(ha.subscribeAsync('$hugh/refused')).rejects.toThrow(/Subscribe error/);
    await expect(ha.subscribeAsync('#')).rejects.toThrow(/Subscribe error/);
    const diverted = everything('$hugh/#');
    const { client: kitchen, inbox } = await satelliteWithInbox('kitchen');
    const frame = encodeAudioFrame({ turnId: 7, seq: 0, sampleRateHz: 16_000, channels: 1, codec: 'pcm_s16le', last: false, timestampMs: 0, payload: new Uint8Array(1280).fill(7) });
    await kitchen.publishAsync('hugh/sat/den/up/audio', Buffer.from(frame));
    await waitFor(() => inbox.some((message) => message.type === 'error'), 'the refusal');
    expect(diverted.every((message) => message.payload.length === 0)).toBe(true);
  });
});

describe('floods are cut wherever they are aimed', () => {
  it('20 000 QoS 2 publishes outside the tree: the flood is cut (connection closed) and another satellite\'s ping p50 stays under 50 ms', async () => {
    const { client: den, inbox } = await satelliteWithInbox('den');
    await den.publishAsync('hugh/sat/den/up/ctl', hello('den'));
    await waitFor(() => inbox.some((message) => message.type === 'welcome'), 'den welcomed');
    // The flood comes from another process, as it would from another device: this one measures den.
    const flood = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import mqtt from 'mqtt';
         const client = await mqtt.connectAsync(process.env.URL, { clientId: 'hugh-sat-kitchen', username: 'kitchen', password: process.env.PASSWORD, protocolVersion: 4, reconnectPeriod: 0 });
         let acknowledged = 0;
         client.on('close', () => { console.log(JSON.stringify({ acknowledged })); process.exit(0); });
         for (let i = 0; i < 20000; i++) client.publish('zigbee2mqtt/lamp/set', 'ON', { qos: 2 }, (error) => { if (!error) acknowledged++; });`,
      ],
      { cwd: fileURLToPath(new URL('..', import.meta.url)), env: { ...process.env, URL: `mqtt://127.0.0.1:${hub.mqttPort}`, PASSWORD: passwords.kitchen! }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let output = '';
    flood.stdout.on('data', (chunk) => (output += chunk));
    const floodDone = new Promise<{ acknowledged: number }>((resolve) => flood.once('exit', () => resolve(JSON.parse(output || '{"acknowledged":-1}') as { acknowledged: number })));

    const rtts: number[] = [];
    for (let i = 0; i < 20; i++) {
      const nonce = String(i);
      // The pong itself ends the wait (no polling, which would add its own period to every round trip).
      const pong = new Promise<void>((resolve) => {
        const onMessage = (_topic: string, payload: Buffer) => {
          const message = JSON.parse(payload.toString()) as HubMessage;
          if (message.type === 'pong' && message.nonce === nonce) (den.off('message', onMessage), resolve());
        };
        den.on('message', onMessage);
      });
      const sentMs = performance.now();
      den.publish('hugh/sat/den/up/ctl', encodeMessage(satelliteMessage({ type: 'ping', nonce })));
      await pong;
      rtts.push(performance.now() - sentMs);
    }
    const { acknowledged } = await floodDone;
    rtts.sort((a, b) => a - b);
    expect(rtts[Math.floor(rtts.length / 2)]).toBeLessThan(50);
    // Refused (rate limit, then the ACL) and 20 refusals in 10 s cost the connection: the rest never went out.
    expect(acknowledged).toBeGreaterThanOrEqual(0);
    expect(acknowledged).toBeLessThan(1_000);
  });

  it('topics longer than 1 KiB are refused and count against the error budget: the connection is closed', async () => {
    const kitchen = await login('kitchen');
    const closed = new Promise<void>((resolve) => kitchen.once('close', () => resolve()));
    for (let i = 0; i < 100; i++) kitchen.publish(`hugh/sat/kitchen/up/${'x'.repeat(60_000)}`, 'x', { qos: 0 });
    await closed;
  });
});
