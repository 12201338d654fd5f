import { resolveGatewayRef, MESH_GATEWAY } from '../core/gateway-ref';
import { arr, isRecord } from '../core/json';
import { labelMap, labelsWithin } from '../core/labels';
import { RegexCache } from './regex';
import { NormalizedRequest } from './request';
/**
 * One `HTTPMatchRequest` against one request, as Istio translates it to an Envoy route match and Envoy evaluates it:
 * every condition of the block must hold (AND). Returns the conditions that fail, so that a miss can be explained.
 *
 * - `port`, `gateways`, `sourceLabels`, `sourceNamespace` decide whether Istio builds the route for this proxy at all
 *   (pilot `TranslateRoute`/`sourceMatchHTTP`): when `gateways` is set, `sourceLabels` and `sourceNamespace` are
 *   not read.
 * - `uri` exact and regex read the path without its query string, prefix reads `:path`; `ignoreUriCase` makes exact
 *   and prefix case-insensitive and does not apply to regex (Envoy `case_sensitive`).
 * - `method`, `authority`, `scheme`, `headers` are Envoy header matchers: values compare case-sensitively, names
 *   case-insensitively; an empty StringMatch (or regex `*`) only asks that the header be present.
 * - `withoutHeaders` inverts the header matcher and treats a missing header as empty, so a missing header satisfies
 *   `withoutHeaders: {x: {exact: v}}`; the presence form is satisfied only by a missing header.
 * - regexes are RE2 and match the whole value.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPMatchRequest
 * @see https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/route/v3/route_components.proto#config-route-v3-headermatcher
 */

/** What a match block is compared with besides the request. */
export interface MatchContext {
  readonly request: NormalizedRequest;
  /** The listener port: the request port. */
  readonly port: number;
  /** Namespace of the VirtualService (resolves short gateway names). */
  readonly vsNamespace: string;
  readonly regexes: RegexCache;
}

/** The failed conditions of `match` (empty: the block matches). A missing or empty block matches everything. */
export function failedConditions(match: unknown, ctx: MatchContext): string[] {
  return [...scopeProblems(match, ctx), ...requestProblems(match, ctx)];
}

/**
 * The conditions istiod checks when it builds routes for one proxy and port (`port`, `gateways`, `sourceLabels`,
 * `sourceNamespace`) that `match` fails: a block failing one of them is not in the proxy's configuration at all.
 */
export function scopeProblems(match: unknown, ctx: MatchContext): string[] {
  if (!isRecord(match)) return [];
  const out: string[] = [];
  if (typeof match.port === 'number' && match.port !== 0 && match.port !== ctx.port) out.push(`port ${match.port} is not the request port ${ctx.port}`);
  out.push(...sourceProblems(match, ctx));
  return out;
}

/** The conditions on the request itself (uri, scheme, method, authority, headers, query) that `match` fails. */
function requestProblems(match: unknown, ctx: MatchContext): string[] {
  if (!isRecord(match)) return [];
  const out: string[] = [];
  const { request } = ctx;
  if (isRecord(match.uri)) {
    const problem = uriProblem(match.uri, match.ignoreUriCase === true, ctx);
    if (problem) out.push(problem);
  }
  for (const field of ['scheme', 'method', 'authority'] as const) {
    if (!isRecord(match[field])) continue;
    const problem = valueProblem(match[field], request.headers.get(`:${field}`), ctx);
    if (problem) out.push(`${field} ${problem}`);
  }
  for (const [name, sm] of entries(match.headers)) {
    const problem = valueProblem(sm, request.headers.get(name.toLowerCase()), ctx);
    if (problem) out.push(`header "${name}" ${problem}`);
  }
  for (const [name, sm] of entries(match.withoutHeaders)) {
    const value = request.headers.get(name.toLowerCase());
    if (isPresence(sm)) {
      if (value !== undefined) out.push(`withoutHeaders "${name}": the header is present`);
    } else if (valueProblem(sm, value ?? '', ctx) === undefined) {
      out.push(`withoutHeaders "${name}" ${describe(sm)}: the header ${value === undefined ? 'is missing, read as "", and' : `"${value}"`} matches`);
    }
  }
  for (const [name, sm] of entries(match.queryParams)) {
    const problem = valueProblem(sm, request.query.get(name), ctx);
    if (problem) out.push(`query parameter "${name}" ${problem}`);
  }
  return out;
}

