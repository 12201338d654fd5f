/**
 * Arbitraries for INVALID and hostile props: a valid spec (arbitraries.ts) with one to three fields replaced by
 * a value that is definitely invalid there (out of range, NaN, Infinity, empty or unicode strings, misplaced
 * wildcards, prototype-pollution keys, wrong types through `as any`, cycles), plus two-construct conflicts
 * (duplicate hosts, cycles in `calls`).
 *
 * Value classes built from bad options must fail inside the property (not while generating), so such values
 * are `Thunk`s, evaluated when the props are applied.
 */
import { Duration } from 'cdk8s';
import * as fc from 'fast-check';
import { backendSpec, canarySpec, externalSpec } from './arbitraries';
import { CallTarget } from '../../src/constructs/common';
import { PortProtocol } from '../../src/constructs/external-dependency';
import { Subset } from '../../src/constructs/refs';
import { show } from '../../src/core/text';
import { LoadBalancer, LoadBalancerAlgorithm, LocalityFailover } from '../../src/policies/load-balancer';
import { HttpMatch } from '../../src/policies/match';
import { RetryOn, RetryPolicy } from '../../src/policies/retry';
import { TlsOrigination } from '../../src/policies/tls';

/** A value computed when the mutation is applied (value-class factories that must throw in the property). */
export class Thunk {
  constructor(public readonly label: string, public readonly make: () => unknown) {}
  public toString(): string {
    return `Thunk(${this.label})`;
  }
}

const thunk = (label: string, make: () => unknown) => new Thunk(label, make);

/** A Duration that cdk8s itself may refuse to build (negative amounts): built in the property, never at generation. */
function duration(label: string, make: () => Duration): Thunk {
  return thunk(label, () => {
    try {
      return make();
    } catch {
      return Duration.millis(0.5); // cdk8s refused it (e.g. Duration.seconds(-1)): still an invalid duration
    }
  });
}

function cyclicObject(): unknown {
  const o: any = { a: 1 };
  o.self = o;
  return o;
}

function cyclicArray(): unknown {
  const a: any[] = ['x'];
  a.push(a);
  return a;
}

/** Values of the wrong type for any field (none of them is `undefined`, which means "not set"). */
export const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    true, 42, -1, NaN, Infinity, 10n, Symbol('hostile'), [], [1, 2], {}, () => 'fn', new Date(0), /re/,
    'plain string', '', '💥',
  ),
  fc.constant(null).map(() => Object.create(null)),
  fc.constant(null).map(() => cyclicObject()),
  fc.constant(null).map(() => cyclicArray()),
  fc.constant(null).map(() => JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}}')),
);

/** Truthy wrong types (fields read with `||` or `?:` treat falsy values as unset, which is valid). */
export const truthyWrongType = wrongType.filter((v) => Boolean(v) && typeof v !== 'string');

/** Strings that are never hostnames. */
export const badHost: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '', ' ', '*', '.', '..', 'a..b', '-a.example', 'a-.example', 'a_b.example', 'ä.example', 'a.*', '*.*.example', 'a*.example',
    '*a.example', 'a b.example', 'a.123', 'a/b', '@', '\u0000', 'a\nb', '💥.example', '\u202eexample.com', 'Ⅻ.example',
    `${'a'.repeat(64)}.example`, `${'a.'.repeat(130)}a`, '__proto__', 'a.example..',
  ),
  fc.string({ minLength: 1, maxLength: 8 }).map((s) => `${s} .example`),
  fc.integer({ min: 256, max: 5000 }).map((n) => 'a'.repeat(n)),
);

/** Strings that are never DNS-1123 labels. */
export const badLabel: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', 'A', 'a_b', '-a', 'a-', 'a.b', 'ü', '💥', ' ', '__proto__', 'a'.repeat(64), 'a\nb'),
  fc.string({ minLength: 1, maxLength: 6 }).map((s) => `${s}_`),
);

