import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@hugh/common';
import { HubConfigSchema, startHub, type Hub, type Turn, type TurnHandler } from '@hugh/hub';
import type { AudioFrame } from '@hugh/protocol';
import { applyVolume, chimePcm, encodeWav, pcmSamples, readWavAs16kMono, type HubClient } from '@hugh/satellite';
import { startFileSatellite } from '../testing/file-satellite.js';
import { waitFor } from '../testing/net.js';
import { VOICES, clipSeconds, onsetSeconds, synthesize } from '../testing/speech.js';

/** Listens for 2.5 s of audio, then answers with a fixed 24 kHz reply. */
class ScriptedReply implements TurnHandler {
  readonly frames: AudioFrame[] = [];
  readonly reply = chimePcm('done', { sampleRateHz: 24_000, channels: 1 });

  async handleTurn(turn: Turn): Promise<void> {
    let audioMs = 0;
    for await (const frame of turn.audio) {
      this.frames.push({ ...frame, payload: new Uint8Array(frame.payload) });
      audioMs += 40;
      if (audioMs >= 2_500) turn.stopListening('end-of-speech');
    }
    turn.sendTranscript('what time is it');
    const writer = turn.startReply({ sampleRateHz: 24_000, channels: 1 });
    writer.write(this.reply);
    writer.end('done');
  }
}

/** Adds faint deterministic noise so that every stretch of the clip is unique and can be located. */
function withFingerprint(path: string): { path: string; samples: Int16Array } {
  const samples = readWavAs16kMono(path);
  let seed = 7;
  for (let i = 0; i < samples.length; i++) {
    seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
    samples[i] = Math.max(-32_768, Math.min(32_767, (samples[i] as number) + ((seed >>> 16) % 17) - 8));
  }
  const out = join(mkdtempSync(join(tmpdir(), 'hugh-fp-')), 'clip.wav');
  writeFileSync(out, encodeWav(samples, 16_000));
  return { path: out, samples };
}

