import { parseDuration } from '../core/grammar';
import { fqdn } from '../core/hosts';
import { meshRouteTargets } from '../core/sidecar';
import { arr, isRecord } from '../core/json';
import { CallChainOptions, IstioObject, RuleContext } from './types';
import { routeHostnames, routeParents, RouteRule, routeRules } from './view-route';
import { isMeshBound, routeLabel } from './view-vs';

/** Istio's implicit retry count on HTTP routes without `retries` (pilot retry.go). */
export const ISTIO_DEFAULT_ATTEMPTS = 2;

/** Defined with the engine types (which need it) and re-exported here, where the call graph uses it. */
export type { CallChainOptions } from './types';

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

/** One service in the call graph. */
export interface CallNode {
  readonly host: string;
  /**
   * The object that routes this host for its callers, if in the App: a VirtualService (mesh-bound preferred), else an
   * HTTPRoute with the host's Service as parent (GAMMA), else a gateway-bound VirtualService or HTTPRoute for it.
   */
  readonly routing?: IstioObject;
  /** {@link routing} when it is a VirtualService. */
  readonly virtualService?: IstioObject;
  /** The object findings about this node are reported on (its routing object, else a caller's). */
  readonly reportOn?: IstioObject;
  readonly policy: HostPolicy;
  readonly calls: string[];
  readonly callers: string[];
  readonly entryPoint: boolean;
  /** Why it is an entry point: `ingress`, `declared` or `no callers`. */
  readonly entryReason?: string;
}

/** The call graph of an App with the worst-case figures of each node (dynamic programming, linear time). */
export interface CallGraph {
  readonly nodes: ReadonlyMap<string, CallNode>;
  /** Cycles found, each as the hosts in call order (first host repeated at the end). */
  readonly cycles: readonly string[][];
  /** Worst-case figures of every node reachable from an entry point (nodes on cycles are left out). */
  readonly figures: ReadonlyMap<string, NodeFigures>;
  readonly options: Required<CallChainOptions>;
}

/** Worst-case figures of one node, with back-pointers to rebuild the worst paths. */
export interface NodeFigures {
  /** Worst-case requests reaching the node per request entering at an entry point: ∏ (attempts + 1) along the path. */
  readonly factor: number;
  /** Predecessor on the path that gives `factor` (undefined at an entry point). */
  readonly factorVia?: string;
  /** Most layers that retry on one path ending here (this node included). */
  readonly retryLayers: number;
  /** Predecessor on the path that gives `retryLayers`. */
  readonly retryLayersVia?: string;
}

/** The path ending at `host` that gives its worst factor (`via: 'factorVia'`) or most retry layers. */
export function pathTo(graph: CallGraph, host: string, via: 'factorVia' | 'retryLayersVia' = 'factorVia'): string[] {
  const path: string[] = [];
  const seen = new Set<string>();
  for (let h: string | undefined = host; h !== undefined && !seen.has(h); h = graph.figures.get(h)?.[via]) {
    seen.add(h);
    path.push(h);
  }
  return path.reverse();
}

/** What a message shows of the worst path ending at a node, without walking the whole path. */
export interface PathSummary {
  /** Hops on the path, the node included. */
  readonly length: number;
  /** The first hops of the path (at most `keep`). */
  readonly head: readonly string[];
  /** Hops on the path that retry (attempts > 0), the node included. */
  readonly retrying: number;
  /** The first hops that retry (at most `keep`). */
  readonly retryingHead: readonly string[];
}

/**
 * Summaries of the worst paths along `via`, each built from its predecessor's and remembered: summarising
 * every node of a graph is linear in its size, where rebuilding each node's path would be quadratic in its depth.
 */
export function pathSummaries(graph: CallGraph, via: 'factorVia' | 'retryLayersVia', keep: number): (host: string) => PathSummary {
  const known = new Map<string, PathSummary>();
  const retries = (h: string) => (graph.nodes.get(h)?.policy.attempts ?? 0) > 0;
  return (host) => {
    // Walk back to the first node already summarised (or the path's start), then summarise forwards.
    const pending: string[] = [];
    const onWalk = new Set<string>();
    let before: PathSummary | undefined;
    for (let h: string | undefined = host; h !== undefined && !onWalk.has(h); h = graph.figures.get(h)?.[via]) {
      before = known.get(h);
      if (before) break;
      onWalk.add(h);
      pending.push(h);
    }
    for (let i = pending.length - 1; i >= 0; i--) {
      const h = pending[i];
      const r = retries(h);
      const head = before?.head ?? [];
      const retryingHead = before?.retryingHead ?? [];
      before = {
        length: (before?.length ?? 0) + 1,
        head: head.length < keep ? [...head, h] : head,
        retrying: (before?.retrying ?? 0) + (r ? 1 : 0),
        retryingHead: r && retryingHead.length < keep ? [...retryingHead, h] : retryingHead,
      };
      known.set(h, before);
    }
    return before ?? known.get(host)!;
  };
}

