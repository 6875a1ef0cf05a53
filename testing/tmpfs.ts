import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A small tmpfs the test mounts, for real "disk full" and "read-only" file systems: ENOSPC and EROFS
 * come from the kernel, not from a fake. Needs root (or passwordless sudo), as `mount` does; where
 * neither is there, `mountTmpfs` returns the reason instead and the test is skipped saying so.
 */
export class Tmpfs {
  private fillers = 0;

  private constructor(
    readonly dir: string,
    private readonly sudo: boolean,
  ) {}

  /** Bytes still free on it. */
  get freeBytes(): number {
    const stats = statfsSync(this.dir);
    return stats.bavail * stats.bsize;
  }

  /** Fills it to the last byte with a filler file (removed by `free`); returns the filler's path. */
  fill(): string {
    const file = join(this.dir, `filler-${this.fillers++}`);
    const fd = openSync(file, 'w');
    try {
      // Big pieces first, then ever smaller ones: tmpfs refuses the first byte that does not fit.
      for (const size of [1 << 20, 64 << 10, 4 << 10, 512, 1]) {
        const piece = Buffer.alloc(size, 0x55);
        for (;;) {
          try {
            writeSync(fd, piece);
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break;
            throw error;
          }
        }
      }
    } finally {
      closeSync(fd);
    }
    return file;
  }

  /** Removes every filler: the space is back. */
  free(): void {
    for (let index = 0; index < this.fillers; index++) rmSync(join(this.dir, `filler-${index}`), { force: true });
  }

  readOnly(on: boolean): void {
    this.mount(['-o', `remount,${on ? 'ro' : 'rw'}`, this.dir]);
  }

  unmount(): void {
    try {
      this.mount(['-o', 'remount,rw', this.dir]);
    } catch {
      // already rw, or gone
    }
    execFileSync(this.sudo ? 'sudo' : 'umount', this.sudo ? ['-n', 'umount', '-l', this.dir] : ['-l', this.dir]);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private mount(args: string[]): void {
    execFileSync(this.sudo ? 'sudo' : 'mount', this.sudo ? ['-n', 'mount', ...args] : args, { stdio: ['ignore', 'ignore', 'pipe'] });
  }

  /** Mounts a tmpfs of `sizeBytes` on a new temporary dir; a string says why it could not. */
  static mount(sizeBytes: number, prefix = 'hugh-tmpfs-'): Tmpfs | string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    const args = ['-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0700`, 'tmpfs', dir];
    const attempts: [boolean, string, string[]][] = [
      [false, 'mount', args],
      [true, 'sudo', ['-n', 'mount', ...args]],
    ];
    const errors: string[] = [];
    for (const [sudo, command, commandArgs] of attempts) {
      try {
        execFileSync(command, commandArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
        return new Tmpfs(dir, sudo);
      } catch (error) {
        errors.push(`${command}: ${((error as { stderr?: Buffer }).stderr?.toString() ?? (error as Error).message).trim()}`);
      }
    }
    rmSync(dir, { recursive: true, force: true });
    return `cannot mount a tmpfs (needs root or passwordless sudo): ${errors.join('; ')}`;
  }
}

/** Mounts one for a test file; logs why not (the tests then skip). */
export function tmpfsOrReason(sizeBytes: number): { tmpfs: Tmpfs | undefined; reason: string | undefined } {
  const mounted = Tmpfs.mount(sizeBytes);
  if (typeof mounted === 'string') {
    process.stderr.write(`SKIPPED (disk-full tests): ${mounted}\n`);
    return { tmpfs: undefined, reason: mounted };
  }
  return { tmpfs: mounted, reason: undefined };
}
