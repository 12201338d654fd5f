import { parseDuration } from '../core/grammar';
import { arr, isRecord } from '../core/json';
import { IstioObject } from './types';
import { RouteRule, routeRules } from './view-route';
import { routeLabel } from './view-vs';
/**
 * The client-side policy callers get when they call a host, read from its routing object: the retries and timeouts
 * of a VirtualService's HTTP routes, or what Istio makes of an HTTPRoute's rules (its defaults where neither says).
 */

/** Istio's implicit retry count on HTTP routes without `retries` (pilot retry.go). */
export const ISTIO_DEFAULT_ATTEMPTS = 2;

/** Where the retries of an HTTPRoute rule without the (experimental) `retry` field come from, for messages. */
export const HTTPROUTE_DEFAULT_RETRIES = "Istio's default for HTTPRoute (the standard channel has no retry field)";

/** The client-side policy callers get when they call a host: what its VirtualService routes (or HTTPRoute rules) say. */
export interface HostPolicy {
  /** Retries after the first attempt, worst route (Istio's implicit 2 when a route sets no retries, and on every HTTPRoute rule). */
  readonly attempts: number;
  /**
   * Where `attempts` comes from, for messages: `route "primary" (retries 2)`, `Istio's default`, or for an HTTPRoute
   * `rules[0] (no retry field in the standard channel: Istio's default 2 for HTTPRoute)`.
   */
  readonly attemptsSource: string;
  /** Shortest route timeout in ms when every route has one, else undefined (some route has none). */
  readonly timeoutMs?: number;
  /** Worst-case time a caller waits, in ms: route timeout, or perTryTimeout × (attempts + 1) + backoff × attempts; undefined when unbounded. */
  readonly worstMs?: number;
}

function hostPolicy(vs: IstioObject | undefined): HostPolicy {
  const http = vs ? arr(vs.spec.http).filter(isRecord) : [];
  // Istio enables neither retries nor timeouts on a route that injects faults (VS-20); such routes carry test
  // traffic only, so they neither retry nor bound the service's latency.
  const routes = http.filter((route) => !isRecord(route.fault));
  if (routes.length === 0) {
    if (http.length > 0) return { attempts: 0, attemptsSource: 'only fault-injection routes (Istio enables no retries there)' };
    // TLS and TCP routes are proxied as connections: no HTTP retries.
    if (vs && (arr(vs.spec.tls).length > 0 || arr(vs.spec.tcp).length > 0)) return { attempts: 0, attemptsSource: 'TLS/TCP routes only (no HTTP retries)' };
    return { attempts: ISTIO_DEFAULT_ATTEMPTS, attemptsSource: "Istio's default retries" };
  }
  let attempts = -1;
  let attemptsSource = '';
  let timeoutMs: number | undefined = Number.POSITIVE_INFINITY;
  let worstMs: number | undefined = 0;
  http.forEach((route, i) => {
    if (isRecord(route.fault)) return;
    const r = isRecord(route.retries) ? route.retries : undefined;
    const n = r ? (typeof r.attempts === 'number' ? r.attempts : 0) : ISTIO_DEFAULT_ATTEMPTS;
    if (n > attempts) {
      attempts = n;
      attemptsSource = r ? `${routeLabel(route, i)} (retries ${n})` : `${routeLabel(route, i)} (no retries set: Istio's default ${n})`;
    }
    const timeout = parseDuration(route.timeout);
    timeoutMs = timeout === undefined || timeoutMs === undefined ? undefined : Math.min(timeoutMs, timeout);
    const perTry = r ? parseDuration(r.perTryTimeout) : undefined;
    const backoff = (r ? parseDuration(r.backoff) : undefined) ?? 0;
    const worst = timeout ?? (perTry !== undefined ? perTry * (n + 1) + backoff * n : undefined);
    worstMs = worst === undefined || worstMs === undefined ? undefined : Math.max(worstMs, worst);
  });
  return { attempts, attemptsSource, ...(timeoutMs !== undefined ? { timeoutMs } : {}), ...(worstMs !== undefined ? { worstMs } : {}) };
}