/** Numbers (and non-numbers) that are never a percentage 0-100. */
export const badPercent: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(NaN, Infinity, -Infinity, -1, -0.0001, 100.0001, 101, 1e308, '50', true, null, 10n),
  fc.double({ min: 100.001, max: 1e12, noNaN: true }),
  fc.double({ min: -1e12, max: -0.001, noNaN: true }),
);

/** Never an integer within 0-100. */
export const badWeight: fc.Arbitrary<unknown> = fc.oneof(badPercent.filter((v) => v !== null), fc.constantFrom(0.5, 99.5, 1e-9));

/** Never a port number. */
export const badPort: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(0, -1, 65536, 1e9, 80.5, NaN, Infinity, '80', null, true, 80n),
  fc.integer({ min: 65536, max: 2 ** 31 }), fc.integer({ min: -(2 ** 31), max: 0 }),
);

/** Never a valid Duration (below 1 ms, sub-millisecond precision, not finite, negative, astronomically long, wrong type). */
export const badDuration: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    duration('millis(0)', () => Duration.millis(0)), duration('millis(0.5)', () => Duration.millis(0.5)),
    duration('millis(1.5)', () => Duration.millis(1.5)), duration('seconds(-1)', () => Duration.seconds(-1)),
    duration('millis(NaN)', () => Duration.millis(NaN)), duration('millis(Infinity)', () => Duration.millis(Infinity)),
    duration('seconds(1e-4)', () => Duration.seconds(0.0001)), duration('millis(1e20)', () => Duration.millis(1e20)),
    duration('days(1e9)', () => Duration.days(1e9)),
  ),
  fc.double({ min: 0, max: 0.999, noNaN: true }).map((ms) => duration(`millis(${ms})`, () => Duration.millis(ms))),
  fc.double({ min: -1e6, max: -1e-6, noNaN: true }).map((ms) => duration(`millis(${ms})`, () => Duration.millis(ms))),
  truthyWrongType,
);

/** Label maps that are never valid subset labels. */
export const badLabels: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>({}, { '': 'a' }, { 'a b': 'x' }, { a: 'x'.repeat(64) }, { a: '-x' }, { a: 'x y' }, { constructor: 'x' },
    { '/a': 'x' }, { 'A_/b': 'x' }, { a: 5 }, { a: null }, { a: true }, ['a'], 'app=x', 5),
  fc.constant(null).map(() => JSON.parse('{"__proto__": {"polluted": "yes"}}')),
  fc.constant(null).map(() => Object.create(null)),
  fc.constant(null).map(() => ({ a: Symbol('x') })),
  fc.constant(null).map(() => ({ a: cyclicObject() })),
  fc.string({ minLength: 1, maxLength: 5 }).map((s) => ({ [`${s}!`]: 'x' })),
);

/** A subset source that is never valid. */
export const badSubset: fc.Arbitrary<unknown> = fc.oneof(
  badLabels.map((labels) => Subset.fromLabels(labels as Record<string, string>)),
  badLabels.map((labels) => ({ labels })),
  wrongType,
  fc.constantFrom<unknown>(undefined, null, { labels: undefined }, { labels: null }),
);

