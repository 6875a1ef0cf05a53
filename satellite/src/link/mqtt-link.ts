import { EventEmitter } from 'node:events';
import mqtt, { type MqttClient } from 'mqtt';
import { Backoff, RetryTimer, type Logger } from '@hugh/common';
import {
  decodeAudioFrame,
  decodeHubMessage,
  encodeMessage,
  HughError,
  probeClientId,
  satelliteClientId,
  type SatelliteMessage,
  type Topics,
} from '@hugh/protocol';
import { isTlsError, newCounters, targetCredentials, type HubLink, type HubLinkEvents, type HubTarget } from './hub-link.js';

export interface MqttLinkOptions {
  url: string;
  satelliteId: string;
  topics: Topics;
  logger: Logger;
  username?: string;
  /** The house CA that the hub's mqtts certificate must chain to. */
  ca?: Buffer;
  password?: string;
  backoff?: Backoff;
  keepaliveS?: number;
}

/**
 * MQTT 3.1.1 link (aedes speaks only v4). Reconnects are ours, not mqtt.js's fixed period:
 * `reconnectPeriod: 0` and `client.reconnect()` after a jittered backoff.
 */
export class MqttHubLink extends EventEmitter<HubLinkEvents> implements HubLink {
  readonly counters = newCounters();
  private client: MqttClient | undefined;
  private isUp = false;
  private readonly retry: RetryTimer;
  private readonly ctlUp: string;
  private readonly audioUp: string;
  private readonly ctlDown: string;
  private readonly audioDown: string;
  private readonly availability: string;
  private readonly hubAvailability: string;

  constructor(private readonly options: MqttLinkOptions) {
    super();
    this.retry = new RetryTimer(options.backoff ?? new Backoff(), () => this.client?.reconnect());
    const { topics, satelliteId } = options;
    this.ctlUp = topics.satellite(satelliteId, 'up/ctl');
    this.audioUp = topics.satellite(satelliteId, 'up/audio');
    this.ctlDown = topics.satellite(satelliteId, 'down/ctl');
    this.audioDown = topics.satellite(satelliteId, 'down/audio');
    this.availability = topics.satellite(satelliteId, 'availability');
    this.hubAvailability = topics.hub('availability');
  }

  get url(): string {
    return this.options.url;
  }

  get connected(): boolean {
    return this.isUp && this.client?.connected === true;
  }

  start(): void {
    if (this.client) return;
    const { logger } = this.options;
    const client = mqtt.connect(this.options.url, {
      clientId: satelliteClientId(this.options.satelliteId),
      protocolVersion: 4,
      clean: true,
      keepalive: this.options.keepaliveS ?? 10,
      connectTimeout: 5_000,
      reconnectPeriod: 0,
      // Publishes made while offline are dropped, never replayed: stale audio must not burst out.
      queueQoSZero: false,
      will: { topic: this.availability, payload: Buffer.from('offline'), qos: 1, retain: true },
      ...(this.options.username !== undefined ? { username: this.options.username, password: this.options.password ?? '' } : {}),
      ...(this.options.ca ? { ca: this.options.ca } : {}),
    });
    this.client = client;
    client.on('connect', () => {
      this.retry.succeeded();
      // Audio frames are small and late is useless: no Nagle. mqtt.js leaves it on.
      (client.stream as { setNoDelay?: (noDelay: boolean) => void }).setNoDelay?.(true);
      client.publish(this.availability, 'online', { qos: 1, retain: true });
      client.subscribe([this.ctlDown, this.audioDown, this.hubAvailability], { qos: 0 }, (error) => {
        if (error) {
          this.emit('problem', error);
          return;
        }
        this.isUp = true;
        logger.info({ url: this.url }, 'connected to hub (mqtt)');
        this.emit('up');
      });
    });
    client.on('message', (topic, payload) => {
      try {
        if (topic === this.audioDown) this.emit('audio', decodeAudioFrame(payload));
        else if (topic === this.ctlDown) this.emit('control', decodeHubMessage(payload));
        else if (topic === this.hubAvailability) this.emit('hub-status', payload.toString() === 'online');
      } catch (error) {
        this.emit('problem', error as Error);
      }
    });
    client.on('error', (error) => {
      if ((error as { code?: unknown }).code === 5 || (error as { code?: unknown }).code === 4) {
        logger.warn('the hub refused the login (not authorized): check the satellite id and password');
        this.emit('refused', 'login', error.message);
      } else if (isTlsError(error)) {
        logger.warn({ err: error.message }, 'TLS: the hub certificate is not trusted (check caFile)');
        this.emit('refused', 'tls', error.message);
      } else logger.debug({ err: error }, 'mqtt link error');
    });
    client.on('close', () => {
      if (this.isUp) {
        this.isUp = false;
        this.emit('down', 'connection closed');
      } else this.emit('connect-failed', 'could not connect');
      const delayMs = this.retry.schedule();
      if (delayMs !== undefined) logger.debug({ delayMs }, 'reconnecting to hub');
    });
  }

