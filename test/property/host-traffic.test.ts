/**
 * HostTraffic, the general construct: random VALID configurations (any subsets, ordered HTTP routes ending in one
 * catch-all, weighted splits, timeouts and retries, test-scoped faults, TCP routes, mesh/gateway bindings, parts
 * added after construction) synthesize, pass the CRD schema and CEL, say exactly what was declared, and are
 * deterministic; BAD input (wrong types through `as any`, out-of-range weights, empty lists, two actions,
 * non-Destination values, ...) always ends in an IstioValidationError with a code and a path, thrown when the
 * props or the addition are given (leaving nothing behind) or at synth, never in a TypeError or a manifest.
 */
import { Duration } from 'cdk8s';
import * as fc from 'fast-check';
import {
  buildHostTraffic, HostTrafficSpec, hostTrafficSpec, hostTrafficWarnings, inventoryFor, planOf, objectNamespace, hostOf,
} from './host-traffic-arbitraries';
import {
  check, expectDeterministic, harness, Harness, ISTIO, params, RUNS, same, schemaIssues, synthIstio, timeoutFor, undefinedSubsets, warningMismatch, yamlSample,
} from './harness';
import { Destination } from '../../src/constructs/destination';
import { HostTraffic, HostTrafficProps } from '../../src/constructs/host-traffic';
import { HttpRouteProps } from '../../src/constructs/route-props';
import { Subset } from '../../src/constructs/refs';
import { IstioValidationError } from '../../src/core/errors';
import { fqdn } from '../../src/core/hosts';
import { META_CODES } from '../../src/engine/docs';
import { Inventory } from '../../src/engine/types';
import { HttpMatch, HttpMethod } from '../../src/policies/match';
import { RetryPolicy } from '../../src/policies/retry';
import { RULES } from '../../src/rules';

/** Every code an error may carry: the catalogue rules and the documented meta codes. */
const KNOWN_CODES = new Set([...RULES.map((r) => r.code), ...META_CODES.map((m) => m.code)]);

/** A HostTraffic synthesizes a little more than the intent constructs per run; a fifth of RUNS keeps the file ~5 s. */
const VALID_RUNS = Math.max(50, Math.floor(RUNS / 5));
const BAD_RUNS = Math.max(50, Math.floor(RUNS / 5));

function harnessFor(spec: HostTrafficSpec, inventory: Inventory | undefined = inventoryFor(spec)): Harness {
  return harness(spec.chartNamespace, inventory);
}

function build(spec: HostTrafficSpec) {
  const h = harnessFor(spec);
  const construct = buildHostTraffic(spec, h.chart);
  return { h, construct };
}

/** What a destination spec renders to. */
function expectedDestination(d: { subset?: string; weight?: number }, host: string, port: number | undefined) {
  return {
    destination: { host, ...(d.subset !== undefined ? { subset: d.subset } : {}), ...(port !== undefined ? { port: { number: port } } : {}) },
    ...(d.weight !== undefined ? { weight: d.weight } : {}),
  };
}

