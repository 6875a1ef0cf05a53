import type { EventEmitter } from 'node:events';
import type { AudioFrame, HubMessage, SatelliteMessage } from '@hugh/protocol';

export interface HubLinkEvents {
  /** Connected (again); the client sends its hello now. */
  up: [];
  /** Connection lost; the link is already retrying with backoff. */
  down: [reason: string];
  /** An attempt to connect failed before the link was up (refused, timed out, login refused). */
  'connect-failed': [reason: string];
  control: [message: HubMessage];
  audio: [frame: AudioFrame];
  /**
   * Over MQTT the broker can stay up while the hub restarts: the hub's retained availability
   * (its will says "offline") tells the satellite when to say hello again.
   */
  'hub-status': [online: boolean];
  /** A bad input from the hub or a transport error; the link keeps going. */
  problem: [error: Error];
  /** The hub refused the connection: the login, or the TLS certificate did not check out (it retries). */
  refused: [reason: 'login' | 'tls', message: string];
}

/** Bytes sent, by kind: lets tests prove that an idle satellite sends no audio. */
export interface LinkCounters {
  controlBytesOut: number;
  audioBytesOut: number;
  audioFramesOut: number;
  audioFramesDropped: number;
}

/**
 * The satellite's end of the connection to the hub, over MQTT or WebSocket. It reconnects by
 * itself with capped, jittered exponential backoff, and never queues audio while disconnected.
 */
export interface HubLink extends EventEmitter<HubLinkEvents> {
  readonly url: string;
  readonly connected: boolean;
  readonly counters: LinkCounters;
  start(): void;
  stop(): Promise<void>;
  /** Returns false (message dropped) when not connected. */
  sendControl(message: SatelliteMessage): boolean;
  /** Returns false (frame dropped) when not connected or congested. */
  sendAudio(frame: Uint8Array): boolean;
  /** With several hubs: where the current one is in the satellite's list (0: its primary), and how many there are. */
  readonly hubIndex?: number;
  readonly hubCount?: number;
  /**
   * With several hubs: asked before the link moves back to a better hub, which it does only
   * when this says true (no turn in flight). Links to one hub never move and ignore it.
   */
  setSwitchGuard?(mayMove: () => boolean): void;
}

export function newCounters(): LinkCounters {
  return { controlBytesOut: 0, audioBytesOut: 0, audioFramesOut: 0, audioFramesDropped: 0 };
}

/** A failed TLS handshake: the hub's certificate does not chain to the configured CA, or the name is wrong. */
export function isTlsError(error: Error): boolean {
  return /CERT|certificate|self.signed|SSL|TLS/i.test(`${(error as NodeJS.ErrnoException).code ?? ''} ${error.message}`);
}

/** One hub of the satellite's list, with its own login. */
export interface HubTarget {
  url: string;
  username?: string;
  password?: string;
  /** The house CA for mqtts:// and wss://. */
  ca?: Buffer;
}

/** Default WebSocket path on the hub's HTTP port. */
export const WS_PATH = '/satellite';

/** A ws(s):// hub URL with the satellite path when none is given. */
export function websocketUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.pathname === '/' || parsed.pathname === '') parsed.pathname = WS_PATH;
  return parsed.toString();
}

/** Basic credentials of a hub target, when it has a login. */
export function targetCredentials(hub: HubTarget): { username: string; password: string } | undefined {
  return hub.username !== undefined ? { username: hub.username, password: hub.password ?? '' } : undefined;
}
