/**
 * RoutingApi.GATEWAY_API, the Gateway API backend of the intent constructs:
 *
 * 1. random CanaryService / HostTraffic / ResilientBackend intents (subsets, weights, header / path / method / query
 *    matches, timeouts, mirrors, header operations, redirects and rewrites, Gateway API parents through an
 *    IngressGateway) construct or throw an IstioValidationError — never anything else; what constructs synthesizes
 *    (or fails synth with an IstioValidationError), every non-core object passes the bundled CRD schema + CEL, every
 *    backendRef names a Service of the chart, and the HTTPRoute weights are those of the Istio form of the same props;
 * 2. what HTTPRoute cannot say (retries, even RetryPolicy.none(); faults; sourceLabels; external hosts) is PROP naming
 *    RoutingApi.ISTIO, and the refused construct is withdrawn;
 * 3. the order guard: matched routes added one by one are either refused ("matches more specifically") or kept in the
 *    Istio order, and then no later rule outranks (Gateway API precedence, Istio's ranking of regex paths) an
 *    overlapping match of an earlier rule — checked with an oracle of this file.
 */
import { ApiObject, Chart, Duration, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { faultInjection } from './arbitraries';
import { dnsLabel, duration, externalFqdn, namespaceName, retryPolicy, trafficPolicy, TrafficPolicySpec } from './arbitraries-values';
import { check, harness, Harness, params, RUNS, same, timeoutFor } from './harness';
import { CanaryService } from '../../src/constructs/canary-service';
import { Destination } from '../../src/constructs/destination';
import { RoutingApi } from '../../src/constructs/gateway-api';
import { HostTraffic } from '../../src/constructs/host-traffic';
import { IngressGateway } from '../../src/constructs/ingress-gateway';
import { PortProtocol } from '../../src/constructs/external-dependency';
import { ResilientBackend } from '../../src/constructs/resilient-backend';
import { HttpRouteProps } from '../../src/constructs/route-props';
import { Subset } from '../../src/constructs/refs';
import { IstioValidationError } from '../../src/core/errors';
import { HttpMatch, HttpMethod } from '../../src/policies/match';
import { validateManifest } from '../../src/schema/crd-validator';

/** Each run builds and synthesizes two Apps (Gateway API, and Istio for the weights): a tenth of RUNS keeps the file ~5 s. */
const VALID_RUNS = Math.max(30, Math.floor(RUNS / 10));
const REFUSED_RUNS = Math.max(30, Math.floor(RUNS / 10));
/** The order guard builds no App output: cheap. */
const ORDER_RUNS = Math.max(50, Math.floor(RUNS / 2));

/** Outcomes by property (printed with PROPERTY_STATS=1), and used to check that properties are not vacuous. */
const seen = new Map<string, number>();
const count = (key: string) => seen.set(key, (seen.get(key) ?? 0) + 1);
afterAll(() => {
  if (process.env.PROPERTY_STATS) console.log([...seen].sort().map(([k, n]) => `${k}: ${n}`).join('\n'));
});

/** Why `e` is not an IstioValidationError, or undefined. */
function notValidationError(e: unknown): string | undefined {
  if (e instanceof IstioValidationError) return undefined;
  return `threw ${e instanceof Error ? `${e.constructor.name}: ${e.message}\n${e.stack?.split('\n').slice(1, 6).join('\n')}` : String(e)}`;
}

// ---------------------------------------------------------------------------------------------------------
// Matches: the vocabulary both the intents and the order guard draw from
// ---------------------------------------------------------------------------------------------------------

const PATHS = ['/', '/api', '/api/', '/api/v1', '/api/v1/', '/api/v1/users', '/apix', '/login', '/static/'];
const REGEXES = ['^/api/.*', '/api.*', '/api/v[0-9]+', '.*', '/login', '/static/.*[.]css', '/api/v1/.*'];
const HEADERS = ['x-qa', 'x-user', 'end-user'];
const VALUES = ['a', 'b', 'qa'];

interface Atom { readonly field: string; readonly match: HttpMatch }

const pathAtom: fc.Arbitrary<Atom> = fc.oneof(
  fc.constantFrom(...PATHS).map((p) => ({ field: 'uri', match: HttpMatch.pathPrefix(p) })),
  fc.constantFrom(...PATHS).map((p) => ({ field: 'uri', match: HttpMatch.pathExact(p) })),
  fc.constantFrom(...REGEXES).map((r) => ({ field: 'uri', match: HttpMatch.pathRegex(r) })),
);
const methodAtom: fc.Arbitrary<Atom> = fc.constantFrom(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT)
  .map((m) => ({ field: 'method', match: HttpMatch.method(m) }));
const headerAtom: fc.Arbitrary<Atom> = fc.tuple(fc.constantFrom(...HEADERS), fc.constantFrom(...VALUES), fc.boolean())
  .map(([name, value, regex]) => ({ field: `header:${name}`, match: regex ? HttpMatch.header(name).regex(`${value}.*`) : HttpMatch.header(name).exact(value) }));
const queryAtom: fc.Arbitrary<Atom> = fc.tuple(fc.constantFrom('v', 'debug'), fc.constantFrom('1', '2'))
  .map(([name, value]) => ({ field: `query:${name}`, match: HttpMatch.queryParam(name).exact(value) }));
/** Conditions HTTPRoute has no form for: refused by the translation (PROP), never anything else. */
const untranslatableAtom: fc.Arbitrary<Atom> = fc.oneof(
  fc.constantFrom(...HEADERS).map((name) => ({ field: `header:${name}`, match: HttpMatch.header(name).prefix('q') })),
  fc.constant({ field: 'method', match: HttpMatch.method(HttpMethod.GET, HttpMethod.HEAD) }),
  fc.constant({ field: 'withoutHeaders', match: HttpMatch.withoutHeader('x-block').exact('1') }),
  fc.constant({ field: 'uri', match: HttpMatch.pathPrefix('/api').ignoringUriCase() }),
);

function andAll(atoms: readonly Atom[]): HttpMatch {
  return atoms.slice(1).reduce((acc, a) => acc.and(a.match), atoms[0].match);
}

const translatableAtom = fc.oneof({ weight: 3, arbitrary: pathAtom }, { weight: 1, arbitrary: methodAtom }, { weight: 2, arbitrary: headerAtom }, { weight: 1, arbitrary: queryAtom });
/** A match HTTPRoute can say: 1-3 conditions on distinct fields. */
const translatableMatch: fc.Arbitrary<HttpMatch> = fc.uniqueArray(translatableAtom, { minLength: 1, maxLength: 3, selector: (a) => a.field }).map(andAll);
/** Mostly translatable, sometimes not. */
const anyMatch: fc.Arbitrary<HttpMatch> = fc.uniqueArray(
  fc.oneof({ weight: 12, arbitrary: translatableAtom }, { weight: 1, arbitrary: untranslatableAtom }),
  { minLength: 1, maxLength: 3, selector: (a) => a.field },
).map(andAll);

// ---------------------------------------------------------------------------------------------------------
// The world the intents live in: a chart with the apex Service and, maybe, a Gateway API ingress Gateway
// ---------------------------------------------------------------------------------------------------------

type GatewayMode = 'none' | 'ref' | 'bind' | 'only';

interface WorldSpec {
  readonly chartNamespace?: string;
  readonly namespace?: string;
  readonly service: string;
  readonly ports: number[];
  /** `service`: the construct is given the apex Service; `short` / `fqdn`: a host string (the Service is in the chart too). */
  readonly hostForm: 'service' | 'short' | 'fqdn';
  /** Whether the `port` prop is set (always when the Service has two ports). */
  readonly givePort: boolean;
  readonly gateway: GatewayMode;
  /** The listener host: a plain host admits routes of every namespace. */
  readonly listenerHost: string;
  readonly extraHosts?: string[];
}

const worldSpec: fc.Arbitrary<WorldSpec> = fc.record({
  chartNamespace: fc.option(namespaceName, { nil: undefined }),
  namespace: fc.option(namespaceName, { nil: undefined }),
  service: fc.oneof(fc.constantFrom('reviews', 'ratings', 'orders'), dnsLabel(6)),
  ports: fc.oneof(fc.constant([9080]), fc.constant([80, 9080]), fc.integer({ min: 1, max: 65535 }).map((p) => [p])).map((ps) => [...ps]),
  hostForm: fc.constantFrom<'service' | 'short' | 'fqdn'>('service', 'short', 'fqdn'),
  givePort: fc.boolean(),
  gateway: fc.constantFrom<GatewayMode>('none', 'none', 'ref', 'bind', 'only'),
  listenerHost: fc.constantFrom('shop.example.com', '*.example.com', '*'),
  extraHosts: fc.option(fc.constantFrom<string[]>(['shop.example.com'], ['shop.example.com', 'api.example.com']), { nil: undefined }),
}).map((w) => ({ ...w, givePort: w.givePort || w.ports.length > 1 }));

const GATEWAY_NS = 'istio-ingress';

interface World {
  readonly h: Harness;
  readonly chart: Chart;
  readonly apex: ApiObject;
  readonly gateway?: IngressGateway;
  /** Namespace the construct's objects land in. */
  readonly ns: string;
  /** The construct's host and binding props. */
  readonly hostProps: Record<string, unknown>;
  /** Binds the Gateway when the mode says so (after construction). */
  readonly bind: (c: HostTraffic) => void;
}

function objectNs(w: WorldSpec): string {
  return w.namespace ?? w.chartNamespace ?? 'default';
}

function buildWorld(w: WorldSpec, api: RoutingApi): World {
  const h = harness(w.chartNamespace);
  const ns = objectNs(w);
  const apex = new ApiObject(h.chart, 'apex', {
    apiVersion: 'v1', kind: 'Service', metadata: { name: w.service, namespace: ns },
    spec: { selector: { app: w.service }, ports: w.ports.map((port, i) => ({ name: `http-${i}`, port, targetPort: port })) },
  });
  const gateway = w.gateway === 'none' ? undefined : new IngressGateway(h.chart, 'public', {
    routingApi: api, namespace: GATEWAY_NS,
    servers: [{ port: 80, protocol: PortProtocol.HTTP, hosts: [w.listenerHost] }],
  });
  const host = w.hostForm === 'service' ? { service: apex } : { host: w.hostForm === 'short' ? w.service : `${w.service}.${ns}.svc.cluster.local` };
  const onlyGateway = w.gateway === 'only';
  const hosts = onlyGateway ? (w.extraHosts ?? ['shop.example.com']) : w.extraHosts;
  const hostProps: Record<string, unknown> = {
    ...host, routingApi: api,
    ...(w.namespace ? { namespace: w.namespace } : {}),
    ...(w.givePort ? { port: w.ports[w.ports.length - 1] } : {}),
    ...(w.gateway === 'ref' ? { gateways: ['mesh', gateway!.ref] } : onlyGateway ? { gateways: [gateway!.ref] } : {}),
    ...(hosts ? { hosts } : {}),
  };
  return { h, chart: h.chart, apex, gateway, ns, hostProps, bind: (c) => { if (w.gateway === 'bind') c.bindGateway(gateway!); } };
}

// ---------------------------------------------------------------------------------------------------------
// Intents
// ---------------------------------------------------------------------------------------------------------

/** `k` non-negative integers summing to 100. */
const weights = (k: number): fc.Arbitrary<number[]> =>
  fc.array(fc.integer({ min: 0, max: 100 }), { minLength: k - 1, maxLength: k - 1 }).map((cuts) => {
    const points = [0, ...[...cuts].sort((a, b) => a - b), 100];
    return points.slice(1).map((p, i) => p - points[i]);
  });

const percent = fc.oneof(fc.integer({ min: 0, max: 100 }), fc.constantFrom(0.5, 12.5, 99.99));

interface CanaryIntent {
  readonly kind: 'canary';
  readonly names?: [string, string];
  readonly common: Record<string, string>;
  readonly canaryWeight?: number;
  readonly testMatches?: HttpMatch[];
  readonly mirrorPercentage?: number;
  readonly timeout?: Duration;
  readonly testTimeout?: Duration;
  readonly policy: TrafficPolicySpec;
}

const canaryIntent: fc.Arbitrary<CanaryIntent> = fc.record({
  kind: fc.constant('canary' as const),
  names: fc.option(fc.uniqueArray(dnsLabel(6), { minLength: 2, maxLength: 2 }).map((n) => [n[0], n[1]] as [string, string]), { nil: undefined }),
  common: fc.constantFrom<Record<string, string>>({}, { tier: 'web' }),
  canaryWeight: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
  testMatches: fc.option(fc.array(anyMatch, { minLength: 1, maxLength: 3 }), { nil: undefined }),
  mirrorPercentage: fc.option(percent, { nil: undefined }),
  timeout: fc.option(duration(30_000), { nil: undefined }),
  testTimeout: fc.option(duration(30_000), { nil: undefined }),
  policy: fc.oneof({ weight: 3, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: trafficPolicy(false) }),
});

interface DestSpec { readonly to: 'subset' | 'host'; readonly subset?: string; readonly weight?: number }

interface RouteSpec {
  readonly matches?: HttpMatch[];
  readonly action: 'route' | 'default' | 'redirect';
  readonly destinations: DestSpec[];
  readonly timeout?: Duration;
  readonly mirror?: { readonly to: 'subset' | 'host'; readonly subset?: string; readonly percentage?: number };
  readonly headers?: { readonly request?: Record<string, unknown>; readonly response?: Record<string, unknown> };
  readonly redirect?: { readonly uri?: string; readonly authority?: string; readonly redirectCode?: number };
  readonly rewrite?: { readonly uri?: string; readonly authority?: string };
}

interface HostIntent {
  readonly kind: 'host';
  readonly subsets: string[];
  readonly subsetsInProps: number;
  readonly routes: RouteSpec[];
  readonly routesInProps: number;
  readonly policy: TrafficPolicySpec;
}

function destinations(subsets: readonly string[]): fc.Arbitrary<DestSpec[]> {
  const one: fc.Arbitrary<DestSpec> = subsets.length > 0
    ? fc.oneof(fc.constantFrom(...subsets).map((s): DestSpec => ({ to: 'subset', subset: s })), fc.constant<DestSpec>({ to: 'host' }))
    : fc.constant<DestSpec>({ to: 'host' });
  return fc.integer({ min: 1, max: 3 }).chain((k) => fc.tuple(fc.array(one, { minLength: k, maxLength: k }), weights(k), fc.boolean()).map(([ds, ws, unweighted]) =>
    ds.map((d, i) => (k === 1 && unweighted ? d : { ...d, weight: ws[i] }))));
}

const headerOps = fc.record({
  request: fc.option(fc.record({ set: fc.constant({ 'x-routed-by': 'gateway-api' }), remove: fc.constant(['x-debug']) }, { requiredKeys: [] }), { nil: undefined }),
  response: fc.option(fc.record({ add: fc.constant({ 'x-served': 'yes' }) }, { requiredKeys: [] }), { nil: undefined }),
}, { requiredKeys: [] }).filter((o) => Object.values(o).some((v) => v !== undefined && Object.keys(v).length > 0))
  .map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && Object.keys(v).length > 0)));

