import type { ObjectType, PropertyValidators } from 'convex/values';
import { ConvexError, v } from 'convex/values';
import type { RegisteredMutation, RegisteredQuery } from 'convex/server';
import { mutation, query, type MutationCtx, type QueryCtx } from './_generated/server.js';

/**
 * Convex has no admin auth for services: every public function takes the shared secret that the
 * deployment holds in its environment (`npx convex env set HUGH_CONVEX_SECRET …`). Only the hub and
 * the workers know it; a browser with the deployment URL can call nothing.
 */
export function checkSecret(secret: string): void {
  const expected = process.env.HUGH_CONVEX_SECRET;
  if (!expected) throw new ConvexError({ code: 'HUGH_ERR_NOT_AUTHORIZED', message: 'HUGH_CONVEX_SECRET is not set in this deployment' });
  if (!sameText(secret, expected)) throw new ConvexError({ code: 'HUGH_ERR_NOT_AUTHORIZED', message: 'wrong service secret' });
}

/** Compares in time that depends on the length only, so the secret cannot be guessed byte by byte. */
function sameText(a: string, b: string): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) difference |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0);
  return difference === 0;
}

/** A public query that checks the service secret before its handler runs. */
export function serviceQuery<Args extends PropertyValidators, Result>(definition: {
  args: Args;
  handler: (ctx: QueryCtx, args: ObjectType<Args>) => Promise<Result>;
}): RegisteredQuery<'public', ObjectType<Args> & { secret: string }, Promise<Result>> {
  const handler = async (ctx: QueryCtx, { secret, ...args }: ObjectType<Args> & { secret: string }) => {
    checkSecret(secret);
    return definition.handler(ctx, args as unknown as ObjectType<Args>);
  };
  // The builder cannot follow a spread of generic validators; the declared type above is what it registers.
  return query({ args: { ...definition.args, secret: v.string() }, handler } as never);
}

/** A public mutation that checks the service secret before its handler runs. */
export function serviceMutation<Args extends PropertyValidators, Result>(definition: {
  args: Args;
  handler: (ctx: MutationCtx, args: ObjectType<Args>) => Promise<Result>;
}): RegisteredMutation<'public', ObjectType<Args> & { secret: string }, Promise<Result>> {
  const handler = async (ctx: MutationCtx, { secret, ...args }: ObjectType<Args> & { secret: string }) => {
    checkSecret(secret);
    return definition.handler(ctx, args as unknown as ObjectType<Args>);
  };
  return mutation({ args: { ...definition.args, secret: v.string() }, handler } as never);
}
