import { checkLabels, checkPort, enforce, isBuilt, propError } from '../core/enforce';
import { buildValue, collect, raiseInvalid } from '../core/problems';
import { unrenderableKeyProblem } from '../core/grammar';
import { headerMatchNameProblem, headerMatchValueProblem } from '../core/http';
import { StringMatchField, stringMatchProblem } from '../core/match';
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
  /** The value equals this string. @default - none (one of `exact`, `prefix` or `regex` is set) */
  readonly exact?: string;
  /** The value starts with this string. @default - none (one of `exact`, `prefix` or `regex` is set) */
  readonly prefix?: string;
  /** The value matches this RE2 regular expression. @default - none (one of `exact`, `prefix` or `regex` is set) */
  readonly regex?: string;
}

/** The rendered Istio `HTTPMatchRequest` (wire field names), as emitted by {@link HttpMatch.render}. */
export interface RenderedHttpMatch {
  readonly uri?: StringMatch;
  readonly method?: StringMatch;
  readonly headers?: Record<string, StringMatch>;
  readonly queryParams?: Record<string, StringMatch>;
  readonly withoutHeaders?: Record<string, StringMatch>;
  readonly authority?: StringMatch;
  readonly port?: number;
  readonly sourceLabels?: Record<string, string>;
  readonly sourceNamespace?: string;
  readonly gateways?: string[];
  readonly ignoreUriCase?: boolean;
}

const MAX_REGEX = MAX_REGEX_LENGTH;

/** Chooses how a header or query parameter value is compared. */
export class ValueMatch {
  /**
   * A value match that builds its `HttpMatch` with `build` (used by `HttpMatch.header` / `HttpMatch.queryParam`).
   * @internal
   */
  public static _of(build: (m: StringMatch) => HttpMatch, what: string, field: 'header' | 'query parameter'): ValueMatch {
    return new ValueMatch(build, what, field);
  }

  private constructor(private readonly build: (m: StringMatch) => HttpMatch, private readonly what: string, private readonly field: 'header' | 'query parameter') {}

  /** The value equals `value`. */
  public exact(value: string): HttpMatch {
    return buildValue(HttpMatch, () => {
      raiseInvalid(this);
      return this.build({ exact: checkValue(value, 'exact', this.what, this.field) });
    });
  }

  /** The value starts with `prefix` (non-empty). */
  public prefix(prefix: string): HttpMatch {
    return buildValue(HttpMatch, () => {
      raiseInvalid(this);
      return this.build({ prefix: checkValue(prefix, 'prefix', this.what, this.field) });
    });
  }

  /** The value matches the RE2 regular expression `regex` (≤ 1024 characters). */
  public regex(regex: string): HttpMatch {
    return buildValue(HttpMatch, () => {
      raiseInvalid(this);
      return this.build({ regex: checkRegex(regex, this.what, this.field) });
    });
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
 * Invalid arguments make an invalid match: the construct that takes it raises the problem as an
 * IstioValidationError naming its path and prop (see the rule reference for the codes); any other use of it throws
 * the factory's error. Deriving from an invalid match (`and`, `ignoringUriCase`, a value match's `exact`) keeps it
 * invalid.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPMatchRequest
 */
export class HttpMatch {
  /** Match a request header; names are lower-case HTTP tokens, e.g. `x-canary-test`. */
  public static header(name: string): ValueMatch {
    return buildValue(ValueMatch, () => {
      const key = checkHeaderName(name);
      return ValueMatch._of((m) => new HttpMatch({ headers: { [key]: m } }), `header "${key}"`, 'header');
    });
  }