describe(`HostTraffic: valid configurations (${VALID_RUNS} runs)`, () => {
  test('synthesize, pass the CRD schema and our rules, define every routed subset, keep weights and order as declared, deterministically', async () => {
    await fc.assert(fc.asyncProperty(hostTrafficSpec, yamlSample, async (spec, compareYaml) => {
      const { h, construct } = build(spec);
      const manifests = synthIstio(h); // our rules: synth throws on any error-level violation

      same(schemaIssues(manifests), [], 'CRD schema issues');
      const mismatch = warningMismatch(h.warnings, hostTrafficWarnings(spec));
      if (mismatch) throw new Error(mismatch);

      const istio = manifests.filter(ISTIO);
      const wantDr = spec.subsets.length > 0 || Object.keys(spec.policy).length > 0;
      const wantVs = spec.http.length > 0 || spec.tcp.length > 0;
      same(istio.map((m) => m.kind), [...(wantDr ? ['DestinationRule'] : []), ...(wantVs ? ['VirtualService'] : [])], 'kinds in apply order');
      same(construct.subsetNames, spec.subsets.map((s) => s.name), 'subsetNames');
      const dr = istio.find((m) => m.kind === 'DestinationRule');
      const vs = istio.find((m) => m.kind === 'VirtualService');
      check((construct.destinationRule !== undefined) === wantDr && (construct.virtualService !== undefined) === wantVs, 'escape hatches exactly for the emitted objects');

      // Subsets: as declared, in order (props first, then addSubset), every routed one defined.
      if (dr) {
        same(dr.spec.host, construct.host, 'DestinationRule host');
        same(dr.spec.subsets ?? [], spec.subsets.map((s) => ({ name: s.name, labels: s.labels })), 'subsets');
      }
      same(undefinedSubsets(istio, fqdn), [], 'referenced subsets that no DestinationRule defines');
      if (!vs) return;
      for (const o of istio) same(o.metadata.namespace, objectNamespace(spec), `${o.kind} namespace`);

      // HTTP routes: in declared order whatever was added later, the catch-all last, weights exactly as declared.
      const http: any[] = vs.spec.http ?? [];
      same(http.length, spec.http.length, 'number of HTTP routes');
      http.forEach((r, i) => {
        const want = spec.http[i];
        same(r.name, want.name, `http[${i}].name`);
        same(r.match, want.matches?.map((m) => m._render()), `http[${i}].match`);
        const dests = want.destinations ?? [{}];
        same(r.route, dests.map((d) => expectedDestination(d, construct.host, spec.port)), `http[${i}].route (weights as declared)`);
        same(r.fault !== undefined, want.fault !== undefined, `http[${i}] fault`);
        if (r.fault) check(r.match.every((m: any) => Object.keys(m.headers ?? {}).length > 0), `http[${i}]: a fault only on header-matched traffic`);
        same(r.timeout !== undefined, want.resilience.timeout !== undefined, `http[${i}] timeout`);
        same(r.retries !== undefined, want.resilience.retries !== undefined, `http[${i}] retries`);
      });
      if (http.length > 0) {
        check(http[http.length - 1].match === undefined, 'the catch-all route is last');
        check(http.slice(0, -1).every((r) => r.match !== undefined && r.match.length > 0), 'exactly one catch-all');
        const weighted = http.flatMap((r) => (r.route.length > 1 ? [r.route.reduce((a: number, d: any) => a + d.weight, 0)] : []));
        check(weighted.every((w) => w === 100), `weights of every split sum to 100: ${weighted}`);
      }
      // TCP routes: ports and weights as declared.
      same(vs.spec.tcp, spec.tcp.length > 0 ? spec.tcp.map((t) => ({
        ...(t.port !== undefined ? { match: [{ port: t.port }] } : {}),
        route: t.destinations.map((d) => expectedDestination(d, construct.host, spec.port)),
      })) : undefined, 'TCP routes');
      // Bindings: the service host first, then the extra hosts; gateways as given.
      same(vs.spec.hosts, [construct.host, ...(spec.extraHosts ?? [])], 'VirtualService hosts');
      same(vs.spec.gateways, spec.gateways, 'gateways');

      expectDeterministic(h, manifests, build(spec).h, compareYaml);
    }), params(VALID_RUNS));
  }, timeoutFor(25, VALID_RUNS));
});

// ---------------------------------------------------------------------------------------------------------
// Bad input
// ---------------------------------------------------------------------------------------------------------

/** Values of the wrong type for any field (through `as any`). */
const junk: fc.Arbitrary<unknown> = fc.constantFrom<unknown>(
  null, 5, -1, 0, 1.5, NaN, '', 'v1', '5s', true, [], [null], {}, { subset: 'v1' }, { version: 'v1' }, Symbol('x'), 10n,
  Object.create(Destination.prototype), Object.create(HttpMatch.prototype), Object.create(Subset.prototype),
);
/** Junk that is not `undefined`-like for optional fields, nor a plain empty object (valid for every options bag). */
const junkValue = junk.filter((v) => !(typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype && Object.keys(v).length === 0));

