import { describe, expect, it } from 'vitest';
import { silentLogger } from '@hugh/common';
import { EngineChain, WhisperCppStt, PocketsphinxStt, type SpeechToText } from '@hugh/hub';
import { fakeHttpServer } from '../../testing/http-server.js';
import { readWavAs16kMono } from '@hugh/satellite';
import { sharedPath } from '../../testing/shared.js';

/** Failover is measured with the real local fallback (pocketsphinx) behind a primary that is down or hangs. */
describe('engine chain failover', () => {
  const speech = () => readWavAs16kMono(sharedPath('audio/welcome-3s.wav'));

  it('primary refusing connections: the fallback answers, and the next call skips the primary', async () => {
    const calls: string[] = [];
    const counting = (engine: SpeechToText): SpeechToText => ({ name: engine.name, transcribe: (s, o) => (calls.push(engine.name), engine.transcribe(s, o)) });
    const chain = new EngineChain('stt', [{ engine: counting(new WhisperCppStt('http://127.0.0.1:1')), timeoutMs: 2_000 }, { engine: counting(new PocketsphinxStt()), timeoutMs: 15_000 }], silentLogger());
    const first = await chain.run((stt, signal) => stt.transcribe(speech(), { signal }), AbortSignal.timeout(20_000));
    expect(first.engine).toBe('pocketsphinx');
    expect(first.value).toMatch(/welcome to willow/);
    expect(chain.status()[0]?.state).toBe('open');
    await chain.run((stt, signal) => stt.transcribe(speech(), { signal }), AbortSignal.timeout(20_000));
    expect(calls).toEqual(['whisper.cpp http://127.0.0.1:1', 'pocketsphinx', 'pocketsphinx']);
  }, 30_000);

  it('primary hanging: the fallback answers within the timeout + 1 s', async () => {
    const hung = await fakeHttpServer(() => undefined);
    try {
      const timeoutMs = 1_000;
      const chain = new EngineChain<SpeechToText>('stt', [{ engine: new WhisperCppStt(hung.url), timeoutMs }, { engine: new PocketsphinxStt(), timeoutMs: 15_000 }], silentLogger());
      const audio = speech();
      // The fallback's own time is measured apart, so the bound is on what the failover adds.
      const alone = Date.now();
      await new PocketsphinxStt().transcribe(audio, { signal: AbortSignal.timeout(15_000) });
      const fallbackMs = Date.now() - alone;
      const started = Date.now();
      const result = await chain.run((stt, signal) => stt.transcribe(audio, { signal }), AbortSignal.timeout(20_000));
      expect(result.engine).toBe('pocketsphinx');
      expect(Date.now() - started - fallbackMs).toBeLessThan(timeoutMs + 1_000);
      expect(hung.requests).toHaveLength(1);
    } finally {
      await hung.close();
    }
  }, 30_000);

  it('every engine down: one coded error naming each failure', async () => {
    const chain = new EngineChain<SpeechToText>('tts', [{ engine: new WhisperCppStt('http://127.0.0.1:1'), timeoutMs: 500 }, { engine: new WhisperCppStt('http://127.0.0.1:2'), timeoutMs: 500 }], silentLogger());
    await expect(chain.run((stt, signal) => stt.transcribe(new Int16Array(160), { signal }), AbortSignal.timeout(5_000))).rejects.toMatchObject({
      code: 'HUGH_ERR_ENGINE_UNAVAILABLE',
      message: expect.stringMatching(/every tts engine failed \(whisper\.cpp http:\/\/127\.0\.0\.1:1: .*; whisper\.cpp http:\/\/127\.0\.0\.1:2: /),
    });
  });

  it('a cancelled turn is not a failure: no failover, the breaker stays closed', async () => {
    const slow: SpeechToText = { name: 'slow', transcribe: (_s, { signal }) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))) };
    const chain = new EngineChain<SpeechToText>('stt', [{ engine: slow, timeoutMs: 5_000 }, { engine: new PocketsphinxStt(), timeoutMs: 5_000 }], silentLogger());
    const turn = new AbortController();
    setTimeout(() => turn.abort('wake-word'), 100);
    await expect(chain.run((stt, signal) => stt.transcribe(new Int16Array(160), { signal }), turn.signal)).rejects.toMatchObject({ code: 'HUGH_ERR_CANCELLED' });
    // Regression: cockatiel's timeout policy reported the caller's abort as a time-out, and the breaker opened on a barge-in.
    expect(chain.status().map((status) => status.state)).toEqual(['closed', 'closed']);
    const silent = {
      name: 'silent',
      async *synthesize(_text: string, { signal }: { signal: AbortSignal }) {
        await new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
        yield 0;
      },
    };
    const streaming = new EngineChain('tts', [{ engine: silent, timeoutMs: 5_000 }], silentLogger());
    const bargeIn = new AbortController();
    setTimeout(() => bargeIn.abort('wake-word'), 100);
    await expect((async () => { for await (const _ of streaming.stream((tts, signal) => tts.synthesize('x', { signal }), bargeIn.signal)) void _; })()).rejects.toMatchObject({ code: 'HUGH_ERR_CANCELLED' });
    expect(streaming.status()[0]!.state).toBe('closed');
  });

  // Regression: cockatiel aborts a call's signal when the call settles, and that ended every stream after its first chunk.
  it('a stream keeps flowing after its first chunk; a stall beyond the timeout fails over next time', async () => {
    const chunked = (gapsMs: number[]) => ({
      name: `chunked ${gapsMs.join(',')}`,
      async *synthesize(_text: string, { signal }: { signal: AbortSignal }) {
        for (const gapMs of gapsMs) {
          await new Promise((resolve) => setTimeout(resolve, gapMs));
          if (signal.aborted) throw new Error('aborted');
          yield gapMs;
        }
      },
    });
    const good = new EngineChain('tts', [{ engine: chunked([5, 20, 20]), timeoutMs: 200 }], silentLogger());
    const values: number[] = [];
    for await (const chunk of good.stream((tts, signal) => tts.synthesize('x', { signal }), AbortSignal.timeout(5_000))) values.push(chunk.value);
    expect(values).toEqual([5, 20, 20]);

    const stalling = new EngineChain('tts', [{ engine: chunked([5, 400]), timeoutMs: 100 }, { engine: chunked([5]), timeoutMs: 100 }], silentLogger());
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of stalling.stream((tts, signal) => tts.synthesize('x', { signal }), AbortSignal.timeout(5_000))) seen.push(chunk.engine);
      })(),
    ).rejects.toMatchObject({ code: 'HUGH_ERR_ENGINE_UNAVAILABLE' });
    expect(seen).toEqual(['chunked 5,400']);
    expect(stalling.status().map((status) => status.state)).toEqual(['open', 'closed']);
  });
});

describe('engine chain under many calls at once', () => {
  it('runs 30 calls in flight without a "possible leak" warning (each call has its own signal for the breaker)', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      let release = () => undefined as void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const slow: SpeechToText = { name: 'slow', transcribe: async () => (await gate, 'ok') };
      const chain = new EngineChain<SpeechToText>('stt', [{ engine: slow, timeoutMs: 5_000 }], silentLogger());
      const calls = Array.from({ length: 30 }, () => chain.run((stt, signal) => stt.transcribe(new Int16Array(160), { signal }), AbortSignal.timeout(10_000)));
      release();
      expect((await Promise.all(calls)).map((result) => result.value)).toEqual(Array(30).fill('ok'));
      // Node emits the warning on process.nextTick: let it come if it is coming.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });
});
