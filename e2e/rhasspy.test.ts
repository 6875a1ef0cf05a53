import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@hugh/common';
import { CredentialStore, HubConfigSchema, createPipeline, parseWav, startHub, type Hub, type TurnRecord } from '@hugh/hub';
import type { SatelliteState } from '@hugh/protocol';
import { waitFor } from '../testing/net.js';
import { startRhasspySite } from '../testing/rhasspy-site.js';
import { sharedPath } from '../testing/shared.js';
import { VOICES, synthesize } from '../testing/speech.js';

/**
 * Rhasspy 2.5 satellites served by the hub, over its embedded broker with logins on: a site publishes
 * real WAV chunks of synthesised speech in real time and its wake word, and gets its spoken reply as
 * playBytes. The pipeline is the hub's own (Silero, pocketsphinx, local intents, espeak-ng).
 */
describe('Rhasspy (Hermes) satellites', () => {
  let hub: Hub;
  const passwords: Record<string, string> = {};
  const stops: (() => Promise<void>)[] = [];
  const records: TurnRecord[] = [];
  const states: [string, SatelliteState][] = [];

  beforeEach(async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'hugh-rhasspy-'));
    const store = CredentialStore.load(join(stateDir, 'credentials.json'));
    passwords.attic = await store.issue('rhasspy', 'attic');
    passwords.den = await store.issue('rhasspy', 'den');
    passwords.ha = await store.issue('integration', 'ha');
    const config = HubConfigSchema.parse({
      mqtt: { host: '127.0.0.1', port: 0 },
      http: { host: '127.0.0.1', port: 0 },
      state: { dir: stateDir },
      vad: { modelPath: sharedPath('models/silero-vad/silero_vad_v5.onnx') },
      hermes: { enabled: true, sites: [{ siteId: 'attic', room: 'Attic' }, { siteId: 'den' }] },
    });
    const logger = silentLogger();
    hub = await startHub(config, { logger, services: (context) => createPipeline(config, logger, context) });
    records.length = 0;
    states.length = 0;
    hub.events.on('turn', (record) => records.push(record));
    hub.events.on('state', (id, state) => states.push([id, state]));
  });
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
    await hub.close();
  });

  async function site(siteId: string, format: { sampleRateHz?: number; channels?: 1 | 2 } = {}) {
    const started = await startRhasspySite({ url: `mqtt://127.0.0.1:${hub.mqttPort}`, siteId, username: siteId, password: passwords[siteId]!, ...format });
    stops.push(started.stop);
    return started;
  }

  it.each([
    ['16 kHz mono', {}],
    ['48 kHz stereo (converted at the edge)', { sampleRateHz: 48_000, channels: 2 as const }],
  ])('a site streaming WAV chunks (%s) gets its spoken reply as playBytes, framed by hotword toggles as Rhasspy expects', async (_name, format) => {
    const attic = await site('attic', format);
    await attic.wakeAndSay(synthesize('what time is it', VOICES[0]!, { padS: 0.3 }));
    await waitFor(() => attic.played.length === 1, 'the reply as playBytes', 20_000);
    const [record] = records;
    expect(record).toMatchObject({ satelliteId: 'attic', outcome: 'answered', keyword: 'porcupine' });
    expect(record!.transcript).toMatch(/what time is it/);
    expect(record!.replyText).toMatch(/^It's \d{1,2}:\d{2} [AP]M\.$/);

    const reply = parseWav(attic.played[0]!.wav);
    expect(reply.sampleRateHz).toBe(22_050); // espeak-ng's own rate: the site plays any WAV
    expect(reply.samples.length / reply.sampleRateHz).toBeGreaterThan(0.8);
    expect(Math.sqrt(reply.samples.reduce((sum, sample) => sum + sample * sample, 0) / reply.samples.length)).toBeGreaterThan(500);

    // After playFinished (the simulated speaker answers when the WAV's length has passed) the hotword listens again.
    await waitFor(() => attic.on('hermes/hotword/toggleOn').length === 2, 'the hotword toggled on after the reply and the session', 10_000);
    const sequence = attic.received.map((message) => (message.topic.includes('/playBytes/') ? 'playBytes' : `${message.topic.split('/').slice(1).join('/')} ${String(message.json?.reason ?? '')}`.trim()));
    expect(sequence).toEqual([
      'hotword/toggleOff dialogueSession',
      'asr/startListening',
      'asr/stopListening',
      'hotword/toggleOff playAudio',
      'playBytes',
      'hotword/toggleOn playAudio',
      'hotword/toggleOn dialogueSession',
    ]);
    expect(attic.on('hermes/asr/startListening')[0]!.json).toMatchObject({ siteId: 'attic', sessionId: String(record!.turnId), wakewordId: 'porcupine' });
    const toggleOn = attic.on('hermes/hotword/toggleOn')[0]!;
    const playLengthMs = (reply.samples.length / reply.sampleRateHz) * 1000;
    expect(toggleOn.atMs - attic.played[0]!.atMs).toBeGreaterThanOrEqual(playLengthMs - 50); // not before the site said it had played it
    // Home Assistant sees the site as any satellite: listening, processing, responding, idle.
    await waitFor(() => states.filter(([id]) => id === 'attic').at(-1)?.[1] === 'idle', 'the site idle again');
    expect(states.filter(([id]) => id === 'attic').map(([, state]) => state)).toEqual(['streaming', 'waiting', 'speaking', 'idle']);
  }, 40_000);

  it('hermes/tts/say is spoken on the site as playBytes, and answered by hermes/tts/sayFinished with its id and session once it has been played', async () => {
    const attic = await site('attic');
    const integration = await mqtt.connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`, { clientId: 'ha-1', username: 'ha', password: passwords.ha!, protocolVersion: 4 });
    stops.push(() => integration.endAsync(true));
    const finished: { atMs: number; body: unknown }[] = [];
    integration.on('message', (topic, payload) => topic === 'hermes/tts/sayFinished' && finished.push({ atMs: Date.now(), body: JSON.parse(payload.toString()) }));
    await integration.subscribeAsync('hermes/tts/sayFinished');
    await integration.publishAsync('hermes/tts/say', JSON.stringify({ text: 'The laundry is done.', siteId: 'attic', id: 'say-42', sessionId: 'session-7', lang: null }));
    await waitFor(() => finished.length === 1, 'sayFinished', 15_000);
    expect(finished[0]!.body).toEqual({ id: 'say-42', siteId: 'attic', sessionId: 'session-7' });
    expect(attic.played).toHaveLength(1);
    const reply = parseWav(attic.played[0]!.wav);
    // Spoken means played: not before the site has had the time to play the WAV it was sent.
    expect(finished[0]!.atMs - attic.played[0]!.atMs).toBeGreaterThanOrEqual((reply.samples.length / reply.sampleRateHz) * 1000 - 100);
  }, 30_000);

  it("a site cannot wake another site (the embedded broker reads the hotword's siteId); a site not in hermes.sites is not served", async () => {
    passwords.garage = await hub.credentials!.issue('rhasspy', 'garage'); // a login, but no entry in hermes.sites
    const attic = await site('attic');
    const den = await site('den');
    const garage = await site('garage');
    const integration = await mqtt.connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`, { clientId: 'ha-2', username: 'ha', password: passwords.ha!, protocolVersion: 4 });
    stops.push(() => integration.endAsync(true));
    const detected: string[] = [];
    integration.on('message', (_topic, payload) => detected.push(String((JSON.parse(payload.toString()) as { siteId?: unknown }).siteId)));
    await integration.subscribeAsync('hermes/hotword/+/detected');
    const wake = (siteId: string) => JSON.stringify({ modelId: 'porcupine', modelVersion: '', modelType: 'personal', currentSensitivity: 0.5, siteId });
    await attic.client.publishAsync('hermes/hotword/porcupine/detected', wake('den'), { qos: 1 });
    await garage.client.publishAsync('hermes/hotword/porcupine/detected', wake('garage'), { qos: 1 });
    await den.client.publishAsync('hermes/hotword/porcupine/detected', wake('den'), { qos: 1 });
    await waitFor(() => detected.includes('den'), "the den's own wake word");
    // Attic's forgery for the den was refused by the broker; the garage's own wake word went through, and the hub ignored it.
    expect(detected).toEqual(['garage', 'den']);
    const listening = (siteId: string) => den.on('hermes/asr/startListening').filter((message) => message.json?.siteId === siteId);
    await waitFor(() => listening('den').length === 1, 'the den listening');
    expect(listening('attic')).toEqual([]);
    expect(listening('garage')).toEqual([]);
  }, 30_000);
});
