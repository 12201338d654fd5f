import { invariant } from './check';
import { dnsLabelProblem } from './grammar';
import { isRecord } from './json';
/** Port protocols as Istio classifies them (`protocol.IsHTTP`, `IsTLS`, `IsTCP`). */

/** Protocols Istio accepts on ServiceEntry and Gateway ports (compared case-insensitively). */
export const ISTIO_PROTOCOLS = ['HTTP', 'HTTPS', 'HTTP2', 'GRPC', 'GRPC-WEB', 'HTTP_PROXY', 'TCP', 'TLS', 'UDP', 'MONGO', 'REDIS', 'MYSQL'];

/** A port protocol, upper-cased; `''` when unset (Istio then sniffs the protocol). */
export function protocolOf(port: unknown): string {
  return isRecord(port) && typeof port.protocol === 'string' ? port.protocol.toUpperCase() : '';
}

/** Istio's HTTP family (`protocol.IsHTTP`): the proxy can tell hosts apart by the Host/authority header. */
export function isHttpFamily(protocol: string): boolean {
  return ['HTTP', 'HTTP2', 'HTTP_PROXY', 'GRPC', 'GRPC-WEB'].includes(protocol);
}

/** Istio's TLS family (`protocol.IsTLS`): the proxy can tell hosts apart by SNI. */
export function isTlsFamily(protocol: string): boolean {
  return protocol === 'HTTPS' || protocol === 'TLS';
}

/** Istio's TCP family (`protocol.IsTCP`), which includes the TLS protocols. */
export function isTcpFamily(protocol: string): boolean {
  return ['TCP', 'HTTPS', 'TLS', 'MONGO', 'REDIS', 'MYSQL'].includes(protocol);
}

/** `"HTTP"`, or `unset` for a protocol-less port, for messages. */
export function showProtocol(protocol: string): string {
  return protocol === '' ? 'unset' : `"${protocol}"`;
}

/** a port name (ServiceEntry and Gateway ports) is a DNS-1123 label. */
export const portNameProblem = invariant('X-09', (name: unknown): string | undefined => dnsLabelProblem(name));
