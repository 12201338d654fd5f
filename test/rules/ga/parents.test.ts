import { ERROR, one, runOnly } from '../../support/rules';
import { GA03, selectsNamespace } from '../../../src/rules/ga/parents';
import { http, httpRoute, kGateway, SEED_GATEWAY, SEED_ROUTE, SEED_SERVICES, serviceParent, svc, toService } from './fixtures';

/** GA-03 alone over the manifests, with engine options. */
const check = (options: Parameters<typeof runOnly>[1], ...manifests: any[]) => runOnly(GA03, options, ...manifests);
const errors = (...manifests: any[]) => check({}, ...manifests).errors;
/** A route in `namespace` attached to Gateway `public` of namespace shop. */
const attached = (parent: Record<string, unknown> = {}, extra: Record<string, unknown> = {}, namespace = 'shop') =>
  httpRoute({ parentRefs: [{ name: 'public', namespace: 'shop', ...parent }], rules: [toService('web')], ...extra }, { namespace });
/** A Gateway in namespace shop admitting routes of every namespace on its listeners. */
const open = (...listeners: Array<Record<string, unknown>>) => kGateway(listeners.map((l) => ({ allowedRoutes: { namespaces: { from: 'All' } }, ...l })));

describe('GA-03 allowedRoutes namespaces', () => {
  test('seed 001: a Gateway in istio-ingress without allowedRoutes does not admit the route in commerce', () => {
    const v = one(check({ services: SEED_SERVICES }, SEED_GATEWAY, SEED_ROUTE), 'GA-03');
    expect(v.severity).toBe(ERROR);
    expect(v.path).toBe('obj1');
    expect(v.message).toBe('spec.parentRefs[0] Gateway "istio-ingress/public-gateway" has no listener that admits the route: listener "https" admits routes of its own namespace '
      + 'istio-ingress only (allowedRoutes.namespaces.from is unset and defaults to Same), and the route is in commerce; the route does not attach there: '
      + 'Istio programs none of its rules on that gateway, which answers its requests with 404');
    expect(v.fix).toBe('Allow namespace commerce on listener "https" (allowedRoutes.namespaces.from: All, or Selector with matchLabels kubernetes.io/metadata.name: commerce), or move the HTTPRoute into namespace istio-ingress.');
  });

  test('seed 001 with allowedRoutes from All on the listener passes', () => {
    const gateway = { ...SEED_GATEWAY, spec: { ...SEED_GATEWAY.spec, listeners: [{ ...SEED_GATEWAY.spec.listeners[0], allowedRoutes: { namespaces: { from: 'All' } } }] } };
    expect(check({ services: SEED_SERVICES }, gateway, SEED_ROUTE).errors).toEqual([]);
  });

  test('Same admits a route of the Gateway\'s namespace, and says so when set explicitly', () => {
    expect(errors(kGateway([http()]), attached())).toEqual([]);
    const v = one(check({}, kGateway([http({ allowedRoutes: { namespaces: { from: 'Same' } } })]), attached({}, {}, 'web')), 'GA-03');
    expect(v.message).toContain('(allowedRoutes.namespaces.from Same), and the route is in web');
  });

  test('a Selector on kubernetes.io/metadata.name decides: matchLabels and matchExpressions', () => {
    const selector = (sel: unknown) => kGateway([http({ allowedRoutes: { namespaces: { from: 'Selector', selector: sel } } })]);
    const inWeb = attached({}, {}, 'web');
    expect(errors(selector({ matchLabels: { 'kubernetes.io/metadata.name': 'web' } }), inWeb)).toEqual([]);
    expect(errors(selector({ matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['web', 'api'] }] }), inWeb)).toEqual([]);
    expect(errors(selector({}), inWeb)).toEqual([]);
    const v = one(check({}, selector({ matchLabels: { 'kubernetes.io/metadata.name': 'api' } }), inWeb), 'GA-03');
    expect(v.message).toContain('listener "http" admits routes of the namespaces its allowedRoutes.namespaces.selector selects, and that selector does not select web');
    expect(one(check({}, selector({ matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['web'] }] }), inWeb), 'GA-03').code).toBe('GA-03');
  });

  test('a Selector on other labels cannot be decided: listed as not checked, not reported', () => {
    const report = check({}, kGateway([http({ allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { team: 'web' } } } } })]), attached({}, {}, 'web'));
    expect(report.errors).toEqual([]);
    expect(report.notChecked).toEqual(['attachment of HTTPRoute "web/route" (obj1 spec.parentRefs[0]) to listener "http" of Gateway "shop/public": '
      + 'whether its allowedRoutes.namespaces.selector selects namespace web depends on Namespace labels, which the input does not hold']);
  });

  test('a Selector refusing by name refuses whatever the other labels say', () => {
    expect(selectsNamespace({ matchLabels: { team: 'x', 'kubernetes.io/metadata.name': 'a' } }, 'b')).toBe(false);
    expect(selectsNamespace({ matchLabels: { team: 'x', 'kubernetes.io/metadata.name': 'b' } }, 'b')).toBeUndefined();
    expect(selectsNamespace({ matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'DoesNotExist' }] }, 'b')).toBe(false);
    expect(selectsNamespace({ matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'Exists' }] }, 'b')).toBe(true);
    expect(selectsNamespace(undefined, 'b')).toBeUndefined();
  });
});

