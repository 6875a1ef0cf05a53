import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { silentLogger } from '@hugh/common';
import { HubConfigSchema, startHub, type Hub } from '@hugh/hub';
import { satelliteMessage, type HubMessage } from '@hugh/protocol';
import type { HubClient } from '@hugh/satellite';
import { waitFor } from '../testing/net.js';
import { connectSatellite } from '../testing/satellites.js';

describe('sessions', () => {
  let hub: Hub;
  const clients: HubClient[] = [];

  beforeEach(async () => {
    hub = await startHub(
      HubConfigSchema.parse({ auth: { allowAnonymous: true }, mqtt: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 }, limits: { maxErrors: 5, errorWindowMs: 10_000 } }),
      { logger: silentLogger() },
    );
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.stop()));
    await hub.close();
  });

  it('a second WebSocket connection with the same id replaces the first cleanly, and the first does not fight back', async () => {
    const first = await connectSatellite('kitchen', `ws://127.0.0.1:${hub.httpPort}`);
    clients.push(first);
    const firstDown = new Promise((resolve) => first.once('disconnected', () => resolve(true)));
    // The first link says it gives up for good rather than retrying (which would evict the second).
    const gaveUp = new Promise<string>((resolve) => first.link.on('problem', (error) => resolve((error as { code?: string }).code ?? '')));
    const second = await connectSatellite('kitchen', `ws://127.0.0.1:${hub.httpPort}`);
    clients.push(second);
    expect(await firstDown).toBe(true);
    expect(await gaveUp).toBe('HUGH_ERR_REPLACED');
    expect(first.ready).toBe(false);
    expect(second.ready).toBe(true);
    expect(hub.sessions.sessions.size).toBe(1);
    expect(hub.sessions.sessions.get('kitchen')?.link.transport).toBe('ws');
  });

  it('an MQTT connection replaces a WebSocket one with the same id', async () => {
    const viaWs = await connectSatellite('den', `ws://127.0.0.1:${hub.httpPort}`);
    clients.push(viaWs);
    const viaMqtt = await connectSatellite('den', `mqtt://127.0.0.1:${hub.mqttPort}`);
    clients.push(viaMqtt);
    await waitFor(() => !viaWs.ready, 'the WebSocket satellite to be dropped');
    expect(hub.sessions.sessions.get('den')?.link.transport).toBe('mqtt');
    expect(viaMqtt.ready).toBe(true);
  });

  it('repeated bad input gets a disconnect with HUGH_ERR_TOO_MANY_ERRORS (close 1008)', async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${hub.httpPort}/satellite`);
    const received: HubMessage[] = [];
    socket.on('message', (data) => received.push(JSON.parse(data.toString()) as HubMessage));
    await new Promise((resolve) => socket.once('open', resolve));
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    for (let i = 0; i < 10; i++) socket.send('not json');
    expect(await closed).toBe(1008);
    expect(received.filter((message) => message.type === 'error').map((message) => (message as { code: string }).code)).toContain('HUGH_ERR_TOO_MANY_ERRORS');
  });

  it('answers a ping with a pong', async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${hub.httpPort}/satellite`);
    const received: HubMessage[] = [];
    socket.on('message', (data) => received.push(JSON.parse(data.toString()) as HubMessage));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify(satelliteMessage({ type: 'hello', satelliteId: 'attic', softwareVersion: '1', capabilities: { wakeEngines: [], playback: false }, playbackFormats: [] })));
    socket.send(JSON.stringify(satelliteMessage({ type: 'ping', nonce: 'n1' })));
    await waitFor(() => received.find((message) => message.type === 'pong'), 'pong');
    expect(received.find((message) => message.type === 'pong')).toMatchObject({ nonce: 'n1' });
    socket.terminate();
  });
});
