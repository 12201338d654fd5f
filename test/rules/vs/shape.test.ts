
import { CATCH_ALL, dest, ERROR, findings, HOST, passes, single, vs, WARNING } from '../../support/rules';
import { VS01, VS02, VS03, VS04, VS05 } from '../../../src/rules/vs/shape';

describe('VS-01 at least one route section', () => {
  test('a VirtualService with only hosts is an error', () => {
    const v = single(VS01, vs({ hosts: [HOST] }));
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('VirtualService "reviews" has no routes');
    expect(v.message).toContain('spec.http, spec.tcp and spec.tls');
  });

  test('empty route lists are an error', () => {
    expect(single(VS01, vs({ hosts: [HOST], http: [], tcp: [] })).code).toBe('VS-01');
  });

  test('one tcp route passes', () => {
    expect(passes(VS01, vs({ hosts: [HOST], tcp: [{ route: [dest(HOST)] }] }))).toBe(true);
  });
});

describe('VS-02 delegation', () => {
  const root = (route: Record<string, unknown>) => vs({ hosts: [HOST], http: [{ name: 'api', match: [{ uri: { prefix: '/api' } }], ...route }, CATCH_ALL] });

  test('a delegate VirtualService (no hosts) with gateways is an error', () => {
    const v = single(VS02, vs({ gateways: ['istio-system/ingress'], http: [CATCH_ALL] }));
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('has no hosts, so it is a delegate VirtualService, but sets spec.gateways');
  });

  test('a delegate VirtualService with tcp and tls routes gets one error each', () => {
    const found = findings(VS02, vs({ tcp: [{ route: [dest(HOST)] }], tls: [{ match: [{ sniHosts: [HOST] }], route: [dest(HOST)] }] }));
    expect(found.map((f) => f.message)).toEqual([
      expect.stringContaining('sets spec.tcp'), expect.stringContaining('sets spec.tls'),
    ]);
  });

  test('a delegate VirtualService with only http routes passes', () => {
    expect(passes(VS02, vs({ http: [CATCH_ALL] }))).toBe(true);
  });

  test('nested delegation is an error', () => {
    const v = single(VS02, vs({ http: [{ name: 'inner', delegate: { name: 'deeper', namespace: 'shop' } }] }));
    expect(v.message).toContain('spec.http[0] (route "inner") delegates again inside a delegate VirtualService');
  });

  test('a delegating route with route is an error', () => {
    const v = single(VS02, root({ delegate: { name: 'api', namespace: 'shop' }, route: [dest(HOST)] }));
    expect(v.message).toBe('spec.http[0] (route "api") sets both delegate and route');
  });

  test('a delegating route with redirect is an error', () => {
    expect(single(VS02, root({ delegate: { name: 'api' }, redirect: { uri: '/v2' } })).message).toContain('sets both delegate and redirect');
  });

  test('a delegate without name is an error', () => {
    const v = single(VS02, root({ delegate: { namespace: 'shop' } }));
    expect(v.message).toContain('spec.http[0].delegate (route "api") has no name');
  });

  test('a delegate namespace that is not a DNS label is an error', () => {
    expect(single(VS02, root({ delegate: { name: 'api', namespace: 'Shop_NS' } })).message).toContain('spec.http[0].delegate.namespace "Shop_NS"');
  });

  test('a root route with match and delegate { name, namespace } passes', () => {
    expect(passes(VS02, root({ delegate: { name: 'api', namespace: 'shop' } }))).toBe(true);
  });
});

describe('VS-03 hosts', () => {
  test('a mesh-bound "*.com" exported everywhere is a warning; narrowed, under a domain, or gateway-bound it passes', () => {
    const broad = single(VS03, vs({ hosts: ['*.com'], http: [CATCH_ALL] }));
    expect(broad.severity).toBe(WARNING);
    expect(broad.message).toContain('covers a whole top-level domain');
    passes(VS03, vs({ hosts: ['*.com'], exportTo: ['.'], http: [CATCH_ALL] }));
    passes(VS03, vs({ hosts: ['*.api.example.com'], http: [CATCH_ALL] }));
    passes(VS03, vs({ hosts: ['*.com'], gateways: ['istio-system/public'], http: [CATCH_ALL] }));
  });

  test('"*" on a mesh-bound VirtualService is an error', () => {
    const v = single(VS03, vs({ hosts: ['*'], http: [CATCH_ALL] }));
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('spec.hosts[0] is "*" on a VirtualService that applies to sidecars (no spec.gateways)');
  });

  test('"*" with mesh listed among the gateways is an error', () => {
    expect(single(VS03, vs({ hosts: ['*'], gateways: ['mesh', 'istio-system/ingress'], http: [CATCH_ALL] })).message).toContain('spec.gateways lists mesh');
  });

  test('"*" on a gateway-only VirtualService passes', () => {
    expect(passes(VS03, vs({ hosts: ['*'], gateways: ['istio-system/ingress'], http: [CATCH_ALL] }))).toBe(true);
  });

  test('a repeated host is an error', () => {
    expect(single(VS03, vs({ hosts: [HOST, HOST], http: [CATCH_ALL] })).message).toBe(`spec.hosts[1] "${HOST}" duplicates spec.hosts[0] "${HOST}"`);
  });

  test('a short name and its FQDN are duplicates', () => {
    const v = single(VS03, vs({ hosts: ['reviews', HOST], http: [CATCH_ALL] }, { namespace: 'shop' }));
    expect(v.message).toContain(`duplicates spec.hosts[0] "reviews" (both resolve to ${HOST})`);
  });

  test('a host under an earlier wildcard overlaps it', () => {
    const v = single(VS03, vs({ hosts: ['*.example.com', 'api.example.com'], gateways: ['istio-system/ingress'], http: [CATCH_ALL] }));
    expect(v.message).toBe('spec.hosts[1] "api.example.com" overlaps spec.hosts[0] "*.example.com"');
  });

  test('a wildcard over an earlier host overlaps it', () => {
    expect(single(VS03, vs({ hosts: ['a.b.example.com', '*.example.com'], gateways: ['ns/gw'], http: [CATCH_ALL] })).message).toContain('spec.hosts[1] "*.example.com" overlaps spec.hosts[0]');
  });

  test('nested wildcards overlap', () => {
    expect(single(VS03, vs({ hosts: ['*.api.example.com', '*.example.com'], gateways: ['ns/gw'], http: [CATCH_ALL] })).message).toContain('overlaps');
  });

  test('"*" next to another host on a gateway overlaps it', () => {
    expect(single(VS03, vs({ hosts: ['api.example.com', '*'], gateways: ['ns/gw'], http: [CATCH_ALL] })).message).toContain('spec.hosts[1] "*" overlaps');
  });

  test('"example.com" and "*.example.com" do not overlap', () => {
    expect(passes(VS03, vs({ hosts: ['example.com', '*.example.com'], gateways: ['ns/gw'], http: [CATCH_ALL] }))).toBe(true);
  });

  test('distinct hosts pass', () => {
    expect(passes(VS03, vs({ hosts: [HOST, 'ratings.shop.svc.cluster.local'], http: [CATCH_ALL] }))).toBe(true);
  });
});

