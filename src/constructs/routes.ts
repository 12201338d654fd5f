/**
 * The routes of a host's VirtualService, checked and rendered: HTTP routes (match, destinations, retries, mirrors,
 * fault, headers, rewrite, redirect, direct response, CORS) and TCP/TLS routes. Each field is checked on its own, so
 * the error of a route lists every problem it has; the value classes a route takes are re-pathed to the construct.
 */
import { IConstruct } from 'constructs';
import { checkHost, checkKeys, checkList, checkOptions, checkPort, isBuilt, propError, Where } from '../core/enforce';
import { collect, isInvalid, raiseInvalid } from '../core/problems';
import { show } from '../core/text';
import { renderHttpFault } from '../policies/fault';
import { HttpMatch } from '../policies/match';
import { RetryPolicy } from '../policies/retry';
import { renderCorsPolicy, renderDirectResponse, renderHeaders, renderRedirect, renderRewrite } from '../policies/route';
import { checkGateways, renderResilience } from './common';
import { Destination } from './destination';
import { resolveSubsetLabels, Subset } from './refs';
import { HttpRouteProps, TcpRouteProps, TlsRouteProps } from './route-props';

/** A rendered route (Istio `HTTPRoute`, `TCPRoute` or `TLSRoute`, wire field names). */
export type RenderedRoute = Record<string, any>;

/** The construct whose routes are checked: its path (errors name it), the routed host, its default port. */
export interface RouteTarget {
  readonly path: string;
  readonly host: string;
  readonly port?: number;
  /** The construct, for the labels of a route's `sourceLabels`. */
  readonly scope: IConstruct;
}

/**
 * Checks an HTTP route of `target` and renders it: every field on its own, so one error lists all its problems, each
 * at `target.path` with `prop` and the field in front (a value class re-pathed there, its factory named). `names`
 * are the names of the routes before it (a name is used once).
 */
