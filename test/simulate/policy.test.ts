/**
 * What the chosen route does: weights, timeout and retries (Istio's implicit default and `retry.ConvertPolicy`),
 * fault, mirrors, redirect and direct response; the DestinationRule policy per destination (lookup path and
 * top → subset → port merge); and the UH, NC and UO risks.
 */
import { RetrySource, SimulationOutcome, TrafficSource } from '../../src';
import { deployment, dr, route, service, simulate, vs } from './support';

const reviews = (http: unknown[]) => vs('reviews', { hosts: ['reviews'], http });
const one = (r: Record<string, unknown>, extra: unknown[] = []) => simulate([reviews([r]), ...extra], { authority: 'reviews' });

describe('timeout and retries', () => {
  test('route retries override Istio\'s default field by field; status codes in retryOn become retriable codes', () => {
    const r = one(route('reviews', undefined, { retries: { attempts: 3, perTryTimeout: '2s', retryOn: '5xx,503,gateway-error' }, timeout: '1.5s' }));
    expect(r.retry).toEqual({ attempts: 3, retryOn: '5xx,gateway-error,retriable-status-codes', retriableStatusCodes: [503], perTryTimeout: '2s', source: RetrySource.ROUTE });
    expect(r.timeout).toBe('1500ms');
    expect(r.timeoutMillis).toBe(1500);
  });

  test('retries without retryOn keep Istio\'s default conditions', () => {
    expect(one(route('reviews', undefined, { retries: { attempts: 5, backoff: '100ms' } })).retry).toEqual({
      attempts: 5, retryOn: 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes', retriableStatusCodes: [503], backoff: '100ms', source: RetrySource.ROUTE,
    });
  });

  test('attempts 0 disables retries; no retries set gives Istio\'s implicit 2', () => {
    expect(one(route('reviews', undefined, { retries: { attempts: 0 } })).retry).toEqual({ attempts: 0, retriableStatusCodes: [], source: RetrySource.ROUTE });
    expect(one(route('reviews')).retry).toEqual(expect.objectContaining({ attempts: 2, source: RetrySource.ISTIO_DEFAULT }));
  });

  test('no timeout set, or 0s, means no timeout', () => {
    expect(one(route('reviews')).timeout).toBeUndefined();
    const zero = one(route('reviews', undefined, { timeout: '0s' }));
    expect(zero.timeoutMillis).toBeUndefined();
    expect(zero.notes).toContain('timeout 0s disables the route timeout');
  });

  test('a fault-injection route reports the fault, and neither timeout nor retries (as Istio documents)', () => {
    const fault = { abort: { httpStatus: 500, percentage: { value: 100 } } };
    const r = one(route('reviews', undefined, { fault, timeout: '3s', retries: { attempts: 3 } }));
    expect(r.fault).toEqual(fault);
    expect(r.retry).toEqual({ attempts: 0, retriableStatusCodes: [], source: RetrySource.FAULT_INJECTION });
    expect(r.timeout).toBeUndefined();
    expect(r.notes.join('\n')).toMatch(/injects a fault.*its timeout 3s and retries do not apply/);
  });
});

