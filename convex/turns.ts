import { ConvexError, v } from 'convex/values';
import { internal } from './_generated/api.js';
import type { Doc, Id } from './_generated/dataModel.js';
import { internalMutation, type MutationCtx } from './_generated/server.js';
import { appendExchange, capContext, readConversation } from './conversations.js';
import { preferencesPrompt } from './familyPreferences.js';
import { serviceMutation, serviceQuery } from './service.js';
import { readSettings } from './settings.js';
import { liveModels } from './workers.js';

const MAX_TEXT_CHARS = 2000;
const MAX_REPLY_CHARS = 20_000;
const MAX_MODELS = 8;

function refuse(code: string, message: string): never {
  throw new ConvexError({ code, message });
}

/**
 * The first model in routing order that a live worker serves, other than `avoid` (the one that just
 * failed) if another is live; with none live, `avoid` or the first of all, where the turn waits.
 */
function pickModel(models: string[], live: Set<string>, avoid?: string): string {
  return models.find((model) => live.has(model) && model !== avoid) ?? models.find((model) => live.has(model)) ?? avoid ?? models[0]!;
}

/** The hub asks for an answer. Idempotent on `key`: a retried submit returns the same turn. */
export const submit = serviceMutation({
  args: { key: v.string(), satelliteId: v.string(), room: v.optional(v.string()), text: v.string(), models: v.array(v.string()) },
  handler: async (ctx, args) => {
    if (!args.text.trim() || args.text.length > MAX_TEXT_CHARS) refuse('HUGH_ERR_MESSAGE_INVALID', `turn text must be 1–${MAX_TEXT_CHARS} characters`);
    if (args.models.length === 0 || args.models.length > MAX_MODELS) refuse('HUGH_ERR_MESSAGE_INVALID', `turn models must list 1–${MAX_MODELS} models`);
    const existing = await ctx.db
      .query('turns')
      .withIndex('by_key', (q) => q.eq('key', args.key))
      .unique();
    if (existing) return existing._id;
    const settings = await readSettings(ctx);
    const history = capContext((await readConversation(ctx, args.satelliteId))?.messages ?? [], settings.contextMessages, settings.contextChars);
    const system = `${settings.systemPrompt}${await preferencesPrompt(ctx)}${args.room ? `\nThe question was asked in the ${args.room}.` : ''}`;
    return ctx.db.insert('turns', {
      ...args,
      model: pickModel(args.models, await liveModels(ctx)),
      messages: [{ role: 'system', content: system }, ...history, { role: 'user', content: args.text }],
      status: 'pending',
      reply: '',
      chunks: 0,
      attempts: 0,
      maxAttempts: settings.maxAttempts,
      submittedMs: Date.now(),
    });
  },
});

/** What the hub follows: the reply as it grows, and how the turn ended. */
export const watch = serviceQuery({
  args: { turnId: v.id('turns') },
  handler: async (ctx, { turnId }) => {
    const turn = await ctx.db.get(turnId);
    if (!turn) return null;
    const { status, reply, model, workerId, attempts, error } = turn;
    return { status, reply, model, workerId, attempts, error };
  },
});

/** What a worker follows: the oldest pending turns for the models it serves. */
export const pending = serviceQuery({
  args: { models: v.array(v.string()) },
  handler: async (ctx, { models }) => {
    const found: { turnId: Id<'turns'>; model: string; submittedMs: number }[] = [];
    for (const model of models) {
      const rows = await ctx.db
        .query('turns')
        .withIndex('by_status_model', (q) => q.eq('status', 'pending').eq('model', model))
        .take(20);
      found.push(...rows.map((row) => ({ turnId: row._id, model: row.model, submittedMs: row.submittedMs })));
    }
    return found.sort((a, b) => a.submittedMs - b.submittedMs).slice(0, 20);
  },
});

function leaseExpired(turn: Doc<'turns'>, now: number): boolean {
  return (turn.status === 'claimed' || turn.status === 'streaming') && (turn.leaseExpiresMs ?? 0) <= now;
}

/**
 * Claims a turn for a worker. Mutations are serialisable transactions, so when two workers race
 * exactly one sees it pending; the other gets null. A turn whose lease ran out is claimable too,
 * even before the scheduled expiry has run.
 */
export const claim = serviceMutation({
  args: { workerId: v.string(), turnId: v.id('turns') },
  handler: async (ctx, { workerId, turnId }) => {
    const turn = await ctx.db.get(turnId);
    const now = Date.now();
    if (!turn || !(turn.status === 'pending' || leaseExpired(turn, now))) return null;
    if (turn.attempts >= turn.maxAttempts) {
      await ctx.db.patch(turnId, { status: 'failed', error: `gave up after ${turn.attempts} attempts`, finishedMs: now, leaseExpiresMs: undefined });
      return null;
    }
    const { leaseMs } = await readSettings(ctx);
    const attempt = turn.attempts + 1;
    // A new attempt starts the reply again: what a dead worker half-said is not spoken twice.
    await ctx.db.patch(turnId, { status: 'claimed', workerId, attempts: attempt, leaseExpiresMs: now + leaseMs, claimedMs: now, reply: '', chunks: 0 });
    await ctx.scheduler.runAfter(leaseMs, internal.turns.expireLease, { turnId, attempt });
    return { turnId, attempt, model: turn.model, messages: turn.messages };
  },
});

