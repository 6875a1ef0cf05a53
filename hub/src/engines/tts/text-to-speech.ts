import type { PcmAudio } from '../wav.js';
import type { EngineCallOptions } from '../stt/speech-to-text.js';

/** Text to speech for one sentence. */
export interface TextToSpeech {
  readonly name: string;
  synthesize(text: string, options: EngineCallOptions): Promise<PcmAudio>;
}