function indexOf(haystack: Int16Array, needle: Int16Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

describe('a satellite with a file for a microphone', () => {
  let hub: Hub | undefined;
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
    await hub?.close();
  });

  async function startSatellite(transportUrl: (hub: Hub) => string, clip: string, beforeRun?: (client: HubClient) => Promise<void>) {
    const started = await startFileSatellite({ hubUrl: transportUrl(hub!), id: 'kitchen', clip, playbackFormats: [{ sampleRateHz: 24_000, channels: 1 }], replyTimeoutMs: 10_000, ...(beforeRun ? { beforeRun } : {}) });
    stops.push(started.stop);
    return started;
  }

  it.each([
    ['MQTT', (h: Hub) => `mqtt://127.0.0.1:${h.mqttPort}`],
    ['WebSocket', (h: Hub) => `ws://127.0.0.1:${h.httpPort}`],
  ])('over %s: wakes on "hey jarvis", streams the pre-roll the hub asked for, stops when told, plays the reply', async (_name, url) => {
    const handler = new ScriptedReply();
    hub = await startHub(HubConfigSchema.parse({ auth: { allowAnonymous: true }, mqtt: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 }, turn: { preRollMs: 400 } }), { logger: silentLogger(), services: () => ({ turns: handler }) });
    const clip = withFingerprint(synthesize('hey jarvis, what time is it', VOICES[0]!, { padS: 1.5 }));
    const { client, sink, states, satellite } = await startSatellite(url, clip.path);
    let detectedS: number | undefined;
    satellite.once('wake', (detection) => (detectedS = detection.endSample / 16_000));

    await waitFor(() => sink.files.length === 1, 'the reply to be played', 15_000);

    // Pre-roll: the welcome's 400 ms from before the wake word's end, no more, so the hub need not throw any away.
    const received = pcmSamples(Buffer.concat(handler.frames.map((frame) => frame.payload)));
    const startS = indexOf(clip.samples, received.subarray(0, 400)) / 16_000;
    expect(startS).toBeGreaterThan(onsetSeconds(clip.samples));
    expect(detectedS! - startS).toBeCloseTo(0.4, 3);
    // What followed the pre-roll is the clip, continuous and unaltered.
    const at = Math.round(startS * 16_000);
    expect(Buffer.from(received.buffer, received.byteOffset, received.byteLength).equals(Buffer.from(clip.samples.slice(at, at + received.length).buffer))).toBe(true);

    // The reply arrives whole, at the satellite's volume.
    const wav = readFileSync(sink.files[0]!);
    const expected = Buffer.from(applyVolume(handler.reply, client.volumePercent));
    expect(wav.subarray(wav.length - expected.length).equals(expected)).toBe(true);
    await waitFor(() => states.at(-1) === 'idle', 'the satellite to be idle again');
    expect(states).toEqual(['streaming', 'waiting', 'speaking', 'idle']);
    await waitFor(() => hub!.sessions.sessions.get('kitchen')?.state === 'idle', 'the hub to see the satellite idle');
  }, 30_000);

  it('barge-in: "hey jarvis" during a long reply stops playback at once and starts a new turn; the hub cancels the old one', async () => {
    const turns: { turn: Turn; framesOut: number }[] = [];
    const handler: TurnHandler = {
      async handleTurn(turn) {
        const record = { turn, framesOut: 0 };
        turns.push(record);
        let audioMs = 0;
        for await (const _frame of turn.audio) {
          audioMs += 40;
          if (audioMs >= 2_000) turn.stopListening('end-of-speech');
        }
        if (turns.length > 1) return;
        // A 6 s reply, streamed at playback pace, as TTS would.
        const writer = turn.startReply({ sampleRateHz: 24_000, channels: 1 });
        const tone = chimePcm('wake', { sampleRateHz: 24_000, channels: 1 });
        for (let sentMs = 0; sentMs < 6_000 && !turn.signal.aborted; sentMs += 160) {
          writer.write(tone.subarray(0, 24 * 160 * 2));
          record.framesOut++;
          await new Promise((resolve) => setTimeout(resolve, 160)); // paces the fake TTS at playback speed (not a wait)
        }
        writer.end('done');
      },
    };
    hub = await startHub(HubConfigSchema.parse({ auth: { allowAnonymous: true }, mqtt: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 } }), { logger: silentLogger(), services: () => ({ turns: handler }) });
    // Wake word, then 2.5 s later (while the reply plays) the wake word again.
    const first = readWavAs16kMono(synthesize('hey jarvis, tell me a story', VOICES[2]!, { padS: 1 }));
    const second = readWavAs16kMono(synthesize('hey jarvis, stop', VOICES[2]!, { padS: 1 }));
    const joined = new Int16Array(first.length + 16_000 + second.length);
    joined.set(first);
    joined.set(second, first.length + 16_000);
    const clip = join(mkdtempSync(join(tmpdir(), 'hugh-barge-')), 'clip.wav');
    writeFileSync(clip, encodeWav(joined, 16_000));
    const { sink, states } = await startSatellite((h) => `ws://127.0.0.1:${h.httpPort}`, clip);

    await waitFor(() => turns.length === 2, 'a second turn from the barge-in', 20_000);
    const [old] = turns;
    expect(old!.turn.signal.aborted).toBe(true);
    expect(old!.turn.signal.reason).toBe('wake-word');
    expect(old!.framesOut * 160).toBeLessThan(6_000);
    await waitFor(() => sink.files.length >= 1, 'the interrupted reply file');
    expect(readFileSync(sink.files[0]!).length).toBeLessThan(6 * 24_000 * 2);
    expect(states.slice(0, 4)).toEqual(['streaming', 'waiting', 'speaking', 'streaming']);
  }, 40_000);

  it('muted by the hub: no wake detection at all, and the hub sees the muted state', async () => {
    const handler = new ScriptedReply();
    hub = await startHub(HubConfigSchema.parse({ auth: { allowAnonymous: true }, mqtt: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 } }), { logger: silentLogger(), services: () => ({ turns: handler }) });
    const clip = synthesize('hey jarvis, what time is it', VOICES[4]!, { padS: 1 });
    const { states, heardSeconds } = await startSatellite((h) => `mqtt://127.0.0.1:${h.mqttPort}`, clip, async (client) => {
      hub!.sessions.sessions.get('kitchen')!.setMuted(true);
      await waitFor(() => client.muted, 'the satellite to be muted');
    });
    // The whole clip, wake word included, has gone through the muted satellite.
    await waitFor(() => heardSeconds() >= clipSeconds(clip) + 0.5, 'the clip to be heard', 10_000);
    expect(handler.frames).toEqual([]);
    expect(states).toEqual(['muted']);
    await waitFor(() => hub!.sessions.sessions.get('kitchen')?.state === 'muted', 'the hub to see the mute');
  }, 20_000);

  it('privacy: an idle satellite sends zero audio bytes; the first audio leaves only after the wake word', async () => {
    hub = await startHub(HubConfigSchema.parse({ auth: { allowAnonymous: true }, mqtt: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 } }), { logger: silentLogger(), services: () => ({ turns: new ScriptedReply() }) });
    // Three seconds of speech without the wake word, then the wake word.
    const chatter = readWavAs16kMono(synthesize('the weather is nice and the kids are playing outside', VOICES[5]!, { padS: 0.5 }));
    const command = readWavAs16kMono(synthesize('hey jarvis, what time is it', VOICES[5]!, { padS: 1 }));
    const clip = join(mkdtempSync(join(tmpdir(), 'hugh-privacy-')), 'clip.wav');
    writeFileSync(clip, encodeWav(new Int16Array([...chatter, ...command]), 16_000));
    const { client, satellite, heardSeconds } = await startSatellite((h) => `ws://127.0.0.1:${h.httpPort}`, clip);
    const woke = new Promise((resolve) => satellite.once('wake', resolve));
    await waitFor(() => heardSeconds() >= chatter.length / 16_000, 'the chatter to be heard', 10_000);
    expect(client.link.counters.audioBytesOut).toBe(0);
    expect(client.link.counters.audioFramesOut).toBe(0);
    await woke;
    await waitFor(() => client.link.counters.audioBytesOut > 0, 'audio after the wake word');
  }, 30_000);
});