  /**
   * Match a cookie `name=value` in the `cookie` header (rendered as an anchored regex). Name and value follow
   * RFC 6265 (a token; no spaces, quotes, commas or semicolons): the regex is built from them, so no rule can
   * check them in the manifest.
   */
  public static cookie(name: string, value: string): HttpMatch {
    return buildValue(HttpMatch, () => {
      const cookieToken = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
      if (typeof name !== 'string' || typeof value !== 'string' || !cookieToken.test(name) || !/^[!#$%&'()*+\-./0-9:<=>?@A-Z[\]^_`a-z{|}~]*$/.test(value)) {
        propError({ path: 'HttpMatch.cookie', prop: 'cookie' }, {
          value: `${text(name)}=${text(value)}`, shown: `${text(name)}=${text(value)}`, expected: 'RFC 6265 cookie name and value',
          message: `cookie "${text(name)}=${text(value)}" is not a valid cookie pair`, fix: 'Use a cookie name made of token characters and a value without spaces, quotes, commas or semicolons.',
        });
      }
      return new HttpMatch({ headers: { cookie: { regex: `^(.*?;\\s*)?(${escapeRegex(name)}=${escapeRegex(value)})(;.*)?$` } } });
    });
  }

  /** Match a query parameter (a non-empty name). */
  public static queryParam(name: string): ValueMatch {
    return buildValue(ValueMatch, () => {
      const where = { path: 'HttpMatch.queryParam', prop: 'query parameter name' };
      if (typeof name !== 'string' || name.length === 0) {
        propError(where, { value: name, shown: name, expected: 'a non-empty string', message: `the query parameter name ${show(name)} is empty or not a string`, fix: 'Name the query parameter.' });
      }
      const unrenderable = unrenderableKeyProblem(name);
      if (unrenderable) propError(where, { value: name, shown: name, expected: 'a name cdk8s can synthesize', message: `the query parameter name ${unrenderable}`, fix: 'Match on another query parameter.' });
      return ValueMatch._of((m) => new HttpMatch({ queryParams: { [name]: m } }), `query parameter "${name}"`, 'query parameter');
    });
  }

  /** Match URI paths starting with `prefix` (e.g. `/api/v2/`). */
  public static pathPrefix(prefix: string): HttpMatch {
    return buildValue(HttpMatch, () => new HttpMatch({ uri: { prefix: checkPath(prefix) } }));
  }

  /** Match exactly the URI path `path`. */
  public static pathExact(path: string): HttpMatch {
    return buildValue(HttpMatch, () => new HttpMatch({ uri: { exact: checkPath(path) } }));
  }

  /** Match URI paths against the RE2 regular expression `regex`. */
  public static pathRegex(regex: string): HttpMatch {
    return buildValue(HttpMatch, () => new HttpMatch({ uri: { regex: checkRegex(regex, 'uri', 'uri') } }));
  }

  /** Match any of the given methods (one method renders `exact`, several an anchored regex). */
  public static method(...methods: HttpMethod[]): HttpMatch {
    return buildValue(HttpMatch, () => {
      const unique = [...new Set(methods)].filter((m) => Object.values(HttpMethod).includes(m));
      if (unique.length === 0 || unique.length !== new Set(methods).size) {
        propError({ path: 'HttpMatch.method', prop: 'method' }, {
          value: methods, shown: methods.map(text).join(','), expected: Object.values(HttpMethod).join(','),
          message: 'method needs at least one known HTTP method', fix: 'Pass HttpMethod values, e.g. HttpMatch.method(HttpMethod.GET).',
        });
      }
      const method = unique.length === 1 ? { exact: unique[0] } : { regex: `^(${unique.join('|')})$` };
      return new HttpMatch({ method });
    });
  }

  /**
   * Match requests whose header `name` does not match the value chosen next (Istio `withoutHeaders`), e.g.
   * `HttpMatch.withoutHeader('end-user').exact('jason')`.
   */
  public static withoutHeader(name: string): ValueMatch {
    return buildValue(ValueMatch, () => {
      const key = checkHeaderName(name);
      return ValueMatch._of((m) => new HttpMatch({ withoutHeaders: { [key]: m } }), `header "${key}"`, 'header');
    });
  }

  /** Match the request authority (the Host header), e.g. `HttpMatch.authority().exact('shop.example.com')`. */
  public static authority(): ValueMatch {
    return ValueMatch._of((m) => new HttpMatch({ authority: m }), 'authority', 'header');
  }

  /** Match requests sent to port `port` (1-65535) of the host, e.g. one port of a gateway. */
  public static port(port: number): HttpMatch {
    return buildValue(HttpMatch, () => new HttpMatch({ port: checkPort(port, { path: 'HttpMatch.port', prop: 'port' }) }));
  }

  /**
   * Match requests from workloads carrying these labels (Istio `sourceLabels`; mesh-bound VirtualServices only).
   * Label syntax is rule X-08's.
   */
  public static sourceLabels(labels: { [key: string]: string }): HttpMatch {
    return buildValue(HttpMatch, () => {
      const checked = checkLabels(labels, { path: 'HttpMatch.sourceLabels', prop: 'sourceLabels' });
      if (Object.keys(checked).length === 0) {
        propError({ path: 'HttpMatch.sourceLabels', prop: 'sourceLabels' }, { value: labels, shown: '{}', expected: 'at least one label', message: 'sourceLabels is empty, so it would match every workload', fix: 'Give the labels of the calling workloads, e.g. { app: "reviews" }.' });
      }
      return new HttpMatch({ sourceLabels: checked });
    });
  }

  /** Match requests from workloads in namespace `namespace` (Istio `sourceNamespace`; a DNS label, rule VS-08). */
  public static sourceNamespace(namespace: string): HttpMatch {
    return buildValue(HttpMatch, () => {
      // An empty sourceNamespace is unset for Istio: the match would take every namespace.
      if (typeof namespace !== 'string' || namespace === '') propError({ path: 'HttpMatch.sourceNamespace', prop: 'namespace' }, { value: namespace, expected: 'a namespace name', fix: 'Pass a namespace such as "bookinfo".' });
      return new HttpMatch({ sourceNamespace: namespace });
    });
  }

  /**
   * Match only requests arriving through these gateways (`mesh` for sidecars, or `namespace/name`), overriding
   * the VirtualService's `gateways` for this match (Istio `HTTPMatchRequest.gateways`).
   */
  public static gateways(...gateways: string[]): HttpMatch {
    return buildValue(HttpMatch, () => {
      if (gateways.length === 0 || gateways.some((g) => typeof g !== 'string' || g === '') || new Set(gateways).size !== gateways.length) {
        propError({ path: 'HttpMatch.gateways', prop: 'gateways' }, { value: gateways, expected: 'distinct gateway names, at least one', fix: 'Pass gateway names once each, e.g. HttpMatch.gateways("mesh").' });
      }
      return new HttpMatch({ gateways: [...gateways] });
    });
  }

  private constructor(private readonly conditions: RenderedHttpMatch) {}

  /** This match with the URI compared case-insensitively (Istio `ignoreUriCase`; exact and prefix only). */
  public ignoringUriCase(): HttpMatch {
    return buildValue(HttpMatch, () => {
      raiseInvalid(this);
      if (!this.conditions.uri || this.conditions.uri.regex !== undefined) {
        propError({ path: 'HttpMatch.ignoringUriCase', prop: 'uri' }, {
          value: this.conditions.uri?.regex ?? 'no uri', expected: 'an exact or prefix uri match', message: this.conditions.uri ? 'ignoreUriCase does not apply to a regex uri match' : 'the match has no uri condition to compare case-insensitively',
          fix: 'Use it on HttpMatch.pathExact(…) or HttpMatch.pathPrefix(…); write a regex case-insensitively with (?i).',
        });
      }
      return new HttpMatch({ ...this.conditions, ignoreUriCase: true });
    });
  }

  /**
   * A match requiring both this and `other` (AND). Two conditions on the same field (uri, method, one header or
   * query parameter) are refused: one request has one value there, so an AND of two is a contradiction or a repeat.
   */
  public and(other: HttpMatch): HttpMatch {
    return buildValue(HttpMatch, () => {
      const fix = "Combine two HttpMatch values, e.g. HttpMatch.pathPrefix('/api/').and(HttpMatch.header('x-canary').exact('1')).";
      // Both sides are checked: an invalid left side and an invalid right side are two problems of one error.
      const sides = collect({ path: 'HttpMatch.and', prop: 'this' });
      sides.check(() => {
        raiseInvalid(this);
        if (!isBuilt(this, HttpMatch)) propError({ path: 'HttpMatch.and', prop: 'this' }, { value: this, expected: 'an HttpMatch built by its factories', fix });
      });
      sides.check(() => {
        raiseInvalid(other, { path: 'HttpMatch.and', prop: 'other' });
        if (!isBuilt(other, HttpMatch)) propError({ path: 'HttpMatch.and', prop: 'other' }, { value: other, expected: 'an HttpMatch', fix });
      });
      sides.raise();
      const a = this.conditions;
      const b = other.conditions;
      for (const field of ['uri', 'method', 'authority', 'port', 'sourceNamespace', 'gateways', 'sourceLabels'] as const) {
        if (a[field] && b[field]) {
          propError({ path: 'HttpMatch.and', prop: field }, {
            value: field, shown: field, expected: `one ${field} condition`, message: `both sides set a ${field} condition, and one request has only one ${field}`,
            fix: `Keep one ${field} condition per HttpMatch; list alternatives as separate HttpMatch entries (OR).`,
          });
        }
      }
      return new HttpMatch({
        uri: a.uri ?? b.uri,
        method: a.method ?? b.method,
        headers: mergeMaps(a.headers, b.headers, 'header'),
        queryParams: mergeMaps(a.queryParams, b.queryParams, 'query parameter'),
        withoutHeaders: mergeMaps(a.withoutHeaders, b.withoutHeaders, 'header'),
        authority: a.authority ?? b.authority,
        port: a.port ?? b.port,
        sourceLabels: a.sourceLabels ?? b.sourceLabels,
        sourceNamespace: a.sourceNamespace ?? b.sourceNamespace,
        gateways: a.gateways ?? b.gateways,
        ignoreUriCase: a.ignoreUriCase || b.ignoreUriCase || undefined,
      });
    });
  }

  /** Whether this match has a header condition. */
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
      ...(c.withoutHeaders ? { withoutHeaders: copyMap(c.withoutHeaders) } : {}),
      ...(c.authority ? { authority: { ...c.authority } } : {}),
      ...(c.port !== undefined ? { port: c.port } : {}),
      ...(c.sourceLabels ? { sourceLabels: { ...c.sourceLabels } } : {}),
      ...(c.sourceNamespace !== undefined ? { sourceNamespace: c.sourceNamespace } : {}),
      ...(c.gateways ? { gateways: [...c.gateways] } : {}),
      ...(c.ignoreUriCase ? { ignoreUriCase: true } : {}),
    };
  }
}

