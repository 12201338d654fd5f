import { Severity } from '../../core/errors';
import { fqdn, isWildcardHost } from '../../core/hosts';
import { arr, isRecord } from '../../core/json';
import { AppFinding, IstioObject, Rule, RuleContext } from '../../engine/types';
import { label, namespaceOf } from '../../engine/view';
import { isMeshBound, routeLabel } from '../../engine/view-vs';

/**
 * VS-37: names of the HTTP routes an Argo Rollout manages in this VirtualService (its
 * `trafficRouting.istio.virtualService.routes`), comma-separated. An empty value means the Rollout names no
 * routes. VirtualServices without the annotation are not checked.
 */
export const ARGO_ROLLOUTS_ROUTES_ANNOTATION = 'traffic.cdk8s-istio-traffic.io/argo-rollouts-routes';
/** VS-37: names of the Rollout's `trafficRouting.managedRoutes` (header and mirror step routes), comma-separated. */
export const ARGO_ROLLOUTS_MANAGED_ROUTES_ANNOTATION = 'traffic.cdk8s-istio-traffic.io/argo-rollouts-managed-routes';
/**
 * VS-38: declares Flagger Canaries by their apex name (the Canary's `service.name`, else its `targetRef.name`),
 * comma-separated, as `name` (the annotated object's namespace) or `namespace/name`. May sit on any Istio object
 * of the App.
 */
export const FLAGGER_CANARY_ANNOTATION = 'traffic.cdk8s-istio-traffic.io/flagger-canary';

function annotation(o: IstioObject, key: string): string | undefined {
  const annotations = isRecord(o.manifest?.metadata?.annotations) ? o.manifest.metadata.annotations : {};
  return typeof annotations[key] === 'string' ? annotations[key] : undefined;
}

const list = (text: string | undefined) => (text ?? '').split(',').map((s) => s.trim()).filter(Boolean);

/** The namespace of a cluster-local Service host (`name.ns.svc.<domain>`), or `undefined`. */
function serviceNamespace(host: string): string | undefined {
  const labels = host.split('.');
  return labels.length >= 4 && labels[2] === 'svc' && !isWildcardHost(labels[0]) ? labels[1] : undefined;
}

export const VS36: Rule = {
  code: 'VS-36', title: '(Ambient) An L7 mesh VirtualService sits in the namespace of the service it configures', severity: Severity.WARNING, levels: 'W', scope: 'app',
  kinds: ['VirtualService'], optIn: true,
  why: 'In ambient mode HTTP and TLS routes are applied by the waypoint of the service, which only reads VirtualServices from the service\'s own namespace; elsewhere the routes have no effect. Opt-in for ambient meshes. Waypoint enrollment (istio.io/use-waypoint on the namespace or Service) is not checked: Namespace and Service labels are not visible to the rules.',
  fix: 'Move the VirtualService into the namespace of the Service (or ServiceEntry) it routes, and enroll that namespace or Service in a waypoint.',
  upstream: 'KIA1114 (KIA1109, KIA1113 need namespace labels: not checked)',
  checkApp(ctx: RuleContext): AppFinding[] {
    const entries = new Map<string, string>();
    for (const se of ctx.ofKind('ServiceEntry')) {
      for (const h of arr(se.spec.hosts)) if (typeof h === 'string' && !entries.has(h.toLowerCase())) entries.set(h.toLowerCase(), namespaceOf(se));
    }
    const out: AppFinding[] = [];
    for (const vs of ctx.ofKind('VirtualService')) {
      if (!isMeshBound(vs.spec) || (arr(vs.spec.http).length === 0 && arr(vs.spec.tls).length === 0)) continue;
      const ns = namespaceOf(vs);
      arr(vs.spec.hosts).forEach((h, i) => {
        if (typeof h !== 'string' || isWildcardHost(h)) return;
        const host = fqdn(h, vs.namespace);
        const owner = serviceNamespace(host) ?? entries.get(host);
        if (owner === undefined || owner === ns) return;
        out.push({
          object: vs, value: h, allowed: owner,
          message: `spec.hosts[${i}] ${JSON.stringify(h)} belongs to namespace "${owner}" but the L7 VirtualService is in "${ns}"; an ambient waypoint ignores it`,
          fix: this.fix,
        });
      });
    }
    return out;
  },
};

/** Distinct destinations (host and subset) of a route. */
function distinctDestinations(route: any, namespace: string | undefined): string[] {
  const keys = arr(isRecord(route) ? route.route : undefined)
    .map((r) => (isRecord(r) && isRecord(r.destination) ? r.destination : undefined))
    .filter((d): d is Record<string, any> => d !== undefined && typeof d.host === 'string' && d.host !== '')
    .map((d) => `${fqdn(d.host, namespace)}${typeof d.subset === 'string' && d.subset ? `/${d.subset}` : ''}`);
  return [...new Set(keys)];
}

export const VS37: Rule = {
  code: 'VS-37', title: '(Argo Rollouts) Managed routes exist and carry both the stable and the canary destination', severity: Severity.ERROR, levels: 'E', scope: 'app',
  kinds: ['VirtualService'], optIn: true,
  why: `Argo Rollouts refuses to reconcile when a route it manages is missing, lacks the stable or the canary destination, or (when the Rollout names no routes) the VirtualService does not have exactly one route. Rollout objects are not visible to the rules, so the VirtualService declares the managed route names with the annotation ${ARGO_ROLLOUTS_ROUTES_ANNOTATION} (empty: the Rollout names none) and the managedRoutes with ${ARGO_ROLLOUTS_MANAGED_ROUTES_ANNOTATION}; "stable and canary" is read as two distinct destinations (hosts or subsets).`,
  fix: 'Give each managed HTTP route a name listed in the Rollout and two destinations (stable and canary, by Service host or DestinationRule subset, weights 100/0); without route names keep exactly one route.',
  upstream: 'Argo Rollouts (rollout/trafficrouting/istio validation)',
  checkApp(ctx: RuleContext): AppFinding[] {
    const out: AppFinding[] = [];
    for (const vs of ctx.ofKind('VirtualService')) {
      const declared = annotation(vs, ARGO_ROLLOUTS_ROUTES_ANNOTATION);
      if (declared === undefined) continue;
      for (const p of managedRouteProblems(vs, list(declared), new Set(list(annotation(vs, ARGO_ROLLOUTS_MANAGED_ROUTES_ANNOTATION))), `annotation ${ARGO_ROLLOUTS_ROUTES_ANNOTATION}`)) {
        out.push({ object: vs, ...p, fix: this.fix });
      }
    }
    return out;
  },
};

