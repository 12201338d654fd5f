/**
 * The structs of {@link HostTraffic}'s subsets and routes (Istio `Subset`, `HTTPRoute`, `TCPRoute`, `TLSRoute`):
 * plain data, rendered and checked by HostTraffic.
 */
import { Duration } from 'cdk8s';
import { HttpFault } from '../policies/fault';
import { HttpMatch } from '../policies/match';
import { RetryPolicy } from '../policies/retry';
import { CorsPolicy, HeaderOperations, HttpDirectResponse, HttpRedirect, HttpRewrite } from '../policies/route';
import { TrafficPolicyProps } from '../policies/traffic-policy';
import { Destination } from './destination';
import { Subset } from './refs';

/**
 * One subset of the host (Istio DestinationRule `Subset`).
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#Subset
 */
export interface SubsetProps {
  /** Subset name, a DNS label unique in the host (DR-02), e.g. `v2`. */
  readonly name: string;
  /** The subset's pods: `Subset.fromLabels({ version: 'v2' })` or `Subset.fromWorkload(deployment)` (DR-03). */
  readonly pods: Subset;
  /**
   * Traffic policy of this subset; Istio applies it instead of the host's for the subset's endpoints.
   * @default - the host's policy
   */
  readonly trafficPolicy?: TrafficPolicyProps;
}

/**
 * One mirror of a route (Istio `HTTPMirrorPolicy`): a copy of the requests goes to `destination`, its responses
 * are discarded.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPMirrorPolicy
 */
export interface HttpMirror {
  /** Where the copies go. */
  readonly destination: Destination;
  /**
   * Percentage (0-100) of requests mirrored (VS-24).
   * @default - Istio's 100
   */
  readonly percentage?: number;
}

/**
 * One HTTP route (Istio `HTTPRoute`): which requests (`match`), what happens to them (`route`, `redirect` or
 * `directResponse`), and the route's own policy.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRoute
 */
export interface HttpRouteProps {
  /**
   * Route name (Argo Rollouts and Flagger refer to routes by name; RetryPolicy.nonIdempotent needs one).
   * @default - unnamed
   */
  readonly name?: string;
  /**
   * Requests this route takes: any of the matches (OR); the conditions inside one `HttpMatch` all hold (AND).
   * @default - every request (the catch-all route, which must be last: VS-06)
   */
  readonly match?: HttpMatch[];
  /**
   * Destinations, weighted when more than one (weights sum to 100, VS-11).
   * @default - the host itself, unless `redirect` or `directResponse` is set
   */
  readonly route?: Destination[];
  /**
   * Answer with a redirect instead of forwarding (exclusive with `route` and `directResponse`, VS-05).
   * @default - none
   */
  readonly redirect?: HttpRedirect;
  /**
   * Answer with a fixed response instead of forwarding (exclusive with `route` and `redirect`, VS-05).
   * @default - none
   */
  readonly directResponse?: HttpDirectResponse;
  /**
   * Rewrite the path or authority before forwarding (VS-27).
   * @default - none
   */
  readonly rewrite?: HttpRewrite;
  /**
   * Overall deadline of a request, retries included; ≥ perTryTimeout × (attempts + 1) (VS-19).
   * @default - no timeout (Istio's default)
   */
  readonly timeout?: Duration;
  /**
   * Retry policy of this route.
   * @default - Istio's implicit policy (2 retries on connect-failure, refused-stream, unavailable, cancelled, 503)
   */
  readonly retries?: RetryPolicy;
  /**
   * Fault to inject; the route's matches must select test traffic (VS-23).
   * @default - none
   */
  readonly fault?: HttpFault;
  /**
   * Mirror (shadow) the route's requests to this destination; responses are discarded (VS-25, VS-26).
   * @default - no mirroring
   */
  readonly mirror?: Destination;
  /**
   * Percentage (0-100) of requests mirrored when `mirror` is set (VS-24).
   * @default - Istio's 100
   */
  readonly mirrorPercentage?: number;
  /**
   * Several mirrors, each with its own percentage (Istio `mirrors`; exclusive with `mirror`, VS-05).
   * @default - none
   */
  readonly mirrors?: HttpMirror[];
  /**
   * Header manipulation of the route's requests and responses (VS-28, X-11).
   * @default - none
   */
  readonly headers?: HeaderOperations;
  /**
   * CORS policy of the route (VS-28).
   * @default - none
   */
  readonly corsPolicy?: CorsPolicy;
}

/**
 * Layer-4 match attributes shared by TCP and TLS routes (Istio `L4MatchAttributes` / `TLSMatchAttributes`).
 */
export interface L4MatchProps {
  /**
   * Port of the connection, 1-65535.
   * @default - any port
   */
  readonly port?: number;
  /**
   * Only connections from workloads with these labels.
   * @default - any workload
   */
  readonly sourceLabels?: { [key: string]: string };
  /**
   * Only connections from this namespace.
   * @default - any namespace
   */
  readonly sourceNamespace?: string;
  /**
   * Only connections through these gateways (overrides the VirtualService's `gateways`).
   * @default - the VirtualService's gateways
   */
  readonly gateways?: string[];
  /**
   * Only connections to these IPv4/IPv6 addresses or CIDR blocks.
   * @default - any address
   */
  readonly destinationSubnets?: string[];
}

/**
 * One TCP route (Istio `TCPRoute`): connections matching the attributes go to the weighted destinations.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#TCPRoute
 */
export interface TcpRouteProps extends L4MatchProps {
  /** Destinations, weighted when more than one (weights sum to 100). */
  readonly route: Destination[];
}

/**
 * One TLS route (Istio `TLSRoute`): unterminated TLS routed by SNI (and port) to the weighted destinations.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#TLSRoute
 */
export interface TlsRouteProps extends L4MatchProps {
  /** SNI hosts the route takes; within the VirtualService's hosts (VS-29). */
  readonly sniHosts: string[];
  /** Destinations, weighted when more than one (weights sum to 100). */
  readonly route: Destination[];
}

