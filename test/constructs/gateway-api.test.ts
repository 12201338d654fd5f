import { ApiObject, Chart, Duration, Testing } from 'cdk8s';
import { CanaryService, Destination, HostTraffic, HttpMatch, ResilientBackend, RetryPolicy, Routing, RoutingApi, Subset } from '../../src';
import { validateManifest } from '../../src/schema/crd-validator';
import { testChart } from '../support/constructs';
import { thrownBy } from '../support/errors';

/** Every object the chart emits, each checked against its CRD schema + CEL (Istio's and the Gateway API's). */
function synth(chart: Chart): any[] {
  const objects = Testing.synth(chart);
  for (const o of objects) if (o.apiVersion !== 'v1') expect(validateManifest(o)).toEqual([]);
  return objects;
}

/** A test chart in namespace bookinfo, warnings collected. */
function bookinfo(): { chart: Chart } {
  return testChart(undefined, new Chart(Testing.app(), 'test', { namespace: 'bookinfo' }));
}

function reviewsService(chart: Chart): ApiObject {
  return new ApiObject(chart, 'reviews-svc', {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'reviews', namespace: 'bookinfo' },
    spec: { selector: { app: 'reviews' }, ports: [{ name: 'http', port: 9080, targetPort: 9080 }] },
  });
}

describe('CanaryService under RoutingApi.GATEWAY_API', () => {
  it('emits an HTTPRoute parented to the Service, one Service per version and no VirtualService', () => {
    const { chart } = bookinfo();
    const service = reviewsService(chart);
    new CanaryService(chart, 'reviews', {
      routingApi: RoutingApi.GATEWAY_API, service,
      stable: Subset.fromLabels({ version: 'v1' }), canary: Subset.fromLabels({ version: 'v2' }),
      stableSubsetName: 'v1', canarySubsetName: 'v2', canaryWeight: 10,
      testMatches: [HttpMatch.header('end-user').exact('qa')], timeout: Duration.seconds(5),
    });
    const objects = synth(chart);
    expect(objects.filter((o) => o.kind === 'VirtualService')).toEqual([]);
    const route = objects.find((o) => o.kind === 'HTTPRoute');
    expect(route.metadata).toEqual({ name: 'reviews', namespace: 'bookinfo' });
    expect(route.spec.parentRefs).toEqual([{ group: '', kind: 'Service', name: 'reviews' }]);
    expect(route.spec.rules).toEqual([
      { name: 'canary-testing', matches: [{ headers: [{ name: 'end-user', type: 'Exact', value: 'qa' }] }], backendRefs: [{ name: 'reviews-v2', port: 9080 }], timeouts: { request: '5s' } },
      { name: 'primary', backendRefs: [{ name: 'reviews-v1', port: 9080, weight: 90 }, { name: 'reviews-v2', port: 9080, weight: 10 }], timeouts: { request: '5s' } },
    ]);
    const versions = objects.filter((o) => o.kind === 'Service' && o.metadata.name !== 'reviews');
    expect(versions.map((s) => [s.metadata.name, s.spec.selector, s.spec.ports])).toEqual([
      ['reviews-v1', { app: 'reviews', version: 'v1' }, [{ name: 'http', port: 9080, targetPort: 9080 }]],
      ['reviews-v2', { app: 'reviews', version: 'v2' }, [{ name: 'http', port: 9080, targetPort: 9080 }]],
    ]);
    // No traffic policy: no DestinationRule at all.
    expect(objects.filter((o) => o.kind === 'DestinationRule')).toEqual([]);
  });

  it('puts the traffic policy on a DestinationRule per version host', () => {
    const { chart } = bookinfo();
    new CanaryService(chart, 'reviews', {
      routingApi: RoutingApi.GATEWAY_API, service: reviewsService(chart),
      stable: Subset.fromLabels({ version: 'v1' }), canary: Subset.fromLabels({ version: 'v2' }),
      connectionPool: { tcp: { maxConnections: 100 } },
    });
    const drs = synth(chart).filter((o) => o.kind === 'DestinationRule');
    expect(drs.map((d) => d.spec.host)).toEqual([
      'reviews.bookinfo.svc.cluster.local', 'reviews-stable.bookinfo.svc.cluster.local', 'reviews-canary.bookinfo.svc.cluster.local',
    ]);
    for (const d of drs) {
      expect(d.spec.trafficPolicy).toEqual({ connectionPool: { tcp: { maxConnections: 100 } } });
      expect(d.spec.subsets).toBeUndefined();
    }
  });

  it('mirrors to the canary version Service', () => {
    const { chart } = bookinfo();
    new CanaryService(chart, 'reviews', {
      routingApi: RoutingApi.GATEWAY_API, service: reviewsService(chart),
      stable: Subset.fromLabels({ version: 'v1' }), canary: Subset.fromLabels({ version: 'v2' }), mirrorPercentage: 5,
    });
    const route = synth(chart).find((o) => o.kind === 'HTTPRoute');
    expect(route.spec.rules[0].filters).toEqual([{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'reviews-canary', port: 9080 }, percent: 5 } }]);
  });

  it('is chosen for a whole chart with Routing.useApi', () => {
    const chart = Testing.chart();
    Routing.useApi(chart, RoutingApi.GATEWAY_API);
    testChart(undefined, chart);
    const traffic = new CanaryService(chart, 'reviews', {
      service: reviewsService(chart), stable: Subset.fromLabels({ version: 'v1' }), canary: Subset.fromLabels({ version: 'v2' }),
    });
    expect(traffic.routingApi).toBe(RoutingApi.GATEWAY_API);
    expect(traffic.virtualService).toBeUndefined();
    expect(traffic.httpRoute?.kind).toBe('HTTPRoute');
    expect(traffic.versionServices.map((s) => s.name)).toEqual(['reviews-stable', 'reviews-canary']);
  });
});