/** One problem of the routes an Argo Rollout manages in a VirtualService. */
export interface ManagedRouteProblem {
  readonly message: string;
  readonly value: unknown;
  readonly allowed: string;
}

/**
 * What Argo Rollouts refuses in VirtualService `vs` when it manages the HTTP routes `names` (none named: the only
 * route, besides the `managed` header/mirror routes): a named route that is missing, a route without both a stable
 * and a canary destination, or more than one route when none is named. `source` says where the names come from.
 */
export function managedRouteProblems(vs: IstioObject, names: readonly string[], managed: ReadonlySet<string>, source: string): ManagedRouteProblem[] {
  const out: ManagedRouteProblem[] = [];
  const checkRoute = (route: any, name: string) => {
    const dests = distinctDestinations(route, vs.namespace);
    if (dests.length >= 2) return;
    out.push({
      value: dests.join(', ') || 'no destination', allowed: 'stable and canary destinations',
      message: `${name} has ${dests.length === 0 ? 'no destination' : `only the destination ${dests[0]}`}; Argo Rollouts needs both the stable and the canary destination in it`,
    });
  };
  const http = arr(vs.spec.http);
  if (names.length > 0) {
    const existing = http.map((r) => (isRecord(r) && typeof r.name === 'string' ? r.name : undefined));
    for (const name of names) {
      const i = existing.indexOf(name);
      if (i < 0) {
        out.push({ value: name, allowed: existing.filter(Boolean).join(', ') || 'no named routes', message: `${source} names HTTP route "${name}", which spec.http does not contain` });
      } else {
        checkRoute(http[i], routeLabel(http[i], i));
      }
    }
    return out;
  }
  const section = http.length > 0 ? 'http' : arr(vs.spec.tls).length > 0 ? 'tls' : 'tcp';
  const routes = arr(vs.spec[section]).map((r, i) => ({ r, i }))
    .filter(({ r }) => !(isRecord(r) && typeof r.name === 'string' && managed.has(r.name)));
  if (routes.length !== 1) {
    out.push({
      value: routes.length, allowed: '1',
      message: `spec.${section} has ${routes.length} routes${managed.size ? ' besides the managed routes' : ''}; without route names (${source} names none) Argo Rollouts needs exactly one`,
    });
  } else {
    checkRoute(routes[0].r, routeLabel(routes[0].r, routes[0].i, section));
  }
  return out;
}

export const VS38: Rule = {
  code: 'VS-38', title: '(Flagger) Do not synthesize the VirtualService a Flagger Canary owns', severity: Severity.ERROR, levels: 'E', scope: 'app',
  kinds: ['VirtualService'], optIn: true,
  why: `Flagger generates the VirtualService named after the Canary's apex service (routing to <apex>-primary and <apex>-canary) and overwrites it on every reconcile, so a synthesized one fights Flagger. Canary objects are not visible to the rules: a Canary is declared with the annotation ${FLAGGER_CANARY_ANNOTATION} on any Istio object of the App, and a VirtualService named <apex> that routes to both <apex>-primary and <apex>-canary is taken for Flagger's output.`,
  fix: 'Remove the VirtualService and configure routing through the Canary (spec.service: hosts, gateways, match, retries, headers), or reference it from a delegating VirtualService under another name.',
  upstream: 'Flagger Istio router (pkg/router/istio.go)',
  checkApp(ctx: RuleContext): AppFinding[] {
    const declared = new Map<string, IstioObject>();
    for (const o of ctx.objects) {
      for (const entry of list(annotation(o, FLAGGER_CANARY_ANNOTATION))) {
        const key = entry.includes('/') ? entry : `${namespaceOf(o)}/${entry}`;
        if (!declared.has(key)) declared.set(key, o);
      }
    }
    const out: AppFinding[] = [];
    for (const vs of ctx.ofKind('VirtualService')) {
      if (!vs.name) continue;
      const key = `${namespaceOf(vs)}/${vs.name}`;
      const by = declared.get(key);
      const hosts = new Set(distinctDestinations({ route: arr(vs.spec.http).flatMap((r) => arr(isRecord(r) ? r.route : undefined)) }, vs.namespace)
        .map((d) => d.split('/')[0]));
      const generated = ['primary', 'canary'].every((s) => hosts.has(fqdn(`${vs.name}-${s}`, vs.namespace)));
      if (!by && !generated) continue;
      out.push({
        object: vs, value: key,
        message: by
          ? `${label(vs)} in namespace "${namespaceOf(vs)}" has the apex name of the Flagger Canary declared by ${label(by)} (${FLAGGER_CANARY_ANNOTATION}); Flagger owns and overwrites it`
          : `${label(vs)} routes to ${vs.name}-primary and ${vs.name}-canary, the VirtualService Flagger generates for Canary "${vs.name}"; Flagger owns and overwrites it`,
        fix: this.fix,
      });
    }
    return out;
  },
};
