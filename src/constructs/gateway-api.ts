import { IConstruct } from 'constructs';
import { propError, Where } from '../core/enforce';
import { kubernetesService } from '../core/hosts';
import { isRecord } from '../core/json';
import { show } from '../core/text';

/**
 * Which API the intent constructs write routing in: Istio's own (`VirtualService` + `DestinationRule` subsets, the
 * default), or the Kubernetes Gateway API (`HTTPRoute`, one Kubernetes `Service` per version, a `DestinationRule` per
 * version host for its traffic policy, and the Gateway API `Gateway` for ingress) — the API Istio recommends at ambient
 * waypoints. Choose per construct (`routingApi`) or for a whole App or Chart with {@link Routing.useApi}.
 * @see https://istio.io/latest/docs/tasks/traffic-management/ingress/gateway-api/
 */
export enum RoutingApi {
  /** Istio's networking API: `VirtualService`, `DestinationRule` subsets, Istio `Gateway`. */
  ISTIO = 'istio',
  /** The Gateway API (standard channel): `HTTPRoute` (mesh routes parented to the Service), version Services, `Gateway`. */
  GATEWAY_API = 'gateway-api',
}

/** Choosing the routing API for a whole App, Chart or subtree. */
export class Routing {
  /** The construct context key {@link Routing.useApi} sets (value `istio` or `gateway-api`); cdk8s.yaml `context:` may set it too. */
  public static readonly CONTEXT_KEY: string = 'cdk8s-istio-traffic/routingApi';

  /**
   * Makes `api` the routing API of every construct of this library under `scope` (an App, a Chart, any construct)
   * that does not set `routingApi` itself. Call it before adding children (cdk8s context rule).
   */
  public static useApi(scope: IConstruct, api: RoutingApi): void {
    if (!Object.values(RoutingApi).includes(api)) {
      propError({ path: scope.node.path || '(app)', prop: 'api' }, { value: api, expected: Object.values(RoutingApi).join(', '), fix: 'Pass RoutingApi.ISTIO or RoutingApi.GATEWAY_API.' });
    }
    scope.node.setContext(Routing.CONTEXT_KEY, api);
  }

  /**
   * The routing API of a construct: its `routingApi`, else the context, else Istio's.
   * @internal
   */
  public static _of(scope: IConstruct, prop: RoutingApi | undefined, where: Where): RoutingApi {
    const chosen: unknown = prop ?? scope.node.tryGetContext(Routing.CONTEXT_KEY) ?? RoutingApi.ISTIO;
    if (!Object.values(RoutingApi).includes(chosen as RoutingApi)) {
      propError({ ...where, prop: prop === undefined ? `context ${Routing.CONTEXT_KEY}` : 'routingApi' }, { value: chosen, expected: Object.values(RoutingApi).join(', '), fix: 'Use RoutingApi.ISTIO or RoutingApi.GATEWAY_API.' });
    }
    return chosen as RoutingApi;
  }

  private constructor() {}
}

/** Props shared by the constructs that can write either routing API. */
export interface RoutingApiProps {
  /**
   * The API routing is written in: `RoutingApi.ISTIO` (VirtualService + DestinationRule) or `RoutingApi.GATEWAY_API`
   * (HTTPRoute + one Service per version + DestinationRules per version host). Under the Gateway API, what HTTPRoute
   * cannot say (retries, fault injection, `sourceLabels`, direct responses, …) is refused with the alternative.
   * @default - the context set by `Routing.useApi(app, …)`, else `RoutingApi.ISTIO`
   */
  readonly routingApi?: RoutingApi;
}

/** What the translation of one route needs to know about the construct. */
export interface RouteTranslation {
  /** The construct's host (subset destinations are on it). */
  readonly host: string;
  /** The namespace of the emitted objects (backendRefs in it carry no namespace). */
  readonly namespace: string;
  /** The version Service of a subset of the host: `reviews-v1`. */
  versionService(subset: string): string;
  /** The port backendRefs to the host (and its versions) use, when known. */
  readonly port?: number;
}