describe('what HTTPRoute cannot say is refused with the alternative', () => {
  const base = (chart: Chart) => ({ routingApi: RoutingApi.GATEWAY_API, service: reviewsService(chart), stable: Subset.fromLabels({ version: 'v1' }), canary: Subset.fromLabels({ version: 'v2' }) });

  it('refuses retries, naming Istio\'s implicit retries', () => {
    const { chart } = bookinfo();
    const props = { ...base(chart), retries: RetryPolicy.none() };
    const e = thrownBy(() => new CanaryService(chart, 'reviews', props));
    expect(e.code).toBe('PROP');
    expect(e.message).toMatch(/retries cannot be written as a Gateway API HTTPRoute: the standard channel has no retry field, so Istio's default retry policy: 2 retries/);
    expect(e.message).toMatch(/RoutingApi.ISTIO/);
  });

  it('refuses fault injection, sourceLabels matches and direct responses', () => {
    const { chart } = bookinfo();
    const t = new HostTraffic(chart, 'reviews', { routingApi: RoutingApi.GATEWAY_API, host: 'reviews', port: 9080 });
    expect(thrownBy(() => t.addHttpRoute({ match: [HttpMatch.sourceLabels({ app: 'productpage' })], route: [Destination.host('reviews')] })).message).toMatch(/sourceLabels cannot be written as a Gateway API HTTPRoute: source labels are dropped at ambient waypoints/);
    expect(() => new ResilientBackend(chart, 'ratings', {
      routingApi: RoutingApi.GATEWAY_API, host: 'ratings', port: 9080,
      faultInjection: undefined as any, timeout: Duration.seconds(1), retries: RetryPolicy.idempotent({ attempts: 1, perTryTimeout: Duration.millis(400) }),
    })).toThrow(/retries cannot be written/);
  });

  it('refuses a route order the Gateway API would reverse', () => {
    const { chart } = bookinfo();
    const t = new HostTraffic(chart, 'reviews', { routingApi: RoutingApi.GATEWAY_API, host: 'reviews', port: 9080 });
    t.addHttpRoute({ match: [HttpMatch.header('x-qa').exact('1')], route: [Destination.host('reviews')] });
    expect(thrownBy(() => t.addHttpRoute({ match: [HttpMatch.pathPrefix('/api/')], route: [Destination.host('reviews')] })).message).toMatch(/matches more specifically/);
  });

  it('refuses an external host and a Flagger or Argo controller', () => {
    const { chart } = bookinfo();
    expect(thrownBy(() => new HostTraffic(chart, 'ext', { routingApi: RoutingApi.GATEWAY_API, host: 'api.example.com' })).message).toMatch(/not a Kubernetes Service/);
  });

  it('passes what it can say: the Istio form of the same intent is unchanged', () => {
    const { chart } = bookinfo();
    new CanaryService(chart, 'reviews', { ...base(chart), routingApi: RoutingApi.ISTIO, retries: RetryPolicy.none() });
    const kinds = synth(chart).map((o) => o.kind);
    expect(kinds).toContain('VirtualService');
    expect(kinds).not.toContain('HTTPRoute');
  });
});
