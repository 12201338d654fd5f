import { Duration } from 'cdk8s';
import { thrownBy } from '../support/errors';
import { LoadBalancer, LoadBalancerAlgorithm, LocalityFailover } from '../../src/policies/load-balancer';
import { compact, renderTrafficPolicy } from '../../src/policies/traffic-policy';
import { TlsOrigination } from '../../src/policies/tls';

const PATH = 'test/backend';
/** Connection-pool limits are int32 in the Istio API. */
const MAX = 2147483647;

test('renders nothing when no policy is set', () => {
  expect(renderTrafficPolicy({}, PATH)).toBeUndefined();
});

describe('connectionPool (DR-12)', () => {
  test('renders tcp and http limits', () => {
    expect(renderTrafficPolicy({
      connectionPool: {
        tcp: { maxConnections: 100, connectTimeout: Duration.millis(500) },
        http: { http1MaxPendingRequests: 10, http2MaxRequests: 200, maxRequestsPerConnection: 0, maxRetries: 3, idleTimeout: Duration.minutes(5) },
      },
    }, PATH)).toEqual({
      connectionPool: {
        tcp: { maxConnections: 100, connectTimeout: '500ms' },
        http: { http1MaxPendingRequests: 10, http2MaxRequests: 200, maxRequestsPerConnection: 0, maxRetries: 3, idleTimeout: '300s' },
      },
    });
  });

  test('renders only the limits that are set', () => {
    expect(renderTrafficPolicy({ connectionPool: { http: { http1MaxPendingRequests: 1 } } }, PATH)).toEqual({
      connectionPool: { http: { http1MaxPendingRequests: 1 } },
    });
  });

  test('rejects a pool with neither tcp nor http', () => {
    const e = thrownBy(() => renderTrafficPolicy({ connectionPool: {} }, PATH));
    expect(e.code).toBe('DR-12');
    expect(e.path).toBe(PATH);
  });

  test.each([
    ['tcp.maxConnections', 1],
    ['http.http1MaxPendingRequests', 1],
    ['http.http2MaxRequests', 1],
    ['http.maxRequestsPerConnection', 0],
    ['http.maxRetries', 0],
  ])('%s accepts its minimum %d and the int32 maximum 2^31-1', (field, min) => {
    const [level, key] = field.split('.');
    for (const value of [min, MAX]) {
      expect(renderTrafficPolicy({ connectionPool: { [level]: { [key]: value } } }, PATH)).toEqual({ connectionPool: { [level]: { [key]: value } } });
    }
  });

  test.each([
    ['tcp.maxConnections', 0],
    ['http.http1MaxPendingRequests', 0],
    ['http.http2MaxRequests', 0],
    ['http.maxRequestsPerConnection', -1],
    ['http.maxRetries', -1],
  ])('%s rejects min - 1 (%d: PROP for 0, which Istio treats as unset; DR-12 when negative) and 2^31 (beyond int32, which the Istio webhook rejects) with DR-12', (field, below) => {
    const [level, key] = field.split('.');
    for (const value of [below, MAX + 1]) {
      const e = thrownBy(() => renderTrafficPolicy({ connectionPool: { [level]: { [key]: value } } }, PATH));
      expect(e.code).toBe(value === 0 ? 'PROP' : 'DR-12');
      expect(e.value).toBe(value);
      expect(e.message).toContain(`connectionPool.${field}`);
    }
  });

  test('rejects an empty tcp or http block with PROP (it sets no limit)', () => {
    expect(thrownBy(() => renderTrafficPolicy({ connectionPool: { tcp: {} } }, PATH)).code).toBe('PROP');
    expect(thrownBy(() => renderTrafficPolicy({ connectionPool: { http: {}, tcp: { maxConnections: 1 } } }, PATH)).code).toBe('PROP');
  });

  test('rejects a fractional count with DR-12', () => {
    expect(thrownBy(() => renderTrafficPolicy({ connectionPool: { tcp: { maxConnections: 1.5 } } }, PATH)).code).toBe('DR-12');
  });

  test('rejects a connect timeout below 1ms with X-01', () => {
    const e = thrownBy(() => renderTrafficPolicy({ connectionPool: { tcp: { connectTimeout: Duration.millis(0.1) } } }, PATH));
    expect(e.code).toBe('X-01');
    expect(e.message).toContain('connectionPool.tcp.connectTimeout');
  });
});

