import { TrafficSource } from './source';
/**
 * The public shapes of the route simulator: the request, and what Istio does with it (its source: ./source.ts).
 * Plain structs in, plain values out (jsii-shaped: no unions, no function-typed props); raw Istio fields that the
 * simulator passes through unchanged (a fault, a rewrite, a connection pool) are their manifest JSON.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/
 */

/** One HTTP request to simulate. Header and query names are as sent; header names are compared case-insensitively. */
export interface SimulationRequest {
  /**
   * Where the request comes from.
   * @default - the mesh, from namespace "default", without labels
   */
  readonly source?: TrafficSource;
  /**
   * The `:authority` (Host) of the request, optionally with a port: `reviews`, `reviews.prod:9080`,
   * `bookinfo.example.com`. From the mesh, a short name resolves in the source namespace, as Kubernetes DNS does.
   */
  readonly authority: string;
  /**
   * The port the request is sent to (the service port, or the gateway server port).
   * @default - the port in `authority`; else the only port of the Service (mesh) or the only server port of the
   *   Gateway, when the input has them; else 80
   */
  readonly port?: number;
  /**
   * The request method.
   * @default "GET"
   */
  readonly method?: string;
  /**
   * The request path, optionally with a query string (`/api/v2/reviews?limit=5`).
   * @default "/"
   */
  readonly path?: string;
  /**
   * The request scheme (`:scheme`).
   * @default "http"
   */
  readonly scheme?: string;
  /**
   * Request headers (name → value). `@request.auth.claims.<claim>` keys stand for JWT claims that Istio matches.
   * @default - none
   */
  readonly headers?: { [name: string]: string };
  /**
   * Query parameters (name → value), added to those in `path`.
   * @default - none
   */
  readonly queryParams?: { [name: string]: string };
}

/** What happens to a simulated request. */
export enum SimulationOutcome {
  /** A VirtualService route forwards it to weighted destinations. */
  ROUTED = 'ROUTED',
  /** No VirtualService applies: the proxy sends it to the host itself, with Istio's defaults. */
  DEFAULT_ROUTE = 'DEFAULT_ROUTE',
  /** Nothing matches: Envoy answers 404 with response flag NR. */
  NO_ROUTE = 'NO_ROUTE',
  /** The matching route answers with a redirect. */
  REDIRECT = 'REDIRECT',
  /** The matching route answers with a fixed response. */
  DIRECT_RESPONSE = 'DIRECT_RESPONSE',
}

/** Where the effective retry policy comes from. */
export enum RetrySource {
  /** The route's `retries`. */
  ROUTE = 'ROUTE',
  /** The route sets no `retries`: Istio's implicit default (2 retries). */
  ISTIO_DEFAULT = 'ISTIO_DEFAULT',
  /** The route injects a fault: Istio documents that retries and timeouts are not enabled then. */
  FAULT_INJECTION = 'FAULT_INJECTION',
}

/** The route a request matched, or the one that came closest. */
export interface RouteRef {
  /** The VirtualService, as `namespace/name`. */
  readonly virtualService: string;
  /** Index of the route in `spec.http`. */
  readonly index: number;
  /**
   * The route's `name`.
   * @default - unnamed
   */
  readonly name?: string;
  /**
   * Index of the match block in the route's `match` (the one that matched, or came closest).
   * @default - the route has no match blocks (it matches everything)
   */
  readonly matchIndex?: number;
  /**
   * The `name` of that match block.
   * @default - unnamed
   */
  readonly matchName?: string;
  /**
   * A route reached through `delegate` of this route: the delegate VirtualService's route.
   * @default - no delegation
   */
  readonly delegatedTo?: RouteRef;
}

/** A route the request did not match, with the conditions that failed (of its closest match block). */
export interface RouteMiss {
  readonly route: RouteRef;
  /** The failed conditions, e.g. `uri prefix "/api/v2" does not match "/api/v1/x"`. */
  readonly failed: string[];
}

/** The DestinationRule traffic policy applied to one destination: top level, subset and port level merged. */
export interface AppliedTrafficPolicy {
  /** The DestinationRule, as `namespace/name`. */
  readonly destinationRule: string;
  /** `connectionPool` in effect. @default - Istio's defaults (no limits) */
  readonly connectionPool?: any;
  /** `loadBalancer` in effect. @default - Istio's default (LEAST_REQUEST) */
  readonly loadBalancer?: any;
  /** `outlierDetection` in effect. @default - none */
  readonly outlierDetection?: any;
  /** `tls` in effect. @default - Istio's auto mTLS */
  readonly tls?: any;
  /** `tunnel` in effect. @default - none */
  readonly tunnel?: any;
  /** `proxyProtocol` in effect. @default - none */
  readonly proxyProtocol?: any;
  /** Field → where its value comes from: `trafficPolicy`, `subset "v2"`, `trafficPolicy.portLevelSettings (port 9080)`. */
  readonly sources: { [field: string]: string };
}

