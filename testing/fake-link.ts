import { decodeAudioFrame, encodeAudioFrame, encodeMessage, satelliteMessage, type AudioFrame, type ErrorCode, type HubMessage, type SatelliteMessageBody } from '@hugh/protocol';
import type { SatelliteLink, SessionManager } from '@hugh/hub';

/** The hub's end of a satellite connection, in memory: what the hub sends is kept for assertions. */
export class FakeLink implements SatelliteLink {
  readonly transport = 'ws';
  readonly remote: string;
  readonly sent: HubMessage[] = [];
  readonly frames: AudioFrame[] = [];
  closedWith: ErrorCode | undefined;

  constructor(
    readonly identity?: string,
    remote = 'fake:1',
  ) {
    this.remote = remote;
  }

  sendControl(message: HubMessage): void {
    this.sent.push(message);
  }

  sendAudio(frame: Uint8Array): boolean {
    this.frames.push(decodeAudioFrame(frame));
    return true;
  }

  close(code: ErrorCode): void {
    this.closedWith ??= code;
  }

  /** The messages of one type the hub sent, in order. */
  of<T extends HubMessage['type']>(type: T): Extract<HubMessage, { type: T }>[] {
    return this.sent.filter((message): message is Extract<HubMessage, { type: T }> => message.type === type);
  }
}

/** A satellite talking to `sessions` through `link`: control messages and 40 ms frames of 16 kHz mono. */
export function speaker(sessions: SessionManager, link: FakeLink) {
  return {
    say(body: SatelliteMessageBody): void {
      sessions.onControl(link, encodeMessage(satelliteMessage(body)));
    },
    hello(satelliteId: string): void {
      this.say({ type: 'hello', satelliteId, room: 'Kitchen', softwareVersion: 't', capabilities: { wakeEngines: [], playback: true }, playbackFormats: [{ sampleRateHz: 24_000, channels: 1 }] });
    },
    frame(turnId: number, seq: number, options: { sampleRateHz?: number; channels?: 1 | 2; samples?: number; fill?: number } = {}): void {
      const channels = options.channels ?? 1;
      const payload = new Uint8Array(2 * channels * (options.samples ?? 640)).fill(options.fill ?? 0);
      sessions.onAudio(link, encodeAudioFrame({ turnId, seq, sampleRateHz: options.sampleRateHz ?? 16_000, channels, codec: 'pcm_s16le', last: false, timestampMs: 0, payload }));
    },
  };
}