/** Istio's `sourceMatchHTTP`: `gateways` (resolved), else `sourceLabels` ⊆ the proxy's labels and `sourceNamespace`. */
function sourceProblems(match: Record<string, any>, ctx: MatchContext): string[] {
  const source = ctx.request.source;
  const gateways = arr(match.gateways).filter((g): g is string => typeof g === 'string');
  if (gateways.length > 0) {
    const self = source.gatewayName ?? MESH_GATEWAY;
    const resolved = gateways.map((g) => (g === MESH_GATEWAY ? g : resolveGatewayRef(g, ctx.vsNamespace) ?? g));
    return resolved.includes(self) ? [] : [`gateways [${resolved.join(', ')}] do not include ${source.gatewayName ? `gateway ${self}` : '"mesh"'}`];
  }
  const out: string[] = [];
  const labels = labelMap(match.sourceLabels);
  if (labels && Object.keys(labels).length > 0 && !labelsWithin(labels, source.labels)) {
    const missing = Object.keys(labels).filter((k) => source.labels[k] !== labels[k]).map((k) => `${k}=${labels[k]}`);
    out.push(`sourceLabels ${missing.join(',')} not on the source`);
  }
  if (typeof match.sourceNamespace === 'string' && match.sourceNamespace !== '' && match.sourceNamespace !== source.namespace) {
    out.push(`sourceNamespace "${match.sourceNamespace}" is not the source namespace "${source.namespace}"`);
  }
  return out;
}

function uriProblem(sm: Record<string, any>, ignoreCase: boolean, ctx: MatchContext): string | undefined {
  const { request } = ctx;
  const fold = (s: string) => (ignoreCase ? s.toLowerCase() : s);
  const suffix = ignoreCase ? ' (ignoring case)' : '';
  if (typeof sm.exact === 'string') {
    return fold(request.path) === fold(sm.exact) ? undefined : `uri exact "${sm.exact}" does not match "${request.path}"${suffix}`;
  }
  if (typeof sm.prefix === 'string') {
    return fold(request.fullPath).startsWith(fold(sm.prefix)) ? undefined : `uri prefix "${sm.prefix}" does not match "${request.fullPath}"${suffix}`;
  }
  if (typeof sm.regex === 'string') {
    const verdict = ctx.regexes.fullMatch(sm.regex, request.path);
    if (verdict.error) return `uri regex "${sm.regex}" is not RE2 (${verdict.error})`;
    return verdict.matches ? undefined : `uri regex "${sm.regex}" does not match "${request.path}" as a whole`;
  }
  return undefined;
}

/** Why a header-like `value` fails the StringMatch `sm` (phrased after the subject), or undefined. */
function valueProblem(sm: unknown, value: string | undefined, ctx: MatchContext): string | undefined {
  if (value === undefined) return isPresence(sm) ? 'is missing' : `${describe(sm)}: missing`;
  if (!isRecord(sm) || isPresence(sm)) return undefined;
  if (typeof sm.exact === 'string') return value === sm.exact ? undefined : `exact "${sm.exact}" does not match "${value}"`;
  if (typeof sm.prefix === 'string') return value.startsWith(sm.prefix) ? undefined : `prefix "${sm.prefix}" does not match "${value}"`;
  if (typeof sm.regex === 'string') {
    const verdict = ctx.regexes.fullMatch(sm.regex, value);
    if (verdict.error) return `regex "${sm.regex}" is not RE2 (${verdict.error})`;
    return verdict.matches ? undefined : `regex "${sm.regex}" does not match "${value}" as a whole`;
  }
  return undefined;
}

/** Istio's `canBeConvertedToPresentMatch`: no match type, or the regex `*`. */
function isPresence(sm: unknown): boolean {
  if (!isRecord(sm)) return true;
  if (typeof sm.exact === 'string' || typeof sm.prefix === 'string') return false;
  return typeof sm.regex !== 'string' || sm.regex === '*';
}

function describe(sm: unknown): string {
  if (!isRecord(sm)) return 'present';
  for (const kind of ['exact', 'prefix', 'regex']) if (typeof sm[kind] === 'string') return `${kind} "${sm[kind]}"`;
  return 'present';
}

function entries(map: unknown): Array<[string, unknown]> {
  return isRecord(map) ? Object.entries(map) : [];
}
