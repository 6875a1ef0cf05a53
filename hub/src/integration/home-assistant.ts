import type { Topics } from '@hugh/protocol';
import type { HubEvents } from '../events.js';
import type { MqttBus } from '../transport/mqtt-bus.js';

interface SatelliteInfo {
  room: string | undefined;
  softwareVersion: string;
}

export interface DiscoveryOptions {
  /** Home Assistant's discovery prefix (`homeAssistant.discoveryPrefix`). */
  discoveryPrefix: string;
  /** The house's satellites, when configured: entities of any other `hugh_<id>` are deleted; their rooms suggest areas. */
  satellites?: readonly { id: string; room?: string | undefined }[] | undefined;
  /** The hub's dashboard, every device's `configuration_url`; absent: no link. */
  dashboardUrl?: string | undefined;
  hubVersion: string;
}

type Payload = Record<string, unknown>;

/** Node id of the hub's own device: without the `hugh_` of satellites' nodes, so no satellite id can take it. */
export const HUB_NODE = 'hugh-hub';
const MANUFACTURER = 'H.U.G.H. Voice';
const ASSIST_STATES = ['idle', 'listening', 'processing', 'responding', 'muted'];

/**
 * An entity id's object part as Home Assistant makes it (`slugify`): lower-case letters, digits and
 * single underscores. The retired `object_id` was slugified by Home Assistant; `default_entity_id`
 * is taken as it is, so the same slug keeps every entity id what it was (`hugh_living_room_…`).
 */
export function entitySlug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/**
 * Home Assistant MQTT discovery. Each satellite is a device (its area suggested by its room) with an
 * assist-state sensor, a last-transcript sensor, a mute switch, a volume number, a listen button, an
 * announce text, and two diagnostic entities: its link (connectivity) and the last turn's latency.
 * The hub is a device of its own (the satellites connect through it): a problem sensor from the
 * retained `hugh/hub/capability` (its reasons as attributes) and a diagnostic sensor naming the
 * engines in trouble. Configs are retained under `<prefix>/<component>/<node>/<object>/config` with
 * `default_entity_id` (Home Assistant ≥ 2025.10; `object_id` is no longer read from 2026.4) and are
 * sent again when Home Assistant says it is online.
 */
export class HomeAssistantDiscovery {
  private readonly known = new Map<string, SatelliteInfo>();
  private readonly configured: ReadonlyMap<string, string | undefined> | undefined;

  constructor(
    private readonly bus: MqttBus,
    private readonly topics: Topics,
    private readonly events: HubEvents,
    private readonly options: DiscoveryOptions,
  ) {
    this.configured = options.satellites ? new Map(options.satellites.map((satellite) => [satellite.id, satellite.room])) : undefined;
  }

  async start(): Promise<void> {
    const prefix = this.options.discoveryPrefix;
    this.events.on('satellite-online', (id, info) => {
      if (this.configured && !this.configured.has(id)) return;
      this.known.set(id, { room: info.room ?? this.configured?.get(id), softwareVersion: info.softwareVersion });
      this.announce(this.configs(id, this.known.get(id)!));
    });
    if (this.configured) {
      // Retained configs of satellites no longer in the config (an external broker keeps them
      // across hub restarts): an empty retained payload makes Home Assistant delete the entity.
      const configured = this.configured;
      await this.bus.subscribe(`${prefix}/+/+/+/config`, (topic, payload) => {
        const node = topic.split('/')[2] ?? '';
        if (payload.length > 0 && node.startsWith('hugh_') && !configured.has(node.slice('hugh_'.length))) this.bus.publish(topic, '', { retain: true, qos: 1 });
      });
    }
    await this.bus.subscribe(`${prefix}/status`, (_topic, payload) => {
      if (payload.toString() !== 'online') return;
      this.announce(this.hubConfigs());
      for (const [id, info] of this.known) this.announce(this.configs(id, info));
    });
    this.announce(this.hubConfigs());
  }

