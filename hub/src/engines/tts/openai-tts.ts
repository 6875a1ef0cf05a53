import { engineFetch } from '@hugh/common';
import type { EngineCallOptions } from '../stt/speech-to-text.js';
import { parseWav, type PcmAudio } from '../wav.js';
import type { TextToSpeech } from './text-to-speech.js';

/** OpenAI-compatible `POST /v1/audio/speech {model, input, voice, response_format: "wav"}`. */
export class OpenAiTts implements TextToSpeech {
  readonly name: string;

  constructor(
    private readonly baseUrl: string,
    private readonly model: string,
    private readonly voice: string,
    private readonly apiKey?: string,
  ) {
    this.name = `openai-tts ${baseUrl}`;
  }

  async synthesize(text: string, options: EngineCallOptions): Promise<PcmAudio> {
    const response = await engineFetch(this.name, new URL('/v1/audio/speech', this.baseUrl).toString(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}) },
      body: JSON.stringify({ model: this.model, input: text, voice: this.voice, response_format: 'wav' }),
      signal: options.signal,
    });
    return parseWav(new Uint8Array(await response.arrayBuffer()));
  }
}
