import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '@hugh/common';
import { HubConfigSchema, startHub, type Turn, type TurnHandler } from '@hugh/hub';
import { percentile, type Benchmark, type Figure } from './report.js';

const root = fileURLToPath(new URL('../', import.meta.url));

/** Counts the frames each turn delivers to the pipeline: what got through transport and session. */
class CountingHandler implements TurnHandler {
  frames = 0;
  /** Per frame, its age when the pipeline got it (both processes read one clock). */
  readonly latenciesMs: number[] = [];
  async handleTurn(turn: Turn): Promise<void> {
    for await (const frame of turn.audio) {
      this.frames++;
      this.latenciesMs.push(Date.now() - frame.timestampMs);
    }
  }
}

interface Level {
  satellites: number;
  sent: number;
  received: number;
  hubCpuPercent: number;
  loadLateP99Ms: number;
  frameLatencyP99Ms: number;
}

/** One load level: a fresh hub, N satellites streaming from another process, the hub's CPU over the streaming window. */
async function runLevel(satellites: number, durationS: number): Promise<Level> {
  const handler = new CountingHandler();
  const hub = await startHub(
    HubConfigSchema.parse({
      auth: { allowAnonymous: true },
      mqtt: { host: '127.0.0.1', port: 0 },
      http: { host: '127.0.0.1', port: 0 },
      turn: { maxUtteranceMs: 120_000 },
      homeAssistant: { enabled: false },
      limits: { connectionsPerAddress: 10_000 },
    }),
    { logger: silentLogger(), services: () => ({ turns: handler }) },
  );
  const child = spawn(`${root}node_modules/.bin/tsx`, ['bench/load-streamers.ts', `mqtt://127.0.0.1:${hub.mqttPort}`, String(satellites), String(durationS)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  let cpuAtStart: NodeJS.CpuUsage | undefined;
  let wallAtStart = 0;
  let result: { sent: number; lateP99Ms: number } | undefined;
  let cpuPercent = 0;
  for await (const line of lines) {
    if (line === 'ready') {
      cpuAtStart = process.cpuUsage();
      wallAtStart = performance.now();
    } else if (line.startsWith('{')) {
      const cpu = process.cpuUsage(cpuAtStart);
      // The window ends with the last frame (the generator waits 1 s after it before printing).
      cpuPercent = ((cpu.user + cpu.system) / 1000 / (performance.now() - wallAtStart - 1_000)) * 100;
      result = JSON.parse(line) as { sent: number; lateP99Ms: number };
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  await hub.close();
  return { satellites, sent: result?.sent ?? 0, received: handler.frames, hubCpuPercent: cpuPercent, loadLateP99Ms: result?.lateP99Ms ?? Number.NaN, frameLatencyP99Ms: percentile(handler.latenciesMs, 99) };
}

/**
 * Capacity: the most satellites streaming 16 kHz audio in 40 ms frames into one hub (embedded broker,
 * MQTT) with no frame lost and the hub under one core. Load from another process; the hub's
 * pipeline is a frame counter, so this measures transport and sessions, not VAD or engines.
 */
export const capacity: Benchmark = async ({ smoke }) => {
  const durationS = smoke ? 2 : 8;
  const levels: Level[] = [];
  for (const satellites of smoke ? [10] : [100, 250, 500, 750, 1000, 1250]) {
    const level = await runLevel(satellites, durationS);
    levels.push(level);
    process.stderr.write(`bench: capacity ${satellites}: hub ${level.hubCpuPercent.toFixed(0)} % CPU, ${level.sent - level.received} frames lost, frame age p99 ${level.frameLatencyP99Ms} ms, load late p99 ${level.loadLateP99Ms.toFixed(0)} ms\n`);
    if (level.received < level.sent || level.hubCpuPercent >= 100) break;
  }
  const fitting = levels.filter((level) => level.received >= level.sent && level.hubCpuPercent < 100);
  const best = fitting.at(-1);
  const conditions = (level: Level) =>
    `${level.satellites} satellites × 25 frames/s for ${durationS} s over MQTT (embedded aedes), load from another process (its ticks late p99 ${level.loadLateP99Ms.toFixed(0)} ms); frames sent ${level.sent}, delivered to turns ${level.received}; frame counter as pipeline`;
  const figures: Figure[] = [
    {
      name: 'capacity: satellites streaming at once, no frame lost, hub < 1 core',
      value: best?.satellites ?? 0,
      unit: 'satellites',
      target: '≥ 1000',
      conditions: best ? conditions(best) : `none of ${levels.map((level) => level.satellites).join(', ')} fitted`,
    },
  ];
  for (const level of levels) {
    figures.push(
      { name: `capacity: hub CPU with ${level.satellites} satellites streaming`, value: level.hubCpuPercent, unit: '% of one core', conditions: conditions(level) },
      { name: `capacity: frames lost with ${level.satellites} satellites streaming`, value: level.sent - level.received, unit: 'frames', conditions: conditions(level) },
      { name: `capacity: frame age at the pipeline, p99, with ${level.satellites} satellites streaming`, value: level.frameLatencyP99Ms, unit: 'ms', conditions: conditions(level) },
    );
  }
  return figures;
};
