/**
 * A push-fed AsyncIterable: the one stream type of the project. Producers `push`, then `end` or
 * `fail`; one consumer iterates. Breaking out of the loop closes the queue and drops what is left.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private waiting: ((result: IteratorResult<T>) => void) | undefined;
  private rejectWaiting: ((error: unknown) => void) | undefined;
  private ended = false;
  private error: unknown;
  private failed = false;

  get closed(): boolean {
    return this.ended || this.failed;
  }

  get size(): number {
    return this.items.length;
  }

  /** Adds an item; returns false (and drops it) once the queue is closed. */
  push(item: T): boolean {
    if (this.closed) return false;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = this.rejectWaiting = undefined;
      resolve({ value: item, done: false });
    } else {
      this.items.push(item);
    }
    return true;
  }

  end(): void {
    if (this.closed) return;
    this.ended = true;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = this.rejectWaiting = undefined;
      resolve({ value: undefined, done: true });
    }
  }

  fail(error: unknown): void {
    if (this.closed) return;
    this.failed = true;
    this.error = error;
    this.items.length = 0;
    if (this.rejectWaiting) {
      const reject = this.rejectWaiting;
      this.waiting = this.rejectWaiting = undefined;
      reject(error);
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        if (this.items.length > 0) return Promise.resolve({ value: this.items.shift() as T, done: false });
        if (this.failed) return Promise.reject(this.error);
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve, reject) => {
          this.waiting = resolve;
          this.rejectWaiting = reject;
        });
      },
      return: () => {
        this.items.length = 0;
        this.end();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
