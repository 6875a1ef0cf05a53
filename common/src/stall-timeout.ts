import { HughError } from '@hugh/protocol';

export interface StallTimeoutOptions {
  /** Longest wait for the first item. */
  firstItemMs: number;
  /** Longest wait for each later item, counted from the moment the consumer asks for it. */
  stallMs: number;
  /** The caller's own signal (barge-in): it aborts the source too, and is not a timeout. */
  signal?: AbortSignal;
  /** Names the source in the timeout's message. */
  what: string;
}

/** A promise that rejects with the signal's reason when it aborts. */
function whenAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/**
 * The items of a stream opened with `open(signal)`, failing with HUGH_ERR_TIMEOUT when the first
 * does not come within `firstItemMs` or a later one within `stallMs`. Only the source's silence
 * counts: the time the consumer spends between items (speaking a sentence) does not. On a timeout
 * the signal given to `open` aborts, so the model's request is cancelled too; a source that ignores
 * it is not waited for.
 */
export async function* withStallTimeout<T>(open: (signal: AbortSignal) => AsyncIterable<T>, options: StallTimeoutOptions): AsyncIterable<T> {
  const watchdog = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, watchdog.signal]) : watchdog.signal;
  const iterator = open(signal)[Symbol.asyncIterator]();
  const aborted = whenAborted(signal);
  aborted.catch(() => undefined);
  let first = true;
  try {
    for (;;) {
      const timeoutMs = first ? options.firstItemMs : options.stallMs;
      const timer = setTimeout(
        () => watchdog.abort(new HughError('HUGH_ERR_TIMEOUT', first ? `${options.what}: nothing within ${timeoutMs} ms` : `${options.what}: silent for ${timeoutMs} ms`)),
        timeoutMs,
      );
      let next: IteratorResult<T>;
      try {
        next = await Promise.race([iterator.next(), aborted]);
      } catch (error) {
        throw watchdog.signal.aborted ? watchdog.signal.reason : error;
      } finally {
        clearTimeout(timer);
      }
      if (next.done) return;
      first = false;
      yield next.value;
    }
  } finally {
    watchdog.abort();
    void Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
}
