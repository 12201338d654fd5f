import { Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';
import { istioObjects, oneOf, testChart } from '../support/constructs';
import { thrownBy } from '../support/errors';
import { ResilientBackend, ResilientBackendProps } from '../../src/constructs/resilient-backend';
import { Subset } from '../../src/constructs/refs';
import { IstioValidationError, Violation } from '../../src/core/errors';
import { LoadBalancer, LoadBalancerAlgorithm, LocalityFailover } from '../../src/policies/load-balancer';
import { HttpMatch } from '../../src/policies/match';
import { RetryPolicy } from '../../src/policies/retry';
import { validateManifest } from '../../src/schema/crd-validator';
import { Rules } from '../../src/synth/rules';

const HOST = 'ratings.shop.svc.cluster.local';
const CHAOS = HttpMatch.header('x-chaos-test').exact('true');

/** The shared construct test helpers (test/support), bound to this file's host. */
function setup(chart: Chart = Testing.chart()) {
  return testChart([HOST], chart);
}
const istio = istioObjects;
const of = oneOf;

function backend(props: Partial<ResilientBackendProps> = {}, chart = setup().chart) {
  const construct = new ResilientBackend(chart, 'backend', { host: HOST, ...props });
  return { chart, construct };
}

const FULL: Partial<ResilientBackendProps> = {
  timeout: Duration.seconds(3),
  retries: RetryPolicy.idempotent({ attempts: 2, perTryTimeout: Duration.seconds(1) }),
  connectionPool: { tcp: { maxConnections: 100 }, http: { http1MaxPendingRequests: 10 } },
  outlierDetection: { consecutive5xxErrors: 5, interval: Duration.seconds(10), baseEjectionTime: Duration.seconds(30), maxEjectionPercent: 50 },
  loadBalancer: LoadBalancer.simple(LoadBalancerAlgorithm.LEAST_REQUEST),
  localityFailover: LocalityFailover.priority(['topology.kubernetes.io/zone']),
  faultInjection: { match: CHAOS, delay: { fixedDelay: Duration.seconds(2), percentage: 50 }, abort: { httpStatus: 503, percentage: 10 } },
};

describe('emitted objects', () => {
  test('emits only a VirtualService when no traffic policy is set', () => {
    const { chart, construct } = backend({ timeout: Duration.seconds(3) });
    expect(istio(chart).map((o) => [o.apiVersion, o.kind])).toEqual([['networking.istio.io/v1', 'VirtualService']]);
    expect(construct.destinationRule).toBeUndefined();
  });

  test('emits a DestinationRule before the VirtualService when a traffic policy and a route setting are set', () => {
    const { chart } = backend({ outlierDetection: {}, timeout: Duration.seconds(3) });
    expect(istio(chart).map((o) => [o.apiVersion, o.kind])).toEqual([
      ['networking.istio.io/v1', 'DestinationRule'],
      ['networking.istio.io/v1', 'VirtualService'],
    ]);
  });

  test('is DestinationRule-only with a traffic policy and no route setting, leaving the routes to another construct', () => {
    const { chart, construct } = backend({ outlierDetection: {} });
    expect(istio(chart).map((o) => o.kind)).toEqual(['DestinationRule']);
    expect(construct.virtualService).toBeUndefined();
    // Declared calls need the VirtualService that carries them.
    const withCalls = backend({ outlierDetection: {}, entryPoint: true });
    expect(istio(withCalls.chart).map((o) => o.kind)).toEqual(['DestinationRule', 'VirtualService']);
  });

  test('routes to a subset with a fault for test traffic on it (Bookinfo: delay jason on ratings v1)', () => {
    const { chart } = backend({
      subsets: [{ name: 'v1', pods: Subset.fromLabels({ version: 'v1' }) }], subset: 'v1',
      faultInjection: { match: HttpMatch.header('end-user').exact('jason'), delay: { fixedDelay: Duration.seconds(7), percentage: 100 } },
    });
    expect(of(chart, 'DestinationRule').spec.subsets).toEqual([{ name: 'v1', labels: { version: 'v1' } }]);
    expect(of(chart, 'VirtualService').spec.http).toEqual([
      { name: 'fault-injection', match: [{ headers: { 'end-user': { exact: 'jason' } } }], route: [{ destination: { host: HOST, subset: 'v1' } }], fault: { delay: { fixedDelay: '7s', percentage: { value: 100 } } } },
      { name: 'default', route: [{ destination: { host: HOST, subset: 'v1' } }] },
    ]);
  });

  test.each([
    ['connectionPool', { connectionPool: { tcp: { maxConnections: 1 } } }],
    ['outlierDetection', { outlierDetection: {} }],
    ['loadBalancer', { loadBalancer: LoadBalancer.consistentHashBySourceIp() }],
  ])('emits a DestinationRule for %s alone', (_, props) => {
    const { chart, construct } = backend(props);
    expect(construct.destinationRule?.kind).toBe('DestinationRule');
    expect(of(chart, 'DestinationRule').spec.host).toBe(HOST);
  });

  test('every object of a full backend passes the Istio CRD schema', () => {
    const { chart } = backend(FULL);
    const objects = istio(chart);
    expect(objects).toHaveLength(2);
    for (const o of objects) expect(validateManifest(o)).toEqual([]);
  });

  test('synthesizes a full backend without warnings', () => {
    const { chart, warnings } = setup();
    backend(FULL, chart);
    Testing.synth(chart);
    expect(warnings).toEqual([]);
  });

  test('matches the snapshot of a full backend', () => {
    expect(Testing.synth(backend(FULL).chart)).toMatchSnapshot();
  });
});

describe('names, namespace and host', () => {
  test('derives the name from the host', () => {
    const { chart } = backend({ outlierDetection: {}, timeout: Duration.seconds(3) });
    expect(of(chart, 'DestinationRule').metadata).toEqual({ name: 'ratings' });
    expect(of(chart, 'VirtualService').metadata).toEqual({ name: 'ratings' });
  });

  test('uses the given name and namespace', () => {
    const { chart } = backend({ name: 'ratings-resilience', namespace: 'shop', outlierDetection: {}, timeout: Duration.seconds(3) });
    expect(of(chart, 'DestinationRule').metadata).toEqual({ name: 'ratings-resilience', namespace: 'shop' });
    expect(of(chart, 'VirtualService').metadata).toEqual({ name: 'ratings-resilience', namespace: 'shop' });
  });

  test('uses the host on the VirtualService and its destination', () => {
    const vs = of(backend().chart, 'VirtualService');
    expect(vs.spec.hosts).toEqual([HOST]);
    expect(vs.spec.http[0].route).toEqual([{ destination: { host: HOST } }]);
  });

  test('derives the host from a kplus.Service', () => {
    const { chart } = setup();
    const svc = new kplus.Service(chart, 'svc', { metadata: { name: 'details', namespace: 'bookinfo' }, ports: [{ port: 9080 }] });
    const b = new ResilientBackend(chart, 'backend', { service: svc });
    expect(b.host).toBe('details.bookinfo.svc.cluster.local');
    expect(of(chart, 'VirtualService').metadata.name).toBe('details');
  });

  test('sets the destination port when given', () => {
    expect(of(backend({ port: 9080 }).chart, 'VirtualService').spec.http[0].route).toEqual([{ destination: { host: HOST, port: { number: 9080 } } }]);
  });

  test('rejects port 65536 with X-02', () => {
    expect(thrownBy(() => backend({ port: 65536 })).code).toBe('X-02');
  });

  test('rejects an invalid host with X-03', () => {
    const e = thrownBy(() => backend({ host: 'foo*.shop' }));
    expect(e.code).toBe('X-03');
    expect(e.path).toBe('test/backend');
  });
});

describe('routes', () => {
  test('emits one default route with timeout and retries', () => {
    const { chart } = backend({ timeout: Duration.seconds(3), retries: RetryPolicy.idempotent({ attempts: 2, perTryTimeout: Duration.seconds(1) }) });
    expect(of(chart, 'VirtualService').spec.http).toEqual([{
      name: 'default',
      route: [{ destination: { host: HOST } }],
      timeout: '3s',
      retries: { attempts: 2, perTryTimeout: '1s', retryOn: '5xx,reset,connect-failure,refused-stream' },
    }]);
  });

  test('uses a custom route name', () => {
    expect(of(backend({ routeName: 'ratings' }).chart, 'VirtualService').spec.http[0].name).toBe('ratings');
  });

  test('emits no timeout or retries when none are set', () => {
    expect(of(backend().chart, 'VirtualService').spec.http).toEqual([{ name: 'default', route: [{ destination: { host: HOST } }] }]);
  });

  test('puts the fault-injection route first, without timeout or retries, and the default route last', () => {
    const { chart } = backend({
      timeout: Duration.seconds(3), retries: RetryPolicy.idempotent({ attempts: 2, perTryTimeout: Duration.seconds(1) }),
      faultInjection: { match: CHAOS, abort: { httpStatus: 503, percentage: 100 } },
    });
    const http = of(chart, 'VirtualService').spec.http;
    expect(http.map((r: any) => r.name)).toEqual(['fault-injection', 'default']);
    expect(http[0]).toEqual({
      name: 'fault-injection',
      match: [{ headers: { 'x-chaos-test': { exact: 'true' } } }],
      fault: { abort: { httpStatus: 503, percentage: { value: 100 } } },
      route: [{ destination: { host: HOST } }],
    });
    expect(http[1].match).toBeUndefined();
    expect(http[1].timeout).toBe('3s');
  });

  test('rejects a fault without a header match with VS-23', () => {
    const e = thrownBy(() => backend({ faultInjection: { match: HttpMatch.pathPrefix('/'), abort: { httpStatus: 503, percentage: 100 } } }));
    expect(e.code).toBe('VS-23');
    expect(e.path).toBe('test/backend');
  });

  test('rejects a fault with neither delay nor abort with VS-22', () => {
    expect(thrownBy(() => backend({ faultInjection: { match: CHAOS } })).code).toBe('VS-22');
  });

  test('rejects a timeout below 1ms with X-01', () => {
    expect(thrownBy(() => backend({ timeout: Duration.millis(0.9) })).code).toBe('X-01');
  });
});

describe('traffic policy', () => {
  test('renders the traffic policy on the DestinationRule', () => {
    const { chart } = backend({
      connectionPool: { http: { http2MaxRequests: 100 } },
      outlierDetection: { minHealthPercent: 30, maxEjectionPercent: 100 },
      loadBalancer: LoadBalancer.simple(LoadBalancerAlgorithm.ROUND_ROBIN),
      localityFailover: LocalityFailover.regions([{ from: 'us-east1', to: 'us-west1' }]),
    });
    expect(of(chart, 'DestinationRule').spec).toEqual({
      host: HOST,
      trafficPolicy: {
        connectionPool: { http: { http2MaxRequests: 100 } },
        loadBalancer: { simple: 'ROUND_ROBIN', localityLbSetting: { enabled: true, failover: [{ from: 'us-east1', to: 'us-west1' }] } },
        outlierDetection: { consecutive5xxErrors: 5, maxEjectionPercent: 100, minHealthPercent: 30 },
      },
    });
  });

  test('rejects an empty connection pool with DR-12', () => {
    expect(thrownBy(() => backend({ connectionPool: {} })).code).toBe('DR-12');
  });

  test('rejects minHealthPercent -1 with DR-07', () => {
    expect(thrownBy(() => backend({ outlierDetection: { minHealthPercent: -1 } })).code).toBe('DR-07');
  });
});

describe('escape hatches', () => {
  test('exposes the VirtualService', () => {
    const { chart, construct } = backend();
    construct.virtualService!.metadata.addLabel('team', 'ratings');
    expect(of(chart, 'VirtualService').metadata.labels).toEqual({ team: 'ratings' });
  });

  test('exposes the DestinationRule', () => {
    const { chart, construct } = backend({ outlierDetection: {} });
    construct.destinationRule!.metadata.addLabel('team', 'ratings');
    expect(of(chart, 'DestinationRule').metadata.labels).toEqual({ team: 'ratings' });
  });
});

describe('synth-time rules', () => {
  test('fails synth with DR-09 when locality failover has no outlier detection', () => {
    const { chart } = backend({ localityFailover: LocalityFailover.priority(['topology.kubernetes.io/zone']) });
    expect(() => Testing.synth(chart)).toThrow(IstioValidationError);
    const e = thrownBy(() => Testing.synth(chart));
    expect(e.code).toBe('DR-09');
    expect(e.path).toBe('test/backend');
  });

  test('passes DR-09 when outlier detection is set', () => {
    const { chart } = backend({ localityFailover: LocalityFailover.priority(['topology.kubernetes.io/zone']), outlierDetection: {} });
    expect(istio(chart)).toHaveLength(1);
  });

  test('fails synth with DR-08 for maxEjectionPercent 100 without minHealthPercent', () => {
    const { chart } = backend({ outlierDetection: { maxEjectionPercent: 100 } });
    const e = thrownBy(() => Testing.synth(chart));
    expect(e.code).toBe('DR-08');
    expect(e.path).toBe('test/backend');
    expect(e.value).toBe(100);
  });

  test('fails synth with DR-08 for maxEjectionPercent 100 and minHealthPercent 0', () => {
    expect(thrownBy(() => Testing.synth(backend({ outlierDetection: { maxEjectionPercent: 100, minHealthPercent: 0 } }).chart)).code).toBe('DR-08');
  });

  test('only warns (DR-08) when minHealthPercent gives a panic fallback', () => {
    const { chart, warnings } = setup();
    backend({ outlierDetection: { maxEjectionPercent: 100, minHealthPercent: 30 } }, chart);
    expect(istio(chart)).toHaveLength(1);
    expect(warnings.map((w) => [w.code, w.path])).toEqual([['DR-08', 'test/backend']]);
  });

  test('passes DR-08 at maxEjectionPercent 99', () => {
    const { chart, warnings } = setup();
    backend({ outlierDetection: { maxEjectionPercent: 99 } }, chart);
    expect(istio(chart)).toHaveLength(1);
    expect(warnings).toEqual([]);
  });

  test('fails synth with VS-19 when perTryTimeout equals the timeout', () => {
    const { chart } = backend({ timeout: Duration.seconds(1), retries: RetryPolicy.idempotent({ attempts: 2, perTryTimeout: Duration.seconds(1) }) });
    const e = thrownBy(() => Testing.synth(chart));
    expect(e.code).toBe('VS-19');
    expect(e.path).toBe('test/backend');
  });

  test('accepts non-idempotent retries on the default route', () => {
    const { chart, warnings } = setup();
    backend({ timeout: Duration.seconds(3), retries: RetryPolicy.nonIdempotent({ attempts: 2 }) }, chart);
    expect(of(chart, 'VirtualService').spec.http[0].retries).toEqual({ attempts: 2, retryOn: 'connect-failure,refused-stream,reset-before-request' });
    expect(warnings).toEqual([]);
  });
});

describe('one error per construct: every problem at once, value classes re-pathed to the construct', () => {
  const bad = (): ResilientBackendProps => ({
    host: 'api', timeout: Duration.millis(0), retries: RetryPolicy.idempotent({ attempts: 50 }), outlierDetection: { consecutive5xxErrors: 0 },
  });

  test('three mistakes are three violations of one IstioValidationError, each with the construct path, value, allowed and fix', () => {
    const { chart } = setup();
    const e = thrownBy(() => new ResilientBackend(chart, 'api', bad()));
    expect(e.violations.map((v) => [v.code, v.path, v.message, v.value, v.allowed])).toEqual([
      ['PROP', 'test/api', 'outlierDetection.consecutive5xxErrors is 0, which turns this ejection trigger off', 0, 'integer 1-4294967295'],
      ['X-01', 'test/api', 'timeout is shorter than 1ms (received 0ms)', 0, '>= 1ms, whole milliseconds'],
      ['PROP', 'test/api', 'retries (RetryPolicy.idempotent): attempts must be an integer 1-10 (received 50)', 50, 'integer 1-10'],
    ]);
    expect(e.violations.every((v) => v.fix.length > 0)).toBe(true);
    const lines = e.message.split('\n');
    expect(lines[0]).toBe('3 Istio traffic rule violations:');
    expect(lines[3]).toBe('  [test/api] PROP: retries (RetryPolicy.idempotent): attempts must be an integer 1-10 (received 50). '
      + 'Use 1-10 retries (2 is typical for idempotent requests), or RetryPolicy.none() for no retries. (see https://github.com/cdk8s-istio-traffic/cdk8s-istio-traffic/blob/main/docs/rules.md#prop)');
  });

  test('a refused construct emits nothing and frees its id', () => {
    const { chart } = setup();
    expect(() => new ResilientBackend(chart, 'api', bad())).toThrow(IstioValidationError);
    expect(Testing.synth(chart)).toEqual([]);
    expect(chart.node.tryFindChild('api')).toBeUndefined();
    new ResilientBackend(chart, 'api', { host: HOST, timeout: Duration.seconds(2) });
    expect(istio(chart).map((o) => o.kind)).toEqual(['VirtualService']);
  });

  test('the fault injection\'s match is re-pathed with the prop chain; a valid value next to invalid ones is not listed', () => {
    const { chart } = setup();
    const e = thrownBy(() => new ResilientBackend(chart, 'api', {
      host: HOST, retries: RetryPolicy.idempotent({ attempts: 2 }), routeName: 5 as any,
      faultInjection: { match: HttpMatch.header('X-Chaos').exact('true'), abort: { httpStatus: 503, percentage: 100 } },
    }));
    expect(e.violations.map((v) => [v.code, v.message])).toEqual([
      ['X-11', 'faultInjection.match (HttpMatch.header): header name "X-Chaos" is not lower-case (Istio requires lower-case header keys)'],
      ['PROP', 'routeName 5 is not a string'],
    ]);
  });

  test('a policy valid on its own works unchanged', () => {
    const { chart } = setup();
    const retries = RetryPolicy.idempotent({ attempts: 2, perTryTimeout: Duration.millis(500) });
    new ResilientBackend(chart, 'api', { host: HOST, timeout: Duration.seconds(2), retries });
    expect(of(chart, 'VirtualService').spec.http[0].retries).toEqual({ attempts: 2, perTryTimeout: '500ms', retryOn: '5xx,reset,connect-failure,refused-stream' });
  });
});
