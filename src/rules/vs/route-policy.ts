import { Severity } from '../../core/errors';
import { testTrafficMatchProblem } from '../../core/fault';
import { parseDuration } from '../../core/grammar';
import { arr, isRecord } from '../../core/json';
import { ISTIO_DEFAULT_RETRY_ON, SAFE_RETRY_ON_FOR_WRITES, unsafeForWrites, writeRetryOnProblem } from '../../core/retry';
import { Finding, IstioObject, Rule } from '../../engine/types';
import { routeLabel } from '../../engine/view-vs';

const WRITE_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'];

/** Write methods a StringMatch on `method` admits. */
function writeMethodsAdmitted(m: any): string[] {
  if (!isRecord(m)) return [];
  if (typeof m.exact === 'string') return WRITE_METHODS.filter((w) => w === m.exact.toUpperCase());
  if (typeof m.prefix === 'string') return WRITE_METHODS.filter((w) => w.startsWith(m.prefix.toUpperCase()));
  if (typeof m.regex === 'string') {
    try {
      const re = new RegExp(`^(?:${m.regex})$`);
      return WRITE_METHODS.filter((w) => re.test(w));
    } catch {
      return [...WRITE_METHODS];
    }
  }
  return [];
}

/** How an HTTP route relates to non-idempotent requests. */
interface WriteExposure {
  /** Write methods the route's matches admit explicitly, or `['(marked non-idempotent)']`. */
  readonly writes: string[];
  /** Some match (or the absence of matches) puts no constraint on the method. */
  readonly unconstrained: boolean;
}

function writeExposure(o: IstioObject, route: any): WriteExposure {
  const matches = arr(route?.match);
  const writes = new Set<string>();
  for (const m of matches) for (const w of writeMethodsAdmitted(m?.method)) writes.add(w);
  if (typeof route?.name === 'string' && (o.facts.nonIdempotentRoutes ?? []).includes(route.name)) writes.add('(marked non-idempotent)');
  const unconstrained = matches.length === 0 || matches.some((m) => !isRecord(m) || m.method === undefined);
  return { writes: [...writes], unconstrained };
}

export const VS18: Rule = {
  code: 'VS-18', title: 'No unsafe retries on routes that carry non-idempotent requests', severity: Severity.ERROR, levels: 'E', scope: 'self',
  kinds: ['VirtualService'],
  why: 'Retrying a POST/PUT/PATCH/DELETE after the server received it (5xx, reset, per-try timeout) can apply the write twice. Only failures before the request reached the server are safe to retry. Routes that inject faults are exempt: Istio enables no retries on them (VS-20).',
  fix: `Retry writes only on ${SAFE_RETRY_ON_FOR_WRITES.join(',')} without perTryTimeout (RetryPolicy.nonIdempotent), or set attempts: 0.`,
  upstream: "Derived: Envoy retry semantics, Istio retry.go (inbound default 'reset-before-request'), Envoy #10007",
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    arr(o.spec.http).forEach((route, i) => {
      // Istio enables no retries (its implicit default included) on a route that injects faults (VS-20).
      if (isRecord(route?.fault)) return;
      const { writes } = writeExposure(o, route);
      if (writes.length === 0) return;
      const name = routeLabel(route, i);
      const what = `${name} carries ${writes.join('/')} requests`;
      const retries = route.retries;
      if (!isRecord(retries)) {
        out.push({ message: `${what} but sets no retries, so Istio's implicit default (2 retries on ${ISTIO_DEFAULT_RETRY_ON}, which includes 503) applies`, fix: this.fix, value: 'retries unset' });
        return;
      }
      if (retries.attempts === 0) return;
      const tokens = typeof retries.retryOn === 'string' ? retries.retryOn.split(',').map((t: string) => t.trim()).filter(Boolean) : ISTIO_DEFAULT_RETRY_ON.split(',');
      const unsafe = writeRetryOnProblem(tokens);
      if (unsafe) {
        out.push({
          message: `${what} but ${unsafe}${retries.retryOn === undefined ? " (Istio's default retryOn)" : ''}; a non-idempotent request may be replayed`,
          fix: this.fix, value: unsafeForWrites(tokens).join(','), allowed: SAFE_RETRY_ON_FOR_WRITES.join(','),
        });
      }
      if (retries.perTryTimeout !== undefined) {
        out.push({ message: `${what} but retries after perTryTimeout ${JSON.stringify(retries.perTryTimeout)}; a timed-out write may already be applied`, fix: this.fix, value: retries.perTryTimeout });
      }
    });
    return out;
  },
};

