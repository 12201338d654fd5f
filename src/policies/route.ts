/**
 * What an HTTP route does besides choosing destinations: header manipulation, rewrite, redirect, direct response
 * and CORS (Istio `HTTPRoute` fields). Each renderer checks the shape (PROP: the types the API declares) and
 * emits the wire fields; the grammar of names and values is checked by rules VS-27, VS-28 and X-11 at synth, over
 * the finished VirtualService, as for hand-written YAML.
 */
import { Duration } from 'cdk8s';
import { checkKeys, checkList, checkPort, isPlainObject, propError, renderDuration, Where } from '../core/enforce';
import { unrenderableKeyProblem } from '../core/grammar';
import { defineEntry } from '../core/json';
import { show } from '../core/text';
import { StringMatch } from './match';

/**
 * Changes to the headers of a request or a response (Istio `Headers.HeaderOperations`).
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#Headers-HeaderOperations
 */
export interface HeaderChanges {
  /**
   * Headers to set, overwriting existing values (header name → value).
   * @default - none
   */
  readonly set?: { [name: string]: string };
  /**
   * Headers to append to (header name → value).
   * @default - none
   */
  readonly add?: { [name: string]: string };
  /**
   * Header names to remove.
   * @default - none
   */
  readonly remove?: string[];
}

/**
 * Header manipulation of a route or one destination (Istio `Headers`).
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#Headers
 */
export interface HeaderOperations {
  /**
   * Changes to the request before it is forwarded.
   * @default - none
   */
  readonly request?: HeaderChanges;
  /**
   * Changes to the response before it is returned.
   * @default - none
   */
  readonly response?: HeaderChanges;
}

/**
 * A regex rewrite of the path (Istio `RegexRewrite`): `match` is an RE2 regex, `rewrite` the replacement (`\1` for
 * capture groups).
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#RegexRewrite
 */
export interface RegexRewrite {
  /** RE2 regular expression matched against the path. */
  readonly match: string;
  /** Replacement, with `\1`…`\9` for capture groups. */
  readonly rewrite: string;
}

/**
 * Rewrites the request before forwarding (Istio `HTTPRewrite`): set `uri` or `uriRegexRewrite`, and/or `authority`.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRewrite
 */
export interface HttpRewrite {
  /**
   * Replaces the matched path or prefix.
   * @default - the path is kept
   */
  readonly uri?: string;
  /**
   * Rewrites the path with a regex.
   * @default - no regex rewrite
   */
  readonly uriRegexRewrite?: RegexRewrite;
  /**
   * Replaces the Authority/Host header.
   * @default - the authority is kept
   */
  readonly authority?: string;
}

/**
 * Answers with a redirect instead of forwarding (Istio `HTTPRedirect`).
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRedirect
 */
export interface HttpRedirect {
  /**
   * Path of the redirect location.
   * @default - the request's path
   */
  readonly uri?: string;
  /**
   * Authority of the redirect location.
   * @default - the request's authority
   */
  readonly authority?: string;
  /**
   * Port of the redirect location, 1-65535.
   * @default - the request's port
   */
  readonly port?: number;
  /**
   * Scheme of the redirect location, e.g. `https`.
   * @default - the request's scheme
   */
  readonly scheme?: string;
  /**
   * HTTP status of the redirect (301, 302, 303, 307, 308).
   * @default 301 (Istio's default)
   */
  readonly redirectCode?: number;
}

/**
 * Answers with a fixed response instead of forwarding (Istio `HTTPDirectResponse`).
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPDirectResponse
 */
export interface HttpDirectResponse {
  /** HTTP status, integer 200-599. */
  readonly status: number;
  /**
   * Response body, as a string.
   * @default - no body
   */
  readonly body?: string;
}

/**
 * Cross-origin resource sharing for the route (Istio `CorsPolicy`).
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#CorsPolicy
 */
