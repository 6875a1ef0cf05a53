import { Aedes } from 'aedes';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@hugh/common';
import { Topics } from '@hugh/protocol';
import { AedesBus, HUB_NODE, HomeAssistantDiscovery, HubEvents, entitySlug } from '@hugh/hub';
import { renderJinja } from '../../testing/jinja.js';

/**
 * Home Assistant's documented MQTT discovery keys per platform (home-assistant.io/integrations/
 * <platform>.mqtt, as of 2025.10: `default_entity_id` in, `object_id` deprecated then, ignored from
 * 2026.4, so it is not in this table). A payload with a key outside its platform's row, or without a
 * required one, fails here before Home Assistant would refuse it or drop the key.
 */
const COMMON = [
  'availability', 'availability_mode', 'availability_template', 'availability_topic', 'default_entity_id', 'device', 'enabled_by_default', 'encoding',
  'entity_category', 'entity_picture', 'icon', 'json_attributes_template', 'json_attributes_topic', 'name', 'origin', 'payload_available',
  'payload_not_available', 'platform', 'qos', 'unique_id',
];
const PLATFORMS: Record<string, { keys: string[]; required: string[]; categories: string[] }> = {
  sensor: {
    keys: ['device_class', 'expire_after', 'force_update', 'last_reset_value_template', 'options', 'state_class', 'state_topic', 'suggested_display_precision', 'unit_of_measurement', 'value_template'],
    required: ['state_topic'],
    categories: ['diagnostic'], // "When set, the entity category must be diagnostic for sensors."
  },
  binary_sensor: {
    keys: ['device_class', 'expire_after', 'force_update', 'off_delay', 'payload_off', 'payload_on', 'state_topic', 'value_template'],
    required: ['state_topic'],
    categories: ['diagnostic'],
  },
  switch: {
    keys: ['command_template', 'command_topic', 'device_class', 'optimistic', 'payload_off', 'payload_on', 'retain', 'state_off', 'state_on', 'state_topic', 'value_template'],
    required: ['command_topic'],
    categories: ['config', 'diagnostic'],
  },
  number: {
    keys: ['command_template', 'command_topic', 'device_class', 'max', 'min', 'mode', 'optimistic', 'payload_reset', 'retain', 'state_topic', 'step', 'unit_of_measurement', 'value_template'],
    required: ['command_topic'],
    categories: ['config', 'diagnostic'],
  },
  button: { keys: ['command_template', 'command_topic', 'device_class', 'payload_press', 'retain'], required: ['command_topic'], categories: ['config', 'diagnostic'] },
  text: { keys: ['command_template', 'command_topic', 'max', 'min', 'mode', 'pattern', 'retain', 'state_topic', 'value_template'], required: ['command_topic'], categories: ['config', 'diagnostic'] },
};
const DEVICE_KEYS = ['configuration_url', 'connections', 'hw_version', 'identifiers', 'manufacturer', 'model', 'model_id', 'name', 'serial_number', 'suggested_area', 'sw_version', 'via_device'];
const ORIGIN_KEYS = ['name', 'sw_version', 'support_url'];
/** homeassistant.core.valid_entity_id: `domain.object`, lower-case letters, digits, single inner underscores. */
const ENTITY_ID = /^(?!.+__)(?!_)[\da-z_]+(?<!_)\.(?!_)[\da-z_]+(?<!_)$/;
const TEMPLATE_KEYS = ['value_template', 'json_attributes_template', 'command_template', 'availability_template'];

