import { Severity } from '../../core/errors';
import { addressProblem } from '../../core/ip';
import { arr, isRecord } from '../../core/json';
import { isTcpFamily, protocolOf, showProtocol } from '../../core/protocols';
import { dynamicDnsHostProblem, meshHostAsExternalProblem, serviceEntryHostsProblem, servicePortRepeatProblem, sharedPortProblem } from '../../core/service-entry';
import { Finding, IstioObject, Rule } from '../../engine/types';

/** The `resolution` of a ServiceEntry spec (`NONE` when unset, as Istio defaults it). */
export function resolutionOf(spec: any): string {
  return typeof spec.resolution === 'string' ? spec.resolution : 'NONE';
}

/** A host with a `*` anywhere but as the whole first label (`*foo.com`, `foo.*.com`). */
function isPartialWildcard(host: string): boolean {
  if (!host.includes('*') || host === '*') return false;
  return !(host.startsWith('*.') && !host.slice(1).includes('*'));
}

/** `spec.ports[1] (3306 "mysql")` for messages. */
function portLabel(port: any, index: number): string {
  const number = isRecord(port) && port.number !== undefined ? ` ${JSON.stringify(port.number)}` : '';
  const name = isRecord(port) && typeof port.name === 'string' ? ` "${port.name}"` : '';
  return `spec.ports[${index}]${number || name ? ` (${`${number}${name}`.trim()})` : ''}`;
}

export const SE01: Rule = {
  code: 'SE-01', title: 'A ServiceEntry lists at least one host; partial wildcards are warned; DYNAMIC_DNS hosts are wildcards', severity: Severity.ERROR, levels: 'E/W', scope: 'self',
  kinds: ['ServiceEntry'],
  why: 'A ServiceEntry without hosts is rejected. A partial wildcard ("*foo.com") is accepted but matches nothing useful (warning). '
    + 'Resolution DYNAMIC_DNS resolves the host the client asked for, so every host must be a "*.domain" wildcard (error). '
    + 'Host grammar and the bare "*" are reported by X-03.',
  fix: 'List the external hostnames ("api.example.com", or "*.example.com" for a whole domain); use only "*.domain" wildcards with DYNAMIC_DNS.',
  upstream: 'webhook S1, S2, S13; CRD minItems',
  checkObject(o: IstioObject): Finding[] {
    const hosts = o.spec.hosts;
    const problem = serviceEntryHostsProblem(hosts);
    if (problem || !Array.isArray(hosts)) {
      return [{ message: `spec.hosts is ${hosts === undefined ? 'missing' : JSON.stringify(hosts)}: a ServiceEntry ${problem}`, fix: this.fix, value: hosts ?? null, allowed: '1-256 hosts' }];
    }
    const out: Finding[] = [];
    const dynamic = resolutionOf(o.spec) === 'DYNAMIC_DNS';
    const seen = new Map<string, number>();
    hosts.forEach((h, i) => {
      if (typeof h !== 'string' || h === '' || h === '*') return; // type and grammar: SCHEMA and X-03
      const where = `spec.hosts[${i}] "${h}"`;
      const notWildcard = dynamic ? dynamicDnsHostProblem(h) : undefined;
      if (notWildcard) {
        out.push({ message: `${where} ${notWildcard}`, fix: 'Use a wildcard host such as "*.example.com", or resolution DNS for a single host.', value: h, allowed: '*.domain' });
      } else if (!dynamic && isPartialWildcard(h)) {
        out.push({ severity: Severity.WARNING, message: `${where} is a partial wildcard; only a whole first label "*" ("*.example.com") is a wildcard`, fix: 'Use "*.example.com" or list the exact hosts.', value: h });
      }
      // Istio accepts it, but the sidecars then treat the mesh service as external (no mTLS): error by the severity policy.
      const inCluster = meshHostAsExternalProblem(h, o.spec.location);
      if (inCluster) {
        out.push({ message: `${where} ${inCluster}`, fix: 'Leave in-cluster services to the Kubernetes registry (no ServiceEntry), or set location: MESH_INTERNAL for a mesh service outside Kubernetes.', value: h, allowed: 'an external host' });
      }
      const key = h.toLowerCase().replace(/\.$/, '');
      const first = seen.get(key);
      if (first !== undefined) {
        out.push({ severity: Severity.WARNING, message: `${where} repeats spec.hosts[${first}]`, fix: 'List each host once.', value: h });
      } else {
        seen.set(key, i);
      }
    });
    return out;
  },
};

