import { Duration } from 'cdk8s';
import { thrownBy } from '../support/errors';
import { LoadBalancer, LoadBalancerAlgorithm, LocalityFailover } from '../../src/policies/load-balancer';

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
