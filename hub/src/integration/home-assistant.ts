import type { Topics } from '@hugh/protocol';
import type { HubEvents } from '../events.js';
import type { MqttBus } from '../transport/mqtt-bus.js';

interface SatelliteInfo {
  room: string | undefined;
  softwareVersion: string;
}

/**
 * Home Assistant MQTT discovery: each satellite appears as a device with an assist-state sensor,
 * a last-transcript sensor, a mute switch, a volume number, a listen button and an announce text.
 * Configs are retained under `<discoveryPrefix>/<component>/hugh_<id>/<object>/config`, availability
 * follows the satellite's, and everything is sent again when Home Assistant says it is online.
 */
export class HomeAssistantDiscovery {
  private readonly known = new Map<string, SatelliteInfo>();

  constructor(
    private readonly bus: MqttBus,
    private readonly topics: Topics,
    private readonly events: HubEvents,
    private readonly discoveryPrefix = 'homeassistant',
    /** The house's satellites, when configured: entities of any other `hugh_<id>` are deleted. */
    private readonly configured?: ReadonlySet<string>,
  ) {}

  async start(): Promise<void> {
    this.events.on('satellite-online', (id, info) => {
      if (this.configured && !this.configured.has(id)) return;
      this.known.set(id, { room: info.room, softwareVersion: info.softwareVersion });
      this.announce(id);
    });
    if (this.configured) {
      // Retained configs of satellites no longer in the config (an external broker keeps them
      // across hub restarts): an empty retained payload makes Home Assistant delete the entity.
      await this.bus.subscribe(`${this.discoveryPrefix}/+/+/+/config`, (topic, payload) => {
        const node = topic.split('/')[2] ?? '';
        if (payload.length > 0 && node.startsWith('hugh_') && !this.configured!.has(node.slice('hugh_'.length))) this.bus.publish(topic, '', { retain: true, qos: 1 });
      });
    }
    await this.bus.subscribe(`${this.discoveryPrefix}/status`, (_topic, payload) => {
      if (payload.toString() === 'online') for (const id of this.known.keys()) this.announce(id);
    });
  }

  /** The discovery configs of one satellite: topic → payload. */
  configs(id: string, info: SatelliteInfo): Map<string, Record<string, unknown>> {
    const t = this.topics;
    const node = `hugh_${id}`;
    const common = {
      availability_topic: t.satellite(id, 'availability'),
      payload_available: 'online',
      payload_not_available: 'offline',
      device: { identifiers: [node], name: info.room ? `H.U.G.H. ${info.room}` : `H.U.G.H. ${id}`, manufacturer: 'H.U.G.H. Voice', model: 'Voice satellite', sw_version: info.softwareVersion },
    };
    const entity = (component: string, object: string, body: Record<string, unknown>) =>
      [`${this.discoveryPrefix}/${component}/${node}/${object}/config`, { ...common, unique_id: `${node}_${object}`, object_id: `${node}_${object}`, ...body }] as const;
    return new Map([
      entity('sensor', 'assist_state', { name: 'Assist state', state_topic: t.satellite(id, 'state'), icon: 'mdi:account-voice' }),
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
    ]);
  }

  private announce(id: string): void {
    const info = this.known.get(id);
    if (!info) return;
    for (const [topic, payload] of this.configs(id, info)) this.bus.publish(topic, JSON.stringify(payload), { retain: true, qos: 1 });
  }

  /** Deletes a satellite's entities (empty retained configs), e.g. after it was retired. */
  remove(id: string): void {
    const info = this.known.get(id) ?? { room: undefined, softwareVersion: '' };
    for (const topic of this.configs(id, info).keys()) this.bus.publish(topic, '', { retain: true, qos: 1 });
    this.known.delete(id);
  }
}
