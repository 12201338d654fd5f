import { Duration } from 'cdk8s';
import { checkInteger, renderDuration, Where } from '../core/enforce';
import { fail } from '../core/errors';
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
 * Fault injection scoped to test traffic (Istio `HTTPRoute.fault` on a header-matched route).
 *
 * The library only injects faults into requests that match `match`, which must contain a header condition
 * (e.g. `x-chaos-test: true`); normal traffic is never affected (rule VS-23). Timeouts and retries are not
 * applied to the faulted route, because Istio disables them there.
 *
 * Raises VS-22 (percentages, status, neither delay nor abort), VS-23 (no header match) and X-01.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPFaultInjection
 */
export interface FaultInjection {
  /** Which requests get the fault; must include a header condition. */
  readonly match: HttpMatch;
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

/** Validates a fault and renders its Istio `HTTPFaultInjection`. */
export function renderFault(fault: FaultInjection, path: string): Record<string, unknown> {
  if (!isRecord(fault)) {
    fail({ code: 'VS-22', path, value: show(fault), allowed: '{ match, delay and/or abort }', message: `faultInjection ${show(fault)} is not an object`, fix: 'Set faultInjection: { match, delay and/or abort }.' });
  }
  if (!(fault.match instanceof HttpMatch) || !fault.match.hasHeader) {
    fail({
      code: 'VS-23', path, value: fault.match instanceof HttpMatch ? JSON.stringify(fault.match._render()) : fault.match == null ? 'null' : show(fault.match), allowed: 'a match with a header condition',
      message: 'faultInjection.match does not select test traffic by a header, so the fault would hit real users',
      fix: "Scope the fault to synthetic traffic, e.g. match: HttpMatch.header('x-chaos-test').exact('true').",
    });
  }
  if (!fault.delay && !fault.abort) {
    fail({ code: 'VS-22', path, value: '{}', message: 'faultInjection sets neither delay nor abort', fix: 'Set faultInjection.delay and/or faultInjection.abort.' });
  }
  for (const part of ['delay', 'abort'] as const) {
    if (fault[part] !== undefined && !isRecord(fault[part])) {
      fail({ code: 'VS-22', path, value: show(fault[part]), message: `faultInjection.${part} ${show(fault[part])} is not an object`, fix: `Set faultInjection.${part} to { ${part === 'delay' ? 'fixedDelay' : 'httpStatus'}, percentage }.` });
    }
  }
  const out: Record<string, unknown> = {};
  if (fault.delay) {
    out.delay = {
      fixedDelay: renderDuration(fault.delay.fixedDelay, { path, prop: 'faultInjection.delay.fixedDelay' }),
      percentage: { value: faultPercent(fault.delay.percentage, { path, prop: 'faultInjection.delay.percentage' }) },
    };
  }
  if (fault.abort) {
    out.abort = {
      httpStatus: checkInteger(fault.abort.httpStatus, { path, prop: 'faultInjection.abort.httpStatus', code: 'VS-22', min: 200, max: 599 }),
      percentage: { value: faultPercent(fault.abort.percentage, { path, prop: 'faultInjection.abort.percentage' }) },
    };
  }
  return out;
}

function faultPercent(value: number, where: Where): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 100 || (value > 0 && value < 0.0001)) {
    fail({
      code: 'VS-22', path: where.path, value, allowed: '0 or 0.0001-100',
      message: `${where.prop} must be 0 or within 0.0001-100 (received ${show(value)})`,
      fix: `Set ${where.prop} to a percentage such as 50.`,
    });
  }
  return value;
}
