import type { EventEmitter } from 'node:events';
import type { AudioFrame, HubMessage, SatelliteMessage } from '@hugh/protocol';

export interface HubLinkEvents {
  /** Connected (again); the client sends its hello now. */
  up: [];
  /** Connection lost; the link is already retrying with backoff. */
  down: [reason: string];
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
}

export function newCounters(): LinkCounters {
  return { controlBytesOut: 0, audioBytesOut: 0, audioFramesOut: 0, audioFramesDropped: 0 };
}

/** A failed TLS handshake: the hub's certificate does not chain to the configured CA, or the name is wrong. */
export function isTlsError(error: Error): boolean {
  return /CERT|certificate|self.signed|SSL|TLS/i.test(`${(error as NodeJS.ErrnoException).code ?? ''} ${error.message}`);
}
