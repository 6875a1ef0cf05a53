import type { PcmAudio } from '../wav.js';
import type { EngineCallOptions } from '../stt/speech-to-text.js';

/**
 * Text to speech for one phrase, as a stream: audio chunks as the engine makes them, so the first
 * sound goes out before the whole phrase is synthesised. Every chunk of one call has the same format.
 */
export interface TextToSpeech {
  readonly name: string;
  synthesize(text: string, options: EngineCallOptions): AsyncIterable<PcmAudio>;
}
