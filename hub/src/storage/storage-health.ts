import type { Logger } from '@hugh/common';
import type { CapabilityReporter, ReducedCapability } from '../capability/capability.js';

/** The parts of the hub that keep something in the state dir. */
export type StoreName = 'timers' | 'outbox' | 'recordings';

export interface StorageSettings {
  /** How often a failing store tries to write again (config `state.writeRetryMs`). */
  writeRetryMs: number;
  /** At most one log line per failing store in this time (config `state.writeFailureLogEveryMs`). */
  writeFailureLogEveryMs: number;
}

interface Failing {
  file: string;
  code: string;
  message: string;
  sinceMs: number;
  lastLoggedMs: number;
  /** Failed writes since the last log line. */
  failuresSinceLog: number;
  retry: (() => void) | undefined;
  detail: Record<string, unknown>;
}

/** The stable code of a write failure: errno (ENOSPC, EROFS, EDQUOT, EACCES, EIO) or SQLite's (SQLITE_FULL, SQLITE_READONLY…). */
export function writeErrorCode(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : 'UNKNOWN';
}

/**
 * The one owner of "the state dir could not be written". Each store says `failed` when a write is
 * refused and `succeeded` when one goes through. While any store fails: capability source `storage`
 * carries one reason per store (its name, file and error code), the log gets at most one line per
 * store per `writeFailureLogEveryMs` (a full disk must not fill the journal too), and one timer calls
 * each failing store's `retry` every `writeRetryMs`. The stores keep what they hold in memory meanwhile.
 */
export class StorageHealth {
  private readonly failing = new Map<StoreName, Failing>();
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: {
      logger: Logger;
      settings: StorageSettings;
      capability?: CapabilityReporter;
      now?: () => number;
    },
  ) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** The stores that cannot write now. */
  get failingStores(): StoreName[] {
    return [...this.failing.keys()];
  }

  /**
   * `store` could not write `file`. `retry` (called every writeRetryMs until the store says
   * `succeeded`) writes what the store holds; `detail` goes into the log line (records held, dropped…).
   */
  failed(store: StoreName, file: string, error: unknown, retry?: () => void, detail: Record<string, unknown> = {}): void {
    const code = writeErrorCode(error);
    const message = (error as Error | undefined)?.message ?? String(error);
    const nowMs = this.now();
    const entry = this.failing.get(store);
    const { logger, settings } = this.options;
    if (!entry) {
      this.failing.set(store, { file, code, message, sinceMs: nowMs, lastLoggedMs: nowMs, failuresSinceLog: 0, retry, detail });
      logger.error({ store, file, code, err: message, retryEveryMs: settings.writeRetryMs, ...detail }, 'cannot write to the state dir: kept in memory, retrying');
      this.report();
    } else {
      const changed = entry.code !== code || entry.file !== file;
      Object.assign(entry, { file, code, message, detail, retry: retry ?? entry.retry });
      entry.failuresSinceLog++;
      if (nowMs - entry.lastLoggedMs >= settings.writeFailureLogEveryMs) {
        logger.error({ store, file, code, err: message, failedForMs: nowMs - entry.sinceMs, failuresSinceLog: entry.failuresSinceLog, ...detail }, 'still cannot write to the state dir');
        entry.lastLoggedMs = nowMs;
        entry.failuresSinceLog = 0;
      }
      if (changed) this.report();
    }
    this.retryTimer ??= setInterval(() => this.retryAll(), settings.writeRetryMs);
    this.retryTimer.unref();
  }

  /** `store` wrote again: its reason leaves the capability, one line says so. */
  succeeded(store: StoreName): void {
    const entry = this.failing.get(store);
    if (!entry) return;
    this.failing.delete(store);
    this.options.logger.info({ store, file: entry.file, failedForMs: this.now() - entry.sinceMs }, 'the state dir takes writes again');
    this.report();
    if (this.failing.size === 0) this.stopTimer();
  }

  close(): void {
    this.stopTimer();
  }

  private stopTimer(): void {
    clearInterval(this.retryTimer);
    this.retryTimer = undefined;
  }

  private retryAll(): void {
    for (const [store, entry] of [...this.failing]) {
      try {
        entry.retry?.();
      } catch (error) {
        // A retry reports its own failure; one that throws anyway must not stop the others.
        this.failed(store, entry.file, error);
      }
    }
  }

  private report(): void {
    const reasons: ReducedCapability[] = [...this.failing].map(([store, entry]) => ({
      message: `${store} cannot be saved (${entry.code}): ${entry.file}; kept in memory, retried every ${Math.round(this.options.settings.writeRetryMs / 1000)} s`,
    }));
    this.options.capability?.report('storage', reasons);
  }
}
