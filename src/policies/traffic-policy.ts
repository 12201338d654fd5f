import { Duration } from 'cdk8s';
import { DestinationRuleSpecTrafficPolicy } from '../../imports/istio-networking.istio.io';
import { checkList, checkPort, enforce, isBuilt, propError, renderDuration, Where } from '../core/enforce';
import { collect, Problems, raiseInvalid } from '../core/problems';
import { isRecord } from '../core/json';
import { connectionLimitProblem, connectionPoolProblem, ejectionPercentProblem, INT32_MAX, outlierCountProblem, portLevelRepeatProblem, UINT32_MAX } from '../core/policy';
import { show } from '../core/text';
import { LoadBalancer, LocalityFailover } from './load-balancer';
import { TlsOrigination } from './tls';

/**
 * TCP connection limits (Istio `ConnectionPoolSettings.TCPSettings`).
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#ConnectionPoolSettings-TCPSettings
 */
export interface TcpConnectionPool {
  /**
   * Maximum connections to all endpoints of the host (per client proxy), integer 1-2147483647 (int32).
   * Size at 1.5-2 × measured peak concurrency. 0 is refused: Istio treats it as unset (no limit).
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
   * Requests queued while waiting for a connection; overflow gets an immediate 503 (UO). Integer 1-2147483647 (int32);
   * 0 is refused: Istio treats it as unset (no limit).
   * @default - Istio's 2^32-1
   */
  readonly http1MaxPendingRequests?: number;
  /**
   * Maximum concurrent requests to the host. Integer 1-2147483647 (int32); 0 is refused: Istio treats it as unset.
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
  /**
   * Whether HTTP/1.1 connections to the host are upgraded to HTTP/2.
   * @default - the mesh's `h2UpgradePolicy`
   */
  readonly h2UpgradePolicy?: H2UpgradePolicy;
}

/** HTTP/2 upgrade of HTTP/1.1 connections (Istio `ConnectionPoolSettings.HTTPSettings.H2UpgradePolicy`). */
export enum H2UpgradePolicy {
  /** Use the mesh-wide setting. */
  DEFAULT = 'DEFAULT',
  /** Keep HTTP/1.1. */
  DO_NOT_UPGRADE = 'DO_NOT_UPGRADE',
  /** Upgrade to HTTP/2. */
  UPGRADE = 'UPGRADE',
}

