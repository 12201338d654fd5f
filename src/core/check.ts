/**
 * The contract between constructs and rules: every catalogue invariant has one pure check function, tagged with
 * its rule code. Rules call it on rendered manifests; value classes and constructs call it through
 * {@link ./enforce}, so a code means one thing on both surfaces and the two cannot drift. A test asserts that
 * every code a construct or value class raises is `PROP` or the code of a check it calls, and that the rule of
 * that code calls the same check.
 */

/** A pure check of one catalogue invariant: what is wrong with its arguments, or `undefined`. Carries its rule code. */
export type Check<A extends unknown[]> = ((...args: A) => string | undefined) & { readonly code: string };

/** Tags `problem` as the check of catalogue rule `code`. */
export function invariant<A extends unknown[]>(code: string, problem: (...args: A) => string | undefined): Check<A> {
  return Object.assign(problem, { code });
}

/** Whether `value` is a tagged check (for the contract test). */
export function isCheck(value: unknown): value is Check<unknown[]> {
  return typeof value === 'function' && typeof (value as { code?: unknown }).code === 'string';
}
