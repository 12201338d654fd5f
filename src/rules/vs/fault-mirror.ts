import { Severity } from '../../core/errors';
import { faultActionProblem, faultHttpStatusProblem, faultPercentageProblem } from '../../core/fault';
import { fqdn } from '../../core/hosts';
import { arr, isRecord } from '../../core/json';
import { mirrorPercentageProblem } from '../../core/split';
import { Finding, IstioObject, Rule } from '../../engine/types';
import { forEachHttpRoute } from '../../engine/view-vs';

/** gRPC status names Istio accepts for `fault.abort.grpcStatus`. */
const GRPC_STATUS = new Set([
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS',
  'UNAUTHENTICATED',
]);

/** Problem of an Istio `Percent` (`{ value }`): 0, or within [0.0001, 100]; `undefined` when fine or unreadable. */
function percentProblem(p: unknown): { value: number; problem: string } | undefined {
  if (!isRecord(p) || typeof p.value !== 'number') return undefined;
  const problem = faultPercentageProblem(p.value);
  return problem ? { value: p.value, problem } : undefined;
}

/** Problem of a mirror percentage (`{ value }`): within 0-100. */
function mirrorPercentProblem(p: unknown): number | undefined {
  if (!isRecord(p) || typeof p.value !== 'number') return undefined;
  return mirrorPercentageProblem(p.value) ? p.value : undefined;
}

export const VS20: Rule = {
  code: 'VS-20', title: 'No retries or timeout on a route that injects faults', severity: Severity.WARNING, levels: 'W', scope: 'self',
  kinds: ['VirtualService'],
  why: 'Istio disables timeouts and retries on a route whose fault injection is enabled, so a retry policy (or timeout) written on the faulted route never applies and the test does not exercise it.',
  fix: 'Keep the fault on its own header-matched test route without retries or timeout, or remove them from the faulted route.',
  upstream: 'VS reference (HTTPRoute.fault note)',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    forEachHttpRoute(o, (route, _i, name) => {
      if (!isRecord(route.fault)) return;
      const retries = isRecord(route.retries) && typeof route.retries.attempts === 'number' && route.retries.attempts > 0 ? route.retries.attempts : undefined;
      const ignored = [
        ...(retries !== undefined ? [`retries.attempts ${retries}`] : []),
        ...(route.timeout !== undefined ? [`timeout ${JSON.stringify(route.timeout)}`] : []),
      ];
      if (ignored.length > 0) {
        out.push({ message: `${name} injects a fault and sets ${ignored.join(' and ')}, which Istio ignores on faulted routes`, fix: this.fix, value: ignored.join(', ') });
      }
    });
    return out;
  },
};

