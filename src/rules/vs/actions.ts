import { isIP } from 'net';
import { Severity } from '../../core/errors';
import { parseDuration, portProblem } from '../../core/grammar';
import { dotSuffixes, hostProblem, isWildcardHost } from '../../core/hosts';
import { addressProblem } from '../../core/ip';
import { arr, isRecord } from '../../core/json';
import { listSome, SHOWN_IN_FINDINGS } from '../../core/text';
import { Finding, IstioObject, Rule } from '../../engine/types';
import { forEachHttpRoute, routeLabel } from '../../engine/view-vs';

const KIB = 1024;
const MIB = 1024 * KIB;
const CORS_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', '*']);
/** RFC 7230 token characters (header names). */
const HEADER_TOKEN = /^[!#$%&'*+\-.^_`|~A-Za-z0-9]+$/;

const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v !== '';
const isAuthority = (h: string) => h.toLowerCase() === ':authority' || h.toLowerCase() === 'host';

export const VS27: Rule = {
  code: 'VS-27', title: 'Redirect, rewrite and directResponse grammar; the authority is rewritten in one place', severity: Severity.ERROR, levels: 'E/W', scope: 'self',
  kinds: ['VirtualService'],
  why: 'Istio rejects an empty redirect or rewrite, redirect codes outside 3xx, schemes other than http/https, uri together with uriRegexRewrite, an incomplete uriRegexRewrite, an authority set both by rewrite and by a request header, directResponse status outside 200-599 and bodies over 1 MiB (over 100 KiB is a warning: every proxy holds the body in its config).',
  fix: 'Give redirect at least one of uri, authority, scheme or port (3xx redirectCode); give rewrite one of uri or uriRegexRewrite { match, rewrite } and/or authority; rewrite the authority in one place only; keep directResponse status 200-599 and the body small.',
  upstream: 'webhook V22, V23, V28, V29',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    const error = (message: string, value?: unknown, allowed?: string) => out.push({ message, fix: this.fix, ...(value !== undefined ? { value } : {}), ...(allowed ? { allowed } : {}) });
    forEachHttpRoute(o, (route, _i, name) => {
      const { redirect, rewrite, directResponse } = route;
      if (isRecord(redirect)) {
        if (!nonEmpty(redirect.uri) && !nonEmpty(redirect.authority) && !nonEmpty(redirect.scheme) && redirect.port === undefined && redirect.derivePort === undefined) {
          error(`${name} redirect sets none of uri, authority, scheme or port`, redirect, 'at least one of uri, authority, scheme, port, derivePort');
        }
        const code = redirect.redirectCode;
        if (typeof code === 'number' && code !== 0 && (code < 300 || code > 399)) error(`${name} redirect.redirectCode ${code} is not a 3xx code`, code, '300-399');
        if (nonEmpty(redirect.scheme) && redirect.scheme !== 'http' && redirect.scheme !== 'https') {
          error(`${name} redirect.scheme ${JSON.stringify(redirect.scheme)} is not http or https`, redirect.scheme, 'http, https');
        }
        if (typeof redirect.port === 'number' && redirect.port !== 0 && portProblem(redirect.port)) {
          error(`${name} redirect.port ${redirect.port} ${portProblem(redirect.port)}`, redirect.port, '1-65535');
        }
      }
      if (isRecord(rewrite)) {
        const regex = rewrite.uriRegexRewrite;
        if (nonEmpty(rewrite.uri) && regex !== undefined && regex !== null) {
          error(`${name} rewrite sets both uri ${JSON.stringify(rewrite.uri)} and uriRegexRewrite`, rewrite.uri, 'uri or uriRegexRewrite');
        }
        if (!nonEmpty(rewrite.uri) && (regex === undefined || regex === null) && !nonEmpty(rewrite.authority)) {
          error(`${name} rewrite sets none of uri, uriRegexRewrite or authority`, rewrite, 'at least one of uri, uriRegexRewrite, authority');
        }
        if (isRecord(regex) && (!nonEmpty(regex.match) || !nonEmpty(regex.rewrite))) {
          error(`${name} rewrite.uriRegexRewrite needs both match and rewrite (match ${JSON.stringify(regex.match ?? null)}, rewrite ${JSON.stringify(regex.rewrite ?? null)})`, regex, 'match and rewrite');
        }
      }
      const authorities: string[] = isRecord(rewrite) && nonEmpty(rewrite.authority) ? ['rewrite.authority'] : [];
      const request = isRecord(route.headers) && isRecord(route.headers.request) ? route.headers.request : {};
      for (const op of ['set', 'add']) {
        if (isRecord(request[op])) for (const key of Object.keys(request[op])) if (isAuthority(key)) authorities.push(`headers.request.${op}["${key}"]`);
      }
      if (authorities.length > 1) error(`${name} rewrites the authority in ${authorities.length} places (${authorities.join(', ')})`, authorities.join(', '), 'one place');
      if (isRecord(directResponse)) {
        const status = directResponse.status;
        if (typeof status === 'number' && (!Number.isInteger(status) || status < 200 || status > 599)) {
          error(`${name} directResponse.status ${status} is not an HTTP status 200-599`, status, '200-599');
        }
        const body = isRecord(directResponse.body) ? directResponse.body : {};
        const size = typeof body.string === 'string' ? Buffer.byteLength(body.string, 'utf8') : typeof body.bytes === 'string' ? Buffer.from(body.bytes, 'base64').length : 0;
        if (size > MIB) {
          error(`${name} directResponse.body is ${size} bytes, more than 1 MiB`, size, '<= 1 MiB');
        } else if (size > 100 * KIB) {
          out.push({ severity: Severity.WARNING, message: `${name} directResponse.body is ${size} bytes, more than 100 KiB; every proxy carries it in its configuration`, fix: this.fix, value: size, allowed: '<= 100 KiB' });
        }
      }
    });
    return out;
  },
};

