import { Duration } from 'cdk8s';
import { thrownBy } from '../support/errors';
import { LoadBalancer, LoadBalancerAlgorithm, LocalityDistribution, LocalityFailover } from '../../src/policies/load-balancer';
import { validateManifest } from '../../src/schema/crd-validator';
import { raiseInvalid } from '../../src/core/problems';

/** A DestinationRule whose top-level traffic policy carries `loadBalancer`, for the CRD schema + CEL. */
const drWith = (loadBalancer: Record<string, unknown>) => ({
  apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'reviews' },
  spec: { host: 'reviews.bookinfo.svc.cluster.local', trafficPolicy: { loadBalancer } },
});

describe('LoadBalancer', () => {
  test.each(Object.values(LoadBalancerAlgorithm))('renders simple %s', (algorithm) => {
    expect(LoadBalancer.simple(algorithm)._render()).toEqual({ simple: algorithm });
  });

  test('rejects an unknown algorithm with PROP (not an enum member)', () => {
    const e = thrownBy(() => LoadBalancer.simple('LEAST_CONN' as LoadBalancerAlgorithm));
    expect(e.code).toBe('PROP');
    expect(e.value).toBe('LEAST_CONN');
    expect(e.allowed).toBe('LEAST_REQUEST, ROUND_ROBIN, RANDOM, PASSTHROUGH');
  });

  test('renders a header hash', () => {
    expect(LoadBalancer.consistentHashByHeader('x-user-id')._render()).toEqual({ consistentHash: { httpHeaderName: 'x-user-id' } });
  });

  test('rejects an upper-case header name with PROP (the API takes lower case; rule X-11 accepts any case, as Envoy)', () => {
    const e = thrownBy(() => LoadBalancer.consistentHashByHeader('X-User-Id'));
    expect(e.code).toBe('PROP');
    expect(e.value).toBe('X-User-Id');
  });

  test('rejects a header name that is not a token, or empty, with X-11, the check of rule X-11', () => {
    const e = thrownBy(() => LoadBalancer.consistentHashByHeader('x user'));
    expect(e.code).toBe('X-11');
    expect(e.value).toBe('x user');
    expect(thrownBy(() => LoadBalancer.consistentHashByHeader('')).code).toBe('X-11');
  });

  test('renders a cookie hash without ttl', () => {
    expect(LoadBalancer.consistentHashByCookie('session')._render()).toEqual({ consistentHash: { httpCookie: { name: 'session' } } });
  });

  test('renders a cookie hash with ttl', () => {
    expect(LoadBalancer.consistentHashByCookie('session', Duration.minutes(30))._render()).toEqual({
      consistentHash: { httpCookie: { name: 'session', ttl: '1800s' } },
    });
  });

  test('renders a cookie hash with ttl 0s (a session cookie) from Duration.seconds(0), valid for the CRD schema + CEL', () => {
    const rendered = LoadBalancer.consistentHashByCookie('session', Duration.seconds(0))._render();
    expect(rendered).toEqual({ consistentHash: { httpCookie: { name: 'session', ttl: '0s' } } });
    expect(validateManifest(drWith({ ...rendered }))).toEqual([]);
  });

  test('renders a cookie hash with ttl 1ms (the smallest non-zero ttl)', () => {
    expect(LoadBalancer.consistentHashByCookie('session', Duration.millis(1))._render()).toEqual({ consistentHash: { httpCookie: { name: 'session', ttl: '1ms' } } });
  });

  test('renders a session cookie hash (ttl 0s), valid for the CRD schema + CEL', () => {
    const rendered = LoadBalancer.consistentHashBySessionCookie('session')._render();
    expect(rendered).toEqual({ consistentHash: { httpCookie: { name: 'session', ttl: '0s' } } });
    expect(validateManifest(drWith({ ...rendered }))).toEqual([]);
  });

  test('a session cookie checks its name like consistentHashByCookie (DR-13 empty, PROP not a token)', () => {
    const e = thrownBy(() => LoadBalancer.consistentHashBySessionCookie(''));
    expect(e.code).toBe('DR-13');
    expect(e.path).toBe('LoadBalancer.consistentHashBySessionCookie');
    expect(thrownBy(() => LoadBalancer.consistentHashBySessionCookie('my session')).code).toBe('PROP');
  });

  test('rejects a ttl that is not a Duration with PROP', () => {
    expect(thrownBy(() => LoadBalancer.consistentHashByCookie('session', '0s' as any)).code).toBe('PROP');
  });

  test('rejects a cookie ttl above 0 but below 1ms with X-01, naming the session-cookie fix', () => {
    const e = thrownBy(() => LoadBalancer.consistentHashByCookie('session', Duration.millis(0.5)));
    expect(e.code).toBe('X-01');
    expect(e.message).toContain('ttl is shorter than 1ms (received 0.5ms)');
    expect(e.allowed).toBe('0 (a session cookie) or >= 1ms, whole milliseconds');
    expect(e.fix).toContain('Duration.seconds(0)');
  });

  test('rejects a sub-millisecond cookie ttl with X-01', () => {
    expect(thrownBy(() => LoadBalancer.consistentHashByCookie('session', Duration.millis(1.5))).code).toBe('X-01');
  });

  test('rejects a cookie ttl below 1ms with X-01', () => {
    const e = thrownBy(() => LoadBalancer.consistentHashByCookie('session', Duration.millis(0.5)));
    expect(e.code).toBe('X-01');
    expect(e.path).toBe('LoadBalancer.consistentHashByCookie');
  });

  test('rejects an invalid cookie name with PROP (the RFC 6265 token this factory takes)', () => {
    expect(thrownBy(() => LoadBalancer.consistentHashByCookie('my session')).code).toBe('PROP');
  });

  test('rejects an empty cookie name with DR-13, the check of rule DR-13', () => {
    const e = thrownBy(() => LoadBalancer.consistentHashByCookie(''));
    expect(e.code).toBe('DR-13');
    expect(e.message).toContain('the cookie has no name');
  });

  test('renders a source IP hash', () => {
    expect(LoadBalancer.consistentHashBySourceIp()._render()).toEqual({ consistentHash: { useSourceIp: true } });
  });

  test('renders a query parameter hash', () => {
    expect(LoadBalancer.consistentHashByQueryParameter('user')._render()).toEqual({ consistentHash: { httpQueryParameterName: 'user' } });
  });

  test('rejects an empty query parameter name with DR-13', () => {
    expect(thrownBy(() => LoadBalancer.consistentHashByQueryParameter('')).code).toBe('DR-13');
  });

  test('render returns a deep copy', () => {
    const lb = LoadBalancer.consistentHashByCookie('session');
    (lb._render().consistentHash as any).httpCookie.name = 'changed';
    expect(lb._render()).toEqual({ consistentHash: { httpCookie: { name: 'session' } } });
  });
});

