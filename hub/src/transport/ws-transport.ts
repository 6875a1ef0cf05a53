import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '@hugh/common';
import { MAX_FRAME_BYTES, encodeMessage, hubMessage, type ErrorCode, type HubMessage } from '@hugh/protocol';
import { parseBasicAuth, type Login } from '../security/credentials.js';
import type { ConnectionCounter } from '../security/limits.js';
import { MAX_UNSENT_REPLY_BYTES, type LinkInputs, type SatelliteLink } from './link.js';

export interface WsSecurity {
  /** Checks `Authorization: Basic id:password` from an address; absent: anonymous satellites are accepted. */
  authenticate?: (address: string, username: string | undefined, password: string | undefined) => Promise<Login | undefined>;
  connections?: ConnectionCounter;
  /** A link that has not said hello within this time is closed. */
  helloTimeoutMs?: number;
}

type AuthenticatedRequest = IncomingMessage & { hughLogin?: Login };


export const WS_PATH = '/satellite';

/** Close codes (RFC 6455 §7.4): 1008 policy, 1011 server error, 4000+ ours. */
const CLOSE_CODES: Partial<Record<ErrorCode, number>> = {
  HUGH_ERR_TOO_MANY_ERRORS: 1008,
  HUGH_ERR_NOT_AUTHORIZED: 1008,
  HUGH_ERR_NOT_AUTHENTICATED: 1008,
  HUGH_ERR_HELLO_REQUIRED: 1008,
  HUGH_ERR_REPLACED: 4001,
  HUGH_ERR_INTERNAL: 1011,
};

class WsSatelliteLink implements SatelliteLink {
  readonly transport = 'ws';
  alive = true;
  readonly identity: string | undefined;

  constructor(
    private readonly socket: WebSocket,
    readonly remote: string,
    /** The login the upgrade carried; undefined with logins off. */
    readonly login: Login | undefined,
  ) {
    this.identity = login?.id;
  }

  sendControl(message: HubMessage): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(encodeMessage(message));
  }

  sendAudio(frame: Uint8Array): boolean {
    if (this.socket.readyState !== this.socket.OPEN || this.socket.bufferedAmount > MAX_UNSENT_REPLY_BYTES) return false;
    this.socket.send(frame, { binary: true });
    return true;
  }

  close(code: ErrorCode): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    this.sendControl(hubMessage({ type: 'error', code, message: 'disconnected by the hub' }));
    this.socket.close(CLOSE_CODES[code] ?? 1000, code);
  }

  terminate(): void {
    this.socket.terminate();
  }

  ping(): void {
    this.socket.ping();
  }
}

/**
 * Satellites over WebSocket on the hub's HTTP port, path `/satellite`. Text messages are control
 * messages, binary messages are audio frames. `maxPayload` is the frame limit, enforced by ws
 * before the message is buffered: a larger one closes the socket with 1009 (RFC 6455 §7.4.1).
 */
