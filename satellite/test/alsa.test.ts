import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@hugh/common';
import { MicrophoneInput, OpenWakeWordEngine, SpeakerSink, WakeWordDetector, chimePcm, detectInFile, pcmBytes, readWavAs16kMono } from '@hugh/satellite';
import { fakeSoundCard } from '../../testing/alsa.js';
import { waitFor } from '../../testing/net.js';
import { sharedPath } from '../../testing/shared.js';
import { VOICES, synthesize } from '../../testing/speech.js';

describe('the real audio paths, against an ALSA file PCM instead of a sound card', () => {
  const originalHome = process.env.HOME;
  let card: ReturnType<typeof fakeSoundCard>;

  beforeEach(() => {
    card = fakeSoundCard();
    process.env.HOME = card.home; // read by arecord and by the speaker child's ALSA
  });
  afterEach(() => {
    process.env.HOME = originalHome;
  });

  it('node-record-lpcm16 → arecord -D filemic feeds the wake word pipeline and triggers the same detection as the file', async () => {
    const clip = synthesize('hey jarvis, turn on the kitchen lights', VOICES[1]!);
    writeFileSync(card.micFile, pcmBytes(readWavAs16kMono(clip)));
    const engine = await OpenWakeWordEngine.load(sharedPath('models/openwakeword'), [{ model: 'hey_jarvis_v0.1.onnx' }]);
    const [expected] = await detectInFile(new WakeWordDetector([engine]), clip);
    engine.reset();

    const detector = new WakeWordDetector([engine]);
    const microphone = new MicrophoneInput({ device: 'filemic', recorder: 'arecord', logger: silentLogger() });
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), 15_000);
    let samplesRead = 0;
    let detection;
    for await (const samples of microphone.samples(stop.signal)) {
      samplesRead += samples.length;
      [detection] = await detector.push(samples);
      if (detection) break;
    }
    stop.abort();
    clearTimeout(timer);
    expect(samplesRead).toBeGreaterThan(16_000);
    expect(detection?.keyword).toBe(expected?.keyword);
    expect(detection?.endSample).toBe(expected?.endSample);
    expect(detection?.score).toBeCloseTo(expected!.score, 5);
    await engine.close();
  }, 30_000);

  it('a recorder that cannot open its device is retried, and never ends the process', async () => {
    const errors: string[] = [];
    const logger = silentLogger();
    logger.error = ((_object: unknown, message?: string) => void errors.push(String(message))) as typeof logger.error;
    const microphone = new MicrophoneInput({ device: 'no_such_device', recorder: 'arecord', logger });
    const stop = new AbortController();
    const reading = (async () => {
      for await (const _samples of microphone.samples(stop.signal)) break;
    })();
    await waitFor(() => errors.length >= 2, 'two failed attempts', 10_000);
    stop.abort();
    await reading;
    expect(errors[0]).toMatch(/recorder failed: arecord exited with code 1; retrying/);
  });

  it('speaker (in its child process) plays into the default PCM byte for byte', async () => {
    const sink = new SpeakerSink(silentLogger());
    const frames = [chimePcm('wake'), chimePcm('done'), chimePcm('error')];
    sink.open({ sampleRateHz: 24_000, channels: 1 });
    for (const frame of frames) sink.write(frame);
    await sink.finish();
    await sink.close();
    await waitFor(() => existsSync(card.speakerFile), 'the speaker output file');
    const played = readFileSync(card.speakerFile);
    const sent = Buffer.concat(frames);
    // ALSA writes whole periods; what was sent comes first and anything after it is silence.
    expect(played.subarray(0, sent.length).equals(sent)).toBe(true);
    expect(played.subarray(sent.length).every((byte) => byte === 0)).toBe(true);
  });

  it('a sound card that cannot be opened kills only the speaker child, not the satellite', async () => {
    writeFileSync(`${card.home}/.asoundrc`, 'pcm.!default { type hw; card 9 }\n');
    const problems: string[] = [];
    const output: string[] = [];
    const logger = silentLogger();
    logger.error = ((_object: unknown, message?: string) => void problems.push(String(message))) as typeof logger.error;
    logger.warn = ((object: { output?: string }) => void output.push(String(object.output))) as typeof logger.warn;
    const sink = new SpeakerSink(logger);
    sink.open({ sampleRateHz: 24_000, channels: 1 });
    sink.write(chimePcm('wake'));
    await sink.finish();
    expect(problems.join('\n')).toMatch(/speaker process died/);
    expect(output.join('\n')).toMatch(/alsa/i);
    await sink.close();
  });
});
