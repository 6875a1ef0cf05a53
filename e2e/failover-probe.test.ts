import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@hugh/common';
import { CredentialStore, HubConfigSchema, startHub, type Hub } from '@hugh/hub';
import { probeClientId } from '@hugh/protocol';
import { probeHub, type HubClient } from '@hugh/satellite';
import { waitFor } from '../testing/net.js';
import { connectSatellite } from '../testing/satellites.js';

/**
 * A failover probe is a real login that grants nothing: it checks the password, never takes over
 * the live session of the satellite it probes for, and can neither publish nor read its topics.
 */
describe('failover probes at a hub with logins on', () => {
  let hub: Hub;
  let kitchen: HubClient;
  let password: string;
  const disconnects: string[] = [];

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hugh-probe-'));
    const credentialsFile = join(dir, 'credentials.json');
    password = await CredentialStore.load(credentialsFile).issue('satellite', 'kitchen');
    hub = await startHub(HubConfigSchema.parse({ mqtt: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0, trustedAddresses: ['127.0.0.1'] }, auth: { credentialsFile }, state: { dir } }), { logger: silentLogger() });
    hub.events.on('satellite-offline', (id) => disconnects.push(id));
    kitchen = await connectSatellite('kitchen', `mqtt://127.0.0.1:${hub.mqttPort}`, { password });
  });

  afterAll(async () => {
    await kitchen?.stop();
    await hub?.close();
  });

  const badInputs = async () => Number(/^hugh_bad_inputs_total (\d+)$/m.exec(await (await fetch(`http://127.0.0.1:${hub.httpPort}/metrics`)).text())?.[1]);
  const targets = () => [`mqtt://127.0.0.1:${hub.mqttPort}`, `ws://127.0.0.1:${hub.httpPort}`];

  it.each([0, 1])('transport %i: the right password passes, a wrong one and none fail', async (index) => {
    const url = targets()[index]!;
    await expect(probeHub({ url, username: 'kitchen', password }, { satelliteId: 'kitchen', timeoutMs: 2_000 })).resolves.toBeUndefined();
    await expect(probeHub({ url, username: 'kitchen', password: 'wrong' }, { satelliteId: 'kitchen', timeoutMs: 2_000 })).rejects.toThrow();
    await expect(probeHub({ url }, { satelliteId: 'kitchen', timeoutMs: 2_000 })).rejects.toThrow();
  });

  it('ten probes while the satellite is connected over MQTT: its session stays, nobody is welcomed or dropped', async () => {
    const sessionsBefore = [...hub.sessions.sessions.keys()];
    for (let i = 0; i < 10; i++) await probeHub({ url: targets()[i % 2]!, username: 'kitchen', password }, { satelliteId: 'kitchen', timeoutMs: 2_000 });
    expect(kitchen.ready).toBe(true);
    expect(disconnects).toEqual([]);
    expect([...hub.sessions.sessions.keys()]).toEqual(sessionsBefore);
  });

  it("a client logged in under the probe's id may not speak or listen as the satellite", async () => {
    const probe = await mqtt.connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`, { clientId: probeClientId('kitchen'), username: 'kitchen', password, protocolVersion: 4, reconnectPeriod: 0 });
    try {
      await expect(probe.subscribeAsync('hugh/sat/kitchen/down/ctl')).rejects.toThrow(); // SUBACK 0x80
      await expect(probe.subscribeAsync('hugh/hub/availability')).resolves.toEqual([expect.objectContaining({ qos: 0 })]);
      const before = await badInputs();
      await probe.publishAsync('hugh/sat/kitchen/up/ctl', JSON.stringify({ v: 1, type: 'ping', nonce: 'x' }), { qos: 1 });
      // Acknowledged and dropped (MQTT-3.3.5-2), counted as bad input.
      await waitFor(async () => (await badInputs()) === before + 1, 'the refused publish to be counted');
    } finally {
      await probe.endAsync();
    }
    // Another satellite's login may not use kitchen's probe id.
    const den = await CredentialStore.load(hub.credentials!.file).issue('satellite', 'den');
    await expect(mqtt.connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`, { clientId: probeClientId('kitchen'), username: 'den', password: den, protocolVersion: 4, reconnectPeriod: 0 })).rejects.toThrow(/Not authorized/i);
  });
});
