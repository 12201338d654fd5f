import { portLevelRepeatProblem } from '../../core/policy';
import { isIP } from 'net';
import { Severity } from '../../core/errors';
import { portProblem } from '../../core/grammar';
import { hostProblem } from '../../core/hosts';
import { arr, hasText, isRecord, isSet } from '../../core/json';
import { connectionLimitProblem, connectionPoolProblem, ejectionPercentProblem, hashCookieNameProblem, hashQueryParameterProblem, INT32_MAX, outlierCountProblem, UINT32_MAX } from '../../core/policy';
import { subsetNameProblem, subsetNameRepeatProblem } from '../../core/subsets';
import { Finding, IstioObject, Rule } from '../../engine/types';
import { policiesOf, PolicyAt, policyLevels, rootPoliciesOf } from '../../engine/view-dr';

const KINDS = ['DestinationRule'] as const;

export const DR01: Rule = {
  code: 'DR-01', title: 'A DestinationRule names its host', severity: Severity.ERROR, levels: 'E', scope: 'self',
  kinds: [...KINDS],
  why: 'A DestinationRule applies to exactly one host (a Service, ServiceEntry host or wildcard); without it the CRD rejects the object. The hostname grammar itself is X-03, the FQDN preference X-04.',
  fix: 'Set spec.host to the service FQDN, e.g. "reviews.bookinfo.svc.cluster.local".',
  upstream: 'webhook D1, CRD required field',
  checkObject(o: IstioObject): Finding[] {
    const host = o.spec.host;
    if (typeof host === 'string' && host.trim().length > 0) return [];
    const what = host === undefined ? 'is missing' : typeof host === 'string' ? `${JSON.stringify(host)} is empty` : `${JSON.stringify(host)} is not a string`;
    return [{ message: `spec.host ${what}`, fix: this.fix, value: host ?? null, allowed: 'a hostname' }];
  },
};

export const DR02: Rule = {
  code: 'DR-02', title: 'Subset names are unique DNS labels', severity: Severity.ERROR, levels: 'E', scope: 'self',
  kinds: [...KINDS],
  why: 'Istio rejects null subsets, empty or non-DNS-1123 subset names and duplicate names; routes reference subsets by name.',
  fix: 'Give every subset a unique lowercase name such as "v1", "stable" or "canary".',
  upstream: 'webhook D2, CRD required subsets[].name',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    const seen = new Map<unknown, number>();
    arr(o.spec.subsets).forEach((s, i) => {
      if (!isRecord(s)) {
        out.push({ message: `spec.subsets[${i}] is ${JSON.stringify(s)}; a subset must be an object with a name and labels`, fix: this.fix, value: s ?? null });
        return;
      }
      const problem = subsetNameProblem(s.name);
      const repeat = problem ? undefined : subsetNameRepeatProblem(s.name, seen);
      if (problem) {
        out.push({ message: `spec.subsets[${i}].name ${JSON.stringify(s.name ?? null)} ${problem}`, fix: this.fix, value: s.name ?? null, allowed: 'DNS-1123 label' });
      } else if (repeat) {
        out.push({ message: `spec.subsets[${i}].name "${s.name}" ${repeat}`, fix: this.fix, value: s.name, allowed: 'unique names' });
      } else {
        seen.set(s.name, i);
      }
    });
    return out;
  },
};

/** The top-level and subset policies with their raw `portLevelSettings` entries (nulls included). */
function portEntries(spec: any): Array<{ where: string; entry: any }> {
  return rootPoliciesOf(spec).flatMap((p) => arr(p.policy.portLevelSettings)
    .map((entry, i) => ({ where: `${p.where}.portLevelSettings[${i}]`, entry })));
}

const PORT_POLICY_FIELDS = ['outlierDetection', 'connectionPool', 'loadBalancer', 'tls'];