function checkHeaderName(name: string): string {
  const where = { path: 'HttpMatch.header', prop: 'header name' };
  if (typeof name !== 'string') propError(where, { value: name, expected: 'a header name', fix: 'Use a lower-case header name such as "x-canary-test".' });
  enforce(headerMatchNameProblem, [name], {
    ...where, allowed: 'lower-case RFC 7230 token or :method/:scheme/:authority/:path',
    message: (problem) => `header name ${show(name)} ${problem}`, fix: 'Use a lower-case header name such as "x-canary-test".',
  });
  const unrenderable = unrenderableKeyProblem(name);
  if (unrenderable) propError(where, { value: name, shown: name, expected: 'a header name cdk8s can synthesize', message: `header name ${unrenderable}`, fix: 'Use a header name such as "x-canary-test".' });
  return name;
}

/**
 * Checks an exact or prefix value: a string (PROP), no empty prefix (VS-08), no control characters other than tab
 * in a header value; a query parameter value carries no control character at all (PROP: a URL carries them
 * percent-encoded only, so the match could never hold).
 */
function checkValue(value: string, kind: 'exact' | 'prefix', what: string, field: 'header' | 'query parameter'): string {
  const where = { path: 'HttpMatch', prop: `${what} value` };
  const allowed = kind === 'prefix' ? 'non-empty string without control characters' : 'string without control characters';
  if (typeof value !== 'string') propError(where, { value, expected: 'a string', fix: 'Use a printable value without control characters.' });
  enforce(stringMatchProblem, [kind, value, field], {
    ...where, value, allowed, message: (problem) => `${what} ${kind} ${problem}`, fix: 'Give the prefix at least one character, or use exact.',
  });
  if (field === 'header') {
    enforce(headerMatchValueProblem, [value], { ...where, allowed, message: (problem) => `${what} value ${show(value)} ${problem}`, fix: 'Use a printable value without control characters.' });
    return value;
  }
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(value)) {
    propError(where, { value, shown: value, expected: allowed, message: `${what} value ${show(value)} contains a control character, which a URL carries only percent-encoded`, fix: 'Use a printable value without control characters.' });
  }
  return value;
}