export function renderHttpRoute(route: HttpRouteProps, prop: string, target: RouteTarget, names: readonly unknown[]): RenderedRoute {
  const path = target.path;
  const where = (field: string): Where => ({ path, prop: `${prop}.${field}` });
  checkOptions(route, { path, prop }, 'Pass a route such as { match: [HttpMatch.pathPrefix("/api")], route: [Destination.subset("v1")] }.');
  checkKeys(route as Record<string, unknown>, HTTP_ROUTE_FIELDS, { path, prop });
  const problems = collect({ path, prop });
  problems.check(() => {
    if (route.name && names.includes(route.name)) {
      propError(where('name'), { value: route.name, expected: 'a route name not used yet', message: `${prop} is named ${show(route.name)} like an earlier route of the VirtualService`, fix: 'Give every route its own name (Argo Rollouts and Flagger find routes by name).' });
    }
    if (route.name !== undefined && typeof route.name !== 'string') propError(where('name'), { value: route.name, expected: 'a string', fix: 'Name the route with a string.' });
  });
  const matches = route.match === undefined ? undefined : problems.check(() => checkList(route.match!, `${prop}.match`, path));
  const match = matches && problems.each(matches, (m, i) => {
    raiseInvalid(m, where(`match[${i}]`));
    if (!isBuilt(m, HttpMatch)) propError(where(`match[${i}]`), { value: m, expected: 'an HttpMatch', fix: "Build matches with HttpMatch, e.g. HttpMatch.header('end-user').exact('jason')." });
    return m._render();
  });
  const actions = (['route', 'redirect', 'directResponse'] as const).filter((k) => route[k] !== undefined);
  if (actions.length > 1) {
    problems.check(() => propError({ path, prop }, {
      value: actions.join(' + '), expected: 'one of route, redirect or directResponse', message: `${prop} sets ${actions.join(' and ')}, and a route has exactly one action`,
      fix: 'Keep one of route, redirect or directResponse on the route.',
    }));
  }
  const destinations = route.route === undefined && actions.length === 0 ? [Destination.host(target.host)] : route.route;
  const resilience = problems.check(() => renderResilience({ timeout: route.timeout, retries: route.retries }, path, { timeout: `${prop}.timeout`, retries: `${prop}.retries` }));
  // Whatever the timeout says; an invalid RetryPolicy (its fields throw) is reported by renderResilience.
  const forWrites = writesRetried(route.retries);
  if (forWrites && !route.name) {
    problems.check(() => propError(where('name'), { value: route.name, expected: 'a route name', message: `${prop} uses RetryPolicy.nonIdempotent but has no name, which the non-idempotent record refers to`, fix: 'Name the route, e.g. name: "orders-writes".' }));
  }
  const mirrorOk = route.mirror === undefined || problems.passes(() => {
    raiseInvalid(route.mirror, where('mirror'));
    if (!isBuilt(route.mirror, Destination)) propError(where('mirror'), { value: route.mirror, expected: 'a Destination', fix: 'Use Destination.subset("v2") or Destination.host("…").' });
    noExtras(route.mirror, where('mirror'), 'a mirror');
  });
  problems.check(() => {
    if (route.mirrorPercentage !== undefined && typeof route.mirrorPercentage !== 'number') propError(where('mirrorPercentage'), { value: route.mirrorPercentage, expected: 'a number 0-100', fix: 'Set mirrorPercentage to a number between 0 and 100.' });
    if (route.mirrorPercentage !== undefined && route.mirror === undefined) {
      propError(where('mirrorPercentage'), { value: route.mirrorPercentage, expected: 'mirror set', message: `${prop} sets mirrorPercentage without mirror, so nothing is mirrored`, fix: 'Set mirror (or mirrors with their own percentage), or remove mirrorPercentage.' });
    }
  });
  if (route.mirrors !== undefined && route.mirror !== undefined) {
    problems.check(() => propError(where('mirrors'), { value: 'mirror + mirrors', expected: 'mirror or mirrors', message: `${prop} sets both mirror and mirrors`, fix: 'List every mirror in mirrors, or use mirror alone.' }));
  }
  const mirrorList = route.mirrors === undefined ? undefined : problems.check(() => checkList(route.mirrors!, `${prop}.mirrors`, path));
  const mirrors = mirrorList && problems.each(mirrorList, (m, i) => {
    const at = where(`mirrors[${i}]`);
    const destination = { ...at, prop: `${at.prop}.destination` };
    checkOptions(m, at, 'Pass { destination: Destination.subset("v2"), percentage: 10 }.');
    checkKeys(m as unknown as Record<string, unknown>, ['destination', 'percentage'], at);
    raiseInvalid(m.destination, destination);
    if (!isBuilt(m.destination, Destination)) propError(destination, { value: m.destination, expected: 'a Destination', fix: 'Use Destination.subset("v2") or Destination.host("…").' });
    noExtras(m.destination, destination, 'a mirror');
    if (m.percentage !== undefined && typeof m.percentage !== 'number') propError({ ...at, prop: `${at.prop}.percentage` }, { value: m.percentage, expected: 'a number 0-100', fix: 'Set percentage between 0 and 100.' });
    return { destination: m.destination._render(target.host, target.port, destination).destination, ...(m.percentage !== undefined ? { percentage: { value: m.percentage } } : {}) };
  });
  const part = <T>(value: unknown, render: () => T): T | undefined => (value === undefined ? undefined : problems.check(render));
  const rendered: RenderedRoute = {
    ...(route.name ? { name: route.name } : {}),
    ...(match ? { match } : {}),
    ...(destinations ? { route: problems.check(() => renderDestinations(destinations, where('route'), target)) } : {}),
    ...(route.redirect !== undefined ? { redirect: part(route.redirect, () => renderRedirect(route.redirect!, where('redirect'))) } : {}),
    ...(route.directResponse !== undefined ? { directResponse: part(route.directResponse, () => renderDirectResponse(route.directResponse!, where('directResponse'))) } : {}),
    ...(route.rewrite !== undefined ? { rewrite: part(route.rewrite, () => renderRewrite(route.rewrite!, where('rewrite'))) } : {}),
    ...resilience,
    ...(route.fault !== undefined ? { fault: part(route.fault, () => renderHttpFault(route.fault!, where('fault'))) } : {}),
    ...(route.mirror !== undefined && mirrorOk ? { mirror: part(route.mirror, () => route.mirror!._render(target.host, target.port, where('mirror')).destination) } : {}),
    ...(route.mirrorPercentage !== undefined ? { mirrorPercentage: { value: route.mirrorPercentage } } : {}),
    ...(mirrors ? { mirrors } : {}),
    ...(route.headers !== undefined ? { headers: part(route.headers, () => renderHeaders(route.headers!, where('headers'))) } : {}),
    ...(route.corsPolicy !== undefined ? { corsPolicy: part(route.corsPolicy, () => renderCorsPolicy(route.corsPolicy!, where('corsPolicy'))) } : {}),
  };
  problems.raise();
  return rendered;
}

