import { v } from 'convex/values';
import { internal } from './_generated/api.js';
import { internalMutation, type QueryCtx } from './_generated/server.js';
import { serviceMutation, serviceQuery } from './service.js';
import { readSettings } from './settings.js';

/**
 * A worker says which models it serves, every few seconds: the router only picks live ones.
 * Liveness is decided here and by the scheduled expiry below, in mutations, and stored: a query
 * that compared with `Date.now()` would be frozen at the time its subscription started.
 */
export const heartbeat = serviceMutation({
  args: { workerId: v.string(), models: v.array(v.string()) },
  handler: async (ctx, { workerId, models }) => {
    const heartbeatMs = Date.now();
    const row = await ctx.db
      .query('workers')
      .withIndex('by_worker', (q) => q.eq('workerId', workerId))
      .unique();
    if (row) await ctx.db.patch(row._id, { models, heartbeatMs, live: true });
    else await ctx.db.insert('workers', { workerId, models, heartbeatMs, live: true });
    const { workerStaleMs } = await readSettings(ctx);
    await ctx.scheduler.runAfter(workerStaleMs, internal.workers.expire, { workerId, heartbeatMs });
  },
});

/** Scheduled by each heartbeat: a worker not heard from since that heartbeat is no longer live. */
export const expire = internalMutation({
  args: { workerId: v.string(), heartbeatMs: v.number() },
  handler: async (ctx, { workerId, heartbeatMs }) => {
    const row = await ctx.db
      .query('workers')
      .withIndex('by_worker', (q) => q.eq('workerId', workerId))
      .unique();
    if (row && row.heartbeatMs === heartbeatMs) await ctx.db.patch(row._id, { live: false });
  },
});

export const list = serviceQuery({
  args: {},
  handler: async (ctx) => (await ctx.db.query('workers').collect()).map(({ workerId, models, heartbeatMs, live }) => ({ workerId, models, heartbeatMs, live: live === true })),
});

/** Models some live worker serves (a row from before liveness was stored counts once it heartbeats again). */
export async function liveModels(ctx: QueryCtx): Promise<Set<string>> {
  const live = new Set<string>();
  for (const worker of await ctx.db.query('workers').collect()) {
    if (worker.live === true) for (const model of worker.models) live.add(model);
  }
  return live;
}