/**
 * Paths start with "/" and carry no whitespace (PROP: every request path does, so another match could never
 * hold; Istio does not check it).
 */
function checkPath(path: string): string {
  if (typeof path !== 'string' || !path.startsWith('/') || /\s/.test(path)) {
    propError({ path: 'HttpMatch', prop: 'uri' }, { value: path, shown: path, expected: 'path starting with "/" without spaces', message: `URI ${show(path)} is not a path`, fix: 'Start paths with "/", e.g. "/api/v2/".' });
  }
  return path;
}

/** Checks a regex: a string (PROP), not empty (VS-08), RE2 grammar and length (X-10, the check of rule X-10). */
function checkRegex(regex: string, what: string, field: StringMatchField): string {
  const where = { path: 'HttpMatch', prop: `${what} regex` };
  const allowed = `RE2 regex of 1-${MAX_REGEX} characters`;
  const fix = 'Use a valid RE2 regular expression, or prefer exact/prefix matches.';
  if (typeof regex !== 'string') propError(where, { value: regex, expected: 'a string', fix });
  // Istio compiles regexes with RE2, not JavaScript: the shared RE2 grammar of rule X-10 decides.
  enforce(stringMatchProblem, ['regex', regex, field], { ...where, value: regex, allowed, message: (problem) => `${what} regex ${problem}`, fix });
  enforce(re2Problem, [regex], { ...where, allowed, message: (problem) => `${what} regex ${problem}`, fix });
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
      propError({ path: 'HttpMatch.and', prop: what }, { value: key, shown: key, expected: `one condition per ${what}`, message: `${what} "${key}" is matched twice`, fix: `Match ${what} "${key}" once per HttpMatch.` });
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
