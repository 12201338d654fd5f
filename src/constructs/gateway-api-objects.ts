import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { HttpRoute } from '../../imports/gateway-gateway.networking.k8s.io';
import { DestinationRule } from '../../imports/istio-networking.istio.io';
import { propError, Where } from '../core/enforce';
import { kubernetesService } from '../core/hosts';
import { MESH_GATEWAY } from '../core/gateway-ref';
import { Rules } from '../synth/rules';
import { metadataFor } from './common';
import { reorderedRules, RouteTranslation, toHttpRouteRule } from './gateway-api';
import { ServicePortShape, shortName } from './refs';

/** What the Gateway API form of a host needs: where its objects go and what its Service looks like. */
export interface GatewayApiHost {
  readonly host: string;
  /** `metadata.name` of the HTTPRoute. */
  readonly routeName: string;
  readonly namespace?: string;
  /** The namespace the objects land in (the Chart's when `namespace` is not set), `default` without one. */
  readonly effectiveNamespace: string;
  readonly port?: number;
  /** The Service's selector, when the construct was given the Service. */
  readonly selector?: Record<string, string>;
  /** The Service's ports, when the construct was given the Service. */
  readonly ports: readonly ServicePortShape[];
  readonly trafficPolicy?: Record<string, unknown>;
}

/**
 * The Gateway API form of one host's traffic (HostTraffic under `RoutingApi.GATEWAY_API`): an `HTTPRoute` whose
 * rules are the host's HTTP routes translated (parentRefs: the Service for the mesh — GAMMA — and Gateway API
 * Gateways), one Kubernetes `Service` per subset (`<service>-<subset>`, selecting the Service's pods and the subset's
 * labels, with the Service's ports) and a `DestinationRule` per version host carrying the traffic policy (Istio
 * applies DestinationRules to Gateway API traffic; HTTPRoute has no subsets).
 */
export class GatewayApiObjects {
  /** The emitted HTTPRoute, once the host has a route. */
  public route?: HttpRoute;
  /** The version Services, by subset. */
  public readonly versionServices = new Map<string, ApiObject>();
  private readonly rules: Record<string, any>[] = [];
  private readonly serviceName: string;
  private readonly serviceNamespace: string;
  private readonly translation: RouteTranslation;

  constructor(private readonly scope: Construct, private readonly h: GatewayApiHost, private readonly parents: () => string[], private readonly hostnames: () => string[]) {
    // HostTraffic admits only a Kubernetes Service host under the Gateway API.
    const service = kubernetesService(h.host) ?? { name: shortName(h.host) };
    this.serviceName = service.name;
    this.serviceNamespace = service.namespace ?? h.effectiveNamespace;
    this.translation = {
      host: h.host, namespace: h.effectiveNamespace, port: h.port ?? (h.ports.length === 1 ? h.ports[0].port : undefined),
      versionService: (subset) => this.versionServiceName(subset),
    };
  }

  /** `<service>-<subset>`: the name of a subset's version Service. */
  public versionServiceName(subset: string): string {
    return `${this.serviceName}-${subset}`;
  }

  /** Emits the version Service (and, with a traffic policy, the DestinationRule) of a subset. */
  public addSubset(name: string, labels: Record<string, string>, trafficPolicy: Record<string, unknown> | undefined, where: Where): void {
    const port = this.translation.port;
    const ports = this.h.ports.length > 0 ? this.h.ports.map((p) => ({ ...p })) : port !== undefined ? [{ port, targetPort: port }] : undefined;
    if (ports === undefined) {
      propError({ ...where, prop: `${where.prop}.pods` }, { value: undefined, expected: 'the Service port', message: `subset "${name}" becomes the version Service ${this.versionServiceName(name)}, whose port is unknown`, fix: 'Pass service (its ports are copied) or set port.' });
    }
    const selector = { ...(this.h.selector ?? {}), ...labels };
    const svc = new ApiObject(this.scope, `Service-${name}`, {
      apiVersion: 'v1', kind: 'Service',
      metadata: metadataFor(this.scope, this.versionServiceName(name), this.h.namespace),
      spec: { selector, ports },
    });
    this.versionServices.set(name, svc);
    const policy = trafficPolicy ?? this.h.trafficPolicy ? { ...(this.h.trafficPolicy ?? {}), ...(trafficPolicy ?? {}) } : undefined;
    if (policy) {
      const dr = new DestinationRule(this.scope, `DestinationRule-${name}`, {
        metadata: metadataFor(this.scope, this.versionServiceName(name), this.h.namespace),
        spec: { host: `${this.versionServiceName(name)}.${this.h.effectiveNamespace}.svc.cluster.local`, trafficPolicy: policy as any },
      });
      Rules.of(this.scope).recordIntent(dr, { owner: this.scope.node.path });
    }
    if (this.route) this.route.node.addDependency(svc);
  }

  /** Translates and adds one rendered HTTP route (Istio form) at `index`; refuses what HTTPRoute cannot say. */
  public addRule(rendered: Record<string, any>, index: number, where: Where): void {
    const rule = toHttpRouteRule(rendered, this.translation, where);
    const next = [...this.rules];
    next.splice(index, 0, rule);
    const reordered = reorderedRules(next);
    if (reordered) {
      const [i, j] = reordered;
      const label = (k: number) => (next[k].name ? `route "${next[k].name}"` : `route ${k}`);
      propError(where, {
        value: `${label(i)} before ${label(j)}`, expected: 'routes ordered from the most specific match',
        message: `${label(j)} matches more specifically (Gateway API precedence: exact path, longest prefix, method, headers, query parameters) than ${label(i)} before it, so under the Gateway API it would take requests that Istio gives to ${label(i)}`,
        fix: `Add ${label(j)} before ${label(i)}, or keep routingApi: RoutingApi.ISTIO for this host.`,
      });
    }
    this.rules.splice(index, 0, rule);
    this.ensureRoute();
  }

  private ensureRoute(): void {
    if (this.route) return;
    this.route = new HttpRoute(this.scope, 'HTTPRoute', {
      metadata: metadataFor(this.scope, this.h.routeName, this.h.namespace),
      spec: {
        parentRefs: Lazy.any({ produce: () => this.parentRefs() }),
        hostnames: Lazy.any({ produce: () => (this.hostnames().length > 0 ? this.hostnames() : undefined) }),
        rules: Lazy.any({ produce: () => this.rules.map((r) => ({ ...r })) }),
      },
    });
    for (const svc of this.versionServices.values()) this.route.node.addDependency(svc);
    Rules.of(this.scope).recordIntent(this.route, { owner: this.scope.node.path });
  }

  private parentRefs(): Record<string, unknown>[] {
    return this.parents().map((p) => {
      if (p === MESH_GATEWAY) {
        return {
          group: '', kind: 'Service', name: this.serviceName,
          ...(this.serviceNamespace !== this.h.effectiveNamespace ? { namespace: this.serviceNamespace } : {}),
          ...(this.h.port !== undefined ? { port: this.h.port } : {}),
        };
      }
      const slash = p.indexOf('/');
      return slash < 0 ? { name: p } : { name: p.slice(slash + 1), namespace: p.slice(0, slash) };
    });
  }
}
