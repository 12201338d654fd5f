import { buildCallGraph, pathTo } from '../../src/engine/call-graph';
import { HTTPROUTE_DEFAULT_RETRIES, ISTIO_DEFAULT_ATTEMPTS } from '../../src/engine/call-policy';
import { CALLS_ANNOTATION, ENTRY_POINT_ANNOTATION } from '../../src/engine/intent';
import { toIstioObject } from '../../src/engine/istio-object';

/** The call graph reads Gateway API HTTPRoutes as it reads VirtualServices. */

const host = (name: string) => `${name}.shop.svc.cluster.local`;

interface RouteOptions {
  readonly calls?: string[];
  readonly entryPoint?: boolean;
  readonly rules?: unknown[];
  readonly parentRefs?: unknown[];
  readonly hostnames?: string[];
}

/** An HTTPRoute in namespace shop whose parent is the Service `name` (GAMMA), one rule to `name-v1` unless `rules`. */
function route(name: string, o: RouteOptions = {}): any {
  const annotations = {
    ...(o.calls ? { [CALLS_ANNOTATION]: o.calls.join(',') } : {}),
    ...(o.entryPoint ? { [ENTRY_POINT_ANNOTATION]: 'true' } : {}),
  };
  return {
    apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute',
    metadata: { name, namespace: 'shop', ...(Object.keys(annotations).length ? { annotations } : {}) },
    spec: {
      parentRefs: o.parentRefs ?? [{ group: '', kind: 'Service', name, port: 9080 }],
      ...(o.hostnames ? { hostnames: o.hostnames } : {}),
      rules: o.rules ?? [{ backendRefs: [{ name: `${name}-v1`, port: 9080 }] }],
    },
  };
}

/** A mesh VirtualService for `name` in namespace shop with one route (extra fields from `http`). */
function vs(name: string, http: Record<string, unknown> = {}, spec: Record<string, unknown> = {}): any {
  return {
    apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name, namespace: 'shop' },
    spec: { hosts: [name], http: [{ route: [{ destination: { host: name } }], ...http }], ...spec },
  };
}

function graphOf(...manifests: any[]) {
  const objects = manifests.map((m, i) => toIstioObject(m, `obj${i}`)!);
  return buildCallGraph({ ofKind: (k) => objects.filter((o) => o.kind === k) });
}

