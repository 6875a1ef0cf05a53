import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, TimeoutStrategy, circuitBreaker, handleWhen, timeout, wrap, type CircuitBreakerPolicy, type IPolicy } from 'cockatiel';
import type { Logger } from '@hugh/common';
import { HughError } from '@hugh/protocol';

/**
 * A signal of the call's own for cockatiel, which is never aborted (the caller's is not handed to it,
 * see untilCancelled). Without one, cockatiel hangs each call's timeout listener on a single shared
 * signal: with more than ten calls in flight (a house full of satellites) Node then warns of a leak.
 */
const ownSignal = () => new AbortController().signal;

export interface ChainEntry<E> {
  engine: E;
  /** Per-call limit: a hung GPU server costs at most this once (for a stream: to its first chunk, and between chunks). */
  timeoutMs: number;
}

export interface EngineStatus {
  name: string;
  state: 'closed' | 'open' | 'half-open' | 'isolated';
}

const STATES: Record<CircuitState, EngineStatus['state']> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

/** When a trial's timer fires before the breaker's own clock allows it. */
const TRIAL_RETRY_MS = 50;

const isCancel = (error: unknown) => error instanceof HughError && error.code === 'HUGH_ERR_CANCELLED';

interface Entry<E> {
  engine: E;
  timeoutMs: number;
  policy: IPolicy;
  breaker: CircuitBreakerPolicy;
  trialTimer?: NodeJS.Timeout;
}

export interface ChainOptions<E> {
  /** How long a failed engine is skipped before one trial call. */
  halfOpenAfterMs?: number;
  /** An engine call failed or timed out, and the next engine was tried (or the stream broke off). */
  onFailover?: (from: string, error: Error) => void;
  /**
   * A small real call (a transcription of silence, a one-word synthesis) made as the trial of an
   * engine whose breaker is open, once its `halfOpenAfterMs` is up: a recovered engine is noticed
   * without waiting for someone to speak. A failed trial keeps it open until the next one.
   */
  trial?: (engine: E, signal: AbortSignal) => Promise<unknown>;
  /** A trial (or a user's call) succeeded: the engine serves again. */
  onRecover?: (engine: string) => void;
}

/**
 * Engines of one kind in order of preference, each behind a timeout and a circuit breaker
 * (cockatiel). A failure or time-out opens the engine's breaker: the call falls through to the
 * next engine at once, and later calls skip it until `halfOpenAfterMs` has passed and one trial
 * call succeeds. A cancelled turn is never an engine failure, whatever error the adapter threw when
 * its request was aborted: the chain looks at the caller's signal, not at the error.
 */
export class EngineChain<E extends { name: string }> {
  private readonly entries: Entry<E>[];
  private readonly onFailover: ((from: string, error: Error) => void) | undefined;
  private readonly trials = new AbortController();

  constructor(
    readonly kind: string,
    entries: ChainEntry<E>[],
    private readonly logger: Logger,
    private readonly options: ChainOptions<E> = {},
  ) {
    if (entries.length === 0) throw new HughError('HUGH_ERR_CONFIG_INVALID', `${kind}: at least one engine is needed`);
    this.onFailover = options.onFailover;
    const halfOpenAfterMs = options.halfOpenAfterMs ?? 15_000;
    this.entries = entries.map(({ engine, timeoutMs }) => {
      const breaker = circuitBreaker(handleWhen((error) => !isCancel(error)), { halfOpenAfter: halfOpenAfterMs, breaker: new ConsecutiveBreaker(1) });
      const entry: Entry<E> = { engine, timeoutMs, breaker, policy: wrap(breaker, timeout(timeoutMs, TimeoutStrategy.Aggressive)) };
      breaker.onBreak(() => {
        logger.warn({ engine: engine.name, kind }, 'engine failed: using the next one until it recovers');
        this.scheduleTrial(entry, halfOpenAfterMs);
      });
      breaker.onReset(() => {
        logger.info({ engine: engine.name, kind }, 'engine recovered');
        options.onRecover?.(engine.name);
      });
      return entry;
    });
  }

  get engines(): E[] {
    return this.entries.map((entry) => entry.engine);
  }

  status(): EngineStatus[] {
    return this.entries.map(({ engine, breaker }) => ({ name: engine.name, state: STATES[breaker.state] }));
  }

