import { makeFunctionReference } from 'convex/server';

/*
 * The Convex functions the hub and the worker call, by name, with their argument and result
 * types: the one definition of that wire on the Node side (the functions live in convex/). Ids
 * travel as strings.
 */

type Service = { secret: string };

export interface ChatTurnMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export type TurnStatus = 'pending' | 'claimed' | 'streaming' | 'done' | 'failed' | 'cancelled';

export interface TurnView {
  status: TurnStatus;
  reply: string;
  model: string;
  workerId?: string;
  attempts: number;
  error?: string;
}

export interface ClaimedTurn {
  turnId: string;
  attempt: number;
  model: string;
  messages: ChatTurnMessage[];
}

/** What one turn did and when: logged, published as an event, fed to metrics and the demo. */
export interface TurnRecord {
  satelliteId: string;
  turnId: number;
  keyword?: string;
  outcome: 'answered' | 'no-speech' | 'cancelled' | 'failed';
  transcript?: string;
  replyText?: string;
  sttEngine?: string;
  ttsEngine?: string;
  error?: string;
  /** Unix epoch ms of each stage; absent when the turn never got there. */
  times: {
    wakeMs?: number;
    turnStartMs: number;
    /** Where the VAD placed the end of the user's speech (the waterfall's zero). */
    speechEndMs?: number;
    /** The first speculative transcription started (a pause). */
    speculatedMs?: number;
    /** The hub decided the turn was over (committed) and told the satellite to stop listening. */
    endOfSpeechMs?: number;
    transcriptMs?: number;
    firstReplyTextMs?: number;
    /** The first phrase went to TTS. */
    ttsStartMs?: number;
    firstAudioOutMs?: number;
    lastAudioOutMs?: number;
  };
  /**
   * Engine time on the path from the commit to the first audio: STT the turn still waited for after
   * the commit (0 when a speculation committed it early), reply text up to the first phrase, and its
   * TTS to the first chunk.
   */
  engineMs: { stt?: number; firstSentence?: number; firstTts?: number };
  /** Speculative end of turn: transcriptions started, dropped (speech went on), one reused at the long silence, the turn committed early. */
  speculation?: { attempts: number; dropped: number; reused: boolean; early: boolean };
  /** First audio out minus end of speech minus the engine times: what the hub itself added. */
  hubOverheadMs?: number;
  /** How long after the speech really ended (per VAD) the end was decided, in audio time. */
  endpointDelayMs?: number;
}

/** A finished turn as Convex keeps it: text and times, never audio (Convex's validator refuses other fields). */
export type ConvexTurnRecord = TurnRecord & { key: string };

type WorkerTurn = Service & { workerId: string; turnId: string; attempt: number };

export const convexFunctions = {
  submitTurn: makeFunctionReference<'mutation', Service & { key: string; satelliteId: string; room?: string; text: string; models: string[] }, string>('turns:submit'),
  watchTurn: makeFunctionReference<'query', Service & { turnId: string }, TurnView | null>('turns:watch'),
  cancelTurn: makeFunctionReference<'mutation', Service & { turnId: string }, null>('turns:cancel'),
  pendingTurns: makeFunctionReference<'query', Service & { models: string[] }, { turnId: string; model: string; submittedMs: number }[]>('turns:pending'),
  claimTurn: makeFunctionReference<'mutation', Service & { workerId: string; turnId: string }, ClaimedTurn | null>('turns:claim'),
  appendReply: makeFunctionReference<'mutation', WorkerTurn & { seq: number; text: string }, { accepted: boolean }>('turns:append'),
  heartbeatTurn: makeFunctionReference<'mutation', WorkerTurn, null>('turns:heartbeat'),
  completeTurn: makeFunctionReference<'mutation', WorkerTurn, null>('turns:complete'),
  failTurn: makeFunctionReference<'mutation', WorkerTurn & { error: string }, null>('turns:fail'),
  heartbeatWorker: makeFunctionReference<'mutation', Service & { workerId: string; models: string[] }, null>('workers:heartbeat'),
  upsertSatellite: makeFunctionReference<'mutation', Service & { satelliteId: string; room?: string; name?: string }, null>('satellites:upsert'),
  putRecord: makeFunctionReference<'mutation', Service & { record: ConvexTurnRecord }, { written: boolean }>('records:put'),
  recentRecords: makeFunctionReference<'query', Service & { limit?: number }, ConvexTurnRecord[]>('records:recent'),
};

/** Convex errors carry `{code, message}` in `data`; anything else is a transport or server failure. */
export function convexErrorCode(error: unknown): string | undefined {
  const data = (error as { data?: unknown })?.data;
  return typeof data === 'object' && data !== null && typeof (data as { code?: unknown }).code === 'string' ? (data as { code: string }).code : undefined;
}