describe('a Service-parented HTTPRoute routes its Service host', () => {
  test('a rule without retry gets Istio\'s implicit 2 attempts, and says where they come from', () => {
    const g = graphOf(route('a', { entryPoint: true, calls: ['b'] }), route('b'));
    const b = g.nodes.get(host('b'))!;
    expect(b.routing?.kind).toBe('HTTPRoute');
    expect(b.virtualService).toBeUndefined();
    expect(b.policy).toEqual({ attempts: ISTIO_DEFAULT_ATTEMPTS, attemptsSource: "rules[0] (no retry field in the standard channel: Istio's default 2 for HTTPRoute)" });
  });

  test('facts on HTTPRoutes (calls, entry point) build the chain a → b → c with 3 × 3 × 3 = 27', () => {
    const g = graphOf(route('a', { entryPoint: true, calls: ['b'] }), route('b', { calls: [host('c')] }), route('c'));
    expect(g.nodes.get(host('a'))).toMatchObject({ entryPoint: true, entryReason: 'declared', calls: [host('b')] });
    expect(g.nodes.get(host('c'))!.callers).toEqual([host('b')]);
    expect(g.figures.get(host('c'))).toMatchObject({ factor: 27, retryLayers: 3 });
    expect(pathTo(g, host('c'))).toEqual([host('a'), host('b'), host('c')]);
  });

  test('the same figures as VirtualServices without retries', () => {
    const routes = graphOf(route('a', { entryPoint: true, calls: ['b'] }), route('b', { calls: ['c'] }), route('c'));
    const vss = graphOf(
      { ...vs('a'), metadata: { name: 'a', namespace: 'shop', annotations: { [ENTRY_POINT_ANNOTATION]: 'true', [CALLS_ANNOTATION]: 'b' } } },
      { ...vs('b'), metadata: { name: 'b', namespace: 'shop', annotations: { [CALLS_ANNOTATION]: 'c' } } },
      vs('c'),
    );
    expect([...routes.figures]).toEqual([...vss.figures]);
    expect([...routes.nodes.values()].map((n) => [n.host, n.policy.attempts, n.entryReason])).toEqual([...vss.nodes.values()].map((n) => [n.host, n.policy.attempts, n.entryReason]));
  });

  test('timeouts.request: the shortest over the rules when every rule has one, also the worst case', () => {
    const g = graphOf(route('a', { calls: ['b'], rules: [
      { matches: [{ path: { type: 'PathPrefix', value: '/api/' } }], backendRefs: [{ name: 'a-v1' }], timeouts: { request: '1h' } },
      { backendRefs: [{ name: 'a-v1' }], timeouts: { request: '500ms' } },
    ] }), route('b'));
    expect(g.nodes.get(host('a'))!.policy).toMatchObject({ attempts: 2, timeoutMs: 500, worstMs: 3_600_000 });
  });

  test('a rule without a timeout, or with 0s (no timeout), leaves the host unbounded', () => {
    for (const timeouts of [undefined, { request: '0s' }]) {
      const g = graphOf(route('a', { calls: ['b'], rules: [
        { backendRefs: [{ name: 'a-v1' }], timeouts: { request: '10s' } },
        { matches: [{ path: { value: '/x' } }], backendRefs: [{ name: 'a-v1' }], ...(timeouts ? { timeouts } : {}) },
      ] }), route('b'));
      const p = g.nodes.get(host('a'))!.policy;
      expect(p.timeoutMs).toBeUndefined();
      expect(p.worstMs).toBeUndefined();
    }
  });

  test('timeouts.backendRequest is the route timeout Istio applies when the rule has no retry field', () => {
    // pilot's Gateway API conversion: without `retry`, backendRequest overwrites the VirtualService route timeout.
    const g = graphOf(route('a', { calls: ['b'], rules: [{ backendRefs: [{ name: 'a-v1' }], timeouts: { request: '10s', backendRequest: '2s' } }] }), route('b'));
    expect(g.nodes.get(host('a'))!.policy).toMatchObject({ timeoutMs: 2000, worstMs: 2000 });
    const only = graphOf(route('a', { calls: ['b'], rules: [{ backendRefs: [{ name: 'a-v1' }], timeouts: { backendRequest: '1s' } }] }), route('b'));
    expect(only.nodes.get(host('a'))!.policy).toMatchObject({ timeoutMs: 1000, worstMs: 1000 });
  });

  test('the experimental retry field: its attempts, backendRequest as the per-try timeout, plus backoff', () => {
    const g = graphOf(route('a', { calls: ['b'], rules: [{ name: 'api', backendRefs: [{ name: 'a-v1' }], retry: { attempts: 1, backoff: '100ms' }, timeouts: { backendRequest: '1s' } }] }), route('b'));
    expect(g.nodes.get(host('a'))!.policy).toEqual({ attempts: 1, attemptsSource: 'rule "api" (retry attempts 1, experimental channel)', worstMs: 2100 });
    const none = graphOf(route('a', { calls: ['b'], rules: [{ backendRefs: [{ name: 'a-v1' }], retry: { attempts: 0 } }] }), route('b'));
    expect(none.nodes.get(host('a'))!.policy.attempts).toBe(0);
  });

  test('an HTTPRoute without rules: Istio\'s default attempts, no timeout', () => {
    const g = graphOf(route('a', { calls: ['b'], rules: [] }), route('b'));
    expect(g.nodes.get(host('a'))!.policy).toEqual({ attempts: 2, attemptsSource: HTTPROUTE_DEFAULT_RETRIES });
  });

  test('backends are not call edges (as VirtualService destinations are not): only declared calls are', () => {
    const g = graphOf(route('a', { entryPoint: true, rules: [{ backendRefs: [{ name: 'b' }] }] }), route('b'));
    expect(g.nodes.get(host('a'))!.calls).toEqual([]);
    expect(g.nodes.has(host('b'))).toBe(false);
  });
});

