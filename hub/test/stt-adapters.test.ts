import { afterEach, describe, expect, it } from 'vitest';
import { HughError, type ErrorCode } from '@hugh/protocol';
import { OpenAiStt, WhisperCppStt, WyomingStt, parseWav } from '@hugh/hub';
import { fakeHttpServer, json } from '../../testing/http-server.js';
import { fakeWyomingServer, writeEvent } from '../../testing/wyoming-server.js';

const utterance = Int16Array.from({ length: 16_000 }, (_, i) => Math.round(Math.sin(i / 10) * 3_000));
const call = (timeoutMs = 2_000) => ({ signal: AbortSignal.timeout(timeoutMs), language: 'en' });

async function codeOf(promise: Promise<unknown>): Promise<ErrorCode | string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return error instanceof HughError ? error.code : (error as Error).name;
  }
}

type Server = Awaited<ReturnType<typeof fakeHttpServer>>;
let server: Server | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('whisper.cpp whisper-server adapter (wire format against a local server; not a test of the model)', () => {
  it('POSTs /inference multipart with a 16 kHz mono WAV file, response_format=json, language; reads {"text"}', async () => {
    server = await fakeHttpServer((_request, res) => json(res, 200, { text: ' Hello world. ' }));
    const text = await new WhisperCppStt(server.url).transcribe(utterance, call());
    expect(text).toBe('Hello world.');
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/inference');
    expect(request?.form?.get('response_format')).toBe('json');
    expect(request?.form?.get('language')).toBe('en');
    const file = request?.form?.get('file') as File;
    const wav = parseWav(new Uint8Array(await file.arrayBuffer()));
    expect(wav).toMatchObject({ sampleRateHz: 16_000, channels: 1 });
    expect(Buffer.from(wav.samples.buffer, wav.samples.byteOffset, wav.samples.byteLength).equals(Buffer.from(utterance.buffer))).toBe(true);
  });

  it.each([
    ['503 while the model loads', (res: Parameters<Parameters<typeof fakeHttpServer>[0]>[1]) => json(res, 503, { error: 'Loading model' }), 'HUGH_ERR_ENGINE_UNAVAILABLE'],
    ['500', (res: Parameters<Parameters<typeof fakeHttpServer>[0]>[1]) => json(res, 500, { error: 'boom' }), 'HUGH_ERR_ENGINE_UNAVAILABLE'],
    ['a malformed body', (res: Parameters<Parameters<typeof fakeHttpServer>[0]>[1]) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"text": '), 'HUGH_ERR_ENGINE_UNAVAILABLE'],
    ['JSON without text', (res: Parameters<Parameters<typeof fakeHttpServer>[0]>[1]) => json(res, 200, { segments: [] }), 'HUGH_ERR_ENGINE_UNAVAILABLE'],
  ])('%s → a coded error', async (_name, answer, code) => {
    server = await fakeHttpServer((_request, res) => answer(res));
    expect(await codeOf(new WhisperCppStt(server.url).transcribe(utterance, call()))).toBe(code);
  });

  it('a hang ends with the caller’s signal', async () => {
    server = await fakeHttpServer(() => undefined);
    const started = Date.now();
    expect(await codeOf(new WhisperCppStt(server.url).transcribe(utterance, call(300)))).not.toBe('resolved');
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('a refused connection is HUGH_ERR_ENGINE_UNAVAILABLE', async () => {
    expect(await codeOf(new WhisperCppStt('http://127.0.0.1:1').transcribe(utterance, call()))).toBe('HUGH_ERR_ENGINE_UNAVAILABLE');
  });

  it('GET /health: ok, or not while loading', async () => {
    let loading = true;
    server = await fakeHttpServer((request, res) => (request.path === '/health' ? json(res, loading ? 503 : 200, { status: loading ? 'loading model' : 'ok' }) : json(res, 404, {})));
    const stt = new WhisperCppStt(server.url);
    expect(await stt.healthy(AbortSignal.timeout(1_000))).toBe(false);
    loading = false;
    expect(await stt.healthy(AbortSignal.timeout(1_000))).toBe(true);
  });
});

describe('OpenAI-compatible /v1/audio/transcriptions adapter (wire format; not a test of the model)', () => {
  it('sends file, model, language, response_format and the bearer key; reads {"text"}', async () => {
    server = await fakeHttpServer((_request, res) => json(res, 200, { text: 'turn on the lights' }));
    expect(await new OpenAiStt(server.url, 'Systran/faster-whisper-large-v3', 'sk-local').transcribe(utterance, call())).toBe('turn on the lights');
    const [request] = server.requests;
    expect(request?.path).toBe('/v1/audio/transcriptions');
    expect(request?.headers.authorization).toBe('Bearer sk-local');
    expect(request?.form?.get('model')).toBe('Systran/faster-whisper-large-v3');
    expect(request?.form?.get('response_format')).toBe('json');
    expect((request?.form?.get('file') as File).type).toBe('audio/wav');
  });

  it('a 4xx answer is a coded error naming the status', async () => {
    server = await fakeHttpServer((_request, res) => json(res, 401, { error: { message: 'bad key' } }));
    await expect(new OpenAiStt(server.url, 'm').transcribe(utterance, call())).rejects.toThrow(/answered 401/);
  });
});

describe('Wyoming ASR adapter (framing against a local peer; not a test of the model)', () => {
  type Peer = Awaited<ReturnType<typeof fakeWyomingServer>>;
  let peer: Peer | undefined;
  afterEach(async () => {
    await peer?.close();
    peer = undefined;
  });

  it('transcribe, audio-start, audio-chunks carrying every sample, audio-stop → transcript', async () => {
    peer = await fakeWyomingServer((event, socket) => {
      if (event.type === 'audio-stop') writeEvent(socket, 'transcript', { text: ' what time is it ' });
    });
    expect(await new WyomingStt(peer.url).transcribe(utterance, call())).toBe('what time is it');
    const types = peer.received.map((event) => event.type);
    expect(types[0]).toBe('transcribe');
    expect(peer.received[0]?.data).toEqual({ language: 'en' });
    expect(types[1]).toBe('audio-start');
    expect(peer.received[1]?.data).toEqual({ rate: 16_000, width: 2, channels: 1 });
    expect(types.at(-1)).toBe('audio-stop');
    const audio = Buffer.concat(peer.received.filter((event) => event.type === 'audio-chunk').map((event) => event.payload!));
    expect(audio.equals(Buffer.from(utterance.buffer))).toBe(true);
  });

  it('a peer that closes without a transcript, or sends garbage, gives a coded error', async () => {
    peer = await fakeWyomingServer((event, socket) => {
      if (event.type === 'audio-stop') socket.end('this is not wyoming\n');
    });
    expect(await codeOf(new WyomingStt(peer.url).transcribe(utterance, call()))).toBe('HUGH_ERR_ENGINE_UNAVAILABLE');
  });

  it('a hang ends with the caller’s signal', async () => {
    peer = await fakeWyomingServer(() => undefined);
    expect(await codeOf(new WyomingStt(peer.url).transcribe(utterance, call(300)))).not.toBe('resolved');
  });
});
