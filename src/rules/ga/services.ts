import { HostIndex } from '../../core/hosts';
import { arr, hasText, pushTo } from '../../core/json';
import { listSome } from '../../core/text';
import { IstioObject, RuleContext, ServiceInfo } from '../../engine/types';
import { namespaceOf, nsName } from '../../engine/view';
import { serviceHost } from '../../engine/view-route';

/**
 * How the GA rules resolve the Services an HTTPRoute names (backendRefs, Service parentRefs) and the Gateways it
 * attaches to: the Services of the input by namespace/name (a Service without a namespace matches its name in any
 * namespace, as its namespace is chosen at apply time), the declared inventory hosts, and the Gateway API Gateways
 * of the input.
 */

/** What a reference to the Service `namespace/name` resolves to. */
export type ServiceLookup =
  /** Services of the input; `ports` are their distinct valid port numbers (empty: not known). */
  | { readonly status: 'found'; readonly ports: readonly number[]; readonly what: string }
  /** Declared in the inventory's hosts: it exists, its ports are not known. */
  | { readonly status: 'declared' }
  /** Not in the input, and the input says enough to tell: an error. */
  | { readonly status: 'missing'; readonly known: string }
  /** Not in the input, which is incomplete and holds no Service of that namespace: not checked. */
  | { readonly status: 'notChecked' };

/** Index of the Services, inventory hosts and Gateway API Gateways of a rule run. */
export class RouteTargets {
  private readonly byName = new Map<string, ServiceInfo[]>();
  private readonly unnamespaced = new Map<string, ServiceInfo[]>();
  private readonly namespaces = new Map<string, string[]>();
  private readonly inventory = new HostIndex<true>();
  private readonly gateways = new Map<string, IstioObject>();

  constructor(private readonly ctx: RuleContext) {
    for (const s of ctx.services) {
      if (!hasText(s.name)) continue;
      if (s.namespace) pushTo(this.byName, `${s.namespace}/${s.name}`, s);
      else pushTo(this.unnamespaced, s.name, s);
      pushTo(this.namespaces, namespaceOf(s), s.name);
    }
    for (const h of arr(ctx.inventory?.hosts)) if (hasText(h)) this.inventory.add(h, true);
    for (const gw of ctx.ofKind('KubernetesGateway')) if (!this.gateways.has(nsName(gw))) this.gateways.set(nsName(gw), gw);
  }

  /** The Service `name` in `namespace`, as the input and the inventory know it (see {@link ServiceLookup}). */
  service(name: string, namespace: string): ServiceLookup {
    const found = [...this.byName.get(`${namespace}/${name}`) ?? [], ...this.unnamespaced.get(name) ?? []];
    if (found.length > 0) {
      const ports = [...new Set(found.flatMap((s) => arr(s.ports).map((p) => p?.port)).filter((p): p is number => Number.isInteger(p) && p >= 1 && p <= 65535))];
      return { status: 'found', ports: ports.sort((a, b) => a - b), what: `Service "${namespace}/${name}"` };
    }
    if (this.inventory.lookup(serviceHost(name, namespace)).length > 0) return { status: 'declared' };
    const inNamespace = this.namespaces.get(namespace) ?? [];
    if (!this.ctx.complete && inNamespace.length === 0) return { status: 'notChecked' };
    return { status: 'missing', known: inNamespace.length ? `Services of namespace ${namespace}: ${listSome([...new Set(inNamespace)].sort())}` : `no Service of namespace ${namespace} in the input` };
  }

  /** The Gateway API Gateway `namespace/name` of the input. */
  gateway(name: string, namespace: string): IstioObject | undefined {
    return this.gateways.get(`${namespace}/${name}`);
  }
}

/** The run's {@link RouteTargets}, built once for the GA rules that ask. */
export function routeTargets(ctx: RuleContext): RouteTargets {
  return ctx.memo('ga:targets', () => new RouteTargets(ctx));
}

/** `HTTPRoute "commerce/shop-route"` for notes that name the route. */
export function routeName(o: IstioObject): string {
  return `HTTPRoute "${nsName(o)}"`;
}