/**
 * Istio's retry default for routes without a retry policy — which is every Gateway API route of the standard
 * channel (it has no retry field): the call-chain rules count it.
 */
export const GATEWAY_API_RETRIES = "Istio's default retry policy: 2 retries on connect-failure, refused-stream, unavailable, cancelled and retriable-status-codes (503)";

/**
 * PROP for what the Gateway API standard channel cannot say: `<prop> cannot be written <as>: <why>`, the fix, and the
 * way back (the Istio API). Every refusal of the Gateway API backend goes through here.
 */
export function gatewayApiRefusal(where: Where, as: string, value: unknown, why: string, fix: string): never {
  return propError(where, {
    value, expected: 'what the Gateway API standard channel can express',
    message: `${where.prop} cannot be written ${as}: ${why}`,
    fix: `${fix} Or keep routingApi: RoutingApi.ISTIO.`,
  });
}

function refuse(where: Where, field: string, value: unknown, why: string, fix: string): never {
  return gatewayApiRefusal({ ...where, prop: `${where.prop}.${field}` }, 'as a Gateway API HTTPRoute', value, why, fix);
}

/** Translates one rendered Istio HTTP route (the VirtualService form) into an HTTPRoute rule; refuses what it cannot say. */
export function toHttpRouteRule(route: Record<string, any>, t: RouteTranslation, where: Where): Record<string, unknown> {
  if (route.retries !== undefined) {
    refuse(where, 'retries', route.retries, `the standard channel has no retry field, so ${GATEWAY_API_RETRIES} applies and cannot be changed (idempotency-aware retries cannot be expressed; Istio's translation of the experimental retry field always retries on connect-failure, refused-stream, unavailable and cancelled too)`, 'Leave retries out (the call-chain rules count the implicit 2 retries), or keep this route on the Istio API.');
  }
  if (route.fault !== undefined) refuse(where, 'fault', route.fault, 'HTTPRoute has no fault injection', 'Inject faults with a VirtualService on a test host.');
  if (route.directResponse !== undefined) refuse(where, 'directResponse', route.directResponse, 'HTTPRoute has no direct response in the standard channel', 'Route to a backend that answers, or use a RequestRedirect.');
  const matches = (route.match ?? []).map((m: Record<string, any>, i: number) => toMatch(m, { ...where, prop: `${where.prop}.match[${i}]` }));
  const filters: Record<string, unknown>[] = [];
  if (route.headers !== undefined) filters.push(...headerFilters(route.headers, { ...where, prop: `${where.prop}.headers` }));
  if (route.redirect !== undefined) filters.push({ type: 'RequestRedirect', requestRedirect: toRedirect(route.redirect, { ...where, prop: `${where.prop}.redirect` }) });
  if (route.rewrite !== undefined) filters.push({ type: 'URLRewrite', urlRewrite: toRewrite(route.rewrite, matches, { ...where, prop: `${where.prop}.rewrite` }) });
  const mirrors = route.mirror !== undefined ? [{ destination: route.mirror, percentage: route.mirrorPercentage }] : route.mirrors ?? [];
  mirrors.forEach((m: Record<string, any>, i: number) => {
    const at = { ...where, prop: `${where.prop}.${route.mirror !== undefined ? 'mirror' : `mirrors[${i}]`}` };
    filters.push({ type: 'RequestMirror', requestMirror: { backendRef: backendOf(m.destination, t, at), ...mirrorShare(m.percentage?.value) } });
  });
  if (route.corsPolicy !== undefined) filters.push({ type: 'CORS', cors: toCors(route.corsPolicy, { ...where, prop: `${where.prop}.corsPolicy` }) });
  const backendRefs = (route.route ?? []).map((d: Record<string, any>, i: number) => {
    const at = { ...where, prop: `${where.prop}.route[${i}]` };
    if (d.headers !== undefined) refuse(at, 'headers', d.headers, 'per-destination header operations are not translated', 'Set headers on the route instead.');
    return { ...backendOf(d.destination, t, at), ...(d.weight !== undefined ? { weight: d.weight } : {}) };
  });
  return {
    ...(route.name ? { name: route.name } : {}),
    ...(matches.length > 0 ? { matches } : {}),
    ...(filters.length > 0 ? { filters } : {}),
    ...(backendRefs.length > 0 ? { backendRefs } : {}),
    ...(route.timeout !== undefined ? { timeouts: { request: route.timeout } } : {}),
  };
}