export const VS19: Rule = {
  code: 'VS-19', title: 'The route timeout covers every retry: timeout ≥ perTryTimeout × (attempts + 1) + backoff × attempts', severity: Severity.ERROR, levels: 'E/W', scope: 'self',
  kinds: ['VirtualService'],
  why: "Envoy's route timeout includes all retries: a perTryTimeout ≥ timeout can never fire, and a shorter timeout cuts the later attempts off. Stricter than the catalogue (which warns on the second case), as the seeds' derivation requires. An unset backoff counts as 0: Envoy's default back-off is jittered (a random wait below 25 ms × 2^n − 1, at most 250 ms), so a timeout exactly at perTryTimeout × (attempts + 1) may still cut the last attempt short by that wait; set backoff to have it counted.",
  fix: 'Raise timeout to at least perTryTimeout × (attempts + 1) (+ backoff × attempts), or lower attempts or perTryTimeout.',
  upstream: 'Derived: Envoy router (route timeout includes retries), Istio HTTPRetry defaults',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    arr(o.spec.http).forEach((route, i) => {
      const retries = route?.retries;
      const timeout = parseDuration(route?.timeout);
      if (timeout === undefined || !isRecord(retries) || !(typeof retries.attempts === 'number' && retries.attempts > 0)) return;
      const name = routeLabel(route, i);
      const perTry = parseDuration(retries.perTryTimeout);
      const tokens = typeof retries.retryOn === 'string' ? retries.retryOn.split(',').map((t: string) => t.trim()) : [];
      const onlyBeforeRequest = tokens.length > 0 && unsafeForWrites(tokens).length === 0;
      if (perTry === undefined) {
        // Retries only on failures before the request was sent need no per-try timeout (and writes must not have one).
        if (onlyBeforeRequest) return;
        out.push({ severity: Severity.WARNING, message: `${name} retries ${retries.attempts} times without perTryTimeout, so each attempt may use the whole ${route.timeout} timeout and no retry happens after a slow attempt`, fix: 'Set perTryTimeout (about 1.5-2 × the healthy p99 latency).' });
        return;
      }
      if (perTry >= timeout) {
        out.push({ message: `${name} perTryTimeout ${retries.perTryTimeout} is not shorter than timeout ${route.timeout}, so a per-try timeout can never trigger a retry`, fix: this.fix, value: retries.perTryTimeout, allowed: `< ${route.timeout}` });
        return;
      }
      const backoff = parseDuration(retries.backoff) ?? 0;
      const needed = perTry * (retries.attempts + 1) + backoff * retries.attempts;
      if (timeout < needed) {
        out.push({
          message: `${name} timeout ${route.timeout} is shorter than perTryTimeout ${retries.perTryTimeout} × ${retries.attempts + 1} attempts${backoff ? ` + backoff ${retries.backoff} × ${retries.attempts}` : ''} = ${needed}ms, so later retries are cut off`,
          fix: this.fix, value: route.timeout, allowed: `>= ${needed}ms`,
        });
      }
    });
    return out;
  },
};

export const VS23: Rule = {
  code: 'VS-23', title: 'Fault injection only on routes that select test traffic', severity: Severity.ERROR, levels: 'E', scope: 'self',
  kinds: ['VirtualService'],
  why: 'A fault on real traffic is not a chaos test, it is an outage. Every match of a faulted route must select synthetic traffic.',
  fix: "Put the fault on a route whose every match has a header (or sourceLabels, sourceNamespace, queryParams) condition, e.g. x-chaos-test: true, above the normal routes.",
  upstream: 'Project guidance; Istio fault-injection task; IST0130 example',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    arr(o.spec.http).forEach((route, i) => {
      if (!isRecord(route?.fault)) return;
      const matches = arr(route.match);
      const open = matches.length === 0 ? 'it has no match (catch-all)' : matches.some((m) => testTrafficMatchProblem(m) !== undefined) ? 'one of its matches selects no test header' : undefined;
      if (open) out.push({ message: `${routeLabel(route, i)} injects a fault but ${open}, so real requests are affected`, fix: this.fix });
    });
    return out;
  },
};

export const VS25: Rule = {
  code: 'VS-25', title: 'No mirroring of write paths', severity: Severity.ERROR, levels: 'E/W', scope: 'self',
  kinds: ['VirtualService'],
  why: 'Mirrored requests run for real on the mirror target: mirroring writes duplicates side effects (database writes, payments). Mirroring without a method constraint mirrors writes too.',
  fix: 'Mirror only a route restricted to idempotent methods (e.g. method regex ^(GET|HEAD)$), or make the mirror target run in shadow mode and suppress with a reason.',
  upstream: 'Derived; Flagger docs (mirror idempotent requests only); Istio mirroring semantics',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    arr(o.spec.http).forEach((route, i) => {
      if (!isRecord(route?.mirror) && arr(route?.mirrors).length === 0) return;
      const { writes, unconstrained } = writeExposure(o, route);
      const name = routeLabel(route, i);
      if (writes.length > 0) {
        out.push({ message: `${name} mirrors ${writes.join('/')} requests, duplicating their side effects`, fix: this.fix, value: writes.join(',') });
      } else if (unconstrained) {
        out.push({ severity: Severity.WARNING, message: `${name} mirrors requests of every method, including writes`, fix: this.fix });
      }
    });
    return out;
  },
};
