import { CALLS_ANNOTATION, ENTRY_POINT_ANNOTATION } from '../../../src/engine/intent';
import { CC_RULES } from '../../../src/rules/cc';
import { all, ERROR, runOnly, WARNING } from '../../support/rules';

/** The CC rules, unchanged, on chains routed by Gateway API HTTPRoutes (GAMMA: a Service as parent). */

const host = (name: string) => `${name}.shop.svc.cluster.local`;
const DEFAULT = "rules[0] (no retry field in the standard channel: Istio's default 2 for HTTPRoute)";

/** A Service-parented HTTPRoute for `name` in namespace shop; one rule to `name-v1` with `rule` fields added. */
function route(name: string, o: { calls?: string[]; entryPoint?: boolean; rule?: Record<string, unknown>; parentRefs?: unknown[] } = {}): any {
  const annotations = { ...(o.calls ? { [CALLS_ANNOTATION]: o.calls.join(',') } : {}), ...(o.entryPoint ? { [ENTRY_POINT_ANNOTATION]: 'true' } : {}) };
  return {
    apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute',
    metadata: { name, namespace: 'shop', ...(Object.keys(annotations).length ? { annotations } : {}) },
    spec: { parentRefs: o.parentRefs ?? [{ group: '', kind: 'Service', name, port: 9080 }], rules: [{ backendRefs: [{ name: `${name}-v1`, port: 9080 }], ...o.rule }] },
  };
}

/** The same intent as a mesh VirtualService without retries. */
function vs(name: string, o: { calls?: string[]; entryPoint?: boolean; timeout?: string } = {}): any {
  const annotations = { ...(o.calls ? { [CALLS_ANNOTATION]: o.calls.join(',') } : {}), ...(o.entryPoint ? { [ENTRY_POINT_ANNOTATION]: 'true' } : {}) };
  return {
    apiVersion: 'networking.istio.io/v1', kind: 'VirtualService',
    metadata: { name, namespace: 'shop', ...(Object.keys(annotations).length ? { annotations } : {}) },
    spec: { hosts: [name], http: [{ route: [{ destination: { host: name } }], ...(o.timeout ? { timeout: o.timeout } : {}) }] },
  };
}

const cc = (...manifests: any[]) => runOnly(CC_RULES, {}, ...manifests);
const timeouts = (request: string) => ({ timeouts: { request } });

describe('CC-01 / CC-02 on HTTPRoutes: no retry field, Istio\'s implicit 2 attempts per hop', () => {
  const chain = () => [route('a', { entryPoint: true, calls: ['b'] }), route('b', { calls: ['c'] }), route('c')];

  test('a → b → c fails CC-01 with 3 × 3 × 3 = 27, reported on c\'s HTTPRoute', () => {
    const errors = cc(...chain()).errors;
    expect(errors.map((e) => [e.code, e.path, e.severity])).toEqual([['CC-01', 'obj2', ERROR]]);
    expect(errors[0].message).toBe(`up to 27 requests reach ${host('c')} per request entering at ${host('a')} (path ${host('a')} → ${host('b')} → ${host('c')}: 3 × 3 × 3 = 27 > budget 10)`);
    expect(errors[0].value).toBe(27);
  });

  test('CC-02 warns on b and c, naming Istio\'s default for HTTPRoute as the source of their retries', () => {
    const warnings = cc(...chain()).warnings;
    expect(warnings.map((w) => [w.code, w.path, w.severity, w.value])).toEqual([['CC-02', 'obj1', WARNING, 2], ['CC-02', 'obj2', WARNING, 3]]);
    expect(warnings[1].message).toBe(`${host('c')} retries (${DEFAULT}) although ${host('a')}, ${host('b')} on the same path already retry (${host('a')} → ${host('b')} → ${host('c')})`);
  });

  test('the same findings (codes, paths, values, CC-01 message) as VirtualServices without retries', () => {
    const vss = cc(vs('a', { entryPoint: true, calls: ['b'] }), vs('b', { calls: ['c'] }), vs('c'));
    const routes = cc(...chain());
    const shape = (r: ReturnType<typeof cc>) => all(r).map((v) => [v.code, v.path, v.severity, v.value]);
    expect(shape(routes)).toEqual(shape(vss));
    expect(routes.errors[0].message).toBe(vss.errors[0].message);
  });

  test('two hops pass CC-01 (9 ≤ 10)', () => {
    expect(cc(route('a', { entryPoint: true, calls: ['b'] }), route('b')).errors).toEqual([]);
  });

  test('retry attempts 0 (experimental channel) on the inner hops passes CC-01 and CC-02', () => {
    const none = { retry: { attempts: 0 } };
    const report = cc(route('a', { entryPoint: true, calls: ['b'] }), route('b', { calls: ['c'], rule: none }), route('c', { rule: none }));
    expect(all(report)).toEqual([]);
  });
});

