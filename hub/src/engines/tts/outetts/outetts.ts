import { HughError } from '@hugh/protocol';
import { engineFetch, engineJson } from '@hugh/common';
import { sseData, sseJson } from '@hugh/common/clients';
import type { EngineCallOptions } from '../../stt/speech-to-text.js';
import type { PcmAudio } from '../../wav.js';
import type { TextToSpeech } from '../text-to-speech.js';
import { SpectralDecoder, floatToPcm16, OUTETTS_SAMPLE_RATE_HZ, BINS } from './istft.js';
import { buildPrompt, promptWords, readSpeakerProfile, tokensToCodes, type OuteTtsVersion, type SpeakerProfile } from './prompt.js';

export interface OuteTtsSettings {
  /** llama-server with the OuteTTS GGUF (text → audio codes). */
  completionUrl: string;
  /** llama-server with the WavTokenizer GGUF, started with `--embeddings --pooling none`. */
  vocoderUrl: string;
  /**
   * The voice: a profile, or the file it is read from at the first request. A missing or broken
   * file makes this engine unavailable (the chain answers with the next) instead of stopping the hub.
   */
  speaker: SpeakerProfile | string;
  /** The model's prompt format. */
  version?: OuteTtsVersion;
  /** Codes per /embeddings request: no more than the vocoder server's physical batch (`-ub`). */
  batchCodes?: number;
}

/** The first window: 320 ms of audio (75 codes a second), so the first sound does not wait for the sentence. */
const FIRST_WINDOW_CODES = 24;
/**
 * Codes sent on each side of a window and their frames dropped: WavTokenizer's convolutions see a
 * frame's neighbours, so a window's edge frames are decoded as in one pass.
 */
const CONTEXT_CODES = 8;
/** llama.cpp's tts example zeroes the first 0.25 s of the decoded audio: the vocoder's start-up artefacts. */
const ARTEFACT_SAMPLES = OUTETTS_SAMPLE_RATE_HZ / 4;

type EmbeddingsAnswer = { embedding?: number[][] }[] | { data?: { embedding?: number[][] }[] };
type CompletionEvent = { tokens?: unknown; stop?: unknown; error?: { message?: unknown } };

/**
 * OuteTTS through two llama.cpp servers, streamed: `/completion` with `stream: true` sends the
 * audio-code tokens (75 per second) as the model makes them; each window of codes goes to
 * WavTokenizer's `/embeddings` for spectral frames, and the inverse STFT turns them into 24 kHz
 * audio frame by frame, so the first audio leaves while the model is still speaking.
 */
export class OuteTts implements TextToSpeech {
  readonly name: string;
  private speaker: Promise<SpeakerProfile> | undefined;

  constructor(private readonly settings: OuteTtsSettings) {
    this.name = `outetts ${settings.completionUrl}`;
  }

  async *synthesize(text: string, options: EngineCallOptions): AsyncIterable<PcmAudio> {
    const words = promptWords(text).length;
    if (words === 0) return;
    const speaker = await this.profile();
    const completion = await engineFetch(this.name, new URL('/completion', this.settings.completionUrl).toString(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({
        prompt: buildPrompt(text, speaker, this.settings.version),
        // ~1 s per 2 words at 75 codes/s, plus the per-word text and timing tokens, with headroom.
        n_predict: Math.min(8_192, 200 + words * 90),
        stream: true,
        return_tokens: true,
        samplers: ['top_k'],
        top_k: 16,
        cache_prompt: true,
      }),
      signal: options.signal,
    });

    const batch = this.settings.batchCodes ?? 512;
    const context = Math.min(CONTEXT_CODES, Math.floor(batch / 4));
    const widest = batch - 2 * context;
    const codes: number[] = [];
    const decoder = new SpectralDecoder();
    let decoded = 0; // codes whose frames the decoder has
    let emitted = 0; // samples yielded
    let window = Math.min(FIRST_WINDOW_CODES, widest);
    const vocode = async (to: number): Promise<PcmAudio> => {
      const from = Math.max(0, decoded - context);
      const frames = await this.vocode(codes.slice(from, Math.min(codes.length, to + context)), options.signal);
      const samples = decoder.push(frames.slice(decoded - from, to - from));
      decoded = to;
      return this.audio(samples, (emitted += samples.length) - samples.length);
    };

    let stopped = false;
    for await (const event of sseData(this.name, completion)) {
      const data = sseJson<CompletionEvent>(this.name, event);
      if (data.error) throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${this.name}: ${String(data.error.message ?? 'error')}`);
      if (!Array.isArray(data.tokens)) throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${this.name}: /completion event has no "tokens" (return_tokens unsupported?)`);
      codes.push(...tokensToCodes(data.tokens as number[]));
      // A window goes out once the codes after it (its right context) have come too.
      while (codes.length - decoded >= window + context) {
        const audio = await vocode(decoded + window);
        if (audio.samples.length > 0) yield audio;
        window = Math.min(window * 2, widest);
      }
      if (data.stop === true) {
        stopped = true;
        break;
      }
    }
    if (!stopped) throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${this.name}: /completion stream ended before "stop"`);
    if (codes.length === 0) throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${this.name}: no audio codes in the completion`);
    while (decoded < codes.length) {
      const audio = await vocode(Math.min(codes.length, decoded + widest));
      if (audio.samples.length > 0) yield audio;
    }
    yield this.audio(decoder.end(), emitted);
  }

  private profile(): Promise<SpeakerProfile> {
    const { speaker } = this.settings;
    if (typeof speaker !== 'string') return Promise.resolve(speaker);
    // A file that failed is read again next time: the admin may have put it there since.
    this.speaker ??= readSpeakerProfile(speaker).catch((error: unknown) => {
      this.speaker = undefined;
      throw error;
    });
    return this.speaker;
  }

  /** Spectral frames for these codes, one per code. */
  private async vocode(codes: number[], signal: AbortSignal): Promise<number[][]> {
    const response = await engineFetch(`outetts vocoder ${this.settings.vocoderUrl}`, new URL('/embeddings', this.settings.vocoderUrl).toString(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: [codes] }),
      signal,
    });
    const body = await engineJson<EmbeddingsAnswer>(this.name, response);
    const vectors = Array.isArray(body) ? body[0]?.embedding : body.data?.[0]?.embedding;
    if (!Array.isArray(vectors) || vectors.length !== codes.length || vectors.some((vector) => !Array.isArray(vector) || vector.length !== 2 * BINS)) {
      throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${this.name}: /embeddings must give ${codes.length} vectors of ${2 * BINS} floats (server started with --embeddings --pooling none?)`);
    }
    return vectors;
  }

  /** s16 audio of these samples, which start `offset` samples into the reply; the first 0.25 s is silenced. */
  private audio(samples: Float32Array, offset: number): PcmAudio {
    if (offset < ARTEFACT_SAMPLES) samples.fill(0, 0, Math.min(samples.length, ARTEFACT_SAMPLES - offset));
    return { sampleRateHz: OUTETTS_SAMPLE_RATE_HZ, channels: 1, samples: floatToPcm16(samples) };
  }
}
