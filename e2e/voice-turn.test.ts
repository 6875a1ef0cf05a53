import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@hugh/common';
import { HubConfigSchema, createPipeline, parseWav, startHub, type Hub, type TurnRecord } from '@hugh/hub';
import mqtt from 'mqtt';
import { startFileSatellite } from '../testing/file-satellite.js';
import { fakeHttpServer } from '../testing/http-server.js';
import { waitFor } from '../testing/net.js';
import { sharedPath } from '../testing/shared.js';
import { VOICES, synthesize } from '../testing/speech.js';

/**
 * A whole spoken turn on the embedded defaults: flite says "hey jarvis, what time is it" into a
 * satellite's file input; openWakeWord, Silero VAD, pocketsphinx, the local reply and espeak-ng
 * do the rest, and the reply lands in the satellite's WAV sink.
 */
describe('a spoken turn end to end (local engines)', () => {
  let hub: Hub | undefined;
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
    await hub?.close();
  });

  it.each([
    ['MQTT', (h: Hub) => `mqtt://127.0.0.1:${h.mqttPort}`],
    ['WebSocket', (h: Hub) => `ws://127.0.0.1:${h.httpPort}`],
  ])('over %s', async (_name, hubUrl) => {
    const records: TurnRecord[] = [];
    const config = HubConfigSchema.parse({ auth: { allowAnonymous: true },
      mqtt: { host: '127.0.0.1', port: 0 },
      http: { host: '127.0.0.1', port: 0 },
      vad: { modelPath: sharedPath('models/silero-vad/silero_vad_v5.onnx') },
    });
    const logger = silentLogger();
    hub = await startHub(config, { logger, services: (context) => createPipeline(config, logger, context) });
    hub.events.on('turn', (record) => records.push(record));

    const { sink, stop } = await startFileSatellite({ hubUrl: hubUrl(hub), id: 'kitchen', clip: synthesize('hey jarvis, what time is it', VOICES[0]!, { padS: 1 }) });
    stops.push(stop);

    await waitFor(() => sink.files.length === 1 && records.length === 1, 'the spoken reply', 20_000);
    const [record] = records;
    expect(record).toMatchObject({ outcome: 'answered', keyword: 'hey_jarvis', sttEngine: 'pocketsphinx', ttsEngine: 'espeak-ng' });
    expect(record!.transcript).toMatch(/what time is it/);
    expect(record!.replyText).toMatch(/^It's \d{1,2}:\d{2} [AP]M\.$/);
    for (const stage of ['wakeMs', 'endOfSpeechMs', 'transcriptMs', 'firstReplyTextMs', 'firstAudioOutMs', 'lastAudioOutMs'] as const) {
      expect(record!.times[stage], stage).toBeGreaterThan(0);
    }

    // The reply is speech: about a second or two long, and not silence.
    const reply = parseWav(readFileSync(sink.files[0]!));
    expect(reply.sampleRateHz).toBe(22_050); // espeak-ng's own rate, which the satellite plays: no resampling
    const seconds = reply.samples.length / reply.sampleRateHz;
    expect(seconds).toBeGreaterThan(0.8);
    expect(seconds).toBeLessThan(4);
    const rms = Math.sqrt(reply.samples.reduce((sum, sample) => sum + sample * sample, 0) / reply.samples.length);
    expect(rms).toBeGreaterThan(500);
  }, 40_000);

  it('every TTS engine down: the turn fails with a coded error and the satellite plays its error chime', async () => {
    const records: TurnRecord[] = [];
    const config = HubConfigSchema.parse({ auth: { allowAnonymous: true },
      mqtt: { host: '127.0.0.1', port: 0 },
      http: { host: '127.0.0.1', port: 0 },
      vad: { modelPath: sharedPath('models/silero-vad/silero_vad_v5.onnx') },
      tts: { engines: [{ type: 'openai', url: 'http://127.0.0.1:1', timeoutMs: 1_000 }] },
    });
    const logger = silentLogger();
    hub = await startHub(config, { logger, services: (context) => createPipeline(config, logger, context) });
    hub.events.on('turn', (record) => records.push(record));
    const errors: string[] = [];
    const { sink, stop } = await startFileSatellite({
      hubUrl: `ws://127.0.0.1:${hub.httpPort}`,
      id: 'den',
      clip: synthesize('hey jarvis, what time is it', VOICES[1]!),
      chimes: true,
      beforeRun: async (client) => void client.on('hub-error', (code) => errors.push(code)),
    });
    stops.push(stop);
    await waitFor(() => records.length === 1 && errors.length > 0, 'the failed turn', 20_000);
    expect(records[0]).toMatchObject({ outcome: 'failed', transcript: expect.stringMatching(/time/) });
    expect(records[0]!.error).toMatch(/every tts engine failed/);
    expect(errors).toContain('HUGH_ERR_ENGINE_UNAVAILABLE');
    // wake, done (end of listening), error
    await waitFor(() => sink.chimes.length === 3, 'the error chime');
    expect(sink.files).toEqual([]);
  }, 40_000);

  it('publishes availability, retained assist state and the turn’s events for home automation (WebSocket satellite)', async () => {
    const config = HubConfigSchema.parse({ auth: { allowAnonymous: true }, mqtt: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 }, vad: { modelPath: sharedPath('models/silero-vad/silero_vad_v5.onnx') } });
    const logger = silentLogger();
    hub = await startHub(config, { logger, services: (context) => createPipeline(config, logger, context) });
    const watcher = await mqtt.connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`, { clientId: 'home-assistant', protocolVersion: 4 });
    const seen: { topic: string; payload: string; retain: boolean }[] = [];
    watcher.on('message', (topic, payload, packet) => seen.push({ topic, payload: payload.toString(), retain: packet.retain }));
    await watcher.subscribeAsync(['hugh/sat/+/state', 'hugh/sat/+/availability', 'hugh/sat/+/event/+']);
    stops.push(() => watcher.endAsync(true));

    const office = await startFileSatellite({ hubUrl: `ws://127.0.0.1:${hub.httpPort}`, id: 'office', clip: synthesize('hey jarvis, what time is it', VOICES[3]!) });
    stops.push(office.stop);
    await waitFor(() => seen.some((message) => message.topic === 'hugh/sat/office/event/turn'), 'the turn event', 20_000);
    await waitFor(() => seen.filter((message) => message.topic === 'hugh/sat/office/state').at(-1)?.payload === 'idle', 'idle again');

    const payloads = (topic: string) => seen.filter((message) => message.topic === topic).map((message) => message.payload);
    expect(payloads('hugh/sat/office/availability')).toEqual(['online']);
    expect(payloads('hugh/sat/office/state')).toEqual(['listening', 'processing', 'responding', 'idle']);
    expect(JSON.parse(payloads('hugh/sat/office/event/wake')[0]!)).toMatchObject({ keyword: 'hey_jarvis', engine: 'openwakeword' });
    expect(JSON.parse(payloads('hugh/sat/office/event/transcript')[0]!).text).toMatch(/time/);
    expect(JSON.parse(payloads('hugh/sat/office/event/reply')[0]!).text).toMatch(/^It's /);
    expect(JSON.parse(payloads('hugh/sat/office/event/turn')[0]!)).toMatchObject({ outcome: 'answered', satelliteId: 'office' });
    // No audio on any of these topics: JSON and state names only.
    expect(seen.every((message) => !message.topic.includes('audio'))).toBe(true);

    // A late subscriber gets the retained state and availability at once.
    const late = await mqtt.connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`, { clientId: 'late', protocolVersion: 4 });
    const retained: string[] = [];
    late.on('message', (topic, payload, packet) => packet.retain && retained.push(`${topic}=${payload.toString()}`));
    await late.subscribeAsync(['hugh/sat/office/state', 'hugh/sat/office/availability']);
    await waitFor(() => retained.length === 2, 'retained messages');
    expect(retained.sort()).toEqual(['hugh/sat/office/availability=online', 'hugh/sat/office/state=idle']);
    await late.endAsync(true);
  }, 40_000);

  // Regression: the first sentence used to wait for the second to be written before it played.
  it('a language model’s answer is spoken while the model is still writing it (Ollama wire format from a local server)', async () => {
    let secondSentenceSentMs = 0;
    const ollama = await fakeHttpServer(async (_request, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      const piece = (content: string, done = false) => res.write(`${JSON.stringify({ message: { role: 'assistant', content }, done })}\n`);
      piece('Once upon a time, ');
      piece('a fox lived in the woods. ');
      await new Promise((resolve) => setTimeout(resolve, 2_000)); // the model thinking between sentences (not a wait)
      secondSentenceSentMs = Date.now();
      piece('It was very clever.');
      piece('', true);
      res.end();
    });
    stops.push(() => ollama.close());
    const records: TurnRecord[] = [];
    const config = HubConfigSchema.parse({ auth: { allowAnonymous: true },
      mqtt: { host: '127.0.0.1', port: 0 },
      http: { host: '127.0.0.1', port: 0 },
      vad: { modelPath: sharedPath('models/silero-vad/silero_vad_v5.onnx') },
      llm: { api: 'ollama', url: ollama.url, model: 'llama3.1:8b' },
    });
    const logger = silentLogger();
    hub = await startHub(config, { logger, services: (context) => createPipeline(config, logger, context) });
    hub.events.on('turn', (record) => records.push(record));
    const { sink, stop } = await startFileSatellite({ hubUrl: `mqtt://127.0.0.1:${hub.mqttPort}`, id: 'nursery', clip: synthesize('hey jarvis, tell me a story', VOICES[0]!) });
    stops.push(stop);
    await waitFor(() => records.length === 1 && sink.files.length === 1, 'the story', 25_000);
    const [record] = records;
    expect(record!.outcome).toBe('answered');
    expect(record!.replyText).toBe('Once upon a time, a fox lived in the woods. It was very clever.');
    // The first sentence was already playing before the model wrote the second.
    expect(record!.times.firstAudioOutMs!).toBeLessThan(secondSentenceSentMs);
    const reply = parseWav(readFileSync(sink.files[0]!));
    expect(reply.samples.length / reply.sampleRateHz).toBeGreaterThan(2.5);
  }, 40_000);

  it('a finished timer is announced on the satellite that set it', async () => {
    const config = HubConfigSchema.parse({ auth: { allowAnonymous: true },
      mqtt: { host: '127.0.0.1', port: 0 },
      http: { host: '127.0.0.1', port: 0 },
      vad: { modelPath: sharedPath('models/silero-vad/silero_vad_v5.onnx') },
      state: { dir: mkdtempSync(join(tmpdir(), 'hugh-state-')) },
    });
    const logger = silentLogger();
    hub = await startHub(config, { logger, services: (context) => createPipeline(config, logger, context) });
    const { sink, stop } = await startFileSatellite({ hubUrl: `ws://127.0.0.1:${hub.httpPort}`, id: 'kitchen' });
    stops.push(stop);
    // Typed as the kitchen satellite (the dashboard can ask on a satellite's behalf): the same local intent a spoken one reaches.
    const asked = await fetch(`http://127.0.0.1:${hub.httpPort}/api/ask`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'set a timer for one second', satelliteId: 'kitchen' }) });
    expect(await asked.json()).toEqual({ reply: 'Timer set for 1 second.' });
    await waitFor(() => sink.files.length === 1, 'the timer announcement', 10_000);
    const speech = parseWav(readFileSync(sink.files[0]!));
    expect(speech.samples.length / speech.sampleRateHz).toBeGreaterThan(1);
  }, 30_000);
});
