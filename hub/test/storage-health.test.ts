import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger, type Logger } from '@hugh/common';
import { CapabilityMonitor, CredentialStore, RecordOutbox, StorageHealth, TimerService, toConvexRecord, type TurnRecord } from '@hugh/hub';
import { ConvexTestBackend, TEST_CONVEX_SECRET as secret } from '../../testing/convex-backend.js';
import { tmpfsOrReason } from '../../testing/tmpfs.js';

const SETTINGS = { writeRetryMs: 5_000, writeFailureLogEveryMs: 60_000 };

/** A pino logger whose lines land in an array, for counting what a full disk costs the log. */
function capturingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) } as unknown as NodeJS.WritableStream;
  return { logger: createLogger('test', { level: 'debug', destination }), lines };
}

const enospc = () => Object.assign(new Error("ENOSPC: no space left on device, open '/state/timers.json.1.tmp'"), { code: 'ENOSPC' });

describe('StorageHealth (fake clock)', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  it('logs a failing store once per minute however often it fails, says it in capability `storage`, and clears on success', () => {
    const { logger, lines } = capturingLogger();
    const capability = new CapabilityMonitor(Date.now);
    const health = new StorageHealth({ logger, settings: SETTINGS, capability, now: Date.now });
    // 150 refused writes, one a second for two and a half minutes.
    for (let second = 0; second < 150; second++) {
      health.failed('timers', '/state/timers.json', enospc());
      vi.advanceTimersByTime(1_000);
    }
    const errors = lines.filter((line) => line.store === 'timers' && line.level === 50);
    expect(errors.map((line) => line.msg)).toEqual(['cannot write to the state dir: kept in memory, retrying', 'still cannot write to the state dir', 'still cannot write to the state dir']);
    expect(errors.every((line) => line.code === 'ENOSPC')).toBe(true);
    expect(capability.current.state).toBe('degraded');
    expect(capability.current.reasons).toEqual([{ source: 'storage', message: 'timers cannot be saved (ENOSPC): /state/timers.json; kept in memory, retried every 5 s' }]);

    // A second store: its own reason beside the first, its own log line.
    health.failed('outbox', '/state/outbox.sqlite', Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }));
    expect(capability.current.reasons.map((reason) => reason.message)).toEqual([expect.stringMatching(/^timers .*ENOSPC/), expect.stringMatching(/^outbox .*SQLITE_FULL/)]);

    health.succeeded('timers');
    expect(capability.current.reasons.map((reason) => reason.message)).toEqual([expect.stringMatching(/^outbox/)]);
    health.succeeded('outbox');
    expect(capability.current.state).toBe('full');
    expect(lines.filter((line) => line.msg === 'the state dir takes writes again').map((line) => line.store)).toEqual(['timers', 'outbox']);
    health.close();
  });

  it('calls each failing store back every writeRetryMs until it writes, then stops', () => {
    const { logger } = capturingLogger();
    const health = new StorageHealth({ logger, settings: SETTINGS, now: Date.now });
    let diskFull = true;
    let retries = 0;
    const retry = () => {
      retries++;
      if (diskFull) health.failed('timers', '/state/timers.json', enospc(), retry);
      else health.succeeded('timers');
    };
    health.failed('timers', '/state/timers.json', enospc(), retry);
    vi.advanceTimersByTime(4_999);
    expect(retries).toBe(0);
    vi.advanceTimersByTime(1);
    expect(retries).toBe(1);
    vi.advanceTimersByTime(10_000);
    expect(retries).toBe(3);
    diskFull = false;
    vi.advanceTimersByTime(5_000);
    expect(retries).toBe(4);
    expect(health.failingStores).toEqual([]);
    vi.advanceTimersByTime(60_000);
    expect(retries).toBe(4);
  });
});

/** Real ENOSPC and EROFS from a 1 MiB tmpfs the test mounts (root or sudo; skipped, saying why, without). */
const { tmpfs, reason } = tmpfsOrReason(1 << 20);
afterAll(() => tmpfs?.unmount());

function record(turnId: number): TurnRecord {
  return { satelliteId: 'kitchen', turnId, outcome: 'answered', transcript: `question ${turnId}`, replyText: `answer ${turnId}`, times: { turnStartMs: 1_700_000_000_000 + turnId }, engineMs: { stt: 120 } };
}

