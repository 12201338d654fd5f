/**
 * fast-check arbitraries for VALID HostTraffic configurations, as plain specs (data plus immutable value objects),
 * and the builder that turns a spec into a construct through the public API: props for part of the subsets and
 * routes, `addSubset` / `addHttpRoute` / `addTcpRoute` for the rest.
 *
 * A spec is valid by construction: distinct DNS-label subset names with distinct labels (`version: <name>`),
 * HTTP routes whose matches are never shadowed by an earlier one (VS-07), weights summing to 100 on
 * multi-destination routes (VS-11), timeouts covering the retries (VS-19), safe retries on write routes (VS-18),
 * faults only on header-matched routes without timeout/retries (VS-23, VS-20), exactly one trailing catch-all
 * (VS-06), and gateways that exist in the declared inventory (VS-30).
 */
import { Chart } from 'cdk8s';
import * as fc from 'fast-check';
import { faultInjection } from './arbitraries';
import {
  admitsWrites, dnsLabel, externalFqdn, headerScopedMatch, httpMatch, labelMap, namespaceName, resilience, ResilienceSpec,
  trafficPolicy, TrafficPolicySpec, trafficPolicyWarnings, withoutShadowed, writeSafe,
} from './arbitraries-values';
import { Destination } from '../../src/constructs/destination';
import { HostTraffic, HostTrafficProps } from '../../src/constructs/host-traffic';
import { HttpRouteProps, SubsetProps, TcpRouteProps } from '../../src/constructs/route-props';
import { Subset } from '../../src/constructs/refs';
import { fqdn } from '../../src/core/hosts';
import { Inventory } from '../../src/engine/types';
import { HttpFault } from '../../src/policies/fault';
import { HttpMatch } from '../../src/policies/match';
import { RetryPolicy } from '../../src/policies/retry';

/** One destination of a route: a declared subset of the host (or the host itself), with its weight. */
export interface DestinationSpec {
  readonly subset?: string;
  readonly weight?: number;
}

export interface HttpRouteSpec {
  readonly name?: string;
  /** `undefined`: the catch-all route. */
  readonly matches?: HttpMatch[];
  /** `undefined`: no `route` prop (the host itself, by default). */
  readonly destinations?: DestinationSpec[];
  readonly resilience: ResilienceSpec;
  readonly fault?: HttpFault;
}

export interface TcpRouteSpec {
  readonly port?: number;
  readonly destinations: DestinationSpec[];
}

export interface SubsetSpec {
  readonly name: string;
  readonly labels: Record<string, string>;
}

export interface HostTrafficSpec {
  readonly chartNamespace?: string;
  readonly service: string;
  /** `fqdn`: `service.ns.svc.cluster.local`; `short`: `service`, only when the objects have a namespace. */
  readonly hostForm: 'fqdn' | 'short';
  /** Namespace of the FQDN (the objects' namespace when the host is short). */
  readonly hostNamespace: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly port?: number;
  readonly subsets: SubsetSpec[];
  /** How many of `subsets` go in the props; the rest are added with addSubset. */
  readonly subsetsInProps: number;
  /** HTTP routes in the order they must be emitted (the catch-all, when there are routes, last). */
  readonly http: HttpRouteSpec[];
  /** `number`: that many routes in the props, the rest added in order; `catchAllFirst`: the catch-all in the props, the matched routes added after it. */
  readonly httpInProps: number | 'catchAllFirst';
  readonly tcp: TcpRouteSpec[];
  readonly tcpInProps: number;
  /** Whether subsets are added before routes (else after: the VirtualService may exist before the DestinationRule). */
  readonly subsetsFirst: boolean;
  readonly gateways?: string[];
  readonly extraHosts?: string[];
  readonly exportTo?: string[];
  readonly policy: TrafficPolicySpec;
  readonly inventory: boolean;
}

/** The namespace the objects land in. */
export function objectNamespace(spec: HostTrafficSpec): string | undefined {
  return spec.namespace ?? spec.chartNamespace;
}

/** The host as passed in the props. */
export function hostOf(spec: HostTrafficSpec): string {
  return spec.hostForm === 'short' ? spec.service : `${spec.service}.${spec.hostNamespace}.svc.cluster.local`;
}

/** The host as an FQDN (what the rules resolve it to). */
export function hostFqdn(spec: HostTrafficSpec): string {
  return fqdn(hostOf(spec), objectNamespace(spec));
}

/** Weights: `k` non-negative integers summing to 100 (cut points of 0..100). */
const weights = (k: number): fc.Arbitrary<number[]> =>
  fc.array(fc.integer({ min: 0, max: 100 }), { minLength: k - 1, maxLength: k - 1 }).map((cuts) => {
    const points = [0, ...[...cuts].sort((a, b) => a - b), 100];
    return points.slice(1).map((p, i) => p - points[i]);
  });