describe('LocalityFailover.priority', () => {
  test('renders failoverPriority in order', () => {
    expect(LocalityFailover.priority(['topology.kubernetes.io/zone', 'topology.kubernetes.io/region'])._render()).toEqual({
      enabled: true, failoverPriority: ['topology.kubernetes.io/zone', 'topology.kubernetes.io/region'],
    });
  });

  test('copies the input list', () => {
    const labels = ['topology.kubernetes.io/region'];
    const f = LocalityFailover.priority(labels);
    labels.push('topology.kubernetes.io/zone');
    expect(f._render()).toEqual({ enabled: true, failoverPriority: ['topology.kubernetes.io/region'] });
  });

  test('rejects an empty list with PROP', () => {
    const e = thrownBy(() => LocalityFailover.priority([]));
    expect(e.code).toBe('PROP');
    expect(e.value).toBe('[]');
    expect(e.allowed).toBe('non-empty list of distinct label keys');
  });

  test('rejects duplicate keys with PROP', () => {
    expect(thrownBy(() => LocalityFailover.priority(['a', 'a'])).code).toBe('PROP');
  });

  test('rejects an empty key with PROP', () => {
    expect(thrownBy(() => LocalityFailover.priority(['topology.kubernetes.io/zone', ''])).code).toBe('PROP');
  });
});

