import type { IncomingMessage } from 'node:http';
import { parseBasicAuth, type Login } from './credentials.js';

/**
 * Why a state-changing request may not be run, or undefined when it may. A cross-site page can make
 * the browser send a form (`text/plain`, `application/x-www-form-urlencoded`, `multipart/form-data`)
 * with its cached Basic login, but not `application/json` without a CORS preflight, which the hub
 * never answers. Where the browser says where the request comes from (`Sec-Fetch-Site`, `Origin`),
 * it must be this hub. Clients that are not browsers (curl, Home Assistant) send neither header.
 */
export function sameOriginJson(request: IncomingMessage): string | undefined {
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') return 'expected content-type application/json';
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return `a ${site} request`;
  const origin = request.headers.origin;
  if (origin === undefined) return undefined;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return 'an unreadable Origin';
  }
  return host === request.headers.host ? undefined : `Origin ${origin.slice(0, 100)} is not this hub`;
}

/**
 * Who may read the hub's detailed health and its metrics: with logins off, anyone; else an
 * integration login (e.g. `hugh-hub integration add metrics` for Prometheus' basic_auth) or a
 * configured scraper address.
 */
export function mayReadDetails(options: {
  authenticate: ((address: string, username: string | undefined, password: string | undefined) => Promise<Login | undefined>) | undefined;
  trustedAddresses: readonly string[];
}): (request: IncomingMessage) => Promise<boolean> {
  return async (request) => {
    if (!options.authenticate) return true;
    const address = request.socket.remoteAddress ?? 'unknown';
    if (options.trustedAddresses.includes(address) || options.trustedAddresses.includes(address.replace(/^::ffff:/, ''))) return true;
    if (request.headers.authorization === undefined) return false;
    const { username, password } = parseBasicAuth(request.headers.authorization);
    return (await options.authenticate(address, username, password))?.kind === 'integration';
  };
}