/** Destinations for a route over `subsets` (names): 1-3 distinct subsets weighted to 100, or the host itself. */
function destinations(subsets: readonly string[]): fc.Arbitrary<DestinationSpec[]> {
  if (subsets.length === 0) {
    return fc.constantFrom<DestinationSpec[]>([{}], [{ weight: 100 }]);
  }
  return fc.uniqueArray(fc.constantFrom(...subsets), { minLength: 1, maxLength: Math.min(3, subsets.length) }).chain((picked) => {
    if (picked.length === 1) return fc.constantFrom<DestinationSpec[]>([{ subset: picked[0] }], [{ subset: picked[0], weight: 100 }]);
    return weights(picked.length).map((ws) => picked.map((subset, i) => ({ subset, weight: ws[i] })));
  });
}

const port = fc.oneof(fc.constantFrom(80, 8080, 9080, 443, 1, 65535), fc.integer({ min: 1, max: 65535 }));

/** A match, sometimes narrowed to a port. */
const withPort = (m: fc.Arbitrary<HttpMatch>): fc.Arbitrary<HttpMatch> =>
  fc.tuple(m, fc.option(port, { nil: undefined })).map(([match, p]) => (p === undefined ? match : match.and(HttpMatch.port(p))));

/** The fault of a route (the delay and/or abort of a FaultInjection; the route's matches scope it). */
const httpFault: fc.Arbitrary<HttpFault> = faultInjection.map(({ match: _match, ...fault }) => fault as HttpFault);

interface RawRoute {
  readonly faulted: boolean;
  readonly matches: HttpMatch[];
  readonly fault: HttpFault;
  readonly resilience: ResilienceSpec;
  readonly named: boolean;
  readonly action: 'route' | 'default';
  readonly destinations: DestinationSpec[];
}

const rawRoute = (subsets: readonly string[]): fc.Arbitrary<RawRoute> => fc.boolean().chain((faulted) => fc.record({
  faulted: fc.constant(faulted),
  matches: fc.array(withPort(faulted ? headerScopedMatch : httpMatch), { minLength: 1, maxLength: 2 }),
  fault: httpFault,
  resilience,
  named: fc.boolean(),
  action: fc.constantFrom('route', 'default'),
  destinations: destinations(subsets),
}));

/** Drops the matches an earlier match (of this or an earlier route) shadows (VS-07); routes left without a match go. */
function unshadowed(routes: readonly RawRoute[]): RawRoute[] {
  const kept: HttpMatch[] = [];
  const out: RawRoute[] = [];
  for (const r of routes) {
    const mine: HttpMatch[] = [];
    for (const m of r.matches) {
      if (withoutShadowed([...kept, m]).length === kept.length + 1) {
        kept.push(m);
        mine.push(m);
      }
    }
    if (mine.length > 0) out.push({ ...r, matches: mine });
  }
  return out;
}

/** Makes a raw route valid: safe retries where writes pass (VS-18), no timeout/retries on a faulted route (VS-20). */
function finishRoute(r: Omit<RawRoute, 'matches'> & { matches?: HttpMatch[] }, name: string | undefined): HttpRouteSpec {
  let res = r.resilience;
  const writes = (r.matches ?? []).some(admitsWrites);
  if (writes && !writeSafe(res.retries)) res = { ...res, retries: RetryPolicy.none(), warnsNoPerTry: false };
  const faulted = r.faulted && r.matches !== undefined;
  if (faulted) res = { warnsNoPerTry: false };
  // Non-idempotent retries are recorded by route name (PROP without one).
  const named = name !== undefined && (r.named || res.retries?.forWrites === true);
  return {
    ...(named ? { name } : {}),
    ...(r.matches ? { matches: r.matches } : {}),
    ...(r.action === 'route' || r.destinations.some((d) => d.subset !== undefined) ? { destinations: r.destinations } : {}),
    resilience: res,
    ...(faulted ? { fault: r.fault } : {}),
  };
}

const subsetNames = fc.uniqueArray(dnsLabel(8), { minLength: 0, maxLength: 5 });