const STRING_MATCH_TYPES: Record<string, string> = { exact: 'Exact', regex: 'RegularExpression' };

function toMatch(m: Record<string, any>, where: Where): Record<string, unknown> {
  for (const [field, why, fix] of [
    ['sourceLabels', 'source labels are dropped at ambient waypoints and have no HTTPRoute match', 'Route by a header the caller sets, or keep the Istio API.'],
    ['sourceNamespace', 'HTTPRoute has no source match', 'Route by a header the caller sets.'],
    ['gateways', 'per-match gateways have no HTTPRoute form (parentRefs choose the gateways of the whole route)', 'Write one route per gateway.'],
    ['withoutHeaders', 'HTTPRoute has no negative header match', 'Match the positive case in a rule before the catch-all.'],
    ['authority', 'HTTPRoute matches hostnames per route (hostnames), not per rule', 'Give each authority its own route with hostnames.'],
    ['port', 'HTTPRoute matches ports with the parentRef port', 'Give the route port (port) instead.'],
    ['ignoreUriCase', 'HTTPRoute path matches are case-sensitive', 'Match each spelling, or use a RegularExpression path.'],
  ] as const) {
    if (m[field] !== undefined) refuse(where, field, m[field], why, fix);
  }
  const out: Record<string, unknown> = {};
  if (m.uri !== undefined) {
    const [kind, value] = Object.entries(m.uri)[0] as [string, string];
    out.path = { type: kind === 'prefix' ? 'PathPrefix' : STRING_MATCH_TYPES[kind], value };
    if (kind === 'prefix' && !value.startsWith('/')) refuse(where, 'uri', m.uri, 'a Gateway API path prefix starts with "/"', 'Write the prefix as an absolute path.');
  }
  const pairs = (field: 'headers' | 'queryParams') => Object.entries(m[field] as Record<string, Record<string, string>>).map(([name, sm]) => {
    const [kind, value] = Object.entries(sm)[0];
    if (STRING_MATCH_TYPES[kind] === undefined) refuse(where, `${field}.${name}`, sm, `a ${kind} match has no Gateway API form (Exact or RegularExpression only)`, `Use an exact or regex match, e.g. HttpMatch.header('${name}').regex('^${value}.*').`);
    return { name, type: STRING_MATCH_TYPES[kind], value };
  });
  if (m.headers !== undefined) out.headers = pairs('headers');
  if (m.queryParams !== undefined) out.queryParams = pairs('queryParams');
  if (m.method !== undefined) {
    if (m.method.exact === undefined) refuse(where, 'method', m.method, 'HTTPRoute matches one exact method', "Match a single method, e.g. HttpMatch.method('GET').");
    out.method = m.method.exact;
  }
  return out;
}

