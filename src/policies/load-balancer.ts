import { Duration } from 'cdk8s';
import { checkOptions, enforce, propError, renderDuration } from '../core/enforce';
import { buildValue, raiseInvalid } from '../core/problems';
import { durationProblem, formatMillis } from '../core/grammar';
import { hashHeaderNameProblem } from '../core/http';
import { hashCookieNameProblem, hashQueryParameterProblem } from '../core/policy';
import { show } from '../core/text';

export { LocalityDistribution, LocalityFailover, RegionFailover } from './locality-failover';

const UINT64_SAFE = Number.MAX_SAFE_INTEGER;

/** Simple load-balancing algorithms (Istio `LoadBalancerSettings.simple`). */
export enum LoadBalancerAlgorithm {
  /** Prefer endpoints with fewer active requests (Istio's default; right for most services). */
  LEAST_REQUEST = 'LEAST_REQUEST',
  /** Rotate through endpoints; for uniform request costs. */
  ROUND_ROBIN = 'ROUND_ROBIN',
  /** Pick an endpoint at random. */
  RANDOM = 'RANDOM',
  /** Forward to the address the caller asked for; no load balancing. */
  PASSTHROUGH = 'PASSTHROUGH',
}

/** The rendered Istio `LoadBalancerSettings` (wire field names). */
export interface RenderedLoadBalancer {
  readonly simple?: string;
  readonly consistentHash?: Record<string, unknown>;
  readonly warmup?: Record<string, unknown>;
}

/** Options of {@link LoadBalancer.withWarmup}. */
export interface WarmupOptions {
  /**
   * Share of its full traffic (percent 0-100) a new endpoint starts with.
   * @default - Istio's 10
   */
  readonly minimumPercent?: number;
  /**
   * How fast traffic ramps up (1 is linear, larger is slower at first).
   * @default - Istio's 1
   */
  readonly aggression?: number;
}

/**
 * How requests are spread over a host's endpoints (DestinationRule `trafficPolicy.loadBalancer`).
 *
 * ```ts
 * LoadBalancer.simple(LoadBalancerAlgorithm.ROUND_ROBIN)
 * LoadBalancer.consistentHashByHeader('x-user-id')   // sticky sessions
 * ```
 * Invalid arguments make an invalid value: the construct that takes it raises the problem as an IstioValidationError
 * naming its path and prop (see the rule reference for the codes); any other use of it throws the factory's error.
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#LoadBalancerSettings
 */
export class LoadBalancer {
  /** A simple algorithm. */
  public static simple(algorithm: LoadBalancerAlgorithm): LoadBalancer {
    return buildValue(LoadBalancer, () => {
      if (!Object.values(LoadBalancerAlgorithm).includes(algorithm)) {
        propError({ path: 'LoadBalancer.simple', prop: 'algorithm' }, {
          value: algorithm, shown: algorithm, expected: Object.values(LoadBalancerAlgorithm).join(', '),
          message: `unknown load-balancing algorithm ${show(algorithm)}`, fix: 'Use a LoadBalancerAlgorithm value.',
        });
      }
      return new LoadBalancer({ simple: algorithm });
    });
  }

  /**
   * Sticky routing by the value of a request header, named in lower case (the form HttpMatch.header takes; Envoy
   * compares header names case-insensitively).
   */
  public static consistentHashByHeader(headerName: string): LoadBalancer {
    return buildValue(LoadBalancer, () => {
      const where = { path: 'LoadBalancer.consistentHashByHeader', prop: 'header name' };
      const allowed = 'lower-case HTTP token';
      const fix = 'Use a header name such as "x-user-id".';
      if (typeof headerName !== 'string') propError(where, { value: headerName, expected: allowed, fix });
      enforce(hashHeaderNameProblem, [headerName], { ...where, allowed, message: (problem) => `header name ${show(headerName)} ${problem}`, fix });
      if (headerName !== headerName.toLowerCase() || headerName.startsWith(':')) {
        propError(where, { value: headerName, shown: headerName, expected: allowed, message: `header name ${show(headerName)} is not a lower-case HTTP token`, fix });
      }
      return new LoadBalancer({ consistentHash: { httpHeaderName: headerName } });
    });
  }

