import { percentile } from '@hugh/common';
import { runFor, welcomedSince, type PhaseContext } from './context.js';
import type { LoadProcess } from './load-process.js';
import { figure } from './report.js';
import { describeFailures, summarize, turnsIn } from './turn-stats.js';

/** Load between two kills: long enough for turns to be under way at every kill. */
const BETWEEN_KILLS_MS = 6_000;
/** A satellite not welcomed this long after a kill counts as not welcomed. */
const WELCOME_TIMEOUT_MS = 30_000;

export interface RestartTarget {
  /** What is killed, for the figures' names: `hub`, `Mosquitto`. */
  name: string;
  kill(): Promise<void>;
  /** Resolves once it serves again. */
  start(): Promise<void>;
}

/**
 * K kill -9 / restart cycles of `target` under load: per satellite the time from the kill to its
 * next welcome, turns lost (those in flight at a kill may be; any other is a failure), and the
 * hub's state (credentials, timers) byte for byte the same afterwards.
 */
export async function restartCycles(context: PhaseContext, load: LoadProcess, target: RestartTarget, cycles: number): Promise<void> {
  const { house, figures } = context;
  const ids = house.satellites.map((satellite) => satellite.id);
  const stateBefore = house.stateDigest();
  const welcomeMs: number[] = [];
  const restartMs: number[] = [];
  const kills: { killedMs: number; allBackMs: number }[] = [];
  let notWelcomed = 0;
  const phaseStartMs = Date.now();
  await runFor(BETWEEN_KILLS_MS);
  for (let cycle = 0; cycle < cycles; cycle++) {
    const killedMs = Date.now();
    await target.kill();
    const restartStartMs = Date.now();
    await target.start();
    restartMs.push(Date.now() - restartStartMs);
    const welcomed = await welcomedSince(load, ids, killedMs, WELCOME_TIMEOUT_MS);
    notWelcomed += ids.length - welcomed.size;
    for (const atMs of welcomed.values()) welcomeMs.push(atMs - killedMs);
    kills.push({ killedMs, allBackMs: Math.max(killedMs, ...welcomed.values()) });
    context.log(`${target.name} restart ${cycle + 1}/${cycles}: ${welcomed.size}/${ids.length} welcomed, the last after ${Math.max(0, ...[...welcomed.values()].map((atMs) => atMs - killedMs))} ms`);
    await runFor(BETWEEN_KILLS_MS);
  }
  const phaseEndMs = Date.now();
  const turns = turnsIn(load.turns, phaseStartMs, phaseEndMs);
  // In flight at a kill: started before it and not ended before it (or started while the satellites were still coming back).
  const inFlight = (turn: (typeof turns)[number]) => kills.some((kill) => turn.startedMs <= kill.allBackMs && turn.endMs >= kill.killedMs);
  const lost = turns.filter((turn) => turn.outcome === 'failed');
  const lostInFlight = lost.filter(inFlight);
  const lostOther = lost.filter((turn) => !inFlight(turn));
  const summary = summarize(turns);
  const stateIntact = house.stateDigest() === stateBefore;
  const name = target.name;
  const conditions = `${ids.length} satellites under load (a turn every ${context.options.turnEveryMs / 1000} s each), ${name} killed (SIGKILL) and restarted at once ${cycles} times, ${BETWEEN_KILLS_MS / 1000} s of load between; satellites reconnect with their default back-off (250 ms doubling to 3 s, jittered); time from the kill`;
  figures.push(
    figure(`${name} restarts: satellite welcomed again after a kill, p50`, percentile(welcomeMs, 50), 'ms', conditions),
    figure(`${name} restarts: satellite welcomed again after a kill, p99`, percentile(welcomeMs, 99), 'ms', conditions, { text: '≤ 5000 ms', check: (value) => value <= 5_000 }),
    figure(`${name} restarts: satellites not welcomed again within ${WELCOME_TIMEOUT_MS / 1000} s`, notWelcomed, 'satellite-restarts', conditions, { text: '0', check: (value) => value === 0 }),
    figure(`${name} restarts: ${name} start time, p50`, percentile(restartMs, 50), 'ms', `${conditions}; from the restart to ${name === 'hub' ? '"hub ready" in its log' : 'its port accepting connections'}`),
    figure(`${name} restarts: turns lost in flight at a kill`, lostInFlight.length, 'turns', `${conditions}; of ${summary.started} started in the phase; ${describeFailures(summarize(lostInFlight).failures)}`),
    figure(`${name} restarts: turns lost not in flight at a kill`, lostOther.length, 'turns', `${conditions}; ${describeFailures(summarize(lostOther).failures)}`, { text: '0', check: (value) => value === 0 }),
    figure(`${name} restarts: credentials and timers intact`, stateIntact ? 1 : 0, 'bool', `${conditions}; SHA-256 of the state dir's credentials.json and timers.json (a timer set before the first start, due in 24 h) before and after the phase; every satellite logged in with its password after each restart`, { text: '1', check: (value) => value === 1 }),
  );
}
