import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HubConfigSchema, SayTts, collectAudio, createTts } from '@hugh/hub';

/**
 * macOS's say(1) is not on this machine: testing/stand-ins/say parses the same command line and
 * writes the file the way macOS does (WAVE from the `.wav` extension, LEI16 at the asked rate,
 * Apple's FLLR chunk before the data), with espeak-ng's voice inside.
 */
const STAND_IN = fileURLToPath(new URL('../../testing/stand-ins', import.meta.url));
const call = (timeoutMs = 10_000) => ({ signal: AbortSignal.timeout(timeoutMs) });

describe('the say adapter (against a stand-in of macOS say)', () => {
  const originalPath = process.env.PATH;
  let argsLog: string;
  beforeEach(() => {
    argsLog = join(mkdtempSync(join(tmpdir(), 'hugh-say-args-')), 'args.jsonl');
    process.env.PATH = `${STAND_IN}${delimiter}${originalPath}`;
    process.env.HUGH_SAY_ARGS_LOG = argsLog;
  });
  afterEach(() => {
    process.env.PATH = originalPath;
    delete process.env.HUGH_SAY_ARGS_LOG;
  });
  const calls = () => readFileSync(argsLog, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as string[]);

  it('asks for WAVE LEI16 at the configured rate with voice and rate, reads the FLLR-padded file, leaves nothing behind', async () => {
    const before = new Set(readdirSync(tmpdir()).filter((name) => name.startsWith('hugh-say-') && !name.startsWith('hugh-say-args-')));
    const tts = new SayTts({ voice: 'Samantha', rateWpm: 180, sampleRateHz: 22_050 });
    const audio = await collectAudio(tts.synthesize('The kitchen lights are on.', call()));
    expect(audio).toMatchObject({ sampleRateHz: 22_050, channels: 1 });
    const seconds = audio.samples.length / audio.sampleRateHz;
    expect(seconds).toBeGreaterThan(0.8);
    expect(seconds).toBeLessThan(5);
    // Exactly the samples of the file's data chunk: nothing of the 4 KiB header (the FLLR chunk) was read as audio.
    const espeak = execFileSync('espeak-ng', ['--stdout', '-s', '180', '--', 'The kitchen lights are on.']);
    const expected = execFileSync('sox', ['-q', '-t', 'wav', '-', '-t', 'raw', '-r', '22050', '-c', '1', '-b', '16', '-e', 'signed-integer', '-L', '-'], { input: espeak });
    expect(Buffer.from(audio.samples.buffer, audio.samples.byteOffset, audio.samples.byteLength).equals(expected)).toBe(true);
    expect(audio.samples.some((sample) => Math.abs(sample) > 2_000)).toBe(true);
    const [args] = calls();
    expect(args).toEqual(['-o', expect.stringMatching(/\/phrase\.wav$/), '--data-format=LEI16@22050', '-v', 'Samantha', '-r', '180', '-f', '-']);
    expect(existsSync(args![1]!)).toBe(false);
    const after = readdirSync(tmpdir()).filter((name) => name.startsWith('hugh-say-') && !name.startsWith('hugh-say-args-') && !before.has(name));
    expect(after).toEqual([]);
  });

  it('text that looks like an option is spoken, never parsed: it goes in on stdin', async () => {
    const audio = await collectAudio(new SayTts({ sampleRateHz: 16_000 }).synthesize('-o /etc/passwd --voice=x', call()));
    expect(audio.sampleRateHz).toBe(16_000);
    expect(audio.samples.length).toBeGreaterThan(8_000);
    expect(calls()[0]).toEqual(['-o', expect.stringMatching(/phrase\.wav$/), '--data-format=LEI16@16000', '-f', '-']);
  });

  it('the config builds it: type say with its defaults', async () => {
    const config = HubConfigSchema.parse({ tts: { engines: [{ type: 'say', voice: 'Daniel' }] } });
    expect(config.tts.engines[0]).toEqual({ type: 'say', voice: 'Daniel', sampleRateHz: 22_050, timeoutMs: 10_000 });
    const audio = await collectAudio(createTts(config.tts.engines[0]!).synthesize('Hello.', call()));
    expect(audio.sampleRateHz).toBe(22_050);
    expect(() => HubConfigSchema.parse({ tts: { engines: [{ type: 'say', voice: '-o /tmp/x' }] } })).toThrow(/voice/);
  });

  it('say failing (a format it refuses) is HUGH_ERR_ENGINE_UNAVAILABLE with its message; say missing says macOS only', async () => {
    const broken = mkdtempSync(join(tmpdir(), 'hugh-say-broken-'));
    writeFileSync(join(broken, 'say'), '#!/bin/sh\necho "Opening output file failed: fmt?" >&2\nexit 1\n');
    chmodSync(join(broken, 'say'), 0o755);
    process.env.PATH = `${broken}${delimiter}${originalPath}`;
    await expect(collectAudio(new SayTts({ sampleRateHz: 22_050 }).synthesize('Hello.', call()))).rejects.toMatchObject({ code: 'HUGH_ERR_ENGINE_UNAVAILABLE', message: 'say exited with 1: Opening output file failed: fmt?' });
    process.env.PATH = mkdtempSync(join(tmpdir(), 'hugh-empty-path-'));
    await expect(collectAudio(new SayTts({ sampleRateHz: 22_050 }).synthesize('Hello.', call()))).rejects.toMatchObject({ code: 'HUGH_ERR_ENGINE_UNAVAILABLE', message: expect.stringMatching(/^say: cannot run it \(macOS only\)/) });
  });

  it('the stand-in fails as say(1) does without a data format WAVE can hold', () => {
    // say -o x.wav without --data-format: "Opening output file failed: fmt?" (its default is not little-endian PCM).
    const out = join(mkdtempSync(join(tmpdir(), 'hugh-say-')), 'x.wav');
    expect(() => execFileSync(join(STAND_IN, 'say'), ['-o', out, 'hello'], { stdio: 'pipe' })).toThrow(/Opening output file failed: fmt\?/);
    expect(() => execFileSync(join(STAND_IN, 'say'), ['-o', out, '--data-format=BEI16@22050', 'hello'], { stdio: 'pipe' })).toThrow(/fmt\?/);
    expect(existsSync(out)).toBe(false);
  });

  it('cancelled: the child is killed and the call ends as cancelled', async () => {
    const controller = new AbortController();
    const pending = collectAudio(new SayTts({ sampleRateHz: 22_050 }).synthesize('A sentence that is long enough to still be synthesising when the turn is cancelled.', { signal: controller.signal }));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'HUGH_ERR_CANCELLED' });
  });
});
