/**
 * fast-check arbitraries for VALID props of the three constructs, and the builders that turn them into props.
 *
 * The arbitraries produce plain "specs" (data plus immutable value objects such as `HttpMatch` and
 * `RetryPolicy`); cdk8s-plus `Service`s and `Deployment`s are described by data and created in the chart by
 * the builders, so one spec can be synthesized twice (determinism) and prints readably when a property fails.
 *
 * Every spec also says which warnings it legitimately deserves (`expectedWarnings`): valid input may still be
 * "legal but likely unintended" in a documented way (mirroring without a method constraint, VS-25). The
 * properties assert that exactly those warnings, and no others, are reported.
 */
import { Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';
import * as fc from 'fast-check';
import {
  CanaryServiceProps, ConnectionPool, ExternalDependencyProps, ExternalPort, FaultInjection, HttpMatch, HttpMethod, LoadBalancer,
  LoadBalancerAlgorithm, LocalityFailover, OutlierDetection, PortProtocol, Resolution, ResilientBackendProps, RetryOn, RetryPolicy,
  SAFE_RETRY_ON_FOR_WRITES, TlsOrigination,
} from '../../src';

// ---------------------------------------------------------------------------------------------------------
// Grammar primitives
// ---------------------------------------------------------------------------------------------------------

/** A DNS-1123 label (1-63 characters, here kept short so charts stay small). */
export const dnsLabel = (maxInner = 10): fc.Arbitrary<string> =>
  fc.stringMatching(new RegExp(`^[a-z]([-a-z0-9]{0,${maxInner}}[a-z0-9])?$`));

/** A DNS-1123 label of exactly 63 characters (the maximum). */
export const longDnsLabel: fc.Arbitrary<string> = fc.stringMatching(/^[a-z][-a-z0-9]{61}[a-z0-9]$/);

/** Namespaces (never the Istio root namespace, which has mesh-wide meaning for some kinds). */
export const namespaceName: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('bookinfo', 'shop', 'payments', 'default', 'team-a') },
  { weight: 1, arbitrary: dnsLabel(8) },
).filter((n) => n !== 'istio-system');

/** An external FQDN such as `api.pgprovider.example`; labels may use upper case (hosts are case-insensitive). */
export const externalFqdn: fc.Arbitrary<string> = fc.tuple(
  fc.array(fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,12}[a-z0-9])?$/), { minLength: 1, maxLength: 3 }),
  fc.constantFrom('example', 'example.com', 'example.org', 'io', 'co.uk'),
).map(([labels, tld]) => `${labels.join('.')}.${tld}`);

/** Kubernetes label keys: plain names and `prefix/name`. */
export const labelKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('app', 'version', 'track', 'app.kubernetes.io/name', 'app.kubernetes.io/version', 'tier') },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,14}[A-Za-z0-9])?$/) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,8}[a-z0-9])?(\.[a-z0-9]{1,6}){0,2}$/), fc.stringMatching(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,10}[A-Za-z0-9])?$/))
      .map(([p, n]) => `${p}/${n}`),
  },
).filter((k) => !k.startsWith('cdk8s.io/'));

/** Kubernetes label values (may be empty). */
export const labelValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,14}[A-Za-z0-9])?$/) },
  { weight: 1, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-z][-a-z0-9_.]{61}[a-z0-9]$/) },
);

/** A label map. */
export const labelMap = (minKeys = 0, maxKeys = 3): fc.Arbitrary<Record<string, string>> =>
  fc.uniqueArray(fc.tuple(labelKey, labelValue), { minLength: minKeys, maxLength: maxKeys, selector: ([k]) => k })
    .map((entries) => Object.fromEntries(entries));

/** Whole milliseconds ≥ 1 up to `max`, biased towards round values. */
export const millis = (max = 60_000): fc.Arbitrary<number> => fc.oneof(
  fc.integer({ min: 1, max }),
  fc.integer({ min: 1, max: Math.max(1, Math.floor(max / 1000)) }).map((s) => s * 1000),
  fc.constantFrom(1, 999, 1000, 1001, 1500),
);

/** A cdk8s `Duration` of exactly `ms` milliseconds, written in the units a user would use. */
export function durationOf(ms: number, unit: 'ms' | 's' | 'min'): Duration {
  if (unit === 'min' && ms % 60_000 === 0) return Duration.minutes(ms / 60_000);
  if (unit !== 'ms' && ms % 1000 === 0) return Duration.seconds(ms / 1000);
  return Duration.millis(ms);
}

export const durationUnit: fc.Arbitrary<'ms' | 's' | 'min'> = fc.constantFrom('ms', 's', 'min');

/** A valid Duration (≥ 1 ms, whole milliseconds). */
export const duration = (max = 60_000): fc.Arbitrary<Duration> => fc.tuple(millis(max), durationUnit).map(([ms, u]) => durationOf(ms, u));

// ---------------------------------------------------------------------------------------------------------
// HttpMatch
// ---------------------------------------------------------------------------------------------------------

