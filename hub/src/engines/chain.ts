import { CircuitState, ConsecutiveBreaker, TimeoutStrategy, circuitBreaker, handleWhen, timeout, wrap, type IPolicy } from 'cockatiel';
import type { Logger } from '@hugh/common';
import { HughError } from '@hugh/protocol';

export interface ChainEntry<E> {
  engine: E;
  /** Per-call limit: a hung GPU server costs at most this once. */
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

/**
 * Engines of one kind in order of preference, each behind a timeout and a circuit breaker
 * (cockatiel). A failure or time-out opens the engine's breaker: the call falls through to the
 * next engine at once, and later calls skip it until `halfOpenAfterMs` has passed and one trial
 * call succeeds. A cancelled turn is not an engine failure.
 */
export class EngineChain<E extends { name: string }> {
  private readonly entries: { engine: E; policy: IPolicy; breaker: ReturnType<typeof circuitBreaker> }[];

  constructor(
    readonly kind: string,
    entries: ChainEntry<E>[],
    private readonly logger: Logger,
    options: { halfOpenAfterMs?: number; onFailover?: (from: string, error: Error) => void } = {},
  ) {
    if (entries.length === 0) throw new HughError('HUGH_ERR_CONFIG_INVALID', `${kind}: at least one engine is needed`);
    this.onFailover = options.onFailover;
    this.entries = entries.map(({ engine, timeoutMs }) => {
      const breaker = circuitBreaker(
        handleWhen((error) => !(error instanceof HughError && error.code === 'HUGH_ERR_CANCELLED')),
        { halfOpenAfter: options.halfOpenAfterMs ?? 15_000, breaker: new ConsecutiveBreaker(1) },
      );
      breaker.onBreak(() => logger.warn({ engine: engine.name, kind }, 'engine failed: using the next one until it recovers'));
      breaker.onReset(() => logger.info({ engine: engine.name, kind }, 'engine recovered'));
      return { engine, breaker, policy: wrap(breaker, timeout(timeoutMs, TimeoutStrategy.Aggressive)) };
    });
  }

  private readonly onFailover: ((from: string, error: Error) => void) | undefined;

  get engines(): E[] {
    return this.entries.map((entry) => entry.engine);
  }

  status(): EngineStatus[] {
    return this.entries.map(({ engine, breaker }) => ({ name: engine.name, state: STATES[breaker.state] }));
  }

  /** Runs `call` on the first engine that answers; throws HUGH_ERR_ENGINE_UNAVAILABLE naming each failure. */
  async run<T>(call: (engine: E, signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<{ value: T; engine: string }> {
    const failures: string[] = [];
    for (const { engine, policy } of this.entries) {
      if (signal.aborted) break;
      try {
        const value = await policy.execute(({ signal: callSignal }) => call(engine, callSignal), signal);
        return { value: value as T, engine: engine.name };
      } catch (error) {
        if (signal.aborted) break;
        const reason = (error as Error).message || (error as Error).name;
        failures.push(`${engine.name}: ${reason}`);
        this.logger.warn({ engine: engine.name, kind: this.kind, reason }, 'engine call failed; trying the next');
        this.onFailover?.(engine.name, error as Error);
      }
    }
    if (signal.aborted) throw new HughError('HUGH_ERR_CANCELLED', `${this.kind}: turn cancelled`);
    throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `every ${this.kind} engine failed (${failures.join('; ')})`);
  }
}
