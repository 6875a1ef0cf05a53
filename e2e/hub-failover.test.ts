import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Backoff, silentLogger } from '@hugh/common';
import { CredentialStore } from '@hugh/hub';
import { HubClient, SatelliteConfigSchema, linkToHubs, pcmChunks, readWavAs16kMono, streamTurn } from '@hugh/satellite';
import { HubProcess } from '../testing/hub-process.js';
import { GPU_LATENCIES, startModelledEngines } from '../testing/modelled-engines.js';
import { freePort, waitFor } from '../testing/net.js';
import { sharedPath } from '../testing/shared.js';
import { VOICES, synthesize } from '../testing/speech.js';

/** The satellite moves back only after the primary has passed every probe this long (short here, 30 s by default). */
const RETURN_AFTER_MS = 800;
const PROBE_INTERVAL_MS = 100;

interface HubInfo {
  process: HubProcess;
  mqttPort: number;
  httpPort: number;
}

/**
 * Two real hubs (the hugh-hub binary), each with its own satellite password; one satellite that
 * lists both, the first over MQTT, the second over WebSocket. Speech to text is a whisper.cpp
 * stand-in at GPU-like latency (pocketsphinx would spend a second of CPU on each of the 40 turns
 * without saying anything about failover); the reply and espeak-ng are the hubs' own.
 */