function routeSpec(subsets: readonly string[], matched: boolean): fc.Arbitrary<RouteSpec> {
  return fc.record({
    matches: matched ? fc.array(anyMatch, { minLength: 1, maxLength: 2 }) : fc.constant(undefined),
    action: fc.constantFrom<'route' | 'default' | 'redirect'>('route', 'route', 'default', ...(matched ? ['redirect' as const] : [])),
    destinations: destinations(subsets),
    timeout: fc.option(duration(30_000), { nil: undefined }),
    mirror: fc.option(fc.record({
      to: fc.constantFrom<'subset' | 'host'>(...(subsets.length > 0 ? ['subset' as const, 'host' as const] : ['host' as const])),
      subset: subsets.length > 0 ? fc.constantFrom(...subsets) : fc.constant(undefined),
      percentage: fc.option(percent, { nil: undefined }),
    }), { nil: undefined }),
    headers: fc.option(headerOps, { nil: undefined }),
    redirect: fc.record({ uri: fc.option(fc.constantFrom('/new', '/v2/home'), { nil: undefined }), authority: fc.option(fc.constant('new.example.com'), { nil: undefined }), redirectCode: fc.option(fc.constantFrom(301, 302, 308), { nil: undefined }) }),
    rewrite: fc.option(fc.record({ uri: fc.option(fc.constantFrom('/', '/v2/'), { nil: undefined }), authority: fc.option(fc.constant('internal.example.com'), { nil: undefined }) }), { nil: undefined }),
  }).map((r): RouteSpec => {
    // A redirect answers: no destinations, mirror, timeout or rewrite with it.
    if (r.action === 'redirect') return { matches: r.matches, action: 'redirect', destinations: [], headers: r.headers, redirect: r.redirect };
    return { ...r, redirect: undefined };
  });
}

