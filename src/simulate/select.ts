import { MESH_GATEWAY } from '../core/gateway-ref';
import { hostMatches, isWildcardHost, normalizeHost } from '../core/hosts';
import { arr, isRecord } from '../core/json';
import { NormalizedRequest } from './request';
import { VsEntry, visibleFrom, World } from './world';
/**
 * Which VirtualServices route a request: the host it is for, the port, and the VirtualServices that serve that host
 * for the sending proxy.
 *
 * - A sidecar reads VirtualServices bound to `mesh` (or to no gateway) that are exported to its namespace; a
 *   gateway reads those that list it in `gateways`, exported to its namespace, and only for hosts its servers
 *   expose on the port (a `namespace/host` server host also limits the VirtualServices' namespace).
 * - Hosts: exact beats wildcard, a longer wildcard beats a shorter one, as Envoy picks virtual hosts by domain.
 * - Several VirtualServices for the same host: a gateway merges their routes (in creation order, here input order);
 *   a sidecar uses the oldest only (istioctl IST0109), here the first in the input.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#VirtualService
 * @see https://istio.io/latest/docs/ops/best-practices/traffic-management/#split-virtual-services
 * @see https://istio.io/latest/docs/reference/config/networking/gateway/#Server
 */

/** The VirtualServices that serve a request, or why the proxy has no route at all. */
export interface Selection {
  /** The host the request is for: an FQDN from the mesh, the authority's host at a gateway. */
  readonly host: string;
  readonly port: number;
  /** The VirtualServices whose routes apply, in order (one from the mesh; merged ones at a gateway). */
  readonly virtualServices: VsEntry[];
  /** The VirtualService host pattern that won. */
  readonly matchedHost?: string;
  /** Why the gateway routes nothing for this host and port (NR before any route is read). */
  readonly noRoute?: string;
  readonly notes: string[];
}

/** Selects the VirtualServices for a request. */
export function selectVirtualServices(world: World, request: NormalizedRequest): Selection {
  const source = request.source;
  const notes: string[] = [];
  const host = source.gatewayName ? request.authorityHost : meshHost(world, request.authorityHost, source.namespace);
  if (host !== request.authorityHost) notes.push(`"${request.authorityHost}" from namespace ${source.namespace} resolves to ${host}`);
  const gateway = source.gatewayName ? world.gateways.get(source.gatewayName) : undefined;
  const servers = gateway ? arr(gateway.spec.servers).filter(isRecord) : [];
  const port = request.port ?? request.authorityPort ?? defaultPort(world, host, servers, notes);
  const self = source.gatewayName ?? MESH_GATEWAY;
  let admits = (_vs: VsEntry) => true;
  if (source.gatewayName && !gateway) {
    notes.push(`Gateway ${source.gatewayName} is not in the input: its servers (ports, hosts) are not checked`);
  } else if (gateway) {
    const onPort = servers.filter((s) => isRecord(s.port) && s.port.number === port);
    if (onPort.length === 0) return { host, port, virtualServices: [], notes, noRoute: `Gateway ${source.gatewayName} has no server on port ${port}` };
    const gwNs = source.gatewayName!.split('/')[0];
    const hosts = onPort.flatMap((s) => arr(s.hosts)).filter((h): h is string => typeof h === 'string').map((entry) => {
      const slash = entry.indexOf('/');
      const ns = slash < 0 ? '*' : entry.slice(0, slash);
      return { ns: ns === '.' ? gwNs : ns, host: normalizeHost(slash < 0 ? entry : entry.slice(slash + 1)) };
    }).filter((h) => hostMatches(h.host, host));
    if (hosts.length === 0) return { host, port, virtualServices: [], notes, noRoute: `Gateway ${source.gatewayName} serves no host matching "${host}" on port ${port}` };
    admits = (vs) => hosts.some((h) => h.ns === '*' || h.ns === vs.namespace);
  }
  const candidates = world.virtualServicesFor(host).filter((vs) => vs.gateways.includes(self) && visibleFrom(vs.visibility, source.namespace) && admits(vs));
  let best = -1;
  let matchedHost: string | undefined;
  const byRank = new Map<VsEntry, number>();
  for (const vs of candidates) {
    for (const pattern of vs.hosts) {
      if (!hostMatches(pattern, host)) continue;
      const rank = isWildcardHost(pattern) ? pattern.length : Number.MAX_SAFE_INTEGER;
      byRank.set(vs, Math.max(byRank.get(vs) ?? -1, rank));
      if (rank > best) {
        best = rank;
        matchedHost = pattern;
      }
    }
  }
  const serving = candidates.filter((vs) => byRank.get(vs) === best).sort((a, b) => a.order - b.order);
  hiddenNotes(world, host, self, source.namespace, best, notes);
  if (serving.length === 0) return { host, port, virtualServices: [], notes };
  if (!source.gatewayName && serving.length > 1) {
    notes.push(`${serving.slice(1).map((v) => `VirtualService ${v.id}`).join(', ')} also route${serving.length > 2 ? '' : 's'} ${matchedHost} for sidecars; `
      + `Istio uses only the oldest (IST0109), taken here as the first in the input: ${serving[0].id}`);
    return { host, port, virtualServices: serving.slice(0, 1), matchedHost, notes };
  }
  if (serving.length > 1) notes.push(`VirtualServices ${serving.map((v) => v.id).join(', ')} are merged for ${matchedHost} at the gateway, in input order (Istio: creation order)`);
  return { host, port, virtualServices: serving, matchedHost, notes };
}