  /** The discovery configs of one satellite: topic → payload. */
  configs(id: string, info: SatelliteInfo): Map<string, Payload> {
    const t = this.topics;
    const node = `hugh_${id}`;
    const device = {
      ...this.device(node, info.room ? `H.U.G.H. ${info.room}` : `H.U.G.H. ${id}`, 'Voice satellite', info.softwareVersion),
      ...(info.room ? { suggested_area: info.room } : {}),
      via_device: HUB_NODE,
    };
    const availability = { availability_topic: t.satellite(id, 'availability'), payload_available: 'online', payload_not_available: 'offline' };
    const entity = (component: string, object: string, body: Payload, available = true) =>
      this.entity(component, node, object, { ...(available ? availability : {}), device, ...body });
    return new Map([
      entity('sensor', 'assist_state', { name: 'Assist state', state_topic: t.satellite(id, 'state'), device_class: 'enum', options: ASSIST_STATES, icon: 'mdi:account-voice' }),
      entity('sensor', 'last_transcript', { name: 'Last transcript', state_topic: t.event(id, 'transcript'), value_template: '{{ value_json.text }}', icon: 'mdi:text' }),
      entity('switch', 'mute', {
        name: 'Mute',
        command_topic: t.command(id, 'mute'),
        payload_on: 'on',
        payload_off: 'off',
        state_topic: t.satellite(id, 'state'),
        value_template: "{{ 'on' if value == 'muted' else 'off' }}",
        state_on: 'on',
        state_off: 'off',
        icon: 'mdi:microphone-off',
      }),
      entity('number', 'volume', { name: 'Volume', command_topic: t.command(id, 'volume'), state_topic: t.satellite(id, 'volume'), min: 0, max: 100, step: 1, unit_of_measurement: '%', icon: 'mdi:volume-high' }),
      entity('button', 'listen', { name: 'Listen', command_topic: t.command(id, 'listen'), payload_press: 'listen', icon: 'mdi:microphone' }),
      entity('text', 'announce', { name: 'Announce', command_topic: t.command(id, 'say'), max: 255, icon: 'mdi:bullhorn' }),
      // Without availability of its own: "disconnected" is its state, not "unavailable".
      entity('binary_sensor', 'link', { name: 'Link', state_topic: t.satellite(id, 'availability'), payload_on: 'online', payload_off: 'offline', device_class: 'connectivity', entity_category: 'diagnostic' }, false),
      entity('sensor', 'last_turn_latency', {
        name: 'Last turn latency',
        state_topic: t.event(id, 'turn'),
        // From the end of speech to the first reply audio. A turn without either (nobody spoke, it
        // failed) renders nothing, which a numeric MQTT sensor ignores: it keeps the last value.
        value_template:
          '{% if value_json.times.firstAudioOutMs is defined and value_json.times.endOfSpeechMs is defined %}{{ (value_json.times.firstAudioOutMs - value_json.times.endOfSpeechMs) | round(0) | int }}{% endif %}',
        json_attributes_topic: t.event(id, 'turn'),
        json_attributes_template: "{{ {'outcome': value_json.outcome, 'stt_engine': value_json.sttEngine, 'tts_engine': value_json.ttsEngine, 'hub_overhead_ms': value_json.hubOverheadMs} | tojson }}",
        device_class: 'duration',
        state_class: 'measurement',
        unit_of_measurement: 'ms',
        entity_category: 'diagnostic',
        icon: 'mdi:timer-outline',
      }),
    ]);
  }

  /**
   * The hub's device. `hugh/hub/capability` is retained JSON `{state: full|degraded|down, reasons:
   * [{source, engine?, message}], sinceMs}`; availability follows the hub's will.
   */
  hubConfigs(): Map<string, Payload> {
    const capability = this.topics.hub('capability');
    const common = {
      availability_topic: this.topics.hub('availability'),
      payload_available: 'online',
      payload_not_available: 'offline',
      device: this.device(HUB_NODE, 'H.U.G.H. hub', 'Voice hub', this.options.hubVersion),
    };
    return new Map([
      this.entity('binary_sensor', HUB_NODE, 'problem', {
        ...common,
        name: 'Status',
        device_class: 'problem',
        state_topic: capability,
        value_template: "{{ 'OFF' if value_json.state == 'full' else 'ON' }}",
        json_attributes_topic: capability,
        json_attributes_template: "{{ {'state': value_json.state, 'reasons': value_json.reasons, 'since_ms': value_json.sinceMs} | tojson }}",
      }),
      this.entity('sensor', HUB_NODE, 'engines', {
        ...common,
        name: 'Engines in trouble',
        state_topic: capability,
        value_template: "{{ ((value_json.reasons | selectattr('engine', 'defined') | map(attribute='engine') | unique | join(', ')) or 'none') | truncate(255) }}",
        json_attributes_topic: capability,
        json_attributes_template: "{{ {'reasons': value_json.reasons | selectattr('engine', 'defined') | list} | tojson }}",
        entity_category: 'diagnostic',
        icon: 'mdi:engine',
      }),
    ]);
  }

  /** Deletes a satellite's entities (empty retained configs), e.g. after it was retired. */
  remove(id: string): void {
    const info = this.known.get(id) ?? { room: undefined, softwareVersion: '' };
    for (const topic of this.configs(id, info).keys()) this.bus.publish(topic, '', { retain: true, qos: 1 });
    this.known.delete(id);
  }

  private device(node: string, name: string, model: string, softwareVersion: string): Payload {
    return { identifiers: [node], name, manufacturer: MANUFACTURER, model, sw_version: softwareVersion, ...(this.options.dashboardUrl ? { configuration_url: this.options.dashboardUrl } : {}) };
  }

  private entity(component: string, node: string, object: string, body: Payload): readonly [string, Payload] {
    const uniqueId = `${node}_${object}`;
    return [
      `${this.options.discoveryPrefix}/${component}/${node}/${object}/config`,
      { ...body, unique_id: uniqueId, default_entity_id: `${component}.${entitySlug(uniqueId)}`, origin: { name: MANUFACTURER, sw_version: this.options.hubVersion } },
    ] as const;
  }

  private announce(configs: Map<string, Payload>): void {
    for (const [topic, payload] of configs) this.bus.publish(topic, JSON.stringify(payload), { retain: true, qos: 1 });
  }
}
