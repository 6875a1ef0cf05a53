import { randomUUID } from 'node:crypto';
import { AsyncQueue, withStallTimeout, withTimeout, type Logger } from '@hugh/common';
import { convexFunctions, type ConvexPort, type TurnView } from '@hugh/common/clients';
import { HughError } from '@hugh/protocol';
import type { ReplyContext, ReplyGenerator } from '../pipeline/replies.js';
import { APOLOGIES } from './apologies.js';
import type { ModelRouter } from './router.js';

export interface ConvexRepliesOptions {
  secret: string;
  router: ModelRouter;
  submitTimeoutMs: number;
  firstTextTimeoutMs: number;
  stallTimeoutMs: number;
  /** After a submit that failed, turns skip Convex for this long (config `convex.halfOpenAfterMs`). */
  halfOpenAfterMs: number;
  logger: Logger;
  now?: () => number;
}


/**
 * The Convex dispatcher: submits the question as a turn, follows the turn with a subscription and
 * yields the reply as a worker writes it. When Convex does not take the turn, or no worker starts
 * answering, within its timeout, the local dispatcher answers instead, so the user always hears
 * something. Only text and metadata go to Convex.
 */
export class ConvexReplies implements ReplyGenerator {
  /** Whether the last turn reached Convex (for /healthz). */
  reachable = true;
  /** Until then turns do not wait for Convex: it failed to take the last one (a breaker, like the engines'). */
  private skipUntilMs = 0;

  constructor(
    private readonly convex: ConvexPort,
    private readonly local: ReplyGenerator,
    private readonly options: ConvexRepliesOptions,
  ) {}

  async *reply(transcript: string, context: ReplyContext): AsyncIterable<string> {
    const { secret, logger } = this.options;
    const nowMs = (this.options.now ?? Date.now)();
    if (nowMs < this.skipUntilMs) {
      // Convex is away: waiting submitTimeoutMs on every turn would slow every answer by as much.
      logger.debug({ satelliteId: context.satelliteId, retryInMs: this.skipUntilMs - nowMs }, 'Convex skipped since it failed: answering locally');
      yield* this.local.reply(transcript, context);
      return;
    }
    const route = this.options.router.route(transcript);
    const submitted = this.convex.mutation(convexFunctions.submitTurn, {
      secret,
      key: `${context.satelliteId}:${randomUUID()}`,
      satelliteId: context.satelliteId,
      ...(context.room ? { room: context.room } : {}),
      text: transcript,
      models: route.models,
    });
    let turnId: string;
    try {
      turnId = await withTimeout(submitted, this.options.submitTimeoutMs, 'convex turns:submit');
      this.reachable = true;
    } catch (error) {
      this.reachable = false;
      this.skipUntilMs = (this.options.now ?? Date.now)() + this.options.halfOpenAfterMs;
      // A call queued in the client may still land later: cancel it then, so no worker answers nobody.
      submitted.then((lateId) => this.cancel(lateId)).catch(() => undefined);
      logger.warn({ satelliteId: context.satelliteId, err: (error as Error).message, skipForMs: this.options.halfOpenAfterMs }, 'Convex did not take the turn: answering locally');
      yield* this.local.reply(transcript, context);
      return;
    }
    logger.debug({ satelliteId: context.satelliteId, convexTurnId: turnId, route: route.name }, 'turn submitted to Convex');

    let spoken = '';
    let finished = false;
    try {
      const pieces = withStallTimeout((signal) => this.follow(turnId, signal), {
        firstItemMs: this.options.firstTextTimeoutMs,
        stallMs: this.options.stallTimeoutMs,
        signal: context.signal,
        what: `Convex turn ${turnId}`,
      });
      for await (const piece of pieces) {
        if (piece.kind === 'text') {
          spoken += piece.text;
          yield piece.text;
        } else if (piece.kind === 'restarted') {
          // A worker died and another started the answer again: say so rather than splice two answers.
          if (spoken) yield ` ${APOLOGIES.startingAgain} `;
        } else {
          finished = true;
          if (piece.status === 'done') return;
          logger.warn({ satelliteId: context.satelliteId, convexTurnId: turnId, error: piece.error }, 'Convex turn failed');
          if (spoken) yield ` ${APOLOGIES.lostIt}`;
          else yield* this.local.reply(transcript, context);
          return;
        }
      }
    } catch (error) {
      if (context.signal.aborted) return;
      logger.warn({ satelliteId: context.satelliteId, convexTurnId: turnId, err: (error as Error).message }, 'Convex turn did not complete');
      // Withdraw the turn before answering locally, so a late worker does not answer too.
      finished = true;
      this.cancel(turnId);
      if (spoken) yield ` ${APOLOGIES.lostIt}`;
      else yield* this.local.reply(transcript, context);
    } finally {
      if (!finished) this.cancel(turnId);
    }
  }

  /**
   * The turn's reply as it grows, from a subscription: each new piece of text, a restart (the reply
   * shrank: another worker began again), and how it ended. Ends when `signal` aborts.
   */
  private async *follow(turnId: string, signal: AbortSignal): AsyncIterable<{ kind: 'text'; text: string } | { kind: 'restarted' } | { kind: 'end'; status: 'done' | 'failed' | 'cancelled'; error?: string }> {
    const views = new AsyncQueue<TurnView | null>();
    const unsubscribe = this.convex.onUpdate(convexFunctions.watchTurn, { secret: this.options.secret, turnId }, (view) => views.push(view), (error) => views.fail(error));
    const onAbort = () => views.end();
    signal.addEventListener('abort', onAbort, { once: true });
    let reply = '';
    try {
      for await (const view of views) {
        if (!view) throw new HughError('HUGH_ERR_UNKNOWN_TURN', `Convex lost turn ${turnId}`);
        if (view.reply.length < reply.length || !view.reply.startsWith(reply)) {
          reply = '';
          yield { kind: 'restarted' };
        }
        if (view.reply.length > reply.length) {
          const text = view.reply.slice(reply.length);
          reply = view.reply;
          yield { kind: 'text', text };
        }
        if (view.status === 'done' || view.status === 'failed' || view.status === 'cancelled') {
          yield { kind: 'end', status: view.status, ...(view.error !== undefined ? { error: view.error } : {}) };
          return;
        }
      }
    } finally {
      unsubscribe();
      signal.removeEventListener('abort', onAbort);
    }
  }

  private cancel(turnId: string): void {
    withTimeout(this.convex.mutation(convexFunctions.cancelTurn, { secret: this.options.secret, turnId }), this.options.submitTimeoutMs, 'convex turns:cancel').catch(
      (error: Error) => this.options.logger.debug({ convexTurnId: turnId, err: error.message }, 'could not cancel the Convex turn'),
    );
  }
}
