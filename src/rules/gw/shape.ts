import { Severity } from '../../core/errors';
import { serverHostProblem } from '../../core/gateway-ref';
import { dnsLabelProblem } from '../../core/grammar';
import { isIpAddress } from '../../core/ip';
import { arr, isRecord } from '../../core/json';
import { isHttpFamily, isTlsFamily, protocolOf } from '../../core/protocols';
import { Finding, IstioObject, Rule } from '../../engine/types';

const UDS_PREFIX = 'unix://';
/** Protocols that are neither HTTP- nor TLS-family but valid on a gateway server. */
const OPAQUE_PROTOCOLS = ['TCP', 'MONGO', 'REDIS', 'MYSQL', 'UDP'];
/** Server TLS fields that carry certificate material. */
export const CERT_FIELDS = ['serverCertificate', 'privateKey', 'caCertificates', 'credentialName', 'credentialNames', 'tlsCertificates'] as const;

/** Whether a field value is set: a non-empty string or a non-empty array. */
export function present(value: unknown): boolean {
  return (typeof value === 'string' && value !== '') || (Array.isArray(value) && value.length > 0);
}

/** `spec.servers[1] (port "https" 443)` for messages. */
export function serverLabel(server: any, index: number): string {
  const port = isRecord(server) && isRecord(server.port) ? server.port : undefined;
  const parts = [typeof port?.name === 'string' ? `port "${port.name}"` : '', typeof port?.number === 'number' ? String(port.number) : ''].filter(Boolean);
  return `spec.servers[${index}]${parts.length ? ` (${parts.join(' ')})` : ''}`;
}

/** The servers of a Gateway that are objects, with their index. */
export function serversOf(o: IstioObject): Array<{ server: any; index: number }> {
  return arr(o.spec.servers).map((server, index) => ({ server, index })).filter(({ server }) => isRecord(server));
}

export const GW01: Rule = {
  code: 'GW-01', title: 'A Gateway has a DNS-label name, at least one server, and unique server port names', severity: Severity.ERROR, levels: 'E', scope: 'self',
  kinds: ['Gateway'],
  why: 'Istio rejects a Gateway whose name has dots (VirtualServices reference it as namespace/name), one without servers or with null servers, '
    + 'and two servers sharing a port name. Port-name grammar is X-09.',
  fix: 'Name the Gateway with a DNS label (e.g. "shop-gateway"), declare at least one server, and give every server port its own name.',
  upstream: 'webhook G1, G2, G6',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    const nameProblem = dnsLabelProblem(o.name);
    if (nameProblem) out.push({ message: `metadata.name ${JSON.stringify(o.name)} ${nameProblem}`, fix: this.fix, value: o.name, allowed: 'DNS-1123 label' });
    const servers = o.spec.servers;
    if (!Array.isArray(servers) || servers.length === 0) {
      out.push({ message: `spec.servers is ${servers === undefined ? 'missing' : JSON.stringify(servers)}: a Gateway needs at least one server`, fix: this.fix, value: servers ?? null, allowed: 'at least one server' });
      return out;
    }
    const names = new Map<string, number>();
    servers.forEach((server, i) => {
      if (!isRecord(server)) {
        out.push({ message: `spec.servers[${i}] is ${JSON.stringify(server)}, not a server`, fix: this.fix, value: server ?? null });
        return;
      }
      const name = isRecord(server.port) ? server.port.name : undefined;
      if (typeof name !== 'string' || name === '') return; // a missing name is GW-03
      const first = names.get(name);
      if (first !== undefined) out.push({ message: `${serverLabel(server, i)} reuses the port name "${name}" of spec.servers[${first}]`, fix: this.fix, value: name });
      else names.set(name, i);
    });
    return out;
  },
};

export const GW02: Rule = {
  code: 'GW-02', title: 'Gateway server hosts are namespace/FQDN, never short names', severity: Severity.ERROR, levels: 'E', scope: 'self',
  kinds: ['Gateway'],
  why: 'Istio rejects a server without hosts, a `ns/host` entry whose namespace is not "*", "." or a namespace name, and short (dot-less) names, '
    + 'which a gateway cannot resolve. Host grammar and partial wildcards are reported by X-03.',
  fix: 'Write hosts as "shop.example.com", "*/shop.example.com", "./shop.example.com" or "<namespace>/shop.example.com" ("*" alone for every host).',
  upstream: 'webhook G3',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    for (const { server, index } of serversOf(o)) {
      const where = `${serverLabel(server, index)}.hosts`;
      const hosts = server.hosts;
      if (!Array.isArray(hosts) || hosts.length === 0) {
        out.push({ message: `${where} is ${hosts === undefined ? 'missing' : JSON.stringify(hosts)}: a server needs at least one host`, fix: this.fix, value: hosts ?? null });
        continue;
      }
      hosts.forEach((h, j) => {
        if (typeof h !== 'string') return; // SCHEMA
        const at = `${serverLabel(server, index)}.hosts[${j}] "${h}"`;
        const problem = serverHostProblem(h);
        if (problem) out.push({ message: `${at} ${problem}`, fix: this.fix, value: h, allowed: 'FQDN, "*.domain" or "*", optionally after "<namespace>/" ("*", "." or a namespace name)' });
      });
    }
    return out;
  },
};