/** Value-class factories called with bad options: they return an invalid value whose use (or `raiseInvalid`) throws IstioValidationError. */
export const badRetries: fc.Arbitrary<unknown> = fc.oneof(
  fc.oneof(badWeight, fc.constantFrom<unknown>(0, 11, 100)).map((attempts) => thunk(`idempotent(attempts ${show(attempts)})`, () => RetryPolicy.idempotent({ attempts: attempts as number }))),
  fc.constantFrom<unknown>(0, 11, -1, 2.5, NaN).map((attempts) => thunk(`nonIdempotent(attempts ${show(attempts)})`, () => RetryPolicy.nonIdempotent({ attempts: attempts as number }))),
  fc.constant(thunk('nonIdempotent(retryOn 5xx)', () => RetryPolicy.nonIdempotent({ attempts: 2, retryOn: [RetryOn.FIVE_XX] }))),
  fc.constant(thunk('idempotent(retryOn [])', () => RetryPolicy.idempotent({ attempts: 2, retryOn: [] }))),
  badDuration.filter((d) => d instanceof Thunk).map((d) => thunk(`idempotent(perTryTimeout ${show(d)})`, () => RetryPolicy.idempotent({ attempts: 2, perTryTimeout: (d as Thunk).make() as Duration }))),
  truthyWrongType,
  fc.constantFrom<unknown>({ attempts: 2 }, { render: () => ({ attempts: 'x' }) }),
);

/** Retries that are fine alone but are not covered by the route timeout (VS-19): 3 × 1s tries, 1s timeout. */
export const uncoveredRetries = fc.constant({
  retries: thunk('idempotent(2 × 1s)', () => RetryPolicy.idempotent({ attempts: 2, perTryTimeout: Duration.seconds(1) })),
  timeout: thunk('1s', () => Duration.seconds(1)),
});

export const badMatch: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    thunk('header("X-Upper")', () => HttpMatch.header('X-Upper')), thunk('header("a b")', () => HttpMatch.header('a b')),
    thunk('header("")', () => HttpMatch.header('')), thunk('header("__proto__")', () => HttpMatch.header('__proto__')),
    thunk('header("constructor")', () => HttpMatch.header('constructor')),
    thunk('header(x).prefix("")', () => HttpMatch.header('x-a').prefix('')), thunk('header(x).exact("\\n")', () => HttpMatch.header('x-a').exact('a\nb')),
    thunk('header(x).regex("(?=a)")', () => HttpMatch.header('x-a').regex('(?=a)')), thunk('header(x).regex("(a")', () => HttpMatch.header('x-a').regex('(a')),
    thunk('pathRegex(2000 chars)', () => HttpMatch.pathRegex('a'.repeat(2000))), thunk('pathRegex("\\\\1")', () => HttpMatch.pathRegex('(a)\\1')),
    thunk('pathPrefix("api")', () => HttpMatch.pathPrefix('api')), thunk('pathExact("/a b")', () => HttpMatch.pathExact('/a b')),
    thunk('method()', () => HttpMatch.method()), thunk('method("FETCH")', () => HttpMatch.method('FETCH' as any)),
    thunk('cookie("a;b", "c")', () => HttpMatch.cookie('a;b', 'c')), thunk('cookie("a", "b c")', () => HttpMatch.cookie('a', 'b c')),
    thunk('queryParam("")', () => HttpMatch.queryParam('')), thunk('queryParam("__proto__")', () => HttpMatch.queryParam('__proto__')),
    thunk('path and path', () => HttpMatch.pathPrefix('/a').and(HttpMatch.pathPrefix('/b'))),
    thunk('header twice', () => HttpMatch.header('x-a').exact('1').and(HttpMatch.header('x-a').exact('2'))),
  ),
  truthyWrongType,
  fc.constantFrom<unknown>(null, undefined),
);

export const badTestMatches: fc.Arbitrary<unknown> = fc.oneof(
  badMatch.map((m) => [m]),
  fc.tuple(badMatch, fc.constant(thunk('header ok', () => HttpMatch.header('x-ok').exact('1')))).map(([m, ok]) => [ok, m]),
  truthyWrongType.filter((v) => !Array.isArray(v)),
);

export const badGateways: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>([], ['MESH'], ['a/b/c'], ['*'], ['mesh', 'mesh'], ['ns/'], ['/gw'], [''], ['a b'], [5], [null], 'mesh', {}),
  wrongType.filter((v) => v !== null && !Array.isArray(v) || (Array.isArray(v) && v.length > 0)),
);

