import { Severity } from '../../core/errors';
import { hashHeaderNameProblem, headerMatchNameProblem, headerMatchValueProblem, headerOperationNameProblem, headerValueProblem } from '../../core/http';
import { arr, isRecord } from '../../core/json';
import { MAX_REGEX_LENGTH, re2Problem } from '../../core/re2';
import { Finding, IstioObject, Rule } from '../../engine/types';
import { policiesOf } from '../../engine/view-dr';

/** An HTTP route of a VirtualService with the path used in messages (`spec.http[2] (route "primary")`). */
function httpRoutes(o: IstioObject): Array<{ route: any; at: string; named: string }> {
  return arr(o.spec.http).map((route, i) => ({
    route,
    at: `spec.http[${i}]`,
    named: isRecord(route) && typeof route.name === 'string' && route.name ? ` (route "${route.name}")` : '',
  }));
}

const STRING_MATCH_FIELDS = ['uri', 'scheme', 'method', 'authority'];
const MATCH_MAPS = ['headers', 'withoutHeaders', 'queryParams'];

export const X10: Rule = {
  code: 'X-10', title: `Regexes compile as RE2 and are at most ${MAX_REGEX_LENGTH} characters`, severity: Severity.ERROR, levels: 'E', scope: 'self',
  kinds: ['VirtualService'],
  why: 'Istio rejects a VirtualService whose match, CORS-origin or uriRegexRewrite regex does not compile with RE2 or is longer than '
    + `${MAX_REGEX_LENGTH} characters. RE2 has no lookarounds ((?=, (?!, (?<=, (?<!) and no backreferences (\\1). The check compiles a `
    + 'translation of the pattern with JavaScript RegExp, an approximation of RE2.',
  fix: 'Rewrite the regex without lookarounds or backreferences (RE2 syntax: https://github.com/google/re2/wiki/Syntax), or use a prefix or exact match.',
  upstream: 'webhook C11 (V12, V14, V28)',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    const check = (regex: unknown, where: string) => {
      if (typeof regex !== 'string' || regex === '') return;
      const problem = re2Problem(regex);
      if (problem) {
        const shown = regex.length > 100 ? `${regex.slice(0, 100)}…` : regex;
        out.push({ message: `${where} ${JSON.stringify(shown)} ${problem}`, fix: this.fix, value: regex, allowed: `RE2 syntax, ≤ ${MAX_REGEX_LENGTH} characters` });
      }
    };
    for (const { route, at, named } of httpRoutes(o)) {
      if (!isRecord(route)) continue;
      arr(route.match).forEach((m, j) => {
        if (!isRecord(m)) return;
        for (const field of STRING_MATCH_FIELDS) check(m[field]?.regex, `${at}.match[${j}].${field}.regex${named}`);
        for (const map of MATCH_MAPS) {
          if (!isRecord(m[map])) continue;
          for (const key of Object.keys(m[map])) {
            const regex = m[map][key]?.regex;
            if (map === 'withoutHeaders' && regex === '*') continue; // "*" means "header present", not a regex
            check(regex, `${at}.match[${j}].${map}["${key}"].regex${named}`);
          }
        }
      });
      arr(route.corsPolicy?.allowOrigins).forEach((origin, k) => check(origin?.regex, `${at}.corsPolicy.allowOrigins[${k}].regex${named}`));
      check(route.rewrite?.uriRegexRewrite?.match, `${at}.rewrite.uriRegexRewrite.match${named}`);
    }
    return out;
  },
};

