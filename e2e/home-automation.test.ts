import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { silentLogger } from '@hugh/common';
import { HubConfigSchema, createPipeline, parseWav, startHub, type Hub } from '@hugh/hub';
import { startFileSatellite } from '../testing/file-satellite.js';
import { Mosquitto } from '../testing/mosquitto.js';
import { freePort, waitFor } from '../testing/net.js';
import { sharedPath } from '../testing/shared.js';
import { VOICES, clipSeconds, synthesize } from '../testing/speech.js';

/** Home automation as an outside MQTT client sees it, through a real Mosquitto the test starts. */
describe('home automation over MQTT (Mosquitto)', () => {
  let mosquitto: Mosquitto;
  let hub: Hub;
  let outside: MqttClient;
  const stops: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    mosquitto = new Mosquitto(await freePort());
    await mosquitto.start();
    const config = HubConfigSchema.parse({ auth: { allowAnonymous: true },
      mqtt: { brokerUrl: mosquitto.url },
      http: { host: '127.0.0.1', port: 0 },
      vad: { modelPath: sharedPath('models/silero-vad/silero_vad_v5.onnx') },
      hermes: { enabled: true },
      homeAssistant: { dashboardUrl: 'http://127.0.0.1:18750/' },
      devices: [{ name: 'kitchen lights', room: 'Kitchen', commandTopic: 'zigbee2mqtt/kitchen_lights/set', payloadOn: '{"state":"ON"}', payloadOff: '{"state":"OFF"}' }],
    });
    const logger = silentLogger();
    hub = await startHub(config, { logger, services: (context) => createPipeline(config, logger, context) });
    outside = await mqtt.connectAsync(mosquitto.url, { clientId: 'home-assistant', protocolVersion: 4 });
  });
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
    await outside.endAsync(true);
    await hub.close();
    await mosquitto.kill();
  });

  /** A satellite whose microphone is `clip` (then a quiet room), playing into a WAV sink. */
  async function satellite(id: string, room: string, clip?: string) {
    const started = await startFileSatellite({ hubUrl: mosquitto.url, id, room, ...(clip ? { clip } : {}), playbackFormats: [{ sampleRateHz: 22_050, channels: 1 }], replyTimeoutMs: 10_000 });
    stops.push(started.stop);
    return started;
  }

  it('Home Assistant discovery: retained configs with unique_id, default_entity_id, device, availability and state/command topics; re-sent on homeassistant/status; deletable', async () => {
    await satellite('kitchen', 'Kitchen');
    const configs = new Map<string, Record<string, unknown>>();
    outside.on('message', (topic, payload, packet) => {
      if (topic.endsWith('/config') && packet.retain && payload.length > 0) configs.set(topic, JSON.parse(payload.toString()));
    });
    await outside.subscribeAsync(['homeassistant/+/hugh_kitchen/+/config', 'homeassistant/+/hugh-hub/+/config']);
    await waitFor(() => configs.size === 10, 'ten retained discovery configs');
    expect([...configs.keys()].sort()).toEqual([
      'homeassistant/binary_sensor/hugh-hub/problem/config',
      'homeassistant/binary_sensor/hugh_kitchen/link/config',
      'homeassistant/button/hugh_kitchen/listen/config',
      'homeassistant/number/hugh_kitchen/volume/config',
      'homeassistant/sensor/hugh-hub/engines/config',
      'homeassistant/sensor/hugh_kitchen/assist_state/config',
      'homeassistant/sensor/hugh_kitchen/last_transcript/config',
      'homeassistant/sensor/hugh_kitchen/last_turn_latency/config',
      'homeassistant/switch/hugh_kitchen/mute/config',
      'homeassistant/text/hugh_kitchen/announce/config',
    ]);
    for (const [topic, config] of configs) {
      expect(config).not.toHaveProperty('object_id');
      const [, component, node, object] = topic.split('/');
      // The entity ids Home Assistant made from object_id before, unchanged.
      expect(config.default_entity_id).toBe(`${component}.${node!.replace('-', '_')}_${object}`);
      if (node === 'hugh-hub') {
        expect(config).toMatchObject({ availability_topic: 'hugh/hub/availability', state_topic: 'hugh/hub/capability', device: { identifiers: ['hugh-hub'], configuration_url: 'http://127.0.0.1:18750/' } });
        continue;
      }
      expect(config).toMatchObject({
        unique_id: `hugh_kitchen_${object}`,
        device: {
          identifiers: ['hugh_kitchen'],
          name: 'H.U.G.H. Kitchen',
          manufacturer: 'H.U.G.H. Voice',
          model: 'Voice satellite',
          sw_version: '9.9.9',
          suggested_area: 'Kitchen',
          configuration_url: 'http://127.0.0.1:18750/',
          via_device: 'hugh-hub',
        },
      });
      if (object !== 'link') expect(config.availability_topic).toBe('hugh/sat/kitchen/availability');
      expect(config.state_topic ?? config.command_topic).toMatch(/^hugh\/sat\/kitchen\//);
    }
    expect(configs.get('homeassistant/switch/hugh_kitchen/mute/config')).toMatchObject({ command_topic: 'hugh/sat/kitchen/cmd/mute', state_topic: 'hugh/sat/kitchen/state' });

    // Home Assistant restarts: discovery comes again (not as retained replays, as fresh publishes).
    const fresh: string[] = [];
    outside.on('message', (topic, _payload, packet) => !packet.retain && topic.endsWith('/config') && fresh.push(topic));
    await outside.publishAsync('homeassistant/status', 'online');
    await waitFor(() => fresh.length === 10, 'discovery sent again');

    hub.homeAssistant.remove('kitchen');
    const late = await mqtt.connectAsync(mosquitto.url, { clientId: 'late', protocolVersion: 4 });
    const left: string[] = [];
    late.on('message', (topic, payload) => payload.length > 0 && left.push(topic));
    await late.subscribeAsync('homeassistant/+/hugh_kitchen/+/config');
    // Retained messages come right after the SUBACK, in order: once a later subscription's retained
    // marker has arrived, the configs would have come before it.
    await outside.publishAsync('test/marker', 'x', { retain: true, qos: 1 });
    let marked = false;
    late.on('message', (topic) => topic === 'test/marker' && (marked = true));
    await late.subscribeAsync('test/marker');
    await waitFor(() => marked, 'the retained marker');
    expect(left.filter((topic) => topic !== 'test/marker')).toEqual([]);
    await late.endAsync(true);
  });

  it('say makes speech arrive at one satellite’s sink; hub/cmd/say with a room reaches only that room', async () => {
    const kitchen = await satellite('kitchen', 'Kitchen');
    const den = await satellite('den', 'Den');
    await outside.publishAsync('hugh/sat/kitchen/cmd/say', 'Dinner is ready.');
    await waitFor(() => kitchen.sink.files.length === 1, 'the announcement on the kitchen satellite', 10_000);
    const speech = parseWav(readFileSync(kitchen.sink.files[0]!));
    expect(speech.samples.length / speech.sampleRateHz).toBeGreaterThan(0.5);
    expect(speech.samples.some((sample) => Math.abs(sample) > 2_000)).toBe(true);

    await outside.publishAsync('hugh/hub/cmd/say', JSON.stringify({ text: 'The door is open.', room: 'den' }));
    await waitFor(() => den.sink.files.length === 1, 'the announcement in the den', 10_000);
    expect(kitchen.sink.files).toHaveLength(1);
  }, 30_000);

  it('mute over MQTT stops wake detection: "hey jarvis" starts no turn', async () => {
    // The wake word comes 1.5 s into the clip; the mute arrives within milliseconds of the start.
    const clip = synthesize('hey jarvis, what time is it', VOICES[0]!, { padS: 1.5 });
    const wakes: number[] = [];
    hub.events.on('wake', (_id, wake) => wakes.push(wake.turnId));
    const attic = await satellite('attic', 'Attic', clip);
    await outside.publishAsync('hugh/sat/attic/cmd/mute', 'on');
    await waitFor(() => attic.client.muted, 'muted');
    // The whole clip, wake word included, has gone through the muted satellite.
    await waitFor(() => attic.heardSeconds() >= clipSeconds(clip) + 0.5, 'the clip to be heard', 10_000);
    expect(wakes).toEqual([]);
    expect(attic.satellite.state).toBe('muted');
  }, 30_000);

  it('Rhasspy Hermes: hermes/tts/say speaks on the site, and a wake word is published on hermes/hotword/<id>/detected', async () => {
    const hermes: { topic: string; body: Record<string, unknown> }[] = [];
    outside.on('message', (topic, payload) => topic.startsWith('hermes/') && hermes.push({ topic, body: JSON.parse(payload.toString()) }));
    await outside.subscribeAsync(['hermes/hotword/+/detected', 'hermes/asr/textCaptured', 'hermes/tts/sayFinished']);
    const office = await satellite('office', 'Office', synthesize('hey jarvis, what time is it', VOICES[2]!));
    await outside.publishAsync('hermes/tts/say', JSON.stringify({ text: 'Hello from Rhasspy.', siteId: 'office', id: 'say-1', sessionId: 'dialogue-9' }));
    await waitFor(() => office.sink.files.length >= 1, 'the Hermes announcement', 10_000);
    await waitFor(() => hermes.some((entry) => entry.topic === 'hermes/tts/sayFinished'), 'sayFinished once it has been spoken', 10_000);
    expect(hermes.find((entry) => entry.topic === 'hermes/tts/sayFinished')?.body).toEqual({ id: 'say-1', siteId: 'office', sessionId: 'dialogue-9' });
    await waitFor(() => hermes.some((entry) => entry.topic === 'hermes/asr/textCaptured'), 'the transcript on Hermes', 15_000);
    expect(hermes.find((entry) => entry.topic === 'hermes/hotword/hey_jarvis/detected')?.body).toMatchObject({ siteId: 'office', modelId: 'hey_jarvis' });
    expect(hermes.find((entry) => entry.topic === 'hermes/asr/textCaptured')?.body).toMatchObject({ siteId: 'office', text: expect.stringMatching(/time/) });
  }, 30_000);

  it('a spoken device intent publishes the intent and the mapped payload on the device’s own topic, and confirms', async () => {
    const seen: { topic: string; payload: string }[] = [];
    outside.on('message', (topic, payload) => seen.push({ topic, payload: payload.toString() }));
    await outside.subscribeAsync(['zigbee2mqtt/kitchen_lights/set', 'hugh/sat/+/event/intent', 'hugh/sat/+/event/reply', 'hugh/sat/+/event/transcript', 'hermes/intent/+']);
    await satellite('kitchen', 'Kitchen', synthesize('hey jarvis, turn on the kitchen lights', VOICES[0]!));
    await waitFor(() => seen.some((message) => message.topic === 'hugh/sat/kitchen/event/reply'), 'the spoken confirmation', 20_000);
    const payloads = (topic: string) => seen.filter((message) => message.topic === topic).map((message) => message.payload);
    expect(payloads('zigbee2mqtt/kitchen_lights/set')).toEqual(['{"state":"ON"}']);
    expect(JSON.parse(payloads('hugh/sat/kitchen/event/intent')[0]!)).toEqual({ name: 'HassTurnOn', slots: { device: 'kitchen lights' } });
    expect(JSON.parse(payloads('hugh/sat/kitchen/event/reply')[0]!).text).toBe('Turning on the kitchen lights.');
    const transcript = JSON.parse(seen.find((message) => message.topic === 'hugh/sat/kitchen/event/transcript')!.payload) as { turnId: number; text: string };
    // Rhasspy apps read the words and the session of an intent.
    expect(JSON.parse(payloads('hermes/intent/HassTurnOn')[0]!)).toMatchObject({ siteId: 'kitchen', input: transcript.text, sessionId: String(transcript.turnId), intent: { intentName: 'HassTurnOn' } });
  }, 30_000);

  it('listen starts a turn without the wake word: the question after it is answered', async () => {
    const replies: string[] = [];
    outside.on('message', (topic, payload) => topic.endsWith('/event/reply') && replies.push(JSON.parse(payload.toString()).text));
    await outside.subscribeAsync('hugh/sat/+/event/reply');
    // No wake word in this clip: the question starts 1 s in.
    const den = await satellite('den', 'Den', synthesize('what time is it', VOICES[1]!, { padS: 1 }));
    await outside.publishAsync('hugh/sat/den/cmd/listen', '');
    await waitFor(() => replies.length === 1, 'the answer', 20_000);
    expect(replies[0]).toMatch(/^It's /);
    await waitFor(() => den.sink.files.length === 1, 'the spoken answer');
  }, 30_000);
});

