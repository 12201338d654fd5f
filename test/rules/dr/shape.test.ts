import { codes, dr, ERROR, HOST, one, only, run, WARNING } from '../../support/rules';
import { toIstioObject } from '../../../src/engine/istio-object';
import { runRules } from '../../../src/engine/run';
import { RunOptions } from '../../../src/engine/types';
import { DR_RULES } from '../../../src/rules/dr';

describe('destination-rule', () => {
/** A DR with top-level outlier detection. */
const outlier = (od: Record<string, unknown>) => dr({ host: HOST, trafficPolicy: { outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s', ...od } } });

const OD = { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s' };
const FAILOVER_PRIORITY = { localityLbSetting: { enabled: true, failoverPriority: ['topology.kubernetes.io/region', 'topology.kubernetes.io/zone'] } };

describe('DR-08 maxEjectionPercent 100', () => {
  test('maxEjectionPercent 100 with minHealthPercent unset is an error naming the field', () => {
    const v = one(run(outlier({ maxEjectionPercent: 100 })), 'DR-08');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('trafficPolicy.outlierDetection has maxEjectionPercent 100 and minHealthPercent unset (0)');
    expect(v.value).toBe(100);
  });

  test('maxEjectionPercent 100 with minHealthPercent 0 is an error', () => {
    const v = one(run(outlier({ maxEjectionPercent: 100, minHealthPercent: 0 })), 'DR-08');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('minHealthPercent 0');
  });

  test('maxEjectionPercent 100 with minHealthPercent > 0 is a warning naming the threshold', () => {
    const report = run(outlier({ maxEjectionPercent: 100, minHealthPercent: 30 }));
    const v = one(report, 'DR-08');
    expect(v.severity).toBe(WARNING);
    expect(report.errors.map((e) => e.code)).not.toContain('DR-08');
    expect(v.message).toContain('only panic routing below 30% healthy remains');
  });

  test('maxEjectionPercent 99 passes', () => {
    expect(codes(run(outlier({ maxEjectionPercent: 99 })))).not.toContain('DR-08');
  });

  test('a subset-level outlierDetection is checked and named', () => {
    const report = run(dr({ host: HOST, subsets: [{ name: 'v2', labels: { version: 'v2' }, trafficPolicy: { outlierDetection: { maxEjectionPercent: 100 } } }] }));
    expect(one(report, 'DR-08').message).toContain('subset "v2" trafficPolicy.outlierDetection');
  });

  test('a port-level outlierDetection is checked and named', () => {
    const report = run(dr({ host: HOST, trafficPolicy: { portLevelSettings: [{ port: { number: 8080 }, outlierDetection: { maxEjectionPercent: 100 } }] } }));
    expect(one(report, 'DR-08').message).toContain('trafficPolicy.portLevelSettings[0] (port 8080).outlierDetection');
  });
});
});

describe('dr-rules', () => {
/** Runs the DR rules of dr-rules.ts over the manifests. */
const check = (options: RunOptions, ...manifests: any[]) => runRules(manifests.map((m, i) => toIstioObject(m, `obj${i}`)!), DR_RULES, options);
/** A DR for HOST with the given top-level traffic policy. */
const policy = (trafficPolicy: unknown) => dr({ host: HOST, trafficPolicy });

describe('DR-01 host present', () => {
  test('a missing host is an error', () => {
    const v = one(check({}, dr({ subsets: [] })), 'DR-01');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toBe('spec.host is missing');
    expect(v.value).toBeNull();
  });

  test('an empty host is an error naming the value', () => {
    expect(one(check({}, dr({ host: '' })), 'DR-01').message).toBe('spec.host "" is empty');
  });

  test('a host that is not a string is an error', () => {
    expect(one(check({}, dr({ host: 42 })), 'DR-01').message).toBe('spec.host 42 is not a string');
  });

  test('a host passes', () => {
    expect(codes(check({}, dr({ host: HOST })))).not.toContain('DR-01');
  });
});

describe('DR-02 subset names', () => {
  test('a name that is not a DNS label is an error naming the subset', () => {
    const v = one(check({}, dr({ host: HOST, subsets: [{ name: 'V1', labels: { version: 'v1' } }] })), 'DR-02');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('spec.subsets[0].name "V1" is not a DNS-1123 label');
  });

  test('a missing name is an error', () => {
    expect(one(check({}, dr({ host: HOST, subsets: [{ labels: { version: 'v1' } }] })), 'DR-02').message).toContain('spec.subsets[0].name null is empty');
  });

  test('a null subset is an error', () => {
    expect(one(check({}, dr({ host: HOST, subsets: [null] })), 'DR-02').message).toContain('spec.subsets[0] is null');
  });

  test('a repeated name is an error naming both entries', () => {
    const v = one(check({}, dr({ host: HOST, subsets: [{ name: 'v1', labels: { a: '1' } }, { name: 'v1', labels: { a: '2' } }] })), 'DR-02');
    expect(v.message).toBe('spec.subsets[1].name "v1" repeats spec.subsets[0].name');
  });

  test('unique DNS-label names pass', () => {
    expect(codes(check({}, dr({ host: HOST, subsets: [{ name: 'v1', labels: { a: '1' } }, { name: 'v2', labels: { a: '2' } }] })))).not.toContain('DR-02');
  });
});

describe('DR-06 traffic policy shape', () => {
  test('an empty top-level traffic policy is an error', () => {
    const v = one(check({}, policy({})), 'DR-06');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toBe('trafficPolicy is empty');
  });

  test('an empty subset traffic policy is an error naming the subset', () => {
    const v = one(check({}, dr({ host: HOST, subsets: [{ name: 'v1', labels: { a: '1' }, trafficPolicy: { portLevelSettings: [] } }] })), 'DR-06');
    expect(v.message).toBe('subset "v1" trafficPolicy is empty');
  });

  test('a port-level entry without a port is an error', () => {
    const v = one(check({}, policy({ portLevelSettings: [{ tls: { mode: 'ISTIO_MUTUAL' } }] })), 'DR-06');
    expect(v.message).toContain('trafficPolicy.portLevelSettings[0] has no port.number');
  });

  test('a port-level entry without any setting is an error', () => {
    const v = one(check({}, policy({ portLevelSettings: [{ port: { number: 80 } }] })), 'DR-06');
    expect(v.message).toBe('trafficPolicy.portLevelSettings[0] sets none of outlierDetection, connectionPool, loadBalancer, tls');
  });

  test('a null port-level entry is an error', () => {
    expect(one(check({}, policy({ portLevelSettings: [null] })), 'DR-06').message).toContain('trafficPolicy.portLevelSettings[0] is null');
  });

  test('tunnel together with proxyProtocol is an error', () => {
    const v = one(check({}, policy({ tunnel: { targetHost: 'proxy.example.com', targetPort: 3128 }, proxyProtocol: { version: 'V2' } })), 'DR-06');
    expect(v.message).toBe('trafficPolicy sets both tunnel and proxyProtocol');
  });

  test('a bad tunnel protocol, target host and target port are errors', () => {
    const found = only(check({}, policy({ tunnel: { protocol: 'GET', targetHost: 'proxy_1', targetPort: 0 } })), 'DR-06').map((v) => v.message);
    expect(found).toEqual([
      'trafficPolicy.tunnel.protocol "GET" is not a tunnel protocol',
      expect.stringContaining('trafficPolicy.tunnel.targetHost "proxy_1"'),
      'trafficPolicy.tunnel.targetPort 0 is outside 1-65535',
    ]);
  });

  test('a tunnel without target port is an error', () => {
    expect(one(check({}, policy({ tunnel: { targetHost: '10.0.0.1' } })), 'DR-06').message).toBe('trafficPolicy.tunnel.targetPort null is missing');
  });

  test('an unknown PROXY protocol version is an error', () => {
    const v = one(check({}, policy({ proxyProtocol: { version: 'V3' } })), 'DR-06');
    expect(v.message).toBe('trafficPolicy.proxyProtocol.version "V3" is not a PROXY protocol version');
  });

  test('a CONNECT tunnel to an IP, a V1 proxyProtocol and complete port-level entries pass', () => {
    const report = check({},
      policy({ tunnel: { protocol: 'CONNECT', targetHost: '10.0.0.1', targetPort: 3128 } }),
      policy({ proxyProtocol: { version: 'V1' } }),
      policy({ portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'ISTIO_MUTUAL' } }] }));
    expect(codes(report)).not.toContain('DR-06');
  });

  test('a DestinationRule without trafficPolicy passes', () => {
    expect(codes(check({}, dr({ host: HOST })))).not.toContain('DR-06');
  });
});

describe('DR-07 outlier detection', () => {
  const od = (outlierDetection: unknown) => policy({ outlierDetection });

  test('maxEjectionPercent 101 (max+1) is an error naming the field', () => {
    const v = one(check({}, od({ maxEjectionPercent: 101 })), 'DR-07');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toBe('trafficPolicy.outlierDetection.maxEjectionPercent 101 is outside 0-100');
  });

  test('minHealthPercent -1 (min-1) is an error', () => {
    expect(one(check({}, od({ minHealthPercent: -1 })), 'DR-07').message).toContain('minHealthPercent -1 is outside 0-100');
  });

  test('0 and 100 pass', () => {
    expect(codes(check({}, od({ maxEjectionPercent: 0, minHealthPercent: 100 })))).not.toContain('DR-07');
  });

  test('a fractional percentage is an error (the percentages are int32)', () => {
    expect(one(check({}, od({ maxEjectionPercent: 50.5 })), 'DR-07').message).toBe('trafficPolicy.outlierDetection.maxEjectionPercent 50.5 is not a whole percentage');
  });

  test.each([
    ['consecutive5xxErrors', -1, 'is negative'],
    ['consecutiveGatewayErrors', 2.5, 'is not an integer'],
    ['consecutiveLocalOriginFailures', 4294967296, 'exceeds the uint32 maximum 4294967295'],
  ])('the count %s %d is an error (%s)', (field, value, problem) => {
    const v = only(check({}, od({ [field]: value, splitExternalLocalOriginErrors: true })), 'DR-07');
    expect(v.map((x) => x.message)).toEqual([`trafficPolicy.outlierDetection.${field} ${value} ${problem}`]);
    expect(v[0].severity).toBe(ERROR);
    expect(v[0].value).toBe(value);
  });

  test('counts 0 and 4294967295 pass (0 turns a trigger off)', () => {
    expect(codes(check({}, od({ consecutive5xxErrors: 0, consecutiveGatewayErrors: 4294967295 })))).not.toContain('DR-07');
  });

  test('consecutiveLocalOriginFailures without splitExternalLocalOriginErrors is an error', () => {
    const v = one(check({}, od({ consecutiveLocalOriginFailures: 3 })), 'DR-07');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('consecutiveLocalOriginFailures is 3 but splitExternalLocalOriginErrors is false');
  });

  test('consecutiveLocalOriginFailures with splitExternalLocalOriginErrors passes', () => {
    expect(codes(check({}, od({ consecutiveLocalOriginFailures: 3, splitExternalLocalOriginErrors: true })))).not.toContain('DR-07');
  });

  test('the deprecated consecutiveErrors is a warning', () => {
    const v = one(check({}, od({ consecutiveErrors: 5 })), 'DR-07');
    expect(v.severity).toBe(WARNING);
    expect(v.message).toBe('trafficPolicy.outlierDetection.consecutiveErrors 5 is deprecated');
  });

  test('consecutive5xxErrors passes', () => {
    expect(codes(check({}, od({ consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s' })))).not.toContain('DR-07');
  });

  test('subset and port levels are checked too', () => {
    const report = check({}, dr({
      host: HOST,
      subsets: [{ name: 'v1', labels: { a: '1' }, trafficPolicy: { outlierDetection: { maxEjectionPercent: 200 } } }],
      trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, outlierDetection: { minHealthPercent: 150 } }] },
    }));
    expect(only(report, 'DR-07').map((v) => v.message)).toEqual([
      'trafficPolicy.portLevelSettings[0] (port 80).outlierDetection.minHealthPercent 150 is outside 0-100',
      'subset "v1" trafficPolicy.outlierDetection.maxEjectionPercent 200 is outside 0-100',
    ]);
  });
});

describe('DR-12 connection pool', () => {
  const pool = (connectionPool: unknown) => policy({ connectionPool });

  test('a pool with neither http nor tcp is an error', () => {
    const v = one(check({}, pool({})), 'DR-12');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toBe('trafficPolicy.connectionPool sets neither http nor tcp');
  });

  test('negative limits are errors naming the field', () => {
    const messages = only(check({}, pool({ http: { http1MaxPendingRequests: -1 }, tcp: { maxConnections: -1 } })), 'DR-12').map((v) => v.message);
    expect(messages).toEqual([
      'trafficPolicy.connectionPool.http.http1MaxPendingRequests -1 is negative',
      'trafficPolicy.connectionPool.tcp.maxConnections -1 is negative',
    ]);
  });

  test('h2UpgradePolicy UPGRADE with useClientProtocol is an error', () => {
    expect(one(check({}, pool({ http: { h2UpgradePolicy: 'UPGRADE', useClientProtocol: true } })), 'DR-12').message).toContain('h2UpgradePolicy UPGRADE and useClientProtocol true');
  });

  test('http2KeepAlive without timeout is an error', () => {
    expect(one(check({}, pool({ http: { http2KeepAlive: { interval: '10s' } } })), 'DR-12').message).toBe('trafficPolicy.connectionPool.http.http2KeepAlive has no timeout');
  });

  test('a fractional limit is an error', () => {
    const v = one(check({}, pool({ tcp: { maxConnections: 1.5 } })), 'DR-12');
    expect(v.message).toBe('trafficPolicy.connectionPool.tcp.maxConnections 1.5 is not an integer');
    expect(v.value).toBe(1.5);
  });

  test('zero limits and a complete pool pass', () => {
    const report = check({}, pool({ http: { http1MaxPendingRequests: 0, maxRetries: 0, h2UpgradePolicy: 'UPGRADE' }, tcp: { maxConnections: 100, connectTimeout: '1s' } }));
    expect(codes(report)).not.toContain('DR-12');
  });
});

describe('DR-13 load balancer', () => {
  const hash = (consistentHash: unknown) => policy({ loadBalancer: { consistentHash } });

  test('an httpCookie without name is an error', () => {
    const v = one(check({}, hash({ httpCookie: { ttl: '0s' } })), 'DR-13');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toBe('trafficPolicy.loadBalancer.consistentHash.httpCookie has no name');
  });

  test('repeated cookie attribute names are an error', () => {
    const v = one(check({}, hash({ httpCookie: { name: 'user', attributes: [{ name: 'SameSite', value: 'Lax' }, { name: 'SameSite', value: 'Strict' }] } })), 'DR-13');
    expect(v.message).toContain('httpCookie.attributes[1].name "SameSite" is repeated');
  });

  test('a named cookie with distinct attributes passes', () => {
    expect(codes(check({}, hash({ httpCookie: { name: 'user', ttl: '60s', attributes: [{ name: 'SameSite', value: 'Lax' }] } })))).not.toContain('DR-13');
  });

  test('an empty httpQueryParameterName is an error (Envoy rejects the route)', () => {
    const v = one(check({}, hash({ httpQueryParameterName: '' })), 'DR-13');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toBe('trafficPolicy.loadBalancer.consistentHash.httpQueryParameterName is empty');
  });

  test('a named httpQueryParameterName passes', () => {
    expect(codes(check({}, hash({ httpQueryParameterName: 'user' })))).not.toContain('DR-13');
  });

  test('minimumRingSize alone is a deprecation warning', () => {
    const v = one(check({}, hash({ httpHeaderName: 'x-user', minimumRingSize: 1024 })), 'DR-13');
    expect(v.severity).toBe(WARNING);
    expect(v.message).toBe('trafficPolicy.loadBalancer.consistentHash.minimumRingSize 1024 is deprecated');
  });

  test('minimumRingSize together with ringHash is an error', () => {
    const v = one(check({}, hash({ httpHeaderName: 'x-user', minimumRingSize: 1024, ringHash: { minimumRingSize: 1024 } })), 'DR-13');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('minimumRingSize 1024 is set together with ringHash');
  });

  test('maglev table sizes: unset, not prime, and 5000011 (limit) are errors; 65537 and 5000000-range primes pass', () => {
    const size = (tableSize?: number) => hash({ httpHeaderName: 'x-user', maglev: tableSize === undefined ? {} : { tableSize } });
    expect(one(check({}, size()), 'DR-13').message).toBe('trafficPolicy.loadBalancer.consistentHash.maglev.tableSize is not set');
    expect(one(check({}, size(65536)), 'DR-13').message).toBe('trafficPolicy.loadBalancer.consistentHash.maglev.tableSize 65536 is not a prime number');
    expect(one(check({}, size(5_000_011)), 'DR-13').message).toContain('tableSize 5000011 is not below 5000011');
    expect(codes(check({}, size(65537), size(4_999_999)))).not.toContain('DR-13');
  });

  test('warmup without duration, minimumPercent 101 and aggression 0.5 are errors', () => {
    const messages = only(check({}, policy({ loadBalancer: { simple: 'LEAST_REQUEST', warmup: { minimumPercent: 101, aggression: 0.5 } } })), 'DR-13').map((v) => v.message);
    expect(messages).toEqual([
      'trafficPolicy.loadBalancer.warmup has no duration',
      'trafficPolicy.loadBalancer.warmup.minimumPercent 101 is above 100',
      'trafficPolicy.loadBalancer.warmup.aggression 0.5 is below 1',
    ]);
  });

  test('a complete warmup passes (minimumPercent 100, aggression 1)', () => {
    expect(codes(check({}, policy({ loadBalancer: { simple: 'ROUND_ROBIN', warmup: { duration: '60s', minimumPercent: 100, aggression: 1 } } })))).not.toContain('DR-13');
  });
});
});