/** Header operations of one `headers` block, with where they are: `[path, op, name]`. */
function headerOperations(headers: unknown, where: string): Array<{ path: string; side: 'request' | 'response'; op: string; name: string }> {
  const out: Array<{ path: string; side: 'request' | 'response'; op: string; name: string }> = [];
  if (!isRecord(headers)) return out;
  for (const side of ['request', 'response'] as const) {
    const block = headers[side];
    if (!isRecord(block)) continue;
    for (const op of ['set', 'add']) {
      if (isRecord(block[op])) for (const name of Object.keys(block[op])) out.push({ path: `${where}.${side}.${op}`, side, op, name });
    }
    arr(block.remove).forEach((name, k) => {
      if (typeof name === 'string') out.push({ path: `${where}.${side}.remove[${k}]`, side, op: 'remove', name });
    });
  }
  return out;
}

/** Why a header operation is refused (Istio's operation-name rules), or `undefined`. */
function operationProblem(side: 'request' | 'response', op: string, name: string): string | undefined {
  if (name === '') return 'has an empty header name';
  const pseudo = name.startsWith(':');
  const host = name.toLowerCase() === 'host';
  if (side === 'request' && op !== 'remove') {
    return pseudo && !isAuthority(name) ? 'is a pseudo-header, which cannot be set (only :authority may be)' : undefined;
  }
  if (host) return side === 'request' ? 'removes the Host header, which is not allowed' : 'touches Host on the response, which is not allowed';
  return pseudo ? `${op === 'remove' ? 'removes' : 'sets'} a pseudo-header, which is not allowed` : undefined;
}

