import { clusterLocal, hostMatches, isWildcardHost } from '../core/hosts';
import { arr, isRecord } from '../core/json';
import { labelMap, labelsWithin } from '../core/labels';
import { TrafficSource } from './source';
import { AppliedTrafficPolicy, SimulationRisk } from './types';
import { DrEntry, visibleFrom, World } from './world';
/**
 * The DestinationRule that applies to a destination and the traffic policy it yields, as istiod builds the
 * destination's Envoy cluster:
 *
 * - lookup path: DestinationRules of the client's namespace, then of the service's namespace, then of the root
 *   namespace, the latter two only when exported to the client; within a namespace the most specific host wins
 *   (exact, then the longest wildcard), DestinationRules with a matching `workloadSelector` before the others, and
 *   rules for the same host are merged (the first top-level policy, subsets by name, first wins);
 * - policy: the top-level policy, replaced wholesale by its `portLevelSettings` entry for the port; then the
 *   subset's policy overrides it field by field (connectionPool, loadBalancer, outlierDetection, tls), and a
 *   subset `portLevelSettings` entry for the port replaces those four fields wholesale (unset fields fall back to
 *   Istio's defaults, not to the top level).
 *
 * @see https://istio.io/latest/docs/ops/best-practices/traffic-management/#cross-namespace-configuration
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#Subset
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#TrafficPolicy-PortTrafficPolicy
 */

/** The DestinationRule(s) for one host, merged as istiod merges rules for the same host. */
export interface MergedRule {
  /** `namespace/name` of each rule merged, first first. */
  readonly ids: string[];
  readonly trafficPolicy?: Record<string, any>;
  readonly subsets: ReadonlyMap<string, Record<string, any>>;
}

/** The DestinationRule that applies to `host` for requests from `source`, or undefined. */
export function lookupDestinationRule(world: World, host: string, source: TrafficSource): MergedRule | undefined {
  const namespaces = [source.namespace, clusterLocal(host)?.namespace, world.rootNamespace];
  for (let i = 0; i < namespaces.length; i++) {
    const ns = namespaces[i];
    if (ns === undefined || namespaces.indexOf(ns) < i) continue;
    const own = ns === source.namespace;
    const found = mostSpecific(world.destinationRulesFor(host).filter((dr) => dr.namespace === ns && hostMatches(dr.host, host)
      && (own || visibleFrom(dr.visibility, source.namespace))
      && (dr.selector === undefined || (own && labelsWithin(dr.selector, source.labels)))));
    if (found.length > 0) return merge(found);
  }
  return undefined;
}

/** The rules of the most specific host (exact first, then the longest wildcard), workload-selected ones first. */
function mostSpecific(rules: DrEntry[]): DrEntry[] {
  const rank = (dr: DrEntry) => (isWildcardHost(dr.host) ? dr.host.length : Number.MAX_SAFE_INTEGER);
  const best = Math.max(...rules.map(rank));
  const top = rules.filter((dr) => rank(dr) === best);
  const selected = top.filter((dr) => dr.selector !== undefined);
  return selected.length > 0 ? selected.slice(0, 1) : top;
}

function merge(rules: DrEntry[]): MergedRule {
  const subsets = new Map<string, Record<string, any>>();
  let trafficPolicy: Record<string, any> | undefined;
  for (const dr of rules) {
    const spec = dr.object.spec;
    if (trafficPolicy === undefined && isRecord(spec.trafficPolicy)) trafficPolicy = spec.trafficPolicy;
    for (const s of arr(spec.subsets)) if (isRecord(s) && typeof s.name === 'string' && !subsets.has(s.name)) subsets.set(s.name, s);
  }
  return { ids: rules.map((r) => r.id), ...(trafficPolicy ? { trafficPolicy } : {}), subsets };
}

const FIELDS = ['connectionPool', 'loadBalancer', 'outlierDetection', 'tls'] as const;
const EXTRA = ['tunnel', 'proxyProtocol'] as const;

