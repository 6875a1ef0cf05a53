import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@hugh/common';
import { BINS, CommandLineTts, EngineChain, OpenAiTts, OuteTts, WyomingTts, collectAudio, wavBytes, type PcmAudio, type TextToSpeech } from '@hugh/hub';
import { fakeHttpServer, json } from '../../testing/http-server.js';
import { fakeWyomingServer, writeEvent } from '../../testing/wyoming-server.js';

const tone = Int16Array.from({ length: 2_205 }, (_, i) => Math.round(Math.sin(i / 5) * 8_000));
const call = (timeoutMs = 2_000) => ({ signal: AbortSignal.timeout(timeoutMs) });
const bytesOf = (samples: Int16Array) => Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);


describe('local TTS fallbacks (real programs)', () => {
  it.each(['espeak-ng', 'flite'] as const)('%s speaks a sentence', async (tool) => {
    const audio = await collectAudio(new CommandLineTts(tool).synthesize('The kitchen lights are on.', call(10_000)));
    expect(audio.channels).toBe(1);
    expect([8_000, 16_000, 22_050]).toContain(audio.sampleRateHz);
    const seconds = audio.samples.length / audio.sampleRateHz;
    expect(seconds).toBeGreaterThan(0.8);
    expect(seconds).toBeLessThan(5);
    expect(audio.samples.some((sample) => Math.abs(sample) > 2_000)).toBe(true);
  });

  it('espeak-ng streams: a long text arrives as several chunks, read while it writes', async () => {
    const text = 'This is a longer sentence, spoken slowly enough that the synthesiser writes its audio in more than one piece.';
    const chunks: PcmAudio[] = [];
    for await (const chunk of new CommandLineTts('espeak-ng').synthesize(text, call(10_000))) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(1);
  });
});

describe('OpenAI-compatible /v1/audio/speech adapter (wire format; not a test of a model)', () => {
  let server: Awaited<ReturnType<typeof fakeHttpServer>> | undefined;
  afterEach(async () => server?.close());

  it('POSTs {model, input, voice, response_format: pcm} and yields 24 kHz audio as the body streams, before it ends', async () => {
    let finish: (() => void) | undefined;
    server = await fakeHttpServer((_request, res) => {
      res.writeHead(200, { 'content-type': 'audio/pcm' });
      res.write(bytesOf(tone).subarray(0, 1_001)); // an odd byte: half a sample
      finish = () => res.end(bytesOf(tone).subarray(1_001));
    });
    const stream = new OpenAiTts(server.url, 'tts-1', 'alloy').synthesize('Hello.', call())[Symbol.asyncIterator]();
    const first = await stream.next();
    expect(server.requests[0]?.path).toBe('/v1/audio/speech');
    expect(server.requests[0]?.json).toEqual({ model: 'tts-1', input: 'Hello.', voice: 'alloy', response_format: 'pcm' });
    expect(first.value).toMatchObject({ sampleRateHz: 24_000, channels: 1 });
    expect((first.value as PcmAudio).samples.length).toBe(500); // the first chunk came while the server still wrote
    finish!();
    const rest: number[] = [];
    for (let next = await stream.next(); !next.done; next = await stream.next()) rest.push(...next.value.samples);
    expect([...(first.value as PcmAudio).samples, ...rest]).toEqual(Array.from(tone));
  });

  it('with response_format wav, reads the WAV header and then the samples as they stream', async () => {
    server = await fakeHttpServer((_request, res) => {
      const wav = wavBytes({ sampleRateHz: 22_050, channels: 1, samples: tone });
      res.writeHead(200, { 'content-type': 'audio/wav' });
      res.write(wav.subarray(0, 30)); // the header split mid-way
      res.end(wav.subarray(30));
    });
    const audio = await collectAudio(new OpenAiTts(server.url, 'tts-1', 'alloy', undefined, 'wav').synthesize('Hello.', call()));
    expect((server.requests[0]?.json as { response_format: string }).response_format).toBe('wav');
    expect(audio.sampleRateHz).toBe(22_050);
    expect(Array.from(audio.samples)).toEqual(Array.from(tone));
  });

  it.each([
    ['a 500', (res: Parameters<Parameters<typeof fakeHttpServer>[0]>[1]) => json(res, 500, { error: 'x' }), 'pcm' as const, /answered 500/],
    ['an MP3 instead of a WAV', (res: Parameters<Parameters<typeof fakeHttpServer>[0]>[1]) => res.writeHead(200).end(Buffer.from('ID3\u0004garbage')), 'wav' as const, /not a WAV/],
  ])('%s → a coded error', async (_name, answer, format, message) => {
    server = await fakeHttpServer((_request, res) => void answer(res));
    await expect(collectAudio(new OpenAiTts(server.url, 'm', 'v', undefined, format).synthesize('Hello.', call()))).rejects.toThrow(message);
  });
});

