import type { Logger } from '@hugh/common';
import { encodeMessage, hubMessage, satelliteClientId, type ErrorCode, type HubMessage, type Topics } from '@hugh/protocol';
import type { BrokerClients, LinkInputs, SatelliteLink } from './link.js';
import type { MqttBus } from './mqtt-bus.js';

/** The hub's end of a satellite that talks MQTT: its `down/…` topics. */
class MqttSatelliteLink implements SatelliteLink {
  readonly transport = 'mqtt';
  readonly remote: string;
  /** A message on a satellite's topics can only be from that satellite: the broker's rules see to it. */
  readonly identity: string;
  private closed = false;
  /** The satellite's MQTT client id, worked out once: sendAudio asks the broker about it per frame. */
  private readonly clientId: string;

  constructor(
    readonly satelliteId: string,
    private readonly bus: MqttBus,
    private readonly topics: Topics,
    private readonly clients: BrokerClients | undefined,
    private readonly release: (link: MqttSatelliteLink) => void,
  ) {
    this.clientId = satelliteClientId(satelliteId);
    this.remote = `mqtt:${this.clientId}`;
    this.identity = satelliteId;
  }

  sendControl(message: HubMessage): void {
    this.bus.publish(this.topics.satellite(this.satelliteId, 'down/ctl'), encodeMessage(message));
  }

  sendAudio(frame: Uint8Array): boolean {
    // A satellite that does not read would otherwise make the broker queue every frame for it, and
    // hold up every other client's messages behind them.
    if (this.closed || this.clients?.congested(this.clientId)) return false;
    this.bus.publish(this.topics.satellite(this.satelliteId, 'down/audio'), Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength));
    return true;
  }

  close(code: ErrorCode): void {
    if (this.closed) return;
    this.closed = true;
    this.release(this);
    this.sendControl(hubMessage({ type: 'error', code, message: 'disconnected by the hub' }));
    // An external broker gives the hub no way to drop a client; the session ignores it instead.
    this.clients?.disconnect(this.clientId);
  }
}

/**
 * Routes each satellite's `up/…` topics to the session layer. A satellite's MQTT "connection" is
 * its namespace: it starts with a hello and ends when its will (or itself) says "offline".
 */
export class MqttTransport {
  private readonly links = new Map<string, MqttSatelliteLink>();

  constructor(
    private readonly bus: MqttBus,
    private readonly topics: Topics,
    private readonly inputs: LinkInputs,
    private readonly logger: Logger,
    /** The embedded broker's clients; absent with an external broker, which buffers and drops by its own rules. */
    private readonly clients?: BrokerClients,
  ) {}

  async start(): Promise<void> {
    await this.bus.subscribe(this.topics.allSatellites('up/ctl'), (topic, payload) => this.route(topic, payload, 'ctl'));
    await this.bus.subscribe(this.topics.allSatellites('up/audio'), (topic, payload) => this.route(topic, payload, 'audio'));
    await this.bus.subscribe(this.topics.allSatellites('availability'), (topic, payload) => {
      const parsed = this.safeParse(topic);
      if (parsed?.kind !== 'satellite' || payload.toString() !== 'offline') return;
      const link = this.links.get(parsed.satelliteId);
      if (!link) return;
      this.links.delete(parsed.satelliteId);
      this.inputs.onClosed(link);
    });
  }

  /** Tells a client, on its own topic, that the broker dropped one of its publishes. */
  reportRefused(satelliteId: string, code: ErrorCode, reason: string): void {
    this.link(satelliteId).sendControl(hubMessage({ type: 'error', code, message: reason }));
  }

  private safeParse(topic: string) {
    try {
      return this.topics.parse(topic);
    } catch {
      return undefined;
    }
  }

  private link(satelliteId: string): MqttSatelliteLink {
    let link = this.links.get(satelliteId);
    if (!link) {
      link = new MqttSatelliteLink(satelliteId, this.bus, this.topics, this.clients, (closed) => {
        if (this.links.get(satelliteId) === closed) this.links.delete(satelliteId);
      });
      this.links.set(satelliteId, link);
    }
    return link;
  }

  private route(topic: string, payload: Buffer, kind: 'ctl' | 'audio'): void {
    const parsed = this.safeParse(topic);
    if (parsed?.kind !== 'satellite') {
      this.logger.warn({ topic }, 'message on a topic outside the tree ignored');
      return;
    }
    const link = this.link(parsed.satelliteId);
    if (kind === 'ctl') this.inputs.onControl(link, payload);
    else this.inputs.onAudio(link, payload);
  }
}
