import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '@hugh/common';
import { HubEvents, SessionManager, newCounters, type Announcer, type Turn, type TurnHandler } from '@hugh/hub';
import { FakeLink, speaker } from '../../testing/fake-link.js';

/** Turns handed to the pipeline, with the frames each received. */
class Recorder implements TurnHandler {
  readonly turns: { turn: Turn; frames: number; ended: boolean }[] = [];
  async handleTurn(turn: Turn): Promise<void> {
    const entry = { turn, frames: 0, ended: false };
    this.turns.push(entry);
    for await (const _frame of turn.audio) entry.frames++;
    entry.ended = true;
  }
}

function manager(overrides: { announcer?: Announcer; maxErrors?: number; turnsPerMinute?: number; messagesPerSecond?: number } = {}) {
  const events = new HubEvents();
  const handler = new Recorder();
  const sessions = new SessionManager({
    events,
    counters: newCounters(),
    arbitrationWindowMs: 0,
    maxUtteranceMs: 2_000,
    preRollMs: 300,
    hubVersion: 'test',
    turnHandler: handler,
    ...(overrides.announcer ? { announcer: overrides.announcer } : {}),
    logger: silentLogger(),
    maxErrors: overrides.maxErrors ?? 20,
    errorWindowMs: 10_000,
    messagesPerSecond: overrides.messagesPerSecond ?? 1_000,
    turnsPerMinute: overrides.turnsPerMinute ?? 20,
  });
  return { events, handler, sessions };
}