/** Every check of one discovery payload against the table; returns it for further checks. */
function checkPayload(topic: string, payload: Record<string, unknown>, prefix = 'homeassistant') {
  const [, component, node, object] = topic.split('/');
  expect(topic, topic).toMatch(new RegExp(`^${prefix}/[a-z_]+/[A-Za-z0-9_-]+/[A-Za-z0-9_-]+/config$`));
  const platform = PLATFORMS[component!];
  expect(platform, `platform ${component}`).toBeDefined();
  for (const key of Object.keys(payload)) expect([...COMMON, ...platform!.keys], `${topic}: ${key}`).toContain(key);
  for (const key of ['unique_id', 'device', 'default_entity_id', ...platform!.required]) expect(payload, `${topic}: ${key}`).toHaveProperty(key);
  expect(payload).not.toHaveProperty('object_id');
  expect(payload.unique_id).toBe(`${node}_${object}`);
  expect(payload.default_entity_id).toMatch(ENTITY_ID);
  expect(String(payload.default_entity_id).startsWith(`${component}.`), `${topic}: domain of ${payload.default_entity_id}`).toBe(true);
  for (const key of Object.keys(payload.device as object)) expect(DEVICE_KEYS, `${topic}: device.${key}`).toContain(key);
  for (const key of Object.keys(payload.origin as object)) expect(ORIGIN_KEYS, `${topic}: origin.${key}`).toContain(key);
  expect((payload.device as { identifiers: unknown[] }).identifiers.length).toBeGreaterThan(0);
  if (payload.entity_category !== undefined) expect(platform!.categories, `${topic}: entity_category`).toContain(payload.entity_category);
  return payload;
}

const topics = new Topics('hugh');
let broker: Aedes | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (broker ? broker.close(() => resolve()) : resolve()));
  broker = undefined;
});

/** Discovery on a real (in-process) aedes broker; every retained config it publishes is collected. */
async function discovery(options: { dashboardUrl?: string; satellites?: { id: string; room?: string }[] } = {}) {
  broker = await Aedes.createBroker();
  const bus = new AedesBus(broker, silentLogger());
  const published = new Map<string, Record<string, unknown>>();
  await bus.subscribe('homeassistant/+/+/+/config', (topic, payload) => void (payload.length > 0 ? published.set(topic, JSON.parse(payload.toString())) : published.delete(topic)));
  const events = new HubEvents();
  const ha = new HomeAssistantDiscovery(bus, topics, events, { discoveryPrefix: 'homeassistant', hubVersion: '1.2.3', ...options });
  await ha.start();
  return { ha, events, published };
}

