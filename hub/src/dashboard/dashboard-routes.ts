import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@hugh/common';
import { HughError } from '@hugh/protocol';
import type { HubEventMap, HubEvents } from '../events.js';
import type { Route } from '../http-server.js';
import type { TurnRecord } from '../pipeline/turn-record.js';
import { parseBasicAuth, type Login } from '../security/credentials.js';
import { sameOriginJson } from '../security/http-access.js';
import { LatencyHistory } from './latency-history.js';

/** The page and its modules, read once. Preact and htm come from node_modules: no CDN, works offline. */
function loadAssets(): Record<string, { type: string; body: Buffer }> {
  const file = (url: string | URL) => readFileSync(fileURLToPath(url));
  const js = 'text/javascript; charset=utf-8';
  return {
    '/': { type: 'text/html; charset=utf-8', body: file(new URL('../../dashboard/index.html', import.meta.url)) },
    '/assets/app.js': { type: js, body: file(new URL('../../dashboard/app.js', import.meta.url)) },
    '/assets/preact.js': { type: js, body: file(import.meta.resolve('preact')) },
    '/assets/hooks.js': { type: js, body: file(import.meta.resolve('preact/hooks')) },
    '/assets/htm.js': { type: js, body: file(import.meta.resolve('htm')) },
  };
}

/** Events the page follows live, with their arguments named. */
const LIVE: { [K in keyof HubEventMap]?: (...args: HubEventMap[K]) => Record<string, unknown> } = {
  'satellite-online': (satelliteId, info) => ({ satelliteId, ...info }),
  'satellite-offline': (satelliteId) => ({ satelliteId }),
  state: (satelliteId, state) => ({ satelliteId, state }),
  wake: (satelliteId, wake) => ({ satelliteId, turnId: wake.turnId, keyword: wake.keyword, atMs: Date.now() }),
  transcript: (satelliteId, turnId, text) => ({ satelliteId, turnId, text, atMs: Date.now() }),
  turn: (record) => ({ record }),
  volume: (satelliteId, percent) => ({ satelliteId, percent }),
  error: (satelliteId, error) => ({ satelliteId, ...error }),
  capability: (current) => current,
};

export interface DashboardSource {
  events: HubEvents;
  /** Satellites, engines, and the broker, as /healthz reports them. */
  snapshot(): Record<string, unknown>;
  announce(satelliteId: string, text: string): void;
  /** Answers a typed question the way a spoken one is answered (local intents, then the dispatcher). */
  ask?(text: string, satelliteId: string | undefined): Promise<string>;
  /** With logins on: Basic credentials of an integration open the dashboard. */
  authenticate?: (address: string, username: string | undefined, password: string | undefined) => Promise<Login | undefined>;
  logger: Logger;
}

export interface Dashboard {
  routes: Record<string, Route>;
  /** Ends the live streams of logins `isCurrent` no longer accepts (removed, or password changed). */
  revoke(isCurrent: (login: Login) => boolean): void;
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > 16 * 1024) throw new HughError('HUGH_ERR_FRAME_TOO_LARGE', 'request body over 16 KiB');
    chunks.push(chunk as Buffer);
  }
  try {
    const value = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new HughError('HUGH_ERR_MESSAGE_MALFORMED', 'expected a JSON object');
}

function text(value: unknown, field: string, maxChars: number): string {
  if (typeof value !== 'string' || !value.trim() || value.length > maxChars) throw new HughError('HUGH_ERR_MESSAGE_INVALID', `${field}: a non-empty string of at most ${maxChars} characters`);
  return value.trim();
}

/**
 * The web dashboard: satellites, each turn as a waterfall from the end of speech, the response
 * time's p50/p90 per hour over the last day, recent transcripts and replies, engine health, and
 * boxes for a typed question or an announcement. Server-sent events carry the
 * live part; the page is Preact + htm served from this process.
 */
