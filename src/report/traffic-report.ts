import { formatViolation, Violation } from '../core/errors';
import { formatMillis } from '../core/grammar';
import { fqdn } from '../core/hosts';
import { arr, isRecord } from '../core/json';
import { ManifestInput } from '../engine/analyze';
import { buildCallGraph, CALL_GRAPH_MEMO, callChainDefaults, CallChainOptions, CallGraph, CallNode, PATH_ENDS, pathSummaries, shownPath } from '../engine/call-graph';
import { runStateOf } from '../engine/run';
import { IstioObject, RuleReport } from '../engine/types';
import { httpRouteLines, reportHostOf } from './http-routes';
import { cell, inline } from './markdown';
import { flowchart } from './mermaid';
import { RequestTableContext, requestTable, requestTableContext } from './request-table';

/** Options of {@link renderTrafficReport}. */
export interface TrafficReportOptions {
  /**
   * Budgets of the call-chain rules, as configured on the App.
   * @default - amplification 10, timeout headroom 10 %
   */
  readonly callChain?: CallChainOptions;
  /**
   * Everything the App applies, as analyzed (workloads and Services included): the route simulator behind the
   * request tables reads the workloads' pod labels from it (a subset selecting no pod: UH) and the Services' ports.
   * @default - the Istio objects alone: workloads unknown, so no UH is reported
   */
  readonly manifests?: readonly ManifestInput[];
}

const dur = (text: unknown) => (typeof text === 'string' ? text : '—');

function matchText(route: any): string {
  const matches = arr(route.match).filter(isRecord);
  if (matches.length === 0) return 'everything else';
  return matches.map((m) => {
    const parts: string[] = [];
    if (isRecord(m.uri)) parts.push(`uri ${Object.entries(m.uri).map(([k, v]) => `${k} ${v}`).join('')}`);
    if (isRecord(m.method)) parts.push(`method ${Object.values(m.method).join('')}`);
    for (const [h, v] of Object.entries(isRecord(m.headers) ? m.headers : {})) parts.push(`header ${h} ${isRecord(v) ? Object.entries(v).map(([k, x]) => `${k} ${x}`).join('') : ''}`);
    for (const [q, v] of Object.entries(isRecord(m.queryParams) ? m.queryParams : {})) parts.push(`query ${q} ${isRecord(v) ? Object.values(v).join('') : ''}`);
    return parts.join(' and ') || 'everything';
  }).join(' or ');
}

function destinationsText(route: any): string {
  return arr(route.route).filter(isRecord).map((d) => {
    const dest = isRecord(d.destination) ? d.destination : {};
    const target = `${dest.host ?? '?'}${dest.subset ? `/${dest.subset}` : ''}`;
    return d.weight !== undefined ? `${target} ${d.weight}%` : target;
  }).join(', ');
}

function retriesText(route: any): string {
  const r = route.retries;
  if (!isRecord(r)) return "Istio's default (2 on connect-failure, refused-stream, unavailable, cancelled, 503)";
  if (!r.attempts) return 'none';
  return `${r.attempts}${r.perTryTimeout ? ` × ${r.perTryTimeout}` : ''}${r.retryOn ? ` on ${r.retryOn}` : ''}`;
}

function extrasText(route: any): string {
  const extras: string[] = [];
  if (isRecord(route.mirror)) extras.push(`mirror ${route.mirror.host}${route.mirror.subset ? `/${route.mirror.subset}` : ''} ${route.mirrorPercentage?.value ?? 100}%`);
  if (isRecord(route.fault)) {
    if (isRecord(route.fault.delay)) extras.push(`fault delay ${route.fault.delay.fixedDelay} for ${route.fault.delay.percentage?.value ?? '?'}%`);
    if (isRecord(route.fault.abort)) extras.push(`fault abort ${route.fault.abort.httpStatus} for ${route.fault.abort.percentage?.value ?? '?'}%`);
  }
  return extras.join('; ');
}