/** The last `count` hops of the worst path ending at `host`, in path order. */
export function pathEnd(graph: CallGraph, host: string, via: 'factorVia' | 'retryLayersVia', count: number): string[] {
  const out: string[] = [];
  for (let h: string | undefined = host; h !== undefined && out.length < count && !out.includes(h); h = graph.figures.get(h)?.[via]) out.push(h);
  return out.reverse();
}

/** Strongly connected components with a cycle (size > 1 or a self-call), iteratively (no recursion limit). */
function findCycles(nodes: ReadonlyMap<string, CallNode>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let counter = 0;
  for (const start of [...nodes.keys()].sort()) {
    if (index.has(start)) continue;
    const work: Array<{ host: string; next: number }> = [{ host: start, next: 0 }];
    index.set(start, counter); low.set(start, counter++); stack.push(start); onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const calls = nodes.get(frame.host)?.calls ?? [];
      if (frame.next < calls.length) {
        const to = calls[frame.next++];
        if (!nodes.has(to)) continue;
        if (!index.has(to)) {
          index.set(to, counter); low.set(to, counter++); stack.push(to); onStack.add(to);
          work.push({ host: to, next: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.host, Math.min(low.get(frame.host)!, index.get(to)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].host;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.host)!));
      }
      if (low.get(frame.host) === index.get(frame.host)) {
        const scc: string[] = [];
        let h: string;
        do { h = stack.pop()!; onStack.delete(h); scc.push(h); } while (h !== frame.host);
        const selfLoop = scc.length === 1 && (nodes.get(scc[0])?.calls ?? []).includes(scc[0]);
        if (scc.length > 1 || selfLoop) cycles.push(cycleThrough(scc, nodes));
      }
    }
  }
  return cycles;
}

/** A concrete cycle inside a strongly connected component, starting and ending at its smallest host. */
function cycleThrough(scc: string[], nodes: ReadonlyMap<string, CallNode>): string[] {
  const members = new Set(scc);
  const start = [...scc].sort()[0];
  const prev = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    for (const to of nodes.get(queue[i])?.calls ?? []) {
      if (to === start) {
        const path = [start];
        for (let h = queue[i]; h !== start; h = prev.get(h)!) path.splice(1, 0, h);
        return [...path, start];
      }
      if (members.has(to) && !prev.has(to)) { prev.set(to, queue[i]); queue.push(to); }
    }
  }
  return [start, start];
}

