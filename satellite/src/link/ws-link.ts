import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { Backoff, RetryTimer, type Logger } from '@hugh/common';
import { HughError, MAX_FRAME_BYTES, decodeAudioFrame, decodeHubMessage, encodeMessage, type SatelliteMessage } from '@hugh/protocol';
import { isTlsError, newCounters, targetCredentials, websocketUrl, type HubLink, type HubLinkEvents, type HubTarget } from './hub-link.js';

export interface WsLinkOptions {
  url: string;
  logger: Logger;
  /** Sent as `Authorization: Basic` (the hub refuses the upgrade with 401 without them). */
  username?: string;
  password?: string;
  /** The house CA (from `hugh-hub certs`) that the hub's wss certificate must chain to. */
  ca?: Buffer;
  backoff?: Backoff;
  heartbeatMs?: number;
  /** Bytes queued in the socket beyond which audio frames are dropped instead of buffered. */
  maxBufferedBytes?: number;
}

/** Close code the hub uses when a newer connection with the same satellite id replaces this one. */
const REPLACED_CLOSE_CODE = 4001;

/** WebSocket link: text = control, binary = audio frames. Ping every heartbeat; no pong → reconnect. */
export class WsHubLink extends EventEmitter<HubLinkEvents> implements HubLink {
  readonly counters = newCounters();
  private socket: WebSocket | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly retry: RetryTimer;

  constructor(private readonly options: WsLinkOptions) {
    super();
    this.retry = new RetryTimer(options.backoff ?? new Backoff(), () => this.start());
  }

  get url(): string {
    return this.options.url;
  }

  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  start(): void {
    if (this.socket || this.retry.isStopped) return;
    const { logger } = this.options;
    const { username, password, ca } = this.options;
    const socket = new WebSocket(this.options.url, {
      maxPayload: MAX_FRAME_BYTES,
      handshakeTimeout: 5_000,
      ...(ca ? { ca } : {}),
      ...(username !== undefined ? { headers: { authorization: `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}` } } : {}),
    });
    socket.on('unexpected-response', (_request, response) => {
      logger.warn({ status: response.statusCode }, response.statusCode === 401 ? 'the hub refused the login: check the satellite id and password' : 'the hub refused the connection');
      if (response.statusCode === 401) this.emit('refused', 'login', 'HTTP 401');
      socket.terminate();
    });
    this.socket = socket;
    let alive = true;
    socket.on('open', () => {
      this.retry.succeeded();
      logger.info({ url: this.url }, 'connected to hub (websocket)');
      this.heartbeat = setInterval(() => {
        if (!alive) {
          logger.warn('hub missed a heartbeat; reconnecting');
          socket.terminate();
          return;
        }
        alive = false;
        socket.ping();
      }, this.options.heartbeatMs ?? 10_000);
      this.emit('up');
    });
    socket.on('pong', () => {
      alive = true;
    });
    socket.on('message', (data, isBinary) => {
      alive = true;
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      try {
        if (isBinary) this.emit('audio', decodeAudioFrame(bytes));
        else this.emit('control', decodeHubMessage(bytes));
      } catch (error) {
        this.emit('problem', error as Error);
      }
    });
    socket.on('error', (error) => {
      if (!isTlsError(error)) return logger.debug({ err: error }, 'websocket link error');
      logger.warn({ err: error.message }, 'TLS: the hub certificate is not trusted (check caFile)');
      this.emit('refused', 'tls', error.message);
    });
    socket.on('close', (code, reason) => {
      const wasOpen = this.heartbeat !== undefined;
      clearInterval(this.heartbeat);
      this.heartbeat = undefined;
      this.socket = undefined;
      if (code === REPLACED_CLOSE_CODE) {
        // Another connection took this satellite id. Reconnecting would evict it in turn, and the
        // two would flap forever; stay down and say why (before `down`, so that a failover link
        // knows not to move to another hub either).
        this.retry.stop();
        this.emit('problem', new HughError('HUGH_ERR_REPLACED', 'another connection with this satellite id replaced this one; not reconnecting'));
        if (wasOpen) this.emit('down', `closed ${code} ${reason.toString()}`.trim());
        return;
      }
      if (wasOpen) this.emit('down', `closed ${code} ${reason.toString()}`.trim());
      else this.emit('connect-failed', `closed ${code} before the connection was up`);
      const delayMs = this.retry.schedule();
      if (delayMs !== undefined) logger.debug({ delayMs }, 'reconnecting to hub');
    });
  }

  sendControl(message: SatelliteMessage): boolean {
    if (!this.connected || !this.socket) return false;
    const payload = encodeMessage(message);
    this.counters.controlBytesOut += Buffer.byteLength(payload);
    this.socket.send(payload);
    return true;
  }

  sendAudio(frame: Uint8Array): boolean {
    const socket = this.socket;
    if (!socket || !this.connected || socket.bufferedAmount > (this.options.maxBufferedBytes ?? 256 * 1024)) {
      this.counters.audioFramesDropped++;
      return false;
    }
    this.counters.audioBytesOut += frame.byteLength;
    this.counters.audioFramesOut++;
    socket.send(frame, { binary: true });
    return true;
  }

  async stop(): Promise<void> {
    this.retry.stop();
    clearInterval(this.heartbeat);
    const socket = this.socket;
    if (!socket) return;
    await new Promise<void>((resolve) => {
      if (socket.readyState === WebSocket.CLOSED) return resolve();
      socket.once('close', () => resolve());
      socket.close(1000, 'satellite stopping');
      setTimeout(() => {
        socket.terminate();
        resolve();
      }, 1_000).unref();
    });
  }
}

/** A failover probe over WebSocket: the upgrade with the satellite's credentials, closed at once (1000). */
export function probeWsHub(hub: HubTarget, timeoutMs: number): Promise<void> {
  const credentials = targetCredentials(hub);
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(websocketUrl(hub.url), {
      handshakeTimeout: timeoutMs,
      ...(hub.ca ? { ca: hub.ca } : {}),
      ...(credentials ? { headers: { authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` } } : {}),
    });
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      if (error) reject(error);
      else resolve();
    };
    socket.on('open', () => {
      socket.close(1000, 'probe');
      finish();
    });
    socket.on('unexpected-response', (_request, response) => {
      socket.terminate();
      finish(new HughError(response.statusCode === 401 ? 'HUGH_ERR_NOT_AUTHENTICATED' : 'HUGH_ERR_ENGINE_UNAVAILABLE', `the hub answered the upgrade with ${response.statusCode}`));
    });
    socket.on('error', (error) => finish(error));
    socket.on('close', () => finish(new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', 'closed before the upgrade')));
  });
}
