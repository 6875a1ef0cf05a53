import { createServer, type Server } from 'node:net';
import { Aedes, type AedesOptions } from 'aedes';
import type { Logger } from '@hugh/common';
import { satelliteIdFromClientId, type ErrorCode, type Topics } from '@hugh/protocol';
import { filterCanMatchPattern } from './mqtt-filter.js';

type AuthorizePublishHandler = NonNullable<AedesOptions['authorizePublish']>;
type AuthorizeSubscribeHandler = NonNullable<AedesOptions['authorizeSubscribe']>;
/** aedes keeps connected clients by id; its typings omit the map. */
type WithClients = { clients: Record<string, { close(): void } | undefined> };

export interface RefusedPublish {
  clientId: string;
  /** The satellite the client is, if it is one; refusals are reported to it on its own topic. */
  satelliteId: string | undefined;
  topic: string;
  code: ErrorCode;
  reason: string;
}

/** Where a refused publish goes: no one subscribes here, and wildcard filters never match `$` topics (MQTT 3.1.1 §4.7.2). */
const REFUSED_TOPIC = '$hugh/refused';

/**
 * Publish rules of the embedded broker. A satellite (client id `hugh-sat-<id>`) may publish only
 * its own `up/…` and `availability` topics (no commands); hub-owned topics (`down/…`, `state`, `event/…`,
 * `hub/…`) are published by the hub in-process and by no client. `cmd/…` and topics outside the
 * tree are open (the embedded broker may also serve the house's other devices).
 */
export function checkPublish(topics: Topics, clientId: string, topic: string): { ok: true } | { ok: false; code: ErrorCode; reason: string } {
  if (topic.startsWith('$')) return { ok: false, code: 'HUGH_ERR_NOT_AUTHORIZED', reason: '$ topics are reserved' };
  if (!topic.startsWith(`${topics.prefix}/`)) return { ok: true };
  let parsed;
  try {
    parsed = topics.parse(topic);
  } catch {
    return { ok: false, code: 'HUGH_ERR_TOPIC_INVALID', reason: `${topic} is not in the topic tree` };
  }
  const self = satelliteIdFromClientId(clientId);
  if (parsed.kind === 'hub' && parsed.channel === 'cmd/say') {
    return self === undefined ? { ok: true } : { ok: false, code: 'HUGH_ERR_NOT_AUTHORIZED', reason: 'satellites may not send commands' };
  }
  if (parsed.kind === 'satellite-command') {
    // Commands come from home automation; a satellite has its own control channel.
    return self === undefined ? { ok: true } : { ok: false, code: 'HUGH_ERR_NOT_AUTHORIZED', reason: 'satellites may not send commands' };
  }
  if (parsed.kind === 'satellite' && (parsed.channel === 'up/ctl' || parsed.channel === 'up/audio' || parsed.channel === 'availability')) {
    return self === parsed.satelliteId
      ? { ok: true }
      : { ok: false, code: 'HUGH_ERR_NOT_AUTHORIZED', reason: `only satellite ${parsed.satelliteId} may publish on ${topic}` };
  }
  return { ok: false, code: 'HUGH_ERR_NOT_AUTHORIZED', reason: `${topic} is published by the hub only` };
}

/**
 * Subscribe rules: a satellite may subscribe to its own `down/…` topics and the hub's availability; nobody else may
 * subscribe to a filter that could match any satellite's audio.
 */
export function checkSubscribe(topics: Topics, clientId: string, filter: string): boolean {
  const self = satelliteIdFromClientId(clientId);
  if (self !== undefined) {
    if (filter === topics.hub('availability')) return true;
    return filter.startsWith(`${topics.prefix}/sat/${self}/down/`) && !filter.includes('#') && !filter.includes('+');
  }
  const audio = [`${topics.prefix}/sat/*/up/audio`, `${topics.prefix}/sat/*/down/audio`];
  return !audio.some((pattern) => filterCanMatchPattern(filter, pattern));
}

export interface EmbeddedBroker {
  readonly broker: Aedes;
  readonly port: number;
  /** Closes a client's connection (used to disconnect a misbehaving satellite). */
  disconnect(clientId: string): void;
  close(): Promise<void>;
}

export async function startEmbeddedBroker(options: {
  host: string;
  port: number;
  topics: Topics;
  logger: Logger;
  onRefused: (refusal: RefusedPublish) => void;
}): Promise<EmbeddedBroker> {
  const { topics, logger } = options;

  const authorizePublish: AuthorizePublishHandler = (client, packet, callback) => {
    if (client === null) return callback(null); // an obsolete will published by the broker itself
    const verdict = checkPublish(topics, client.id, packet.topic);
    if (verdict.ok) return callback(null);
    // MQTT-3.3.5-2 lets the server acknowledge an unauthorised PUBLISH and drop it instead of
    // closing the connection. We do that so the offender can be told why on its own topic.
    const refusal = { clientId: client.id, satelliteId: satelliteIdFromClientId(client.id), topic: packet.topic, code: verdict.code, reason: verdict.reason };
    packet.topic = REFUSED_TOPIC;
    packet.retain = false;
    options.onRefused(refusal);
    callback(null);
  };

  const authorizeSubscribe: AuthorizeSubscribeHandler = (client, subscription, callback) => {
    if (client && checkSubscribe(topics, client.id, subscription.topic)) return callback(null, subscription);
    logger.warn({ clientId: client?.id, filter: subscription.topic }, 'subscription refused');
    callback(null, null); // SUBACK 0x80, MQTT 3.1.1 §3.9.3
  };

  const broker = await Aedes.createBroker({ authorizePublish, authorizeSubscribe, drainTimeout: 10_000 });
  broker.on('clientError', (client, error) => logger.debug({ clientId: client.id, err: error }, 'mqtt client error'));
  broker.on('connectionError', (client, error) => logger.debug({ clientId: client?.id, err: error }, 'mqtt connection error'));

  const server: Server = createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  logger.info({ port, host: options.host }, 'embedded MQTT broker listening');

  return {
    broker,
    port,
    disconnect(clientId) {
      (broker as unknown as WithClients).clients[clientId]?.close();
    },
    async close() {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
