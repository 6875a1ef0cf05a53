import type { Infer } from 'convex/values';
import { expect, it } from 'vitest';
import type { ConvexTurnRecord } from '@hugh/common/clients';
import type { turnRecord } from '../../convex/schema.js';

/** Each assignable to the other. */
type Assignable<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** The same keys, at every level (mutual assignability alone lets an optional field exist on one side only). */
type SameKeys<A, B> = Assignable<keyof A, keyof B> extends true
  ? { [K in keyof A & keyof B]: NonNullable<A[K]> extends object ? (NonNullable<B[K]> extends object ? SameKeys<NonNullable<A[K]>, NonNullable<B[K]>> : false) : true }[keyof A & keyof B] extends true
    ? true
    : false
  : false;

type Validated = Infer<typeof turnRecord>;
const sameShape: Assignable<Validated, ConvexTurnRecord> = true;
const sameKeys: SameKeys<Validated, ConvexTurnRecord> = true;

// The hub's TurnRecord and Convex's validator were kept equal by hand; now the compiler does it
// (`npm run lint` type-checks this file: a field added or changed on one side only fails the build).
it('the TurnRecord the hub sends is exactly what the Convex validator accepts (checked by the compiler)', () => {
  expect([sameShape, sameKeys]).toEqual([true, true]);
});