const hostIntent: fc.Arbitrary<HostIntent> = fc.uniqueArray(dnsLabel(6), { maxLength: 3 }).chain((subsets) => fc.record({
  kind: fc.constant('host' as const),
  subsets: fc.constant(subsets),
  subsetsInProps: fc.nat(subsets.length),
  matched: fc.array(routeSpec(subsets, true), { maxLength: 3 }),
  catchAll: fc.option(routeSpec(subsets, false), { freq: 4, nil: undefined }),
  routesInProps: fc.nat(4),
  policy: fc.oneof({ weight: 3, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: trafficPolicy(false) }),
})).map(({ matched, catchAll, ...r }) => ({ ...r, routes: [...matched, ...(catchAll ? [catchAll] : [])] }));

interface BackendIntent {
  readonly kind: 'backend';
  readonly timeout?: Duration;
  readonly routeName?: string;
  readonly subsets: string[];
  readonly subset?: string;
  readonly policy: TrafficPolicySpec;
}

const backendIntent: fc.Arbitrary<BackendIntent> = fc.uniqueArray(dnsLabel(6), { maxLength: 2 }).chain((subsets) => fc.record({
  kind: fc.constant('backend' as const),
  timeout: fc.option(duration(30_000), { nil: undefined }),
  routeName: fc.option(fc.constantFrom('default', 'main', 'normal'), { nil: undefined }),
  subsets: fc.constant(subsets),
  subset: subsets.length > 0 ? fc.option(fc.constantFrom(...subsets), { nil: undefined }) : fc.constant(undefined),
  policy: fc.oneof({ weight: 3, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: trafficPolicy(false) }),
}));

