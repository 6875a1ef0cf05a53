import { v } from 'convex/values';
import type { QueryCtx } from './_generated/server.js';
import { serviceMutation, serviceQuery } from './service.js';
import { readSettings } from './settings.js';

/** A worker says which models it serves, every few seconds: the router only picks live ones. */
export const heartbeat = serviceMutation({
  args: { workerId: v.string(), models: v.array(v.string()) },
  handler: async (ctx, { workerId, models }) => {
    const row = await ctx.db
      .query('workers')
      .withIndex('by_worker', (q) => q.eq('workerId', workerId))
      .unique();
    if (row) await ctx.db.patch(row._id, { models, heartbeatMs: Date.now() });
    else await ctx.db.insert('workers', { workerId, models, heartbeatMs: Date.now() });
  },
});

export const list = serviceQuery({
  args: {},
  handler: async (ctx) => {
    const { workerStaleMs } = await readSettings(ctx);
    const now = Date.now();
    return (await ctx.db.query('workers').collect()).map(({ workerId, models, heartbeatMs }) => ({ workerId, models, heartbeatMs, live: now - heartbeatMs <= workerStaleMs }));
  },
});

/** Models some worker has served within the staleness window. */
export async function liveModels(ctx: QueryCtx, workerStaleMs: number): Promise<Set<string>> {
  const now = Date.now();
  const live = new Set<string>();
  for (const worker of await ctx.db.query('workers').collect()) {
    if (now - worker.heartbeatMs <= workerStaleMs) for (const model of worker.models) live.add(model);
  }
  return live;
}