const badWeight = fc.constantFrom<unknown>(-1, 101, 1.5, NaN, Infinity, -Infinity, '50', null, 1e21, -0.5);
const badPort = fc.constantFrom<unknown>(0, -1, 65536, 1.5, NaN, '80', null, 1e10);
/** Optional props left unset by a falsy value (`null`, `0`, `''`) are unset, as everywhere in the library: only truthy junk there. */
const truthyJunk = junkValue.filter((v) => Boolean(v));
/**
 * Junk for a route itself: no object other than an array. Unknown keys aside, `{ subset: 'v1' }` is a valid
 * catch-all route; so is any class instance (an HttpMatch or a Destination passed as a route: reported).
 */
const notAnOptionsBag = junkValue.filter((v) => typeof v !== 'object' || v === null || Array.isArray(v));
const badDuration = fc.constantFrom<unknown>('5s', 5, {}, Duration.millis(0.5), Duration.millis(0), [], true);

interface Context {
  readonly spec: HostTrafficSpec;
  readonly host: string;
  /** A subset declared by every bad case that needs one (added to the props). */
  readonly subset: string;
}

/** One way to get HostTraffic wrong: at construction (`props`) or by a later addition (`add`). */
type Mutation =
  | { readonly label: string; readonly stage: 'props'; readonly apply: (props: Record<string, any>, ctx: Context) => unknown; readonly inventory?: Inventory }
  | { readonly label: string; readonly stage: 'add'; readonly apply: (c: HostTraffic, ctx: Context) => void };

const SUBSET = 'declared';
const props = (label: string, apply: (p: Record<string, any>, ctx: Context) => unknown, inventory?: Inventory): Mutation => ({ label, stage: 'props', apply, inventory });
const add = (label: string, apply: (c: HostTraffic, ctx: Context) => void): Mutation => ({ label, stage: 'add', apply });
const withRoute = (p: Record<string, any>, route: unknown, at: 'first' | 'last' = 'first') => ({
  ...p, httpRoutes: at === 'first' ? [route, ...(p.httpRoutes ?? [])] : [...(p.httpRoutes ?? []), route],
});
const matched = (extra: Record<string, unknown>) => ({ match: [HttpMatch.header('x-bad-input').exact('1')], ...extra });