const headerName: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('x-canary-test', 'x-qa-user', 'x-chaos-test', 'user-agent', 'x-user-id', 'end-user') },
  { weight: 2, arbitrary: fc.stringMatching(/^[a-z0-9!#$%&'*+.^_`|~-]{1,20}$/) },
  { weight: 1, arbitrary: fc.constantFrom(':authority', ':path', ':scheme', ':method') },
).filter((h) => h !== 'cookie');

/** Header/query values: printable ASCII and some non-ASCII, no control characters. */
const printable: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[A-Za-z0-9._~-]{1,16}$/) },
  { weight: 1, arbitrary: fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 16 }) },
  { weight: 1, arbitrary: fc.constantFrom('true', 'ünïcödé', '日本', 'a b') },
);

/** RE2-compatible regexes (no look-around, no back-references). */
const re2Regex: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('.*mobile.*', '^/api/v[0-9]+/.*$', '(?i)chrome', 'v[12]', '[a-f0-9]{8}', '^(a|b)+$', '\\d+', 'x\\.y'),
  fc.stringMatching(/^[a-z0-9]{1,10}$/).map((s) => `^${s}.*`),
);

const pathArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('/', '/api', '/api/v2/', '/login', '/health'),
  fc.array(fc.stringMatching(/^[A-Za-z0-9._~%-]{1,8}$/), { minLength: 1, maxLength: 4 }).map((segs) => `/${segs.join('/')}`),
);

type ValueKind = 'exact' | 'prefix' | 'regex';
const valueKind: fc.Arbitrary<ValueKind> = fc.constantFrom('exact', 'prefix', 'regex');

/** One field condition: the field it occupies (for `and`) and the match. */
interface Atom { readonly field: string; readonly match: HttpMatch }

const headerAtom: fc.Arbitrary<Atom> = fc.tuple(headerName, valueKind, printable, re2Regex, fc.boolean())
  .map(([name, kind, value, regex, emptyExact]) => ({
    field: `header:${name}`,
    match: kind === 'regex' ? HttpMatch.header(name).regex(regex)
      : kind === 'prefix' ? HttpMatch.header(name).prefix(value)
        : HttpMatch.header(name).exact(emptyExact && name.startsWith('x-') ? '' : value),
  }));

