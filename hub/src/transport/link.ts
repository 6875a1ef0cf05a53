import type { ErrorCode, HubMessage } from '@hugh/protocol';

/**
 * The hub's end of one satellite connection. Sessions talk to this and never learn which
 * transport carries them.
 */
export interface SatelliteLink {
  /** `hermes`: a Rhasspy site, whose Hermes messages the hub turns into a satellite's. */
  readonly transport: 'mqtt' | 'ws' | 'hermes';
  /** For logs: remote address or broker client id. */
  readonly remote: string;
  /** The satellite id this connection logged in as (WebSocket with auth on); its hello must match. */
  readonly identity?: string | undefined;
  sendControl(message: HubMessage): void;
  /** Sends one encoded audio frame; returns false when it was dropped (link gone or congested). */
  sendAudio(frame: Uint8Array): boolean;
  /** Ends the connection, telling the peer why where the transport can. Safe in any state. */
  close(code: ErrorCode): void;
}

/**
 * Reply audio a satellite's WebSocket may hold unsent (it reads slower than the hub speaks, or not
 * at all) before further frames are dropped instead of buffered without bound: about 10 s of 48 kHz audio.
 */
export const MAX_UNSENT_REPLY_BYTES = 1024 * 1024;

/** The embedded broker's hand on its clients' connections (an external broker gives the hub none). */
export interface BrokerClients {
  /** Closes a client's connection (a misbehaving satellite). */
  disconnect(clientId: string): void;
  /**
   * Whether the broker waits for this client's connection to drain. Anything more published to it
   * then waits in the broker's one queue, which every client shares (aedes holds 100 publishes in
   * flight, then queues the rest without bound): reply audio for it is dropped instead.
   */
  congested(clientId: string): boolean;
}

/** What a transport hands the session layer. Raw bytes: validation happens in one place, the sessions. */
export interface LinkInputs {
  onControl(link: SatelliteLink, raw: Uint8Array | string): void;
  onAudio(link: SatelliteLink, raw: Uint8Array): void;
  onClosed(link: SatelliteLink): void;
  /** Whether the link's hello has been accepted (transports close links that never say it). */
  hasSession(link: SatelliteLink): boolean;
}
