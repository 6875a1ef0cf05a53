import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '@hugh/common';
import { CapabilityAnnouncer, CapabilityMonitor, CapabilityNotifier, EngineChain, HubEvents, capabilitySentence, engineReports, type SpeechToText } from '@hugh/hub';
import { CapabilitySchema, HughError, type Capability } from '@hugh/protocol';
import { fakeHttpServer } from '../../testing/http-server.js';
import { waitFor } from '../../testing/net.js';

const whisper = 'whisper.cpp http://gpu:8080';

describe('the capability state', () => {
  it('full, then degraded with the reason, then down, then full; sinceMs moves only with the state', () => {
    let now = 1_000;
    const monitor = new CapabilityMonitor(() => now);
    const changes: Capability[] = [];
    monitor.on('change', (current) => changes.push(current));
    expect(monitor.current).toEqual({ state: 'full', reasons: [], sinceMs: 1_000 });
    now = 2_000;
    monitor.report('stt', { engine: whisper, message: `${whisper} is down: pocketsphinx serves instead` });
    expect(monitor.current).toEqual({ state: 'degraded', reasons: [{ source: 'stt', engine: whisper, message: `${whisper} is down: pocketsphinx serves instead` }], sinceMs: 2_000 });
    now = 3_000;
    monitor.report('disk', { message: 'cannot write to the state dir' });
    expect(monitor.current.sinceMs).toBe(2_000); // a second reason, the same state
    expect(monitor.current.reasons.map((reason) => reason.source)).toEqual(['stt', 'disk']);
    monitor.report('tts', [{ engine: 'espeak-ng', message: 'no text to speech engine is left', down: true }]);
    expect(monitor.current).toMatchObject({ state: 'down', sinceMs: 3_000 });
    monitor.report('tts', undefined);
    monitor.report('disk', []);
    monitor.report('stt', undefined);
    expect(monitor.current).toEqual({ state: 'full', reasons: [], sinceMs: 3_000 });
    expect(changes.map((change) => change.state)).toEqual(['degraded', 'degraded', 'down', 'degraded', 'degraded', 'full']);
    // The same report again is no news.
    monitor.report('stt', undefined);
    expect(changes).toHaveLength(6);
    for (const change of changes) expect(CapabilitySchema.parse(change)).toEqual(change);
  });

  it('never publishes a password from an engine URL', () => {
    const monitor = new CapabilityMonitor();
    monitor.report('stt', { engine: 'openai-stt http://user:s3cret@speaches:8000', message: 'openai-stt http://user:s3cret@speaches:8000 is down' });
    expect(JSON.stringify(monitor.current)).not.toContain('s3cret');
  });
});

describe('what the breakers say', () => {
  it('a primary down with a fallback serving is degraded; a broken fallback behind a healthy primary is not', () => {
    expect(engineReports({ stt: [{ name: whisper, state: 'open' }, { name: 'pocketsphinx', state: 'closed' }] })).toEqual({
      stt: [{ engine: whisper, message: `${whisper} is down: pocketsphinx serves instead` }],
    });
    expect(engineReports({ stt: [{ name: whisper, state: 'half-open' }, { name: 'pocketsphinx', state: 'closed' }] }).stt).toHaveLength(1);
    expect(engineReports({ stt: [{ name: whisper, state: 'closed' }, { name: 'pocketsphinx', state: 'open' }] })).toEqual({ stt: [] });
  });

  it('no engine of a kind left is down; Convex unreachable degrades only', () => {
    expect(engineReports({ tts: [{ name: 'outetts', state: 'open' }, { name: 'espeak-ng', state: 'open' }] }).tts).toEqual([
      { engine: 'outetts', message: 'outetts is down: no text to speech engine is left', down: true },
      { engine: 'espeak-ng', message: 'espeak-ng is down: no text to speech engine is left', down: true },
    ]);
    expect(engineReports({ dispatch: [{ name: 'convex https://x.convex.cloud', state: 'open' }] }).dispatch).toEqual([
      { engine: 'convex https://x.convex.cloud', message: 'convex https://x.convex.cloud is unreachable: the local dispatcher answers' },
    ]);
  });
});

