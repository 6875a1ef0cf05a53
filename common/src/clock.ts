/**
 * Unix epoch milliseconds with sub-millisecond precision (a monotonic clock anchored at process
 * start). Turn records use it: the hub's own overhead is a few milliseconds, and Date.now()'s whole
 * milliseconds would make each of its four terms ±1 ms.
 */
export function preciseNowMs(): number {
  return performance.timeOrigin + performance.now();
}
