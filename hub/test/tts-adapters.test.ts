import { afterEach, describe, expect, it } from 'vitest';
import { CommandLineTts, OpenAiTts, WyomingTts, wavBytes } from '@hugh/hub';
import { fakeHttpServer, json } from '../../testing/http-server.js';
import { fakeWyomingServer, writeEvent } from '../../testing/wyoming-server.js';

const tone = Int16Array.from({ length: 2_205 }, (_, i) => Math.round(Math.sin(i / 5) * 8_000));
const call = (timeoutMs = 2_000) => ({ signal: AbortSignal.timeout(timeoutMs) });

describe('local TTS fallbacks (real programs)', () => {
  it.each(['espeak-ng', 'flite'] as const)('%s speaks a sentence', async (tool) => {
    const audio = await new CommandLineTts(tool).synthesize('The kitchen lights are on.', call(10_000));
    expect(audio.channels).toBe(1);
    expect([8_000, 16_000, 22_050]).toContain(audio.sampleRateHz);
    const seconds = audio.samples.length / audio.sampleRateHz;
    expect(seconds).toBeGreaterThan(0.8);
    expect(seconds).toBeLessThan(5);
    expect(audio.samples.some((sample) => Math.abs(sample) > 2_000)).toBe(true);
  });
});

describe('OpenAI-compatible /v1/audio/speech adapter (wire format; not a test of a model)', () => {
  let server: Awaited<ReturnType<typeof fakeHttpServer>> | undefined;
  afterEach(async () => server?.close());

  it('POSTs {model, input, voice, response_format: wav} and reads the WAV', async () => {
    server = await fakeHttpServer((_request, res) => {
      res.writeHead(200, { 'content-type': 'audio/wav' }).end(wavBytes({ sampleRateHz: 22_050, channels: 1, samples: tone }));
    });
    const audio = await new OpenAiTts(server.url, 'tts-1', 'alloy').synthesize('Hello.', call());
    expect(server.requests[0]?.path).toBe('/v1/audio/speech');
    expect(server.requests[0]?.json).toEqual({ model: 'tts-1', input: 'Hello.', voice: 'alloy', response_format: 'wav' });
    expect(audio.sampleRateHz).toBe(22_050);
    expect(Array.from(audio.samples)).toEqual(Array.from(tone));
  });

  it.each([
    ['a 500', (res: Parameters<Parameters<typeof fakeHttpServer>[0]>[1]) => json(res, 500, { error: 'x' }), /answered 500/],
    ['an MP3 instead of a WAV', (res: Parameters<Parameters<typeof fakeHttpServer>[0]>[1]) => res.writeHead(200).end(Buffer.from('ID3\u0004garbage')), /not a WAV/],
  ])('%s → a coded error', async (_name, answer, message) => {
    server = await fakeHttpServer((_request, res) => answer(res));
    await expect(new OpenAiTts(server.url, 'm', 'v').synthesize('Hello.', call())).rejects.toThrow(message);
  });
});

describe('Wyoming TTS adapter (framing against a local peer; not a test of a model)', () => {
  let peer: Awaited<ReturnType<typeof fakeWyomingServer>> | undefined;
  afterEach(async () => peer?.close());

  it('synthesize{text} → audio-start, chunks, audio-stop', async () => {
    peer = await fakeWyomingServer((event, socket) => {
      if (event.type !== 'synthesize') return;
      const format = { rate: 22_050, width: 2, channels: 1 };
      writeEvent(socket, 'audio-start', format);
      const bytes = Buffer.from(tone.buffer);
      writeEvent(socket, 'audio-chunk', format, bytes.subarray(0, 1_000));
      writeEvent(socket, 'audio-chunk', format, bytes.subarray(1_000));
      writeEvent(socket, 'audio-stop');
    });
    const audio = await new WyomingTts(peer.url, 'en_US-lessac-medium').synthesize('Hello there.', call());
    expect(peer.received[0]).toEqual({ type: 'synthesize', data: { text: 'Hello there.', voice: { name: 'en_US-lessac-medium' } } });
    expect(audio.sampleRateHz).toBe(22_050);
    expect(Array.from(audio.samples)).toEqual(Array.from(tone));
  });

  it('an unsupported sample width is refused with a coded error', async () => {
    peer = await fakeWyomingServer((event, socket) => {
      if (event.type === 'synthesize') writeEvent(socket, 'audio-start', { rate: 22_050, width: 4, channels: 1 });
    });
    await expect(new WyomingTts(peer.url).synthesize('Hi.', call())).rejects.toThrow(/unsupported audio format/);
  });
});
