/**
 * EgressLockdown: random Apps of 1-3 namespaces with ExternalDependencies (hosts with YAML look-alike labels, exportTo
 * ".", "*" or a list, with or without an egress gateway), CanaryServices and ResilientBackends declaring `calls`
 * (constructs and hosts, in-cluster and external, spelled in upper case or with a trailing dot), and a lockdown in some
 * namespaces (extra `hosts`, `istioNamespace`, `networkPolicy`).
 *
 * 1. synth succeeds, or throws an IstioValidationError whose codes are SC-05, SC-06, SC-01, PROP or X-xx, with a path;
 * 2. on success every Istio object passes the CRD schema and CEL, and the YAML reads back equal under YAML 1.1 and 1.2;
 * 3. the Sidecar's egress hosts are distinct, start with "./*" and "<istioNamespace>/*", pass SC-01's grammar, keep
 *    every extra host, and import what the namespace calls (the in-cluster namespaces, a visible ServiceEntry, the egress
 *    gateway's VirtualService and Service); the NetworkPolicy allows exactly those namespaces;
 * 4. an oracle computed from the model, by Istio semantics: synth fails exactly when an external host called from a
 *    locked namespace has no ServiceEntry visible there (SC-05) or, with networkPolicy, no visible egress-gateway route
 *    (SC-06); in a namespace that inherits a lockdown of the root namespace (istio-system), also when no visible entry is
 *    imported by that Sidecar's egress hosts (taken as rendered); the violations are exactly those.
 *
 * Hostile props (wrong types, Proxies and getters that throw, Object.create(null), huge lists) are refused at
 * construction with PROP or SC-01 (X-03 for a malformed `calls` host), in bounded time, leaving nothing behind;
 * hand-written junk Istio objects next to a lockdown never crash its synth-time derivation.
 *
 * The library bugs this suite found (A-F, fixed) are reproduced at the end as regressions.
 */
import { isDeepStrictEqual } from 'util';
import { ApiObject } from 'cdk8s';
import * as fc from 'fast-check';
import {
  BackendSpec, backendSpec, CanarySpec, canarySpec, dnsLabel, externalFqdn, externalSpec, HostSpec, namespaceName,
  yamlLookalikeFqdn, yamlLookalikeLabel,
} from './arbitraries';
import { backendProps, canaryProps } from './builders';
import { coverage, expectDeterministic, harness, Harness, params, RUNS, schemaIssues, timeoutFor, yamlSample } from './harness';
import { badCalls, badLabel, badName, Thunk, wrongType } from './hostile';
import { CanaryService } from '../../src/constructs/canary-service';
import { CallTarget } from '../../src/constructs/common';
import { EgressLockdown, EgressLockdownProps } from '../../src/constructs/egress-lockdown';
import { ExternalDependency, ExternalDependencyProps, ExternalPort, PortProtocol, Resolution } from '../../src/constructs/external-dependency';
import { ResilientBackend } from '../../src/constructs/resilient-backend';
import { IstioValidationError } from '../../src/core/errors';
import { sidecarEgressHostProblem } from '../../src/core/sidecar';
import { META_CODES } from '../../src/engine/docs';
import { CALLS_ANNOTATION } from '../../src/engine/intent';
import { HttpMatch } from '../../src/policies/match';
import { RetryPolicy } from '../../src/policies/retry';
import { RULES } from '../../src/rules';

/** Whole multi-namespace Apps cost a few dozen objects per run: a fifth of RUNS, at least 100 (20,000 deep; the outcome coverage below searches further runs when these miss one). */
const APP_RUNS = Math.max(100, Math.floor(RUNS / 5));
const HOSTILE_RUNS = Math.max(100, Math.floor(RUNS / 2));
/** One hostile construction (plus the synth after it) taking longer than this counts as a hang. */
const HANG_MS = 2000;
/** Chart id of the harness: construct paths are `test/<id>`. */
const CHART_ID = 'test';
const CLUSTER_SUFFIX = '.svc.cluster.local';
const DEFAULT_ISTIO_NAMESPACE = 'istio-system';
const DEFAULT_EGRESS_GATEWAY = 'istio-egressgateway.istio-system.svc.cluster.local';
const HTTP_FAMILY: string[] = [PortProtocol.HTTP, PortProtocol.HTTP2, PortProtocol.GRPC];
const TLS_FAMILY: string[] = [PortProtocol.HTTPS, PortProtocol.TLS];
/** Every code an error may carry: the catalogue rules and the documented meta codes. */
const KNOWN_CODES = new Set([...RULES.map((r) => r.code), ...META_CODES.map((m) => m.code)]);

// ---------------------------------------------------------------------------------------------------------
// The model: what the App declares, with every value resolved (what the oracle reads)
// ---------------------------------------------------------------------------------------------------------

/** What a call names: an ExternalDependency or service construct (`CallTarget.of`), or a host (`CallTarget.host`). */
type Target =
  | { readonly kind: 'ext'; readonly ext: number }
  | { readonly kind: 'svc'; readonly svc: number }
  | { readonly kind: 'host'; readonly host: string };

interface ExtModel {
  readonly id: string;
  readonly namespace: string;
  readonly props: ExternalDependencyProps;
  /** Namespaces that see its ServiceEntry and VirtualServices (`*`: every namespace). */
  readonly visibleTo: '*' | readonly string[];
  /** The egress gateway Service its mesh routes send the traffic to, when it routes through one. */
  readonly gateway?: { readonly host: string; readonly namespace: string };
}

interface ServiceModel {
  readonly id: string;
  readonly kind: 'canary' | 'backend';
  readonly namespace: string;
  /** `svc<i>.<namespace>.svc.cluster.local`. */
  readonly host: string;
  readonly spec: CanarySpec | BackendSpec;
  readonly calls: readonly Target[];
  /** Declared with the `calls` prop (true) or the `.calls()` method (false). */
  readonly viaProp: boolean;
}

interface LockModel {
  readonly id: string;
  readonly namespace: string;
  readonly props: EgressLockdownProps;
  readonly calls: readonly Target[];
  readonly istioNamespace: string;
  readonly networkPolicy: boolean;
  readonly extras: readonly string[];
}

interface Model {
  readonly chartNamespace?: string;
  readonly namespaces: readonly string[];
  readonly externals: readonly ExtModel[];
  readonly services: readonly ServiceModel[];
  readonly locks: readonly LockModel[];
}

// ---------------------------------------------------------------------------------------------------------
// Istio semantics, written out independently of the library
// ---------------------------------------------------------------------------------------------------------

/** A called host as the caller's sidecar resolves it: lower case, no trailing dot, short names in the caller's namespace. */
function resolveHost(raw: string, namespace: string): string {
  const h = (raw.endsWith('.') ? raw.slice(0, -1) : raw).toLowerCase();
  return h.includes('.') || h.startsWith('*') ? h : `${h}.${namespace}${CLUSTER_SUFFIX}`;
}

/** Whether the host pattern (`*`, `*.suffix` or an FQDN) covers the concrete host. */
function covers(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  return p === '*' || p === host || (p.startsWith('*.') && host.endsWith(p.slice(1)));
}

/**
 * The namespace of the in-cluster Service a pod reaches by this name, or undefined for a host outside the cluster:
 * `name.ns.svc.cluster.local`, or the DNS search-path forms `name.ns` and `name.ns.svc` of a Service of the App.
 */
function clusterNamespaceOf(host: string, serviceHosts: ReadonlySet<string>): string | undefined {
  if (host.endsWith(CLUSTER_SUFFIX)) {
    const labels = host.slice(0, -CLUSTER_SUFFIX.length).split('.');
    return labels[labels.length - 1];
  }
  const labels = host.split('.');
  if (labels.length === 2 || (labels.length === 3 && labels[2] === 'svc')) {
    if (serviceHosts.has(`${labels[0]}.${labels[1]}${CLUSTER_SUFFIX}`)) return labels[1];
  }
  return undefined;
}