export interface CorsPolicy {
  /**
   * Origins allowed, each an Istio StringMatch with exactly one of `exact`, `prefix` or `regex`.
   * @default - no origin allowed
   */
  readonly allowOrigins?: StringMatch[];
  /**
   * Methods allowed, e.g. `['GET', 'POST']`.
   * @default - none
   */
  readonly allowMethods?: string[];
  /**
   * Request headers allowed.
   * @default - none
   */
  readonly allowHeaders?: string[];
  /**
   * Response headers browsers may read.
   * @default - none
   */
  readonly exposeHeaders?: string[];
  /**
   * How long the preflight result may be cached (whole seconds or milliseconds, ≥ 1ms).
   * @default - not set
   */
  readonly maxAge?: Duration;
  /**
   * Whether credentials are allowed.
   * @default - not set
   */
  readonly allowCredentials?: boolean;
}

/** A plain object with only the declared fields and at least one of them set (PROP otherwise: it would do nothing). */
function record(value: unknown, where: Where, example: string, fields?: readonly string[]): Record<string, any> {
  if (!isPlainObject(value)) propError(where, { value, expected: 'an object', message: `${where.prop} ${show(value)} is not a plain object`, fix: `Set ${where.prop} to ${example}, or leave it out.` });
  if (fields) {
    checkKeys(value, fields, where);
    if (fields.every((f) => value[f] === undefined)) {
      propError(where, { value, shown: '{}', expected: `at least one of ${fields.join(', ')}`, message: `${where.prop} sets nothing, so it would do nothing`, fix: `Set ${where.prop} to ${example}, or leave it out.` });
    }
  }
  return value;
}

function str(value: unknown, where: Where): string {
  if (typeof value !== 'string') propError(where, { value, expected: 'a string', fix: `Set ${where.prop} to a string.` });
  return value;
}

function strings(value: unknown, where: Where): string[] {
  checkList(value as unknown[], where.prop, where.path);
  return (value as unknown[]).map((v, i) => str(v, { path: where.path, prop: `${where.prop}[${i}]` }));
}

function stringMap(value: unknown, where: Where): Record<string, string> {
  const map = record(value, where, '{ "x-name": "value" }');
  const out: Record<string, string> = {};
  for (const key of Object.keys(map)) {
    const unrenderable = unrenderableKeyProblem(key);
    if (unrenderable) propError({ path: where.path, prop: `${where.prop}["${key}"]` }, { value: key, shown: key, expected: 'a header name cdk8s can synthesize', message: `${where.prop} header name ${unrenderable}`, fix: 'Use a header name such as "x-api-version".' });
    defineEntry(out, key, str(map[key], { path: where.path, prop: `${where.prop}["${key}"]` }));
  }
  return out;
}

/** Renders Istio `Headers` (PROP for a wrong shape). */
export function renderHeaders(value: HeaderOperations, where: Where): Record<string, unknown> {
  const headers = record(value, where, '{ request: { set: { … } } }', ['request', 'response']);
  const out: Record<string, unknown> = {};
  for (const side of ['request', 'response'] as const) {
    if (headers[side] === undefined) continue;
    const at = (field: string): Where => ({ path: where.path, prop: `${where.prop}.${side}.${field}` });
    const changes = record(headers[side], { path: where.path, prop: `${where.prop}.${side}` }, '{ set, add, remove }', ['set', 'add', 'remove']);
    const rendered: Record<string, unknown> = {};
    if (changes.set !== undefined) rendered.set = stringMap(changes.set, at('set'));
    if (changes.add !== undefined) rendered.add = stringMap(changes.add, at('add'));
    if (changes.remove !== undefined) rendered.remove = strings(changes.remove, at('remove'));
    out[side] = rendered;
  }
  return out;
}

/** Renders Istio `HTTPRewrite` (PROP for a wrong shape). */
export function renderRewrite(value: HttpRewrite, where: Where): Record<string, unknown> {
  const rewrite = record(value, where, '{ uri: "/" }', ['uri', 'uriRegexRewrite', 'authority']);
  const out: Record<string, unknown> = {};
  if (rewrite.uri !== undefined) out.uri = str(rewrite.uri, { ...where, prop: `${where.prop}.uri` });
  if (rewrite.authority !== undefined) out.authority = str(rewrite.authority, { ...where, prop: `${where.prop}.authority` });
  if (rewrite.uriRegexRewrite !== undefined) {
    const at = `${where.prop}.uriRegexRewrite`;
    const regex = record(rewrite.uriRegexRewrite, { ...where, prop: at }, '{ match, rewrite }', ['match', 'rewrite']);
    out.uriRegexRewrite = { match: str(regex.match, { ...where, prop: `${at}.match` }), rewrite: str(regex.rewrite, { ...where, prop: `${at}.rewrite` }) };
  }
  return out;
}

