/**
 * Which VirtualService routes a request: host resolution (short names, wildcards, exact before wildcard, longest
 * wildcard), namespace visibility (exportTo), gateway binding and servers, conflicting VirtualServices, and default
 * routing when none applies.
 */
import { RetrySource, SimulationOutcome, TrafficSource } from '../../src';
import { gateway, route, service, simulate, vs } from './support';

const hostOf = (r: ReturnType<typeof simulate>) => r.destinations.map((d) => d.host);

describe('host selection', () => {
  const ms = [
    vs('wild', { hosts: ['*.example.com'], http: [route('wild')] }),
    vs('api', { hosts: ['api.example.com'], http: [route('api')] }),
    vs('deep', { hosts: ['*.api.example.com'], http: [route('deep')] }),
  ];

  test('an exact host beats a wildcard that also covers it', () => {
    expect(simulate(ms, { authority: 'api.example.com' }).virtualService).toBe('default/api');
  });

  test('the longest wildcard wins', () => {
    expect(simulate(ms, { authority: 'v1.api.example.com' }).virtualService).toBe('default/deep');
    expect(simulate(ms, { authority: 'www.example.com' }).virtualService).toBe('default/wild');
  });

  test('hosts compare case-insensitively, without a trailing dot, and the authority port is the request port', () => {
    const r = simulate(ms, { authority: 'API.Example.com.:8443' });
    expect(r.virtualService).toBe('default/api');
    expect(r.port).toBe(8443);
  });

  test('a short VirtualService host resolves in its namespace; a short request host in the caller\'s', () => {
    const prod = [vs('reviews', { hosts: ['reviews'], http: [route('reviews', undefined, { subset: 'v2' })] }, 'prod')];
    expect(simulate(prod, { authority: 'reviews', source: TrafficSource.mesh({ namespace: 'prod' }) }).virtualService).toBe('prod/reviews');
    const other = simulate(prod, { authority: 'reviews', source: TrafficSource.mesh({ namespace: 'default' }) });
    expect(other.outcome).toBe(SimulationOutcome.DEFAULT_ROUTE);
    expect(other.host).toBe('reviews.default.svc.cluster.local');
    expect(simulate(prod, { authority: 'reviews.prod' }).host).toBe('reviews.prod.svc.cluster.local');
    expect(simulate(prod, { authority: 'reviews.prod.svc' }).virtualService).toBe('prod/reviews');
  });
});

describe('visibility (exportTo)', () => {
  const ms = [vs('private', { hosts: ['db.example.com'], exportTo: ['.'], http: [route('db-proxy')] }, 'team-a')];

  test('a VirtualService exported to "." routes only its own namespace', () => {
    expect(simulate(ms, { authority: 'db.example.com', source: TrafficSource.mesh({ namespace: 'team-a' }) }).outcome).toBe(SimulationOutcome.ROUTED);
    const r = simulate(ms, { authority: 'db.example.com', source: TrafficSource.mesh({ namespace: 'team-b' }) });
    expect(r.outcome).toBe(SimulationOutcome.DEFAULT_ROUTE);
    expect(r.notes).toContain('VirtualService team-a/private routes db.example.com but is not exported to namespace team-b');
  });

  test('a VirtualService exported to a namespace list routes those namespaces', () => {
    const listed = [vs('shared', { hosts: ['db.example.com'], exportTo: ['team-b'], http: [route('db-proxy')] }, 'team-a')];
    expect(simulate(listed, { authority: 'db.example.com', source: TrafficSource.mesh({ namespace: 'team-b' }) }).outcome).toBe(SimulationOutcome.ROUTED);
    expect(simulate(listed, { authority: 'db.example.com', source: TrafficSource.mesh({ namespace: 'team-a' }) }).outcome).toBe(SimulationOutcome.DEFAULT_ROUTE);
  });
});