describe('GA-03 sectionName and port', () => {
  const gateway = open(http(), { name: 'https', port: 443, protocol: 'HTTPS', tls: { certificateRefs: [{ name: 'c' }] } });

  test('a sectionName no listener has is an error listing the listeners', () => {
    const v = one(check({}, gateway, attached({ sectionName: 'web' })), 'GA-03');
    expect(v.message).toBe('spec.parentRefs[0].sectionName "web" names no listener of Gateway "shop/public" (listeners: "http", "https"): the route does not attach there: '
      + 'Istio programs none of its rules on that gateway, which answers its requests with 404');
    expect([v.value, v.allowed]).toEqual(['web', 'http, https']);
  });

  test('a port no listener has is an error listing the ports', () => {
    const v = one(check({}, gateway, attached({ port: 8080 })), 'GA-03');
    expect(v.message).toContain('spec.parentRefs[0].port 8080 is the port of no listener of Gateway "shop/public" (ports: 80, 443)');
  });

  test('sectionName and port must name the same listener', () => {
    expect(one(check({}, gateway, attached({ sectionName: 'http', port: 443 })), 'GA-03').message).toContain('.port 443 is the port of no listener named "http" of Gateway "shop/public" (ports: 80)');
  });

  test('a matching sectionName, port or both pass', () => {
    expect(errors(gateway, attached({ sectionName: 'https' }), attached({ port: 80 }), attached({ sectionName: 'http', port: 80 }), attached())).toEqual([]);
  });
});

