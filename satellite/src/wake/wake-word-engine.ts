/** A keyword score from one step of an engine. */
export interface KeywordScore {
  keyword: string;
  /** 0..1; engines without scores (Porcupine) report 1 on a detection and 0 otherwise. */
  score: number;
}

/**
 * A wake-word engine: fixed-size steps of 16 kHz mono s16 samples in, a score per keyword out.
 * Thresholds, refractory periods and framing live in `WakeWordDetector`, not in engines.
 */
export interface WakeWordEngine {
  readonly name: string;
  /** Samples per `process` call (openWakeWord 1280, Porcupine 512). */
  readonly frameSamples: number;
  readonly keywords: readonly string[];
  /** Default threshold per keyword, as the model was trained. */
  readonly thresholds: ReadonlyMap<string, number>;
  process(frame: Int16Array): Promise<KeywordScore[]>;
  /** Forgets the audio history (after a detection, so one utterance fires once). */
  reset(): void;
  close(): Promise<void>;
}