/** A backendRef (Service name, namespace when another, port) for an Istio destination; refuses external hosts. */
function backendOf(d: Record<string, any>, t: RouteTranslation, where: Where): Record<string, unknown> {
  const port = d.port?.number ?? (d.host === t.host ? t.port : undefined);
  let name: string;
  let namespace: string | undefined;
  if (d.subset !== undefined) {
    if (d.host !== t.host) refuse(where, 'subset', d.subset, `subset "${d.subset}" of another host (${d.host}) has no version Service here`, 'Route to that host\'s version Service with Destination.host("<service>-<version>").');
    name = t.versionService(d.subset);
  } else {
    const service = kubernetesService(String(d.host));
    if (!service) refuse(where, 'destination', d.host, `${show(d.host)} is not a Kubernetes Service of the cluster (a backendRef names a Service)`, 'Route to an in-cluster Service (name, name.namespace.svc or name.namespace.svc.cluster.local).');
    name = service.name;
    namespace = service.namespace !== undefined && service.namespace !== t.namespace ? service.namespace : undefined;
  }
  if (port === undefined) {
    propError({ ...where, prop: `${where.prop}.port` }, { value: undefined, expected: 'a port', message: `${where.prop} has no port, and a Gateway API backendRef to a Service needs one`, fix: "Set the construct's port (or the destination's), or pass service so its port is known." });
  }
  return { name, ...(namespace !== undefined ? { namespace } : {}), port };
}

/** RequestMirror share: none (100 %), an integer `percent`, or a `fraction` for a fractional percentage. */
function mirrorShare(value: number | undefined): Record<string, unknown> {
  if (value === undefined) return {};
  if (Number.isInteger(value)) return { percent: value };
  return { fraction: { numerator: Math.round(value * 10000), denominator: 1000000 } };
}

function headerFilters(headers: Record<string, any>, where: Where): Record<string, unknown>[] {
  const ops = (o: Record<string, any>) => ({
    ...(o.set ? { set: Object.entries(o.set).map(([name, value]) => ({ name, value })) } : {}),
    ...(o.add ? { add: Object.entries(o.add).map(([name, value]) => ({ name, value })) } : {}),
    ...(o.remove ? { remove: [...o.remove] } : {}),
  });
  if (!isRecord(headers)) refuse(where, '', headers, 'not a header operation', 'Use HeaderOperations.');
  return [
    ...(headers.request ? [{ type: 'RequestHeaderModifier', requestHeaderModifier: ops(headers.request) }] : []),
    ...(headers.response ? [{ type: 'ResponseHeaderModifier', responseHeaderModifier: ops(headers.response) }] : []),
  ];
}

function toRedirect(r: Record<string, any>, where: Where): Record<string, unknown> {
  if (r.derivePort !== undefined) refuse(where, 'derivePort', r.derivePort, 'RequestRedirect has no derived port', 'Set the port explicitly.');
  return {
    ...(r.scheme !== undefined ? { scheme: r.scheme } : {}),
    ...(r.authority !== undefined ? { hostname: r.authority } : {}),
    ...(r.uri !== undefined ? { path: { type: 'ReplaceFullPath', replaceFullPath: r.uri } } : {}),
    ...(r.port !== undefined ? { port: r.port } : {}),
    // Istio redirects with 301 by default, the Gateway API with 302: keep Istio's meaning.
    statusCode: r.redirectCode ?? 301,
  };
}

function toRewrite(r: Record<string, any>, matches: Record<string, any>[], where: Where): Record<string, unknown> {
  if (r.uriRegexRewrite !== undefined) refuse(where, 'uriRegexRewrite', r.uriRegexRewrite, 'URLRewrite has no regex rewrite', 'Rewrite a path prefix instead.');
  let path: Record<string, unknown> | undefined;
  if (r.uri !== undefined) {
    const types = new Set(matches.map((m) => (m.path as Record<string, string> | undefined)?.type ?? 'PathPrefix'));
    // Istio replaces the matched prefix (or the whole path of an exact match).
    // ReplacePrefixMatch needs exactly one PathPrefix match (HTTPRoute CEL; no matches defaults to one, PathPrefix "/").
    if (matches.length <= 1 && !types.has('Exact') && !types.has('RegularExpression')) path = { type: 'ReplacePrefixMatch', replacePrefixMatch: r.uri };
    else if (types.size === 1 && types.has('Exact')) path = { type: 'ReplaceFullPath', replaceFullPath: r.uri };
    else refuse(where, 'uri', r.uri, 'a rewrite of a route with regex, mixed or several prefix path matches has no URLRewrite form (ReplacePrefixMatch takes exactly one PathPrefix match)', 'Split the route so each rewritten route has one prefix match, or only exact paths.');
  }
  return { ...(r.authority !== undefined ? { hostname: r.authority } : {}), ...(path ? { path } : {}) };
}