const mutation: fc.Arbitrary<Mutation> = fc.oneof(...([
  // --- the props themselves, and the host ---
  junkValue.map((v) => props(`props ${String(v)}`, () => v)),
  fc.constantFrom<unknown>(5, '', 'not a host', 'UPPER_case', '*', 'a..b', null, {}).map((v) => props(`host ${String(v)}`, (p) => ({ ...p, host: v }))),
  badPort.map((v) => props(`port ${String(v)}`, (p) => ({ ...p, port: v }))),
  fc.constantFrom<unknown>([], ['mesh', 'mesh'], ['a/b/c'], 'mesh', [5], [''], [null]).map((v) => props(`gateways ${JSON.stringify(v)}`, (p) => ({ ...p, gateways: v }))),
  props('bound only to a gateway with no hosts', (p) => ({ ...p, gateways: ['istio-system/public'], hosts: [] }), { gateways: ['istio-system/public'] }),
  props('a gateway missing from the declared inventory', (p) => ({ ...p, gateways: ['mesh', 'istio-system/missing'], httpRoutes: p.httpRoutes ?? [{}] }), { gateways: [] }),
  fc.constantFrom<unknown>(['~'], 'x', ['.', '.'], [5]).map((v) => props(`exportTo ${JSON.stringify(v)}`, (p) => ({ ...p, exportTo: v }))),
  // --- subsets ---
  junkValue.filter((v) => !Array.isArray(v) && v !== null).map((v) => props(`subsets ${String(v)}`, (p) => ({ ...p, subsets: v }))),
  junkValue.map((v) => props(`subset ${String(v)}`, (p) => ({ ...p, subsets: [...(p.subsets ?? []), v] }))),
  junk.filter((v) => typeof v !== 'string').map((v) => props(`subset name ${String(v)}`, (p) => ({ ...p, subsets: [...(p.subsets ?? []), { name: v, pods: Subset.fromLabels({ version: 'bad-name' }) }] }))),
  fc.constantFrom('', 'V_1', '-x', 'a.b', 'x'.repeat(64)).map((n) => props(`subset name "${n}"`, (p) => ({ ...p, subsets: [...(p.subsets ?? []), { name: n, pods: Subset.fromLabels({ version: 'bad-name' }) }] }))),
  junk.map((v) => props(`subset pods ${String(v)}`, (p) => ({ ...p, subsets: [...(p.subsets ?? []), { name: 'bad-pods', pods: v }] }))),
  props('subset without labels', (p) => ({ ...p, subsets: [...(p.subsets ?? []), { name: 'no-labels', pods: Subset.fromLabels({}) }] })),
  props('two subsets with one name', (p) => ({ ...p, subsets: [...(p.subsets ?? []), { name: 'twin', pods: Subset.fromLabels({ version: 'a' }) }, { name: 'twin', pods: Subset.fromLabels({ version: 'b' }) }] })),
  // Identical labels are an error when a route splits between the two (a warning otherwise, DR-04).
  props('a split between two subsets with the same labels', (p) => withRoute({
    ...p, subsets: [...(p.subsets ?? []), { name: 'same-a', pods: Subset.fromLabels({ version: 'same' }) }, { name: 'same-b', pods: Subset.fromLabels({ version: 'same' }) }],
  }, matched({ route: [Destination.subset('same-a', { weight: 50 }), Destination.subset('same-b', { weight: 50 })] }))),
  // --- HTTP routes ---
  junkValue.filter((v) => !Array.isArray(v) && v !== null).map((v) => props(`httpRoutes ${String(v)}`, (p) => ({ ...p, httpRoutes: v }))),
  notAnOptionsBag.map((v) => props(`http route ${String(v)}`, (p) => withRoute(p, v))),
  junk.filter((v) => typeof v !== 'string').map((v) => props(`route name ${String(v)}`, (p) => withRoute(p, matched({ name: v })))),
  fc.constantFrom<string[]>(['route', 'redirect'], ['route', 'directResponse'], ['redirect', 'directResponse'], ['route', 'redirect', 'directResponse']).map((actions) =>
    props(`two actions: ${actions.join(' + ')}`, (p, ctx) => withRoute(p, matched({
      ...(actions.includes('route') ? { route: [Destination.subset(ctx.subset)] } : {}),
      ...(actions.includes('redirect') ? { redirect: { uri: '/new' } } : {}),
      ...(actions.includes('directResponse') ? { directResponse: { status: 404 } } : {}),
    })))),
  junk.map((v) => props(`destination ${String(v)}`, (p, ctx) => withRoute(p, matched({ route: [Destination.subset(ctx.subset), v] })))),
  junkValue.filter((v) => !Array.isArray(v)).map((v) => props(`route ${String(v)}`, (p) => withRoute(p, matched({ route: v })))),
  props('route: [] (no destination)', (p) => withRoute(p, matched({ route: [] }))),
  props('match: [] before other routes', (p) => withRoute({ ...p, httpRoutes: [...(p.httpRoutes ?? []), matched({})] }, { match: [] })),
  badWeight.map((w) => props(`weight ${String(w)}`, (p, ctx) => withRoute(p, matched({ route: [Destination.subset(ctx.subset, { weight: w as number })] })))),
  fc.tuple(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 })).filter(([a, b]) => a + b !== 100).map(([a, b]) => props(`weights ${a} + ${b}`, (p, ctx) => withRoute(p, matched({
    route: [Destination.subset(ctx.subset, { weight: a }), Destination.host(ctx.host, { weight: b })],
  })))),
  fc.integer({ min: 1, max: 99 }).map((w) => props(`single destination weight ${w}`, (p, ctx) => withRoute(p, matched({ route: [Destination.subset(ctx.subset, { weight: w })] })))),
  props('a route to an undeclared subset', (p) => withRoute(p, matched({ route: [Destination.subset('never-declared')] }))),
  props('the same destination twice', (p, ctx) => withRoute(p, matched({ route: [Destination.subset(ctx.subset, { weight: 50 }), Destination.subset(ctx.subset, { weight: 50 })] }))),
  junk.filter((v) => v !== undefined).map((v) => props(`match entry ${String(v)}`, (p) => withRoute(p, { match: [v] }))),
  junkValue.filter((v) => !Array.isArray(v)).map((v) => props(`match ${String(v)}`, (p) => withRoute(p, { match: v }))),
  badDuration.map((d) => props(`timeout ${String(d)}`, (p) => withRoute(p, matched({ timeout: d })))),
  truthyJunk.map((r) => props(`retries ${String(r)}`, (p) => withRoute(p, matched({ retries: r })))),
  props('timeout shorter than the retries', (p) => withRoute(p, matched({
    timeout: Duration.seconds(1), retries: RetryPolicy.idempotent({ attempts: 3, perTryTimeout: Duration.seconds(1) }),
  }))),
  props('non-idempotent retries on an unnamed route', (p) => withRoute(p, matched({ retries: RetryPolicy.nonIdempotent({ attempts: 1 }) }))),
  props('a fault on the catch-all', (p) => ({ ...p, httpRoutes: [{ fault: { abort: { httpStatus: 503, percentage: 100 } } }] })),
  props('a fault on a path-matched route', (p) => withRoute(p, { match: [HttpMatch.pathPrefix('/bad-input-chaos')], fault: { delay: { fixedDelay: Duration.seconds(1), percentage: 10 } } })),
  fc.constantFrom<unknown>('x', 5, {}, { abort: { httpStatus: 'x', percentage: 10 } }, { abort: { httpStatus: 503, percentage: 101 } }, { delay: { fixedDelay: 5, percentage: 10 } }, { delay: 'x' })
    .map((f) => props(`fault ${JSON.stringify(f)}`, (p) => withRoute(p, matched({ fault: f })))),
  props('two catch-all routes', (p) => ({ ...p, httpRoutes: [...(p.httpRoutes ?? []), {}, {}] })),
  junkValue.map((m) => props(`mirror ${String(m)}`, (p) => withRoute(p, matched({ mirror: m })))),
  fc.constantFrom<unknown>('10', -1, 150, NaN, null).map((m) => props(`mirrorPercentage ${String(m)}`, (p, ctx) => withRoute(p, matched({
    match: [HttpMatch.header('x-bad-input').exact('1').and(HttpMatch.method(HttpMethod.GET))], mirror: Destination.host(ctx.host, { port: 81 }), mirrorPercentage: m,
  })))),
  fc.constantFrom<unknown>('x', 5, { port: 0 }, { uri: 5 }, { redirectCode: 'x' }, { redirectCode: 200 }).map((r) => props(`redirect ${JSON.stringify(r)}`, (p) => withRoute(p, matched({ redirect: r })))),
  fc.constantFrom<unknown>('x', {}, { status: 'x' }, { status: 99 }, { status: 600 }, { status: 404, body: 5 }).map((r) => props(`directResponse ${JSON.stringify(r)}`, (p) => withRoute(p, matched({ directResponse: r })))),
  fc.constantFrom<unknown>('x', { request: 5 }, { request: { set: 'x' } }, { request: { set: { 'Bad Header': 'v' } } }, { response: { remove: [5] } })
    .map((hd) => props(`headers ${JSON.stringify(hd)}`, (p) => withRoute(p, matched({ headers: hd })))),
  // --- TCP routes ---
  junkValue.filter((v) => !Array.isArray(v) && v !== null).map((v) => props(`tcpRoutes ${String(v)}`, (p) => ({ ...p, tcpRoutes: v }))),
  junkValue.map((v) => props(`tcp route ${String(v)}`, (p) => ({ ...p, tcpRoutes: [v] }))),
  props('a TCP route without destinations', (p) => ({ ...p, tcpRoutes: [{ port: 9000, route: [] }] })),
  badPort.map((v) => props(`TCP port ${String(v)}`, (p, ctx) => ({ ...p, tcpRoutes: [{ port: v, route: [Destination.subset(ctx.subset)] }] }))),
  junk.map((v) => props(`TCP destination ${String(v)}`, (p) => ({ ...p, tcpRoutes: [{ port: 9000, route: [v] }] }))),
  // --- later additions ---
  notAnOptionsBag.map((v) => add(`addHttpRoute(${String(v)})`, (c) => c.addHttpRoute(v as any))),
  junk.map((v) => add(`addHttpRoute with destination ${String(v)}`, (c, ctx) => c.addHttpRoute(matched({ route: [Destination.subset(ctx.subset), v] }) as any))),
  badWeight.map((w) => add(`addHttpRoute with weight ${String(w)}`, (c, ctx) => c.addHttpRoute(matched({ route: [Destination.subset(ctx.subset, { weight: w as number })] }) as any))),
  junk.filter((v) => v !== undefined).map((v) => add(`addHttpRoute with match ${String(v)}`, (c) => c.addHttpRoute({ match: [v] } as any))),
  add('addHttpRoute with two actions', (c, ctx) => c.addHttpRoute(matched({ route: [Destination.subset(ctx.subset)], directResponse: { status: 404 } }) as HttpRouteProps)),
  badDuration.map((d) => add(`addHttpRoute with timeout ${String(d)}`, (c) => c.addHttpRoute(matched({ timeout: d }) as any))),
  add('addHttpRoute to an undeclared subset', (c) => c.addHttpRoute(matched({ route: [Destination.subset('never-declared')] }) as HttpRouteProps)),
  add('addHttpRoute: two more catch-alls', (c) => c.addHttpRoute({}).addHttpRoute({})),
  junkValue.map((v) => add(`addSubset(${String(v)})`, (c) => c.addSubset(v as any))),
  junk.filter((v) => typeof v !== 'string').map((v) => add(`addSubset with name ${String(v)}`, (c) => c.addSubset({ name: v, pods: Subset.fromLabels({ version: 'added' }) } as any))),
  junk.map((v) => add(`addSubset with pods ${String(v)}`, (c) => c.addSubset({ name: 'added', pods: v } as any))),
  add('addSubset with a declared name', (c, ctx) => c.addSubset({ name: ctx.subset, pods: Subset.fromLabels({ version: 'other' }) })),
  junkValue.map((v) => add(`addTcpRoute(${String(v)})`, (c) => c.addTcpRoute(v as any))),
  add('addTcpRoute without destinations', (c) => c.addTcpRoute({ port: 9000, route: [] })),
  badPort.map((v) => add(`addTcpRoute on port ${String(v)}`, (c, ctx) => c.addTcpRoute({ port: v as number, route: [Destination.subset(ctx.subset)] }))),
  // --- value-class factories, from JavaScript ---
  junk.filter((v) => typeof v !== 'string').map((v) => add(`Destination.subset(${String(v)})`, (c) => c.addHttpRoute(matched({ route: [Destination.subset(v as any)] }) as HttpRouteProps))),
  junk.filter((v) => typeof v !== 'string' || v === '').map((v) => add(`Destination.host(${String(v)})`, (c) => c.addHttpRoute(matched({ route: [Destination.host(v as any)] }) as HttpRouteProps))),
  junk.filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)).map((v) => add(`Destination.subset options ${String(v)}`, (c, ctx) => c.addHttpRoute(matched({ route: [Destination.subset(ctx.subset, v as any)] }) as HttpRouteProps))),
] as Array<fc.Arbitrary<Mutation> | Mutation>).map((m) => (m instanceof fc.Arbitrary ? m : fc.constant(m))));

