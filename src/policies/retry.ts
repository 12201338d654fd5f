import { Duration } from 'cdk8s';
import { checkList, enforce, millisOf, propError, renderDuration } from '../core/enforce';
import { retryAttemptsProblem, retryOnTokenProblem, SAFE_RETRY_ON_FOR_WRITES as SAFE_FOR_WRITES, unsafeForWrites, writeRetryOnProblem } from '../core/retry';
import { show } from '../core/text';

/**
 * Conditions under which Envoy retries a request (Istio `HTTPRetry.retryOn`).
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRetry
 */
export enum RetryOn {
  /** Any 5xx response, including a per-try timeout (the request may have reached the server). */
  FIVE_XX = '5xx',
  /** 502, 503 or 504 (the request may have reached the server). */
  GATEWAY_ERROR = 'gateway-error',
  /** Reset, disconnect or timeout at any time, including after the request was sent. */
  RESET = 'reset',
  /** Reset before any request bytes were sent upstream: safe for non-idempotent requests. */
  RESET_BEFORE_REQUEST = 'reset-before-request',
  /** The connection could not be established: safe for non-idempotent requests. */
  CONNECT_FAILURE = 'connect-failure',
  /** HTTP/2 REFUSED_STREAM: the server did not process the request; safe for non-idempotent requests. */
  REFUSED_STREAM = 'refused-stream',
  /** 409 Conflict. */
  RETRIABLE_4XX = 'retriable-4xx',
  /** Status codes listed in the retriable-status-codes header or policy (Istio adds 503). */
  RETRIABLE_STATUS_CODES = 'retriable-status-codes',
  /** Envoy rate limited the request. */
  ENVOY_RATELIMITED = 'envoy-ratelimited',
  /** gRPC status CANCELLED. */
  CANCELLED = 'cancelled',
  /** gRPC status DEADLINE_EXCEEDED. */
  DEADLINE_EXCEEDED = 'deadline-exceeded',
  /** gRPC status INTERNAL. */
  INTERNAL = 'internal',
  /** gRPC status RESOURCE_EXHAUSTED. */
  RESOURCE_EXHAUSTED = 'resource-exhausted',
  /** gRPC status UNAVAILABLE. */
  UNAVAILABLE = 'unavailable',
}

/**
 * The only retry conditions that guarantee the upstream never received the request (rule VS-18); the list of
 * src/core/retry, which the rule reads too.
 */
export const SAFE_RETRY_ON_FOR_WRITES: readonly RetryOn[] = SAFE_FOR_WRITES.map((c) => c as RetryOn);

/** Options of {@link RetryPolicy.idempotent}. */
export interface IdempotentRetryOptions {
  /**
   * Number of retries after the first attempt (Istio `attempts`), integer 1-10. Istio itself has no maximum;
   * this API stops at 10 because every retry adds one more request to an upstream that is already failing
   * (use {@link RetryPolicy.none} for 0).
   * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRetry
   */
  readonly attempts: number;
  /**
   * Timeout of each attempt, including the first. Size it at 1.5-2 × the healthy p99 latency.
   * @default - no per-try timeout: Istio uses the route timeout (rule VS-19 warns)
   */
  readonly perTryTimeout?: Duration;
  /**
   * Conditions that trigger a retry.
   * @default [FIVE_XX, RESET, CONNECT_FAILURE, REFUSED_STREAM]
   */
  readonly retryOn?: RetryOn[];
  /**
   * Base interval of Envoy's exponential back-off between retries.
   * @default - Envoy's 25ms
   */
  readonly backoff?: Duration;
}

