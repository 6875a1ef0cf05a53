import { v } from 'convex/values';
import { turnRecord } from './schema.js';
import { serviceMutation, serviceQuery } from './service.js';

/** Idempotent on the record's key: the hub's outbox may send a record again after a lost reply. */
export const put = serviceMutation({
  args: { record: turnRecord },
  handler: async (ctx, { record }) => {
    const existing = await ctx.db
      .query('turnRecords')
      .withIndex('by_key', (q) => q.eq('key', record.key))
      .unique();
    if (existing) return { written: false };
    await ctx.db.insert('turnRecords', record);
    return { written: true };
  },
});

export const recent = serviceQuery({
  args: { limit: v.optional(v.number()) },
  handler: async (ctx, { limit }) => {
    const rows = await ctx.db.query('turnRecords').order('desc').take(Math.min(limit ?? 50, 500));
    return rows.map(({ _id, _creationTime, ...record }) => record);
  },
});