describe.skipIf(!tmpfs)(`stores on a full or read-only tmpfs${reason ? ` (skipped: ${reason})` : ''}`, () => {
  let dir: string;
  let count = 0;
  beforeEach(() => {
    vi.stubEnv('HUGH_CONVEX_SECRET', secret);
    dir = join(tmpfs!.dir, `case-${count++}`);
    mkdirSync(dir);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllEnvs();
    tmpfs!.free();
  });

  it('timers: a timer set while the disk is full is kept in memory, the saved ones stay in the file, and it is written once space returns', () => {
    vi.useFakeTimers({ now: 1_000_000, toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    const { logger, lines } = capturingLogger();
    const capability = new CapabilityMonitor(Date.now);
    const health = new StorageHealth({ logger, settings: SETTINGS, capability, now: Date.now });
    const file = join(dir, 'timers.json');
    const timers = new TimerService(file, logger, Date.now, health);
    timers.set('kitchen', 600_000);
    const saved = readFileSync(file, 'utf8');
    tmpfs!.fill();
    for (let minute = 0; minute < 3; minute++) timers.set('den', 300_000 + minute);
    expect(timers.remainingMs('den')).toBe(300_002);
    // The file still holds what was saved before the disk filled, whole.
    expect(readFileSync(file, 'utf8')).toBe(saved);
    expect(capability.current.reasons).toEqual([{ source: 'storage', message: expect.stringContaining(`timers cannot be saved (ENOSPC): ${file}`) }]);
    vi.advanceTimersByTime(20_000); // four retries, all refused: still one log line
    expect(lines.filter((line) => line.store === 'timers' && line.level === 50)).toHaveLength(1);

    tmpfs!.free();
    vi.advanceTimersByTime(5_000);
    expect((JSON.parse(readFileSync(file, 'utf8')) as { satelliteId: string; durationMs: number }[]).map((timer) => [timer.satelliteId, timer.durationMs])).toEqual([
      ['kitchen', 600_000],
      ['den', 300_002],
    ]);
    expect(capability.current.state).toBe('full');
    timers.close();
    health.close();
  });

  it('timers: a read-only state dir (EROFS) is reported the same way and recovers when it is writable again', () => {
    vi.useFakeTimers({ now: 1_000_000, toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    const { logger } = capturingLogger();
    const capability = new CapabilityMonitor(Date.now);
    const health = new StorageHealth({ logger, settings: SETTINGS, capability, now: Date.now });
    const file = join(dir, 'timers.json');
    const timers = new TimerService(file, logger, Date.now, health);
    tmpfs!.readOnly(true);
    try {
      timers.set('kitchen', 60_000);
      expect(capability.current.reasons[0]?.message).toContain('timers cannot be saved (EROFS)');
    } finally {
      tmpfs!.readOnly(false);
    }
    vi.advanceTimersByTime(5_000);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual([expect.objectContaining({ satelliteId: 'kitchen', durationMs: 60_000 })]);
    expect(capability.current.state).toBe('full');
    timers.close();
    health.close();
  });

  it('credentials: an add that cannot be saved fails with HUGH_ERR_STORAGE_UNAVAILABLE and changes nothing; the old logins still verify', async () => {
    const file = join(dir, 'credentials.json');
    const store = CredentialStore.load(file);
    const password = await store.issue('satellite', 'kitchen');
    const before = readFileSync(file, 'utf8');
    tmpfs!.fill();
    await expect(store.issue('satellite', 'den')).rejects.toMatchObject({ code: 'HUGH_ERR_STORAGE_UNAVAILABLE', message: expect.stringContaining('(ENOSPC)') });
    await expect(store.issue('satellite', 'kitchen')).rejects.toMatchObject({ code: 'HUGH_ERR_STORAGE_UNAVAILABLE' });
    expect(() => store.remove('kitchen')).toThrow(expect.objectContaining({ code: 'HUGH_ERR_STORAGE_UNAVAILABLE' }));
    expect(store.has('den')).toBe(false);
    expect(await store.verify('kitchen', password)).toMatchObject({ id: 'kitchen' });
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('outbox: records the file refuses are held in memory (bounded, drops counted) and still sent; rows already in the file are kept and sent; all written once space returns', async () => {
    const convex = new ConvexTestBackend();
    const { logger } = capturingLogger();
    const capability = new CapabilityMonitor();
    const health = new StorageHealth({ logger, settings: { ...SETTINGS, writeRetryMs: 100 }, capability });
    const file = join(dir, 'outbox.sqlite');
    convex.down();
    const outbox = new RecordOutbox(file, convex.port(), { secret, timeoutMs: 100, logger, storage: health, memoryRecords: 3 });
    try {
      for (let turnId = 1; turnId <= 2; turnId++) outbox.add(toConvexRecord(record(turnId)));
      expect(outbox.heldInMemory).toBe(0);
      tmpfs!.fill();
      for (let turnId = 3; turnId <= 7; turnId++) outbox.add(toConvexRecord(record(turnId)));
      // 5 refused by the file, 3 held: the two oldest of them dropped, and counted.
      expect(outbox.heldInMemory).toBe(3);
      expect(outbox.dropped).toBe(2);
      expect(outbox.waiting).toBe(5);
      expect(capability.current.reasons).toEqual([{ source: 'storage', message: expect.stringMatching(/^outbox cannot be saved \(SQLITE_FULL\)/) }]);

      // Convex answers while the disk is still full: rows of the file and records in memory all reach it.
      convex.up();
      await outbox.flush();
      await vi.waitFor(async () => expect((await convex.t.run((ctx) => ctx.db.query('turnRecords').collect())).map((row) => row.turnId).sort()).toEqual([1, 2, 5, 6, 7]));
      expect(outbox.heldInMemory).toBe(0);
      // Sent rows the full file could not delete are not sent again.
      const callsBefore = convex.calls.length;
      await outbox.flush();
      expect(convex.calls.length).toBe(callsBefore);
      expect(outbox.waiting).toBe(0);
      // …and the file still refuses their deletion: storage stays reported until it takes it.
      expect(capability.current.state).toBe('degraded');

      tmpfs!.free();
      await vi.waitFor(() => expect(capability.current.state).toBe('full'), { timeout: 2_000 });
      outbox.close();
      const reopened = new RecordOutbox(file, convex.port(), { secret, timeoutMs: 100, logger });
      expect(reopened.waiting).toBe(0);
      reopened.close();
    } finally {
      outbox.close();
      health.close();
      convex.close();
    }
  });

  it('outbox: a record held while the disk is full and Convex is down is written to the file once space returns', async () => {
    const convex = new ConvexTestBackend();
    const { logger } = capturingLogger();
    const health = new StorageHealth({ logger, settings: { ...SETTINGS, writeRetryMs: 100 } });
    const file = join(dir, 'outbox.sqlite');
    convex.down();
    const outbox = new RecordOutbox(file, convex.port(), { secret, timeoutMs: 100, logger, storage: health });
    outbox.add(toConvexRecord(record(1)));
    tmpfs!.fill();
    outbox.add(toConvexRecord(record(2)));
    expect(outbox.heldInMemory).toBe(1);
    tmpfs!.free();
    await vi.waitFor(() => expect(outbox.heldInMemory).toBe(0), { timeout: 2_000 });
    outbox.close();
    health.close();
    // A restart finds both in the file.
    const reopened = new RecordOutbox(file, convex.port(), { secret, timeoutMs: 100, logger });
    expect(reopened.waiting).toBe(2);
    reopened.close();
    convex.close();
  });
});

it('a leftover temporary file of a crashed writer is removed when the timers are loaded, and never read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hugh-leftover-'));
  const file = join(dir, 'timers.json');
  writeFileSync(file, JSON.stringify([{ satelliteId: 'kitchen', durationMs: 60_000, endsAtMs: Date.now() + 60_000 }]));
  // pid 2^22+1 is above Linux's pid_max default limit on most systems: certainly no live process.
  const stale = `${file}.4194305.tmp`;
  writeFileSync(stale, '[{"satelliteId":"torn');
  const timers = new TimerService(file, capturingLogger().logger);
  expect(timers.remainingMs('kitchen')).toBeGreaterThan(0);
  expect(() => readFileSync(stale)).toThrow(/ENOENT/);
  timers.close();
});
