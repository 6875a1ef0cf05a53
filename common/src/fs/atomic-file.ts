import { closeSync, fsyncSync, openSync, readdirSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Makes a rename (or a new file) in `dir` durable: on Linux a directory entry reaches the disk only when the directory is fsynced. */
function fsyncDir(dir: string): void {
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // nothing to clean up
  }
}

/** The temporary name writeFileAtomic uses for `file` in process `pid`. */
function temporaryName(file: string, pid: number): string {
  return `${file}.${pid}.tmp`;
}

/**
 * Replaces `file` with `data` so that a crash or power cut at any point leaves either the old or the
 * new version, never a torn file: write a temporary file beside it, fsync it, rename it over the
 * file (atomic within one file system), then fsync the directory so the rename itself is durable.
 * On a failure (ENOSPC, EROFS…) the temporary file is removed and `file` is as it was.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o600): void {
  const temporary = temporaryName(file, process.pid);
  const fd = openSync(temporary, 'w', mode);
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkQuietly(temporary);
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temporary, file);
  } catch (error) {
    unlinkQuietly(temporary);
    throw error;
  }
  fsyncDir(dirname(file));
}

/**
 * Moves a finished file written by someone else (openssl's `-out`) into place durably: fsync it,
 * rename it over `file`, fsync the directory. The same guarantee as writeFileAtomic.
 */
export function renameDurably(temporary: string, file: string): void {
  const fd = openSync(temporary, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
  fsyncDir(dirname(file));
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temporary files a crashed writer left beside `file` (`file.<pid>.tmp` of a process that
 * no longer runs). A live writer's file is left alone: `hugh-hub satellite add` may be writing the
 * credentials while the hub starts. Returns the names removed. Never throws (a read-only dir keeps them).
 */
export function removeStaleTemporaries(file: string): string[] {
  const prefix = `${basename(file)}.`;
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dirname(file));
  } catch {
    return removed;
  }
  for (const name of names) {
    const match = name.startsWith(prefix) ? /^(\d+)\.tmp$/.exec(name.slice(prefix.length)) : null;
    if (!match) continue;
    const pid = Number(match[1]);
    if (pid === process.pid || processAlive(pid)) continue;
    try {
      unlinkSync(join(dirname(file), name));
      removed.push(name);
    } catch {
      // read-only or gone already: it is ignored either way (nothing reads *.tmp)
    }
  }
  return removed;
}