/** The traffic policy Istio applies to `subset` (or the whole host) of `rule` on `port` (istiod `MergeSubsetTrafficPolicy`). */
export function effectivePolicy(rule: MergedRule, subset: string | undefined, port: number): AppliedTrafficPolicy {
  const values: Record<string, any> = {};
  const sources: Record<string, string> = {};
  const set = (field: string, value: unknown, from: string) => {
    if (value === undefined || value === null) return;
    values[field] = value;
    sources[field] = from;
  };
  const top = rule.trafficPolicy;
  const topPort = portLevel(top, port);
  if (topPort) FIELDS.forEach((f) => set(f, topPort[f], `trafficPolicy.portLevelSettings (port ${port})`));
  else if (top) [...FIELDS, ...EXTRA].forEach((f) => set(f, top[f], 'trafficPolicy'));
  const sub = subset === undefined ? undefined : rule.subsets.get(subset);
  const subPolicy = isRecord(sub?.trafficPolicy) ? sub!.trafficPolicy : undefined;
  const subPort = portLevel(subPolicy, port);
  if (subPort) {
    for (const f of FIELDS) {
      delete values[f];
      delete sources[f];
      set(f, subPort[f], `subset "${subset}" trafficPolicy.portLevelSettings (port ${port})`);
    }
  } else if (subPolicy) {
    [...FIELDS, ...EXTRA].forEach((f) => set(f, subPolicy[f], `subset "${subset}" trafficPolicy`));
  }
  return { destinationRule: rule.ids[0], ...values, sources };
}

function portLevel(policy: Record<string, any> | undefined, port: number): Record<string, any> | undefined {
  return arr(policy?.portLevelSettings).find((p) => isRecord(p) && isRecord(p.port) && p.port.number === port);
}

/** The workloads a destination reaches, or undefined when the input cannot tell (no workloads, an external host). */
export function reachedWorkloads(world: World, host: string, subsetLabels: Record<string, string> | undefined): string[] | undefined {
  const local = clusterLocal(host);
  if (!local) return undefined;
  // Only where the input shows the namespace's workloads: another namespace's Deployments say nothing about this one.
  if (!world.workloads.some((w) => w.namespace === local.namespace)) return undefined;
  const service = world.services.get(host);
  if (service && service.selector === undefined) return undefined;
  if (!service && subsetLabels === undefined) return undefined;
  return world.workloads
    .filter((w) => w.namespace === local.namespace && labelsWithin(service?.selector ?? {}, w.podLabels) && labelsWithin(subsetLabels ?? {}, w.podLabels))
    .map((w) => `${w.kind} ${w.namespace}/${w.name}`);
}

/** The labels of a subset of the rule, or undefined. */
export function subsetLabels(rule: MergedRule | undefined, subset: string | undefined): Record<string, string> | undefined {
  const s = subset === undefined ? undefined : rule?.subsets.get(subset);
  return s ? labelMap(s.labels) ?? {} : undefined;
}

/** Connection-pool limits that make Envoy reject requests (UO) or skip retries, as risks of `destination`. */
export function poolRisks(policy: AppliedTrafficPolicy | undefined, destination: string): SimulationRisk[] {
  const pool = policy?.connectionPool;
  if (!isRecord(pool)) return [];
  const from = policy!.sources.connectionPool;
  const out: SimulationRisk[] = [];
  const limit = (section: string, field: string, code: string, what: (n: number) => string) => {
    const value = isRecord(pool[section]) ? pool[section][field] : undefined;
    if (typeof value !== 'number') return;
    out.push({ code, destination, limit: `connectionPool.${section}.${field}`, value, message: `${what(value)} (${from} of ${policy!.destinationRule})` });
  };
  limit('tcp', 'maxConnections', 'UO', (n) => `each client proxy opens at most ${n} connection(s) to ${destination}; requests beyond them and the pending queue get 503 UO`);
  limit('http', 'http1MaxPendingRequests', 'UO', (n) => `at most ${n} request(s) wait for a connection to ${destination}; more get 503 UO`);
  limit('http', 'http2MaxRequests', 'UO', (n) => `at most ${n} request(s) to ${destination} are in flight at once per client proxy; more get 503 UO`);
  limit('http', 'maxRetries', 'URX', (n) => `at most ${n} retries to ${destination} are outstanding at once; further retries are not attempted and the failure is returned`);
  return out;
}
