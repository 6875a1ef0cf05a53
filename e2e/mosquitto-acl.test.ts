import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialStore } from '@hugh/hub';
import { Mosquitto } from '../testing/mosquitto.js';
import { freePort, waitFor } from '../testing/net.js';

/**
 * The ACL `hugh-hub mosquitto-acl` prints, loaded into a real Mosquitto with its own password file:
 * what the embedded broker enforces must hold on an external broker too.
 */
const HUB_BIN = fileURLToPath(new URL('../hub/bin/hugh-hub.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'hugh-mosquitto-acl-'));
const clients: MqttClient[] = [];
let mosquitto: Mosquitto;
const PASSWORD = { hub: 'hub-pw', kitchen: 'kitchen-pw', den: 'den-pw', 'home-assistant': 'ha-pw', attic: 'attic-pw' };

beforeAll(async () => {
  const stateDir = join(dir, 'state');
  const store = CredentialStore.load(join(stateDir, 'credentials.json'));
  await store.issue('satellite', 'kitchen');
  await store.issue('satellite', 'den');
  await store.issue('integration', 'home-assistant');
  await store.issue('rhasspy', 'attic');
  const { stdout } = await promisify(execFile)(process.execPath, [HUB_BIN, 'mosquitto-acl', '--mqtt-username', 'hub'], { env: { ...process.env, HUGH_STATE_DIR: stateDir } });
  writeFileSync(join(dir, 'acl'), stdout);
  const passwords = join(dir, 'passwd');
  writeFileSync(passwords, '');
  for (const [user, password] of Object.entries(PASSWORD)) execFileSync('mosquitto_passwd', ['-b', passwords, user, password]);
  // Started as root, Mosquitto reads these as its own user.
  for (const path of [dir, passwords, join(dir, 'acl')]) chmodSync(path, path === dir ? 0o755 : 0o644);
  mosquitto = new Mosquitto(await freePort(), `allow_anonymous false\npassword_file ${passwords}\nacl_file ${join(dir, 'acl')}`);
  await mosquitto.start();
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.endAsync(true)));
  await mosquitto.kill();
  rmSync(dir, { recursive: true, force: true });
});

async function login(user: keyof typeof PASSWORD, clientId = user === 'kitchen' || user === 'den' ? `hugh-sat-${user}` : `${user}-1`): Promise<MqttClient> {
  const client = await mqtt.connectAsync(mosquitto.url, { clientId, username: user, password: PASSWORD[user], protocolVersion: 4, reconnectPeriod: 0 });
  clients.push(client);
  return client;
}

/** Every topic `client` receives from now on. */
function received(client: MqttClient): string[] {
  const topics: string[] = [];
  client.on('message', (topic) => topics.push(topic));
  return topics;
}