export const VS28: Rule = {
  code: 'VS-28', title: 'Header-manipulation names and CORS policy grammar', severity: Severity.ERROR, levels: 'E', scope: 'self',
  kinds: ['VirtualService'],
  why: 'Istio rejects header operations with an empty name, that set pseudo-headers (other than :authority on requests), remove Host or touch Host on responses, and CORS policies with empty origins, unknown methods, header names that are not tokens, or a maxAge that is not whole seconds. Header values and match names are checked by X-11.',
  fix: 'Manipulate ordinary header names only (use rewrite.authority for the host); in corsPolicy use non-empty origins, methods from GET, HEAD, POST, PUT, PATCH, DELETE, CONNECT, OPTIONS, TRACE or *, token header names, and maxAge in whole seconds.',
  upstream: 'webhook V14, V32 (C12); X-11 covers header values',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    const error = (message: string, value?: unknown, allowed?: string) => out.push({ message, fix: this.fix, ...(value !== undefined ? { value } : {}), ...(allowed ? { allowed } : {}) });
    forEachHttpRoute(o, (route, _i, name) => {
      const ops = [
        ...headerOperations(route.headers, 'headers'),
        ...arr(route.route).flatMap((d, j) => headerOperations(isRecord(d) ? d.headers : undefined, `route[${j}].headers`)),
      ];
      for (const h of ops) {
        const problem = operationProblem(h.side, h.op, h.name);
        if (problem) error(`${name} ${h.path} ${JSON.stringify(h.name)} ${problem}`, h.name);
      }
      const cors = route.corsPolicy;
      if (!isRecord(cors)) return;
      arr(cors.allowOrigins).forEach((origin, j) => {
        if (!isRecord(origin)) return;
        const value = origin.exact ?? origin.prefix ?? origin.regex;
        if (!nonEmpty(value)) error(`${name} corsPolicy.allowOrigins[${j}] ${JSON.stringify(origin)} sets no non-empty exact, prefix or regex`, origin, 'a non-empty exact, prefix or regex');
      });
      arr(cors.allowMethods).forEach((m, j) => {
        if (typeof m === 'string' && !CORS_METHODS.has(m)) error(`${name} corsPolicy.allowMethods[${j}] ${JSON.stringify(m)} is not a supported HTTP method`, m, [...CORS_METHODS].join(', '));
      });
      for (const key of ['allowHeaders', 'exposeHeaders']) {
        arr(cors[key]).forEach((h, j) => {
          if (typeof h === 'string' && h !== '*' && !HEADER_TOKEN.test(h)) error(`${name} corsPolicy.${key}[${j}] ${JSON.stringify(h)} is not a header name`, h, 'an RFC 7230 token or *');
        });
      }
      const maxAge = parseDuration(cors.maxAge);
      if (maxAge !== undefined && maxAge >= 1 && maxAge % 1000 !== 0) {
        error(`${name} corsPolicy.maxAge ${JSON.stringify(cors.maxAge)} is not a whole number of seconds`, cors.maxAge, 'whole seconds');
      }
    });
    return out;
  },
};

/**
 * The hosts of a VirtualService as Istio's `SubsetOf` reads them (is every name an SNI host covers covered by
 * one of them?), indexed so that each SNI host is looked up, not compared with every host.
 */
class CoveringHosts {
  private readonly exact = new Set<string>();
  /** What each wildcard host covers: `*.example.com` → `.example.com`, `*` → `''`, `*foo.com` → `foo.com`. */
  private readonly suffixes = new Set<string>();
  /** Lengths of the suffixes that do not start a label (`foo.com`), ascending: looked up by length. */
  private readonly partial: number[];

  constructor(hosts: readonly string[]) {
    const partial = new Set<number>();
    for (const host of hosts) {
      const h = host.toLowerCase();
      if (!isWildcardHost(h)) {
        this.exact.add(h);
        continue;
      }
      const suffix = h.slice(1);
      this.suffixes.add(suffix);
      if (suffix !== '' && !suffix.startsWith('.')) partial.add(suffix.length);
    }
    this.partial = [...partial].sort((a, b) => a - b);
  }

