import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type AedesOptions, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from '@hugh/common';
import { probeClientId, satelliteClientId, satelliteIdFromClientId, satelliteIdFromProbeClientId, type ErrorCode } from '@hugh/protocol';
import type { Actor, TopicAcl } from '../security/acl.js';
import type { Login } from '../security/credentials.js';
import { RateWindow, TokenBucket, type ConnectionCounter } from '../security/limits.js';
import { guardedConnection } from './mqtt-packet-guard.js';
import type { BrokerClients } from './link.js';

/** aedes keeps connected clients by id; its typings omit the map. */
type WithClients = { clients: Record<string, Client | undefined> };

export interface RefusedPublish {
  clientId: string;
  /** The satellite the client is, if it is one; refusals are reported to it on its own topic. */
  satelliteId: string | undefined;
  topic: string;
  code: ErrorCode;
  reason: string;
}

/**
 * Where a refused publish is diverted, emptied: aedes has no way to acknowledge a PUBLISH and drop
 * it (MQTT-3.3.5-2) other than letting it through, and no client may subscribe to a `$` topic.
 */
const REFUSED_TOPIC = '$hugh/refused';

/** What the broker remembers of each client: who it is, its login, and its limits. */
interface ClientState {
  actor: Actor;
  login: Login | undefined;
  messages: TokenBucket;
  refusals: RateWindow;
}

export interface BrokerLimits {
  /** Largest MQTT packet, CONNECT included; checked from the fixed header before buffering. */
  maxPacketBytes: number;
  /** A connection that has not completed CONNECT within this time is closed. */
  connectTimeoutMs: number;
  /** PUBLISH packets per second per connection, every topic counted. */
  messagesPerSecond: number;
  /** Refused publishes tolerated per connection within `errorWindowMs` before it is closed. */
  maxErrors: number;
  errorWindowMs: number;
  connections?: ConnectionCounter;
}

/** CONNACK return code 5, "not authorized" (MQTT 3.1.1 §3.2.2.3), for every refused login: no hint which part was wrong. */
function notAuthorized(): AuthenticateError {
  return Object.assign(new Error('not authorized'), { returnCode: 5 }) as AuthenticateError;
}

/** Who a client is without a login (`auth.allowAnonymous`): a satellite or a probe by its client id, anyone else an integration. */
function anonymousActor(clientId: string): Actor {
  const id = satelliteIdFromClientId(clientId);
  if (id !== undefined) return { role: 'satellite', id };
  const probed = satelliteIdFromProbeClientId(clientId);
  return probed !== undefined ? { role: 'probe', id: probed } : { role: 'integration', id: undefined };
}

/** Who a client with a valid login is, or undefined when its client id does not fit the login. */
function loggedInActor(clientId: string, login: Login): Actor | undefined {
  // A satellite uses its own client id, the one the ACL confines, or its probe's (which may only
  // read the hub's availability); an integration may take neither.
  if (login.kind === 'satellite') {
    if (clientId === satelliteClientId(login.id)) return { role: 'satellite', id: login.id };
    return clientId === probeClientId(login.id) ? { role: 'probe', id: login.id } : undefined;
  }
  // Rhasspy sites and integrations pick their own client ids, but never one the ACL gives a satellite.
  if (satelliteIdFromClientId(clientId) !== undefined || satelliteIdFromProbeClientId(clientId) !== undefined) return undefined;
  return login.kind === 'rhasspy' ? { role: 'rhasspy', id: login.id } : { role: 'integration', id: login.id };
}

export interface EmbeddedBroker extends BrokerClients {
  readonly broker: Aedes;
  /** The plain MQTT port, or undefined with `tls.only`. */
  readonly port: number | undefined;
  readonly tlsPort: number | undefined;
  /** Closes every connection whose login `isCurrent` no longer accepts (removed, or password changed). */
  revoke(isCurrent: (login: Login) => boolean): void;
  /** Topics holding a retained message that matches `filter`. */
  retainedTopics(filter: string): Promise<string[]>;
  close(): Promise<void>;
}