/** Valid HostTraffic specs. */
export const hostTrafficSpec: fc.Arbitrary<HostTrafficSpec> = fc.record({
  chartNamespace: fc.option(namespaceName, { nil: undefined }),
  service: dnsLabel(),
  hostForm: fc.constantFrom<'fqdn' | 'short'>('fqdn', 'fqdn', 'short'),
  hostNamespace: namespaceName,
  namespace: fc.option(namespaceName, { nil: undefined }),
  name: fc.option(dnsLabel(), { nil: undefined }),
  port: fc.option(port, { nil: undefined }),
  subsetNames,
  commonLabels: labelMap(0, 2),
  gatewayMode: fc.constantFrom('none', 'mesh', 'mesh+gateway', 'gateway+mesh'),
  gateway: fc.tuple(namespaceName, dnsLabel()).map(([ns, n]) => `${ns}/${n}`),
  extraHosts: fc.option(fc.uniqueArray(externalFqdn, { minLength: 1, maxLength: 2, selector: (h) => h.toLowerCase() }), { nil: undefined }),
  exportTo: fc.option(fc.constantFrom('.', '*').map((e) => [e]), { nil: undefined }),
  policy: trafficPolicy(true),
  inventory: fc.boolean(),
  subsetsFirst: fc.boolean(),
  routeNames: fc.uniqueArray(dnsLabel(8), { minLength: 5, maxLength: 5 }),
}).chain((r) => {
  const names = r.subsetNames;
  return fc.record({
    base: fc.constant(r),
    http: fc.option(fc.tuple(fc.array(rawRoute(names), { maxLength: 3 }), rawRoute(names)), { nil: undefined }),
    tcp: fc.array(fc.tuple(fc.option(port, { nil: undefined }), destinations(names)), { maxLength: 2 }),
    subsetsInProps: fc.nat(names.length),
    httpSplit: fc.oneof(fc.nat(4), fc.constant('catchAllFirst' as const)),
    tcpInProps: fc.nat(2),
  });
}).map(({ base: r, http, tcp, subsetsInProps, httpSplit, tcpInProps }): HostTrafficSpec => {
  // Subsets: version: <name>, plus labels all of them share (never `version`).
  const common = Object.fromEntries(Object.entries(r.commonLabels).filter(([k]) => k !== 'version'));
  const subsets = r.subsetNames.map((name) => ({ name, labels: { ...common, version: name } }));
  // HTTP routes: the matched ones unshadowed, then exactly one catch-all.
  const routes: HttpRouteSpec[] = [];
  if (http) {
    const matched = unshadowed(http[0]);
    matched.forEach((m, i) => routes.push(finishRoute(m, r.routeNames[i])));
    const { matches: _m, ...catchAll } = http[1];
    routes.push(finishRoute(catchAll, r.routeNames[4]));
  }
  // TCP routes: distinct ports (VS-07: identical matches), only the last may be portless (a TCP catch-all).
  const tcpRoutes: TcpRouteSpec[] = [];
  const ports = new Set<number>();
  tcp.forEach(([p, dests], i) => {
    const last = i === tcp.length - 1;
    if (p === undefined && !last) return;
    if (p !== undefined && ports.has(p)) return;
    if (p !== undefined) ports.add(p);
    tcpRoutes.push({ ...(p !== undefined ? { port: p } : {}), destinations: dests });
  });
  const ownNs = r.namespace ?? r.chartNamespace;
  const hostForm = r.hostForm === 'short' && ownNs === undefined ? 'fqdn' : r.hostForm;
  const hostNamespace = hostForm === 'short' ? ownNs! : r.hostNamespace;
  const gateways = r.gatewayMode === 'none' ? undefined : r.gatewayMode === 'mesh' ? ['mesh']
    : r.gatewayMode === 'mesh+gateway' ? ['mesh', r.gateway] : [r.gateway, 'mesh'];
  return {
    chartNamespace: r.chartNamespace, service: r.service, hostForm, hostNamespace, namespace: r.namespace, name: r.name, port: r.port,
    subsets, subsetsInProps: Math.min(subsetsInProps, subsets.length),
    http: routes, httpInProps: httpSplit === 'catchAllFirst' ? 'catchAllFirst' : Math.min(httpSplit, routes.length),
    tcp: tcpRoutes, tcpInProps: Math.min(tcpInProps, tcpRoutes.length), subsetsFirst: r.subsetsFirst,
    gateways, extraHosts: r.extraHosts, exportTo: r.exportTo, policy: r.policy,
    // A gateway outside the App must be declared (VS-30).
    inventory: r.inventory || (gateways ?? []).some((g) => g !== 'mesh'),
  };
});

/** What exists outside the App: the routed host, the gateways and the namespaces. */
export function inventoryFor(spec: HostTrafficSpec): Inventory | undefined {
  if (!spec.inventory) return undefined;
  const gateways = (spec.gateways ?? []).filter((g) => g !== 'mesh');
  return {
    hosts: [hostFqdn(spec)],
    gateways,
    namespaces: [...new Set([objectNamespace(spec) ?? 'default', spec.hostNamespace, ...gateways.map((g) => g.split('/')[0])])],
  };
}

