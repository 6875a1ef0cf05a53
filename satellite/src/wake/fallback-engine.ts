import type { Logger } from '@hugh/common';
import type { KeywordScore, WakeWordEngine } from './wake-word-engine.js';

/**
 * Runs the primary engine until it fails, then the fallback for good: a Porcupine AccessKey
 * refused weeks after start must not leave the satellite deaf.
 */
export class FallbackEngine implements WakeWordEngine {
  private active: WakeWordEngine;

  constructor(
    primary: WakeWordEngine,
    private readonly fallback: WakeWordEngine,
    private readonly logger: Logger,
  ) {
    this.active = primary;
  }

  get name(): string {
    return this.active.name;
  }
  get frameSamples(): number {
    return this.active.frameSamples;
  }
  get keywords(): readonly string[] {
    return this.active.keywords;
  }
  get thresholds(): ReadonlyMap<string, number> {
    return this.active.thresholds;
  }

  async process(frame: Int16Array): Promise<KeywordScore[]> {
    if (this.active === this.fallback) return this.fallback.process(frame);
    try {
      return await this.active.process(frame);
    } catch (error) {
      this.logger.error({ err: error }, `${this.active.name} failed; continuing on ${this.fallback.name}`);
      const failed = this.active;
      this.active = this.fallback;
      void failed.close().catch(() => undefined);
      return [];
    }
  }

  reset(): void {
    this.active.reset();
  }

  async close(): Promise<void> {
    await this.active.close();
    if (this.active !== this.fallback) await this.fallback.close();
  }
}
