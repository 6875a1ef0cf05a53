import { defineSchema, defineTable } from 'convex/server';
import { v } from 'convex/values';

/** One chat message, as the LLM sees it. */
export const message = v.object({ role: v.union(v.literal('system'), v.literal('user'), v.literal('assistant')), content: v.string() });

export const turnStatus = v.union(
  v.literal('pending'),
  v.literal('claimed'),
  v.literal('streaming'),
  v.literal('done'),
  v.literal('failed'),
  v.literal('cancelled'),
);

/**
 * What the hub keeps of a finished turn: text and times only. The validator is the privacy
 * boundary: a field that is not listed here (audio, a file path) is refused by Convex itself.
 */
export const turnRecord = v.object({
  key: v.string(),
  satelliteId: v.string(),
  turnId: v.number(),
  keyword: v.optional(v.string()),
  outcome: v.union(v.literal('answered'), v.literal('no-speech'), v.literal('cancelled'), v.literal('failed')),
  transcript: v.optional(v.string()),
  replyText: v.optional(v.string()),
  sttEngine: v.optional(v.string()),
  ttsEngine: v.optional(v.string()),
  error: v.optional(v.string()),
  times: v.object({
    wakeMs: v.optional(v.number()),
    turnStartMs: v.number(),
    speechEndMs: v.optional(v.number()),
    speculatedMs: v.optional(v.number()),
    endOfSpeechMs: v.optional(v.number()),
    transcriptMs: v.optional(v.number()),
    firstReplyTextMs: v.optional(v.number()),
    ttsStartMs: v.optional(v.number()),
    firstAudioOutMs: v.optional(v.number()),
    lastAudioOutMs: v.optional(v.number()),
  }),
  engineMs: v.object({ stt: v.optional(v.number()), firstSentence: v.optional(v.number()), firstTts: v.optional(v.number()) }),
  speculation: v.optional(v.object({ attempts: v.number(), dropped: v.number(), reused: v.boolean(), early: v.boolean() })),
  hubOverheadMs: v.optional(v.number()),
  endpointDelayMs: v.optional(v.number()),
});

/** The deployment's tunables (defaults in settings.ts), as stored and as `settings:set` takes them. */
export const settingsFields = {
  systemPrompt: v.optional(v.string()),
  contextMessages: v.optional(v.number()),
  contextChars: v.optional(v.number()),
  leaseMs: v.optional(v.number()),
  maxAttempts: v.optional(v.number()),
  workerStaleMs: v.optional(v.number()),
};

export default defineSchema({
  satellites: defineTable({
    satelliteId: v.string(),
    room: v.optional(v.string()),
    name: v.optional(v.string()),
    lastSeenMs: v.number(),
  }).index('by_satellite', ['satelliteId']),

  /** The last exchanges per satellite: the LLM's context, capped in messages and characters. */
  conversations: defineTable({
    satelliteId: v.string(),
    messages: v.array(message),
    updatedMs: v.number(),
  }).index('by_satellite', ['satelliteId']),

  /** The task queue: the hub submits, a worker claims under a lease and streams the reply in. */
  turns: defineTable({
    /** The hub's idempotency key: a retried submit returns the same turn. */
    key: v.string(),
    satelliteId: v.string(),
    room: v.optional(v.string()),
    text: v.string(),
    /** Models in routing order: the first with a live worker is asked; a failure moves down the list. */
    models: v.array(v.string()),
    model: v.string(),
    messages: v.array(message),
    status: turnStatus,
    reply: v.string(),
    /** Appends accepted so far: the next append must carry this sequence number. */
    chunks: v.number(),
    workerId: v.optional(v.string()),
    leaseExpiresMs: v.optional(v.number()),
    attempts: v.number(),
    maxAttempts: v.number(),
    error: v.optional(v.string()),
    submittedMs: v.number(),
    claimedMs: v.optional(v.number()),
    firstTextMs: v.optional(v.number()),
    finishedMs: v.optional(v.number()),
  })
    .index('by_key', ['key'])
    .index('by_status_model', ['status', 'model']),

  workers: defineTable({
    workerId: v.string(),
    models: v.array(v.string()),
    heartbeatMs: v.number(),
    /** Set by each heartbeat, cleared by the expiry it schedules `workerStaleMs` later (absent: an older row). */
    live: v.optional(v.boolean()),
  }).index('by_worker', ['workerId']),

  /** One row named "default"; absent fields fall back to the defaults in settings.ts. */
  settings: defineTable({ name: v.string(), ...settingsFields }).index('by_name', ['name']),

  /** Per family member, free text the LLM is told ("metric units", "keep answers short"). */
  familyPreferences: defineTable({
    member: v.string(),
    preferences: v.string(),
    updatedMs: v.number(),
  }).index('by_member', ['member']),

  turnRecords: defineTable(turnRecord).index('by_key', ['key']).index('by_satellite', ['satelliteId']),
});
