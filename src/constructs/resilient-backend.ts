import { Construct, IConstruct } from 'constructs';
import { DestinationRule, VirtualService } from '../../imports/istio-networking.istio.io';
import { checkOptions, checkPort } from '../core/enforce';
import { FaultInjection, renderFault } from '../policies/fault';
import { renderTrafficPolicy, TrafficPolicyProps } from '../policies/traffic-policy';

import { Rules } from '../synth/rules';
import { CallerProps, callHosts, CallTarget, metadataFor, renderResilience, routeName as checkRouteName, RouteProps } from './common';
import { resolveServiceHost, shortName } from './refs';

/**
 * Props of {@link ResilientBackend}.
 */
export interface ResilientBackendProps extends RouteProps, TrafficPolicyProps, CallerProps {
  /**
   * The service host as a hostname (prefer the FQDN, e.g. `details.bookinfo.svc.cluster.local`). Set either
   * `host` or `service`.
   * @default - derived from `service`
   * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#Destination
   */
  readonly host?: string;
  /**
   * The Kubernetes Service of the host: a cdk8s-plus `Service` (any version) or an `ApiObject` of kind Service;
   * the host is its `name.namespace.svc.cluster.local` (namespace from the Service, else its Chart). Set either
   * `host` or `service`.
   * @default - the host is `host`
   */
  readonly service?: IConstruct;
  /**
   * Fault injection for test traffic only (a route matching a test header, placed first; VS-23).
   * @default - no fault injection
   * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPFaultInjection
   */
  readonly faultInjection?: FaultInjection;
  /**
   * Name of the normal (catch-all) route.
   * @default 'default'
   */
  readonly routeName?: string;
  /**
   * Destination port, needed when the Service exposes several ports.
   * @default - the Service's only port
   */
  readonly port?: number;
}

/**
 * One service host made robust: timeouts, retries and a circuit breaker, with optional chaos testing.
 *
 * Emits, in apply order:
 * - a `DestinationRule` with the traffic policy (connection pool and outlier detection, load balancer,
 *   locality failover), only when one of them is set;
 * - a `VirtualService` for the host: an optional `fault-injection` route for requests matching the test
 *   header (no timeout or retries there, Istio ignores them on faulted routes), then the catch-all `default`
 *   route with `timeout` and `retries`.
 *
 * Use `RetryPolicy.nonIdempotent` when the host receives writes: the route is then recorded as
 * non-idempotent and held to it (VS-18). Invalid props raise IstioValidationError at once (see the rule
 * reference for the codes).
 */
export class ResilientBackend extends Construct {
  /** The service host. */
  public readonly host: string;
  /** The emitted VirtualService (escape hatch). */
  public readonly virtualService: VirtualService;
  /** The emitted DestinationRule, when a traffic policy is set (escape hatch). */
  public readonly destinationRule?: DestinationRule;

  constructor(scope: Construct, id: string, props: ResilientBackendProps) {
    super(scope, id);
    const rules = Rules.of(this);
    const path = this.node.path;
    checkOptions(props, { path, prop: 'props' }, 'Pass props: new ResilientBackend(scope, id, { host, timeout, retries }).');
    this.host = resolveServiceHost(props, this);
    const port = props.port === undefined ? undefined : checkPort(props.port, { path, prop: 'port' });
    const resilience = renderResilience(props, path);
    const fault = props.faultInjection ? renderFault(props.faultInjection, path) : undefined;
    const trafficPolicy = renderTrafficPolicy(props, path);
    const name = props.name ?? shortName(this.host);
    const routeName = checkRouteName(props.routeName, 'default', 'routeName', path);
    const route = [{ destination: { host: this.host, ...(port ? { port: { number: port } } : {}) } }];

    if (trafficPolicy) {
      this.destinationRule = new DestinationRule(this, 'DestinationRule', {
        metadata: metadataFor(this, name, props.namespace),
        spec: { host: this.host, trafficPolicy },
      });
    }
    const http: any[] = [];
    if (fault && props.faultInjection) {
      http.push({ name: 'fault-injection', match: [props.faultInjection.match._render()], fault, route });
    }
    http.push({ name: routeName, route, ...resilience });
    this.virtualService = new VirtualService(this, 'VirtualService', {
      metadata: metadataFor(this, name, props.namespace),
      spec: { hosts: [this.host], http },
    });
    if (this.destinationRule) this.virtualService.node.addDependency(this.destinationRule);
    const nonIdempotent = props.retries?.forWrites ? [routeName] : [];
    for (const obj of [this.destinationRule, this.virtualService]) {
      if (obj) rules.recordIntent(obj, { owner: path, nonIdempotentRoutes: nonIdempotent });
    }
    rules.recordIntent(this.virtualService, { calls: callHosts(props.calls ?? [], path), entryPoint: props.entryPoint === true });
  }

  /**
   * Declares that this service calls `targets` (`CallTarget.host(…)`, `CallTarget.of(construct)`), for the call-chain
   * rules (CC-01 retry amplification, CC-02 retry layers, CC-03 nested timeouts, CC-04 cycles) and the
   * traffic report. Invalid targets raise IstioValidationError at once.
   */
  public calls(...targets: CallTarget[]): this {
    Rules.of(this).recordIntent(this.virtualService, { calls: callHosts(targets, this.node.path) });
    return this;
  }
}
