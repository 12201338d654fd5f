import { HostPolicy } from './call-policy';
import { CallChainOptions, IstioObject } from './types';
/**
 * The call graph's types (its nodes, their worst-case figures, the graph) and the analysis that fills them in, on hosts
 * numbered as integers: calls grouped per host, the cycles (strongly connected components), and the worst-case
 * figures by dynamic programming over the acyclic part — each linear in the graph's size.
 */

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
export function grouped(n: number, from: readonly number[], to: readonly number[], rank: Int32Array): { at: Int32Array; to: Int32Array } {
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
export function solve(g: Numbered, options: Required<CallChainOptions>): CallGraph {
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
