import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { OpenWakeWordEngine, WakeWordDetector, detectInFile, encodeWav, loadSatelliteConfig, pcmBytes, readWavAs16kMono } from '@hugh/satellite';
import { fakeSoundCard } from '../../testing/alsa.js';
import { SHARED_RECORDINGS, scratchModelsDir } from '../../testing/models-dir.js';
import { sharedPath } from '../../testing/shared.js';
import { synthesize, type Voice } from '../../testing/speech.js';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../bin/hugh-satellite.js', import.meta.url));
const env = { ...process.env, HUGH_LOG_LEVEL: 'warn' };
/** The speaker: one voice, takes said a little faster or slower, higher or lower, as people do. */
const SPEAKER: Voice = { tool: 'espeak-ng', voice: 'en-us+m3' };
const take = (rate: number, pitch: number) => synthesize('hey hugh', SPEAKER, { rate, pitch, padS: 0.6 });
/** A later saying, in a recording that starts a second before it (a detector's buffers start from noise). */
const later = (text: string, rate: number, pitch: number) => synthesize(text, SPEAKER, { rate, pitch, padS: 1 });

describe('hugh-satellite enroll: a personal "hey hugh" from three takes', () => {
  let dir: string;
  let enrolled: { stdout: string };
  beforeAll(async () => {
    dir = scratchModelsDir();
    enrolled = await run(process.execPath, [BIN, 'enroll', '--keyword', 'hey_hugh', '--models-dir', dir, '--input', take(0.95, 46), take(1.05, 54), take(1, 50)], { env });
  }, 30_000);

  it('saves the template in the models folder and says how to use it', () => {
    expect(enrolled.stdout).toMatch(/enrolled hey_hugh \("hey hugh"\) from 3 takes: .*hey_hugh\.enrolled\.json/);
    expect(enrolled.stdout).toMatch(/use it with --keywords hey_hugh/);
    expect(JSON.parse(readFileSync(`${dir}/hey_hugh.enrolled.json`, 'utf8'))).toMatchObject({ format: 'hugh-wakeword-template', keyword: 'hey_hugh', phrase: 'hey hugh' });
  });

  it('detect --keywords hey_hugh finds a fourth take, and the phrase said before a command', async () => {
    for (const clip of [later('hey hugh', 0.9, 58), later('hey hugh, what time is it', 1.1, 48)]) {
      const { stdout } = await run(process.execPath, [BIN, 'detect', '--keywords', 'hey_hugh', '--models-dir', dir, '--input', clip, '--json'], { env });
      const lines = stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as { keyword: string; score: number; timeS: number });
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ keyword: 'hey_hugh', engine: 'openwakeword' });
      expect(lines[0]!.score).toBeGreaterThanOrEqual(0.5);
    }
  }, 30_000);

  it('stays quiet on every shared recording, next to hey_jarvis on the same features; thresholds and playback apply to it', async () => {
    expect(loadSatelliteConfig(['--keywords', 'hey_hugh:0.6,hey_jarvis'], {}).config.wake.keywords).toEqual([{ model: 'hey_hugh', threshold: 0.6 }, { model: 'hey_jarvis' }]);
    const engine = await OpenWakeWordEngine.load(dir, loadSatelliteConfig(['--keywords', 'hey_hugh,hey_jarvis'], {}).config.wake.keywords);
    expect(engine.keywords).toEqual(['hey_hugh', 'hey_jarvis']);
    for (const recording of SHARED_RECORDINGS) {
      engine.reset();
      expect(await detectInFile(new WakeWordDetector([engine]), sharedPath(recording)), recording).toEqual([]);
    }
    // While a reply plays the raised threshold applies to it like to any keyword.
    const fourth = later('hey hugh', 0.9, 58);
    const playing = new WakeWordDetector([engine], { playbackThreshold: 0.999 });
    playing.playing = true;
    engine.reset();
    expect(await detectInFile(playing, fourth)).toEqual([]);
    engine.reset();
    expect((await detectInFile(new WakeWordDetector([engine], { playbackThreshold: 0.999 }), fourth))[0]?.keyword).toBe('hey_hugh');
    await engine.close();
  }, 30_000);

  it('--record 3 takes them from the microphone (arecord on an ALSA file PCM)', async () => {
    const card = fakeSoundCard();
    const silence = (seconds: number) => new Int16Array(Math.round(seconds * 16_000));
    const parts = [silence(0.8), readWavAs16kMono(take(1, 50)), silence(1.2), readWavAs16kMono(take(0.92, 44)), silence(1.2), readWavAs16kMono(take(1.08, 56)), silence(3)];
    writeFileSync(card.micFile, pcmBytes(Int16Array.from(parts.flatMap((part) => [...part]))));
    const recorded = scratchModelsDir();
    const { stdout } = await run(process.execPath, [BIN, 'enroll', '--keyword', 'hey_hugh', '--models-dir', recorded, '--record', '3', '--device', 'filemic'], { env: { ...env, HOME: card.home } });
    expect(stdout).toMatch(/take 1 of 3: say "hey hugh"[\s\S]*take 3 of 3[\s\S]*enrolled hey_hugh \("hey hugh"\) from 3 takes/);
    const { stdout: found } = await run(process.execPath, [BIN, 'detect', '--keywords', 'hey_hugh', '--models-dir', recorded, '--input', later('hey hugh', 0.96, 52), '--json'], { env });
    expect(JSON.parse(found.trim().split('\n')[0]!)).toMatchObject({ keyword: 'hey_hugh' });
  }, 40_000);

  it('a take without speech is refused, naming it, and nothing is saved', async () => {
    const quiet = `${scratchModelsDir()}/quiet.wav`;
    writeFileSync(quiet, encodeWav(new Int16Array(32_000), 16_000));
    const empty = scratchModelsDir();
    await expect(run(process.execPath, [BIN, 'enroll', '--keyword', 'hey_hugh', '--models-dir', empty, '--input', take(1, 50), quiet, take(0.9, 45)], { env })).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/HUGH_ERR_CONFIG_INVALID: .*quiet\.wav: no speech found/),
    });
    expect(existsSync(`${empty}/hey_hugh.enrolled.json`)).toBe(false);
  });
});
