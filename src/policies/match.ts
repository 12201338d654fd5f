import { fail } from '../core/errors';
import { unrenderableKeyProblem } from '../core/grammar';
import { MAX_REGEX_LENGTH, re2Problem } from '../core/re2';
import { show, text } from '../core/text';

/** HTTP request methods (Istio `HTTPMatchRequest.method`). */
export enum HttpMethod {
  GET = 'GET',
  HEAD = 'HEAD',
  OPTIONS = 'OPTIONS',
  POST = 'POST',
  PUT = 'PUT',
  PATCH = 'PATCH',
  DELETE = 'DELETE',
}

/** Istio `StringMatch` on the wire: exactly one of exact, prefix or regex. */
export interface StringMatch {
  readonly exact?: string;
  readonly prefix?: string;
  readonly regex?: string;
}

/** The rendered Istio `HTTPMatchRequest` (wire field names), as emitted by {@link HttpMatch.render}. */
export interface RenderedHttpMatch {
  readonly uri?: StringMatch;
  readonly method?: StringMatch;
  readonly headers?: Record<string, StringMatch>;
  readonly queryParams?: Record<string, StringMatch>;
}

const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
const PSEUDO_HEADERS = new Set([':method', ':scheme', ':authority', ':path']);
const MAX_REGEX = MAX_REGEX_LENGTH;

/** Chooses how a header or query parameter value is compared. */
export class ValueMatch {
  /** @internal */
  constructor(private readonly build: (m: StringMatch) => HttpMatch, private readonly what: string) {}

  /** The value equals `value`. */
  public exact(value: string): HttpMatch {
    return this.build({ exact: checkValue(value, this.what, false) });
  }

  /** The value starts with `prefix` (non-empty). */
  public prefix(prefix: string): HttpMatch {
    return this.build({ prefix: checkValue(prefix, this.what, true) });
  }

  /** The value matches the RE2 regular expression `regex` (≤ 1024 characters). */
  public regex(regex: string): HttpMatch {
    return this.build({ regex: checkRegex(regex, this.what) });
  }
}

/**
 * One HTTP match condition set (Istio `HTTPMatchRequest`): every condition inside one `HttpMatch` must hold
 * (AND); a route given several `HttpMatch`es matches when any of them does (OR).
 *
 * ```ts
 * HttpMatch.header('x-canary-test').exact('true')
 * HttpMatch.pathPrefix('/api/v2/').and(HttpMatch.method(HttpMethod.GET))
 * ```
 * Raises X-10 (bad regex), X-11 (bad header name or value) and VS-08 (empty prefix, conflicting conditions).
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPMatchRequest
 */
export class HttpMatch {
  /** Match a request header; names are lower-case HTTP tokens, e.g. `x-canary-test`. */
  public static header(name: string): ValueMatch {
    const key = checkHeaderName(name);
    return new ValueMatch((m) => new HttpMatch({ headers: { [key]: m } }), `header "${key}"`);
  }