describe('Home Assistant entities of satellites removed from the config', () => {
  it('are deleted when the hub starts (empty retained configs)', async () => {
    const mosquitto = new Mosquitto(await freePort());
    await mosquitto.start();
    const before = await mqtt.connectAsync(mosquitto.url, { clientId: 'old-hub', protocolVersion: 4 });
    await before.publishAsync('homeassistant/switch/hugh_garage/mute/config', JSON.stringify({ unique_id: 'hugh_garage_mute' }), { retain: true, qos: 1 });
    await before.publishAsync('homeassistant/switch/hugh_kitchen/mute/config', JSON.stringify({ unique_id: 'hugh_kitchen_mute' }), { retain: true, qos: 1 });
    // Watching from before the hub starts: the deletion (an empty retained config) is the event to wait for.
    const deleted: string[] = [];
    before.on('message', (topic, payload, packet) => !packet.retain && payload.length === 0 && deleted.push(topic));
    await before.subscribeAsync('homeassistant/#');
    const hub = await startHub(HubConfigSchema.parse({ auth: { allowAnonymous: true }, mqtt: { brokerUrl: mosquitto.url }, http: { host: '127.0.0.1', port: 0 }, satellites: [{ id: 'kitchen' }] }), { logger: silentLogger() });
    try {
      await waitFor(() => deleted.includes('homeassistant/switch/hugh_garage/mute/config'), 'the garage config to be deleted');
      await before.endAsync();
      const after = await mqtt.connectAsync(mosquitto.url, { clientId: 'home-assistant', protocolVersion: 4 });
      const left: string[] = [];
      after.on('message', (topic, payload) => payload.length > 0 && left.push(topic));
      await after.subscribeAsync('homeassistant/#');
      await waitFor(() => left.length >= 3, "the retained configs (the hub device's two, the kitchen's)");
      expect(left.filter((topic) => !topic.includes('/hugh-hub/'))).toEqual(['homeassistant/switch/hugh_kitchen/mute/config']);
      await after.endAsync(true);
    } finally {
      await hub.close();
      await mosquitto.kill();
    }
  });
});
