import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { HughError } from '@hugh/protocol';
import { BINS, HOP, OuteTts, SpectralDecoder, buildPrompt, collectAudio, decodeSpectralFrames, integerToWords, promptWords, tokensToCodes, type SpeakerProfile } from '@hugh/hub';
import { fakeHttpServer, json } from '../../testing/http-server.js';
import { spectralFrames } from '../../testing/stft.js';

const RATE = 24_000;
const SPEAKER: SpeakerProfile = { text: 'Hi there', words: [{ word: 'hi', duration: 0.3, codes: [1, 2] }, { word: 'there', duration: 0.456, codes: [3] }] };
/** The reference zeroes the first 0.25 s of every synthesis. */
const ARTEFACT_SAMPLES = 6_000;

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

  it('decoding frame by frame, in windows of any size, gives the one-pass samples (window edges are seamless)', () => {
    const signal = chirp(300, 3_000, 30);
    const frames = spectralFrames(signal);
    const onePass = decodeSpectralFrames(frames);
    for (const windows of [[1, 1, 1, 27], [2, 5, 13, 10], [24, 6]]) {
      const decoder = new SpectralDecoder();
      const parts: Float32Array[] = [];
      let offset = 0;
      for (const size of windows) {
        parts.push(decoder.push(frames.slice(offset, offset + size)));
        offset += size;
      }
      parts.push(decoder.end());
      const streamed = Float32Array.from(parts.flatMap((part) => [...part]));
      expect(streamed.length).toBe(onePass.length);
      expect(maxError(streamed, onePass), `windows ${windows.join(', ')}`).toBeLessThan(1e-9);
      expect(maxError(streamed, signal)).toBeLessThan(1e-6);
    }
  });
});

describe('OuteTTS prompt', () => {
  it('spells numbers and strips punctuation like llama.cpp’s tts example', () => {
    expect(integerToWords(1_234)).toBe('one thousand two hundred thirty four');
    expect(promptWords("It's 3.5 degrees, Dr. Who-ever!")).toEqual(['its', 'three', 'point', 'five', 'degrees', 'dr', 'who', 'ever']);
  });

  it('matches the reference prompt strings: 0.2 with <|text_sep|> and <|code_start|>…<|code_end|> lines', () => {
    expect(buildPrompt('Good night', SPEAKER)).toBe(
      '<|im_start|>\n<|text_start|>hi<|text_sep|>there<|text_sep|>good<|text_sep|>night<|text_end|>\n<|audio_start|>\n' +
        'hi<|t_0.30|><|code_start|><|1|><|2|><|code_end|>\nthere<|t_0.46|><|code_start|><|3|><|code_end|>\n',
    );
  });

  it('0.3: <|space|> between words, no <|code_start|>, code lines ending with <|space|>', () => {
    expect(buildPrompt('Good night', SPEAKER, '0.3')).toBe(
      '<|im_start|>\n<|text_start|>hi<|space|>there<|space|>good<|space|>night<|text_end|>\n<|audio_start|>\n' +
        'hi<|t_0.30|><|1|><|2|><|space|>\nthere<|t_0.46|><|3|><|space|>\n',
    );
  });

  it('keeps only audio-code tokens (151672..155772), as codes from 0', () => {
    expect(tokensToCodes([198, 151_672, 151_700, 155_772, 155_773, 151_671])).toEqual([0, 28, 4_100]);
  });
});

/** llama-server's streamed /completion: server-sent events of {content, tokens, stop}. */
function sseEvents(res: ServerResponse, events: object[], end = true): void {
  if (!res.headersSent) res.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const event of events) res.write(`data: ${JSON.stringify(event)}\n\n`);
  if (end) res.end();
}
const tokensOf = (codes: number[]) => codes.map((code) => code + 151_672);