/** Describes a value for failure messages without ever throwing. */
function dump(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `${v}n` : typeof v === 'symbol' || typeof v === 'function' ? String(v) : v)) ?? String(value);
  } catch (e) {
    return `<unprintable: ${(e as Error).message}>`;
  }
}

/** Why `e` is not an acceptable failure (an IstioValidationError with known codes and paths), or undefined. */
function badError(e: unknown): string | undefined {
  if (!(e instanceof IstioValidationError)) {
    return `threw ${e instanceof Error ? `${e.constructor.name}: ${e.message}\n${e.stack?.split('\n').slice(1, 6).join('\n')}` : dump(e)}`;
  }
  if (!KNOWN_CODES.has(e.code)) return `IstioValidationError with an unknown code ${e.code}: ${e.message}`;
  if (typeof e.path !== 'string' || e.path.length === 0) return `IstioValidationError without a path: ${e.message}`;
  for (const v of e.violations) {
    if (!KNOWN_CODES.has(v.code) || typeof v.path !== 'string' || v.path.length === 0) return `violation without a known code or a path: ${dump(v)}`;
  }
  if (typeof e.fix !== 'string' || e.fix.length === 0) return `IstioValidationError without a fix: ${e.message}`;
  return undefined;
}

/** Outcomes by stage and code (printed with PROPERTY_STATS=1). */
const seen = new Map<string, number>();
const count = (key: string) => seen.set(key, (seen.get(key) ?? 0) + 1);

