import { invariant } from './check';
import { dnsLabelProblem } from './grammar';
import { isRecord } from './json';
import { labelKey, Labels, labelsWithin } from './labels';
/** DestinationRule subsets: names (DR-02), labels (DR-03) and distinct label sets (DR-04). */

/** DR-02: a subset name is a DNS-1123 label. */
export const subsetNameProblem = invariant('DR-02', (name: unknown): string | undefined => dnsLabelProblem(name));

/**
 * DR-02: subset names are unique. `earlier` maps the names of the subsets before this one to their index in
 * `spec.subsets`; the problem names the subset that already carries `name`.
 */
export const subsetNameRepeatProblem = invariant('DR-02', (name: unknown, earlier: ReadonlyMap<unknown, number>): string | undefined => {
  const first = earlier.get(name);
  return first === undefined ? undefined : `repeats spec.subsets[${first}].name`;
});

/** DR-03: a subset selects pods by at least one label (a subset without labels selects every pod of the host). */
export const subsetLabelsProblem = invariant('DR-03', (labels: unknown): string | undefined =>
  (isRecord(labels) && Object.keys(labels).length > 0 ? undefined : 'has no labels'));

/**
 * DR-04: two subsets are distinct only if neither label set contains the other: identical labels select the same
 * pods, and the subset with fewer labels also selects the other's pods. Problem phrased with both subsets as subject.
 */
export const subsetsOverlapProblem = invariant('DR-04', (a: Labels, b: Labels): string | undefined => {
  if (labelKey(a) === labelKey(b)) return 'select the same labels, so both subsets contain the same pods';
  if (labelsWithin(a, b) || labelsWithin(b, a)) {
    return "overlap: one subset's labels are contained in the other's, so the broader subset also selects the other version's pods";
  }
  return undefined;
});
