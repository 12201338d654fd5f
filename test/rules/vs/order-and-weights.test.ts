import { CATCH_ALL, codes, dest, dr, ERROR, HOST, one, only, run, vs, WARNING } from '../../support/rules';

const headerRoute = { name: 'canary-test', match: [{ headers: { 'x-canary': { exact: 'true' } } }], route: [dest(HOST)] };


/** A VS whose catch-all route splits across two subsets with the given weights. */
const split = (a: number, b: number) => vs({ hosts: [HOST], http: [{ name: 'split', route: [dest(HOST, { subset: 'v1', weight: a }), dest(HOST, { subset: 'v2', weight: b })] }] });


/** A VS whose catch-all route has a single destination with `weight`. */
const single = (weight: number) => vs({ hosts: [HOST], http: [{ name: 'default', route: [dest(HOST, { weight })] }] });


const SUBSETS = [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }];
const toSubset = (host: string, subset: string, meta = { namespace: 'shop' }) =>
  vs({ hosts: [host], http: [{ name: 'default', route: [dest(host, { subset })] }] }, meta);

describe('VS-06 catch-all last', () => {
  test('a match-less route before other routes is an error naming the unreachable routes', () => {
    const v = one(run(vs({ hosts: [HOST], http: [CATCH_ALL, headerRoute] })), 'VS-06');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('route "default" has no match');
    expect(v.message).toContain('route "canary-test" after it can never be reached');
    expect(v.value).toBe(0);
  });

  test('two catch-all routes are an error (the second is unreachable)', () => {
    const second = { name: 'fallback', route: [dest(HOST)] };
    const v = one(run(vs({ hosts: [HOST], http: [headerRoute, CATCH_ALL, second] })), 'VS-06');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('route "fallback"');
  });

  test('exactly one catch-all route, last, passes', () => {
    expect(codes(run(vs({ hosts: [HOST], http: [headerRoute, CATCH_ALL] })))).not.toContain('VS-06');
  });

  test('unnamed routes are reported by index', () => {
    const v = one(run(vs({ hosts: [HOST], http: [{ route: [dest(HOST)] }, { match: [{ uri: { prefix: '/a' } }], route: [dest(HOST)] }] })), 'VS-06');
    expect(v.message).toContain('http[0] has no match');
    expect(v.message).toContain('http[1]');
  });

  test('a mesh-bound VirtualService without a catch-all is an error', () => {
    const v = one(run(vs({ hosts: [HOST], http: [headerRoute] })), 'VS-06');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('VirtualService "reviews" has no catch-all route');
    expect(v.message).toContain('404');
  });

  test('a VirtualService bound to mesh and a gateway without a catch-all is an error', () => {
    const v = one(run(vs({ hosts: [HOST], gateways: ['mesh', 'istio-system/ingress'], http: [headerRoute] })), 'VS-06');
    expect(v.severity).toBe(ERROR);
  });

  test('a gateway-bound VirtualService without a catch-all is a warning', () => {
    const report = run(vs({ hosts: ['shop.example.com'], gateways: ['istio-system/ingress'], http: [headerRoute] }));
    const v = one(report, 'VS-06');
    expect(v.severity).toBe(WARNING);
    expect(report.warnings).toContain(v);
    expect(v.message).toContain('unless another VirtualService on the same gateway supplies a default');
  });

  test('a mesh-bound VirtualService whose every route selects a port only warns (a split by port, as in Istio\'s egress task)', () => {
    const byPort = { match: [{ port: 80 }], route: [dest(HOST, { port: { number: 443 } })] };
    const v = one(run(vs({ hosts: [HOST], http: [byPort] })), 'VS-06');
    expect(v.severity).toBe(WARNING);
    expect(v.message).toContain('every route selects a port');
    // One route without a port condition makes it the usual error again.
    expect(one(run(vs({ hosts: [HOST], http: [byPort, headerRoute] })), 'VS-06').severity).toBe(ERROR);
  });

  test('a catch-all per bound gateway (matches naming only gateways, the egress-gateway pattern) passes; one scope short is reported', () => {
    const scoped = (gateways: string[]) => ({ match: [{ gateways }], route: [dest(HOST)] });
    expect(codes(run(vs({ hosts: [HOST], gateways: ['mesh', 'istio-system/egress'], http: [scoped(['mesh']), scoped(['istio-system/egress'])] })))).not.toContain('VS-06');
    const short = one(run(vs({ hosts: [HOST], gateways: ['mesh', 'istio-system/egress'], http: [scoped(['mesh'])] })), 'VS-06');
    expect(short.message).toContain('has no catch-all route');
  });

  test('a gateway-bound VirtualService with a catch-all passes', () => {
    const report = run(vs({ hosts: ['shop.example.com'], gateways: ['istio-system/ingress'], http: [headerRoute, CATCH_ALL] }));
    expect(codes(report)).not.toContain('VS-06');
  });

  test('a delegate VirtualService (no hosts) is not required to have a catch-all', () => {
    expect(codes(run(vs({ http: [headerRoute] })))).not.toContain('VS-06');
  });

  test('a TCP-only VirtualService is not checked', () => {
    expect(codes(run(vs({ hosts: [HOST], tcp: [{ match: [{ port: 3306 }], route: [dest(HOST)] }] })))).not.toContain('VS-06');
  });
});