  /** Whether one host covers every name `sni` covers: the same host, or a wildcard over it. */
  public cover(sni: string): boolean {
    const n = sni.toLowerCase();
    if (!isWildcardHost(n) && this.exact.has(n)) return true;
    const name = isWildcardHost(n) ? n.slice(1) : n;
    if (this.suffixes.has('') || dotSuffixes(name).some((s) => this.suffixes.has(s))) return true;
    for (const length of this.partial) {
      if (length > name.length) break;
      if (this.suffixes.has(name.slice(name.length - length))) return true;
    }
    return false;
  }
}

export const VS29: Rule = {
  code: 'VS-29', title: 'TLS routes match on SNI hosts within the VirtualService hosts; TLS and TCP routes have a route', severity: Severity.ERROR, levels: 'E/W', scope: 'self',
  kinds: ['VirtualService'],
  why: 'Istio rejects a TLS route without a match, a TLS match without sniHosts, an SNI host that is not covered by one of the VirtualService hosts, null matches, invalid destinationSubnets, and TLS or TCP routes without route. An IP used as SNI is accepted with a warning: most clients never send it.',
  fix: 'Give every tls route match: [{ sniHosts: [<one of spec.hosts>] }] and a route; give every tcp route a route; write destinationSubnets as IPs or CIDRs.',
  upstream: 'webhook V34-V37',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    const error = (message: string, value?: unknown, allowed?: string) => out.push({ message, fix: this.fix, ...(value !== undefined ? { value } : {}), ...(allowed ? { allowed } : {}) });
    const hosts = arr(o.spec.hosts).filter((h): h is string => typeof h === 'string');
    let covering: CoveringHosts | undefined;
    let shownHosts: string | undefined;
    const checkMatch = (m: any, where: string) => {
      if (!isRecord(m)) {
        error(`${where} is ${JSON.stringify(m ?? null)}; a match may not be null`, m ?? null);
        return false;
      }
      arr(m.destinationSubnets).forEach((s, k) => {
        const problem = addressProblem(s);
        if (problem) error(`${where}.destinationSubnets[${k}] ${JSON.stringify(s)} ${problem}`, s, 'IP or CIDR');
      });
      return true;
    };
    arr(o.spec.tls).forEach((r, i) => {
      if (!isRecord(r)) return;
      const name = routeLabel(r, i, 'tls');
      const matches = arr(r.match);
      if (matches.length === 0) error(`${name} has no match; a TLS route needs at least one match with sniHosts`, undefined, 'match: [{ sniHosts: [...] }]');
      matches.forEach((m, j) => {
        const where = `${name} match[${j}]`;
        if (!checkMatch(m, where)) return;
        const sniHosts = arr(m.sniHosts);
        if (sniHosts.length === 0) error(`${where} has no sniHosts`, undefined, 'at least one SNI host');
        sniHosts.forEach((sni, k) => {
          if (typeof sni !== 'string') return;
          if (isIP(sni)) {
            out.push({ severity: Severity.WARNING, message: `${where}.sniHosts[${k}] ${JSON.stringify(sni)} is an IP address; SNI carries host names and most clients never send an IP`, fix: this.fix, value: sni });
          } else if (!hostProblem(sni, { allowWildcard: true }) && !(covering ??= new CoveringHosts(hosts)).cover(sni)) {
            shownHosts ??= listSome(hosts, SHOWN_IN_FINDINGS);
            error(`${where}.sniHosts[${k}] ${JSON.stringify(sni)} is not covered by any of the VirtualService hosts (${shownHosts || 'none'})`, sni, shownHosts || 'spec.hosts');
          }
        });
      });
      if (arr(r.route).length === 0) error(`${name} has no route`, undefined, 'route: [{ destination }]');
    });
    arr(o.spec.tcp).forEach((r, i) => {
      if (!isRecord(r)) return;
      const name = routeLabel(r, i, 'tcp');
      arr(r.match).forEach((m, j) => checkMatch(m, `${name} match[${j}]`));
      if (arr(r.route).length === 0) error(`${name} has no route`, undefined, 'route: [{ destination }]');
    });
    return out;
  },
};
