import { invariant } from './check';
import { dnsLabelProblem, portProblem } from './grammar';
import { clusterLocal, fqdn, hostMatches, hostProblem, normalizeHost } from './hosts';
import { isIpAddress } from './ip';
import { arr, hasText, isRecord, isSet } from './json';
import { Visibility, visibilityOf } from './visibility';
/**
 * Sidecar objects as Istio reads them: the webhook's grammar (SC-01: egress hosts, listener order, binds,
 * defaultEndpoint, ingress TLS, outboundTrafficPolicy) and what a REGISTRY_ONLY Sidecar lets a workload reach
 * (SC-05). One check per invariant, for the SC rules and for constructs that emit Sidecars.
 */

/** Prefix of a unix domain socket address (`bind`, `defaultEndpoint`). */
export const UNIX_PREFIX = 'unix://';

/** Istio's default MeshConfig root namespace: a selector-less Sidecar there is the mesh-wide default. */
export const ROOT_NAMESPACE = 'istio-system';

/** Hosts a `defaultEndpoint` may forward to (`host:port`; an empty host means the instance IP). */
const ENDPOINT_HOSTS = ['', '127.0.0.1', '0.0.0.0', '::1', '::'];

/** Problem with a unix socket path (after `unix://`): absolute and not a directory, or abstract (`@name`). */
export function unixPathProblem(path: string): string | undefined {
  if (path === '') return 'has an empty unix socket path';
  if (path.startsWith('@')) return undefined;
  if (!path.startsWith('/') || path.endsWith('/')) return `has unix socket path "${path}", which is not an absolute path to a file`;
  return undefined;
}

/**
 * SC-01: an egress host is `namespace/dnsName`: namespace `*` (any), `.` (the Sidecar's), `~` (none) or a
 * namespace name; dnsName `*`, `*.suffix` or a fully qualified name (no short names, no partial wildcards).
 */
export const sidecarEgressHostProblem = invariant('SC-01', (host: string): string | undefined => {
  const slash = host.indexOf('/');
  if (slash < 0) return 'is not in namespace/dnsName form (e.g. "./*", "istio-system/*", "*/api.example.com")';
  const ns = host.slice(0, slash);
  const name = host.slice(slash + 1);
  if (ns === '' || name === '') return `has an empty ${ns === '' ? 'namespace' : 'dnsName'} part`;
  // Istio's label grammar is case-insensitive here (Kubernetes namespaces are lower case anyway).
  if (ns !== '*' && ns !== '.' && ns !== '~' && dnsLabelProblem(ns.toLowerCase())) return `has namespace "${ns}" that ${dnsLabelProblem(ns.toLowerCase())}`;
  if (name === '*') return undefined;
  if (name.includes('*') && !name.startsWith('*.')) return `has the partial wildcard "${name}"; only "*" or a leading "*." is allowed`;
  if (!name.includes('.')) return `has the short name "${name}"; egress hosts must be fully qualified (e.g. "${name}.<namespace>.svc.cluster.local")`;
  const problem = hostProblem(name, { allowWildcard: true });
  return problem ? `has dnsName "${name}" that ${problem}` : undefined;
});

/**
 * SC-01: an egress listener without a port is the catch-all; there may be one, and it must be the last listener
 * (`listeners` are the egress entries, `index` the one checked).
 */
export const catchAllEgressProblem = invariant('SC-01', (listeners: readonly unknown[], index: number): string | undefined => {
  const l = listeners[index];
  if (!isRecord(l) || isSet(l.port) || index === listeners.length - 1) return undefined;
  const portless = listeners.filter((x) => isRecord(x) && !isSet(x.port)).length;
  return portless > 1
    ? `has no port, like ${portless - 1} other listener(s): only one catch-all listener (without port) is allowed, and it must be the last`
    : 'has no port, which makes it the catch-all listener, and the catch-all must be the last listener';
});

/**
 * SC-01: how a listener binds. An egress port number 0 (or none) is a unix domain socket listener: it needs a
 * `unix://` bind. Otherwise a bind is an IP address (ingress listeners always bind to an IP).
 */
