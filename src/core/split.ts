import { invariant } from './check';
/** Traffic split values of a VirtualService route: destination weights (VS-11) and mirror percentages (VS-24). */

/**
 * VS-11: a destination weight is a non-negative integer (Istio's int32 weights; a multi-destination route must
 * also sum to 100, which the rule checks per route). `max` bounds the weight when the caller knows the rest
 * of the split (a two-way split of 100 leaves the other destination `100 - weight`, which must not be negative).
 */
export const routeWeightProblem = invariant('VS-11', (weight: unknown, max?: number): string | undefined => {
  if (typeof weight !== 'number' || !Number.isInteger(weight)) return 'is not an integer';
  if (weight < 0) return 'is negative';
  if (max !== undefined && weight > max) return `is above ${max}`;
  return undefined;
});

/**
 * VS-24: a mirror percentage (`mirrorPercentage.value`, `mirrors[].percentage.value`) is within 0-100, fractions
 * allowed. Values that are not numbers are a type error (the CRD schema), not this invariant.
 */
export const mirrorPercentageProblem = invariant('VS-24', (value: unknown): string | undefined =>
  (typeof value === 'number' && !(value >= 0 && value <= 100) ? 'is outside 0-100' : undefined));
