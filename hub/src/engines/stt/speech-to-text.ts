/** Options every engine call gets: the turn's signal (barge-in, cancel) and the language. */
export interface EngineCallOptions {
  signal: AbortSignal;
  language?: string;
}

/** Speech to text for one utterance of 16 kHz mono s16 audio. */
export interface SpeechToText {
  readonly name: string;
  transcribe(samples: Int16Array, options: EngineCallOptions): Promise<string>;
}
