import { Severity } from '../../core/errors';
import { arr, hasText, isRecord } from '../../core/json';
import { connectionLimitProblem, connectionPoolProblem, INT32_MAX } from '../../core/policy';
import { isHttpFamily, isTlsFamily, ISTIO_PROTOCOLS, portNameProblem, protocolOf, showProtocol } from '../../core/protocols';
import { defaultEndpointProblem, ingressTlsMaterialProblem, ingressTlsUnsupportedProblem, listenerBindProblem } from '../../core/sidecar';
import { Finding } from '../../engine/types';
/** The parts of SC-01 that read one listener port, an ingress listener and a connection pool. */

/** Adds a finding: message, then value, allowed and severity when given. */
export type Add = (message: string, value?: unknown, allowed?: string, severity?: Severity) => void;

/** A finding collector for `out` with the rule's fix. */
export function collector(out: Finding[], fix: string): Add {
  return (message, value, allowed, severity) => out.push({
    message, fix, ...(value !== undefined ? { value } : {}), ...(allowed ? { allowed } : {}), ...(severity ? { severity } : {}),
  });
}

/** Port fields of a Sidecar listener (`at` is `spec.ingress[0].port`): no targetPort; a valid name and protocol. Numbers out of range are X-02's. */
export function checkPort(port: Record<string, any>, at: string, add: Add): void {
  if (typeof port.targetPort === 'number' && port.targetPort > 0) add(`${at}.targetPort ${port.targetPort} has no effect on a Sidecar`, port.targetPort, 'unset');
  if (hasText(port.name)) {
    const problem = portNameProblem(port.name);
    if (problem) add(`${at}.name ${JSON.stringify(port.name)} ${problem}`, port.name, 'DNS-1123 label');
  }
  if (hasText(port.protocol) && !ISTIO_PROTOCOLS.includes(port.protocol.toUpperCase())) {
    add(`${at}.protocol ${JSON.stringify(port.protocol)} is not a protocol Istio knows`, port.protocol, ISTIO_PROTOCOLS.join(', '));
  }
}

const HTTP_COUNTS = ['http1MaxPendingRequests', 'http2MaxRequests', 'maxRequestsPerConnection', 'maxRetries', 'maxConcurrentStreams'];

/** A connection pool (`at` is its path): http and/or tcp, int32 limits, not UPGRADE with useClientProtocol. Durations are X-01's. */
export function checkPool(pool: unknown, at: string, add: Add): void {
  if (!isRecord(pool)) return;
  const empty = connectionPoolProblem(pool);
  if (empty) add(`${at} ${empty}`, pool, 'http and/or tcp');
  const limit = (value: unknown, field: string) => {
    const problem = typeof value === 'number' ? connectionLimitProblem(value) : undefined;
    if (problem) add(`${at}.${field} ${value} ${problem}`, value, `integer 0-${INT32_MAX}`);
  };
  const http = isRecord(pool.http) ? pool.http : {};
  for (const field of HTTP_COUNTS) limit(http[field], `http.${field}`);
  if (http.h2UpgradePolicy === 'UPGRADE' && http.useClientProtocol === true) add(`${at}.http sets h2UpgradePolicy UPGRADE and useClientProtocol true, which contradict each other`);
  limit(isRecord(pool.tcp) ? pool.tcp.maxConnections : undefined, 'tcp.maxConnections');
}

const CERT_FILES = ['serverCertificate', 'privateKey', 'caCertificates', 'caCrl'];
const WEAK_VERSIONS = ['TLSV1_0', 'TLSV1_1'];