describe('a VirtualService and an HTTPRoute for the same host', () => {
  test('the mesh-bound VirtualService is read, whichever comes first', () => {
    const a = route('a', { entryPoint: true, calls: ['b'] });
    const bVs = vs('b', { retries: { attempts: 0 } });
    for (const order of [[a, bVs, route('b')], [route('b'), a, bVs]]) {
      const b = graphOf(...order).nodes.get(host('b'))!;
      expect(b.routing?.kind).toBe('VirtualService');
      expect(b.virtualService).toBe(b.routing);
      expect(b.policy.attempts).toBe(0);
    }
  });

  test('a gateway-only VirtualService does not route mesh traffic: the HTTPRoute is read', () => {
    const b = graphOf(route('a', { entryPoint: true, calls: ['b'] }), vs('b', { retries: { attempts: 0 } }, { gateways: ['shop/public'] }), route('b')).nodes.get(host('b'))!;
    expect(b.routing?.kind).toBe('HTTPRoute');
    expect(b.policy.attempts).toBe(2);
  });

  test('of two HTTPRoutes for one host, the first is read', () => {
    const second = route('b', { rules: [{ backendRefs: [{ name: 'b-v1' }], timeouts: { request: '9s' } }] });
    const b = graphOf(route('a', { entryPoint: true, calls: ['b'] }), route('b'), { ...second, metadata: { name: 'b-2', namespace: 'shop' } }).nodes.get(host('b'))!;
    expect(b.routing?.name).toBe('b');
    expect(b.policy.timeoutMs).toBeUndefined();
  });
});

describe('ingress through HTTPRoutes', () => {
  const ingress = (backend: string) => route('public', { parentRefs: [{ name: 'public-gateway' }], hostnames: ['shop.example.com'], rules: [{ backendRefs: [{ name: backend, port: 80 }] }] });

  test('an HTTPRoute whose parents are Gateways makes its backends entry points (ingress)', () => {
    const g = graphOf(ingress('frontend'), route('frontend', { calls: ['orders'] }), route('orders'));
    expect(g.nodes.get(host('frontend'))).toMatchObject({ entryPoint: true, entryReason: 'ingress' });
    expect(g.nodes.get(host('orders'))).toMatchObject({ entryPoint: false, callers: [host('frontend')] });
    expect(g.figures.get(host('orders'))!.factor).toBe(9);
  });

  test('without the ingress HTTPRoute, the same service is an entry point only for having no callers', () => {
    const g = graphOf(route('frontend', { calls: ['orders'] }), route('orders'));
    expect(g.nodes.get(host('frontend'))!.entryReason).toBe('no callers');
  });

  test('a Service backend that also has callers stays an ingress entry point', () => {
    const g = graphOf(ingress('orders'), route('frontend', { entryPoint: true, calls: ['orders'] }), route('orders'));
    expect(g.nodes.get(host('orders'))).toMatchObject({ entryReason: 'ingress', callers: [host('frontend')] });
  });

  test('facts on a gateway HTTPRoute are about its first host name, routed at the gateway by the route (ingress)', () => {
    const withCalls = { ...ingress('frontend'), metadata: { name: 'public', namespace: 'shop', annotations: { [CALLS_ANNOTATION]: host('frontend') } } };
    const g = graphOf(withCalls, route('frontend'));
    expect(g.nodes.get('shop.example.com')).toMatchObject({ entryReason: 'ingress', calls: [host('frontend')] });
    expect(g.nodes.get('shop.example.com')!.routing?.name).toBe('public');
    expect(g.figures.get(host('frontend'))!.factor).toBe(9);
  });

  test('a route with a Gateway and a Service parent makes the Service host an ingress entry point too', () => {
    const both = route('frontend', { calls: ['orders'], parentRefs: [{ name: 'public-gateway' }, { group: '', kind: 'Service', name: 'frontend' }], rules: [{ backendRefs: [{ name: 'frontend-v1' }] }] });
    expect(graphOf(both, route('orders')).nodes.get(host('frontend'))!.entryReason).toBe('ingress');
  });
});

test('a 20,000-service chain of HTTPRoutes is analyzed in linear time', () => {
  const n = 20_000;
  const manifests = Array.from({ length: n }, (_, i) => route(`s${i}`, { calls: i + 1 < n ? [`s${i + 1}`] : undefined, rules: [{ backendRefs: [{ name: `s${i}-v1` }], retry: { attempts: 0 } }] }));
  const start = Date.now();
  const g = graphOf(...manifests);
  expect(g.figures.size).toBe(n);
  expect(g.figures.get(host(`s${n - 1}`))!.factor).toBe(1);
  expect(Date.now() - start).toBeLessThan(10_000);
});
