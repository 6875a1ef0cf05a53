import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CapabilitySchema, type Capability } from '@hugh/protocol';
import { CredentialStore } from '@hugh/hub';
import { pcmChunks, readWavAs16kMono, streamTurn, type HubClient } from '@hugh/satellite';
import { HubProcess } from '../testing/hub-process.js';
import { GPU_LATENCIES, startModelledEngines } from '../testing/modelled-engines.js';
import { freePort, waitFor } from '../testing/net.js';
import { connectSatellite } from '../testing/satellites.js';
import { sharedPath } from '../testing/shared.js';
import { VOICES, synthesize } from '../testing/speech.js';
import { tmpfsOrReason } from '../testing/tmpfs.js';

const HUB_BIN = fileURLToPath(new URL('../hub/bin/hugh-hub.js', import.meta.url));
/** Retries every 200 ms here (5 s by default), so recovery is seen at once; the log limit stays the default minute. */
const WRITE_RETRY_MS = 200;

/**
 * The real hub binary with its state dir on a 2 MiB tmpfs this test mounts (root or passwordless
 * sudo; skipped, saying why, without): the kernel's own ENOSPC and EROFS, not a fake. Speech to text,
 * the LLM and TTS are modelled over their wire formats; the timers are the hub's own local intent.
 */
const { tmpfs, reason } = tmpfsOrReason(2 << 20);