export const SE02: Rule = {
  code: 'SE-02', title: 'ServiceEntry addresses are IPs or CIDRs; CIDRs only with resolution NONE or STATIC', severity: Severity.ERROR, levels: 'E', scope: 'self',
  kinds: ['ServiceEntry'],
  why: 'Istio rejects addresses that are not IPs or CIDR blocks, and CIDR blocks with DNS resolution (a CIDR cannot be resolved or used as a single endpoint).',
  fix: 'Use IP addresses ("240.240.0.1") or CIDR blocks ("10.0.0.0/16"); CIDR blocks need resolution NONE or STATIC.',
  upstream: 'webhook S3, CRD CEL (CIDR only for NONE/STATIC)',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    const resolution = resolutionOf(o.spec);
    arr(o.spec.addresses).forEach((a, i) => {
      if (typeof a !== 'string') return; // SCHEMA
      const problem = addressProblem(a);
      if (problem) {
        out.push({ message: `spec.addresses[${i}] "${a}" ${problem}`, fix: this.fix, value: a, allowed: 'IP address or CIDR' });
      } else if (a.includes('/') && resolution !== 'NONE' && resolution !== 'STATIC') {
        out.push({ message: `spec.addresses[${i}] "${a}" is a CIDR block, which resolution ${resolution} cannot use`, fix: 'Use resolution NONE or STATIC with CIDR addresses, or list single IPs.', value: a, allowed: 'CIDR only with NONE or STATIC' });
      }
    });
    return out;
  },
};

export const SE03: Rule = {
  code: 'SE-03', title: 'ServiceEntry ports are non-null, named and numbered, with unique names and numbers', severity: Severity.ERROR, levels: 'E', scope: 'self',
  kinds: ['ServiceEntry'],
  why: 'Istio rejects null ports, ports without name or number, and two ports sharing a name or a number (the listener and cluster would clash). '
    + 'Port-name grammar and protocol names are reported by X-09, number and targetPort ranges by X-02.',
  fix: 'Give every port a unique name and a unique number, e.g. { number: 443, name: "https", protocol: "TLS" }.',
  upstream: 'webhook S4, CRD (required name/number, list-map key name, CEL unique numbers)',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    const names = new Map<unknown, number>();
    const numbers = new Map<unknown, number>();
    arr(o.spec.ports).forEach((p, i) => {
      if (!isRecord(p)) {
        out.push({ message: `spec.ports[${i}] is ${JSON.stringify(p)}, not a port`, fix: this.fix, value: p ?? null });
        return;
      }
      if (p.name === undefined || p.name === '') {
        out.push({ message: `${portLabel(p, i)} has no name`, fix: this.fix, value: p.name ?? null, allowed: 'a unique DNS label' });
      } else if (typeof p.name === 'string') {
        const repeat = servicePortRepeatProblem('name', p.name, names);
        if (repeat) out.push({ message: `${portLabel(p, i)} ${repeat}`, fix: this.fix, value: p.name });
        else names.set(p.name, i);
      }
      if (p.number === undefined) {
        out.push({ message: `${portLabel(p, i)} has no number`, fix: this.fix, value: null, allowed: '1-65535' });
      } else if (typeof p.number === 'number') {
        const repeat = servicePortRepeatProblem('number', p.number, numbers);
        if (repeat) out.push({ message: `${portLabel(p, i)} ${repeat}`, fix: this.fix, value: p.number });
        else numbers.set(p.number, i);
      }
    });
    return out;
  },
};

/** Label that states IP auto-allocation for a ServiceEntry (Istio's v2 allocator honours it). */
export const AUTO_ALLOCATE_LABEL = 'networking.istio.io/enable-autoallocate-ip';

export const SE04: Rule = {
  code: 'SE-04', title: 'A TCP or protocol-less ServiceEntry port needs addresses or IP auto-allocation', severity: Severity.WARNING, levels: 'W', scope: 'self',
  kinds: ['ServiceEntry'],
  why: 'Without an address, the sidecar listens for a TCP (or sniffed) port on 0.0.0.0:<port>, shared by every such ServiceEntry and Service on that port, so traffic can go to the wrong destination. '
    + 'DNS auto-allocation (ISTIO_META_DNS_CAPTURE plus ISTIO_META_DNS_AUTO_ALLOCATE, or the IP auto-allocation controller) assigns addresses, but that is mesh configuration the library cannot see. '
    + `Passes when the entry has spec.addresses, an allocated status.addresses, or the label ${AUTO_ALLOCATE_LABEL}: "true" stating that auto-allocation is on.`,
  fix: `Add spec.addresses (a VIP or CIDR), give the port an HTTP or TLS protocol, or, if the mesh auto-allocates (ISTIO_META_DNS_CAPTURE and ISTIO_META_DNS_AUTO_ALLOCATE set on the proxies, or IP auto-allocation enabled), label the ServiceEntry ${AUTO_ALLOCATE_LABEL}: "true".`,
  upstream: 'IST0134 ServiceEntryAddressesRequired, webhook S5',
  checkObject(o: IstioObject): Finding[] {
    if (arr(o.spec.addresses).length > 0) return [];
    const labels = o.manifest?.metadata?.labels;
    if (isRecord(labels) && labels[AUTO_ALLOCATE_LABEL] === 'true') return [];
    if (arr(o.manifest?.status?.addresses).length > 0) return [];
    const tcp = arr(o.spec.ports).map((p, i) => ({ p, i })).filter(({ p }) => isRecord(p) && (protocolOf(p) === '' || protocolOf(p) === 'TCP'));
    if (tcp.length === 0) return [];
    const which = tcp.map(({ p, i }) => `${portLabel(p, i)} protocol ${showProtocol(protocolOf(p))}`).join(', ');
    return [{ message: `${which} ${tcp.length === 1 ? 'is' : 'are'} TCP but spec.addresses is empty and no IP auto-allocation is declared`, fix: this.fix, value: tcp.map(({ p }) => p.number) }];
  },
};

