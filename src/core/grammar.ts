/**
 * Single-value grammar shared by the value classes (which throw at once) and the rule engine (which checks
 * rendered manifests, including hand-written and `lint`ed YAML). Each function returns a problem
 * description, or `undefined` when the value is fine.
 */
import { invariant } from './check';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const UNITS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, 'µs': 0.001, ns: 0.000001 };

/** Parses a protobuf/Go duration string (`"1.5s"`, `"100ms"`, `"1h2m"`) to milliseconds, or `undefined`. */
export function parseDuration(text: unknown): number | undefined {
  if (typeof text !== 'string' || text.length === 0 || text.length > 64) return undefined;
  const part = /(\d+(?:\.\d+)?|\.\d+)(h|ms|m|s|us|µs|ns)/y;
  let total = 0;
  let offset = 0;
  while (offset < text.length) {
    part.lastIndex = offset;
    const m = part.exec(text);
    if (!m) return undefined;
    total += Number(m[1]) * UNITS[m[2]];
    offset = part.lastIndex;
  }
  return total;
}

/**
 * The longest duration the API server can check: the CRDs' CEL rules parse durations as Go `time.Duration`
 * (int64 nanoseconds, about 292 years); anything longer fails `duration(self)` and the object is refused.
 */
export const MAX_DURATION_MS = 9_223_372_036_854;

/**
 * Duration fields (`parent.key`, as they sit in the Istio spec) where `0s` has a documented meaning: TCP
 * `idleTimeout: 0s` disables the idle timeout; an HTTP cookie `ttl: 0s` makes Envoy generate a session cookie
 * (no Max-Age; unset, Envoy generates no cookie at all).
 */
export const ZERO_DURATION_FIELDS: readonly string[] = ['tcp.idleTimeout', 'httpCookie.ttl'];

/**
 * a duration in milliseconds must be finite, at least 1 ms, at most ~292 years, and whole milliseconds;
 * exactly 0 is accepted for the fields of {@link ZERO_DURATION_FIELDS} (`field` is `parent.key`).
 */
export const durationProblem = invariant('X-01', (ms: number, field?: string): string | undefined => {
  if (ms === 0 && field !== undefined && ZERO_DURATION_FIELDS.includes(field)) return undefined;
  if (!Number.isFinite(ms)) return 'is not a finite duration';
  if (ms < 1) return 'is shorter than 1ms';
  if (ms > MAX_DURATION_MS) return `is longer than ${MAX_DURATION_MS}ms (about 292 years), the longest duration Kubernetes can validate`;
  if (Math.abs(ms - Math.round(ms)) > 1e-9) return 'is not a whole number of milliseconds';
  return undefined;
});

/** Renders milliseconds the way Istio documents durations: whole seconds as `"5s"`, otherwise `"1500ms"`. */
export function formatMillis(ms: number): string {
  const whole = Math.round(ms);
  return whole % 1000 === 0 ? `${whole / 1000}s` : `${whole}ms`;
}

/** port numbers are integers 1-65535. */
export const portProblem = invariant('X-02', (port: unknown): string | undefined => {
  if (typeof port !== 'number' || !Number.isInteger(port)) return 'is not an integer';
  if (port < 1 || port > 65535) return 'is outside 1-65535';
  return undefined;
});

/** A DNS-1123 label (subset names, port names, metadata.namespace). */
export function dnsLabelProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return 'is empty';
  if (value.length > 63) return 'is longer than 63 characters';
  if (!DNS_LABEL.test(value)) return 'is not a DNS-1123 label (lowercase letters, digits and "-", starting and ending with a letter or digit)';
  return undefined;
}

/** A DNS-1123 subdomain (metadata.name). */
export function dnsSubdomainProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return 'is empty';
  if (value.length > 253) return 'is longer than 253 characters';
  if (!DNS_SUBDOMAIN.test(value)) return 'is not a DNS-1123 subdomain (lowercase letters, digits, "-" and ".")';
  return undefined;
}

/** a Kubernetes label key (`[prefix/]name`). */
export const labelKeyProblem = invariant('X-08', (key: string): string | undefined => {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && dnsSubdomainProblem(prefix)) return `has prefix "${prefix}" that is not a DNS subdomain`;
  if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) {
    return 'is not a valid label name (≤ 63 characters: letters, digits, "-", "_", ".", alphanumeric at both ends)';
  }
  return undefined;
});

/** a Kubernetes label value (may be empty). */
export const labelValueProblem = invariant('X-08', (value: unknown): string | undefined => {
  if (typeof value !== 'string') return 'is not a string';
  if (value === '') return undefined;
  if (value.length > 63 || !LABEL_NAME.test(value)) {
    return 'is not a valid label value (≤ 63 characters: letters, digits, "-", "_", ".", alphanumeric at both ends)';
  }
  return undefined;
});

/**
 * Map keys (label keys, header and query parameter names) that cdk8s cannot synthesize: its serializer throws
 * "can't render non-simple object" on a `constructor` key and silently drops a `__proto__` key, which would turn
 * a header match into a match on every request.
 */
export function unrenderableKeyProblem(key: string): string | undefined {
  return key === '__proto__' || key === 'constructor' ? `is "${key}", which cdk8s cannot synthesize as a map key` : undefined;
}

/** Lower-cased, DNS-label-safe form of `text` for default object names (never adds hashes). */
export function toDnsLabel(text: string): string {
  const cleaned = text.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  return cleaned.slice(0, 63).replace(/-+$/g, '');
}