/** Options of {@link RetryPolicy.nonIdempotent}. */
export interface NonIdempotentRetryOptions {
  /**
   * Number of retries after the first attempt (Istio `attempts`), integer 1-10. Istio itself has no maximum;
   * this API stops at 10 because every retry adds one more request to an upstream that is already failing
   * (use {@link RetryPolicy.none} for 0).
   * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRetry
   */
  readonly attempts: number;
  /**
   * Conditions that trigger a retry; only conditions where the request never reached the server are allowed
   * (CONNECT_FAILURE, REFUSED_STREAM, RESET_BEFORE_REQUEST), anything else raises VS-18.
   * @default [CONNECT_FAILURE, REFUSED_STREAM, RESET_BEFORE_REQUEST]
   */
  readonly retryOn?: RetryOn[];
  /**
   * Base interval of Envoy's exponential back-off between retries.
   * @default - Envoy's 25ms
   */
  readonly backoff?: Duration;
}

/** The rendered Istio `HTTPRetry` (wire field names). */
export interface RenderedRetries {
  readonly attempts: number;
  readonly perTryTimeout?: string;
  readonly retryOn?: string;
  readonly backoff?: string;
}

const DEFAULT_IDEMPOTENT = [RetryOn.FIVE_XX, RetryOn.RESET, RetryOn.CONNECT_FAILURE, RetryOn.REFUSED_STREAM];
const MAX_ATTEMPTS = 10;

/**
 * A route's retry policy (Istio `HTTPRoute.retries`), encoding which requests are safe to replay.
 *
 * - `idempotent`: GET-like requests may be retried on 5xx, reset and connect failures, with a per-try timeout.
 * - `nonIdempotent`: writes (POST, PUT, PATCH, DELETE) are retried only when the request never reached the
 *   server; no per-try timeout (a timed-out write may have been applied). Routes using it are recorded as
 *   non-idempotent, so rules VS-18 and VS-25 hold them to that.
 * - `none`: an explicit `attempts: 0`, overriding Istio's implicit default of 2 retries.
 *
 * Invalid props raise IstioValidationError at once (see the rule reference for the codes).
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRetry
 */
export class RetryPolicy {
  /** Retries for idempotent requests. */
  public static idempotent(options: IdempotentRetryOptions): RetryPolicy {
    const where = 'RetryPolicy.idempotent';
    const attempts = checkAttempts(options.attempts, where);
    return new RetryPolicy(false, attempts, checkRetryOn(options.retryOn ?? DEFAULT_IDEMPOTENT, attempts, where),
      options.perTryTimeout, options.backoff, where);
  }

  /** Retries that are safe for non-idempotent requests: only when the request never reached the server. */
  public static nonIdempotent(options: NonIdempotentRetryOptions): RetryPolicy {
    const where = 'RetryPolicy.nonIdempotent';
    const attempts = checkAttempts(options.attempts, where);
    const retryOn = checkRetryOn(options.retryOn ?? SAFE_RETRY_ON_FOR_WRITES, attempts, where);
    enforce(writeRetryOnProblem, [retryOn], {
      path: where, prop: 'retryOn', value: unsafeForWrites(retryOn).join(','), allowed: SAFE_FOR_WRITES.join(','),
      message: () => `retryOn contains "${unsafeForWrites(retryOn).join(',')}", which can replay a request the server already received`,
      fix: `Retry non-idempotent requests only on ${SAFE_FOR_WRITES.join(',')}, or use RetryPolicy.idempotent for GET-like routes.`,
    });
    return new RetryPolicy(true, attempts, retryOn, undefined, options.backoff, where);
  }

  /** No retries at all (`attempts: 0`). Safe for every route. */
  public static none(): RetryPolicy {
    return new RetryPolicy(false, 0, [], undefined, undefined, 'RetryPolicy.none');
  }

  /** Whether this policy was made for non-idempotent requests; routes using it are recorded as such. */
  public readonly nonIdempotent: boolean;
  /** Retries after the first attempt. */
  public readonly attempts: number;
  /** Retry conditions (empty for `none`). */
  public readonly retryOn: readonly RetryOn[];
  /** Per-try timeout, if any. */
  public readonly perTryTimeout?: Duration;
  /** Back-off base interval, if any. */
  public readonly backoff?: Duration;
  private readonly rendered: RenderedRetries;