describe('destinations and actions', () => {
  test('weights become percentages; weight-0 destinations are dropped', () => {
    const r = one({ route: [
      { destination: { host: 'reviews', subset: 'v1' }, weight: 90 }, { destination: { host: 'reviews', subset: 'v2' }, weight: 10 },
      { destination: { host: 'reviews', subset: 'v3' }, weight: 0 },
    ] }, [dr('reviews', { host: 'reviews', subsets: ['v1', 'v2', 'v3'].map((v) => ({ name: v, labels: { version: v } })) })]);
    expect(r.destinations.map((d) => [d.subset, d.percent])).toEqual([['v1', 90], ['v2', 10]]);
  });

  test('a single destination takes every request whatever its weight', () => {
    expect(one({ route: [{ destination: { host: 'reviews' }, weight: 0 }] }).destinations[0].percent).toBe(100);
  });

  test('the destination port is destination.port, else the Service\'s only port, else the request port', () => {
    expect(one({ route: [{ destination: { host: 'reviews', port: { number: 9090 } } }] }).destinations[0].port).toBe(9090);
    expect(one(route('ratings'), [service('ratings', { app: 'ratings' }, [9080])]).destinations[0].port).toBe(9080);
    expect(simulate([reviews([route('ratings')])], { authority: 'reviews', port: 8000 }).destinations[0].port).toBe(8000);
  });

  test('mirrors with their percentages; a 0 % mirror is not mirrored', () => {
    const r = one(route('reviews', undefined, {
      mirror: { host: 'shadow' }, mirrorPercentage: { value: 5 },
      mirrors: [{ destination: { host: 'audit', subset: 'v1' } }, { destination: { host: 'off' }, percentage: { value: 0 } }],
    }));
    expect(r.mirrors).toEqual([
      { host: 'shadow.default.svc.cluster.local', port: 80, percent: 5 }, { host: 'audit.default.svc.cluster.local', subset: 'v1', port: 80, percent: 100 },
    ]);
  });

  test('redirect and direct response answer without destinations', () => {
    const redirect = one({ redirect: { uri: '/v2', redirectCode: 302 } });
    expect(redirect.outcome).toBe(SimulationOutcome.REDIRECT);
    expect(redirect.redirect).toEqual({ uri: '/v2', redirectCode: 302 });
    expect(redirect.destinations).toEqual([]);
    const direct = one({ directResponse: { status: 503, body: { string: 'down' } } });
    expect(direct.outcome).toBe(SimulationOutcome.DIRECT_RESPONSE);
    expect(direct.directResponse).toEqual({ status: 503, body: { string: 'down' } });
  });

  test('rewrite and header operations are passed through', () => {
    const r = one(route('reviews', undefined, { rewrite: { uri: '/' }, headers: { request: { set: { 'x-a': '1' } } } }));
    expect(r.rewrite).toEqual({ uri: '/' });
    expect(r.headers).toEqual({ request: { set: { 'x-a': '1' } } });
  });
});

describe('DestinationRule policy', () => {
  const CP1 = { tcp: { maxConnections: 10 } };
  const LB1 = { simple: 'ROUND_ROBIN' };
  const LB2 = { simple: 'LEAST_REQUEST' };
  const OD1 = { consecutive5xxErrors: 5 };
  const rule = dr('reviews', {
    host: 'reviews',
    trafficPolicy: { connectionPool: CP1, loadBalancer: LB1, outlierDetection: OD1, portLevelSettings: [{ port: { number: 9080 }, connectionPool: { http: { http2MaxRequests: 50 } } }] },
    subsets: [
      { name: 'v2', labels: { version: 'v2' }, trafficPolicy: { loadBalancer: LB2 } },
      { name: 'v3', labels: { version: 'v3' }, trafficPolicy: { loadBalancer: LB2, portLevelSettings: [{ port: { number: 7070 }, tls: { mode: 'DISABLE' } }] } },
    ],
  });
  const to = (subset: string, port: number) => simulate([reviews([{ route: [{ destination: { host: 'reviews', subset, port: { number: port } } }] }]), rule], { authority: 'reviews' }).destinations[0].policy;

  test('a subset policy overrides the top level field by field', () => {
    expect(to('v2', 8000)).toEqual({
      destinationRule: 'default/reviews', connectionPool: CP1, loadBalancer: LB2, outlierDetection: OD1,
      sources: { connectionPool: 'trafficPolicy', loadBalancer: 'subset "v2" trafficPolicy', outlierDetection: 'trafficPolicy' },
    });
  });

  test('a top-level portLevelSettings entry replaces the top level wholesale on its port', () => {
    expect(to('v2', 9080)).toEqual({
      destinationRule: 'default/reviews', connectionPool: { http: { http2MaxRequests: 50 } }, loadBalancer: LB2,
      sources: { connectionPool: 'trafficPolicy.portLevelSettings (port 9080)', loadBalancer: 'subset "v2" trafficPolicy' },
    });
  });

  test('a subset portLevelSettings entry replaces all four fields: what it leaves unset falls back to Istio\'s defaults', () => {
    expect(to('v3', 7070)).toEqual({ destinationRule: 'default/reviews', tls: { mode: 'DISABLE' }, sources: { tls: 'subset "v3" trafficPolicy.portLevelSettings (port 7070)' } });
  });

  test('lookup path: the client namespace first, then the service namespace (if exported), then the root namespace', () => {
    const http = [vs('reviews', { hosts: ['reviews'], http: [route('reviews')] }, 'prod')];
    const own = dr('client-side', { host: 'reviews.prod.svc.cluster.local', trafficPolicy: { loadBalancer: LB1 } }, 'web');
    const svc = dr('reviews', { host: 'reviews', exportTo: ['.'], trafficPolicy: { loadBalancer: LB2 } }, 'prod');
    const root = dr('mesh-wide', { host: '*.local', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }, 'istio-system');
    const from = (namespace: string, ms: unknown[]) => simulate([...http, ...ms], { authority: 'reviews.prod.svc.cluster.local', source: TrafficSource.mesh({ namespace }) })
      .destinations[0].policy?.destinationRule;
    expect(from('web', [own, svc, root])).toBe('web/client-side');
    expect(from('prod', [own, svc, root])).toBe('prod/reviews');
    expect(from('shop', [own, svc, root])).toBe('istio-system/mesh-wide');
    expect(from('shop', [own, svc])).toBeUndefined();
  });

  test('a DestinationRule with a workloadSelector applies only to the selected clients of its namespace', () => {
    const ms = [reviews([route('reviews')]), dr('for-batch', { host: 'reviews', workloadSelector: { matchLabels: { app: 'batch' } }, trafficPolicy: { loadBalancer: LB2 } })];
    const policy = (labels: Record<string, string>) => simulate(ms, { authority: 'reviews', source: TrafficSource.mesh({ labels }) }).destinations[0].policy;
    expect(policy({ app: 'batch' })?.destinationRule).toBe('default/for-batch');
    expect(policy({ app: 'web' })).toBeUndefined();
  });
});