export const DR06: Rule = {
  code: 'DR-06', title: 'Traffic policies are not empty; port-level entries, tunnel and proxyProtocol are well formed', severity: Severity.ERROR, levels: 'E', scope: 'self',
  kinds: [...KINDS],
  why: 'Istio rejects an empty traffic policy, a port-level entry without a port or without a setting (and applies only the first of two entries for one port), tunnel together with proxyProtocol, a tunnel protocol other than CONNECT/POST, a tunnel target that is not an FQDN or IP, and unknown PROXY protocol versions.',
  fix: 'Remove empty policies; give each portLevelSettings entry a port.number and at least one of outlierDetection, connectionPool, loadBalancer or tls; use either tunnel or proxyProtocol.',
  upstream: 'webhook D4-D8',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    const fix = this.fix;
    for (const { where, policy } of rootPoliciesOf(o.spec)) {
      if (!Object.keys(policy).some((k) => isSet(policy[k]))) {
        out.push({ message: `${where} is empty`, fix, value: policy, allowed: 'at least one setting' });
      }
      if (isSet(policy.tunnel) && isSet(policy.proxyProtocol)) {
        out.push({ message: `${where} sets both tunnel and proxyProtocol`, fix, allowed: 'tunnel or proxyProtocol' });
      }
      if (isRecord(policy.tunnel)) out.push(...tunnelProblems(policy.tunnel, `${where}.tunnel`, fix));
      const version = isRecord(policy.proxyProtocol) ? policy.proxyProtocol.version : undefined;
      if (version !== undefined && version !== 'V1' && version !== 'V2') {
        out.push({ message: `${where}.proxyProtocol.version ${JSON.stringify(version)} is not a PROXY protocol version`, fix, value: version, allowed: 'V1, V2' });
      }
    }
    for (const p of rootPoliciesOf(o.spec)) {
      const ports = arr(p.policy.portLevelSettings).map((e) => (isRecord(e) && isRecord(e.port) ? e.port.number : undefined));
      const repeat = portLevelRepeatProblem(ports);
      if (repeat) out.push({ message: `${p.where}.portLevelSettings ${repeat}`, fix: 'Merge the entries for the port into one.', allowed: 'one entry per port' });
    }
    for (const { where, entry } of portEntries(o.spec)) {
      if (!isRecord(entry)) {
        out.push({ message: `${where} is ${JSON.stringify(entry)}; a port-level policy must be an object`, fix, value: entry ?? null });
        continue;
      }
      if (!isRecord(entry.port) || entry.port.number === undefined) {
        out.push({ message: `${where} has no port.number, so it applies to no port`, fix, allowed: 'port: { number: <1-65535> }' });
      }
      if (!PORT_POLICY_FIELDS.some((f) => isSet(entry[f]))) {
        out.push({ message: `${where} sets none of ${PORT_POLICY_FIELDS.join(', ')}`, fix, allowed: PORT_POLICY_FIELDS.join(', ') });
      }
    }
    return out;
  },
};

function tunnelProblems(tunnel: Record<string, any>, where: string, fix: string): Finding[] {
  const out: Finding[] = [];
  const { protocol, targetHost, targetPort } = tunnel;
  if (protocol !== undefined && protocol !== '' && protocol !== 'CONNECT' && protocol !== 'POST') {
    out.push({ message: `${where}.protocol ${JSON.stringify(protocol)} is not a tunnel protocol`, fix, value: protocol, allowed: 'CONNECT, POST' });
  }
  const hostIssue = typeof targetHost === 'string' && isIP(targetHost) ? undefined : hostProblem(targetHost);
  if (hostIssue) {
    out.push({ message: `${where}.targetHost ${JSON.stringify(targetHost ?? null)} ${hostIssue}; it must be an FQDN or an IP address`, fix, value: targetHost ?? null, allowed: 'FQDN or IP' });
  }
  const portIssue = targetPort === undefined ? 'is missing' : portProblem(targetPort);
  if (portIssue) out.push({ message: `${where}.targetPort ${JSON.stringify(targetPort ?? null)} ${portIssue}`, fix, value: targetPort ?? null, allowed: '1-65535' });
  return out;
}

/** Each policy level that sets `field` to an object, with the object. */
function withObject(o: IstioObject, field: string): Array<PolicyAt & { value: Record<string, any> }> {
  return policiesOf(o.spec).filter((p) => isRecord(p.policy[field])).map((p) => ({ ...p, value: p.policy[field] }));
}

