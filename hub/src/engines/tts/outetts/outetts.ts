import { HughError } from '@hugh/protocol';
import { engineFetch, engineJson } from '@hugh/common';
import type { EngineCallOptions } from '../../stt/speech-to-text.js';
import type { PcmAudio } from '../../wav.js';
import type { TextToSpeech } from '../text-to-speech.js';
import { decodeSpectralFrames, floatToPcm16, OUTETTS_SAMPLE_RATE_HZ, BINS } from './istft.js';
import { buildPrompt, promptWords, tokensToCodes, type SpeakerProfile } from './prompt.js';

export interface OuteTtsSettings {
  /** llama-server with the OuteTTS GGUF (text → audio codes). */
  completionUrl: string;
  /** llama-server with the WavTokenizer GGUF, started with `--embeddings --pooling none`. */
  vocoderUrl: string;
  speaker?: SpeakerProfile;
  /** Codes per /embeddings request: no more than the vocoder server's physical batch (`-ub`). */
  batchCodes?: number;
}

type EmbeddingsAnswer = { embedding?: number[][] }[] | { data?: { embedding?: number[][] }[] };

/**
 * OuteTTS 0.2 through two llama.cpp servers: `/completion` turns the prompt into audio-code tokens
 * (75 per second), `/embeddings` on WavTokenizer turns codes into spectral frames, and the inverse
 * STFT here turns frames into 24 kHz audio.
 */
export class OuteTts implements TextToSpeech {
  readonly name: string;

  constructor(private readonly settings: OuteTtsSettings) {
    this.name = `outetts ${settings.completionUrl}`;
  }

  async *synthesize(text: string, options: EngineCallOptions): AsyncIterable<PcmAudio> {
    const words = promptWords(text).length;
    if (words === 0) return;
    const completion = await engineFetch(this.name, new URL('/completion', this.settings.completionUrl).toString(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        prompt: buildPrompt(text, this.settings.speaker),
        // ~1 s per 2 words at 75 codes/s, plus the per-word text and timing tokens, with headroom.
        n_predict: Math.min(8_192, 200 + words * 90),
        return_tokens: true,
        samplers: ['top_k'],
        top_k: 16,
        cache_prompt: true,
      }),
      signal: options.signal,
    });
    const answer = await engineJson<{ tokens?: unknown }>(this.name, completion);
    if (!Array.isArray(answer.tokens)) throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${this.name}: /completion answer has no "tokens" (return_tokens unsupported?)`);
    const codes = tokensToCodes(answer.tokens as number[]);
    if (codes.length === 0) throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${this.name}: no audio codes in the completion`);

    const frames: number[][] = [];
    const batch = this.settings.batchCodes ?? 512;
    for (let offset = 0; offset < codes.length; offset += batch) {
      const part = codes.slice(offset, offset + batch);
      const response = await engineFetch(`outetts vocoder ${this.settings.vocoderUrl}`, new URL('/embeddings', this.settings.vocoderUrl).toString(), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ input: [part] }),
        signal: options.signal,
      });
      const body = await engineJson<EmbeddingsAnswer>(this.name, response);
      const vectors = Array.isArray(body) ? body[0]?.embedding : body.data?.[0]?.embedding;
      if (!Array.isArray(vectors) || vectors.length !== part.length || vectors.some((vector) => !Array.isArray(vector) || vector.length !== 2 * BINS)) {
        throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${this.name}: /embeddings must give ${part.length} vectors of ${2 * BINS} floats (server started with --embeddings --pooling none?)`);
      }
      frames.push(...vectors);
    }
    yield { sampleRateHz: OUTETTS_SAMPLE_RATE_HZ, channels: 1, samples: floatToPcm16(decodeSpectralFrames(frames)) };
  }
}
