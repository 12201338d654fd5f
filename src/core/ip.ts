/** IP addresses and CIDR blocks as Go's `net.ParseIP` / `net.ParseCIDR` read them. */
import { isIP } from 'net';

/** Whether `text` is an IPv4 or IPv6 address as Go's `net.ParseIP` reads it (no zone, no leading zeros). */
export function isIpAddress(text: unknown): boolean {
  return typeof text === 'string' && !text.includes('%') && isIP(text) !== 0;
}

/** Problem with an address (an IP, or a CIDR such as `10.0.0.0/16`), or `undefined`. */
export function addressProblem(text: unknown): string | undefined {
  if (typeof text !== 'string' || text === '') return 'is empty';
  const slash = text.indexOf('/');
  if (slash < 0) return isIpAddress(text) ? undefined : 'is not an IP address or CIDR';
  const ip = text.slice(0, slash);
  const bits = text.slice(slash + 1);
  if (!isIpAddress(ip)) return `is a CIDR whose address "${ip}" is not an IP address`;
  const max = isIP(ip) === 4 ? 32 : 128;
  if (!/^[0-9]{1,3}$/.test(bits) || Number(bits) > max) return `is a CIDR whose prefix length "${bits}" is not 0-${max}`;
  return undefined;
}
