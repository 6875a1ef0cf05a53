import { Aedes } from 'aedes';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@hugh/common';
import { AedesBus, HermesTransport, HubEvents, SessionManager, newCounters, wavBytes, type Turn, type TurnHandler } from '@hugh/hub';
import type { SatelliteState } from '@hugh/protocol';
import { waitFor } from '../../testing/net.js';

/** The pipeline's part, in miniature: takes `listenFrames` frames, stops listening, answers with a 100 ms tone at 22.05 kHz. */
class ToneReply implements TurnHandler {
  readonly turns: { turn: Turn; frames: number; samples: number }[] = [];
  constructor(private readonly listenFrames = 5) {}
  async handleTurn(turn: Turn): Promise<void> {
    const entry = { turn, frames: 0, samples: 0 };
    this.turns.push(entry);
    for await (const frame of turn.audio) {
      entry.frames++;
      entry.samples += frame.payload.byteLength / 2;
      if (entry.frames === this.listenFrames) turn.stopListening('end-of-speech');
    }
    if (turn.signal.aborted) return;
    const writer = turn.startReply(turn.playbackFormats.find((format) => format.sampleRateHz === 22_050)!);
    writer.write(new Uint8Array(new Int16Array(2_205).fill(3_000).buffer));
    writer.end('done');
  }
}

let broker: Aedes | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (broker ? broker.close(() => resolve()) : resolve()));
  broker = undefined;
});

async function setup(listenFrames?: number) {
  broker = await Aedes.createBroker();
  const bus = new AedesBus(broker, silentLogger());
  const events = new HubEvents();
  const handler = new ToneReply(listenFrames);
  const sessions = new SessionManager({ events, counters: newCounters(), arbitrationWindowMs: 0, maxUtteranceMs: 2_000, preRollMs: 300, hubVersion: 'test', turnHandler: handler, logger: silentLogger(), maxErrors: 20, errorWindowMs: 10_000, messagesPerSecond: 1_000, turnsPerMinute: 20 });
  const online: string[] = [];
  const states: SatelliteState[] = [];
  events.on('satellite-online', (id, info) => online.push(`${id} ${info.room} ${info.transport}`));
  events.on('state', (_id, state) => states.push(state));
  const seen: { topic: string; payload: Buffer }[] = [];
  await bus.subscribe('hermes/#', (topic, payload) => seen.push({ topic, payload }));
  await new HermesTransport(bus, [{ siteId: 'attic', room: 'Attic' }], sessions, silentLogger()).start();
  const frame = (samples = 1024, rateHz = 16_000) => bus.publish('hermes/audioServer/attic/audioFrame', wavBytes({ sampleRateHz: rateHz, channels: 1, samples: new Int16Array(samples).fill(1_000) }));
  const wake = (siteId = 'attic') => bus.publish('hermes/hotword/porcupine/detected', JSON.stringify({ modelId: 'porcupine', currentSensitivity: 0.7, siteId }));
  const topics = (prefix = '') => seen.filter((message) => message.topic.startsWith(prefix) && !message.topic.endsWith('/audioFrame')).map((message) => (message.topic.includes('/playBytes/') ? 'playBytes' : `${message.topic} ${JSON.parse(message.payload.toString()).reason ?? ''}`.trim()));
  return { bus, sessions, handler, online, states, seen, frame, wake, topics };
}

describe('Rhasspy sites as satellites (HermesTransport, over an in-process broker)', () => {
  it('a configured site is a satellite from the start, in its room, and plays any common rate', async () => {
    const { sessions, online } = await setup();
    expect(online).toEqual(['attic Attic hermes']);
    expect(sessions.sessions.get('attic')!.hello.playbackFormats.map((format) => format.sampleRateHz)).toEqual([16_000, 22_050, 24_000, 44_100, 48_000]);
  });

  it('a wake word starts a turn with the pre-roll the hub asked for (300 ms), then the live audio in 40 ms frames', async () => {
    const { handler, frame, wake } = await setup(1_000);
    for (let i = 0; i < 10; i++) frame(); // 640 ms of audio before the wake word: the last 300 ms of it is kept
    wake();
    await waitFor(() => handler.turns.length === 1, 'the turn');
    const turn = handler.turns[0]!;
    expect(turn.turn.wake).toMatchObject({ engine: 'rhasspy', keyword: 'porcupine', score: 0.7 });
    expect(turn.turn.wake!.levelDbfs).toBeCloseTo(-30.3, 0);
    for (let i = 0; i < 20; i++) frame();
    // 4800 samples of pre-roll and 20 chunks of 1024, in whole 640-sample frames (the last 320 wait for more).
    await waitFor(() => turn.frames === 39, 'the frames');
    expect(turn.samples).toBe(39 * 640);
  });

  it('barge-in: a second wake word cuts the first turn; muting turns the hotword off and ignores wake words', async () => {
    const { handler, sessions, frame, wake, topics, states } = await setup(1_000);
    wake();
    frame();
    await waitFor(() => handler.turns.length === 1, 'the first turn');
    wake();
    await waitFor(() => handler.turns.length === 2, 'the second turn');
    expect(handler.turns[0]!.turn.signal.aborted).toBe(true);
    sessions.sessions.get('attic')!.setMuted(true);
    expect(handler.turns[1]!.turn.signal.aborted).toBe(true);
    wake();
    frame();
    await waitFor(() => states.at(-1) === 'muted', 'muted');
    expect(handler.turns).toHaveLength(2);
    expect(topics('hermes/hotword/toggle').at(-1)).toBe('hermes/hotword/toggleOff'); // reason "": the site's own switch
  });

  it('the reply is one WAV on playBytes, between hotword toggles; a site that never says playFinished is waited for its length and a grace', async () => {
    const { frame, wake, seen, topics, states } = await setup(2);
    wake();
    for (let i = 0; i < 3; i++) frame();
    await waitFor(() => seen.some((message) => message.topic.includes('/playBytes/')), 'playBytes', 5_000);
    const wav = seen.find((message) => message.topic.includes('/playBytes/'))!.payload;
    expect(wav.readUInt32LE(24)).toBe(22_050);
    expect(wav.length).toBe(44 + 2 * 2_205);
    // No playFinished from this site: 100 ms of reply plus the 2 s grace.
    await waitFor(() => topics().at(-1) === 'hermes/hotword/toggleOn dialogueSession', 'the session over', 5_000);
    expect(topics()).toEqual([
      'hermes/hotword/porcupine/detected',
      'hermes/hotword/toggleOff dialogueSession',
      'hermes/asr/startListening',
      'hermes/asr/stopListening',
      'hermes/hotword/toggleOff playAudio',
      'playBytes',
      'hermes/hotword/toggleOn playAudio',
      'hermes/hotword/toggleOn dialogueSession',
    ]);
    expect(states).toEqual(['streaming', 'waiting', 'speaking', 'idle']);
  });

  it('ignores sites not configured and messages it cannot read, and keeps serving', async () => {
    const { bus, handler, frame, wake } = await setup(2);
    wake('garage');
    bus.publish('hermes/hotword/porcupine/detected', 'not json');
    bus.publish('hermes/audioServer/attic/audioFrame', Buffer.from('RIFF but not a wav'));
    bus.publish('hermes/audioServer/attic/audioFrame', Buffer.alloc(70_000)); // above a frame's limit: not even parsed
    wake();
    frame(2048, 32_000);
    await waitFor(() => handler.turns.length === 1 && handler.turns[0]!.frames > 0, 'the attic turn');
    expect(handler.turns[0]!.turn.satelliteId).toBe('attic');
  });
});
