import { CAPTURE_SAMPLE_RATE_HZ, SampleFramer } from '@hugh/protocol';
import type { VoiceActivityDetector } from './silero-vad.js';

/** The endpointing settings, from `vad.*` in the config (the schema owns every default). */
export interface EndpointSettings {
  /** Probability at or above which a frame is speech. */
  speechThreshold: number;
  /**
   * Probability below which a frame is silence; between the two nothing changes. Equal by default:
   * measured here, a gap only added Silero's hang-over to the end-of-speech delay.
   */
  silenceThreshold: number;
  /** Speech needed before an utterance counts as started (a cough or a wake-word tail is not one). */
  minSpeechMs: number;
  /** The first short silence after speech: a pause, where the turn may be over (the hub speculates). */
  pauseMs: number;
  /** Speech needed before a pause counts: the wake word's tail in the pre-roll is not an utterance. */
  pauseAfterSpeechMs: number;
  /** Silence after speech that ends the utterance whatever it said. */
  trailingSilenceMs: number;
  /** Give up when no speech starts within this time. */
  noSpeechTimeoutMs: number;
}

/** What one step of audio changed; times are positions in the audio fed so far (ms). */
export type EndpointEvent =
  /** `pauseMs` of silence after speech: the user may be done. */
  | { kind: 'pause'; speechEndMs: number }
  /** Speech again after a pause: what was speculated on is not the whole utterance. */
  | { kind: 'resume' }
  /** `trailingSilenceMs` of silence after speech. */
  | { kind: 'end-of-speech'; speechEndMs: number }
  | { kind: 'no-speech' };

/**
 * Decides the end of an utterance from VAD frames, and the pauses before it. Times are positions in
 * the audio fed so far, so the decisions do not depend on how fast frames arrive. (The longest
 * utterance is the session's limit: it ends the audio.)
 */
export class EndOfSpeechDetector {
  private readonly framer: SampleFramer;
  private positionMs = 0;
  private speechMs = 0;
  private silenceMs = 0;
  private started = false;
  private paused = false;
  private ended = false;
  private lastSpeechEndMs = 0;
  private readonly frameMs: number;

  constructor(
    private readonly vad: VoiceActivityDetector,
    private readonly settings: EndpointSettings,
  ) {
    this.frameMs = (vad.frameSamples / CAPTURE_SAMPLE_RATE_HZ) * 1000;
    this.framer = new SampleFramer(vad.frameSamples);
    vad.reset();
  }

  /** Whether speech has started. */
  get heardSpeech(): boolean {
    return this.started;
  }

  /** Audio fed so far, in ms. */
  get audioMs(): number {
    return this.positionMs;
  }

  /** Feeds samples; returns what they changed, in order (usually nothing). Nothing follows an end. */
  async push(samples: Int16Array): Promise<EndpointEvent[]> {
    const events: EndpointEvent[] = [];
    for (const frame of this.framer.push(samples)) {
      if (this.ended) break;
      const event = this.step(await this.vad.probability(frame));
      if (event) events.push(event);
    }
    return events;
  }

  private step(probability: number): EndpointEvent | undefined {
    const s = this.settings;
    this.positionMs += this.frameMs;
    if (probability >= s.speechThreshold) {
      this.speechMs += this.frameMs;
      this.silenceMs = 0;
      this.lastSpeechEndMs = this.positionMs;
      if (!this.started && this.speechMs >= s.minSpeechMs) this.started = true;
      if (this.paused) {
        this.paused = false;
        return { kind: 'resume' };
      }
    } else if (probability < s.silenceThreshold) {
      this.silenceMs += this.frameMs;
      // Before the utterance starts, a short blip of speech followed by silence is forgotten.
      if (!this.started && this.silenceMs >= s.trailingSilenceMs) this.speechMs = 0;
    }
    if (this.started && this.silenceMs >= s.trailingSilenceMs) {
      this.ended = true;
      return { kind: 'end-of-speech', speechEndMs: this.lastSpeechEndMs };
    }
    if (this.started && !this.paused && this.silenceMs >= s.pauseMs && this.speechMs >= s.pauseAfterSpeechMs) {
      this.paused = true;
      return { kind: 'pause', speechEndMs: this.lastSpeechEndMs };
    }
    if (!this.started && this.positionMs >= s.noSpeechTimeoutMs) {
      this.ended = true;
      return { kind: 'no-speech' };
    }
    return undefined;
  }
}