/** Whether a Sidecar of `sidecarNamespace` with these egress hosts imports `host` from an object of `objectNamespace`. */
function imports(egress: readonly string[], sidecarNamespace: string, objectNamespace: string, host: string): boolean {
  return egress.some((e) => {
    const slash = e.indexOf('/');
    const ns = e.slice(0, slash);
    if (ns === '~') return false;
    const nsMatches = ns === '*' || (ns === '.' ? sidecarNamespace : ns.toLowerCase()) === objectNamespace;
    return nsMatches && covers(e.slice(slash + 1), host);
  });
}

const visibleIn = (e: ExtModel, namespace: string) => e.visibleTo === '*' || e.visibleTo.includes(namespace);

function hostsOf(m: Model, t: Target): readonly string[] {
  if (t.kind === 'ext') return m.externals[t.ext].props.hosts;
  if (t.kind === 'svc') return [m.services[t.svc].host];
  return [t.host];
}

/** The callers of a namespace: its services' VirtualServices and its lockdown's Sidecar, by construct path. */
function callersIn(m: Model, namespace: string): Array<{ path: string; calls: readonly Target[] }> {
  return [
    ...m.services.filter((s) => s.namespace === namespace).map((s) => ({ path: `${CHART_ID}/${s.id}`, calls: s.calls })),
    ...m.locks.filter((l) => l.namespace === namespace).map((l) => ({ path: `${CHART_ID}/${l.id}`, calls: l.calls })),
  ];
}

/** What the oracle expects of one lockdown. */
interface LockExpectation {
  readonly lock: LockModel;
  /** `<code> <caller path> <host>` of every expected error. */
  readonly violations: Set<string>;
  /** Namespaces the NetworkPolicy must allow besides the namespace itself. */
  readonly allowed: Set<string>;
  /** Every host the Sidecar must import, from an object of one of the namespaces. */
  readonly imports: Array<{ readonly host: string; readonly from: readonly string[]; readonly why: string }>;
}

/**
 * Istio's root namespace (MeshConfig rootNamespace, istio-system by default): its selector-less Sidecar is the default
 * of every namespace that has none of its own, "." meaning the workload's namespace.
 */
const ROOT_NAMESPACE = 'istio-system';

/**
 * The errors the oracle expects: per lockdown (property 3's expectations too), and in the namespaces without a lockdown
 * of their own that inherit a lockdown of the root namespace, whose Sidecar's egress hosts (`rootEgress`, as emitted:
 * property 3 checks them) must import a visible ServiceEntry of each external host they call.
 */
function expectations(m: Model, rootEgress?: readonly string[]): { locks: LockExpectation[]; violations: Set<string> } {
  const locks = lockExpectations(m);
  const violations = new Set(locks.flatMap((x) => [...x.violations]));
  const root = m.locks.find((l) => l.namespace === ROOT_NAMESPACE);
  const serviceHosts = new Set(m.services.map((s) => s.host));
  for (const ns of root ? m.namespaces.filter((n) => !m.locks.some((l) => l.namespace === n)) : []) {
    for (const caller of callersIn(m, ns)) {
      for (const raw of caller.calls.flatMap((t) => hostsOf(m, t))) {
        const host = resolveHost(raw, ns);
        if (host.startsWith('*') || clusterNamespaceOf(host, serviceHosts) !== undefined) continue;
        const visible = m.externals.filter((e) => visibleIn(e, ns) && e.props.hosts.some((p) => covers(p, host)));
        if (visible.length === 0 || (rootEgress && !visible.some((e) => imports(rootEgress, ns, e.namespace, host)))) violations.add(`SC-05 ${caller.path} ${host}`);
      }
    }
  }
  return { locks, violations };
}

function lockExpectations(m: Model): LockExpectation[] {
  const serviceHosts = new Set(m.services.map((s) => s.host));
  return m.locks.map((lock) => {
    const ns = lock.namespace;
    const out: LockExpectation = { lock, violations: new Set(), allowed: new Set([lock.istioNamespace]), imports: [] };
    for (const caller of callersIn(m, ns)) {
      for (const raw of caller.calls.flatMap((t) => hostsOf(m, t))) {
        const host = resolveHost(raw, ns);
        // A wildcard call names no single host: the rules do not check it (documented on SC-05), neither does the oracle.
        if (host.startsWith('*')) continue;
        const inCluster = clusterNamespaceOf(host, serviceHosts);
        if (inCluster !== undefined) {
          if (inCluster !== ns) {
            out.allowed.add(inCluster);
            out.imports.push({ host: host.endsWith(CLUSTER_SUFFIX) ? host : `${host.split('.').slice(0, 2).join('.')}${CLUSTER_SUFFIX}`, from: [inCluster], why: `the in-cluster service ${raw} that ${caller.path} calls` });
          }
          continue;
        }
        const visible = m.externals.filter((e) => visibleIn(e, ns) && e.props.hosts.some((p) => covers(p, host)));
        if (visible.length === 0) out.violations.add(`SC-05 ${caller.path} ${host}`);
        else out.imports.push({ host, from: visible.map((e) => e.namespace), why: `a ServiceEntry of ${host}, which ${caller.path} calls` });
        const routed = visible.filter((e) => e.gateway && e.props.hosts.some((p) => p.toLowerCase() === host));
        if (lock.networkPolicy && routed.length === 0) out.violations.add(`SC-06 ${caller.path} ${host}`);
        for (const r of routed) {
          if (r.gateway!.namespace !== ns) out.allowed.add(r.gateway!.namespace);
          out.imports.push({ host, from: [r.namespace], why: `the VirtualService of ${r.id} that sends ${host} to the egress gateway` });
          out.imports.push({ host: r.gateway!.host, from: [r.gateway!.namespace], why: `the egress gateway Service that ${host} goes through` });
        }
      }
    }
    return out;
  });
}

// ---------------------------------------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------------------------------------

const spelling = fc.constantFrom('as-is', 'as-is', 'upper', 'dot');
const spell = (host: string, how: string) => (how === 'upper' ? host.toUpperCase() : how === 'dot' ? `${host}.` : host);

/** A call before it is resolved against the App (indexes are taken modulo what exists). */
const rawCall = fc.record({
  kind: fc.constantFrom('ext-of', 'ext-of', 'ext-host', 'ext-host', 'external', 'svc-of', 'svc-host', 'cluster'),
  a: fc.nat(), b: fc.nat(),
  label: fc.oneof(dnsLabel(6), yamlLookalikeLabel),
  spelling,
  form: fc.constantFrom('fqdn', 'short', 'search', 'search-svc'),
  clusterNs: fc.oneof(fc.nat(2).map((i) => ({ app: i })), fc.constantFrom('shared', 'yes', '017')),
});
type RawCall = typeof rawCall extends fc.Arbitrary<infer T> ? T : never;

/** Extra egress hosts, valid by Istio's grammar: namespace `*`, `.`, `~` or a name; dnsName `*`, `*.suffix` or an FQDN. */
const extraEgressHost: fc.Arbitrary<string> = fc.tuple(
  fc.oneof(fc.constantFrom('*', '.', '~', 'istio-system', 'monitoring'), namespaceName, yamlLookalikeLabel),
  fc.oneof(
    fc.constant('*'), externalFqdn, externalFqdn.map((h) => `*.${h}`), yamlLookalikeFqdn,
    fc.tuple(dnsLabel(6), fc.oneof(namespaceName, yamlLookalikeLabel)).map(([s, n]) => `${s}.${n}${CLUSTER_SUFFIX}`),
  ),
).map(([ns, name]) => `${ns}/${name}`);

const rawExternal = fc.record({
  spec: externalSpec,
  ns: fc.nat(2),
  explicitNs: fc.boolean(),
  exportTo: fc.oneof(
    fc.constant(undefined), fc.constant(['.']), fc.constant(['*']),
    fc.array(fc.oneof(fc.constant('.'), fc.nat(2).map((i) => ({ app: i })), fc.constantFrom('elsewhere', 'yes')), { minLength: 1, maxLength: 3 }),
  ),
  gateway: fc.option(fc.record({
    host: fc.option(fc.tuple(fc.constantFrom('egressgateway', 'egress'), fc.oneof(fc.constantFrom('istio-system', 'egress-gw'), fc.nat(2).map((i) => ({ app: i })), yamlLookalikeLabel)), { nil: undefined }),
    selector: fc.option(fc.constant({ app: 'egress' }), { nil: undefined }),
  }, { requiredKeys: [] }), { freq: 2, nil: undefined }),
});