export const listenerBindProblem = invariant('SC-01', (bind: unknown, portNumber: unknown, egress: boolean): string | undefined => {
  const text = typeof bind === 'string' ? bind : '';
  const uds = egress && (portNumber === 0 || portNumber === undefined);
  if (uds) {
    if (!text.startsWith(UNIX_PREFIX)) return `port number ${portNumber === undefined ? 'unset (0)' : '0'} needs a unix:// bind (a unix domain socket listener)${text ? `, not bind "${text}"` : ''}`;
    const problem = unixPathProblem(text.slice(UNIX_PREFIX.length));
    return problem ? `bind "${text}" ${problem}` : undefined;
  }
  if (text === '' || isIpAddress(text)) return undefined;
  if (text.startsWith(UNIX_PREFIX)) return egress ? `bind "${text}" is a unix socket, which needs port number 0` : `bind "${text}" is a unix socket; ingress listeners bind to an IP address`;
  return `bind "${text}" is not an IP address`;
});

/** SC-01: a unix domain socket egress listener is captured as DEFAULT or NONE (iptables cannot redirect a socket). */
export const udsCaptureModeProblem = invariant('SC-01', (captureMode: unknown): string | undefined =>
  (captureMode === undefined || captureMode === 'DEFAULT' || captureMode === 'NONE' ? undefined : `captureMode ${String(captureMode)} cannot capture a unix domain socket listener (use DEFAULT or NONE)`));

/** Go's `net.SplitHostPort`: `host:port`, `[ipv6]:port`; a string describing what is wrong otherwise. */
function splitHostPort(text: string): { host: string; port: string } | string {
  const last = text.lastIndexOf(':');
  if (last < 0) return 'has no port';
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    if (end < 0) return 'has an unclosed "["';
    if (end + 1 !== last) return end + 1 === text.length ? 'has no port' : 'has text between "]" and the port';
    return { host: text.slice(1, end), port: text.slice(last + 1) };
  }
  const host = text.slice(0, last);
  if (host.includes(':')) return 'has too many colons (write IPv6 addresses as [::1]:PORT)';
  if (host.includes('[') || host.includes(']')) return 'has a misplaced "[" or "]"';
  return { host, port: text.slice(last + 1) };
}

/**
 * SC-01: an ingress `defaultEndpoint` is `unix:///absolute/path` (or `unix://@abstract`), or `HOST:PORT` with
 * HOST one of 127.0.0.1, 0.0.0.0, [::1], [::] or empty, and PORT 1-65535.
 */
export const defaultEndpointProblem = invariant('SC-01', (endpoint: string): string | undefined => {
  if (endpoint === '') return undefined;
  if (endpoint.startsWith(UNIX_PREFIX)) return unixPathProblem(endpoint.slice(UNIX_PREFIX.length));
  const forms = 'it must be 127.0.0.1:PORT, 0.0.0.0:PORT, [::1]:PORT, [::]:PORT or unix:///path';
  const split = splitHostPort(endpoint);
  if (typeof split === 'string') return `${split}; ${forms}`;
  if (!ENDPOINT_HOSTS.includes(split.host)) return `forwards to host "${split.host}"; ${forms}`;
  if (!/^[+-]?[0-9]+$/.test(split.port)) return `has port "${split.port}", which is not a number`;
  const problem = portProblem(Number(split.port));
  return problem ? `has port ${Number(split.port)}, which ${problem}` : undefined;
});

/** Ingress TLS fields and modes a Sidecar does not support (they belong to gateways). */
export const SIDECAR_TLS_UNSUPPORTED = ['subjectAltNames', 'httpsRedirect', 'credentialName', 'credentialNames', 'tlsCertificates'] as const;

/** SC-01: ingress TLS sets none of {@link SIDECAR_TLS_UNSUPPORTED} and no mode ISTIO_MUTUAL or AUTO_PASSTHROUGH. */
export const ingressTlsUnsupportedProblem = invariant('SC-01', (tls: Record<string, unknown>): string | undefined => {
  const set = SIDECAR_TLS_UNSUPPORTED.filter((f) => (f === 'httpsRedirect' ? tls[f] === true : isSet(tls[f]) && tls[f] !== ''));
  const what = [...set, ...(tls.mode === 'ISTIO_MUTUAL' || tls.mode === 'AUTO_PASSTHROUGH' ? [`mode ${tls.mode}`] : [])];
  if (what.length === 0) return undefined;
  return `sets ${what.join(', ')}, which ${what.length === 1 ? 'a Sidecar ingress listener does' : 'Sidecar ingress listeners do'} not support`;
});

/**
 * SC-01: terminating ingress TLS carries its material as files: SIMPLE needs serverCertificate and privateKey,
 * MUTUAL and OPTIONAL_MUTUAL also caCertificates; caCrl has no use with SIMPLE.
 */