/** The timeouts of one HTTPRoute rule in ms (Gateway API durations: `10s`, `500ms`, `1h`); absent, unparsable or `0s` (no timeout) left out. */
export function ruleTimeouts(rule: RouteRule): { readonly requestMs?: number; readonly backendRequestMs?: number } {
  const t = isRecord(rule.rule.timeouts) ? rule.rule.timeouts : {};
  const out: { requestMs?: number; backendRequestMs?: number } = {};
  for (const [key, field] of [['requestMs', 'request'], ['backendRequestMs', 'backendRequest']] as const) {
    const d = parseDuration(t[field]);
    if (d !== undefined && d > 0) out[key] = d;
  }
  return out;
}

/**
 * What Istio makes of one HTTPRoute rule's retries and timeouts (pilot's Gateway API conversion): without the
 * experimental `retry` field the rule gets Istio's default retries (2 attempts) and `timeouts.backendRequest`, when
 * set, becomes the route timeout in place of `timeouts.request`; with `retry`, its attempts (default 2) and backoff,
 * `timeouts.request` as the route timeout and `timeouts.backendRequest` as the per-try timeout.
 */
export function rulePolicy(rule: RouteRule): { attempts: number; attemptsSource: string; timeoutMs?: number; worstMs?: number } {
  const retry = isRecord(rule.rule.retry) ? rule.rule.retry : undefined;
  const attempts = retry && typeof retry.attempts === 'number' ? retry.attempts : ISTIO_DEFAULT_ATTEMPTS;
  const attemptsSource = retry ? `${rule.label} (retry attempts ${attempts}, experimental channel)` : `${rule.label} (no retry field in the standard channel: Istio's default ${attempts} for HTTPRoute)`;
  const { requestMs, backendRequestMs } = ruleTimeouts(rule);
  const timeoutMs = retry ? requestMs : backendRequestMs ?? requestMs;
  const perTry = retry ? backendRequestMs : undefined;
  const backoff = (retry ? parseDuration(retry.backoff) : undefined) ?? 0;
  const worstMs = timeoutMs ?? (perTry !== undefined ? perTry * (attempts + 1) + backoff * attempts : undefined);
  return { attempts, attemptsSource, ...(timeoutMs !== undefined ? { timeoutMs } : {}), ...(worstMs !== undefined ? { worstMs } : {}) };
}

/** The policy callers of an HTTPRoute's hosts get: the worst of its rules, as {@link hostPolicy} for a VirtualService. */
function httpRoutePolicy(route: IstioObject): HostPolicy {
  const rules = routeRules(route);
  if (rules.length === 0) return { attempts: ISTIO_DEFAULT_ATTEMPTS, attemptsSource: HTTPROUTE_DEFAULT_RETRIES };
  let attempts = -1;
  let attemptsSource = '';
  let timeoutMs: number | undefined = Number.POSITIVE_INFINITY;
  let worstMs: number | undefined = 0;
  for (const rule of rules) {
    const p = rulePolicy(rule);
    if (p.attempts > attempts) {
      attempts = p.attempts;
      attemptsSource = p.attemptsSource;
    }
    timeoutMs = p.timeoutMs === undefined || timeoutMs === undefined ? undefined : Math.min(timeoutMs, p.timeoutMs);
    worstMs = p.worstMs === undefined || worstMs === undefined ? undefined : Math.max(worstMs, p.worstMs);
  }
  return { attempts, attemptsSource, ...(timeoutMs !== undefined ? { timeoutMs } : {}), ...(worstMs !== undefined ? { worstMs } : {}) };
}

/** The policy callers get from a routing object (a VirtualService or an HTTPRoute); Istio's defaults without one. */
export function routingPolicy(o: IstioObject | undefined): HostPolicy {
  return o?.kind === 'HTTPRoute' ? httpRoutePolicy(o) : hostPolicy(o);
}
