import { AsyncQueue, type Logger } from '@hugh/common';
import {
  CAPTURE_SAMPLE_RATE_HZ,
  Framer,
  HughError,
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

export interface ActiveTurnOptions {
  link: SatelliteLink;
  satelliteId: string;
  room: string | undefined;
  turnId: number;
  wake: WakeInfo | undefined;
  playbackFormats: readonly PlaybackFormat[];
  /** Pre-roll the satellite says it put at the start of the stream, and how much of it the hub keeps. */
  preRoll: { sentMs: number; keptMs: number };
  /** The one owner of the limit on audio per turn: beyond it the hub stops listening. */
  maxUtteranceMs: number;
  logger: Logger;
  counters: HubCounters;
  onTranscript?: (text: string) => void;
}

/** A turn in progress on one satellite: the hub side of the `Turn` the pipeline receives. */
export class ActiveTurn implements Turn {
  readonly audio: AsyncQueue<AudioFrame> = new AsyncQueue();
  readonly stats: TurnAudioStats = { frames: 0, bytes: 0, missingFrames: 0, duplicateFrames: 0, audioMs: 0 };
  readonly satelliteId: string;
  readonly room: string | undefined;
  readonly turnId: number;
  readonly wake: WakeInfo | undefined;
  readonly playbackFormats: readonly PlaybackFormat[];
  private readonly controller = new AbortController();
  private readonly link: SatelliteLink;
  private expectedSeq = 0;
  private replySeq = 0;
  private listening = true;
  private reply: ReplyWriter | undefined;
  /** When the reply's first frame left, and how much audio has followed it: when the satellite will have played it. */
  private replyPlayback: { startedAtMs: number; audioMs: number } | undefined;
  /** Bytes of pre-roll still to drop: a satellite that sent more than the hub keeps. */
  private skipBytes: number;

  constructor(private readonly options: ActiveTurnOptions) {
    ({ link: this.link, satelliteId: this.satelliteId, room: this.room, turnId: this.turnId, wake: this.wake, playbackFormats: this.playbackFormats } = options);
    this.skipBytes = 2 * Math.round((Math.max(0, options.preRoll.sentMs - options.preRoll.keptMs) / 1000) * CAPTURE_SAMPLE_RATE_HZ);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get isListening(): boolean {
    return this.listening;
  }

  /** When the satellite, playing in real time what the hub sends faster, will have played the reply (Unix ms); undefined without one. */
  get replyPlayedByMs(): number | undefined {
    return this.replyPlayback && this.replyPlayback.startedAtMs + this.replyPlayback.audioMs;
  }

  /**
   * Accepts one inbound frame. Duplicates and frames after the end of listening are dropped; a gap
   * in sequence numbers is counted and the frame kept (late audio beats no audio). A frame in a
   * format other than 16 kHz mono is refused (HUGH_ERR_FRAME_INVALID): the protocol allows none.
   */
  acceptFrame(frame: AudioFrame): 'accepted' | 'dropped' {
    if (frame.sampleRateHz !== CAPTURE_SAMPLE_RATE_HZ || frame.channels !== 1) {
      throw new HughError('HUGH_ERR_FRAME_INVALID', `satellite audio is ${CAPTURE_SAMPLE_RATE_HZ} Hz mono; this frame is ${frame.sampleRateHz} Hz, ${frame.channels} channels`);
    }
    if (!this.listening) return 'dropped';
    if (frame.seq < this.expectedSeq) {
      this.stats.duplicateFrames++;
      return 'dropped';
    }
    if (frame.seq > this.expectedSeq) {
      this.stats.missingFrames += frame.seq - this.expectedSeq;
      this.options.logger.warn({ expected: this.expectedSeq, got: frame.seq }, 'audio frames missing');
    }
    this.expectedSeq = frame.seq + 1;
    this.stats.frames++;
    this.stats.bytes += frame.payload.byteLength;
    this.stats.audioMs += frameDurationMs(frame);
    const kept = this.trimPreRoll(frame);
    if (kept) this.audio.push(kept);
    if (frame.last) this.endInput();
    else if (this.stats.audioMs >= this.options.maxUtteranceMs) {
      // The limit on audio per turn: stop listening; later frames of this turn are dropped, not buffered.
      this.options.logger.warn({ code: 'HUGH_ERR_AUDIO_TOO_LONG', audioMs: this.stats.audioMs, maxUtteranceMs: this.options.maxUtteranceMs }, 'turn reached the longest utterance accepted');
      this.stopListening('max-length');
    }
    return 'accepted';
  }

  private trimPreRoll(frame: AudioFrame): AudioFrame | undefined {
    if (this.skipBytes === 0) return frame;
    const dropped = Math.min(this.skipBytes, frame.payload.byteLength);
    this.skipBytes -= dropped;
    return dropped === frame.payload.byteLength ? undefined : { ...frame, payload: frame.payload.subarray(dropped) };
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
    this.options.onTranscript?.(text);
  }

  startReply(format: PlaybackFormat): ReplyWriter {
    this.reply?.end('done');
    const turn = this;
    const framer = new Framer(Math.round((format.sampleRateHz * REPLY_FRAME_MS) / 1000) * 2 * format.channels);
    let frameCount = 0;
    let open = !this.signal.aborted;
    const startedAtMs = Date.now();
    if (open) this.link.sendControl(hubMessage({ type: 'reply-start', turnId: this.turnId, codec: 'pcm_s16le', ...format }));
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
      this.replyPlayback ??= { startedAtMs: Date.now(), audioMs: 0 };
      this.replyPlayback.audioMs += (payload.byteLength / (2 * format.channels) / format.sampleRateHz) * 1000;
      const sent = this.link.sendAudio(frame);
      if (sent) this.options.counters.framesOut++;
      else this.options.counters.framesDropped++;
      return sent;
    };
    const writer: ReplyWriter = {
      format,
      write(pcm) {
        if (!open || turn.signal.aborted) return false;
        let ok = true;
        for (const frame of framer.push(pcm)) ok = send(frame) && ok;
        return ok;
      },
      end(reason = 'done') {
        if (!open) return;
        open = false;
        const rest = framer.flush();
        if (reason === 'done' && rest.length > 0) send(rest);
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