export const ingressTlsMaterialProblem = invariant('SC-01', (tls: Record<string, unknown>): string | undefined => {
  const mode = tls.mode;
  if (mode !== 'SIMPLE' && mode !== 'MUTUAL' && mode !== 'OPTIONAL_MUTUAL') return undefined;
  const needed = mode === 'SIMPLE' ? ['serverCertificate', 'privateKey'] : ['serverCertificate', 'privateKey', 'caCertificates'];
  const missing = needed.filter((f) => !hasText(tls[f]));
  if (missing.length > 0) return `mode ${mode} has no ${missing.join(' or ')}`;
  if (mode === 'SIMPLE' && hasText(tls.caCrl)) return 'mode SIMPLE sets caCrl, which only applies when client certificates are verified';
  return undefined;
});

/**
 * SC-01: `outboundTrafficPolicy.egressProxy` is only allowed with mode ALLOW_ANY (an unset mode is REGISTRY_ONLY,
 * the enum's zero value).
 */
export const egressProxyProblem = invariant('SC-01', (policy: Record<string, unknown>): string | undefined => {
  if (!isSet(policy.egressProxy) || policy.mode === 'ALLOW_ANY') return undefined;
  return `sets egressProxy with mode ${typeof policy.mode === 'string' ? policy.mode : 'unset (REGISTRY_ONLY)'}; egressProxy is only allowed with mode ALLOW_ANY`;
});

/** The outbound mode a Sidecar sets: its `outboundTrafficPolicy.mode`, REGISTRY_ONLY when the policy has none, else `undefined` (mesh default). */
export function outboundModeOf(spec: Record<string, unknown>): string | undefined {
  const policy = spec.outboundTrafficPolicy;
  if (!isRecord(policy)) return undefined;
  return typeof policy.mode === 'string' ? policy.mode : 'REGISTRY_ONLY';
}

/**
 * Whether the egress host `entry` (`ns/dnsName`) of a Sidecar applied to workloads of `namespace` imports `host`
 * from a service defined in `serviceNamespace` (`undefined`: a service outside the input, any namespace).
 */
export function egressImports(entry: string, namespace: string, serviceNamespace: string | undefined, host: string): boolean {
  const slash = entry.indexOf('/');
  if (slash < 0) return false;
  const ns = entry.slice(0, slash);
  if (ns === '~') return false;
  if (ns !== '*' && serviceNamespace !== undefined && (ns === '.' ? namespace : ns) !== serviceNamespace) return false;
  return hostMatches(normalizeHost(entry.slice(slash + 1)), host);
}

/** A ServiceEntry (or an inventory host) as the egress lockdown check sees it. */
export interface RegistryEntry {
  /** How messages name it: `ServiceEntry "payments/stripe"`. */
  readonly what: string;
  /** Its namespace (`undefined` for a declared host outside the input: namespace unknown, visible everywhere). */
  readonly namespace?: string;
  /** Its hosts, normalized (FQDNs or `*.suffix`). */
  readonly hosts: readonly string[];
  readonly visibility: Visibility;
}

/**
 * The registration of a ServiceEntry named `name` in `namespace` (`default` when unset): its hosts as Istio resolves
 * them (short names in its namespace) and its exportTo visibility (unset: every namespace).
 */
export function serviceEntryRegistration(name: string, namespace: string | undefined, spec: Record<string, unknown>): RegistryEntry {
  const ns = namespace ?? 'default';
  const hosts = Array.isArray(spec.hosts) ? spec.hosts.filter(hasText).map((h) => fqdn(h, ns)) : [];
  return { what: `ServiceEntry "${ns}/${name}"`, namespace: ns, hosts: [...new Set(hosts)], visibility: visibilityOf(spec.exportTo, ns) };
}

/** The entries that declare `host` (exactly or by wildcard) and are visible to workloads of `namespace`, in input order. */
export function visibleRegistrations(host: string, namespace: string, entries: readonly RegistryEntry[]): RegistryEntry[] {
  return entries.filter((e) => e.hosts.some((p) => hostMatches(p, host)) && (e.visibility.all || e.visibility.namespaces.has(namespace)));
}

/**
 * SC-05: under a REGISTRY_ONLY Sidecar, a workload in `namespace` reaches the external `host` only when a
 * ServiceEntry visible to the namespace declares it (exactly or by wildcard) and one of the Sidecar's egress hosts
 * (`egressHosts`, `ns/dnsName`; a Sidecar without egress listeners imports every namespace) imports that entry. What is missing, or `undefined`.
 */