describe('risks: UH, NC, UO', () => {
  const subsets = dr('reviews', { host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v9', labels: { version: 'v9' } }] });
  const toSubset = (subset: string, extra: unknown[]) => simulate([reviews([route('reviews', undefined, { subset })]), subsets, ...extra], { authority: 'reviews' });

  test('UH: the subset selects no workload in the input', () => {
    const ms = [deployment('reviews-v1', { app: 'reviews', version: 'v1' }), service('reviews', { app: 'reviews' }, [9080])];
    expect(toSubset('v1', ms).destinations[0].workloads).toEqual(['Deployment default/reviews-v1']);
    expect(toSubset('v1', ms).risks).toEqual([]);
    expect(toSubset('v9', ms).risks).toEqual([{ code: 'UH', destination: 'reviews.default.svc.cluster.local/v9', message: 'subset "v9" selects no workload in the input: no healthy upstream (503 UH)' }]);
  });

  test('no UH verdict when the input has no workloads', () => {
    const r = toSubset('v9', []);
    expect(r.risks).toEqual([]);
    expect(r.destinations[0].workloads).toBeUndefined();
  });

  test('no UH verdict when the input has workloads only in other namespaces (they say nothing about this one)', () => {
    const elsewhere = { ...deployment('reviews-v1', { app: 'reviews', version: 'v1' }), metadata: { name: 'reviews-v1', namespace: 'shop' } };
    expect(toSubset('v9', [elsewhere]).risks).toEqual([]);
  });

  test('pods must match both the Service selector and the subset labels', () => {
    const ms = [deployment('other-v1', { app: 'other', version: 'v1' }), service('reviews', { app: 'reviews' }, [9080])];
    expect(toSubset('v1', ms).risks.map((r) => r.code)).toEqual(['UH']);
  });

  test('NC: a subset no DestinationRule defines has no Envoy cluster', () => {
    expect(toSubset('v2', []).risks).toEqual([{
      code: 'NC', destination: 'reviews.default.svc.cluster.local/v2', message: 'subset "v2" is not defined in DestinationRule default/reviews: Envoy has no such cluster (503 NC)',
    }]);
  });

  test('UO: the connection-pool limits of the applied policy, with where they come from', () => {
    const limits = dr('reviews', { host: 'reviews', trafficPolicy: { connectionPool: { tcp: { maxConnections: 1 }, http: { http1MaxPendingRequests: 2, maxRetries: 3 } } } });
    const r = simulate([reviews([route('reviews')]), limits], { authority: 'reviews' });
    expect(r.risks.map((x) => [x.code, x.limit, x.value])).toEqual([
      ['UO', 'connectionPool.tcp.maxConnections', 1], ['UO', 'connectionPool.http.http1MaxPendingRequests', 2], ['URX', 'connectionPool.http.maxRetries', 3],
    ]);
    expect(r.risks[0].message).toMatch(/at most 1 connection\(s\) to reviews.default.svc.cluster.local.*503 UO \(trafficPolicy of default\/reviews\)/);
  });
});
