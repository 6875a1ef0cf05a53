import type { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from '@hugh/common';
import { filterMatches } from './mqtt-filter.js';

export type BusHandler = (topic: string, payload: Buffer) => void;

/** The hub's view of an MQTT broker: the embedded aedes in-process, or an external one over TCP. */
export interface MqttBus {
  readonly kind: 'embedded' | 'external';
  subscribe(filter: string, handler: BusHandler): Promise<void>;
  publish(topic: string, payload: string | Buffer, options?: { retain?: boolean; qos?: 0 | 1 }): void;
  close(): Promise<void>;
}

/** In-process publish/subscribe on the embedded broker: no loopback socket, no serialisation. */
export class AedesBus implements MqttBus {
  readonly kind = 'embedded';
  constructor(
    private readonly broker: Aedes,
    private readonly logger: Logger,
  ) {}

  subscribe(filter: string, handler: BusHandler): Promise<void> {
    return new Promise((resolve) => {
      this.broker.subscribe(
        filter,
        (packet, callback) => {
          try {
            handler(packet.topic, packet.payload as Buffer);
          } catch (error) {
            this.logger.error({ err: error, topic: packet.topic }, 'bus handler threw');
          }
          callback();
        },
        () => resolve(),
      );
    });
  }

  publish(topic: string, payload: string | Buffer, options: { retain?: boolean; qos?: 0 | 1 } = {}): void {
    this.broker.publish(
      { cmd: 'publish', topic, payload: typeof payload === 'string' ? Buffer.from(payload) : payload, qos: options.qos ?? 0, retain: options.retain ?? false, dup: false },
      (error) => {
        if (error) this.logger.warn({ err: error, topic }, 'embedded publish failed');
      },
    );
  }

  async close(): Promise<void> {}
}

/** The hub as a client of an external broker (Mosquitto). mqtt.js resubscribes after reconnects. */
export class ExternalBus implements MqttBus {
  readonly kind = 'external';
  private readonly handlers: { filter: string; handler: BusHandler }[] = [];

  private constructor(
    private readonly client: MqttClient,
    private readonly logger: Logger,
  ) {
    client.on('message', (topic, payload) => {
      for (const { filter, handler } of this.handlers) {
        if (!filterMatches(filter, topic)) continue;
        try {
          handler(topic, payload);
        } catch (error) {
          this.logger.error({ err: error, topic }, 'bus handler threw');
        }
      }
    });
  }

  static async connect(
    url: string,
    options: { clientId: string; will: { topic: string; payload: string }; username?: string; password?: string },
    logger: Logger,
  ): Promise<ExternalBus> {
    const client = mqtt.connect(url, {
      clientId: options.clientId,
      protocolVersion: 4,
      clean: true,
      keepalive: 10,
      reconnectPeriod: 1_000,
      connectTimeout: 5_000,
      // Stale audio must not burst out after a reconnect (DESIGN §4).
      queueQoSZero: false,
      will: { topic: options.will.topic, payload: Buffer.from(options.will.payload), qos: 1, retain: true },
      ...(options.username !== undefined ? { username: options.username, password: options.password } : {}),
    });
    client.on('error', (error) => logger.warn({ err: error, url }, 'external broker error'));
    // Audio frames are small and late is useless: no Nagle towards the broker either.
    client.on('connect', () => (client.stream as { setNoDelay?: (noDelay: boolean) => void }).setNoDelay?.(true));
    // After every (re)connect: the broker may have restarted and lost the retained "online".
    client.on('connect', () => client.publish(options.will.topic, 'online', { qos: 1, retain: true }));
    client.on('offline', () => logger.warn({ url }, 'external broker unreachable; retrying'));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`external broker ${url} did not accept a connection within 10 s`)), 10_000);
      client.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
    }).catch((error) => {
      client.end(true);
      throw error;
    });
    return new ExternalBus(client, logger);
  }

  async subscribe(filter: string, handler: BusHandler): Promise<void> {
    this.handlers.push({ filter, handler });
    await this.client.subscribeAsync(filter, { qos: 0 });
  }

  publish(topic: string, payload: string | Buffer, options: { retain?: boolean; qos?: 0 | 1 } = {}): void {
    this.client.publish(topic, payload, { qos: options.qos ?? 0, retain: options.retain ?? false }, (error) => {
      if (error) this.logger.debug({ err: error, topic }, 'external publish dropped');
    });
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}