const cookieAtom: fc.Arbitrary<Atom> = fc.tuple(
  fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,12}$/),
  fc.stringMatching(/^[!#$%&'()*+\-./0-9:<=>?@A-Z[\]^_`a-z{|}~]{0,12}$/),
).map(([name, value]) => ({ field: 'header:cookie', match: HttpMatch.cookie(name, value) }));

const queryAtom: fc.Arbitrary<Atom> = fc.tuple(fc.stringMatching(/^[A-Za-z0-9_.-]{1,12}$/), valueKind, printable, re2Regex)
  .map(([name, kind, value, regex]) => ({
    field: `query:${name}`,
    match: kind === 'regex' ? HttpMatch.queryParam(name).regex(regex)
      : kind === 'prefix' ? HttpMatch.queryParam(name).prefix(value) : HttpMatch.queryParam(name).exact(value),
  }));

const pathAtom: fc.Arbitrary<Atom> = fc.tuple(fc.constantFrom('prefix', 'exact', 'regex'), pathArb, re2Regex).map(([kind, path, regex]) => ({
  field: 'uri',
  match: kind === 'prefix' ? HttpMatch.pathPrefix(path) : kind === 'exact' ? HttpMatch.pathExact(path) : HttpMatch.pathRegex(regex),
}));

const methodAtom: fc.Arbitrary<Atom> = fc.uniqueArray(fc.constantFrom(...Object.values(HttpMethod)), { minLength: 1, maxLength: 4 })
  .map((methods) => ({ field: 'method', match: HttpMatch.method(...methods) }));

/** Conditions with distinct fields, combined with `and` (left fold). */
function andAll(atoms: readonly Atom[]): HttpMatch {
  return atoms.slice(1).reduce((acc, a) => acc.and(a.match), atoms[0].match);
}

const atom: fc.Arbitrary<Atom> = fc.oneof(
  { weight: 3, arbitrary: headerAtom }, { weight: 1, arbitrary: cookieAtom }, { weight: 1, arbitrary: queryAtom },
  { weight: 2, arbitrary: pathAtom }, { weight: 1, arbitrary: methodAtom },
);

/** An HttpMatch: 1-4 conditions on distinct fields, joined with `and`. */
export const httpMatch: fc.Arbitrary<HttpMatch> = fc.uniqueArray(atom, { minLength: 1, maxLength: 4, selector: (a) => a.field }).map(andAll);

/** An HttpMatch with at least one header condition (fault injection must select test traffic, VS-23). */
export const headerScopedMatch: fc.Arbitrary<HttpMatch> = fc.tuple(
  fc.oneof(headerAtom, cookieAtom),
  fc.uniqueArray(atom, { maxLength: 3, selector: (a) => a.field }),
).map(([h, rest]) => andAll([h, ...rest.filter((a) => a.field !== h.field)]));

/** Canonical JSON (sorted keys) of a value. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as any)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Drops matches that an earlier one in the list makes dead (identical, or same other conditions under a
 * shorter uri prefix / no uri): such a list is user error, which rule VS-07 rightly warns about.
 */
export function withoutShadowed(matches: readonly HttpMatch[]): HttpMatch[] {
  const kept: HttpMatch[] = [];
  for (const m of matches) {
    const { uri, ...rest } = m.render();
    const shadowed = kept.some((k) => {
      const { uri: kUri, ...kRest } = k.render();
      if (canonical(kRest) !== canonical(rest)) return false;
      if (canonical(kUri) === canonical(uri)) return true;
      if (kUri === undefined || kUri.prefix === '') return true;
      const p = uri?.prefix ?? uri?.exact;
      return kUri.prefix !== undefined && p !== undefined && p.startsWith(kUri.prefix);
    });
    if (!shadowed) kept.push(m);
  }
  return kept;
}

/** 1-4 test matches (OR), none shadowed by an earlier one. */
export const testMatches: fc.Arbitrary<HttpMatch[]> = fc.array(httpMatch, { minLength: 1, maxLength: 4 }).map(withoutShadowed);

// ---------------------------------------------------------------------------------------------------------
// Retries and timeouts (VS-17, VS-18, VS-19)
// ---------------------------------------------------------------------------------------------------------

/** Retries plus the route timeout, consistent with VS-19 (timeout ≥ perTryTimeout × (attempts + 1) + backoff × attempts). */
export interface ResilienceSpec {
  readonly retries?: RetryPolicy;
  readonly timeout?: Duration;
  /** VS-19 warns: idempotent retries on conditions after the request was sent, with a timeout but no perTryTimeout. */
  readonly warnsNoPerTry: boolean;
}

const idempotentRetryOn: fc.Arbitrary<RetryOn[] | undefined> = fc.option(
  fc.uniqueArray(fc.constantFrom(...Object.values(RetryOn)), { minLength: 1, maxLength: 5 }), { nil: undefined },
);
const safeRetryOn: fc.Arbitrary<RetryOn[] | undefined> = fc.option(
  fc.uniqueArray(fc.constantFrom(...SAFE_RETRY_ON_FOR_WRITES), { minLength: 1, maxLength: 3 }), { nil: undefined },
);

export const retryPolicy: fc.Arbitrary<RetryPolicy> = fc.oneof(
  fc.record({
    attempts: fc.integer({ min: 1, max: 10 }),
    perTryTimeout: fc.option(duration(5_000), { nil: undefined }),
    retryOn: idempotentRetryOn,
    backoff: fc.option(duration(1_000), { nil: undefined }),
  }, { requiredKeys: ['attempts'] }).map((o) => RetryPolicy.idempotent(o)),
  fc.record({
    attempts: fc.integer({ min: 1, max: 10 }),
    retryOn: safeRetryOn,
    backoff: fc.option(duration(1_000), { nil: undefined }),
  }, { requiredKeys: ['attempts'] }).map((o) => RetryPolicy.nonIdempotent(o)),
  fc.constant(RetryPolicy.none()),
);

/** Optional retries with an optional timeout that covers their worst case (plus slack). */
export const resilience: fc.Arbitrary<ResilienceSpec> = fc.tuple(
  fc.option(retryPolicy, { nil: undefined }),
  fc.option(fc.tuple(fc.integer({ min: 0, max: 10_000 }), durationUnit), { nil: undefined }),
).map(([retries, t]) => {
  if (!t) return { retries, warnsNoPerTry: false };
  const needed = retries?.worstCaseMillis() ?? 0;
  const ms = Math.max(1, needed + t[0]);
  const onlyBeforeRequest = retries !== undefined && retries.retryOn.every((c) => SAFE_RETRY_ON_FOR_WRITES.includes(c));
  const warnsNoPerTry = retries !== undefined && retries.attempts > 0 && !retries.perTryTimeout && !onlyBeforeRequest;
  return { retries, timeout: durationOf(ms, t[1]), warnsNoPerTry };
});

const WRITE_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'];

/** Whether a match admits a write method (explicitly: a method condition naming POST, PUT, PATCH or DELETE). */
export function admitsWrites(m: HttpMatch): boolean {
  const method = m.render().method;
  if (!method) return false;
  if (method.exact) return WRITE_METHODS.includes(method.exact);
  return WRITE_METHODS.some((w) => new RegExp(method.regex!).test(w));
}

/** Retries that never replay a request the server may have received (VS-18): none, or only before-request conditions. */
export function writeSafe(retries: RetryPolicy | undefined): boolean {
  if (retries === undefined) return false; // Istio's implicit default retries on 503
  if (retries.attempts === 0) return true;
  return !retries.perTryTimeout && retries.retryOn.every((c) => SAFE_RETRY_ON_FOR_WRITES.includes(c));
}

/**
 * CC-01: a declared entry point starts a call chain, and 10 retries alone make 11 requests per entering request,
 * over the default budget of 10 (RetryPolicy itself accepts 1-10 attempts; see the report in docs/determinism.md).
 */
export function withinRetryBudget(spec: { readonly entryPoint?: boolean; readonly resilience: ResilienceSpec }): boolean {
  return !(spec.entryPoint && (spec.resilience.retries?.attempts ?? 0) + 1 > 10);
}

// ---------------------------------------------------------------------------------------------------------
// Traffic policy (DR-07, DR-08, DR-09, DR-10, DR-12, DR-13)
// ---------------------------------------------------------------------------------------------------------

const count = (min: number) => fc.oneof(fc.integer({ min, max: 10_000 }), fc.constantFrom(min, 2_147_483_647));

export const connectionPool: fc.Arbitrary<ConnectionPool> = fc.record({
  tcp: fc.option(fc.record({
    maxConnections: count(1),
    connectTimeout: duration(30_000),
  }, { requiredKeys: [] }).filter((o) => Object.keys(o).length > 0), { nil: undefined }),
  http: fc.option(fc.record({
    http1MaxPendingRequests: count(1),
    http2MaxRequests: count(1),
    maxRequestsPerConnection: count(0),
    maxRetries: count(0),
    idleTimeout: duration(3_600_000),
  }, { requiredKeys: [] }).filter((o) => Object.keys(o).length > 0), { nil: undefined }),
}, { requiredKeys: [] }).filter((p) => p.tcp !== undefined || p.http !== undefined);

export const outlierDetection: fc.Arbitrary<OutlierDetection> = fc.record({
  consecutive5xxErrors: fc.integer({ min: 1, max: 100 }),
  consecutiveGatewayErrors: fc.integer({ min: 1, max: 100 }),
  interval: duration(60_000),
  baseEjectionTime: duration(300_000),
  maxEjectionPercent: fc.integer({ min: 0, max: 100 }),
  minHealthPercent: fc.integer({ min: 0, max: 100 }),
}, { requiredKeys: [] })
  // maxEjectionPercent 100 without minHealthPercent > 0 is an error (DR-08): not valid input.
  .filter((o) => o.maxEjectionPercent !== 100 || (o.minHealthPercent ?? 0) > 0);

export const loadBalancer: fc.Arbitrary<LoadBalancer> = fc.oneof(
  fc.constantFrom(...Object.values(LoadBalancerAlgorithm)).map((a) => LoadBalancer.simple(a)),
  headerName.filter((h) => !h.startsWith(':')).map((h) => LoadBalancer.consistentHashByHeader(h)),
  fc.tuple(fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,12}$/), fc.option(duration(86_400_000), { nil: undefined }))
    .map(([n, ttl]) => LoadBalancer.consistentHashByCookie(n, ttl)),
  fc.constant(LoadBalancer.consistentHashBySourceIp()),
  fc.stringMatching(/^[A-Za-z0-9_.-]{1,12}$/).map((q) => LoadBalancer.consistentHashByQueryParameter(q)),
);

