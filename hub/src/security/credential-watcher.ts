import { mkdirSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Logger } from '@hugh/common';
import type { CredentialStore } from './credentials.js';

/** Changes arrive as a burst of events (write, rename); one reload after it settles is enough. */
const SETTLE_MS = 50;

/**
 * Re-reads the credentials file whenever it changes, so `hugh-hub satellite add|rotate|remove` takes
 * effect without a signal, and calls `onReloaded` so live connections of revoked logins are closed.
 * The directory is watched, not the file: an atomic save replaces the file by a rename.
 */
export function watchCredentials(store: CredentialStore, logger: Logger, onReloaded: () => void): { reload(): void; close(): void } {
  const reload = () => {
    try {
      store.reload();
    } catch (error) {
      logger.error({ err: error, file: store.file }, 'credentials file unreadable: keeping the logins loaded before');
      return;
    }
    logger.info({ file: store.file, logins: store.list().length }, 'credentials reloaded');
    onReloaded();
  };
  mkdirSync(dirname(store.file), { recursive: true, mode: 0o700 });
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(store.file), { persistent: false }, (_event, name) => {
      if (name !== null && name !== basename(store.file)) return;
      clearTimeout(timer);
      timer = setTimeout(reload, SETTLE_MS);
    });
    watcher.on('error', (error) => logger.warn({ err: error }, 'cannot watch the credentials file: reload with SIGHUP'));
  } catch (error) {
    logger.warn({ err: error }, 'cannot watch the credentials file: reload with SIGHUP');
  }
  return {
    reload,
    close() {
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
