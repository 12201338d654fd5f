import { fqdn } from '../core/hosts';
import { meshRouteTargets } from '../core/sidecar';
import { arr } from '../core/json';
import { CallGraph, CallNode, grouped, solve } from './call-graph-solve';
import { HostPolicy, routingPolicy } from './call-policy';
import { CallChainOptions, IstioObject, RuleContext } from './types';
import { routeHostnames, routeParents, routeRules } from './view-route';
import { isMeshBound } from './view-vs';
/**
 * The call graph of an App: built from the intent facts and the routing objects (VirtualServices, HTTPRoutes), with
 * the budgets it is checked against and the helpers that read worst paths out of it for findings and the report. Its
 * types and the analysis filling in its figures are in call-graph-solve.ts; what callers get from a host's routing
 * object, in call-policy.ts.
 */

/** The graph's types, defined with the analysis that fills them in and re-exported here, where callers meet the graph. */
export type { CallGraph, CallNode, NodeFigures } from './call-graph-solve';

/** Defined with the engine types (which need it) and re-exported here, where the call graph uses it. */
export type { CallChainOptions } from './types';

/** The memo key under which the call-chain rules keep the call graph of a rule run (`RuleContext.memo`). */
export const CALL_GRAPH_MEMO = 'cc:call-graph';

/** The budgets of `options` with their defaults filled in (CC-01 amplification 10, CC-03 headroom 10 %). */
export function callChainDefaults(options: CallChainOptions = {}): Required<CallChainOptions> {
  return { maxAmplification: options.maxAmplification ?? 10, timeoutHeadroomPercent: options.timeoutHeadroomPercent ?? 10 };
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
