import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type AedesOptions, type AuthenticateError } from 'aedes';
import type { Logger } from '@hugh/common';
import { satelliteClientId, satelliteIdFromClientId, type ErrorCode, type Topics } from '@hugh/protocol';
import type { Principal } from '../security/credentials.js';
import type { ConnectionCounter } from '../security/limits.js';
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

/** CONNACK return code 5, "not authorized" (MQTT 3.1.1 §3.2.2.3), for every refused login: no hint which part was wrong. */
function notAuthorized(): AuthenticateError {
  return Object.assign(new Error('not authorized'), { returnCode: 5 }) as AuthenticateError;
}

export interface EmbeddedBroker {
  readonly broker: Aedes;
  /** The plain MQTT port, or undefined with `tls.only`. */
  readonly port: number | undefined;
  readonly tlsPort: number | undefined;
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
  /** Checks a login; absent: anonymous clients are accepted (the ACL by client id still applies). */
  authenticate?: (username: string | undefined, password: Buffer | undefined) => Promise<Principal | undefined>;
  connections?: ConnectionCounter;
  tls?: { cert: Buffer; key: Buffer; port: number; only: boolean };
}): Promise<EmbeddedBroker> {
  const { topics, logger } = options;

  const preConnect: NonNullable<AedesOptions['preConnect']> = (client, _packet, callback) => {
    const address = (client.conn as Socket).remoteAddress ?? 'unknown';
    if (options.connections && !options.connections.acquire(address)) {
      logger.warn({ code: 'HUGH_ERR_RATE_LIMITED', address, clientId: client.id }, 'MQTT connection refused: too many from this address');
      return callback(null, false);
    }
    if (options.connections) client.conn.once('close', () => options.connections!.release(address));
    callback(null, true);
  };

  const authenticate: NonNullable<AedesOptions['authenticate']> = (client, username, password, done) => {
    if (!options.authenticate) return done(null, true);
    options.authenticate(username, password).then(
      (principal) => {
        // A satellite must use its own client id, the one the ACL confines; an integration may not take one.
        const clientIdFits = principal && (principal.kind === 'satellite' ? client.id === satelliteClientId(principal.id) : satelliteIdFromClientId(client.id) === undefined);
        if (principal && clientIdFits) return done(null, true);
        logger.warn(
          { code: 'HUGH_ERR_NOT_AUTHENTICATED', clientId: client.id, username, address: (client.conn as Socket).remoteAddress, reason: principal ? 'client id does not match the login' : 'unknown user or wrong password' },
          'MQTT login refused',
        );
        done(notAuthorized(), false);
      },
      () => done(notAuthorized(), false),
    );
  };

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

  const broker = await Aedes.createBroker({ preConnect, authenticate, authorizePublish, authorizeSubscribe, drainTimeout: 10_000 });
  broker.on('clientError', (client, error) => logger.debug({ clientId: client.id, err: error }, 'mqtt client error'));
  broker.on('connectionError', (client, error) => logger.debug({ clientId: client?.id, err: error }, 'mqtt connection error'));

  const listen = async (server: Server, port: number, what: string) => {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    const bound = typeof address === 'object' && address ? address.port : port;
    logger.info({ port: bound, host: options.host }, `embedded MQTT broker listening (${what})`);
    return bound;
  };
  const servers: Server[] = [];
  let plainPort: number | undefined;
  let tlsPort: number | undefined;
  try {
    if (!options.tls?.only) {
      const server = createServer(broker.handle);
      servers.push(server);
      plainPort = await listen(server, options.port, 'mqtt');
    }
    if (options.tls) {
      const server = createTlsServer({ cert: options.tls.cert, key: options.tls.key }, broker.handle);
      server.on('tlsClientError', (error) => logger.info({ err: error.message }, 'MQTT TLS handshake failed'));
      servers.push(server);
      tlsPort = await listen(server, options.tls.port, 'mqtts');
    }
  } catch (error) {
    for (const server of servers) server.close();
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    throw error;
  }

  return {
    broker,
    port: plainPort,
    tlsPort,
    disconnect(clientId) {
      (broker as unknown as WithClients).clients[clientId]?.close();
    },
    async close() {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    },
  };
}