describe('LocalityFailover.regions', () => {
  test('renders failover pairs', () => {
    expect(LocalityFailover.regions([{ from: 'us-east1', to: 'us-west1' }, { from: 'us-west1', to: 'us-east1' }])._render()).toEqual({
      enabled: true,
      failover: [{ from: 'us-east1', to: 'us-west1' }, { from: 'us-west1', to: 'us-east1' }],
    });
  });

  test('rejects no pairs with PROP', () => {
    expect(thrownBy(() => LocalityFailover.regions([])).code).toBe('PROP');
  });

  test('rejects a pair from a region to itself with DR-10', () => {
    const e = thrownBy(() => LocalityFailover.regions([{ from: 'us-east1', to: 'us-east1' }]));
    expect(e.code).toBe('DR-10');
    expect(e.value).toBe('us-east1 -> us-east1');
    expect(e.allowed).toBe('two different region names without "/" or "*"');
  });

  test('rejects a zone ("/") with DR-10', () => {
    expect(thrownBy(() => LocalityFailover.regions([{ from: 'us-east1/us-east1-b', to: 'us-west1' }])).code).toBe('DR-10');
  });

  test('rejects a wildcard with DR-10', () => {
    expect(thrownBy(() => LocalityFailover.regions([{ from: 'us-east1', to: '*' }])).code).toBe('DR-10');
  });

  test('rejects an empty region with PROP', () => {
    expect(thrownBy(() => LocalityFailover.regions([{ from: '', to: 'us-west1' }])).code).toBe('PROP');
  });
});