describe('VS-11 weights sum to 100', () => {
  test('weights summing to 99 (100-1) are an error naming the route and the sum', () => {
    const v = one(run(split(50, 49)), 'VS-11');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('route "split" weights 50 + 49 = 99');
    expect(v.value).toBe(99);
    expect(v.allowed).toBe('sum of 100');
  });

  test('weights summing to 100 pass', () => {
    expect(codes(run(split(90, 10)))).not.toContain('VS-11');
  });

  test('weights summing to 101 (100+1) are an error', () => {
    const v = one(run(split(51, 50)), 'VS-11');
    expect(v.message).toContain('= 101');
  });

  test('0 and 100 pass (a drained destination)', () => {
    expect(codes(run(split(100, 0)))).not.toContain('VS-11');
  });

  test('all-zero weights are an error saying no traffic can be routed', () => {
    expect(one(run(split(0, 0)), 'VS-11').message).toContain('(no traffic can be routed)');
  });

  test('omitted weights on a multi-destination route count as 0', () => {
    const report = run(vs({ hosts: [HOST], http: [{ name: 'split', route: [dest(HOST, { subset: 'v1' }), dest(HOST, { subset: 'v2', weight: 90 })] }] }));
    expect(one(report, 'VS-11').message).toContain('0 + 90 = 90');
  });

  test('a negative weight is an error naming the weight', () => {
    const v = one(run(split(110, -10)), 'VS-11');
    expect(v.message).toContain('route "split" has weight -10');
    expect(v.allowed).toBe('integer >= 0');
  });

  test('a fractional weight is an error', () => {
    expect(one(run(split(50.5, 49.5)), 'VS-11').message).toContain('has weight 50.5');
  });

  test('TCP routes are checked as well', () => {
    const report = run(vs({ hosts: [HOST], tcp: [{ route: [dest(HOST, { subset: 'v1', weight: 30 }), dest(HOST, { subset: 'v2', weight: 30 })] }] }));
    expect(one(report, 'VS-11').message).toContain('tcp[0] weights 30 + 30 = 60');
  });
});

describe('VS-12 single destination partial weight', () => {
  test('weight 1 (min) is an error naming the route and weight', () => {
    const v = one(run(single(1)), 'VS-12');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('route "default" has a single destination with weight 1; it receives 100%');
    expect(v.value).toBe(1);
  });

  test('weight 99 (max) is an error', () => {
    expect(one(run(single(99)), 'VS-12').value).toBe(99);
  });

  test('weight 100 passes', () => {
    expect(codes(run(single(100)))).not.toContain('VS-12');
  });

  test('no weight passes', () => {
    expect(codes(run(vs({ hosts: [HOST], http: [CATCH_ALL] })))).not.toContain('VS-12');
  });

  test('a single-destination partial weight is not also a VS-11 sum error', () => {
    expect(codes(run(single(50)))).not.toContain('VS-11');
  });
});