/** Checks a TCP or TLS route (every field on its own: one error lists all its problems) and renders it. */
export function renderL4Route(route: TlsRouteProps | TcpRouteProps, prop: string, kind: 'tcp' | 'tls', target: RouteTarget): RenderedRoute {
  const path = target.path;
  const where = (field: string): Where => ({ path, prop: `${prop}.${field}` });
  checkOptions(route, { path, prop }, kind === 'tls' ? "Pass { sniHosts: ['api.example.com'], route: [Destination.host('…')] }." : "Pass { port: 9000, route: [Destination.subset('v1')] }.");
  checkKeys(route as unknown as Record<string, unknown>, [...L4_FIELDS, ...(kind === 'tls' ? ['sniHosts'] : [])], { path, prop });
  const problems = collect({ path, prop });
  const m: Record<string, unknown> = {};
  if (kind === 'tls') {
    problems.check(() => {
      const sniHosts = (route as TlsRouteProps).sniHosts;
      checkList(sniHosts, `${prop}.sniHosts`, path);
      m.sniHosts = sniHosts.map((h, i) => vsHost(h, where(`sniHosts[${i}]`)));
    });
  }
  if (route.port !== undefined) problems.check(() => (m.port = checkPort(route.port!, where('port'))));
  if (route.sourceLabels !== undefined) problems.check(() => (m.sourceLabels = resolveSubsetLabels(Subset.fromLabels(route.sourceLabels!), target.scope, `${prop}.sourceLabels`)));
  if (route.sourceNamespace !== undefined) {
    problems.check(() => {
      if (typeof route.sourceNamespace !== 'string' || route.sourceNamespace === '') propError(where('sourceNamespace'), { value: route.sourceNamespace, expected: 'a namespace name', fix: 'Name the namespace, e.g. "bookinfo".' });
      m.sourceNamespace = route.sourceNamespace;
    });
  }
  if (route.gateways !== undefined) problems.check(() => (m.gateways = checkGateways(route.gateways, path, `${prop}.gateways`)));
  if (route.destinationSubnets !== undefined) {
    problems.check(() => {
      const subnets = checkList(route.destinationSubnets!, `${prop}.destinationSubnets`, path);
      if (subnets.length === 0 || subnets.some((x) => typeof x !== 'string')) propError(where('destinationSubnets'), { value: subnets, expected: 'IP addresses or CIDR blocks', fix: 'List addresses such as "10.0.0.0/16", or leave destinationSubnets out.' });
      m.destinationSubnets = [...subnets];
    });
  }
  // Each destination on its own (an invalid one is reported as renderDestinations reports it, and kept once).
  for (const [i, d] of (Array.isArray(route.route) ? route.route : []).entries()) {
    problems.check(() => {
      raiseInvalid(d, where(`route[${i}]`));
      if (isBuilt(d, Destination)) noExtras(d, where(`route[${i}]`), `a ${kind.toUpperCase()} route destination`, ['headers']);
    });
  }
  const destinations = problems.check(() => {
    if (!Array.isArray(route.route) || route.route.length === 0) {
      propError(where('route'), { value: route.route, expected: 'at least one Destination', fix: "Pass route: [Destination.subset('v1')]." });
    }
    return renderDestinations(route.route, where('route'), target);
  });
  problems.raise();
  return { ...(Object.keys(m).length > 0 ? { match: [m] } : {}), route: destinations! };
}

/** The rendered destinations, each checked on its own (an invalid Destination re-pathed to its entry). */
export function renderDestinations(list: Destination[], where: Where, target: RouteTarget): Record<string, unknown>[] {
  checkList(list, where.prop, where.path);
  const problems = collect(where);
  const out = problems.each(list, (d, i) => {
    const at = { path: where.path, prop: `${where.prop}[${i}]` };
    raiseInvalid(d, at);
    if (!isBuilt(d, Destination)) propError(at, { value: d, expected: 'a Destination', fix: 'Use Destination.subset("v1"), Destination.host("…") or Destination.service(service).' });
    return d._render(target.host, target.port, at) as unknown as Record<string, unknown>;
  });
  problems.raise();
  return out!;
}

/** A VirtualService host or SNI host: `*` (any; VS-03 decides where it may be used), or X-03's grammar with wildcards. */
export function vsHost(host: string, where: Where): string {
  return host === '*' ? host : checkHost(host, where, { allowWildcard: true });
}

const HTTP_ROUTE_FIELDS = ['name', 'match', 'route', 'redirect', 'directResponse', 'rewrite', 'timeout', 'retries', 'fault', 'mirror', 'mirrorPercentage', 'mirrors', 'headers', 'corsPolicy'];
const L4_FIELDS = ['port', 'sourceLabels', 'sourceNamespace', 'gateways', 'destinationSubnets', 'route'];

/** PROP when a destination used where Istio has no weight or headers (a mirror, a TCP/TLS route) sets them. */
function noExtras(d: Destination, where: Where, what: string, fields: Array<'weight' | 'headers'> = ['weight', 'headers']): void {
  raiseInvalid(d, where);
  if (!isBuilt(d, Destination)) return;
  const extras = d._extras(...fields);
  if (extras.length > 0) {
    propError(where, { value: extras.join(', '), expected: `a destination without ${fields.join(' or ')}`, message: `${where.prop} sets ${extras.join(' and ')}, which ${what} cannot carry`, fix: `Remove ${extras.join(' and ')} from the destination.` });
  }
}

/**
 * Whether `retries` is a RetryPolicy made for writes. Whatever it is, renderResilience reports what is wrong with it
 * (an invalid policy, a Proxy or getter that throws): this read only decides whether a route name is needed.
 */
function writesRetried(retries: unknown): boolean {
  try {
    return !isInvalid(retries) && isBuilt(retries, RetryPolicy) && retries.forWrites === true;
  } catch {
    return false;
  }
}
