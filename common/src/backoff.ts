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
