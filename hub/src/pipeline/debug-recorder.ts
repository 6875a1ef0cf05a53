import { mkdirSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic, type Logger } from '@hugh/common';
import type { StorageHealth } from '../storage/storage-health.js';
import { wavBytes, type PcmAudio } from '../engines/wav.js';

const HOUR_MS = 3_600_000;

/**
 * Debug recording, off unless `debug.recordAudio` is set: each turn's utterance (what went to STT)
 * as a WAV file, deleted after `retentionDays` by a sweep at start and every hour. Nothing else in
 * the hub writes audio to disk.
 */
export class DebugRecorder {
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly dir: string,
    private readonly retentionDays: number,
    private readonly logger: Logger,
    private readonly storage?: StorageHealth,
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    logger.warn({ dir, retentionDays }, 'debug recording is ON: utterances are written to disk');
    this.sweep();
    this.sweeper = setInterval(() => this.sweep(), HOUR_MS);
    this.sweeper.unref();
  }

  save(satelliteId: string, turnId: number, audio: PcmAudio): void {
    const file = join(this.dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${satelliteId}-${turnId}.wav`);
    try {
      // Whole or absent after a crash; a leftover *.tmp is never listed as a recording (sweep reads *.wav).
      writeFileAtomic(file, wavBytes(audio), 0o600);
      this.storage?.succeeded('recordings');
    } catch (error) {
      // A recording is not kept in memory for later: it is lost, and the storage health says the disk refuses.
      if (this.storage) this.storage.failed('recordings', file, error);
      else this.logger.warn({ file, err: (error as Error).message }, 'debug recording failed');
    }
  }

  /** Deletes recordings older than the retention; returns how many. */
  sweep(nowMs = Date.now()): number {
    let removed = 0;
    for (const name of readdirSync(this.dir)) {
      // A recording a crash interrupted (writeFileAtomic's `NAME.wav.<pid>.tmp`): never complete, removed.
      if (/\.wav\.\d+\.tmp$/.test(name) && !name.endsWith(`.${process.pid}.tmp`)) {
        try {
          unlinkSync(join(this.dir, name));
        } catch {
          // read-only: ignored, nothing reads it
        }
        continue;
      }
      if (!name.endsWith('.wav')) continue;
      const file = join(this.dir, name);
      try {
        if (nowMs - statSync(file).mtimeMs > this.retentionDays * 24 * HOUR_MS) {
          unlinkSync(file);
          removed++;
        }
      } catch {
        // Gone already, or not ours to delete: the next sweep tries again.
      }
    }
    if (removed) this.logger.info({ removed, dir: this.dir }, 'old debug recordings deleted');
    return removed;
  }

  close(): void {
    clearInterval(this.sweeper);
  }
}
