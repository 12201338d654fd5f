import { Duration } from 'cdk8s';
import { enforce, isBuilt, propError, renderDuration, Where } from '../core/enforce';
import { raiseInvalid } from '../core/problems';
import { faultActionProblem, faultHttpStatusProblem, faultPercentageProblem, testTrafficMatchProblem } from '../core/fault';
import { isRecord } from '../core/json';
import { show } from '../core/text';
import { HttpMatch } from './match';

/** A fixed delay injected into a percentage of matching requests. */
export interface FaultDelay {
  /** How long to delay each affected request (≥ 1ms). */
  readonly fixedDelay: Duration;
  /** Percentage of matching requests to delay: 0, or 0.0001-100. */
  readonly percentage: number;
}

/** An error returned instead of forwarding a percentage of matching requests. */
export interface FaultAbort {
  /** HTTP status to return, integer 200-599 (typically 503). */
  readonly httpStatus: number;
  /** Percentage of matching requests to abort: 0, or 0.0001-100. */
  readonly percentage: number;
}

/**
 * The fault a route injects (Istio `HTTPFaultInjection`): a delay and/or an abort. On a route of
 * {@link HostTraffic}, rule VS-23 requires the route's matches to select test traffic (a header, query parameter,
 * sourceLabels or sourceNamespace condition).
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPFaultInjection
 */
export interface HttpFault {
  /**
   * Delay part of the fault.
   * @default - no delay
   */
  readonly delay?: FaultDelay;
  /**
   * Abort part of the fault.
   * @default - no abort
   */
  readonly abort?: FaultAbort;
}

/**
 * Fault injection scoped to test traffic (Istio `HTTPRoute.fault` on a header-matched route).
 *
 * The library only injects faults into requests that match `match`, which must select test traffic by a header
 * (e.g. `x-chaos-test: true`) or query parameter condition; normal traffic is never affected (rule VS-23).
 * Timeouts and retries are not applied to the faulted route, because Istio disables them there.
 *
 * Invalid props raise IstioValidationError when the construct is created (see the rule reference for the codes).
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPFaultInjection
 */
export interface FaultInjection extends HttpFault {
  /** Which requests get the fault; must include a header (or query parameter) condition. */
  readonly match: HttpMatch;
}

/** Validates a fault and renders its Istio `HTTPFaultInjection`. */
export function renderFault(fault: FaultInjection, path: string): Record<string, unknown> {
  const where = { path, prop: 'faultInjection' };
  if (!isRecord(fault)) propError(where, { value: fault, expected: '{ match, delay and/or abort }', message: `faultInjection ${show(fault)} is not an object`, fix: 'Set faultInjection: { match, delay and/or abort }.' });
  const scoping = "Scope the fault to synthetic traffic, e.g. match: HttpMatch.header('x-chaos-test').exact('true').";
  raiseInvalid(fault.match, { path, prop: 'faultInjection.match' });
  if (!isBuilt(fault.match, HttpMatch)) {
    propError({ path, prop: 'faultInjection.match' }, { value: fault.match, shown: fault.match == null ? 'null' : show(fault.match), expected: 'an HttpMatch', fix: scoping });
  }
  const match = fault.match._render();
  enforce(testTrafficMatchProblem, [match], {
    path, prop: 'faultInjection.match', value: JSON.stringify(match), allowed: 'a match with a header or query parameter condition',
    message: () => 'faultInjection.match does not select test traffic by a header or query parameter, so the fault would hit real users', fix: scoping,
  });
  return renderHttpFault(fault, { path, prop: 'faultInjection' });
}

/** Validates a route's fault (delay and/or abort; VS-22's checks) and renders its Istio `HTTPFaultInjection`. */
export function renderHttpFault(fault: HttpFault, where: Where): Record<string, unknown> {
  const path = where.path;
  const at = where.prop;
  if (!isRecord(fault)) propError(where, { value: fault, expected: '{ delay and/or abort }', message: `${at} ${show(fault)} is not an object`, fix: `Set ${at}: { delay and/or abort }.` });
  for (const part of ['delay', 'abort'] as const) {
    if (fault[part] !== undefined && !isRecord(fault[part])) {
      propError({ path, prop: `${at}.${part}` }, {
        value: fault[part], expected: 'an object', message: `${at}.${part} ${show(fault[part])} is not an object`,
        fix: `Set ${at}.${part} to { ${part === 'delay' ? 'fixedDelay' : 'httpStatus'}, percentage }.`,
      });
    }
  }
  enforce(faultActionProblem, [fault as unknown as Record<string, unknown>], { ...where, value: '{}', message: () => `${at} sets neither delay nor abort`, fix: `Set ${at}.delay and/or ${at}.abort.` });
  const out: Record<string, unknown> = {};
  if (fault.delay) {
    out.delay = {
      fixedDelay: renderDuration(fault.delay.fixedDelay, { path, prop: `${at}.delay.fixedDelay` }),
      percentage: { value: faultPercent(fault.delay.percentage, { path, prop: `${at}.delay.percentage` }) },
    };
  }
  if (fault.abort) {
    out.abort = {
      httpStatus: httpStatus(fault.abort.httpStatus, { path, prop: `${at}.abort.httpStatus` }),
      percentage: { value: faultPercent(fault.abort.percentage, { path, prop: `${at}.abort.percentage` }) },
    };
  }
  return out;
}

function faultPercent(value: number, where: Where): number {
  const fix = `Set ${where.prop} to a percentage such as 50.`;
  if (typeof value !== 'number') propError(where, { value, expected: 'a number', fix });
  enforce(faultPercentageProblem, [value], { ...where, allowed: '0 or 0.0001-100', message: (problem) => `${where.prop} ${show(value)} ${problem}`, fix });
  return value;
}

function httpStatus(value: number, where: Where): number {
  const fix = 'Use an HTTP status such as 503.';
  if (typeof value !== 'number') propError(where, { value, expected: 'an integer 200-599', fix });
  enforce(faultHttpStatusProblem, [value], { ...where, allowed: 'integer 200-599', message: (problem) => `${where.prop} ${show(value)} ${problem}`, fix });
  return value;
}
