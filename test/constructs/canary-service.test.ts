import { Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';
import { istioObjects, oneOf, testChart } from '../support/constructs';
import { thrownBy } from '../support/errors';
import { CanaryService, CanaryServiceProps } from '../../src/constructs/canary-service';
import { CanaryStage } from '../../src/policies/stages';
import { Subset } from '../../src/constructs/refs';
import { IstioValidationError, Violation } from '../../src/core/errors';
import { HttpMatch, HttpMethod } from '../../src/policies/match';
import { RetryPolicy } from '../../src/policies/retry';
import { validateManifest } from '../../src/schema/crd-validator';
import { Rules } from '../../src/synth/rules';

const HOST = 'reviews.bookinfo.svc.cluster.local';
const V1 = Subset.fromLabels({ app: 'reviews', version: 'v1' });
const V2 = Subset.fromLabels({ app: 'reviews', version: 'v2' });

/** The shared construct test helpers (test/support), bound to this file's host. */
function setup(chart: Chart = Testing.chart()) {
  return testChart([HOST], chart);
}
const istio = istioObjects;
const of = oneOf;

function canary(props: Partial<CanaryServiceProps> = {}, chart = setup().chart) {
  const construct = new CanaryService(chart, 'canary', { host: HOST, stable: V1, canary: V2, ...props });
  return { chart, construct };
}

function deployment(chart: Chart, id: string, labels: Record<string, string>) {
  return new kplus.Deployment(chart, id, {
    podMetadata: { labels },
    containers: [{ image: 'nginx', portNumber: 80, securityContext: { ensureNonRoot: false } }],
  });
}

describe('emitted objects', () => {
  test('emits a DestinationRule before the VirtualService, both networking.istio.io/v1', () => {
    const { chart } = canary();
    expect(istio(chart).map((o) => [o.apiVersion, o.kind])).toEqual([
      ['networking.istio.io/v1', 'DestinationRule'],
      ['networking.istio.io/v1', 'VirtualService'],
    ]);
  });

  test('emits nothing but the two Istio objects', () => {
    const { chart } = canary();
    expect(Testing.synth(chart)).toHaveLength(2);
  });

  test('synthesizes without warnings in the basic case', () => {
    const { chart, warnings } = setup();
    canary({}, chart);
    Testing.synth(chart);
    expect(warnings).toEqual([]);
  });

  test('every object passes the Istio CRD schema', () => {
    const { chart } = canary({
      canaryWeight: 10, timeout: Duration.seconds(5), retries: RetryPolicy.idempotent({ attempts: 2, perTryTimeout: Duration.seconds(1) }),
      testMatches: [HttpMatch.header('x-canary').exact('true')], mirrorPercentage: 5, gateways: ['mesh', 'istio-system/public'],
      hosts: ['reviews.example.com'], port: 9080, outlierDetection: { maxEjectionPercent: 50 },
    });
    for (const o of istio(chart)) expect(validateManifest(o)).toEqual([]);
  });

  test('matches the snapshot of a full canary', () => {
    const { chart } = canary({
      canaryWeight: 10, timeout: Duration.seconds(5), retries: RetryPolicy.idempotent({ attempts: 2, perTryTimeout: Duration.seconds(1) }),
      testMatches: [HttpMatch.header('x-canary').exact('true'), HttpMatch.cookie('qa', '1')], mirrorPercentage: 5,
    });
    expect(Testing.synth(chart)).toMatchSnapshot();
  });

  test('synthesizes identical output twice', () => {
    const build = () => {
      const { chart } = canary({ canaryWeight: 25, testMatches: [HttpMatch.header('x-canary').exact('true')] });
      return JSON.stringify(Testing.synth(chart));
    };
    expect(build()).toBe(build());
  });
});

describe('names and namespace', () => {
  test('derives the name from the host', () => {
    const { chart } = canary();
    expect(of(chart, 'DestinationRule').metadata).toEqual({ name: 'reviews' });
    expect(of(chart, 'VirtualService').metadata).toEqual({ name: 'reviews' });
  });

  test('uses the given name and namespace', () => {
    const { chart } = canary({ name: 'reviews-canary', namespace: 'bookinfo' });
    expect(of(chart, 'DestinationRule').metadata).toEqual({ name: 'reviews-canary', namespace: 'bookinfo' });
    expect(of(chart, 'VirtualService').metadata).toEqual({ name: 'reviews-canary', namespace: 'bookinfo' });
  });

  test('inherits the chart namespace', () => {
    const { chart } = canary({}, setup(new Chart(Testing.app(), 'test', { namespace: 'bookinfo' })).chart);
    expect(of(chart, 'VirtualService').metadata.namespace).toBe('bookinfo');
  });

  test('rejects an invalid name with PROP (ObjectMeta grammar: the API server checks it, no catalogue rule does)', () => {
    const e = thrownBy(() => canary({ name: 'Reviews' }));
    expect(e.code).toBe('PROP');
    expect(e.value).toBe('Reviews');
  });

  test('rejects an invalid namespace with PROP', () => {
    expect(thrownBy(() => canary({ namespace: 'book.info' })).value).toBe('book.info');
    expect(thrownBy(() => canary({ namespace: 'book.info' })).code).toBe('PROP');
  });
});

describe('host', () => {
  test('uses the host string on the DestinationRule, hosts and destinations', () => {
    const { chart, construct } = canary({ canaryWeight: 10 });
    expect(construct.host).toBe(HOST);
    expect(of(chart, 'DestinationRule').spec.host).toBe(HOST);
    const vs = of(chart, 'VirtualService');
    expect(vs.spec.hosts).toEqual([HOST]);
    expect(vs.spec.http[0].route.map((r: any) => r.destination.host)).toEqual([HOST, HOST]);
  });

  test('derives name.namespace.svc.cluster.local from a kplus.Service', () => {
    const { chart } = setup();
    const svc = new kplus.Service(chart, 'svc', { metadata: { name: 'ratings', namespace: 'shop' }, ports: [{ port: 9080 }] });
    const c = new CanaryService(chart, 'canary', { service: svc, stable: V1, canary: V2 });
    expect(c.host).toBe('ratings.shop.svc.cluster.local');
    expect(of(chart, 'DestinationRule').spec.host).toBe('ratings.shop.svc.cluster.local');
    expect(of(chart, 'VirtualService').metadata.name).toBe('ratings');
  });

  test('takes the namespace of a kplus.Service from its chart', () => {
    const { chart } = setup(new Chart(Testing.app(), 'test', { namespace: 'shop' }));
    const svc = new kplus.Service(chart, 'svc', { metadata: { name: 'ratings' }, ports: [{ port: 9080 }] });
    expect(new CanaryService(chart, 'canary', { service: svc, stable: V1, canary: V2 }).host).toBe('ratings.shop.svc.cluster.local');
  });

  /** A chart with a cdk8s-plus Service `ratings` and a Deployment, created anew on each call (thrownBy runs twice). */
  function withService(build: (chart: Chart, svc: kplus.Service, d: kplus.Deployment) => unknown) {
    return () => {
      const { chart } = setup();
      const svc = new kplus.Service(chart, 'svc', { metadata: { name: 'ratings' }, ports: [{ port: 9080 }] });
      return build(chart, svc, deployment(chart, 'd', { app: 'x' }));
    };
  }

  test('rejects host and service together with PROP', () => {
    const e = thrownBy(withService((chart, svc) => new CanaryService(chart, 'canary', { host: HOST, service: svc, stable: V1, canary: V2 })));
    expect(e.code).toBe('PROP');
    expect(e.message).toContain('[test/canary] PROP: host and service are both set. Set only service');
    expect(e.allowed).toBe('either host or service');
  });

  test('rejects neither host nor service with PROP', () => {
    const e = thrownBy(() => new CanaryService(setup().chart, 'canary', { stable: V1, canary: V2 }));
    expect(e.code).toBe('PROP');
    expect(e.message).toContain('neither host nor service is set');
  });

  test('rejects a Service passed as host (the 0.1 API) with PROP pointing to service', () => {
    const e = thrownBy(withService((chart, svc) => canary({ host: svc as any }, chart)));
    expect(e.code).toBe('PROP');
    expect(e.message).toContain('[test/canary] PROP: host Service (v1) "ratings" is not a hostname string. Pass a Service construct as service, not host');
  });

  test('rejects a workload passed as service with PROP naming what it got', () => {
    const e = thrownBy(withService((chart, _svc, d) => new CanaryService(chart, 'canary', { service: d, stable: V1, canary: V2 })));
    expect(e.code).toBe('PROP');
    expect(e.message).toMatch(/^\[test\/canary\] PROP: service Deployment \(apps\/v1\) "test-d-c8\w+" is not a Kubernetes Service/);
  });

  test('rejects an invalid host with X-03', () => {
    const e = thrownBy(() => canary({ host: 'reviews..bookinfo' }));
    expect(e.code).toBe('X-03');
    expect(e.path).toBe('test/canary');
  });

  test('rejects a wildcard host with X-03', () => {
    expect(thrownBy(() => canary({ host: '*.bookinfo.svc.cluster.local' })).code).toBe('X-03');
  });
});

describe('subsets', () => {
  test('emits stable and canary subsets with their labels', () => {
    const { chart } = canary();
    expect(of(chart, 'DestinationRule').spec.subsets).toEqual([
      { name: 'stable', labels: { app: 'reviews', version: 'v1' } },
      { name: 'canary', labels: { app: 'reviews', version: 'v2' } },
    ]);
  });

  test('uses custom subset names everywhere', () => {
    const { chart, construct } = canary({ stableSubsetName: 'v1', canarySubsetName: 'v2', canaryWeight: 5 });
    expect(construct.stableSubsetName).toBe('v1');
    expect(construct.canarySubsetName).toBe('v2');
    expect(of(chart, 'DestinationRule').spec.subsets.map((s: any) => s.name)).toEqual(['v1', 'v2']);
    expect(of(chart, 'VirtualService').spec.http[0].route.map((r: any) => r.destination.subset)).toEqual(['v1', 'v2']);
  });

  test('derives labels from kplus Deployments without the cdk8s.io/metadata.addr label', () => {
    const { chart } = setup();
    const d1 = deployment(chart, 'd', { app: 'x', version: 'v1' });
    const d2 = deployment(chart, 'd2', { app: 'x', version: 'v2' });
    expect(d1.podMetadata.toJson().labels).toHaveProperty(['cdk8s.io/metadata.addr']);
    new CanaryService(chart, 'canary', { host: HOST, stable: Subset.fromWorkload(d1), canary: Subset.fromWorkload(d2) });
    expect(of(chart, 'DestinationRule').spec.subsets).toEqual([
      { name: 'stable', labels: { app: 'x', version: 'v1' } },
      { name: 'canary', labels: { app: 'x', version: 'v2' } },
    ]);
  });

  test('mixes a Deployment and explicit labels', () => {
    const { chart } = setup();
    const d1 = deployment(chart, 'd', { app: 'x', version: 'v1' });
    new CanaryService(chart, 'canary', { host: HOST, stable: Subset.fromWorkload(d1), canary: Subset.fromLabels({ app: 'x', version: 'v2' }) });
    expect(of(chart, 'DestinationRule').spec.subsets[0].labels).toEqual({ app: 'x', version: 'v1' });
  });

  test('rejects identical labels with DR-04', () => {
    const e = thrownBy(() => canary({ canary: Subset.fromLabels({ version: 'v1', app: 'reviews' }) }));
    expect(e.code).toBe('DR-04');
    expect(e.path).toBe('test/canary');
    expect(e.value).toBe('{"app":"reviews","version":"v1"} / {"app":"reviews","version":"v1"}');
  });

  test('rejects overlapping labels with DR-04: a broader stable subset would also select the canary pods', () => {
    const e = thrownBy(() => canary({ stable: Subset.fromLabels({ app: 'reviews' }), canary: Subset.fromLabels({ app: 'reviews', version: 'v2' }) }));
    expect(e.code).toBe('DR-04');
    expect(e.message).toMatch(/contained in the other/);
  });

  test('rejects overlapping labels the other way round with DR-04 too', () => {
    expect(thrownBy(() => canary({ stable: Subset.fromLabels({ app: 'reviews', version: 'v1' }), canary: Subset.fromLabels({ app: 'reviews' }) })).code).toBe('DR-04');
  });

  test('rejects subset labels that are not a map with PROP', () => {
    expect(thrownBy(() => canary({ canary: Subset.fromLabels(['v2'] as any) })).code).toBe('PROP');
  });

  test('rejects Deployments with identical pod labels with DR-04', () => {
    const build = () => {
      const { chart } = setup();
      const d1 = deployment(chart, 'd', { app: 'x', version: 'v1' });
      const d2 = deployment(chart, 'd2', { app: 'x', version: 'v1' });
      return new CanaryService(chart, 'canary', { host: HOST, stable: Subset.fromWorkload(d1), canary: Subset.fromWorkload(d2) });
    };
    expect(thrownBy(build).code).toBe('DR-04');
  });

  test('rejects empty labels with DR-03', () => {
    const e = thrownBy(() => canary({ canary: Subset.fromLabels({}) }));
    expect(e.code).toBe('DR-03');
    expect(e.allowed).toBe('at least one label');
  });

  test('rejects a Deployment with only cdk8s.io labels with DR-03', () => {
    const build = () => {
      const { chart } = setup();
      const bare = new kplus.Deployment(chart, 'bare', { containers: [{ image: 'nginx', portNumber: 80, securityContext: { ensureNonRoot: false } }] });
      return new CanaryService(chart, 'canary', { host: HOST, stable: V1, canary: Subset.fromWorkload(bare) });
    };
    const e = thrownBy(build);
    expect(e.code).toBe('DR-03');
    expect(e.fix).toContain('podMetadata');
  });

  test('rejects a bare Deployment or { labels } (the 0.1 API) with PROP naming the factories', () => {
    const bare = thrownBy(() => {
      const { chart } = setup();
      return canary({ stable: deployment(chart, 'd', { app: 'x', version: 'v1' }) as any }, chart);
    });
    expect(bare.code).toBe('PROP');
    expect(bare.allowed).toBe('a Subset');
    expect(bare.fix).toBe("Pass stable: Subset.fromLabels({ version: 'v2' }) or Subset.fromWorkload(deployment).");
    expect(thrownBy(() => canary({ canary: { labels: { version: 'v2' } } as any })).message).toContain('canary {"labels":{"version":"v2"}} is not a Subset');
  });

  test('rejects a Service given to Subset.fromWorkload with PROP: it has no pod template', () => {
    const e = thrownBy(() => {
      const { chart } = setup();
      const svc = new kplus.Service(chart, 'svc', { metadata: { name: 'ratings' }, ports: [{ port: 9080 }] });
      return canary({ canary: Subset.fromWorkload(svc) }, chart);
    });
    expect(e.code).toBe('PROP');
    expect(e.message).toContain('canary Service (v1) "ratings" is not a workload with a pod template');
  });

  test('rejects something that is neither a Deployment nor labels with PROP', () => {
    expect(thrownBy(() => canary({ stable: 'v1' as any })).code).toBe('PROP');
  });

  test('rejects invalid label syntax with X-08', () => {
    expect(thrownBy(() => canary({ canary: Subset.fromLabels({ version: 'v 2' }) })).code).toBe('X-08');
  });

  test('rejects the same subset names with DR-02', () => {
    const e = thrownBy(() => canary({ stableSubsetName: 'main', canarySubsetName: 'main' }));
    expect(e.code).toBe('DR-02');
    expect(e.value).toBe('main');
  });

  test('rejects a default-colliding subset name with DR-02', () => {
    expect(thrownBy(() => canary({ stableSubsetName: 'canary' })).code).toBe('DR-02');
  });

  test('rejects a subset name that is not a DNS label with DR-02', () => {
    const e = thrownBy(() => canary({ canarySubsetName: 'Canary' }));
    expect(e.code).toBe('DR-02');
    expect(e.allowed).toBe('DNS-1123 label');
  });
});

describe('weights', () => {
  const weights = (chart: Chart) => of(chart, 'VirtualService').spec.http.at(-1).route.map((r: any) => [r.destination.subset, r.weight]);

  test('defaults to all traffic on stable, both destinations listed', () => {
    expect(weights(canary().chart)).toEqual([['stable', 100], ['canary', 0]]);
  });

  test('accepts canaryWeight 0', () => {
    expect(weights(canary({ canaryWeight: 0 }).chart)).toEqual([['stable', 100], ['canary', 0]]);
  });

  test('accepts canaryWeight 100', () => {
    expect(weights(canary({ canaryWeight: 100 }).chart)).toEqual([['stable', 0], ['canary', 100]]);
  });

  test('splits 90/10 at canaryWeight 10', () => {
    expect(weights(canary({ canaryWeight: 10 }).chart)).toEqual([['stable', 90], ['canary', 10]]);
  });

  test.each([[-1], [101], [10.5]])('rejects canaryWeight %d with VS-11', (canaryWeight) => {
    const e = thrownBy(() => canary({ canaryWeight }));
    expect(e.code).toBe('VS-11');
    expect(e.value).toBe(canaryWeight);
    expect(e.allowed).toBe('integer 0-100');
  });
});

describe('routes', () => {
  test('emits only the primary route without test matches', () => {
    const { chart } = canary({ testMatches: [] });
    expect(of(chart, 'VirtualService').spec.http.map((r: any) => r.name)).toEqual(['primary']);
  });

  test('puts the test route first and the catch-all last', () => {
    const { chart } = canary({ testMatches: [HttpMatch.header('x-canary').exact('true')] });
    const http = of(chart, 'VirtualService').spec.http;
    expect(http.map((r: any) => r.name)).toEqual(['canary-testing', 'primary']);
    expect(http[1].match).toBeUndefined();
  });

  test('sends test matches (OR) to the canary subset only', () => {
    const { chart } = canary({ testMatches: [HttpMatch.header('x-canary').exact('true'), HttpMatch.cookie('qa', '1')] });
    expect(of(chart, 'VirtualService').spec.http[0]).toEqual({
      name: 'canary-testing',
      match: [
        { headers: { 'x-canary': { exact: 'true' } } },
        { headers: { cookie: { regex: '^(.*?;\\s*)?(qa=1)(;.*)?$' } } },
      ],
      route: [{ destination: { host: HOST, subset: 'canary' } }],
    });
  });

  test('uses custom route names', () => {
    const { chart } = canary({ testMatches: [HttpMatch.header('x-canary').exact('true')], testRouteName: 'qa', primaryRouteName: 'split' });
    expect(of(chart, 'VirtualService').spec.http.map((r: any) => r.name)).toEqual(['qa', 'split']);
  });

  test('applies timeout and retries to every route', () => {
    const { chart } = canary({
      testMatches: [HttpMatch.header('x-canary').exact('true')], timeout: Duration.seconds(5),
      retries: RetryPolicy.idempotent({ attempts: 2, perTryTimeout: Duration.seconds(1) }),
    });
    for (const route of of(chart, 'VirtualService').spec.http) {
      expect(route.timeout).toBe('5s');
      expect(route.retries).toEqual({ attempts: 2, perTryTimeout: '1s', retryOn: '5xx,reset,connect-failure,refused-stream' });
    }
  });

  test('emits no timeout or retries when none are set', () => {
    const { chart } = canary();
    expect(of(chart, 'VirtualService').spec.http[0]).not.toHaveProperty('timeout');
    expect(of(chart, 'VirtualService').spec.http[0]).not.toHaveProperty('retries');
  });

  test('renders RetryPolicy.none() as attempts 0', () => {
    const { chart } = canary({ retries: RetryPolicy.none() });
    expect(of(chart, 'VirtualService').spec.http[0].retries).toEqual({ attempts: 0 });
  });

  test('rejects a timeout below 1ms with X-01', () => {
    const e = thrownBy(() => canary({ timeout: Duration.millis(0.5) }));
    expect(e.code).toBe('X-01');
    expect(e.path).toBe('test/canary');
  });

  test('sets the destination port when given', () => {
    const { chart } = canary({ port: 9080 });
    expect(of(chart, 'VirtualService').spec.http[0].route[0].destination).toEqual({ host: HOST, subset: 'stable', port: { number: 9080 } });
  });

  test.each([[0], [65536]])('rejects port %d with X-02', (port) => {
    expect(thrownBy(() => canary({ port })).code).toBe('X-02');
  });
});

describe('mirroring', () => {
  test('mirrors the primary route to the canary when set', () => {
    const { chart } = canary({ mirrorPercentage: 5 });
    const primary = of(chart, 'VirtualService').spec.http[0];
    expect(primary.mirror).toEqual({ host: HOST, subset: 'canary' });
    expect(primary.mirrorPercentage).toEqual({ value: 5 });
  });

  test('does not mirror the test route', () => {
    const { chart } = canary({ mirrorPercentage: 5, testMatches: [HttpMatch.header('x-canary').exact('true')] });
    expect(of(chart, 'VirtualService').spec.http[0]).not.toHaveProperty('mirror');
  });

  test('does not mirror when unset', () => {
    const { chart } = canary();
    expect(of(chart, 'VirtualService').spec.http[0]).not.toHaveProperty('mirror');
    expect(of(chart, 'VirtualService').spec.http[0]).not.toHaveProperty('mirrorPercentage');
  });

  test.each([[100], [0.5]])('accepts mirrorPercentage %d', (mirrorPercentage) => {
    expect(of(canary({ mirrorPercentage }).chart, 'VirtualService').spec.http[0].mirrorPercentage).toEqual({ value: mirrorPercentage });
  });

  test('mirrorPercentage 0 emits no mirror', () => {
    const route = of(canary({ mirrorPercentage: 0 }).chart, 'VirtualService').spec.http[0];
    expect(route).not.toHaveProperty('mirror');
    expect(route).not.toHaveProperty('mirrorPercentage');
  });

  test.each([[-1], [101]])('rejects mirrorPercentage %d with VS-24', (mirrorPercentage) => {
    const e = thrownBy(() => canary({ mirrorPercentage }));
    expect(e.code).toBe('VS-24');
    expect(e.allowed).toBe('0-100');
  });

  test('rejects a mirrorPercentage that is not a number with PROP (rule VS-24 leaves types to the schema)', () => {
    expect(thrownBy(() => canary({ mirrorPercentage: '5' as any })).code).toBe('PROP');
  });

  test('warns (VS-25) that mirroring without a method constraint mirrors writes', () => {
    const { chart, warnings } = setup();
    canary({ mirrorPercentage: 5 }, chart);
    Testing.synth(chart);
    expect(warnings.filter((w) => w.code === 'VS-25').map((w) => [w.path, w.message]))
      .toEqual([['test/canary', 'route "primary" mirrors requests of every method, including writes']]);
  });

  test('fails synth with VS-25 when the routes are non-idempotent', () => {
    const { chart } = canary({ mirrorPercentage: 5, retries: RetryPolicy.nonIdempotent({ attempts: 1 }) });
    const e = thrownBy(() => Testing.synth(chart));
    expect(e.code).toBe('VS-25');
    expect(e.path).toBe('test/canary');
    expect(e.value).toBe('(marked non-idempotent)');
  });
});

describe('gateways and hosts', () => {
  test('binds to the mesh only by default (no gateways field)', () => {
    expect(of(canary().chart, 'VirtualService').spec).not.toHaveProperty('gateways');
  });

  test('emits the given gateways', () => {
    const { chart } = canary({ gateways: ['mesh', 'istio-system/public-gateway'] });
    expect(of(chart, 'VirtualService').spec.gateways).toEqual(['mesh', 'istio-system/public-gateway']);
  });

  test.each([['Istio-System/gw'], ['a/b/c'], ['']])('rejects gateway reference %j with VS-04', (gateway) => {
    const e = thrownBy(() => canary({ gateways: [gateway] }));
    expect(e.code).toBe('VS-04');
    expect(e.value).toBe(gateway);
  });

  test('rejects an empty gateway list with PROP', () => {
    expect(thrownBy(() => canary({ gateways: [] })).code).toBe('PROP');
  });

  test('rejects a repeated gateway with PROP (Istio accepts it; the construct refuses the slip)', () => {
    expect(thrownBy(() => canary({ gateways: ['mesh', 'mesh'] })).code).toBe('PROP');
  });

  test('rejects a gateway name longer than a DNS label with VS-04 (the construct regex missed the 63-character limit)', () => {
    const gateway = `istio-system/${'g'.repeat(64)}`;
    const e = thrownBy(() => canary({ gateways: [gateway] }));
    expect(e.code).toBe('VS-04');
    expect(e.value).toBe(gateway);
    expect(() => canary({ gateways: [`istio-system/${'g'.repeat(63)}`], hosts: ['reviews.example.com'] })).not.toThrow();
  });

  test('accepts the legacy "name.namespace" gateway form, which rule VS-04 warns about at synth (as Istio does)', () => {
    const { chart, warnings } = setup();
    canary({ gateways: ['public-gateway.istio-system', 'mesh'] }, chart);
    expect(of(chart, 'VirtualService').spec.gateways).toEqual(['public-gateway.istio-system', 'mesh']);
    expect(warnings.filter((w) => w.code === 'VS-04').map((w) => [w.path, w.message]))
      .toEqual([['test/canary', 'spec.gateways[0] "public-gateway.istio-system" uses the legacy dotted "name.namespace" form']]);
  });

  test('rejects a gateway entry that is not a string with PROP', () => {
    expect(thrownBy(() => canary({ gateways: [5 as any] })).code).toBe('PROP');
  });

  test('adds extra hosts after the service host', () => {
    const { chart } = canary({ hosts: ['reviews.example.com', '*.reviews.example.com'] });
    expect(of(chart, 'VirtualService').spec.hosts).toEqual([HOST, 'reviews.example.com', '*.reviews.example.com']);
  });

  test('lists the service host once', () => {
    expect(of(canary({ hosts: [HOST] }).chart, 'VirtualService').spec.hosts).toEqual([HOST]);
  });

  test('rejects an invalid extra host with X-03', () => {
    const e = thrownBy(() => canary({ hosts: ['bad host'] }));
    expect(e.code).toBe('X-03');
    expect(e.message).toContain('hosts[0]');
  });
});

describe('traffic policy', () => {
  test('puts the traffic policy on the DestinationRule', () => {
    const { chart } = canary({ outlierDetection: { maxEjectionPercent: 50 }, connectionPool: { http: { http1MaxPendingRequests: 10 } } });
    expect(of(chart, 'DestinationRule').spec.trafficPolicy).toEqual({
      connectionPool: { http: { http1MaxPendingRequests: 10 } },
      outlierDetection: { consecutive5xxErrors: 5, maxEjectionPercent: 50 },
    });
  });

  test('emits no traffic policy by default', () => {
    expect(of(canary().chart, 'DestinationRule').spec).not.toHaveProperty('trafficPolicy');
  });

  test('rejects maxEjectionPercent 101 with DR-07', () => {
    expect(thrownBy(() => canary({ outlierDetection: { maxEjectionPercent: 101 } })).code).toBe('DR-07');
  });
});

describe('escape hatches', () => {
  test('exposes the VirtualService for patches', () => {
    const { chart, construct } = canary();
    construct.virtualService!.metadata.addLabel('team', 'reviews');
    expect(of(chart, 'VirtualService').metadata.labels).toEqual({ team: 'reviews' });
  });

  test('exposes the DestinationRule for patches', () => {
    const { chart, construct } = canary();
    construct.destinationRule!.metadata.addAnnotation('owner', 'reviews-team');
    expect(of(chart, 'DestinationRule').metadata.annotations).toEqual({ owner: 'reviews-team' });
  });
});

describe('synth-time rules', () => {
  test('fails synth with VS-19 at the construct path when perTryTimeout is not shorter than timeout', () => {
    const { chart } = canary({ timeout: Duration.seconds(1), retries: RetryPolicy.idempotent({ attempts: 2, perTryTimeout: Duration.seconds(1) }) });
    expect(() => Testing.synth(chart)).toThrow(IstioValidationError);
    const e = thrownBy(() => Testing.synth(chart));
    expect(e.code).toBe('VS-19');
    expect(e.path).toBe('test/canary');
    expect(e.value).toBe('1s');
  });

  test('fails synth with VS-19 when the timeout cuts off later retries', () => {
    const { chart } = canary({ timeout: Duration.seconds(2), retries: RetryPolicy.idempotent({ attempts: 2, perTryTimeout: Duration.seconds(1) }) });
    const e = thrownBy(() => Testing.synth(chart));
    expect(e.code).toBe('VS-19');
    expect(e.allowed).toBe('>= 3000ms');
  });

  test('passes VS-19 when the timeout covers every attempt', () => {
    const { chart, warnings } = setup();
    canary({ timeout: Duration.seconds(3), retries: RetryPolicy.idempotent({ attempts: 2, perTryTimeout: Duration.seconds(1) }) }, chart);
    expect(Testing.synth(chart)).toHaveLength(2);
    expect(warnings).toEqual([]);
  });

  test('reports every error-level violation of both routes', () => {
    const { chart } = canary({
      testMatches: [HttpMatch.header('x-canary').exact('true')],
      timeout: Duration.seconds(1), retries: RetryPolicy.idempotent({ attempts: 2, perTryTimeout: Duration.seconds(1) }),
    });
    expect(thrownBy(() => Testing.synth(chart)).violations.map((v) => v.code)).toEqual(['VS-19', 'VS-19']);
  });

  test('warns (VS-19) about retries without perTryTimeout under a timeout', () => {
    const { chart, warnings } = setup();
    canary({ timeout: Duration.seconds(3), retries: RetryPolicy.idempotent({ attempts: 2 }) }, chart);
    Testing.synth(chart);
    expect(warnings.map((w) => w.code)).toEqual(['VS-19']);
  });

  test('accepts non-idempotent retries without a per-try timeout', () => {
    const { chart, warnings } = setup();
    canary({ timeout: Duration.seconds(3), retries: RetryPolicy.nonIdempotent({ attempts: 2 }) }, chart);
    expect(Testing.synth(chart)).toHaveLength(2);
    expect(warnings).toEqual([]);
  });

  test('fails synth with VS-18 when a method-matched POST test route keeps Istio default retries', () => {
    const { chart } = canary({ testMatches: [HttpMatch.method(HttpMethod.POST)] });
    const e = thrownBy(() => Testing.synth(chart));
    expect(e.code).toBe('VS-18');
    expect(e.path).toBe('test/canary');
  });
});

describe('names of the emitted objects', () => {
  test('two canaries whose hosts share a first label collide on the default name: DUPLICATE at synth, naming both', () => {
    const { chart } = testChart(['reviews.a.svc.cluster.local', 'reviews.b.svc.cluster.local']);
    for (const ns of ['a', 'b']) {
      new CanaryService(chart, `reviews-${ns}`, { host: `reviews.${ns}.svc.cluster.local`, stable: Subset.fromLabels({ version: 'v1' }), canary: Subset.fromLabels({ version: 'v2' }) });
    }
    const e = thrownBy(() => Testing.synth(chart));
    const dup = e.violations.filter((v) => v.code === 'DUPLICATE').map((v) => v.message);
    expect(dup).toEqual([
      expect.stringMatching(/^DestinationRule\.networking\.istio\.io \S*reviews is also defined, differently, by .*reviews-a/),
      expect.stringMatching(/^VirtualService\.networking\.istio\.io \S*reviews is also defined, differently, by .*reviews-a/),
    ]);
  });

  test('with explicit names they synthesize', () => {
    const { chart } = testChart(['reviews.a.svc.cluster.local', 'reviews.b.svc.cluster.local']);
    for (const ns of ['a', 'b']) {
      new CanaryService(chart, `reviews-${ns}`, { name: `reviews-${ns}`, host: `reviews.${ns}.svc.cluster.local`, stable: Subset.fromLabels({ version: 'v1' }), canary: Subset.fromLabels({ version: 'v2' }) });
    }
    expect(istioObjects(chart).map((o) => o.metadata.name)).toEqual(['reviews-a', 'reviews-a', 'reviews-b', 'reviews-b']);
  });
});

describe('a refused CanaryService leaves nothing behind', () => {
  test('a DestinationRule its traffic policy started is withdrawn with it, and the id is free again', () => {
    const { chart } = setup();
    const e = thrownBy(() => canary({ outlierDetection: { consecutive5xxErrors: 5 }, canaryWeight: 101 }, chart));
    expect(e.code).toBe('VS-11');
    expect(istio(chart)).toEqual([]);
    canary({ outlierDetection: { consecutive5xxErrors: 5 } }, chart);
    expect(istio(chart).map((o) => o.kind)).toEqual(['DestinationRule', 'VirtualService']);
  });

  test('props that are a class instance (a slip from JavaScript) are PROP', () => {
    const e = thrownBy(() => new CanaryService(setup().chart, 'c', HttpMatch.header('x').exact('1') as any));
    expect(e.code).toBe('PROP');
    expect(e.message).toContain('not an options object');
  });
});

describe('release plan (stages)', () => {
  const CANARY_STAGE_ENV = CanaryService.STAGE_ENV;
  // Seed 003's manual canary: 90/10 → 70/30 → 50/50 → 0/100, each step one commit.
  const SEED_003 = () => [CanaryStage.pause(10), CanaryStage.pause(30), CanaryStage.pause(50), CanaryStage.pause(100)];
  const weights = (chart: Chart) => of(chart, 'VirtualService').spec.http.find((r: any) => r.name === 'primary').route.map((d: any) => d.weight);

  test('the current stage gives the weights; every stage of the plan is valid', () => {
    for (const [stage, canaryWeight] of [[0, 10], [1, 30], [2, 50], [3, 100]] as const) {
      const { chart, construct } = canary({ stages: SEED_003(), stage });
      expect(weights(chart)).toEqual([100 - canaryWeight, canaryWeight]);
      expect(construct.stageIndex).toBe(stage);
      expect(construct.currentStage!.weight).toBe(canaryWeight);
    }
  });

  test('the stage comes from CDK8S_CANARY_STAGE when the prop is not given', () => {
    process.env[CANARY_STAGE_ENV] = '2';
    try {
      expect(weights(canary({ stages: SEED_003() }).chart)).toEqual([50, 50]);
      // The prop wins over the environment.
      expect(weights(canary({ stages: SEED_003(), stage: 1 }).chart)).toEqual([70, 30]);
    } finally {
      delete process.env[CANARY_STAGE_ENV];
    }
    process.env[CANARY_STAGE_ENV] = '7';
    try {
      expect(thrownBy(() => canary({ stages: SEED_003() })).message).toContain('CDK8S_CANARY_STAGE=7 is not a stage of the plan (0-3)');
    } finally {
      delete process.env[CANARY_STAGE_ENV];
    }
  });

  test('a plan that goes down, does not end at 100, or reaches 100 without a gate is refused; analysis stages and waiveGates pass', () => {
    expect(thrownBy(() => canary({ stages: [CanaryStage.pause(30), CanaryStage.pause(10), CanaryStage.pause(100)] })).message).toContain('goes down from 30 %');
    expect(thrownBy(() => canary({ stages: [CanaryStage.pause(10), CanaryStage.pause(50)] })).message).toContain('ends at 50 %, not at 100 %');
    const fast = () => [CanaryStage.pause(10, Duration.minutes(1)), CanaryStage.pause(100, Duration.minutes(1))];
    expect(thrownBy(() => canary({ stages: fast() })).message).toContain('"fast to 100"');
    expect(() => canary({ stages: fast(), waiveGates: true })).not.toThrow();
    expect(() => canary({ stages: [CanaryStage.analysis(10, { minSuccessRatePercent: 99, maxP99Latency: Duration.millis(500) }), CanaryStage.pause(100, Duration.minutes(5))] })).not.toThrow();
    expect(() => canary({ stages: [CanaryStage.pause(10, Duration.minutes(5)), CanaryStage.pause(50, Duration.minutes(5))], maxWeight: 50 })).not.toThrow();
    expect(thrownBy(() => canary({ stages: SEED_003(), canaryWeight: 10 })).message).toContain('canaryWeight and stages are both set');
    expect(thrownBy(() => canary({ stages: SEED_003(), stage: 4 })).code).toBe('PROP');
  });

  test('stage values are checked where they are made', () => {
    expect(thrownBy(() => CanaryStage.pause(101)).code).toBe('VS-11');
    expect(thrownBy(() => CanaryStage.analysis(10, {})).message).toContain('the gate checks no metric');
    expect(thrownBy(() => CanaryStage.analysis(10, { minSuccessRatePercent: 120 })).code).toBe('PROP');
    expect(CanaryStage.analysis(30, { minSuccessRatePercent: 99 }).describe()).toBe('30 % (analysis: success ≥ 99 %)');
    // Durations in messages in the largest unit that divides them.
    expect(CanaryStage.pause(10, Duration.minutes(5)).describe()).toBe('10 % (pause 5m)');
    expect(CanaryStage.pause(10, Duration.millis(1500)).describe()).toBe('10 % (pause 1500ms)');
    expect(CanaryStage.analysis(30, { maxP99Latency: Duration.seconds(1) }).describe()).toBe('30 % (analysis: p99 ≤ 1s)');
  });
});

describe('one error per construct: every problem at once, value classes re-pathed to the construct', () => {
  test('a test match, a test retry policy and a mirror percentage: three violations at the construct path', () => {
    const { chart } = setup();
    const e = thrownBy(() => canary({ testMatches: [HttpMatch.header('x-canary').prefix('')], testRetries: RetryPolicy.idempotent({ attempts: 0 }), mirrorPercentage: 150 }, chart));
    expect(e.violations.map((v) => [v.code, v.path, v.message])).toEqual([
      ['PROP', 'test/canary', 'testRetries (RetryPolicy.idempotent): attempts must be an integer 1-10 (received 0)'],
      ['VS-24', 'test/canary', 'mirrorPercentage must be a percentage 0-100 (received 150)'],
      ['VS-08', 'test/canary', 'testMatches[0] (HttpMatch): header "x-canary" prefix is empty'],
    ]);
    expect(istio(chart)).toEqual([]);
  });

  test('the stages, values built before the construct, are listed first; a plan check that needs them is skipped', () => {
    const e = thrownBy(() => canary({ stages: [CanaryStage.pause(10), CanaryStage.pause(120)], stableSubsetName: 'Stable' }));
    expect(e.violations.map((v) => [v.code, v.message])).toEqual([
      ['VS-11', 'stages[1] (CanaryStage.pause): weight must be an integer 0-100 (received 120)'],
      ['DR-02', 'stableSubsetName "Stable" is not a DNS-1123 label (lowercase letters, digits and "-", starting and ending with a letter or digit)'],
    ]);
  });

  test('problems of HostTraffic\'s props and of the preset\'s own props are one error', () => {
    const e = thrownBy(() => canary({ port: 0, canaryWeight: 101 }));
    expect(e.violations.map((v) => [v.code, v.path, v.message])).toEqual([
      ['X-02', 'test/canary', 'port 0 is outside 1-65535'],
      ['VS-11', 'test/canary', 'canaryWeight must be an integer 0-100 (received 101)'],
    ]);
  });
});
