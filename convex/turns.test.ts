import { convexTest } from 'convex-test';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { api } from './_generated/api.js';
import schema from './schema.js';
import { modules } from './test.setup.js';

const secret = 'test-secret-0123456789';

function backend() {
  return convexTest(schema, modules);
}

const question = { key: 'kitchen:1:1000', satelliteId: 'kitchen', room: 'kitchen', text: 'why is the sky blue', models: ['llama3.3:70b'] };

beforeEach(() => {
  vi.stubEnv('HUGH_CONVEX_SECRET', secret);
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.useRealTimers();
});

describe('service secret', () => {
  test('every public function refuses a call without the right secret', async () => {
    const t = backend();
    await expect(t.mutation(api.turns.submit, { ...question, secret: 'wrong' })).rejects.toThrow(/wrong service secret/);
    await expect(t.query(api.turns.pending, { models: ['llama3.3:70b'], secret: '' })).rejects.toThrow(/wrong service secret/);
    await expect(t.mutation(api.workers.heartbeat, { workerId: 'w', models: [], secret: 'test-secret-012345678' })).rejects.toThrow(/wrong service secret/);
    await expect(t.query(api.records.recent, { secret: `${secret}x` })).rejects.toThrow(/wrong service secret/);
    // Refused calls wrote nothing.
    expect(await t.run((ctx) => ctx.db.query('turns').collect())).toEqual([]);
    expect(await t.run((ctx) => ctx.db.query('workers').collect())).toEqual([]);
  });

  test('a deployment without the secret set refuses everything', async () => {
    vi.stubEnv('HUGH_CONVEX_SECRET', '');
    const t = backend();
    await expect(t.query(api.settings.get, { secret: '' })).rejects.toThrow(/HUGH_CONVEX_SECRET is not set/);
  });
});

describe('submit', () => {
  test('creates a pending turn with the system prompt, the context and the question; a retried submit returns the same turn', async () => {
    const t = backend();
    const turnId = await t.mutation(api.turns.submit, { ...question, secret });
    expect(await t.mutation(api.turns.submit, { ...question, secret })).toBe(turnId);
    const turn = await t.run((ctx) => ctx.db.get(turnId));
    expect(turn).toMatchObject({ status: 'pending', model: 'llama3.3:70b', attempts: 0, reply: '' });
    expect(turn!.messages[0]!.role).toBe('system');
    expect(turn!.messages[0]!.content).toContain('asked in the kitchen');
    expect(turn!.messages.at(-1)).toEqual({ role: 'user', content: 'why is the sky blue' });
    expect(await t.query(api.turns.pending, { models: ['llama3.3:70b'], secret })).toEqual([expect.objectContaining({ turnId, model: 'llama3.3:70b' })]);
    expect(await t.query(api.turns.pending, { models: ['codestral'], secret })).toEqual([]);
  });

  test('a malformed turn is refused by the validators', async () => {
    const t = backend();
    await expect(t.mutation(api.turns.submit, { ...question, models: 'llama' as unknown as string[], secret })).rejects.toThrow(/Validator|models/);
    await expect(t.mutation(api.turns.submit, { ...question, audio: new ArrayBuffer(8), secret } as typeof question & { secret: string })).rejects.toThrow(/extra field|audio/i);
    await expect(t.mutation(api.turns.submit, { ...question, text: '  ', secret })).rejects.toThrow(/1–2000 characters/);
    await expect(t.mutation(api.turns.submit, { ...question, models: [], secret })).rejects.toThrow(/1–8 models/);
  });

  test('routes to the first model in the order that a live worker serves', async () => {
    const t = backend();
    await t.mutation(api.workers.heartbeat, { workerId: 'macbook', models: ['llama3.2:3b'], secret });
    await t.mutation(api.workers.heartbeat, { workerId: 'vm-llm-2', models: ['llama3.1:8b'], secret });
    const turnId = await t.mutation(api.turns.submit, { ...question, models: ['llama3.3:70b', 'llama3.1:8b', 'llama3.2:3b'], secret });
    expect((await t.run((ctx) => ctx.db.get(turnId)))!.model).toBe('llama3.1:8b');
  });

  test('family preferences and settings reach the system prompt', async () => {
    const t = backend();
    await t.mutation(api.familyPreferences.set, { member: 'Ada', preferences: 'metric units', secret });
    await t.mutation(api.settings.set, { systemPrompt: 'You are a test.', secret });
    const turnId = await t.mutation(api.turns.submit, { ...question, secret });
    const system = (await t.run((ctx) => ctx.db.get(turnId)))!.messages[0]!.content;
    expect(system).toMatch(/^You are a test\./);
    expect(system).toContain('- Ada: metric units');
    await expect(t.mutation(api.settings.set, { leaseMs: -5, secret })).rejects.toThrow(/settings.leaseMs must be a positive integer/);
    expect(await t.query(api.familyPreferences.list, { secret })).toEqual([{ member: 'Ada', preferences: 'metric units' }]);
  });
});