/** The warnings a valid spec deserves. */
export function hostTrafficWarnings(spec: HostTrafficSpec): string[] {
  const out: string[] = [];
  if (spec.subsets.length > 0 || Object.keys(spec.policy).length > 0) {
    const retrying = spec.http.find((r) => r.resilience.retries !== undefined && r.resilience.retries.attempts > 0);
    out.push(...trafficPolicyWarnings(spec.policy, retrying?.resilience.retries));
  }
  if (spec.http.some((r) => r.resilience.warnsNoPerTry)) out.push('VS-19');
  // A subset no route sends traffic to is dead configuration (DR-05).
  const routed = new Set([...spec.http, ...spec.tcp].flatMap((r) => (r.destinations ?? []).map((d) => d.subset)));
  if (spec.subsets.some((s) => !routed.has(s.name))) out.push('DR-05');
  return out;
}

/** Props of one destination. */
export function destinationOf(d: DestinationSpec, host: string): Destination {
  const options = d.weight !== undefined ? { weight: d.weight } : {};
  return d.subset !== undefined ? Destination.subset(d.subset, options) : Destination.host(host, options);
}

export function httpRouteProps(r: HttpRouteSpec, host: string): HttpRouteProps {
  return {
    ...(r.name ? { name: r.name } : {}),
    ...(r.matches ? { match: r.matches } : {}),
    ...(r.destinations ? { route: r.destinations.map((d) => destinationOf(d, host)) } : {}),
    ...(r.resilience.timeout ? { timeout: r.resilience.timeout } : {}),
    ...(r.resilience.retries ? { retries: r.resilience.retries } : {}),
    ...(r.fault ? { fault: r.fault } : {}),
  };
}

export function tcpRouteProps(r: TcpRouteSpec, host: string): TcpRouteProps {
  return { ...(r.port !== undefined ? { port: r.port } : {}), route: r.destinations.map((d) => destinationOf(d, host)) };
}

export function subsetProps(s: SubsetSpec): SubsetProps {
  return { name: s.name, pods: Subset.fromLabels({ ...s.labels }) };
}

/** The props and the later additions of a spec, in the order they are made. */
export interface Plan {
  readonly props: HostTrafficProps;
  readonly later: ReadonlyArray<(c: HostTraffic) => unknown>;
}

export function planOf(spec: HostTrafficSpec): Plan {
  const host = hostOf(spec);
  const http = spec.http.map((r) => httpRouteProps(r, host));
  let inProps: HttpRouteProps[];
  let laterHttp: HttpRouteProps[];
  if (spec.httpInProps === 'catchAllFirst') {
    // The catch-all first: every matched route added later is placed before it.
    inProps = http.slice(-1);
    laterHttp = http.slice(0, -1);
  } else {
    inProps = http.slice(0, spec.httpInProps);
    laterHttp = http.slice(spec.httpInProps);
  }
  const tcp = spec.tcp.map((r) => tcpRouteProps(r, host));
  const subsets = spec.subsets.map(subsetProps);
  const props: HostTrafficProps = {
    host,
    ...(spec.name ? { name: spec.name } : {}),
    ...(spec.namespace ? { namespace: spec.namespace } : {}),
    ...(spec.port !== undefined ? { port: spec.port } : {}),
    ...(spec.subsetsInProps > 0 ? { subsets: subsets.slice(0, spec.subsetsInProps) } : {}),
    ...(inProps.length > 0 ? { httpRoutes: inProps } : {}),
    ...(spec.tcpInProps > 0 ? { tcpRoutes: tcp.slice(0, spec.tcpInProps) } : {}),
    ...(spec.gateways ? { gateways: spec.gateways } : {}),
    ...(spec.extraHosts ? { hosts: spec.extraHosts } : {}),
    ...(spec.exportTo ? { exportTo: spec.exportTo } : {}),
    ...spec.policy,
  };
  const addSubsets = subsets.slice(spec.subsetsInProps).map((s) => (c: HostTraffic) => c.addSubset(s));
  const addRoutes = [
    ...laterHttp.map((r) => (c: HostTraffic) => c.addHttpRoute(r)),
    ...tcp.slice(spec.tcpInProps).map((r) => (c: HostTraffic) => c.addTcpRoute(r)),
  ];
  return { props, later: spec.subsetsFirst ? [...addSubsets, ...addRoutes] : [...addRoutes, ...addSubsets] };
}

/** Creates the construct of a spec in `chart` (props, then the later additions). */
export function buildHostTraffic(spec: HostTrafficSpec, chart: Chart, id = 'host'): HostTraffic {
  const plan = planOf(spec);
  const construct = new HostTraffic(chart, id, plan.props);
  for (const add of plan.later) add(construct);
  return construct;
}

