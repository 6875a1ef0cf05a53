/**
 * Exponential backoff with jitter, capped: delay n is uniform in [½, 1] × min(cap, base × 2ⁿ).
 * The half-jitter keeps a fleet of satellites from reconnecting in lock-step after a hub restart
 * while bounding the worst case by the cap.
 */
export class Backoff {
  private attempt = 0;
  constructor(
    readonly baseMs = 250,
    readonly capMs = 3_000,
    private readonly random: () => number = Math.random,
  ) {}

  nextDelayMs(): number {
    const ceiling = Math.min(this.capMs, this.baseMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    return Math.round(ceiling * (0.5 + 0.5 * this.random()));
  }

  reset(): void {
    this.attempt = 0;
  }
}

/** Runs `attempt` after the next backoff delay; at most one attempt is pending, none after `stop()`. */
export class RetryTimer {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly backoff: Backoff,
    private readonly attempt: () => void,
  ) {}

  /** Schedules one attempt; returns its delay, or undefined if one is pending or it was stopped. */
  schedule(): number | undefined {
    if (this.stopped || this.timer) return undefined;
    const delayMs = this.backoff.nextDelayMs();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.stopped) this.attempt();
    }, delayMs);
    return delayMs;
  }

  succeeded(): void {
    this.backoff.reset();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  get isStopped(): boolean {
    return this.stopped;
  }
}