/** Dynamic programming over the acyclic part in topological order: O(nodes + calls). */
function solve(nodes: Map<string, CallNode>, options: Required<CallChainOptions>): CallGraph {
  const cycles = findCycles(nodes);
  const cyclic = new Set(cycles.flat());
  const indegree = new Map<string, number>();
  for (const n of nodes.values()) if (!cyclic.has(n.host)) indegree.set(n.host, n.callers.filter((c) => !cyclic.has(c)).length);
  const queue = [...indegree.keys()].filter((h) => indegree.get(h) === 0).sort();
  const figures = new Map<string, NodeFigures>();
  for (let i = 0; i < queue.length; i++) {
    const n = nodes.get(queue[i])!;
    const own = n.policy.attempts + 1;
    const retries = n.policy.attempts > 0 ? 1 : 0;
    let best: NodeFigures | undefined = n.entryPoint || n.callers.length === 0 ? { factor: own, retryLayers: retries } : undefined;
    for (const c of n.callers) {
      const f = figures.get(c);
      if (!f) continue;
      if (!best || f.factor * own > best.factor) best = { ...(best ?? { retryLayers: 0 }), factor: f.factor * own, factorVia: c };
      if (f.retryLayers + retries > best.retryLayers) best = { ...best, retryLayers: f.retryLayers + retries, retryLayersVia: c };
    }
    if (best) figures.set(n.host, best);
    for (const to of n.calls) {
      if (!indegree.has(to)) continue;
      const d = indegree.get(to)! - 1;
      indegree.set(to, d);
      if (d === 0) queue.push(to);
    }
  }
  const marked = new Map<string, CallNode>();
  for (const [host, n] of nodes) {
    marked.set(host, n.callers.length === 0 && !n.entryPoint && !cyclic.has(host) ? { ...n, entryPoint: true, entryReason: 'no callers' } : n);
  }
  return { nodes: marked, cycles, figures, options };
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

/**
 * How the call graph reads an HTTPRoute: `mesh`, the FQDNs of its Service parents (the hosts it routes for sidecars,
 * GAMMA); with a Gateway parent, `gateway`, its host names, and `ingressBackends`, its Service backends (where requests
 * from the gateway enter the mesh); `own`, the host its intent facts are about (first Service parent, else first host
 * name, else first backend).
 */
function routeHostsOf(route: IstioObject): { mesh: string[]; viaGateway: boolean; gateway: string[]; ingressBackends: string[]; own?: string } {
  const parents = routeParents(route);
  const mesh = [...new Set(parents.flatMap((p) => (p.host !== undefined ? [p.host] : [])))];
  const viaGateway = parents.some((p) => p.kind === 'Gateway');
  const backends = [...new Set(routeRules(route).flatMap((r) => r.backends.flatMap((b) => (b.host !== undefined ? [b.host] : []))))];
  const gateway = viaGateway ? routeHostnames(route) : [];
  return { mesh, viaGateway, gateway, ingressBackends: viaGateway ? backends : [], own: mesh[0] ?? gateway[0] ?? backends[0] };
}

/**
 * Builds the call graph from the intent facts (`calls`, `entryPoint`) and the routing objects of the App:
 * VirtualServices, and HTTPRoutes (a Service-parented one routes its Service's host like a mesh-bound VirtualService;
 * one with a Gateway parent makes its backends entry points). Where a VirtualService and an HTTPRoute route the same
 * host for the mesh, the VirtualService is read (GA-05 reports the conflict).
 */
export function buildCallGraph(ctx: Pick<RuleContext, 'ofKind'>, options: CallChainOptions = {}): CallGraph {
  const opts: Required<CallChainOptions> = { maxAmplification: options.maxAmplification ?? 10, timeoutHeadroomPercent: options.timeoutHeadroomPercent ?? 10 };
  const byHost = new Map<string, IstioObject>();
  const ingress = new Set<string>();
  const vss = ctx.ofKind('VirtualService');
  for (const vs of vss) {
    for (const h of arr(vs.spec.hosts)) {
      if (typeof h !== 'string') continue;
      const host = fqdn(h, vs.namespace);
      if (!byHost.has(host) || isMeshBound(vs.spec)) byHost.set(host, vs);
      // An egress gateway's VirtualService (an external host the mesh routes to a gateway in the cluster) is not where
      // requests enter the mesh.
      const egress = !host.endsWith('.cluster.local') && meshRouteTargets(host, vs.namespace ?? 'default', [{ namespace: vs.namespace ?? 'default', spec: vs.spec }]).length > 0;
      if (!egress && arr(vs.spec.gateways).some((g) => g !== 'mesh')) ingress.add(host);
    }
  }
  // A host is an ingress entry point when a gateway-bound VirtualService routes it and the VirtualService read for it is gateway-bound too.
  const entered = new Set([...ingress].filter((h) => arr(byHost.get(h)?.spec.gateways).some((g) => g !== 'mesh')));
  const httpRoutes = ctx.ofKind('HTTPRoute').map((route) => ({ route, hosts: routeHostsOf(route) }));
  for (const { route, hosts } of httpRoutes) {
    for (const host of hosts.mesh) {
      // What sidecars apply: a mesh-bound VirtualService wins over the HTTPRoute; the HTTPRoute over a gateway-only one.
      const current = byHost.get(host);
      if (!current || (current.kind === 'VirtualService' && !isMeshBound(current.spec))) byHost.set(host, route);
      if (hosts.viaGateway) entered.add(host);
    }
    for (const host of hosts.gateway) {
      if (!byHost.has(host)) byHost.set(host, route);
      entered.add(host);
    }
    for (const host of hosts.ingressBackends) entered.add(host);
  }
  const nodes = new Map<string, { host: string; routing?: IstioObject; calls: Set<string>; callers: Set<string>; declared: boolean }>();
  const node = (host: string) => {
    let n = nodes.get(host);
    if (!n) nodes.set(host, (n = { host, routing: byHost.get(host), calls: new Set(), callers: new Set(), declared: false }));
    return n;
  };
  const record = (o: IstioObject, from: string | undefined) => {
    const calls = o.facts.calls ?? [];
    if (from === undefined || (calls.length === 0 && !o.facts.entryPoint)) return;
    const caller = node(from);
    if (o.facts.entryPoint) caller.declared = true;
    for (const c of calls) {
      const to = fqdn(c, o.namespace);
      caller.calls.add(to);
      node(to).callers.add(from);
    }
  };
  for (const vs of vss) {
    const first = arr(vs.spec.hosts).find((h): h is string => typeof h === 'string');
    record(vs, first === undefined ? undefined : fqdn(first, vs.namespace));
  }
  for (const { route, hosts } of httpRoutes) record(route, hosts.own);
  const policies = new Map<IstioObject | undefined, HostPolicy>();
  const policyOf = (o: IstioObject | undefined) => policies.get(o) ?? policies.set(o, routingPolicy(o)).get(o)!;
  const result = new Map<string, CallNode>();
  for (const n of nodes.values()) {
    const entryReason = n.declared ? 'declared' : entered.has(n.host) ? 'ingress' : undefined;
    const firstCaller = [...n.callers][0];
    result.set(n.host, {
      host: n.host, routing: n.routing, virtualService: n.routing?.kind === 'VirtualService' ? n.routing : undefined,
      reportOn: n.routing ?? (firstCaller ? nodes.get(firstCaller)?.routing : undefined),
      policy: policyOf(n.routing), calls: [...n.calls].sort(), callers: [...n.callers].sort(),
      entryPoint: entryReason !== undefined, entryReason,
    });
  }
  return solve(result, opts);
}