/** Ingress TLS (`at` is `spec.ingress[0].tls`) on a port with `protocol`. */
function checkTls(tls: Record<string, any>, protocol: string, at: string, add: Add): void {
  const unsupported = ingressTlsUnsupportedProblem(tls);
  if (unsupported) add(`${at} ${unsupported}`, undefined, 'serverCertificate, privateKey and caCertificates files; mode SIMPLE, MUTUAL, OPTIONAL_MUTUAL or PASSTHROUGH');
  if (!isTlsFamily(protocol)) add(`${at} is set on a port with protocol ${showProtocol(protocol)}; only HTTPS or TLS ports terminate TLS`, protocol || null, 'HTTPS or TLS');
  const material = ingressTlsMaterialProblem(tls);
  if (material) add(`${at} ${material}`, tls.mode, 'serverCertificate and privateKey (and caCertificates for MUTUAL)');
  const mode = typeof tls.mode === 'string' ? tls.mode : 'PASSTHROUGH';
  const files = CERT_FILES.filter((f) => hasText(tls[f]));
  if (mode === 'PASSTHROUGH' && files.length > 0) {
    add(`${at} mode ${typeof tls.mode === 'string' ? mode : 'unset (PASSTHROUGH)'} does not terminate TLS, so ${files.join(', ')} ${files.length === 1 ? 'is' : 'are'} ignored`, files, undefined, Severity.WARNING);
  }
  const ciphers = arr(tls.cipherSuites).filter((c): c is string => typeof c === 'string');
  if (WEAK_VERSIONS.includes(tls.minProtocolVersion) && ciphers.length === 0) {
    add(`${at}.minProtocolVersion ${tls.minProtocolVersion} is set without cipherSuites; the default suites need TLS 1.2, so older clients still cannot connect`, tls.minProtocolVersion, 'TLSV1_2 or newer, or explicit cipherSuites', Severity.WARNING);
  }
  ciphers.forEach((c, i) => {
    const first = ciphers.indexOf(c);
    if (first < i) add(`${at}.cipherSuites[${i}] "${c}" repeats cipherSuites[${first}]`, c, undefined, Severity.WARNING);
  });
}

/** SC-01 for `spec.ingress`: listeners with a port, valid binds, unique port numbers, defaultEndpoint forms, TLS and pools. */
export function checkIngress(ingress: readonly unknown[], add: Add): void {
  const ports = new Map<number, number>();
  ingress.forEach((l, i) => {
    const at = `spec.ingress[${i}]`;
    if (!isRecord(l)) {
      add(`${at} is ${JSON.stringify(l ?? null)}, not an ingress listener`, l ?? null);
      return;
    }
    const port = l.port;
    if (!isRecord(port)) {
      add(`${at} has no port; ingress listeners need one`, port ?? null, '{ number, protocol, name }');
      return;
    }
    checkPort(port, `${at}.port`, add);
    if (port.number === undefined) add(`${at}.port has no number`, null, '1-65535');
    const bind = listenerBindProblem(l.bind, port.number, false);
    if (bind) add(`${at} ${bind}`, l.bind, 'an IP address');
    if (typeof port.number === 'number') {
      const first = ports.get(port.number);
      if (first !== undefined) add(`${at}.port.number ${port.number} repeats spec.ingress[${first}]; ingress ports must be unique`, port.number);
      else ports.set(port.number, i);
    }
    if (typeof l.defaultEndpoint === 'string') {
      const problem = defaultEndpointProblem(l.defaultEndpoint);
      if (problem) add(`${at}.defaultEndpoint ${JSON.stringify(l.defaultEndpoint)} ${problem}`, l.defaultEndpoint, '127.0.0.1:PORT, 0.0.0.0:PORT, [::1]:PORT, [::]:PORT or unix:///path');
    }
    const protocol = protocolOf(port);
    if (isRecord(l.tls)) checkTls(l.tls, protocol, `${at}.tls`, add);
    checkPool(l.connectionPool, `${at}.connectionPool`, add);
    if (isRecord(l.connectionPool) && isRecord(l.connectionPool.http) && !isHttpFamily(protocol)) {
      add(`${at}.connectionPool.http is set, but port ${String(port.number)} has protocol ${showProtocol(protocol)}, not HTTP; only the tcp settings apply`, protocol || null, 'an HTTP port', Severity.WARNING);
    }
  });
}
