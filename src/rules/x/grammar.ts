import { isIP } from 'net';
import { Severity } from '../../core/errors';
import { durationProblem, parseDuration, portProblem } from '../../core/grammar';
import { hostProblem } from '../../core/hosts';
import { arr, isRecord } from '../../core/json';
import { Finding, IstioObject, Rule } from '../../engine/types';
import { destinationsOf } from '../../engine/view-vs';

const DURATION_KEYS = new Set([
  'timeout', 'perTryTimeout', 'backoff', 'fixedDelay', 'interval', 'baseEjectionTime', 'connectTimeout',
  'idleTimeout', 'maxConnectionDuration', 'time', 'ttl', 'duration', 'maxAge',
]);
/** Maps whose keys are user-chosen names (labels, header names), never schema fields. */
const USER_KEYED_MAPS = new Set(['labels', 'matchLabels', 'sourceLabels', 'set', 'add']);

/**
 * Calls `visit(key, value, parentKey, path)` for every property below `node`; `path()` builds the property's path
 * (`spec.http[0].timeout`) only when a finding needs it.
 */
function walk(node: unknown, root: string, parentKey: string, visit: (key: string, value: unknown, parentKey: string, path: () => string) => void): void {
  const segments: string[] = [root];
  const pathOf = () => segments.join('');
  const go = (n: unknown, parent: string) => {
    if (Array.isArray(n)) {
      for (let i = 0; i < n.length; i++) {
        segments.push(`[${i}]`);
        go(n[i], parent);
        segments.pop();
      }
    } else if (isRecord(n)) {
      for (const key of Object.keys(n)) {
        segments.push(`.${key}`);
        visit(key, n[key], parent, pathOf);
        go(n[key], key);
        segments.pop();
      }
    }
  };
  go(node, parentKey);
}

/** An IPv4 or IPv6 address. */
function isIpAddress(text: string): boolean {
  return isIP(text) !== 0;
}

export const X01: Rule = {
  code: 'X-01', title: 'Durations are at least 1ms, in whole milliseconds', severity: Severity.ERROR, levels: 'E', scope: 'self',
  kinds: ['VirtualService', 'DestinationRule', 'ServiceEntry', 'Gateway', 'Sidecar'],
  why: 'Istio rejects durations below 1ms, and Envoy truncates sub-millisecond precision. Durations beyond about 292 years (Go time.Duration) fail the CRD CEL rules.',
  fix: 'Use a Duration of at least 1ms in whole milliseconds ("1500ms", "2s"). TCP idleTimeout may be "0s" to disable it, and an httpCookie ttl "0s" asks for a session cookie.',
  upstream: 'webhook C1, CRD CEL duration(self) >= duration(\'1ms\')',
  checkObject(o: IstioObject): Finding[] {
    return grammarFindings(o).durations;
  },
};

export const X02: Rule = {
  code: 'X-02', title: 'Port numbers are 1-65535', severity: Severity.ERROR, levels: 'E', scope: 'self',
  kinds: ['VirtualService', 'DestinationRule', 'ServiceEntry', 'Gateway', 'Sidecar'],
  why: 'Istio and the CRD reject port numbers outside 1-65535. Port 0 is left to GW-03 and SC-01 on Gateway servers and Sidecar egress listeners, where it means a unix socket.',
  fix: 'Use a port number between 1 and 65535.',
  upstream: 'webhook C2, CRD CEL 0 < self && self <= 65535',
  checkObject(o: IstioObject): Finding[] {
    return grammarFindings(o).ports;
  },
};

/** X-01's and X-02's findings of one object, from one walk of its spec (memoised per spec: both rules ask). */
const grammarCache = new WeakMap<object, { durations: Finding[]; ports: Finding[] }>();

