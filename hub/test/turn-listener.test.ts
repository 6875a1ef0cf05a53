import { describe, expect, it } from 'vitest';
import { AsyncQueue } from '@hugh/common';
import { HubConfigSchema, TurnListener, endpointSettings, readsFinished, type Transcription, type Turn, type TurnRecord, type VoiceActivityDetector } from '@hugh/hub';
import type { AudioFrame } from '@hugh/protocol';

describe('the commit rule: does a transcript read finished?', () => {
  it.each([
    ['what time is it', true],
    ['turn on the kitchen lights', true],
    ['what is the capital of France?', true],
    ['tell me a joke', true],
    ['set a timer for', false],
    ['turn on the', false],
    ['what is', false],
    ['I need eggs and', false],
    ['remind me to call my', false],
    ['um', false],
    ['so the thing is, ', false],
    ['let me think...', false],
    ['play something by the …', false],
    ['', false],
    ['   ', false],
  ])('%j → %s', (text, finished) => {
    expect(readsFinished(text)).toBe(finished);
  });
});

/** A VAD that hears speech in any frame with a sample above 1000: the test scripts speech by amplitude. */
const loudness: { create(): VoiceActivityDetector } = {
  create: () => ({ frameSamples: 512, reset() {}, probability: async (frame) => (frame.some((sample) => Math.abs(sample) > 1_000) ? 0.99 : 0.01) }),
};

function fakeTurn() {
  const audio = new AsyncQueue<AudioFrame>();
  let seq = 0;
  const turn = {
    satelliteId: 'kitchen',
    room: 'Kitchen',
    turnId: 1,
    wake: undefined,
    audio,
    signal: new AbortController().signal,
    playbackFormats: [],
    stoppedWith: undefined as string | undefined,
    stopListening(reason: string) {
      turn.stoppedWith ??= reason;
      audio.end();
    },
    sendTranscript() {},
    startReply: () => {
      throw new Error('nothing may be played while listening');
    },
  };
  /** `ms` of speech (loud) or silence, in 40 ms frames. */
  const say = (ms: number, loud: boolean) => {
    for (let t = 0; t < ms; t += 40) audio.push({ turnId: 1, seq: seq++, sampleRateHz: 16_000, channels: 1, codec: 'pcm_s16le', last: false, timestampMs: 0, payload: new Uint8Array(new Int16Array(640).fill(loud ? 5_000 : 0).buffer) });
  };
  return { turn: turn as unknown as Turn & { stoppedWith: string | undefined }, say, audio };
}

/** STT calls the test answers itself. */
function scriptedStt() {
  const calls: { samples: number; signal: AbortSignal; answer: (text: string) => void }[] = [];
  const transcribe = (audio: Int16Array, signal: AbortSignal) =>
    new Promise<Transcription>((resolve, reject) => {
      signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
      calls.push({ samples: audio.length, signal, answer: (text) => resolve({ text, engine: 'scripted', sttMs: 1 }) });
    });
  return { calls, transcribe };
}

const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

function listener(stt: ReturnType<typeof scriptedStt>, events: string[]) {
  const endpoint = { ...endpointSettings(HubConfigSchema.parse({})), pauseMs: 120, pauseAfterSpeechMs: 200, trailingSilenceMs: 900 };
  return new TurnListener({
    vad: loudness,
    endpoint,
    maxSpeculations: 3,
    transcribe: stt.transcribe,
    isFinished: (text) => text === 'what time is it',
    onSpeculation: (text) => events.push(`speculation: ${text}`),
    onDropped: () => events.push('dropped'),
  });
}
const record = (): TurnRecord => ({ satelliteId: 'kitchen', turnId: 1, outcome: 'failed', times: { turnStartMs: 0 }, engineMs: {} });

describe('TurnListener: speculative end of turn (fake VAD, fake STT, audio in audio time)', () => {
  it('a finished transcript at the first pause commits at once, long before the long silence', async () => {
    const stt = scriptedStt();
    const { turn, say } = fakeTurn();
    const turnRecord = record();
    const heard = listener(stt, []).listen(turn, turnRecord);
    say(800, true);
    say(200, false);
    await settle();
    expect(stt.calls).toHaveLength(1);
    stt.calls[0]!.answer('what time is it');
    const outcome = await heard;
    expect(outcome).toMatchObject({ kind: 'utterance', transcript: { text: 'what time is it' } });
    expect(turn.stoppedWith).toBe('end-of-speech');
    expect(turnRecord.speculation).toEqual({ attempts: 1, dropped: 0, reused: false, early: true });
  });

  it('speech resuming drops the speculation: its STT call is aborted, nothing is played, and the whole sentence is heard', async () => {
    const stt = scriptedStt();
    const events: string[] = [];
    const { turn, say } = fakeTurn();
    const turnRecord = record();
    const heard = listener(stt, events).listen(turn, turnRecord);
    say(600, true); // "set a timer for"
    say(240, false); // a pause…
    await settle();
    stt.calls[0]!.answer('set a timer for');
    await settle();
    expect(events).toEqual(['speculation: set a timer for']);
    say(600, true); // "… ten minutes"
    await settle();
    expect(events).toEqual(['speculation: set a timer for', 'dropped']);
    say(200, false);
    await settle();
    stt.calls[1]!.answer('set a timer for ten minutes'); // the second pause's speculation, on the whole sentence
    say(1_000, false);
    const outcome = await heard;
    expect(outcome).toMatchObject({ kind: 'utterance', transcript: { text: 'set a timer for ten minutes' } });
    expect(turnRecord.speculation).toEqual({ attempts: 2, dropped: 1, reused: true, early: false });
  });

  it('a speculation still running when speech resumes is aborted', async () => {
    const stt = scriptedStt();
    const { turn, say } = fakeTurn();
    const heard = listener(stt, []).listen(turn, record());
    say(600, true);
    say(200, false);
    await settle();
    say(400, true);
    await settle();
    expect(stt.calls[0]!.signal.aborted).toBe(true);
    say(1_000, false);
    await settle();
    stt.calls[1]!.answer('what time is it');
    expect((await heard).kind).toBe('utterance');
  });

  it('at the long silence, with no speech since the pause, the speculative transcript is reused: no second STT call', async () => {
    const stt = scriptedStt();
    const events: string[] = [];
    const { turn, say } = fakeTurn();
    const turnRecord = record();
    const heard = listener(stt, events).listen(turn, turnRecord);
    say(800, true);
    say(200, false);
    await settle();
    stt.calls[0]!.answer('remind me to call'); // not finished: wait for the long silence
    await settle();
    say(1_000, false);
    const outcome = await heard;
    expect(outcome).toMatchObject({ kind: 'utterance', transcript: { text: 'remind me to call' } });
    expect(stt.calls).toHaveLength(1);
    expect(events).toEqual(['speculation: remind me to call']);
    expect(turnRecord.speculation).toEqual({ attempts: 1, dropped: 0, reused: true, early: false });
    expect(turn.stoppedWith).toBe('end-of-speech');
  });

  it('nobody speaks: no-speech, and no STT call at all', async () => {
    const stt = scriptedStt();
    const { turn, say } = fakeTurn();
    const heard = listener(stt, []).listen(turn, record());
    say(6_000, false);
    expect(await heard).toEqual({ kind: 'no-speech' });
    expect(stt.calls).toHaveLength(0);
  });
});