  sendControl(message: SatelliteMessage): boolean {
    if (!this.connected || !this.client) return false;
    const payload = encodeMessage(message);
    this.counters.controlBytesOut += Buffer.byteLength(payload);
    this.client.publish(this.ctlUp, payload, { qos: 0 });
    return true;
  }

  sendAudio(frame: Uint8Array): boolean {
    if (!this.connected || !this.client) {
      this.counters.audioFramesDropped++;
      return false;
    }
    this.counters.audioBytesOut += frame.byteLength;
    this.counters.audioFramesOut++;
    this.client.publish(this.audioUp, Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength), { qos: 0 });
    return true;
  }

  async stop(): Promise<void> {
    this.retry.stop();
    const client = this.client;
    if (!client) return;
    if (client.connected) {
      // A clean stop says "offline" itself; the will only covers crashes.
      await client.publishAsync(this.availability, 'offline', { qos: 1, retain: true }).catch(() => undefined);
    }
    await client.endAsync(true).catch(() => undefined);
    this.isUp = false;
  }
}

/**
 * A failover probe over MQTT: a CONNECT with the satellite's credentials under its probe client id
 * (`hugh-probe.<id>`, never its own: a probe must not take over a live session, MQTT 3.1.1
 * §3.1.4-2) and no will, then the hub's retained availability must say `online` (a broker can be
 * up while its hub is not), then DISCONNECT. Rejects with the reason when the hub is not healthy.
 */
export function probeMqttHub(hub: HubTarget, options: { satelliteId: string; topics: Topics; timeoutMs: number }): Promise<void> {
  const credentials = targetCredentials(hub);
  const availability = options.topics.hub('availability');
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(hub.url, {
      clientId: probeClientId(options.satelliteId),
      protocolVersion: 4,
      clean: true,
      connectTimeout: options.timeoutMs,
      reconnectPeriod: 0,
      ...(credentials ?? {}),
      ...(hub.ca ? { ca: hub.ca } : {}),
    });
    const timer = setTimeout(() => finish(new HughError('HUGH_ERR_TIMEOUT', `no hub availability within ${options.timeoutMs} ms`)), options.timeoutMs);
    const finish = (error?: Error) => {
      clearTimeout(timer);
      client.removeAllListeners();
      client.on('error', () => undefined);
      client.end(true);
      if (error) reject(error);
      else resolve();
    };
    client.on('connect', () => {
      client.subscribe(availability, { qos: 0 }, (error, granted) => {
        if (error || granted?.[0]?.qos === 128) finish(new HughError('HUGH_ERR_NOT_AUTHORIZED', 'the broker refused the availability subscription'));
      });
    });
    client.on('message', (topic, payload) => {
      if (topic !== availability) return;
      const online = payload.toString() === 'online';
      finish(online ? undefined : new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', 'the broker is up but its hub says offline'));
    });
    client.on('error', (error) => finish(error));
    client.on('close', () => finish(new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', 'connection closed before the hub answered')));
  });
}