export const VS22: Rule = {
  code: 'VS-22', title: 'Fault injection grammar: abort and/or delay, valid percentages, status codes and delay type', severity: Severity.ERROR, levels: 'E/W', scope: 'self',
  kinds: ['VirtualService'],
  why: 'Istio rejects a fault with neither abort nor delay, percentages outside 0 or 0.0001-100, HTTP abort codes outside 200-599, unknown gRPC codes, http2Error and exponentialDelay. A delay without fixedDelay injects nothing. An abort without an error type and the deprecated delay.percent are accepted with a warning.',
  fix: 'Write fault: { abort: { httpStatus: 503, percentage: { value: 10 } } } and/or { delay: { fixedDelay: "2s", percentage: { value: 10 } } }.',
  upstream: 'webhook V15-V18, IST0002 (delay.percent)',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    const error = (message: string, value?: unknown, allowed?: string) => out.push({ message, fix: this.fix, ...(value !== undefined ? { value } : {}), ...(allowed ? { allowed } : {}) });
    const warn = (message: string, value?: unknown) => out.push({ severity: Severity.WARNING, message, fix: this.fix, ...(value !== undefined ? { value } : {}) });
    forEachHttpRoute(o, (route, _i, name) => {
      const fault = route.fault;
      if (!isRecord(fault)) return;
      const { abort, delay } = fault;
      const action = faultActionProblem(fault);
      if (action) {
        error(`${name} fault ${action}`, fault, 'abort and/or delay');
        return;
      }
      for (const [kind, part] of [['abort', abort], ['delay', delay]] as const) {
        const bad = isRecord(part) ? percentProblem(part.percentage) : undefined;
        if (bad) error(`${name} fault.${kind}.percentage.value ${bad.value} ${bad.problem}`, bad.value, '0, or 0.0001-100');
      }
      if (isRecord(abort)) {
        if (abort.http2Error !== undefined) {
          error(`${name} fault.abort.http2Error ${JSON.stringify(abort.http2Error)} is not supported by Istio`, abort.http2Error, 'httpStatus or grpcStatus');
        } else if (abort.httpStatus !== undefined) {
          const s = abort.httpStatus;
          const problem = typeof s === 'number' ? faultHttpStatusProblem(s) : undefined;
          if (problem) error(`${name} fault.abort.httpStatus ${s} ${problem}`, s, '200-599');
        } else if (abort.grpcStatus !== undefined) {
          const g = abort.grpcStatus;
          if (typeof g === 'string' && !GRPC_STATUS.has(g)) error(`${name} fault.abort.grpcStatus ${JSON.stringify(g)} is not a gRPC status name`, g, [...GRPC_STATUS].join(', '));
        } else {
          warn(`${name} fault.abort sets no httpStatus or grpcStatus, so it has no error to return`);
        }
      }
      if (isRecord(delay)) {
        if (delay.exponentialDelay !== undefined) {
          error(`${name} fault.delay.exponentialDelay ${JSON.stringify(delay.exponentialDelay)} is not supported by Istio`, delay.exponentialDelay, 'fixedDelay');
        } else if (delay.fixedDelay === undefined) {
          error(`${name} fault.delay sets no fixedDelay, so no delay is injected`, undefined, 'fixedDelay');
        }
        if (delay.percent !== undefined) {
          warn(`${name} fault.delay.percent ${JSON.stringify(delay.percent)} is deprecated; use percentage: { value: ${JSON.stringify(delay.percent)} }`, delay.percent);
        }
      }
    });
    return out;
  },
};

export const VS24: Rule = {
  code: 'VS-24', title: 'Mirror percentages are within 0-100; no null mirrors entries; mirrorPercent is deprecated', severity: Severity.ERROR, levels: 'E/W', scope: 'self',
  kinds: ['VirtualService'],
  why: 'Istio rejects mirrorPercentage and mirrors[].percentage outside 0-100 and null mirrors entries. The deprecated mirrorPercent is accepted with a warning (an error above 100). Mirror destinations and hosts are checked by VS-10, mirror together with mirrors by VS-05.',
  fix: 'Use mirror with mirrorPercentage: { value: N }, or mirrors: [{ destination: { host }, percentage: { value: N } }], with N in 0-100.',
  upstream: 'webhook V10, V19-V21 (destination checks in VS-10, exclusivity in VS-05)',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    const error = (message: string, value: unknown, allowed: string) => out.push({ message, fix: this.fix, value, allowed });
    forEachHttpRoute(o, (route, _i, name) => {
      arr(route.mirrors).forEach((m, j) => {
        const where = `${name} mirrors[${j}]`;
        if (!isRecord(m)) {
          error(`${where} is ${JSON.stringify(m ?? null)}, not a mirror policy`, m ?? null, '{ destination, percentage }');
          return;
        }
        const bad = mirrorPercentProblem(m.percentage);
        if (bad !== undefined) error(`${where}.percentage.value ${bad} is outside 0-100`, bad, '0-100');
      });
      const bad = mirrorPercentProblem(route.mirrorPercentage);
      if (bad !== undefined) error(`${name} mirrorPercentage.value ${bad} is outside 0-100`, bad, '0-100');
      for (const key of ['mirrorPercent', 'mirror_percent']) {
        const legacy = route[key];
        if (legacy === undefined || legacy === null) continue;
        if (typeof legacy === 'number' && legacy > 100) {
          error(`${name} ${key} ${legacy} is above 100`, legacy, '0-100');
        } else {
          out.push({ severity: Severity.WARNING, message: `${name} ${key} ${JSON.stringify(legacy)} is deprecated; use mirrorPercentage: { value: ${JSON.stringify(legacy)} }`, fix: this.fix, value: legacy });
        }
      }
    });
    return out;
  },
};

