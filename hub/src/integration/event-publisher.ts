import type { SatelliteState, Topics } from '@hugh/protocol';
import type { HubEvents } from '../events.js';
import type { MqttBus } from '../transport/mqtt-bus.js';

/** Satellite states as Home Assistant's assist satellites name them. */
const ASSIST_STATE: Record<SatelliteState, string> = { idle: 'idle', streaming: 'listening', waiting: 'processing', speaking: 'responding', muted: 'muted' };

/**
 * Publishes what happens for home automation: availability, state, the satellite's hub link and
 * the hub's capability (retained), and events
 * (wake, transcript, reply, turn timing, error) as JSON on `<prefix>/sat/<id>/event/<name>`.
 * Text and metadata only: no audio is ever published here.
 */
export class EventPublisher {
  constructor(
    private readonly bus: MqttBus,
    private readonly topics: Topics,
    private readonly events: HubEvents,
  ) {}

  start(): void {
    const { bus, topics, events } = this;
    const event = (satelliteId: string, name: string, body: unknown) => bus.publish(topics.event(satelliteId, name), JSON.stringify(body));
    // WebSocket satellites have no MQTT will: the hub keeps their availability for them.
    events.on('satellite-online', (id, info) => {
      bus.publish(topics.satellite(id, 'availability'), 'online', { retain: true, qos: 1 });
      // Which of its hubs the satellite is on; the hub that serves it says so on its own broker.
      const link = { hubIndex: info.link.hubIndex, hubCount: info.link.hubCount, primary: info.link.hubIndex === 0, transport: info.transport };
      bus.publish(topics.satellite(id, 'link'), JSON.stringify(link), { retain: true, qos: 1 });
    });
    events.on('satellite-offline', (id) => bus.publish(topics.satellite(id, 'availability'), 'offline', { retain: true, qos: 1 }));
    events.on('state', (id, state) => bus.publish(topics.satellite(id, 'state'), ASSIST_STATE[state], { retain: true, qos: 1 }));
    events.on('volume', (id, percent) => bus.publish(topics.satellite(id, 'volume'), String(percent), { retain: true, qos: 1 }));
    events.on('wake', (id, wake) => event(id, 'wake', { turnId: wake.turnId, engine: wake.engine, keyword: wake.keyword, score: wake.score, levelDbfs: wake.levelDbfs }));
    events.on('transcript', (id, turnId, text) => event(id, 'transcript', { turnId, text }));
    events.on('intent', (id, intent) => event(id, 'intent', intent));
    events.on('device-command', (topic, payload) => bus.publish(topic, payload));
    events.on('arbitration-lost', (id, turnId, winner) => event(id, 'arbitration', { turnId, winner }));
    events.on('turn', (record) => {
      if (record.replyText !== undefined) event(record.satelliteId, 'reply', { turnId: record.turnId, text: record.replyText });
      event(record.satelliteId, 'turn', record);
    });
    events.on('capability', (capability) => bus.publish(topics.hub('capability'), JSON.stringify(capability), { retain: true, qos: 1 }));
    events.on('error', (id, error) => {
      if (id !== undefined) event(id, 'error', error);
      else bus.publish(topics.hub('error'), JSON.stringify(error));
    });
  }
}
