import type { VoiceActivityDetector } from './silero-vad.js';

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
  /** Longest utterance. */
  maxUtteranceMs: number;
}

export const DEFAULT_ENDPOINT: EndpointSettings = {
  speechThreshold: 0.5,
  silenceThreshold: 0.5,
  minSpeechMs: 160,
  trailingSilenceMs: 600,
  noSpeechTimeoutMs: 5_000,
  maxUtteranceMs: 15_000,
};

export type EndpointDecision =
  | { kind: 'continue' }
  | { kind: 'end-of-speech'; speechEndMs: number }
  | { kind: 'no-speech' }
  | { kind: 'max-length' };

/**
 * Decides the end of an utterance from VAD frames. Times are positions in the audio fed so far,
 * so the decision does not depend on how fast frames arrive.
 */
export class EndOfSpeechDetector {
  private pending = new Int16Array(0);
  private positionMs = 0;
  private speechMs = 0;
  private silenceMs = 0;
  private started = false;
  private lastSpeechEndMs = 0;
  private readonly frameMs: number;

  constructor(
    private readonly vad: VoiceActivityDetector,
    private readonly settings: EndpointSettings = DEFAULT_ENDPOINT,
  ) {
    this.frameMs = (vad.frameSamples / 16_000) * 1000;
    vad.reset();
  }

  /** Whether speech has started. */
  get heardSpeech(): boolean {
    return this.started;
  }

  async push(samples: Int16Array): Promise<EndpointDecision> {
    const all = new Int16Array(this.pending.length + samples.length);
    all.set(this.pending);
    all.set(samples, this.pending.length);
    let offset = 0;
    let decision: EndpointDecision = { kind: 'continue' };
    for (; offset + this.vad.frameSamples <= all.length && decision.kind === 'continue'; offset += this.vad.frameSamples) {
      decision = this.step(await this.vad.probability(all.subarray(offset, offset + this.vad.frameSamples)));
    }
    this.pending = all.slice(offset);
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
    if (this.positionMs >= s.maxUtteranceMs) return { kind: 'max-length' };
    return { kind: 'continue' };
  }
}