function grammarFindings(o: IstioObject): { durations: Finding[]; ports: Finding[] } {
  const cached = isRecord(o.spec) ? grammarCache.get(o.spec) : undefined;
  if (cached) return cached;
  const durations: Finding[] = [];
  const ports: Finding[] = [];
  walk(o.spec, 'spec', '', (key, value, parentKey, path) => {
    if (DURATION_KEYS.has(key) && typeof value === 'string' && !USER_KEYED_MAPS.has(parentKey)) {
      const ms = parseDuration(value);
      const problem = ms === undefined ? 'is not a duration' : durationProblem(ms, `${parentKey}.${key}`);
      if (problem) durations.push({ message: `${path()} "${value}" ${problem}`, fix: X01.fix, value, allowed: '>= 1ms, whole milliseconds' });
      return;
    }
    const isPortNumber = (key === 'number' && (parentKey === 'port' || parentKey === 'ports'))
      || key === 'targetPort' || (key === 'port' && parentKey === 'match' && typeof value !== 'object');
    if (!isPortNumber) return;
    if (o.kind === 'Gateway' && value === 0) return; // unix:// bound servers use port 0 (GW-03)
    // Sidecar egress listeners bound to a unix:// socket use port 0, and targetPort 0 is unset (SC-01).
    if (o.kind === 'Sidecar' && value === 0 && (key === 'targetPort' || path().startsWith('spec.egress['))) return;
    const problem = portProblem(value);
    if (problem) ports.push({ message: `${path()} ${JSON.stringify(value)} ${problem}`, fix: X02.fix, value, allowed: '1-65535' });
  });
  const out = { durations, ports };
  if (isRecord(o.spec)) grammarCache.set(o.spec, out);
  return out;
}

export const X03: Rule = {
  code: 'X-03', title: 'Hostnames follow DNS-1123 grammar; wildcards only as the whole first label', severity: Severity.ERROR, levels: 'E', scope: 'self',
  kinds: ['VirtualService', 'DestinationRule', 'ServiceEntry', 'Gateway'],
  why: 'Istio rejects malformed hosts; partial wildcards and "*" as a destination or ServiceEntry host are invalid. IP addresses are valid VirtualService and Gateway hosts; partial wildcards in ServiceEntry hosts are left to SE-01 (a warning upstream).',
  fix: 'Use hostnames such as "reviews.bookinfo.svc.cluster.local"; a wildcard may only be the whole first label ("*.example.com").',
  upstream: 'webhook C3, C4, V30, S1',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    /** `ip`: an IP address is a valid host here (VirtualService and Gateway hosts, webhook V3/G3). */
    const check = (host: unknown, where: string, wildcard: boolean, bare: boolean, ip = false) => {
      // A bare "*" is a valid VirtualService host (VS-03 decides where) and SNI host (any SNI, as in Istio's
      // multicluster samples).
      if (bare && host === '*') return;
      const problem = hostProblem(host, { allowWildcard: wildcard });
      // An IP address fails the hostname grammar (all-numeric top-level label, colons): asked only then.
      if (problem && ip && typeof host === 'string' && isIpAddress(host)) return;
      if (problem) out.push({ message: `${where} ${JSON.stringify(host)} ${problem}`, fix: this.fix, value: host });
    };
    const s = o.spec;
    if (o.kind === 'VirtualService') {
      arr(s.hosts).forEach((h, i) => check(h, `spec.hosts[${i}]`, true, true, true));
      for (const d of destinationsOf(s)) check(d.host, `${d.where} host`, true, false);
      arr(s.tls).forEach((r, i) => arr(r?.match).forEach((m, j) => arr(m?.sniHosts)
        .forEach((h, k) => check(h, `spec.tls[${i}].match[${j}].sniHosts[${k}]`, true, true))));
    } else if (o.kind === 'DestinationRule') {
      // A missing host is DR-01's finding.
      if (typeof s.host === 'string') check(s.host, 'spec.host', true, false);
    } else if (o.kind === 'ServiceEntry') {
      // Partial wildcards in ServiceEntry hosts are only a warning upstream (SE-01).
      arr(s.hosts).forEach((h, i) => {
        if (typeof h === 'string' && /[^.]\*|\*[^.]/.test(h)) return;
        check(h, `spec.hosts[${i}]`, true, false);
      });
    } else {
      arr(s.servers).forEach((srv, i) => arr(srv?.hosts).forEach((h, j) => {
        const host = typeof h === 'string' && h.includes('/') ? h.slice(h.indexOf('/') + 1) : h;
        check(host, `spec.servers[${i}].hosts[${j}]`, true, true, true);
      }));
    }
    return out;
  },
};
