import { HughError } from '@hugh/protocol';
import { engineFetch } from '@hugh/common';
import type { EngineCallOptions } from '../stt/speech-to-text.js';
import type { PcmAudio } from '../wav.js';
import { pcmChunks, wavChunks } from '../wav-stream.js';
import type { TextToSpeech } from './text-to-speech.js';

/** OpenAI's `pcm` response format: raw s16le, 24 kHz, mono. */
const OPENAI_PCM = { sampleRateHz: 24_000, channels: 1 as const };

/**
 * OpenAI-compatible `POST /v1/audio/speech {model, input, voice, response_format}`, the body read
 * as it streams: `pcm` (raw 24 kHz s16le, the default: servers send it as they synthesise) or `wav`.
 */
export class OpenAiTts implements TextToSpeech {
  readonly name: string;

  constructor(
    private readonly baseUrl: string,
    private readonly model: string,
    private readonly voice: string,
    private readonly apiKey?: string,
    private readonly responseFormat: 'pcm' | 'wav' = 'pcm',
  ) {
    this.name = `openai-tts ${baseUrl}`;
  }

  async *synthesize(text: string, options: EngineCallOptions): AsyncIterable<PcmAudio> {
    const response = await engineFetch(this.name, new URL('/v1/audio/speech', this.baseUrl).toString(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}) },
      body: JSON.stringify({ model: this.model, input: text, voice: this.voice, response_format: this.responseFormat }),
      signal: options.signal,
    });
    if (!response.body) throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${this.name}: empty answer`);
    const body = response.body as unknown as AsyncIterable<Uint8Array>;
    yield* this.responseFormat === 'pcm' ? pcmChunks(body, OPENAI_PCM) : wavChunks(body, this.name);
  }
}
