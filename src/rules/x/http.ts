import { Severity } from '../../core/errors';
import { arr, isRecord } from '../../core/json';
import { MAX_REGEX_LENGTH, re2Problem } from '../../core/re2';
import { Finding, IstioObject, Rule } from '../../engine/types';

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

const TOKEN = /^[!#$%&'*+\-.^_`|~A-Za-z0-9]+$/;
const PSEUDO_HEADERS = new Set([':method', ':scheme', ':authority', ':path', ':status']);
const JWT_CLAIM_PREFIX = '@request.auth.claims';
const CONTROL = /[\u0000-\u0008\u000A-\u001F\u007F]/;

/** Why `name` cannot be used as a header match key, or `undefined`. */
export function headerMatchNameProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (name.toLowerCase().startsWith(JWT_CLAIM_PREFIX)) {
    const claim = name.slice(JWT_CLAIM_PREFIX.length);
    const dotted = claim.startsWith('.') && claim.length > 1;
    const bracketed = claim.startsWith('[') && claim.endsWith(']') && claim.length > 2;
    return dotted || bracketed ? undefined : `is not a JWT claim reference (${JWT_CLAIM_PREFIX}.<claim> or ${JWT_CLAIM_PREFIX}[<claim>])`;
  }
  if (PSEUDO_HEADERS.has(name)) return undefined;
  if (!TOKEN.test(name)) return 'is not an HTTP header name (RFC 7230 token characters), a pseudo-header or a JWT claim';
  if (name !== name.toLowerCase()) return 'is not lower-case (Istio requires lower-case header keys)';
  return undefined;
}

/**
 * Why `name` cannot be set, added or removed, or `undefined`. Only the token grammar is checked here: empty names,
 * pseudo-headers and Host are VS-28's. `:authority` (the only pseudo-header a request may set) is exempt.
 */
export function headerOperationNameProblem(name: string): string | undefined {
  if (name === '' || name.startsWith(':')) return undefined;
  return TOKEN.test(name) ? undefined : 'is not an HTTP header name (RFC 7230 token characters)';
}

/** States of Envoy's header-value formatter parser (`%VAR%`, `%VAR(arg)%`, `%VAR(["a","b"])%`). */
enum P { Literal, Name, ArgsStart, ArgString, Quoted, AfterQuoted, ArgsClose, ExprClose }

/**
 * Why `value` is not a header value Envoy accepts, or `undefined`: no control characters (tab allowed), and each
 * `%` is either `%%` or opens a `%VAR%` / `%VAR(arg)%` / `%VAR(["a","b"])%` expression, scanned the way Envoy's
 * header parser does.
 */
export function headerValueProblem(value: string): string | undefined {
  const control = CONTROL.exec(value);
  if (control) return `contains the control character U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  const hint = ' (write "%%" for a literal percent sign)';
  let state = P.Literal;
  let opened = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    const at = () => `at "${value.slice(opened, i + 1)}"`;
    switch (state) {
      case P.Literal:
        if (c !== '%') break;
        if (i === value.length - 1) return `ends with an unescaped "%"${hint}`;
        if (value[i + 1] === '%') { i++; break; }
        opened = i;
        state = P.Name;
        break;
      case P.Name:
        if (c === '%') state = P.Literal;
        else if (c === '(') state = P.ArgsStart;
        break;
      case P.ArgsStart:
        if (c === '[') state = P.ArgString;
        else if (c !== ' ') state = P.Quoted; // a bare argument: this character is its first
        break;
      case P.ArgString:
        if (c === '"') state = P.Quoted;
        else if (c !== ' ') return `expects a quoted argument ${at()}${hint}`;
        break;
      case P.Quoted:
        if (c === '\\') {
          if (i === value.length - 1) return `ends inside a backslash escape${hint}`;
          i++;
        } else if (c === ')') {
          state = P.ExprClose;
        } else if (c === '"') {
          state = P.AfterQuoted;
        }
        break;
      case P.AfterQuoted:
        if (c === ',') state = P.ArgString;
        else if (c === ']') state = P.ArgsClose;
        else if (c !== ' ') return `expects "," or "]" ${at()}${hint}`;
        break;
      case P.ArgsClose:
        if (c === ')') state = P.ExprClose;
        else if (c !== ' ') return `expects ")" ${at()}${hint}`;
        break;
      case P.ExprClose:
        if (c === '%') state = P.Literal;
        else if (c !== ' ') return `expects "%" after ")" ${at()}${hint}`;
        break;
    }
  }
  return state === P.Literal ? undefined : `has an unterminated expression "${value.slice(opened, opened + 40)}"${hint}`;
}

export const X11: Rule = {
  code: 'X-11', title: 'Header names are tokens, pseudo-headers or JWT claims; header values are well-formed', severity: Severity.ERROR, levels: 'E', scope: 'self',
  kinds: ['VirtualService'],
  why: 'Match header keys (headers, withoutHeaders) must be RFC 7230 tokens, HTTP/2 pseudo-headers or @request.auth.claims references, '
    + 'and lower-case as the Istio reference requires (stricter than the webhook, which also accepts upper case). Names in header '
    + 'operations (set/add/remove, per route and per destination) must be tokens, and set/add values must have no control characters '
    + 'and no "%" other than "%%" or a %VARIABLE% expression: Istio and Envoy reject them. Empty names, pseudo-headers and Host in '
    + 'header operations are VS-28.',
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
    for (const { route, at, named } of httpRoutes(o)) {
      if (!isRecord(route)) continue;
      arr(route.match).forEach((m, j) => {
        for (const map of ['headers', 'withoutHeaders']) {
          if (!isRecord(m?.[map])) continue;
          for (const name of Object.keys(m[map])) {
            const problem = headerMatchNameProblem(name);
            if (problem) push(`${at}.match[${j}].${map}${named}: header name ${JSON.stringify(name)} ${problem}`, name, 'lower-case token, :pseudo-header or @request.auth.claims.<claim>');
          }
        }
      });
      checkHeaders(route.headers, at, named);
      arr(route.route).forEach((d, k) => checkHeaders(d?.headers, `${at}.route[${k}]`, named));
    }
    return out;
  },
};