const regionName = fc.stringMatching(/^[a-z]{2}-[a-z]{4,7}[1-4]$/);
export const localityFailover: fc.Arbitrary<LocalityFailover> = fc.oneof(
  fc.uniqueArray(fc.oneof(fc.constantFrom('topology.kubernetes.io/zone', 'topology.kubernetes.io/region', 'topology.istio.io/subzone'), labelKey), { minLength: 1, maxLength: 3 })
    .map((labels) => LocalityFailover.priority(labels)),
  fc.uniqueArray(fc.tuple(regionName, regionName).filter(([a, b]) => a !== b), { minLength: 1, maxLength: 3, selector: ([from]) => from })
    .map((pairs) => LocalityFailover.regions(pairs.map(([from, to]) => ({ from, to })))),
);

export interface TrafficPolicySpec {
  readonly connectionPool?: ConnectionPool;
  readonly outlierDetection?: OutlierDetection;
  readonly loadBalancer?: LoadBalancer;
  readonly localityFailover?: LocalityFailover;
}

/** A traffic policy; locality failover only together with outlier detection (DR-09). */
export const trafficPolicy = (withLocality = true): fc.Arbitrary<TrafficPolicySpec> => fc.record({
  connectionPool: fc.option(connectionPool, { nil: undefined }),
  outlierDetection: fc.option(outlierDetection, { nil: undefined }),
  loadBalancer: fc.option(loadBalancer, { nil: undefined }),
  localityFailover: withLocality ? fc.option(localityFailover, { nil: undefined }) : fc.constant(undefined),
}).map((p) => (p.outlierDetection ? p : { ...p, localityFailover: undefined }))
  .map((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as TrafficPolicySpec);

/** Warnings a valid traffic policy deserves, given the route retries. */
export function trafficPolicyWarnings(p: TrafficPolicySpec, retries: RetryPolicy | undefined): string[] {
  const out: string[] = [];
  // maxEjectionPercent 100 with a minHealthPercent safety net is legal, but may still eject everything.
  if (p.outlierDetection?.maxEjectionPercent === 100) out.push('DR-08');
  // The route asks for retries that maxRetries: 0 seems to forbid (Istio treats 0 as unset).
  if (p.connectionPool?.http?.maxRetries === 0 && retries !== undefined && retries.attempts > 0) out.push('VS-21');
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Hosts and subsets (references, possibly cdk8s-plus)
// ---------------------------------------------------------------------------------------------------------

/** Where a construct's host comes from. */
export type HostSpec =
  | { readonly kind: 'fqdn'; readonly service: string; readonly namespace: string }
  | { readonly kind: 'short'; readonly service: string }
  | { readonly kind: 'service'; readonly service: string; readonly namespace?: string; readonly ports: readonly number[]; readonly selector: boolean };

/** Where a subset's pods come from. */
export type SubsetSpec =
  | { readonly kind: 'labels'; readonly labels: Record<string, string> }
  | { readonly kind: 'deployment'; readonly labels: Record<string, string> };

const servicePorts = fc.uniqueArray(fc.integer({ min: 1, max: 65535 }), { minLength: 1, maxLength: 2 });

export const hostSpec: fc.Arbitrary<HostSpec> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('fqdn' as const), service: dnsLabel(), namespace: namespaceName }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('short' as const), service: dnsLabel() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('service' as const), service: dnsLabel(), namespace: fc.option(namespaceName, { nil: undefined }),
      ports: servicePorts, selector: fc.boolean(),
    }, { requiredKeys: ['kind', 'service', 'ports', 'selector'] }),
  },
);

