import { ConvexError, v } from 'convex/values';
import type { QueryCtx } from './_generated/server.js';
import { serviceMutation, serviceQuery } from './service.js';

export const list = serviceQuery({
  args: {},
  handler: async (ctx) => (await ctx.db.query('familyPreferences').collect()).map(({ member, preferences }) => ({ member, preferences })),
});

export const set = serviceMutation({
  args: { member: v.string(), preferences: v.string() },
  handler: async (ctx, { member, preferences }) => {
    if (!member.trim()) throw new ConvexError({ code: 'HUGH_ERR_MESSAGE_INVALID', message: 'familyPreferences.member must not be empty' });
    const row = await ctx.db
      .query('familyPreferences')
      .withIndex('by_member', (q) => q.eq('member', member))
      .unique();
    if (row) await ctx.db.patch(row._id, { preferences, updatedMs: Date.now() });
    else await ctx.db.insert('familyPreferences', { member, preferences, updatedMs: Date.now() });
  },
});

export const remove = serviceMutation({
  args: { member: v.string() },
  handler: async (ctx, { member }) => {
    const row = await ctx.db
      .query('familyPreferences')
      .withIndex('by_member', (q) => q.eq('member', member))
      .unique();
    if (row) await ctx.db.delete(row._id);
  },
});

/** The preferences as lines for the system prompt, or nothing when there are none. */
export async function preferencesPrompt(ctx: QueryCtx): Promise<string> {
  const rows = await ctx.db.query('familyPreferences').collect();
  if (rows.length === 0) return '';
  return `\nWhat the family has asked for:\n${rows.map((row) => `- ${row.member}: ${row.preferences}`).join('\n')}`;
}