type Intent = CanaryIntent | HostIntent | BackendIntent;
const intent: fc.Arbitrary<Intent> = fc.oneof(canaryIntent, hostIntent, backendIntent);

function httpRouteProps(r: RouteSpec, w: World, name: string): HttpRouteProps {
  const host = String((w.hostProps.host as string | undefined) ?? `${(w.apex.metadata.name)}.${w.ns}.svc.cluster.local`);
  const dest = (d: DestSpec) => {
    const o = d.weight !== undefined ? { weight: d.weight } : {};
    return d.to === 'subset' ? Destination.subset(d.subset!, o) : Destination.host(host, o);
  };
  return {
    name,
    ...(r.matches ? { match: r.matches } : {}),
    ...(r.action === 'route' ? { route: r.destinations.map(dest) } : {}),
    ...(r.redirect ? { redirect: Object.fromEntries(Object.entries(r.redirect).filter(([, v]) => v !== undefined)) } : {}),
    ...(r.timeout ? { timeout: r.timeout } : {}),
    ...(r.mirror ? { mirror: r.mirror.to === 'subset' ? Destination.subset(r.mirror.subset!) : Destination.host(host), ...(r.mirror.percentage !== undefined ? { mirrorPercentage: r.mirror.percentage } : {}) } : {}),
    ...(r.headers ? { headers: r.headers as any } : {}),
    ...(r.rewrite && (r.rewrite.uri || r.rewrite.authority) ? { rewrite: Object.fromEntries(Object.entries(r.rewrite).filter(([, v]) => v !== undefined)) } : {}),
  };
}

