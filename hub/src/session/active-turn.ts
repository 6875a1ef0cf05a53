import { AsyncQueue, type Logger } from '@hugh/common';
import {
  encodeAudioFrame,
  frameDurationMs,
  hubMessage,
  type AudioFrame,
  type PlaybackFormat,
} from '@hugh/protocol';
import type { HubCounters } from '../counters.js';
import type { SatelliteLink } from '../transport/link.js';
import type { ReplyWriter, Turn, WakeInfo } from './turn.js';

/** Reply audio goes out in frames of this length: small enough to start playback early. */
const REPLY_FRAME_MS = 40;

export type CancelReason = 'user' | 'wake-word' | 'stop-command' | 'arbitration-lost' | 'error' | 'replaced';

/** Counters of one turn's inbound audio, logged when the turn ends. */
export interface TurnAudioStats {
  frames: number;
  bytes: number;
  missingFrames: number;
  duplicateFrames: number;
  audioMs: number;
}

/** A turn in progress on one satellite: the hub side of the `Turn` the pipeline receives. */
export class ActiveTurn implements Turn {
  readonly audio: AsyncQueue<AudioFrame> = new AsyncQueue();
  readonly stats: TurnAudioStats = { frames: 0, bytes: 0, missingFrames: 0, duplicateFrames: 0, audioMs: 0 };
  private readonly controller = new AbortController();
  private expectedSeq = 0;
  private replySeq = 0;
  private listening = true;
  private reply: ReplyWriter | undefined;

  constructor(
    private readonly link: SatelliteLink,
    readonly satelliteId: string,
    readonly room: string | undefined,
    readonly turnId: number,
    readonly wake: WakeInfo | undefined,
    readonly inputFormat: { sampleRateHz: number; channels: 1 | 2 },
    readonly preRollMs: number,
    readonly playbackFormats: readonly PlaybackFormat[],
    private readonly maxUtteranceMs: number,
    private readonly logger: Logger,
    private readonly counters: HubCounters,
    private readonly onTranscript: (text: string) => void = () => undefined,
  ) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get isListening(): boolean {
    return this.listening;
  }

  /**
   * Accepts one inbound frame. Duplicates and frames after the end of listening are dropped;
   * a gap in sequence numbers is counted and the frame kept (late audio beats no audio).
   */
  acceptFrame(frame: AudioFrame): 'accepted' | 'dropped' {
    if (!this.listening) return 'dropped';
    if (frame.seq < this.expectedSeq) {
      this.stats.duplicateFrames++;
      return 'dropped';
    }
    if (frame.seq > this.expectedSeq) {
      this.stats.missingFrames += frame.seq - this.expectedSeq;
      this.logger.warn({ expected: this.expectedSeq, got: frame.seq }, 'audio frames missing');
    }
    this.expectedSeq = frame.seq + 1;
    this.stats.frames++;
    this.stats.bytes += frame.payload.byteLength;
    this.stats.audioMs += frameDurationMs(frame);
    this.audio.push(frame);
    if (frame.last) this.endInput();
    else if (this.stats.audioMs >= this.maxUtteranceMs) {
      // The limit on audio per turn: stop listening; later frames of this turn are dropped, not buffered.
      this.logger.warn({ code: 'HUGH_ERR_AUDIO_TOO_LONG', audioMs: this.stats.audioMs, maxUtteranceMs: this.maxUtteranceMs }, 'turn reached the longest utterance accepted');
      this.stopListening('max-length');
    }
    return 'accepted';
  }

  /** The satellite's audio is over (audio-stop or last frame). */
  endInput(): void {
    this.listening = false;
    this.audio.end();
  }

  stopListening(reason: 'end-of-speech' | 'no-speech' | 'max-length' | 'error'): void {
    if (!this.listening) return;
    this.link.sendControl(hubMessage({ type: 'stop-listening', turnId: this.turnId, reason }));
    this.endInput();
  }

  sendTranscript(text: string): void {
    if (this.signal.aborted) return;
    this.link.sendControl(hubMessage({ type: 'transcript', turnId: this.turnId, text }));
    this.onTranscript(text);
  }

  startReply(format: PlaybackFormat): ReplyWriter {
    this.reply?.end('done');
    const turn = this;
    const bytesPerFrame = Math.round((format.sampleRateHz * REPLY_FRAME_MS) / 1000) * 2 * format.channels;
    let pending = Buffer.alloc(0);
    let frameCount = 0;
    let open = !this.signal.aborted;
    const startedAtMs = Date.now();
    if (open) {
      this.link.sendControl(hubMessage({ type: 'reply-start', turnId: this.turnId, codec: 'pcm_s16le', ...format }));
    }
    const send = (payload: Uint8Array): boolean => {
      const frame = encodeAudioFrame({
        turnId: this.turnId,
        seq: this.replySeq++,
        sampleRateHz: format.sampleRateHz,
        channels: format.channels,
        codec: 'pcm_s16le',
        last: false,
        timestampMs: startedAtMs + frameCount * REPLY_FRAME_MS,
        payload,
      });
      frameCount++;
      const sent = this.link.sendAudio(frame);
      if (sent) this.counters.framesOut++;
      else this.counters.framesDropped++;
      return sent;
    };
    const writer: ReplyWriter = {
      format,
      write(pcm) {
        if (!open || turn.signal.aborted) return false;
        pending = pending.length ? Buffer.concat([pending, pcm]) : Buffer.from(pcm);
        let ok = true;
        while (pending.length >= bytesPerFrame) {
          ok = send(pending.subarray(0, bytesPerFrame)) && ok;
          pending = pending.subarray(bytesPerFrame);
        }
        return ok;
      },
      end(reason = 'done') {
        if (!open) return;
        open = false;
        if (reason === 'done' && pending.length > 0) send(pending);
        pending = Buffer.alloc(0);
        turn.link.sendControl(hubMessage({ type: 'reply-stop', turnId: turn.turnId, reason, frameCount }));
        if (turn.reply === writer) turn.reply = undefined;
      },
    };
    if (open) this.reply = writer;
    return writer;
  }

  /**
   * Cancels the turn: every stage sees the signal, a reply in progress is stopped, and the
   * satellite is told unless the cancel came from it.
   */
  cancel(reason: CancelReason, tellSatellite: boolean): void {
    if (this.signal.aborted) return;
    this.controller.abort(reason);
    this.listening = false;
    this.audio.end();
    this.reply?.end('cancelled');
    if (tellSatellite) this.link.sendControl(hubMessage({ type: 'cancel', turnId: this.turnId, reason }));
  }
}
