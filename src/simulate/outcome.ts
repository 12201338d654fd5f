import { formatMillis, parseDuration } from '../core/grammar';
import { fqdn } from '../core/hosts';
import { arr, isRecord } from '../core/json';
import { ISTIO_DEFAULT_RETRY_ON } from '../core/retry';
import { ISTIO_DEFAULT_ATTEMPTS } from '../engine/call-policy';
import { effectivePolicy, lookupDestinationRule, poolRisks, reachedWorkloads, subsetLabels } from './policy';
import { TrafficSource } from './source';
import { RetrySource, SimulatedDestination, SimulatedMirror, SimulatedRetry, SimulationRisk } from './types';
import { World } from './world';
/**
 * What the chosen route does with a request: destinations and their shares, the DestinationRule policy per
 * destination, timeout and retries (Istio's implicit default when the route sets none), mirrors.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRoute
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRetry
 * @see https://istio.io/latest/docs/concepts/traffic-management/#retries
 */

/** Istio's implicit retriable status codes (pilot retry.go, unless EXCLUDE_503_FROM_DEFAULT_RETRIES). */
export const ISTIO_DEFAULT_RETRIABLE_STATUS_CODES: readonly number[] = [503];

/** The retry policy of the route without one: 2 retries on connect-failure, refused-stream, unavailable, cancelled, 503. */
export function istioDefaultRetry(): SimulatedRetry {
  return { attempts: ISTIO_DEFAULT_ATTEMPTS, retryOn: ISTIO_DEFAULT_RETRY_ON, retriableStatusCodes: [...ISTIO_DEFAULT_RETRIABLE_STATUS_CODES], source: RetrySource.ISTIO_DEFAULT };
}

/**
 * The retry policy Envoy gets for `route` (istiod `retry.ConvertPolicy`): none set → Istio's default; `attempts`
 * 0 or unset → no retries; else the default overridden by what is set (`retryOn` numbers become retriable status
 * codes, adding `retriable-status-codes`).
 */
export function retryOf(route: Record<string, any>): SimulatedRetry {
  if (isRecord(route.fault)) return { attempts: 0, retriableStatusCodes: [], source: RetrySource.FAULT_INJECTION };
  const r = route.retries;
  if (!isRecord(r)) return istioDefaultRetry();
  const attempts = typeof r.attempts === 'number' ? r.attempts : 0;
  if (attempts <= 0) return { attempts: 0, retriableStatusCodes: [], source: RetrySource.ROUTE };
  let retryOn = ISTIO_DEFAULT_RETRY_ON;
  let codes = [...ISTIO_DEFAULT_RETRIABLE_STATUS_CODES];
  if (typeof r.retryOn === 'string' && r.retryOn !== '') {
    const tokens: string[] = r.retryOn.split(',').map((t: string) => t.trim()).filter((t: string) => t !== '');
    const isCode = (t: string) => /^\d+$/.test(t) && Number(t) >= 100 && Number(t) <= 599;
    codes = tokens.filter(isCode).map(Number);
    retryOn = tokens.filter((t) => !isCode(t)).join(',');
    if (codes.length > 0 && !retryOn.includes('retriable-status-codes')) retryOn = retryOn ? `${retryOn},retriable-status-codes` : 'retriable-status-codes';
  }
  const perTry = parseDuration(r.perTryTimeout);
  const backoff = parseDuration(r.backoff);
  return {
    attempts, retryOn, retriableStatusCodes: codes, source: RetrySource.ROUTE,
    ...(perTry !== undefined ? { perTryTimeout: formatMillis(perTry) } : {}), ...(backoff !== undefined ? { backoff: formatMillis(backoff) } : {}),
  };
}