/**
 * Builds the valid spec with the mutation applied. The only acceptable outcomes: an IstioValidationError when the
 * props or the addition are given, after which nothing of it is emitted (a failed addition leaves the construct
 * as it was; a failed construction emits nothing at all), or an IstioValidationError at synth.
 */
function outcome(spec: HostTrafficSpec, m: Mutation, strictConstruction: boolean): string | undefined {
  const ctx: Context = { spec, host: hostOf(spec), subset: SUBSET };
  // Every bad case may route to SUBSET: the valid spec declares it (a DNS label the generated names never take).
  const base: HostTrafficSpec = { ...spec, subsets: [...spec.subsets, { name: SUBSET, labels: { version: SUBSET } }], subsetsInProps: spec.subsetsInProps };
  const inventory = m.stage === 'props' && m.inventory ? { ...(inventoryFor(base) ?? { hosts: [fqdn(hostOf(base), objectNamespace(base))] }), ...m.inventory } : inventoryFor(base);
  const h = harnessFor(base, inventory);
  const what = () => `${m.label} on ${dump(spec)}`;
  if (m.stage === 'props') {
    const plan = planOf(base);
    let mutated: unknown;
    try {
      mutated = m.apply({ ...plan.props }, ctx);
    } catch (e) {
      // A value-class factory refusing its argument while the props are made.
      count(`factory ${(e as any).code}`);
      return badError(e) && `${badError(e)}\nwhile making the props: ${what()}`;
    }
    try {
      const c = new HostTraffic(h.chart, 'host', mutated as HostTrafficProps);
      for (const later of plan.later) later(c);
    } catch (e) {
      const problem = badError(e);
      if (problem) return `${problem}\nat construction: ${what()}`;
      count(`construction ${(e as IstioValidationError).code}`);
      // Nothing half-emitted: the chart holds no Istio object of the refused construct.
      let left: any[];
      try {
        left = h.chart.toJson().filter(ISTIO);
      } catch (again) {
        return badError(again) && `${badError(again)}\nsynthesizing after a refused construction: ${what()}`;
      }
      if (strictConstruction && left.length > 0) return `a refused construction (${(e as Error).message}) still emitted ${left.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}: ${what()}`;
      return undefined;
    }
  } else {
    const c = buildHostTraffic(base, h.chart);
    try {
      m.apply(c, ctx);
    } catch (e) {
      const problem = badError(e);
      if (problem) return `${problem}\nat the addition: ${what()}`;
      count(`addition ${(e as IstioValidationError).code}`);
      // A refused addition leaves the construct as it was: the output is that of the valid spec.
      const reference = harnessFor(base, inventory);
      buildHostTraffic(base, reference.chart);
      const expected = JSON.stringify(synthIstio(reference));
      let actual: string;
      try {
        actual = JSON.stringify(h.chart.toJson());
      } catch (again) {
        return `synth failed after a refused addition (${(e as Error).message}): ${(again as Error).message}\n${what()}`;
      }
      if (actual !== expected) return `a refused addition (${(e as Error).message}) left a trace in the output:\n${actual}\n---- vs ----\n${expected}\n${what()}`;
      return undefined;
    }
  }
  try {
    h.chart.toJson();
  } catch (e) {
    const problem = badError(e);
    if (problem) return `${problem}\nat synth: ${what()}`;
    count(`synth ${(e as IstioValidationError).code}`);
    return undefined;
  }
  return `accepted invalid input and synthesized a manifest: ${what()}`;
}