export const egressLockdownProblem = invariant('SC-05', (host: string, namespace: string, egressHosts: readonly string[], entries: readonly RegistryEntry[]): string | undefined => {
  const visible = visibleRegistrations(host, namespace, entries);
  if (visible.length === 0) {
    const hidden = entries.find((e) => e.hosts.some((p) => hostMatches(p, host)));
    if (!hidden) return `no ServiceEntry visible to namespace ${namespace} declares it`;
    const to = [...hidden.visibility.namespaces];
    return `${hidden.what} declares it but its exportTo hides it from namespace ${namespace} (${to.length ? `exported to ${to.join(', ')}` : 'exported to no namespace'})`;
  }
  if (visible.some((e) => egressHosts.some((h) => egressImports(h, namespace, e.namespace, host)))) return undefined;
  const e = visible[0];
  const ns = e.namespace === undefined ? '*' : e.namespace === namespace ? '.' : e.namespace;
  return `${e.what} declares it, but no egress host of the Sidecar imports it (add "${ns}/${host}" or "${ns}/*")`;
});

/**
 * The in-cluster hosts that sidecars of `namespace` are sent to when they call `host`: the destinations of the
 * mesh-bound VirtualServices for it that the namespace sees (an egress gateway's Service, in Istio's pattern), each with
 * the namespace of the VirtualService that sends it there (`via`).
 */
export function meshRouteTargets(host: string, namespace: string, virtualServices: ReadonlyArray<{ namespace: string; spec: any }>): Array<{ host: string; namespace: string; via: string }> {
  const out = new Map<string, { host: string; namespace: string; via: string }>();
  for (const vs of virtualServices) {
    const visibility = visibilityOf(vs.spec.exportTo, vs.namespace);
    if (!visibility.all && !visibility.namespaces.has(namespace)) continue;
    if (!arr(vs.spec.hosts).some((h) => typeof h === 'string' && hostMatches(fqdn(h, vs.namespace), host))) continue;
    const gateways = arr(vs.spec.gateways);
    for (const section of ['http', 'tls', 'tcp']) {
      for (const route of arr(vs.spec[section])) {
        if (!isRecord(route)) continue;
        const matches = arr(route.match).filter(isRecord);
        const meshRoute = (gateways.length === 0 || gateways.includes('mesh'))
          && (matches.length === 0 || matches.some((m) => m.gateways === undefined || arr(m.gateways).includes('mesh')));
        if (!meshRoute) continue;
        for (const d of arr(route.route)) {
          const target = isRecord(d) && isRecord(d.destination) && typeof d.destination.host === 'string' ? fqdn(d.destination.host, vs.namespace) : undefined;
          const local = target ? clusterLocal(target) : undefined;
          if (target && local) out.set(target, { host: target, namespace: local.namespace, via: vs.namespace });
        }
      }
    }
  }
  return [...out.values()];
}

const CLUSTER_SUFFIX = '.svc.cluster.local';

/**
 * The in-cluster FQDNs an input knows, for {@link inClusterFqdn}: its Kubernetes Services (`name.namespace.svc.cluster.local`)
 * and the hosts of its VirtualServices and DestinationRules (`istioHosts`, resolved in their namespaces).
 */
export function inClusterHostSet(services: Iterable<{ readonly name: string; readonly namespace?: string }>,
  istioHosts: Iterable<{ readonly host: string; readonly namespace?: string }>): Set<string> {
  const out = new Set<string>();
  for (const s of services) if (s.name) out.add(`${s.name}.${s.namespace ?? 'default'}${CLUSTER_SUFFIX}`.toLowerCase());
  for (const h of istioHosts) out.add(fqdn(h.host, h.namespace));
  return out;
}

/**
 * The `name.namespace.svc.cluster.local` a called host stands for when it stays in the cluster: that form itself,
 * or the Kubernetes search-path forms `name.namespace` and `name.namespace.svc` of a Service or Istio host in
 * `inCluster` (FQDNs); `undefined` for a host outside the cluster.
 */
export function inClusterFqdn(host: string, inCluster: ReadonlySet<string>): string | undefined {
  if (host.endsWith(CLUSTER_SUFFIX)) return host;
  const labels = host.split('.');
  const short = labels.length === 2 || (labels.length === 3 && labels[2] === 'svc');
  const full = `${labels[0]}.${labels[1]}${CLUSTER_SUFFIX}`;
  return short && inCluster.has(full) ? full : undefined;
}
