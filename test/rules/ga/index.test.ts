import { toIstioObject } from '../../../src/engine/istio-object';
import { runRules } from '../../../src/engine/run';
import { analyze, RULES } from '../../../src/rules';
import { GA_RULES } from '../../../src/rules/ga';
import { codes, ERROR, runOnly } from '../../support/rules';
import { backend, GATEWAY_API, httpRoute, kGateway, SEED_GATEWAY, SEED_ROUTE, serviceParent, svc, toService } from './fixtures';

/** A core Service manifest with one port. */
const serviceManifest = (name: string, namespace: string, port = 8080) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { selector: { app: name }, ports: [{ name: 'http', port }] } });

test('GA-01..GA-06 run after the GW rules and before the SC rules', () => {
  const order = RULES.map((r) => r.code);
  expect(GA_RULES.map((r) => r.code)).toEqual(['GA-01', 'GA-02', 'GA-03', 'GA-04', 'GA-05', 'GA-06']);
  const first = order.indexOf('GA-01');
  expect(order.slice(first, first + 6)).toEqual(GA_RULES.map((r) => r.code));
  expect(order[first - 1]).toMatch(/^GW-/);
  expect(order[first + 6]).toMatch(/^SC-/);
});

test('every GA rule says why its severity was chosen', () => {
  for (const r of GA_RULES) expect(r.why).toMatch(r.severity === ERROR ? /An error, as / : /A warning: /);
});

describe('seed 001\'s Gateway API example through the whole catalogue', () => {
  const services = [serviceManifest('shop-api', 'commerce'), serviceManifest('shop-api-canary', 'commerce')];
  const inputs = (...manifests: unknown[]) => manifests.map((manifest, i) => ({ manifest, path: `seed.yaml:${i}` }));

  test('as written, the route is refused by the Gateway\'s default allowedRoutes (GA-03), and nothing else fails', () => {
    const report = analyze(inputs(SEED_GATEWAY, SEED_ROUTE, ...services));
    expect(report.errors.map((v) => [v.code, v.path])).toEqual([['GA-03', 'seed.yaml:1']]);
  });

  test('with allowedRoutes from All it passes every rule and the schema', () => {
    const listener = { ...SEED_GATEWAY.spec.listeners[0], allowedRoutes: { namespaces: { from: 'All' } } };
    const report = analyze(inputs({ ...SEED_GATEWAY, spec: { ...SEED_GATEWAY.spec, listeners: [listener] } }, SEED_ROUTE, ...services));
    expect([...report.errors, ...report.warnings]).toEqual([]);
  });
});

test('a GA finding is suppressed per HTTPRoute with a reason', () => {
  const route = httpRoute({ parentRefs: [serviceParent('reviews')], hostnames: ['reviews.example.com'], rules: [toService('reviews-v1')] },
    { annotations: { 'suppress.traffic.cdk8s-istio-traffic.io/GA-06': 'hostnames kept for the coming ingress route' } });
  const report = runOnly(GA_RULES, { services: [svc('reviews', 'shop'), svc('reviews-v1', 'shop')] }, route);
  expect(codes(report)).toEqual([]);
  expect(report.suppressed.map((v) => [v.code, v.reason])).toEqual([['GA-06', 'hostnames kept for the coming ingress route']]);
});

test('a clean mesh route and ingress route pass every GA rule', () => {
  const report = runOnly(GA_RULES, { services: [svc('reviews', 'shop', [9080]), svc('reviews-v1', 'shop', [9080]), svc('reviews-v2', 'shop', [9080])] },
    kGateway([{ name: 'http', port: 80, protocol: 'HTTP', hostname: '*.example.com' }]),
    httpRoute({ parentRefs: [{ name: 'public', sectionName: 'http' }], hostnames: ['reviews.example.com'], rules: [{ backendRefs: [backend('reviews', { port: 9080 })] }] }, { name: 'ingress' }),
    httpRoute({
      parentRefs: [serviceParent('reviews', { port: 9080 })],
      rules: [
        { matches: [{ headers: [{ name: 'x-canary', value: 'true' }] }], backendRefs: [backend('reviews-v2', { port: 9080 })] },
        { backendRefs: [backend('reviews-v1', { port: 9080, weight: 90 }), backend('reviews-v2', { port: 9080, weight: 10 })] },
      ],
    }, { name: 'mesh' }));
  expect(codes(report)).toEqual([]);
  expect(report.notChecked).toBeUndefined();
});

test('malformed HTTPRoutes and Gateways do not crash any GA rule', () => {
  const junk = [
    httpRoute({ parentRefs: 'x', rules: 'x', hostnames: 5 }, { name: 'j0' }),
    httpRoute({ parentRefs: [null, 5, { name: 7 }, { name: 'a', kind: 'Service', group: '', port: 'x' }], rules: [null, 1, { backendRefs: 'x', matches: 'x', filters: 5 }, { backendRefs: [null, { name: 'b', weight: 'x', port: {} }] }], hostnames: [null, 3, ''] }, { name: 'j1' }),
    httpRoute({ parentRefs: [{ name: 'public', sectionName: 5, port: 'x' }], rules: [{ backendRefs: [{ name: 'b', weight: -3 }], filters: [null, { type: 5 }] }] }, { name: 'j2' }),
    kGateway(['x', null, { name: 5, port: 'x', protocol: 7, hostname: 3, allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: 'x', matchExpressions: [null, { key: 'kubernetes.io/metadata.name', operator: 'In', values: 'x' }] } }, kinds: 'x' } }]),
    { apiVersion: GATEWAY_API, kind: 'Gateway', metadata: { name: 'public', namespace: 'other' }, spec: { listeners: 'x' } },
    { apiVersion: GATEWAY_API, kind: 'HTTPRoute', metadata: 'x', spec: null },
  ];
  const objects = junk.map((m, i) => toIstioObject(m, `junk${i}`)!);
  const context = { complete: false, services: [{ name: 'a', namespace: 'shop', ports: [{ port: 'x' as any }], path: 'svc' }], inventory: { hosts: [5 as any] } };
  expect(() => runRules(objects, GA_RULES, context)).not.toThrow();
  expect(() => runRules(objects, GA_RULES, {})).not.toThrow();
});