const rawService = fc.record({
  spec: fc.oneof(canarySpec.map((s) => ({ kind: 'canary' as const, s })), backendSpec.map((s) => ({ kind: 'backend' as const, s }))),
  ns: fc.nat(2),
  explicitNs: fc.boolean(),
  calls: fc.array(rawCall, { maxLength: 3 }),
  viaProp: fc.boolean(),
});

const rawLock = fc.record({
  lock: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  explicitNs: fc.boolean(),
  name: fc.option(dnsLabel(), { nil: undefined }),
  istio: fc.oneof(
    { weight: 4, arbitrary: fc.constant<string | { app: number } | undefined>(undefined) },
    { weight: 1, arbitrary: fc.constantFrom<string | { app: number } | undefined>('istio-system', 'mesh-root', 'own') },
    { weight: 1, arbitrary: yamlLookalikeLabel },
    { weight: 1, arbitrary: fc.nat(2).map((i) => ({ app: i })) },
  ),
  networkPolicy: fc.option(fc.boolean(), { nil: undefined }),
  extras: fc.option(fc.array(extraEgressHost, { maxLength: 3 }), { nil: undefined }),
  calls: fc.array(rawCall, { maxLength: 3 }),
});

const rawApp = fc.record({
  namespaces: fc.uniqueArray(fc.oneof(
    { weight: 6, arbitrary: namespaceName }, { weight: 2, arbitrary: yamlLookalikeLabel },
    // The root namespace: a lockdown there is the default Sidecar of every namespace without one.
    { weight: 1, arbitrary: fc.constant(ROOT_NAMESPACE) },
  ), { minLength: 1, maxLength: 3 }),
  chartNamespace: fc.boolean(),
  hostPool: fc.uniqueArray(fc.oneof({ weight: 3, arbitrary: externalFqdn }, { weight: 1, arbitrary: yamlLookalikeFqdn }), { minLength: 14, maxLength: 16, selector: (h) => h.toLowerCase() }),
  externals: fc.array(rawExternal, { maxLength: 4 }),
  services: fc.array(rawService, { maxLength: 4 }),
  locks: fc.array(rawLock, { minLength: 3, maxLength: 3 }),
  /** Pool hosts that become a subdomain of the previous one (`api.<previous>`), so wildcard entries cover other entries' hosts. */
  nested: fc.array(fc.tuple(fc.boolean(), fc.oneof(dnsLabel(4), yamlLookalikeLabel)), { minLength: 16, maxLength: 16 }),
  /** Drop the calls the oracle expects to fail, so that about half the Apps synthesize. */
  repair: fc.boolean(),
});

const strip = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** With an egress gateway, TCP ports become TLS: the construct routes only HTTP and TLS ports through the gateway (see the report). */
const gatewayPorts = (ports: readonly ExternalPort[]): ExternalPort[] => ports.map((p) => (p.protocol === PortProtocol.TCP ? { ...p, protocol: PortProtocol.TLS } : p));

function buildModel(r: typeof rawApp extends fc.Arbitrary<infer T> ? T : never): Model {
  const namespaces = r.namespaces;
  // `x.<previous>` chains (a wildcard on one covers the next); a host that comes out twice or too long is left as generated.
  const pool: string[] = [];
  r.hostPool.forEach((h, i) => {
    const nested = i > 0 && r.nested[i][0] ? `${r.nested[i][1]}.${pool[i - 1]}` : h;
    pool.push(nested.length <= 200 && !pool.includes(nested) && !r.hostPool.includes(nested) ? nested : h);
  });
  const nsAt = (i: number) => namespaces[i % namespaces.length];
  const chartNamespace = r.chartNamespace ? namespaces[0] : undefined;
  // A construct in the chart's namespace may leave `namespace` out; elsewhere it must name it.
  const nsProp = (ns: string, explicit: boolean) => (explicit || ns !== chartNamespace ? ns : undefined);
  let cursor = 0;
  const externals: ExtModel[] = r.externals.map((x, i) => {
    const ns = nsAt(x.ns);
    const resolution = x.spec.props.resolution ?? Resolution.DNS;
    // The shared externalSpec draws every Resolution: DYNAMIC_DNS takes only wildcard hosts and HTTP-family or TLS ports (SE-01, SE-05).
    const dynamic = (resolution as string) === 'DYNAMIC_DNS';
    const base = dynamic ? { ...x.spec.props, tlsOrigination: x.spec.props.hosts.every((h) => h.startsWith('*.')) ? x.spec.props.tlsOrigination : undefined, ports: x.spec.props.ports.map((p) => (p.protocol === PortProtocol.TCP || p.protocol === PortProtocol.HTTPS ? { ...p, protocol: PortProtocol.TLS } : p)) } : x.spec.props;
    const hosts = base.hosts.map((h) => (h.startsWith('*.') || dynamic ? `*.${pool[cursor++]}` : pool[cursor++]));
    const canRoute = resolution !== Resolution.NONE && hosts.every((h) => !h.startsWith('*'));
    const gw = canRoute ? x.gateway : undefined;
    const gatewayHost = gw?.host ? `${gw.host[0]}.${typeof gw.host[1] === 'string' ? gw.host[1] : nsAt(gw.host[1].app)}${CLUSTER_SUFFIX}` : undefined;
    let exportTo: string[] | undefined;
    if (x.exportTo !== undefined) {
      const entries = x.exportTo.map((e) => (typeof e === 'string' ? e : nsAt(e.app)));
      exportTo = [...new Set(entries)];
      // "." is the entry's own namespace: listing both is a duplicate (X-05).
      if (exportTo.includes('.')) exportTo = exportTo.filter((e) => e !== ns);
    }
    const props: ExternalDependencyProps = strip({
      ...base, hosts, name: `ext${i}`, namespace: nsProp(ns, x.explicitNs), exportTo, retries: undefined, timeout: undefined,
      ports: gw ? gatewayPorts(base.ports) : base.ports,
      egressGateway: gw ? strip({ host: gatewayHost, selector: gw.selector }) : undefined,
    });
    const gateway = gw ? { host: gatewayHost ?? DEFAULT_EGRESS_GATEWAY, namespace: (gatewayHost ?? DEFAULT_EGRESS_GATEWAY).split('.')[1] } : undefined;
    // Documented on ExternalDependency: the egress gateway's namespace is added to exportTo so the gateway sees the objects.
    const declared = (exportTo ?? ['.']).map((e) => (e === '.' ? ns : e));
    const visibleTo = declared.includes('*') ? '*' as const : [...new Set([...declared, ...(gateway ? [gateway.namespace] : [])])];
    // Only HTTP and TLS ports get routes through the gateway.
    const routed = gateway && props.ports.some((p) => HTTP_FAMILY.includes(p.protocol) || TLS_FAMILY.includes(p.protocol));
    return { id: `ext${i}`, namespace: ns, props, visibleTo, ...(routed ? { gateway } : {}) };
  });

  const serviceNs = r.services.map((s) => nsAt(s.ns));
  const resolveCall = (c: RawCall, callerIndex: number | undefined): Target => {
    const svcCount = callerIndex === undefined ? r.services.length : callerIndex; // services call only earlier ones (no cycles, CC-04)
    const clusterHost = () => `orders.${typeof c.clusterNs === 'string' ? c.clusterNs : nsAt(c.clusterNs.app)}${CLUSTER_SUFFIX}`;
    switch (c.kind) {
      case 'ext-of':
        return externals.length > 0 ? { kind: 'ext', ext: c.a % externals.length } : { kind: 'host', host: spell(pool[c.a % pool.length], c.spelling) };
      case 'ext-host': {
        if (externals.length === 0) return { kind: 'host', host: clusterHost() };
        const hosts = externals[c.a % externals.length].props.hosts;
        const h = hosts[c.b % hosts.length];
        return { kind: 'host', host: spell(h.startsWith('*.') ? `${c.label}${h.slice(1)}` : h, c.spelling) };
      }
      case 'external':
        return { kind: 'host', host: spell(pool[(cursor + c.a) % pool.length], c.spelling) };
      case 'svc-of':
        return svcCount > 0 ? { kind: 'svc', svc: c.a % svcCount } : { kind: 'host', host: clusterHost() };
      case 'svc-host': {
        if (svcCount === 0) return { kind: 'host', host: clusterHost() };
        const j = c.a % svcCount;
        const ns = serviceNs[j];
        const service = `svc${j}`;
        // The search-path forms need a top-level label that is not all digits (X-03).
        const form = /^[0-9]+$/.test(ns) && c.form.startsWith('search') ? 'fqdn' : c.form;
        const host = form === 'short' ? service : form === 'search' ? `${service}.${ns}` : form === 'search-svc' ? `${service}.${ns}.svc` : `${service}.${ns}${CLUSTER_SUFFIX}`;
        return { kind: 'host', host: spell(host, c.spelling) };
      }
      default:
        return { kind: 'host', host: clusterHost() };
    }
  };

  const services: ServiceModel[] = r.services.map((s, i) => {
    const ns = serviceNs[i];
    const service = `svc${i}`;
    const host: HostSpec = { kind: 'fqdn', service, namespace: ns };
    const common = {
      host, chartNamespace, namespace: nsProp(ns, s.explicitNs), name: undefined, port: undefined, inventory: false,
      // No retries anywhere, no timeouts: the call-chain rules (CC-01..CC-03) stay out of the way of the lockdown's.
      resilience: { retries: RetryPolicy.none(), warnsNoPerTry: false }, entryPoint: undefined,
    };
    const spec: CanarySpec | BackendSpec = s.spec.kind === 'canary'
      ? {
        ...s.spec.s, ...common, extraHosts: undefined,
        // Workloads (Deployments) are created in the chart's namespace: elsewhere the subsets are label selectors.
        ...(ns === chartNamespace ? {} : { stable: { kind: 'labels' as const, labels: s.spec.s.stable.labels }, canary: { kind: 'labels' as const, labels: s.spec.s.canary.labels } }),
      }
      : { ...s.spec.s, ...common };
    return { id: service, kind: s.spec.kind, namespace: ns, host: `${service}.${ns}${CLUSTER_SUFFIX}`, spec, calls: s.calls.map((c) => resolveCall(c, i)), viaProp: s.viaProp };
  });

  const locks: LockModel[] = [];
  namespaces.forEach((ns, k) => {
    const l = r.locks[k];
    if (!l.lock) return;
    const istio = l.istio === 'own' ? ns : typeof l.istio === 'object' ? nsAt(l.istio.app) : l.istio;
    // A lockdown of the root namespace is refused at construction (test D below): no lock there.
    if ((istio ?? DEFAULT_ISTIO_NAMESPACE) === ns) return;
    const extras = l.extras ?? [];
    locks.push({
      id: `lock${k}`, namespace: ns,
      props: strip({ namespace: nsProp(ns, l.explicitNs), name: l.name, istioNamespace: istio, networkPolicy: l.networkPolicy, hosts: l.extras }),
      calls: l.calls.map((c) => resolveCall(c, undefined)),
      istioNamespace: istio ?? DEFAULT_ISTIO_NAMESPACE, networkPolicy: l.networkPolicy === true, extras,
    });
  });

  const model: Model = { ...(chartNamespace ? { chartNamespace } : {}), namespaces, externals, services, locks };
  return r.repair ? repaired(model) : model;
}

