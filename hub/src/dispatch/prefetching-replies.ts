import { AsyncQueue } from '@hugh/common';
import type { ReplyContext, ReplyGenerator } from '../pipeline/replies.js';

interface Prefetch {
  transcript: string;
  /** The turn it was made for: a later turn's clean-up must not drop the next turn's prefetch. */
  turnSignal: AbortSignal;
  controller: AbortController;
  /** What the answer has said so far, and then the rest as it comes. */
  pieces: string[];
  live: AsyncQueue<string> | undefined;
  done: boolean;
  error: { error: unknown } | undefined;
  decide: (committed: boolean) => void;
}

/**
 * Lets a slow reply (the language model) start before the turn is over: `prefetch` runs it on a
 * speculative transcript and keeps what it says; `reply` with the same transcript on the same
 * satellite then adopts it (what came so far, then the rest live) instead of asking again. A prefetch
 * that is dropped (the user spoke on) or replaced is aborted, and told it was not the answer.
 */
export class PrefetchingReplies implements ReplyGenerator {
  private readonly prefetches = new Map<string, Prefetch>();

  constructor(private readonly inner: ReplyGenerator) {}

  /** Starts answering `transcript` for the satellite ahead of the commit; a previous prefetch there is dropped. */
  prefetch(transcript: string, context: Omit<ReplyContext, 'committed'>): void {
    this.drop(context.satelliteId);
    const controller = new AbortController();
    const signal = AbortSignal.any([context.signal, controller.signal]);
    let decide!: (committed: boolean) => void;
    const committed = new Promise<boolean>((resolve) => (decide = resolve));
    const prefetch: Prefetch = { transcript, turnSignal: context.signal, controller, pieces: [], live: undefined, done: false, error: undefined, decide };
    // A turn that ends (cancelled, or over) without adopting it decides too: the reply must not wait for ever.
    signal.addEventListener('abort', () => decide(false), { once: true });
    this.prefetches.set(context.satelliteId, prefetch);
    void (async () => {
      try {
        for await (const piece of this.inner.reply(transcript, { ...context, signal, committed })) {
          if (prefetch.live) prefetch.live.push(piece);
          else prefetch.pieces.push(piece);
        }
      } catch (error) {
        prefetch.error = { error };
        prefetch.live?.fail(error);
      } finally {
        prefetch.done = true;
        prefetch.live?.end();
      }
    })();
  }

  /** The speculation was wrong (speech went on), or its turn is over: abort its reply. With `turnSignal`, only that turn's. */
  drop(satelliteId: string, turnSignal?: AbortSignal): void {
    const prefetch = this.prefetches.get(satelliteId);
    if (!prefetch || (turnSignal && prefetch.turnSignal !== turnSignal)) return;
    this.prefetches.delete(satelliteId);
    prefetch.decide(false);
    prefetch.controller.abort();
  }

  async *reply(transcript: string, context: ReplyContext): AsyncIterable<string> {
    const prefetch = this.prefetches.get(context.satelliteId);
    if (!prefetch || prefetch.transcript !== transcript) {
      this.drop(context.satelliteId);
      yield* this.inner.reply(transcript, context);
      return;
    }
    this.prefetches.delete(context.satelliteId);
    prefetch.decide(true);
    const onAbort = () => prefetch.controller.abort();
    context.signal.addEventListener('abort', onAbort, { once: true });
    try {
      // From here on the prefetch writes to `live`; what it said before is in `pieces`.
      if (!prefetch.done) prefetch.live = new AsyncQueue<string>();
      yield* prefetch.pieces.splice(0);
      if (prefetch.error) throw prefetch.error.error;
      if (prefetch.live) yield* prefetch.live;
    } finally {
      context.signal.removeEventListener('abort', onAbort);
      prefetch.controller.abort();
    }
  }
}
