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

/** The memo key under which the call-chain rules keep the call graph of a rule run (`RuleContext.memo`). */
export const CALL_GRAPH_MEMO = 'cc:call-graph';

/** The budgets of `options` with their defaults filled in (CC-01 amplification 10, CC-03 headroom 10 %). */
export function callChainDefaults(options: CallChainOptions = {}): Required<CallChainOptions> {
  return { maxAmplification: options.maxAmplification ?? 10, timeoutHeadroomPercent: options.timeoutHeadroomPercent ?? 10 };
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
    // Back-pointers only lead to nodes earlier in topological order, so the walk ends; the bound on its length only
    // guards against a graph built by hand with a loop in them.
    const pending: string[] = [];
    let before: PathSummary | undefined;
    for (let h: string | undefined = host; h !== undefined && pending.length <= graph.figures.size; h = graph.figures.get(h)?.[via]) {
      before = known.get(h);
      if (before) break;
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

/** Hops shown at each end of a long path, in findings and in the traffic report. */
export const PATH_ENDS = 3;

/** A worst path as findings and the report show it: its hops, `undefined` standing for the `omitted` ones. */
export interface ShownPath {
  /** The whole path when it has at most 2 × {@link PATH_ENDS} + 1 hops; else its first and last {@link PATH_ENDS} hops around one `undefined`. */
  readonly hops: ReadonlyArray<string | undefined>;
  /** Hops left out (0 when the path is shown whole). */
  readonly omitted: number;
}

/**
 * The worst path ending at `host` as shown, from its summary (built with `keep` ≥ {@link PATH_ENDS}): at most
 * 2 × {@link PATH_ENDS} + 1 hops are walked, so showing every node's path is linear in the graph, whatever its depth.
 */
export function shownPath(graph: CallGraph, host: string, via: 'factorVia' | 'retryLayersVia', summary: PathSummary): ShownPath {
  if (summary.length <= 2 * PATH_ENDS + 1) return { hops: pathEnd(graph, host, via, summary.length), omitted: 0 };
  return { hops: [...summary.head.slice(0, PATH_ENDS), undefined, ...pathEnd(graph, host, via, PATH_ENDS)], omitted: summary.length - 2 * PATH_ENDS };
}

/** The last `count` hops of the worst path ending at `host`, in path order. */
export function pathEnd(graph: CallGraph, host: string, via: 'factorVia' | 'retryLayersVia', count: number): string[] {
  const out: string[] = [];
  for (let h: string | undefined = host; h !== undefined && out.length < count && !out.includes(h); h = graph.figures.get(h)?.[via]) out.push(h);
  return out.reverse();
}

/**
 * The graph with hosts numbered (in `nodes` order) and calls and callers as flat arrays (`calls[callsAt[i]…callsAt[i+1]]`
 * are the callees of host `i`, in host order): the analyses below walk integers, not strings.
 */
interface Numbered {
  readonly hosts: readonly string[];
  readonly nodes: readonly CallNode[];
  readonly callsAt: Int32Array;
  readonly calls: Int32Array;
  readonly callersAt: Int32Array;
  readonly callers: Int32Array;
  /** Host numbers sorted by host (code-unit order, as `Array.prototype.sort`). */
  readonly sorted: Int32Array;
}

/**
 * Edges `from[k] → to[k]` between `n` numbered hosts, grouped by `from` (`to[at[i]…at[i+1]]` for host `i`), each group
 * in `rank` order of its `to` with duplicates dropped: two stable counting sorts, O(n + edges), where a set and a
 * sort per host would allocate per host.
 */
function grouped(n: number, from: readonly number[], to: readonly number[], rank: Int32Array): { at: Int32Array; to: Int32Array } {
  const m = from.length;
  // Pass 1: edges in rank order of their `to` (ranks are 0…n-1, one per host).
  const byRank = new Int32Array(n + 1);
  for (let k = 0; k < m; k++) byRank[rank[to[k]] + 1]++;
  for (let r = 0; r < n; r++) byRank[r + 1] += byRank[r];
  const order = new Int32Array(m);
  for (let k = 0; k < m; k++) order[byRank[rank[to[k]]]++] = k;
  // Pass 2, stable: grouped by `from`, keeping that order inside each group.
  const start = new Int32Array(n + 1);
  for (let k = 0; k < m; k++) start[from[k] + 1]++;
  for (let i = 0; i < n; i++) start[i + 1] += start[i];
  const fill = start.slice(0, n);
  const sorted = new Int32Array(m);
  for (const k of order) sorted[fill[from[k]]++] = to[k];
  // Duplicates are now adjacent inside their group.
  const at = new Int32Array(n + 1);
  const out = new Int32Array(m);
  let w = 0;
  for (let i = 0; i < n; i++) {
    for (let k = start[i]; k < start[i + 1]; k++) if (k === start[i] || sorted[k] !== sorted[k - 1]) out[w++] = sorted[k];
    at[i + 1] = w;
  }
  return { at, to: out.slice(0, w) };
}

/**
 * Strongly connected components with a cycle (size > 1 or a self-call), by Tarjan's algorithm run iteratively (no
 * recursion limit) from each host in host order: O(nodes + calls). Each is reported as one concrete cycle through it.
 */
function findCycles(g: Numbered): number[][] {
  const n = g.hosts.length;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack = new Int32Array(n);
  const workHost = new Int32Array(n);
  const workNext = new Int32Array(n);
  const bfs = { seen: new Int32Array(n), member: new Int32Array(n), prev: new Int32Array(n), stamp: 0 };
  const cycles: number[][] = [];
  let counter = 0;
  let top = 0;
  let depth = 0;
  const enter = (h: number) => {
    index[h] = low[h] = counter++;
    stack[top++] = h;
    onStack[h] = 1;
    workHost[depth] = h;
    workNext[depth++] = g.callsAt[h];
  };
  for (const start of g.sorted) {
    if (index[start] !== -1) continue;
    enter(start);
    while (depth > 0) {
      const h = workHost[depth - 1];
      if (workNext[depth - 1] < g.callsAt[h + 1]) {
        const to = g.calls[workNext[depth - 1]++];
        if (index[to] === -1) enter(to);
        else if (onStack[to]) low[h] = Math.min(low[h], index[to]);
        continue;
      }
      depth--;
      if (depth > 0) {
        const parent = workHost[depth - 1];
        low[parent] = Math.min(low[parent], low[h]);
      }
      if (low[h] === index[h]) {
        const scc: number[] = [];
        let x: number;
        do { x = stack[--top]; onStack[x] = 0; scc.push(x); } while (x !== h);
        let selfLoop = false;
        if (scc.length === 1) for (let k = g.callsAt[h]; k < g.callsAt[h + 1]; k++) if (g.calls[k] === h) selfLoop = true;
        if (scc.length > 1 || selfLoop) cycles.push(cycleThrough(scc, g, bfs));
      }
    }
  }
  return cycles;
}

/**
 * A concrete cycle inside a strongly connected component, starting and ending at its smallest host: the shortest way
 * back to it, by a breadth-first search inside the component (O(its size + its calls); `bfs` is reused between
 * components, its entries told apart by a stamp per search).
 */
function cycleThrough(scc: readonly number[], g: Numbered, bfs: { seen: Int32Array; member: Int32Array; prev: Int32Array; stamp: number }): number[] {
  const stamp = ++bfs.stamp;
  let start = scc[0];
  for (const h of scc) {
    bfs.member[h] = stamp;
    if (g.hosts[h] < g.hosts[start]) start = h;
  }
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const from = queue[i];
    for (let k = g.callsAt[from]; k < g.callsAt[from + 1]; k++) {
      const to = g.calls[k];
      if (to === start) {
        // Walked back from the last hop and reversed once: linear in the cycle's length.
        const back = [start];
        for (let h = from; h !== start; h = bfs.prev[h]) back.push(h);
        back.push(start);
        return back.reverse();
      }
      if (bfs.member[to] === stamp && bfs.seen[to] !== stamp && to !== start) { bfs.seen[to] = stamp; bfs.prev[to] = from; queue.push(to); }
    }
  }
  return [start, start];
}

/**
 * Dynamic programming over the acyclic part in topological order (Kahn): O(nodes + calls). Each node keeps, for the
 * worst factor and for the most retry layers, only the predecessor that gives it, so every worst path is stored once
 * (as back-pointers) however many paths share it. Callers are sorted, so the first caller giving the worst value wins.
 */
function solve(g: Numbered, options: Required<CallChainOptions>): CallGraph {
  const n = g.hosts.length;
  const cycles = findCycles(g);
  const cyclic = new Uint8Array(n);
  for (const cycle of cycles) for (const i of cycle) cyclic[i] = 1;
  const indegree = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (cyclic[i]) continue;
    for (let k = g.callersAt[i]; k < g.callersAt[i + 1]; k++) if (!cyclic[g.callers[k]]) indegree[i]++;
  }
  const queue: number[] = [];
  for (const i of g.sorted) if (!cyclic[i] && indegree[i] === 0) queue.push(i);
  const has = new Uint8Array(n);
  const factors = new Float64Array(n);
  const layers = new Float64Array(n);
  const factorVia = new Int32Array(n).fill(-1);
  const layersVia = new Int32Array(n).fill(-1);
  const figures = new Map<string, NodeFigures>();
  for (let q = 0; q < queue.length; q++) {
    const i = queue[q];
    const node = g.nodes[i];
    const own = node.policy.attempts + 1;
    const retries = node.policy.attempts > 0 ? 1 : 0;
    // An entry point (a node nobody calls is one) starts a path of its own; any other node only continues its callers' paths.
    let found = node.entryPoint;
    let factor = found ? own : 0;
    let retryLayers = found ? retries : 0;
    for (let k = g.callersAt[i]; k < g.callersAt[i + 1]; k++) {
      const c = g.callers[k];
      if (!has[c]) continue;
      if (!found || factors[c] * own > factor) { factor = factors[c] * own; factorVia[i] = c; }
      found = true;
      if (layers[c] + retries > retryLayers) { retryLayers = layers[c] + retries; layersVia[i] = c; }
    }
    if (found) {
      has[i] = 1;
      factors[i] = factor;
      layers[i] = retryLayers;
      const f: { factor: number; retryLayers: number; factorVia?: string; retryLayersVia?: string } = { factor, retryLayers };
      if (factorVia[i] >= 0) f.factorVia = g.hosts[factorVia[i]];
      if (layersVia[i] >= 0) f.retryLayersVia = g.hosts[layersVia[i]];
      figures.set(g.hosts[i], f);
    }
    for (let k = g.callsAt[i]; k < g.callsAt[i + 1]; k++) {
      const to = g.calls[k];
      if (cyclic[to]) continue;
      if (--indegree[to] === 0) queue.push(to);
    }
  }
  const nodes = new Map<string, CallNode>();
  g.nodes.forEach((node, i) => nodes.set(g.hosts[i], node));
  return { nodes, cycles: cycles.map((cycle) => cycle.map((i) => g.hosts[i])), figures, options };
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
  const opts = callChainDefaults(options);
  const byHost = new Map<string, IstioObject>();
  const ingress = new Set<string>();
  // Each declared host resolved once per namespace: the same FQDN string then serves every lookup (a fresh string
  // per call would be hashed again at each).
  const resolved = new Map<string | undefined, Map<string, string>>();
  const resolve = (h: string, namespace: string | undefined) => {
    let inNamespace = resolved.get(namespace);
    if (!inNamespace) resolved.set(namespace, (inNamespace = new Map()));
    let out = inNamespace.get(h);
    if (out === undefined) inNamespace.set(h, (out = fqdn(h, namespace)));
    return out;
  };
  const vss = ctx.ofKind('VirtualService');
  for (const vs of vss) {
    for (const h of arr(vs.spec.hosts)) {
      if (typeof h !== 'string') continue;
      const host = resolve(h, vs.namespace);
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
  // Hosts are numbered in the order they are first met (a caller, then its callees); calls are kept as pairs of numbers.
  const number = new Map<string, number>();
  const hosts: string[] = [];
  const declared: boolean[] = [];
  const firstCaller: number[] = [];
  const edgeFrom: number[] = [];
  const edgeTo: number[] = [];
  const node = (host: string) => {
    let i = number.get(host);
    if (i === undefined) {
      i = hosts.length;
      number.set(host, i);
      hosts.push(host);
      declared.push(false);
      firstCaller.push(-1);
    }
    return i;
  };
  const record = (o: IstioObject, from: string | undefined) => {
    const calls = o.facts.calls ?? [];
    if (from === undefined || (calls.length === 0 && !o.facts.entryPoint)) return;
    const caller = node(from);
    if (o.facts.entryPoint) declared[caller] = true;
    for (const c of calls) {
      const to = node(resolve(c, o.namespace));
      edgeFrom.push(caller);
      edgeTo.push(to);
      if (firstCaller[to] === -1) firstCaller[to] = caller;
    }
  };
  for (const vs of vss) {
    const first = arr(vs.spec.hosts).find((h): h is string => typeof h === 'string');
    record(vs, first === undefined ? undefined : resolve(first, vs.namespace));
  }
  for (const { route, hosts: routeHosts } of httpRoutes) record(route, routeHosts.own);
  const n = hosts.length;
  const sorted = Int32Array.from(hosts.keys()).sort((x, y) => (hosts[x] < hosts[y] ? -1 : hosts[x] > hosts[y] ? 1 : 0));
  const rank = new Int32Array(n);
  sorted.forEach((i, r) => { rank[i] = r; });
  const calls = grouped(n, edgeFrom, edgeTo, rank);
  const callers = grouped(n, edgeTo, edgeFrom, rank);
  const names = (at: Int32Array, to: Int32Array, i: number) => {
    const out: string[] = new Array(at[i + 1] - at[i]);
    for (let k = at[i]; k < at[i + 1]; k++) out[k - at[i]] = hosts[to[k]];
    return out;
  };
  const policies = new Map<IstioObject | undefined, HostPolicy>();
  const policyOf = (o: IstioObject | undefined) => policies.get(o) ?? policies.set(o, routingPolicy(o)).get(o)!;
  const nodes: CallNode[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const host = hosts[i];
    const routing = byHost.get(host);
    const noCallers = callers.at[i + 1] === callers.at[i];
    // A host nobody calls is where its paths start (it cannot be on a cycle: a self-call is a call).
    const entryReason = declared[i] ? 'declared' : entered.has(host) ? 'ingress' : noCallers ? 'no callers' : undefined;
    nodes[i] = {
      host, routing, virtualService: routing?.kind === 'VirtualService' ? routing : undefined,
      reportOn: routing ?? (firstCaller[i] >= 0 ? byHost.get(hosts[firstCaller[i]]) : undefined),
      policy: policyOf(routing), calls: names(calls.at, calls.to, i), callers: names(callers.at, callers.to, i),
      entryPoint: entryReason !== undefined, entryReason,
    };
  }
  return solve({ hosts, nodes, callsAt: calls.at, calls: calls.to, callersAt: callers.at, callers: callers.to, sorted }, opts);
}
