import { beforeAll, describe, expect, it } from 'vitest';
import { EndOfSpeechDetector, HubConfigSchema, SileroVadModel, endpointSettings } from '@hugh/hub';

const DEFAULTS = endpointSettings(HubConfigSchema.parse({}));
import { readWavAs16kMono } from '@hugh/satellite';
import { sharedPath } from '../../testing/shared.js';
import { VOICES, synthesize } from '../../testing/speech.js';

/** Feeds 40 ms chunks; the final decision (end of speech or no speech) with when it came, and the pauses and resumes before it. */
async function endpoint(model: SileroVadModel, samples: Int16Array, settings = DEFAULTS) {
  const detector = new EndOfSpeechDetector(model.create(), settings);
  const events: { kind: string; atMs: number }[] = [];
  for (let offset = 0; offset < samples.length; offset += 640) {
    for (const event of await detector.push(samples.subarray(offset, offset + 640))) {
      const atMs = ((offset + 640) / 16_000) * 1000;
      events.push({ kind: event.kind, atMs });
      if (event.kind === 'end-of-speech' || event.kind === 'no-speech') return { ...event, decidedAtMs: atMs, events };
    }
  }
  return { kind: 'continue' as const, decidedAtMs: (samples.length / 16_000) * 1000, events };
}

describe('end of speech with Silero VAD v5 (../shared/models/silero-vad)', () => {
  let model: SileroVadModel;
  beforeAll(async () => {
    model = await SileroVadModel.load(sharedPath('models/silero-vad/silero_vad_v5.onnx'));
  });

  it('hears speech in a real recording (the 64-sample context is fed: without it Silero returns ~0)', async () => {
    const vad = model.create();
    const samples = readWavAs16kMono(sharedPath('audio/jfk.wav'));
    let speechFrames = 0;
    let frames = 0;
    for (let offset = 0; offset + 512 <= samples.length; offset += 512, frames++) if ((await vad.probability(samples.subarray(offset, offset + 512))) >= 0.5) speechFrames++;
    expect(speechFrames / frames).toBeGreaterThan(0.4);
  });

  it('decides the end of a synthesised command within the trailing silence plus one frame', async () => {
    const samples = readWavAs16kMono(synthesize('turn on the kitchen lights', VOICES[0]!, { padS: 1, trim: true }));
    const decision = await endpoint(model, samples);
    expect(decision.kind).toBe('end-of-speech');
    if (decision.kind !== 'end-of-speech') return;
    const speechEndS = samples.length / 16_000 - 1; // the synthesiser's speech ends where the 1 s pad starts
    expect(decision.speechEndMs / 1000).toBeGreaterThan(speechEndS - 0.3);
    expect(decision.speechEndMs / 1000).toBeLessThan(speechEndS + 0.2);
    expect(decision.decidedAtMs - decision.speechEndMs).toBeLessThanOrEqual(DEFAULTS.trailingSilenceMs + 64);
  });

  it('does not cut a sentence at a short pause inside it', async () => {
    const first = readWavAs16kMono(synthesize('set a timer', VOICES[4]!, { padS: 0, trim: true }));
    const second = readWavAs16kMono(synthesize('for ten minutes', VOICES[4]!, { padS: 0, trim: true }));
    const pause = new Int16Array(16_000 * 0.35);
    const samples = new Int16Array([...new Int16Array(8_000), ...first, ...pause, ...second, ...new Int16Array(16_000)]);
    const decision = await endpoint(model, samples);
    expect(decision.kind).toBe('end-of-speech');
    if (decision.kind === 'end-of-speech') expect(decision.speechEndMs / 1000).toBeGreaterThan((8_000 + first.length + pause.length) / 16_000);
    // The pause was seen as one (the hub speculates there), and speech resumed after it.
    expect(decision.events.map((event) => event.kind)).toEqual(['pause', 'resume', 'pause', 'end-of-speech']);
  });

  it('gives up with no-speech when nobody talks', async () => {
    expect((await endpoint(model, new Int16Array(16_000 * 6))).kind).toBe('no-speech');
  });

  it('refuses a model that is not Silero v5/v6, naming the setting', async () => {
    await expect(SileroVadModel.load(sharedPath('models/silero-vad/silero_vad_v4.onnx'))).rejects.toThrow(/vad\.modelPath: .* not a Silero VAD v5\/v6 model/);
    await expect(SileroVadModel.load('/nonexistent.onnx')).rejects.toThrow(/vad\.modelPath: \/nonexistent\.onnx cannot be loaded/);
  });
});