  /**
   * Sticky routing by an HTTP cookie. With a `ttl`, Envoy generates the cookie (with that Max-Age) when the request
   * has none; `Duration.seconds(0)` makes the generated cookie a session cookie (no Max-Age, the same as
   * {@link consistentHashBySessionCookie}). Without a `ttl`, Envoy only hashes on a cookie the client already sends
   * and generates none. The name is an RFC 6265 token (Envoy sets the cookie under this name).
   *
   * @param ttl lifetime of the generated cookie: 0 (a session cookie) or at least 1ms in whole milliseconds.
   *   @default - no ttl: Envoy generates no cookie
   * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#LoadBalancerSettings-ConsistentHashLB-HTTPCookie
   */
  public static consistentHashByCookie(name: string, ttl?: Duration): LoadBalancer {
    return buildValue(LoadBalancer, () => {
      const path = 'LoadBalancer.consistentHashByCookie';
      checkCookieName(name, path);
      const cookie = { name, ...(ttl !== undefined ? { ttl: renderCookieTtl(ttl, path) } : {}) };
      return new LoadBalancer({ consistentHash: { httpCookie: cookie } });
    });
  }

  /**
   * Sticky routing by an HTTP session cookie that Envoy generates when the request has none (Istio `httpCookie`
   * with `ttl: 0s`: the cookie has no Max-Age, so the browser drops it when the session ends).
   * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#LoadBalancerSettings-ConsistentHashLB-HTTPCookie
   */
  public static consistentHashBySessionCookie(name: string): LoadBalancer {
    return buildValue(LoadBalancer, () => {
      checkCookieName(name, 'LoadBalancer.consistentHashBySessionCookie');
      return new LoadBalancer({ consistentHash: { httpCookie: { name, ttl: '0s' } } });
    });
  }

  /** Sticky routing by the caller's source IP address. */
  public static consistentHashBySourceIp(): LoadBalancer {
    return new LoadBalancer({ consistentHash: { useSourceIp: true } });
  }

  /** Sticky routing by a query parameter. */
  public static consistentHashByQueryParameter(name: string): LoadBalancer {
    return buildValue(LoadBalancer, () => {
      const where = { path: 'LoadBalancer.consistentHashByQueryParameter', prop: 'query parameter name' };
      if (typeof name !== 'string') propError(where, { value: name, expected: 'a query parameter name', fix: 'Name the query parameter.' });
      enforce(hashQueryParameterProblem, [name], { ...where, message: () => 'the query parameter name is empty', fix: 'Name the query parameter.' });
      return new LoadBalancer({ consistentHash: { httpQueryParameterName: name } });
    });
  }

  /**
   * Slow start with Istio's default algorithm (LEAST_REQUEST, not written): `warmup` alone, as in Istio's
   * reference. Same options as {@link withWarmup}.
   */
  public static warmup(duration: Duration, options: WarmupOptions = {}): LoadBalancer {
    return buildValue(LoadBalancer, () => {
      const warm = new LoadBalancer({ simple: LoadBalancerAlgorithm.LEAST_REQUEST }).withWarmup(duration, options)._render();
      return new LoadBalancer({ warmup: warm.warmup });
    });
  }

  private constructor(private readonly settings: RenderedLoadBalancer) {}

  /**
   * This load balancer with slow start: new endpoints get a growing share of traffic over `duration` (Istio
   * `warmup`). Only for `ROUND_ROBIN` and `LEAST_REQUEST` (PROP otherwise: Envoy has no slow start for the others).
   * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#WarmupConfiguration
   */
  public withWarmup(duration: Duration, options: WarmupOptions = {}): LoadBalancer {
    return buildValue(LoadBalancer, () => {
      raiseInvalid(this);
      const where = { path: 'LoadBalancer.withWarmup', prop: 'duration' };
      const simple = this.settings.simple;
      if (simple !== LoadBalancerAlgorithm.ROUND_ROBIN && simple !== LoadBalancerAlgorithm.LEAST_REQUEST) {
        propError(where, { value: simple ?? 'consistentHash', shown: simple ?? 'consistentHash', expected: 'ROUND_ROBIN or LEAST_REQUEST', message: `warmup needs ROUND_ROBIN or LEAST_REQUEST, not ${simple ?? 'a consistent hash'}`, fix: 'Use LoadBalancer.simple(LoadBalancerAlgorithm.LEAST_REQUEST).withWarmup(…).' });
      }
      checkOptions(options, { ...where, prop: 'options' }, 'Pass options such as { minimumPercent: 10 }.');
      const warmup: Record<string, unknown> = { duration: renderDuration(duration, where) };
      if (options.minimumPercent !== undefined) {
        if (typeof options.minimumPercent !== 'number' || !(options.minimumPercent >= 0 && options.minimumPercent <= 100)) {
          propError({ ...where, prop: 'minimumPercent' }, { value: options.minimumPercent, expected: 'a percentage 0-100', fix: 'Set minimumPercent between 0 and 100.' });
        }
        warmup.minimumPercent = options.minimumPercent;
      }
      if (options.aggression !== undefined) {
        if (typeof options.aggression !== 'number' || !(options.aggression >= 1) || !Number.isFinite(options.aggression)) {
          propError({ ...where, prop: 'aggression' }, { value: options.aggression, expected: 'a number ≥ 1', fix: 'Set aggression to 1 (linear) or more.' });
        }
        warmup.aggression = options.aggression;
      }
      return new LoadBalancer({ ...this._render(), warmup });
    });
  }

