/** Counts bad inputs in a sliding window; over the limit, the sender is disconnected. */
export class ErrorBudget {
  private readonly times: number[] = [];
  constructor(
    private readonly maxErrors: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records one error; returns true when the budget is exhausted. */
  spend(): boolean {
    const now = this.now();
    this.times.push(now);
    while (this.times.length > 0 && (this.times[0] as number) < now - this.windowMs) this.times.shift();
    return this.times.length > this.maxErrors;
  }
}
