import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@hugh/common';
import { HubConfigSchema, startHub, type Hub, type Turn } from '@hugh/hub';
import { chimePcm } from '@hugh/satellite';
import { sharedPath } from '../testing/shared.js';
import { VOICES, synthesize } from '../testing/speech.js';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../satellite/bin/hugh-satellite.js', import.meta.url));

describe('the hugh-satellite command', () => {
  let hub: Hub | undefined;
  afterEach(async () => {
    await hub?.close();
    hub = undefined;
  });

  it('detect --json prints one line per detection with keyword, score and time in the file', async () => {
    const clip = synthesize('hey jarvis, what is the time', VOICES[5]!);
    const { stdout } = await run(process.execPath, [BIN, 'detect', '--input', clip, '--json', '--models-dir', sharedPath('models/openwakeword')], { env: { ...process.env, HUGH_LOG_LEVEL: 'warn' } });
    const lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as { keyword: string; score: number; timeS: number });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.keyword).toBe('hey_jarvis');
    expect(lines[0]!.score).toBeGreaterThanOrEqual(0.5);
    expect(lines[0]!.timeS).toBeGreaterThan(1);
    expect(lines[0]!.timeS).toBeLessThan(3);
  });

  it('a bad flag value exits 2 naming the field', async () => {
    await expect(run(process.execPath, [BIN, '--hub', 'http://x', '--once'])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/HUGH_ERR_CONFIG_INVALID: .*hub\.0 \(from flag --hub\)/) });
  });

  it('--input FILE --once: wakes, streams, plays the reply into --output, exits 0', async () => {
    hub = await startHub(HubConfigSchema.parse({ auth: { allowAnonymous: true }, mqtt: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 } }), {
      logger: silentLogger(),
      services: () => ({
        turns: {
          async handleTurn(turn: Turn) {
            let audioMs = 0;
            for await (const _frame of turn.audio) if ((audioMs += 40) >= 2_000) turn.stopListening('end-of-speech');
            const writer = turn.startReply({ sampleRateHz: 22_050, channels: 1 });
            writer.write(chimePcm('done', { sampleRateHz: 22_050, channels: 1 }));
            writer.end('done');
          },
        },
      }),
    });
    const output = mkdtempSync(join(tmpdir(), 'hugh-cli-'));
    const clip = synthesize('hey jarvis, what time is it', VOICES[0]!);
    const { stdout } = await run(
      process.execPath,
      [BIN, '--hub', `ws://127.0.0.1:${hub.httpPort}`, '--id', 'cli-test', '--input', clip, '--output', output, '--once', '--models-dir', sharedPath('models/openwakeword')],
      { timeout: 20_000 },
    );
    const files = readdirSync(output).sort();
    expect(files.filter((file) => file.startsWith('reply-'))).toHaveLength(1);
    // The wake chime always; the "done" chime only if the reply has not started yet (never over speech).
    expect(files.filter((file) => file.startsWith('chime-')).length).toBeGreaterThanOrEqual(1);
    expect(files.filter((file) => file.startsWith('chime-')).length).toBeLessThanOrEqual(2);
    expect(existsSync(join(output, files.find((file) => file.startsWith('reply-'))!))).toBe(true);
    expect(stdout).toMatch(/"msg":"wake word"/);
  }, 30_000);
});
