import { randomUUID } from 'node:crypto';
import { AsyncQueue, convexFunctions, withTimeout, type ConvexPort, type Logger, type TurnView } from '@hugh/common';
import { HughError } from '@hugh/protocol';
import type { ReplyGenerator } from '../pipeline/replies.js';
import type { ModelRouter } from './router.js';

export interface ConvexRepliesOptions {
  secret: string;
  router: ModelRouter;
  submitTimeoutMs: number;
  firstTextTimeoutMs: number;
  stallTimeoutMs: number;
  logger: Logger;
}

const LOST_IT = 'Sorry, I lost my train of thought.';
const STARTING_AGAIN = ' Sorry, let me start that again. ';

/**
 * The Convex dispatcher: submits the question as a turn, follows the turn with a subscription and
 * yields the reply as a worker writes it. When Convex does not take the turn, or no worker starts
 * answering, within its timeout, the local dispatcher answers instead, so the user always hears
 * something. Only text and metadata go to Convex.
 */
export class ConvexReplies implements ReplyGenerator {
  /** Whether the last turn reached Convex (for /healthz). */
  reachable = true;

  constructor(
    private readonly convex: ConvexPort,
    private readonly local: ReplyGenerator,
    private readonly options: ConvexRepliesOptions,
  ) {}

  async *reply(transcript: string, context: { satelliteId: string; room: string | undefined; signal: AbortSignal }): AsyncIterable<string> {
    const { secret, logger } = this.options;
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
      // A call queued in the client may still land later: cancel it then, so no worker answers nobody.
      submitted.then((lateId) => this.cancel(lateId)).catch(() => undefined);
      logger.warn({ satelliteId: context.satelliteId, err: (error as Error).message }, 'Convex did not take the turn: answering locally');
      yield* this.local.reply(transcript, context);
      return;
    }
    logger.debug({ satelliteId: context.satelliteId, convexTurnId: turnId, route: route.name }, 'turn submitted to Convex');

    const views = new AsyncQueue<TurnView | null>();
    const unsubscribe = this.convex.onUpdate(convexFunctions.watchTurn, { secret, turnId }, (view) => views.push(view), (error) => views.fail(error));
    let timer: NodeJS.Timeout | undefined;
    const arm = (timeoutMs: number, reason: string) => {
      clearTimeout(timer);
      timer = setTimeout(() => views.fail(new HughError('HUGH_ERR_TIMEOUT', reason)), timeoutMs);
    };
    const onAbort = () => views.end();
    context.signal.addEventListener('abort', onAbort, { once: true });
    arm(this.options.firstTextTimeoutMs, 'no worker answered');
    let spoken = '';
    let reply = '';
    let finished = false;
    try {
      for await (const view of views) {
        if (!view) throw new HughError('HUGH_ERR_UNKNOWN_TURN', `Convex lost turn ${turnId}`);
        if (view.reply.length < reply.length || !view.reply.startsWith(reply)) {
          // A worker died and another started the answer again: say so rather than splice two answers.
          if (spoken) yield STARTING_AGAIN;
          reply = '';
        }
        if (view.reply.length > reply.length) {
          const piece = view.reply.slice(reply.length);
          reply = view.reply;
          spoken += piece;
          arm(this.options.stallTimeoutMs, 'the worker stalled');
          yield piece;
        }
        if (view.status === 'done') {
          finished = true;
          return;
        }
        if (view.status === 'failed' || view.status === 'cancelled') {
          finished = true;
          logger.warn({ satelliteId: context.satelliteId, convexTurnId: turnId, error: view.error }, 'Convex turn failed');
          if (spoken) yield ` ${LOST_IT}`;
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
      if (spoken) yield ` ${LOST_IT}`;
      else yield* this.local.reply(transcript, context);
    } finally {
      clearTimeout(timer);
      unsubscribe();
      context.signal.removeEventListener('abort', onAbort);
      if (!finished) this.cancel(turnId);
    }
  }

  private cancel(turnId: string): void {
    withTimeout(this.convex.mutation(convexFunctions.cancelTurn, { secret: this.options.secret, turnId }), this.options.submitTimeoutMs, 'convex turns:cancel').catch(
      (error: Error) => this.options.logger.debug({ convexTurnId: turnId, err: error.message }, 'could not cancel the Convex turn'),
    );
  }
}