describe('outlierDetection (DR-07)', () => {
  test('defaults consecutive5xxErrors to 5', () => {
    expect(renderTrafficPolicy({ outlierDetection: {} }, PATH)).toEqual({ outlierDetection: { consecutive5XxErrors: 5 } });
  });

  test('renders every field', () => {
    expect(renderTrafficPolicy({
      outlierDetection: {
        consecutive5xxErrors: 3, consecutiveGatewayErrors: 2, interval: Duration.seconds(10),
        baseEjectionTime: Duration.seconds(30), maxEjectionPercent: 50, minHealthPercent: 30,
      },
    }, PATH)).toEqual({
      outlierDetection: {
        consecutive5XxErrors: 3, consecutiveGatewayErrors: 2, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 50, minHealthPercent: 30,
      },
    });
  });

  test.each([['maxEjectionPercent'], ['minHealthPercent']])('%s accepts 0 and 100', (key) => {
    for (const value of [0, 100]) {
      expect(renderTrafficPolicy({ outlierDetection: { [key]: value } }, PATH)!.outlierDetection).toEqual({ consecutive5XxErrors: 5, [key]: value });
    }
  });

  test.each([['maxEjectionPercent'], ['minHealthPercent']])('%s rejects -1, 101 and 50.5 with DR-07', (key) => {
    for (const value of [-1, 101, 50.5]) {
      const e = thrownBy(() => renderTrafficPolicy({ outlierDetection: { [key]: value } }, PATH));
      expect(e.code).toBe('DR-07');
      expect(e.value).toBe(value);
      expect(e.message).toContain(`outlierDetection.${key}`);
    }
  });

  test('rejects consecutive5xxErrors 0 with PROP (0 turns 5xx ejection off; the API refuses it)', () => {
    expect(thrownBy(() => renderTrafficPolicy({ outlierDetection: { consecutive5xxErrors: 0 } }, PATH)).code).toBe('PROP');
  });

  test('rejects counts that are not uint32 integers with DR-07, the check of rule DR-07', () => {
    for (const value of [-1, 2.5, 4294967296]) {
      const e = thrownBy(() => renderTrafficPolicy({ outlierDetection: { consecutiveGatewayErrors: value } }, PATH));
      expect(e.code).toBe('DR-07');
      expect(e.value).toBe(value);
      expect(e.message).toContain('outlierDetection.consecutiveGatewayErrors');
    }
  });

  test('rejects values that are not numbers or objects with PROP', () => {
    expect(thrownBy(() => renderTrafficPolicy({ outlierDetection: { maxEjectionPercent: '10' as any } }, PATH)).code).toBe('PROP');
    expect(thrownBy(() => renderTrafficPolicy({ outlierDetection: 5 as any }, PATH)).code).toBe('PROP');
    expect(thrownBy(() => renderTrafficPolicy({ connectionPool: { tcp: { maxConnections: '10' as any } } }, PATH)).code).toBe('PROP');
    expect(thrownBy(() => renderTrafficPolicy({ connectionPool: { http: [] as any } }, PATH)).code).toBe('PROP');
  });

  test('accepts consecutive5xxErrors 1', () => {
    expect(renderTrafficPolicy({ outlierDetection: { consecutive5xxErrors: 1 } }, PATH)).toEqual({ outlierDetection: { consecutive5XxErrors: 1 } });
  });

  test('rejects an interval below 1ms with X-01', () => {
    const e = thrownBy(() => renderTrafficPolicy({ outlierDetection: { interval: Duration.millis(0.5) } }, PATH));
    expect(e.code).toBe('X-01');
    expect(e.message).toContain('outlierDetection.interval');
  });

  test('rejects a sub-millisecond baseEjectionTime with X-01', () => {
    expect(thrownBy(() => renderTrafficPolicy({ outlierDetection: { baseEjectionTime: Duration.millis(30000.5) } }, PATH)).code).toBe('X-01');
  });
});