/** Builds the intent in the world; returns the construct. Throws what the construct throws. */
function buildIntent(i: Intent, w: World): HostTraffic {
  const base = { ...w.hostProps, ...i.policy };
  let c: HostTraffic;
  if (i.kind === 'canary') {
    c = new CanaryService(w.chart, 'intent', {
      ...base,
      stable: Subset.fromLabels({ ...i.common, version: 'v1' }), canary: Subset.fromLabels({ ...i.common, version: 'v2' }),
      ...(i.names ? { stableSubsetName: i.names[0], canarySubsetName: i.names[1] } : {}),
      ...(i.canaryWeight !== undefined ? { canaryWeight: i.canaryWeight } : {}),
      ...(i.testMatches ? { testMatches: i.testMatches } : {}),
      ...(i.mirrorPercentage !== undefined ? { mirrorPercentage: i.mirrorPercentage } : {}),
      ...(i.timeout ? { timeout: i.timeout } : {}),
      ...(i.testTimeout ? { testTimeout: i.testTimeout } : {}),
    } as any);
  } else if (i.kind === 'backend') {
    c = new ResilientBackend(w.chart, 'intent', {
      ...base,
      ...(i.timeout ? { timeout: i.timeout } : {}),
      ...(i.routeName ? { routeName: i.routeName } : {}),
      ...(i.subsets.length > 0 ? { subsets: i.subsets.map((s) => ({ name: s, pods: Subset.fromLabels({ version: s }) })) } : {}),
      ...(i.subset ? { subset: i.subset } : {}),
    } as any);
  } else {
    const subsets = i.subsets.map((s) => ({ name: s, pods: Subset.fromLabels({ version: s }) }));
    const routes = i.routes.map((r, k) => httpRouteProps(r, w, `r${k}`));
    c = new HostTraffic(w.chart, 'intent', {
      ...base,
      ...(i.subsetsInProps > 0 ? { subsets: subsets.slice(0, i.subsetsInProps) } : {}),
      ...(Math.min(i.routesInProps, routes.length) > 0 ? { httpRoutes: routes.slice(0, i.routesInProps) } : {}),
    } as any);
    for (const s of subsets.slice(i.subsetsInProps)) c.addSubset(s);
    for (const r of routes.slice(i.routesInProps)) c.addHttpRoute(r);
  }
  w.bind(c);
  return c;
}

/** `namespace/name` of every Service the chart emits. */
function servicesOf(manifests: readonly any[], chartNs: string | undefined): Set<string> {
  return new Set(manifests.filter((m) => m.apiVersion === 'v1' && m.kind === 'Service').map((m) => `${m.metadata.namespace ?? chartNs ?? 'default'}/${m.metadata.name}`));
}

/** Every backendRef of an HTTPRoute (rule backends and RequestMirror backends), with where it is. */
function backendRefsOf(route: any): Array<{ at: string; ref: any }> {
  return (route.spec.rules ?? []).flatMap((r: any, i: number) => [
    ...(r.backendRefs ?? []).map((ref: any, j: number) => ({ at: `rules[${i}].backendRefs[${j}]`, ref })),
    ...(r.filters ?? []).filter((f: any) => f.type === 'RequestMirror').map((f: any, j: number) => ({ at: `rules[${i}].filters(mirror ${j})`, ref: f.requestMirror.backendRef })),
  ]);
}