/**
 * From the mesh, Kubernetes DNS resolves a short name in the caller's namespace (`reviews`), and `name.ns` or
 * `name.ns.svc` to the cluster-local service when one is known.
 */
function meshHost(world: World, host: string, namespace: string): string {
  if (!host.includes('.') && !host.includes('*')) return `${host}.${namespace}.svc.cluster.local`;
  const labels = host.split('.');
  if (labels.length === 2 || (labels.length === 3 && labels[2] === 'svc')) {
    const local = `${labels[0]}.${labels[1]}.svc.cluster.local`;
    const known = world.services.has(local) || world.serviceEntryHosts.has(local)
      || world.virtualServicesFor(local).some((vs) => vs.hosts.includes(local)) || world.destinationRulesFor(local).some((dr) => dr.host === local);
    if (known) return local;
  }
  return host;
}

/** The port of a request that names none: the Gateway's only server port, the Service's only port, else 80 (noted). */
function defaultPort(world: World, host: string, servers: Array<Record<string, any>>, notes: string[]): number {
  const ports = servers.length > 0
    ? [...new Set(servers.map((s) => (isRecord(s.port) ? s.port.number : undefined)).filter((n): n is number => typeof n === 'number'))]
    : (world.services.get(host)?.ports ?? []).map((p) => p.port).filter((n): n is number => typeof n === 'number');
  if (ports.length === 1) return ports[0];
  notes.push(ports.length > 1 ? `port 80 assumed: the request names no port and ${servers.length > 0 ? 'the Gateway' : 'the Service'} has several (${ports.join(', ')})`
    : 'port 80 assumed: the request names no port and the input has no Service or Gateway server that tells it');
  return 80;
}

/**
 * Notes on VirtualServices this proxy does not see (another gateway binding, exportTo) that would have served the
 * host at least as specifically as the one chosen (`best`: the rank of the chosen host pattern, -1 for none).
 */
function hiddenNotes(world: World, host: string, self: string, namespace: string, best: number, notes: string[]): void {
  const rank = (pattern: string) => (isWildcardHost(pattern) ? pattern.length : Number.MAX_SAFE_INTEGER);
  for (const vs of world.virtualServicesFor(host)) {
    if (!vs.hosts.some((h) => hostMatches(h, host) && h !== '*' && rank(h) >= best)) continue;
    if (!vs.gateways.includes(self)) notes.push(`VirtualService ${vs.id} routes ${host} but is bound to ${vs.gateways.join(', ')}, not ${self}`);
    else if (!visibleFrom(vs.visibility, namespace)) notes.push(`VirtualService ${vs.id} routes ${host} but is not exported to namespace ${namespace}`);
  }
}