describe('the generated Mosquitto ACL', () => {
  it('has no pattern lines (a pattern would let an integration write as a satellite of its name)', async () => {
    const { stdout } = await promisify(execFile)('cat', [join(dir, 'acl')]);
    expect(stdout).not.toMatch(/^pattern /m);
    expect(stdout).toMatch(/^user kitchen$/m);
  });

  it("a satellite reaches the hub on its own up topics only: not other trees, not its own down/ or state topics, not another satellite's", async () => {
    const hub = await login('hub');
    const atHub = received(hub);
    await hub.subscribeAsync(['hugh/#', 'homeassistant/#', 'zigbee2mqtt/#']);
    const kitchen = await login('kitchen');
    for (const topic of ['homeassistant/switch/hugh_den/mute/config', 'homeassistant/status', 'zigbee2mqtt/front_door_lock/set', 'hugh/sat/kitchen/down/ctl', 'hugh/sat/kitchen/state', 'hugh/sat/den/up/ctl', 'hugh/sat/den/cmd/mute']) {
      await kitchen.publishAsync(topic, 'x', { qos: 1 });
    }
    await kitchen.publishAsync('hugh/sat/kitchen/up/ctl', 'marker', { qos: 1 });
    await waitFor(() => atHub.includes('hugh/sat/kitchen/up/ctl'), 'kitchen\'s own publish to arrive');
    expect(atHub).toEqual(['hugh/sat/kitchen/up/ctl']);
  });

  it("a satellite cannot read another satellite's audio; an integration cannot read audio at all, but sends commands and reads events", async () => {
    const hub = await login('hub');
    const atHub = received(hub);
    await hub.subscribeAsync(['hugh/sat/+/cmd/+', 'hugh/sat/+/up/ctl']);
    const den = await login('den');
    const denSaw = received(den);
    await den.subscribeAsync('hugh/sat/kitchen/down/audio').catch(() => undefined);
    await den.subscribeAsync('hugh/sat/den/down/ctl');
    const ha = await login('home-assistant');
    const haSaw = received(ha);
    await ha.subscribeAsync('hugh/sat/+/up/audio').catch(() => undefined);
    await ha.subscribeAsync('hugh/sat/+/event/#');

    const kitchen = await login('kitchen');
    await kitchen.publishAsync('hugh/sat/kitchen/up/audio', Buffer.alloc(64), { qos: 1 });
    await hub.publishAsync('hugh/sat/kitchen/down/audio', Buffer.alloc(64), { qos: 1 });
    await ha.publishAsync('hugh/sat/kitchen/cmd/mute', 'on', { qos: 1 });
    await ha.publishAsync('hugh/sat/kitchen/up/ctl', 'forged', { qos: 1 });
    await hub.publishAsync('hugh/sat/kitchen/event/transcript', '{}', { qos: 1 });
    await hub.publishAsync('hugh/sat/den/down/ctl', 'marker', { qos: 1 });
    await waitFor(() => haSaw.includes('hugh/sat/kitchen/event/transcript') && denSaw.includes('hugh/sat/den/down/ctl') && atHub.includes('hugh/sat/kitchen/cmd/mute'), 'the allowed messages');
    expect(haSaw).toEqual(['hugh/sat/kitchen/event/transcript']);
    expect(denSaw).toEqual(['hugh/sat/den/down/ctl']);
    expect(atHub).toEqual(['hugh/sat/kitchen/cmd/mute']); // the integration's forged up/ctl never arrived
  });

  it("a Rhasspy site publishes its own audio server and hotword topics and reads its own replies, nothing of another's; integrations never read its audio", async () => {
    const hub = await login('hub');
    const atHub = received(hub);
    await hub.subscribeAsync(['hermes/#', 'hugh/#']);
    const attic = await login('attic');
    const atticSaw = received(attic);
    await attic.subscribeAsync('hermes/audioServer/den/playBytes/#').catch(() => undefined);
    await attic.subscribeAsync('hermes/audioServer/attic/playBytes/#');
    const ha = await login('home-assistant');
    const haSaw = received(ha);
    await ha.subscribeAsync('hermes/audioServer/+/audioFrame').catch(() => undefined);
    await ha.subscribeAsync('hermes/hotword/#');

    for (const topic of ['hugh/sat/attic/up/audio', 'hermes/audioServer/den/audioFrame', 'hermes/tts/say', 'hermes/audioServer/attic/playBytes/x']) await attic.publishAsync(topic, 'x', { qos: 1 });
    await attic.publishAsync('hermes/audioServer/attic/audioFrame', Buffer.alloc(64), { qos: 1 });
    await attic.publishAsync('hermes/hotword/porcupine/detected', JSON.stringify({ siteId: 'attic' }), { qos: 1 });
    await hub.publishAsync('hermes/audioServer/den/playBytes/r1', Buffer.alloc(64), { qos: 1 });
    await hub.publishAsync('hermes/audioServer/attic/playBytes/r2', Buffer.alloc(64), { qos: 1 });
    await waitFor(() => atHub.includes('hermes/hotword/porcupine/detected') && atticSaw.includes('hermes/audioServer/attic/playBytes/r2') && haSaw.length > 0, 'the allowed messages');
    expect(atHub.filter((topic) => !/playBytes\/r[12]$/.test(topic))).toEqual(['hermes/audioServer/attic/audioFrame', 'hermes/hotword/porcupine/detected']);
    expect(atticSaw).toEqual(['hermes/audioServer/attic/playBytes/r2']);
    expect(haSaw).toEqual(['hermes/hotword/porcupine/detected']);
  });
});