describe('GA-03 hostnames and route kinds', () => {
  test('route hostnames that intersect no listener hostname are an error', () => {
    const v = one(check({}, open(http({ hostname: 'shop.example.com' })), attached({}, { hostnames: ['api.example.com'] })), 'GA-03');
    expect(v.message).toContain('listener "http" serves hostname shop.example.com, which none of the route\'s hostnames (api.example.com) intersects');
    expect(v.fix).toContain('Add a hostname listener "http" serves (shop.example.com) to spec.hostnames');
  });

  test('wildcards intersect as the Gateway API says: *.example.com covers any depth, not the apex', () => {
    const wild = open(http({ hostname: '*.example.com' }));
    expect(errors(wild, attached({}, { hostnames: ['a.b.example.com'] }), attached({}, { hostnames: ['*.shop.example.com'] }), attached({}, { hostnames: ['example.com', 'shop.example.com'] }))).toEqual([]);
    expect(one(check({}, wild, attached({}, { hostnames: ['example.com'] })), 'GA-03').code).toBe('GA-03');
    expect(errors(open(http({ hostname: 'shop.example.com' })), attached({}, { hostnames: ['*.example.com'] }))).toEqual([]);
  });

  test('a listener without hostname, or a route without hostnames, matches every host', () => {
    expect(errors(open(http()), attached({}, { hostnames: ['anything.example.org'] }), open(http({ hostname: 'a.example.com' })), attached())).toEqual([]);
  });

  test('a TCP or TLS listener, or allowedRoutes.kinds without HTTPRoute, takes no HTTPRoute', () => {
    const v = one(check({}, open({ name: 'tcp', port: 9000, protocol: 'TCP' }), attached()), 'GA-03');
    expect(v.message).toContain('listener "tcp" takes no HTTPRoute (protocol TCP)');
    const kinds = one(check({}, open(http({ allowedRoutes: { namespaces: { from: 'All' }, kinds: [{ kind: 'GRPCRoute' }] } })), attached()), 'GA-03');
    expect(kinds.message).toContain('listener "http" takes no HTTPRoute (allowedRoutes.kinds GRPCRoute)');
    expect(errors(open(http({ allowedRoutes: { namespaces: { from: 'All' }, kinds: [{ kind: 'HTTPRoute' }] } })), attached())).toEqual([]);
  });

  test('one admitting listener is enough; when none admits, each refusal is named', () => {
    const two = kGateway([http({ hostname: 'a.example.com' }), http({ name: 'other', port: 8080, hostname: 'b.example.com', allowedRoutes: { namespaces: { from: 'All' } } })]);
    expect(errors(two, attached({}, { hostnames: ['b.example.com'] }, 'web'))).toEqual([]);
    const v = one(check({}, two, attached({}, { hostnames: ['c.example.com'] }, 'web')), 'GA-03');
    expect(v.message).toContain('listener "http" admits routes of its own namespace shop only');
    expect(v.message).toContain('; listener "other" serves hostname b.example.com, which none of the route\'s hostnames (c.example.com) intersects;');
  });
});

describe('GA-03 Service parents and Gateways outside the input', () => {
  const mesh = (parent: Record<string, unknown>) => httpRoute({ parentRefs: [serviceParent('reviews', parent)], rules: [toService('reviews-v1')] });

  test('a Service parent without the parentRef port is an error', () => {
    const v = one(check({ services: [svc('reviews', 'shop', [9080])] }, mesh({ port: 9081 })), 'GA-03');
    expect(v.message).toBe('spec.parentRefs[0].port 9081 is not a port of Service "shop/reviews" (9080): the route attaches to no port of the Service, so none of its rules applies to its traffic');
  });

  test('a Service parent that is not in the input is an error, or not checked in an incomplete input with no Service of its namespace', () => {
    expect(one(check({ services: [svc('ratings', 'shop')] }, mesh({})), 'GA-03').message).toContain('spec.parentRefs[0] names parent Service "shop/reviews", which is not in the input (Services of namespace shop: ratings)');
    const report = check({ complete: false }, mesh({}));
    expect(report.errors).toEqual([]);
    expect(report.notChecked).toEqual(['parent Service "shop/reviews" of HTTPRoute "shop/route" (obj0 spec.parentRefs[0]): no Service of namespace shop in the input']);
  });

  test('a Service parent in the input, with or without a port it has, passes', () => {
    expect(check({ services: [svc('reviews', 'shop', [9080])] }, mesh({ port: 9080 }), mesh({})).errors).toEqual([]);
  });

  test('a Gateway parent outside the input is not reported; in an incomplete input it is listed as not checked', () => {
    expect(check({}, attached()).errors).toEqual([]);
    expect(check({}, attached()).notChecked).toBeUndefined();
    expect(check({ complete: false }, attached()).notChecked).toEqual(['parent Gateway "shop/public" of HTTPRoute "shop/route" (obj0 spec.parentRefs[0]): not in the input']);
  });

  test('an Istio Gateway of the same name is not a Gateway API parent', () => {
    const istioGateway = { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'public', namespace: 'shop' }, spec: { selector: { istio: 'ingressgateway' }, servers: [] } };
    expect(check({}, istioGateway, attached({ sectionName: 'nope' })).errors).toEqual([]);
  });
});
