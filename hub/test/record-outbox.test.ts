import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { silentLogger } from '@hugh/common';
import { RecordOutbox, toConvexRecord, type TurnRecord } from '@hugh/hub';
import { ConvexTestBackend, TEST_CONVEX_SECRET as secret } from '../../testing/convex-backend.js';

let dir: string;
let convex: ConvexTestBackend;
const outboxes: RecordOutbox[] = [];
beforeEach(() => {
  vi.stubEnv('HUGH_CONVEX_SECRET', secret);
  dir = mkdtempSync(join(tmpdir(), 'hugh-outbox-'));
  convex = new ConvexTestBackend();
});
afterEach(() => {
  for (const outbox of outboxes.splice(0)) outbox.close();
  convex.close();
  rmSync(dir, { recursive: true, force: true });
  vi.unstubAllEnvs();
});

function open(): RecordOutbox {
  const outbox = new RecordOutbox(join(dir, 'outbox.sqlite'), convex.port(), { secret, timeoutMs: 200, logger: silentLogger() });
  outboxes.push(outbox);
  return outbox;
}

function record(turnId: number): TurnRecord {
  return { satelliteId: 'kitchen', turnId, outcome: 'answered', transcript: `question ${turnId}`, replyText: `answer ${turnId}`, times: { turnStartMs: 1_700_000_000_000 + turnId }, engineMs: { stt: 120 } };
}

const stored = () => convex.t.run((ctx) => ctx.db.query('turnRecords').collect());

it('Convex down for N turns, then back: all N records present exactly once, also across a hub restart', async () => {
  const N = 6;
  convex.down();
  const first = open();
  for (let turnId = 1; turnId <= N; turnId += 1) first.add(toConvexRecord(record(turnId)));
  await first.flush();
  expect(first.waiting).toBe(N);
  expect(await stored()).toHaveLength(0);
  // The hub restarts while Convex is still down: the records are in the file, not in memory.
  first.close();
  const second = open();
  expect(second.waiting).toBe(N);
  convex.up(); // calls that were queued during the outage go through now, too
  await second.flush();
  expect(second.waiting).toBe(0);
  await vi.waitFor(async () => expect(await stored()).toHaveLength(N));
  // Nothing more is on its way: the outbox is empty and the backend has no call pending.
  await vi.waitFor(() => expect(convex.pending).toBe(0));
  const rows = await stored();
  expect(rows.map((row) => row.turnId).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
  expect(new Set(rows.map((row) => row.key)).size).toBe(N);
  expect(rows[0]).toMatchObject({ transcript: 'question 1', replyText: 'answer 1', engineMs: { stt: 120 } });
});

it('a record added while Convex answers is sent at once and leaves the outbox', async () => {
  const outbox = open();
  outbox.add(toConvexRecord(record(1)));
  outbox.add(toConvexRecord(record(1))); // the same turn twice: one row
  await outbox.flush();
  expect(outbox.waiting).toBe(0);
  expect(await stored()).toHaveLength(1);
});

it('a row no one can read is dropped with a log line instead of holding back the records behind it', async () => {
  convex.down();
  const first = open();
  first.add(toConvexRecord(record(1)));
  first.add(toConvexRecord(record(2)));
  first.close();
  // A new backend: the calls the first outbox left waiting on the old one must not deliver record 1.
  convex.close();
  convex = new ConvexTestBackend();
  // Turn the older row into something that is not JSON (a bug or a damaged file, not a crash: SQLite commits whole rows).
  const db = new Database(join(dir, 'outbox.sqlite'));
  const oldest = db.prepare('SELECT key FROM outbox ORDER BY added_ms, key LIMIT 1').get() as { key: string };
  db.prepare('UPDATE outbox SET record = ? WHERE key = ?').run('{"torn', oldest.key);
  db.close();
  const errors: unknown[] = [];
  const logger = { ...silentLogger(), error: (...args: unknown[]) => errors.push(args) } as unknown as ReturnType<typeof silentLogger>;
  const second = new RecordOutbox(join(dir, 'outbox.sqlite'), convex.port(), { secret, timeoutMs: 200, logger });
  outboxes.push(second);
  await second.flush();
  expect(second.waiting).toBe(0);
  expect(second.dropped).toBe(1);
  expect(JSON.stringify(errors)).toContain('could not be read');
  await vi.waitFor(async () => expect((await stored()).map((row) => row.turnId)).toEqual([2]));
});
