import { v } from 'convex/values';
import { serviceMutation, serviceQuery } from './service.js';

export const upsert = serviceMutation({
  args: { satelliteId: v.string(), room: v.optional(v.string()), name: v.optional(v.string()) },
  handler: async (ctx, { satelliteId, room, name }) => {
    const row = await ctx.db
      .query('satellites')
      .withIndex('by_satellite', (q) => q.eq('satelliteId', satelliteId))
      .unique();
    const fields = { room, name, lastSeenMs: Date.now() };
    if (row) await ctx.db.patch(row._id, fields);
    else await ctx.db.insert('satellites', { satelliteId, ...fields });
  },
});

export const list = serviceQuery({
  args: {},
  handler: async (ctx) => (await ctx.db.query('satellites').collect()).map(({ satelliteId, room, name, lastSeenMs }) => ({ satelliteId, room, name, lastSeenMs })),
});