  private constructor(nonIdempotent: boolean, attempts: number, retryOn: readonly RetryOn[],
    perTryTimeout: Duration | undefined, backoff: Duration | undefined, where: string) {
    this.nonIdempotent = nonIdempotent;
    this.attempts = attempts;
    this.retryOn = [...new Set(retryOn)];
    this.perTryTimeout = perTryTimeout;
    this.backoff = backoff;
    this.rendered = {
      attempts,
      ...(perTryTimeout ? { perTryTimeout: renderDuration(perTryTimeout, { path: where, prop: 'perTryTimeout' }) } : {}),
      ...(attempts > 0 ? { retryOn: this.retryOn.join(',') } : {}),
      ...(backoff ? { backoff: renderDuration(backoff, { path: where, prop: 'backoff' }) } : {}),
    };
  }

  /**
   * Worst-case time this policy can spend, in milliseconds: perTryTimeout × (attempts + 1) + backoff × attempts,
   * or `undefined` when there is no per-try timeout.
   */
  public worstCaseMillis(): number | undefined {
    if (!this.perTryTimeout) return undefined;
    const backoff = this.backoff ? millisOf(this.backoff) : 0;
    return millisOf(this.perTryTimeout) * (this.attempts + 1) + backoff * this.attempts;
  }

  /**
   * The Istio `HTTPRetry` this policy emits.
   * @internal
   */
  public _render(): RenderedRetries {
    return { ...this.rendered };
  }
}

/**
 * Checks `attempts`: a non-negative integer (VS-17, as Istio), and 1-10 for these factories (PROP: 0 is
 * RetryPolicy.none(), and more than 10 retries multiply the load on a failing upstream).
 */
function checkAttempts(attempts: number, where: string): number {
  const allowed = `integer 1-${MAX_ATTEMPTS}`;
  const fix = `Use 1-${MAX_ATTEMPTS} retries (2 is typical for idempotent requests), or RetryPolicy.none() for no retries.`;
  const message = `attempts must be an ${allowed} (received ${show(attempts)})`;
  if (typeof attempts !== 'number') propError({ path: where, prop: 'attempts' }, { value: attempts, expected: `an ${allowed}`, fix, message });
  enforce(retryAttemptsProblem, [attempts], { path: where, prop: 'attempts', allowed, fix, message: () => message });
  if (attempts < 1 || attempts > MAX_ATTEMPTS) propError({ path: where, prop: 'attempts' }, { value: attempts, shown: attempts, expected: allowed, fix, message });
  return attempts;
}

/**
 * Checks `retryOn`: a list (PROP) of conditions Envoy knows (VS-17, the rule's token check), not empty when the
 * policy retries (PROP: an empty list would fall back to Istio's default conditions).
 */
function checkRetryOn(retryOn: readonly RetryOn[], attempts: number, where: string): readonly RetryOn[] {
  checkList(retryOn, 'retryOn', where);
  for (const condition of retryOn) {
    if (typeof condition !== 'string') propError({ path: where, prop: 'retryOn' }, { value: condition, expected: 'a RetryOn condition', fix: 'Pass RetryOn values, e.g. RetryOn.CONNECT_FAILURE.' });
    enforce(retryOnTokenProblem, [condition], {
      path: where, prop: 'retryOn', allowed: Object.values(RetryOn).join(','),
      message: (problem) => `retryOn contains ${show(condition)}, which ${problem}`, fix: 'Pass RetryOn values, e.g. RetryOn.CONNECT_FAILURE.',
    });
  }
  if (attempts > 0 && retryOn.length === 0) {
    propError({ path: where, prop: 'retryOn' }, {
      value: retryOn, expected: 'at least one RetryOn condition',
      message: "retryOn is empty, so Istio's default conditions would apply instead", fix: 'List at least one RetryOn condition, or use RetryPolicy.none().',
    });
  }
  return retryOn;
}
