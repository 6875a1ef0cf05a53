import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../', import.meta.url));

/** CI runs the benchmarks briefly (wake-word-train aside: e2e/wake-word-train.test.ts trains): they must complete and write a valid report. Targets are not asserted. */
describe('npm run bench -- --smoke', () => {
  it('completes and writes a JSON report with every figure, its unit and its conditions', async () => {
    const { stdout } = await promisify(execFile)(`${root}node_modules/.bin/tsx`, ['bench/run.ts', '--smoke'], { cwd: root, timeout: 170_000 });
    const file = /report: (.+\.json)/.exec(stdout)?.[1];
    expect(file).toBeDefined();
    const report = JSON.parse(readFileSync(file!, 'utf8')) as { smoke: boolean; machine: { cores: number }; figures: { name: string; value: number; unit: string; conditions: string }[] };
    expect(report.smoke).toBe(true);
    expect(report.machine.cores).toBeGreaterThan(0);
    const names = report.figures.map((figure) => figure.name).join('\n');
    for (const expected of ['wake word CPU', 'satellite RSS when idle', 'end-of-speech delay beyond', 'hub overhead to first audio, mqtt', 'hub overhead to first audio, ws', 'local intent', 'OuteTTS inverse STFT', 'time to first audio, sentence streaming', 'hub overhead, 10 satellites, ws, p99', 'capacity: satellites streaming at once', 'turn latency, local intent, p50', 'turn latency, LLM answer, p50', 'turn latency, cut-offs on pause clips', 'turn latency, STT calls per turn', 'wake word enroll: recall']) {
      expect(names).toContain(expected);
    }
    for (const figure of report.figures) {
      expect(Number.isFinite(figure.value), figure.name).toBe(true);
      expect(figure.unit).not.toBe('');
      expect(figure.conditions).not.toBe('');
    }
  }, 180_000);
});
