/**
 * Retry policies as Istio and Envoy read them (`HTTPRoute.retries`): the conditions Envoy knows (VS-17) and the
 * ones that are safe for non-idempotent requests (VS-18). One list and one check each, used by `RetryPolicy` and
 * by the rules.
 */
import { invariant } from './check';

/** Envoy HTTP retry conditions Istio accepts (`x-envoy-retry-on`). */
export const HTTP_RETRY_ON: readonly string[] = [
  '5xx', 'gateway-error', 'reset', 'reset-before-request', 'connect-failure', 'retriable-4xx', 'refused-stream',
  'retriable-status-codes', 'retriable-headers', 'envoy-ratelimited', 'http3-post-connect-failure',
];
/** Envoy gRPC retry conditions Istio accepts (`x-envoy-retry-grpc-on`). */
export const GRPC_RETRY_ON: readonly string[] = ['cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable'];
const RETRY_ON = new Set([...HTTP_RETRY_ON, ...GRPC_RETRY_ON]);
/** HTTP status codes with a standard reason phrase (what Istio's Go validation accepts as a numeric token). */
const STATUS_CODES = new Set([
  100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307, 308,
  400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421, 422, 423,
  424, 425, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511,
]);

/**
 * The only retry conditions that guarantee the upstream never received the request: the only ones safe for
 * non-idempotent requests (VS-18).
 */
export const SAFE_RETRY_ON_FOR_WRITES: readonly string[] = ['connect-failure', 'refused-stream', 'reset-before-request'];

/** Istio's implicit retry conditions when a route sets no `retries` (pilot retry.go; 2 attempts). */
export const ISTIO_DEFAULT_RETRY_ON = 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes';

/** VS-17: `attempts` is a non-negative integer (Istio has no maximum). */
export const retryAttemptsProblem = invariant('VS-17', (attempts: number): string | undefined =>
  typeof attempts !== 'number' || !Number.isInteger(attempts) || attempts < 0 ? 'is not a non-negative integer' : undefined);

/**
 * VS-17: one `retryOn` token (tokens are split on "," without trimming) is an Envoy retry condition or a known HTTP
 * status code.
 */
export const retryOnTokenProblem = invariant('VS-17', (token: string): string | undefined => {
  if (RETRY_ON.has(token)) return undefined;
  if (/^[+-]?\d{1,10}$/.test(token) && STATUS_CODES.has(Number(token))) return undefined;
  if (token.trim() !== token) return 'is not valid (tokens may not carry spaces)';
  return token === '' ? 'is not a condition (empty token)' : 'is not an Envoy retry condition or a known HTTP status code';
});

/** The retry conditions in `tokens` that can replay a request the server already received. */
export function unsafeForWrites(tokens: readonly string[]): string[] {
  return tokens.filter((t) => !SAFE_RETRY_ON_FOR_WRITES.includes(t));
}

/** VS-18: a retry policy for non-idempotent requests retries only on {@link SAFE_RETRY_ON_FOR_WRITES}. */
export const writeRetryOnProblem = invariant('VS-18', (tokens: readonly string[]): string | undefined => {
  const unsafe = unsafeForWrites(tokens);
  return unsafe.length > 0 ? `retries on "${unsafe.join(',')}"` : undefined;
});
