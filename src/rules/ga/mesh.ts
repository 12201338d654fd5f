import { Severity } from '../../core/errors';
import { fqdn, isWildcardHost } from '../../core/hosts';
import { arr, hasText, pushTo } from '../../core/json';
import { listSome } from '../../core/text';
import { AppFinding, Finding, IstioObject, Rule, RuleContext } from '../../engine/types';
import { nsName } from '../../engine/view';
import { routeHostnames, RouteParent, routeParents, routeRules } from '../../engine/view-route';
import { isMeshBound } from '../../engine/view-vs';

/** The Service parents of an HTTPRoute (mesh routing, GAMMA). */
function serviceParents(o: IstioObject): RouteParent[] {
  return routeParents(o).filter((p) => p.kind === 'Service' && p.host !== undefined);
}

/**
 * Whether an HTTPRoute has a catch-all rule. A route without `spec.rules` gets the API server's default, one
 * rule matching every path (GA-01 reports that it has no backend).
 */
function hasCatchAll(o: IstioObject): boolean {
  return !Array.isArray(o.spec.rules) || routeRules(o).some((r) => r.catchAll);
}

export const GA04: Rule = {
  code: 'GA-04', title: 'Mesh routes for a Service end with a catch-all rule', severity: Severity.ERROR, levels: 'E', scope: 'app',
  kinds: ['HTTPRoute'],
  why: 'An HTTPRoute with a Service parent replaces the Service\'s default routing at sidecars and waypoints: a request that matches none of its '
    + 'rules gets 404 (no route) instead of reaching the Service, so every path the rules do not name is cut off. An error, as it predictably loses '
    + 'that traffic. A rule without matches, or matching path prefix "/" only, is a catch-all; the HTTPRoutes of one Service are merged, so a '
    + 'catch-all in another route for the same Service (on all ports, or the same parentRef port) covers this one. Gateway-parented routes are exempt: '
    + 'an ingress route often serves only some paths (/api/).',
  fix: 'Add a rule without matches (or with path prefix "/") that sends the remaining requests to the Service (or its stable version).',
  upstream: 'Gateway API GEP-1426 (GAMMA: routes to a Service parent); Istio mesh HTTPRoute translation (404 for unmatched requests)',
  checkApp(ctx: RuleContext): AppFinding[] {
    // Per Service host: the parentRef ports (undefined: every port) of the routes that have a catch-all rule.
    const covered = new Map<string, Array<number | undefined>>();
    const routes = ctx.ofKind('HTTPRoute');
    for (const o of routes) {
      if (!hasCatchAll(o)) continue;
      for (const p of serviceParents(o)) pushTo(covered, p.host!, p.port);
    }
    const out: AppFinding[] = [];
    for (const o of routes) {
      if (hasCatchAll(o)) continue;
      const open = serviceParents(o).filter((p) => !(covered.get(p.host!) ?? []).some((port) => port === undefined || port === p.port));
      if (open.length === 0) continue;
      const hosts = [...new Set(open.map((p) => `${p.host}${p.port !== undefined ? `:${p.port}` : ''}`))];
      const count = arr(o.spec.rules).length;
      out.push({
        object: o, value: hosts.join(', '), allowed: 'a rule without matches, or with path prefix "/"',
        message: `spec.rules has no catch-all rule (none of its ${count} rule(s) is without matches or matches path prefix "/"), and no other HTTPRoute for `
          + `${listSome(hosts)} has one: requests to the Service that match no rule get 404 at the sidecar or waypoint instead of reaching it`,
        fix: this.fix,
      });
    }
    return out;
  },
};

export const GA05: Rule = {
  code: 'GA-05', title: 'No Service is routed by both an HTTPRoute and a mesh VirtualService', severity: Severity.ERROR, levels: 'E', scope: 'app',
  kinds: ['HTTPRoute'],
  why: 'An HTTPRoute with a Service parent and a VirtualService bound to the mesh (no gateways, or "mesh" listed) for the same host both produce '
    + 'the host\'s routes at sidecars and waypoints; Istio does not define which one applies, so retries, timeouts, splits and matches of one of '
    + 'them are silently ignored, and which one can change with an unrelated update. An error, as one of the two is inert. VirtualService hosts resolve '
    + 'in their namespace; wildcard VirtualService hosts are not compared.',
  fix: 'Route each host with one API: remove the VirtualService (or bind it to gateways only), or remove the Service parentRef from the HTTPRoute.',
  upstream: 'Istio Gateway API docs (mixing VirtualService and HTTPRoute for one host is unsupported); issue 14',
  checkApp(ctx: RuleContext): AppFinding[] {
    const routes = ctx.ofKind('HTTPRoute');
    if (routes.length === 0) return [];
    const byHost = new Map<string, IstioObject[]>();
    for (const vs of ctx.ofKind('VirtualService')) {
      if (!isMeshBound(vs.spec)) continue;
      const hosts = new Set(arr(vs.spec.hosts).filter(hasText).map((h) => fqdn(h, vs.namespace)).filter((h) => !isWildcardHost(h)));
      for (const h of hosts) pushTo(byHost, h, vs);
    }
    const out: AppFinding[] = [];
    for (const o of routes) {
      const seen = new Set<string>();
      for (const p of serviceParents(o)) {
        if (seen.has(p.host!)) continue;
        seen.add(p.host!);
        const services = byHost.get(p.host!);
        if (!services) continue;
        const names = services.map((vs) => `VirtualService "${nsName(vs)}"`);
        out.push({
          object: o, value: services.map(nsName).join(', '), allowed: 'one routing API per host',
          message: `${p.path} Service "${p.namespace}/${p.name}" (${p.host}) is also routed for the mesh by ${listSome(names)}: both produce the host's routes at `
            + 'sidecars and waypoints, and which one Istio applies is undefined',
          fix: `Route ${p.host} with one API: remove ${listSome(names)} (or bind it to gateways only, without "mesh"), or remove this Service parentRef.`,
        });
      }
    }
    return out;
  },
};

export const GA06: Rule = {
  code: 'GA-06', title: 'An HTTPRoute whose parents are all Services sets no hostnames', severity: Severity.WARNING, levels: 'W', scope: 'self',
  kinds: ['HTTPRoute'],
  why: 'For Service parents (mesh routing, GAMMA) the route applies to the Service\'s own host and hostnames are ignored: hostnames there suggest a '
    + 'route meant for a Gateway, or a filter that never narrows anything. A warning: the route is legal and works, just not as the hostnames say.',
  fix: 'Remove spec.hostnames, or add the Gateway parent the hostnames are meant for.',
  upstream: 'Gateway API GEP-1426 (GAMMA: hostnames are not used for Service parents)',
  checkObject(o: IstioObject): Finding[] {
    const parents = routeParents(o);
    const hostnames = routeHostnames(o);
    if (parents.length === 0 || hostnames.length === 0 || !parents.every((p) => p.kind === 'Service')) return [];
    const hosts = [...new Set(parents.map((p) => p.host!))];
    return [{
      value: hostnames, allowed: 'no hostnames for Service parents',
      message: `spec.hostnames (${listSome(hostnames)}) is ignored: every parent of the route is a Service, and Istio applies it to ${listSome(hosts)} whatever the hostnames say`,
      fix: this.fix,
    }];
  },
};
