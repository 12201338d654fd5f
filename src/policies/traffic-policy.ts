import { Duration } from 'cdk8s';
import { DestinationRuleSpecTrafficPolicy } from '../../imports/istio-networking.istio.io';
import { checkInteger, checkPercent, renderDuration, Where } from '../core/enforce';
import { fail } from '../core/errors';
import { isRecord } from '../core/json';
import { show } from '../core/text';
import { LoadBalancer, LocalityFailover } from './load-balancer';

/**
 * TCP connection limits (Istio `ConnectionPoolSettings.TCPSettings`).
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#ConnectionPoolSettings-TCPSettings
 */
export interface TcpConnectionPool {
  /**
   * Maximum connections to all endpoints of the host (per client proxy), integer 1-2147483647 (int32).
   * Size at 1.5-2 × measured peak concurrency.
   * @default - Istio's 2^32-1 (unlimited)
   */
  readonly maxConnections?: number;
  /**
   * TCP connect timeout.
   * @default - Istio's 10s
   */
  readonly connectTimeout?: Duration;
}

/**
 * HTTP request limits (Istio `ConnectionPoolSettings.HTTPSettings`).
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#ConnectionPoolSettings-HTTPSettings
 */
export interface HttpConnectionPool {
  /**
   * Requests queued while waiting for a connection; overflow gets an immediate 503 (UO). Integer 1-2147483647 (int32).
   * @default - Istio's 2^32-1
   */
  readonly http1MaxPendingRequests?: number;
  /**
   * Maximum concurrent requests to the host. Integer 1-2147483647 (int32).
   * @default - Istio's 2^32-1
   */
  readonly http2MaxRequests?: number;
  /**
   * Requests per connection before it is closed; 0 means unlimited (keep-alive preserved). Integer 0-2147483647 (int32).
   * @default - unlimited
   */
  readonly maxRequestsPerConnection?: number;
  /**
   * Maximum outstanding retries to all endpoints at once. Integer 0-2147483647 (int32).
   * @default - Istio's 2^32-1
   */
  readonly maxRetries?: number;
  /**
   * Idle timeout of upstream connections.
   * @default - Istio's 1h
   */
  readonly idleTimeout?: Duration;
}

/**
 * Connection pool limits, the first half of a circuit breaker (DestinationRule `trafficPolicy.connectionPool`).
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#ConnectionPoolSettings
 */
export interface ConnectionPool {
  /**
   * TCP-level limits.
   * @default - no TCP limits
   */
  readonly tcp?: TcpConnectionPool;
  /**
   * HTTP-level limits.
   * @default - no HTTP limits
   */
  readonly http?: HttpConnectionPool;
}

/**
 * Outlier detection, the ejecting half of a circuit breaker (DestinationRule `trafficPolicy.outlierDetection`).
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#OutlierDetection
 */
export interface OutlierDetection {
  /**
   * Consecutive 5xx responses before an endpoint is ejected. Integer ≥ 1; keep it ≥ 3 so warm-up errors do
   * not over-eject.
   * @default 5
   */
  readonly consecutive5xxErrors?: number;
  /**
   * Consecutive 502/503/504 responses before ejection. Integer ≥ 1.
   * @default - not used
   */
  readonly consecutiveGatewayErrors?: number;
  /**
   * Time between ejection sweeps.
   * @default - Istio's 10s
   */
  readonly interval?: Duration;
  /**
   * Minimum ejection time; multiplied by the number of times the endpoint was ejected.
   * @default - Istio's 30s
   */
  readonly baseEjectionTime?: Duration;
  /**
   * Maximum percentage (0-100) of endpoints ejected at once. 100 with minHealthPercent 0 raises DR-08.
   * @default - Istio's 10
   */
  readonly maxEjectionPercent?: number;
  /**
   * Outlier detection stays on while at least this percentage (0-100) of endpoints is healthy; it also
   * enables Envoy's panic routing below that threshold.
   * @default - Istio's 0 (panic routing off)
   */
  readonly minHealthPercent?: number;
}

/**
 * Destination policies shared by the constructs that emit a DestinationRule.
 */
export interface TrafficPolicyProps {
  /**
   * Connection pool limits (circuit breaker).
   * @default - Istio's defaults (effectively unlimited)
   * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#ConnectionPoolSettings
   */
  readonly connectionPool?: ConnectionPool;
  /**
   * Outlier detection (circuit breaker); also required by locality failover.
   * @default - no outlier detection
   * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#OutlierDetection
   */
  readonly outlierDetection?: OutlierDetection;
  /**
   * Load-balancing algorithm.
   * @default - Istio's LEAST_REQUEST
   * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#LoadBalancerSettings
   */
  readonly loadBalancer?: LoadBalancer;
  /**
   * Locality failover; needs `outlierDetection` (rule DR-09).
   * @default - no locality failover
   * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#LocalityLoadBalancerSetting
   */
  readonly localityFailover?: LocalityFailover;
}

/**
 * Renders the DestinationRule `trafficPolicy` for `props`, or `undefined` when nothing is set.
 * Validates every value at once (DR-07, DR-12, X-01).
 */