/** Two label sets that tell the versions apart (neither contains the other, DR-04). */
export const distinctLabelPair: fc.Arbitrary<[Record<string, string>, Record<string, string>]> = fc.oneof(
  // the usual case: a shared key with different values, plus common labels
  fc.tuple(labelKey, labelValue, labelValue, labelMap(0, 2)).filter(([, a, b]) => a !== b)
    .map(([k, a, b, common]) => {
      const rest = Object.fromEntries(Object.entries(common).filter(([key]) => key !== k));
      const pair: [Record<string, string>, Record<string, string>] = [{ ...rest, [k]: a }, { ...rest, [k]: b }];
      return pair;
    }),
  // disjoint keys: neither set contains the other
  fc.tuple(labelMap(1, 2), labelMap(1, 2)).filter(([a, b]) => Object.keys(a).every((k) => !(k in b)) && Object.keys(b).length > 0)
    .map(([a, b]): [Record<string, string>, Record<string, string>] => [a, b]),
);

export interface CanarySpec {
  readonly chartNamespace?: string;
  readonly host: HostSpec;
  readonly stable: SubsetSpec;
  readonly canary: SubsetSpec;
  readonly canaryWeight?: number;
  readonly stableSubsetName?: string;
  readonly canarySubsetName?: string;
  readonly testMatches?: HttpMatch[];
  readonly testRouteName?: string;
  readonly primaryRouteName?: string;
  readonly mirrorPercentage?: number;
  readonly gateways?: string[];
  readonly extraHosts?: string[];
  readonly port?: number;
  readonly name?: string;
  readonly namespace?: string;
  readonly resilience: ResilienceSpec;
  readonly policy: TrafficPolicySpec;
  readonly entryPoint?: boolean;
  readonly inventory: boolean;
}

const routeName = fc.oneof(dnsLabel(12), fc.constantFrom('canary-testing', 'primary', 'default', 'qa', 'stable-split'));
const gatewayRef = fc.oneof(fc.constant('mesh'), fc.tuple(namespaceName, dnsLabel()).map(([ns, n]) => `${ns}/${n}`));
const percent = fc.oneof(fc.integer({ min: 0, max: 100 }), fc.double({ min: 0, max: 100, noNaN: true }), fc.constantFrom(0.0001, 0.5, 99.99));

/** Valid CanaryService specs. */
export const canarySpec: fc.Arbitrary<CanarySpec> = fc.record({
  chartNamespace: fc.option(namespaceName, { nil: undefined }),
  host: hostSpec,
  kinds: fc.tuple(fc.constantFrom('labels', 'deployment'), fc.constantFrom('labels', 'deployment')),
  labels: distinctLabelPair,
  canaryWeight: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
  subsetNames: fc.option(fc.uniqueArray(dnsLabel(8), { minLength: 2, maxLength: 2 }), { nil: undefined }),
  testMatches: fc.option(testMatches, { nil: undefined }),
  routeNames: fc.option(fc.uniqueArray(routeName, { minLength: 2, maxLength: 2 }), { nil: undefined }),
  mirrorPercentage: fc.option(percent, { nil: undefined }),
  gateways: fc.option(fc.uniqueArray(gatewayRef, { minLength: 1, maxLength: 3 }), { nil: undefined }),
  extraHosts: fc.option(fc.uniqueArray(externalFqdn, { minLength: 1, maxLength: 2 }), { nil: undefined }),
  name: fc.option(fc.oneof(dnsLabel(), fc.constantFrom('reviews.v2', 'a')), { nil: undefined }),
  namespace: fc.option(namespaceName, { nil: undefined }),
  resilience,
  policy: trafficPolicy(true),
  entryPoint: fc.option(fc.boolean(), { nil: undefined }),
  inventory: fc.boolean(),
}).map((r): CanarySpec => {
  const [stableLabels, canaryLabels] = r.labels;
  const subset = (kind: string, labels: Record<string, string>): SubsetSpec => ({ kind: kind as 'labels' | 'deployment', labels });
  let stable = subset(r.kinds[0], stableLabels);
  let canary = subset(r.kinds[1], canaryLabels);
  let host = r.host;
  // A Service with a selector needs its subsets' pods in the App (DR-04): make both subsets Deployments
  // whose pods the selector picks.
  if (host.kind === 'service' && host.selector) {
    host = { ...host, namespace: undefined }; // in the namespace of the chart, where the Deployments are
    stable = { kind: 'deployment', labels: stableLabels };
    canary = { kind: 'deployment', labels: canaryLabels };
  }
  const ports = host.kind === 'service' ? host.ports : undefined;
  // A Service with several ports needs the destination port (VS-14), which must be one of them.
  const port = ports && ports.length > 1 ? ports[ports.length - 1] : undefined;
  // A test route that matches write methods must not use retries that can replay them (VS-18): make it safe.
  const writes = (r.testMatches ?? []).some(admitsWrites);
  const resilience: ResilienceSpec = writes && !writeSafe(r.resilience.retries) ? { ...r.resilience, retries: RetryPolicy.none(), warnsNoPerTry: false } : r.resilience;
  // Mirroring a route marked non-idempotent is an error (VS-25): only mirror with other retry policies.
  const mirror = resilience.retries?.nonIdempotent ? undefined : r.mirrorPercentage;
  return {
    chartNamespace: r.chartNamespace, host, stable, canary, canaryWeight: r.canaryWeight,
    stableSubsetName: r.subsetNames?.[0], canarySubsetName: r.subsetNames?.[1],
    testMatches: r.testMatches, testRouteName: r.routeNames?.[0], primaryRouteName: r.routeNames?.[1],
    mirrorPercentage: mirror, gateways: r.gateways, extraHosts: r.extraHosts, port, name: r.name, namespace: r.namespace,
    resilience, policy: r.policy, entryPoint: r.entryPoint, inventory: r.inventory,
  };
})
  // DR-04 looks for the workloads of a cluster-local host by app=<service name>; a Deployment that happens to
  // carry that label for one version only would make the other subset select "none of the workloads".
  .filter(withinRetryBudget)
  .filter((s) => [s.stable, s.canary].every((sub) => sub.labels.app !== s.host.service && sub.labels['app.kubernetes.io/name'] !== s.host.service));

