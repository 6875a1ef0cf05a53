import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Backoff, RetryTimer, withTimeout, type Logger } from '@hugh/common';
import { convexFunctions, type ConvexPort, type ConvexTurnRecord } from '@hugh/common/clients';
import type { StorageHealth } from '../storage/storage-health.js';

export interface RecordOutboxOptions {
  secret: string;
  timeoutMs: number;
  logger: Logger;
  /** Where a refused write is reported and retried from; absent (tests), a refused write is only logged. */
  storage?: StorageHealth;
  /** Records held in memory while the file refuses them (config `state.outboxMemoryRecords`); beyond it the oldest are dropped and counted. */
  memoryRecords?: number;
}

interface Pending {
  record: ConvexTurnRecord;
  /** Where it waits: a row of the file, or only in memory. */
  from: 'file' | 'memory';
}

/**
 * Turn records on their way to Convex. Each record is first written to a local SQLite file, then
 * sent; it leaves the file only when Convex has acknowledged it. Convex ignores a key it already
 * holds, so a record sent twice (an acknowledgement lost on the way back) is still written once.
 *
 * When the file refuses writes (disk full, read-only, or it cannot even be opened), records wait in
 * memory (at most `memoryRecords`, the oldest dropped and counted beyond that) and are still sent;
 * rows already in the file stay there and are sent too. Every retry of the storage health and every
 * new record tries to write the held records into the file again.
 */
export class RecordOutbox {
  private db: Database.Database | undefined;
  private readonly retry: RetryTimer;
  private flushing: Promise<void> | undefined;
  private closed = false;
  /** Records the file has not taken yet, oldest first. */
  private readonly held: ConvexTurnRecord[] = [];
  /** Rows Convex acknowledged that the file could not delete yet: never sent again, deleted on the next write. */
  private readonly acknowledged = new Set<string>();
  private readonly memoryRecords: number;
  /** Records dropped: the file refused them while `memoryRecords` were held already, or a row of the file could not be read. */
  dropped = 0;
  /** Whether the last send reached Convex (for /healthz). */
  reachable = true;

  constructor(
    private readonly file: string,
    private readonly convex: ConvexPort,
    private readonly options: RecordOutboxOptions,
  ) {
    this.memoryRecords = options.memoryRecords ?? 1_000;
    this.retry = new RetryTimer(new Backoff(1_000, 60_000), () => void this.flush());
    this.persist();
  }

  /** Keeps the record (in the file, or in memory while the file refuses it), then tries to send everything waiting. */
  add(record: ConvexTurnRecord): void {
    if (this.closed) return;
    this.held.push(record);
    if (this.held.length > this.memoryRecords) {
      this.held.shift();
      this.dropped++;
    }
    this.persist();
    void this.flush();
  }

  /** Records waiting to be sent: rows of the file and records held in memory. */
  get waiting(): number {
    let rows = 0;
    try {
      rows = this.db ? (this.db.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n - this.acknowledged.size : 0;
    } catch {
      // an unreadable file counts as empty here; its rows are still in it
    }
    return rows + this.held.length;
  }

  /** Records held in memory because the file refused them. */
  get heldInMemory(): number {
    return this.held.length;
  }

  /** Sends waiting records oldest first; on the first failure, stops and retries later with backoff. */
  flush(): Promise<void> {
    this.flushing ??= this.sendAll().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  close(): void {
    this.closed = true;
    this.retry.stop();
    this.db?.close();
    this.db = undefined;
  }

  /** Opens the file once it can be opened. WAL: readers never wait for the writer, and a commit is one append. */
  private open(): Database.Database {
    if (this.db) return this.db;
    mkdirSync(dirname(this.file), { recursive: true });
    const db = new Database(this.file);
    try {
      db.pragma('journal_mode = WAL');
      // FULL: every commit fsyncs the WAL, so a record is on the disk before the turn is over and a
      // power cut loses none (NORMAL in WAL mode stays consistent but may lose the last commits).
      // One commit per turn makes the cost of that fsync negligible.
      db.pragma('synchronous = FULL');
      db.exec('CREATE TABLE IF NOT EXISTS outbox (key TEXT PRIMARY KEY, record TEXT NOT NULL, added_ms INTEGER NOT NULL)');
    } catch (error) {
      db.close();
      throw error;
    }
    this.db = db;
    return db;
  }

  /** Writes the held records into the file and deletes the acknowledged rows, in one transaction. */
  private persist(): void {
    if (this.closed) return;
    try {
      const db = this.open();
      if (this.held.length > 0 || this.acknowledged.size > 0) {
        const insert = db.prepare('INSERT OR IGNORE INTO outbox (key, record, added_ms) VALUES (?, ?, ?)');
        const remove = db.prepare('DELETE FROM outbox WHERE key = ?');
        db.transaction(() => {
          for (const record of this.held) insert.run(record.key, JSON.stringify(record), Date.now());
          for (const key of this.acknowledged) remove.run(key);
        })();
        this.held.length = 0;
        this.acknowledged.clear();
      }
      this.options.storage?.succeeded('outbox');
    } catch (error) {
      const detail = { heldRecords: this.held.length, droppedRecords: this.dropped, memoryRecords: this.memoryRecords };
      if (this.options.storage)
        this.options.storage.failed('outbox', this.file, error, () => {
          this.persist();
          void this.flush();
        }, detail);
      else this.options.logger.error({ err: error, file: this.file, ...detail }, 'turn records could not be written to the outbox');
    }
  }

  /** The oldest record waiting: rows of the file first (they are older), then those held in memory. */
  private next(): Pending | undefined {
    if (this.db) {
      let unreadable = 0;
      try {
        // Acknowledged rows the file could not delete yet come first; skip past them.
        const rows = this.db.prepare('SELECT key, record FROM outbox ORDER BY added_ms, key LIMIT ?').all(this.acknowledged.size + 1) as { key: string; record: string }[];
        for (const row of rows) {
          if (this.acknowledged.has(row.key)) continue;
          try {
            return { record: JSON.parse(row.record) as ConvexTurnRecord, from: 'file' };
          } catch {
            // A row no one can read would hold back every record behind it, forever: it goes.
            this.options.logger.error({ key: row.key }, 'a turn record in the outbox could not be read and is dropped');
            this.acknowledged.add(row.key);
            this.dropped++;
            unreadable++;
          }
        }
      } catch {
        // unreadable file: the rows stay in it; what is in memory is still sent
      }
      if (unreadable > 0) {
        this.persist();
        return this.next();
      }
    }
    const record = this.held[0];
    return record ? { record, from: 'memory' } : undefined;
  }

  private async sendAll(): Promise<void> {
    for (let next = this.next(); next && !this.closed; next = this.next()) {
      try {
        await withTimeout(this.convex.mutation(convexFunctions.putRecord, { secret: this.options.secret, record: next.record }), this.options.timeoutMs, 'convex records:put');
      } catch (error) {
        if (this.closed) return;
        this.reachable = false;
        const delayMs = this.retry.schedule();
        this.options.logger.warn({ err: (error as Error).message, waiting: this.waiting, retryInMs: delayMs }, 'turn records kept in the outbox until Convex answers');
        return;
      }
      if (this.closed) return;
      this.reachable = true;
      this.retry.succeeded();
      if (next.from === 'memory') {
        const index = this.held.findIndex((record) => record.key === next.record.key);
        if (index >= 0) this.held.splice(index, 1);
      } else {
        this.acknowledged.add(next.record.key);
        this.persist();
      }
    }
  }
}
