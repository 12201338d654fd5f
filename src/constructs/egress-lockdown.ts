import { ApiObject, Chart, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { Sidecar } from '../../imports/istio-networking.istio.io';
import { checkKeys, checkList, checkOptions, enforce, propError, Where } from '../core/enforce';
import { collect } from '../core/problems';
import { clusterLocal, fqdn } from '../core/hosts';
import { arr, isRecord } from '../core/json';
import { inClusterFqdn, inClusterHostSet, meshRouteTargets, serviceEntryRegistration, sidecarEgressHostProblem, visibleRegistrations } from '../core/sidecar';
import { show } from '../core/text';
import { dnsLabelProblem } from '../core/grammar';
import { Rules } from '../synth/rules';
import { asValidationError, callHosts, CallTarget, metadataFor, withdrawn } from './common';

/** The label every namespace carries with its own name (Kubernetes 1.21+), which NetworkPolicies select namespaces by. */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/**
 * Props of {@link EgressLockdown}.
 */
export interface EgressLockdownProps {
  /**
   * The namespace locked down: the Sidecar (and NetworkPolicy) are emitted there and apply to all its pods.
   * @default - the Chart's namespace (one of the two is required)
   */
  readonly namespace?: string;
  /**
   * `metadata.name` of the Sidecar (the NetworkPolicy is `<name>-egress`).
   * @default 'default' - the name Istio's documentation gives the namespace-wide Sidecar
   */
  readonly name?: string;
  /**
   * More egress hosts, as Istio writes them: `<namespace>/<dnsName>`, the namespace `*`, `.` or a name, the host
   * `*`, `*.suffix` or an FQDN (SC-01), e.g. `monitoring/*` or `* /api.partner.example` (without the space).
   * @default - none beyond the derived ones
   * @see https://istio.io/latest/docs/reference/config/networking/sidecar/#IstioEgressListener
   */
  readonly hosts?: string[];
  /**
   * Hosts the namespace's workloads call, beyond those its HostTraffic, CanaryService and ResilientBackend constructs
   * declare (`calls`): e.g. `CallTarget.of(externalDependency)` for a workload with no routes of its own. Recorded on
   * the Sidecar, so SC-05 checks them too.
   * @default - none
   */
  readonly calls?: CallTarget[];
  /**
   * Istio's root namespace (istiod, the gateways): `<istioNamespace>/*` is always imported.
   * @default 'istio-system'
   */
  readonly istioNamespace?: string;
  /**
   * Also emit a Kubernetes `NetworkPolicy` (networking.k8s.io/v1) so that the namespace's pods can open connections
   * only to the namespace itself, Istio's namespace (istiod and the egress gateway), DNS (kube-system, port 53) and the
   * namespaces of the in-cluster services they declare they call — REGISTRY_ONLY alone is not a security boundary
   * (a process that bypasses the sidecar reaches any address). Every external host the namespace calls must then go
   * through an egress gateway (`ExternalDependency` `egressGateway`), or the policy would block it.
   * @default false - the Sidecar alone (SC-06 warns)
   */
  readonly networkPolicy?: boolean;
}

/**
 * Egress lockdown for a namespace: its sidecars reach only the hosts of Istio's registry that the namespace needs.
 *
 * Emits a namespace-wide `Sidecar` (no workloadSelector) with `outboundTrafficPolicy.mode: REGISTRY_ONLY` and one
 * egress listener whose hosts are, in order: `./*` (the namespace's own services and ServiceEntries),
 * `<istioNamespace>/*`, then — derived at synth from the App — `<namespace>/<host>` for every host an object of this
 * namespace declares it calls (`calls`, `CallTarget`) that a ServiceEntry of another namespace exports here, and
 * `<namespace>/*` for every other namespace whose in-cluster services it calls, then `hosts`. With `networkPolicy`,
 * also a `NetworkPolicy` limiting egress to those namespaces and DNS.
 *
 * A call from this namespace to an external host that no visible ServiceEntry registers is refused at synth (SC-05):
 * at runtime it would get a 502 from BlackHoleCluster (HTTP) or a reset connection (TLS).
 *
 * PROP for a wrong shape, SC-01 for a malformed egress host; at synth SC-05 (a call with no visible ServiceEntry) and SC-06
 * (no NetworkPolicy: warning; with one, an external call that does not go through the egress gateway: error).
 * @see https://istio.io/latest/docs/reference/config/networking/sidecar/
 * @see https://istio.io/latest/docs/tasks/traffic-management/egress/egress-control/#change-to-the-blocking-by-default-policy
 */
export class EgressLockdown extends Construct {
  /** The emitted Sidecar (escape hatch). */
  public readonly sidecar: Sidecar;
  /** The emitted NetworkPolicy, when `networkPolicy` is set (escape hatch). @default - undefined: `networkPolicy` is not set */
  public readonly networkPolicy?: ApiObject;
  /** The namespace locked down. */
  public readonly namespace: string;
  private readonly istioNamespace: string;
  private readonly extraHosts: string[];

  constructor(scope: Construct, id: string, props: EgressLockdownProps = {}) {
    super(scope, id);
    try {
      const path = this.node.path;
      checkOptions(props, { path, prop: 'props' }, "Pass props: new EgressLockdown(scope, id, { namespace: 'shop' }).");
      // Every prop is checked on its own, so one error lists every problem.
      const problems = collect({ path, prop: 'props' });
      problems.check(() => checkKeys(props as Record<string, unknown>, ['namespace', 'name', 'hosts', 'calls', 'istioNamespace', 'networkPolicy'], { path, prop: 'props' }));
      const namespace = props.namespace ?? Chart.of(this).namespace;
      if (namespace === undefined) {
        problems.check(() => propError({ path, prop: 'namespace' }, { value: undefined, expected: 'a namespace', message: 'namespace is not set, and the Chart has none', fix: "Name the namespace to lock down: { namespace: 'shop' } (or give the Chart a namespace)." }));
      }
      this.namespace = namespace!;
      const istioNamespace = problems.check(() => checkNamespace(props.istioNamespace ?? 'istio-system', { path, prop: 'istioNamespace' }));
      this.istioNamespace = istioNamespace!;
      // A selector-less Sidecar in the root namespace is the default of every namespace without one (SC-05 reads it so).
      if (namespace !== undefined && namespace === istioNamespace) {
        problems.check(() => propError({ path, prop: 'namespace' }, {
          value: namespace, expected: 'an application namespace', message: `namespace ${show(namespace)} is Istio's root namespace, where a Sidecar becomes the mesh-wide default: every namespace without its own would lose the services it calls in other namespaces`,
          fix: 'Lock down each application namespace with its own EgressLockdown (its egress hosts are derived from its calls).',
        }));
      }
      // Each host on its own: one error lists every bad host.
      const hostList = problems.check(() => checkList(props.hosts ?? [], 'hosts', path));
      this.extraHosts = (hostList && problems.each(hostList, (h, i) => checkEgressHost(h, { path, prop: `hosts[${i}]` })))!;
      problems.check(() => {
        if (props.networkPolicy !== undefined && typeof props.networkPolicy !== 'boolean') {
          propError({ path, prop: 'networkPolicy' }, { value: props.networkPolicy, expected: 'a boolean', fix: 'Set networkPolicy to true or false, or leave it out.' });
        }
      });
      if (namespace !== undefined) problems.check(() => metadataFor(this, props.name ?? 'default', namespace));
      const calls = problems.check(() => callHosts(props.calls ?? [], path));
      problems.raise();
      const name = props.name ?? 'default';
      this.sidecar = new Sidecar(this, 'Resource', {
        metadata: metadataFor(this, name, namespace),
        spec: {
          egress: [{ hosts: Lazy.any({ produce: () => this.egressHosts() }) as any }],
          outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' as any },
        },
      });
      Rules.of(this).recordIntent(this.sidecar, { owner: path, calls: calls! });
      if (props.networkPolicy) {
        this.networkPolicy = new ApiObject(this, 'NetworkPolicy', {
          apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy',
          metadata: metadataFor(this, `${name}-egress`, namespace),
          spec: Lazy.any({ produce: () => this.renderNetworkPolicy() }),
        });
      }
    } catch (e) {
      throw withdrawn(this, asValidationError(e, this.node.path));
    }
  }

  /** The egress hosts: own namespace, Istio's, the derived ones, the extra ones; each once. */
  private egressHosts(): string[] {
    const other = (ns: string) => ns !== this.namespace;
    const derived = this.calls().flatMap((call) => [
      ...call.registeredIn.filter(other).map((ns) => `${ns}/${call.host}`),
      ...(call.local && other(call.local.namespace) ? [`${call.local.namespace}/*`] : []),
      // The gateway's Service, and the VirtualService of another namespace that sends the host there.
      ...call.via.flatMap((v) => [...(other(v.namespace) ? [`${v.namespace}/${v.host}`] : []), ...(other(v.via) ? [`${v.via}/${call.host}`] : [])]),
    ]);
    const all = [...new Set(['./*', `${this.istioNamespace}/*`, ...derived])];
    // `ns/host` is left out where `ns/*` imports it already (SC-02 would warn).
    const wholeNamespaces = new Set(all.filter((h) => h.endsWith('/*')).map((h) => h.slice(0, -2)));
    const needed = all.filter((h) => h.endsWith('/*') || !wholeNamespaces.has(h.slice(0, h.indexOf('/'))));
    return [...new Set([...needed, ...this.extraHosts])];
  }

  /**
   * The hosts this namespace's objects declare they call, each with the ServiceEntry that registers it (if any) and
   * the in-cluster hosts its mesh-bound VirtualServices send it to (an egress gateway).
   */
  private calls(): Call[] {
    // Not the lockdowns' own objects: rendering them would render this one again (their calls are recorded intent).
    const manifests = this.node.root.node.findAll()
      .filter((c): c is ApiObject => c instanceof ApiObject && !(c.node.scope instanceof EgressLockdown))
      .map((o) => ({ object: o, manifest: o.toJson() }));
    const namespaceOf = (object: ApiObject, manifest: any): string => manifest.metadata?.namespace ?? Chart.of(object).namespace ?? 'default';
    const entries = manifests.filter((m) => m.manifest.kind === 'ServiceEntry' && isRecord(m.manifest.spec))
      .map((m) => serviceEntryRegistration(m.manifest.metadata?.name ?? '', namespaceOf(m.object, m.manifest), m.manifest.spec));
    const virtualServices = manifests.filter((m) => m.manifest.kind === 'VirtualService' && isRecord(m.manifest.spec))
      .map((m) => ({ namespace: namespaceOf(m.object, m.manifest), spec: m.manifest.spec }));
    // Services and Istio hosts of the App: `orders.shop` (a search-path name) is the Service orders.shop.svc.cluster.local.
    const inCluster = inClusterHostSet(
      manifests.filter((m) => m.manifest.kind === 'Service' && m.manifest.apiVersion === 'v1' && typeof m.manifest.metadata?.name === 'string')
        .map((m) => ({ name: m.manifest.metadata.name as string, namespace: namespaceOf(m.object, m.manifest) })),
      manifests.flatMap((m) => (m.manifest.kind === 'VirtualService' ? arr(m.manifest.spec?.hosts) : m.manifest.kind === 'DestinationRule' ? [m.manifest.spec?.host] : [])
        .filter((h): h is string => typeof h === 'string').map((host) => ({ host, namespace: namespaceOf(m.object, m.manifest) }))),
    );
    const rules = Rules.of(this);
    const hosts = new Set<string>((rules._intentOf(this.sidecar).calls ?? []).map((h) => fqdn(h, this.namespace)));
    for (const { object, manifest } of manifests) {
      if (namespaceOf(object, manifest) !== this.namespace) continue;
      for (const h of rules._callsOf(object, manifest)) hosts.add(fqdn(h, this.namespace));
    }
    return [...hosts].sort().map((host) => {
      const local = inClusterFqdn(host, inCluster);
      if (local) return { host: local, local: clusterLocal(local), registeredIn: [], via: [] };
      // Every visible registration is imported (a wildcard entry of this namespace must not hide another's gateway route).
      const registeredIn = [...new Set(visibleRegistrations(host, this.namespace, entries).map((e) => e.namespace).filter((n): n is string => n !== undefined))];
      const via = registeredIn.length > 0 ? meshRouteTargets(host, this.namespace, virtualServices) : [];
      return { host, registeredIn, via };
    });
  }

  private renderNetworkPolicy(): Record<string, unknown> {
    const namespaces = new Set<string>([this.istioNamespace]);
    for (const call of this.calls()) {
      if (call.local && call.local.namespace !== this.namespace) namespaces.add(call.local.namespace);
      for (const v of call.via) if (v.namespace !== this.namespace) namespaces.add(v.namespace);
    }
    const inNamespace = (ns: string) => ({ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: ns } } });
    return {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        { to: [{ podSelector: {} }] },
        { to: [...namespaces].sort().map(inNamespace) },
        {
          to: [{ ...inNamespace('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
          ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
        },
      ],
    };
  }
}

/** A host the namespace calls. */
interface Call {
  readonly host: string;
  /** `{ name, namespace }` when the host is a cluster-local service. */
  readonly local?: { readonly name: string; readonly namespace: string };
  /** Namespaces of the ServiceEntries that register it for this namespace. */
  readonly registeredIn: readonly string[];
  /**
   * In-cluster hosts (with their namespaces) that the host's mesh-bound routes send the traffic to (the egress
   * gateway), with the namespace of the VirtualService that does (`via`).
   */
  readonly via: ReadonlyArray<{ readonly host: string; readonly namespace: string; readonly via: string }>;
}

function checkNamespace(namespace: string, where: Where): string {
  const problem = typeof namespace === 'string' ? dnsLabelProblem(namespace) : 'is not a string';
  if (problem) propError(where, { value: namespace, expected: 'a DNS-1123 label', message: `${where.prop} ${show(namespace)} ${problem}`, fix: 'Use a namespace name such as "istio-system".' });
  return namespace;
}

function checkEgressHost(host: string, where: Where): string {
  if (typeof host !== 'string') propError(where, { value: host, expected: 'a "<namespace>/<dnsName>" host', fix: 'Write egress hosts as "monitoring/*" or "*/api.partner.example".' });
  enforce(sidecarEgressHostProblem, [host], {
    ...where, allowed: '"<namespace>/<dnsName>": namespace "*", "." or a name; dnsName "*", "*.suffix" or an FQDN',
    message: (problem) => `${where.prop} ${show(host)} ${problem}`, fix: 'Write egress hosts as "monitoring/*", "./*" or "*/api.partner.example".',
  });
  return host;
}