describe(`RoutingApi.GATEWAY_API: valid intent gives valid objects (${VALID_RUNS} runs)`, () => {
  test('construct or IstioValidationError; synth or IstioValidationError; CRD-valid objects, backendRefs to Services of the chart, the Istio form\'s weights', async () => {
    await fc.assert(fc.asyncProperty(worldSpec, intent, async (ws, i) => {
      const w = buildWorld(ws, RoutingApi.GATEWAY_API);
      let c: HostTraffic;
      try {
        c = buildIntent(i, w);
      } catch (e) {
        const problem = notValidationError(e);
        if (problem) throw new Error(`construction: ${problem}`);
        count(`valid: refused at construction (${(e as IstioValidationError).code})`);
        return;
      }
      let manifests: any[];
      try {
        manifests = Testing.synth(w.chart);
      } catch (e) {
        const problem = notValidationError(e);
        if (problem) throw new Error(`synth: ${problem}`);
        // A schema finding at synth is an object the translation emitted that the CRDs refuse: never acceptable.
        check((e as IstioValidationError).code !== 'SCHEMA', `synth found emitted objects the CRDs refuse: ${(e as Error).message}`);
        count(`valid: refused at synth (${(e as IstioValidationError).code})`);
        return;
      }
      count('valid: synthesized');
      for (const m of manifests) {
        if (m.apiVersion === 'v1') continue;
        same(validateManifest(m), [], `schema issues of ${m.kind}/${m.metadata?.name}`);
      }
      check(!manifests.some((m) => m.kind === 'VirtualService'), 'no VirtualService under the Gateway API');
      const routes = manifests.filter((m) => m.kind === 'HTTPRoute');
      const services = servicesOf(manifests, ws.chartNamespace);
      for (const route of routes) {
        const routeNs = route.metadata.namespace ?? ws.chartNamespace ?? 'default';
        for (const { at, ref } of backendRefsOf(route)) {
          const key = `${ref.namespace ?? routeNs}/${ref.name}`;
          check(services.has(key) || ref.name === ws.service, `${at} names Service ${key}, which the chart does not emit (emitted: ${[...services].join(', ')})`);
          check(typeof ref.port === 'number', `${at} has no port`);
        }
      }

      // The Istio form of the same props: same routes, same weights, same order.
      const twin = buildWorld(ws, RoutingApi.ISTIO);
      let istio: HostTraffic;
      try {
        istio = buildIntent(i, twin);
      } catch (e) {
        throw new Error(`the Gateway API form constructs, the Istio form of the same props does not: ${(e as Error).message}`);
      }
      const vs = istio.virtualService?.toJson();
      const http: any[] = vs?.spec.http ?? [];
      const rules: any[] = routes[0]?.spec.rules ?? [];
      same(routes.length, c.httpRoute ? 1 : 0, 'one HTTPRoute exactly when the construct has one');
      same(rules.map((r) => r.name), http.map((r) => r.name), 'rule names in the Istio order');
      same(
        rules.map((r) => (r.backendRefs ?? []).map((b: any) => b.weight)),
        http.map((r) => (r.route ?? []).map((d: any) => d.weight)),
        'backendRef weights equal the VirtualService route weights',
      );
    }), params(VALID_RUNS));
    check((seen.get('valid: synthesized') ?? 0) >= VALID_RUNS / 4, `too few valid intents synthesized: ${JSON.stringify([...seen])}`);
  }, timeoutFor(60, VALID_RUNS));
});

// ---------------------------------------------------------------------------------------------------------
// 2. What HTTPRoute cannot say
// ---------------------------------------------------------------------------------------------------------

interface Refusal { readonly label: string; readonly build: (w: World) => unknown }

const refusal: fc.Arbitrary<Refusal> = fc.oneof(
  retryPolicy.map((r) => ({ label: `CanaryService retries ${JSON.stringify(r._render())}`, build: (w: World) => new CanaryService(w.chart, 'refused', { ...w.hostProps, stable: Subset.fromLabels({ version: 'v1' }), canary: Subset.fromLabels({ version: 'v2' }), retries: r } as any) })),
  fc.tuple(retryPolicy, translatableMatch).map(([r, m]) => ({ label: 'CanaryService testRetries', build: (w: World) => new CanaryService(w.chart, 'refused', { ...w.hostProps, stable: Subset.fromLabels({ version: 'v1' }), canary: Subset.fromLabels({ version: 'v2' }), testMatches: [m], testRetries: r } as any) })),
  retryPolicy.map((r) => ({ label: 'ResilientBackend retries', build: (w: World) => new ResilientBackend(w.chart, 'refused', { ...w.hostProps, retries: r, timeout: Duration.seconds(120) } as any) })),
  fc.tuple(retryPolicy, fc.option(translatableMatch, { nil: undefined })).map(([r, m]) => ({ label: 'HostTraffic route retries', build: (w: World) => new HostTraffic(w.chart, 'refused', { ...w.hostProps, httpRoutes: [{ name: 'writes', ...(m ? { match: [m] } : {}), retries: r }, ...(m ? [{}] : [])] } as any) })),
  faultInjection.map((f) => ({ label: 'ResilientBackend faultInjection', build: (w: World) => new ResilientBackend(w.chart, 'refused', { ...w.hostProps, faultInjection: f } as any) })),
  faultInjection.map(({ match, ...fault }) => ({ label: 'HostTraffic route fault', build: (w: World) => new HostTraffic(w.chart, 'refused', { ...w.hostProps, httpRoutes: [{ match: [match], fault }, {}] } as any) })),
  fc.tuple(fc.constantFrom<Record<string, string>>({ app: 'productpage' }, { app: 'web', version: 'v1' }), fc.option(headerAtom, { nil: undefined })).map(([labels, a]) => {
    const m = a ? HttpMatch.sourceLabels(labels).and(a.match) : HttpMatch.sourceLabels(labels);
    return { label: 'CanaryService testMatches sourceLabels', build: (w: World) => new CanaryService(w.chart, 'refused', { ...w.hostProps, stable: Subset.fromLabels({ version: 'v1' }), canary: Subset.fromLabels({ version: 'v2' }), testMatches: [m] } as any) };
  }),
  fc.constantFrom<Record<string, string>>({ app: 'productpage' }, { team: 'a' }).map((labels) => ({ label: 'HostTraffic match sourceLabels', build: (w: World) => new HostTraffic(w.chart, 'refused', { ...w.hostProps, httpRoutes: [{ match: [HttpMatch.sourceLabels(labels)] }, {}] } as any) })),
  fc.tuple(externalFqdn, fc.constantFrom('host', 'canary', 'backend')).map(([ext, kind]) => ({
    label: `external host ${ext} (${kind})`,
    build: (w: World) => {
      const { service: _s, host: _h, gateways: _g, hosts: _x, ...rest } = w.hostProps;
      const props = { ...rest, host: ext, port: 443 };
      if (kind === 'canary') return new CanaryService(w.chart, 'refused', { ...props, stable: Subset.fromLabels({ version: 'v1' }), canary: Subset.fromLabels({ version: 'v2' }) } as any);
      if (kind === 'backend') return new ResilientBackend(w.chart, 'refused', { ...props, timeout: Duration.seconds(1) } as any);
      return new HostTraffic(w.chart, 'refused', { ...props, httpRoutes: [{}] } as any);
    },
  })),
  fc.tuple(externalFqdn, fc.boolean()).map(([ext, mirror]) => ({
    label: `route ${mirror ? 'mirrored' : 'sent'} to external host ${ext}`,
    build: (w: World) => new HostTraffic(w.chart, 'refused', {
      ...w.hostProps, httpRoutes: [mirror ? { mirror: Destination.host(ext, { port: 443 }) } : { route: [Destination.host(ext, { port: 443 })] }],
    } as any),
  })),
);

