import { HughError } from '@hugh/protocol';
import { engineFetch, engineJson } from '@hugh/common';
import { wavBytes } from '../wav.js';
import type { EngineCallOptions, SpeechToText } from './speech-to-text.js';

/**
 * whisper.cpp's `whisper-server`: `POST /inference`, multipart with `file` (a WAV: it does not take
 * raw PCM), `response_format=json` → `{"text": …}`; `GET /health` is `{"status":"ok"}` or 503
 * while the model loads. It serves one request at a time.
 */
export class WhisperCppStt implements SpeechToText {
  readonly name: string;

  constructor(
    private readonly baseUrl: string,
    private readonly options: { temperature?: number; inferencePath?: string } = {},
  ) {
    this.name = `whisper.cpp ${baseUrl}`;
  }

  async transcribe(samples: Int16Array, options: EngineCallOptions): Promise<string> {
    const form = new FormData();
    form.append('file', new Blob([wavBytes({ sampleRateHz: 16_000, channels: 1, samples })], { type: 'audio/wav' }), 'utterance.wav');
    form.append('response_format', 'json');
    form.append('temperature', String(this.options.temperature ?? 0));
    form.append('no_timestamps', 'true');
    if (options.language) form.append('language', options.language);
    const url = new URL(this.options.inferencePath ?? '/inference', this.baseUrl).toString();
    const response = await engineFetch(this.name, url, { method: 'POST', body: form, signal: options.signal });
    const body = await engineJson<{ text?: unknown }>(this.name, response);
    if (typeof body.text !== 'string') throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${this.name}: answer has no "text"`);
    return body.text.trim();
  }

  async healthy(signal: AbortSignal): Promise<boolean> {
    const response = await fetch(new URL('/health', this.baseUrl), { signal }).catch(() => undefined);
    return response?.ok === true;
  }
}
