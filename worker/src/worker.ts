import { withStallTimeout, type Logger } from '@hugh/common';
import { convexErrorCode, convexFunctions, type ChatModel, type ClaimedTurn, type ConvexPort } from '@hugh/common/clients';
import { HughError } from '@hugh/protocol';
import { ReplyBatcher } from './reply-batcher.js';

export interface WorkerOptions {
  workerId: string;
  secret: string;
  /** Models by the name turns ask for. */
  models: Map<string, ChatModel>;
  concurrency: number;
  batchMs: number;
  leaseRenewMs: number;
  heartbeatMs: number;
  firstTokenTimeoutMs: number;
  stallTimeoutMs: number;
  logger: Logger;
}

/**
 * Answers turns from the Convex queue: follows the pending turns for its models, claims one (a
 * mutation: of racing workers exactly one wins), streams the model's answer into it in batches,
 * renews the lease while working, and marks it done, or failed so that it moves on to the next
 * model in its routing order.
 */
export class LlmWorker {
  private readonly active = new Map<string, AbortController>();
  private unsubscribe: (() => void) | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private latest: { turnId: string; model: string }[] = [];
  private stopped = false;
  private readonly finished = new Set<Promise<void>>();

  constructor(
    private readonly convex: ConvexPort,
    private readonly options: WorkerOptions,
  ) {}

  start(): void {
    const { secret, workerId, models, logger } = this.options;
    const names = [...models.keys()];
    const beat = () =>
      this.convex.mutation(convexFunctions.heartbeatWorker, { secret, workerId, models: names }).catch((error: Error) => logger.warn({ err: error.message }, 'worker heartbeat failed'));
    void beat();
    this.heartbeat = setInterval(beat, this.options.heartbeatMs);
    this.unsubscribe = this.convex.onUpdate(
      convexFunctions.pendingTurns,
      { secret, models: names },
      (pending) => {
        this.latest = pending;
        this.claimWhatFits();
      },
      (error) => logger.error({ err: error.message }, 'cannot follow pending turns'),
    );
    logger.info({ workerId, models: names }, 'worker ready');
  }

  /** Stops taking turns, lets the ones in hand finish (or aborts them after `graceMs`). */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    clearInterval(this.heartbeat);
    const abort = setTimeout(() => {
      for (const controller of this.active.values()) controller.abort(new HughError('HUGH_ERR_CANCELLED', 'worker stopping'));
    }, graceMs);
    // A call to an unreachable Convex never returns: do not wait for it past the grace period.
    let giveUp: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.finished]), new Promise((resolve) => (giveUp = setTimeout(resolve, graceMs + 1_000)))]);
    clearTimeout(abort);
    clearTimeout(giveUp);
  }

  get busy(): number {
    return this.active.size;
  }

  private claimWhatFits(): void {
    while (!this.stopped && this.active.size < this.options.concurrency && this.latest.length > 0) {
      // Each listed turn is tried once; a lost race or a failed call waits for the next list.
      const { turnId } = this.latest.shift()!;
      if (this.active.has(turnId)) continue;
      const controller = new AbortController();
      this.active.set(turnId, controller);
      const done = this.claimAndAnswer(turnId, controller).finally(() => {
        this.active.delete(turnId);
        this.finished.delete(done);
        this.refresh();
      });
      this.finished.add(done);
    }
  }

  /** After a turn, look again: the subscription only calls back when the pending list changes. */
  private refresh(): void {
    if (this.stopped) return;
    const names = [...this.options.models.keys()];
    this.convex
      .query(convexFunctions.pendingTurns, { secret: this.options.secret, models: names })
      .then((pending) => {
        this.latest = pending;
        this.claimWhatFits();
      })
      .catch((error: Error) => this.options.logger.warn({ err: error.message }, 'cannot list pending turns'));
  }

  private async claimAndAnswer(turnId: string, controller: AbortController): Promise<void> {
    const { secret, workerId, logger } = this.options;
    let claimed: ClaimedTurn | null;
    try {
      claimed = await this.convex.mutation(convexFunctions.claimTurn, { secret, workerId, turnId });
    } catch (error) {
      logger.warn({ turnId, err: (error as Error).message }, 'claim failed');
      return;
    }
    if (!claimed) return; // another worker won the race
    const model = this.options.models.get(claimed.model);
    const held = { secret, workerId, turnId, attempt: claimed.attempt };
    if (!model) {
      await this.convex.mutation(convexFunctions.failTurn, { ...held, error: `worker ${workerId} does not serve ${claimed.model}` }).catch(() => undefined);
      return;
    }
    const started = Date.now();
    logger.info({ turnId, model: claimed.model, attempt: claimed.attempt }, 'turn claimed');
    const renew = setInterval(() => {
      this.convex.mutation(convexFunctions.heartbeatTurn, held).catch((error: unknown) => {
        // Cancelled by the hub, or the lease went to another worker: stop the model, write nothing more.
        if (convexErrorCode(error)) controller.abort(error);
      });
    }, this.options.leaseRenewMs);
    try {
      let seq = 0;
      const write = async (text: string) => {
        await this.convex.mutation(convexFunctions.appendReply, { ...held, seq: seq++, text });
      };
      await this.stream(model, claimed, controller, write);
      await this.convex.mutation(convexFunctions.completeTurn, held);
      logger.info({ turnId, model: claimed.model, ms: Date.now() - started, chunks: seq }, 'turn answered');
    } catch (error) {
      const message = (error as Error).message;
      if (controller.signal.aborted && convexErrorCode(controller.signal.reason)) {
        logger.info({ turnId, reason: (controller.signal.reason as Error).message }, 'turn taken away');
        return;
      }
      logger.warn({ turnId, model: claimed.model, err: message }, 'turn failed');
      await this.convex.mutation(convexFunctions.failTurn, { ...held, error: message.slice(0, 500) }).catch(() => undefined);
    } finally {
      clearInterval(renew);
    }
  }

  /** Runs the model, writing batches as they are due; a silent model fails the turn after its timeouts. */
  private async stream(model: ChatModel, turn: ClaimedTurn, controller: AbortController, write: (text: string) => Promise<void>): Promise<void> {
    const batcher = new ReplyBatcher(this.options.batchMs);
    let writing = Promise.resolve();
    let writeError: unknown;
    const enqueue = (text: string | undefined) => {
      // Appends go out one after another, in order, without holding up the model's stream. A refused
      // append (cancelled, lease lost) stops the model.
      if (!text) return;
      writing = writing
        .then(() => (writeError ? undefined : write(text)))
        .catch((error: unknown) => {
          writeError ??= error;
          controller.abort(error);
        });
    };
    const flusher = setInterval(() => enqueue(batcher.due(Date.now())), Math.max(10, Math.floor(this.options.batchMs / 2)));
    try {
      const pieces = withStallTimeout((signal) => model.chat(turn.messages, { signal }), {
        firstItemMs: this.options.firstTokenTimeoutMs,
        stallMs: this.options.stallTimeoutMs,
        signal: controller.signal,
        what: model.name,
      });
      for await (const piece of pieces) enqueue(batcher.add(piece, Date.now()));
      enqueue(batcher.take());
    } catch (error) {
      throw controller.signal.aborted && controller.signal.reason instanceof Error ? controller.signal.reason : error;
    } finally {
      clearInterval(flusher);
    }
    await writing;
    if (writeError) throw writeError;
  }
}
