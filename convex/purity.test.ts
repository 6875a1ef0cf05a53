import { readFileSync } from 'node:fs';
import { convexTest } from 'convex-test';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { convexErrorCode } from '../common/src/convex/functions.js';
import { api } from './_generated/api.js';
import schema from './schema.js';
import { modules } from './test.setup.js';

const secret = 'test-secret-0123456789';

beforeEach(() => {
  vi.stubEnv('HUGH_CONVEX_SECRET', secret);
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.useRealTimers();
});

/** A deployment with something in every table a query reads. */
async function seeded() {
  const t = convexTest(schema, modules);
  await t.mutation(api.workers.heartbeat, { workerId: 'w1', models: ['llama3.1:8b'], secret });
  await t.mutation(api.satellites.upsert, { satelliteId: 'kitchen', room: 'Kitchen', secret });
  await t.mutation(api.familyPreferences.set, { member: 'Ada', preferences: 'metric units', secret });
  const turnId = await t.mutation(api.turns.submit, { key: 'k1', satelliteId: 'kitchen', text: 'why is the sky blue', models: ['llama3.1:8b'], secret });
  await t.mutation(api.records.put, { record: { key: 'kitchen:1:1', satelliteId: 'kitchen', turnId: 1, outcome: 'answered', times: { turnStartMs: 1 }, engineMs: {} }, secret });
  return { t, turnId };
}

describe('queries are deterministic (Convex re-runs a subscription only when its data changes)', () => {
  // Regression: workers:list compared heartbeats with Date.now(), so a subscription kept saying "live" after a worker died.
  test('every public query gives the same answer for the same arguments an hour later', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-01-01T12:00:00Z'));
    const { t, turnId } = await seeded();
    const calls = [
      () => t.query(api.workers.list, { secret }),
      () => t.query(api.satellites.list, { secret }),
      () => t.query(api.familyPreferences.list, { secret }),
      () => t.query(api.settings.get, { secret }),
      () => t.query(api.turns.watch, { turnId, secret }),
      () => t.query(api.turns.pending, { models: ['llama3.1:8b'], secret }),
      () => t.query(api.conversations.get, { satelliteId: 'kitchen', secret }),
      () => t.query(api.records.recent, { secret }),
    ];
    const before = [];
    for (const call of calls) before.push(await call());
    expect(before[0]).toEqual([expect.objectContaining({ workerId: 'w1', live: true })]);
    // The clock moves; no data changes (scheduled functions are not run): a query may not notice.
    vi.setSystemTime(new Date('2026-01-01T13:00:00Z'));
    for (const [index, call] of calls.entries()) expect(await call(), `query ${index}`).toEqual(before[index]);
  });

  test("a worker's liveness is a stored fact: its heartbeat sets it, the expiry it schedules clears it, and routing follows", async () => {
    vi.useFakeTimers();
    const t = convexTest(schema, modules);
    await t.mutation(api.workers.heartbeat, { workerId: 'big', models: ['llama3.3:70b'], secret });
    await t.mutation(api.workers.heartbeat, { workerId: 'small', models: ['llama3.1:8b'], secret });
    vi.advanceTimersByTime(20_000);
    await t.mutation(api.workers.heartbeat, { workerId: 'small', models: ['llama3.1:8b'], secret });
    vi.advanceTimersByTime(15_000); // big: 35 s since its heartbeat (stale after 30 s); small: 15 s
    await t.finishInProgressScheduledFunctions();
    expect(await t.query(api.workers.list, { secret })).toEqual([
      expect.objectContaining({ workerId: 'big', live: false }),
      expect.objectContaining({ workerId: 'small', live: true }),
    ]);
    const turnId = await t.mutation(api.turns.submit, { key: 'k', satelliteId: 'kitchen', text: 'hello', models: ['llama3.3:70b', 'llama3.1:8b'], secret });
    expect((await t.query(api.turns.watch, { turnId, secret }))!.model).toBe('llama3.1:8b');
  });
});

describe('errors meant for callers are ConvexErrors with a code (a plain Error reads "Server Error" in production)', () => {
  test.each([
    ['a wrong secret', (t: ReturnType<typeof convexTest>) => t.query(api.settings.get, { secret: 'wrong' }), 'HUGH_ERR_NOT_AUTHORIZED'],
    ['a bad setting', (t: ReturnType<typeof convexTest>) => t.mutation(api.settings.set, { leaseMs: 0, secret }), 'HUGH_ERR_MESSAGE_INVALID'],
    ['an empty family member', (t: ReturnType<typeof convexTest>) => t.mutation(api.familyPreferences.set, { member: ' ', preferences: 'x', secret }), 'HUGH_ERR_MESSAGE_INVALID'],
    ['an empty turn', (t: ReturnType<typeof convexTest>) => t.mutation(api.turns.submit, { key: 'k', satelliteId: 'kitchen', text: ' ', models: ['m'], secret }), 'HUGH_ERR_MESSAGE_INVALID'],
  ])('%s reaches the caller with its code, as the hub and worker read it', async (_name, call, code) => {
    const error = await call(convexTest(schema, modules)).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeDefined();
    expect(convexErrorCode(error)).toBe(code);
    expect((error as { data: { message: string } }).data.message).not.toBe('');
  });
});

describe('convex.json', () => {
  test('keeps _generated/ as TypeScript, with keys the installed Convex CLI knows', () => {
    const config = JSON.parse(readFileSync(new URL('../convex.json', import.meta.url), 'utf8')) as Record<string, unknown> & { codegen: Record<string, unknown> };
    const cliSchema = JSON.parse(readFileSync(new URL('../node_modules/convex/schemas/convex.schema.json', import.meta.url), 'utf8')) as {
      properties: Record<string, { properties?: Record<string, { enum?: string[] }> }>;
    };
    expect(config.codegen.fileType).toBe('ts');
    expect(cliSchema.properties.codegen!.properties!.fileType!.enum).toContain('ts');
    for (const key of Object.keys(config)) expect(Object.keys(cliSchema.properties), key).toContain(key);
    expect(config.functions).toBe('convex/');
  });
});