  /** This consistent hash on a ring of at least `minimumRingSize` virtual nodes (Istio `ringHash`). */
  public withRingHash(minimumRingSize: number): LoadBalancer {
    return buildValue(LoadBalancer, () => {
      raiseInvalid(this);
      return this.hashAlgorithm('ringHash', 'minimumRingSize', minimumRingSize);
    });
  }

  /** This consistent hash with Maglev and a lookup table of `tableSize` entries, a prime (Istio `maglev`). */
  public withMaglev(tableSize: number): LoadBalancer {
    return buildValue(LoadBalancer, () => {
      raiseInvalid(this);
      return this.hashAlgorithm('maglev', 'tableSize', tableSize);
    });
  }

  private hashAlgorithm(algorithm: 'ringHash' | 'maglev', field: string, value: number): LoadBalancer {
    const where = { path: `LoadBalancer.with${algorithm === 'maglev' ? 'Maglev' : 'RingHash'}`, prop: field };
    if (!this.settings.consistentHash) {
      propError(where, { value: this.settings.simple, shown: this.settings.simple, expected: 'a consistent-hash load balancer', message: `${algorithm} applies to a consistent hash, not to ${this.settings.simple}`, fix: 'Start from a LoadBalancer.consistentHashBy…(…) factory.' });
    }
    if (!Number.isInteger(value) || value < 1 || value > UINT64_SAFE) {
      propError(where, { value, expected: 'a positive integer', fix: `Set ${field} to a positive integer${algorithm === 'maglev' ? ' (a prime, e.g. 65537)' : ', e.g. 1024'}.` });
    }
    const hash = { ...this.settings.consistentHash };
    delete hash.ringHash;
    delete hash.maglev;
    return new LoadBalancer({ ...this._render(), consistentHash: { ...hash, [algorithm]: { [field]: value } } });
  }

  /**
   * The Istio `LoadBalancerSettings` fields this load balancer emits (without `localityLbSetting`).
   * @internal
   */
  public _render(): RenderedLoadBalancer {
    return JSON.parse(JSON.stringify(this.settings));
  }
}

/** Throws PROP / DR-13 unless `name` is a cookie name token. */
function checkCookieName(name: string, path: string): void {
  const where = { path, prop: 'cookie name' };
  const allowed = 'cookie name token';
  const fix = 'Use a cookie name such as "session".';
  if (typeof name !== 'string') propError(where, { value: name, expected: allowed, fix });
  enforce(hashCookieNameProblem, [name], { ...where, allowed, message: (problem) => `the cookie ${problem}`, fix });
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
    propError(where, { value: name, shown: name, expected: allowed, message: `cookie name ${show(name)} is not a valid cookie name`, fix });
  }
}

/** Renders a cookie `ttl`: 0 (a session cookie) or a duration of at least 1ms (X-01, the check of the rule). */
function renderCookieTtl(ttl: Duration, path: string): string {
  if (typeof (ttl as Partial<Duration> | null)?.toMilliseconds !== 'function') propError({ path, prop: 'ttl' }, { value: ttl, expected: 'a Duration', fix: 'Pass a cdk8s Duration, e.g. Duration.hours(1).' });
  let ms: number;
  try {
    ms = ttl.toMilliseconds({ integral: false });
  } catch {
    ms = Number.NaN;
  }
  enforce(durationProblem, [ms, 'httpCookie.ttl'], {
    path, prop: 'ttl', value: ms, allowed: '0 (a session cookie) or >= 1ms, whole milliseconds',
    message: (problem) => `ttl ${problem} (received ${Number.isFinite(ms) ? `${ms}ms` : String(ms)})`,
    fix: 'Use Duration.seconds(0) (or LoadBalancer.consistentHashBySessionCookie) for a session cookie, or a Duration of at least 1ms in whole milliseconds.',
  });
  return formatMillis(ms);
}