/** The mirror targets of an HTTP route: `{ host, subset, where }` for `mirror` and every `mirrors[]` entry. */
function mirrorTargets(route: Record<string, any>, name: string): Array<{ host: string; subset?: string; where: string; percentage: unknown }> {
  const out: Array<{ host: string; subset?: string; where: string; percentage: unknown }> = [];
  const push = (d: any, where: string, percentage: unknown) => {
    if (isRecord(d) && typeof d.host === 'string' && d.host) out.push({ host: d.host, subset: typeof d.subset === 'string' && d.subset ? d.subset : undefined, where, percentage });
  };
  push(route.mirror, `${name} mirror`, route.mirrorPercentage ?? route.mirrorPercent ?? route.mirror_percent);
  arr(route.mirrors).forEach((m, j) => push(isRecord(m) ? m.destination : undefined, `${name} mirrors[${j}]`, isRecord(m) ? m.percentage ?? null : null));
  return out;
}

export const VS26: Rule = {
  code: 'VS-26', title: 'Mirror percentage set explicitly; the mirror target differs from the primary destination', severity: Severity.WARNING, levels: 'W', scope: 'self',
  kinds: ['VirtualService'],
  why: 'An unset mirror percentage mirrors 100% of the traffic, doubling the load on the mirror target. Mirroring to a host and subset that also receives live traffic from the route (weight > 0) delivers part of the requests to it twice. A weight-0 canary that only receives the mirror is the usual shadowing set-up and passes.',
  fix: 'Set mirrorPercentage (or mirrors[].percentage) explicitly, and mirror to a different host or subset than the route destination.',
  upstream: 'Derived (Istio mirroring semantics)',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    forEachHttpRoute(o, (route, _i, name) => {
      if (route.mirror === undefined && route.mirrors === undefined) return; // most routes mirror nothing
      // Destinations that receive live traffic: a lone destination, or one with a positive weight (a canary at
      // weight 0 that only receives the mirror is the usual shadowing set-up, not a duplicate).
      const dests = arr(route.route).filter((r) => isRecord(r) && isRecord(r.destination) && typeof r.destination.host === 'string');
      const primaries = dests
        .filter((r) => dests.length === 1 || (typeof r.weight === 'number' && r.weight > 0))
        .map((r) => `${fqdn(r.destination.host, o.namespace)}|${typeof r.destination.subset === 'string' ? r.destination.subset : ''}`);
      for (const m of mirrorTargets(route, name)) {
        if (m.percentage === undefined || m.percentage === null) {
          out.push({ message: `${m.where} to ${JSON.stringify(m.host)} sets no percentage, so 100% of the requests are mirrored`, fix: this.fix, value: 'percentage unset', allowed: 'an explicit percentage' });
        }
        if (primaries.includes(`${fqdn(m.host, o.namespace)}|${m.subset ?? ''}`)) {
          out.push({
            message: `${m.where} targets ${JSON.stringify(m.host)}${m.subset ? ` subset "${m.subset}"` : ''}, which also receives live traffic from the route, so those requests reach it twice`,
            fix: this.fix, value: m.subset ? `${m.host}/${m.subset}` : m.host,
          });
        }
      }
    });
    return out;
  },
};