export class WsTransport {
  private readonly server: WebSocketServer;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    http: HttpServer,
    private readonly inputs: LinkInputs,
    private readonly logger: Logger,
    security: WsSecurity = {},
    heartbeatMs = 10_000,
  ) {
    this.server = new WebSocketServer({
      server: http,
      path: WS_PATH,
      maxPayload: MAX_FRAME_BYTES,
      // Before the upgrade: refused clients get a plain HTTP answer (429, 401) and never a socket.
      verifyClient: (info, callback) => {
        const address = info.req.socket.remoteAddress ?? 'unknown';
        // Browsers always send Origin on a WebSocket upgrade, satellites never do: a web page must
        // never become a satellite, whatever site it comes from and whether logins are on.
        if (info.req.headers.origin !== undefined) {
          logger.warn({ code: 'HUGH_ERR_NOT_AUTHORIZED', address, origin: info.req.headers.origin.slice(0, 200) }, 'WebSocket upgrade from a web page refused');
          return callback(false, 403, 'Forbidden');
        }
        if (security.connections && !security.connections.acquire(address)) {
          logger.warn({ code: 'HUGH_ERR_RATE_LIMITED', address }, 'WebSocket connection refused: too many from this address');
          return callback(false, 429, 'Too Many Connections');
        }
        if (security.connections) info.req.socket.once('close', () => security.connections!.release(address));
        if (!security.authenticate) return callback(true);
        const { username, password } = parseBasicAuth(info.req.headers.authorization);
        security.authenticate(address, username, password).then(
          (login) => {
            if (login?.kind === 'satellite') {
              (info.req as AuthenticatedRequest).hughLogin = login;
              return callback(true);
            }
            logger.warn({ code: 'HUGH_ERR_NOT_AUTHENTICATED', address, username, reason: login ? 'not a satellite login' : username ? 'unknown user, wrong password, or too many failures' : 'no credentials' }, 'WebSocket login refused');
            callback(false, 401, 'Unauthorized', { 'WWW-Authenticate': 'Basic realm="hugh"' });
          },
          () => callback(false, 401, 'Unauthorized'),
        );
      },
    });
    this.server.on('connection', (socket, request: AuthenticatedRequest) =>
      this.accept(socket, `ws:${request.socket.remoteAddress}:${request.socket.remotePort}`, request.hughLogin, security.helloTimeoutMs ?? 5_000),
    );
    this.server.on('error', (error) => logger.error({ err: error }, 'websocket server error'));
    // A peer that misses a whole heartbeat period is gone (power cut, Wi-Fi lost): drop it.
    this.heartbeat = setInterval(() => {
      for (const socket of this.server.clients) {
        const link = (socket as WebSocket & { hughLink?: WsSatelliteLink }).hughLink;
        if (!link) continue;
        if (!link.alive) {
          logger.info({ remote: link.remote }, 'websocket peer missed its heartbeat; terminating');
          link.terminate();
          continue;
        }
        link.alive = false;
        link.ping();
      }
    }, heartbeatMs);
    this.heartbeat.unref();
  }

  private accept(socket: WebSocket, remote: string, login: Login | undefined, helloTimeoutMs: number): void {
    const link = new WsSatelliteLink(socket, remote, login);
    (socket as WebSocket & { hughLink?: WsSatelliteLink }).hughLink = link;
    // An open socket that never says hello holds a connection slot for nothing.
    const helloTimer = setTimeout(() => {
      if (this.inputs.hasSession(link)) return;
      this.logger.info({ remote }, 'websocket closed: no hello in time');
      link.close('HUGH_ERR_HELLO_REQUIRED');
    }, helloTimeoutMs);
    helloTimer.unref();
    socket.on('pong', () => {
      link.alive = true;
    });
    // Only a pong proves the peer alive, not a message from it: a peer that sends but no longer reads
    // (wedged, or its receive side stuck) answers no ping, and its unread replies would queue here.
    socket.on('message', (data, isBinary) => {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      if (isBinary) this.inputs.onAudio(link, bytes);
      else this.inputs.onControl(link, bytes);
    });
    socket.on('error', (error) => this.logger.info({ remote, err: error }, 'websocket error'));
    socket.on('close', (code, reason) => {
      clearTimeout(helloTimer);
      this.logger.debug({ remote, code, reason: reason.toString() }, 'websocket closed');
      this.inputs.onClosed(link);
    });
  }

  /** Closes every link whose login `isCurrent` no longer accepts (removed, or password changed). */
  revoke(isCurrent: (login: Login) => boolean): void {
    for (const socket of this.server.clients) {
      const link = (socket as WebSocket & { hughLink?: WsSatelliteLink }).hughLink;
      if (!link?.login || isCurrent(link.login)) continue;
      this.logger.warn({ remote: link.remote, login: link.login.id }, 'login revoked (removed or password changed): WebSocket closed');
      link.close('HUGH_ERR_NOT_AUTHENTICATED');
    }
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    for (const socket of this.server.clients) socket.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