  /** Match a cookie `name=value` in the `cookie` header (rendered as an anchored regex). */
  public static cookie(name: string, value: string): HttpMatch {
    const cookieToken = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
    if (typeof name !== 'string' || typeof value !== 'string' || !cookieToken.test(name) || !/^[!#$%&'()*+\-./0-9:<=>?@A-Z[\]^_`a-z{|}~]*$/.test(value)) {
      fail({
        code: 'X-11', path: 'HttpMatch.cookie', value: `${text(name)}=${text(value)}`, allowed: 'RFC 6265 cookie name and value',
        message: `cookie "${text(name)}=${text(value)}" is not a valid cookie pair`, fix: 'Use a cookie name made of token characters and a value without spaces, quotes, commas or semicolons.',
      });
    }
    return new HttpMatch({ headers: { cookie: { regex: `^(.*?;\\s*)?(${escapeRegex(name)}=${escapeRegex(value)})(;.*)?$` } } });
  }

  /** Match a query parameter. */
  public static queryParam(name: string): ValueMatch {
    if (typeof name !== 'string' || name.length === 0) {
      fail({ code: 'VS-08', path: 'HttpMatch.queryParam', value: name, message: `the query parameter name ${show(name)} is empty or not a string`, fix: 'Name the query parameter.' });
    }
    const unrenderable = unrenderableKeyProblem(name);
    if (unrenderable) {
      fail({ code: 'VS-08', path: 'HttpMatch.queryParam', value: name, message: `the query parameter name ${unrenderable}`, fix: 'Match on another query parameter.' });
    }
    return new ValueMatch((m) => new HttpMatch({ queryParams: { [name]: m } }), `query parameter "${name}"`);
  }

  /** Match URI paths starting with `prefix` (e.g. `/api/v2/`). */
  public static pathPrefix(prefix: string): HttpMatch {
    return new HttpMatch({ uri: { prefix: checkPath(prefix) } });
  }

  /** Match exactly the URI path `path`. */
  public static pathExact(path: string): HttpMatch {
    return new HttpMatch({ uri: { exact: checkPath(path) } });
  }

  /** Match URI paths against the RE2 regular expression `regex`. */
  public static pathRegex(regex: string): HttpMatch {
    return new HttpMatch({ uri: { regex: checkRegex(regex, 'uri') } });
  }

  /** Match any of the given methods (one method renders `exact`, several an anchored regex). */
  public static method(...methods: HttpMethod[]): HttpMatch {
    const unique = [...new Set(methods)].filter((m) => Object.values(HttpMethod).includes(m));
    if (unique.length === 0 || unique.length !== new Set(methods).size) {
      fail({
        code: 'VS-08', path: 'HttpMatch.method', value: methods.map(text).join(','), allowed: Object.values(HttpMethod).join(','),
        message: 'method needs at least one known HTTP method', fix: 'Pass HttpMethod values, e.g. HttpMatch.method(HttpMethod.GET).',
      });
    }
    const method = unique.length === 1 ? { exact: unique[0] } : { regex: `^(${unique.join('|')})$` };
    return new HttpMatch({ method });
  }

  private constructor(private readonly conditions: RenderedHttpMatch) {}

  /** A match requiring both this and `other` (AND). Conflicting conditions on the same field raise VS-08. */
  public and(other: HttpMatch): HttpMatch {
    const a = this.conditions;
    const b = other.conditions;
    for (const field of ['uri', 'method'] as const) {
      if (a[field] && b[field]) {
        fail({
          code: 'VS-08', path: 'HttpMatch.and', value: field, message: `both sides set a ${field} condition, and one request has only one ${field}`,
          fix: `Keep one ${field} condition per HttpMatch; list alternatives as separate HttpMatch entries (OR).`,
        });
      }
    }
    return new HttpMatch({
      uri: a.uri ?? b.uri,
      method: a.method ?? b.method,
      headers: mergeMaps(a.headers, b.headers, 'header'),
      queryParams: mergeMaps(a.queryParams, b.queryParams, 'query parameter'),
    });
  }

  /** Whether this match has a header condition (test-traffic scoping, rule VS-23). */
  public get hasHeader(): boolean {
    return this.conditions.headers !== undefined && Object.keys(this.conditions.headers).length > 0;
  }

  /**
   * The Istio `HTTPMatchRequest` this match emits.
   * @internal
   */
  public _render(): RenderedHttpMatch {
    const c = this.conditions;
    return {
      ...(c.uri ? { uri: { ...c.uri } } : {}),
      ...(c.method ? { method: { ...c.method } } : {}),
      ...(c.headers ? { headers: copyMap(c.headers) } : {}),
      ...(c.queryParams ? { queryParams: copyMap(c.queryParams) } : {}),
    };
  }
}

function checkHeaderName(name: string): string {
  if (typeof name !== 'string' || (!HEADER_NAME.test(name) && !PSEUDO_HEADERS.has(name))) {
    fail({
      code: 'X-11', path: 'HttpMatch.header', value: name, allowed: 'lower-case RFC 7230 token or :method/:scheme/:authority/:path',
      message: `header name ${show(name)} is not a lower-case HTTP token`, fix: 'Use a lower-case header name such as "x-canary-test".',
    });
  }
  const unrenderable = unrenderableKeyProblem(name);
  if (unrenderable) {
    fail({ code: 'X-11', path: 'HttpMatch.header', value: name, message: `header name ${unrenderable}`, fix: 'Use a header name such as "x-canary-test".' });
  }
  return name;
}

function checkValue(value: string, what: string, nonEmpty: boolean): string {
  // eslint-disable-next-line no-control-regex
  if (typeof value !== 'string' || /[\x00-\x1f\x7f]/.test(value) || (nonEmpty && value.length === 0)) {
    fail({
      code: 'X-11', path: 'HttpMatch', value, allowed: nonEmpty ? 'non-empty string without control characters' : 'string without control characters',
      message: `${what} value ${show(value)} is not allowed`, fix: 'Use a printable value without control characters.',
    });
  }
  return value;
}

function checkPath(path: string): string {
  if (typeof path !== 'string' || !path.startsWith('/') || /\s/.test(path)) {
    fail({ code: 'VS-08', path: 'HttpMatch', value: path, allowed: 'path starting with "/" without spaces', message: `URI ${show(path)} is not a path`, fix: 'Start paths with "/", e.g. "/api/v2/".' });
  }
  return path;
}

function checkRegex(regex: string, what: string): string {
  // Istio compiles regexes with RE2, not JavaScript: the shared RE2 grammar of rule X-10 decides.
  const problem = typeof regex !== 'string' || regex.length === 0 ? 'is empty' : re2Problem(regex);
  if (problem) {
    fail({ code: 'X-10', path: 'HttpMatch', value: regex, allowed: `RE2 regex of 1-${MAX_REGEX} characters`, message: `${what} regex ${problem}`, fix: 'Use a valid RE2 regular expression, or prefer exact/prefix matches.' });
  }
  return regex;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function mergeMaps(a: Record<string, StringMatch> | undefined, b: Record<string, StringMatch> | undefined,
  what: string): Record<string, StringMatch> | undefined {
  if (!a) return b;
  if (!b) return a;
  const out = copyMap(a);
  for (const key of Object.keys(b)) {
    if (Object.prototype.hasOwnProperty.call(out, key)) {
      fail({ code: 'VS-08', path: 'HttpMatch.and', value: key, message: `${what} "${key}" is matched twice`, fix: `Match ${what} "${key}" once per HttpMatch.` });
    }
    Object.defineProperty(out, key, { value: b[key], enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function copyMap(m: Record<string, StringMatch>): Record<string, StringMatch> {
  const out: Record<string, StringMatch> = {};
  for (const key of Object.keys(m).sort()) {
    Object.defineProperty(out, key, { value: { ...m[key] }, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
