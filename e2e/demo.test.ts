import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../', import.meta.url));

describe('npm run demo', () => {
  it('runs one spoken turn on the embedded defaults and prints the turn record as JSON', async () => {
    const { stdout } = await promisify(execFile)(`${root}node_modules/.bin/tsx`, ['scripts/demo.ts', '--say', 'hey jarvis, what time is it', '--transport', 'ws', '--json'], { cwd: root, timeout: 60_000 });
    const summary = JSON.parse(stdout) as { outcome: string; keyword: string; transcript: string; replyText: string; replyWav: string; stagesMs: Record<string, number> };
    expect(summary).toMatchObject({ outcome: 'answered', keyword: 'hey_jarvis', transport: 'ws' });
    expect(summary.transcript).toMatch(/time/);
    expect(summary.replyText).toMatch(/^It's /);
    expect(existsSync(summary.replyWav)).toBe(true);
    expect(summary.stagesMs.firstAudioOut).toBeGreaterThan(0);
  }, 60_000);
});
