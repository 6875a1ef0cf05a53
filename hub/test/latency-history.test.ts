import { describe, expect, it } from 'vitest';
import { LatencyHistory, type TurnRecord } from '@hugh/hub';

const HOUR_MS = 3_600_000;
const NOW_MS = Date.UTC(2026, 11, 1, 12, 30);

function record(speechEndMs: number, latencyMs: number | undefined): TurnRecord {
  return {
    satelliteId: 'kitchen',
    turnId: 1,
    outcome: 'answered',
    times: { turnStartMs: speechEndMs - 2_000, speechEndMs, endOfSpeechMs: speechEndMs + 150, ...(latencyMs === undefined ? {} : { firstAudioOutMs: speechEndMs + latencyMs }) },
    engineMs: {},
  };
}

describe('LatencyHistory: response time per hour for the dashboard plot', () => {
  it('gives 24 hours, oldest first, with p50/p90 of the turns in each and gaps for hours without', () => {
    const history = new LatencyHistory(() => NOW_MS);
    for (const latency of [300, 400, 500, 600, 700, 800, 900, 1_000, 1_100, 2_000]) history.add(record(NOW_MS - 2 * HOUR_MS, latency));
    history.add(record(NOW_MS - 60_000, 450));
    history.add(record(NOW_MS - 60_000, undefined)); // no reply audio: not a response time
    const hours = history.hours();
    expect(hours).toHaveLength(24);
    expect(hours.at(-1)).toEqual({ hourStartMs: Date.UTC(2026, 11, 1, 12), turns: 1, p50Ms: 450, p90Ms: 450 });
    expect(hours.at(-3)).toEqual({ hourStartMs: Date.UTC(2026, 11, 1, 10), turns: 10, p50Ms: 800, p90Ms: 2_000 });
    expect(hours.filter((hour) => hour.turns === 0)).toHaveLength(22);
    expect(hours[0]!.hourStartMs).toBe(Date.UTC(2026, 10, 30, 13));
  });

  it('measures from the end of speech as the VAD placed it, else from the commit', () => {
    const history = new LatencyHistory(() => NOW_MS);
    const withoutVadTime = record(NOW_MS - 1_000, 700);
    delete withoutVadTime.times.speechEndMs;
    history.add(withoutVadTime);
    expect(history.hours().at(-1)).toMatchObject({ turns: 1, p50Ms: 550 });
  });

  it('forgets what is older than 24 hours as the clock moves on', () => {
    let now = NOW_MS;
    const history = new LatencyHistory(() => now);
    history.add(record(NOW_MS - 30 * HOUR_MS, 500)); // already too old
    history.add(record(NOW_MS, 500));
    expect(history.hours().reduce((sum, hour) => sum + hour.turns, 0)).toBe(1);
    now += 24 * HOUR_MS;
    expect(history.hours().reduce((sum, hour) => sum + hour.turns, 0)).toBe(0);
  });

  it('keeps memory bounded under any load: counts every turn, keeps a sample for the percentiles', () => {
    const history = new LatencyHistory(() => NOW_MS);
    for (let i = 0; i < 20_000; i++) history.add(record(NOW_MS - 1_000, 200 + (i % 100) * 10));
    const hour = history.hours().at(-1)!;
    expect(hour.turns).toBe(20_000);
    expect(hour.p50Ms).toBeGreaterThanOrEqual(650);
    expect(hour.p50Ms).toBeLessThanOrEqual(750);
    expect(hour.p90Ms).toBeGreaterThanOrEqual(1_050);
    expect(hour.p90Ms).toBeLessThanOrEqual(1_150);
    const buckets = (history as unknown as { buckets: Map<number, { kept: number[] }> }).buckets;
    expect(buckets.get(Date.UTC(2026, 11, 1, 12))!.kept.length).toBeLessThanOrEqual(1_024);
  });
});
