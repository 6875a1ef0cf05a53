/**
 * Maps a stream through `fn`, with up to `concurrency` items in flight at once, and yields the
 * results in the source's order. An item is in flight from the moment `fn` starts on it until the
 * consumer asks for the item after it, so `concurrency` bounds the work done ahead of the consumer
 * as well as the calls running at once (sentence synthesis: one playing, the next being made).
 * The source is read ahead while the consumer waits, so a ready result never waits for the next item.
 *
 * An error, from the source or from `fn`, is thrown at its place in the order, after the results
 * before it. When the consumer stops early (break, throw) or `fn` fails, the signal given to the
 * calls still in flight aborts and the source is closed.
 */
export async function* orderedMap<T, R>(source: AsyncIterable<T>, concurrency: number, fn: (item: T, signal: AbortSignal) => Promise<R>): AsyncIterable<R> {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  const controller = new AbortController();
  const iterator = source[Symbol.asyncIterator]();
  /** Started and not yet passed by the consumer, in order. Rejections are awaited in order, never left unhandled. */
  const started: Promise<R>[] = [];
  let sourceFinished = false;
  let sourceError: { error: unknown } | undefined;
  let stopped = false;
  let wakeConsumer: (() => void) | undefined;
  let wakeReader: (() => void) | undefined;
  const notify = () => {
    const wake = wakeConsumer;
    wakeConsumer = undefined;
    wake?.();
  };

  const reader = (async () => {
    try {
      for (;;) {
        while (started.length >= concurrency && !stopped) await new Promise<void>((resolve) => (wakeReader = resolve));
        if (stopped) return;
        const next = await iterator.next();
        if (next.done || stopped) return;
        const result = fn(next.value, controller.signal);
        result.catch(() => undefined);
        started.push(result);
        notify();
      }
    } catch (error) {
      sourceError = { error };
    } finally {
      sourceFinished = true;
      notify();
    }
  })();

  try {
    for (;;) {
      while (started.length === 0 && !sourceFinished) await new Promise<void>((resolve) => (wakeConsumer = resolve));
      const head = started[0];
      if (!head) {
        if (sourceError) throw sourceError.error;
        return;
      }
      yield await head;
      started.shift();
      const wake = wakeReader;
      wakeReader = undefined;
      wake?.();
    }
  } finally {
    stopped = true;
    controller.abort();
    const wake = wakeReader;
    wakeReader = undefined;
    wake?.();
    // Not awaited: an async generator queues return() behind a pending next(), which may wait on a model.
    if (!sourceFinished) void Promise.resolve(iterator.return?.()).catch(() => undefined);
    void reader;
  }
}