function serviceSection(host: string, vss: IstioObject[], routes: IstioObject[], drs: IstioObject[], simulation: RequestTableContext): string[] {
  const lines = [`### ${inline(host)}`, ''];
  for (const vs of vss) {
    const gateways = arr(vs.spec.gateways);
    const aliases = arr(vs.spec.hosts).slice(1);
    lines.push(`VirtualService \`${inline(vs.namespace ?? 'default')}/${inline(vs.name)}\` (${gateways.length ? inline(gateways.join(', ')) : 'mesh'})${aliases.length ? `, also for ${inline(aliases.join(', '))}` : ''}:`, '');
    const http = arr(vs.spec.http).filter(isRecord);
    if (http.length > 0) {
      lines.push('| Route | Match | Destinations | Retries | Timeout | Mirror / fault |', '|---|---|---|---|---|---|');
      http.forEach((r, i) => lines.push(`| ${cell(r.name ?? `http[${i}]`)} | ${cell(matchText(r))} | ${cell(destinationsText(r))} | ${cell(retriesText(r))} | ${dur(r.timeout)} | ${cell(extrasText(r))} |`));
      lines.push('');
    }
    const tls = arr(vs.spec.tls).filter(isRecord);
    if (tls.length > 0) lines.push(`TLS routes by SNI: ${inline(tls.map((r) => `${arr(r.match).flatMap((m) => arr(m?.sniHosts)).join(', ')} → ${destinationsText(r)}`).join('; '))}`, '');
  }
  lines.push(...httpRouteLines(host, routes, vss));
  for (const dr of drs) {
    lines.push(`DestinationRule \`${inline(dr.namespace ?? 'default')}/${inline(dr.name)}\`:`, '');
    const before = lines.length;
    for (const s of arr(dr.spec.subsets).filter(isRecord)) {
      lines.push(`- subset \`${inline(s.name)}\`: ${inline(Object.entries(isRecord(s.labels) ? s.labels : {}).map(([k, v]) => `${k}=${v}`).join(', ')) || 'no labels'}`);
    }
    const tp = isRecord(dr.spec.trafficPolicy) ? dr.spec.trafficPolicy : {};
    if (isRecord(tp.connectionPool)) lines.push(`- connection pool: ${JSON.stringify(tp.connectionPool)}`);
    if (isRecord(tp.outlierDetection)) lines.push(`- circuit breaker (outlier detection): ${JSON.stringify(tp.outlierDetection)}`);
    if (isRecord(tp.loadBalancer)) lines.push(`- load balancer: ${JSON.stringify(tp.loadBalancer)}`);
    if (arr(tp.portLevelSettings).length > 0) lines.push(`- port-level settings: ${JSON.stringify(tp.portLevelSettings)}`);
    if (isRecord(tp.tls)) lines.push(`- client TLS: ${JSON.stringify(tp.tls)}`);
    if (lines.length === before) lines.push('- no subsets and no connection pool, circuit breaker, load balancer or TLS settings (Istio\'s defaults)');
    lines.push('');
  }
  lines.push(...requestTable(simulation, host, vss));
  return lines;
}

/** A worst path in the report: whole when short, else its ends around the number of hops left out. */
function pathText(g: CallGraph, host: string, paths: ReturnType<typeof pathSummaries>): string {
  const { hops, omitted } = shownPath(g, host, 'factorVia', paths(host));
  return hops.map((h) => h ?? `… (${omitted} more)`).join(' → ');
}

/**
 * Per entry point, a row per service whose worst path starts there. Each node's path is summarised once (from its
 * predecessor's summary) and shown by its ends, so the section is linear in the graph however deep its chains are.
 */
function entrySection(g: CallGraph, byLocale: readonly CallNode[]): string[] {
  const entries = byLocale.filter((n) => n.entryPoint);
  if (entries.length === 0) return ['No calls are declared (`calls` on the constructs, or the `traffic.cdk8s-istio-traffic.io/calls` annotation).', ''];
  const paths = pathSummaries(g, 'factorVia', PATH_ENDS);
  const rows = new Map<string, string[]>();
  for (const { host } of byLocale) {
    const f = g.figures.get(host);
    if (!f) continue;
    const start = paths(host).head[0];
    const p = g.nodes.get(host)!.policy;
    const row = `| ${cell(host)} | ${cell(pathText(g, host, paths))} | ${f.factor}${f.factor > g.options.maxAmplification ? ' ⚠' : ''} | ${p.timeoutMs !== undefined ? formatMillis(p.timeoutMs) : '—'} | ${p.worstMs !== undefined ? formatMillis(p.worstMs) : 'unbounded'} |`;
    const list = rows.get(start);
    if (list) list.push(row);
    else rows.set(start, [row]);
  }
  const lines: string[] = [];
  for (const entry of entries) {
    lines.push(`### ${inline(entry.host)} (${entry.entryReason})`, '', '| Service | Worst path | Requests per entry request | Timeout | Worst-case time |', '|---|---|---|---|---|');
    for (const row of rows.get(entry.host) ?? []) lines.push(row);
    lines.push('');
  }
  for (const cycle of g.cycles) lines.push(`Cycle (not analyzed): ${cycleText(cycle)}`, '');
  return lines;
}

/** A cycle in the report: whole when short, else its ends around the number of hops left out. */
function cycleText(cycle: readonly string[]): string {
  if (cycle.length <= 2 * PATH_ENDS + 1) return cycle.join(' → ');
  return [...cycle.slice(0, PATH_ENDS), `… (${cycle.length - 2 * PATH_ENDS} more)`, ...cycle.slice(-PATH_ENDS)].join(' → ');
}

/** Findings listed per severity at most: the report is read by people; the synth error and `lint` list them all. */
export const MAX_LISTED_FINDINGS = 500;

function findingsSection(report: RuleReport): string[] {
  const rows = (title: string, list: readonly Violation[]) => {
    if (list.length === 0) return [];
    const shown = list.slice(0, MAX_LISTED_FINDINGS).map((v) => `- ${cell(formatViolation(v))}`);
    if (list.length > MAX_LISTED_FINDINGS) shown.push(`- … and ${list.length - MAX_LISTED_FINDINGS} more (\`lint --format json\` on the manifests lists every one)`);
    return [`**${title}**`, '', ...shown, ''];
  };
  const lines = [...rows('Errors', report.errors), ...rows('Warnings', report.warnings),
    ...rows('Suppressed', report.suppressed.map((s) => ({ ...s, fix: `Suppressed: ${s.reason}.` })))];
  return lines.length ? lines : ['No findings.', ''];
}