describe('CC-03 reads HTTPRoute timeouts', () => {
  test('a caller\'s timeouts.request shorter than its callee\'s worst case + 10 % fails', () => {
    const report = cc(route('a', { entryPoint: true, calls: ['b'], rule: timeouts('2s') }), route('b', { rule: timeouts('3s') }));
    const errors = report.errors.filter((e) => e.code === 'CC-03');
    expect(errors).toHaveLength(1);
    expect(errors[0].path).toBe('obj0');
    expect(errors[0].message).toBe(`${host('a')} timeout 2s is shorter than ${host('b')}'s worst case 3s + 10% headroom (3300ms)`);
    expect(errors[0].allowed).toBe('>= 3300ms');
  });

  test('a caller timeout covering the callee\'s worst case plus headroom passes', () => {
    const report = cc(route('a', { entryPoint: true, calls: ['b'], rule: timeouts('4s') }), route('b', { rule: timeouts('3s') }));
    expect(all(report).filter((v) => v.code === 'CC-03')).toEqual([]);
  });

  test('the callee\'s backendRequest is its route timeout (Istio\'s conversion without retry): 2s covers 1s', () => {
    const report = cc(route('a', { entryPoint: true, calls: ['b'], rule: timeouts('2s') }), route('b', { rule: { timeouts: { request: '10s', backendRequest: '1s' } } }));
    expect(all(report).filter((v) => v.code === 'CC-03')).toEqual([]);
  });

  test('an HTTPRoute caller without a timeout calling a bounded callee is a warning; 0s means no timeout', () => {
    for (const rule of [{}, timeouts('0s')]) {
      const warnings = cc(route('a', { entryPoint: true, calls: ['b'], rule }), route('b', { rule: timeouts('3s') })).warnings.filter((w) => w.code === 'CC-03');
      expect(warnings.map((w) => [w.path, w.message])).toEqual([['obj0', `${host('a')} has no timeout on every route but calls ${host('b')}, which can take up to 3s; callers of ${host('a')} may wait forever`]]);
    }
  });

  test('a VirtualService caller and an HTTPRoute callee: the deadlines are compared across the two APIs', () => {
    const report = cc(vs('a', { entryPoint: true, calls: ['b'], timeout: '1s' }), route('b', { rule: timeouts('1500ms') }));
    expect(report.errors.filter((e) => e.code === 'CC-03').map((e) => e.message)).toEqual([`${host('a')} timeout 1s is shorter than ${host('b')}'s worst case 1500ms + 10% headroom (1650ms)`]);
  });
});

describe('entry points from ingress HTTPRoutes', () => {
  const ingress = {
    apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'public', namespace: 'shop' },
    spec: { parentRefs: [{ name: 'public-gateway' }], hostnames: ['shop.example.com'], rules: [{ backendRefs: [{ name: 'a', port: 80 }] }] },
  };

  test('a chain entered through a Gateway HTTPRoute is counted from its backend (no declared entry point)', () => {
    const errors = cc(ingress, route('a', { calls: ['b'] }), route('b', { calls: ['c'] }), route('c')).errors;
    expect(errors.map((e) => [e.code, e.path, e.value])).toEqual([['CC-01', 'obj3', 27]]);
    expect(errors[0].message).toContain(`per request entering at ${host('a')}`);
  });
});

test('CC-04: a cycle of HTTPRoute-routed services', () => {
  const errors = cc(route('a', { calls: ['b'] }), route('b', { calls: ['a'] })).errors.filter((e) => e.code === 'CC-04');
  expect(errors.map((e) => [e.path, e.message])).toEqual([['obj0', `call cycle ${host('a')} → ${host('b')} → ${host('a')}`]]);
});
