/**
 * DestinationRule traffic-policy values as Istio reads them: connection-pool limits (DR-12), outlier detection
 * (DR-07) and consistent-hash settings (DR-13). One check per invariant, used by the value classes of
 * src/policies and by the DR rules.
 */
import { invariant } from './check';
import { hasText, isSet } from './json';

/** Connection-pool limits are `int32` in the Istio API: the webhook rejects larger values. */
export const INT32_MAX = 2147483647;
/** Outlier-detection counts are `uint32` (the CRD schema's maximum). */
export const UINT32_MAX = 4294967295;

/** DR-12: a connection pool sets `http` and/or `tcp` (Istio rejects one with neither). */
export const connectionPoolProblem = invariant('DR-12', (pool: Record<string, unknown>): string | undefined =>
  !isSet(pool.http) && !isSet(pool.tcp) ? 'sets neither http nor tcp' : undefined);

/**
 * DR-12: a connection-pool limit (`maxConnections`, `http1MaxPendingRequests`, `http2MaxRequests`,
 * `maxRequestsPerConnection`, `maxRetries`, `maxConcurrentStreams`) is an int32 the webhook accepts: an integer
 * 0-2147483647. (Istio treats 0 as unset for every limit but maxRequestsPerConnection, where 0 means unlimited.)
 */
export const connectionLimitProblem = invariant('DR-12', (value: number): string | undefined => {
  if (!Number.isInteger(value)) return 'is not an integer';
  if (value < 0) return 'is negative';
  if (value > INT32_MAX) return `exceeds the int32 maximum ${INT32_MAX}`;
  return undefined;
});

/** DR-07: `maxEjectionPercent` and `minHealthPercent` are whole percentages 0-100 (int32 in the API). */
export const ejectionPercentProblem = invariant('DR-07', (value: number): string | undefined => {
  if (Number.isFinite(value) && (value < 0 || value > 100)) return 'is outside 0-100';
  if (!Number.isInteger(value)) return 'is not a whole percentage';
  return undefined;
});

/**
 * DR-07: an outlier-detection count (`consecutive5xxErrors`, `consecutiveGatewayErrors`,
 * `consecutiveLocalOriginFailures`) is a uint32: an integer 0-4294967295 (0 turns that trigger off).
 */
export const outlierCountProblem = invariant('DR-07', (value: number): string | undefined => {
  if (!Number.isInteger(value)) return 'is not an integer';
  if (value < 0) return 'is negative';
  if (value > UINT32_MAX) return `exceeds the uint32 maximum ${UINT32_MAX}`;
  return undefined;
});

/** DR-13: a consistent-hash `httpCookie` has a name (Istio rejects one without). */
export const hashCookieNameProblem = invariant('DR-13', (name: unknown): string | undefined =>
  hasText(name) ? undefined : 'has no name');

/** DR-13: a consistent-hash `httpQueryParameterName` is not empty (Envoy rejects the route otherwise). */
export const hashQueryParameterProblem = invariant('DR-13', (name: string): string | undefined =>
  name === '' ? 'is empty' : undefined);

/**
 * DR-06: a port appears in at most one `portLevelSettings` entry of a policy (Istio applies only the first, so a
 * second entry for the port is dead configuration). `ports` are the entries' port numbers in order.
 */
export const portLevelRepeatProblem = invariant('DR-06', (ports: readonly unknown[]): string | undefined => {
  const seen = new Set<unknown>();
  for (const p of ports) {
    if (p === undefined) continue;
    if (seen.has(p)) return `has two entries for port ${String(p)}; Istio applies only the first`;
    seen.add(p);
  }
  return undefined;
});
