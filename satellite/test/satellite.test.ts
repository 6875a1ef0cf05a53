import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AsyncQueue, silentLogger } from '@hugh/common';
import { decodeSatelliteMessage, hubMessage, type HubMessage, type PlaybackFormat, type SatelliteMessage } from '@hugh/protocol';
import { HubClient, Satellite, WakeWordDetector, newCounters, type AudioInput, type AudioSink, type HubLink, type HubLinkEvents } from '@hugh/satellite';
import { ScriptedEngine } from '../../testing/fake-engine.js';

/** The satellite's end of the link, in memory: the test plays the hub. */
class FakeHubLink extends EventEmitter<HubLinkEvents> implements HubLink {
  readonly url = 'fake://hub';
  readonly counters = newCounters();
  readonly sent: SatelliteMessage[] = [];
  audioFrames = 0;
  connected = false;
  start(): void {
    this.connected = true;
    this.emit('up');
  }
  async stop(): Promise<void> {
    this.connected = false;
  }
  sendControl(message: SatelliteMessage): boolean {
    this.sent.push(decodeSatelliteMessage(JSON.stringify(message)));
    return true;
  }
  sendAudio(): boolean {
    this.audioFrames++;
    return true;
  }
  hub(message: HubMessage): void {
    this.emit('control', message);
  }
  of<T extends SatelliteMessage['type']>(type: T): Extract<SatelliteMessage, { type: T }>[] {
    return this.sent.filter((message): message is Extract<SatelliteMessage, { type: T }> => message.type === type);
  }
}

class FakeSink implements AudioSink {
  readonly description = 'fake';
  readonly log: string[] = [];
  open(_format: PlaybackFormat, kind: 'reply' | 'chime' = 'reply'): void {
    this.log.push(`open ${kind}`);
  }
  write(): void {}
  async finish(): Promise<void> {
    this.log.push('finish');
  }
  abort(): void {
    this.log.push('abort');
  }
  async close(): Promise<void> {}
}

/** A microphone the test feeds one 80 ms step at a time. */
class FakeMicrophone implements AudioInput {
  readonly description = 'fake microphone';
  readonly chunks = new AsyncQueue<Int16Array>();
  async *samples(signal: AbortSignal): AsyncIterable<Int16Array> {
    signal.addEventListener('abort', () => this.chunks.end(), { once: true });
    yield* this.chunks;
  }
}

const STEP = 1_280;
/** Lets the microphone loop and the detector's awaits run. */
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

async function start(scores: number[]) {
  const link = new FakeHubLink();
  const client = new HubClient(link, { satelliteId: 'kitchen', softwareVersion: 't', wakeEngines: ['scripted'], playbackFormats: [{ sampleRateHz: 24_000, channels: 1 }], logger: silentLogger() });
  const microphone = new FakeMicrophone();
  const sink = new FakeSink();
  const satellite = new Satellite(client, microphone, new WakeWordDetector([new ScriptedEngine(scores)], { refractoryMs: 0 }), sink, { replyTimeoutMs: 5_000, chimes: true, logger: silentLogger() });
  const states: string[] = [];
  satellite.on('state', (state) => states.push(state));
  client.start();
  link.hub(hubMessage({ type: 'welcome', satelliteId: 'kitchen', hubVersion: 't', maxUtteranceMs: 10_000, preRollMs: 200, muted: false, volumePercent: 70 }));
  const stopper = new AbortController();
  const running = satellite.run(stopper.signal);
  const speak = async (steps: number) => {
    for (let i = 0; i < steps; i++) microphone.chunks.push(new Int16Array(STEP).fill(100));
    await settle();
  };
  return { link, client, sink, satellite, states, speak, stop: async () => (stopper.abort(), await running) };
}

