import { isIP } from 'net';
import { IstioObject } from './engine';
import { isObject } from './manifest';

/**
 * Helpers shared by the ServiceEntry (SE-*) and Gateway (GW-*) rules: protocol families, IP grammar,
 * label maps and exportTo visibility. Nothing here reports; the rules do.
 */

/** A port protocol, upper-cased; `''` when unset (Istio then sniffs the protocol). */
export function protocolOf(port: any): string {
  return isObject(port) && typeof port.protocol === 'string' ? port.protocol.toUpperCase() : '';
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

/** `"HTTP"`, or `"unset"` for a protocol-less port, for messages. */
export function showProtocol(protocol: string): string {
  return protocol === '' ? 'unset' : `"${protocol}"`;
}

/** Whether `text` is an IPv4 or IPv6 address as Go's `net.ParseIP` reads it (no zone, no leading zeros). */
export function isIpAddress(text: unknown): boolean {
  return typeof text === 'string' && !text.includes('%') && isIP(text) !== 0;
}

/** Problem with an `addresses[]` entry (an IP, or a CIDR such as `10.0.0.0/16`), or `undefined`. */
export function addressProblem(text: string): string | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return isIpAddress(text) ? undefined : 'is not an IP address or CIDR';
  const ip = text.slice(0, slash);
  const bits = text.slice(slash + 1);
  if (!isIpAddress(ip)) return `is a CIDR whose address "${ip}" is not an IP address`;
  const max = isIP(ip) === 4 ? 32 : 128;
  if (!/^[0-9]{1,3}$/.test(bits) || Number(bits) > max) return `is a CIDR whose prefix length "${bits}" is not 0-${max}`;
  return undefined;
}

/** The `resolution` of a ServiceEntry spec (`NONE` when unset, as Istio defaults it). */
export function resolutionOf(spec: any): string {
  return typeof spec.resolution === 'string' ? spec.resolution : 'NONE';
}

/** A label map with its string entries only, or `undefined` when `value` is not a map. */
export function labelMap(value: unknown): Record<string, string> | undefined {
  if (!isObject(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Whether every entry of `small` is in `big` with the same value (`{}` is within everything). */
export function isWithin(small: Readonly<Record<string, string>>, big: Readonly<Record<string, string>>): boolean {
  return Object.keys(small).every((k) => Object.prototype.hasOwnProperty.call(big, k) && big[k] === small[k]);
}

/** Canonical text of a label map, equal for equal maps whatever the key order: `{app=a,istio=ingress}`. */
export function showLabels(labels: Readonly<Record<string, string>>): string {
  return `{${Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(',')}}`;
}

/** `namespace/name` of an object (`default` when the namespace is unset). */
export function nsName(o: IstioObject): string {
  return `${o.namespace ?? 'default'}/${o.name}`;
}

/** Namespaces that see an object: every namespace, or a (possibly empty) set. */
export type Visibility = { readonly all: true } | { readonly all: false; readonly namespaces: ReadonlySet<string> };

/**
 * Who sees an object by its `exportTo`: unset or empty means everyone (Istio's default), `*` everyone, `.`
 * the own namespace, `~` nobody (ServiceEntry only), anything else that namespace.
 */
export function visibilityOf(exportTo: unknown, namespace: string | undefined): Visibility {
  const entries = Array.isArray(exportTo) ? exportTo.filter((e): e is string => typeof e === 'string') : [];
  if (entries.length === 0 || entries.includes('*')) return { all: true };
  const namespaces = new Set<string>();
  for (const e of entries) {
    if (e === '~') continue;
    namespaces.add(e === '.' ? namespace ?? 'default' : e);
  }
  return { all: false, namespaces };
}

/** Whether some namespace sees both objects. */
export function visibilitiesOverlap(a: Visibility, b: Visibility): boolean {
  if (a.all) return b.all || b.namespaces.size > 0;
  if (b.all) return a.namespaces.size > 0;
  for (const ns of a.namespaces) if (b.namespaces.has(ns)) return true;
  return false;
}

/** At most `max` items joined with ", ", then "and N more". */
export function listSome(items: readonly string[], max = 3): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

/** `shown` joined with ", ", then "and N more" when `total` is larger. */
export function listCounted(shown: readonly string[], total: number): string {
  return total > shown.length ? `${shown.join(', ')} and ${total - shown.length} more` : shown.join(', ');
}

/** Appends `value` to the list at `key`. */
export function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
