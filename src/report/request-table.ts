import { MESH_GATEWAY, resolveGatewayRef } from '../core/gateway-ref';
import { fqdn } from '../core/hosts';
import { arr, defineEntry, isRecord } from '../core/json';
import { labelMap } from '../core/labels';
import { ManifestInput } from '../engine/analyze';
import { IstioObject, RuleContext } from '../engine/types';
import { RetrySource, RouteRef, RouteSimulator, SimulationOutcome, SimulationRequest, SimulationResult, SimulationRisk, TrafficSource } from '../simulate';
import { cell, inline } from './markdown';
/**
 * The request table of a service section: for each HTTP route of the service's VirtualServices, a representative
 * request derived from the route's first match block, and what the route simulator answers for it (destinations
 * with their shares, timeout, retries, risks). A request that an earlier route takes instead is reported as
 * shadowed; the UH/UO/NC/URX/NR risks found are listed under the table.
 */

/** Rows of the request table per service; the rest are counted. */
export const MAX_REQUEST_ROWS = 20;
/** Risk lines per service; the rest are counted. */
export const MAX_RISK_LINES = 20;
/** Hosts of a VirtualService tried as the request authority, until one reaches the VirtualService. */
const MAX_AUTHORITIES = 3;
/**
 * Simulated requests per report. Each simulation reads every VirtualService and DestinationRule of the input, so
 * the budget keeps the report's time linear in the input; the rows past it say so.
 */
export const MAX_SIMULATIONS = 2000;

/** The request the first match block of a route describes, or why none is derived. */
interface Derived {
  /** The request, without its authority. */
  readonly request?: Omit<SimulationRequest, 'authority'>;
  /** Authorities to try, in order. */
  readonly authorities: readonly string[];
  /** The request as written in the table. */
  readonly text: string;
  /** Whether the request is sent through a gateway (the table then names the host). */
  readonly viaGateway: boolean;
}

/** The route simulator over the report's input, and what is left of the report's simulation budget. */
export interface RequestTableContext {
  readonly simulator: RouteSimulator;
  /** Simulations left ({@link MAX_SIMULATIONS} per report). */
  remaining: number;
}

/**
 * A simulator over the report's input: the App's manifests when given (workloads and Services included, so that
 * UH and the Services' ports are known), else the Istio objects' own manifests.
 */
export function requestTableContext(objects: readonly IstioObject[], manifests?: readonly ManifestInput[], read?: Pick<RuleContext, 'objects' | 'services' | 'workloads'>): RequestTableContext {
  // What the rule run already read, when the caller has it (the synth's analysis): the manifests are not read again.
  if (read) return { simulator: RouteSimulator._fromContext(read), remaining: MAX_SIMULATIONS };
  const inputs = manifests ?? objects.map((o) => ({ manifest: o.manifest, path: o.path }));
  return { simulator: RouteSimulator._fromInputs(inputs), remaining: MAX_SIMULATIONS };
}

/** One StringMatch as a sample value: exact and prefix as written, a plain-literal regex as its text, presence as `presence`. */
function sampleOf(sm: unknown, presence: string): { value: string } | { regex: string } {
  if (!isRecord(sm)) return { value: presence };
  if (typeof sm.exact === 'string') return { value: sm.exact };
  if (typeof sm.prefix === 'string') return { value: sm.prefix };
  if (typeof sm.regex === 'string' && sm.regex !== '*') {
    const literal = literalOf(sm.regex);
    return literal !== undefined ? { value: literal } : { regex: sm.regex };
  }
  return { value: presence };
}

const META = new Set([...'\\.*+?()[]{}|^$']);

/**
 * The one string a regex stands for when it is a plain literal: ordinary characters, `.` (which matches itself),
 * escaped punctuation, optionally anchored with `^…$`. Anything else (classes, repetition, alternation): undefined.
 */
function literalOf(pattern: string): string | undefined {
  let p = pattern.startsWith('^') ? pattern.slice(1) : pattern;
  if (p.endsWith('$') && !p.endsWith('\\$')) p = p.slice(0, -1);
  let out = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') {
      const next = p[i + 1];
      if (next === undefined || !META.has(next) && !/[-/!"#%&',:;<=>@_`~ ]/.test(next)) return undefined;
      out += next;
      i++;
    } else if (c === '.') {
      out += c;
    } else if (META.has(c)) {
      return undefined;
    } else {
      out += c;
    }
  }
  return out;
}

