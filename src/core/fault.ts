/**
 * Fault injection as Istio reads it (`HTTPRoute.fault`): its grammar (VS-22) and its scoping to test traffic
 * (VS-23). Used by `renderFault` and by the rules.
 */
import { invariant } from './check';
import { isRecord } from './json';

/** VS-22: a fault injects something: an `abort` or a `delay` object (Istio rejects a fault with neither). */
export const faultActionProblem = invariant('VS-22', (fault: Record<string, unknown>): string | undefined =>
  !isRecord(fault.abort) && !isRecord(fault.delay) ? 'has neither abort nor delay' : undefined);

/** VS-22: a fault percentage is 0, or within 0.0001-100 (Istio's validatePercentage). */
export const faultPercentageProblem = invariant('VS-22', (value: number): string | undefined => {
  if (!Number.isFinite(value)) return 'is not a finite number';
  if (value < 0 || value > 100) return 'is outside 0-100';
  if (value > 0 && value < 0.0001) return 'is below the smallest non-zero percentage 0.0001';
  return undefined;
});

/** VS-22: an abort's `httpStatus` is an HTTP status 200-599. */
export const faultHttpStatusProblem = invariant('VS-22', (status: number): string | undefined =>
  !Number.isInteger(status) || status < 200 || status > 599 ? 'is not an HTTP status 200-599' : undefined);

/**
 * Whether an HTTP match (rendered `HTTPMatchRequest`) selects synthetic test traffic rather than real users: it
 * has a header, sourceLabels, queryParams or sourceNamespace condition.
 */
export function selectsTestTraffic(match: unknown): boolean {
  if (!isRecord(match)) return false;
  const nonEmpty = (x: unknown) => isRecord(x) && Object.keys(x).length > 0;
  return nonEmpty(match.headers) || nonEmpty(match.sourceLabels) || nonEmpty(match.queryParams)
    || (typeof match.sourceNamespace === 'string' && match.sourceNamespace !== '');
}

/** VS-23: a match of a faulted route selects test traffic (see {@link selectsTestTraffic}). */
export const testTrafficMatchProblem = invariant('VS-23', (match: unknown): string | undefined =>
  selectsTestTraffic(match) ? undefined : 'selects no test traffic (no header, query parameter, sourceLabels or sourceNamespace condition)');