describe('claim, stream, complete', () => {
  test('two workers racing to claim: exactly one wins', async () => {
    const t = backend();
    const turnId = await t.mutation(api.turns.submit, { ...question, secret });
    const results = await Promise.all([
      t.mutation(api.turns.claim, { workerId: 'a', turnId, secret }),
      t.mutation(api.turns.claim, { workerId: 'b', turnId, secret }),
    ]);
    const winners = results.filter((result) => result !== null);
    expect(winners).toHaveLength(1);
    expect(winners[0]).toMatchObject({ turnId, attempt: 1, model: 'llama3.3:70b' });
    const turn = await t.run((ctx) => ctx.db.get(turnId));
    expect(turn).toMatchObject({ status: 'claimed', attempts: 1 });
    expect(['a', 'b']).toContain(turn!.workerId);
    expect(await t.query(api.turns.pending, { models: ['llama3.3:70b'], secret })).toEqual([]);
  });

  test('appends are kept in order; a repeat is ignored, a gap and a stranger are refused; done adds to the conversation', async () => {
    const t = backend();
    const turnId = await t.mutation(api.turns.submit, { ...question, secret });
    await t.mutation(api.turns.claim, { workerId: 'a', turnId, secret });
    const base = { workerId: 'a', turnId, attempt: 1, secret };
    expect(await t.mutation(api.turns.append, { ...base, seq: 0, text: 'Light ' })).toEqual({ accepted: true });
    expect(await t.mutation(api.turns.append, { ...base, seq: 1, text: 'scatters.' })).toEqual({ accepted: true });
    expect(await t.mutation(api.turns.append, { ...base, seq: 1, text: 'scatters.' })).toEqual({ accepted: false });
    await expect(t.mutation(api.turns.append, { ...base, seq: 5, text: '!' })).rejects.toThrow(/expected seq 2, got 5/);
    await expect(t.mutation(api.turns.append, { ...base, workerId: 'b', seq: 2, text: 'x' })).rejects.toThrow(/no longer holds/);
    expect(await t.query(api.turns.watch, { turnId, secret })).toMatchObject({ status: 'streaming', reply: 'Light scatters.' });
    await t.mutation(api.turns.complete, base);
    expect(await t.query(api.turns.watch, { turnId, secret })).toMatchObject({ status: 'done', reply: 'Light scatters.' });
    expect(await t.query(api.conversations.get, { satelliteId: 'kitchen', secret })).toEqual([
      { role: 'user', content: 'why is the sky blue' },
      { role: 'assistant', content: 'Light scatters.' },
    ]);
    await expect(t.mutation(api.turns.append, { ...base, seq: 2, text: 'late' })).rejects.toThrow(/no longer holds/);
  });

  test('a cancelled turn tells its worker so', async () => {
    const t = backend();
    const turnId = await t.mutation(api.turns.submit, { ...question, secret });
    await t.mutation(api.turns.claim, { workerId: 'a', turnId, secret });
    await t.mutation(api.turns.cancel, { turnId, secret });
    await expect(t.mutation(api.turns.heartbeat, { workerId: 'a', turnId, attempt: 1, secret })).rejects.toThrow(/cancelled/);
    expect(await t.query(api.turns.watch, { turnId, secret })).toMatchObject({ status: 'cancelled' });
  });
});

