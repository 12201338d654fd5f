import { Construct, IConstruct } from 'constructs';
import { checkHost, propError, readOptions } from '../core/enforce';
import { FaultInjection, renderFault } from '../policies/fault';
import { TrafficPolicyProps } from '../policies/traffic-policy';
import { CallerProps, renderResilience, routeName as checkRouteName, RouteProps, pathUnder, withdrawn, asValidationError } from './common';
import { Destination } from './destination';
import { RoutingApiProps } from './gateway-api';
import { HostTraffic, HostTrafficProps } from './host-traffic';
import { SubsetProps } from './route-props';

/**
 * Props of {@link ResilientBackend}.
 */
export interface ResilientBackendProps extends RouteProps, TrafficPolicyProps, CallerProps, RoutingApiProps {
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
  /**
   * Subsets of the host (DestinationRule `subsets`), e.g. to inject faults into one version.
   * @default - none
   */
  readonly subsets?: SubsetProps[];
  /**
   * The subset the routes send to (declared in `subsets`, or by another DestinationRule of the host: VS-16).
   * @default - every endpoint of the host
   */
  readonly subset?: string;
  /**
   * Gateways the VirtualService binds to: `'mesh'` and/or `namespace/name` (without `'mesh'`, `hosts` gives the
   * hosts served there).
   * @default - the mesh only
   */
  readonly gateways?: string[];
  /**
   * Further hosts the VirtualService answers for (required when bound only to gateways).
   * @default - only the service host
   */
  readonly hosts?: string[];
  /**
   * Namespaces that see the VirtualService and the DestinationRule.
   * @default - every namespace (Istio's default)
   */
  readonly exportTo?: string[];
}

/**
 * One service host made robust: timeouts, retries and a circuit breaker, with optional chaos testing.
 *
 * Emits, in apply order:
 * - a `DestinationRule` with the traffic policy (connection pool and outlier detection, load balancer,
 *   locality failover, client TLS) and `subsets`, when one of them is set;
 * - a `VirtualService` for the host, when a route setting is given (`timeout`, `retries`, `faultInjection`,
 *   `subset`, `gateways`, `hosts`, `routeName`, or `calls`/`entryPoint`, which it carries) or nothing else is: an optional `fault-injection` route for requests matching the test
 *   header (no timeout or retries there, Istio ignores them on faulted routes), then the catch-all `default`
 *   route with `timeout` and `retries`, to `subset` when set. With only a traffic policy it is DestinationRule-only,
 *   and leaves the host's routes to another construct.
 *
 * A {@link HostTraffic} preset: further routes with `addHttpRoute` (placed before the default route), subsets with
 * `addSubset`. Use `RetryPolicy.nonIdempotent` when the host receives writes: the route is then recorded as
 * non-idempotent and held to it (VS-18). Invalid props raise one IstioValidationError listing every problem, each
 * naming this construct's path (see the rule reference for the codes).
 */
export class ResilientBackend extends HostTraffic {
  /** @internal */
  public static readonly _collectsProblems: boolean = true;

  constructor(scope: Construct, id: string, props: ResilientBackendProps) {
    props = readOptions(props, { path: pathUnder(scope, id), prop: 'props' }, 'Pass props: new ResilientBackend(scope, id, { host, timeout, retries }).');
    super(scope, id, { ...props, timeout: undefined, retries: undefined } as HostTrafficProps);
    // HostTraffic's problems and these are raised together, at the end.
    const problems = this._problems;
    try {
      const path = this.node.path;
      // HostTraffic takes wildcard hosts (external egress routing); a service with versions or a circuit breaker is one host.
      if (this.host !== undefined) problems.check(() => checkHost(this.host, { path, prop: 'host' }));
      const resilience = problems.check(() => renderResilience(props, path));
      const fault = props.faultInjection ? problems.check(() => renderFault(props.faultInjection!, path)) : undefined;
      const routeName = problems.check(() => checkRouteName(props.routeName, 'default', 'routeName', path));
      problems.check(() => {
        if (props.subset !== undefined && typeof props.subset !== 'string') propError({ path, prop: 'subset' }, { value: props.subset, expected: 'a subset name', fix: "Name a subset declared in subsets, e.g. 'v1'." });
      });
      // The routes are built from the props checked above: with a problem there is nothing more to learn from them.
      if (problems.ok) this.addRoutes(props, resilience!, fault, routeName!);
      problems.raise();
    } catch (e) {
      throw withdrawn(this, asValidationError(e, this.node.path));
    }
  }

  private addRoutes(props: ResilientBackendProps, resilience: object, fault: unknown, routeName: string): void {
    // Calls are recorded on the VirtualService (the call graph reads them there), so declaring them keeps it.
    const routeSettings = Object.keys(resilience).length > 0 || fault !== undefined || props.subset !== undefined || props.gateways !== undefined
      || Boolean(props.routeName) || props.hosts !== undefined || (props.calls ?? []).length > 0 || props.entryPoint === true;
    if (!routeSettings && this.destinationRule !== undefined) return;
    const route = [props.subset !== undefined ? Destination.subset(props.subset) : Destination.host(this.host)];
    this.addHttpRoute({ name: routeName, route, timeout: props.timeout, retries: props.retries });
    if (fault && props.faultInjection) {
      this.addHttpRoute({ name: 'fault-injection', match: [props.faultInjection.match], fault: props.faultInjection, route });
    }
  }
}
