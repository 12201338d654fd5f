import { Severity } from '../../core/errors';
import { dnsLabelProblem } from '../../core/grammar';
import { arr, canonical, isRecord, isSet } from '../../core/json';
import { StringMatchField, stringMatchProblem } from '../../core/match';
import { Finding, IstioObject, Rule } from '../../engine/types';
import { label } from '../../engine/view';
import { isMeshBound, routeRef } from '../../engine/view-vs';

/** An earlier HTTP match that can cover later ones: no uri condition (covers every path) or a uri prefix. */
interface Cover {
  /** Its path, for a finding. */
  readonly ref: () => string;
  /** `undefined`: the earlier match has no uri condition. */
  readonly prefix?: string;
  readonly ignoreCase: boolean;
}

/** Whether the earlier match `c` (same other conditions) admits every path the later `uri` admits. */
function covers(c: Cover, uri: unknown, ignoreCase: boolean): boolean {
  if (c.prefix === undefined || c.prefix === '') return true;
  if (!isRecord(uri)) return false;
  const path = typeof uri.prefix === 'string' ? uri.prefix : typeof uri.exact === 'string' ? uri.exact : undefined;
  if (path === undefined) return false;
  if (c.ignoreCase) return path.toLowerCase().startsWith(c.prefix.toLowerCase());
  return !ignoreCase && path.startsWith(c.prefix);
}

function describeUri(uri: unknown): string {
  if (!isRecord(uri)) return 'any path';
  for (const kind of ['prefix', 'exact', 'regex']) if (typeof uri[kind] === 'string') return `uri ${kind} "${uri[kind]}"`;
  return 'any path';
}

/** Reports shadowed matches of one section: W per shadowed match, E for a route whose every match is shadowed. */
function shadowedRoutes(o: IstioObject, section: 'http' | 'tcp' | 'tls', out: Finding[], fix: string): void {
  const routes = arr(o.spec[section]);
  /** Paths of earlier matches by their conditions, built only for a finding. */
  const identical = new Map<string, () => string>();
  /** HTTP only: earlier covering matches, bucketed by their conditions other than uri. */
  const buckets = new Map<string, Cover[]>();
  let catchAll: string | undefined;
  for (let i = 0; i < routes.length; i++) {
    const route = routes[i];
    if (!isRecord(route)) continue;
    const matches = arr(route.match);
    if (catchAll !== undefined) {
      out.push({ message: `${routeRef(route, i, section)} follows ${catchAll}, which has no match, so it is never used`, fix: `Move ${catchAll} to the end of spec.${section}.` });
      continue;
    }
    if (matches.length === 0) {
      // HTTP routes after a catch-all are VS-06; a TLS route without match is invalid (VS-29).
      if (section === 'http') return;
      if (section === 'tcp') catchAll = routeRef(route, i, section);
      continue;
    }
    const reasons: Array<{ ref: string; reason: string }> = [];
    // A delegating route matches only together with its delegate's routes; unmatched requests fall through.
    const registers = !isSet(route.delegate);
    matches.forEach((m, j) => {
      if (!isRecord(m)) return;
      const ref = `spec.${section}[${i}].match[${j}]`;
      const { name: _name, ...conditions } = m;
      const key = canonical(conditions);
      const twin = identical.get(key);
      if (twin !== undefined) {
        reasons.push({ ref, reason: `is identical to ${twin()}` });
        return;
      }
      if (registers) identical.set(key, () => routeRef(routes[i], i, section, `.match[${j}]`));
      if (section !== 'http') return;
      const { uri, ignoreUriCase, ...rest } = conditions;
      const bucketKey = canonical(rest);
      const bucket = buckets.get(bucketKey) ?? [];
      const ignoreCase = ignoreUriCase === true;
      const cover = bucket.find((c) => covers(c, uri, ignoreCase));
      if (cover) {
        reasons.push({ ref, reason: `(${describeUri(uri)}) is covered by ${cover.ref()} (${cover.prefix === undefined ? 'any path' : `uri prefix "${cover.prefix}"`}) with the same other conditions` });
        return;
      }
      if (registers && (uri === undefined || (isRecord(uri) && typeof uri.prefix === 'string'))) {
        bucket.push({ ref: () => routeRef(routes[i], i, section, `.match[${j}]`), prefix: isRecord(uri) ? uri.prefix : undefined, ignoreCase });
        buckets.set(bucketKey, bucket);
      }
    });
    if (reasons.length === 0) continue;
    if (reasons.length === matches.length) {
      out.push({
        message: `${routeRef(route, i, section)} can never match: every match is shadowed by an earlier one (${reasons.map((r) => `${r.ref} ${r.reason}`).join('; ')})`,
        fix,
      });
    } else {
      for (const r of reasons) {
        out.push({ severity: Severity.WARNING, message: `${r.ref}${route.name ? ` (route "${route.name}")` : ''} ${r.reason}, so it never takes effect`, fix });
      }
    }
  }
}

export const VS07: Rule = {
  code: 'VS-07', title: 'No shadowed matches: a match repeated or covered by an earlier one is a warning; a route whose every match is shadowed is an error', severity: Severity.ERROR, levels: 'E/W', scope: 'self',
  kinds: ['VirtualService'],
  why: 'Routes are evaluated in order and the first match wins. A match identical to an earlier one (its name aside), or a URI prefix/exact match under an earlier shorter prefix with the same other conditions, never takes effect; a route made only of such matches is dead configuration. HTTP routes after a catch-all are VS-06; TCP routes after a match-less TCP route are reported here. A delegating route never shadows later routes (requests its delegate does not match fall through). Only structural coverage is detected (same conditions besides the path), so some overlaps Istio reports as IST0131 are not flagged.',
  fix: 'Remove the shadowed match, or move the more specific route above the broader one.',
  upstream: 'webhook V39, V40 (IST0130, IST0131)',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    for (const section of ['http', 'tcp', 'tls'] as const) shadowedRoutes(o, section, out, this.fix);
    return out;
  },
};