/** One destination of the chosen route (or of default routing), with the share of requests it gets. */
export interface SimulatedDestination {
  /** The destination host, resolved to an FQDN as Istio resolves it (short names in the VirtualService's namespace). */
  readonly host: string;
  /** The subset. @default - the whole host */
  readonly subset?: string;
  /** The destination port: `destination.port`, else the Service's only port, else the request port. */
  readonly port: number;
  /** Share of requests, in percent (0–100). */
  readonly percent: number;
  /** The DestinationRule policy that applies. @default - no DestinationRule applies */
  readonly policy?: AppliedTrafficPolicy;
  /**
   * The workloads (`Kind namespace/name`) whose pods this destination reaches, when the input has workloads.
   * @default - unknown (no workloads in the input)
   */
  readonly workloads?: string[];
}

/** One mirror of the chosen route: a copy of the request, sent fire-and-forget. */
export interface SimulatedMirror {
  /** The mirror host, resolved to an FQDN (short names in the VirtualService's namespace). */
  readonly host: string;
  /** The subset. @default - the whole host */
  readonly subset?: string;
  /** The port: `port`, else the Service's only port, else the request port. */
  readonly port: number;
  /** Share of requests mirrored, in percent (0–100). */
  readonly percent: number;
}

/** The retry policy Envoy applies on the chosen route. */
export interface SimulatedRetry {
  /** Retries after the first attempt (0: none). */
  readonly attempts: number;
  /** Envoy `retry_on` conditions (status codes moved to `retriableStatusCodes`). @default - none (no retries) */
  readonly retryOn?: string;
  /** HTTP status codes retried (`retriable-status-codes`). */
  readonly retriableStatusCodes: number[];
  /** Timeout of each attempt, e.g. `"2s"`. @default - the route timeout bounds all attempts */
  readonly perTryTimeout?: string;
  /** Base interval between retries, e.g. `"25ms"`. @default - Envoy's 25 ms */
  readonly backoff?: string;
  readonly source: RetrySource;
}

/** A way the request can still fail after routing: UH, UO, NC or retry overflow. */
export interface SimulationRisk {
  /** The Envoy response flag it turns into: `UH` (no healthy upstream), `UO` (overflow), `NC` (no cluster), `URX`. */
  readonly code: string;
  /** The destination it concerns, as `host` or `host/subset`. */
  readonly destination: string;
  readonly message: string;
  /** The limit, as a field of the applied policy (`connectionPool.tcp.maxConnections`). @default - not a limit */
  readonly limit?: string;
  /** Its value. @default - not a limit */
  readonly value?: number;
}

/** What Istio does with a simulated request. */
export interface SimulationResult {
  readonly outcome: SimulationOutcome;
  /** The Envoy response flag of a failing outcome (`NR`). @default - none */
  readonly responseFlag?: string;
  /** The host the request is for (an FQDN from the mesh; as sent at a gateway). */
  readonly host: string;
  /** The port the request is sent to. */
  readonly port: number;
  /** The VirtualService that routes the host, as `namespace/name`. @default - none applies */
  readonly virtualService?: string;
  /** The matched route. @default - none matched */
  readonly route?: RouteRef;
  /** Weighted destinations (empty for NO_ROUTE, REDIRECT, DIRECT_RESPONSE). */
  readonly destinations: SimulatedDestination[];
  /** Route timeout, e.g. `"3s"`. @default - no timeout (Istio disables Envoy's 15 s default) */
  readonly timeout?: string;
  /** Route timeout in milliseconds. @default - no timeout */
  readonly timeoutMillis?: number;
  /** The retry policy. @default - none (not forwarded) */
  readonly retry?: SimulatedRetry;
  /** The route's `fault`. @default - none */
  readonly fault?: any;
  /** Mirrors of the route. */
  readonly mirrors: SimulatedMirror[];
  /** The route's `rewrite`. @default - none */
  readonly rewrite?: any;
  /** The route's `redirect` (outcome REDIRECT). @default - none */
  readonly redirect?: any;
  /** The route's `directResponse` (outcome DIRECT_RESPONSE). @default - none */
  readonly directResponse?: any;
  /** The route's `headers` operations. @default - none */
  readonly headers?: any;
  /** Why there is no route (outcome NO_ROUTE). @default - routed */
  readonly noRouteReason?: string;
  /** For NO_ROUTE: the route that came closest, with what failed. @default - no route to compare */
  readonly closest?: RouteMiss;
  /** Routes passed over before the matched one (or all, for NO_ROUTE), in order, with what failed. */
  readonly skipped: RouteMiss[];
  /** UH, UO, NC and retry-overflow risks of the destinations. */
  readonly risks: SimulationRisk[];
  /** Explanations: defaults applied, shadowed VirtualServices, what the simulator could not check. */
  readonly notes: string[];
}
