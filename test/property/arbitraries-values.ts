/**
 * Arbitraries for the VALID values the constructs take: names and hosts, durations, HTTP matches, retries with
 * timeouts that satisfy VS-19, and traffic policies (connection pool, outlier detection, load balancer,
 * locality failover). Re-exported by arbitraries.ts.
 */
import { Duration } from 'cdk8s';
import * as fc from 'fast-check';
import { CanaryServiceProps } from '../../src/constructs/canary-service';
import { ExternalDependencyProps, ExternalPort, PortProtocol, Resolution } from '../../src/constructs/external-dependency';
import { ResilientBackendProps } from '../../src/constructs/resilient-backend';
import { FaultInjection } from '../../src/policies/fault';
import { LoadBalancer, LoadBalancerAlgorithm, LocalityFailover } from '../../src/policies/load-balancer';
import { HttpMatch, HttpMethod } from '../../src/policies/match';
import { RetryOn, RetryPolicy, SAFE_RETRY_ON_FOR_WRITES } from '../../src/policies/retry';
import { TlsOrigination } from '../../src/policies/tls';
import { ConnectionPool, OutlierDetection } from '../../src/policies/traffic-policy';
import { yamlReadBackProblem } from '../../src/core/yaml';

/**
 * `fc.stringMatching`, without the strings cdk8s would write so that they read back as another type (`0o17`:
 * refused at synth with code YAML): valid props must synthesize.
 */
export const readableString = (pattern: RegExp): fc.Arbitrary<string> => fc.stringMatching(pattern).filter((s) => yamlReadBackProblem(s) === undefined);

// ---------------------------------------------------------------------------------------------------------
// Grammar primitives
// ---------------------------------------------------------------------------------------------------------

/** A DNS-1123 label (1-63 characters, here kept short so charts stay small). */
export const dnsLabel = (maxInner = 10): fc.Arbitrary<string> =>
  readableString(new RegExp(`^[a-z]([-a-z0-9]{0,${maxInner}}[a-z0-9])?$`));

/** A DNS-1123 label of exactly 63 characters (the maximum). */
export const longDnsLabel: fc.Arbitrary<string> = readableString(/^[a-z][-a-z0-9]{61}[a-z0-9]$/);

/** Namespaces (never the Istio root namespace, which has mesh-wide meaning for some kinds). */
export const namespaceName: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('bookinfo', 'shop', 'payments', 'default', 'team-a') },
  { weight: 1, arbitrary: dnsLabel(8) },
).filter((n) => n !== 'istio-system');

/** An external FQDN such as `api.pgprovider.example`; labels may use upper case (hosts are case-insensitive). */
export const externalFqdn: fc.Arbitrary<string> = fc.tuple(
  fc.array(readableString(/^[a-z0-9]([-a-z0-9]{0,12}[a-z0-9])?$/), { minLength: 1, maxLength: 3 }),
  fc.constantFrom('example', 'example.com', 'example.org', 'io', 'co.uk'),
).map(([labels, tld]) => `${labels.join('.')}.${tld}`);

/**
 * DNS-1123 labels that a YAML reader takes for a boolean, a number or null unless they are quoted (`yes`, `off`,
 * `null`, `017`, `0x1f`, `1e3`, …): valid namespace names and host labels, which must read back as strings.
 */
export const yamlLookalikeLabel: fc.Arbitrary<string> = fc.constantFrom(
  'yes', 'no', 'on', 'off', 'y', 'n', 'true', 'false', 'null', 'nan', 'inf', '0', '017', '08', '1e3', '0x1f', '0b101', '12e3',
).filter((l) => yamlReadBackProblem(l) === undefined);

/**
 * Valid external FQDNs built from YAML look-alike labels (`yes.null.example`, `017.io`), and whole hosts that YAML 1.2
 * readers take for a float (`1.5e3`, `6.02e23`: the top-level label is not all-numeric, so X-03 allows them).
 */
export const yamlLookalikeFqdn: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.array(yamlLookalikeLabel, { minLength: 1, maxLength: 2 }), fc.constantFrom('example', 'io', 'co.uk', 'null', 'yes', '1e3'))
    .map(([labels, tld]) => `${labels.join('.')}.${tld}`),
  fc.constantFrom('1.5e3', '0.5e3', '6.02e23', '1.0e1', '12.3e4', '0.0e0'),
);

/** Keys cdk8s cannot synthesize in a map (refused by the library, see regressions.test.ts). */
export const RESERVED_KEYS = ['__proto__', 'constructor'];

/** Kubernetes label keys: plain names and `prefix/name`. */
export const labelKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('app', 'version', 'track', 'app.kubernetes.io/name', 'app.kubernetes.io/version', 'tier') },
  { weight: 1, arbitrary: readableString(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,14}[A-Za-z0-9])?$/) },
  {
    weight: 1,
    arbitrary: fc.tuple(readableString(/^[a-z0-9]([-a-z0-9]{0,8}[a-z0-9])?(\.[a-z0-9]{1,6}){0,2}$/), readableString(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,10}[A-Za-z0-9])?$/))
      .map(([p, n]) => `${p}/${n}`),
  },
).filter((k) => !k.startsWith('cdk8s.io/') && !RESERVED_KEYS.includes(k));