/** Warnings a valid CanaryService spec deserves. */
export function canaryWarnings(spec: CanarySpec): string[] {
  const out = [...trafficPolicyWarnings(spec.policy, spec.resilience.retries)];
  if (spec.resilience.warnsNoPerTry) out.push('VS-19');
  const mirror = spec.mirrorPercentage ?? 0;
  if (mirror > 0) {
    // The primary route has no method constraint, so mirroring includes writes (documented on mirrorPercentage).
    out.push('VS-25');
    // Mirroring to a canary that also gets live traffic sends those requests to it twice.
    if ((spec.canaryWeight ?? 0) > 0) out.push('VS-26');
  }
  out.push(...shortHostWarnings(spec.host, spec.namespace ?? spec.chartNamespace));
  // An ingress gateway outside the App can only be checked against a declared inventory.
  if (!spec.inventory && (spec.gateways ?? []).some((g) => g !== 'mesh')) out.push('VS-30');
  return out;
}

/**
 * X-04: a short host in an object without a namespace resolves wherever the object is applied. (A cdk8s-plus
 * Service without any namespace also yields a short host, but it is applied alongside, so X-04 passes.)
 */
function shortHostWarnings(host: HostSpec, namespace: string | undefined): string[] {
  return host.kind === 'short' && namespace === undefined ? ['X-04'] : [];
}

export interface BackendSpec {
  readonly chartNamespace?: string;
  readonly host: HostSpec;
  readonly routeName?: string;
  readonly port?: number;
  readonly name?: string;
  readonly namespace?: string;
  readonly resilience: ResilienceSpec;
  readonly policy: TrafficPolicySpec;
  readonly fault?: FaultInjection;
  readonly entryPoint?: boolean;
  readonly inventory: boolean;
}

const faultPercent = fc.oneof(fc.integer({ min: 0, max: 100 }), fc.double({ min: 0.0001, max: 100, noNaN: true }), fc.constantFrom(0.0001, 100));

export const faultInjection: fc.Arbitrary<FaultInjection> = fc.record({
  match: headerScopedMatch,
  delay: fc.option(fc.record({ fixedDelay: duration(10_000), percentage: faultPercent }), { nil: undefined }),
  abort: fc.option(fc.record({ httpStatus: fc.integer({ min: 200, max: 599 }), percentage: faultPercent }), { nil: undefined }),
}).filter((f) => f.delay !== undefined || f.abort !== undefined)
  .map((f) => Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)) as unknown as FaultInjection);

/** Valid ResilientBackend specs. */
export const backendSpec: fc.Arbitrary<BackendSpec> = fc.record({
  chartNamespace: fc.option(namespaceName, { nil: undefined }),
  host: hostSpec,
  routeName: fc.option(routeName.filter((n) => n !== 'fault-injection'), { nil: undefined }),
  name: fc.option(dnsLabel(), { nil: undefined }),
  namespace: fc.option(namespaceName, { nil: undefined }),
  resilience,
  policy: trafficPolicy(true),
  fault: fc.option(faultInjection, { nil: undefined }),
  entryPoint: fc.option(fc.boolean(), { nil: undefined }),
  inventory: fc.boolean(),
}).map((r): BackendSpec => {
  const host: HostSpec = r.host.kind === 'service' ? { ...r.host, selector: false } : r.host;
  const ports = host.kind === 'service' ? host.ports : undefined;
  const port = ports && ports.length > 1 ? ports[0] : undefined;
  return { ...r, host, port };
}).filter(withinRetryBudget);

/** Warnings a valid ResilientBackend spec deserves. */
export function backendWarnings(spec: BackendSpec): string[] {
  const out = [...trafficPolicyWarnings(spec.policy, spec.resilience.retries)];
  if (spec.resilience.warnsNoPerTry) out.push('VS-19');
  out.push(...shortHostWarnings(spec.host, spec.namespace ?? spec.chartNamespace));
  return out;
}

