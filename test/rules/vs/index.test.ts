import { all, CATCH_ALL, dest, ERROR, gw, HOST, run, runOnly, runWith, vs } from '../../support/rules';
import { VS_RULES } from '../../../src/rules/vs';
import { toIstioObject } from '../../../src/engine/istio-object';
import { runRules } from '../../../src/engine/run';
import { RULES } from '../../../src/rules';
import { resolveGatewayRef } from '../../../src/core/gateway-ref';

describe('route-policy', () => {
/** A VS with `route` above the catch-all. */
const withRoute = (route: Record<string, unknown>, meta = {}) => vs({ hosts: [HOST], http: [{ route: [dest(HOST)], ...route }, CATCH_ALL] }, meta);
const method = (m: Record<string, string>) => [{ method: m }];
const SAFE = 'connect-failure,refused-stream,reset-before-request';

/** A catch-all route with a timeout and retries. */
const budget = (timeout: string, retries: Record<string, unknown>) => vs({ hosts: [HOST], http: [{ ...CATCH_ALL, timeout, retries }] });

const TEST_HEADER = { headers: { 'x-chaos-test': { exact: 'true' } } };
const FAULT = { abort: { httpStatus: 503, percentage: { value: 100 } } };

const MIRROR = { mirror: { host: 'reviews-shadow.shop.svc.cluster.local' }, mirrorPercentage: { value: 10 } };

describe('strict mode', () => {
  test('strict: true turns a warning into an error', () => {
    const manifest = vs({ hosts: [HOST], http: [{ ...CATCH_ALL, ...MIRROR }] });
    expect(run(manifest).warnings.map((v) => v.code)).toEqual(['VS-25']);
    const strict = runWith({ strict: true }, manifest);
    expect(strict.warnings).toEqual([]);
    expect(strict.errors.map((v) => [v.code, v.severity])).toEqual([['VS-25', ERROR]]);
  });
});
});

describe('vs-structure', () => {
/** The VS rules of this test file's scope, taken from the family array by code. */
const VS_STRUCTURE_RULES = VS_RULES.filter((r) => ['VS-01', 'VS-02', 'VS-03', 'VS-04', 'VS-05', 'VS-07', 'VS-08', 'VS-09', 'VS-10', 'VS-13', 'VS-14', 'VS-15', 'VS-17'].includes(r.code));

describe('VS_STRUCTURE_RULES', () => {
  test('holds the thirteen assigned codes, all in the catalogue', () => {
    expect(VS_STRUCTURE_RULES.map((r) => r.code)).toEqual([
      'VS-01', 'VS-02', 'VS-03', 'VS-04', 'VS-05', 'VS-07', 'VS-08', 'VS-09', 'VS-10', 'VS-13', 'VS-14', 'VS-15', 'VS-17',
    ]);
    for (const r of VS_STRUCTURE_RULES) expect(RULES).toContain(r);
  });

  test('never throws on malformed manifests', () => {
    const junk = [
      vs(null), vs('text'), vs({ hosts: 'x', http: 'y', tcp: 3, tls: null, gateways: {} }),
      vs({ hosts: [null, 3, ''], http: [null, 5, { match: 'x', route: 'y', retries: 'z', delegate: 3, mirror: 4, mirrors: 'm' }] }),
      vs({ hosts: [HOST], http: [{ match: [null, { headers: null, uri: 3, withoutHeaders: { a: null } }], route: [null, { destination: 5 }] }] }),
      vs({ hosts: [HOST], tcp: [{ match: [null], route: [{ destination: { host: 3, port: 'x' } }] }], tls: [{ match: 7 }] }),
    ];
    expect(() => runOnly(VS_STRUCTURE_RULES, { services: [{ name: 'x', ports: [], path: 'svc' }], inventory: { hosts: [] } }, ...junk)).not.toThrow();
  });

  test('a well-formed VirtualService to a Service in the App passes every rule of the family', () => {
    const report = runOnly(VS_STRUCTURE_RULES, { services: [{ name: 'reviews', namespace: 'shop', ports: [{ port: 9080 }], path: 'svc' }], inventory: { hosts: [] } }, vs({
      hosts: [HOST],
      http: [
        { name: 'canary', match: [{ headers: { 'x-canary': { exact: 'true' } } }], route: [dest(HOST, { subset: 'v2' })], retries: { attempts: 2, retryOn: 'connect-failure,503' } },
        { name: 'default', route: [dest(HOST, { subset: 'v1', weight: 90 }), dest(HOST, { subset: 'v2', weight: 10 })] },
      ],
    }, { namespace: 'shop' }));
    expect(all(report)).toEqual([]);
  });
});
});