describe('VS-04 gateway references', () => {
  const bound = (gateways: unknown[]) => vs({ hosts: ['shop.example.com'], gateways, http: [CATCH_ALL] });

  test('the legacy "name.namespace" form is a warning with the suggested rewrite', () => {
    const v = single(VS04, bound(['ingress.istio-system']));
    expect(v.severity).toBe(WARNING);
    expect(v.message).toBe('spec.gateways[0] "ingress.istio-system" uses the legacy dotted "name.namespace" form');
    expect(v.fix).toContain('"istio-system/ingress"');
  });

  test('an upper-case gateway name is an error', () => {
    const v = single(VS04, bound(['istio-system/Ingress']));
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('spec.gateways[0] "istio-system/Ingress" has gateway name "Ingress"');
  });

  test('an empty namespace is an error', () => {
    expect(single(VS04, bound(['/ingress'])).message).toContain('has an empty namespace or name');
  });

  test('a namespace that is not a DNS label is an error', () => {
    expect(single(VS04, bound(['istio.system/ingress'])).message).toContain('has namespace "istio.system"');
  });

  test('a short name that is not a DNS label is an error', () => {
    expect(single(VS04, bound(['my_gateway'])).severity).toBe(ERROR);
  });

  test('match.gateways are checked too', () => {
    const v = single(VS04, vs({ hosts: ['shop.example.com'], gateways: ['istio-system/ingress', 'mesh'], http: [{ name: 'edge', match: [{ gateways: ['ingress.istio-system'] }], route: [dest(HOST)] }, CATCH_ALL] }));
    expect(v.message).toContain('spec.http[0].match[0].gateways[0] "ingress.istio-system"');
  });

  test('"namespace/name", "mesh" and a short name pass', () => {
    expect(passes(VS04, bound(['istio-system/ingress', 'mesh', 'ingress']))).toBe(true);
  });
});

describe('VS-05 one action per HTTP route', () => {
  const one = (route: Record<string, unknown>) => vs({ hosts: [HOST], http: [{ name: 'r', ...route }] });

  test('a route without any action is an error', () => {
    const v = single(VS05, one({ timeout: '1s' }));
    expect(v.severity).toBe(ERROR);
    expect(v.message).toBe('spec.http[0] (route "r") has no action: none of route, redirect or directResponse is set');
  });

  test('redirect with route and rewrite is an error naming both', () => {
    const v = single(VS05, one({ redirect: { uri: '/v2' }, route: [dest(HOST)], rewrite: { uri: '/' } }));
    expect(v.message).toBe('spec.http[0] (route "r") combines redirect with route, rewrite');
  });

  test('redirect with directResponse is an error', () => {
    expect(single(VS05, one({ redirect: { uri: '/v2' }, directResponse: { status: 503 } })).message).toContain('combines redirect with directResponse');
  });

  test('directResponse with fault is an error', () => {
    expect(single(VS05, one({ directResponse: { status: 503 }, fault: { abort: { httpStatus: 500 } } })).message).toContain('combines directResponse with fault');
  });

  test('mirror together with mirrors is an error', () => {
    const v = single(VS05, one({ route: [dest(HOST)], mirror: { host: HOST }, mirrors: [{ destination: { host: HOST } }] }));
    expect(v.message).toContain('sets both mirror and mirrors');
  });

  test('route with fault, rewrite and mirrors passes', () => {
    expect(passes(VS05, one({ route: [dest(HOST)], fault: { delay: { fixedDelay: '1s' } }, rewrite: { uri: '/' }, mirrors: [{ destination: { host: HOST } }] }))).toBe(true);
  });

  test('a lone redirect passes; a lone directResponse passes', () => {
    expect(passes(VS05, one({ redirect: { uri: '/v2' } }))).toBe(true);
    expect(passes(VS05, one({ directResponse: { status: 404 } }))).toBe(true);
  });

  test('a delegating route is left to VS-02', () => {
    expect(passes(VS05, one({ delegate: { name: 'api' } }))).toBe(true);
  });
});
