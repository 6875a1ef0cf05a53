import { setTimeout as sleep } from 'node:timers/promises';
import type { HubProcess } from '../../testing/hub-process.js';
import { waitFor } from '../../testing/net.js';
import type { House } from './house.js';
import { LoadProcess } from './load-process.js';
import type { SoakOptions } from './options.js';
import type { SoakFigure } from './report.js';

/** What every phase gets: the options, the house, and where its figures go. */
export interface PhaseContext {
  options: SoakOptions;
  house: House;
  sharedDir: string;
  figures: SoakFigure[];
  log(line: string): void;
}

export type Phase = (context: PhaseContext) => Promise<void>;

/** The load generator for this house: every satellite on `url`, the stalled one (when asked) on the hub's WebSocket. */
export function startLoad(context: PhaseContext, url: string, withStalled = false): LoadProcess {
  const { house, options } = context;
  return new LoadProcess({
    url,
    wsUrl: `ws://127.0.0.1:${house.httpPort}`,
    satellites: house.satellites,
    ...(withStalled && house.stalled ? { stalled: house.stalled } : {}),
    wav: `${context.sharedDir}/audio/welcome-3s.wav`,
    turnEveryMs: options.turnEveryMs,
    minGapMs: 500,
    replyTimeoutMs: 20_000,
  });
}

/** Waits until every satellite has been welcomed at or after `sinceMs`; returns each one's welcome time. */
export async function welcomedSince(load: LoadProcess, ids: readonly string[], sinceMs: number, timeoutMs: number): Promise<Map<string, number>> {
  const first = new Map<string, number>();
  try {
    await waitFor(() => {
      for (const welcome of load.welcomes) if (welcome.atMs >= sinceMs && !first.has(welcome.id)) first.set(welcome.id, welcome.atMs);
      return ids.every((id) => first.has(id));
    }, 'every satellite to be welcomed again', timeoutMs);
  } catch {
    // Some were not: the caller reports who.
  }
  return first;
}

export async function startHubProcess(hub: HubProcess): Promise<number> {
  const startedMs = Date.now();
  await hub.start();
  return Date.now() - startedMs;
}

/** What the hub's log said that the figures count: frames missing inside a turn (gaps in seq), lines at level error or worse. */
export interface HubLogTally {
  missingFrames: number;
  errorLines: number;
  /** The first few error lines' messages, for the report's conditions. */
  errors: string[];
}

export const newLogTally = (): HubLogTally => ({ missingFrames: 0, errorLines: 0, errors: [] });

/** Runs `ms` of load; the hub's collected log lines are tallied and dropped each second (a long run would keep them all). */
export async function runFor(ms: number, hub?: HubProcess, tally?: HubLogTally): Promise<void> {
  const endMs = Date.now() + ms;
  while (Date.now() < endMs) {
    await sleep(Math.min(1_000, endMs - Date.now()));
    if (!hub) continue;
    for (const line of tally ? hub.lines : []) {
      if (line.msg === 'audio frames missing') tally!.missingFrames += Number(line.got) - Number(line.expected);
      if ((line.level ?? 0) >= 50) {
        tally!.errorLines++;
        if (tally!.errors.length < 5) tally!.errors.push(String(line.msg));
      }
    }
    hub.lines.length = 0;
  }
}