export const badHostList: fc.Arbitrary<unknown> = fc.oneof(
  badHost.map((h) => [h]),
  fc.constantFrom<unknown>('a.example', {}, 5, [5], [null], ['*'], ['*.*']),
  wrongType.filter((v) => v !== null && !(Array.isArray(v) && v.length === 0)),
);

export const badConnectionPool: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>({}, { tcp: {} }, { http: {} }, { tcp: { maxConnections: 0 } }, { tcp: { maxConnections: 2 ** 31 } },
    { http: { maxRetries: -1 } }, { http: { http2MaxRequests: 1.5 } }, { http: { http1MaxPendingRequests: NaN } }, { tcp: 5 },
    { tcp: 'str' }, { http: ['x'] }, { tcp: { maxConnections: '10' } }, 5, 'x', [], true),
  badDuration.map((d) => ({ tcp: { connectTimeout: d } })),
  badDuration.map((d) => ({ http: { idleTimeout: d } })),
);

export const badOutlierDetection: fc.Arbitrary<unknown> = fc.oneof(
  badPercent.map((p) => ({ maxEjectionPercent: p })), badPercent.map((p) => ({ minHealthPercent: p })),
  fc.constantFrom<unknown>({ maxEjectionPercent: 100 }, { maxEjectionPercent: 100, minHealthPercent: 0 }, { maxEjectionPercent: 50.5 },
    { consecutive5xxErrors: 0 }, { consecutiveGatewayErrors: -3 }, { consecutive5xxErrors: 2 ** 32 }, 5, 'x', [], true),
  badDuration.map((d) => ({ interval: d })), badDuration.map((d) => ({ baseEjectionTime: d })),
);

function isZero(d: Duration): boolean {
  try {
    return d.toMilliseconds({ integral: false }) === 0;
  } catch {
    return false;
  }
}

export const badLoadBalancer: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    thunk('simple("FASTEST")', () => LoadBalancer.simple('FASTEST' as LoadBalancerAlgorithm)),
    thunk('byHeader("X-User")', () => LoadBalancer.consistentHashByHeader('X-User')),
    thunk('byHeader("")', () => LoadBalancer.consistentHashByHeader('')),
    thunk('byCookie("a b")', () => LoadBalancer.consistentHashByCookie('a b')),
    thunk('byQueryParameter("")', () => LoadBalancer.consistentHashByQueryParameter('')),
  ),
  // A ttl of exactly 0 is valid: Istio's session cookie.
  badDuration.filter((d) => d instanceof Thunk && !isZero((d as Thunk).make() as Duration))
    .map((d) => thunk(`byCookie ttl ${show(d)}`, () => LoadBalancer.consistentHashByCookie('s', (d as Thunk).make() as Duration))),
  truthyWrongType,
);

export const badLocality: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    thunk('priority([])', () => LocalityFailover.priority([])), thunk('priority([""])', () => LocalityFailover.priority([''])),
    thunk('priority([a, a])', () => LocalityFailover.priority(['a', 'a'])), thunk('regions([])', () => LocalityFailover.regions([])),
    thunk('regions(a -> a)', () => LocalityFailover.regions([{ from: 'a', to: 'a' }])),
    thunk('regions(a/z -> b)', () => LocalityFailover.regions([{ from: 'a/z', to: 'b' }])),
    thunk('regions(* -> b)', () => LocalityFailover.regions([{ from: '*', to: 'b' }])),
    thunk('priority(5)', () => LocalityFailover.priority(5 as any)), thunk('regions([null])', () => LocalityFailover.regions([null as any])),
  ),
  truthyWrongType,
);

