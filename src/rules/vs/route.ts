import { Severity } from '../../core/errors';
import { dnsLabelProblem } from '../../core/grammar';
import { fqdn } from '../../core/hosts';
import { arr, isRecord, isSet } from '../../core/json';
import { GRPC_RETRY_ON, HTTP_RETRY_ON, retryAttemptsProblem, retryOnTokenProblem } from '../../core/retry';
import { Finding, IstioObject, Rule } from '../../engine/types';
import { routeRef, routeSuffix, SECTIONS } from '../../engine/view-vs';

/** Problems of one Destination object at field path `at`; `named` is the route-name suffix. */
function destinationProblems(d: unknown, at: string, named: string, fix: string): Finding[] {
  if (!isRecord(d)) return [{ message: `${at}${named} is missing`, fix, value: d ?? null, allowed: 'a destination with a host' }];
  const out: Finding[] = [];
  if (d.host === undefined || d.host === null || d.host === '') {
    out.push({ message: `${at}.host${named} is missing`, fix, value: d.host ?? null, allowed: 'a Service or ServiceEntry host' });
  }
  if (typeof d.subset === 'string' && d.subset !== '') {
    const problem = dnsLabelProblem(d.subset);
    if (problem) out.push({ message: `${at}.subset "${d.subset}"${named} ${problem}`, fix: 'Use the name of a DestinationRule subset (a DNS-1123 label).', value: d.subset });
  }
  if (isRecord(d.port) && d.port.number === undefined) {
    out.push({ message: `${at}.port${named} has no number`, fix: 'Set port.number to a port of the destination service, or drop port.', value: d.port, allowed: '1-65535' });
  }
  return out;
}


export const VS10: Rule = {
  code: 'VS-10', title: 'Every route entry and mirror has a destination with a host; subsets are DNS labels; a port selector has a number', severity: Severity.ERROR, levels: 'E', scope: 'self',
  kinds: ['VirtualService'],
  why: 'Istio rejects a route entry or mirrors[] entry without destination, a destination without host, a subset that is not a DNS-1123 label and a port selector without number. Host grammar (including "*") is X-03 and port ranges are X-02.',
  fix: 'Give every route entry and mirror a destination { host, subset?, port: { number }? }.',
  upstream: 'webhook V21, V30 (IST0106)',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    for (const section of SECTIONS) {
      arr(o.spec[section]).forEach((route, i) => {
        if (!isRecord(route)) return;
        arr(route.route).forEach((r, j) => {
          if (isRecord(r)) out.push(...destinationProblems(r.destination, `spec.${section}[${i}].route[${j}].destination`, routeSuffix(route), this.fix));
        });
        if (section !== 'http') return;
        if (isSet(route.mirror)) out.push(...destinationProblems(route.mirror, `spec.http[${i}].mirror`, routeSuffix(route), this.fix));
        arr(route.mirrors).forEach((m, k) => {
          if (isRecord(m)) out.push(...destinationProblems(m.destination, `spec.http[${i}].mirrors[${k}].destination`, routeSuffix(route), this.fix));
        });
      });
    }
    return out;
  },
};

export const VS13: Rule = {
  code: 'VS-13', title: 'A destination (host, subset, port) appears at most once in one route', severity: Severity.ERROR, levels: 'E', scope: 'self',
  kinds: ['VirtualService'],
  why: 'Two entries for the same host, subset and port in one weighted route split traffic to themselves: the effective weight is their sum, which is not what either line says. Short names are compared after resolution in the VirtualService namespace.',
  fix: 'Merge the entries into one destination and add their weights.',
  upstream: 'KIA1105 (warning upstream, raised here)',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    for (const section of SECTIONS) {
      arr(o.spec[section]).forEach((route, i) => {
        if (!isRecord(route)) return;
        const seen = new Map<string, number>();
        arr(route.route).forEach((r, j) => {
          const d = isRecord(r) ? r.destination : undefined;
          if (!isRecord(d) || typeof d.host !== 'string' || d.host === '') return;
          const host = fqdn(d.host, o.namespace);
          const subset = typeof d.subset === 'string' ? d.subset : '';
          const port = isRecord(d.port) && typeof d.port.number === 'number' ? d.port.number : undefined;
          const key = `${host}|${subset}|${port ?? ''}`;
          const first = seen.get(key);
          if (first === undefined) {
            seen.set(key, j);
            return;
          }
          const what = `host ${host}${subset ? ` subset "${subset}"` : ''}${port !== undefined ? ` port ${port}` : ''}`;
          out.push({
            message: `${routeRef(route, i, section, `.route[${j}]`)} repeats the destination of route[${first}] (${what})`,
            fix: this.fix, value: what,
          });
        });
      });
    }
    return out;
  },
};

export const VS17: Rule = {
  code: 'VS-17', title: 'Retry policy syntax: attempts a non-negative integer, no retry settings with attempts 0, retryOn tokens known', severity: Severity.ERROR, levels: 'E', scope: 'self',
  kinds: ['VirtualService'],
  why: 'Istio rejects negative attempts, a retry policy that sets perTryTimeout, retryOn or retryRemoteLocalities while attempts is 0 or unset (retries are disabled, so the settings are dead), and retryOn tokens that are not Envoy retry conditions or known HTTP status codes (tokens are split on "," without trimming). perTryTimeout and backoff grammar is X-01. Istio sets no maximum on attempts and neither does this rule; the 1-10 range of RetryPolicy.idempotent/nonIdempotent is a contract of that API (PROP: use RetryPolicy.none() for 0), not a catalogue invariant.',
  fix: `Set attempts ≥ 1 with the other retry fields (or attempts: 0 alone to disable retries); use retryOn tokens from ${HTTP_RETRY_ON.join(', ')}, ${GRPC_RETRY_ON.join(', ')} or an HTTP status code, comma-separated without spaces.`,
  upstream: 'webhook V24-V27 (IST0106)',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    arr(o.spec.http).forEach((route, i) => {
      const retries = isRecord(route) ? route.retries : undefined;
      if (!isRecord(retries)) return;
      const where = `spec.http[${i}].retries`;
      const named = routeSuffix(route);
      const attempts = retries.attempts;
      const attemptsProblem = typeof attempts === 'number' ? retryAttemptsProblem(attempts) : undefined;
      if (attemptsProblem) out.push({ message: `${where}.attempts ${attempts}${named} ${attemptsProblem}`, fix: this.fix, value: attempts, allowed: 'integer >= 0' });
      if (attempts === undefined || attempts === 0) {
        const dead = ['perTryTimeout', 'retryOn', 'retryRemoteLocalities'].filter((k) => isSet(retries[k]) && retries[k] !== '');
        if (dead.length > 0) {
          out.push({
            message: `${where}${named} sets ${dead.join(', ')} but attempts is ${attempts === undefined ? 'unset (0)' : '0'}, which disables retries`,
            fix: 'Set attempts to the number of retries you want, or remove the other retry fields.', value: attempts ?? 0, allowed: 'attempts >= 1 with other retry fields',
          });
        }
      }
      if (typeof retries.retryOn === 'string' && retries.retryOn !== '') {
        for (const token of retries.retryOn.split(',')) {
          const problem = retryOnTokenProblem(token);
          if (!problem) continue;
          out.push({
            message: `${where}.retryOn "${retries.retryOn}"${named} contains ${JSON.stringify(token)}, which ${problem}`,
            fix: this.fix, value: token, allowed: [...HTTP_RETRY_ON, ...GRPC_RETRY_ON, '<HTTP status code>'].join(','),
          });
        }
      }
    });
    return out;
  },
};
