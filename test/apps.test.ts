import { Testing } from 'cdk8s';
import { defineExampleApps } from '../apps/all';
import { BlogSystemChart } from '../apps/blog-system';
import { BookinfoChart } from '../apps/bookinfo';
import { CommerceChart } from '../apps/commerce';
import { IstioInActionChart } from '../apps/istioinaction';
import { PaymentsChart } from '../apps/payments';
import { Violation } from '../src/core/errors';
import { validateManifest } from '../src/schema/crd-validator';
import { Rules, WarningCollector, WarningSink } from '../src/synth/rules';

/** Synthesizes every example chart once; warnings are collected instead of printed. */
function synthAll() {
  const app = Testing.app();
  const charts = defineExampleApps(app);
  const collector = new WarningCollector();
  Rules.of(app).warningSink = collector;
  const warnings: Violation[] = collector.warnings;
  const manifests = new Map(charts.map((c) => [c.node.id, Testing.synth(c)]));
  return { manifests, warnings, suppressed: Rules.of(app).lastReport!.suppressed };
}

const { manifests, warnings, suppressed } = synthAll();
const find = (chart: string, kind: string, name: string) => {
  const m = manifests.get(chart)!.find((o: any) => o.kind === kind && o.metadata.name === name);
  if (!m) throw new Error(`${kind}/${name} not found in ${chart}`);
  return m;
};
const istio = [...manifests.values()].flat().filter((m: any) => m.apiVersion.startsWith('networking.istio.io/'));

describe('example apps', () => {
  test('every example chart synthesizes', () => {
    expect([...manifests.keys()]).toEqual(['blog-system', 'bookinfo', 'bookinfo-gateway-api', 'commerce', 'commerce-ingress', 'payments', 'payments-flagger', 'istioinaction', 'shop']);
  });

  test.each(istio.map((m: any) => [`${m.kind}/${m.metadata.namespace}/${m.metadata.name}`, m]))(
    '%s passes the Istio 1.30 CRD schema and CEL rules', (_name, manifest) => {
      expect(validateManifest(manifest)).toEqual([]);
    });

  test('every Istio object is emitted as networking.istio.io/v1', () => {
    expect(istio.length).toBeGreaterThanOrEqual(20);
    expect(new Set(istio.map((m: any) => m.apiVersion))).toEqual(new Set(['networking.istio.io/v1']));
  });

  test('DestinationRules come before the VirtualServices that use their subsets', () => {
    for (const [, objects] of manifests) {
      const kinds = objects.map((o: any) => `${o.kind}/${o.metadata.name}`);
      for (const vs of objects.filter((o: any) => o.kind === 'VirtualService')) {
        const dr = kinds.indexOf(`DestinationRule/${vs.metadata.name}`);
        if (dr >= 0) expect(dr).toBeLessThan(kinds.indexOf(`VirtualService/${vs.metadata.name}`));
      }
    }
  });

  test('no findings except the mirroring ones each app suppresses with its reason', () => {
    expect(warnings).toEqual([]);
    expect(suppressed.map((s) => `${s.code} ${s.path}`).sort()).toEqual([
      'DR-04 payments/payments-api', 'SC-06 istioinaction/lockdown', 'VS-25 blog-system/web', 'VS-25 commerce/orders', 'VS-25 istioinaction/catalog', 'VS-26 istioinaction/catalog',
    ]);
    expect(suppressed.every((s) => s.reason.length > 20)).toBe(true);
  });

  test.each([...manifests.keys()])('%s matches its snapshot', (chart) => {
    expect(manifests.get(chart)).toMatchSnapshot();
  });
});