/** The model without the calls the oracle expects to fail (generation bias only: the oracle still decides). */
function repaired(m: Model): Model {
  const failing = new Set([...expectations(m).violations].map((v) => v.split(' ').slice(1).join(' ')));
  const keep = (path: string, namespace: string) => (t: Target) => hostsOf(m, t).every((h) => !failing.has(`${path} ${resolveHost(h, namespace)}`));
  return {
    ...m,
    services: m.services.map((s) => ({ ...s, calls: s.calls.filter(keep(`${CHART_ID}/${s.id}`, s.namespace)) })),
    locks: m.locks.map((l) => ({ ...l, calls: l.calls.filter(keep(`${CHART_ID}/${l.id}`, l.namespace)) })),
  };
}

const appModel: fc.Arbitrary<Model> = rawApp.map(buildModel);

// ---------------------------------------------------------------------------------------------------------
// Building the App from the model
// ---------------------------------------------------------------------------------------------------------

function build(m: Model): { h: Harness; lockdowns: EgressLockdown[] } {
  const h = harness(m.chartNamespace);
  const exts = m.externals.map((e) => new ExternalDependency(h.chart, e.id, e.props));
  const svcs: Array<CanaryService | ResilientBackend> = [];
  const targetOf = (t: Target): CallTarget => (t.kind === 'ext' ? CallTarget.of(exts[t.ext]) : t.kind === 'svc' ? CallTarget.of(svcs[t.svc]) : CallTarget.host(t.host));
  m.services.forEach((s, i) => {
    const calls = s.calls.map(targetOf);
    const withCalls = s.viaProp && calls.length > 0 ? { calls } : {};
    const c = s.kind === 'canary'
      ? new CanaryService(h.chart, s.id, { ...canaryProps(s.spec as CanarySpec, h.chart, `${s.id}-`), ...withCalls })
      : new ResilientBackend(h.chart, s.id, { ...backendProps(s.spec as BackendSpec, h.chart, `${s.id}-`), ...withCalls });
    if (!s.viaProp && calls.length > 0) c.calls(...calls);
    svcs[i] = c;
  });
  const lockdowns = m.locks.map((l) => new EgressLockdown(h.chart, l.id, { ...l.props, ...(l.calls.length > 0 ? { calls: l.calls.map(targetOf) } : {}) }));
  return { h, lockdowns };
}

/** Why a synth error is not an acceptable one (property 1), or undefined. */
function unacceptableError(e: unknown): string | undefined {
  if (!(e instanceof IstioValidationError)) return `synth threw ${e instanceof Error ? `${e.constructor.name}: ${e.message}\n${e.stack}` : String(e)}`;
  const acceptable = (code: string) => ['SC-05', 'SC-06', 'SC-01', 'PROP'].includes(code) || /^X-\d+$/.test(code);
  for (const v of [{ code: e.code, path: e.path }, ...e.violations]) {
    if (!acceptable(v.code)) return `IstioValidationError with code ${v.code} (not SC-05/SC-06/SC-01/PROP/X-xx):\n${e.message}`;
    if (typeof v.path !== 'string' || v.path.length === 0) return `IstioValidationError without a path:\n${e.message}`;
  }
  return undefined;
}

const sorted = (xs: Iterable<string>) => [...xs].sort();
function fail(what: string): never {
  throw new Error(what);
}

/** Outcomes (printed with PROPERTY_STATS=1): the suite checks that each one is reached. */
const outcomes = new Map<string, number>();
const count = (key: string) => outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
/** The outcomes the suite insists on (coverage() searches further runs for a missing one). */
const outcomeCoverage = coverage();