describe('loadBalancer', () => {
  test('renders the algorithm', () => {
    expect(renderTrafficPolicy({ loadBalancer: LoadBalancer.simple(LoadBalancerAlgorithm.ROUND_ROBIN) }, PATH)).toEqual({
      loadBalancer: { simple: 'ROUND_ROBIN' },
    });
  });

  test('renders locality failover alone as localityLbSetting', () => {
    expect(renderTrafficPolicy({ localityFailover: LocalityFailover.priority(['topology.kubernetes.io/zone']) }, PATH)).toEqual({
      loadBalancer: { localityLbSetting: { enabled: true, failoverPriority: ['topology.kubernetes.io/zone'] } },
    });
  });

  test('rejects a loadBalancer or localityFailover of the wrong class with PROP', () => {
    expect(thrownBy(() => renderTrafficPolicy({ loadBalancer: 'ROUND_ROBIN' as any }, PATH)).code).toBe('PROP');
    expect(thrownBy(() => renderTrafficPolicy({ localityFailover: {} as any, outlierDetection: {} }, PATH)).code).toBe('PROP');
  });

  test('merges the algorithm and locality failover', () => {
    expect(renderTrafficPolicy({
      loadBalancer: LoadBalancer.consistentHashBySourceIp(),
      localityFailover: LocalityFailover.regions([{ from: 'us-east1', to: 'us-west1' }]),
      outlierDetection: {},
    }, PATH)).toEqual({
      loadBalancer: { consistentHash: { useSourceIp: true }, localityLbSetting: { enabled: true, failover: [{ from: 'us-east1', to: 'us-west1' }] } },
      outlierDetection: { consecutive5XxErrors: 5 },
    });
  });
});

describe('compact', () => {
  test('drops undefined values and empty objects, keeps arrays and falsy values', () => {
    expect(compact({ a: undefined, b: {}, c: [], d: 0, e: false, f: { g: 1 } })).toEqual({ c: [], d: 0, e: false, f: { g: 1 } });
  });

  test('returns undefined when nothing is left', () => {
    expect(compact({ a: undefined, b: {} })).toBeUndefined();
  });
});

describe('every problem of a traffic policy at once, invalid value classes re-pathed to the policy\'s path', () => {
  test('connection pool, outlier detection, load balancer, TLS and locality failover, each on its own', () => {
    const e = thrownBy(() => renderTrafficPolicy({
      connectionPool: { tcp: { maxConnections: 0 } },
      outlierDetection: { maxEjectionPercent: 101 },
      loadBalancer: LoadBalancer.consistentHashByHeader('X-User'),
      tls: TlsOrigination.simple({ caCertificates: '' }),
      localityFailover: LocalityFailover.priority([]),
    }, PATH));
    expect(e.violations.map((v) => [v.code, v.path, v.message])).toEqual([
      ['PROP', PATH, 'connectionPool.tcp.maxConnections is 0, which Istio treats as unset, so it would limit nothing'],
      ['DR-07', PATH, 'outlierDetection.maxEjectionPercent 101 is outside 0-100'],
      ['PROP', PATH, 'loadBalancer (LoadBalancer.consistentHashByHeader): header name "X-User" is not a lower-case HTTP token'],
      ['PROP', PATH, 'tls (TlsOrigination.simple): caCertificates is empty'],
      ['PROP', PATH, 'localityFailover (LocalityFailover.priority): failoverPriority needs at least one distinct, non-empty label key'],
    ]);
  });

  test('a port-level entry names its index in the prop chain', () => {
    const e = thrownBy(() => renderTrafficPolicy({ portLevelSettings: [{ port: 0, loadBalancer: LoadBalancer.simple('FASTEST' as any) }] }, PATH));
    expect(e.violations.map((v) => v.message)).toEqual([
      'portLevelSettings[0].port 0 is outside 1-65535',
      'portLevelSettings[0].loadBalancer (LoadBalancer.simple): unknown load-balancing algorithm "FASTEST"',
    ]);
  });
});