describe('seed 000: blog-system web-service', () => {
  const vs = find('blog-system', 'VirtualService', 'web-service');
  const dr = find('blog-system', 'DestinationRule', 'web-service');

  test('the admin header route goes to the canary, before the split', () => {
    expect(vs.spec.http.map((r: any) => r.name)).toEqual(['canary-testing', 'primary']);
    expect(vs.spec.http[0].match).toEqual([{ headers: { 'x-canary-test': { exact: 'true' } } }]);
    expect(vs.spec.http[0].route).toEqual([{ destination: { host: 'web-service.blog-system.svc.cluster.local', subset: 'canary' } }]);
  });

  test('the primary route retries 3 × 2s within 10s, the header route keeps its own 2 × 3s within 15s', () => {
    const [test, primary] = vs.spec.http;
    expect(primary.retries).toEqual({ attempts: 3, perTryTimeout: '2s', retryOn: '5xx,reset,connect-failure,refused-stream' });
    expect(primary.timeout).toBe('10s');
    expect(test.retries).toEqual({ attempts: 2, perTryTimeout: '3s', retryOn: '5xx,reset,connect-failure,refused-stream' });
    expect(test.timeout).toBe('15s');
  });

  test('stable 100 / canary 0 with 100 % shadow traffic to the canary', () => {
    expect(vs.spec.http[1].route.map((d: any) => [d.destination.subset, d.weight])).toEqual([['stable', 100], ['canary', 0]]);
    expect(vs.spec.http[1].mirror).toEqual({ host: 'web-service.blog-system.svc.cluster.local', subset: 'canary' });
    expect(vs.spec.http[1].mirrorPercentage).toEqual({ value: 100 });
  });

  test('circuit breaker: 5 × 5xx ejects for 30s, at most 50 %, keeping 30 % healthy', () => {
    expect(dr.spec.trafficPolicy.outlierDetection).toEqual({
      consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 50, minHealthPercent: 30,
    });
    expect(dr.spec.trafficPolicy.connectionPool).toEqual({
      tcp: { maxConnections: 100 }, http: { http1MaxPendingRequests: 100, http2MaxRequests: 100, maxRequestsPerConnection: 10 },
    });
  });
});