describe('the satellite state machine (fake link, microphone, engine and speaker)', () => {
  it('idle → streaming on the wake word (with the welcome\'s pre-roll) → waiting on stop-listening → speaking → idle', async () => {
    const { link, sink, states, speak, stop } = await start([0, 0, 0, 0.9]);
    await speak(4);
    expect(states).toEqual(['streaming']);
    const [start_] = link.of('audio-start');
    expect(start_).toMatchObject({ preRollMs: 200 }); // not the whole 5 s ring: what the hub asked for
    expect(link.of('wake')[0]).toMatchObject({ keyword: 'hey_test', score: 0.9 });
    await speak(2);
    expect(link.audioFrames).toBeGreaterThan(5); // 200 ms of pre-roll (5 frames) and live audio after it
    link.hub(hubMessage({ type: 'stop-listening', turnId: start_!.turnId, reason: 'end-of-speech' }));
    await settle();
    expect(states).toEqual(['streaming', 'waiting']);
    expect(link.of('audio-stop')[0]).toMatchObject({ reason: 'stop-listening' });
    link.hub(hubMessage({ type: 'reply-start', turnId: start_!.turnId, sampleRateHz: 24_000, channels: 1, codec: 'pcm_s16le' }));
    link.emit('audio', { turnId: start_!.turnId, seq: 0, sampleRateHz: 24_000, channels: 1, codec: 'pcm_s16le', last: false, timestampMs: 0, payload: new Uint8Array(960) });
    link.hub(hubMessage({ type: 'reply-stop', turnId: start_!.turnId, reason: 'done', frameCount: 1 }));
    await settle();
    expect(states).toEqual(['streaming', 'waiting', 'speaking', 'idle']);
    expect(sink.log).toContain('open reply');
    expect(link.of('state').map((message) => message.state)).toEqual(['idle', 'streaming', 'waiting', 'speaking', 'idle']);
    await stop();
  });

  it('muted mid-reply: playback stops, the hub is told to drop the turn, and no wake word fires', async () => {
    const { link, sink, satellite, states, speak, stop } = await start([0.9, 0, 0, 0, 0.9]);
    await speak(1);
    const turnId = link.of('audio-start')[0]!.turnId;
    link.hub(hubMessage({ type: 'reply-start', turnId, sampleRateHz: 24_000, channels: 1, codec: 'pcm_s16le' }));
    await settle();
    satellite.setMuted(true);
    expect(sink.log.at(-1)).toBe('abort');
    expect(link.of('cancel')).toMatchObject([{ turnId, reason: 'user' }]);
    await speak(4);
    expect(link.of('wake')).toHaveLength(1);
    expect(states.at(-1)).toBe('muted');
    await stop();
  });

  describe('with a fake clock', () => {
    beforeEach(() => vi.useFakeTimers({ toFake: ['Date'] }));
    afterEach(() => vi.useRealTimers());

    it('no reply within replyTimeoutMs: back to idle, and the hub is told to drop the turn', async () => {
      const { link, states, speak, stop } = await start([0.9]);
      await speak(1);
      const turnId = link.of('audio-start')[0]!.turnId;
      link.hub(hubMessage({ type: 'stop-listening', turnId, reason: 'end-of-speech' }));
      await settle();
      expect(states.at(-1)).toBe('waiting');
      vi.advanceTimersByTime(5_001);
      await speak(1); // the microphone loop notices on its next chunk
      expect(states.at(-1)).toBe('idle');
      expect(link.of('cancel')).toMatchObject([{ turnId }]);
      await stop();
    });
  });

  it('a rejected satellite stops saying hello', async () => {
    vi.useFakeTimers();
    try {
      const link = new FakeHubLink();
      const client = new HubClient(link, { satelliteId: 'kitchen', softwareVersion: 't', wakeEngines: [], playbackFormats: [], logger: silentLogger() });
      client.start();
      vi.advanceTimersByTime(2_100);
      expect(link.of('hello')).toHaveLength(3); // at start, then once a second until welcomed
      link.hub(hubMessage({ type: 'reject', code: 'HUGH_ERR_SATELLITE_MISMATCH', message: 'no' }));
      vi.advanceTimersByTime(5_000);
      expect(link.of('hello')).toHaveLength(3);
    } finally {
      vi.useRealTimers();
    }
  });
});