export function renderTrafficPolicy(props: TrafficPolicyProps, path: string): DestinationRuleSpecTrafficPolicy | undefined {
  const connectionPool = props.connectionPool ? renderConnectionPool(record(props.connectionPool, 'DR-12', 'connectionPool', path), path) : undefined;
  const outlierDetection = props.outlierDetection ? renderOutlierDetection(record(props.outlierDetection, 'DR-07', 'outlierDetection', path), path) : undefined;
  if (props.loadBalancer && !(props.loadBalancer instanceof LoadBalancer)) {
    fail({ code: 'DR-13', path, value: show(props.loadBalancer), allowed: 'a LoadBalancer', message: `loadBalancer ${show(props.loadBalancer)} is not a LoadBalancer`, fix: 'Use LoadBalancer.simple(…) or a LoadBalancer.consistentHashBy…(…) factory.' });
  }
  if (props.localityFailover && !(props.localityFailover instanceof LocalityFailover)) {
    fail({ code: 'DR-10', path, value: show(props.localityFailover), allowed: 'a LocalityFailover', message: `localityFailover ${show(props.localityFailover)} is not a LocalityFailover`, fix: 'Use LocalityFailover.priority(…) or LocalityFailover.regions(…).' });
  }
  const lb = props.loadBalancer?._render();
  const locality = props.localityFailover?._render();
  const loadBalancer = lb || locality ? { ...(lb ?? {}), ...(locality ? { localityLbSetting: locality } : {}) } : undefined;
  if (!connectionPool && !outlierDetection && !loadBalancer) return undefined;
  return {
    ...(connectionPool ? { connectionPool } : {}),
    ...(loadBalancer ? { loadBalancer: loadBalancer as any } : {}),
    ...(outlierDetection ? { outlierDetection } : {}),
  };
}

/** Connection-pool limits are `int32` in the Istio API (the webhook rejects larger values); outlier counts are `uint32`. */
const INT32_MAX = 2147483647;
const UINT32_MAX = 4294967295;

function count(value: number | undefined, where: Where, min: number, max: number = INT32_MAX): number | undefined {
  return value === undefined ? undefined : checkInteger(value, { ...where, code: 'DR-12', min, max });
}

/** Throws `code` unless `value` (a props record passed through `as any`) is an object. */
function record<T>(value: T, code: string, prop: string, path: string): T {
  if (!isRecord(value)) fail({ code, path, value: show(value), allowed: 'an object', message: `${prop} ${show(value)} is not an object`, fix: `Set ${prop} to an object, or leave it out.` });
  return value;
}

function renderConnectionPool(pool: ConnectionPool, path: string) {
  const at = (prop: string): Where => ({ path, prop: `connectionPool.${prop}` });
  if (pool.tcp !== undefined) record(pool.tcp, 'DR-12', 'connectionPool.tcp', path);
  if (pool.http !== undefined) record(pool.http, 'DR-12', 'connectionPool.http', path);
  if (!pool.tcp && !pool.http) {
    fail({ code: 'DR-12', path, value: '{}', message: 'connectionPool sets neither tcp nor http limits', fix: 'Set connectionPool.tcp and/or connectionPool.http, or leave connectionPool out.' });
  }
  for (const [key, value] of [['tcp', pool.tcp], ['http', pool.http]] as const) {
    if (value !== undefined && Object.values(value).every((v) => v === undefined)) {
      fail({ code: 'DR-12', path, value: '{}', message: `connectionPool.${key} sets no limit`, fix: `Set at least one connectionPool.${key} field, or leave connectionPool.${key} out.` });
    }
  }
  const tcp = pool.tcp ? compact({
    maxConnections: count(pool.tcp.maxConnections, at('tcp.maxConnections'), 1),
    connectTimeout: pool.tcp.connectTimeout && renderDuration(pool.tcp.connectTimeout, at('tcp.connectTimeout')),
  }) : undefined;
  const http = pool.http ? compact({
    http1MaxPendingRequests: count(pool.http.http1MaxPendingRequests, at('http.http1MaxPendingRequests'), 1),
    http2MaxRequests: count(pool.http.http2MaxRequests, at('http.http2MaxRequests'), 1),
    maxRequestsPerConnection: count(pool.http.maxRequestsPerConnection, at('http.maxRequestsPerConnection'), 0),
    maxRetries: count(pool.http.maxRetries, at('http.maxRetries'), 0),
    idleTimeout: pool.http.idleTimeout && renderDuration(pool.http.idleTimeout, at('http.idleTimeout')),
  }) : undefined;
  return compact({ http, tcp });
}

function renderOutlierDetection(od: OutlierDetection, path: string) {
  const at = (prop: string): Where => ({ path, prop: `outlierDetection.${prop}` });
  return compact({
    consecutive5XxErrors: count(od.consecutive5xxErrors ?? 5, at('consecutive5xxErrors'), 1, UINT32_MAX),
    consecutiveGatewayErrors: count(od.consecutiveGatewayErrors, at('consecutiveGatewayErrors'), 1, UINT32_MAX),
    interval: od.interval && renderDuration(od.interval, at('interval')),
    baseEjectionTime: od.baseEjectionTime && renderDuration(od.baseEjectionTime, at('baseEjectionTime')),
    maxEjectionPercent: od.maxEjectionPercent === undefined ? undefined
      : checkInteger(checkPercent(od.maxEjectionPercent, 'DR-07', at('maxEjectionPercent')), { ...at('maxEjectionPercent'), code: 'DR-07', min: 0, max: 100 }),
    minHealthPercent: od.minHealthPercent === undefined ? undefined
      : checkInteger(checkPercent(od.minHealthPercent, 'DR-07', at('minHealthPercent')), { ...at('minHealthPercent'), code: 'DR-07', min: 0, max: 100 }),
  });
}

/** Drops `undefined` and empty-object values so the output carries only what was set. */
export function compact<T extends Record<string, unknown>>(obj: T): T | undefined {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    if (value === undefined) continue;
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0) continue;
    out[key] = value;
  }
  return Object.keys(out).length === 0 ? undefined : (out as T);
}
