import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { convexTest } from 'convex-test';
import type { FunctionArgs, FunctionReference, FunctionReturnType } from 'convex/server';
import { silentLogger } from '@hugh/common';
import { type ChatModel, type ConvexPort } from '@hugh/common/clients';
import { LlmWorker, type WorkerOptions } from '@hugh/worker';
import schema from '../convex/schema.js';

const CONVEX_DIR = fileURLToPath(new URL('../convex/', import.meta.url));

/**
 * Every function module of convex/ for convex-test, keyed as convex/test.setup.ts's
 * `import.meta.glob` keys them. Listed by hand so that this backend also runs outside vitest (the
 * soak runs it under tsx, where `import.meta.glob` does not exist).
 */
function functionModules(dir = CONVEX_DIR, modules: Record<string, () => Promise<unknown>> = {}): Record<string, () => Promise<unknown>> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) functionModules(path, modules);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && entry.name !== 'test.setup.ts') modules[`./${relative(CONVEX_DIR, path)}`] = () => import(pathToFileURL(path).href);
  }
  return modules;
}

export const TEST_CONVEX_SECRET = 'test-secret-for-the-convex-backend';

type Call = { kind: 'query' | 'mutation'; name: string; args: unknown };

/**
 * The real Convex functions on convex-test's in-memory backend, behind the ConvexPort interface the
 * ConvexClient implements. Subscriptions are re-run after every mutation (what the real backend's
 * reactivity amounts to, without its granularity). `down()` makes calls wait as ConvexClient does
 * while disconnected; `up()` lets them through. Every call is recorded for privacy checks.
 */
export class ConvexTestBackend {
  readonly t = convexTest(schema, functionModules());
  readonly calls: Call[] = [];
  private readonly subscriptions = new Set<() => Promise<void>>();
  private poller: NodeJS.Timeout | undefined;
  private reachable = true;
  private waiters: (() => void)[] = [];
  private running = 0;

  /** Calls made and not yet answered, those waiting while the backend is down included. */
  get pending(): number {
    return this.running;
  }

  down(): void {
    this.reachable = false;
  }

  up(): void {
    this.reachable = true;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  port(): ConvexPort {
    const backend = this;
    return {
      async query<F extends FunctionReference<'query'>>(fn: F, args: FunctionArgs<F>) {
        backend.running++;
        try {
          await backend.reach();
          backend.record('query', fn, args);
          return (await backend.callQuery(fn, args)) as Awaited<FunctionReturnType<F>>;
        } finally {
          backend.running--;
        }
      },
      async mutation<F extends FunctionReference<'mutation'>>(fn: F, args: FunctionArgs<F>) {
        backend.running++;
        try {
          await backend.reach();
          backend.record('mutation', fn, args);
          try {
            return (await backend.callMutation(fn, args)) as Awaited<FunctionReturnType<F>>;
          } finally {
            await backend.refresh();
          }
        } finally {
          backend.running--;
        }
      },
      onUpdate<F extends FunctionReference<'query'>>(fn: F, args: FunctionArgs<F>, callback: (result: Awaited<FunctionReturnType<F>>) => unknown, onError?: (error: Error) => unknown) {
        let last: string | undefined;
        let active = true;
        const run = async () => {
          if (!active || !backend.reachable) return;
          try {
            const result = (await backend.callQuery(fn, args)) as Awaited<FunctionReturnType<F>>;
            const json = JSON.stringify(result);
            if (active && json !== last) {
              last = json;
              callback(result);
            }
          } catch (error) {
            if (active) onError?.(error as Error);
          }
        };
        backend.record('query', fn, args);
        backend.subscriptions.add(run);
        // Scheduled functions (lease expiry) change data without a mutation through this port.
        backend.poller ??= setInterval(() => void backend.refresh(), 50);
        void run();
        return () => {
          active = false;
          backend.subscriptions.delete(run);
        };
      },
      async close() {
        backend.close();
      },
    };
  }

  close(): void {
    this.subscriptions.clear();
    clearInterval(this.poller);
    this.poller = undefined;
  }

  // convex-test's overloads cannot follow a generic reference; the port's signature carries the types.
  private callQuery(fn: unknown, args: unknown): Promise<unknown> {
    return (this.t.query as (fn: unknown, args: unknown) => Promise<unknown>)(fn, args);
  }

  private callMutation(fn: unknown, args: unknown): Promise<unknown> {
    return (this.t.mutation as (fn: unknown, args: unknown) => Promise<unknown>)(fn, args);
  }

  private record(kind: Call['kind'], fn: FunctionReference<'query' | 'mutation'>, args: unknown): void {
    this.calls.push({ kind, name: (fn as unknown as Record<symbol, string>)[Symbol.for('functionName')] ?? '?', args });
  }

  private reach(): Promise<void> {
    return this.reachable ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }

  private async refresh(): Promise<void> {
    await Promise.all([...this.subscriptions].map((run) => run()));
  }
}

/** An LLM worker on the test backend, with the models given by the name turns ask for; started. */
export function startTestWorker(port: ConvexPort, workerId: string, models: Record<string, ChatModel>, overrides: Partial<WorkerOptions> = {}): LlmWorker {
  const worker = new LlmWorker(port, {
    workerId,
    secret: TEST_CONVEX_SECRET,
    models: new Map(Object.entries(models)),
    concurrency: 2,
    batchMs: 100,
    leaseRenewMs: 5_000,
    heartbeatMs: 10_000,
    firstTokenTimeoutMs: 5_000,
    stallTimeoutMs: 5_000,
    logger: silentLogger(),
    ...overrides,
  });
  worker.start();
  return worker;
}