/** The turn, if this worker still holds this attempt's lease; otherwise a coded refusal. */
async function heldTurn(ctx: MutationCtx, turnId: Id<'turns'>, workerId: string, attempt: number): Promise<Doc<'turns'>> {
  const turn = await ctx.db.get(turnId);
  if (!turn) refuse('HUGH_ERR_UNKNOWN_TURN', `no turn ${turnId}`);
  if (turn.status === 'cancelled') refuse('HUGH_ERR_CANCELLED', 'the hub cancelled this turn');
  if (turn.workerId !== workerId || turn.attempts !== attempt || !(turn.status === 'claimed' || turn.status === 'streaming')) {
    refuse('HUGH_ERR_LEASE_LOST', `worker ${workerId} no longer holds turn ${turnId}`);
  }
  return turn;
}

/** Appends reply text in order: `seq` must be the next one; a repeated seq (a retried call) is ignored. */
export const append = serviceMutation({
  args: { workerId: v.string(), turnId: v.id('turns'), attempt: v.number(), seq: v.number(), text: v.string() },
  handler: async (ctx, { workerId, turnId, attempt, seq, text }) => {
    const turn = await heldTurn(ctx, turnId, workerId, attempt);
    if (seq < turn.chunks) return { accepted: false };
    if (seq > turn.chunks) refuse('HUGH_ERR_MESSAGE_INVALID', `append out of order: expected seq ${turn.chunks}, got ${seq}`);
    const reply = turn.reply + text;
    if (reply.length > MAX_REPLY_CHARS) refuse('HUGH_ERR_MESSAGE_INVALID', `reply longer than ${MAX_REPLY_CHARS} characters`);
    const now = Date.now();
    const { leaseMs } = await readSettings(ctx);
    await ctx.db.patch(turnId, { status: 'streaming', reply, chunks: seq + 1, leaseExpiresMs: now + leaseMs, firstTextMs: turn.firstTextMs ?? now });
    return { accepted: true };
  },
});

/** Extends the lease while the model thinks; tells the worker when the hub has cancelled. */
export const heartbeat = serviceMutation({
  args: { workerId: v.string(), turnId: v.id('turns'), attempt: v.number() },
  handler: async (ctx, { workerId, turnId, attempt }) => {
    await heldTurn(ctx, turnId, workerId, attempt);
    const { leaseMs } = await readSettings(ctx);
    await ctx.db.patch(turnId, { leaseExpiresMs: Date.now() + leaseMs });
  },
});

export const complete = serviceMutation({
  args: { workerId: v.string(), turnId: v.id('turns'), attempt: v.number() },
  handler: async (ctx, { workerId, turnId, attempt }) => {
    const turn = await heldTurn(ctx, turnId, workerId, attempt);
    await ctx.db.patch(turnId, { status: 'done', finishedMs: Date.now(), leaseExpiresMs: undefined });
    const settings = await readSettings(ctx);
    await appendExchange(ctx, turn.satelliteId, [{ role: 'user', content: turn.text }, { role: 'assistant', content: turn.reply }], settings);
  },
});

/** Returns the turn to the queue (on the next model in routing order) or fails it when attempts are spent. */
async function requeue(ctx: MutationCtx, turn: Doc<'turns'>, error: string) {
  if (turn.attempts >= turn.maxAttempts) {
    await ctx.db.patch(turn._id, { status: 'failed', error, finishedMs: Date.now(), leaseExpiresMs: undefined });
    return;
  }
  const live = await liveModels(ctx);
  const model = pickModel(turn.models, live, turn.model);
  await ctx.db.patch(turn._id, { status: 'pending', model, error, workerId: undefined, leaseExpiresMs: undefined, reply: '', chunks: 0 });
}

/** A worker whose model failed gives the turn back; it moves down the routing order. */
export const fail = serviceMutation({
  args: { workerId: v.string(), turnId: v.id('turns'), attempt: v.number(), error: v.string() },
  handler: async (ctx, { workerId, turnId, attempt, error }) => {
    const turn = await heldTurn(ctx, turnId, workerId, attempt);
    await requeue(ctx, turn, error.slice(0, 500));
  },
});

/** The hub gave up on the turn (barge-in, or it answered locally after a timeout). */
export const cancel = serviceMutation({
  args: { turnId: v.id('turns') },
  handler: async (ctx, { turnId }) => {
    const turn = await ctx.db.get(turnId);
    if (!turn || turn.status === 'done' || turn.status === 'failed') return;
    await ctx.db.patch(turnId, { status: 'cancelled', finishedMs: Date.now(), leaseExpiresMs: undefined });
  },
});

/** Scheduled at each claim: a lease still unrenewed when it runs out returns the turn to the queue. */
export const expireLease = internalMutation({
  args: { turnId: v.id('turns'), attempt: v.number() },
  handler: async (ctx, { turnId, attempt }) => {
    const turn = await ctx.db.get(turnId);
    if (!turn || turn.attempts !== attempt || !(turn.status === 'claimed' || turn.status === 'streaming')) return;
    const now = Date.now();
    if (!leaseExpired(turn, now)) {
      await ctx.scheduler.runAt(turn.leaseExpiresMs!, internal.turns.expireLease, { turnId, attempt });
      return;
    }
    await requeue(ctx, turn, `lease of ${turn.workerId} expired`);
  },
});
