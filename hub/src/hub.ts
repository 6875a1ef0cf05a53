import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { join } from 'node:path';
import { redactUrl, type Logger } from '@hugh/common';
import { HughError, Topics } from '@hugh/protocol';
import { dashboardUrl, type HubConfig } from './config.js';
import { DrainTurnHandler } from './drain-handler.js';
import { dashboardRoutes } from './dashboard/dashboard-routes.js';
import { httpServerOptions, listen, routeRequests, sendJson } from './http-server.js';
import { TopicAcl } from './security/acl.js';
import { watchCredentials } from './security/credential-watcher.js';
import { CredentialStore, type Login } from './security/credentials.js';
import { mayReadDetails } from './security/http-access.js';
import { ConnectionCounter } from './security/limits.js';
import { LoginGuard } from './security/login-guard.js';
import { SessionManager } from './session/session-manager.js';
import type { HubContext, HubServices, ServicesFactory } from './services.js';
import { startEmbeddedBroker, type EmbeddedBroker } from './transport/embedded-broker.js';
import { AedesBus, ExternalBus, type MqttBus } from './transport/mqtt-bus.js';
import { HermesTransport } from './transport/hermes-transport.js';
import { MqttTransport } from './transport/mqtt-transport.js';
import { WsTransport } from './transport/ws-transport.js';
import { newCounters } from './counters.js';
import { HubEvents } from './events.js';
import { createMetrics } from './metrics.js';
import { CommandHandler } from './integration/commands.js';
import { EventPublisher } from './integration/event-publisher.js';
import { HermesBridge } from './integration/hermes.js';
import { HomeAssistantDiscovery } from './integration/home-assistant.js';
import { HUB_VERSION } from './version.js';
import { CapabilityMonitor } from './capability/capability.js';
import { startCapability } from './capability/start-capability.js';

export interface Hub {
  /** The plain HTTP/WebSocket port; the HTTPS one with `tls.only`. */
  readonly httpPort: number;
  readonly httpsPort: number | undefined;
  /** Plain port of the embedded broker; undefined with an external one or `tls.only`. */
  readonly mqttPort: number | undefined;
  readonly mqttsPort: number | undefined;
  /** The embedded broker; undefined with an external one. */
  readonly embeddedBroker: EmbeddedBroker | undefined;
  /** The hashed logins; undefined with `auth.allowAnonymous`. */
  readonly credentials: CredentialStore | undefined;
  readonly sessions: SessionManager;
  readonly bus: MqttBus;
  readonly topics: Topics;
  readonly events: HubEvents;
  readonly homeAssistant: HomeAssistantDiscovery;
  /** full / degraded / down with the reasons; any part of the hub may `report` into it. */
  readonly capability: CapabilityMonitor;
  /** Re-reads the credentials file and closes the connections of revoked logins (SIGHUP; also done on every change of the file). */
  reloadCredentials(): void;
  close(): Promise<void>;
}

/** The state dir holds credentials, timers and the outbox: nobody but the hub's user may list or read it. */
function ensureStateDir(dir: string, logger: Logger): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    chmodSync(dir, 0o700);
  } catch (error) {
    logger.warn({ dir, err: (error as Error).message }, 'cannot make the state dir private (chmod 700)');
  }
}

export interface HubDependencies {
  logger: Logger;
  /** What answers satellites (the voice pipeline, or a test's handler); default: a drain that answers nothing. */
  services?: ServicesFactory;
}

/**
 * Starts the hub: HTTP + WebSocket, then the MQTT side (embedded broker or external client),
 * all feeding one session manager. Resolves once every listener is up.
 */