afterAll(() => {
  if (process.env.PROPERTY_STATS) console.log([...outcomes].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}: ${n}`).join('\n'));
});

describe(`EgressLockdown in random multi-namespace Apps (${APP_RUNS} runs)`, () => {
  test('synth fails exactly as the oracle says (SC-05/SC-06); otherwise the output passes the schema, reads back under YAML 1.1 and 1.2, and the Sidecar and NetworkPolicy are right', async () => {
    const property = fc.asyncProperty(appModel, yamlSample, async (m, compareYaml) => checkApp(m, compareYaml));
    await fc.assert(property, params(APP_RUNS));
    // The generator reaches every outcome: Apps that synthesize, and refusals for each of SC-05 and SC-06.
    await outcomeCoverage.expectSeen(['synthesized', 'refused with SC-05', 'refused with SC-06'], property, APP_RUNS);
  }, timeoutFor(100, APP_RUNS));
});

/** Properties 1-4 for one App. */
async function checkApp(m: Model, compareYaml: boolean): Promise<void> {
  const { h, lockdowns } = build(m);
  const root = m.locks.findIndex((l) => l.namespace === ROOT_NAMESPACE);
  // The root Sidecar as it renders (ApiObject.toJson runs no rules), for the namespaces that inherit it.
  const rootEgress: string[] | undefined = root >= 0 ? lockdowns[root].sidecar.toJson().spec.egress[0].hosts : undefined;
  const { locks: expected, violations } = expectations(m, rootEgress);
  const expectedViolations = sorted(violations);
  let manifests: any[] | undefined;
  try {
    manifests = h.chart.toJson();
  } catch (e) {
    // (1) only an IstioValidationError, with an expected code and a path.
    const problem = unacceptableError(e);
    if (problem) fail(problem);
    // (4) the oracle expected exactly these violations.
    const actual = sorted(new Set((e as IstioValidationError).violations.map((v) => `${v.code} ${v.path} ${String(v.value)}`)));
    if (JSON.stringify(actual) !== JSON.stringify(expectedViolations)) {
      fail(`synth failed with violations other than the oracle's:\n  expected ${JSON.stringify(expectedViolations)}\n  received ${JSON.stringify(actual)}\n${(e as Error).message}`);
    }
    const codes = sorted(new Set(actual.map((a) => a.split(' ')[0])));
    count(`refused: ${codes.join('+')}`);
    for (const code of codes) outcomeCoverage.see(`refused with ${code}`);
    return;
  }
  if (expectedViolations.length > 0) fail(`synth succeeded, but the oracle expected ${JSON.stringify(expectedViolations)}`);
  count(m.locks.length === 0 ? 'synthesized, nothing locked' : 'synthesized');
  outcomeCoverage.see('synthesized');
  if (root >= 0 && m.namespaces.some((n) => !m.locks.some((l) => l.namespace === n) && callersIn(m, n).some((c) => c.calls.length > 0))) count('feature: a namespace inheriting the root lockdown');

  // (2) the CRD schema and CEL, and (with yamlSample) the YAML read back under YAML 1.1 and 1.2; deterministic.
  const issues = schemaIssues(manifests);
  if (issues.length > 0) fail(`CRD schema issues: ${issues.join('; ')}`);

  for (const x of expected) {
    const { lock } = x;
    // What the synthesized Apps exercise (PROPERTY_STATS=1).
    if (x.imports.some((i) => i.why.includes('egress gateway Service'))) count(`feature: a call through an egress gateway${lock.networkPolicy ? ', with a NetworkPolicy' : ''}`);
    if (x.imports.some((i) => i.why.includes('ServiceEntry') && !i.from.includes(lock.namespace))) count('feature: a ServiceEntry imported from another namespace');
    if (x.imports.some((i) => i.why.includes('in-cluster'))) count('feature: an in-cluster call to another namespace');
    if (lock.istioNamespace !== DEFAULT_ISTIO_NAMESPACE) count('feature: istioNamespace set');
    const ns = lock.namespace;
    const where = `lockdown ${lock.id} (namespace ${ns})`;
    const construct = lockdowns[m.locks.indexOf(lock)];
    if (construct.namespace !== ns) fail(`${where}: namespace is ${construct.namespace}`);
    const own = (kind: string) => manifests!.filter((o) => o.kind === kind && o.metadata?.namespace === ns);
    const [sidecar, ...moreSidecars] = own('Sidecar');
    if (!sidecar || moreSidecars.length > 0) fail(`${where}: expected one Sidecar in the namespace, got ${own('Sidecar').length}`);
    if (sidecar.metadata.name !== (lock.props.name ?? 'default')) fail(`${where}: Sidecar named ${sidecar.metadata.name}`);
    if (sidecar.spec.workloadSelector !== undefined || sidecar.spec.outboundTrafficPolicy?.mode !== 'REGISTRY_ONLY' || sidecar.spec.egress.length !== 1) {
      fail(`${where}: not one namespace-wide REGISTRY_ONLY egress listener: ${JSON.stringify(sidecar.spec)}`);
    }
    // (3) the egress hosts.
    const hosts: string[] = sidecar.spec.egress[0].hosts;
    if (hosts[0] !== './*' || hosts[1] !== `${lock.istioNamespace}/*`) fail(`${where}: egress hosts start ${JSON.stringify(hosts.slice(0, 2))}, not ["./*", "${lock.istioNamespace}/*"]`);
    if (new Set(hosts).size !== hosts.length) fail(`${where}: duplicate egress hosts ${JSON.stringify(hosts)}`);
    for (const e of hosts) if (sidecarEgressHostProblem(e) !== undefined) fail(`${where}: egress host ${JSON.stringify(e)} ${sidecarEgressHostProblem(e)}`);
    for (const e of lock.extras) if (!hosts.includes(e)) fail(`${where}: the extra host ${JSON.stringify(e)} is missing from ${JSON.stringify(hosts)}`);
    for (const need of x.imports) {
      if (!need.from.some((from) => imports(hosts, ns, from, need.host))) {
        fail(`${where}: egress hosts ${JSON.stringify(hosts)} import ${need.host} from none of ${need.from.join(', ')}: ${need.why}`);
      }
    }
    // The construct's own hosts never trip SC-02 (it leaves out what another host covers); "./*" next to
    // "<istioNamespace>/*" when the two are one namespace is reported separately.
    if (lock.extras.length === 0 && lock.istioNamespace !== ns) {
      const sc02 = h.warnings.filter((w) => w.code === 'SC-02' && w.path === `${CHART_ID}/${lock.id}`);
      if (sc02.length > 0) fail(`${where}: SC-02 on the derived hosts: ${sc02.map((w) => w.message).join('; ')}`);
    }
    // The NetworkPolicy: the namespace itself, DNS, and exactly the namespaces the calls need.
    const policies = own('NetworkPolicy');
    const sc06 = h.warnings.filter((w) => w.code === 'SC-06' && w.value === ns);
    if (!lock.networkPolicy) {
      if (policies.length > 0 || construct.networkPolicy !== undefined) fail(`${where}: a NetworkPolicy without networkPolicy`);
      if (sc06.length === 0) fail(`${where}: no SC-06 warning for a lockdown without a NetworkPolicy`);
      continue;
    }
    if (sc06.length > 0) fail(`${where}: SC-06 warns although the NetworkPolicy is there: ${sc06[0].message}`);
    const [policy, ...morePolicies] = policies;
    if (!policy || morePolicies.length > 0 || construct.networkPolicy === undefined) fail(`${where}: expected one NetworkPolicy, got ${policies.length}`);
    if (policy.metadata.name !== `${lock.props.name ?? 'default'}-egress`) fail(`${where}: NetworkPolicy named ${policy.metadata.name}`);
    const spec = policy.spec;
    if (!isDeepStrictEqual(spec.podSelector, {}) || !isDeepStrictEqual(spec.policyTypes, ['Egress']) || !isDeepStrictEqual(spec.egress[0], { to: [{ podSelector: {} }] })) {
      fail(`${where}: the NetworkPolicy does not select every pod for egress within the namespace: ${JSON.stringify(spec)}`);
    }
    const dns = spec.egress[2];
    if (dns?.to?.[0]?.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] !== 'kube-system' || !isDeepStrictEqual(dns.ports, [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }])) {
      fail(`${where}: no DNS rule: ${JSON.stringify(spec)}`);
    }
    const allowed = (spec.egress[1].to as any[]).map((t) => t.namespaceSelector.matchLabels['kubernetes.io/metadata.name']);
    if (JSON.stringify(allowed) !== JSON.stringify(sorted(x.allowed))) {
      fail(`${where}: the NetworkPolicy allows ${JSON.stringify(allowed)}, the calls need ${JSON.stringify(sorted(x.allowed))}`);
    }
  }
  expectDeterministic(h, manifests, build(m).h, compareYaml);
}


// ---------------------------------------------------------------------------------------------------------
// Hostile props: refused at construction with PROP or SC-01, in bounded time, leaving nothing behind
// ---------------------------------------------------------------------------------------------------------

/** A hostile props object, made inside the property (Proxies and throwing getters cannot be printed or reused). */
class Hostile {
  constructor(
    public readonly label: string,
    public readonly make: (base: Record<string, unknown>) => unknown,
    /** Codes it may be refused with: PROP or SC-01 (X-03 for a malformed `calls` host, checked by CallTarget's grammar). */
    public readonly codes: readonly string[] = ['PROP', 'SC-01'],
    /** The chart's namespace (null: a chart without one). */
    public readonly chartNamespace: string | null = 'hostile',
    /** Plain data, which can also be given as Object.create(null) (not a Proxy, not a wrong type). */
    public readonly data = true,
  ) {}
  public [fc.toStringMethod](): string {
    return `Hostile(${this.label})`;
  }
}