describe('leases', () => {
  test('an expired lease returns the turn to the queue and another worker reclaims it; the dead worker is refused', async () => {
    vi.useFakeTimers();
    const t = backend();
    const turnId = await t.mutation(api.turns.submit, { ...question, secret });
    await t.mutation(api.turns.claim, { workerId: 'dies', turnId, secret });
    await t.mutation(api.turns.append, { workerId: 'dies', turnId, attempt: 1, seq: 0, text: 'Half an ans', secret });
    vi.advanceTimersByTime(16_000);
    await t.finishAllScheduledFunctions(vi.runAllTimers);
    expect(await t.query(api.turns.watch, { turnId, secret })).toMatchObject({ status: 'pending', reply: '', error: 'lease of dies expired' });
    const reclaimed = await t.mutation(api.turns.claim, { workerId: 'lives', turnId, secret });
    expect(reclaimed).toMatchObject({ attempt: 2 });
    await expect(t.mutation(api.turns.append, { workerId: 'dies', turnId, attempt: 1, seq: 1, text: 'wer', secret })).rejects.toThrow(/no longer holds/);
    await t.mutation(api.turns.append, { workerId: 'lives', turnId, attempt: 2, seq: 0, text: 'A whole answer.', secret });
    await t.mutation(api.turns.complete, { workerId: 'lives', turnId, attempt: 2, secret });
    expect(await t.query(api.turns.watch, { turnId, secret })).toMatchObject({ status: 'done', reply: 'A whole answer.' });
  });

  test('a heartbeat keeps the lease: the scheduled expiry finds it renewed and waits', async () => {
    vi.useFakeTimers();
    const t = backend();
    const turnId = await t.mutation(api.turns.submit, { ...question, secret });
    await t.mutation(api.turns.claim, { workerId: 'slow', turnId, secret });
    vi.advanceTimersByTime(10_000);
    await t.mutation(api.turns.heartbeat, { workerId: 'slow', turnId, attempt: 1, secret });
    vi.advanceTimersByTime(6_000);
    await t.finishInProgressScheduledFunctions();
    expect(await t.query(api.turns.watch, { turnId, secret })).toMatchObject({ status: 'claimed', workerId: 'slow' });
  });

  test('attempts are capped: after the last lease expires the turn fails for good', async () => {
    vi.useFakeTimers();
    const t = backend();
    const turnId = await t.mutation(api.turns.submit, { ...question, secret });
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      expect(await t.mutation(api.turns.claim, { workerId: `w${attempt}`, turnId, secret })).toMatchObject({ attempt });
      vi.advanceTimersByTime(16_000);
      await t.finishAllScheduledFunctions(vi.runAllTimers);
    }
    expect(await t.query(api.turns.watch, { turnId, secret })).toMatchObject({ status: 'failed', attempts: 3, error: 'lease of w3 expired' });
    expect(await t.mutation(api.turns.claim, { workerId: 'w4', turnId, secret })).toBeNull();
  });

  test('a failing model moves the turn down the routing order', async () => {
    const t = backend();
    await t.mutation(api.workers.heartbeat, { workerId: 'big', models: ['llama3.3:70b'], secret });
    await t.mutation(api.workers.heartbeat, { workerId: 'small', models: ['llama3.1:8b'], secret });
    const turnId = await t.mutation(api.turns.submit, { ...question, models: ['llama3.3:70b', 'llama3.1:8b'], secret });
    await t.mutation(api.turns.claim, { workerId: 'big', turnId, secret });
    await t.mutation(api.turns.fail, { workerId: 'big', turnId, attempt: 1, error: 'ollama answered 500', secret });
    expect(await t.query(api.turns.watch, { turnId, secret })).toMatchObject({ status: 'pending', model: 'llama3.1:8b', error: 'ollama answered 500' });
    expect(await t.query(api.turns.pending, { models: ['llama3.1:8b'], secret })).toHaveLength(1);
  });
});

