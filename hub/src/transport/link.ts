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

/** What a transport hands the session layer. Raw bytes: validation happens in one place, the sessions. */
export interface LinkInputs {
  onControl(link: SatelliteLink, raw: Uint8Array | string): void;
  onAudio(link: SatelliteLink, raw: Uint8Array): void;
  onClosed(link: SatelliteLink): void;
  /** Whether the link's hello has been accepted (transports close links that never say it). */
  hasSession(link: SatelliteLink): boolean;
}
