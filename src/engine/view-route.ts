import { arr, isRecord } from '../core/json';
import { GATEWAY_API_GROUP } from '../core/k8s';
import { IstioObject } from './types';
/**
 * Reading Gateway API HTTPRoutes the way the rules, the call graph and the report need: parents (a Gateway, or a
 * Service for mesh routing — GAMMA), rules and their backends, with the API server's defaults applied (a parentRef
 * is a Gateway of the route's namespace unless it says otherwise; a backendRef is a core Service of the route's
 * namespace).
 */

/** One `parentRefs` entry: a Gateway (ingress) or a Service (mesh routing at sidecars and waypoints). */
export interface RouteParent {
  readonly kind: 'Gateway' | 'Service' | 'other';
  readonly name: string;
  readonly namespace: string;
  readonly sectionName?: string;
  readonly port?: number;
  /** Field path, e.g. `spec.parentRefs[0]`. */
  readonly path: string;
  /** For a Service parent: its FQDN (`reviews.bookinfo.svc.cluster.local`), the host the route takes over. */
  readonly host?: string;
}

/** One backendRef of a rule. */
export interface RouteBackend {
  /** `Service`, or another kind (Istio's `Hostname`/`ServiceEntry`, …) the rules do not resolve. */
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly port?: number;
  /** The weight, 1 by default (0 sends nothing). */
  readonly weight: number;
  /** For a Service backend: its FQDN. */
  readonly host?: string;
  /** Field path, e.g. `spec.rules[1].backendRefs[0]`. */
  readonly path: string;
}

/** One rule of an HTTPRoute. */
export interface RouteRule {
  readonly rule: Record<string, any>;
  readonly index: number;
  /** `rule "name"` or `rules[i]`, for messages. */
  readonly label: string;
  /** Field path `spec.rules[i]`. */
  readonly path: string;
  readonly backends: readonly RouteBackend[];
  /** Whether the rule matches every request: no `matches`, or a match that is only the path prefix `/`. */
  readonly catchAll: boolean;
}

/** The FQDN of the core Service `name` in `namespace`. */
export function serviceHost(name: string, namespace: string): string {
  return `${name}.${namespace}.svc.cluster.local`;
}

/** The namespace of an object (`default` without one). */
function namespaceOf(o: IstioObject): string {
  return o.namespace ?? 'default';
}

/** The parents of an HTTPRoute, with the API's defaults (group gateway.networking.k8s.io, kind Gateway, the route's namespace). */
export function routeParents(o: IstioObject): RouteParent[] {
  const out: RouteParent[] = [];
  arr(o.spec.parentRefs).forEach((p, i) => {
    if (!isRecord(p) || typeof p.name !== 'string') return;
    const group = typeof p.group === 'string' ? p.group : GATEWAY_API_GROUP;
    const kindName = typeof p.kind === 'string' ? p.kind : 'Gateway';
    const kind = group === GATEWAY_API_GROUP && kindName === 'Gateway' ? 'Gateway' : group === '' && kindName === 'Service' ? 'Service' : 'other';
    const namespace = typeof p.namespace === 'string' ? p.namespace : namespaceOf(o);
    out.push({
      kind, name: p.name, namespace, path: `spec.parentRefs[${i}]`,
      ...(typeof p.sectionName === 'string' ? { sectionName: p.sectionName } : {}),
      ...(typeof p.port === 'number' ? { port: p.port } : {}),
      ...(kind === 'Service' ? { host: serviceHost(p.name, namespace) } : {}),
    });
  });
  return out;
}

/** The hosts an HTTPRoute routes for the mesh: the FQDNs of its Service parents. */
export function meshHostsOf(o: IstioObject): string[] {
  return [...new Set(routeParents(o).filter((p) => p.host !== undefined).map((p) => p.host!))];
}

/** Whether an HTTP route match matches every request (only the path prefix `/`, or empty). */
function matchesEverything(match: unknown): boolean {
  if (!isRecord(match)) return false;
  const keys = Object.keys(match);
  if (keys.some((k) => k !== 'path')) return false;
  const path = match.path;
  if (path === undefined) return true;
  return isRecord(path) && (path.type === undefined || path.type === 'PathPrefix') && (path.value === undefined || path.value === '/');
}

/** The rules of an HTTPRoute with their backends (defaults applied). */
export function routeRules(o: IstioObject): RouteRule[] {
  const out: RouteRule[] = [];
  arr(o.spec.rules).forEach((rule, index) => {
    if (!isRecord(rule)) return;
    const path = `spec.rules[${index}]`;
    const backends: RouteBackend[] = [];
    arr(rule.backendRefs).forEach((b, j) => {
      if (!isRecord(b) || typeof b.name !== 'string') return;
      const group = typeof b.group === 'string' ? b.group : '';
      const kind = typeof b.kind === 'string' ? b.kind : 'Service';
      const namespace = typeof b.namespace === 'string' ? b.namespace : namespaceOf(o);
      const service = group === '' && kind === 'Service';
      backends.push({
        kind: service ? 'Service' : kind, name: b.name, namespace,
        weight: typeof b.weight === 'number' ? b.weight : 1,
        path: `${path}.backendRefs[${j}]`,
        ...(typeof b.port === 'number' ? { port: b.port } : {}),
        ...(service ? { host: serviceHost(b.name, namespace) } : {}),
      });
    });
    const matches = arr(rule.matches);
    out.push({
      rule, index, path, backends,
      label: typeof rule.name === 'string' && rule.name ? `rule "${rule.name}"` : `rules[${index}]`,
      catchAll: matches.length === 0 || matches.some(matchesEverything),
    });
  });
  return out;
}

/** The `spec.hostnames` of an HTTPRoute that are strings, lower-cased, without a trailing dot (none: every host). */
export function routeHostnames(o: IstioObject): string[] {
  return [...new Set(arr(o.spec.hostnames).filter((h): h is string => typeof h === 'string' && h !== '').map((h) => h.toLowerCase().replace(/\.$/, '')))];
}

/** `spec.rules[1] (rule "api")`: a rule's field path, with its name when it has one (for messages). */
export function ruleRef(r: RouteRule, tail = ''): string {
  return `${r.path}${tail}${typeof r.rule.name === 'string' && r.rule.name ? ` (rule "${r.rule.name}")` : ''}`;
}
