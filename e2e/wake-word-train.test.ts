import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { OpenWakeWordEngine, WakeWordDetector, detectInFile } from '@hugh/satellite';
import { SHARED_RECORDINGS, scratchModelsDir } from '../testing/models-dir.js';
import { sharedPath } from '../testing/shared.js';
import { synthesize } from '../testing/speech.js';

const run = promisify(execFile);
const HUB = fileURLToPath(new URL('../hub/bin/hugh-hub.js', import.meta.url));
const SATELLITE = fileURLToPath(new URL('../satellite/bin/hugh-satellite.js', import.meta.url));
const env = { ...process.env, HUGH_LOG_LEVEL: 'warn' };
/** Few voices, for speed; the clip below is said by a voice and variant pair that is in neither list. */
const TRAIN_VOICES = 'espeak-ng:en-US,espeak-ng:en-US+m3,espeak-ng:en-GB-x-rp+f2,espeak-ng:en-029+m7,espeak-ng:en+f4,flite:kal16,flite:rms,flite:awb';
const HELD_OUT = 'espeak-ng:en-GB-scotland+f1,flite:slt';
/**
 * A run this small learns ordinary speech only from what it is given: every shared recording
 * trains here (as negatives), and the false-accept figure comes from the system's ALSA test
 * sounds (alsa-utils, another speaker). The full run holds speech-60s.wav out (see the bench).
 */
const EVAL_SPEECH = '/usr/share/sounds/alsa';

describe('hugh-hub wake-word train "hey hugh" (a small run, as CI can afford)', () => {
  let out: string;
  let stdout: string;
  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'hugh-train-'));
    ({ stdout } = await run(
      process.execPath,
      [HUB, 'wake-word', 'train', 'hey hugh', '--size', 'small', '--voices', TRAIN_VOICES, '--held-out', HELD_OUT, '--speech', sharedPath('audio'), ...(existsSync(EVAL_SPEECH) ? ['--eval-speech', EVAL_SPEECH] : []), '--models-dir', sharedPath('models/openwakeword'), '--out', out, '--seed', '3'],
      { env, timeout: 120_000 },
    ));
  }, 130_000);

  it('prints its figures and writes a model and a report beside it', () => {
    expect(stdout).toMatch(/wake word "hey hugh" \(hey_hugh\), seed 3, 8 training voices, 2 held out/);
    expect(stdout).toMatch(/recall, held-out voices saying "hey hugh, <command>": [\d.]+ %/);
    expect(stdout).toMatch(/false accepts, held-out real speech: \d+ in [\d.]+ h|not measured/);
    const report = JSON.parse(readFileSync(join(out, 'hey_hugh.report.json'), 'utf8')) as { speech: { train: string[] }; voices: { train: string[] }; calibration: { threshold: number } };
    expect(report.speech.train).toContain('speech-60s.wav');
    expect(report.voices.train).not.toContain('espeak-ng:en-US+f3');
    const model = JSON.parse(readFileSync(join(out, 'hey_hugh.trained.json'), 'utf8')) as { format: string; phrase: string; threshold: number };
    expect(model).toMatchObject({ format: 'hugh-wakeword-classifier', phrase: 'hey hugh', threshold: report.calibration.threshold });
  });

  it('the model loads like any keyword: detect --keywords hey_hugh finds the phrase in a fresh voice, and it stays quiet on every shared recording (its negatives)', async () => {
    const dir = scratchModelsDir();
    copyFileSync(join(out, 'hey_hugh.trained.json'), join(dir, 'hey_hugh.trained.json'));
    const clip = synthesize('hey hugh, what time is it', { tool: 'espeak-ng', voice: 'en-us+f3' });
    const { stdout: found } = await run(process.execPath, [SATELLITE, 'detect', '--keywords', 'hey_hugh', '--models-dir', dir, '--input', clip, '--json'], { env });
    const lines = found.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as { keyword: string; timeS: number });
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines[0]!.keyword).toBe('hey_hugh');
    expect(lines[0]!.timeS).toBeGreaterThan(1);
    expect(lines[0]!.timeS).toBeLessThan(2.8);

    const engine = await OpenWakeWordEngine.load(dir, [{ model: 'hey_hugh' }]);
    for (const recording of SHARED_RECORDINGS) {
      engine.reset();
      expect(await detectInFile(new WakeWordDetector([engine]), sharedPath(recording)), recording).toEqual([]);
    }
    await engine.close();
  }, 40_000);

  it('a bad flag is refused with the usage, before anything is synthesised', async () => {
    await expect(run(process.execPath, [HUB, 'wake-word', 'train', 'hey hugh', '--size', 'huge'], { env })).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/HUGH_ERR_CONFIG_INVALID: --size: expected full or small/) });
    await expect(run(process.execPath, [HUB, 'wake-word', 'teach'], { env })).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/expected train "PHRASE"[\s\S]*--speech PATH/) });
  });
});
