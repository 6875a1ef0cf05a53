import { HughError } from '@hugh/protocol';
import { engineFetch, engineJson } from '@hugh/common';
import { wavBytes } from '../wav.js';
import type { EngineCallOptions, SpeechToText } from './speech-to-text.js';

/**
 * OpenAI-compatible `POST /v1/audio/transcriptions` (speaches / faster-whisper servers, vLLM with
 * openai/whisper-large-v3, LocalAI): multipart `file`, `model`, optional `language`,
 * `response_format=json` → `{"text": …}`.
 */
export class OpenAiStt implements SpeechToText {
  readonly name: string;

  constructor(
    private readonly baseUrl: string,
    private readonly model: string,
    private readonly apiKey?: string,
  ) {
    this.name = `openai-stt ${baseUrl}`;
  }

  async transcribe(samples: Int16Array, options: EngineCallOptions): Promise<string> {
    const form = new FormData();
    form.append('file', new Blob([wavBytes({ sampleRateHz: 16_000, channels: 1, samples })], { type: 'audio/wav' }), 'utterance.wav');
    form.append('model', this.model);
    form.append('response_format', 'json');
    if (options.language) form.append('language', options.language);
    const url = new URL('/v1/audio/transcriptions', this.baseUrl).toString();
    const response = await engineFetch(this.name, url, {
      method: 'POST',
      body: form,
      signal: options.signal,
      ...(this.apiKey ? { headers: { authorization: `Bearer ${this.apiKey}` } } : {}),
    });
    const body = await engineJson<{ text?: unknown }>(this.name, response);
    if (typeof body.text !== 'string') throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${this.name}: answer has no "text"`);
    return body.text.trim();
  }
}