describe('OuteTTS through two llama.cpp servers, streamed (wire format against local servers; not a test of the model)', () => {
  const servers: Awaited<ReturnType<typeof fakeHttpServer>>[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
  });

  /** A vocoder that answers each code with its frame, as WavTokenizer's /embeddings would. */
  async function vocoderFor(frames: number[][]) {
    const vocoder = await fakeHttpServer((request, res) => {
      const [batch] = (request.json as { input: number[][] }).input;
      json(res, 200, [{ index: 0, embedding: batch!.map((code) => frames[code - 100]) }]);
    });
    servers.push(vocoder);
    return vocoder;
  }

  it('streams /completion, vocodes windows of codes with context as they come, and the audio equals the one-pass decode', async () => {
    const signal = chirp(200, 2_000, 50);
    const frames = spectralFrames(signal);
    const codes = frames.map((_, i) => 100 + i);
    let release: () => void = () => undefined;
    const completion = await fakeHttpServer(async (_request, res) => {
      // The first 40 codes, a few per event with a text token between; the rest only once released.
      sseEvents(res, [{ content: '', tokens: [151_665], stop: false }, ...Array.from({ length: 10 }, (_, i) => ({ content: '', tokens: [198, ...tokensOf(codes.slice(i * 4, i * 4 + 4))], stop: false }))], false);
      await new Promise<void>((resolve) => (release = resolve));
      sseEvents(res, [{ content: '', tokens: tokensOf(codes.slice(40)), stop: false }, { content: '', tokens: [151_668], stop: true, timings: {} }]);
    });
    servers.push(completion);
    const vocoder = await vocoderFor(frames);
    const tts = new OuteTts({ completionUrl: completion.url, vocoderUrl: vocoder.url, speaker: SPEAKER, batchCodes: 32 });
    const chunks = tts.synthesize('Hello there.', { signal: AbortSignal.timeout(10_000) })[Symbol.asyncIterator]();

    // Audio comes while the model is still speaking.
    const first = await chunks.next();
    expect(first.done).toBe(false);
    expect(first.value!.samples.length).toBeGreaterThan(0);
    release();
    const parts = [first.value!.samples];
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) parts.push(next.value.samples);

    const body = completion.requests[0]?.json as Record<string, unknown>;
    expect(completion.requests[0]?.path).toBe('/completion');
    expect(body).toMatchObject({ prompt: buildPrompt('Hello there.', SPEAKER), stream: true, return_tokens: true, samplers: ['top_k'], top_k: 16 });
    // Windows of 16 codes with 8 codes of context each side, never more than batchCodes at once.
    const sent = vocoder.requests.map((request) => (request.json as { input: number[][] }).input[0]!);
    expect(sent[0]).toEqual(codes.slice(0, 24));
    expect(sent[1]).toEqual(codes.slice(8, 40));
    expect(sent.every((batch) => batch.length <= 32)).toBe(true);

    const audio = Int16Array.from(parts.flatMap((part) => [...part]));
    expect(audio.length).toBe(50 * HOP);
    const expected = Int16Array.from(decodeSpectralFrames(frames), (value, i) => (i < ARTEFACT_SAMPLES ? 0 : Math.round(value * 32_767)));
    expect(maxError(audio, expected)).toBeLessThanOrEqual(1);
    expect(audio.subarray(0, ARTEFACT_SAMPLES).every((sample) => sample === 0)).toBe(true);
    expect(maxError(audio.subarray(ARTEFACT_SAMPLES), expected.subarray(ARTEFACT_SAMPLES).map((_, i) => Math.round(signal[i + ARTEFACT_SAMPLES]! * 32_767)))).toBeLessThanOrEqual(1);
  });

  it('reads the speaker profile from speakerFile; a missing or malformed file is a coded error naming it', async () => {
    const frames = spectralFrames(sine(440, 4));
    const completion = await fakeHttpServer((_request, res) => sseEvents(res, [{ tokens: tokensOf([100, 101, 102, 103]), stop: true }]));
    servers.push(completion);
    const vocoder = await vocoderFor(frames);
    const dir = mkdtempSync(join(tmpdir(), 'hugh-outetts-'));
    const file = join(dir, 'speaker.json');
    const synthesize = () => collectAudio(new OuteTts({ completionUrl: completion.url, vocoderUrl: vocoder.url, speaker: file, version: '0.3' }).synthesize('Hi.', { signal: AbortSignal.timeout(5_000) }));

    await expect(synthesize()).rejects.toMatchObject({ code: 'HUGH_ERR_ENGINE_UNAVAILABLE', message: expect.stringContaining(`speakerFile ${file}: ENOENT`) });
    writeFileSync(file, JSON.stringify({ text: 'hi', words: [{ word: 'hi', codes: [1] }] }));
    await expect(synthesize()).rejects.toThrow(/not an OuteTTS speaker profile: words\.0\.duration/);
    writeFileSync(file, JSON.stringify(SPEAKER));
    expect((await synthesize()).samples.length).toBe(4 * HOP);
    expect((completion.requests.at(-1)?.json as { prompt: string }).prompt).toBe(buildPrompt('Hi.', SPEAKER, '0.3'));
  });

  it.each([
    ['an event without tokens', [{ content: 'text only', stop: true }], /has no "tokens"/],
    ['no audio codes in the completion', [{ tokens: [1, 2, 3], stop: true }], /no audio codes/],
    ['a stream that ends before stop', [{ tokens: tokensOf([1, 2]), stop: false }], /ended before "stop"/],
    ['an error event', [{ error: { message: 'context full' } }], /context full/],
  ])('%s → a coded error', async (_name, events, message) => {
    const completion = await fakeHttpServer((_request, res) => sseEvents(res, events));
    servers.push(completion);
    const tts = new OuteTts({ completionUrl: completion.url, vocoderUrl: completion.url, speaker: SPEAKER });
    await expect(collectAudio(tts.synthesize('Hi there.', { signal: AbortSignal.timeout(2_000) }))).rejects.toMatchObject({ code: 'HUGH_ERR_ENGINE_UNAVAILABLE', message: expect.stringMatching(message) });
  });

  it('a vocoder without --embeddings --pooling none (pooled vectors) → a coded error saying so', async () => {
    const completion = await fakeHttpServer((_request, res) => sseEvents(res, [{ tokens: tokensOf([28, 29]), stop: true }]));
    const vocoder = await fakeHttpServer((_request, res) => json(res, 200, [{ index: 0, embedding: [0.1, 0.2] }]));
    servers.push(completion, vocoder);
    const stream = new OuteTts({ completionUrl: completion.url, vocoderUrl: vocoder.url, speaker: SPEAKER }).synthesize('Hi there.', { signal: AbortSignal.timeout(2_000) });
    const error = await collectAudio(stream).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HughError);
    expect((error as HughError).message).toMatch(/--embeddings --pooling none/);
  });
});