describe('a satellite with two hubs fails over and comes back', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hugh-failover-'));
  const hubs: HubInfo[] = [];
  let client: HubClient;
  /** Every welcome the satellite got: when, and from which of its hubs. */
  const welcomes: { atMs: number; hubIndex: number }[] = [];
  const replies = new Map<number, { reason: string; atMs: number }>();
  const transcripts = new Map<number, string>();
  let watcherPassword: string;
  const clip = readWavAs16kMono(synthesize('what time is it', VOICES[0]!, { padS: 0.6 }));
  let engines: Awaited<ReturnType<typeof startModelledEngines>>;

  async function startHub(name: string): Promise<HubInfo> {
    const [mqttPort, httpPort] = [await freePort(), await freePort()];
    const credentialsFile = join(dir, `${name}-credentials.json`);
    const config = {
      mqtt: { host: '127.0.0.1', port: mqttPort },
      http: { host: '127.0.0.1', port: httpPort, trustedAddresses: ['127.0.0.1'] },
      auth: { credentialsFile },
      state: { dir: join(dir, `${name}-state`) },
      vad: { modelPath: sharedPath('models/silero-vad/silero_vad_v5.onnx') },
      stt: { engines: [{ type: 'whisper-cpp', url: engines.url }] },
      llm: { url: 'http://127.0.0.1:9' },
      // 20 cycles send turns faster than a family does; frames are sent as fast as the link takes them.
      limits: { turnsPerMinute: 600, messagesPerSecond: 2_000 },
    };
    writeFileSync(join(dir, `${name}.json`), JSON.stringify(config));
    const process = new HubProcess(['--config', join(dir, `${name}.json`)]);
    await process.start();
    return { process, mqttPort, httpPort };
  }

  const hubIndex = () => (client.ready ? client.link.hubIndex : undefined);

  /** Streams the clip as one turn and waits for its reply to end; undefined when the satellite had no hub. */
  async function spokenTurn(realtime = false): Promise<{ turnId: number; reason: string; atMs: number } | undefined> {
    const streamed = await streamTurn(client, pcmChunks(clip, { realtime }));
    if (!streamed) return undefined;
    const reply = await waitFor(() => replies.get(streamed.turnId), `the reply to turn ${streamed.turnId}`, 30_000);
    return { turnId: streamed.turnId, ...reply };
  }

  /** The hub's own log says it ran this turn (the line follows the reply's end by a moment). */
  const ranOn = (hub: HubInfo, turnId: number) => waitFor(() => hub.process.find('turn ended').some((line) => line.turnId === turnId), `turn ${turnId} in the log of its hub`);

  /** Detailed /healthz of a hub (127.0.0.1 is trusted): the satellites it serves, with their link. */
  async function satellitesOf(hub: HubInfo): Promise<{ id: string; link: { hubIndex: number; hubCount: number } }[]> {
    const health = (await (await fetch(`http://127.0.0.1:${hub.httpPort}/healthz`)).json()) as { satellites: { id: string; link: { hubIndex: number; hubCount: number } }[] };
    return health.satellites;
  }

  beforeAll(async () => {
    engines = await startModelledEngines(GPU_LATENCIES);
    engines.setScript({ segments: [{ text: 'what time is it', endS: 0 }] });
    const passwords: string[] = [];
    for (const name of ['primary', 'fallback']) passwords.push(await CredentialStore.load(join(dir, `${name}-credentials.json`)).issue('satellite', 'kitchen'));
    watcherPassword = await CredentialStore.load(join(dir, 'fallback-credentials.json')).issue('integration', 'watcher');
    hubs.push(await startHub('primary'), await startHub('fallback'));
    const config = SatelliteConfigSchema.parse({
      id: 'kitchen',
      hub: [
        { url: `mqtt://127.0.0.1:${hubs[0]!.mqttPort}`, password: passwords[0] },
        { url: `ws://127.0.0.1:${hubs[1]!.httpPort}`, password: passwords[1] },
      ],
      failover: { returnAfterMs: RETURN_AFTER_MS, probeIntervalMs: PROBE_INTERVAL_MS, probeTimeoutMs: 2_000 },
    });
    const logger = silentLogger();
    client = new HubClient(await linkToHubs(config, logger, { backoff: new Backoff(50, 500) }), {
      satelliteId: 'kitchen',
      softwareVersion: 'test',
      wakeEngines: [],
      playbackFormats: [{ sampleRateHz: 22_050, channels: 1 }],
      logger,
    });
    client.on('ready', () => welcomes.push({ atMs: Date.now(), hubIndex: client.link.hubIndex ?? -1 }));
    client.on('reply-stop', (turnId, reason) => replies.set(turnId, { reason, atMs: Date.now() }));
    client.on('transcript', (turnId, text) => transcripts.set(turnId, text));
    client.start();
    await client.waitReady();
  }, 60_000);

  afterAll(async () => {
    await client?.stop();
    for (const hub of hubs) await hub.process.kill();
    await engines?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts on the primary, and says so in its hello', async () => {
    expect(hubIndex()).toBe(0);
    expect(await satellitesOf(hubs[0]!)).toEqual([expect.objectContaining({ id: 'kitchen', link: { hubIndex: 0, hubCount: 2 } })]);
    expect(await satellitesOf(hubs[1]!)).toEqual([]);
  });

  it('primary killed (-9): welcomed by the fallback within 5 s, a spoken turn works there; primary back: returns after the hysteresis, not during a turn', async () => {
    const inFlight = streamTurn(client, pcmChunks(clip, { realtime: true }));
    await waitFor(() => (client.currentTurn?.frameCount ?? 0) >= 10, 'a turn to be under way on the primary');
    const killedMs = Date.now();
    await hubs[0]!.process.kill();
    expect((await inFlight)?.reason).toBe('error'); // in flight when its hub died: abandoned, the one turn this may lose
    await waitFor(() => hubIndex() === 1, 'the fallback to welcome the satellite', 5_000);
    expect(Date.now() - killedMs).toBeLessThan(5_000);
    expect(await satellitesOf(hubs[1]!)).toEqual([expect.objectContaining({ id: 'kitchen', link: { hubIndex: 1, hubCount: 2 } })]);
    // Retained for home automation on the fallback's broker: which hub the satellite is on.
    const watcher = await mqtt.connectAsync(`mqtt://127.0.0.1:${hubs[1]!.mqttPort}`, { clientId: 'watcher', username: 'watcher', password: watcherPassword, protocolVersion: 4 });
    const link = new Promise<unknown>((resolve) => watcher.once('message', (_topic, payload) => resolve(JSON.parse(payload.toString()))));
    await watcher.subscribeAsync('hugh/sat/kitchen/link');
    expect(await link).toEqual({ hubIndex: 1, hubCount: 2, primary: false, transport: 'ws' });
    await watcher.endAsync();

    const onFallback = await spokenTurn();
    expect(onFallback?.reason).toBe('done');
    expect(transcripts.get(onFallback!.turnId)).toMatch(/what time is it/);
    await ranOn(hubs[1]!, onFallback!.turnId);

    await hubs[0]!.process.start();
    const primaryBackMs = Date.now();
    // A turn that spans the end of the hysteresis: the satellite must wait for it to finish.
    const spanning = spokenTurn(true);
    const welcomesBefore = welcomes.length;
    const finished = await spanning;
    expect(finished?.reason).toBe('done');
    expect(finished!.atMs - primaryBackMs).toBeGreaterThan(RETURN_AFTER_MS);
    await ranOn(hubs[1]!, finished!.turnId);
    // Generous: on a loaded CI machine the primary's probes (each with its own time-out) may fail a few times.
    await waitFor(() => hubIndex() === 0, 'the satellite to return to the primary', 20_000);
    const back = welcomes.slice(welcomesBefore).find((welcome) => welcome.hubIndex === 0)!;
    expect(back.atMs - primaryBackMs).toBeGreaterThanOrEqual(RETURN_AFTER_MS);
    expect(back.atMs).toBeGreaterThanOrEqual(finished!.atMs); // not during the turn
    expect(welcomes.slice(welcomesBefore).filter((welcome) => welcome.atMs < finished!.atMs)).toEqual([]);

    const onPrimary = await spokenTurn();
    expect(onPrimary?.reason).toBe('done');
    await ranOn(hubs[0]!, onPrimary!.turnId);
    // The fallback saw the satellite leave: its WebSocket closed cleanly, nobody is left there.
    await waitFor(async () => (await satellitesOf(hubs[1]!)).length === 0, 'the fallback to let the satellite go');
  }, 90_000);

  it('20 kill/restart cycles: each failover within 5 s, no turn lost but the one in flight at each kill', async () => {
    const failoverMs: number[] = [];
    const answered: number[] = [];
    for (let cycle = 0; cycle < 20; cycle++) {
      expect(hubIndex()).toBe(0);
      const inFlight = streamTurn(client, pcmChunks(clip, { realtime: true }));
      await waitFor(() => (client.currentTurn?.frameCount ?? 0) >= 3, 'a turn to be under way');
      const killedMs = Date.now();
      await hubs[0]!.process.kill();
      await inFlight;
      await waitFor(() => hubIndex() === 1, `cycle ${cycle}: the fallback to welcome the satellite`, 5_000);
      failoverMs.push(Date.now() - killedMs);
      const onFallback = await spokenTurn();
      expect(onFallback?.reason, `cycle ${cycle}: turn on the fallback`).toBe('done');
      answered.push(onFallback!.turnId);

      await hubs[0]!.process.start();
      await waitFor(() => hubIndex() === 0, `cycle ${cycle}: the satellite to return to the primary`, 10_000);
      const onPrimary = await spokenTurn();
      expect(onPrimary?.reason, `cycle ${cycle}: turn on the primary`).toBe('done');
      answered.push(onPrimary!.turnId);
    }
    expect(answered).toHaveLength(40);
    expect(Math.max(...failoverMs)).toBeLessThan(5_000);
  }, 600_000);
});
