import { createServer, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@hugh/common';
import { HubConfigSchema, createPipeline, startHub, type Hub, type TurnRecord } from '@hugh/hub';
import { CapabilitySchema, type Capability } from '@hugh/protocol';
import { pcmChunks, readWavAs16kMono, streamTurn, type HubClient } from '@hugh/satellite';
import { fakeHttpServer } from '../testing/http-server.js';
import { freePort, waitFor } from '../testing/net.js';
import { connectSatellite } from '../testing/satellites.js';
import { sharedPath } from '../testing/shared.js';
import { VOICES, synthesize } from '../testing/speech.js';

/** A whisper-server stand-in (its wire format: POST /inference → {"text"}), on a port it can be stopped and started on. */
class WhisperStandIn {
  inferences = 0;
  private server: Server | undefined;

  constructor(readonly port: number) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        if (request.method === 'POST' && request.url === '/inference') this.inferences++;
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ text: ' what time is it' }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }
}

/**
 * The primary STT engine stops: the hub publishes `degraded` with the reason within the call that
 * failed (the fallback answered that very turn), and `full` again once a trial call finds it back,
 * without anyone speaking; an ntfy-shaped server gets exactly one push per transition.
 */
describe('reduced capability is visible', () => {
  let whisperServer: WhisperStandIn;
  let ntfy: Awaited<ReturnType<typeof fakeHttpServer>>;
  let hub: Hub;
  let watcher: MqttClient;
  let satellite: HubClient;
  const published: Capability[] = [];
  const records: TurnRecord[] = [];
  const said: string[] = [];
  const clip = () => readWavAs16kMono(synthesize('what time is it', VOICES[0]!, { padS: 0.6 }));

  beforeAll(async () => {
    whisperServer = new WhisperStandIn(await freePort());
    await whisperServer.start();
    ntfy = await fakeHttpServer((_request, response) => void response.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"x"}'));
    const config = HubConfigSchema.parse({
      auth: { allowAnonymous: true },
      mqtt: { host: '127.0.0.1', port: 0 },
      http: { host: '127.0.0.1', port: 0, trustedAddresses: ['127.0.0.1'] },
      state: { dir: mkdtempSync(join(tmpdir(), 'hugh-capability-')) },
      vad: { modelPath: sharedPath('models/silero-vad/silero_vad_v5.onnx') },
      llm: { url: 'http://127.0.0.1:9' },
      stt: { engines: [{ type: 'whisper-cpp', url: whisperServer.url, timeoutMs: 2_000 }, { type: 'pocketsphinx' }], halfOpenAfterMs: 1_000 },
      // The periodic check is far away: every change seen here comes from the call or the trial itself.
      capability: { checkIntervalMs: 600_000, announce: true, notify: [{ type: 'ntfy', url: `${ntfy.url}/hugh-family` }], notifyMinIntervalMs: 0 },
    });
    const logger = silentLogger();
    hub = await startHub(config, { logger, services: (context) => createPipeline(config, logger, context) });
    hub.events.on('turn', (record) => records.push(record));
    watcher = await mqtt.connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`, { clientId: 'watcher', protocolVersion: 4 });
    watcher.on('message', (_topic, payload) => published.push(CapabilitySchema.parse(JSON.parse(payload.toString()))));
    await watcher.subscribeAsync('hugh/hub/capability');
    satellite = await connectSatellite('kitchen', `mqtt://127.0.0.1:${hub.mqttPort}`);
    // A bare protocol client reports what a satellite would: speaking while a reply plays, then idle.
    satellite.on('reply-start', () => satellite.reportState('speaking'));
    satellite.on('reply-stop', () => satellite.reportState('idle'));
    satellite.on('say', (text) => said.push(text));
  }, 60_000);

  afterAll(async () => {
    await satellite?.stop();
    await watcher?.endAsync();
    await hub?.close();
    await whisperServer?.stop();
    await ntfy?.close();
  });

  async function turn(): Promise<TurnRecord> {
    const streamed = await streamTurn(satellite, pcmChunks(clip()));
    return waitFor(() => records.find((record) => record.turnId === streamed?.turnId), 'the turn record', 30_000);
  }

  const health = async () => (await (await fetch(`http://127.0.0.1:${hub.httpPort}/healthz`)).json()) as { status: string; capability: Capability };
  const metric = async (line: string) => (await (await fetch(`http://127.0.0.1:${hub.httpPort}/metrics`)).text()).split('\n').includes(line);

  it('full at start, retained for whoever subscribes', async () => {
    await waitFor(() => published.length >= 1, 'the retained capability');
    expect(published.at(-1)).toMatchObject({ state: 'full', reasons: [] });
    expect((await turn()).sttEngine).toBe(`whisper.cpp ${whisperServer.url}`);
    expect(await health()).toMatchObject({ status: 'up', capability: { state: 'full' } });
    expect(await metric('hugh_capability_state{state="full"} 1')).toBe(true);
  });

  it('primary STT stopped: degraded with the reason within the one failed call; the fallback answers that turn; one push', async () => {
    await whisperServer.stop();
    const atTurnEnd: Capability[] = [];
    hub.events.once('turn', () => atTurnEnd.push(hub.capability.current));
    const record = await turn();
    expect(record.sttEngine).toBe('pocketsphinx');
    // Already degraded when the turn that met the failure ended: no second failed call, no periodic check.
    expect(atTurnEnd[0]).toMatchObject({ state: 'degraded', reasons: [{ source: 'stt', engine: `whisper.cpp ${whisperServer.url}` }] });
    await waitFor(() => published.at(-1)?.state === 'degraded', 'degraded on hugh/hub/capability');
    expect(published.at(-1)!.reasons).toEqual([{ source: 'stt', engine: `whisper.cpp ${whisperServer.url}`, message: `whisper.cpp ${whisperServer.url} is down: pocketsphinx serves instead` }]);
    expect(await health()).toMatchObject({ status: 'degraded', capability: { state: 'degraded' } });
    // What the dashboard's banner reads.
    expect(await (await fetch(`http://127.0.0.1:${hub.httpPort}/api/state`)).json()).toMatchObject({ capability: { state: 'degraded', reasons: [{ source: 'stt' }] }, satellites: [{ id: 'kitchen', link: { hubIndex: 0, hubCount: 1 } }] });
    expect(await metric('hugh_capability_state{state="degraded"} 1')).toBe(true);
    expect(await metric('hugh_capability_transitions_total{to="degraded"} 1')).toBe(true);
    await waitFor(() => ntfy.requests.length === 1, 'the push for entering degraded');
    expect(ntfy.requests[0]).toMatchObject({ method: 'POST', path: '/hugh-family', headers: { title: expect.stringMatching(/running on backups$/), priority: '4' } });
    expect(ntfy.requests[0]!.body.toString()).toContain(`whisper.cpp ${whisperServer.url} is down`);
    // capability.announce: said once, after the reply of that turn has played.
    await waitFor(() => said.length === 1, 'the spoken note');
    expect(said).toEqual(["I'm listening with my backup ears today, so I may mishear you."]);
  }, 60_000);

  it('primary STT back: a trial call finds it without anyone speaking, full again, one more push', async () => {
    await whisperServer.start();
    const turnsBefore = records.length;
    await waitFor(() => published.at(-1)?.state === 'full', 'full again on hugh/hub/capability', 10_000);
    expect(records).toHaveLength(turnsBefore); // nobody spoke: the trial did it
    expect(whisperServer.inferences).toBeGreaterThanOrEqual(2); // the first turn's, then the trial's
    expect(await health()).toMatchObject({ status: 'up', capability: { state: 'full', reasons: [] } });
    await waitFor(() => ntfy.requests.length === 2, 'the push for leaving degraded');
    expect(ntfy.requests[1]!.headers.title).toMatch(/back to full strength$/);
    expect((await turn()).sttEngine).toBe(`whisper.cpp ${whisperServer.url}`);
    expect(ntfy.requests).toHaveLength(2);
    expect(published.map((capability) => capability.state)).toEqual(['full', 'degraded', 'full']);
  }, 60_000);
});
