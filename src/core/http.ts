/**
 * HTTP header grammar (rule X-11): header names in matches, header operations and consistent-hash policies, and
 * header values. Used by `HttpMatch`, `LoadBalancer` and the X-11 rule.
 */
import { invariant } from './check';

const TOKEN = /^[!#$%&'*+\-.^_`|~A-Za-z0-9]+$/;
/** HTTP/2 pseudo-headers a request carries (`:status` is a response pseudo-header). */
const REQUEST_PSEUDO_HEADERS = new Set([':method', ':scheme', ':authority', ':path']);
const JWT_CLAIM_PREFIX = '@request.auth.claims';
/** Control characters a header value may not carry (horizontal tab is allowed). */
const CONTROL = /[\u0000-\u0008\u000A-\u001F\u007F]/;

/**
 * why `name` cannot be used as a header match key (`headers`, `withoutHeaders`), or `undefined`: an RFC 7230
 * token in lower case (as Istio's reference requires), a request pseudo-header, or an `@request.auth.claims` reference.
 * `:status`, which Istio's webhook accepts, is refused: it is a response pseudo-header, so no request carries it
 * and the match can never hold.
 */
export const headerMatchNameProblem = invariant('X-11', (name: string): string | undefined => {
  if (name === '') return 'is empty';
  if (name.toLowerCase().startsWith(JWT_CLAIM_PREFIX)) {
    const claim = name.slice(JWT_CLAIM_PREFIX.length);
    const dotted = claim.startsWith('.') && claim.length > 1;
    const bracketed = claim.startsWith('[') && claim.endsWith(']') && claim.length > 2;
    return dotted || bracketed ? undefined : `is not a JWT claim reference (${JWT_CLAIM_PREFIX}.<claim> or ${JWT_CLAIM_PREFIX}[<claim>])`;
  }
  if (REQUEST_PSEUDO_HEADERS.has(name)) return undefined;
  if (name === ':status') return 'is the response pseudo-header :status, which no request carries';
  if (!TOKEN.test(name)) return 'is not an HTTP header name (RFC 7230 token characters), a pseudo-header or a JWT claim';
  if (name !== name.toLowerCase()) return 'is not lower-case (Istio requires lower-case header keys)';
  return undefined;
});

/**
 * X-11: why `name` cannot be set, added or removed, or `undefined`. Only the token grammar is checked here: empty
 * names, pseudo-headers and Host are VS-28's. `:authority` (the only pseudo-header a request may set) is exempt.
 */
export const headerOperationNameProblem = invariant('X-11', (name: string): string | undefined => {
  if (name === '' || name.startsWith(':')) return undefined;
  return TOKEN.test(name) ? undefined : 'is not an HTTP header name (RFC 7230 token characters)';
});

/**
 * why `name` cannot be the header a consistent hash reads (`consistentHash.httpHeaderName`), or
 * `undefined`: a non-empty RFC 7230 token, optionally a pseudo-header (Envoy rejects the route otherwise). Envoy
 * compares header names case-insensitively, so case is not checked.
 */
export const hashHeaderNameProblem = invariant('X-11', (name: string): string | undefined => {
  if (name === '') return 'is empty';
  return TOKEN.test(name.startsWith(':') ? name.slice(1) : name) ? undefined : 'is not an HTTP header name (RFC 7230 token characters)';
});

/** The first control character of `value` (tab excepted) as `U+000A`, or `undefined`. */
function controlCharacter(value: string): string | undefined {
  const control = CONTROL.exec(value);
  return control ? `U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}` : undefined;
}

/**
 * why a header match value (`exact`, `prefix`) can never match, or `undefined`: a control character other
 * than tab, which Envoy refuses in request header values.
 */
/**
 * Longest header match value, in UTF-8 bytes: Envoy's default limit for all request headers together
 * (`max_request_headers_kb`, 60 KiB); a request carrying a longer value is refused with 431, so the match could
 * never be true.
 */
export const MAX_HEADER_VALUE_BYTES = 60 * 1024;

export const headerMatchValueProblem = invariant('X-11', (value: string): string | undefined => {
  if (value.length > MAX_HEADER_VALUE_BYTES / 4 && Buffer.byteLength(value, 'utf8') > MAX_HEADER_VALUE_BYTES) {
    return `is ${Buffer.byteLength(value, 'utf8')} bytes long; Envoy refuses requests whose headers exceed ${MAX_HEADER_VALUE_BYTES / 1024} KiB (max_request_headers_kb), so it can never match`;
  }
  const control = controlCharacter(value);
  return control ? `contains the control character ${control}, which no request header value carries` : undefined;
});

/** States of Envoy's header-value formatter parser (`%VAR%`, `%VAR(arg)%`, `%VAR(["a","b"])%`). */
enum P { Literal, Name, ArgsStart, ArgString, Quoted, AfterQuoted, ArgsClose, ExprClose }

/**
 * why `value` is not a header value Envoy accepts in a header operation, or `undefined`: no control
 * characters (tab allowed), and each `%` is either `%%` or opens a `%VAR%` / `%VAR(arg)%` / `%VAR(["a","b"])%`
 * expression, scanned the way Envoy's header parser does.
 */
export const headerValueProblem = invariant('X-11', (value: string): string | undefined => {
  const control = controlCharacter(value);
  if (control) return `contains the control character ${control}`;
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
});
