import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '@hugh/common';
import { ActiveTurn, WakeArbiter, newCounters, type WakeCandidate } from '@hugh/hub';
import type { AudioFrame } from '@hugh/protocol';
import { FakeLink } from '../../testing/fake-link.js';

function turn(link = new FakeLink(), options: { preRoll?: { sentMs: number; keptMs: number }; maxUtteranceMs?: number } = {}) {
  return new ActiveTurn({
    link,
    satelliteId: 'kitchen',
    room: 'Kitchen',
    turnId: 7,
    wake: undefined,
    playbackFormats: [{ sampleRateHz: 24_000, channels: 1 }],
    preRoll: options.preRoll ?? { sentMs: 0, keptMs: 0 },
    maxUtteranceMs: options.maxUtteranceMs ?? 10_000,
    logger: silentLogger(),
    counters: newCounters(),
  });
}

const frame = (seq: number, samples = 640, fill = seq + 1): AudioFrame => ({ turnId: 7, seq, sampleRateHz: 16_000, channels: 1, codec: 'pcm_s16le', last: false, timestampMs: 0, payload: new Uint8Array(2 * samples).fill(fill) });

async function drained(active: ActiveTurn): Promise<AudioFrame[]> {
  const frames: AudioFrame[] = [];
  for await (const received of active.audio) frames.push(received);
  return frames;
}

describe('ActiveTurn: frames in', () => {
  it('drops duplicates, keeps frames after a gap (counting it), and nothing after the end of listening', async () => {
    const active = turn();
    expect([frame(0), frame(0), frame(3), frame(4)].map((f) => active.acceptFrame(f))).toEqual(['accepted', 'dropped', 'accepted', 'accepted']);
    active.stopListening('end-of-speech');
    expect(active.acceptFrame(frame(5))).toBe('dropped');
    expect(active.stats).toMatchObject({ frames: 3, duplicateFrames: 1, missingFrames: 2 });
    expect((await drained(active)).map((f) => f.seq)).toEqual([0, 3, 4]);
  });

  it('owns the longest utterance: at maxUtteranceMs it stops listening and tells the satellite why', async () => {
    const link = new FakeLink();
    const active = turn(link, { maxUtteranceMs: 100 });
    for (let seq = 0; seq < 5; seq++) active.acceptFrame(frame(seq)); // 40 ms each
    expect(link.of('stop-listening')).toMatchObject([{ turnId: 7, reason: 'max-length' }]);
    expect(await drained(active)).toHaveLength(3);
  });

  it('drops the pre-roll a satellite sent beyond what the hub keeps, at the start of the stream only', async () => {
    const active = turn(new FakeLink(), { preRoll: { sentMs: 100, keptMs: 50 } }); // 50 ms = 800 samples to drop
    active.acceptFrame(frame(0, 640, 1));
    active.acceptFrame(frame(1, 640, 2));
    active.acceptFrame(frame(2, 640, 3));
    active.endInput();
    const frames = await drained(active);
    expect(frames.map((f) => [f.payload.byteLength / 2, f.payload[0]])).toEqual([[480, 2], [640, 3]]);
  });
});

describe('ActiveTurn: reply out', () => {
  it('cuts written audio into 40 ms frames, flushes the rest at the end and counts them in reply-stop', () => {
    const link = new FakeLink();
    const writer = turn(link).startReply({ sampleRateHz: 24_000, channels: 1 });
    writer.write(new Uint8Array(1_920 + 1_000)); // one 40 ms frame (960 samples at 24 kHz) and a bit
    expect(link.frames).toHaveLength(1);
    writer.write(new Uint8Array(1_000)); // completes the second frame, 80 bytes left over
    writer.end('done');
    expect(link.frames.map((f) => f.payload.byteLength)).toEqual([1_920, 1_920, 80]);
    expect(link.frames.map((f) => f.seq)).toEqual([0, 1, 2]);
    expect(link.of('reply-stop')).toMatchObject([{ reason: 'done', frameCount: 3 }]);
  });

  it('a cancel stops the reply (reply-stop cancelled), aborts the signal and tells the satellite unless it asked', () => {
    const link = new FakeLink();
    const active = turn(link);
    const writer = active.startReply({ sampleRateHz: 24_000, channels: 1 });
    active.cancel('stop-command', true);
    expect(active.signal.aborted).toBe(true);
    expect(writer.write(new Uint8Array(4_000))).toBe(false);
    expect(link.sent.map((message) => message.type)).toEqual(['reply-start', 'reply-stop', 'cancel']);
    expect(link.of('reply-stop')[0]).toMatchObject({ reason: 'cancelled' });
  });
});

describe('WakeArbiter (fake clock)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());
  const candidate = (satelliteId: string, levelDbfs: number, score = 0.9): WakeCandidate => ({ satelliteId, turnId: 1, wake: { engine: 'e', keyword: 'hey_jarvis', score, levelDbfs, detectedAtMs: 0 } });

  it('lets the loudest keep the turn when the window closes, then the best score; the others stand down', () => {
    const decisions: [string, string[]][] = [];
    const arbiter = new WakeArbiter(400, (winner, losers) => decisions.push([winner.satelliteId, losers.map((loser) => loser.satelliteId)]));
    arbiter.report(candidate('hall', -30));
    vi.advanceTimersByTime(300);
    arbiter.report(candidate('kitchen', -20));
    arbiter.report(candidate('den', -20, 0.99));
    expect(decisions).toEqual([]);
    vi.advanceTimersByTime(100);
    expect(decisions).toEqual([['den', ['kitchen', 'hall']]]);
  });

  it('decides nothing for a wake word heard alone, or once the window has passed', () => {
    const decisions: unknown[] = [];
    const arbiter = new WakeArbiter(400, (...args) => decisions.push(args));
    arbiter.report(candidate('hall', -30));
    vi.advanceTimersByTime(401);
    arbiter.report(candidate('kitchen', -20));
    vi.advanceTimersByTime(401);
    expect(decisions).toEqual([]);
    const off = new WakeArbiter(0, (...args) => decisions.push(args));
    off.report(candidate('a', -1));
    off.report(candidate('b', -2));
    vi.advanceTimersByTime(1_000);
    expect(decisions).toEqual([]);
  });
});