/** The outlier-detection counts (uint32 in the Istio API). */
const OUTLIER_COUNTS = ['consecutive5xxErrors', 'consecutiveGatewayErrors', 'consecutiveLocalOriginFailures'];

export const DR07: Rule = {
  code: 'DR-07', title: 'Outlier detection is well formed', severity: Severity.ERROR, levels: 'E/W', scope: 'self',
  kinds: [...KINDS],
  why: 'Istio rejects ejection percentages outside 0-100 (whole numbers: they are int32) and consecutiveLocalOriginFailures without splitExternalLocalOriginErrors (the counter would never be fed); the counts consecutive5xxErrors, consecutiveGatewayErrors and consecutiveLocalOriginFailures are uint32 integers 0-4294967295 (0 turns that trigger off). consecutiveErrors is deprecated (warning). Durations are checked by X-01.',
  fix: 'Keep maxEjectionPercent and minHealthPercent within 0-100, the counts within 0-4294967295, set splitExternalLocalOriginErrors: true with consecutiveLocalOriginFailures, and use consecutive5xxErrors / consecutiveGatewayErrors instead of consecutiveErrors.',
  upstream: 'webhook D9-D11',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    for (const { where, value: od } of withObject(o, 'outlierDetection')) {
      for (const field of ['maxEjectionPercent', 'minHealthPercent']) {
        const v = od[field];
        const problem = typeof v === 'number' ? ejectionPercentProblem(v) : undefined;
        if (problem) out.push({ message: `${where}.outlierDetection.${field} ${v} ${problem}`, fix: this.fix, value: v, allowed: '0-100' });
      }
      for (const field of OUTLIER_COUNTS) {
        const v = od[field];
        const problem = typeof v === 'number' ? outlierCountProblem(v) : undefined;
        if (problem) out.push({ message: `${where}.outlierDetection.${field} ${v} ${problem}`, fix: this.fix, value: v, allowed: `integer 0-${UINT32_MAX}` });
      }
      const local = od.consecutiveLocalOriginFailures;
      if (typeof local === 'number' && local > 0 && od.splitExternalLocalOriginErrors !== true) {
        out.push({
          message: `${where}.outlierDetection.consecutiveLocalOriginFailures is ${local} but splitExternalLocalOriginErrors is ${JSON.stringify(od.splitExternalLocalOriginErrors ?? false)}, so local-origin failures are never counted separately`,
          fix: 'Set splitExternalLocalOriginErrors: true, or remove consecutiveLocalOriginFailures.', value: local,
        });
      }
      if (od.consecutiveErrors !== undefined && od.consecutiveErrors !== null) {
        out.push({
          severity: Severity.WARNING, message: `${where}.outlierDetection.consecutiveErrors ${JSON.stringify(od.consecutiveErrors)} is deprecated`,
          fix: 'Use consecutive5xxErrors (all 5xx) or consecutiveGatewayErrors (502/503/504) instead.', value: od.consecutiveErrors,
        });
      }
    }
    return out;
  },
};

const HTTP_COUNTS = ['http1MaxPendingRequests', 'http2MaxRequests', 'maxRequestsPerConnection', 'maxRetries', 'maxConcurrentStreams'];

