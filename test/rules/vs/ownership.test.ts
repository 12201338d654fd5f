import { VS_RULES } from '../../../src/rules/vs';
import { CATCH_ALL, codes, dest, dr, ERROR, HOST, one, only, run, runOnly, runWith, sizes, vs, WARNING } from '../../support/rules';
import { VS33, VS35 } from '../../../src/rules/vs/ownership';
import { toIstioObject } from '../../../src/engine/istio-object';
import { runRules } from '../../../src/engine/run';

/** The VS rules of this test file's scope, taken from the family array by code. */
const VS_TRAFFIC_RULES = VS_RULES.filter((r) => ['VS-20', 'VS-21', 'VS-22', 'VS-24', 'VS-26', 'VS-27', 'VS-28', 'VS-29', 'VS-30', 'VS-31', 'VS-32', 'VS-33', 'VS-34', 'VS-35', 'VS-36', 'VS-37', 'VS-38'].includes(r.code));


/** A VS in namespace shop retrying `attempts` times to HOST (optionally a subset and port). */
const retrying = (attempts: number, extra: Record<string, unknown> = {}) =>
  vs({ hosts: [HOST], http: [{ name: 'default', route: [dest(HOST, extra)], retries: { attempts, perTryTimeout: '1s' }, timeout: '5s' }] }, { namespace: 'shop' });
const pool = (maxRetries: number) => ({ connectionPool: { http: { maxRetries } } });


/** A mesh-bound VS named `name` for HOST. */
const meshVs = (name: string, meta: Record<string, unknown> = {}, spec: Record<string, unknown> = {}) =>
  vs({ hosts: [HOST], http: [CATCH_ALL], ...spec }, { name, namespace: 'shop', ...meta });
/** A VS named `name` for `hosts` on gateway istio-system/public. */
const gatewayVs = (name: string, hosts: string[], gateways = ['istio-system/public']) =>
  vs({ hosts, gateways, http: [{ name: 'default', route: [dest(HOST)] }] }, { name, namespace: 'shop' });

