import { Severity } from '../../core/errors';
import { hostProblem } from '../../core/hosts';
import { isIpAddress } from '../../core/ip';
import { arr, isRecord } from '../../core/json';
import { protocolOf, showProtocol } from '../../core/protocols';
import { DYNAMIC_DNS_PROTOCOLS, dynamicDnsFieldProblem, dynamicDnsPortProblem, selectorWithEndpointsProblem, wildcardResolutionProblem } from '../../core/service-entry';
import { resolutionOf } from './shape';
import { Finding, IstioObject, Rule } from '../../engine/types';

const RESOLUTIONS = ['NONE', 'STATIC', 'DNS', 'DNS_ROUND_ROBIN', 'DYNAMIC_DNS'];
const UDS_PREFIX = 'unix://';
const ENDPOINT_PORT_NAME = /^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$/;
/** Istio's waypoint enrolment label. */
const USE_WAYPOINT_LABEL = 'istio.io/use-waypoint';

/** Endpoint list of a spec (null entries kept, so indexes stay right). */
function endpointsOf(spec: any): any[] {
  return arr(spec.endpoints);
}

/** Endpoint port names declared in `endpoints[i].ports`. */
function endpointPortNames(endpoint: any): string[] {
  return isRecord(endpoint) && isRecord(endpoint.ports) ? Object.keys(endpoint.ports) : [];
}

export const SE05: Rule = {
  code: 'SE-05', title: 'The ServiceEntry shape fits its resolution', severity: Severity.ERROR, levels: 'E', scope: 'self',
  kinds: ['ServiceEntry'],
  why: 'Each resolution takes a different shape and Istio rejects the rest: workloadSelector and endpoints exclude each other; NONE takes no endpoints; '
    + 'STATIC endpoints are IPs or unix:// sockets (a socket needs exactly one port); DNS without endpoints resolves the hosts, so they cannot be wildcards; '
    + 'DNS_ROUND_ROBIN takes at most one endpoint; endpoint ports name declared ports; DYNAMIC_DNS takes no addresses or endpoints, only HTTP, TLS, GRPC or HTTP2 ports, '
    + `and not MESH_INTERNAL with a waypoint (${USE_WAYPOINT_LABEL}). DYNAMIC_DNS wildcard hosts are SE-01; endpoint grammar is SE-09.`,
  fix: 'Match the fields to the resolution: IP endpoints with STATIC, hostnames with DNS, no endpoints with NONE, and exact hosts when DNS has no endpoints.',
  upstream: 'webhook S6-S11, S13, S14; CRD CEL',
  checkObject(o: IstioObject): Finding[] {
    const s = o.spec;
    const resolution = resolutionOf(s);
    if (!RESOLUTIONS.includes(resolution)) {
      return [{ message: `spec.resolution "${resolution}" is not a resolution`, fix: this.fix, value: resolution, allowed: RESOLUTIONS.join(', ') }];
    }
    const out: Finding[] = [];
    const endpoints = endpointsOf(s);
    const add = (message: string, value?: unknown, allowed?: string) => out.push({ message, fix: this.fix, ...(value !== undefined ? { value } : {}), ...(allowed ? { allowed } : {}) });
    const both = selectorWithEndpointsProblem(isRecord(s.workloadSelector), endpoints.length);
    if (both) add(`spec.workloadSelector ${both}`, 'workloadSelector+endpoints');
    if (resolution === 'NONE' && endpoints.length > 0) {
      add(`spec.endpoints lists ${endpoints.length} endpoint(s) but resolution ${resolution} takes none`, endpoints.length, 'no endpoints');
    }
    if (resolution === 'DYNAMIC_DNS' && dynamicDnsFieldProblem('endpoints', endpoints.length)) {
      add(`spec.endpoints lists ${endpoints.length} endpoint(s) but resolution ${resolution} takes none`, endpoints.length, 'no endpoints');
    }
    const portNames = new Set(arr(s.ports).filter(isRecord).map((p) => p.name).filter((n) => typeof n === 'string'));
    if (resolution === 'STATIC' || resolution === 'DNS' || resolution === 'DNS_ROUND_ROBIN') {
      endpoints.forEach((e, i) => {
        if (!isRecord(e)) return;
        const where = `spec.endpoints[${i}]`;
        const address = e.address;
        if (typeof address === 'string' && address !== '') {
          const uds = address.startsWith(UDS_PREFIX);
          if (resolution === 'STATIC' && !uds && !isIpAddress(address)) {
            add(`${where}.address "${address}" is not an IP address or unix:// socket, which resolution STATIC requires`, address, 'IP address or unix:///path');
          } else if (resolution !== 'STATIC' && (uds || (!isIpAddress(address) && (address.includes('*') || hostProblem(address) !== undefined)))) {
            add(`${where}.address "${address}" is not an IP address or hostname, which resolution ${resolution} requires`, address, 'IP address or FQDN');
          }
          if (resolution === 'STATIC' && uds && portNames.size !== 1) {
            add(`${where}.address "${address}" is a unix socket, which needs exactly one ServiceEntry port (spec.ports has ${portNames.size})`, portNames.size, 'exactly 1 port');
          }
        }
        for (const name of endpointPortNames(e)) {
          if (!portNames.has(name)) add(`${where}.ports names port "${name}", which spec.ports does not declare`, name, [...portNames].join(', ') || 'no ports declared');
        }
      });
    }
    arr(s.hosts).forEach((h, i) => {
      const problem = wildcardResolutionProblem(h, resolution, endpoints.length);
      if (problem) add(`spec.hosts[${i}] "${h}" ${problem}`, h, 'exact hostnames, or resolution NONE/DYNAMIC_DNS');
    });
    if (resolution === 'DNS_ROUND_ROBIN' && endpoints.length > 1) {
      add(`spec.endpoints lists ${endpoints.length} endpoints but resolution DNS_ROUND_ROBIN takes at most one`, endpoints.length, '0 or 1 endpoint');
    }
    if (resolution === 'DYNAMIC_DNS') {
      const addresses = arr(s.addresses);
      const addressProblem = dynamicDnsFieldProblem('addresses', addresses.length);
      if (addressProblem) add(`spec.addresses ${JSON.stringify(addresses)} ${addressProblem}`, addresses, 'no addresses');
      arr(s.ports).forEach((p, i) => {
        const protocol = protocolOf(p);
        const problem = isRecord(p) ? dynamicDnsPortProblem(protocol) : undefined;
        if (problem) add(`spec.ports[${i}] protocol ${showProtocol(protocol)} ${problem}`, protocol || 'unset', DYNAMIC_DNS_PROTOCOLS.join(', '));
      });
      const labels = o.manifest?.metadata?.labels;
      if (s.location === 'MESH_INTERNAL' && isRecord(labels) && typeof labels[USE_WAYPOINT_LABEL] === 'string' && labels[USE_WAYPOINT_LABEL] !== '') {
        add(`spec.location MESH_INTERNAL with resolution DYNAMIC_DNS is not allowed on an entry that uses a waypoint (${USE_WAYPOINT_LABEL}: "${labels[USE_WAYPOINT_LABEL]}")`, 'MESH_INTERNAL', 'MESH_EXTERNAL');
      }
    }
    return out;
  },
};

