/**
 * Collects model output and decides when to write it: at a sentence end (the hub can start
 * speaking it) or once `batchMs` has passed since the first unwritten piece. Fewer, fuller writes
 * than one per token; never more than `batchMs` behind the model.
 */
export class ReplyBatcher {
  private pending = '';
  private since: number | undefined;

  constructor(private readonly batchMs: number) {}

  /** Adds a piece; returns the text to write now, if it is time. */
  add(piece: string, nowMs: number): string | undefined {
    this.pending += piece;
    this.since ??= nowMs;
    if (/[.!?…]["')\]]?\s*$/.test(this.pending) || nowMs - this.since >= this.batchMs) return this.take();
    return undefined;
  }

  /** Text waiting longer than `batchMs` (called by a timer while the model is quiet). */
  due(nowMs: number): string | undefined {
    return this.since !== undefined && nowMs - this.since >= this.batchMs ? this.take() : undefined;
  }

  take(): string | undefined {
    const text = this.pending;
    this.pending = '';
    this.since = undefined;
    return text || undefined;
  }
}
