import { v } from 'convex/values';
import type { Infer } from 'convex/values';
import type { MutationCtx, QueryCtx } from './_generated/server.js';
import type { message } from './schema.js';
import { serviceMutation, serviceQuery } from './service.js';

type Message = Infer<typeof message>;

/** The newest messages that fit both caps, oldest dropped first, never starting on an answer. */
export function capContext(messages: Message[], maxMessages: number, maxChars: number): Message[] {
  const kept: Message[] = [];
  let chars = 0;
  for (let i = messages.length - 1; i >= 0 && kept.length < maxMessages; i -= 1) {
    chars += messages[i]!.content.length;
    if (chars > maxChars) break;
    kept.unshift(messages[i]!);
  }
  while (kept[0]?.role === 'assistant') kept.shift();
  return kept;
}

export async function readConversation(ctx: QueryCtx, satelliteId: string) {
  return ctx.db
    .query('conversations')
    .withIndex('by_satellite', (q) => q.eq('satelliteId', satelliteId))
    .unique();
}

/** Adds one exchange to a satellite's conversation, capped. */
export async function appendExchange(ctx: MutationCtx, satelliteId: string, exchange: Message[], caps: { contextMessages: number; contextChars: number }) {
  const row = await readConversation(ctx, satelliteId);
  const messages = capContext([...(row?.messages ?? []), ...exchange], caps.contextMessages, caps.contextChars);
  if (row) await ctx.db.patch(row._id, { messages, updatedMs: Date.now() });
  else await ctx.db.insert('conversations', { satelliteId, messages, updatedMs: Date.now() });
}

export const get = serviceQuery({
  args: { satelliteId: v.string() },
  handler: async (ctx, { satelliteId }) => (await readConversation(ctx, satelliteId))?.messages ?? [],
});

/** "Forget what we talked about": a fresh context for one satellite. */
export const clear = serviceMutation({
  args: { satelliteId: v.string() },
  handler: async (ctx, { satelliteId }) => {
    const row = await readConversation(ctx, satelliteId);
    if (row) await ctx.db.delete(row._id);
  },
});