export const badFault: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(thunk('fault without header', () => ({ match: HttpMatch.pathPrefix('/'), abort: { httpStatus: 503, percentage: 10 } }))),
  fc.constant(thunk('fault without delay or abort', () => ({ match: HttpMatch.header('x-chaos').exact('1') }))),
  badPercent.map((p) => thunk(`abort percentage ${show(p)}`, () => ({ match: HttpMatch.header('x-chaos').exact('1'), abort: { httpStatus: 503, percentage: p } }))),
  fc.constantFrom<unknown>(199, 600, 503.5, NaN, '503', null).map((s) => thunk(`abort status ${show(s)}`, () => ({ match: HttpMatch.header('x-chaos').exact('1'), abort: { httpStatus: s, percentage: 10 } }))),
  badDuration.map((d) => thunk(`delay ${show(d)}`, () => ({ match: HttpMatch.header('x-chaos').exact('1'), delay: { fixedDelay: d instanceof Thunk ? d.make() : d, percentage: 10 } }))),
  fc.constantFrom<unknown>(0.00001, 1e-7).map((p) => thunk(`delay percentage ${show(p)}`, () => ({ match: HttpMatch.header('x-chaos').exact('1'), delay: { fixedDelay: Duration.seconds(1), percentage: p } }))),
  truthyWrongType,
  badMatch.map((m) => thunk('fault with bad match', () => ({ match: m instanceof Thunk ? m.make() : m, abort: { httpStatus: 503, percentage: 10 } }))),
);

export const badCalls: fc.Arbitrary<unknown> = fc.oneof(
  badHost.map((h) => [CallTarget.host(h as string)]),
  badHost.map((h) => [h]),
  fc.constantFrom<unknown>({ host: 5 }, { hosts: [5] }, { hosts: ['not a host!'] }, { host: 'bad host' }, {}, null).map((t) => [CallTarget.of(t as any)]),
  fc.constantFrom<unknown>([5], [null], [{}], [{ host: 5 }], [{ hosts: [5] }], [{ hosts: 'a.example' }], [{ hosts: ['not a host!'] }], [{ host: 'bad host' }]),
  fc.constant(null).map(() => [Object.create(null)]),
  fc.constant(null).map(() => [cyclicObject()]),
  truthyWrongType.filter((v) => !Array.isArray(v)),
);

export const badName: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>('', 'A', 'a_b', '-a', 'a.', '.a', 'a..b', 'ü', '💥', 'a b', '__proto__', 'a'.repeat(254), 5, true, {}, [], 10n),
  fc.string({ minLength: 1, maxLength: 5 }).map((s) => `${s}_`),
);

export const badNamespace: fc.Arbitrary<unknown> = fc.oneof(badLabel, fc.constantFrom<unknown>(null, 5, {}, [], true));

export const badRouteName: fc.Arbitrary<unknown> = truthyWrongType;

// ---------------------------------------------------------------------------------------------------------
// Mutations of valid specs
// ---------------------------------------------------------------------------------------------------------

/** A field set to a bad value (`path` is a property path into the props, e.g. `ports.0.number`). */
export interface Mutation {
  readonly path: string;
  readonly value: unknown;
}

const at = (path: string, arb: fc.Arbitrary<unknown>) => arb.map((value): Mutation => ({ path, value }));

/** Mutations shared by the constructs that route one host. */
const routeMutations = [
  at('host', fc.oneof(badHost, wrongType, fc.constantFrom<unknown>(undefined, null))),
  at('service', fc.oneof(wrongType, fc.constantFrom<unknown>(null, { kind: 'Service', apiVersion: 'v1', name: 'look-alike' }))),
  at('port', badPort), at('name', badName), at('namespace', badNamespace),
  at('timeout', badDuration), at('retries', badRetries),
  at('connectionPool', badConnectionPool), at('outlierDetection', badOutlierDetection),
  at('loadBalancer', badLoadBalancer), at('localityFailover', badLocality), at('calls', badCalls),
];