describe('VS-21 retries against maxRetries: 0', () => {
  test('retries to a host whose DestinationRule sets maxRetries 0 are a warning naming both', () => {
    const v = one(run(retrying(2), dr({ host: HOST, trafficPolicy: pool(0) }, { namespace: 'shop' })), 'VS-21');
    expect(v.severity).toBe(WARNING);
    expect(v.message).toContain('route "default" retries 2 times to reviews.shop.svc.cluster.local (destination 0)');
    expect(v.message).toContain('DestinationRule "reviews" sets connectionPool.http.maxRetries: 0');
  });

  test('a short DestinationRule host resolves in its namespace', () => {
    expect(only(run(retrying(2), dr({ host: 'reviews', trafficPolicy: pool(0) }, { namespace: 'shop' })), 'VS-21')).toHaveLength(1);
  });

  test('a wildcard DestinationRule applies', () => {
    expect(only(run(retrying(2), dr({ host: '*.shop.svc.cluster.local', trafficPolicy: pool(0) })), 'VS-21')).toHaveLength(1);
  });

  test('maxRetries 3, or retries.attempts 0, pass', () => {
    expect(codes(run(retrying(2), dr({ host: HOST, trafficPolicy: pool(3) })))).not.toContain('VS-21');
    expect(codes(run(retrying(0), dr({ host: HOST, trafficPolicy: pool(0) })))).not.toContain('VS-21');
  });

  test('a subset policy overrides the top-level pool', () => {
    const rule = dr({ host: HOST, trafficPolicy: pool(0), subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' }, trafficPolicy: pool(5) }] });
    expect(codes(run(retrying(2, { subset: 'v2' }), rule))).not.toContain('VS-21');
    expect(one(run(retrying(2, { subset: 'v1' }), rule), 'VS-21').message).toContain('subset "v1"');
  });

  test('a port-level entry replaces the pool for that port', () => {
    const rule = dr({ host: HOST, trafficPolicy: { ...pool(0), portLevelSettings: [{ port: { number: 9080 }, connectionPool: { tcp: { maxConnections: 10 } } }] } });
    expect(codes(run(retrying(2, { port: 9080 }), rule))).not.toContain('VS-21');
    expect(only(run(retrying(2, { port: 8080 }), rule), 'VS-21')).toHaveLength(1);
  });
});

describe('VS-33 one VirtualService per host per gateway scope', () => {
  test('two mesh-bound VirtualServices for one host are errors naming the other', () => {
    const report = run(meshVs('a'), meshVs('b'));
    const found = only(report, 'VS-33');
    expect(found).toHaveLength(2);
    expect(found.every((v) => v.severity === ERROR)).toBe(true);
    expect(found[0].message).toContain('host reviews.shop.svc.cluster.local is also bound to the mesh by VirtualService "shop/b" with overlapping exportTo');
  });

  test('short and full host names meet in one bucket', () => {
    expect(only(run(meshVs('a'), meshVs('b', {}, { hosts: ['reviews'] })), 'VS-33')).toHaveLength(2);
  });

  test('exportTo "." in different namespaces do not overlap', () => {
    expect(codes(run(meshVs('a', {}, { exportTo: ['.'] }), meshVs('b', { namespace: 'web' }, { exportTo: ['.'] })))).not.toContain('VS-33');
  });

  test('exportTo "." overlapping an explicit export to that namespace is an error', () => {
    expect(only(run(meshVs('a', {}, { exportTo: ['.'] }), meshVs('b', { namespace: 'web' }, { exportTo: ['shop'] })), 'VS-33')).toHaveLength(2);
  });

  test('two VirtualServices for one host on the same gateway are warnings', () => {
    const found = only(run(gatewayVs('a', ['shop.example.com']), gatewayVs('b', ['shop.example.com'])), 'VS-33');
    expect(found).toHaveLength(2);
    expect(found[0].severity).toBe(WARNING);
    expect(found[0].message).toContain('host shop.example.com on gateway istio-system/public is also claimed by VirtualService "shop/b"');
  });

  test('the same host on different gateways, or different hosts, pass', () => {
    expect(codes(run(gatewayVs('a', ['shop.example.com']), gatewayVs('b', ['shop.example.com'], ['istio-system/internal'])))).not.toContain('VS-33');
    expect(codes(run(gatewayVs('a', ['shop.example.com']), gatewayVs('b', ['api.example.com'])))).not.toContain('VS-33');
  });

  test('a "*" VirtualService next to specific hosts on the gateway is a warning on the "*" one', () => {
    const v = one(run(gatewayVs('catch', ['*']), gatewayVs('shop', ['shop.example.com'])), 'VS-33');
    expect(v.severity).toBe(WARNING);
    expect(v.message).toContain('host "*" on gateway istio-system/public does not apply to the hosts of VirtualService "shop/shop"');
  });

  test('a single mesh VirtualService per host passes', () => {
    expect(codes(run(meshVs('a')))).not.toContain('VS-33');
  });

  test('20,000 VirtualServices are checked in linear time', () => {
    const objects = [];
    for (let i = 0; i < 20_000; i++) {
      const host = `svc-${i}.shop.svc.cluster.local`;
      objects.push(toIstioObject(vs({ hosts: [host], gateways: ['mesh', 'istio-system/public'], http: [{ route: [dest(host, { subset: 'v1' })] }] }, { name: `vs-${i}`, namespace: 'shop' }), `obj${i}`)!);
      objects.push(toIstioObject(dr({ host, subsets: [{ name: 'v1', labels: { version: 'v1' } }] }, { name: `dr-${i}`, namespace: 'shop' }), `dr${i}`)!);
    }
    const start = Date.now();
    const app = VS_TRAFFIC_RULES.filter((r) => r.scope === 'app');
    const report = runRules(objects, app, { inventory: { gateways: ['istio-system/public'], namespaces: ['shop'] }, enable: ['VS-36', 'VS-37', 'VS-38'] });
    expect(Date.now() - start).toBeLessThan(8000);
    expect(report.errors).toEqual([]);
  });
});

describe('VS-33 on many VirtualServices for one host', () => {
  const many = (n: number, spec: (i: number) => Record<string, unknown> = () => ({})) => Array.from({ length: n }, (_, i) => meshVs(`v${i}`, {}, spec(i)));

  test('the others are named in order, three of them, and counted', () => {
    const found = only(run(...many(5)), 'VS-33');
    expect(found).toHaveLength(5);
    expect(found[0].message).toContain('by VirtualService "shop/v1", "shop/v2", "shop/v3" and 1 more with overlapping exportTo');
    expect(found[2].message).toContain('by VirtualService "shop/v0", "shop/v1", "shop/v3" and 1 more with overlapping exportTo');
  });

  test('exportTo groups overlap through their namespaces: everyone, one namespace, several', () => {
    const found = only(run(
      meshVs('all'), meshVs('web', {}, { exportTo: ['web'] }), meshVs('both', {}, { exportTo: ['web', 'ops'] }), meshVs('ops', {}, { exportTo: ['ops'] }), meshVs('none', {}, { exportTo: ['billing'] }),
    ), 'VS-33');
    const clash = (name: string) => found.find((v) => v.path === `obj${['all', 'web', 'both', 'ops', 'none'].indexOf(name)}`)!.message;
    expect(clash('all')).toContain('VirtualService "shop/web", "shop/both", "shop/ops" and 1 more with');
    expect(clash('web')).toContain('VirtualService "shop/all", "shop/both" with');
    expect(clash('both')).toContain('VirtualService "shop/all", "shop/web", "shop/ops" with');
    expect(clash('none')).toContain('VirtualService "shop/all" with');
  });

  test('2,000 mesh VirtualServices for one host give a finding each, of bounded length', () => {
    const report = runOnly(VS33, {}, ...many(2000));
    const { findings, message } = sizes(report);
    expect(findings).toBe(2000);
    expect(message).toBeLessThan(2000);
    expect(only(report, 'VS-33')[1999].message).toContain('"shop/v0", "shop/v1", "shop/v2" and 1996 more with overlapping exportTo');
  });

  test('2,000 distinct exportTo lists meeting in one namespace are counted up to a bound', () => {
    const report = runOnly(VS33, {}, ...many(2000, (i) => ({ exportTo: ['web', `team-${i}`] })));
    const { findings, message } = sizes(report);
    expect(findings).toBe(2000);
    expect(message).toBeLessThan(2000);
    expect(only(report, 'VS-33')[0].message).toMatch(/"shop\/v1", "shop\/v2", "shop\/v3" and at least \d+ more with/);
  });

  test('2,000 VirtualServices for one host on one gateway give a warning each, of bounded length', () => {
    const report = runOnly(VS33, {}, ...Array.from({ length: 2000 }, (_, i) => gatewayVs(`g${i}`, ['shop.example.com'])), gatewayVs('catch', ['*']));
    const { findings, message } = sizes(report);
    expect(findings).toBe(2001);
    expect(message).toBeLessThan(2000);
    expect(only(report, 'VS-33')[2000].message).toBe('host "*" on gateway istio-system/public does not apply to the hosts of VirtualService "shop/g0", "shop/g1", "shop/g2" and 1997 more on the same gateway');
  });
});

describe('VS-34 gateway routes bypassing a mesh subset split', () => {
  const split = meshVs('reviews-split', {}, { http: [{ name: 'default', route: [dest(HOST, { subset: 'v1', weight: 90 }), dest(HOST, { subset: 'v2', weight: 10 })] }] });

  test('a gateway route to the split host without a subset is a warning naming the split', () => {
    const v = one(run(split, gatewayVs('edge', ['shop.example.com'])), 'VS-34');
    expect(v.severity).toBe(WARNING);
    expect(v.message).toContain('route "default" destination 0 sends gateway traffic to reviews.shop.svc.cluster.local without a subset, while VirtualService "reviews-split" splits that host by subsets (v1, v2)');
  });

  test('a gateway route to a subset passes', () => {
    const edge = vs({ hosts: ['shop.example.com'], gateways: ['istio-system/public'], http: [{ route: [dest(HOST, { subset: 'v1' })] }] }, { name: 'edge', namespace: 'shop' });
    expect(codes(run(split, edge))).not.toContain('VS-34');
  });

  test('without a mesh split the gateway route passes', () => {
    expect(codes(run(meshVs('plain'), gatewayVs('edge', ['shop.example.com'])))).not.toContain('VS-34');
  });
});

describe('VS-35 exportTo namespaces exist', () => {
  const exported = meshVs('a', {}, { exportTo: ['.', 'team-b'] });

  test('a namespace in neither the inventory nor the App is a warning', () => {
    const v = one(runWith({ inventory: { namespaces: ['payments'] } }, exported), 'VS-35');
    expect(v.severity).toBe(WARNING);
    expect(v.message).toContain('spec.exportTo[1] "team-b" names a namespace that is neither declared in the inventory nor used by any object of the App');
    expect(v.allowed).toBe('payments, shop');
  });

  test('a declared namespace, or one used by an App object, passes', () => {
    expect(codes(runWith({ inventory: { namespaces: ['team-b'] } }, exported))).not.toContain('VS-35');
    expect(codes(runWith({ inventory: { namespaces: [] } }, exported, meshVs('b', { namespace: 'team-b' }, { hosts: ['x.example.com'] })))).not.toContain('VS-35');
  });

  test('malformed entries are left to X-05', () => {
    expect(codes(runWith({ inventory: { namespaces: [] } }, meshVs('a', {}, { exportTo: ['Team_B'] })))).not.toContain('VS-35');
  });

  test('without a declared namespace inventory the check is skipped', () => {
    expect(codes(run(exported))).not.toContain('VS-35');
  });

  test('2,000 unknown namespaces next to 2,000 known ones: a finding each, naming a few known namespaces', () => {
    const objects = Array.from({ length: 2000 }, (_, i) => meshVs(`v${i}`, { namespace: `ns-${String(i).padStart(4, '0')}` }, { hosts: [`h${i}.example.com`] }));
    const big = meshVs('big', {}, { exportTo: Array.from({ length: 2000 }, (_, i) => `unknown-${i}`) });
    const report = runOnly(VS35, { inventory: { namespaces: ['default'] } }, ...objects, big);
    const { findings, message, detail } = sizes(report);
    expect(findings).toBe(2000);
    expect(message).toBeLessThan(2000);
    expect(detail).toBeLessThan(500);
    // Known: the inventory's, the 2,000 of the objects, and shop (of the VirtualService itself).
    expect(only(report, 'VS-35')[0].allowed).toBe('default, ns-0000, ns-0001, ns-0002, ns-0003 and 1997 more');
  });
});