describe('LocalityFailover.distribute', () => {
  const ZONES: LocalityDistribution[] = [
    { from: 'us-west/zone1/*', to: { 'us-west/zone1/*': 80, 'us-west/zone2/*': 20 } },
    { from: 'us-west/zone2/*', to: { 'us-west/zone1/*': 20, 'us-west/zone2/*': 80 } },
  ];

  test('renders enabled and distribute, entries and weights in order', () => {
    expect(LocalityFailover.distribute(ZONES)._render()).toEqual({
      enabled: true,
      distribute: [
        { from: 'us-west/zone1/*', to: { 'us-west/zone1/*': 80, 'us-west/zone2/*': 20 } },
        { from: 'us-west/zone2/*', to: { 'us-west/zone1/*': 20, 'us-west/zone2/*': 80 } },
      ],
    });
  });

  test('the emitted localityLbSetting passes the CRD schema + CEL', () => {
    expect(validateManifest(drWith({ localityLbSetting: LocalityFailover.distribute(ZONES)._render() }))).toEqual([]);
  });

  test('accepts weight 100 (the maximum) alone, and weights 1 and 99 (the minimum)', () => {
    expect(LocalityFailover.distribute([{ from: 'us-west', to: { 'us-east': 100 } }])._render()).toEqual({ enabled: true, distribute: [{ from: 'us-west', to: { 'us-east': 100 } }] });
    expect(LocalityFailover.distribute([{ from: 'us-west', to: { 'us-west': 99, 'us-east': 1 } }])._render()).toEqual({
      enabled: true, distribute: [{ from: 'us-west', to: { 'us-west': 99, 'us-east': 1 } }],
    });
  });

  test('accepts "*" as the whole from, and region, zone and subzone localities', () => {
    expect(() => raiseInvalid(LocalityFailover.distribute([{ from: '*', to: { 'r/z/s': 50, 'r/y': 25, 'q': 25 } }]))).not.toThrow();
  });

  test('copies its input', () => {
    const to: { [locality: string]: number } = { 'us-west': 100 };
    const f = LocalityFailover.distribute([{ from: 'us-west', to }]);
    to['us-west'] = 1;
    expect(f._render()).toEqual({ enabled: true, distribute: [{ from: 'us-west', to: { 'us-west': 100 } }] });
  });

  test('rejects weight 0 (min-1) with DR-10, naming the locality', () => {
    const e = thrownBy(() => LocalityFailover.distribute([{ from: 'us-west', to: { 'us-west': 100, 'us-east': 0 } }]));
    expect(e.code).toBe('DR-10');
    expect(e.path).toBe('LocalityFailover.distribute');
    expect(e.message).toContain('distribute from "us-west": to locality "us-east" has weight 0, which is outside 1-100');
    expect(e.value).toBe(0);
    expect(e.allowed).toBe('integer 1-100');
  });

  test('rejects weight 101 (max+1) with DR-10', () => {
    expect(thrownBy(() => LocalityFailover.distribute([{ from: 'us-west', to: { 'us-west': 101 } }])).code).toBe('DR-10');
  });

  test('rejects a fractional weight with DR-10', () => {
    expect(thrownBy(() => LocalityFailover.distribute([{ from: 'us-west', to: { 'us-west': 50.5, 'us-east': 49.5 } }])).message).toContain('is not an integer');
  });

  test('rejects weights that do not total 100 (99 and 101) with DR-10', () => {
    const e = thrownBy(() => LocalityFailover.distribute([{ from: 'us-west', to: { 'us-west': 80, 'us-east': 19 } }]));
    expect(e.code).toBe('DR-10');
    expect(e.message).toContain('distribute from "us-west": the weights total 99, not 100');
    expect(e.value).toBe(99);
    expect(thrownBy(() => LocalityFailover.distribute([{ from: 'us-west', to: { 'us-west': 81, 'us-east': 20 } }])).value).toBe(101);
  });

  test('rejects an empty to (weights total 0) with DR-10', () => {
    expect(thrownBy(() => LocalityFailover.distribute([{ from: 'us-west', to: {} }])).message).toContain('the weights total 0');
  });

  test('rejects a from covered by an earlier from with DR-10', () => {
    const e = thrownBy(() => LocalityFailover.distribute([
      { from: 'us-west/*', to: { 'us-west': 100 } }, { from: 'us-west/zone1', to: { 'us-west': 100 } }]));
    expect(e.code).toBe('DR-10');
    expect(e.message).toContain('distribute from locality "us-west/zone1" is covered by the earlier "us-west/*"');
  });

  test('rejects a to locality covered by an earlier one, and a "*" that is not last, with DR-10', () => {
    const covered = thrownBy(() => LocalityFailover.distribute([{ from: 'us-west', to: { 'us-east/*': 50, 'us-east/zone1': 50 } }]));
    expect(covered.code).toBe('DR-10');
    expect(covered.message).toContain('distribute from "us-west": to locality "us-east/zone1" is covered by the earlier "us-east/*"');
    const star = thrownBy(() => LocalityFailover.distribute([{ from: '*/zone1', to: { 'us-east': 100 } }]));
    expect(star.code).toBe('DR-10');
    expect(star.message).toContain('may contain one "*", and only as its last character');
  });

  test('rejects an empty from with DR-10', () => {
    expect(thrownBy(() => LocalityFailover.distribute([{ from: '', to: { 'us-east': 100 } }])).message).toContain('distribute from locality "" is empty');
  });

  test('rejects no entries, or an entry that is not { from, to }, with PROP', () => {
    expect(thrownBy(() => LocalityFailover.distribute([])).code).toBe('PROP');
    expect(thrownBy(() => LocalityFailover.distribute('us-west' as any)).code).toBe('PROP');
    expect(thrownBy(() => LocalityFailover.distribute([{ from: 'us-west' } as any])).code).toBe('PROP');
    expect(thrownBy(() => LocalityFailover.distribute([{ from: 1, to: { a: 100 } } as any])).code).toBe('PROP');
  });

  test('rejects a locality cdk8s cannot synthesize ("constructor") with PROP', () => {
    expect(thrownBy(() => LocalityFailover.distribute([{ from: 'us-west', to: { constructor: 100 } as any }])).code).toBe('PROP');
  });
});

describe('invalid arguments make an invalid load balancer', () => {
  test('deriving from an invalid one (withWarmup, withRingHash) keeps its problem; the derivation\'s own problem has its path', () => {
    const bad = LoadBalancer.consistentHashByHeader('');
    expect(thrownBy(() => bad.withRingHash(1024)).path).toBe('LoadBalancer.consistentHashByHeader');
    expect(thrownBy(() => LoadBalancer.simple(LoadBalancerAlgorithm.RANDOM).withWarmup(Duration.seconds(30))).path).toBe('LoadBalancer.withWarmup');
    expect(thrownBy(() => LoadBalancer.warmup(Duration.millis(0))).code).toBe('X-01');
  });

  test('rendering an invalid one throws the factory\'s error; a valid one renders unchanged', () => {
    expect(() => LocalityFailover.regions([])._render()).toThrow(/^\[LocalityFailover\.regions\] PROP: failover needs at least one region pair/);
    expect(LoadBalancer.simple(LoadBalancerAlgorithm.ROUND_ROBIN).withWarmup(Duration.seconds(30))._render()).toEqual({ simple: 'ROUND_ROBIN', warmup: { duration: '30s' } });
  });
});