export const DR12: Rule = {
  code: 'DR-12', title: 'Connection pools are well formed', severity: Severity.ERROR, levels: 'E', scope: 'self',
  kinds: [...KINDS],
  why: 'Istio rejects a connectionPool with neither http nor tcp, negative, fractional or beyond-int32 (2147483647) limits, h2UpgradePolicy UPGRADE together with useClientProtocol, and an http2KeepAlive without both interval and timeout. Durations are checked by X-01. A limit of 0 passes, as in Istio, although pilot treats 0 as unset for every limit but maxRequestsPerConnection (so it limits nothing; VS-21 warns about maxRetries 0 against retrying routes); the value classes refuse 0 for maxConnections, http1MaxPendingRequests and http2MaxRequests as a contract of their API (PROP).',
  fix: 'Set connectionPool.http and/or connectionPool.tcp with limits within 0-2147483647; choose either h2UpgradePolicy UPGRADE or useClientProtocol.',
  upstream: 'webhook D12-D14',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    for (const { where, value: pool } of withObject(o, 'connectionPool')) {
      const at = `${where}.connectionPool`;
      const empty = connectionPoolProblem(pool);
      if (empty) out.push({ message: `${at} ${empty}`, fix: this.fix, value: pool, allowed: 'http and/or tcp' });
      const limit = (value: unknown, field: string) => {
        const problem = typeof value === 'number' ? connectionLimitProblem(value) : undefined;
        if (problem) out.push({ message: `${at}.${field} ${value} ${problem}`, fix: this.fix, value, allowed: `integer 0-${INT32_MAX}` });
      };
      const http = isRecord(pool.http) ? pool.http : {};
      for (const field of HTTP_COUNTS) limit(http[field], `http.${field}`);
      if (http.h2UpgradePolicy === 'UPGRADE' && http.useClientProtocol === true) {
        out.push({ message: `${at}.http sets h2UpgradePolicy UPGRADE and useClientProtocol true, which contradict each other`, fix: 'Keep one: UPGRADE forces HTTP/2 upstream, useClientProtocol keeps the downstream protocol.' });
      }
      const keepAlive = http.http2KeepAlive;
      if (isRecord(keepAlive)) {
        const missing = ['interval', 'timeout'].filter((k) => !hasText(keepAlive[k]));
        if (missing.length > 0) out.push({ message: `${at}.http.http2KeepAlive has no ${missing.join(' or ')}`, fix: 'Set both interval and timeout of http2KeepAlive.' });
      }
      const tcp = isRecord(pool.tcp) ? pool.tcp : {};
      limit(tcp.maxConnections, 'tcp.maxConnections');
    }
    return out;
  },
};

/** Envoy's primality test for maglev table sizes (which also accepts 1). */
function isPrime(n: number): boolean {
  if (n <= 0) return false;
  if (n < 4) return true;
  if (n % 2 === 0) return false;
  for (let f = 3; f * f <= n; f += 2) if (n % f === 0) return false;
  return true;
}

const MAGLEV_LIMIT = 5_000_011;

export const DR13: Rule = {
  code: 'DR-13', title: 'Load-balancer settings are well formed', severity: Severity.ERROR, levels: 'E/W', scope: 'self',
  kinds: [...KINDS],
  why: 'Istio rejects an httpCookie hash without a name (and Envoy an empty httpQueryParameterName), cookie attributes with empty or repeated names, minimumRingSize together with ringHash or maglev, a maglev tableSize that is unset, not prime or >= 5000011, and a warmup without duration, with minimumPercent above 100 or aggression below 1. minimumRingSize alone is deprecated (warning).',
  fix: 'Name the hash cookie (and query parameter), use ringHash.minimumRingSize instead of minimumRingSize, pick a prime maglev tableSize such as 65537, and give warmup a duration.',
  upstream: 'webhook D15-D17, D23',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    const fix = this.fix;
    for (const { where, value: lb } of withObject(o, 'loadBalancer')) {
      const at = `${where}.loadBalancer`;
      const hash = isRecord(lb.consistentHash) ? lb.consistentHash : undefined;
      if (hash) out.push(...hashProblems(hash, `${at}.consistentHash`, fix));
      if (isRecord(lb.warmup)) {
        const w = lb.warmup;
        if (!hasText(w.duration)) out.push({ message: `${at}.warmup has no duration`, fix: 'Set warmup.duration, e.g. "60s".', allowed: 'a duration' });
        if (typeof w.minimumPercent === 'number' && w.minimumPercent > 100) {
          out.push({ message: `${at}.warmup.minimumPercent ${w.minimumPercent} is above 100`, fix, value: w.minimumPercent, allowed: '0-100' });
        }
        if (typeof w.aggression === 'number' && w.aggression < 1) {
          out.push({ message: `${at}.warmup.aggression ${w.aggression} is below 1`, fix: 'Use an aggression of 1 (linear ramp) or more.', value: w.aggression, allowed: '>= 1' });
        }
      }
    }
    return out;
  },
};

