import { describe, expect, it } from 'vitest';
import { AsyncQueue, orderedMap } from '@hugh/common';

/** A promise resolved or rejected from outside: the test decides when each call finishes. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((ok, fail) => ((resolve = ok), (reject = fail)));
  return { promise, resolve, reject };
}

/** Lets every pending promise callback run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('orderedMap', () => {
  it('yields results in the order of the source, whatever order the calls finish in', async () => {
    const calls = new Map<number, ReturnType<typeof deferred<string>>>();
    const source = new AsyncQueue<number>();
    const out: string[] = [];
    const done = (async () => {
      for await (const value of orderedMap(source, 3, (item) => (calls.set(item, deferred<string>()), calls.get(item)!.promise))) out.push(value);
    })();
    for (const item of [1, 2, 3]) source.push(item);
    source.end();
    await settle();
    calls.get(3)!.resolve('c');
    calls.get(2)!.resolve('b');
    await settle();
    expect(out).toEqual([]);
    calls.get(1)!.resolve('a');
    await done;
    expect(out).toEqual(['a', 'b', 'c']);
  });

  it('keeps at most `concurrency` items in flight, counting the one the consumer holds', async () => {
    const source = new AsyncQueue<number>();
    for (let i = 0; i < 5; i++) source.push(i);
    source.end();
    const startedItems: number[] = [];
    const iterator = orderedMap(source, 2, async (item) => (startedItems.push(item), item))[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toBe(0);
    await settle();
    // The consumer holds item 0: only item 1 has been started ahead of it.
    expect(startedItems).toEqual([0, 1]);
    expect((await iterator.next()).value).toBe(1);
    await settle();
    expect(startedItems).toEqual([0, 1, 2]);
    const rest: number[] = [];
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) rest.push(next.value);
    expect(rest).toEqual([2, 3, 4]);
  });

  it('does not hold a finished result back while the source is slow to give the next item', async () => {
    const source = new AsyncQueue<number>();
    const iterator = orderedMap(source, 2, async (item) => item * 10)[Symbol.asyncIterator]();
    source.push(1);
    expect(await iterator.next()).toEqual({ value: 10, done: false });
    source.end();
    expect((await iterator.next()).done).toBe(true);
  });

  it('throws an error of fn at its place, after the results before it, and aborts the calls still in flight', async () => {
    const source = new AsyncQueue<number>();
    const signals: AbortSignal[] = [];
    const later = deferred<number>();
    const out: number[] = [];
    for (const item of [1, 2, 3]) source.push(item);
    source.end();
    const run = (async () => {
      for await (const value of orderedMap(source, 3, (item, signal) => {
        signals.push(signal);
        if (item === 2) return Promise.reject(new Error('engine down'));
        return item === 3 ? later.promise : Promise.resolve(item);
      })) out.push(value);
    })();
    await expect(run).rejects.toThrow('engine down');
    expect(out).toEqual([1]);
    expect(signals.every((signal) => signal.aborted)).toBe(true);
  });

  it('throws an error of the source after the results started before it', async () => {
    const source = new AsyncQueue<number>();
    source.push(1);
    source.fail(new Error('stream broke'));
    const out: number[] = [];
    await expect(
      (async () => {
        for await (const value of orderedMap(source, 2, async (item) => item)) out.push(value);
      })(),
    ).rejects.toThrow('stream broke');
    expect(out).toEqual([]); // AsyncQueue.fail drops what it held: nothing was started
  });

  it('stopping early (break) aborts the calls in flight and closes the source', async () => {
    const source = new AsyncQueue<number>();
    for (const item of [1, 2, 3]) source.push(item);
    const signals: AbortSignal[] = [];
    for await (const value of orderedMap(source, 2, (item, signal) => (signals.push(signal), Promise.resolve(item)))) {
      expect(value).toBe(1);
      break;
    }
    expect(signals.length).toBeGreaterThan(0);
    expect(signals.every((signal) => signal.aborted)).toBe(true);
    expect(source.closed).toBe(true);
  });
});
