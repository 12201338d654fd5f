/**
 * fast-check arbitraries for VALID props of the three constructs (CanaryService, ResilientBackend,
 * ExternalDependency); the value arbitraries they are built from are in arbitraries-values.ts (re-exported here),
 * the builders that turn specs into props in builders.ts, whole apps in app-arbitraries.ts.
 *
 * The arbitraries produce plain "specs" (data plus immutable value objects such as `HttpMatch` and
 * `RetryPolicy`); cdk8s-plus `Service`s and `Deployment`s are described by data and created in the chart by
 * the builders, so one spec can be synthesized twice (determinism) and prints readably when a property fails.
 *
 * Every spec also says which warnings it legitimately deserves (`canaryWarnings`, …): valid input may still be
 * "legal but likely unintended" in a documented way (mirroring without a method constraint, VS-25). The
 * properties assert that exactly those warnings, and no others, are reported.
 */
import * as fc from 'fast-check';
import {
  dnsLabel, durationOf, externalFqdn, httpMatch, labelKey, labelMap, labelValue, namespaceName, resilience, ResilienceSpec,
  testMatches, trafficPolicy, TrafficPolicySpec, trafficPolicyWarnings, withinRetryBudget, writeSafe, admitsWrites, headerScopedMatch, duration,
} from './arbitraries-values';
import { CanaryServiceProps } from '../../src/constructs/canary-service';
import { ExternalDependencyProps, ExternalPort, PortProtocol, Resolution } from '../../src/constructs/external-dependency';
import { ResilientBackendProps } from '../../src/constructs/resilient-backend';
import { FaultInjection } from '../../src/policies/fault';
import { LoadBalancer, LoadBalancerAlgorithm, LocalityFailover } from '../../src/policies/load-balancer';
import { HttpMatch, HttpMethod } from '../../src/policies/match';
import { RetryOn, RetryPolicy, SAFE_RETRY_ON_FOR_WRITES } from '../../src/policies/retry';
import { TlsOrigination } from '../../src/policies/tls';
import { ConnectionPool, OutlierDetection } from '../../src/policies/traffic-policy';

export * from './arbitraries-values';

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
  const mirror = resilience.retries?.forWrites ? undefined : r.mirrorPercentage;
  return {
    chartNamespace: r.chartNamespace, host, stable, canary, canaryWeight: r.canaryWeight,
    stableSubsetName: r.subsetNames?.[0], canarySubsetName: r.subsetNames?.[1],
    testMatches: r.testMatches, testRouteName: r.routeNames?.[0], primaryRouteName: r.routeNames?.[1],
    // Bound only to gateways, the VirtualService would serve only `hosts` (tested in the HostTraffic suites): these
    // specs keep the mesh binding, so the service host stays the VirtualService's first host.
    mirrorPercentage: mirror, gateways: r.gateways && !r.gateways.includes('mesh') ? [...r.gateways, 'mesh'] : r.gateways,
    extraHosts: r.extraHosts, port, name: r.name, namespace: r.namespace,
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
 * a short host in an object without a namespace resolves wherever the object is applied. (A cdk8s-plus
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

export const HTTP_FAMILY = [PortProtocol.HTTP, PortProtocol.HTTP2, PortProtocol.GRPC];
export const TLS_FAMILY = [PortProtocol.HTTPS, PortProtocol.TLS];

export const externalPort: fc.Arbitrary<ExternalPort> = fc.record({
  number: fc.oneof(fc.constantFrom(80, 443, 8080, 5432, 1, 65535), fc.integer({ min: 1, max: 65535 })),
  protocol: fc.constantFrom(...Object.values(PortProtocol)),
  name: fc.option(dnsLabel(10), { nil: undefined }),
  targetPort: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
}, { requiredKeys: ['number', 'protocol'] });

/** CA from a file, from a Secret (credentialName), or the default system bundle. */
const caSource = fc.oneof(
  fc.constant({}),
  fc.constantFrom('/etc/certs/ca.pem', '/etc/ssl/certs/ca-certificates.crt').map((caCertificates) => ({ caCertificates })),
  dnsLabel().map((credentialName) => ({ credentialName })),
);

export const tlsOrigination: fc.Arbitrary<TlsOrigination> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.tuple(fc.option(externalFqdn, { nil: undefined }), caSource, fc.option(fc.uniqueArray(externalFqdn, { minLength: 1, maxLength: 2 }), { nil: undefined }))
      .map(([sni, ca, subjectAltNames]) => TlsOrigination.simple({ ...(sni ? { sni } : {}), ...ca, ...(subjectAltNames ? { subjectAltNames } : {}) })),
  },
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
  // DYNAMIC_DNS: every host a "*.domain" wildcard (SE-01), HTTP, HTTP2, GRPC or TLS ports only (SE-05).
  let ports = r.ports;
  if (resolution === Resolution.DYNAMIC_DNS) {
    hosts = hosts.map((h) => `*.${h}`);
    ports = ports.map((p) => ([PortProtocol.HTTP, PortProtocol.HTTP2, PortProtocol.GRPC, PortProtocol.TLS].includes(p.protocol) ? p : { ...p, protocol: PortProtocol.TLS }));
    if (new Set(ports.map((p) => p.name ?? `${p.protocol.toLowerCase()}-${p.number}`)).size !== ports.length) ports = ports.map((p) => ({ ...p, name: undefined }));
  }
  // Several hosts with a resolving entry need HTTP or TLS ports (SE-06).
  if (hosts.length > 1 && resolution !== Resolution.NONE) {
    ports = ports.map((p) => (HTTP_FAMILY.includes(p.protocol) || TLS_FAMILY.includes(p.protocol) ? p : { ...p, protocol: PortProtocol.HTTPS }));
    if (new Set(ports.map((p) => p.name ?? `${p.protocol.toLowerCase()}-${p.number}`)).size !== ports.length) ports = ports.map((p) => ({ ...p, name: undefined }));
  }
  const http = ports.some((p) => HTTP_FAMILY.includes(p.protocol));
  const wildcard = hosts.some((h) => h.startsWith('*'));
  // timeout/retries need an HTTP port (VS-29) and exact hosts; TLS origination needs an HTTP port (DR-14).
  const resilience = http && !wildcard ? r.resilience : { warnsNoPerTry: false };
  // A wildcard host needs an explicit, concrete SNI for TLS origination (DR-14).
  const tls = http && !(wildcard && r.tls && r.tls._sni('*') === '*') ? r.tls : undefined;
  // "." is the object's own namespace: listing both is a duplicate Istio rejects.
  const ownNs = r.namespace ?? r.chartNamespace;
  const given: string[] | undefined = r.exportTo as string[] | undefined;
  const exportTo = given && given.includes('.') && ownNs && given.includes(ownNs) ? given.filter((e) => e !== ownNs) : given;
  const props: ExternalDependencyProps = {
    hosts, ports,
    ...(resolution ? { resolution } : {}),
    ...(exportTo ? { exportTo } : {}),
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
  // insecureSkipVerify is allowed but says so; a credentialName CA reaches sidecars only with a workloadSelector,
  // which ExternalDependency does not set (reported: the option only helps gateways).
  const tls = p.tlsOrigination?._render('x.example');
  if (tls && (tls.insecureSkipVerify || tls.credentialName)) out.push('DR-15');
  return out;
}
