import { percentile } from '@hugh/common';
import type { TurnRecord } from '../pipeline/turn-record.js';

const HOUR_MS = 3_600_000;
/** The plot's span. */
export const HISTORY_HOURS = 24;
/**
 * Latencies kept per hour: a home makes tens of turns an hour; beyond this many, every k-th turn is
 * kept (k doubling), so memory is bounded whatever the load and the percentiles stay representative.
 */
const MAX_PER_HOUR = 1_024;

export interface HourLatency {
  /** Start of the hour, Unix ms. */
  hourStartMs: number;
  turns: number;
  /** From the end of speech as the VAD placed it to the first reply audio; absent in an hour without turns. */
  p50Ms?: number;
  p90Ms?: number;
}

interface Bucket {
  hourStartMs: number;
  turns: number;
  kept: number[];
  /** Keep every `stride`-th latency once the bucket is full. */
  stride: number;
}

/** From the VAD's end of speech to the first reply audio: what the user waited. */
export function responseMs(record: TurnRecord): number | undefined {
  const { speechEndMs, endOfSpeechMs, firstAudioOutMs } = record.times;
  const from = speechEndMs ?? endOfSpeechMs;
  return from !== undefined && firstAudioOutMs !== undefined ? Math.max(0, firstAudioOutMs - from) : undefined;
}

/** p50/p90 of answered turns' response time per hour over the last 24 hours, for the dashboard's plot. */
export class LatencyHistory {
  private readonly buckets = new Map<number, Bucket>();

  constructor(private readonly nowMs: () => number = Date.now) {}

  add(record: TurnRecord): void {
    const latency = responseMs(record);
    if (latency === undefined) return;
    const hourStartMs = Math.floor((record.times.speechEndMs ?? record.times.turnStartMs) / HOUR_MS) * HOUR_MS;
    if (hourStartMs <= this.firstHourMs()) return this.prune();
    let bucket = this.buckets.get(hourStartMs);
    if (!bucket) this.buckets.set(hourStartMs, (bucket = { hourStartMs, turns: 0, kept: [], stride: 1 }));
    bucket.turns++;
    if (bucket.turns % bucket.stride === 0) bucket.kept.push(latency);
    if (bucket.kept.length > MAX_PER_HOUR) {
      bucket.kept = bucket.kept.filter((_, index) => index % 2 === 1);
      bucket.stride *= 2;
    }
    this.prune();
  }

  /** The last 24 hours, oldest first, one entry per hour (hours without turns included). */
  hours(): HourLatency[] {
    this.prune();
    const first = this.firstHourMs();
    return Array.from({ length: HISTORY_HOURS }, (_, index) => {
      const hourStartMs = first + (index + 1) * HOUR_MS;
      const bucket = this.buckets.get(hourStartMs);
      if (!bucket || bucket.kept.length === 0) return { hourStartMs, turns: 0 };
      return { hourStartMs, turns: bucket.turns, p50Ms: Math.round(percentile(bucket.kept, 50)), p90Ms: Math.round(percentile(bucket.kept, 90)) };
    });
  }

  /** The hour just before the window: everything up to it has left the plot. */
  private firstHourMs(): number {
    return (Math.floor(this.nowMs() / HOUR_MS) - HISTORY_HOURS) * HOUR_MS;
  }

  private prune(): void {
    const first = this.firstHourMs();
    for (const hour of this.buckets.keys()) if (hour <= first) this.buckets.delete(hour);
  }
}