export const SE09: Rule = {
  code: 'SE-09', title: 'ServiceEntry endpoints are well formed', severity: Severity.ERROR, levels: 'E', scope: 'self',
  kinds: ['ServiceEntry'],
  why: 'Istio and the CRD reject endpoints without an address or network, unix:// sockets that are relative, directories or carry ports, '
    + 'endpoint port names that are not DNS-style labels (< 63 characters) or port numbers outside 1-65535, and oversized fields. '
    + 'Which addresses a resolution accepts is SE-05; label syntax is X-08; the endpoint count cap is X-13.',
  fix: 'Give each endpoint an address (IP, hostname for DNS, or unix:///absolute/path without ports) and ports as { <declared port name>: <1-65535> }.',
  upstream: 'webhook S8, S11; CRD CEL and limits on WorkloadEntry',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    endpointsOf(o.spec).forEach((e, i) => {
      const where = `spec.endpoints[${i}]`;
      const add = (message: string, value?: unknown, allowed?: string) => out.push({ message, fix: this.fix, ...(value !== undefined ? { value } : {}), ...(allowed ? { allowed } : {}) });
      if (!isRecord(e)) {
        add(`${where} is ${JSON.stringify(e)}, not an endpoint`, e ?? null);
        return;
      }
      const address = typeof e.address === 'string' ? e.address : '';
      const network = typeof e.network === 'string' ? e.network : '';
      if (address === '' && network === '') add(`${where} has neither address nor network`, e.address ?? null, 'an address, or a network');
      if (address.length > 256) add(`${where}.address is ${address.length} characters long`, address.length, '≤ 256 characters');
      if (address.startsWith(UDS_PREFIX)) {
        const path = address.slice(UDS_PREFIX.length);
        if (!path.startsWith('/') && !path.startsWith('@')) add(`${where}.address "${address}" is not an absolute (unix:///path) or abstract (unix://@name) socket`, address, 'unix:///absolute/path');
        else if (path.endsWith('/')) add(`${where}.address "${address}" names a directory, not a socket`, address);
        if (isRecord(e.ports) && Object.keys(e.ports).length > 0) add(`${where} is a unix socket "${address}" but lists ports ${JSON.stringify(e.ports)}`, e.ports, 'no ports on a unix socket');
      }
      if (isRecord(e.ports)) {
        const names = Object.keys(e.ports);
        if (names.length > 128) add(`${where}.ports has ${names.length} entries`, names.length, '≤ 128 ports');
        for (const name of names) {
          if (name.length >= 63 || !ENDPOINT_PORT_NAME.test(name)) add(`${where}.ports name ${JSON.stringify(name)} is not a valid port name`, name, 'letters, digits and "-", alphanumeric at both ends, < 63 characters');
          const n = e.ports[name];
          if (typeof n === 'number' && (!Number.isInteger(n) || n < 1 || n > 65535)) add(`${where}.ports["${name}"] ${n} is outside 1-65535`, n, '1-65535');
        }
      }
      if (isRecord(e.labels) && Object.keys(e.labels).length > 256) add(`${where}.labels has ${Object.keys(e.labels).length} entries`, Object.keys(e.labels).length, '≤ 256 labels');
      if (typeof e.serviceAccount === 'string' && e.serviceAccount.length > 253) add(`${where}.serviceAccount is ${e.serviceAccount.length} characters long`, e.serviceAccount.length, '≤ 253 characters');
      for (const key of ['network', 'locality'] as const) {
        if (typeof e[key] === 'string' && e[key].length > 2048) add(`${where}.${key} is ${e[key].length} characters long`, e[key].length, '≤ 2048 characters');
      }
    });
    return out;
  },
};