export interface ExternalSpec {
  readonly chartNamespace?: string;
  readonly props: ExternalDependencyProps;
  readonly warnsNoPerTry: boolean;
  readonly inventory: boolean;
}

const HTTP_FAMILY = [PortProtocol.HTTP, PortProtocol.HTTP2, PortProtocol.GRPC];
const TLS_FAMILY = [PortProtocol.HTTPS, PortProtocol.TLS];

const externalPort: fc.Arbitrary<ExternalPort> = fc.record({
  number: fc.oneof(fc.constantFrom(80, 443, 8080, 5432, 1, 65535), fc.integer({ min: 1, max: 65535 })),
  protocol: fc.constantFrom(...Object.values(PortProtocol)),
  name: fc.option(dnsLabel(10), { nil: undefined }),
  targetPort: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
}, { requiredKeys: ['number', 'protocol'] });

const tlsOrigination: fc.Arbitrary<TlsOrigination> = fc.oneof(
  { weight: 4, arbitrary: fc.record({
    sni: externalFqdn,
    caCertificates: fc.constantFrom('/etc/certs/ca.pem', '/etc/ssl/certs/ca-certificates.crt'),
    subjectAltNames: fc.uniqueArray(externalFqdn, { minLength: 1, maxLength: 2 }),
  }, { requiredKeys: [] }).chain((o) => fc.oneof(
    fc.constant(o),
    dnsLabel().map((credentialName) => ({ sni: o.sni, subjectAltNames: o.subjectAltNames, credentialName })),
  )).map((o) => TlsOrigination.simple(Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)))) },
  { weight: 1, arbitrary: fc.option(externalFqdn, { nil: undefined }).map((sni) => TlsOrigination.insecureSkipVerify(sni ? { sni } : {})) },
);

/** Valid ExternalDependency specs. */
export const externalSpec: fc.Arbitrary<ExternalSpec> = fc.record({
  chartNamespace: fc.option(namespaceName, { nil: undefined }),
  resolution: fc.option(fc.constantFrom(...Object.values(Resolution)), { nil: undefined }),
  hosts: fc.uniqueArray(externalFqdn, { minLength: 1, maxLength: 3, selector: (h) => h.toLowerCase() }),
  wildcard: fc.boolean(),
  ports: fc.uniqueArray(externalPort, { minLength: 1, maxLength: 3, selector: (p) => p.number })
    .filter((ports) => new Set(ports.map((p) => p.name ?? `${p.protocol.toLowerCase()}-${p.number}`)).size === ports.length),
  exportTo: fc.option(fc.oneof(
    fc.constant(['.']).map((l) => [...l]), fc.constant(['*']).map((l) => [...l]),
    fc.uniqueArray(fc.oneof(fc.constant('.'), namespaceName), { minLength: 1, maxLength: 3 }),
  ), { nil: undefined }),
  tls: fc.option(tlsOrigination, { nil: undefined }),
  name: fc.option(dnsLabel(), { nil: undefined }),
  namespace: fc.option(namespaceName, { nil: undefined }),
  resilience,
  policy: trafficPolicy(false),
  inventory: fc.boolean(),
}).map((r): ExternalSpec => {
  const resolution = r.resolution;
  // Wildcard hosts only with resolution NONE (SE-05).
  let hosts = r.hosts;
  if (r.wildcard && resolution === Resolution.NONE) hosts = [`*.${hosts[0]}`, ...hosts.slice(1)];
  // Several hosts with a resolving entry need HTTP or TLS ports (SE-06).
  let ports = r.ports;
  if (hosts.length > 1 && resolution !== Resolution.NONE) {
    ports = ports.map((p) => (HTTP_FAMILY.includes(p.protocol) || TLS_FAMILY.includes(p.protocol) ? p : { ...p, protocol: PortProtocol.HTTPS }));
    if (new Set(ports.map((p) => p.name ?? `${p.protocol.toLowerCase()}-${p.number}`)).size !== ports.length) ports = ports.map((p) => ({ ...p, name: undefined }));
  }
  const http = ports.some((p) => HTTP_FAMILY.includes(p.protocol));
  const wildcard = hosts.some((h) => h.startsWith('*'));
  // timeout/retries need an HTTP port (VS-29) and exact hosts (X-03); TLS origination needs an HTTP port (DR-14).
  const resilience = http && !wildcard ? r.resilience : { warnsNoPerTry: false };
  const tls = http ? r.tls : undefined;
  const props: ExternalDependencyProps = {
    hosts, ports,
    ...(resolution ? { resolution } : {}),
    ...(r.exportTo ? { exportTo: r.exportTo } : {}),
    ...(tls ? { tlsOrigination: tls } : {}),
    ...(r.name ? { name: r.name } : {}),
    ...(r.namespace ? { namespace: r.namespace } : {}),
    ...(resilience.retries ? { retries: resilience.retries } : {}),
    ...(resilience.timeout ? { timeout: resilience.timeout } : {}),
    ...r.policy,
  };
  return { chartNamespace: r.chartNamespace, props, warnsNoPerTry: resilience.warnsNoPerTry, inventory: r.inventory };
});

