import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubProcess } from '../testing/hub-process.js';
import { freePort, waitFor } from '../testing/net.js';
import { sharedPath } from '../testing/shared.js';

/**
 * What an unauthenticated client on the LAN can do before any login, against the real `hugh-hub`
 * on its defaults (logins on), in its own process so its memory can be read.
 */
const dir = mkdtempSync(join(tmpdir(), 'hugh-pre-login-'));
let hub: HubProcess;
let mqttPort: number;
let httpPort: number;
const CONNECT_TIMEOUT_MS = 1_000;

beforeAll(async () => {
  [mqttPort, httpPort] = [await freePort(), await freePort()];
  const config = join(dir, 'hub.yaml');
  writeFileSync(config, `limits:\n  connectTimeoutMs: ${CONNECT_TIMEOUT_MS}\n  connectionsPerAddress: 16\n`);
  hub = new HubProcess(['--config', config, '--mqtt-port', String(mqttPort), '--http-port', String(httpPort), '--mqtt-host', '127.0.0.1', '--host', '127.0.0.1'], {
    HUGH_STATE_DIR: join(dir, 'state'),
    HUGH_VAD_MODEL: sharedPath('models/silero-vad/silero_vad_v5.onnx'),
    HUGH_LOG_LEVEL: 'info',
  });
  await hub.start();
});
afterAll(async () => {
  await hub.kill();
  rmSync(dir, { recursive: true, force: true });
});

const rssBytes = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${hub.pid}/status`, 'utf8'))![1]) * 1024;

/** MQTT's remaining-length encoding (MQTT 3.1.1 §2.2.3). */
function remainingLength(value: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    bytes.push(byte);
  } while (value > 0);
  return bytes;
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves with the time (ms) from now until the server closes `socket`. */
function closedWithin(socket: Socket): Promise<number> {
  const startedMs = Date.now();
  return new Promise((resolve) => {
    socket.on('error', () => undefined);
    socket.resume(); // read (and drop) what the server says, so its close is seen
    if (socket.destroyed) return resolve(0);
    socket.once('close', () => resolve(Date.now() - startedMs));
  });
}

/** Streams a CONNECT that claims `claimedBytes`, 1 MiB at a time, until the server closes the socket; returns the bytes it took. */
async function hugeConnect(claimedBytes: number): Promise<number> {
  const socket = await open(mqttPort);
  const closed = closedWithin(socket);
  let sent = 0;
  let open_ = true;
  void closed.then(() => (open_ = false));
  const chunk = Buffer.alloc(1024 * 1024, 0x41);
  socket.write(Buffer.from([0x10, ...remainingLength(claimedBytes)]));
  while (open_ && sent < claimedBytes) {
    const ok = socket.write(chunk);
    sent += chunk.length;
    if (!ok) await new Promise((resolve) => (socket.once('drain', resolve), socket.once('close', resolve)));
  }
  await closed;
  return sent;
}

describe('memory and connections before login', () => {
  it('three 50 MB CONNECT packets: each socket is closed from the fixed header, and the hub grows by less than 30 MB', async () => {
    const before = rssBytes();
    const taken = await Promise.all([1, 2, 3].map(() => hugeConnect(50 * 1024 * 1024)));
    const after = rssBytes();
    // The hub closed each socket long before the 50 MB were through (the kernel's buffers took the rest).
    for (const bytes of taken) expect(bytes).toBeLessThan(50 * 1024 * 1024);
    expect(after - before).toBeLessThan(30 * 1024 * 1024);
    // The hub's log line comes through its stdout pipe, which may lag the socket's close under load.
    await waitFor(() => hub.lines.filter((line) => line.msg === 'MQTT connection closed: packet too large').length === 3, 'three packet-too-large log lines');
  });

  it('a socket that never completes CONNECT is closed after limits.connectTimeoutMs', async () => {
    const silent = await open(mqttPort);
    const partial = await open(mqttPort);
    partial.write(Buffer.from([0x10, 0x20, 0x00])); // a CONNECT's first bytes, then nothing
    const [silentMs, partialMs] = await Promise.all([closedWithin(silent), closedWithin(partial)]);
    expect(silentMs).toBeGreaterThanOrEqual(CONNECT_TIMEOUT_MS - 50);
    expect(silentMs).toBeLessThan(CONNECT_TIMEOUT_MS + 1_500);
    expect(partialMs).toBeLessThan(CONNECT_TIMEOUT_MS + 1_500);
  });

  it('connections are counted when the socket is accepted: beyond the per-address limit, a silent socket is closed at once', async () => {
    const sockets = await Promise.all(Array.from({ length: 16 }, () => open(mqttPort)));
    const extra = await open(mqttPort);
    expect(await closedWithin(extra)).toBeLessThan(500);
    for (const socket of sockets) socket.destroy();
  });

  it('a WebSocket upgrade that never completes its request head is closed', async () => {
    const socket = await open(httpPort);
    socket.write('GET /satellite HTTP/1.1\r\nHost: hub\r\nUpgrade: websocket\r\n'); // no blank line: the head never ends
    expect(await closedWithin(socket)).toBeLessThan(CONNECT_TIMEOUT_MS + 2_000);
  });

  it('an upgraded WebSocket that never says hello is closed', async () => {
    const { default: WebSocket } = await import('ws');
    const { CredentialStore } = await import('@hugh/hub');
    const password = await CredentialStore.load(join(dir, 'state', 'credentials.json')).issue('satellite', 'kitchen');
    await waitFor(() => hub.lines.some((line) => line.msg === 'credentials reloaded'), 'the hub to see the new credentials');
    const socket = new WebSocket(`ws://127.0.0.1:${httpPort}/satellite`, { headers: { authorization: `Basic ${Buffer.from(`kitchen:${password}`).toString('base64')}` } });
    await new Promise((resolve) => socket.once('open', resolve));
    const startedMs = Date.now();
    const code = await new Promise<number>((resolve) => socket.once('close', (closeCode) => resolve(closeCode)));
    expect(code).toBe(1008);
    expect(Date.now() - startedMs).toBeLessThan(CONNECT_TIMEOUT_MS + 1_000);
  });
});
