import { HughError } from '@hugh/protocol';

/**
 * The promise's result, or a HUGH_ERR_TIMEOUT naming `what` after `timeoutMs`. The promise itself
 * goes on (a queued Convex call cannot be withdrawn): callers that care handle its late result.
 */
export function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HughError('HUGH_ERR_TIMEOUT', `${what}: no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
