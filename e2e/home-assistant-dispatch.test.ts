import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@hugh/common';
import { HubConfigSchema, createPipeline, parseWav, startHub, type Hub, type TurnRecord } from '@hugh/hub';
import { startFileSatellite } from '../testing/file-satellite.js';
import { fakeHomeAssistant, haAnswer, type AgentAnswer, type AgentRequest } from '../testing/home-assistant-server.js';
import { fakeHttpServer } from '../testing/http-server.js';
import { waitFor } from '../testing/net.js';
import { sharedPath } from '../testing/shared.js';
import { VOICES, synthesize } from '../testing/speech.js';

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.e2e-long-lived-token';
const STORY = 'Once upon a time, a fox lived in the woods.';

/**
 * Home Assistant as the house's device brain: spoken questions through a real file-fed satellite,
 * pocketsphinx and espeak-ng, with a local server speaking Home Assistant's conversation API (its
 * device registry knows the kitchen satellite, in the Kitchen area) and one speaking Ollama's.
 * `devices:` is empty, so "the kitchen lights" are not a local intent.
 */
describe('Home Assistant as a dispatch stage, end to end', () => {
  let hub: Hub | undefined;
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
    await hub?.close();
    hub = undefined;
  });

  /** Home Assistant's default agent in miniature: switches an area's lights, reading the area from the asking device. */
  function agent(request: AgentRequest): AgentAnswer {
    const conversationId = request.conversationId ?? '01JHUGHE2E0000000000000000';
    const match = /turn (on|off) (?:the )?(kitchen )?lights?/.exec(request.text);
    if (!match) return haAnswer.error('no_intent_match', "Sorry, I couldn't understand that", conversationId);
    const area = match[2] ? 'kitchen' : request.deviceId === 'dev-kitchen-satellite' ? 'kitchen' : undefined;
    if (!area) return haAnswer.error('no_valid_targets', 'Sorry, I am not aware of any area called the', conversationId);
    return haAnswer.done(`Turned ${match[1]} the lights in the ${area}.`, conversationId, [{ name: 'Kitchen', type: 'area', id: area }]);
  }

  async function run(options: { clip: string; homeAssistant: 'answers' | 'hangs' }) {
    const homeAssistant = await fakeHomeAssistant({
      token: TOKEN,
      devices: [{ id: 'dev-kitchen-satellite', identifiers: [['mqtt', 'hugh_kitchen']], area_id: 'kitchen' }],
      agent: options.homeAssistant === 'answers' ? agent : () => ({ fail: 'hang' }),
    });
    stops.push(() => homeAssistant.close());
    const ollama = await fakeHttpServer((_request, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.end(`${JSON.stringify({ message: { role: 'assistant', content: STORY }, done: false })}\n${JSON.stringify({ done: true })}\n`);
    });
    stops.push(() => ollama.close());
    const config = HubConfigSchema.parse({
      auth: { allowAnonymous: true },
      mqtt: { host: '127.0.0.1', port: 0 },
      http: { host: '127.0.0.1', port: 0 },
      vad: { modelPath: sharedPath('models/silero-vad/silero_vad_v5.onnx') },
      llm: { api: 'ollama', url: ollama.url, model: 'llama3.1:8b' },
      homeAssistant: { url: homeAssistant.url, token: TOKEN, timeoutMs: 1_000 },
    });
    const logger = silentLogger();
    hub = await startHub(config, { logger, services: (context) => createPipeline(config, logger, context) });
    const records: TurnRecord[] = [];
    hub.events.on('turn', (record) => records.push(record));
    const satellite = await startFileSatellite({ hubUrl: `mqtt://127.0.0.1:${hub.mqttPort}`, id: 'kitchen', room: 'Kitchen', clip: options.clip, playbackFormats: [{ sampleRateHz: 22_050, channels: 1 }] });
    stops.push(satellite.stop);
    await waitFor(() => records.length === 1 && satellite.sink.files.length === 1, 'the spoken reply', 25_000);
    const reply = parseWav(readFileSync(satellite.sink.files[0]!));
    return { record: records[0]!, homeAssistant, ollama, replySeconds: reply.samples.length / reply.sampleRateHz };
  }

  it('"turn on the kitchen lights" reaches Home Assistant as the kitchen satellite\'s device, and its answer is spoken', async () => {
    const { record, homeAssistant, ollama, replySeconds } = await run({ clip: synthesize('hey jarvis, turn on the kitchen lights', VOICES[0]!), homeAssistant: 'answers' });
    expect(record.transcript).toMatch(/turn on the kitchen lights/);
    expect(homeAssistant.asked).toEqual([{ via: 'websocket', text: record.transcript, deviceId: 'dev-kitchen-satellite' }]);
    expect(record).toMatchObject({ outcome: 'answered', replyText: 'Turned on the lights in the kitchen.' });
    expect(replySeconds).toBeGreaterThan(1);
    expect(ollama.requests).toHaveLength(0);
  }, 40_000);

  it('"tell me a story": Home Assistant has no intent for it, and the language model answers', async () => {
    const { record, homeAssistant, ollama } = await run({ clip: synthesize('hey jarvis, tell me a story', VOICES[0]!), homeAssistant: 'answers' });
    expect(homeAssistant.asked.map((request) => request.text)).toEqual([record.transcript]);
    expect(record).toMatchObject({ outcome: 'answered', replyText: STORY });
    expect(ollama.requests).toHaveLength(1);
  }, 40_000);

  it('Home Assistant not answering costs its timeout (1 s here), then the language model answers', async () => {
    const { record, ollama } = await run({ clip: synthesize('hey jarvis, tell me a story', VOICES[0]!), homeAssistant: 'hangs' });
    expect(record).toMatchObject({ outcome: 'answered', replyText: STORY });
    expect(ollama.requests).toHaveLength(1);
    // From the transcript to the first reply text: Home Assistant's timeout, plus the local model's answer.
    const waitedMs = record.times.firstReplyTextMs! - record.times.transcriptMs!;
    expect(waitedMs).toBeGreaterThanOrEqual(950);
    expect(waitedMs).toBeLessThan(1_000 + 700);
  }, 40_000);
});