function hashProblems(hash: Record<string, any>, at: string, fix: string): Finding[] {
  const out: Finding[] = [];
  const cookie = hash.httpCookie;
  if (isRecord(cookie)) {
    const nameProblem = hashCookieNameProblem(cookie.name);
    if (nameProblem) out.push({ message: `${at}.httpCookie ${nameProblem}`, fix, allowed: 'a cookie name' });
    const seen = new Set<string>();
    arr(cookie.attributes).forEach((a, i) => {
      const name = isRecord(a) ? a.name : undefined;
      if (!hasText(name)) out.push({ message: `${at}.httpCookie.attributes[${i}] has no name`, fix, value: a ?? null });
      else if (seen.has(name)) out.push({ message: `${at}.httpCookie.attributes[${i}].name "${name}" is repeated`, fix, value: name, allowed: 'unique attribute names' });
      else seen.add(name);
    });
  }
  const query = typeof hash.httpQueryParameterName === 'string' ? hashQueryParameterProblem(hash.httpQueryParameterName) : undefined;
  if (query) out.push({ message: `${at}.httpQueryParameterName ${query}`, fix, value: '', allowed: 'a query parameter name' });
  const ring = hash.minimumRingSize;
  if (typeof ring === 'number' && ring !== 0) {
    if (isSet(hash.ringHash) || isSet(hash.maglev)) {
      out.push({ message: `${at}.minimumRingSize ${ring} is set together with ${isSet(hash.ringHash) ? 'ringHash' : 'maglev'}`, fix, value: ring, allowed: 'one of minimumRingSize, ringHash, maglev' });
    } else {
      out.push({ severity: Severity.WARNING, message: `${at}.minimumRingSize ${ring} is deprecated`, fix: 'Use consistentHash.ringHash.minimumRingSize instead.', value: ring });
    }
  }
  if (isRecord(hash.maglev)) {
    const size = hash.maglev.tableSize;
    if (typeof size !== 'number' || size === 0) {
      out.push({ message: `${at}.maglev.tableSize is ${size === undefined ? 'not set' : JSON.stringify(size)}`, fix, value: size ?? null, allowed: `a prime below ${MAGLEV_LIMIT}` });
    } else if (size >= MAGLEV_LIMIT) {
      out.push({ message: `${at}.maglev.tableSize ${size} is not below ${MAGLEV_LIMIT}`, fix, value: size, allowed: `a prime below ${MAGLEV_LIMIT}` });
    } else if (!Number.isInteger(size) || !isPrime(size)) {
      out.push({ message: `${at}.maglev.tableSize ${size} is not a prime number`, fix, value: size, allowed: `a prime below ${MAGLEV_LIMIT}, e.g. 65537` });
    }
  }
  return out;
}

export const DR08: Rule = {
  code: 'DR-08', title: 'maxEjectionPercent 100 needs minHealthPercent > 0', severity: Severity.ERROR, levels: 'E/W', scope: 'self',
  kinds: ['DestinationRule'],
  why: "With maxEjectionPercent 100 every endpoint can be ejected; with minHealthPercent 0 (Istio's default) Envoy's panic routing is off, so a partial failure becomes a full outage (503 UH).",
  fix: 'Keep maxEjectionPercent at 50 or lower, or set minHealthPercent (e.g. 30) as a safety net.',
  upstream: 'Derived: pilot applyOutlierDetection (minHealthPercent → healthy panic threshold)',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    for (const level of policyLevels(o.spec)) {
      const od = level.own.outlierDetection;
      if (!isRecord(od) || od.maxEjectionPercent !== 100) continue;
      const min = typeof od.minHealthPercent === 'number' ? od.minHealthPercent : 0;
      if (min === 0) {
        out.push({ message: `${level.where}.outlierDetection has maxEjectionPercent 100 and minHealthPercent ${od.minHealthPercent ?? 'unset (0)'}: every endpoint can be ejected with no panic fallback`, fix: this.fix, value: 100, allowed: 'maxEjectionPercent < 100, or minHealthPercent > 0' });
      } else {
        out.push({ severity: Severity.WARNING, message: `${level.where}.outlierDetection may eject every endpoint (maxEjectionPercent 100); only panic routing below ${min}% healthy remains`, fix: this.fix, value: 100 });
      }
    }
    return out;
  },
};