describe('trial calls of an open breaker', () => {
  afterEach(() => vi.useRealTimers());

  it('a failed engine is tried again after halfOpenAfterMs without anyone speaking, and its recovery is reported', async () => {
    vi.useFakeTimers();
    let healthy = false;
    const trials: number[] = [];
    const flaky: SpeechToText = {
      name: 'flaky',
      transcribe: async () => {
        if (!healthy) throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', 'refused');
        return '';
      },
    };
    const backup: SpeechToText = { name: 'backup', transcribe: async () => 'hello' };
    const recovered: string[] = [];
    const chain = new EngineChain('stt', [{ engine: flaky, timeoutMs: 1_000 }, { engine: backup, timeoutMs: 1_000 }], silentLogger(), {
      halfOpenAfterMs: 5_000,
      trial: (engine, signal) => (trials.push(Date.now()), engine.transcribe(new Int16Array(160), { signal })),
      onRecover: (engine) => recovered.push(engine),
    });
    const started = Date.now();
    expect((await chain.run((stt, signal) => stt.transcribe(new Int16Array(160), { signal }), new AbortController().signal)).engine).toBe('backup');
    expect(chain.status()[0]!.state).toBe('open');
    await vi.advanceTimersByTimeAsync(4_999);
    expect(trials).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(trials).toEqual([started + 5_000]); // the first trial, failing: the breaker stays open
    expect(chain.status()[0]!.state).toBe('open');
    healthy = true;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(trials).toHaveLength(2);
    expect(chain.status()[0]!.state).toBe('closed');
    expect(recovered).toEqual(['flaky']);
    chain.close();
  });
});

describe('pushes to the family', () => {
  const degraded = (sinceMs: number): Capability => ({ state: 'degraded', reasons: [{ source: 'tts', engine: 'outetts', message: 'outetts is down: espeak-ng serves instead' }], sinceMs });
  const full = (sinceMs: number): Capability => ({ state: 'full', reasons: [], sinceMs });

  it('ntfy: one POST to the topic when entering degraded and one when leaving, title, priority and tags as headers, the token as Bearer', async () => {
    const ntfy = await fakeHttpServer((_request, response) => void response.writeHead(200).end('{}'));
    const notifier = new CapabilityNotifier([{ type: 'ntfy', url: `${ntfy.url}/hugh-house`, token: 'tk_abc', priority: 4, tags: ['warning'] }], { minIntervalMs: 0, timeoutMs: 2_000, retryMs: 1_000, logger: silentLogger(), hubName: 'vm-vocal' });
    notifier.update(degraded(1));
    notifier.update({ ...degraded(1), reasons: [...degraded(1).reasons, { source: 'stt', message: 'whisper is down' }] }); // same state: no news
    await waitFor(() => ntfy.requests.length === 1, 'the first push');
    notifier.update(full(2));
    await waitFor(() => ntfy.requests.length === 2, 'the second push');
    const [entering, leaving] = ntfy.requests;
    expect(entering).toMatchObject({ method: 'POST', path: '/hugh-house', headers: { title: 'H.U.G.H. Voice (vm-vocal): running on backups', priority: '4', tags: 'warning', authorization: 'Bearer tk_abc' } });
    expect(entering!.body.toString()).toBe('outetts is down: espeak-ng serves instead');
    expect(leaving).toMatchObject({ method: 'POST', path: '/hugh-house', headers: { title: 'H.U.G.H. Voice (vm-vocal): back to full strength', priority: '3', tags: 'white_check_mark' } });
    expect(leaving!.body.toString()).toBe('Every engine serves again (it was degraded).');
    notifier.close();
    await ntfy.close();
  });

  it('Gotify: POST /message with the application token and JSON {title, message, priority}', async () => {
    const gotify = await fakeHttpServer((_request, response) => void response.writeHead(200, { 'content-type': 'application/json' }).end('{"id":1}'));
    const notifier = new CapabilityNotifier([{ type: 'gotify', url: `${gotify.url}/`, token: 'AppToken.1', priority: 7 }], { minIntervalMs: 0, timeoutMs: 2_000, retryMs: 1_000, logger: silentLogger(), hubName: 'mac' });
    notifier.update({ state: 'down', reasons: [{ source: 'tts', message: 'espeak-ng is down: no text to speech engine is left' }], sinceMs: 1 });
    await waitFor(() => gotify.requests.length === 1, 'the push');
    expect(gotify.requests[0]).toMatchObject({
      method: 'POST',
      path: '/message',
      headers: { 'x-gotify-key': 'AppToken.1', 'content-type': 'application/json' },
      json: { title: 'H.U.G.H. Voice (mac): cannot speak or hear', message: 'espeak-ng is down: no text to speech engine is left', priority: 7 },
    });
    notifier.close();
    await gotify.close();
  });

  it('rate limit: a flapping engine costs one push per window, and the last word is the state at its end', async () => {
    const ntfy = await fakeHttpServer((_request, response) => void response.writeHead(200).end());
    const notifier = new CapabilityNotifier([{ type: 'ntfy', url: `${ntfy.url}/t`, priority: 4, tags: [] }], { minIntervalMs: 300, timeoutMs: 2_000, retryMs: 1_000, logger: silentLogger(), hubName: 'h' });
    notifier.update(degraded(1));
    await waitFor(() => ntfy.requests.length === 1, 'the first push');
    notifier.update(full(2));
    notifier.update(degraded(3));
    notifier.update(full(4));
    // Inside the window nothing more went out; at its end the state (full) differs from what was told (degraded).
    expect(ntfy.requests).toHaveLength(1);
    await waitFor(() => ntfy.requests.length === 2, 'the coalesced push');
    expect(String(ntfy.requests[1]!.headers.title)).toMatch(/back to full strength/);
    notifier.update(degraded(5));
    notifier.update(full(6)); // back to what was told before the window ends: nothing to say
    // Nothing is to arrive: the only way to see that is to let the window (300 ms) pass.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(ntfy.requests).toHaveLength(2);
    notifier.close();
    await ntfy.close();
  });

  it('a push that fails is retried after retryMs and logs no topic', async () => {
    let fail = true;
    const ntfy = await fakeHttpServer((_request, response) => void response.writeHead(fail ? 500 : 200).end());
    const warnings: unknown[] = [];
    const logger = { ...silentLogger(), warn: (...args: unknown[]) => warnings.push(args) } as unknown as ReturnType<typeof silentLogger>;
    const notifier = new CapabilityNotifier([{ type: 'ntfy', url: `${ntfy.url}/secret-topic`, priority: 4, tags: [] }], { minIntervalMs: 0, timeoutMs: 2_000, retryMs: 200, logger, hubName: 'h' });
    notifier.update(degraded(1));
    await waitFor(() => warnings.length === 1, 'the failure to be logged');
    expect(JSON.stringify(warnings)).not.toContain('secret-topic');
    fail = false;
    await waitFor(() => ntfy.requests.length === 2, 'the retry');
    expect(ntfy.requests[1]!.headers.title).toMatch(/running on backups/);
    notifier.close();
    await ntfy.close();
  });
});

