import { Duration } from 'cdk8s';
import { checkList, checkOptions, enforce, millisOf, propError, renderDuration } from '../core/enforce';
import { buildValue, collect, Problems } from '../core/problems';
import {
  ISTIO_DEFAULT_RETRY_ON as ISTIO_DEFAULT, retryAttemptsProblem, retryOnTokenProblem, SAFE_RETRY_ON_FOR_WRITES as SAFE_FOR_WRITES, unsafeForWrites,
  writeRetryOnProblem,
} from '../core/retry';
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
export const SAFE_RETRY_ON_FOR_WRITES: RetryOn[] = SAFE_FOR_WRITES.map((c) => c as RetryOn);

/**
 * The conditions Istio retries on when a route's retry policy sets no `retryOn` (pilot retry.go), the list of
 * src/core/retry: connect-failure, refused-stream, unavailable, cancelled, retriable-status-codes (Istio adds 503).
 */
export const ISTIO_DEFAULT_RETRY_ON: RetryOn[] = ISTIO_DEFAULT.split(',').map((c) => c as RetryOn);

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
   * Whether a retry avoids the endpoints already tried (Istio `retryIgnorePreviousHosts`).
   * @default - Istio's true
   */
  readonly retryIgnorePreviousHosts?: boolean;
  /**
   * Base interval of Envoy's exponential back-off between retries.
   * @default - Envoy's 25ms
   */
  readonly backoff?: Duration;
}

/** Options of {@link RetryPolicy.istioDefaultConditions}. */
export interface IstioDefaultRetryOptions {
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
   * Whether a retry avoids the endpoints already tried (Istio `retryIgnorePreviousHosts`).
   * @default - Istio's true
   */
  readonly retryIgnorePreviousHosts?: boolean;
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
   * Whether a retry avoids the endpoints already tried (Istio `retryIgnorePreviousHosts`).
   * @default - Istio's true
   */
  readonly retryIgnorePreviousHosts?: boolean;
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
  readonly retryIgnorePreviousHosts?: boolean;
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
 * - `istioDefaultConditions`: GET-like requests, retried on Istio's default conditions (`retryOn` is not emitted,
 *   so Istio's connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes apply); with attempts and
 *   a per-try timeout of your choice. Not for writes: the default includes unavailable, cancelled and 503.
 * - `none`: an explicit `attempts: 0`, overriding Istio's implicit default of 2 retries.
 *
 * Invalid options make an invalid policy (every problem of the options at once): the construct that takes it
 * raises them as an IstioValidationError naming its path and prop (see the rule reference for the codes); any
 * other use of it (a field, `worstCaseMillis`) throws the factory's error.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRetry
 */
export class RetryPolicy {
  /** Retries for idempotent requests. */
  public static idempotent(options: IdempotentRetryOptions): RetryPolicy {
    return buildValue(RetryPolicy, () => {
      const where = 'RetryPolicy.idempotent';
      checkOptions(options, { path: where, prop: 'options' }, 'Pass options such as RetryPolicy.idempotent({ attempts: 2 }).');
      const problems = collect({ path: where, prop: 'options' });
      const attempts = problems.check(() => checkAttempts(options.attempts, where));
      const retryOn = problems.check(() => checkRetryOn(options.retryOn ?? DEFAULT_IDEMPOTENT, attempts ?? 0, where));
      const ignore = checkCommon(options, where, problems);
      problems.raise();
      return new RetryPolicy(false, attempts!, retryOn!, options.perTryTimeout, options.backoff, where, false, ignore);
    });
  }

