import { formatMillis } from '../core/grammar';
import { arr, isRecord } from '../core/json';
import { CallGraph, CallNode } from '../engine/call-graph';
import { IstioObject } from '../engine/types';
import { routeRules } from '../engine/view-route';
import { backendShares } from './http-routes';

/** A Mermaid label: quoted, each line with the characters Mermaid treats specially written as entities. */
function label(...lines: string[]): string {
  return `"${lines.map((t) => t.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;')).join('<br/>')}"`;
}

/** Services drawn at most; a larger graph shows its most connected services (the sections of the report list all). */
export const MAX_DIAGRAM_SERVICES = 100;
/** Edges drawn at most: Mermaid refuses a flowchart with more than 500 (its default `maxEdges`). */
export const MAX_DIAGRAM_EDGES = 400;
/** Characters of diagram text at most: Mermaid refuses a diagram over 50,000 (its default `maxTextSize`). */
export const MAX_DIAGRAM_CHARS = 45_000;

/** A flowchart and what it leaves out. */
export interface Flowchart {
  /** The Mermaid text. */
  readonly text: string;
  /** Services of the report, and how many of them are drawn. */
  readonly services: number;
  readonly shownServices: number;
  /** Edges of the full diagram (entry points, calls, splits), and how many are drawn. */
  readonly edges: number;
  readonly shownEdges: number;
}

/**
 * The services drawn: all when they fit, else the {@link MAX_DIAGRAM_SERVICES} with the most calls and callers (ties in
 * the report's order), kept in the report's order.
 */
function shownHosts(graph: CallGraph, hosts: readonly string[]): Set<string> {
  if (hosts.length <= MAX_DIAGRAM_SERVICES) return new Set(hosts);
  const degree = (h: string) => {
    const n = graph.nodes.get(h);
    return n ? n.calls.length + n.callers.length : 0;
  };
  const ranked = hosts.map((host, i) => ({ host, i, d: degree(host) })).sort((a, b) => b.d - a.d || a.i - b.i);
  return new Set(ranked.slice(0, MAX_DIAGRAM_SERVICES).map((r) => r.host));
}

/**
 * A Mermaid `flowchart LR` of the services (one node per host), the declared calls (labelled with the callee's
 * attempts per call), the ingress entry points, and each canary split (dotted edges to the subsets, labelled
 * with their weights; for an HTTPRoute, to the backend Services, labelled with their shares). Bounded for Mermaid:
 * at most {@link MAX_DIAGRAM_SERVICES} services, {@link MAX_DIAGRAM_EDGES} edges and {@link MAX_DIAGRAM_CHARS}
 * characters; what is left out is counted (the report says so under the diagram). `sorted`: the graph's nodes in
 * `localeCompare` order of their hosts (the order entry points and calls are drawn in).
 */
export function flowchart(
  graph: CallGraph, services: ReadonlyArray<{ readonly host: string; readonly vss: readonly IstioObject[]; readonly routes?: readonly IstioObject[] }>,
  sorted: readonly CallNode[] = [...graph.nodes.values()].sort((a, b) => a.host.localeCompare(b.host)),
): Flowchart {
  const shown = shownHosts(graph, services.map((s) => s.host));
  const ids = new Map<string, string>();
  const id = (host: string) => ids.get(host) ?? ids.set(host, `s${ids.size}`).get(host)!;
  const lines = ['flowchart LR'];
  let chars = lines[0].length;
  let edges = 0;
  let shownEdges = 0;
  /** Adds an edge (with the node lines it needs first) while the diagram has room; counts it either way. */
  const edge = (...add: string[]) => {
    edges++;
    const size = add.reduce((n, l) => n + l.length + 1, 0);
    if (shownEdges >= MAX_DIAGRAM_EDGES || chars + size > MAX_DIAGRAM_CHARS) return;
    shownEdges++;
    chars += size;
    lines.push(...add);
  };
  for (const { host } of services) {
    if (!shown.has(host)) continue;
    const node = graph.nodes.get(host);
    const policy = node?.policy;
    const details = policy ? [`${policy.attempts + 1} attempt(s)${policy.timeoutMs !== undefined ? `, timeout ${formatMillis(policy.timeoutMs)}` : ''}`] : [];
    const line = `  ${id(host)}[${label(host, ...details)}]`;
    chars += line.length + 1;
    lines.push(line);
  }
  let entries = 0;
  for (const n of sorted) {
    if (!n.entryPoint) continue;
    if (!shown.has(n.host)) { edges++; continue; }
    edge(`  e${entries++}([${label(n.entryReason === 'ingress' ? 'ingress' : 'client')}]) --> ${id(n.host)}`);
  }
  for (const n of sorted) {
    for (const to of n.calls) {
      if (shown.has(n.host) && shown.has(to)) edge(`  ${id(n.host)} -->|${label(`x${graph.nodes.get(to)!.policy.attempts + 1}`)}| ${id(to)}`);
      else edges++;
    }
  }
  let subsets = 0;
  const listed = new Set(services.map((s) => s.host));
  for (const { host, vss, routes } of services) {
    const seen = new Set<string>();
    const drawn = shown.has(host);
    for (const vs of vss) {
      for (const route of arr(vs.spec.http).filter(isRecord)) {
        const dests = arr(route.route).filter((d) => isRecord(d) && isRecord(d.destination) && d.destination.subset);
        if (dests.length < 2) continue;
        for (const d of dests) {
          const key = `${d.destination.subset}:${d.weight ?? 0}`;
          if (seen.has(key)) continue;
          seen.add(key);
          if (!drawn) { edges++; continue; }
          const sid = `v${subsets}`;
          const before = shownEdges;
          edge(`  ${sid}[${label(`${host.split('.')[0]}/${d.destination.subset}`)}]`, `  ${id(host)} -.->|${label(`${d.weight ?? 0}%`)}| ${sid}`);
          if (shownEdges > before) subsets++;
        }
      }
    }
    for (const route of routes ?? []) {
      for (const rule of routeRules(route)) {
        const shares = backendShares(rule).filter((s) => s.backend.host !== undefined && s.percent > 0);
        if (shares.length < 2) continue;
        for (const { backend, percent } of shares) {
          const share = `${Number(percent.toFixed(2))}%`;
          const key = `${backend.host}:${share}`;
          if (seen.has(key)) continue;
          seen.add(key);
          // A backend that is a service of the report points at its node; a version Service gets its own.
          if (listed.has(backend.host!)) {
            if (drawn && shown.has(backend.host!)) edge(`  ${id(host)} -.->|${label(share)}| ${id(backend.host!)}`);
            else edges++;
            continue;
          }
          if (!drawn) { edges++; continue; }
          const sid = `v${subsets}`;
          const before = shownEdges;
          edge(`  ${sid}[${label(backend.host!.split('.')[0])}]`, `  ${id(host)} -.->|${label(share)}| ${sid}`);
          if (shownEdges > before) subsets++;
        }
      }
    }
  }
  return { text: lines.join('\n'), services: services.length, shownServices: shown.size, edges, shownEdges };
}