export const canaryMutation: fc.Arbitrary<Mutation> = fc.oneof(
  ...routeMutations,
  at('stable', badSubset), at('canary', badSubset), at('canaryWeight', badWeight),
  at('stableSubsetName', badLabel), at('canarySubsetName', badLabel), at('testMatches', badTestMatches),
  at('testRouteName', badRouteName), at('primaryRouteName', badRouteName), at('mirrorPercentage', badPercent),
  at('gateways', badGateways), at('hosts', badHostList),
  // same subset name twice, same labels twice (DR-02, DR-04)
  fc.constant<Mutation>({ path: '@sameSubsetNames', value: true }),
  fc.constant<Mutation>({ path: '@sameLabels', value: true }),
  // the locality failover without outlier detection (DR-09), uncovered retries (VS-19)
  fc.constant<Mutation>({ path: '@localityWithoutOutliers', value: true }),
  uncoveredRetries.map((v): Mutation => ({ path: '@resilience', value: v })),
);

export const backendMutation: fc.Arbitrary<Mutation> = fc.oneof(
  ...routeMutations,
  at('routeName', badRouteName), at('faultInjection', badFault),
  fc.constant<Mutation>({ path: '@localityWithoutOutliers', value: true }),
  uncoveredRetries.map((v): Mutation => ({ path: '@resilience', value: v })),
);

const badExternalPort: fc.Arbitrary<unknown> = fc.oneof(
  badPort.map((number) => ({ number, protocol: PortProtocol.HTTPS })),
  fc.constantFrom<unknown>('FOO', 'http', '', 5, null).map((protocol) => ({ number: 443, protocol })),
  badLabel.map((name) => ({ number: 443, protocol: PortProtocol.HTTPS, name })),
  badPort.filter((p) => p !== null).map((targetPort) => ({ number: 443, protocol: PortProtocol.HTTPS, targetPort })),
  wrongType.filter((v) => v !== undefined),
  fc.constantFrom<unknown>(null, undefined),
);

export const externalMutation: fc.Arbitrary<Mutation> = fc.oneof(
  at('hosts', fc.oneof(badHostList, fc.constantFrom<unknown>([], ['a.example', 'a.example'], ['*.a.example', '*.a.example']))),
  at('ports', fc.oneof(badExternalPort.map((p) => [p]), fc.constantFrom<unknown>([], 'x', 5, {}, [{ number: 443, protocol: PortProtocol.TLS }, { number: 443, protocol: PortProtocol.HTTPS }]))),
  at('ports.0', badExternalPort),
  at('resolution', fc.constantFrom<unknown>('FOO', 'dns', 5, true, {}, '')),
  at('exportTo', fc.constantFrom<unknown>([], ['*', '.'], ['A'], 'x', [5], ['.', '.'], ['a b'], [null], {}, 5, ['~'])),
  at('tlsOrigination', fc.oneof(
    fc.constantFrom(
      thunk('simple(ca + credentialName)', () => TlsOrigination.simple({ caCertificates: '/a', credentialName: 'b' })),
      thunk('simple(sni "bad host")', () => TlsOrigination.simple({ sni: 'bad host' })),
      thunk('simple(subjectAltNames [])', () => TlsOrigination.simple({ subjectAltNames: [] })),
      thunk('insecureSkipVerify(sni "*")', () => TlsOrigination.insecureSkipVerify({ sni: '*' })),
    ),
    truthyWrongType,
  )),
  at('name', badName), at('namespace', badNamespace), at('timeout', badDuration), at('retries', badRetries),
  at('connectionPool', badConnectionPool), at('outlierDetection', badOutlierDetection), at('loadBalancer', badLoadBalancer),
);

export const canaryBadSpec = fc.tuple(canarySpec, fc.array(canaryMutation, { minLength: 1, maxLength: 3 }));
export const backendBadSpec = fc.tuple(backendSpec, fc.array(backendMutation, { minLength: 1, maxLength: 3 }));
export const externalBadSpec = fc.tuple(externalSpec, fc.array(externalMutation, { minLength: 1, maxLength: 3 }));