  /**
   * Retries for idempotent requests on Istio's default conditions: emits `attempts` (and `perTryTimeout`,
   * `backoff` when given) but no `retryOn`, so Istio keeps its own list (connect-failure, refused-stream,
   * unavailable, cancelled, retriable-status-codes). Unsafe for writes (rule VS-18): use
   * {@link RetryPolicy.nonIdempotent} there.
   */
  public static istioDefaultConditions(options: IstioDefaultRetryOptions): RetryPolicy {
    return buildValue(RetryPolicy, () => {
      const where = 'RetryPolicy.istioDefaultConditions';
      checkOptions(options, { path: where, prop: 'options' }, 'Pass options such as RetryPolicy.istioDefaultConditions({ attempts: 2 }).');
      const problems = collect({ path: where, prop: 'options' });
      const attempts = problems.check(() => checkAttempts(options.attempts, where));
      const ignore = checkCommon(options, where, problems);
      problems.raise();
      return new RetryPolicy(false, attempts!, ISTIO_DEFAULT_RETRY_ON, options.perTryTimeout, options.backoff, where, true, ignore);
    });
  }

  /** Retries that are safe for non-idempotent requests: only when the request never reached the server. */
  public static nonIdempotent(options: NonIdempotentRetryOptions): RetryPolicy {
    return buildValue(RetryPolicy, () => {
      const where = 'RetryPolicy.nonIdempotent';
      checkOptions(options, { path: where, prop: 'options' }, 'Pass options such as RetryPolicy.nonIdempotent({ attempts: 2 }).');
      const problems = collect({ path: where, prop: 'options' });
      const attempts = problems.check(() => checkAttempts(options.attempts, where));
      const retryOn = problems.check(() => {
        const conditions = checkRetryOn(options.retryOn ?? SAFE_RETRY_ON_FOR_WRITES, attempts ?? 0, where, true);
        enforce(writeRetryOnProblem, [conditions], {
          path: where, prop: 'retryOn', value: unsafeForWrites(conditions).join(','), allowed: SAFE_FOR_WRITES.join(','),
          message: () => `retryOn contains "${unsafeForWrites(conditions).join(',')}", which can replay a request the server already received`,
          fix: `Retry non-idempotent requests only on ${SAFE_FOR_WRITES.join(',')}, or use RetryPolicy.idempotent for GET-like routes.`,
        });
        return conditions;
      });
      const ignore = checkCommon({ backoff: options.backoff, retryIgnorePreviousHosts: options.retryIgnorePreviousHosts }, where, problems);
      problems.raise();
      return new RetryPolicy(true, attempts!, retryOn!, undefined, options.backoff, where, false, ignore);
    });
  }

  /** No retries at all (`attempts: 0`). Safe for every route. */
  public static none(): RetryPolicy {
    return new RetryPolicy(false, 0, [], undefined, undefined, 'RetryPolicy.none', false);
  }

  /**
   * Whether this policy was made for non-idempotent requests (writes, {@link RetryPolicy.nonIdempotent}); routes
   * using it are recorded as non-idempotent.
   */
  public readonly forWrites: boolean;
  /** Retries after the first attempt. */
  public readonly attempts: number;
  /**
   * Retry conditions (empty for `none`; Istio's default conditions for `istioDefaultConditions`, which are then
   * not emitted).
   */
  public readonly retryOn: RetryOn[];
  /** Whether `retryOn` is left to Istio's default (not emitted), see {@link RetryPolicy.istioDefaultConditions}. */
  public readonly usesIstioDefaultConditions: boolean;
  /** Per-try timeout, if any. @default - none (not emitted: Istio uses the route timeout) */
  public readonly perTryTimeout?: Duration;
  /** Back-off base interval, if any. @default - none (not emitted: Envoy's 25ms) */
  public readonly backoff?: Duration;
  private readonly rendered: RenderedRetries;