export function dashboardRoutes(source: DashboardSource): Dashboard {
  const assets = loadAssets();
  const streams = new Map<ServerResponse, Login | undefined>();
  const logins = new WeakMap<IncomingMessage, Login>();
  const recent: TurnRecord[] = [];
  const latency = new LatencyHistory();
  source.events.on('turn', (record) => {
    recent.unshift(record);
    recent.length = Math.min(recent.length, 30);
    latency.add(record);
  });

  // Logins on: the dashboard can speak in every room, so it asks for credentials like the broker does.
  const guard =
    (route: Route): Route =>
    async (request, response) => {
      if (source.authenticate) {
        const { username, password } = parseBasicAuth(request.headers.authorization);
        // Integrations only: a satellite's password (on a device in some room) must not open every room.
        const login = await source.authenticate(request.socket.remoteAddress ?? 'unknown', username, password);
        if (login?.kind !== 'integration') {
          response.writeHead(401, { 'www-authenticate': 'Basic realm="H.U.G.H. dashboard"', 'content-type': 'text/plain' }).end('login with an integration\'s credentials (hugh-hub integration add dashboard)\n');
          return;
        }
        logins.set(request, login);
      }
      await route(request, response);
    };
  const json = (response: ServerResponse, status: number, body: unknown): void => void response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  /** State-changing routes: the browser's cached Basic login must not let another site drive them (CSRF). */
  const changes =
    (route: Route): Route =>
    async (request, response) => {
      const refusal = sameOriginJson(request);
      if (refusal) {
        source.logger.warn({ code: 'HUGH_ERR_NOT_AUTHORIZED', path: request.url, origin: request.headers.origin, reason: refusal }, 'dashboard request refused (cross-site)');
        return json(response, 403, { code: 'HUGH_ERR_NOT_AUTHORIZED', message: refusal });
      }
      await route(request, response);
    };
  const failed = (response: ServerResponse, error: unknown) => {
    const code = error instanceof HughError ? error.code : 'HUGH_ERR_INTERNAL';
    json(response, code === 'HUGH_ERR_UNKNOWN_SATELLITE' ? 404 : code === 'HUGH_ERR_INTERNAL' ? 500 : 400, { code, message: (error as Error).message });
  };

  const routes: Record<string, Route> = {};
  for (const [path, asset] of Object.entries(assets)) {
    routes[`GET ${path}`] = guard((_request, response) => void response.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-cache' }).end(asset.body));
  }
  routes['GET /api/state'] = guard((_request, response) => json(response, 200, { ...source.snapshot(), recent, latency: latency.hours() }));
  routes['GET /api/events'] = guard((request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    response.write(': connected\n\n');
    const unsubscribers = Object.entries(LIVE).map(([name, shape]) => {
      const listener = (...args: unknown[]) => response.write(`event: ${name}\ndata: ${JSON.stringify((shape as (...a: unknown[]) => unknown)(...args))}\n\n`);
      source.events.on(name as keyof HubEventMap, listener as never);
      return () => source.events.off(name as keyof HubEventMap, listener as never);
    });
    const keepAlive = setInterval(() => response.write(': ping\n\n'), 15_000);
    streams.set(response, logins.get(request));
    request.on('close', () => {
      streams.delete(response);
      clearInterval(keepAlive);
      for (const unsubscribe of unsubscribers) unsubscribe();
    });
  });
  routes['POST /api/announce'] = guard(changes(async (request, response) => {
    try {
      const body = await readJson(request);
      source.announce(text(body.satelliteId, 'satelliteId', 64), text(body.text, 'text', 1000));
      json(response, 202, { ok: true });
    } catch (error) {
      failed(response, error);
    }
  }));
  routes['POST /api/ask'] = guard(changes(async (request, response) => {
    try {
      if (!source.ask) throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', 'this hub has no reply pipeline');
      const body = await readJson(request);
      const satelliteId = body.satelliteId === undefined || body.satelliteId === '' ? undefined : text(body.satelliteId, 'satelliteId', 64);
      json(response, 200, { reply: await source.ask(text(body.text, 'text', 1000), satelliteId) });
    } catch (error) {
      failed(response, error);
    }
  }));
  return {
    routes,
    revoke(isCurrent) {
      for (const [response, login] of streams) {
        if (!login || isCurrent(login)) continue;
        source.logger.warn({ login: login.id }, 'login revoked (removed or password changed): dashboard stream closed');
        response.destroy();
      }
    },
  };
}