describe('the spoken note', () => {
  it('one sentence per source', () => {
    expect(capabilitySentence({ state: 'degraded', reasons: [{ source: 'tts', message: '' }, { source: 'tts', message: '' }, { source: 'dispatch', message: '' }], sinceMs: 0 })).toBe(
      "I'm running on my backup voice. My main brain is offline, so a smaller model is answering.",
    );
  });

  it('is said once, on the satellite of the next answered turn, after its reply has played', () => {
    const events = new HubEvents();
    const said: [string, string][] = [];
    const announcer = new CapabilityAnnouncer(events, (satelliteId, text) => (said.push([satelliteId, text]), true));
    const record = (satelliteId: string, outcome: 'answered' | 'no-speech') => ({ satelliteId, turnId: 1, outcome, times: { turnStartMs: 0 }, engineMs: {} });
    announcer.update({ state: 'degraded', reasons: [{ source: 'tts', message: 'outetts is down' }], sinceMs: 1 }, { state: 'full', reasons: [], sinceMs: 0 });
    events.emit('state', 'kitchen', 'idle'); // no turn yet
    events.emit('turn', record('den', 'no-speech'));
    events.emit('state', 'den', 'idle');
    expect(said).toEqual([]);
    events.emit('turn', record('kitchen', 'answered'));
    events.emit('state', 'kitchen', 'speaking');
    expect(said).toEqual([]);
    events.emit('state', 'kitchen', 'idle');
    expect(said).toEqual([['kitchen', "I'm running on my backup voice."]]);
    events.emit('turn', record('kitchen', 'answered'));
    events.emit('state', 'kitchen', 'idle');
    expect(said).toHaveLength(1);
  });
});
