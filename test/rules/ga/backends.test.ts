import { ERROR, findings, one, only, runOnly, single } from '../../support/rules';
import { GA01, GA02 } from '../../../src/rules/ga/backends';
import { backend, httpRoute, SEED_ROUTE, SEED_SERVICES, svc, toService } from './fixtures';

const PARENT = { parentRefs: [{ name: 'public' }] };

describe('GA-01 rules that answer 500', () => {
  test('a rule without backendRefs or RequestRedirect is an error naming the rule', () => {
    const v = single(GA01, httpRoute({ ...PARENT, rules: [toService('web'), { name: 'api', matches: [{ path: { type: 'PathPrefix', value: '/api/' } }] }] }));
    expect(v.severity).toBe(ERROR);
    expect(v.message).toBe('spec.rules[1] (rule "api") has no backendRefs and no RequestRedirect filter: Istio answers every request it matches with 500 (the Gateway API\'s answer for a rule without a valid backend)');
    expect(v.value).toBe('no backendRefs');
  });

  test('backendRefs all of weight 0 are an error', () => {
    const v = single(GA01, httpRoute({ ...PARENT, rules: [{ backendRefs: [backend('a', { weight: 0 }), backend('b', { weight: 0 })] }] }));
    expect(v.message).toContain('spec.rules[0] has all 2 backendRefs at weight 0 and no RequestRedirect filter');
    expect(v.fix).toContain('weight > 0');
  });

  test('a single backendRef of weight 0 is an error', () => {
    expect(single(GA01, httpRoute({ ...PARENT, rules: [{ backendRefs: [backend('a', { weight: 0 })] }] })).message).toContain('has its only backendRef at weight 0');
  });

  test('an HTTPRoute without spec.rules gets the default rule, which has no backend', () => {
    const v = single(GA01, httpRoute(PARENT));
    expect(v.message).toMatch(/^spec\.rules is not set: the API server defaults it to one rule that matches every path/);
  });

  test('a canary at weight 0 beside a weighted backend, a default weight, and a redirect pass', () => {
    expect(findings(GA01, httpRoute({
      ...PARENT,
      rules: [
        { backendRefs: [backend('stable', { weight: 100 }), backend('canary', { weight: 0 })] },
        { matches: [{ path: { type: 'PathPrefix', value: '/v1/' } }], backendRefs: [backend('web')] },
        { matches: [{ path: { type: 'PathPrefix', value: '/old/' } }], filters: [{ type: 'RequestRedirect', requestRedirect: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/new/' } } }] },
      ],
    }))).toEqual([]);
  });

  test('other filters do not answer for a rule without backends', () => {
    const v = single(GA01, httpRoute({ ...PARENT, rules: [{ filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x', value: 'y' }] } }] }] }));
    expect(v.message).toContain('spec.rules[0] has no backendRefs');
  });

  test('an empty rules list has no rule to answer 500 (GA-04 judges mesh routes without a catch-all)', () => {
    expect(findings(GA01, httpRoute({ ...PARENT, rules: [] }))).toEqual([]);
  });
});

describe('GA-02 Service backends exist and expose the port', () => {
  test('seed 001\'s route passes when both Services are in the input', () => {
    expect(runOnly(GA02, { services: SEED_SERVICES }, SEED_ROUTE).errors).toEqual([]);
  });

  test('a backend Service that is not in the input is an error with its share of the traffic', () => {
    const v = one(runOnly(GA02, { services: [SEED_SERVICES[0]] }, SEED_ROUTE), 'GA-02');
    expect(v.severity).toBe(ERROR);
    expect(v.path).toBe('obj0');
    expect(v.message).toBe('spec.rules[0].backendRefs[1] names Service "commerce/shop-api-canary", which is not in the input (Services of namespace commerce: shop-api): '
      + 'it is an invalid backend, and Istio answers its share of the rule\'s requests (weight 10 of 100) with 500');
    expect(v.value).toBe('commerce/shop-api-canary');
  });

  test('a port the Service does not expose is an error naming its ports', () => {
    const v = one(runOnly(GA02, { services: [svc('web', 'shop', [80, 9090])] }, httpRoute({ ...PARENT, rules: [{ name: 'all', backendRefs: [backend('web')] }] })), 'GA-02');
    expect(v.message).toBe('spec.rules[0].backendRefs[0] (rule "all") port 8080 is not a port of Service "shop/web" (80, 9090): Istio sends its share of the rule\'s requests (weight 1 of 1) to a port without endpoints, where it fails (503)');
    expect([v.value, v.allowed]).toEqual([8080, '80, 9090']);
  });

  test('a weight-0 backend to a missing Service is still reported, as its requests fail once it gets weight', () => {
    const route = httpRoute({ ...PARENT, rules: [{ backendRefs: [backend('web', { weight: 100 }), backend('web-canary', { weight: 0 })] }] });
    expect(one(runOnly(GA02, { services: [svc('web', 'shop')] }, route), 'GA-02').message).toContain('answers what it receives once its weight is raised from 0 with 500');
  });

  test('backends resolve in the route\'s namespace unless they name one; a Service without namespace matches any', () => {
    const route = httpRoute({ ...PARENT, rules: [{ backendRefs: [backend('web'), backend('api', { namespace: 'backend' }), backend('free')] }] });
    expect(runOnly(GA02, { services: [svc('web', 'shop'), svc('api', 'backend'), svc('free', undefined)] }, route).errors).toEqual([]);
    expect(only(runOnly(GA02, { services: [svc('web', 'shop'), svc('api', 'shop'), svc('free', undefined)] }, route), 'GA-02')[0].message).toContain('names Service "backend/api"');
  });

  test('a Service declared in the inventory hosts counts as existing', () => {
    const route = httpRoute({ ...PARENT, rules: [{ backendRefs: [backend('legacy', { namespace: 'old' })] }] });
    expect(runOnly(GA02, { inventory: { hosts: ['legacy.old.svc.cluster.local'] } }, route).errors).toEqual([]);
    expect(runOnly(GA02, { inventory: { hosts: ['*.old.svc.cluster.local'] } }, route).errors).toEqual([]);
  });

  test('in an incomplete input, a Service of a namespace with no Services in the input is not checked', () => {
    const report = runOnly(GA02, { complete: false, services: [svc('web', 'shop')] }, httpRoute({ ...PARENT, rules: [{ backendRefs: [backend('api', { namespace: 'backend' })] }] }));
    expect(report.errors).toEqual([]);
    expect(report.notChecked).toEqual(['backendRef Service "backend/api" of HTTPRoute "shop/route" (obj0 spec.rules[0].backendRefs[0]): no Service of namespace backend in the input']);
  });

  test('in an incomplete input, a missing Service of a namespace the input has Services of is still an error', () => {
    const report = runOnly(GA02, { complete: false, services: [svc('web', 'shop')] }, httpRoute({ ...PARENT, rules: [{ backendRefs: [backend('webb')] }] }));
    expect(one(report, 'GA-02').message).toContain('names Service "shop/webb", which is not in the input (Services of namespace shop: web)');
    expect(report.notChecked).toBeUndefined();
  });

  test('a complete input without any Service reports the backend as missing', () => {
    expect(one(runOnly(GA02, {}, httpRoute({ ...PARENT, rules: [toService('web')] })), 'GA-02').allowed).toBe('no Service of namespace shop in the input');
  });

  test('backends of other kinds are not resolved, nor ports of Services whose ports are not known', () => {
    const route = httpRoute({ ...PARENT, rules: [{ backendRefs: [{ group: 'networking.istio.io', kind: 'Hostname', name: 'api.example.com', port: 443 }, backend('flagger')] }] });
    expect(runOnly(GA02, { services: [{ name: 'flagger', namespace: 'shop', ports: [], path: 'svc' }] }, route).errors).toEqual([]);
  });
});