describe('Home Assistant discovery payloads', () => {
  it('pass the key table: default_entity_id, no object_id, documented keys only, required ones present', async () => {
    const { events, published } = await discovery({ dashboardUrl: 'http://hub.lan:8750/' });
    events.emit('satellite-online', 'living-room', { room: 'Living room', softwareVersion: '9.9.9', transport: 'mqtt', link: { hubIndex: 0, hubCount: 1 } });
    const expected = [
      'homeassistant/binary_sensor/hugh-hub/problem/config',
      'homeassistant/sensor/hugh-hub/engines/config',
      'homeassistant/sensor/hugh_living-room/assist_state/config',
      'homeassistant/sensor/hugh_living-room/last_transcript/config',
      'homeassistant/switch/hugh_living-room/mute/config',
      'homeassistant/number/hugh_living-room/volume/config',
      'homeassistant/button/hugh_living-room/listen/config',
      'homeassistant/text/hugh_living-room/announce/config',
      'homeassistant/binary_sensor/hugh_living-room/link/config',
      'homeassistant/sensor/hugh_living-room/last_turn_latency/config',
    ];
    await expect.poll(() => [...published.keys()].sort()).toEqual([...expected].sort());
    for (const [topic, payload] of published) checkPayload(topic, payload);
  });

  // Regression: object_id was the only thing naming entity ids; they must not change with default_entity_id.
  it('keeps entity ids what object_id made them (Home Assistant slugified it; a "-" becomes "_")', async () => {
    const { events, published } = await discovery();
    events.emit('satellite-online', 'living-room', { room: undefined, softwareVersion: '1', transport: 'ws', link: { hubIndex: 0, hubCount: 1 } });
    events.emit('satellite-online', 'kitchen', { room: 'Kitchen', softwareVersion: '1', transport: 'mqtt', link: { hubIndex: 0, hubCount: 1 } });
    await expect.poll(() => published.size).toBe(18);
    expect(published.get('homeassistant/sensor/hugh_kitchen/assist_state/config')!.default_entity_id).toBe('sensor.hugh_kitchen_assist_state');
    expect(published.get('homeassistant/switch/hugh_living-room/mute/config')!.default_entity_id).toBe('switch.hugh_living_room_mute');
    expect(published.get('homeassistant/binary_sensor/hugh-hub/problem/config')!.default_entity_id).toBe('binary_sensor.hugh_hub_problem');
    expect(entitySlug('hugh_a--b__c_')).toBe('hugh_a_b_c');
  });

  it('links each device to the dashboard, suggests the room as its area, and hangs satellites off the hub device', async () => {
    const { events, published } = await discovery({ dashboardUrl: 'http://hub.lan:8750/', satellites: [{ id: 'den', room: 'Den' }] });
    events.emit('satellite-online', 'den', { room: undefined, softwareVersion: '9.9.9', transport: 'mqtt', link: { hubIndex: 0, hubCount: 1 } });
    await expect.poll(() => published.size).toBe(10);
    expect(published.get('homeassistant/sensor/hugh_den/assist_state/config')!.device).toEqual({
      identifiers: ['hugh_den'],
      name: 'H.U.G.H. Den',
      manufacturer: 'H.U.G.H. Voice',
      model: 'Voice satellite',
      sw_version: '9.9.9',
      configuration_url: 'http://hub.lan:8750/',
      suggested_area: 'Den', // from `satellites:` when the hello names no room
      via_device: HUB_NODE,
    });
    expect(published.get('homeassistant/binary_sensor/hugh-hub/problem/config')!.device).toMatchObject({ identifiers: [HUB_NODE], sw_version: '1.2.3', configuration_url: 'http://hub.lan:8750/' });
  });

  it('puts the technical entities in the diagnostic category, and only those', async () => {
    const { events, published } = await discovery();
    events.emit('satellite-online', 'den', { room: 'Den', softwareVersion: '1', transport: 'mqtt', link: { hubIndex: 0, hubCount: 1 } });
    await expect.poll(() => published.size).toBe(10);
    const diagnostic = [...published].filter(([, payload]) => payload.entity_category === 'diagnostic').map(([topic]) => topic.split('/').slice(2, 4).join('/'));
    expect(diagnostic.sort()).toEqual(['hugh-hub/engines', 'hugh_den/last_turn_latency', 'hugh_den/link']);
    // The link shows "disconnected" rather than going unavailable with the satellite.
    expect(published.get('homeassistant/binary_sensor/hugh_den/link/config')).not.toHaveProperty('availability_topic');
  });

  it('without a dashboard URL, devices carry no configuration_url', async () => {
    const { published } = await discovery();
    await expect.poll(() => published.size).toBe(2);
    for (const payload of published.values()) expect(payload.device).not.toHaveProperty('configuration_url');
  });
});