describe.skipIf(!tmpfs)(`the state dir full or read-only${reason ? ` (skipped: ${reason})` : ''}`, () => {
  const work = mkdtempSync(join(tmpdir(), 'hugh-disk-full-'));
  const stateDir = join(tmpfs?.dir ?? work, 'state');
  const configFile = join(work, 'hub.json');
  const timersFile = join(stateDir, 'timers.json');
  const credentialsFile = join(stateDir, 'credentials.json');
  let engines: Awaited<ReturnType<typeof startModelledEngines>>;
  let hub: HubProcess;
  let mqttPort: number;
  const clients = new Map<string, HubClient>();
  const replies = new Map<string, string>();
  const published: Capability[] = [];
  let watcher: mqtt.MqttClient;
  let watcherPassword: string;
  const clips = new Map<string, Int16Array>();

  /** One spoken turn: what the STT will hear is `text`; resolves with how the reply ended. */
  async function say(satelliteId: string, text: string): Promise<string> {
    engines.setScript({ segments: [{ text, endS: 0 }] });
    if (!clips.has(text)) clips.set(text, readWavAs16kMono(synthesize(text, VOICES[0]!, { padS: 0.4 })));
    const client = clients.get(satelliteId)!;
    const streamed = await streamTurn(client, pcmChunks(clips.get(text)!));
    return waitFor(() => replies.get(`${satelliteId}:${streamed!.turnId}`), `the reply to "${text}" on ${satelliteId}`, 15_000);
  }

  const savedTimers = () => (JSON.parse(readFileSync(timersFile, 'utf8')) as { satelliteId: string; durationMs: number }[]).map((timer) => [timer.satelliteId, timer.durationMs]);
  const refusals = () => hub.find('cannot write to the state dir: kept in memory, retrying');

  function hubCli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(process.execPath, [HUB_BIN, '--config', configFile, ...args], (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }));
    });
  }

  beforeAll(async () => {
    engines = await startModelledEngines(GPU_LATENCIES);
    mqttPort = await freePort();
    const httpPort = await freePort();
    const config = {
      mqtt: { host: '127.0.0.1', port: mqttPort },
      http: { host: '127.0.0.1', port: httpPort, trustedAddresses: ['127.0.0.1'] },
      state: { dir: stateDir, writeRetryMs: WRITE_RETRY_MS },
      vad: { modelPath: sharedPath('models/silero-vad/silero_vad_v5.onnx') },
      stt: { engines: [{ type: 'whisper-cpp', url: engines.url }] },
      tts: { engines: [{ type: 'openai', url: engines.url }] },
      llm: { url: engines.url },
      limits: { turnsPerMinute: 600, messagesPerSecond: 2_000 },
    };
    writeFileSync(configFile, JSON.stringify(config));
    const store = CredentialStore.load(credentialsFile);
    const passwords = { kitchen: await store.issue('satellite', 'kitchen'), den: await store.issue('satellite', 'den') };
    watcherPassword = await store.issue('integration', 'watcher');
    hub = new HubProcess(['--config', configFile]);
    await hub.start();
    for (const [id, password] of Object.entries(passwords)) {
      const client = await connectSatellite(id, `mqtt://127.0.0.1:${mqttPort}`, { password });
      client.on('reply-stop', (turnId, how) => replies.set(`${id}:${turnId}`, how));
      clients.set(id, client);
    }
    watcher = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { clientId: 'disk-watcher', username: 'watcher', password: watcherPassword, protocolVersion: 4 });
    watcher.on('message', (_topic, payload) => published.push(CapabilitySchema.parse(JSON.parse(payload.toString()))));
    await watcher.subscribeAsync('hugh/hub/capability');
    await waitFor(() => published.at(-1)?.state === 'full', 'the retained capability: full');
  }, 60_000);

  afterAll(async () => {
    for (const client of clients.values()) await client.stop();
    await watcher?.endAsync();
    await hub?.kill();
    await engines?.close();
    tmpfs?.unmount();
    rmSync(work, { recursive: true, force: true });
  });

  it('disk full: turns are answered, capability says storage/timers once, the saved timers stay; space back: the new timer is written, capability full', async () => {
    expect(await say('kitchen', 'set a timer for ten minutes')).toBe('done');
    expect(savedTimers()).toEqual([['kitchen', 600_000]]);
    const before = readFileSync(timersFile, 'utf8');

    tmpfs!.fill();
    // Three turns that each change the timers (each a refused write), and one that only reads them.
    expect(await say('den', 'set a timer for five minutes')).toBe('done');
    expect(await say('den', 'how long is left on the timer')).toBe('done');
    expect(await say('den', 'set a timer for six minutes')).toBe('done');
    expect(await say('kitchen', 'what time is it')).toBe('done');

    const degraded = await waitFor(() => published.find((capability) => capability.state === 'degraded'), 'degraded on hugh/hub/capability');
    expect(degraded.reasons).toEqual([{ source: 'storage', message: expect.stringMatching(new RegExp(`^timers cannot be saved \\(ENOSPC\\): ${timersFile}`)) }]);
    // One log line for all those refused writes and retries, with the error code.
    expect(refusals()).toEqual([expect.objectContaining({ store: 'timers', code: 'ENOSPC', file: timersFile })]);
    expect(hub.find('still cannot write to the state dir')).toEqual([]);
    // What was saved before the disk filled is there, whole.
    expect(readFileSync(timersFile, 'utf8')).toBe(before);

    // The credentials cannot change either: `satellite add` fails with its code and changes nothing…
    const credentialsBefore = readFileSync(credentialsFile, 'utf8');
    const added = await hubCli('satellite', 'add', 'attic');
    expect(added.code).toBe(1);
    expect(added.stderr).toContain('HUGH_ERR_STORAGE_UNAVAILABLE');
    expect(readFileSync(credentialsFile, 'utf8')).toBe(credentialsBefore);
    // …and the logins already issued still work: a fresh connection with one is welcomed.
    const again = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { clientId: 'disk-watcher-2', username: 'watcher', password: watcherPassword, protocolVersion: 4 });
    await again.endAsync();

    tmpfs!.free();
    await waitFor(() => published.at(-1)?.state === 'full', 'full again on hugh/hub/capability', 5_000);
    expect(savedTimers()).toEqual([
      ['kitchen', 600_000],
      ['den', 360_000],
    ]);
    expect(hub.find('the state dir takes writes again')).toEqual([expect.objectContaining({ store: 'timers' })]);
  }, 40_000);

  it('read-only (remount ro): the same, with EROFS; writable again: written', async () => {
    const linesBefore = refusals().length;
    const publishedBefore = published.length;
    tmpfs!.readOnly(true);
    try {
      expect(await say('kitchen', 'set a timer for two minutes')).toBe('done');
      const degraded = await waitFor(() => published.slice(publishedBefore).find((capability) => capability.state === 'degraded'), 'degraded on hugh/hub/capability');
      expect(degraded.reasons).toEqual([{ source: 'storage', message: expect.stringMatching(/^timers cannot be saved \(EROFS\)/) }]);
      expect(refusals().slice(linesBefore)).toEqual([expect.objectContaining({ store: 'timers', code: 'EROFS' })]);
      expect(savedTimers()).toEqual([
        ['kitchen', 600_000],
        ['den', 360_000],
      ]);
    } finally {
      tmpfs!.readOnly(false);
    }
    await waitFor(() => published.at(-1)?.state === 'full', 'full again on hugh/hub/capability', 5_000);
    expect(savedTimers()).toEqual([
      ['den', 360_000],
      ['kitchen', 120_000],
    ]);
  }, 30_000);
});
