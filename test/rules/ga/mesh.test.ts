import { ERROR, findings, one, only, runOnly, single, vs, WARNING } from '../../support/rules';
import { GA04, GA05, GA06 } from '../../../src/rules/ga/mesh';
import { backend, httpRoute, serviceParent, toService } from './fixtures';

const API = { matches: [{ path: { type: 'PathPrefix', value: '/api/' } }], backendRefs: [backend('reviews-v2')] };
/** A mesh route for Service reviews (namespace shop) with the given rules. */
const meshRoute = (rules: unknown, parent: Record<string, unknown> = {}, name = 'reviews') => httpRoute({ parentRefs: [serviceParent('reviews', parent)], rules }, { name });

describe('GA-04 mesh routes end with a catch-all', () => {
  test('a Service-parented route without a catch-all rule is an error', () => {
    const v = one(runOnly(GA04, {}, meshRoute([API])), 'GA-04');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toBe('spec.rules has no catch-all rule (none of its 1 rule(s) is without matches or matches path prefix "/"), and no other HTTPRoute for '
      + 'reviews.shop.svc.cluster.local has one: requests to the Service that match no rule get 404 at the sidecar or waypoint instead of reaching it');
  });

  test('a rule without matches, or matching path prefix "/" only, is a catch-all', () => {
    expect(findings(GA04, meshRoute([API, toService('reviews-v1')]))).toEqual([]);
    expect(findings(GA04, meshRoute([{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [backend('reviews-v1')] }, API]))).toEqual([]);
    expect(findings(GA04, meshRoute([{ matches: [{ path: { value: '/' } }, { headers: [{ name: 'x', value: 'y' }] }], backendRefs: [backend('reviews-v1')] }]))).toEqual([]);
  });

  test('a header or method match on "/" is not a catch-all', () => {
    const headerOnly = { matches: [{ path: { type: 'PathPrefix', value: '/' }, headers: [{ name: 'x-canary', value: 'true' }] }], backendRefs: [backend('reviews-v2')] };
    expect(single(GA04, meshRoute([headerOnly, { matches: [{ method: 'GET' }], backendRefs: [backend('reviews-v1')] }])).message).toContain('none of its 2 rule(s)');
  });

  test('a catch-all in another HTTPRoute for the same Service covers it, on every port or the same port', () => {
    expect(findings(GA04, meshRoute([API], {}, 'api'), meshRoute([toService('reviews-v1')], {}, 'default'))).toEqual([]);
    expect(findings(GA04, meshRoute([API], { port: 9080 }, 'api'), meshRoute([toService('reviews-v1')], { port: 9080 }, 'default'))).toEqual([]);
    expect(single(GA04, meshRoute([API], { port: 9080 }, 'api'), meshRoute([toService('reviews-v1')], { port: 9090 }, 'default')).message).toContain('reviews.shop.svc.cluster.local:9080');
  });

  test('Gateway-parented routes are exempt; a route without spec.rules gets a defaulted catch-all (GA-01 reports it)', () => {
    expect(findings(GA04, httpRoute({ parentRefs: [{ name: 'public' }], rules: [API] }))).toEqual([]);
    expect(findings(GA04, httpRoute({ parentRefs: [serviceParent('reviews')] }))).toEqual([]);
  });

  test('an empty rules list on a mesh route is an error', () => {
    expect(single(GA04, meshRoute([])).message).toContain('none of its 0 rule(s)');
  });

  test('a route with both a Gateway and a Service parent is checked for its Service', () => {
    const both = httpRoute({ parentRefs: [{ name: 'public' }, serviceParent('reviews')], rules: [API] });
    expect(single(GA04, both).value).toBe('reviews.shop.svc.cluster.local');
  });
});

describe('GA-05 an HTTPRoute and a mesh VirtualService for one host', () => {
  const route = meshRoute([toService('reviews-v1')]);

  test('a mesh-bound VirtualService for the parent Service is an error on the HTTPRoute naming it', () => {
    const v = one(runOnly(GA05, {}, vs({ hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' } }] }] }, { namespace: 'shop' }), route), 'GA-05');
    expect(v.severity).toBe(ERROR);
    expect(v.path).toBe('obj1');
    expect(v.message).toBe('spec.parentRefs[0] Service "shop/reviews" (reviews.shop.svc.cluster.local) is also routed for the mesh by VirtualService "shop/reviews": both produce the host\'s routes at '
      + 'sidecars and waypoints, and which one Istio applies is undefined');
    expect(v.value).toBe('shop/reviews');
  });

  test('the FQDN from another namespace and an explicit "mesh" binding count', () => {
    const other = vs({ hosts: ['reviews.shop.svc.cluster.local'], gateways: ['mesh', 'shop/public'], http: [] }, { name: 'legacy', namespace: 'ops' });
    expect(single(GA05, other, route).message).toContain('by VirtualService "ops/legacy"');
  });

  test('a gateway-only VirtualService, another host, a short name of another namespace or a wildcard host pass', () => {
    expect(findings(GA05,
      vs({ hosts: ['reviews.shop.svc.cluster.local'], gateways: ['shop/public'], http: [] }, { name: 'edge', namespace: 'shop' }),
      vs({ hosts: ['ratings'], http: [] }, { name: 'ratings', namespace: 'shop' }),
      vs({ hosts: ['reviews'], http: [] }, { name: 'reviews', namespace: 'web' }),
      vs({ hosts: ['*.shop.svc.cluster.local'], http: [] }, { name: 'wild', namespace: 'shop' }),
      route)).toEqual([]);
  });

  test('a Gateway-parented HTTPRoute does not conflict with a mesh VirtualService', () => {
    expect(findings(GA05, vs({ hosts: ['reviews'], http: [] }, { namespace: 'shop' }), httpRoute({ parentRefs: [{ name: 'public' }], hostnames: ['reviews.shop.svc.cluster.local'], rules: [toService('reviews')] }))).toEqual([]);
  });

  test('one finding per host even with several parentRefs to the Service (by port)', () => {
    const ports = httpRoute({ parentRefs: [serviceParent('reviews', { port: 9080 }), serviceParent('reviews', { port: 9090 })], rules: [toService('reviews-v1')] });
    expect(only(runOnly(GA05, {}, vs({ hosts: ['reviews'], http: [] }, { namespace: 'shop' }), vs({ hosts: ['reviews'], http: [] }, { name: 'copy', namespace: 'shop' }), ports), 'GA-05'))
      .toHaveLength(1);
  });
});

describe('GA-06 hostnames on mesh routes', () => {
  test('hostnames on a route whose parents are all Services are a warning', () => {
    const v = single(GA06, httpRoute({ parentRefs: [serviceParent('reviews')], hostnames: ['reviews.example.com'], rules: [toService('reviews-v1')] }));
    expect(v.severity).toBe(WARNING);
    expect(v.message).toBe('spec.hostnames (reviews.example.com) is ignored: every parent of the route is a Service, and Istio applies it to reviews.shop.svc.cluster.local whatever the hostnames say');
  });

  test('hostnames with a Gateway parent, a mesh route without hostnames, and a route without parents pass', () => {
    expect(findings(GA06,
      httpRoute({ parentRefs: [{ name: 'public' }, serviceParent('reviews')], hostnames: ['reviews.example.com'], rules: [toService('reviews')] }, { name: 'a' }),
      httpRoute({ parentRefs: [serviceParent('reviews')], rules: [toService('reviews-v1')] }, { name: 'b' }),
      httpRoute({ hostnames: ['reviews.example.com'], rules: [toService('reviews')] }, { name: 'c' }),
    )).toEqual([]);
  });
});