function h2Upgrade(value: H2UpgradePolicy, where: Where): H2UpgradePolicy {
  if (!Object.values(H2UpgradePolicy).includes(value)) propError(where, { value, expected: Object.values(H2UpgradePolicy).join(', '), fix: 'Use an H2UpgradePolicy value.' });
  return value;
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
   * Consecutive 5xx responses before an endpoint is ejected. Integer 1-4294967295 (0, which turns 5xx ejection off
   * in Istio, is refused: a circuit breaker ejects on errors); keep it ≥ 3 so warm-up errors do not over-eject.
   * @default 5
   */
  readonly consecutive5xxErrors?: number;
  /**
   * Consecutive 502/503/504 responses before ejection. Integer 1-4294967295 (leave it out rather than 0, which
   * Istio reads as off).
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
 * Destination policies for any host, in the mesh or outside it (`ExternalDependency`): connection pool, outlier
 * detection and load balancer. {@link TrafficPolicyProps} adds locality failover, which only applies to hosts
 * whose endpoints have a locality (services in the mesh).
 */
export interface TrafficPolicyBaseProps {
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
}

/**
 * Destination policies shared by the constructs that emit a DestinationRule for a service in the mesh.
 */
export interface TrafficPolicyProps extends TrafficPolicyBaseProps {
  /**
   * Locality failover; needs `outlierDetection` (rule DR-09).
   * @default - no locality failover
   * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#LocalityLoadBalancerSetting
   */
  readonly localityFailover?: LocalityFailover;
  /**
   * TLS the client proxies use towards the host: `TlsOrigination.istioMutual()`, `.simple(…)`, `.mutual(…)`, or
   * `.disable()` (rules DR-14..DR-17).
   * @default - Istio's automatic mTLS
   * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#ClientTLSSettings
   */
  readonly tls?: TlsOrigination;
  /**
   * Policies for single ports of the host. Istio applies a port's entry instead of the top-level policy for that
   * port (it inherits nothing from it). At most one entry per port (rule DR-06).
   * @default - none
   * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#TrafficPolicy-PortTrafficPolicy
   */
  readonly portLevelSettings?: PortTrafficPolicy[];
}

/**
 * The policy of one port of a host (Istio `TrafficPolicy.PortTrafficPolicy`).
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#TrafficPolicy-PortTrafficPolicy
 */
export interface PortTrafficPolicy extends TrafficPolicyBaseProps {
  /** The port, 1-65535. */
  readonly port: number;
  /**
   * TLS towards this port.
   * @default - the host's
   */
  readonly tls?: TlsOrigination;
}

/**
 * Renders the DestinationRule `trafficPolicy` for `props`, or `undefined` when nothing is set.
 * Validates every value at once: the problems of all its fields raise one IstioValidationError (see the rule
 * reference for the codes); an invalid value class (a `LoadBalancer`, `TlsOrigination`, `LocalityFailover` whose
 * factory found a problem) is raised re-pathed to `path` and its prop. `prefix` goes before every prop name
 * (`subsets[0].trafficPolicy.` for a subset's policy).
 */
export function renderTrafficPolicy(props: TrafficPolicyProps, path: string, host = '', prefix = ''): DestinationRuleSpecTrafficPolicy | undefined {
  const problems = collect({ path, prop: 'props' });
  const base = renderBasePolicy(props, path, host, prefix, problems);
  const locality = props.localityFailover === undefined ? undefined : problems.check(() => {
    raiseInvalid(props.localityFailover, { path, prop: `${prefix}localityFailover` });
    if (props.localityFailover && !isBuilt(props.localityFailover, LocalityFailover)) {
      propError({ path, prop: `${prefix}localityFailover` }, { value: props.localityFailover, expected: 'a LocalityFailover', fix: 'Use LocalityFailover.priority(…) or LocalityFailover.regions(…).' });
    }
    return props.localityFailover?._render();
  });
  const loadBalancer = base.loadBalancer || locality ? { ...(base.loadBalancer ?? {}), ...(locality ? { localityLbSetting: locality } : {}) } : undefined;
  const portLevelSettings = props.portLevelSettings === undefined ? undefined : problems.check(() => {
    checkList(props.portLevelSettings!, `${prefix}portLevelSettings`, path);
    const entries = props.portLevelSettings!.map((p, i) => {
      const prop = `${prefix}portLevelSettings[${i}]`;
      const entry = collect({ path, prop });
      record(p, prop, path);
      const number = entry.check(() => checkPort(p.port, { path, prop: `${prop}.port` }));
      const policy = renderBasePolicy(p, path, host, `${prop}.`, entry);
      entry.raise();
      return { port: { number: number! }, ...policy };
    });
    const ports = entries.map((p) => p.port.number);
    enforce(portLevelRepeatProblem, [ports], { path, prop: `${prefix}portLevelSettings`, value: ports.join(','), allowed: 'one entry per port', fix: 'Merge the entries for the port into one.' });
    return entries;
  });
  problems.raise();
  const out = compact({ connectionPool: base.connectionPool, loadBalancer, outlierDetection: base.outlierDetection, tls: base.tls, portLevelSettings });
  return out as DestinationRuleSpecTrafficPolicy | undefined;
}

/**
 * connectionPool, loadBalancer, outlierDetection and tls of a policy, rendered, each checked on its own (problems go to
 * `problems`); `prefix` names the entry in errors.
 */
function renderBasePolicy(props: TrafficPolicyBaseProps & { readonly tls?: TlsOrigination }, path: string, host: string, prefix: string, problems: Problems): Record<string, any> {
  const connectionPool = props.connectionPool ? problems.check(() => renderConnectionPool(record(props.connectionPool!, `${prefix}connectionPool`, path), path, prefix)) : undefined;
  const outlierDetection = props.outlierDetection ? problems.check(() => renderOutlierDetection(record(props.outlierDetection!, `${prefix}outlierDetection`, path), path, prefix)) : undefined;
  const loadBalancer = props.loadBalancer ? problems.check(() => {
    raiseInvalid(props.loadBalancer, { path, prop: `${prefix}loadBalancer` });
    if (!isBuilt(props.loadBalancer, LoadBalancer)) {
      propError({ path, prop: `${prefix}loadBalancer` }, { value: props.loadBalancer, expected: 'a LoadBalancer', fix: 'Use LoadBalancer.simple(…) or a LoadBalancer.consistentHashBy…(…) factory.' });
    }
    return props.loadBalancer._render() as any;
  }) : undefined;
  const tls = props.tls !== undefined ? problems.check(() => {
    raiseInvalid(props.tls, { path, prop: `${prefix}tls` });
    if (!isBuilt(props.tls, TlsOrigination)) {
      propError({ path, prop: `${prefix}tls` }, { value: props.tls, expected: 'a TlsOrigination', fix: 'Use TlsOrigination.istioMutual(), .simple(…), .mutual(…) or .disable().' });
    }
    return props.tls._render(host);
  }) : undefined;
  return {
    ...(connectionPool ? { connectionPool } : {}),
    ...(loadBalancer ? { loadBalancer } : {}),
    ...(outlierDetection ? { outlierDetection } : {}),
    ...(tls ? { tls } : {}),
  };
}

/**
 * A connection-pool limit: a number (PROP), an int32 the webhook accepts (DR-12, the check of rule DR-12), and at
 * least `min` (PROP: for maxConnections, http1MaxPendingRequests and http2MaxRequests Istio treats 0 as unset, so
 * a 0 would limit nothing).
 */
function limit(value: number | undefined, where: Where, min: 0 | 1): number | undefined {
  if (value === undefined) return undefined;
  const allowed = `integer ${min}-${INT32_MAX}`;
  const fix = `Set ${where.prop} to an ${allowed}.`;
  if (typeof value !== 'number') propError(where, { value, expected: `an ${allowed}`, fix });
  enforce(connectionLimitProblem, [value], { ...where, allowed, message: (problem) => `${where.prop} ${show(value)} ${problem}`, fix });
  if (value < min) {
    propError(where, { value, shown: value, expected: allowed, message: `${where.prop} is 0, which Istio treats as unset, so it would limit nothing`, fix: `Set ${where.prop} to 1 or more, or leave it out for no limit.` });
  }
  return value;
}

/**
 * An outlier-detection count: a number (PROP), a uint32 (DR-07, the check of rule DR-07), and at least 1 (PROP:
 * 0 turns the trigger off in Istio; this API leaves a trigger out instead).
 */
function count(value: number | undefined, where: Where): number | undefined {
  if (value === undefined) return undefined;
  const allowed = `integer 1-${UINT32_MAX}`;
  const fix = `Set ${where.prop} to an ${allowed}.`;
  if (typeof value !== 'number') propError(where, { value, expected: `an ${allowed}`, fix });
  enforce(outlierCountProblem, [value], { ...where, allowed, message: (problem) => `${where.prop} ${show(value)} ${problem}`, fix });
  if (value < 1) propError(where, { value, shown: value, expected: allowed, message: `${where.prop} is 0, which turns this ejection trigger off`, fix: `Set ${where.prop} to 1 or more (3-5 is typical).` });
  return value;
}

/** An ejection percentage: a number (PROP), a whole percentage 0-100 (DR-07, the check of rule DR-07). */
function percent(value: number | undefined, where: Where): number | undefined {
  if (value === undefined) return undefined;
  const fix = `Set ${where.prop} to a whole number between 0 and 100.`;
  if (typeof value !== 'number') propError(where, { value, expected: 'an integer 0-100', fix });
  enforce(ejectionPercentProblem, [value], { ...where, allowed: 'integer 0-100', message: (problem) => `${where.prop} ${show(value)} ${problem}`, fix });
  return value;
}

/** Throws PROP unless `value` (a props record passed through `as any`) is an object. */
function record<T>(value: T, prop: string, path: string): T {
  if (!isRecord(value)) propError({ path, prop }, { value, expected: 'an object', message: `${prop} ${show(value)} is not an object`, fix: `Set ${prop} to an object, or leave it out.` });
  return value;
}

function renderConnectionPool(pool: ConnectionPool, path: string, prefix: string) {
  const at = (prop: string): Where => ({ path, prop: `${prefix}connectionPool.${prop}` });
  if (pool.tcp !== undefined) record(pool.tcp, `${prefix}connectionPool.tcp`, path);
  if (pool.http !== undefined) record(pool.http, `${prefix}connectionPool.http`, path);
  enforce(connectionPoolProblem, [pool as Record<string, unknown>], {
    path, prop: `${prefix}connectionPool`, value: '{}', message: () => 'connectionPool sets neither tcp nor http limits',
    fix: 'Set connectionPool.tcp and/or connectionPool.http, or leave connectionPool out.',
  });
  for (const [key, value] of [['tcp', pool.tcp], ['http', pool.http]] as const) {
    if (value !== undefined && Object.values(value).every((v) => v === undefined)) {
      propError({ path, prop: `${prefix}connectionPool.${key}` }, {
        value, shown: '{}', expected: 'at least one setting', message: `connectionPool.${key} sets no limit`,
        fix: `Set at least one connectionPool.${key} field, or leave connectionPool.${key} out.`,
      });
    }
  }
  const tcp = pool.tcp ? compact({
    maxConnections: limit(pool.tcp.maxConnections, at('tcp.maxConnections'), 1),
    connectTimeout: pool.tcp.connectTimeout && renderDuration(pool.tcp.connectTimeout, at('tcp.connectTimeout')),
  }) : undefined;
  const http = pool.http ? compact({
    http1MaxPendingRequests: limit(pool.http.http1MaxPendingRequests, at('http.http1MaxPendingRequests'), 1),
    http2MaxRequests: limit(pool.http.http2MaxRequests, at('http.http2MaxRequests'), 1),
    maxRequestsPerConnection: limit(pool.http.maxRequestsPerConnection, at('http.maxRequestsPerConnection'), 0),
    maxRetries: limit(pool.http.maxRetries, at('http.maxRetries'), 0),
    idleTimeout: pool.http.idleTimeout && renderDuration(pool.http.idleTimeout, at('http.idleTimeout')),
    h2UpgradePolicy: pool.http.h2UpgradePolicy && h2Upgrade(pool.http.h2UpgradePolicy, at('http.h2UpgradePolicy')),
  }) : undefined;
  return compact({ http, tcp });
}

function renderOutlierDetection(od: OutlierDetection, path: string, prefix: string) {
  const at = (prop: string): Where => ({ path, prop: `${prefix}outlierDetection.${prop}` });
  return compact({
    consecutive5XxErrors: count(od.consecutive5xxErrors ?? 5, at('consecutive5xxErrors')),
    consecutiveGatewayErrors: count(od.consecutiveGatewayErrors, at('consecutiveGatewayErrors')),
    interval: od.interval && renderDuration(od.interval, at('interval')),
    baseEjectionTime: od.baseEjectionTime && renderDuration(od.baseEjectionTime, at('baseEjectionTime')),
    maxEjectionPercent: percent(od.maxEjectionPercent, at('maxEjectionPercent')),
    minHealthPercent: percent(od.minHealthPercent, at('minHealthPercent')),
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