describe('default routing and conflicts', () => {
  test('without a VirtualService the request goes to the host itself, with Istio\'s default retries and no timeout', () => {
    const r = simulate([service('ratings', { app: 'ratings' }, [9080])], { authority: 'ratings' });
    expect(r.outcome).toBe(SimulationOutcome.DEFAULT_ROUTE);
    expect(r.destinations).toEqual([{ host: 'ratings.default.svc.cluster.local', port: 9080, percent: 100 }]);
    expect(r.retry).toEqual({
      attempts: 2, retryOn: 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes', retriableStatusCodes: [503], source: RetrySource.ISTIO_DEFAULT,
    });
    expect(r.timeout).toBeUndefined();
    expect(r.notes).toContain('no VirtualService routes ratings.default.svc.cluster.local for sidecars in namespace default: default routing to the host itself');
  });

  test('the port of a request that names none: the Service\'s only port, else 80, noted', () => {
    expect(simulate([service('ratings', { app: 'ratings' }, [9080])], { authority: 'ratings' }).port).toBe(9080);
    const several = simulate([service('ratings', { app: 'ratings' }, [9080, 9090])], { authority: 'ratings' });
    expect(several.port).toBe(80);
    expect(several.notes).toContain('port 80 assumed: the request names no port and the Service has several (9080, 9090)');
  });

  test('a host the input does not know is noted (passthrough or BlackHoleCluster depends on the mesh)', () => {
    const r = simulate([], { authority: 'api.stripe.com', port: 443, scheme: 'https' });
    expect(r.notes.join('\n')).toMatch(/not a Service or ServiceEntry in the input/);
  });

  test('two VirtualServices for one host in the mesh: the first in the input is used, the other noted', () => {
    const ms = [vs('one', { hosts: ['reviews'], http: [route('one')] }), vs('two', { hosts: ['reviews.default.svc.cluster.local'], http: [route('two')] }, 'other')];
    const r = simulate(ms, { authority: 'reviews.default.svc.cluster.local' });
    expect(r.virtualService).toBe('default/one');
    expect(r.notes.join('\n')).toMatch(/VirtualService other\/two also routes reviews.default.svc.cluster.local for sidecars/);
  });
});

describe('gateways', () => {
  const source = TrafficSource.gateway('istio-system/edge');
  const gw = gateway('edge', 'istio-system', [8080], ['shop/*.example.com']);

  test('VirtualServices for one host at a gateway are merged in order', () => {
    const ms = [gw,
      vs('cart', { hosts: ['shop.example.com'], gateways: ['istio-system/edge'], http: [route('cart', [{ uri: { prefix: '/cart' } }])] }, 'shop'),
      vs('catalog', { hosts: ['shop.example.com'], gateways: ['istio-system/edge'], http: [route('catalog', [{ uri: { prefix: '/items' } }])] }, 'shop')];
    const r = simulate(ms, { authority: 'shop.example.com', path: '/items/1', source });
    expect(r.route).toEqual({ virtualService: 'shop/catalog', index: 0, matchIndex: 0 });
    expect(r.port).toBe(8080);
    expect(hostOf(r)).toEqual(['catalog.shop.svc.cluster.local']);
  });

  test('a Gateway server host "namespace/host" admits VirtualServices of that namespace only', () => {
    const ms = [gw, vs('rogue', { hosts: ['shop.example.com'], gateways: ['istio-system/edge'], http: [route('rogue')] }, 'other')];
    const r = simulate(ms, { authority: 'shop.example.com', source });
    expect(r.outcome).toBe(SimulationOutcome.NO_ROUTE);
  });

  test('a request on a port or for a host the Gateway does not serve gets NR before any route', () => {
    const ms = [gw, vs('cart', { hosts: ['shop.example.com'], gateways: ['istio-system/edge'], http: [route('cart')] }, 'shop')];
    expect(simulate(ms, { authority: 'shop.example.com', port: 443, source }).noRouteReason).toBe('Gateway istio-system/edge has no server on port 443');
    expect(simulate(ms, { authority: 'shop.other.org', source }).noRouteReason).toBe('Gateway istio-system/edge serves no host matching "shop.other.org" on port 8080');
  });

  test('a Gateway outside the input is not checked, and says so', () => {
    const ms = [vs('cart', { hosts: ['*'], gateways: ['edge'], http: [route('cart')] }, 'istio-system')];
    const r = simulate(ms, { authority: 'anything.example.com', source });
    expect(r.outcome).toBe(SimulationOutcome.ROUTED);
    expect(r.notes).toContain('Gateway istio-system/edge is not in the input: its servers (ports, hosts) are not checked');
  });
});