export async function startHub(config: HubConfig, deps: HubDependencies): Promise<Hub> {
  const { logger } = deps;
  const topics = new Topics(config.mqtt.topicPrefix);
  const events = new HubEvents();
  const counters = newCounters();
  const capability = new CapabilityMonitor();
  const context: HubContext = {
    events,
    capability,
    announce(satelliteId, text) {
      try {
        sessions.announce([satelliteId], text);
        return true;
      } catch {
        return false;
      }
    },
  };
  const services: HubServices = await (deps.services ?? (() => ({ turns: new DrainTurnHandler(logger) })))(context);
  const sessions: SessionManager = new SessionManager({
    events,
    counters,
    arbitrationWindowMs: config.turn.arbitrationWindowMs,
    maxUtteranceMs: config.turn.maxUtteranceMs,
    preRollMs: config.turn.preRollMs,
    hubVersion: HUB_VERSION,
    turnHandler: services.turns,
    ...(services.announcer ? { announcer: services.announcer } : {}),
    logger,
    maxErrors: config.limits.maxErrors,
    errorWindowMs: config.limits.errorWindowMs,
    messagesPerSecond: config.limits.messagesPerSecond,
    turnsPerMinute: config.limits.turnsPerMinute,
  });
  ensureStateDir(config.state.dir, logger);
  const credentials = config.auth.allowAnonymous ? undefined : CredentialStore.load(config.auth.credentialsFile ?? join(config.state.dir, 'credentials.json'));
  if (!credentials) logger.warn('authentication is off (auth.allowAnonymous): any device on the network can connect as any satellite');
  else if (credentials.list().length === 0) logger.warn({ file: credentials.file }, 'no credentials yet: add a satellite with `hugh-hub satellite add <id>`');
  const { limits } = config;
  const loginGuard = credentials
    ? new LoginGuard((username, password) => credentials.verify(username, password), {
        freeFailures: limits.failedLoginsBeforeDelay,
        baseDelayMs: limits.failedLoginDelayMs,
        maxDelayMs: limits.failedLoginMaxDelayMs,
        onOutcome: (outcome, address) => {
          counters.logins[outcome]++;
          if (outcome === 'locked-out') logger.debug({ code: 'HUGH_ERR_RATE_LIMITED', address }, 'login refused before checking: too many failures from this address');
        },
      })
    : undefined;
  const authenticate = loginGuard ? (address: string, username: string | undefined, password: string | Buffer | undefined) => loginGuard.check(address, username, password) : undefined;
  const isCurrent = (login: Login) => credentials?.fingerprint(login.id) === login.fingerprint;
  const acl = new TopicAcl({ topics, discoveryPrefix: config.homeAssistant.discoveryPrefix, integrationPublish: config.auth.integrationPublish });
  const readTlsFile = (field: 'certFile' | 'keyFile') => {
    try {
      return readFileSync(config.tls[field]!);
    } catch (error) {
      throw new HughError('HUGH_ERR_CONFIG_INVALID', `tls.${field}: ${(error as Error).message}`);
    }
  };
  const tls = config.tls.certFile ? { cert: readTlsFile('certFile'), key: readTlsFile('keyFile') } : undefined;

  let bus: MqttBus | undefined;
  let broker: EmbeddedBroker | undefined;
  const metrics = createMetrics({ events, sessions, counters, capability: () => capability.current });
  const snapshot = () => {
    const engines = services.health?.() ?? {};
    return {
      // The capability decides: full is up, degraded (a fallback serves) and down say so.
      status: ({ full: 'up', degraded: 'degraded', down: 'down' } as const)[capability.current.state],
      capability: capability.current,
      version: HUB_VERSION,
      broker: bus?.kind,
      satellites: [...sessions.sessions.values()].map((session) => ({
        id: session.satelliteId,
        room: session.hello.room,
        state: session.state,
        muted: session.muted,
        volumePercent: session.volumePercent,
        transport: session.link.transport,
        link: session.hello.link ?? { hubIndex: 0, hubCount: 1 },
        lastSeenMs: session.lastSeenMs,
      })),
      engines,
    };
  };
  const dashboard = dashboardRoutes({
    events,
    snapshot,
    announce: (satelliteId, text) => sessions.announce([satelliteId], text),
    ...(services.ask ? { ask: services.ask.bind(services) } : {}),
    ...(authenticate ? { authenticate } : {}),
    logger,
  });
  // Who is connected in which room, and what they are doing, is private: without a login /healthz says only how the hub is.
  const detailed = mayReadDetails({ authenticate, trustedAddresses: config.http.trustedAddresses });
  const handleRequest = routeRequests({
    ...dashboard.routes,
    'GET /healthz': async (request, response) => {
      const health = snapshot();
      sendJson(response, 200, (await detailed(request)) ? health : { status: health.status });
    },
    'GET /metrics': async (request, response) => {
      if (!(await detailed(request))) {
        response.writeHead(401, { 'www-authenticate': 'Basic realm="H.U.G.H. metrics"', 'content-type': 'text/plain' }).end('metrics need an integration login (hugh-hub integration add metrics) or http.trustedAddresses\n');
        return;
      }
      response.writeHead(200, { 'content-type': metrics.contentType }).end(await metrics.metrics());
    },
  });
  const closers: (() => Promise<void>)[] = [];
  try {
    const wsSecurity = { connections: new ConnectionCounter(limits.connectionsPerAddress), helloTimeoutMs: limits.connectTimeoutMs, ...(authenticate ? { authenticate } : {}) };
    const wsTransports: WsTransport[] = [];
    const serve = async (server: Server, port: number, scheme: string) => {
      const bound = await listen(server, port, config.http.host);
      closers.push(() => new Promise((resolve) => server.close(() => resolve())));
      const ws = new WsTransport(server, sessions, logger, wsSecurity);
      wsTransports.push(ws);
      closers.unshift(() => ws.close());
      logger.info({ port: bound, host: config.http.host }, `${scheme} listening`);
      return bound;
    };
    const serverOptions = httpServerOptions(limits.connectTimeoutMs);
    const plainHttpPort = config.tls.only ? undefined : await serve(createServer(serverOptions, handleRequest), config.http.port, 'HTTP and WebSocket');
    const httpsPort = tls ? await serve(createHttpsServer({ ...tls, ...serverOptions, handshakeTimeout: limits.connectTimeoutMs }, handleRequest), config.tls.httpPort, 'HTTPS and secure WebSocket') : undefined;
    const httpPort = (plainHttpPort ?? httpsPort)!;

    let mqtt: MqttTransport;
    if (config.mqtt.brokerUrl) {
      const external = await ExternalBus.connect(
        config.mqtt.brokerUrl,
        {
          clientId: `hugh-hub-${randomUUID().slice(0, 8)}`,
          will: { topic: topics.hub('availability'), payload: 'offline' },
          ...(config.mqtt.username !== undefined ? { username: config.mqtt.username, password: config.mqtt.password ?? '' } : {}),
        },
        logger,
      );
      bus = external;
      mqtt = new MqttTransport(external, topics, sessions, logger);
      logger.info({ url: redactUrl(config.mqtt.brokerUrl) }, 'connected to external MQTT broker');
    } else {
      let transport: MqttTransport | undefined;
      broker = await startEmbeddedBroker({
        host: config.mqtt.host,
        port: config.mqtt.port,
        acl,
        limits: {
          maxPacketBytes: limits.maxPacketBytes,
          connectTimeoutMs: limits.connectTimeoutMs,
          messagesPerSecond: limits.messagesPerSecond,
          maxErrors: limits.maxErrors,
          errorWindowMs: limits.errorWindowMs,
          connections: new ConnectionCounter(limits.connectionsPerAddress),
        },
        logger,
        ...(authenticate ? { authenticate } : {}),
        ...(tls ? { tls: { ...tls, port: config.tls.mqttPort, only: config.tls.only } } : {}),
        onRefused: (refusal) => {
          counters.badInputs++;
          logger.warn(refusal, 'publish refused');
          if (refusal.satelliteId !== undefined) transport?.reportRefused(refusal.satelliteId, refusal.code, refusal.reason);
        },
      });
      bus = new AedesBus(broker.broker, logger);
      const embedded = broker;
      transport = mqtt = new MqttTransport(bus, topics, sessions, logger, embedded);
    }
    const activeBus = bus;
    closers.unshift(() => activeBus.close());
    if (broker) {
      const embedded = broker;
      closers.push(() => embedded.close());
    }
    await mqtt.start();
    await new CommandHandler(bus, topics, sessions, events, logger).start();
    new EventPublisher(bus, topics, events).start();
    const stopCapability = startCapability({ settings: config.capability, monitor: capability, events, health: services.health?.bind(services), announce: context.announce, logger });
    closers.unshift(async () => stopCapability());
    const homeAssistant = new HomeAssistantDiscovery(bus, topics, events, { discoveryPrefix: config.homeAssistant.discoveryPrefix, satellites: config.satellites, dashboardUrl: dashboardUrl(config), hubVersion: HUB_VERSION });
    if (config.homeAssistant.enabled) await homeAssistant.start();
    // Rhasspy: the Hermes topics (events, tts/say), and Rhasspy 2.5 satellites served as satellites.
    const hermesSites = config.hermes.sites;
    if (config.hermes.enabled) await new HermesBridge(bus, events, sessions, logger, new Set(hermesSites.map((site) => site.siteId))).start();
    if (hermesSites.length > 0) await new HermesTransport(bus, hermesSites, sessions, logger).start();
    bus.publish(topics.hub('availability'), 'online', { retain: true, qos: 1 });

    const revoke = () => {
      broker?.revoke(isCurrent);
      for (const ws of wsTransports) ws.revoke(isCurrent);
      dashboard.revoke(isCurrent);
    };
    const watcher = credentials ? watchCredentials(credentials, logger, revoke) : undefined;
    if (watcher) closers.unshift(async () => watcher.close());

    return {
      httpPort,
      httpsPort,
      mqttPort: broker?.port,
      mqttsPort: broker?.tlsPort,
      embeddedBroker: broker,
      credentials,
      sessions,
      bus,
      topics,
      events,
      homeAssistant,
      capability,
      reloadCredentials() {
        watcher?.reload();
      },
      async close() {
        await sessions.close();
        await services.close?.().catch((error: unknown) => logger.warn({ err: error }, 'error while closing the pipeline'));
        activeBus.publish(topics.hub('availability'), 'offline', { retain: true, qos: 1 });
        for (const close of closers) await close().catch((error: unknown) => logger.warn({ err: error }, 'error while closing'));
      },
    };
  } catch (error) {
    for (const close of closers) await close().catch(() => undefined);
    throw error;
  }
}