export async function startEmbeddedBroker(options: {
  host: string;
  port: number;
  acl: TopicAcl;
  limits: BrokerLimits;
  logger: Logger;
  onRefused: (refusal: RefusedPublish) => void;
  /** Checks a login from an address; absent: anonymous clients are accepted (the ACL by client id still applies). */
  authenticate?: (address: string, username: string | undefined, password: Buffer | undefined) => Promise<Login | undefined>;
  tls?: { cert: Buffer; key: Buffer; port: number; only: boolean };
}): Promise<EmbeddedBroker> {
  const { acl, limits, logger } = options;
  const states = new WeakMap<Client, ClientState>();
  const addressOf = (client: Client) => (client.conn as unknown as { remoteAddress?: string }).remoteAddress ?? 'unknown';
  const remember = (client: Client, actor: Actor, login: Login | undefined) =>
    states.set(client, { actor, login, messages: new TokenBucket(limits.messagesPerSecond), refusals: new RateWindow(limits.maxErrors, limits.errorWindowMs) });

  const authenticate: NonNullable<AedesOptions['authenticate']> = (client, username, password, done) => {
    const will = (client as unknown as { _will?: { topic: string } })._will;
    const admit = (actor: Actor, login: Login | undefined) => {
      // The will is a publish like any other (MQTT 3.1.1 §3.1.2.5): a satellite may not leave one outside its tree.
      const willVerdict = will ? acl.mayPublish(actor, will.topic) : { ok: true as const };
      if (!willVerdict.ok) {
        logger.warn({ code: willVerdict.code, clientId: client.id, will: will!.topic.slice(0, 120) }, 'MQTT login refused: its will is outside what it may publish');
        return done(notAuthorized(), false);
      }
      remember(client, actor, login);
      done(null, true);
    };
    if (!options.authenticate) return admit(anonymousActor(client.id), undefined);
    const address = addressOf(client);
    options.authenticate(address, username, password).then(
      (login) => {
        const actor = login ? loggedInActor(client.id, login) : undefined;
        if (login && actor) return admit(actor, login);
        logger.warn(
          { code: 'HUGH_ERR_NOT_AUTHENTICATED', clientId: client.id, username, address, reason: login ? 'client id does not match the login' : 'unknown user, wrong password, or too many failures' },
          'MQTT login refused',
        );
        done(notAuthorized(), false);
      },
      () => done(notAuthorized(), false),
    );
  };

  const authorizePublish: NonNullable<AedesOptions['authorizePublish']> = (client, packet, callback) => {
    if (client === null) return callback(null); // an obsolete will, published by the broker itself
    const state = states.get(client);
    if (!state) return callback(new Error('publish before login'));
    if (packet === (client as unknown as { will?: unknown }).will) {
      // Checked at login already; a refusal here drops the will without a reply.
      return callback(acl.mayPublish(state.actor, packet.topic).ok ? null : new Error('will refused'));
    }
    const verdict: { ok: true } | { ok: false; code: ErrorCode; reason: string } = state.messages.take()
      ? acl.mayPublish(state.actor, packet.topic, packet.payload as Buffer)
      : { ok: false, code: 'HUGH_ERR_RATE_LIMITED', reason: `more than ${limits.messagesPerSecond} messages per second` };
    if (verdict.ok) return callback(null);
    // MQTT-3.3.5-2 lets the server acknowledge an unauthorised PUBLISH and drop it. aedes can only
    // deliver it, so it goes, emptied and not retained, to a `$` topic no client may subscribe to.
    const refusal = { clientId: client.id, satelliteId: state.actor.role === 'satellite' ? state.actor.id : undefined, topic: packet.topic.slice(0, 200), code: verdict.code, reason: verdict.reason };
    packet.topic = REFUSED_TOPIC;
    packet.payload = Buffer.alloc(0);
    packet.retain = false;
    options.onRefused(refusal);
    if (!state.refusals.allow()) {
      logger.warn({ code: 'HUGH_ERR_TOO_MANY_ERRORS', clientId: client.id, address: addressOf(client) }, 'too many refused publishes; disconnecting');
      return callback(new Error('too many refused publishes'));
    }
    callback(null);
  };

  const authorizeSubscribe: NonNullable<AedesOptions['authorizeSubscribe']> = (client, subscription, callback) => {
    const state = client ? states.get(client) : undefined;
    if (state && acl.maySubscribe(state.actor, subscription.topic)) return callback(null, subscription);
    logger.warn({ clientId: client?.id, filter: subscription.topic.slice(0, 200) }, 'subscription refused');
    callback(null, null); // SUBACK 0x80, MQTT 3.1.1 §3.9.3
  };

  const broker = await Aedes.createBroker({ authenticate, authorizePublish, authorizeSubscribe, connectTimeout: limits.connectTimeoutMs, drainTimeout: 10_000 });
  broker.on('clientError', (client, error) => logger.debug({ clientId: client.id, err: error }, 'mqtt client error'));
  broker.on('connectionError', (client, error) => logger.debug({ clientId: client?.id, err: error }, 'mqtt connection error'));

  /**
   * Connection set-up, in order: count the address (before a byte is read), then guard every packet's
   * size, then hand the stream to aedes, whose connectTimeout closes a socket that does not complete
   * CONNECT in time.
   */
  const accept = (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    if (limits.connections && !limits.connections.acquire(address)) {
      logger.warn({ code: 'HUGH_ERR_RATE_LIMITED', address }, 'MQTT connection refused: too many from this address');
      socket.destroy();
      return;
    }
    if (limits.connections) socket.once('close', () => limits.connections!.release(address));
    socket.on('error', () => undefined);
    // Audio frames are small and late is useless: no Nagle (measured here: 40 ms more per reply frame with it).
    socket.setNoDelay(true);
    broker.handle(guardedConnection(socket, limits.maxPacketBytes, (reason) => logger.warn({ code: 'HUGH_ERR_FRAME_TOO_LARGE', address, reason }, 'MQTT connection closed: packet too large')));
  };

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
      const server = createServer(accept);
      servers.push(server);
      plainPort = await listen(server, options.port, 'mqtt');
    }
    if (options.tls) {
      const server = createTlsServer({ cert: options.tls.cert, key: options.tls.key, handshakeTimeout: limits.connectTimeoutMs }, accept);
      server.on('tlsClientError', (error) => logger.info({ err: error.message }, 'MQTT TLS handshake failed'));
      servers.push(server);
      tlsPort = await listen(server, options.tls.port, 'mqtts');
    }
  } catch (error) {
    for (const server of servers) server.close();
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    throw error;
  }

  const clients = () => Object.values((broker as unknown as WithClients).clients).filter((client): client is Client => client !== undefined);
  return {
    broker,
    port: plainPort,
    tlsPort,
    disconnect(clientId) {
      (broker as unknown as WithClients).clients[clientId]?.close();
    },
    congested(clientId) {
      // aedes waits for 'drain' once a write to the connection (guardedConnection's Duplex) returned false.
      return (broker as unknown as WithClients).clients[clientId]?.conn.writableNeedDrain ?? false;
    },
    revoke(isCurrent) {
      for (const client of clients()) {
        const login = states.get(client)?.login;
        if (!login || isCurrent(login)) continue;
        logger.warn({ clientId: client.id, login: login.id, kind: login.kind }, 'login revoked (removed or password changed): MQTT connection closed');
        client.close();
      }
    },
    async retainedTopics(filter) {
      const found: string[] = [];
      const persistence = (broker as unknown as { persistence: { createRetainedStreamCombi(patterns: string[]): AsyncIterable<{ topic: string }> } }).persistence;
      for await (const packet of persistence.createRetainedStreamCombi([filter])) found.push(packet.topic);
      return found;
    },
    async close() {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    },
  };
}