/** The route timeout in ms (undefined: none; `0s` disables it), and why none applies. */
export function timeoutOf(route: Record<string, any>, notes: string[]): number | undefined {
  const ms = parseDuration(route.timeout);
  if (isRecord(route.fault)) {
    notes.push(`the route injects a fault: Istio documents that timeouts and retries are not enabled then${ms !== undefined ? ` (its timeout ${route.timeout} and` : ' (its'} retries do not apply)`);
    return undefined;
  }
  if (ms === 0) notes.push('timeout 0s disables the route timeout');
  return ms === 0 ? undefined : ms;
}

/** What one destination resolves to: port, share, DestinationRule policy, workloads, and its risks. */
export interface ResolvedDestination {
  readonly destination: SimulatedDestination;
  readonly risks: SimulationRisk[];
}

/** Resolves a destination of `host` (FQDN) for `source`. */
export function resolveDestination(world: World, source: TrafficSource, host: string, subset: string | undefined, port: number, percent: number): ResolvedDestination {
  const rule = lookupDestinationRule(world, host, source);
  const label = subset ? `${host}/${subset}` : host;
  const risks: SimulationRisk[] = [];
  if (subset !== undefined && !rule?.subsets.has(subset)) {
    risks.push({
      code: 'NC', destination: label,
      message: rule ? `subset "${subset}" is not defined in DestinationRule ${rule.ids.join(', ')}: Envoy has no such cluster (503 NC)`
        : `no DestinationRule for ${host} is visible from namespace ${source.namespace}, so subset "${subset}" does not exist (503 NC)`,
    });
  }
  const policy = rule ? effectivePolicy(rule, subset, port) : undefined;
  const labels = subsetLabels(rule, subset);
  const workloads = subset !== undefined && labels === undefined ? undefined : reachedWorkloads(world, host, labels);
  if (workloads !== undefined && workloads.length === 0) {
    risks.push({
      code: 'UH', destination: label,
      message: `${subset ? `subset "${subset}"` : host} selects no workload in the input: no healthy upstream (503 UH)`,
    });
  }
  risks.push(...poolRisks(policy, label));
  return {
    destination: { host, ...(subset !== undefined ? { subset } : {}), port, percent, ...(policy ? { policy } : {}), ...(workloads !== undefined ? { workloads } : {}) },
    risks,
  };
}

/** The port Envoy sends to: `destination.port`, else the Service's only port, else the listener port (istiod `GetDestinationCluster`). */
export function destinationPort(world: World, destination: Record<string, any>, host: string, listenPort: number): number {
  if (isRecord(destination.port) && typeof destination.port.number === 'number') return destination.port.number;
  const ports = world.services.get(host)?.ports ?? [];
  return ports.length === 1 && typeof ports[0].port === 'number' ? ports[0].port : listenPort;
}

/** The weighted destinations of an HTTP route: one destination takes 100 %; of several, weight 0 ones are dropped. */
export function routeDestinations(route: Record<string, any>, vsNamespace: string): Array<{ destination: Record<string, any>; host: string; percent: number }> {
  const all = arr(route.route).filter((r) => isRecord(r) && isRecord(r.destination) && typeof r.destination.host === 'string');
  const weight = (r: any) => (typeof r.weight === 'number' ? r.weight : 0);
  const kept = all.length === 1 ? all : all.filter((r) => weight(r) > 0);
  const total = kept.reduce((sum, r) => sum + weight(r), 0);
  return kept.map((r) => ({
    destination: r.destination, host: fqdn(r.destination.host, vsNamespace),
    percent: kept.length === 1 ? 100 : total > 0 ? (weight(r) * 100) / total : 0,
  }));
}

/** The mirrors of a route (`mirror` with `mirrorPercentage`, and `mirrors`), leaving out those at 0 %. */
export function mirrorsOf(world: World, route: Record<string, any>, vsNamespace: string, listenPort: number): SimulatedMirror[] {
  const out: SimulatedMirror[] = [];
  const push = (d: unknown, percent: number) => {
    if (!isRecord(d) || typeof d.host !== 'string' || percent <= 0) return;
    const host = fqdn(d.host, vsNamespace);
    out.push({ host, ...(typeof d.subset === 'string' && d.subset ? { subset: d.subset } : {}), port: destinationPort(world, d, host, listenPort), percent });
  };
  const legacy = typeof route.mirrorPercent === 'number' ? route.mirrorPercent : isRecord(route.mirrorPercent) ? route.mirrorPercent.value : undefined;
  push(route.mirror, percentOf(route.mirrorPercentage) ?? (typeof legacy === 'number' ? legacy : 100));
  for (const m of arr(route.mirrors)) if (isRecord(m)) push(m.destination, percentOf(m.percentage) ?? 100);
  return out;
}

function percentOf(p: unknown): number | undefined {
  return isRecord(p) && typeof p.value === 'number' ? p.value : isRecord(p) ? 0 : undefined;
}