  private constructor(forWrites: boolean, attempts: number, retryOn: readonly RetryOn[],
    perTryTimeout: Duration | undefined, backoff: Duration | undefined, where: string, istioDefault: boolean, retryIgnorePreviousHosts?: boolean) {
    this.forWrites = forWrites;
    this.attempts = attempts;
    this.retryOn = [...new Set(retryOn)];
    this.usesIstioDefaultConditions = istioDefault;
    this.perTryTimeout = perTryTimeout;
    this.backoff = backoff;
    this.rendered = {
      attempts,
      ...(perTryTimeout ? { perTryTimeout: renderDuration(perTryTimeout, { path: where, prop: 'perTryTimeout' }) } : {}),
      ...(attempts > 0 && !istioDefault ? { retryOn: this.retryOn.join(',') } : {}),
      ...(backoff ? { backoff: renderDuration(backoff, { path: where, prop: 'backoff' }) } : {}),
      ...(retryIgnorePreviousHosts !== undefined ? { retryIgnorePreviousHosts } : {}),
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
 * The checks every factory shares, each on its own: `retryIgnorePreviousHosts` (returned), `perTryTimeout` and
 * `backoff` (X-01; the constructor renders them once they pass).
 */
function checkCommon(options: { readonly perTryTimeout?: Duration; readonly backoff?: Duration; readonly retryIgnorePreviousHosts?: boolean }, where: string, problems: Problems): boolean | undefined {
  const ignore = problems.check(() => ignoreHosts(options.retryIgnorePreviousHosts, where));
  for (const prop of ['perTryTimeout', 'backoff'] as const) {
    const duration = options[prop];
    if (duration !== undefined) problems.check(() => renderDuration(duration, { path: where, prop }));
  }
  return ignore;
}

/** `retryIgnorePreviousHosts`: a boolean when given (PROP). */
function ignoreHosts(value: unknown, where: string): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') propError({ path: where, prop: 'retryIgnorePreviousHosts' }, { value, expected: 'a boolean', fix: 'Set retryIgnorePreviousHosts to true or false, or leave it out.' });
  return value as boolean | undefined;
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
 * policy retries: an empty list would fall back to Istio's default conditions, which is PROP for idempotent
 * requests (RetryPolicy.istioDefaultConditions says that explicitly) and VS-18 for writes (the default includes
 * unavailable, cancelled and 503).
 */
function checkRetryOn(retryOn: readonly RetryOn[], attempts: number, where: string, forWrites = false): readonly RetryOn[] {
  checkList(retryOn, 'retryOn', where);
  for (const condition of retryOn) {
    if (typeof condition !== 'string') propError({ path: where, prop: 'retryOn' }, { value: condition, expected: 'a RetryOn condition', fix: 'Pass RetryOn values, e.g. RetryOn.CONNECT_FAILURE.' });
    enforce(retryOnTokenProblem, [condition], {
      path: where, prop: 'retryOn', allowed: Object.values(RetryOn).join(','),
      message: (problem) => `retryOn contains ${show(condition)}, which ${problem}`, fix: 'Pass RetryOn values, e.g. RetryOn.CONNECT_FAILURE.',
    });
  }
  if (attempts > 0 && retryOn.length === 0) {
    if (forWrites) {
      const defaults = ISTIO_DEFAULT.split(',');
      enforce(writeRetryOnProblem, [defaults], {
        path: where, prop: 'retryOn', value: unsafeForWrites(defaults).join(','), allowed: SAFE_FOR_WRITES.join(','),
        message: () => `retryOn is empty, so Istio's default conditions (${ISTIO_DEFAULT}) would apply; `
          + `"${unsafeForWrites(defaults).join(',')}" can replay a request the server already received, so a non-idempotent policy may not keep Istio's default`,
        fix: `List the conditions explicitly, only from ${SAFE_FOR_WRITES.join(',')} (the default when retryOn is omitted), or use RetryPolicy.none().`,
      });
    }
    propError({ path: where, prop: 'retryOn' }, {
      value: retryOn, expected: 'at least one RetryOn condition',
      message: "retryOn is empty, so Istio's default conditions would apply instead",
      fix: "List at least one RetryOn condition, use RetryPolicy.istioDefaultConditions(…) to keep Istio's default conditions on purpose, or RetryPolicy.none().",
    });
  }
  return retryOn;
}