/** Renders Istio `HTTPRedirect` (PROP for a wrong shape, X-02 for the port). */
export function renderRedirect(value: HttpRedirect, where: Where): Record<string, unknown> {
  const redirect = record(value, where, '{ uri: "/new" }', ['uri', 'authority', 'port', 'scheme', 'redirectCode']);
  const out: Record<string, unknown> = {};
  for (const field of ['uri', 'authority', 'scheme'] as const) {
    if (redirect[field] !== undefined) out[field] = str(redirect[field], { ...where, prop: `${where.prop}.${field}` });
  }
  if (redirect.port !== undefined) out.port = checkPort(redirect.port, { ...where, prop: `${where.prop}.port` });
  if (redirect.redirectCode !== undefined) {
    if (!Number.isInteger(redirect.redirectCode)) propError({ ...where, prop: `${where.prop}.redirectCode` }, { value: redirect.redirectCode, expected: 'an HTTP status such as 301', fix: 'Use 301, 302, 303, 307 or 308.' });
    out.redirectCode = redirect.redirectCode;
  }
  return out;
}

/** Renders Istio `HTTPDirectResponse` (PROP for a wrong shape). */
export function renderDirectResponse(value: HttpDirectResponse, where: Where): Record<string, unknown> {
  const response = record(value, where, '{ status: 404 }', ['status', 'body']);
  if (!Number.isInteger(response.status)) propError({ ...where, prop: `${where.prop}.status` }, { value: response.status, expected: 'an HTTP status 200-599', fix: 'Set status, e.g. 404.' });
  return {
    status: response.status,
    ...(response.body !== undefined ? { body: { string: str(response.body, { ...where, prop: `${where.prop}.body` }) } } : {}),
  };
}

/** Renders Istio `CorsPolicy` (PROP for a wrong shape, X-01 for maxAge). */
export function renderCorsPolicy(value: CorsPolicy, where: Where): Record<string, unknown> {
  const cors = record(value, where, '{ allowOrigins: [{ exact: "https://example.com" }] }', ['allowOrigins', 'allowMethods', 'allowHeaders', 'exposeHeaders', 'maxAge', 'allowCredentials']);
  const at = (field: string): Where => ({ path: where.path, prop: `${where.prop}.${field}` });
  const out: Record<string, unknown> = {};
  if (cors.allowOrigins !== undefined) {
    checkList(cors.allowOrigins, at('allowOrigins').prop, where.path);
    out.allowOrigins = (cors.allowOrigins as unknown[]).map((o, i) => renderStringMatch(o, at(`allowOrigins[${i}]`)));
  }
  for (const field of ['allowMethods', 'allowHeaders', 'exposeHeaders'] as const) {
    if (cors[field] !== undefined) out[field] = strings(cors[field], at(field));
  }
  if (cors.maxAge !== undefined) out.maxAge = renderDuration(cors.maxAge, at('maxAge'));
  if (cors.allowCredentials !== undefined) {
    if (typeof cors.allowCredentials !== 'boolean') propError(at('allowCredentials'), { value: cors.allowCredentials, expected: 'a boolean', fix: 'Set allowCredentials to true or false.' });
    out.allowCredentials = cors.allowCredentials;
  }
  return out;
}

/** An Istio `StringMatch`: exactly one of exact, prefix or regex, a string (PROP otherwise). */
export function renderStringMatch(value: unknown, where: Where): StringMatch {
  const match = record(value, where, '{ exact: "value" }');
  checkKeys(match, ['exact', 'prefix', 'regex'], where);
  const set = (['exact', 'prefix', 'regex'] as const).filter((k) => match[k] !== undefined);
  if (set.length !== 1) {
    propError(where, { value, expected: 'exactly one of exact, prefix or regex', message: `${where.prop} ${show(value)} does not set exactly one of exact, prefix or regex`, fix: 'Use { exact: "…" }, { prefix: "…" } or { regex: "…" }.' });
  }
  return { [set[0]]: str(match[set[0]], { ...where, prop: `${where.prop}.${set[0]}` }) };
}
