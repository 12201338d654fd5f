import { invariant } from './check';
import { MESH_WIDE_HOSTS } from './hosts';
import { isHttpFamily, isTlsFamily } from './protocols';
/** ServiceEntry invariants shared by rules and ExternalDependency: hosts (SE-01), ports (SE-03), resolution (SE-05, SE-06). */

/** Port protocols resolution DYNAMIC_DNS allows (it resolves the host the request names: Host header or SNI). */
export const DYNAMIC_DNS_PROTOCOLS: readonly string[] = ['HTTP', 'TLS', 'GRPC', 'HTTP2'];

/** SE-01: a ServiceEntry lists at least one host (the CRD's `minItems: 1`). */
export const serviceEntryHostsProblem = invariant('SE-01', (hosts: unknown): string | undefined =>
  (Array.isArray(hosts) && hosts.length > 0 ? undefined : 'needs at least one host'));

/**
 * SE-03: no two ports share a name or a number. `earlier` maps the values of `field` of the ports before this one
 * to their index in `spec.ports`; the problem names the port that already has `value`.
 */
export const servicePortRepeatProblem = invariant('SE-03', (field: 'name' | 'number', value: unknown, earlier: ReadonlyMap<unknown, number>): string | undefined => {
  const first = earlier.get(value);
  return first === undefined ? undefined : `reuses the ${field} ${JSON.stringify(value)} of spec.ports[${first}]`;
});

/**
 * SE-05: resolution DNS or DNS_ROUND_ROBIN without endpoints resolves the hosts themselves, so a host cannot be
 * a wildcard.
 */
export const wildcardResolutionProblem = invariant('SE-05', (host: unknown, resolution: string, endpoints: number): string | undefined => {
  if ((resolution !== 'DNS' && resolution !== 'DNS_ROUND_ROBIN') || endpoints > 0) return undefined;
  return typeof host === 'string' && host.includes('*') ? `is a wildcard, which resolution ${resolution} cannot resolve without endpoints` : undefined;
});

/**
 * SE-06: with several hosts and a resolution other than NONE, every port must let the proxy tell the hosts apart:
 * an HTTP-family port (Host header) or a TLS-family port (SNI). `protocol` is upper-case, `''` when unset.
 */
export const sharedPortProblem = invariant('SE-06', (protocol: string, hosts: number, resolution: string): string | undefined => {
  if (hosts < 2 || resolution === 'NONE' || isHttpFamily(protocol) || isTlsFamily(protocol)) return undefined;
  return `is shared by ${hosts} hosts with resolution ${resolution}, and cannot tell the hosts apart`;
});

/**
 * SE-01: a MESH_EXTERNAL ServiceEntry may not claim a mesh service's host (`reviews.ns.svc.cluster.local`,
 * `kubernetes.default.svc.cluster.local`, `*.svc.cluster.local`): the sidecars would treat the in-cluster service
 * as external (no mTLS, the entry's resolution instead of the service registry), which predictably breaks the
 * calls to it. `location` is the ServiceEntry's (`MESH_EXTERNAL` when unset, as Istio defaults it).
 */
export const meshHostAsExternalProblem = invariant('SE-01', (host: unknown, location: unknown): string | undefined => {
  if (typeof host !== 'string' || (location !== undefined && location !== 'MESH_EXTERNAL')) return undefined;
  const h = host.toLowerCase().replace(/\.$/, '');
  return h.endsWith('.svc.cluster.local') || MESH_WIDE_HOSTS.has(h)
    ? 'is an in-cluster (mesh) service host, so MESH_EXTERNAL would make the sidecars treat that mesh service as external (no mTLS, no service registry)'
    : undefined;
});

/** SE-01: with resolution DYNAMIC_DNS every host is a `*.domain` wildcard (the proxy resolves the name each request asks for). */
export const dynamicDnsHostProblem = invariant('SE-01', (host: string): string | undefined =>
  (host.startsWith('*.') && !host.slice(1).includes('*') ? undefined : 'is not a "*.domain" wildcard, which resolution DYNAMIC_DNS requires'));

/** SE-05: resolution DYNAMIC_DNS takes only HTTP, TLS, GRPC or HTTP2 ports (`protocol` upper-case, `''` when unset). */
export const dynamicDnsPortProblem = invariant('SE-05', (protocol: string): string | undefined =>
  (DYNAMIC_DNS_PROTOCOLS.includes(protocol) ? undefined : 'is not allowed with resolution DYNAMIC_DNS'));

/** SE-05: resolution DYNAMIC_DNS takes no addresses and no endpoints. */
export const dynamicDnsFieldProblem = invariant('SE-05', (field: 'addresses' | 'endpoints', count: number): string | undefined =>
  (count > 0 ? `is set but resolution DYNAMIC_DNS takes no ${field}` : undefined));

/** SE-05: a ServiceEntry selects workloads (`workloadSelector`) or lists `endpoints`, not both. */
export const selectorWithEndpointsProblem = invariant('SE-05', (selector: boolean, endpoints: number): string | undefined =>
  (selector && endpoints > 0 ? `and spec.endpoints (${endpoints}) are both set; a ServiceEntry selects workloads or lists endpoints, not both` : undefined));