describe('vs-traffic-gateways', () => {
const SHOP = 'shop.example.com';
/** A Gateway `namespace/name` with one HTTP server for `hosts`. */
const gateway = (hosts: string[], name = 'public', namespace = 'istio-system') => gw({
  selector: { istio: 'ingressgateway' },
  servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts }],
}, { name, namespace });
/** A VS for `hosts` bound to `gateways`. */
const bound = (gateways: unknown[], hosts = [SHOP], namespace = 'shop') => vs({ hosts, gateways, http: [{ name: 'default', route: [{ destination: { host: HOST } }] }] }, { namespace });

describe('resolveGatewayRef', () => {
  test.each([
    ['istio-system/public', 'istio-system/public'],
    ['./public', 'shop/public'],
    ['public', 'shop/public'],
    ['public.istio-system', 'istio-system/public'],
    ['public.istio-system.svc.cluster.local', 'istio-system/public'],
    ['mesh', undefined],
    ['/public', undefined],
    [42, undefined],
  ])('%p in namespace shop resolves to %p', (ref, key) => {
    expect(resolveGatewayRef(ref, 'shop')).toBe(key);
  });
});
});

describe('vs-traffic', () => {
/** The VS rules of this test file's scope, taken from the family array by code. */
const VS_TRAFFIC_RULES = VS_RULES.filter((r) => ['VS-20', 'VS-21', 'VS-22', 'VS-24', 'VS-26', 'VS-27', 'VS-28', 'VS-29', 'VS-30', 'VS-31', 'VS-32', 'VS-33', 'VS-34', 'VS-35', 'VS-36', 'VS-37', 'VS-38'].includes(r.code));

/** Every match of the test route selects test traffic (so VS-23 stays quiet). */
const TEST_MATCH = [{ headers: { 'x-chaos': { exact: 'true' } } }];
/** A VS with a header-matched route "test" (to HOST, plus `extra`) above the catch-all. */
const withRoute = (extra: Record<string, unknown>) => vs({ hosts: [HOST], http: [{ name: 'test', match: TEST_MATCH, route: [dest(HOST)], ...extra }, CATCH_ALL] });
const abort = (a: Record<string, unknown>) => withRoute({ fault: { abort: a } });
const delay = (d: Record<string, unknown>) => withRoute({ fault: { delay: d } });
const SHADOW = 'reviews-shadow.shop.svc.cluster.local';

describe('VS_TRAFFIC_RULES', () => {
  test('lists VS-20..VS-38 except VS-23 and VS-25, opt-in exactly for VS-36..VS-38', () => {
    expect(VS_TRAFFIC_RULES.map((r) => r.code)).toEqual([
      'VS-20', 'VS-21', 'VS-22', 'VS-24', 'VS-26', 'VS-27', 'VS-28', 'VS-29', 'VS-30', 'VS-31', 'VS-32', 'VS-33', 'VS-34', 'VS-35', 'VS-36', 'VS-37', 'VS-38',
    ]);
    expect(VS_TRAFFIC_RULES.filter((r) => r.optIn).map((r) => r.code)).toEqual(['VS-36', 'VS-37', 'VS-38']);
    for (const r of VS_TRAFFIC_RULES) expect(r.scope === 'app' ? r.checkApp : r.checkObject).toBeInstanceOf(Function);
  });

  test('malformed input never crashes a rule', () => {
    const junk = [
      vs({ hosts: [HOST], http: [null, 'x', { fault: 'x', mirror: 1, mirrors: 'x', redirect: [], rewrite: 3, corsPolicy: [], headers: 1, retries: 'x' }] }),
      vs({ hosts: 'x', gateways: [1, null, '', '/'], tls: [null, { match: 'x', route: 1 }], tcp: [{ match: [null] }], exportTo: 'x' }),
      vs({ http: [{ fault: { abort: { percentage: 'x', httpStatus: 'x' }, delay: [] } }] }),
      vs({ http: [null, { name: 1, route: 'x' }], tls: 'x' }, { annotations: { 'traffic.cdk8s-istio-traffic.io/argo-rollouts-routes': 'a,,b', 'traffic.cdk8s-istio-traffic.io/flagger-canary': 'x/,/y' } }),
      vs({ tcp: [{ route: [null] }] }, { annotations: { 'traffic.cdk8s-istio-traffic.io/argo-rollouts-routes': '' } }),
    ];
    const objects = [...junk, { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: {}, spec: { servers: [null, { hosts: [1] }] } }]
      .map((m, i) => toIstioObject(m, `obj${i}`)!);
    const enable = ['VS-36', 'VS-37', 'VS-38'];
    expect(() => runRules(objects, VS_TRAFFIC_RULES, { enable, inventory: { gateways: [], namespaces: [] } })).not.toThrow();
    expect(() => runRules(objects, VS_TRAFFIC_RULES, { enable })).not.toThrow();
  });
});
});