/** Kubernetes label values (may be empty). */
export const labelValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: readableString(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,14}[A-Za-z0-9])?$/).filter((v) => !/^[-+]?0[oO]_?[0-7]/.test(v)) },
  // Valid label values that YAML readers take for numbers, booleans or null unless quoted: they must read back as strings.
  { weight: 1, arbitrary: fc.constantFrom('yes', 'on', 'off', 'y', 'n', 'true', 'False', 'null', '017', '0x1F', '0b101', '1_000', '1e3', '1.5', '12_3', '0', '08', '1E5') },
  { weight: 1, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: readableString(/^[a-z][-a-z0-9_.]{61}[a-z0-9]$/) },
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
  { weight: 2, arbitrary: readableString(/^[a-z0-9!#$%&'*+.^_`|~-]{1,20}$/) },
  { weight: 1, arbitrary: fc.constantFrom(':authority', ':path', ':scheme', ':method') },
).filter((h) => h !== 'cookie' && !RESERVED_KEYS.includes(h));

/** Header/query values: printable ASCII and some non-ASCII, no control characters. */
const printable: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: readableString(/^[A-Za-z0-9._~-]{1,16}$/) },
  { weight: 1, arbitrary: fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 16 }) },
  { weight: 1, arbitrary: fc.constantFrom('true', 'ünïcödé', '日本', 'a b') },
// cdk8s writes strings such as "0O0" unquoted and they read back as numbers (the YAML rule refuses them at synth).
).filter((s) => yamlReadBackProblem(s) === undefined);

/** RE2-compatible regexes (no look-around, no back-references). */
const re2Regex: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('.*mobile.*', '^/api/v[0-9]+/.*$', '(?i)chrome', 'v[12]', '[a-f0-9]{8}', '^(a|b)+$', '\\d+', 'x\\.y'),
  readableString(/^[a-z0-9]{1,10}$/).map((s) => `^${s}.*`),
);

const pathArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('/', '/api', '/api/v2/', '/login', '/health'),
  fc.array(readableString(/^[A-Za-z0-9._~%-]{1,8}$/), { minLength: 1, maxLength: 4 }).map((segs) => `/${segs.join('/')}`),
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
  readableString(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,12}$/),
  readableString(/^[!#$%&'()*+\-./0-9:<=>?@A-Z[\]^_`a-z{|}~]{0,12}$/),
).map(([name, value]) => ({ field: 'header:cookie', match: HttpMatch.cookie(name, value) }));

const queryName = readableString(/^[A-Za-z0-9_.-]{1,12}$/).filter((q) => !RESERVED_KEYS.includes(q));
const queryAtom: fc.Arbitrary<Atom> = fc.tuple(queryName, valueKind, printable, re2Regex)
  .map(([name, kind, value, regex]) => ({
    field: `query:${name}`,
    match: kind === 'regex' ? HttpMatch.queryParam(name).regex(regex)
      : kind === 'prefix' ? HttpMatch.queryParam(name).prefix(value) : HttpMatch.queryParam(name).exact(value),
  }));

const pathAtom: fc.Arbitrary<Atom> = fc.tuple(fc.constantFrom('prefix', 'exact', 'regex'), pathArb, re2Regex).map(([kind, path, regex]) => ({
  field: 'uri',
  match: kind === 'prefix' ? HttpMatch.pathPrefix(path) : kind === 'exact' ? HttpMatch.pathExact(path) : HttpMatch.pathRegex(regex),
}));

const methodAtom: fc.Arbitrary<Atom> = fc.oneof(
  fc.uniqueArray(fc.constantFrom(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS), { minLength: 1, maxLength: 3 }),
  fc.uniqueArray(fc.constantFrom(...Object.values(HttpMethod)), { minLength: 1, maxLength: 4 }),
).map((methods) => ({ field: 'method', match: HttpMatch.method(...methods) }));

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
    const { uri, ...rest } = m._render();
    const shadowed = kept.some((k) => {
      const { uri: kUri, ...kRest } = k._render();
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
  const method = m._render().method;
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
 * over the default budget of 10, although RetryPolicy itself accepts 1-10 attempts (an inconsistency reported, not changed).
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
  fc.tuple(readableString(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,12}$/), fc.option(duration(86_400_000), { nil: undefined }))
    .map(([n, ttl]) => LoadBalancer.consistentHashByCookie(n, ttl)),
  fc.constant(LoadBalancer.consistentHashBySourceIp()),
  readableString(/^[A-Za-z0-9_.-]{1,12}$/).map((q) => LoadBalancer.consistentHashByQueryParameter(q)),
);

const regionName = readableString(/^[a-z]{2}-[a-z]{4,7}[1-4]$/);
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