function toCors(c: Record<string, any>, where: Where): Record<string, unknown> {
  const origins = (c.allowOrigins ?? []).map((o: Record<string, string>) => {
    if (o.exact === undefined) refuse(where, 'allowOrigins', o, 'Gateway API CORS origins are exact origins (or a "*" wildcard host)', 'List each origin exactly.');
    return o.exact;
  });
  const seconds = c.maxAge === undefined ? undefined : /^(\d+)s$/.exec(c.maxAge)?.[1];
  if (c.maxAge !== undefined && seconds === undefined) refuse(where, 'maxAge', c.maxAge, 'Gateway API CORS maxAge is whole seconds', 'Give maxAge in whole seconds.');
  return {
    ...(origins.length > 0 ? { allowOrigins: origins } : {}),
    ...(c.allowMethods ? { allowMethods: [...c.allowMethods] } : {}),
    ...(c.allowHeaders ? { allowHeaders: [...c.allowHeaders] } : {}),
    ...(c.exposeHeaders ? { exposeHeaders: [...c.exposeHeaders] } : {}),
    ...(seconds !== undefined ? { maxAge: Number(seconds) } : {}),
    ...(c.allowCredentials !== undefined ? { allowCredentials: c.allowCredentials } : {}),
  };
}

/**
 * Gateway API precedence of one match (higher wins): exact path, then the longest prefix, then a method, then the
 * most headers, then the most query parameters (Gateway API HTTPRouteRule ordering). Ties keep the rule order.
 * Regex paths (implementation-specific in the spec) rank below prefixes and, as in Istio's sortHTTPRoutes, by the
 * length of the regex among themselves.
 */
function precedence(m: Record<string, any>): number[] {
  const p = m.path ?? { type: 'PathPrefix', value: '/' };
  return [p.type === 'Exact' ? 2 : p.type === 'PathPrefix' ? 1 : 0, String(p.value).length, m.method ? 1 : 0, (m.headers ?? []).length, (m.queryParams ?? []).length];
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/**
 * The first pair of rules (Istio order) whose order the Gateway API would reverse: Istio takes the first route that
 * matches, the Gateway API the most specific match, so a match of a later rule that is more specific than a match of
 * an earlier one takes the requests both match. Matches whose paths cannot overlap (different exact paths, prefixes
 * neither of which contains the other) are not compared.
 */
export function reorderedRules(rules: Record<string, any>[]): [number, number] | undefined {
  const matches = rules.map((r): Record<string, any>[] => r.matches ?? [{}]);
  for (let j = 1; j < rules.length; j++) {
    for (let i = 0; i < j; i++) {
      if (matches[j].some((mj) => matches[i].some((mi) => compare(precedence(mj), precedence(mi)) > 0 && pathsOverlap(mi, mj)))) return [i, j];
    }
  }
  return undefined;
}

function pathsOverlap(a: Record<string, any>, b: Record<string, any>): boolean {
  const p = a.path ?? { type: 'PathPrefix', value: '/' };
  const q = b.path ?? { type: 'PathPrefix', value: '/' };
  if (p.type === 'RegularExpression' || q.type === 'RegularExpression') return true;
  // PathPrefix matches element by element, a trailing "/" ignored: "/api/" takes "/api" too.
  const within = (x: string, prefix: string) => {
    const p = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
    return p === '' || x === p || x.startsWith(`${p}/`);
  };
  if (p.type === 'Exact' && q.type === 'Exact') return p.value === q.value;
  if (p.type === 'Exact') return within(p.value, q.value);
  if (q.type === 'Exact') return within(q.value, p.value);
  return within(p.value, q.value) || within(q.value, p.value);
}