/** The source of the request: the block's `gateways`, else the VirtualService's (mesh when bound to it). */
function sourceOf(vs: IstioObject, block: Record<string, any>, namespace: string): { source?: TrafficSource; text: string[]; gateway?: string; problem?: string } {
  const blockGateways = arr(block.gateways).filter((g): g is string => typeof g === 'string');
  const vsGateways = arr(vs.spec.gateways).filter((g): g is string => typeof g === 'string');
  const ref = blockGateways.length > 0 ? blockGateways[0] : vsGateways.length === 0 || vsGateways.includes(MESH_GATEWAY) ? MESH_GATEWAY : vsGateways[0];
  const labels = labelMap(block.sourceLabels) ?? {};
  const sourceNamespace = typeof block.sourceNamespace === 'string' && block.sourceNamespace !== '' ? block.sourceNamespace : undefined;
  const text: string[] = [];
  if (Object.keys(labels).length > 0) text.push(`from pods ${Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',')}`);
  if (sourceNamespace) text.push(`from namespace ${sourceNamespace}`);
  if (ref === MESH_GATEWAY) return { source: TrafficSource.mesh({ namespace: sourceNamespace ?? namespace, labels }), text };
  const gateway = resolveGatewayRef(ref, namespace);
  if (!gateway || !/^[^/\s]+\/[^/\s]+$/.test(gateway)) return { text, problem: `gateway "${ref}" is not a gateway reference` };
  return { source: TrafficSource.gateway(gateway, { ...(sourceNamespace ? { namespace: sourceNamespace } : {}), labels }), text: [`at gateway ${gateway}`, ...text], gateway };
}

