import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger } from '@hugh/common';
import { HubConfigSchema, startHub } from '@hugh/hub';
import { encodeWav } from '@hugh/satellite';
import type { Benchmark } from './report.js';

const SATELLITE_BIN = fileURLToPath(new URL('../satellite/bin/hugh-satellite.js', import.meta.url));

function procStatus(pid: number, field: string): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((entry) => entry.startsWith(`${field}:`));
  return Number(line?.replace(/\D+/g, '') ?? Number.NaN);
}

function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (100 Hz)
}

/** The real hugh-satellite process, connected to a hub, listening to a quiet room: its memory and CPU. */
export const satelliteIdle: Benchmark = async ({ smoke, sharedDir }) => {
  const hub = await startHub(HubConfigSchema.parse({ auth: { allowAnonymous: true }, mqtt: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 } }), { logger: silentLogger() });
  const dir = mkdtempSync(join(tmpdir(), 'hugh-bench-'));
  const quiet = join(dir, 'quiet.wav');
  // A quiet room: faint noise rather than digital silence, so the pipeline does real work.
  const noise = new Int16Array(16_000 * 2).map(() => Math.round((Math.random() - 0.5) * 60));
  writeFileSync(quiet, encodeWav(noise, 16_000));
  const child = spawn(process.execPath, [SATELLITE_BIN, '--hub', `mqtt://127.0.0.1:${hub.mqttPort}`, '--id', 'bench', '--input', quiet, '--output', 'none', '--models-dir', `${sharedDir}/models/openwakeword`], {
    stdio: 'ignore',
    env: { ...process.env, HUGH_LOG_LEVEL: 'warn' },
  });
  try {
    await sleep(smoke ? 3_000 : 10_000);
    const settleS = smoke ? 3 : 20;
    const ticksBefore = cpuTicks(child.pid!);
    await sleep(settleS * 1000);
    const cpuPercent = ((cpuTicks(child.pid!) - ticksBefore) / 100 / settleS) * 100;
    const rssMiB = procStatus(child.pid!, 'VmRSS') / 1024;
    return [
      { name: 'satellite RSS when idle', value: rssMiB, unit: 'MiB', target: '≤ 120 MB', conditions: `hugh-satellite process, openWakeWord hey_jarvis, MQTT link up, output none, after ${smoke ? 6 : 30} s` },
      { name: 'satellite CPU when idle', value: cpuPercent, unit: '% of one core', conditions: `same process over ${settleS} s: file input paced as a microphone, wake word on every 80 ms` },
    ];
  } finally {
    child.kill();
    await hub.close();
  }
};
