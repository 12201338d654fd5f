import { formatMillis } from '../core/grammar';
import { arr, isRecord } from '../core/json';
import { CallGraph } from '../engine/call-graph';
import { IstioObject } from '../engine/types';
import { routeRules } from '../engine/view-route';
import { backendShares } from './http-routes';

/** A Mermaid label: quoted, each line with the characters Mermaid treats specially written as entities. */
function label(...lines: string[]): string {
  return `"${lines.map((t) => t.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;')).join('<br/>')}"`;
}

/**
 * A Mermaid `flowchart LR` of the services (one node per host), the declared calls (labelled with the callee's
 * attempts per call), the ingress entry points, and each canary split (dotted edges to the subsets, labelled
 * with their weights; for an HTTPRoute, to the backend Services, labelled with their shares).
 */
export function flowchart(graph: CallGraph, services: ReadonlyArray<{ readonly host: string; readonly vss: readonly IstioObject[]; readonly routes?: readonly IstioObject[] }>): string {
  const ids = new Map<string, string>();
  const id = (host: string) => ids.get(host) ?? ids.set(host, `s${ids.size}`).get(host)!;
  const lines = ['flowchart LR'];
  for (const { host } of services) {
    const node = graph.nodes.get(host);
    const policy = node?.policy;
    const details = policy ? [`${policy.attempts + 1} attempt(s)${policy.timeoutMs !== undefined ? `, timeout ${formatMillis(policy.timeoutMs)}` : ''}`] : [];
    lines.push(`  ${id(host)}[${label(host, ...details)}]`);
  }
  let entries = 0;
  for (const n of [...graph.nodes.values()].filter((x) => x.entryPoint).sort((a, b) => a.host.localeCompare(b.host))) {
    const e = `e${entries++}`;
    lines.push(`  ${e}([${label(n.entryReason === 'ingress' ? 'ingress' : 'client')}]) --> ${id(n.host)}`);
  }
  for (const n of [...graph.nodes.values()].sort((a, b) => a.host.localeCompare(b.host))) {
    for (const to of n.calls) lines.push(`  ${id(n.host)} -->|${label(`x${graph.nodes.get(to)!.policy.attempts + 1}`)}| ${id(to)}`);
  }
  let subsets = 0;
  const listed = new Set(services.map((s) => s.host));
  for (const { host, vss, routes } of services) {
    const seen = new Set<string>();
    for (const vs of vss) {
      for (const route of arr(vs.spec.http).filter(isRecord)) {
        const dests = arr(route.route).filter((d) => isRecord(d) && isRecord(d.destination) && d.destination.subset);
        if (dests.length < 2) continue;
        for (const d of dests) {
          const key = `${d.destination.subset}:${d.weight ?? 0}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const sid = `v${subsets++}`;
          lines.push(`  ${sid}[${label(`${host.split('.')[0]}/${d.destination.subset}`)}]`);
          lines.push(`  ${id(host)} -.->|${label(`${d.weight ?? 0}%`)}| ${sid}`);
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
            lines.push(`  ${id(host)} -.->|${label(share)}| ${id(backend.host!)}`);
            continue;
          }
          const sid = `v${subsets++}`;
          lines.push(`  ${sid}[${label(backend.host!.split('.')[0])}]`);
          lines.push(`  ${id(host)} -.->|${label(share)}| ${sid}`);
        }
      }
    }
  }
  return lines.join('\n');
}