const KNOWN_PROPS = ['namespace', 'name', 'hosts', 'calls', 'istioNamespace', 'networkPolicy'];
const resolveThunk = (v: unknown): unknown => (v instanceof Thunk ? v.make() : v);
const label = (v: unknown): string => {
  try {
    return typeof v === 'bigint' ? `${v}n` : typeof v === 'symbol' || typeof v === 'function' ? String(v) : (JSON.stringify(v) ?? String(v)).slice(0, 80);
  } catch {
    return Object.prototype.toString.call(v);
  }
};
const isEmptyData = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v)
  && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null) && Reflect.ownKeys(v).length === 0;

/** Valid props (in-cluster calls only, so that the App would synthesize if the hostile part were accepted). */
const validLockdownProps = fc.record({
  name: dnsLabel(),
  hosts: fc.array(extraEgressHost, { maxLength: 2 }),
  calls: fc.array(fc.tuple(dnsLabel(6), namespaceName).map(([s, n]) => `${s}.${n}${CLUSTER_SUFFIX}`), { maxLength: 2 }),
  istioNamespace: namespaceName,
  networkPolicy: fc.boolean(),
}, { requiredKeys: [] });

/** Egress host strings that break Istio's `<namespace>/<dnsName>` grammar (SC-01). */
const badEgressHost: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'reviews', '', '/', 'ns/', '/a.example', 'ns', '*', './', 'a b/*', 'Istio_System/*', '-a/*', `${'a'.repeat(64)}/*`, 'a.b/*', 'ns/reviews',
    'ns/a*.example', 'ns/*a.example', 'ns/*.*.example', 'ns/a..example', 'ns/-a.example', 'ns/a.123', 'ns/💥.example', 'ns/a.example/x',
    'ns/a b.example', `ns/${'a'.repeat(300)}.example`, 'ns/\u0000.example', 'ns/a\nb.example', '*/.example', 'ns/a_b.example', 'ns/**', 'ns/.',
  ),
  fc.string({ minLength: 1, maxLength: 6 }).filter((s) => !s.includes('/')),
);

const hostileValue = (v: unknown) => !isEmptyData(v) && v !== undefined;
/** Wrong types for a field read with `??` (null and undefined mean "unset" there). */
const wrongFieldType = wrongType.filter((v) => v !== null && !(typeof v === 'string'));

const field = (prop: string, values: fc.Arbitrary<unknown>, codes?: readonly string[]) => values.map((v) => new Hostile(
  `${prop}: ${label(v)}`, (base) => ({ ...base, [prop]: resolveThunk(v) }), codes,
));

/** A list that throws when a given operation reads it. */
const throwingList = (items: unknown[], on: 'index' | 'length' | 'has') => new Proxy(items, {
  get: (t, k, r) => {
    if ((on === 'index' && k === String(items.length - 1)) || (on === 'length' && k === 'length')) throw new Error(`hostile ${on}`);
    return Reflect.get(t, k, r);
  },
  has: (t, k) => {
    if (on === 'has') throw new Error('hostile has');
    return Reflect.has(t, k);
  },
});

const hostileMutation: fc.Arbitrary<Hostile> = fc.oneof(
  // --- the props themselves ---
  fc.oneof(wrongType.filter(hostileValue), fc.constantFrom<unknown>(null, 0, 'shop', ['namespace'])).map((v) => new Hostile(`props ${label(v)}`, () => v)),
  fc.constantFrom(
    new Hostile('props: an HttpMatch', () => HttpMatch.header('x-a').exact('1'), undefined, undefined, false),
    new Hostile('props: Object.create(EgressLockdown.prototype)', () => Object.create(EgressLockdown.prototype), undefined, undefined, false),
    new Hostile('props: a Map', () => new Map([['namespace', 'shop']]), undefined, undefined, false),
    new Hostile('props: a revoked Proxy', () => {
      const { proxy, revoke } = Proxy.revocable({ namespace: 'shop' }, {});
      revoke();
      return proxy;
    }, undefined, undefined, false),
    new Hostile('no namespace in a chart without one', (base) => ({ ...base, namespace: undefined }), ['PROP'], null),
    new Hostile('a name too long for the NetworkPolicy ("<name>-egress")', (base) => ({ ...base, name: 'a'.repeat(250), networkPolicy: true })),
  ),
  ...(['ownKeys', 'getPrototypeOf', 'get', 'getOwnPropertyDescriptor'] as const).map((trap) => fc.constant(new Hostile(`a Proxy whose ${trap} throws`, (base) => new Proxy({ ...base, namespace: 'hostile' }, {
    [trap]: () => {
      throw new Error(`hostile ${trap}`);
    },
  }), undefined, undefined, false))),
  // --- getters that throw, enumerable (read by the shape check) or not (read later) ---
  fc.tuple(fc.constantFrom(...KNOWN_PROPS, 'other'), fc.boolean()).filter(([k, enumerable]) => enumerable || k !== 'other').map(([k, enumerable]) => new Hostile(
    `a ${enumerable ? '' : 'non-enumerable '}getter of ${k} that throws`, (base) => {
      const o: Record<string, unknown> = { ...base };
      delete o[k];
      return Object.defineProperty(o, k, { get: () => { throw new TypeError(`hostile getter ${k}`); }, enumerable, configurable: true });
    },
  )),
  // --- unknown keys ---
  fc.constantFrom('outbound', 'Namespace', 'host', 'egress', 'workloadSelector', 'outboundTrafficPolicy', 'constructor', '__proto__', 'toString', 'Hosts')
    .map((k) => new Hostile(`unknown key ${k}`, (base) => Object.defineProperty({ ...base }, k, { value: 'x', enumerable: true, writable: true, configurable: true }))),
  // --- each prop ---
  field('namespace', fc.oneof(badLabel, wrongFieldType)),
  field('istioNamespace', fc.oneof(badLabel, wrongFieldType, fc.constantFrom('*', '.', '~', 'istio-system/', 'Istio-System'))),
  field('name', badName),
  field('networkPolicy', fc.constantFrom<unknown>('yes', 'true', 'false', 1, 0, null, {}, [], NaN, '', 10n, Symbol('np'))),
  // Bad hosts and calls weigh more: the branches that reach SC-01 and X-03 rather than PROP.
  { weight: 4, arbitrary: field('hosts', fc.oneof(
    badEgressHost.map((h) => [h]),
    fc.tuple(extraEgressHost, badEgressHost).map(([ok, bad]) => [ok, bad]),
    fc.constantFrom<unknown>(5, {}, [], true, 10n, Symbol('h')).filter((v) => !Array.isArray(v)).map((v) => ['./*', v]),
    fc.constantFrom<unknown>('ns/*', 5, true, {}, new Set(['./*']), { length: 1, 0: './*' }, Object.create(null), 10n),
    fc.constant(new Thunk('a hole', () => {
      const a = ['./*'];
      a[2] = 'monitoring/*';
      return a;
    })),
  )) },
  { weight: 4, arbitrary: field('calls', badCalls, ['PROP', 'X-03']) },
  // --- lists that throw when read ---
  fc.constantFrom('index', 'length', 'has').map((on) => new Hostile(`hosts list whose ${on} throws`, (base) => ({ ...base, hosts: throwingList(['./*', 'monitoring/*'], on as 'index') }))),
  fc.constantFrom('index', 'length', 'has').map((on) => new Hostile(`calls list whose ${on} throws`, (base) => ({ ...base, calls: throwingList([CallTarget.host('a.b.svc.cluster.local')], on as 'index') }))),
  fc.constant(new Hostile('CallTarget.of a Proxy that throws', (base) => ({
    ...base, calls: [CallTarget.of(new Proxy({}, { get: () => { throw new Error('hostile target'); } }) as any)],
  }))),
);

