import type { AudioFrame, PlaybackFormat } from '@hugh/protocol';

export interface WakeInfo {
  engine: string;
  keyword: string;
  score: number;
  levelDbfs: number;
  detectedAtMs: number;
}

/** Writes one reply's audio to the satellite, cut into frames. */
export interface ReplyWriter {
  readonly format: PlaybackFormat;
  /** PCM s16le at `format`; returns false if frames were dropped (link gone or congested). */
  write(pcm: Uint8Array): boolean;
  end(reason?: 'done' | 'cancelled' | 'error'): void;
}

/**
 * One turn as the pipeline sees it: the satellite's audio as a stream, a signal that fires on
 * barge-in, cancel or disconnect, and the ways to answer. Transport-free by design.
 */
export interface Turn {
  readonly satelliteId: string;
  readonly room: string | undefined;
  readonly turnId: number;
  readonly wake: WakeInfo | undefined;
  /** Audio after the wake word, 16 kHz mono s16le (the protocol allows no other), in order; ends at audio-stop, stop-listening or the length limit. */
  readonly audio: AsyncIterable<AudioFrame>;
  readonly signal: AbortSignal;
  /** Formats the satellite can play, best first. */
  readonly playbackFormats: readonly PlaybackFormat[];
  /** Tells the satellite to stop streaming and ends `audio`. Idempotent. */
  stopListening(reason: 'end-of-speech' | 'no-speech' | 'max-length' | 'error'): void;
  sendTranscript(text: string): void;
  startReply(format: PlaybackFormat): ReplyWriter;
}

/** The turn pipeline. It must settle when `turn.signal` aborts; a throw ends only this turn. */
export interface TurnHandler {
  handleTurn(turn: Turn): Promise<void>;
}

/** Speaks a text on a hub-started turn that has no audio input (announcements, timers). */
export interface Announcer {
  announce(turn: Turn, text: string): Promise<void>;
}
