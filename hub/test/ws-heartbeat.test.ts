import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@hugh/common';
import { WsTransport } from '../src/transport/ws-transport.js';
import { WS_PATH } from '../src/index.js';
import type { LinkInputs, SatelliteLink } from '../src/transport/link.js';
import { waitFor } from '../../testing/net.js';

const HEARTBEAT_MS = 100;

/**
 * The soak's satellite that stops reading its socket while it keeps sending: the hub counted its
 * messages as heartbeats and kept it for as long as it sent, its unread replies queueing in the
 * hub's socket; only the satellite's own heartbeat ended it. A peer is alive when it answers pings.
 */
describe('WebSocket heartbeat', () => {
  let http: Server;
  let transport: WsTransport;
  const clients: WebSocket[] = [];
  /** Links the transport closed; a new list per test (a previous test's closes may still arrive). */
  let closed: SatelliteLink[] = [];

  async function start(): Promise<string> {
    http = createServer();
    closed = [];
    const seen = closed;
    const inputs: LinkInputs = { onControl: () => undefined, onAudio: () => undefined, onClosed: (link) => seen.push(link), hasSession: () => true };
    transport = new WsTransport(http, inputs, silentLogger(), {}, HEARTBEAT_MS);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    return `ws://127.0.0.1:${(http.address() as AddressInfo).port}${WS_PATH}`;
  }

  async function connect(url: string): Promise<{ client: WebSocket; talking: NodeJS.Timeout }> {
    const client = new WebSocket(url);
    clients.push(client);
    await new Promise((resolve) => client.once('open', resolve));
    // Keeps sending, as a satellite streaming a turn does.
    const talking = setInterval(() => client.send('{}'), 20);
    return { client, talking };
  }

  afterEach(async () => {
    for (const client of clients.splice(0)) client.terminate();
    await transport.close();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  });

  it('drops a peer that keeps sending but reads nothing (no pong) within two heartbeats', async () => {
    const { client, talking } = await connect(await start());
    (client as unknown as { _socket: { pause(): void } })._socket.pause();
    try {
      await waitFor(() => closed.length === 1, 'the hub to drop the peer that does not read', 20 * HEARTBEAT_MS);
    } finally {
      clearInterval(talking);
    }
  });

  it('keeps a peer that answers its pings', async () => {
    const { client, talking } = await connect(await start());
    let pings = 0;
    client.on('ping', () => pings++);
    try {
      await waitFor(() => pings >= 5, 'five heartbeats answered');
    } finally {
      clearInterval(talking);
    }
    expect(closed).toEqual([]);
  });
});
