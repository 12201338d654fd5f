/**
 * The props of HostTraffic: one service host's subsets, routes, traffic policy and visibility. In a file of their own,
 * which cannot import HostTraffic (an import cycle), so the docs name it in backticks instead of linking it.
 */
import { IConstruct } from 'constructs';
import { TrafficPolicyProps } from '../policies/traffic-policy';
import { CallerProps } from './common';
import { RoutingApiProps } from './gateway-api';
import { HttpRouteProps, SubsetProps, TcpRouteProps, TlsRouteProps } from './route-props';

/**
 * Props of `HostTraffic`.
 */
export interface HostTrafficProps extends TrafficPolicyProps, CallerProps, RoutingApiProps {
  /**
   * The service host (prefer the FQDN, e.g. `reviews.bookinfo.svc.cluster.local`; a short name resolves in the
   * objects' namespace; a wildcard such as `*.wikipedia.org` for external hosts). Set either `host` or `service`.
   * @default - derived from `service`
   * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#DestinationRule
   */
  readonly host?: string;
  /**
   * The Kubernetes Service of the host (cdk8s-plus of any version, or an `ApiObject` of kind Service): the host is
   * `name.namespace.svc.cluster.local`. Set either `host` or `service`.
   * @default - the host is `host`
   */
  readonly service?: IConstruct;
  /**
   * `metadata.name` of the VirtualService and the DestinationRule.
   * @default - the host's first label, e.g. `reviews`
   */
  readonly name?: string;
  /**
   * `metadata.name` of the VirtualService, when it differs from `name`.
   * @default - `name`
   */
  readonly virtualServiceName?: string;
  /**
   * `metadata.name` of the DestinationRule, when it differs from `name`.
   * @default - `name`
   */
  readonly destinationRuleName?: string;
  /**
   * `metadata.namespace` of the emitted objects.
   * @default - the Chart's namespace
   */
  readonly namespace?: string;
  /**
   * Port of the host that routes to it (and its subsets) name, needed when the Service exposes several (VS-14).
   * @default - none (the host's only port)
   */
  readonly port?: number;
  /**
   * Subsets of the host, in order; more with `HostTraffic.addSubset`.
   * @default - none
   */
  readonly subsets?: SubsetProps[];
  /**
   * HTTP routes, in the order Istio evaluates them (first match wins); more with `HostTraffic.addHttpRoute`.
   * @default - none
   */
  readonly httpRoutes?: HttpRouteProps[];
  /**
   * TCP routes, in order; more with `HostTraffic.addTcpRoute`.
   * @default - none
   */
  readonly tcpRoutes?: TcpRouteProps[];
  /**
   * TLS routes, in order; more with `HostTraffic.addTlsRoute`.
   * @default - none
   */
  readonly tlsRoutes?: TlsRouteProps[];
  /**
   * Gateways the VirtualService binds to: `'mesh'` (sidecars) and/or gateways as `namespace/name` (VS-04).
   * Without `'mesh'` the routes apply at those gateways only, and the service host is not listed in `hosts`.
   * @default - the mesh only
   * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#VirtualService
   */
  readonly gateways?: string[];
  /**
   * Further hosts the VirtualService answers for, e.g. the public hostname at a gateway, or `'*'` on a
   * VirtualService bound only to gateways (VS-03). Required when `gateways` leaves out `'mesh'`.
   * @default - only the service host (mesh-bound)
   */
  readonly hosts?: string[];
  /**
   * Namespaces that see the VirtualService and the DestinationRule: `'.'`, `'*'` or namespace names.
   * @default - every namespace (Istio's default)
   */
  readonly exportTo?: string[];
  /**
   * Pods the DestinationRule applies to (DestinationRule `workloadSelector.matchLabels`), e.g. the egress gateway
   * that originates mutual TLS with a `credentialName` (Istio hands the Secret only to selected workloads). X-07.
   * @default - every workload that sees the DestinationRule
   * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#DestinationRule
   */
  readonly workloadSelector?: { [key: string]: string };
}