export const GW03: Rule = {
  code: 'GW-03', title: 'Gateway server ports are complete, without targetPort; bind is an IP or a unix socket', severity: Severity.ERROR, levels: 'E', scope: 'self',
  kinds: ['Gateway'],
  why: 'Istio rejects a server without a port, or a port without number, protocol or name; a targetPort (it has no effect on a gateway); a bind that is not '
    + 'an IP address or unix:// absolute path; port 0 except on a unix socket, and a non-zero port on one. Protocol names are X-09, port ranges X-02.',
  fix: 'Give each server port { number, name, protocol } and no targetPort; bind to an IP ("0.0.0.0") or "unix:///absolute/path" with port number 0.',
  upstream: 'webhook G4, G5',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    for (const { server, index } of serversOf(o)) {
      const where = serverLabel(server, index);
      const add = (message: string, value: unknown, allowed?: string) => out.push({ message, fix: this.fix, value, ...(allowed ? { allowed } : {}) });
      const bind = typeof server.bind === 'string' ? server.bind : '';
      const uds = bind.startsWith(UDS_PREFIX);
      const port = server.port;
      if (!isRecord(port)) {
        add(`${where} has no port`, port ?? null, '{ number, name, protocol }');
      } else {
        if (port.number === undefined) add(`${where}.port has no number`, null, uds ? '0 with a unix:// bind' : '1-65535');
        else if (port.number === 0 && !uds) add(`${where}.port.number 0 is only valid with a unix:// bind`, 0, '1-65535');
        else if (uds && port.number !== 0) add(`${where}.port.number ${JSON.stringify(port.number)} must be 0 with bind "${bind}"`, port.number, '0 with a unix:// bind');
        if (port.protocol === undefined || port.protocol === '') add(`${where}.port has no protocol`, port.protocol ?? null, 'HTTP, HTTPS, HTTP2, GRPC, TLS, TCP, …');
        if (port.name === undefined || port.name === '') add(`${where}.port has no name`, port.name ?? null, 'a DNS label unique in the Gateway');
        if (port.targetPort !== undefined && port.targetPort !== 0) add(`${where}.port.targetPort ${JSON.stringify(port.targetPort)} has no effect on a Gateway`, port.targetPort, 'unset');
      }
      if (uds) {
        const path = bind.slice(UDS_PREFIX.length);
        if (!path.startsWith('/') && !path.startsWith('@')) add(`${where}.bind "${bind}" is not an absolute unix socket path`, bind, 'unix:///absolute/path');
      } else if (server.bind !== undefined && server.bind !== '' && !isIpAddress(server.bind)) {
        add(`${where}.bind ${JSON.stringify(server.bind)} is not an IP address or unix:// path`, server.bind, 'IP address or unix:///path');
      }
    }
    return out;
  },
};

export const GW04: Rule = {
  code: 'GW-04', title: 'A server has TLS settings exactly when its protocol needs them', severity: Severity.ERROR, levels: 'E/W', scope: 'self',
  kinds: ['Gateway'],
  why: 'Istio rejects an HTTPS or TLS server without a tls block, a plain-HTTP server whose tls carries certificates or a terminating mode (only httpsRedirect is allowed there), '
    + 'and tls on TCP-style servers (error). httpsRedirect on a server that is not plain HTTP does nothing (warning).',
  fix: 'Add tls (e.g. { mode: SIMPLE, credentialName }) to HTTPS/TLS servers; on plain-HTTP servers keep only tls.httpsRedirect; remove tls from TCP servers.',
  upstream: 'webhook G7, G8',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    for (const { server, index } of serversOf(o)) {
      const protocol = protocolOf(server.port);
      const tls = server.tls;
      const where = serverLabel(server, index);
      let erred = false;
      if (isTlsFamily(protocol) && !isRecord(tls)) {
        out.push({ message: `${where} protocol ${protocol} has no tls settings`, fix: this.fix, value: protocol, allowed: 'a tls block' });
        erred = true;
      } else if (isHttpFamily(protocol) && isRecord(tls)) {
        const fields = CERT_FIELDS.filter((f) => present(tls[f]));
        const terminating = typeof tls.mode === 'string' && tls.mode !== 'PASSTHROUGH' && tls.mode !== 'AUTO_PASSTHROUGH';
        if (fields.length > 0 || terminating) {
          const what = [...(terminating ? [`mode ${tls.mode}`] : []), ...fields.map((f) => `tls.${f}`)].join(', ');
          out.push({ message: `${where} protocol ${protocol} is plain text but sets ${what}; only tls.httpsRedirect is allowed`, fix: this.fix, value: what, allowed: 'tls.httpsRedirect only' });
          erred = true;
        }
      } else if (OPAQUE_PROTOCOLS.includes(protocol) && isRecord(tls)) {
        out.push({ message: `${where} protocol ${protocol} cannot have tls settings`, fix: this.fix, value: protocol, allowed: 'tls only with HTTPS/TLS (httpsRedirect with HTTP)' });
        erred = true;
      }
      if (!erred && isRecord(tls) && tls.httpsRedirect === true && protocol !== '' && !isHttpFamily(protocol)) {
        out.push({ severity: Severity.WARNING, message: `${where}.tls.httpsRedirect is set on a ${protocol} server, where it has no effect`, fix: 'Set httpsRedirect only on the plain-HTTP server (port 80).', value: true });
      }
    }
    return out;
  },
};
