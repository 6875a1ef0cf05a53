/**
 * The soak's load generator, in its own process so that its CPU and memory are not the hub's:
 * real satellite clients (@hugh/satellite's HubClient over MQTT or WebSocket, default reconnect
 * back-off) each streaming a recording as a microphone would, one turn every few seconds.
 *   HUGH_SOAK_LOAD_SETTINGS='<LoadSettings as JSON>' tsx bench/soak/load.ts
 * Events go to stdout as JSON lines; commands come on stdin (see load-protocol.ts).
 */
import { createInterface } from 'node:readline';
import type { WebSocket } from 'ws';
import { silentLogger } from '@hugh/common';
import { HubClient, createHubLink, pcmChunks, readWavAs16kMono } from '@hugh/satellite';
import { LOAD_SETTINGS_ENV, type LoadCommand, type LoadEvent, type LoadSatellite, type LoadSettings } from './load-protocol.js';

const settings = JSON.parse(process.env[LOAD_SETTINGS_ENV] ?? '') as LoadSettings;
const speech = readWavAs16kMono(settings.wav);
// A second of silence after the speech: the hub's VAD ends the turn in it (trailing silence 900 ms).
const audio = new Int16Array(speech.length + 16_000);
audio.set(speech);
const logger = silentLogger();
const emit = (event: LoadEvent) => process.stdout.write(`${JSON.stringify(event)}\n`);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

let running = true;
let paused = false;
let stalled = false;
let sentFrames = 0;
let unsentFrames = 0;

async function startSatellite({ id, password }: LoadSatellite, url: string): Promise<HubClient> {
  const link = await createHubLink({ url, satelliteId: id, username: id, password, logger });
  // Frames the satellite could not send: counted where the link refuses them (no connection).
  const sendAudio = link.sendAudio.bind(link);
  link.sendAudio = (frame) => {
    const sent = sendAudio(frame);
    if (sent) sentFrames++;
    else unsentFrames++;
    return sent;
  };
  const client = new HubClient(link, { satelliteId: id, softwareVersion: 'soak', wakeEngines: [], playbackFormats: [{ sampleRateHz: 24_000, channels: 1 }], logger });
  client.on('ready', () => emit({ e: 'ready', id, atMs: Date.now() }));
  client.on('disconnected', () => emit({ e: 'down', id, atMs: Date.now() }));
  client.start();
  return client;
}

/** One turn: stream the clip, wait for the reply's end (or the timeout, or the link to drop). */
async function turn(client: HubClient, id: string): Promise<void> {
  const startedMs = Date.now();
  let replyStartMs: number | undefined;
  let turnId: number | undefined;
  let stop: ((reason: string) => void) | undefined;
  const ended = new Promise<string>((resolve) => (stop = resolve));
  const onStart = (started: number) => {
    if (started === turnId) replyStartMs ??= Date.now();
  };
  const onStop = (stopped: number, reason: string) => {
    if (stopped === turnId) stop!(reason);
  };
  client.on('reply-start', onStart);
  client.on('reply-stop', onStop);
  try {
    const turnAudio = pcmChunks(audio, { realtime: true });
    const beginning = client.beginTurn({ preRollMs: 0 });
    if (!beginning) {
      emit({ e: 'turn', id, outcome: 'failed', reason: 'not-started', startedMs, audioEndMs: startedMs, endMs: Date.now(), frames: 0 });
      return;
    }
    turnId = beginning.turnId;
    for await (const chunk of turnAudio) {
      if (beginning.signal.aborted) break;
      beginning.sendPcm(chunk);
    }
    beginning.end(beginning.signal.aborted ? (beginning.abortReason ?? 'cancelled') : 'end-of-input');
    const audioEndMs = Date.now();
    const reason = await Promise.race([ended, sleep(settings.replyTimeoutMs).then(() => 'timeout')]);
    emit({ e: 'turn', id, outcome: reason === 'done' && replyStartMs !== undefined ? 'answered' : 'failed', reason, startedMs, audioEndMs, ...(replyStartMs !== undefined ? { replyStartMs } : {}), endMs: Date.now(), frames: beginning.frameCount });
  } finally {
    client.off('reply-start', onStart);
    client.off('reply-stop', onStop);
  }
}

async function satelliteLoop(client: HubClient, id: string): Promise<void> {
  // Spread the satellites over one period so that they do not all speak at once.
  await sleep(Math.random() * settings.turnEveryMs);
  while (running) {
    if (paused || !client.ready || !client.idle) {
      await sleep(100);
      continue;
    }
    const startedMs = Date.now();
    await turn(client, id);
    // Until the next turn is due, or the generator is stopped (a stop must not wait out the gap).
    const nextMs = startedMs + Math.max(settings.turnEveryMs, Date.now() - startedMs + settings.minGapMs);
    while (running && Date.now() < nextMs) await sleep(Math.min(100, nextMs - Date.now()));
  }
}

/** The stalled satellite's socket: paused so that nothing it is sent is read (the kernel buffers fill, then the hub's). */
function socketOf(client: HubClient): WebSocket | undefined {
  // A test harness reaching into the link: no satellite would do this on purpose.
  return (client.link as unknown as { socket?: WebSocket }).socket;
}
const pauseReading = (client: HubClient) => (socketOf(client) as unknown as { _socket?: { pause(): void } } | undefined)?._socket?.pause();
const resumeReading = (client: HubClient) => (socketOf(client) as unknown as { _socket?: { resume(): void } } | undefined)?._socket?.resume();

const clients = await Promise.all(settings.satellites.map(async (satellite) => ({ id: satellite.id, client: await startSatellite(satellite, settings.url) })));
const stalledClient = settings.stalled ? await startSatellite(settings.stalled, settings.wsUrl) : undefined;
// Each new connection of the stalled satellite is paused again once welcomed (the hub drops a connection that misses its heartbeats).
stalledClient?.on('ready', () => {
  if (stalled) pauseReading(stalledClient);
});
await Promise.all([...clients.map(({ client }) => client.waitReady(60_000)), stalledClient?.waitReady(60_000)]);
emit({ e: 'all-ready', atMs: Date.now() });

const loops = clients.map(({ client, id }) => satelliteLoop(client, id));
if (stalledClient) loops.push(satelliteLoop(stalledClient, settings.stalled!.id));

for await (const line of createInterface({ input: process.stdin })) {
  const command = JSON.parse(line) as LoadCommand;
  if (command.cmd === 'pause') paused = true;
  else if (command.cmd === 'resume') paused = false;
  else if (command.cmd === 'stall' && stalledClient) {
    stalled = true;
    pauseReading(stalledClient);
  } else if (command.cmd === 'unstall' && stalledClient) {
    stalled = false;
    resumeReading(stalledClient);
  } else if (command.cmd === 'stop') break;
}
running = false;
await Promise.all(loops);
await Promise.all([...clients.map(({ client }) => client.stop()), stalledClient?.stop()]);
emit({ e: 'stopped', unsentFrames, sentFrames });
process.exit(0);