export const SE06: Rule = {
  code: 'SE-06', title: 'Several hosts with a resolving ServiceEntry need HTTP or TLS ports', severity: Severity.ERROR, levels: 'E/W', scope: 'self',
  kinds: ['ServiceEntry'],
  why: 'On a plain TCP (or protocol-less) port the proxy cannot tell the hosts of one entry apart (no Host header, no SNI), so with resolution other than NONE Istio rejects several hosts (error). '
    + 'With DNS resolution, addresses, a TCP-family port and several hosts, the addresses are shared by hosts that resolve differently (warning).',
  fix: 'Split the entry into one ServiceEntry per host for TCP ports, or use HTTP/TLS protocols, or resolution NONE.',
  upstream: 'webhook S15 (error), S12 (warning)',
  checkObject(o: IstioObject): Finding[] {
    const hosts = arr(o.spec.hosts).filter((h) => typeof h === 'string');
    const resolution = resolutionOf(o.spec);
    if (hosts.length < 2 || resolution === 'NONE') return [];
    const ports = arr(o.spec.ports).map((p, i) => ({ p, i, protocol: protocolOf(p) })).filter(({ p }) => isRecord(p));
    const opaque = ports.filter(({ protocol }) => sharedPortProblem(protocol, hosts.length, resolution) !== undefined);
    if (opaque.length > 0) {
      const which = opaque.map(({ p, i, protocol }) => `${portLabel(p, i)} protocol ${showProtocol(protocol)}`).join(', ');
      return [{ message: `${hosts.length} hosts with resolution ${resolution} share ${which}, which cannot tell the hosts apart`, fix: this.fix, value: opaque.map(({ protocol }) => protocol || 'unset'), allowed: 'HTTP, HTTP2, GRPC, GRPC-WEB, HTTP_PROXY, HTTPS or TLS' }];
    }
    const dns = resolution === 'DNS' || resolution === 'DNS_ROUND_ROBIN';
    const tcp = ports.filter(({ protocol }) => isTcpFamily(protocol));
    if (dns && arr(o.spec.addresses).length > 0 && tcp.length > 0) {
      return [{
        severity: Severity.WARNING,
        message: `${hosts.length} hosts with resolution ${resolution} share spec.addresses and the TCP-family ${portLabel(tcp[0].p, tcp[0].i)} protocol ${showProtocol(tcp[0].protocol)}`,
        fix: this.fix, value: hosts,
      }];
    }
    return [];
  },
};

export const SE08: Rule = {
  code: 'SE-08', title: 'ServiceEntry exportTo "~" stands alone', severity: Severity.ERROR, levels: 'E', scope: 'self',
  kinds: ['ServiceEntry'],
  why: 'exportTo "~" hides a ServiceEntry from every namespace (only its workloadSelector or endpoints use it), so combining it with other entries is contradictory and Istio rejects it. '
    + 'The general exportTo grammar (duplicates, "*" alone, namespace names) is X-05.',
  fix: 'Use exportTo ["~"] alone to hide the entry, or list the namespaces that should see it without "~".',
  upstream: 'webhook S16 (C5 with "~")',
  checkObject(o: IstioObject): Finding[] {
    const entries = arr(o.spec.exportTo);
    if (!entries.includes('~')) return [];
    const others = entries.filter((e) => e !== '~');
    if (others.length === 0) return [];
    return [{ message: `spec.exportTo ${JSON.stringify(entries)} combines "~" with ${others.map((e) => JSON.stringify(e)).join(', ')}`, fix: this.fix, value: entries, allowed: '["~"] alone' }];
  },
};
