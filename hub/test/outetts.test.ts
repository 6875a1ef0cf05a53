import { afterEach, describe, expect, it } from 'vitest';
import { HughError } from '@hugh/protocol';
import { BINS, HOP, OuteTts, buildPrompt, collectAudio, decodeSpectralFrames, integerToWords, promptWords, tokensToCodes, type SpeakerProfile } from '@hugh/hub';
import { fakeHttpServer, json } from '../../testing/http-server.js';
import { spectralFrames } from '../../testing/stft.js';

const RATE = 24_000;

function sine(frequencyHz: number, frames: number, amplitude = 0.1): Float64Array {
  return Float64Array.from({ length: frames * HOP }, (_, i) => amplitude * Math.sin((2 * Math.PI * frequencyHz * i) / RATE));
}

function chirp(fromHz: number, toHz: number, frames: number, amplitude = 0.08): Float64Array {
  const length = frames * HOP;
  let phase = 0;
  return Float64Array.from({ length }, (_, i) => {
    phase += (2 * Math.PI * (fromHz + ((toHz - fromHz) * i) / length)) / RATE;
    return amplitude * Math.sin(phase);
  });
}

function maxError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe('OuteTTS inverse STFT (WavTokenizer frames → 24 kHz audio)', () => {
  it.each([
    ['a 440 Hz sine', sine(440, 20)],
    ['a 1 kHz sine', sine(1_000, 12)],
    ['a chirp from 200 Hz to 4 kHz', chirp(200, 4_000, 30)],
  ])('decodes the frames of %s back to it, 320 samples per frame, within 1e-6', (_name, signal) => {
    const decoded = decodeSpectralFrames(spectralFrames(signal));
    expect(decoded.length).toBe(signal.length);
    expect(maxError(decoded, signal)).toBeLessThan(1e-6);
  });

  it('caps magnitudes at 100 (exp of a log-magnitude), as the reference does', () => {
    const frames = spectralFrames(sine(440, 4));
    for (const frame of frames) for (let k = 0; k < BINS; k++) frame[k] = 50; // exp(50) ≫ 100
    const decoded = decodeSpectralFrames(frames);
    expect(decoded.every((value) => Number.isFinite(value))).toBe(true);
  });

  it('refuses frames of the wrong size', () => {
    expect(() => decodeSpectralFrames([[1, 2, 3]])).toThrow(/1282/);
  });
});

describe('OuteTTS prompt', () => {
  it('spells numbers and strips punctuation like llama.cpp’s tts example', () => {
    expect(integerToWords(1_234)).toBe('one thousand two hundred thirty four');
    expect(promptWords("It's 3.5 degrees, Dr. Who-ever!")).toEqual(['its', 'three', 'point', 'five', 'degrees', 'dr', 'who', 'ever']);
  });

  it('matches the reference prompt strings', () => {
    expect(buildPrompt('Hello, world.')).toBe('<|im_start|>\n<|text_start|>hello<|text_sep|>world<|text_end|>\n<|audio_start|>\n');
    const speaker: SpeakerProfile = { text: 'Hi there', words: [{ word: 'hi', duration: 0.3, codes: [1, 2] }, { word: 'there', duration: 0.456, codes: [3] }] };
    expect(buildPrompt('Good night', speaker)).toBe(
      '<|im_start|>\n<|text_start|>hi<|text_sep|>there<|text_sep|>good<|text_sep|>night<|text_end|>\n<|audio_start|>\n' +
        'hi<|t_0.30|><|code_start|><|1|><|2|><|code_end|>\nthere<|t_0.46|><|code_start|><|3|><|code_end|>\n',
    );
  });

  it('keeps only audio-code tokens (151672..155772), as codes from 0', () => {
    expect(tokensToCodes([198, 151_672, 151_700, 155_772, 155_773, 151_671])).toEqual([0, 28, 4_100]);
  });
});

describe('OuteTTS through two llama.cpp servers (wire format against local servers; not a test of the model)', () => {
  const servers: Awaited<ReturnType<typeof fakeHttpServer>>[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
  });

  it('asks /completion for tokens with top-k sampling, sends the codes to /embeddings in batches, decodes the frames', async () => {
    const signal = sine(440, 10);
    const frames = spectralFrames(signal);
    const codes = frames.map((_, i) => 100 + i);
    const completion = await fakeHttpServer((_request, res) => json(res, 200, { content: '…', tokens: [151_665, ...codes.map((code) => code + 151_672), 151_668] }));
    const vocoder = await fakeHttpServer((request, res) => {
      const [batch] = (request.json as { input: number[][] }).input;
      json(res, 200, [{ index: 0, embedding: batch!.map((code) => frames[code - 100]) }]);
    });
    servers.push(completion, vocoder);
    const tts = new OuteTts({ completionUrl: completion.url, vocoderUrl: vocoder.url, batchCodes: 4 });
    const audio = await collectAudio(tts.synthesize('Hello there.', { signal: AbortSignal.timeout(5_000) }));

    const body = completion.requests[0]?.json as Record<string, unknown>;
    expect(completion.requests[0]?.path).toBe('/completion');
    expect(body).toMatchObject({ prompt: buildPrompt('Hello there.'), return_tokens: true, samplers: ['top_k'], top_k: 16 });
    expect(vocoder.requests.map((request) => (request.json as { input: number[][] }).input[0])).toEqual([codes.slice(0, 4), codes.slice(4, 8), codes.slice(8)]);
    expect(audio.sampleRateHz).toBe(24_000);
    expect(audio.samples.length).toBe(10 * HOP);
    const expected = Int16Array.from(signal, (value) => Math.round(value * 32_767));
    expect(maxError(audio.samples, expected)).toBeLessThanOrEqual(1);
  });

  it.each([
    ['a completion without tokens', { content: 'text only' }, /has no "tokens"/],
    ['no audio codes in the completion', { tokens: [1, 2, 3] }, /no audio codes/],
  ])('%s → a coded error', async (_name, answer, message) => {
    const completion = await fakeHttpServer((_request, res) => json(res, 200, answer));
    servers.push(completion);
    const tts = new OuteTts({ completionUrl: completion.url, vocoderUrl: completion.url });
    await expect(collectAudio(tts.synthesize('Hi there.', { signal: AbortSignal.timeout(2_000) }))).rejects.toThrow(message);
  });

  it('a vocoder without --embeddings --pooling none (pooled vectors) → a coded error saying so', async () => {
    const completion = await fakeHttpServer((_request, res) => json(res, 200, { tokens: [151_700, 151_701] }));
    const vocoder = await fakeHttpServer((_request, res) => json(res, 200, [{ index: 0, embedding: [0.1, 0.2] }]));
    servers.push(completion, vocoder);
    const stream = new OuteTts({ completionUrl: completion.url, vocoderUrl: vocoder.url }).synthesize('Hi there.', { signal: AbortSignal.timeout(2_000) });
    const error = await collectAudio(stream).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HughError);
    expect((error as HughError).message).toMatch(/--embeddings --pooling none/);
  });
});