describe(`RoutingApi.GATEWAY_API: refused intent is PROP naming RoutingApi.ISTIO (${REFUSED_RUNS} runs)`, () => {
  test('retries (even none), faults, sourceLabels, external hosts: IstioValidationError PROP, the construct withdrawn', async () => {
    // The world itself is valid: the port of the version Services and backendRefs is known.
    await fc.assert(fc.asyncProperty(worldSpec.map((ws) => ({ ...ws, givePort: true })), refusal, async (ws, r) => {
      const w = buildWorld(ws, RoutingApi.GATEWAY_API);
      const before = JSON.stringify(Testing.synth(w.chart));
      let thrown: unknown;
      try {
        r.build(w);
      } catch (e) {
        thrown = e;
      }
      check(thrown !== undefined, `${r.label}: accepted under the Gateway API`);
      const problem = notValidationError(thrown);
      if (problem) throw new Error(`${r.label}: ${problem}`);
      const e = thrown as IstioValidationError;
      same(e.code, 'PROP', `${r.label}: code (${e.message})`);
      check(e.message.includes('RoutingApi.ISTIO'), `${r.label}: the message does not name RoutingApi.ISTIO: ${e.message}`);
      check(w.chart.node.tryFindChild('refused') === undefined, `${r.label}: the refused construct is still in the chart`);
      let after: string;
      try {
        after = JSON.stringify(Testing.synth(w.chart));
      } catch (again) {
        throw new Error(`${r.label}: the chart no longer synthesizes after the refusal: ${(again as Error).message}`);
      }
      same(after, before, `${r.label}: the refused construct left objects behind`);
      count(`refused: ${r.label.split(' ').slice(0, 2).join(' ')}`);
    }), params(REFUSED_RUNS));
  }, timeoutFor(30, REFUSED_RUNS));
});

// ---------------------------------------------------------------------------------------------------------
// 3. The order guard, against an oracle of Gateway API precedence
// ---------------------------------------------------------------------------------------------------------

type PathMatch = { type: 'Exact' | 'PathPrefix' | 'RegularExpression'; value: string };

/** Gateway API path semantics: PathPrefix is element-wise, a trailing "/" ignored; regexes match the whole path (RE2 ⊇ these). */
function pathMatches(p: PathMatch, path: string): boolean {
  if (p.type === 'Exact') return path === p.value;
  if (p.type === 'RegularExpression') return new RegExp(`^(?:${p.value})$`).test(path);
  const prefix = p.value === '/' ? '' : p.value.replace(/\/$/, '');
  return prefix === '' || path === prefix || path.startsWith(`${prefix}/`);
}

/** Request paths that witness an overlap: every path of the vocabulary, and some deeper ones. */
const WITNESS_PATHS = [...new Set([...PATHS, ...PATHS.map((p) => `${p.replace(/\/$/, '')}/x`), '/apix/y', '/login/', '/static/site.css', '/api/v2', '/other'])];