afterAll(() => {
  if (process.env.PROPERTY_STATS) console.log([...seen].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}: ${n}`).join('\n'));
});

describe(`HostTraffic: bad input ends in an IstioValidationError with a code and a path (${BAD_RUNS} runs)`, () => {
  test('at construction or addition (leaving nothing behind) or at synth; never a TypeError, never a manifest', async () => {
    await fc.assert(fc.asyncProperty(hostTrafficSpec.filter((s) => s.subsets.every((x) => x.name !== SUBSET)), mutation, async (spec, m) => {
      const problem = outcome(spec, m, true);
      if (problem) throw new Error(problem);
    }), params(BAD_RUNS));
    // Every stage is reached: the suite would notice a construct that stopped refusing at once or at synth.
    const stages = new Set([...seen.keys()].map((k) => k.split(' ')[0]));
    expect([...stages].sort()).toEqual(expect.arrayContaining(['addition', 'construction', 'synth']));
  }, timeoutFor(25, BAD_RUNS));
});

// ---------------------------------------------------------------------------------------------------------
// Regressions found by this suite (fixed in src): each fails if the defect comes back.
// ---------------------------------------------------------------------------------------------------------

describe('HostTraffic: regressions', () => {
  const HOST = 'ratings.bookinfo.svc.cluster.local';

  test('DR-22 reads the emitted order: a subset added after the first route is emitted before the VirtualService, no warning', () => {
    const h = harness();
    const c = new HostTraffic(h.chart, 'host', { host: HOST, httpRoutes: [{ route: [Destination.subset('v1')] }] });
    c.addSubset({ name: 'v1', pods: Subset.fromLabels({ version: 'v1' }) });
    const kinds = h.chart.toJson().filter(ISTIO).map((o: any) => o.kind);
    expect(kinds).toEqual(['DestinationRule', 'VirtualService']);
    expect(h.warnings.map((w) => w.code)).toEqual([]);
  });

  test('a refused construction leaves nothing in the chart', async () => {
    await fc.assert(fc.asyncProperty(hostTrafficSpec.filter((s) => s.subsets.every((x) => x.name !== SUBSET)), mutation.filter((m) => m.stage === 'props'), async (spec, m) => {
      const problem = outcome(spec, m, true);
      if (problem) throw new Error(problem);
    }), params(BAD_RUNS));
  }, timeoutFor(25, BAD_RUNS));

  test('the refused construction of the first report emits nothing, and the id can be used again', () => {
    const h = harness();
    expect(() => new HostTraffic(h.chart, 'host', { host: HOST, outlierDetection: { consecutive5xxErrors: 5 }, httpRoutes: [{ timeout: '5s' as any }] })).toThrow(IstioValidationError);
    expect(h.chart.toJson().filter(ISTIO)).toEqual([]);
    new HostTraffic(h.chart, 'host', { host: HOST, outlierDetection: { consecutive5xxErrors: 5 } });
    expect(h.chart.toJson().filter(ISTIO).map((o: any) => o.kind)).toEqual(['DestinationRule']);
  });

  test('an HttpMatch passed to addHttpRoute (from JavaScript) is PROP, not a catch-all route', () => {
    const h = harness();
    const c = new HostTraffic(h.chart, 'host', { host: HOST });
    const e = (() => { try { c.addHttpRoute(HttpMatch.header('x-canary').exact('1') as any); } catch (err) { return err as IstioValidationError; } return undefined; })();
    expect(e?.code).toBe('PROP');
    expect(e?.message).toContain('a HttpMatch, not an options object');
    expect(h.chart.toJson().filter(ISTIO)).toEqual([]);
  });
});
