import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { removeStaleTemporaries, writeFileAtomic, type Logger } from '@hugh/common';
import type { StorageHealth } from '../storage/storage-health.js';
import { spokenDuration } from './duration.js';

export interface Timer {
  satelliteId: string;
  durationMs: number;
  endsAtMs: number;
}

/**
 * Kitchen timers, one per satellite, kept in a small JSON file so that a timer set before a hub
 * restart still rings after it (late, with a word saying so, if it ended while the hub was down).
 * Ringing announces on the satellite that set the timer; if it is offline then, the announcement
 * waits until it comes back.
 */
export class TimerService {
  private readonly timers = new Map<string, Timer>();
  private readonly handles = new Map<string, NodeJS.Timeout>();
  private readonly pending = new Map<string, string>();

  /** Says a text on a satellite; false when it cannot (offline). Set by the hub once it runs. */
  announce: (satelliteId: string, text: string) => boolean = () => false;

  constructor(
    private readonly file: string | undefined,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
    /** Where a refused write is reported (and retried from); without it, a refused write is only logged. */
    private readonly storage?: StorageHealth,
  ) {
    // A crash mid-save leaves at most a temporary file beside the list: never read, removed here.
    if (file) removeStaleTemporaries(file);
    for (const timer of this.load()) this.schedule(timer, true);
  }

  set(satelliteId: string, durationMs: number): Timer {
    this.cancel(satelliteId);
    const timer = { satelliteId, durationMs, endsAtMs: this.now() + durationMs };
    this.schedule(timer, false);
    this.save();
    return timer;
  }

  cancel(satelliteId: string): boolean {
    const had = this.timers.delete(satelliteId);
    clearTimeout(this.handles.get(satelliteId));
    this.handles.delete(satelliteId);
    if (had) this.save();
    return had;
  }

  remainingMs(satelliteId: string): number | undefined {
    const timer = this.timers.get(satelliteId);
    return timer ? Math.max(0, timer.endsAtMs - this.now()) : undefined;
  }

  /** A satellite came (back) online: say what it missed. */
  deliverPending(satelliteId: string): void {
    const text = this.pending.get(satelliteId);
    if (text && this.announce(satelliteId, text)) this.pending.delete(satelliteId);
  }

  close(): void {
    for (const handle of this.handles.values()) clearTimeout(handle);
  }

  private schedule(timer: Timer, restored: boolean): void {
    this.timers.set(timer.satelliteId, timer);
    const delayMs = timer.endsAtMs - this.now();
    const ring = () => {
      this.timers.delete(timer.satelliteId);
      this.handles.delete(timer.satelliteId);
      this.save();
      const late = restored && delayMs <= 0;
      const text = `Your ${spokenDuration(timer.durationMs)} timer is done${late ? ', while I was restarting' : ''}.`;
      this.logger.info({ satelliteId: timer.satelliteId, durationMs: timer.durationMs }, 'timer done');
      if (!this.announce(timer.satelliteId, text)) this.pending.set(timer.satelliteId, text);
    };
    const handle = setTimeout(ring, Math.max(0, delayMs));
    handle.unref();
    this.handles.set(timer.satelliteId, handle);
  }

  private load(): Timer[] {
    if (!this.file) return [];
    try {
      const timers = JSON.parse(readFileSync(this.file, 'utf8')) as Timer[];
      return Array.isArray(timers) ? timers.filter((timer) => typeof timer.satelliteId === 'string' && Number.isFinite(timer.endsAtMs)) : [];
    } catch {
      return [];
    }
  }

  /**
   * Writes the whole list. The timers live in memory: a refused write (disk full, read-only) loses
   * nothing while the hub runs, and the storage health retries it until the disk takes it again.
   */
  private save(): void {
    if (!this.file) return;
    try {
      mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
      // A crash or power cut mid-write leaves the old or the new list, never half of one.
      writeFileAtomic(this.file, JSON.stringify([...this.timers.values()]));
      this.storage?.succeeded('timers');
    } catch (error) {
      if (this.storage) this.storage.failed('timers', this.file, error, () => this.save(), { timers: this.timers.size });
      else this.logger.error({ err: error, file: this.file }, 'timers could not be saved');
    }
  }
}
