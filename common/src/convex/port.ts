import { ConvexClient } from 'convex/browser';
import type { FunctionArgs, FunctionReference, FunctionReturnType } from 'convex/server';
import WebSocket from 'ws';

/**
 * What the hub and the worker use of Convex: the part of `ConvexClient` they call. Tests put
 * convex-test's backend behind the same interface, so the code under test is the code deployed.
 */
export interface ConvexPort {
  query<F extends FunctionReference<'query'>>(fn: F, args: FunctionArgs<F>): Promise<Awaited<FunctionReturnType<F>>>;
  mutation<F extends FunctionReference<'mutation'>>(fn: F, args: FunctionArgs<F>): Promise<Awaited<FunctionReturnType<F>>>;
  /** Calls back with the query's result now and whenever it changes; returns the unsubscribe. */
  onUpdate<F extends FunctionReference<'query'>>(
    fn: F,
    args: FunctionArgs<F>,
    callback: (result: Awaited<FunctionReturnType<F>>) => unknown,
    onError?: (error: Error) => unknown,
  ): () => void;
  close(): Promise<void>;
}

/**
 * A ConvexClient (one WebSocket, reactive queries). Node 20 has no global WebSocket, so ws is
 * handed in. While the deployment is unreachable its calls wait and are retried on reconnect:
 * callers bound them with their own timeouts.
 */
export function connectConvex(url: string): ConvexPort {
  return new ConvexClient(url, { webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket, unsavedChangesWarning: false });
}