  /** Runs `call` on the first engine that answers; throws HUGH_ERR_ENGINE_UNAVAILABLE naming each failure. */
  async run<T>(call: (engine: E, signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<{ value: T; engine: string }> {
    const failures: string[] = [];
    for (const entry of this.entries) {
      if (signal.aborted) break;
      try {
        const value = await entry.policy.execute(({ signal: policySignal }) => this.untilCancelled(call(entry.engine, AbortSignal.any([policySignal, signal])), signal), ownSignal());
        return { value: value as T, engine: entry.engine.name };
      } catch (error) {
        if (signal.aborted) break;
        this.failed(entry, error, failures);
      }
    }
    throw this.exhausted(signal, failures);
  }

  /**
   * Streams from the first engine that starts streaming. The timeout and the breaker cover the
   * wait for the first chunk, so a dead or hung engine costs its timeout once and the next engine
   * takes over; after the first chunk a stream cannot move to another engine mid-way. There, a
   * silence longer than the timeout or an error ends the stream with HUGH_ERR_ENGINE_UNAVAILABLE and
   * counts against the engine, so the next call skips it.
   */
  async *stream<T>(open: (engine: E, signal: AbortSignal) => AsyncIterable<T>, signal: AbortSignal): AsyncIterable<{ value: T; engine: string }> {
    const failures: string[] = [];
    for (const entry of this.entries) {
      if (signal.aborted) break;
      const controller = new AbortController();
      const callSignal = AbortSignal.any([signal, controller.signal]);
      const iterator = open(entry.engine, callSignal)[Symbol.asyncIterator]();
      let first: IteratorResult<T>;
      // The policy's signal fires on a timeout, and also when the call settles (cockatiel cleans up):
      // it may abort the stream only while the first chunk is awaited.
      let unlink = () => undefined as void;
      try {
        first = await entry.policy.execute(({ signal: policySignal }) => {
          const onAbort = () => controller.abort(policySignal.reason);
          policySignal.addEventListener('abort', onAbort, { once: true });
          unlink = () => policySignal.removeEventListener('abort', onAbort);
          return this.untilCancelled(
            iterator.next().then((result) => (unlink(), result)),
            signal,
          );
        }, ownSignal());
      } catch (error) {
        controller.abort();
        void Promise.resolve(iterator.return?.()).catch(() => undefined);
        if (signal.aborted) break;
        this.failed(entry, error, failures);
        continue;
      }
      try {
        for (let next = first; !next.done; next = await this.nextWithin(iterator, entry, signal)) {
          // Audio the engine had already made when the turn was cancelled is not played.
          if (signal.aborted) throw new HughError('HUGH_ERR_CANCELLED', `${this.kind}: turn cancelled`);
          yield { value: next.value, engine: entry.engine.name };
        }
      } catch (error) {
        if (signal.aborted || isCancel(error)) throw new HughError('HUGH_ERR_CANCELLED', `${this.kind}: turn cancelled`);
        // Counted against the engine as any failure: the breaker opens, later calls skip it.
        await entry.breaker.execute(() => Promise.reject(error)).catch(() => undefined);
        this.logger.warn({ engine: entry.engine.name, kind: this.kind, reason: (error as Error).message }, 'engine failed in the middle of a stream');
        this.onFailover?.(entry.engine.name, error as Error);
        throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${entry.engine.name}: stream broke off: ${(error as Error).message}`);
      } finally {
        controller.abort();
        void Promise.resolve(iterator.return?.()).catch(() => undefined);
      }
      return;
    }
    throw this.exhausted(signal, failures);
  }

  /** The next chunk, or a timeout when the engine is silent longer than its timeout. */
  private nextWithin<T>(iterator: AsyncIterator<T>, entry: Entry<E>, signal: AbortSignal): Promise<IteratorResult<T>> {
    let timer: NodeJS.Timeout | undefined;
    const silent = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new HughError('HUGH_ERR_TIMEOUT', `silent for ${entry.timeoutMs} ms`)), entry.timeoutMs);
    });
    return Promise.race([iterator.next().catch((error: unknown) => this.asCancel(error, signal)), silent]).finally(() => clearTimeout(timer));
  }

  /**
   * The call, or HUGH_ERR_CANCELLED as soon as the caller cancels. The caller's signal is not handed
   * to cockatiel: its timeout policy reports a parent's abort as a time-out, which the breaker would
   * count against the engine.
   */
  private untilCancelled<T>(call: Promise<T>, signal: AbortSignal): Promise<T> {
    let onAbort = () => undefined as void;
    const cancelled = new Promise<never>((_, reject) => {
      onAbort = () => reject(new HughError('HUGH_ERR_CANCELLED', `${this.kind}: turn cancelled`));
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    return Promise.race([call.catch((error: unknown) => this.asCancel(error, signal)), cancelled]).finally(() => signal.removeEventListener('abort', onAbort));
  }

  /** An adapter's error after the caller cancelled is a cancellation, whatever the adapter made of its aborted request. */
  private asCancel(error: unknown, signal: AbortSignal): never {
    if (signal.aborted) throw new HughError('HUGH_ERR_CANCELLED', `${this.kind}: turn cancelled`, { cause: error });
    throw error;
  }

  /** Stops the trial calls (the hub is stopping). */
  close(): void {
    this.trials.abort();
    for (const entry of this.entries) clearTimeout(entry.trialTimer);
  }

  /**
   * One trial call once the breaker lets one through. Only while it is still open: a user's call
   * may have been the trial already (half-open) or have closed it.
   */
  private scheduleTrial(entry: Entry<E>, delayMs: number): void {
    const trial = this.options.trial;
    if (!trial || this.trials.signal.aborted) return;
    clearTimeout(entry.trialTimer);
    entry.trialTimer = setTimeout(() => {
      if (entry.breaker.state !== CircuitState.Open || this.trials.signal.aborted) return;
      entry.policy.execute(({ signal }) => trial(entry.engine, AbortSignal.any([signal, this.trials.signal])), this.trials.signal).catch((error: unknown) => {
        // A timer that fired a moment before the breaker's clock allows a trial: try again shortly.
        if (error instanceof BrokenCircuitError) this.scheduleTrial(entry, TRIAL_RETRY_MS);
        else this.logger.debug({ engine: entry.engine.name, kind: this.kind, reason: (error as Error).message }, 'trial call failed; the engine stays skipped');
      });
    }, delayMs);
    entry.trialTimer.unref();
  }

  private failed(entry: Entry<E>, error: unknown, failures: string[]): void {
    const reason = (error as Error).message || (error as Error).name;
    failures.push(`${entry.engine.name}: ${reason}`);
    this.logger.warn({ engine: entry.engine.name, kind: this.kind, reason }, 'engine call failed; trying the next');
    this.onFailover?.(entry.engine.name, error as Error);
  }

  private exhausted(signal: AbortSignal, failures: string[]): HughError {
    if (signal.aborted) return new HughError('HUGH_ERR_CANCELLED', `${this.kind}: turn cancelled`);
    return new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `every ${this.kind} engine failed (${failures.join('; ')})`);
  }
}
