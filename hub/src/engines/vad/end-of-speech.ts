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
  /** Silence after speech that ends the utterance. */
  trailingSilenceMs: number;
  /** Give up when no speech starts within this time. */
  noSpeechTimeoutMs: number;
}

export type EndpointDecision = { kind: 'continue' } | { kind: 'end-of-speech'; speechEndMs: number } | { kind: 'no-speech' };

/**
 * Decides the end of an utterance from VAD frames. Times are positions in the audio fed so far,
 * so the decision does not depend on how fast frames arrive. (The longest utterance is the session's
 * limit: it ends the audio.)
 */
export class EndOfSpeechDetector {
  private readonly framer: SampleFramer;
  private positionMs = 0;
  private speechMs = 0;
  private silenceMs = 0;
  private started = false;
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

  /** Silence since the last speech frame, in audio time (0 while speech goes on). */
  get silenceSoFarMs(): number {
    return this.silenceMs;
  }

  /** Position of the end of the last speech frame, in audio time. */
  get speechEndMs(): number {
    return this.lastSpeechEndMs;
  }

  async push(samples: Int16Array): Promise<EndpointDecision> {
    let decision: EndpointDecision = { kind: 'continue' };
    for (const frame of this.framer.push(samples)) {
      // Frames after a decision in this push are consumed but not judged: the caller stops here.
      if (decision.kind === 'continue') decision = this.step(await this.vad.probability(frame));
    }
    return decision;
  }

  private step(probability: number): EndpointDecision {
    const s = this.settings;
    this.positionMs += this.frameMs;
    if (probability >= s.speechThreshold) {
      this.speechMs += this.frameMs;
      this.silenceMs = 0;
      this.lastSpeechEndMs = this.positionMs;
      if (!this.started && this.speechMs >= s.minSpeechMs) this.started = true;
    } else if (probability < s.silenceThreshold) {
      this.silenceMs += this.frameMs;
      // Before the utterance starts, a short blip of speech followed by silence is forgotten.
      if (!this.started && this.silenceMs >= s.trailingSilenceMs) this.speechMs = 0;
    }
    if (this.started && this.silenceMs >= s.trailingSilenceMs) return { kind: 'end-of-speech', speechEndMs: this.lastSpeechEndMs };
    if (!this.started && this.positionMs >= s.noSpeechTimeoutMs) return { kind: 'no-speech' };
    return { kind: 'continue' };
  }
}