/** The representative request of `route` (of `vs`): what its first match block asks for; `GET /` for a catch-all. */
function deriveRequest(vs: IstioObject, route: Record<string, any>, namespace: string): Derived {
  const blocks = arr(route.match);
  const block = isRecord(blocks[0]) ? blocks[0] : {};
  const hosts = arr(vs.spec.hosts).filter((h): h is string => typeof h === 'string' && h !== '').map((h) => fqdn(h, namespace).replace(/^\*/, 'any'));
  const source = sourceOf(vs, block, namespace);
  const regexes: string[] = [];
  const problems: string[] = source.problem ? [source.problem] : [];
  const value = (what: string, sm: unknown, presence: string): string => {
    const s = sampleOf(sm, presence);
    if ('regex' in s) {
      regexes.push(`${what} ${s.regex}`);
      return presence;
    }
    return s.value;
  };
  const method = isRecord(block.method) ? value('method', block.method, 'GET') : 'GET';
  let path = isRecord(block.uri) ? value('uri', block.uri, '/') : '/';
  if (isRecord(block.uri) && 'prefix' in block.uri && path === '') path = '/';
  if (!path.startsWith('/')) problems.push(`uri "${path}" does not start with "/"`);
  const scheme = isRecord(block.scheme) ? value('scheme', block.scheme, 'http') : undefined;
  const authority = isRecord(block.authority) ? value('authority', block.authority, '') : undefined;
  const headers: Record<string, string> = {};
  for (const [name, sm] of Object.entries(isRecord(block.headers) ? block.headers : {})) defineEntry(headers, name, value(`header ${name}`, sm, 'x'));
  const queryParams: Record<string, string> = {};
  for (const [name, sm] of Object.entries(isRecord(block.queryParams) ? block.queryParams : {})) defineEntry(queryParams, name, value(`query ${name}`, sm, ''));
  const port = block.port;
  if (port !== undefined && port !== 0 && !(Number.isInteger(port) && port >= 1 && port <= 65535)) problems.push(`port ${JSON.stringify(port)} is not a port`);
  const authorities = authority ? [authority] : [...new Set(hosts)].slice(0, MAX_AUTHORITIES);
  if (authorities.length === 0) problems.push('the VirtualService names no host');
  if (regexes.length > 0) return { authorities, text: `(regex: not derived) ${regexes.join(', ')}`, viaGateway: false };
  if (problems.length > 0) return { authorities, text: `(not derived: ${problems.join('; ')})`, viaGateway: false };
  const query = Object.entries(queryParams).map(([k, v]) => (v === '' ? k : `${k}=${v}`)).join('&');
  const parts = [
    `${method} ${path}${query ? `?${query}` : ''}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ...(scheme !== undefined ? [`scheme ${scheme}`] : []),
    ...(typeof port === 'number' && port !== 0 ? [`port ${port}`] : []),
    ...source.text,
  ];
  return {
    request: {
      source: source.source, method, path, headers, queryParams,
      ...(scheme !== undefined ? { scheme } : {}), ...(typeof port === 'number' && port !== 0 ? { port } : {}),
    },
    authorities,
    text: blocks.length === 0 ? `everything else: ${parts.join(' · ')}` : parts.join(' · '),
    viaGateway: source.gateway !== undefined,
  };
}

/** Whether the simulation got to `vsId` at all (routed by it, or passed over its routes). */
const reaches = (r: SimulationResult, vsId: string) => r.route?.virtualService === vsId || r.skipped.some((m) => m.route.virtualService === vsId);

const percent = (p: number) => `${Number(p.toFixed(2))}%`;
const routeLabel = (ref: RouteRef, vsId: string) => `${ref.virtualService === vsId ? '' : `VirtualService ${ref.virtualService} `}http[${ref.index}]${ref.name ? ` ${ref.name}` : ''}`;

/** Where a request goes, as the simulator answers. */
function destinationText(r: SimulationResult): string {
  const via = r.route?.delegatedTo ? `via delegate ${r.route.delegatedTo.virtualService} http[${r.route.delegatedTo.index}]: ` : '';
  switch (r.outcome) {
    case SimulationOutcome.REDIRECT: {
      const target = `${typeof r.redirect?.authority === 'string' ? r.redirect.authority : ''}${typeof r.redirect?.uri === 'string' ? r.redirect.uri : ''}`;
      return `${via}redirect${target ? ` to ${target}` : ''} (${r.redirect?.redirectCode ?? 301})`;
    }
    case SimulationOutcome.DIRECT_RESPONSE:
      return `${via}direct response ${r.directResponse?.status ?? '?'}`;
    case SimulationOutcome.NO_ROUTE:
      return `NR: ${r.noRouteReason ?? 'no route'}`;
    default: {
      const dests = r.destinations.map((d) => `${d.host}${d.subset !== undefined ? `/${d.subset}` : ''} ${percent(d.percent)}`).join(', ');
      const prefix = r.outcome === SimulationOutcome.DEFAULT_ROUTE ? 'not routed by this VirtualService: default route to ' : via;
      return `${prefix}${dests || 'nowhere (no destination with a weight)'}`;
    }
  }
}

function retriesText(r: SimulationResult): string {
  const retry = r.retry;
  if (!retry) return '—';
  if (retry.source === RetrySource.FAULT_INJECTION) return 'none (fault injection)';
  if (retry.attempts <= 0) return 'none';
  return `${retry.attempts}${retry.perTryTimeout ? ` × ${retry.perTryTimeout}` : ''}${retry.source === RetrySource.ISTIO_DEFAULT ? " (Istio's default)" : ''}`;
}

function timeoutText(r: SimulationResult): string {
  if (r.outcome !== SimulationOutcome.ROUTED && r.outcome !== SimulationOutcome.DEFAULT_ROUTE) return '—';
  if (r.timeout !== undefined) return r.timeout;
  return r.retry?.source === RetrySource.FAULT_INJECTION ? 'none (fault injection)' : 'none';
}

/** The risks of one result: its response flag (NR) and its destinations' risks. */
function risksOf(r: SimulationResult): SimulationRisk[] {
  const nr = r.responseFlag ? [{ code: r.responseFlag, destination: r.host, message: r.noRouteReason ?? 'no route' }] : [];
  return [...nr, ...r.risks];
}

/** One row: the verdict on the derived request, with the cells after Route and Request. */
interface Verdict {
  readonly cells: [string, string, string, string];
  readonly risks: SimulationRisk[];
}

const blank = (goesTo: string): Verdict => ({ cells: [goesTo, '—', '—', '—'], risks: [] });

function answered(r: SimulationResult): Verdict {
  const risks = risksOf(r);
  const codes = [...new Set(risks.map((x) => x.code))];
  return { cells: [destinationText(r), timeoutText(r), retriesText(r), codes.join(', ') || '—'], risks };
}

/**
 * Whether `request` matches route `index` of `vs` on its own (the route alone in a copy of the VirtualService):
 * tells a route shadowed by an earlier one from a request that does not describe its route. Undefined when it
 * matches; else the conditions that fail.
 */
function ownMiss(vs: IstioObject, route: Record<string, any>, request: SimulationRequest): string[] | undefined {
  const spec = vs.spec;
  const manifest = {
    apiVersion: isRecord(vs.manifest) ? vs.manifest.apiVersion : 'networking.istio.io/v1', kind: 'VirtualService',
    metadata: { name: vs.name, ...(vs.namespace !== undefined ? { namespace: vs.namespace } : {}) },
    spec: { hosts: spec.hosts, ...(spec.gateways !== undefined ? { gateways: spec.gateways } : {}), ...(spec.exportTo !== undefined ? { exportTo: spec.exportTo } : {}), http: [{ match: route.match }] },
  };
  const r = RouteSimulator._fromInputs([{ manifest, path: vs.path }]).simulate(request);
  if (r.route?.index === 0) return undefined;
  return r.skipped[0]?.failed ?? [r.noRouteReason ?? 'the request does not reach the VirtualService'];
}

const failedText = (failed: readonly string[]) => `${failed.slice(0, 2).join('; ')}${failed.length > 2 ? `; and ${failed.length - 2} more` : ''}`;

/** Simulates the derived request of route `index` and judges the answer. */
function judge(ctx: RequestTableContext, vs: IstioObject, vsId: string, route: Record<string, any>, index: number, derived: Derived): { verdict: Verdict; authority?: string } {
  if (!derived.request) return { verdict: blank('not simulated') };
  let chosen: { r: SimulationResult; authority: string } | undefined;
  for (const authority of derived.authorities) {
    if (ctx.remaining <= 0) break;
    ctx.remaining--;
    let r: SimulationResult;
    try {
      r = ctx.simulator.simulate({ ...derived.request, authority });
    } catch (e) {
      return { verdict: blank(`not simulated: ${(e as Error).message}`) };
    }
    chosen ??= { r, authority };
    if (reaches(r, vsId)) {
      chosen = { r, authority };
      break;
    }
  }
  if (!chosen) return { verdict: blank(`not simulated: the report's budget of ${MAX_SIMULATIONS} simulated requests is spent`) };
  const { r, authority } = chosen;
  const ref = r.route;
  if (ref && ref.virtualService === vsId && ref.index === index) return { verdict: answered(r), authority };
  const own = r.skipped.filter((m) => m.route.virtualService === vsId && m.route.index === index);
  const direct = own.find((m) => !m.route.delegatedTo);
  if (direct) return { verdict: blank(`the request does not match this route: ${failedText(direct.failed)}`), authority };
  if (own.length > 0) {
    return { verdict: blank(`matches, but no route of delegate ${own[0].route.delegatedTo!.virtualService} does: ${failedText(own[0].failed)}`), authority };
  }
  if (ref) {
    const miss = ownMiss(vs, route, { ...derived.request, authority, port: r.port });
    if (miss) return { verdict: blank(`the request does not match this route: ${failedText(miss)}`), authority };
    return { verdict: blank(`shadowed by ${routeLabel(ref, vsId)}`), authority };
  }
  return { verdict: answered(r), authority };
}

/**
 * The request table of one service section, and the risks list under it: empty when the service's
 * VirtualServices have no HTTP routes.
 */
export function requestTable(ctx: RequestTableContext, host: string, vss: readonly IstioObject[]): string[] {
  const routes = vss.flatMap((vs) => arr(vs.spec.http).map((route, index) => ({ vs, route, index })).filter((x) => isRecord(x.route)));
  if (routes.length === 0) return [];
  const several = new Set(vss.map((vs) => `${vs.namespace ?? 'default'}/${vs.name}`)).size > 1;
  const lines = [
    'Requests, as the route simulator answers them (one per route, derived from its first match block; sent from a sidecar in the '
      + "VirtualService's namespace, or through the gateway when the route is bound to gateways only):", '',
    '| Route | Request | Goes to | Timeout | Retries | Risks |', '|---|---|---|---|---|---|',
  ];
  const risks = new Map<string, SimulationRisk>();
  for (const { vs, route, index } of routes.slice(0, MAX_REQUEST_ROWS)) {
    const namespace = vs.namespace ?? 'default';
    const vsId = `${namespace}/${vs.name}`;
    const derived = deriveRequest(vs, route, namespace);
    const { verdict, authority } = judge(ctx, vs, vsId, route, index, derived);
    for (const risk of verdict.risks) {
      const key = JSON.stringify([risk.code, risk.destination, risk.limit ?? '', risk.message]);
      if (!risks.has(key)) risks.set(key, risk);
    }
    const name = typeof route.name === 'string' && route.name !== '' ? ` ${route.name}` : '';
    const request = derived.request && derived.viaGateway && authority !== undefined && authority !== host ? `${derived.text} · host ${authority}` : derived.text;
    lines.push(`| ${cell(`${several ? `${vsId} ` : ''}http[${index}]${name}`)} | ${cell(request)} | ${verdict.cells.map(cell).join(' | ')} |`);
  }
  if (routes.length > MAX_REQUEST_ROWS) lines.push('', `…and ${routes.length - MAX_REQUEST_ROWS} more route(s), not simulated.`);
  lines.push('');
  if (risks.size > 0) {
    const list = [...risks.values()];
    lines.push('Risks the route simulator found for these requests:', '');
    for (const risk of list.slice(0, MAX_RISK_LINES)) lines.push(`- ${inline(risk.code)} ${inline(risk.destination)}: ${inline(risk.message)}`);
    if (list.length > MAX_RISK_LINES) lines.push(`- …and ${list.length - MAX_RISK_LINES} more`);
    lines.push('');
  }
  return lines;
}