/** Checks one StringMatch: a prefix may be empty only for `uri`; a regex never. `at()` names it, for findings only. */
function stringMatchProblems(sm: unknown, at: () => string, field: StringMatchField, out: Finding[]): void {
  if (!isRecord(sm)) return;
  const prefix = stringMatchProblem('prefix', sm.prefix, field);
  if (prefix) out.push({ message: `${at()}.prefix ${prefix}`, fix: 'Give the prefix at least one character, or drop the condition.', value: '', allowed: 'non-empty prefix' });
  const regex = stringMatchProblem('regex', sm.regex, field);
  if (regex) out.push({ message: `${at()}.regex ${regex}`, fix: 'Give a non-empty RE2 regex, or drop the condition.', value: '', allowed: 'non-empty regex' });
}

const MAP_FIELDS: Record<string, StringMatchField> = { headers: 'header', withoutHeaders: 'header', queryParams: 'query parameter' };

export const VS08: Rule = {
  code: 'VS-08', title: 'HTTP match conditions are well-formed: no empty prefix (except uri) or regex, no null header match, sourceNamespace a DNS label', severity: Severity.ERROR, levels: 'E', scope: 'self',
  kinds: ['VirtualService'],
  why: 'Istio rejects an empty prefix in scheme, method, authority, header and query matches (Envoy cannot express it; an empty uri prefix is allowed), an empty regex, a null header match and an invalid sourceNamespace. Related checks live elsewhere: regex compilation X-10, header names X-11, match port X-02, sourceLabels X-08, match.gateways VS-04.',
  fix: 'Give every prefix and regex a value (or drop the condition) and use a namespace name for sourceNamespace.',
  upstream: 'webhook V11-V13 (IST0106)',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    arr(o.spec.http).forEach((route, i) => arr(isRecord(route) ? route.match : undefined).forEach((m, j) => {
      if (!isRecord(m)) return;
      // Paths are built only for findings: this runs for every match of every route.
      const at = () => `spec.http[${i}].match[${j}]`;
      const found: Finding[] = [];
      for (const field of ['uri', 'scheme', 'method', 'authority'] as const) stringMatchProblems(m[field], () => `${at()}.${field}`, field, found);
      for (const field of Object.keys(MAP_FIELDS)) {
        if (!isRecord(m[field])) continue;
        for (const key of Object.keys(m[field])) {
          const value = m[field][key];
          if (value === null && field === 'headers') {
            found.push({ message: `${at()}.headers["${key}"] is null`, fix: 'Give the header match a value (exact, prefix or regex), or use {} for "present".', value: null });
          } else {
            stringMatchProblems(value, () => `${at()}.${field}["${key}"]`, MAP_FIELDS[field], found);
          }
        }
      }
      if (typeof m.sourceNamespace === 'string' && m.sourceNamespace !== '') {
        const problem = dnsLabelProblem(m.sourceNamespace);
        if (problem) found.push({ message: `${at()}.sourceNamespace "${m.sourceNamespace}" ${problem}`, fix: 'Use a namespace name (a DNS-1123 label).', value: m.sourceNamespace });
      }
      if (found.length === 0) return;
      const named = typeof route.name === 'string' && route.name ? ` (route "${route.name}")` : '';
      for (const f of found) out.push({ ...f, message: `${f.message}${named}` });
    }));
    return out;
  },
};

/** Whether a header-match key routes on a JWT claim (`@request.auth.claims.<name>` or `…claims[<name>]`). */
export function isJwtClaimKey(key: string): boolean {
  const lower = key.toLowerCase();
  return lower.startsWith('@request.auth.claims.') || lower.startsWith('@request.auth.claims[');
}

export const VS09: Rule = {
  code: 'VS-09', title: 'JWT-claim header matches only on a gateway-bound VirtualService', severity: Severity.ERROR, levels: 'E/W', scope: 'self',
  kinds: ['VirtualService'],
  why: 'Routing on @request.auth.claims.* works only at gateways, where the claims are extracted; Istio rejects it on a VirtualService that applies to sidecars (no gateways, or "mesh" listed), which includes delegate VirtualServices (they carry no gateways). The warning branch (gateway workload in the App without a RequestAuthentication) is not evaluated: the library does not read RequestAuthentication objects.',
  fix: 'Bind the VirtualService only to gateways (no "mesh"), or route on a plain header set by the caller.',
  upstream: 'webhook V7; IST0149 (warning branch not evaluated)',
  checkObject(o: IstioObject): Finding[] {
    if (!isMeshBound(o.spec)) return [];
    const binding = arr(o.spec.gateways).length === 0 ? 'has no spec.gateways' : 'lists "mesh" in spec.gateways';
    const out: Finding[] = [];
    arr(o.spec.http).forEach((route, i) => arr(isRecord(route) ? route.match : undefined).forEach((m, j) => {
      if (!isRecord(m)) return;
      for (const field of ['headers', 'withoutHeaders']) {
        if (!isRecord(m[field])) continue;
        for (const key of Object.keys(m[field])) {
          if (!isJwtClaimKey(key)) continue;
          out.push({
            message: `${routeRef(route, i, 'http', `.match[${j}].${field}["${key}"]`)} routes on a JWT claim, but ${label(o)} applies to sidecars (it ${binding})`,
            fix: this.fix, value: key, allowed: 'JWT-claim matches on gateway-bound VirtualServices only',
          });
        }
      }
    }));
    return out;
  },
};