/** Whether one request can satisfy both matches (paths by witness, and no contradicting method, header or query). */
function overlap(a: any, b: any): boolean {
  const pa: PathMatch = a.path ?? { type: 'PathPrefix', value: '/' };
  const pb: PathMatch = b.path ?? { type: 'PathPrefix', value: '/' };
  const paths = [...WITNESS_PATHS, ...[pa, pb].filter((p) => p.type !== 'RegularExpression').map((p) => p.value)];
  if (!paths.some((p) => pathMatches(pa, p) && pathMatches(pb, p))) return false;
  if (a.method && b.method && a.method !== b.method) return false;
  for (const field of ['headers', 'queryParams']) {
    for (const x of a[field] ?? []) {
      for (const y of b[field] ?? []) {
        if (x.name !== y.name) continue;
        const [ex, ey] = [x, y].map((m) => (m.type === 'Exact' ? m.value : undefined));
        if (ex !== undefined && ey !== undefined && ex !== ey) return false;
        if (ex !== undefined && y.type === 'RegularExpression' && !new RegExp(`^(?:${y.value})$`).test(ex)) return false;
        if (ey !== undefined && x.type === 'RegularExpression' && !new RegExp(`^(?:${x.value})$`).test(ey)) return false;
      }
    }
  }
  return true;
}

/**
 * Gateway API precedence of a match as Istio implements it (pilot's sortHTTPRoutes): path type (Exact > PathPrefix >
 * RegularExpression, the last implementation-specific in the spec), then the length of the path value, then a method,
 * then the number of header matches, then the number of query parameter matches. A match without a path is
 * PathPrefix "/" (the CRD default).
 */
function rank(m: any): number[] {
  const p: PathMatch = m.path ?? { type: 'PathPrefix', value: '/' };
  return [p.type === 'Exact' ? 3 : p.type === 'PathPrefix' ? 2 : 1, p.value.length, m.method ? 1 : 0, (m.headers ?? []).length, (m.queryParams ?? []).length];
}

function outranks(a: any, b: any): boolean {
  const ra = rank(a);
  const rb = rank(b);
  for (let k = 0; k < ra.length; k++) if (ra[k] !== rb[k]) return ra[k] > rb[k];
  return false;
}

/** The first (earlier, later) pair of rules whose order the Gateway API would reverse, with the matches. */
function reversal(rules: readonly any[]): string | undefined {
  const matches = rules.map((r) => r.matches ?? [{}]);
  for (let j = 1; j < rules.length; j++) {
    for (let i = 0; i < j; i++) {
      for (const mj of matches[j]) {
        for (const mi of matches[i]) {
          if (overlap(mi, mj) && outranks(mj, mi)) return `rule ${j} (${rules[j].name}) ${JSON.stringify(mj)} outranks the overlapping ${JSON.stringify(mi)} of rule ${i} (${rules[i].name})`;
        }
      }
    }
  }
  return undefined;
}

const orderCase = fc.record({
  routes: fc.array(fc.array(translatableMatch, { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 6 }),
  catchAllFirst: fc.boolean(),
});

describe(`RoutingApi.GATEWAY_API: the order guard (${ORDER_RUNS} runs)`, () => {
  test('addHttpRoute is refused ("matches more specifically") or keeps the Istio order, and then no later rule outranks an overlapping earlier match', async () => {
    await fc.assert(fc.asyncProperty(orderCase, async ({ routes, catchAllFirst }) => {
      const props = (api: RoutingApi) => ({ routingApi: api, host: 'reviews', port: 9080, ...(catchAllFirst ? { httpRoutes: [{ name: 'catch-all' }] } : {}) });
      const h = harness('bookinfo');
      const gw = new HostTraffic(h.chart, 'gw', props(RoutingApi.GATEWAY_API));
      const istio = new HostTraffic(h.chart, 'istio', props(RoutingApi.ISTIO));
      routes.forEach((match, k) => {
        const route: HttpRouteProps = { name: `r${k}`, match };
        try {
          gw.addHttpRoute(route);
        } catch (e) {
          const problem = notValidationError(e);
          if (problem) throw new Error(`addHttpRoute r${k}: ${problem}`);
          check((e as Error).message.includes('matches more specifically'), `addHttpRoute r${k} refused for another reason: ${(e as Error).message}`);
          count('order: refused');
          return;
        }
        count('order: added');
        istio.addHttpRoute(route);
      });
      const rules: any[] = gw.httpRoute?.toJson().spec.rules ?? [];
      const http: any[] = istio.virtualService?.toJson().spec.http ?? [];
      same(rules.map((r) => r.name), http.map((r) => r.name), 'HTTPRoute rules in the order of the Istio form');
      const reversed = reversal(rules);
      if (reversed) throw new Error(`the guard let through an order the Gateway API reverses: ${reversed}`);
    }), params(ORDER_RUNS));
    check((seen.get('order: refused') ?? 0) > 0 && (seen.get('order: added') ?? 0) > 0, 'the guard both refuses and accepts');
  }, timeoutFor(10, ORDER_RUNS));
});