describe('Wyoming TTS adapter (framing against a local peer; not a test of a model)', () => {
  let peer: Awaited<ReturnType<typeof fakeWyomingServer>> | undefined;
  afterEach(async () => peer?.close());

  it('synthesize{text} → audio-start, chunks (each passed on as it comes), audio-stop', async () => {
    peer = await fakeWyomingServer((event, socket) => {
      if (event.type !== 'synthesize') return;
      const format = { rate: 22_050, width: 2, channels: 1 };
      writeEvent(socket, 'audio-start', format);
      const bytes = bytesOf(tone);
      writeEvent(socket, 'audio-chunk', format, bytes.subarray(0, 1_001));
      writeEvent(socket, 'audio-chunk', format, bytes.subarray(1_001));
      writeEvent(socket, 'audio-stop');
    });
    const chunks: PcmAudio[] = [];
    for await (const chunk of new WyomingTts(peer.url, 'en_US-lessac-medium').synthesize('Hello there.', call())) chunks.push(chunk);
    expect(peer.received[0]).toEqual({ type: 'synthesize', data: { text: 'Hello there.', voice: { name: 'en_US-lessac-medium' } } });
    expect(chunks.map((chunk) => chunk.samples.length)).toEqual([500, tone.length - 500]);
    expect(chunks.flatMap((chunk) => Array.from(chunk.samples))).toEqual(Array.from(tone));
  });

  it('an unsupported sample width is refused with a coded error', async () => {
    peer = await fakeWyomingServer((event, socket) => {
      if (event.type === 'synthesize') writeEvent(socket, 'audio-start', { rate: 22_050, width: 4, channels: 1 });
    });
    await expect(collectAudio(new WyomingTts(peer.url).synthesize('Hi.', call()))).rejects.toThrow(/unsupported audio format/);
  });
});

/**
 * Regression: a barge-in while a reply was being synthesised counted as an engine failure (the
 * OpenAI adapter read the body outside the part that mapped an abort to HUGH_ERR_CANCELLED), opened
 * the TTS breaker, and the next turn got no reply from the primary engine for `halfOpenAfterMs`.
 */
describe('a cancel mid-synthesis never counts against the engine', () => {
  const servers: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
  });

  /** A primary whose first chunk comes at once and whose rest never does, until the call is cancelled. */
  async function primaries(): Promise<Record<string, TextToSpeech>> {
    const http = await fakeHttpServer((request, res) => {
      res.writeHead(200);
      const format = (request.json as { response_format: string }).response_format;
      // A WAV streams its header with placeholder sizes first, as servers that synthesise as they go do.
      void res.write(format === 'wav' ? wavBytes({ sampleRateHz: 24_000, channels: 1, samples: tone }).subarray(0, 44 + 1_000) : bytesOf(tone).subarray(0, 1_000));
    });
    const wyoming = await fakeWyomingServer((event, socket) => {
      if (event.type !== 'synthesize') return;
      writeEvent(socket, 'audio-start', { rate: 22_050, width: 2, channels: 1 });
      writeEvent(socket, 'audio-chunk', { rate: 22_050, width: 2, channels: 1 }, bytesOf(tone).subarray(0, 1_000));
    });
    // OuteTTS: codes for a few windows, then the model goes quiet; the vocoder answers every window.
    const completion = await fakeHttpServer((_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify({ content: '', tokens: Array.from({ length: 64 }, (_, i) => 151_700 + i), stop: false })}\n\n`);
    });
    const vocoder = await fakeHttpServer((request, res) => {
      const [codes] = (request.json as { input: number[][] }).input;
      json(res, 200, [{ index: 0, embedding: codes!.map(() => new Array<number>(2 * BINS).fill(0)) }]);
    });
    servers.push(http, wyoming, completion, vocoder);
    return {
      outetts: new OuteTts({ completionUrl: completion.url, vocoderUrl: vocoder.url, speaker: { text: 'hi', words: [{ word: 'hi', duration: 0.1, codes: [1] }] } }),
      'openai pcm': new OpenAiTts(http.url, 'm', 'v'),
      'openai wav': new OpenAiTts(http.url, 'm', 'v', undefined, 'wav'),
      wyoming: new WyomingTts(wyoming.url),
      'espeak-ng': new CommandLineTts('espeak-ng'),
    };
  }

  it.each(['outetts', 'openai pcm', 'openai wav', 'wyoming', 'espeak-ng'])('%s: cancelled after its first chunk, the breaker stays closed and the next call is the primary\'s', async (name) => {
    const primary = (await primaries())[name]!;
    const fallback = new CommandLineTts('flite');
    const chain = new EngineChain<TextToSpeech>('tts', [{ engine: primary, timeoutMs: 5_000 }, { engine: fallback, timeoutMs: 10_000 }], silentLogger());
    const turn = new AbortController();
    const long = 'A long sentence that takes the synthesiser a while, so that the cancel comes in the middle of it, as a barge-in would.';
    const chunks = chain.stream((tts, signal) => tts.synthesize(long, { signal }), turn.signal)[Symbol.asyncIterator]();
    const first = await chunks.next();
    expect(first.value?.engine).toBe(primary.name);
    turn.abort('wake-word');
    await expect(chunks.next()).rejects.toMatchObject({ code: 'HUGH_ERR_CANCELLED' });
    expect(chain.status().map((status) => status.state)).toEqual(['closed', 'closed']);
    for await (const chunk of chain.stream((tts, signal) => tts.synthesize('Hello.', { signal }), AbortSignal.timeout(10_000))) {
      expect(chunk.engine).toBe(primary.name);
      break;
    }
  });
});