/** The mutation applied to a plain or an Object.create(null) copy of valid props. */
const hostileCase = fc.tuple(validLockdownProps, hostileMutation, fc.boolean()).map(([base, m, nullProto]) => ({
  m, nullProto,
  props: (): unknown => {
    const plain: Record<string, unknown> = { ...base, calls: base.calls?.map((h) => CallTarget.host(h)) };
    const made = m.make(plain);
    // Object.create(null) props: the same data without a prototype (only for plain data; a Proxy or a wrong type stays as made).
    if (!nullProto || !m.data || typeof made !== 'object' || made === null || Array.isArray(made) || Object.getPrototypeOf(made) !== Object.prototype) return made;
    return Object.defineProperties(Object.create(null), Object.getOwnPropertyDescriptors(made));
  },
}));

/** A chart with a dependency and a service calling it (what a refused lockdown must leave as it was). */
function hostileHarness(chartNamespace: string | undefined): Harness {
  const h = harness(chartNamespace);
  const ns = { namespace: 'hostile' };
  const pg = new ExternalDependency(h.chart, 'pg', { ...ns, hosts: ['api.pg.example'], ports: [{ number: 443, protocol: PortProtocol.TLS }], egressGateway: {} });
  new ResilientBackend(h.chart, 'api', { ...ns, host: 'api.hostile.svc.cluster.local', retries: RetryPolicy.none(), calls: [CallTarget.of(pg)] });
  return h;
}

/** Why a refused construction is not refused as it should be, or undefined. */
function refusalProblem(h: Harness, id: string, e: unknown, codes: readonly string[]): string | undefined {
  if (!(e instanceof IstioValidationError)) return `threw ${e instanceof Error ? `${e.constructor.name}: ${e.message}\n${e.stack}` : label(e)}`;
  if (!codes.includes(e.code)) return `refused with ${e.code} (expected ${codes.join(' or ')}): ${e.message}`;
  if (!e.path.startsWith(`${CHART_ID}/${id}`)) return `refused at path ${e.path}, not ${CHART_ID}/${id}: ${e.message}`;
  if (typeof e.fix !== 'string' || e.fix.length === 0 || !e.message.includes(e.fix)) return `refused without a fix: ${e.message}`;
  if (h.chart.node.tryFindChild(id) !== undefined) return `the refused construct is still in the chart: ${e.message}`;
  let left: any[];
  try {
    left = h.chart.toJson();
  } catch (again) {
    return `synth after the refusal failed: ${again instanceof Error ? again.message : label(again)}`;
  }
  const traces = left.filter((o) => o.kind === 'Sidecar' || o.kind === 'NetworkPolicy');
  if (traces.length > 0) return `the refused construct left ${traces.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')} in the output`;
  return undefined;
}

describe(`EgressLockdown: hostile props (${HOSTILE_RUNS} runs)`, () => {
  test('wrong types, throwing Proxies and getters, Object.create(null), unknown keys: PROP or SC-01 at construction, nothing left behind, the id reusable', async () => {
    const seen = new Map<string, number>();
    await fc.assert(fc.asyncProperty(hostileCase, async ({ m, props }) => {
      const h = hostileHarness(m.chartNamespace ?? undefined);
      const id = 'lockdown';
      const started = Date.now();
      let refused: unknown;
      try {
        new EgressLockdown(h.chart, id, props() as EgressLockdownProps);
      } catch (e) {
        refused = e;
      }
      if (refused === undefined) fail(`accepted hostile props: ${m.label}`);
      const problem = refusalProblem(h, id, refused, m.codes);
      if (problem) fail(`${problem}\nfor ${m.label}`);
      const took = Date.now() - started;
      if (took > HANG_MS) fail(`took ${took}ms for ${m.label}`);
      // Every code of the error (a construct reports all its problems at once), not only the first.
      for (const v of (refused as IstioValidationError).violations) seen.set(v.code, (seen.get(v.code) ?? 0) + 1);
      // The id is free again: a valid lockdown takes it and the App synthesizes with one Sidecar.
      new EgressLockdown(h.chart, id, { namespace: 'hostile' });
      const sidecars = h.chart.toJson().filter((o) => o.kind === 'Sidecar');
      if (sidecars.length !== 1) fail(`after the refusal of ${m.label}, a valid lockdown gave ${sidecars.length} Sidecars`);
    }), params(HOSTILE_RUNS));
    if (process.env.PROPERTY_STATS) console.log(`hostile props refused with: ${[...seen].map(([k, n]) => `${k} ${n}`).join(', ')}`);
    expect([...seen.keys()]).toContain('PROP');
    // The codes the rarer branches reach, once each for certain: a malformed egress host (SC-01), a malformed call host (X-03).
    const codesOf = (props: EgressLockdownProps) => {
      try {
        new EgressLockdown(hostileHarness('hostile').chart, 'lockdown', props);
      } catch (e) {
        return (e as IstioValidationError).violations.map((v) => v.code);
      }
      return [];
    };
    expect(codesOf({ namespace: 'hostile', hosts: ['api.example.com'] })).toContain('SC-01');
    expect(codesOf({ namespace: 'hostile', calls: [CallTarget.host('api..example.com')] })).toContain('X-03');
  }, timeoutFor(20, HOSTILE_RUNS));

  test('Object.create(null) props are read like plain ones', () => {
    const plain = hostileHarness('hostile');
    const bare = hostileHarness('hostile');
    const props = { hosts: ['monitoring/*'], networkPolicy: true, istioNamespace: 'mesh-root' };
    new EgressLockdown(plain.chart, 'lockdown', props);
    new EgressLockdown(bare.chart, 'lockdown', Object.assign(Object.create(null), props));
    expect(bare.chart.toJson()).toEqual(plain.chart.toJson());
  });

  const HUGE = 100_000;
  const hugeHosts = () => Array.from({ length: HUGE }, (_, i) => `ns${i % 97}/h${i}.example.com`);
  const refusedInTime = (make: () => unknown, codes: readonly string[], prop: string) => {
    const h = hostileHarness('hostile');
    const props = make();
    const started = Date.now();
    let refused: unknown;
    try {
      new EgressLockdown(h.chart, 'lockdown', props as EgressLockdownProps);
    } catch (e) {
      refused = e;
    }
    const took = Date.now() - started;
    expect(refused).toBeInstanceOf(IstioValidationError);
    expect(refusalProblem(h, 'lockdown', refused, codes)).toBeUndefined();
    expect((refused as IstioValidationError).message).toContain(prop);
    expect(took).toBeLessThan(5_000);
  };

  test(`${HUGE.toLocaleString('en')} egress hosts with one bad one anywhere: SC-01 naming it, in bounded time`, () => {
    fc.assert(fc.property(fc.nat(HUGE - 1), badEgressHost, (at, bad) => {
      refusedInTime(() => {
        const hosts = hugeHosts();
        hosts[at] = bad;
        return { hosts };
      }, ['SC-01'], `hosts[${at}]`);
    }), params(5));
  }, 60_000);

  test('a hole in a huge list, a sparse list of length 2³²-1, a megabyte-long host, a huge calls list with one bad host', () => {
    refusedInTime(() => {
      const hosts = hugeHosts();
      delete hosts[HUGE / 2];
      return { hosts };
    }, ['PROP'], `hosts[${HUGE / 2}]`);
    refusedInTime(() => {
      const hosts: string[] = ['./*'];
      hosts.length = 2 ** 32 - 1;
      return { hosts };
    }, ['PROP'], 'hosts[1]');
    refusedInTime(() => ({ hosts: [`ns/${'a'.repeat(1_000_000)}.example`] }), ['SC-01'], 'hosts[0]');
    refusedInTime(() => {
      const calls = Array.from({ length: HUGE }, (_, i) => CallTarget.host(`s${i}.ns.svc.cluster.local`));
      calls[HUGE - 1] = CallTarget.host('not a host');
      return { calls };
    }, ['X-03'], `calls[${HUGE - 1}]`);
  }, 60_000);

  test(`${HUGE.toLocaleString('en')} valid egress hosts: accepted (the CRD has no maxItems there) and synthesized in bounded time, each once`, () => {
    const h = hostileHarness('hostile');
    const hosts = hugeHosts();
    const started = Date.now();
    new EgressLockdown(h.chart, 'lockdown', { hosts: [...hosts, ...hosts.slice(0, 10)] });
    const sidecar = h.chart.toJson().find((o) => o.kind === 'Sidecar');
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(sidecar.spec.egress[0].hosts).toEqual(['./*', 'istio-system/*', ...hosts]);
  }, 60_000);
});