/**
 * Renders `traffic-report.md`: per service its routes (VirtualServices and HTTPRoutes), weights, subsets, retries,
 * timeouts and circuit breaker, and for VirtualServices a request table (a representative request per HTTP route and the route simulator's answer for it:
 * destinations, timeout, retries, NR/UH/UO/NC/URX risks, or the earlier route that shadows it); per entry point the worst-case amplification and time budget along each path; the findings (at most MAX_LISTED_FINDINGS per severity); and a
 * Mermaid flowchart of services, calls and canary splits (bounded for Mermaid on large graphs, with a note).
 *
 * Linear in services + calls: every worst path is summarised once from its predecessor's and shown by its ends
 * (`a → b → c → … (12 more) → x → y → z`), so no line grows with the depth of the call graph.
 */
export function renderTrafficReport(objects: readonly IstioObject[], report: RuleReport, options: TrafficReportOptions = {}): string {
  const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
  // The rule run that produced `report` built the call graph (CC rules) and read the App (context): reused when it
  // read these objects with these budgets.
  const run = runStateOf(report);
  const same = run !== undefined && run.context.objects === objects;
  const built = same ? run.memos.get(CALL_GRAPH_MEMO) as CallGraph | undefined : undefined;
  const budgets = callChainDefaults(options.callChain);
  const graph = built && built.options.maxAmplification === budgets.maxAmplification && built.options.timeoutHeadroomPercent === budgets.timeoutHeadroomPercent
    ? built : buildCallGraph({ ofKind: (k) => byKind(k) }, options.callChain);
  const services = new Map<string, { vss: IstioObject[]; routes: IstioObject[]; drs: IstioObject[] }>();
  const entry = (host: string) => services.get(host) ?? services.set(host, { vss: [], routes: [], drs: [] }).get(host)!;
  for (const vs of byKind('VirtualService')) {
    const first = arr(vs.spec.hosts).find((h): h is string => typeof h === 'string');
    if (first) entry(fqdn(first, vs.namespace)).vss.push(vs);
  }
  for (const route of byKind('HTTPRoute')) entry(reportHostOf(route)).routes.push(route);
  for (const dr of byKind('DestinationRule')) if (typeof dr.spec.host === 'string') entry(fqdn(dr.spec.host, dr.namespace)).drs.push(dr);
  for (const host of graph.nodes.keys()) entry(host);
  const hosts = [...services.keys()].sort();
  // With the App's manifests (the synth passes the inputs it analyzed) the run's reading of them is the simulator's.
  const simulation = requestTableContext(objects, options.manifests, same && options.manifests ? run.context : undefined);
  const calls = [...graph.nodes.values()].reduce((n, node) => n + node.calls.length, 0);
  // The nodes in localeCompare order, sorted once for the entry points and the diagram.
  const byHost = new Intl.Collator().compare;
  const byLocale = [...graph.nodes.values()].sort((a, b) => byHost(a.host, b.host));
  const diagram = flowchart(graph, hosts.map((h) => ({ host: h, vss: services.get(h)!.vss, routes: services.get(h)!.routes })), byLocale);
  const bounded = diagram.shownServices < diagram.services || diagram.shownEdges < diagram.edges
    ? [`The diagram is bounded for Mermaid: it draws ${diagram.shownServices} of ${diagram.services} service(s) (the most connected) and ${diagram.shownEdges} of ${diagram.edges} edge(s); the sections below list every service and path.`, '']
    : [];
  const parts = [
    '# Traffic report',
    '',
    `Generated by cdk8s-istio-traffic at synth: ${hosts.length} service host(s), ${calls} declared call(s), ${report.errors.length} error(s), ${report.warnings.length} warning(s), ${report.suppressed.length} suppressed.`,
    `Budgets: at most ${graph.options.maxAmplification} requests per entry request (CC-01); caller timeouts ≥ callee worst case + ${graph.options.timeoutHeadroomPercent}% (CC-03).`,
    '',
    '## Call graph',
    '',
    '```mermaid',
    diagram.text,
    '```',
    '',
    ...bounded,
    '## Entry points',
    '',
  ];
  // Each section is joined as soon as it is rendered: its many short lines are then garbage at once, instead of all
  // the report's lines living until the end (no spread or flatMap of a section either: each would copy it again).
  const append = (more: readonly string[]) => { if (more.length > 0) parts.push(more.join('\n')); };
  append(entrySection(graph, byLocale));
  parts.push('## Services', '');
  for (const h of hosts) append(serviceSection(h, services.get(h)!.vss, services.get(h)!.routes, services.get(h)!.drs, simulation));
  parts.push('## Findings', '');
  append(findingsSection(report));
  return parts.join('\n');
}