/** Warnings a valid ExternalDependency spec deserves. */
export function externalWarnings(spec: ExternalSpec): string[] {
  const p = spec.props;
  const out = [...trafficPolicyWarnings(p, p.retries)];
  if (spec.warnsNoPerTry) out.push('VS-19');
  // A TCP port without addresses shares 0.0.0.0:<port> with every other such entry (the construct has no
  // addresses prop; users suppress SE-04 with a reason or use HTTP/TLS).
  if (p.ports.some((port) => port.protocol === PortProtocol.TCP)) out.push('SE-04');
  // insecureSkipVerify is allowed but says so.
  if (p.tlsOrigination && (p.tlsOrigination.render('x.example') as any).insecureSkipVerify) out.push('DR-15');
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Builders: spec → props (creating cdk8s-plus objects in the chart)
// ---------------------------------------------------------------------------------------------------------

/** The host the construct will route, as the rules see it (for the inventory). */
export function hostOf(spec: HostSpec, chart: Chart): string {
  if (spec.kind === 'fqdn') return `${spec.service}.${spec.namespace}.svc.cluster.local`;
  if (spec.kind === 'short') return spec.service;
  const ns = spec.namespace ?? chart.namespace;
  return ns ? `${spec.service}.${ns}.svc.cluster.local` : spec.service;
}

/** Creates the host source: a string, or a cdk8s-plus Service in the chart. */
export function buildHost(spec: HostSpec, chart: Chart, selectLabels?: Record<string, string>): string | kplus.Service {
  if (spec.kind !== 'service') return hostOf(spec, chart);
  return new kplus.Service(chart, `svc-${spec.service}`, {
    metadata: { name: spec.service, ...(spec.namespace ? { namespace: spec.namespace } : {}) },
    ports: spec.ports.map((port, i) => ({ port, name: `http-${i}` })),
    ...(spec.selector && selectLabels ? { selector: kplus.Pods.select(chart, `pods-${spec.service}`, { labels: selectLabels }) } : {}),
  });
}

/** Creates the subset source: `{ labels }` or a cdk8s-plus Deployment whose pods carry the labels. */
export function buildSubset(spec: SubsetSpec, chart: Chart, id: string, extraPodLabels: Record<string, string> = {}): kplus.Deployment | { labels: Record<string, string> } {
  if (spec.kind === 'labels') return { labels: { ...spec.labels } };
  return new kplus.Deployment(chart, id, {
    podMetadata: { labels: { ...extraPodLabels, ...spec.labels } },
    containers: [{ image: 'nginx', portNumber: 8080, securityContext: { ensureNonRoot: false } }],
  });
}

/** CanaryService props for a spec, creating the referenced cdk8s-plus objects in `chart`. */
export function canaryProps(spec: CanarySpec, chart: Chart): CanaryServiceProps {
  const h = spec.host;
  // Pods of a selecting Service carry its selector label as well as the subset labels.
  const selector = h.kind === 'service' && h.selector ? { 'app.kubernetes.io/part-of': h.service } : undefined;
  const selectorExtra = selector ?? {};
  return {
    host: buildHost(h, chart, selector),
    stable: buildSubset(spec.stable, chart, 'deploy-stable', selectorExtra),
    canary: buildSubset(spec.canary, chart, 'deploy-canary', selectorExtra),
    ...(spec.canaryWeight !== undefined ? { canaryWeight: spec.canaryWeight } : {}),
    ...(spec.stableSubsetName ? { stableSubsetName: spec.stableSubsetName } : {}),
    ...(spec.canarySubsetName ? { canarySubsetName: spec.canarySubsetName } : {}),
    ...(spec.testMatches ? { testMatches: spec.testMatches } : {}),
    ...(spec.testRouteName ? { testRouteName: spec.testRouteName } : {}),
    ...(spec.primaryRouteName ? { primaryRouteName: spec.primaryRouteName } : {}),
    ...(spec.mirrorPercentage !== undefined ? { mirrorPercentage: spec.mirrorPercentage } : {}),
    ...(spec.gateways ? { gateways: spec.gateways } : {}),
    ...(spec.extraHosts ? { hosts: spec.extraHosts } : {}),
    ...(spec.port !== undefined ? { port: spec.port } : {}),
    ...(spec.name ? { name: spec.name } : {}),
    ...(spec.namespace ? { namespace: spec.namespace } : {}),
    ...(spec.resilience.retries ? { retries: spec.resilience.retries } : {}),
    ...(spec.resilience.timeout ? { timeout: spec.resilience.timeout } : {}),
    ...spec.policy,
    ...(spec.entryPoint !== undefined ? { entryPoint: spec.entryPoint } : {}),
  };
}

/** ResilientBackend props for a spec. */
export function backendProps(spec: BackendSpec, chart: Chart): ResilientBackendProps {
  return {
    host: buildHost(spec.host, chart),
    ...(spec.routeName ? { routeName: spec.routeName } : {}),
    ...(spec.port !== undefined ? { port: spec.port } : {}),
    ...(spec.name ? { name: spec.name } : {}),
    ...(spec.namespace ? { namespace: spec.namespace } : {}),
    ...(spec.resilience.retries ? { retries: spec.resilience.retries } : {}),
    ...(spec.resilience.timeout ? { timeout: spec.resilience.timeout } : {}),
    ...spec.policy,
    ...(spec.fault ? { faultInjection: spec.fault } : {}),
    ...(spec.entryPoint !== undefined ? { entryPoint: spec.entryPoint } : {}),
  };
}