// ---------------------------------------------------------------------------------------------------------
// Hand-written objects next to a lockdown: its synth-time derivation reads them, and must not crash on junk
// ---------------------------------------------------------------------------------------------------------

const junk: fc.Arbitrary<unknown> = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom<unknown>(5, 'x', null, [], {}, [null], [5], ['*'], ['~'], ['.'], { 0: 'a' }));

describe(`EgressLockdown next to hand-written Istio objects with junk specs (${HOSTILE_RUNS} runs)`, () => {
  test('synth succeeds or throws an IstioValidationError with a known code and a path; never a TypeError', async () => {
    const kinds = fc.constantFrom('ServiceEntry', 'VirtualService', 'Sidecar', 'DestinationRule');
    const object = fc.record({
      kind: kinds, namespace: fc.option(fc.oneof(namespaceName, fc.constant('hostile')), { nil: undefined }),
      hosts: junk, exportTo: junk, http: junk, tls: junk, gateways: junk, calls: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
      whole: fc.option(junk, { nil: undefined }),
    });
    await fc.assert(fc.asyncProperty(fc.array(object, { minLength: 1, maxLength: 3 }), fc.boolean(), async (objects, networkPolicy) => {
      const h = hostileHarness('hostile');
      objects.forEach((o, i) => new ApiObject(h.chart, `junk${i}`, {
        apiVersion: 'networking.istio.io/v1', kind: o.kind,
        metadata: { name: `junk${i}`, ...(o.namespace ? { namespace: o.namespace } : {}), ...(o.calls !== undefined ? { annotations: { [CALLS_ANNOTATION]: o.calls } } : {}) },
        spec: o.whole !== undefined ? o.whole : { hosts: o.hosts, exportTo: o.exportTo, http: o.http, tls: o.tls, gateways: o.gateways },
      } as any));
      new EgressLockdown(h.chart, 'lockdown', { networkPolicy, calls: [CallTarget.host('api.pg.example'), CallTarget.host('junk0.hostile.svc.cluster.local')] });
      try {
        h.chart.toJson();
      } catch (e) {
        if (!(e instanceof IstioValidationError)) fail(`synth threw ${e instanceof Error ? `${e.constructor.name}: ${e.message}\n${e.stack}` : label(e)}`);
        for (const v of e.violations) {
          if (!KNOWN_CODES.has(v.code) || typeof v.path !== 'string' || v.path.length === 0) fail(`a violation without a known code or a path: ${label(v)}`);
        }
      }
    }), params(HOSTILE_RUNS));
  }, timeoutFor(30, HOSTILE_RUNS));
});

// ---------------------------------------------------------------------------------------------------------
// Known library bugs found by this suite: minimal reproductions, each asserting what Istio needs (they fail until fixed)
// ---------------------------------------------------------------------------------------------------------

describe('regressions: the bugs this suite found (A-F), each fixed', () => {
  const TLS_443 = [{ number: 443, protocol: PortProtocol.TLS }];
  const egressOf = (manifests: any[], ns: string): string[] => manifests.find((o) => o.kind === 'Sidecar' && o.metadata.namespace === ns).spec.egress[0].hosts;
  const allowedBy = (manifests: any[], ns: string): string[] => manifests.find((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === ns)
    .spec.egress[1].to.map((t: any) => t.namespaceSelector.matchLabels['kubernetes.io/metadata.name']);

  test('A: a call by the search-path name "orders.shop" (an in-cluster Service, as SC-05 itself reads it) imports shop and lets it through the NetworkPolicy', () => {
    const h = harness('web');
    new ResilientBackend(h.chart, 'orders', { host: 'orders.shop.svc.cluster.local', namespace: 'shop' });
    new EgressLockdown(h.chart, 'lockdown', { calls: [CallTarget.host('orders.shop')], networkPolicy: true });
    const out = h.chart.toJson();
    // Emitted: ["./*", "istio-system/*"] and a policy allowing only istio-system: the call is blackholed and dropped.
    expect(egressOf(out, 'web')).toContain('shop/*');
    expect(allowedBy(out, 'web')).toContain('shop');
  });

  test('B: an egress gateway in the dependency\'s own namespace is added to an exportTo that does not list that namespace', () => {
    const h = harness('bookinfo');
    const api = new ExternalDependency(h.chart, 'api', {
      hosts: ['api.example.com'], ports: TLS_443, exportTo: ['frontend'], egressGateway: { host: 'egressgateway.bookinfo.svc.cluster.local' },
    });
    // exportTo ["frontend"] hides the objects from bookinfo itself, where the gateway pods run (SE-10 skips that case too).
    for (const o of [api.serviceEntry, ...api.virtualServices]) expect(o.toJson().spec.exportTo).toEqual(expect.arrayContaining([expect.stringMatching(/^(\.|bookinfo)$/)]));
  });

  test('C: a host routed through an egress gateway stays routed when a wildcard entry of the caller\'s namespace also covers it', () => {
    const h = harness('a');
    new ExternalDependency(h.chart, 'wildcard', { hosts: ['*.x.example'], ports: TLS_443, resolution: Resolution.NONE });
    const api = new ExternalDependency(h.chart, 'api', { hosts: ['api.x.example'], ports: TLS_443, namespace: 'b', exportTo: ['*'], egressGateway: {} });
    new EgressLockdown(h.chart, 'lockdown', { calls: [CallTarget.of(api)], networkPolicy: true });
    // Synthesizes with ["./*", "istio-system/*"]: b's VirtualService (the route to the egress gateway) is not imported, so
    // the sidecars of a reach api.x.example directly through the wildcard entry and the NetworkPolicy drops the connection.
    let out: any[];
    try {
      out = h.chart.toJson();
    } catch (e) {
      expect((e as IstioValidationError).code).toMatch(/^SC-0[56]$/); // refusing it is a fix too
      return;
    }
    expect(egressOf(out, 'a').some((e) => e === 'b/api.x.example' || e === 'b/*' || e === '*/api.x.example')).toBe(true);
  });

  test('D: a lockdown of the root namespace (the mesh-wide default Sidecar) is refused: it would cut other namespaces off the Services they call', () => {
    const h = harness();
    new ResilientBackend(h.chart, 'web', { namespace: 'web', host: 'web.web.svc.cluster.local', calls: [CallTarget.host('orders.shop.svc.cluster.local')] });
    let thrown: unknown;
    try {
      new EgressLockdown(h.chart, 'mesh', { namespace: 'istio-system' });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(IstioValidationError);
    expect((thrown as IstioValidationError).code).toBe('PROP');
    expect(h.chart.node.tryFindChild('mesh')).toBeUndefined();
  });

  test('E: a TCP port of a dependency behind an egress gateway, under a NetworkPolicy, is not accepted unrouted', () => {
    // Only HTTP and TLS ports get routes through the gateway: port 5432 goes out directly and the policy drops it,
    // while SC-06 sees the host as routed. (TCP ports alone: an empty Gateway, GW-01 at synth.)
    expect(() => {
      const h = harness('a');
      const db = new ExternalDependency(h.chart, 'db', { hosts: ['db.x.example'], ports: [{ number: 5432, protocol: PortProtocol.TCP }, ...TLS_443], egressGateway: {} });
      new EgressLockdown(h.chart, 'lockdown', { calls: [CallTarget.of(db)], networkPolicy: true });
      h.chart.toJson();
    }).toThrow(IstioValidationError);
  });

  test('F: istioNamespace equal to the locked namespace is the root-namespace case: refused (no SC-02 on our own output)', () => {
    const h = harness('istio-system');
    expect(() => new EgressLockdown(h.chart, 'lockdown', { networkPolicy: true })).toThrow(IstioValidationError);
    expect(() => new EgressLockdown(harness('a').chart, 'lockdown', { istioNamespace: 'a' })).toThrow(IstioValidationError);
  });
});
