/* Written by hand to match what `npx convex codegen` generates (see server.ts). */
import type { ApiFromModules, FilterApi, FunctionReference } from 'convex/server';
import { anyApi } from 'convex/server';
import type * as conversations from '../conversations.js';
import type * as familyPreferences from '../familyPreferences.js';
import type * as records from '../records.js';
import type * as satellites from '../satellites.js';
import type * as settings from '../settings.js';
import type * as turns from '../turns.js';
import type * as workers from '../workers.js';

declare const fullApi: ApiFromModules<{
  conversations: typeof conversations;
  familyPreferences: typeof familyPreferences;
  records: typeof records;
  satellites: typeof satellites;
  settings: typeof settings;
  turns: typeof turns;
  workers: typeof workers;
}>;

export const api: FilterApi<typeof fullApi, FunctionReference<any, 'public'>> = anyApi as any;
export const internal: FilterApi<typeof fullApi, FunctionReference<any, 'internal'>> = anyApi as any;