describe('VS-16 subsets are defined', () => {
  test('a subset defined by a DestinationRule with a short host in the same namespace resolves from an FQDN', () => {
    const report = run(dr({ host: 'reviews', subsets: SUBSETS }, { namespace: 'shop' }), toSubset(HOST, 'v2'));
    expect(codes(report)).not.toContain('VS-16');
  });

  test('an FQDN DestinationRule host resolves a short VirtualService destination in the same namespace', () => {
    const report = run(dr({ host: HOST, subsets: SUBSETS }, { namespace: 'shop' }), toSubset('reviews', 'v1'));
    expect(codes(report)).not.toContain('VS-16');
  });

  test('a short DestinationRule host in another namespace does not resolve', () => {
    const report = run(dr({ host: 'reviews', subsets: SUBSETS }, { namespace: 'other' }), toSubset(HOST, 'v2'));
    const v = one(report, 'VS-16');
    expect(v.message).toContain('no DestinationRule in the App defines');
  });

  test('a wildcard DestinationRule host "*.shop.svc.cluster.local" resolves', () => {
    const report = run(dr({ host: '*.shop.svc.cluster.local', subsets: SUBSETS }, { namespace: 'shop' }), toSubset(HOST, 'v1'));
    expect(codes(report)).not.toContain('VS-16');
  });

  test('a subset missing from the DestinationRule is an error listing the known subsets', () => {
    const report = run(dr({ host: HOST, subsets: SUBSETS }, { namespace: 'shop' }), toSubset(HOST, 'v3'));
    const v = one(report, 'VS-16');
    expect(v.severity).toBe(ERROR);
    expect(v.path).toBe('obj1');
    expect(v.message).toContain('route "default" destination 0 routes to subset "v3" of reviews.shop.svc.cluster.local');
    expect(v.message).toContain('not among the defined subsets (v1, v2)');
    expect(v.value).toBe('v3');
    expect(v.allowed).toBe('v1, v2');
  });

  test('a subset with no DestinationRule for the host at all is an error', () => {
    const v = one(run(toSubset(HOST, 'v1')), 'VS-16');
    expect(v.message).toContain('which no DestinationRule in the App defines');
    expect(v.allowed).toBe('no subsets defined');
  });

  test('a mirror to a missing subset is an error naming the mirror', () => {
    const report = run(
      dr({ host: HOST, subsets: SUBSETS }, { namespace: 'shop' }),
      vs({ hosts: [HOST], http: [{ name: 'default', route: [dest(HOST, { subset: 'v1' })], mirror: { host: HOST, subset: 'shadow' }, mirrorPercentage: { value: 5 } }] }, { namespace: 'shop' }),
    );
    const v = one(report, 'VS-16');
    expect(v.message).toContain('route "default" mirror routes to subset "shadow"');
  });

  test('a mirrors[] entry to a missing subset is an error', () => {
    const report = run(
      dr({ host: HOST, subsets: SUBSETS }, { namespace: 'shop' }),
      vs({ hosts: [HOST], http: [{ name: 'default', route: [dest(HOST, { subset: 'v1' })], mirrors: [{ destination: { host: HOST, subset: 'v9' }, percentage: { value: 5 } }] }] }, { namespace: 'shop' }),
    );
    expect(one(report, 'VS-16').message).toContain('route "default" mirrors[0] routes to subset "v9"');
  });

  test('a destination without a subset needs no DestinationRule', () => {
    expect(codes(run(vs({ hosts: [HOST], http: [CATCH_ALL] })))).not.toContain('VS-16');
  });

  test('each missing subset is reported once', () => {
    const report = run(vs({ hosts: [HOST], http: [{ name: 'split', route: [dest(HOST, { subset: 'a', weight: 50 }), dest(HOST, { subset: 'b', weight: 50 })] }] }));
    expect(only(report, 'VS-16').map((v) => v.value)).toEqual(['a', 'b']);
  });
});
