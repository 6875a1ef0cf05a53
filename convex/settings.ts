import { ConvexError } from 'convex/values';
import { DEFAULT_SYSTEM_PROMPT } from '../common/src/llm/system-prompt.js';
import type { QueryCtx } from './_generated/server.js';
import { settingsFields } from './schema.js';
import { serviceMutation, serviceQuery } from './service.js';

export const DEFAULT_SETTINGS = {
  systemPrompt: DEFAULT_SYSTEM_PROMPT,
  /** Messages of past exchanges kept per satellite as the LLM's context (a question and its answer are two). */
  contextMessages: 12,
  /** And at most this many characters of them, oldest dropped first. */
  contextChars: 6000,
  /** A worker that neither appends nor heartbeats for this long loses the turn. */
  leaseMs: 15_000,
  /** Claims per turn before it fails for good. */
  maxAttempts: 3,
  /** A worker whose heartbeat is older than this is not counted as serving its models. */
  workerStaleMs: 30_000,
};

export type Settings = typeof DEFAULT_SETTINGS;

export async function readSettings(ctx: QueryCtx): Promise<Settings> {
  const row = await ctx.db
    .query('settings')
    .withIndex('by_name', (q) => q.eq('name', 'default'))
    .unique();
  const settings = { ...DEFAULT_SETTINGS };
  if (row) {
    for (const key of Object.keys(DEFAULT_SETTINGS) as (keyof Settings)[]) {
      if (row[key] !== undefined) (settings as Record<string, unknown>)[key] = row[key];
    }
  }
  return settings;
}

export const get = serviceQuery({ args: {}, handler: (ctx) => readSettings(ctx) });

export const set = serviceMutation({
  args: settingsFields,
  handler: async (ctx, changes) => {
    for (const [field, value] of Object.entries(changes)) {
      if (typeof value === 'number' && !(Number.isInteger(value) && value > 0)) throw new ConvexError({ code: 'HUGH_ERR_MESSAGE_INVALID', message: `settings.${field} must be a positive integer, got ${value}` });
    }
    const row = await ctx.db
      .query('settings')
      .withIndex('by_name', (q) => q.eq('name', 'default'))
      .unique();
    if (row) await ctx.db.patch(row._id, changes);
    else await ctx.db.insert('settings', { name: 'default', ...changes });
    return readSettings(ctx);
  },
});