describe('conversation context', () => {
  test('is capped in messages and characters, oldest first, and never starts with an answer', async () => {
    const t = backend();
    await t.mutation(api.settings.set, { contextMessages: 4, contextChars: 10_000, secret });
    for (let i = 0; i < 5; i += 1) {
      const turnId = await t.mutation(api.turns.submit, { ...question, key: `k${i}`, text: `question ${i}`, secret });
      await t.mutation(api.turns.claim, { workerId: 'w', turnId, secret });
      await t.mutation(api.turns.append, { workerId: 'w', turnId, attempt: 1, seq: 0, text: `answer ${i}`, secret });
      await t.mutation(api.turns.complete, { workerId: 'w', turnId, attempt: 1, secret });
    }
    expect((await t.query(api.conversations.get, { satelliteId: 'kitchen', secret })).map((m) => m.content)).toEqual(['question 3', 'answer 3', 'question 4', 'answer 4']);
    const next = await t.mutation(api.turns.submit, { ...question, key: 'k-next', text: 'and then?', secret });
    expect((await t.run((ctx) => ctx.db.get(next)))!.messages.map((m) => m.content).slice(1)).toEqual(['question 3', 'answer 3', 'question 4', 'answer 4', 'and then?']);

    await t.mutation(api.settings.set, { contextMessages: 100, contextChars: 20, secret });
    const capped = await t.mutation(api.turns.submit, { ...question, key: 'k-chars', text: 'short', secret });
    // 'question 4' + 'answer 4' = 18 characters fit in 20; adding 'answer 3' would not.
    expect((await t.run((ctx) => ctx.db.get(capped)))!.messages.map((m) => m.content).slice(1)).toEqual(['question 4', 'answer 4', 'short']);
    await t.mutation(api.conversations.clear, { satelliteId: 'kitchen', secret });
    expect(await t.query(api.conversations.get, { satelliteId: 'kitchen', secret })).toEqual([]);
  });
});

describe('satellites, workers, records', () => {
  test('satellites and workers are listed; records are written once per key and refuse unknown fields', async () => {
    const t = backend();
    await t.mutation(api.satellites.upsert, { satelliteId: 'kitchen', room: 'kitchen', secret });
    await t.mutation(api.satellites.upsert, { satelliteId: 'kitchen', room: 'kitchen', name: 'Kitchen Pi', secret });
    expect(await t.query(api.satellites.list, { secret })).toEqual([expect.objectContaining({ satelliteId: 'kitchen', name: 'Kitchen Pi' })]);
    await t.mutation(api.workers.heartbeat, { workerId: 'w1', models: ['llama3.1:8b'], secret });
    expect(await t.query(api.workers.list, { secret })).toEqual([expect.objectContaining({ workerId: 'w1', live: true })]);

    const record = { key: 'kitchen:7:1000', satelliteId: 'kitchen', turnId: 7, outcome: 'answered' as const, transcript: 'hi', replyText: 'Hello.', times: { turnStartMs: 1000 }, engineMs: {} };
    expect(await t.mutation(api.records.put, { record, secret })).toEqual({ written: true });
    expect(await t.mutation(api.records.put, { record, secret })).toEqual({ written: false });
    expect(await t.query(api.records.recent, { secret })).toEqual([record]);
    await expect(t.mutation(api.records.put, { record: { ...record, key: 'other', audio: 'UklGRg==' } as typeof record, secret })).rejects.toThrow(/audio/);
  });
});
