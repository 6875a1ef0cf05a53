import { join } from 'node:path';
import { withTimeout, type Logger } from '@hugh/common';
import { connectConvex, convexFunctions, OllamaChat, OpenAiChat, type ConvexPort, type ConvexTurnRecord } from '@hugh/common/clients';
import type { HubConfig } from '../config.js';
import type { EngineStatus } from '../engines/chain.js';
import type { TurnRecord } from '../pipeline/turn-record.js';
import type { ReplyGenerator } from '../pipeline/replies.js';
import { ConvexReplies } from './convex-replies.js';
import { LlmReplies } from './llm-replies.js';
import { RecordOutbox } from './record-outbox.js';
import { ModelRouter } from './router.js';
import type { StorageHealth } from '../storage/storage-health.js';

/** The local dispatcher: straight to one language model (Ollama on this machine by default). */
export function createLlmReplies(config: HubConfig, logger: Logger): LlmReplies {
  const { llm } = config;
  const model = llm.api === 'ollama' ? new OllamaChat(llm.url, llm.model) : new OpenAiChat(llm.url, llm.model, llm.apiKey);
  return new LlmReplies(model, { systemPrompt: llm.systemPrompt, historyTurns: llm.historyTurns, firstTokenTimeoutMs: llm.firstTokenTimeoutMs, stallTimeoutMs: llm.stallTimeoutMs, logger });
}

/** A turn record as Convex keeps it, keyed so that a resend is recognised. */
export function toConvexRecord(record: TurnRecord): ConvexTurnRecord {
  return { key: `${record.satelliteId}:${record.turnId}:${record.times.turnStartMs}`, ...record };
}

export interface Dispatch {
  /** Where unmatched questions go: Convex (with the local dispatcher behind it) or the local one. */
  replies: ReplyGenerator;
  /** Keeps a finished turn's record (in Convex, through the outbox); absent without Convex. */
  keepRecord?: (record: TurnRecord) => void;
  /** Convex's reachability as /healthz shows engines (absent without Convex). */
  health?: () => EngineStatus[];
  /** Tells Convex a satellite is connected (fire and forget). */
  satelliteSeen?: (satelliteId: string, room: string | undefined) => void;
  close(): Promise<void>;
}

/**
 * With `convex.url` (or an injected port, in tests): the Convex dispatcher, falling back to the local
 * one, and the record outbox in `state.dir`. Without: the local dispatcher alone.
 */
export function createDispatch(config: HubConfig, logger: Logger, injected?: ConvexPort, storage?: StorageHealth): Dispatch {
  const local = createLlmReplies(config, logger);
  const { convex: settings } = config;
  if (!injected && !settings.url) return { replies: local, close: async () => undefined };
  const secret = settings.secret ?? '';
  const convex = injected ?? connectConvex(settings.url!);
  const outbox = new RecordOutbox(join(config.state.dir, 'outbox.sqlite'), convex, { secret, timeoutMs: settings.submitTimeoutMs, logger, memoryRecords: config.state.outboxMemoryRecords, ...(storage ? { storage } : {}) });
  void outbox.flush();
  logger.info({ convexUrl: settings.url, waitingRecords: outbox.waiting }, 'dispatching through Convex');
  const replies = new ConvexReplies(convex, local, {
    secret,
    router: new ModelRouter(config.routing),
    submitTimeoutMs: settings.submitTimeoutMs,
    firstTextTimeoutMs: settings.firstTextTimeoutMs,
    stallTimeoutMs: settings.stallTimeoutMs,
    halfOpenAfterMs: settings.halfOpenAfterMs,
    logger,
  });
  return {
    replies,
    health: () => [{ name: `convex ${settings.url ?? '(injected)'}`, state: replies.reachable && outbox.reachable ? 'closed' : 'open' }],
    keepRecord: (record) => outbox.add(toConvexRecord(record)),
    satelliteSeen: (satelliteId, room) => {
      withTimeout(convex.mutation(convexFunctions.upsertSatellite, { secret, satelliteId, ...(room ? { room } : {}) }), settings.submitTimeoutMs, 'convex satellites:upsert').catch(
        (error: Error) => logger.debug({ satelliteId, err: error.message }, 'could not tell Convex about the satellite'),
      );
    },
    close: async () => {
      outbox.close();
      if (!injected) await convex.close();
    },
  };
}
