import { describe, expect, it } from 'vitest';
import { AsyncQueue } from '@hugh/common';

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe('AsyncQueue', () => {
  it('delivers items pushed before and after the consumer waits, in order', async () => {
    const queue = new AsyncQueue<number>();
    queue.push(1);
    const done = collect(queue);
    queue.push(2);
    await Promise.resolve();
    queue.push(3);
    queue.end();
    expect(await done).toEqual([1, 2, 3]);
    expect(queue.push(4)).toBe(false);
  });

  it('rejects the waiting consumer on fail', async () => {
    const queue = new AsyncQueue<number>();
    const done = collect(queue);
    queue.fail(new Error('mic gone'));
    await expect(done).rejects.toThrow('mic gone');
  });

  it('closes when the consumer breaks out', async () => {
    const queue = new AsyncQueue<number>();
    queue.push(1);
    queue.push(2);
    for await (const item of queue) {
      expect(item).toBe(1);
      break;
    }
    expect(queue.closed).toBe(true);
    expect(queue.size).toBe(0);
  });
});