describe('seed 001: bookinfo, commerce and payments', () => {
  test('reviews: 90/10 with QA header and GET /api/v2/ on v2', () => {
    const vs = find('bookinfo', 'VirtualService', 'reviews');
    expect(vs.spec.http[0].match).toEqual([
      { headers: { 'x-qa-user': { exact: 'true' } } },
      { uri: { prefix: '/api/v2/' }, method: { exact: 'GET' } },
    ]);
    expect(vs.spec.http.map((r: any) => r.name)).toEqual(['canary-testing', 'jason', 'primary']);
    expect(vs.spec.http[1].route).toEqual([{ destination: { host: 'reviews.bookinfo.svc.cluster.local', subset: 'v3' } }]);
    expect(vs.spec.http[2].route.map((d: any) => [d.destination.subset, d.weight])).toEqual([['v1', 90], ['v2', 10]]);
  });

  test('reviews: subset labels come from the Deployments, without cdk8s bookkeeping labels', () => {
    const dr = find('bookinfo', 'DestinationRule', 'reviews');
    expect(dr.spec.host).toBe('reviews.bookinfo.svc.cluster.local');
    expect(dr.spec.subsets).toEqual([
      { name: 'v1', labels: { app: 'reviews', version: 'v1' } },
      { name: 'v2', labels: { app: 'reviews', version: 'v2' } },
      { name: 'v3', labels: { app: 'reviews', version: 'v3' } },
    ]);
  });

  test('ratings: fault only for x-chaos-test on the route to subset v1, normal traffic untouched', () => {
    const vs = find('bookinfo', 'VirtualService', 'ratings');
    const v1 = [{ destination: { host: 'ratings.bookinfo.svc.cluster.local', subset: 'v1' } }];
    expect(vs.spec.http[0]).toEqual({
      name: 'fault-injection',
      match: [{ headers: { 'x-chaos-test': { exact: 'true' } } }],
      fault: { delay: { fixedDelay: '3s', percentage: { value: 50 } }, abort: { httpStatus: 503, percentage: { value: 10 } } },
      route: v1,
    });
    expect(vs.spec.http[1]).toEqual({ name: 'default', route: v1 });
    expect(find('bookinfo', 'DestinationRule', 'ratings').spec.subsets).toEqual([{ name: 'v1', labels: { app: 'ratings', version: 'v1' } }]);
  });

  test('orders: v1 serves everything, 20 % mirrored to v2', () => {
    const vs = find('commerce', 'VirtualService', 'orders');
    expect(vs.spec.http).toHaveLength(1);
    expect(vs.spec.http[0].route.map((d: any) => [d.destination.subset, d.weight])).toEqual([['v1', 100], ['v2', 0]]);
    expect(vs.spec.http[0].mirror.subset).toBe('v2');
    expect(vs.spec.http[0].mirrorPercentage).toEqual({ value: 20 });
  });

  test('inventory: 3s timeout covering 2 retries of 1s', () => {
    const route = find('commerce', 'VirtualService', 'inventory').spec.http[0];
    expect(route.timeout).toBe('3s');
    expect(route.retries).toEqual({ attempts: 2, perTryTimeout: '1s', retryOn: '5xx,reset,connect-failure,retriable-4xx' });
    const policy = find('commerce', 'DestinationRule', 'inventory').spec.trafficPolicy;
    expect(policy.connectionPool.http).toEqual({ http1MaxPendingRequests: 50, http2MaxRequests: 200, maxRequestsPerConnection: 0 });
  });

  test('search: zone then region failover, with outlier detection', () => {
    const policy = find('commerce', 'DestinationRule', 'search').spec.trafficPolicy;
    expect(policy.loadBalancer).toEqual({
      simple: 'LEAST_REQUEST',
      localityLbSetting: { enabled: true, failoverPriority: ['topology.kubernetes.io/zone', 'topology.kubernetes.io/region'] },
    });
    expect(policy.outlierDetection).toEqual({ consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s' });
  });

  test('payments: the external TLS gateway through the egress gateway, seen by payments and the egress gateway only', () => {
    const se = find('payments', 'ServiceEntry', 'external-payment-gateway');
    expect(se.spec).toEqual({
      hosts: ['api.pgprovider.example'], location: 'MESH_EXTERNAL', resolution: 'DNS', exportTo: ['.', 'istio-system'],
      ports: [{ number: 443, name: 'https', protocol: 'TLS' }],
    });
    const vs = find('payments', 'VirtualService', 'external-payment-gateway');
    expect(vs.spec.gateways).toEqual(['payments/external-payment-gateway-egress', 'mesh']);
    expect(vs.spec.tls.map((r: any) => [r.match[0].gateways[0], r.route[0].destination.host])).toEqual([
      ['mesh', 'istio-egressgateway.istio-system.svc.cluster.local'], ['payments/external-payment-gateway-egress', 'api.pgprovider.example'],
    ]);
    expect(find('payments', 'Gateway', 'external-payment-gateway-egress').spec.servers[0].tls).toEqual({ mode: 'PASSTHROUGH' });
  });

  test('payments-api: seed 001\'s Rollout over the CanaryService\'s route and subsets, its gate as an AnalysisTemplate', () => {
    const rollout = find('payments', 'Rollout', 'payments-api');
    expect(rollout.spec.strategy.canary.trafficRouting.istio).toEqual({
      virtualService: { name: 'payments-api', routes: ['primary'] },
      destinationRule: { name: 'payments-api', stableSubsetName: 'stable', canarySubsetName: 'canary' },
    });
    expect(rollout.spec.strategy.canary.steps.map((s: any) => Object.keys(s)[0])).toEqual(['setWeight', 'analysis', 'setWeight', 'pause', 'setWeight', 'pause']);
    expect(find('payments', 'AnalysisTemplate', 'payments-api-stage-0').spec.metrics.map((m: any) => m.successCondition)).toEqual(['result[0] >= 0.99', 'result[0] <= 500']);
    expect(find('payments', 'VirtualService', 'payments-api').spec.http[0].route.map((d: any) => d.weight)).toEqual([100, 0]);
  });

  test('payments-api the Flagger way (seed 001): a Canary from the same intent, no VirtualService of ours', () => {
    const canary = find('payments-flagger', 'Canary', 'payments-api');
    expect(canary.spec.analysis).toEqual(expect.objectContaining({ interval: '60s', threshold: 5, stepWeights: [10, 20, 30, 40, 50] }));
    expect(canary.spec.service).toEqual(expect.objectContaining({ name: 'payments-api', port: 80, timeout: '3s' }));
    expect(manifests.get('payments-flagger')!.map((o: any) => o.kind)).toEqual(['Deployment', 'Canary']);
  });

  test('payments: locked down to REGISTRY_ONLY, pods let out only to istio-system and DNS (seed 001, high security)', () => {
    expect(find('payments', 'Sidecar', 'default').spec).toEqual({ egress: [{ hosts: ['./*', 'istio-system/*'] }], outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } });
    const policy = find('payments', 'NetworkPolicy', 'default-egress').spec;
    expect(policy.policyTypes).toEqual(['Egress']);
    expect(policy.egress.map((r: any) => r.to.map((t: any) => t.namespaceSelector?.matchLabels['kubernetes.io/metadata.name'] ?? 'own namespace'))).toEqual([
      ['own namespace'], ['istio-system'], ['kube-system'],
    ]);
  });
});

describe('seeds 002/004: istioinaction', () => {
  test('catalog: internal cohort on v2, 90/10, mirrored, bound to the ingress gateway and the mesh', () => {
    const vs = find('istioinaction', 'VirtualService', 'catalog');
    expect(vs.spec.gateways).toEqual(['mesh', 'istioinaction/catalog-gateway']);
    expect(vs.spec.hosts).toEqual(['catalog.istioinaction.svc.cluster.local', 'catalog.istioinaction.io']);
    expect(vs.spec.http[0].match).toEqual([{ headers: { 'x-istio-cohort': { exact: 'internal' } } }]);
    expect(vs.spec.http[1].route.map((d: any) => [d.destination.subset, d.weight])).toEqual([['version-v1', 90], ['version-v2', 10]]);
    expect(vs.spec.http[1].mirror.subset).toBe('version-v2');
    const kinds = manifests.get('istioinaction')!.map((o: any) => `${o.kind}/${o.metadata.name}`);
    expect(kinds.indexOf('Gateway/catalog-gateway')).toBeLessThan(kinds.indexOf('VirtualService/catalog'));
  });

  test('the namespace is locked down to REGISTRY_ONLY; forum\'s call to jsonplaceholder is registered (SC-05 passes)', () => {
    expect(find('istioinaction', 'Sidecar', 'default').spec.outboundTrafficPolicy).toEqual({ mode: 'REGISTRY_ONLY' });
    expect(find('istioinaction', 'Sidecar', 'default').metadata.annotations).toEqual({
      'suppress.traffic.cdk8s-istio-traffic.io/SC-06': 'the book demonstrates REGISTRY_ONLY on its own (chapter 5); its kind cluster enforces no NetworkPolicy',
    });
  });

  test('forum: jsonplaceholder.typicode.com registered as MESH_EXTERNAL HTTP with a timeout', () => {
    const se = find('istioinaction', 'ServiceEntry', 'jsonplaceholder');
    expect(se.spec.hosts).toEqual(['jsonplaceholder.typicode.com']);
    expect(se.spec.ports).toEqual([{ number: 80, name: 'http', protocol: 'HTTP' }]);
    expect(find('istioinaction', 'VirtualService', 'jsonplaceholder').spec.http[0].timeout).toBe('5s');
  });

  test('simple-backend: pool of 1 and outlier detection capped at 50 % (seed had 100 %, DR-08)', () => {
    const policy = find('istioinaction', 'DestinationRule', 'simple-backend').spec.trafficPolicy;
    expect(policy.connectionPool).toEqual({
      tcp: { maxConnections: 1 },
      http: { http1MaxPendingRequests: 1, maxRequestsPerConnection: 1, maxRetries: 1, http2MaxRequests: 1 },
    });
    expect(policy.outlierDetection.maxEjectionPercent).toBe(50);
  });
});

test('the seed chart classes can be used on their own', () => {
  for (const Chart of [BlogSystemChart, BookinfoChart, CommerceChart, PaymentsChart, IstioInActionChart]) {
    const chart = new Chart(Testing.app(), 'c');
    Rules.of(chart).warningSink = WarningSink.discard();
    expect(Testing.synth(chart).length).toBeGreaterThan(0);
  }
});
