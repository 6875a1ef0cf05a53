import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Backoff, RetryTimer, withTimeout, type Logger } from '@hugh/common';
import { convexFunctions, type ConvexPort, type ConvexTurnRecord } from '@hugh/common/clients';

/**
 * Turn records on their way to Convex. Each record is first written to a local SQLite file, then
 * sent; it leaves the file only when Convex has acknowledged it. Convex ignores a key it already
 * holds, so a record sent twice (an acknowledgement lost on the way back) is still written once.
 */
export class RecordOutbox {
  private readonly db: Database.Database;
  private readonly retry: RetryTimer;
  private flushing: Promise<void> | undefined;
  private closed = false;
  /** Whether the last send reached Convex (for /healthz). */
  reachable = true;

  constructor(
    file: string,
    private readonly convex: ConvexPort,
    private readonly options: { secret: string; timeoutMs: number; logger: Logger },
  ) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.exec('CREATE TABLE IF NOT EXISTS outbox (key TEXT PRIMARY KEY, record TEXT NOT NULL, added_ms INTEGER NOT NULL)');
    this.retry = new RetryTimer(new Backoff(1_000, 60_000), () => void this.flush());
  }

  /** Keeps the record durably, then tries to send everything waiting. */
  add(record: ConvexTurnRecord): void {
    if (this.closed) return;
    this.db.prepare('INSERT OR IGNORE INTO outbox (key, record, added_ms) VALUES (?, ?, ?)').run(record.key, JSON.stringify(record), Date.now());
    void this.flush();
  }

  get waiting(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n;
  }

  /** Sends waiting records oldest first; on the first failure, stops and retries later with backoff. */
  flush(): Promise<void> {
    this.flushing ??= this.sendAll().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async sendAll(): Promise<void> {
    const next = this.db.prepare('SELECT key, record FROM outbox ORDER BY added_ms, key LIMIT 1');
    const remove = this.db.prepare('DELETE FROM outbox WHERE key = ?');
    for (let row = next.get() as { key: string; record: string } | undefined; row && !this.closed; row = next.get() as typeof row) {
      try {
        const record = JSON.parse(row.record) as ConvexTurnRecord;
        await withTimeout(this.convex.mutation(convexFunctions.putRecord, { secret: this.options.secret, record }), this.options.timeoutMs, 'convex records:put');
      } catch (error) {
        if (this.closed) return;
        this.reachable = false;
        const delayMs = this.retry.schedule();
        this.options.logger.warn({ err: (error as Error).message, waiting: this.waiting, retryInMs: delayMs }, 'turn records kept in the outbox until Convex answers');
        return;
      }
      if (this.closed) return;
      this.reachable = true;
      remove.run(row.key);
      this.retry.succeeded();
    }
  }

  close(): void {
    this.closed = true;
    this.retry.stop();
    this.db.close();
  }
}
