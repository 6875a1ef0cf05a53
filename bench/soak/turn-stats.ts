import { percentile } from '@hugh/common';
import type { TurnEvent } from './load-process.js';

/** Turns started in [fromMs, toMs), those of `exclude` (the stalled satellite) left out. */
export function turnsIn(turns: readonly TurnEvent[], fromMs: number, toMs: number, exclude?: string): TurnEvent[] {
  return turns.filter((turn) => turn.startedMs >= fromMs && turn.startedMs < toMs && turn.id !== exclude);
}

export interface TurnSummary {
  started: number;
  answered: number;
  /** From the end of the satellite's audio to the start of the reply, answered turns only. */
  replyP50Ms: number;
  replyP99Ms: number;
  replyMaxMs: number;
  /** Why the others failed, counted. */
  failures: Record<string, number>;
}

export function summarize(turns: readonly TurnEvent[]): TurnSummary {
  const answered = turns.filter((turn) => turn.outcome === 'answered');
  const replyMs = answered.map((turn) => turn.replyStartMs! - turn.audioEndMs);
  const failures: Record<string, number> = {};
  for (const turn of turns) if (turn.outcome === 'failed') failures[turn.reason] = (failures[turn.reason] ?? 0) + 1;
  return { started: turns.length, answered: answered.length, replyP50Ms: percentile(replyMs, 50), replyP99Ms: percentile(replyMs, 99), replyMaxMs: replyMs.length ? Math.max(...replyMs) : Number.NaN, failures };
}

export const describeFailures = (failures: Record<string, number>) => Object.entries(failures).map(([reason, count]) => `${count} ${reason}`).join(', ') || 'none';