export const X11: Rule = {
  code: 'X-11', title: 'Header names are tokens, pseudo-headers or JWT claims; header values are well-formed', severity: Severity.ERROR, levels: 'E', scope: 'self',
  kinds: ['VirtualService', 'DestinationRule'],
  why: 'Match header keys (headers, withoutHeaders) must be RFC 7230 tokens, HTTP/2 request pseudo-headers or @request.auth.claims references, '
    + 'and lower-case as the Istio reference requires (stricter than the webhook, which also accepts upper case and :status; :status '
    + 'is a response pseudo-header, so a request match on it never holds). Exact and prefix header match values must have no control '
    + 'characters other than tab: Envoy refuses requests that carry them, so such a match never holds. Names in header '
    + 'operations (set/add/remove, per route and per destination) must be tokens, and set/add values must have no control characters '
    + 'and no "%" other than "%%" or a %VARIABLE% expression: Istio and Envoy reject them. Empty names, pseudo-headers and Host in '
    + 'header operations are VS-28. A DestinationRule consistentHash.httpHeaderName must be a non-empty token (Envoy rejects the '
    + 'route otherwise; case does not matter there).',
  fix: 'Use lower-case header names such as "x-request-id" and escape a literal percent sign as "%%".',
  upstream: 'webhook C12, C13, V11, V32',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    const push = (message: string, value: unknown, allowed: string) => out.push({ message, fix: this.fix, value, allowed });
    const checkHeaders = (headers: unknown, at: string, named: string) => {
      if (!isRecord(headers)) return;
      for (const side of ['request', 'response'] as const) {
        const ops = headers[side];
        if (!isRecord(ops)) continue;
        for (const op of ['set', 'add'] as const) {
          if (!isRecord(ops[op])) continue;
          for (const name of Object.keys(ops[op])) {
            const where = `${at}.headers.${side}.${op}["${name}"]${named}`;
            const problem = headerOperationNameProblem(name);
            if (problem) push(`${where}: header name ${JSON.stringify(name)} ${problem}`, name, 'RFC 7230 token');
            const value = ops[op][name];
            const valueProblem = typeof value === 'string' ? headerValueProblem(value) : undefined;
            if (valueProblem) push(`${where} value ${JSON.stringify(value)} ${valueProblem}`, value, 'no control characters; "%%" or %VARIABLE%');
          }
        }
        arr(ops.remove).forEach((name, k) => {
          if (typeof name !== 'string') return;
          const problem = headerOperationNameProblem(name);
          if (problem) push(`${at}.headers.${side}.remove[${k}]${named} ${JSON.stringify(name)} ${problem}`, name, 'RFC 7230 token');
        });
      }
    };
    if (o.kind === 'DestinationRule') {
      for (const { where, policy } of policiesOf(o.spec)) {
        const name = isRecord(policy.loadBalancer) && isRecord(policy.loadBalancer.consistentHash) ? policy.loadBalancer.consistentHash.httpHeaderName : undefined;
        const problem = typeof name === 'string' ? hashHeaderNameProblem(name) : undefined;
        if (problem) push(`${where}.loadBalancer.consistentHash.httpHeaderName ${JSON.stringify(name)} ${problem}`, name, 'RFC 7230 token');
      }
      return out;
    }
    for (const { route, at, named } of httpRoutes(o)) {
      if (!isRecord(route)) continue;
      arr(route.match).forEach((m, j) => {
        for (const map of ['headers', 'withoutHeaders']) {
          if (!isRecord(m?.[map])) continue;
          for (const name of Object.keys(m[map])) {
            const problem = headerMatchNameProblem(name);
            if (problem) push(`${at}.match[${j}].${map}${named}: header name ${JSON.stringify(name)} ${problem}`, name, 'lower-case token, :pseudo-header or @request.auth.claims.<claim>');
            const value = m[map][name];
            for (const kind of ['exact', 'prefix']) {
              const v = isRecord(value) ? value[kind] : undefined;
              const valueProblem = typeof v === 'string' ? headerMatchValueProblem(v) : undefined;
              if (valueProblem) push(`${at}.match[${j}].${map}["${name}"].${kind}${named} ${JSON.stringify(v)} ${valueProblem}`, v, 'no control characters other than tab');
            }
          }
        }
      });
      checkHeaders(route.headers, at, named);
      arr(route.route).forEach((d, k) => checkHeaders(d?.headers, `${at}.route[${k}]`, named));
    }
    return out;
  },
};