describe('Home Assistant discovery templates, rendered by Jinja2', () => {
  const render = (payload: Record<string, unknown>, key: string, message: string) => {
    let json: unknown;
    try {
      json = JSON.parse(message);
    } catch {
      json = undefined;
    }
    return renderJinja(String(payload[key]), { value: message, ...(json === undefined ? {} : { value_json: json }) });
  };

  it('every template in every payload renders', async () => {
    const { events, published } = await discovery();
    events.emit('satellite-online', 'den', { room: 'Den', softwareVersion: '1', transport: 'mqtt', link: { hubIndex: 0, hubCount: 1 } });
    await expect.poll(() => published.size).toBe(10);
    const samples: Record<string, string> = {
      'hugh/sat/den/state': 'muted',
      'hugh/sat/den/event/transcript': JSON.stringify({ turnId: 1, text: 'what time is it' }),
      'hugh/sat/den/event/turn': JSON.stringify({ satelliteId: 'den', turnId: 1, outcome: 'answered', times: { turnStartMs: 1, endOfSpeechMs: 1000.4, firstAudioOutMs: 1642.9 }, engineMs: {}, sttEngine: 'pocketsphinx', ttsEngine: 'espeak-ng', hubOverheadMs: 3 }),
      'hugh/hub/capability': JSON.stringify({ state: 'full', reasons: [], sinceMs: 1 }),
    };
    let rendered = 0;
    for (const [topic, payload] of published) {
      for (const key of TEMPLATE_KEYS.filter((name) => payload[name] !== undefined)) {
        const source = String(key === 'json_attributes_template' ? payload.json_attributes_topic : payload.state_topic);
        expect(() => render(payload, key, samples[source]!), `${topic} ${key}`).not.toThrow();
        rendered++;
      }
    }
    expect(rendered).toBe(8);
  });

  it('the satellite templates read the hub’s own messages', async () => {
    const { events, published } = await discovery();
    events.emit('satellite-online', 'den', { room: 'Den', softwareVersion: '1', transport: 'mqtt', link: { hubIndex: 0, hubCount: 1 } });
    await expect.poll(() => published.size).toBe(10);
    const mute = published.get('homeassistant/switch/hugh_den/mute/config')!;
    expect(render(mute, 'value_template', 'muted')).toBe('on');
    expect(render(mute, 'value_template', 'idle')).toBe('off');
    const transcript = published.get('homeassistant/sensor/hugh_den/last_transcript/config')!;
    expect(render(transcript, 'value_template', JSON.stringify({ turnId: 3, text: 'turn on the lights' }))).toBe('turn on the lights');
    const latency = published.get('homeassistant/sensor/hugh_den/last_turn_latency/config')!;
    const turn = (times: Record<string, number>) => JSON.stringify({ satelliteId: 'den', turnId: 1, outcome: 'answered', times: { turnStartMs: 0, ...times }, engineMs: {} });
    expect(render(latency, 'value_template', turn({ endOfSpeechMs: 1000.4, firstAudioOutMs: 1642.9 }))).toBe('643');
    // A turn without reply audio renders nothing: Home Assistant keeps the sensor's last value.
    expect(render(latency, 'value_template', turn({ endOfSpeechMs: 1000 }))).toBe('');
    expect(JSON.parse(render(latency, 'json_attributes_template', JSON.stringify({ outcome: 'answered', sttEngine: 'pocketsphinx', ttsEngine: 'espeak-ng', hubOverheadMs: 2.5, times: {} })))).toEqual({
      outcome: 'answered',
      stt_engine: 'pocketsphinx',
      tts_engine: 'espeak-ng',
      hub_overhead_ms: 2.5,
    });
  });

  it('the hub device reads hugh/hub/capability: problem on unless full, reasons as attributes, the engines in trouble named', async () => {
    const { published } = await discovery();
    await expect.poll(() => published.size).toBe(2);
    const problem = published.get('homeassistant/binary_sensor/hugh-hub/problem/config')!;
    const engines = published.get('homeassistant/sensor/hugh-hub/engines/config')!;
    expect(problem).toMatchObject({ device_class: 'problem', state_topic: 'hugh/hub/capability', json_attributes_topic: 'hugh/hub/capability', availability_topic: 'hugh/hub/availability' });
    const full = JSON.stringify({ state: 'full', reasons: [], sinceMs: 1_700_000_000_000 });
    const reasons = [
      { source: 'stt', engine: 'whisper-cpp http://gpu.lan:8080', message: 'unreachable' },
      { source: 'convex', message: 'no worker for llama3.3:70b' },
      { source: 'tts', engine: 'outetts', message: 'timed out' },
    ];
    const degraded = JSON.stringify({ state: 'degraded', reasons, sinceMs: 1_700_000_000_500 });
    expect(render(problem, 'value_template', full)).toBe('OFF');
    expect(render(problem, 'value_template', degraded)).toBe('ON');
    expect(render(problem, 'value_template', JSON.stringify({ state: 'down', reasons: [], sinceMs: 2 }))).toBe('ON');
    expect(JSON.parse(render(problem, 'json_attributes_template', degraded))).toEqual({ state: 'degraded', reasons, since_ms: 1_700_000_000_500 });
    expect(render(engines, 'value_template', full)).toBe('none');
    expect(render(engines, 'value_template', degraded)).toBe('whisper-cpp http://gpu.lan:8080, outetts');
    expect(JSON.parse(render(engines, 'json_attributes_template', degraded))).toEqual({ reasons: [reasons[0], reasons[2]] });
    const many = JSON.stringify({ state: 'degraded', reasons: Array.from({ length: 40 }, (_, i) => ({ source: 'stt', engine: `engine-number-${i}`, message: 'x' })), sinceMs: 1 });
    expect(render(engines, 'value_template', many).length).toBeLessThanOrEqual(255); // Home Assistant's longest state
  });
});