/** Lets the turn handler's loop run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('SessionManager and SatelliteSession (a fake link, no transport)', () => {
  it('welcomes a hello with the hub limits, including the pre-roll it wants; refuses anything before it', () => {
    const { sessions } = manager();
    const link = new FakeLink();
    const satellite = speaker(sessions, link);
    satellite.say({ type: 'state', state: 'idle' });
    expect(link.of('error')[0]).toMatchObject({ code: 'HUGH_ERR_HELLO_REQUIRED' });
    satellite.hello('kitchen');
    expect(link.of('welcome')[0]).toMatchObject({ satelliteId: 'kitchen', maxUtteranceMs: 2_000, preRollMs: 300, muted: false, volumePercent: 70 });
    expect(sessions.hasSession(link)).toBe(true);
  });

  it('rejects (not merely errors) a hello for another id than the connection logged in as', () => {
    const { sessions } = manager();
    const link = new FakeLink('kitchen');
    speaker(sessions, link).hello('den');
    expect(link.of('reject')[0]).toMatchObject({ code: 'HUGH_ERR_SATELLITE_MISMATCH' });
    expect(sessions.sessions.size).toBe(0);
  });

  it('routes audio to the turn, refuses frames that are not 16 kHz mono, and a wake word during a turn cancels it (barge-in)', async () => {
    const { sessions, handler, events } = manager();
    const link = new FakeLink();
    const satellite = speaker(sessions, link);
    satellite.hello('kitchen');
    const wakes: number[] = [];
    events.on('wake', (_id, wake) => wakes.push(wake.turnId));
    satellite.say({ type: 'wake', turnId: 1, engine: 'e', keyword: 'hey_jarvis', score: 0.9, levelDbfs: -20, detectedAtMs: 1 });
    satellite.say({ type: 'audio-start', turnId: 1, sampleRateHz: 16_000, channels: 1, codec: 'pcm_s16le', preRollMs: 300 });
    satellite.frame(1, 0);
    satellite.frame(1, 1, { sampleRateHz: 48_000, channels: 2 });
    await settle();
    expect(link.of('error').map((error) => error.code)).toEqual(['HUGH_ERR_FRAME_INVALID']);
    expect(handler.turns[0]).toMatchObject({ frames: 1 });
    expect(handler.turns[0]!.turn.wake).toMatchObject({ keyword: 'hey_jarvis' });

    satellite.say({ type: 'wake', turnId: 2, engine: 'e', keyword: 'hey_jarvis', score: 0.9, levelDbfs: -20, detectedAtMs: 2 });
    await settle();
    expect(handler.turns[0]!.turn.signal.aborted).toBe(true);
    expect(link.of('cancel')).toMatchObject([{ turnId: 1, reason: 'wake-word' }]);
    expect(wakes).toEqual([1, 2]);
    // A late frame of the cancelled turn is dropped quietly, a frame of a turn never seen is an error.
    satellite.frame(1, 2);
    satellite.frame(9, 0);
    expect(link.of('error').map((error) => error.code)).toEqual(['HUGH_ERR_FRAME_INVALID', 'HUGH_ERR_UNKNOWN_TURN']);
  });

  it('disconnects a link after more bad inputs than its budget', () => {
    const { sessions } = manager({ maxErrors: 3 });
    const link = new FakeLink();
    for (let i = 0; i < 4; i++) sessions.onControl(link, 'not json');
    expect(link.closedWith).toBe('HUGH_ERR_TOO_MANY_ERRORS');
  });

  it('home automation acts through the session\'s methods: mute cuts the turn, volume and listen tell the satellite; settings survive a reconnect', async () => {
    const { sessions, handler } = manager();
    const first = new FakeLink();
    const satellite = speaker(sessions, first);
    satellite.hello('kitchen');
    satellite.say({ type: 'audio-start', turnId: 5, sampleRateHz: 16_000, channels: 1, codec: 'pcm_s16le', preRollMs: 0 });
    await settle();
    const session = sessions.sessions.get('kitchen')!;
    session.setMuted(true);
    session.setVolume(35);
    session.requestListen();
    await settle();
    expect(handler.turns[0]!.turn.signal.aborted).toBe(true);
    expect(first.sent.slice(-4).map((message) => message.type)).toEqual(['cancel', 'mute', 'volume', 'listen']);
    expect([session.muted, session.volumePercent]).toEqual([true, 35]);

    const second = new FakeLink();
    speaker(sessions, second).hello('kitchen');
    expect(first.closedWith).toBe('HUGH_ERR_REPLACED');
    expect(second.of('welcome')[0]).toMatchObject({ muted: true, volumePercent: 35 });
  });

  it('announce needs an announcer; with one it starts a hub turn that interrupts the current one', async () => {
    const spoken: string[] = [];
    const { sessions } = manager({ announcer: { announce: async (_turn, text) => void spoken.push(text) } });
    const link = new FakeLink();
    speaker(sessions, link).hello('kitchen');
    sessions.announce(['kitchen'], 'dinner is ready');
    await settle();
    expect(spoken).toEqual(['dinner is ready']);
    expect(link.of('say')[0]).toMatchObject({ text: 'dinner is ready' });
    expect(() => manager().sessions.announce(['kitchen'], 'x')).toThrow(/no connected satellite/);
  });

  describe('with a fake clock', () => {
    beforeEach(() => vi.useFakeTimers());
    afterEach(() => vi.useRealTimers());

    it('refuses turns beyond turnsPerMinute, and accepts them again a minute later', () => {
      const { sessions, handler } = manager({ turnsPerMinute: 2 });
      const link = new FakeLink();
      const satellite = speaker(sessions, link);
      satellite.hello('kitchen');
      for (const turnId of [1, 2, 3]) satellite.say({ type: 'audio-start', turnId, sampleRateHz: 16_000, channels: 1, codec: 'pcm_s16le', preRollMs: 0 });
      expect(link.of('error').map((error) => error.code)).toEqual(['HUGH_ERR_RATE_LIMITED']);
      vi.advanceTimersByTime(60_000);
      satellite.say({ type: 'audio-start', turnId: 4, sampleRateHz: 16_000, channels: 1, codec: 'pcm_s16le', preRollMs: 0 });
      expect(handler.turns.map((entry) => entry.turn.turnId)).toEqual([1, 2, 4]);
    });

    it('refuses messages beyond messagesPerSecond and refills the bucket with time', () => {
      const { sessions } = manager({ messagesPerSecond: 10, maxErrors: 1_000 });
      const link = new FakeLink();
      const satellite = speaker(sessions, link);
      satellite.hello('kitchen');
      for (let i = 0; i < 20; i++) satellite.say({ type: 'ping', nonce: String(i) });
      expect(link.of('pong')).toHaveLength(9); // the hello took one token
      vi.advanceTimersByTime(1_000);
      satellite.say({ type: 'ping', nonce: 'later' });
      expect(link.of('pong').at(-1)).toMatchObject({ nonce: 'later' });
    });
  });
});
