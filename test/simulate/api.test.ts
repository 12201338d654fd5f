/**
 * The public simulation API as a platform team uses it in its tests: a chart built with the constructs, requests,
 * plain values out; and the refusals of requests that cannot be HTTP requests.
 */
import { Duration } from 'cdk8s';
import {
  Destination, HostTraffic, HttpMatch, IstioValidationError, RetryPolicy, RetrySource, RouteSimulator, SimulationOutcome, Subset, TrafficSource,
} from '../../src';
import { testChart } from '../support/constructs';
import { thrownBy } from '../support/errors';

function reviewsChart() {
  const { chart, warnings } = testChart();
  new HostTraffic(chart, 'reviews', {
    host: 'reviews', port: 9080,
    subsets: ['v1', 'v2', 'v3'].map((v) => ({ name: v, pods: Subset.fromLabels({ version: v }) })),
    httpRoutes: [
      { name: 'qa', match: [HttpMatch.header('x-qa-user').exact('jason')], route: [Destination.subset('v2')], timeout: Duration.seconds(3) },
      {
        name: 'primary', route: [Destination.subset('v1', { weight: 90 }), Destination.subset('v3', { weight: 10 })],
        retries: RetryPolicy.idempotent({ attempts: 3, perTryTimeout: Duration.millis(500) }), timeout: Duration.seconds(2),
      },
    ],
  });
  return { chart, warnings };
}

test('GET /api/v2/ with x-qa-user: jason reaches reviews v2 with a 3 s timeout; everyone else 90/10', () => {
  const { chart, warnings } = reviewsChart();
  const sim = RouteSimulator.fromChart(chart);
  // the short host "reviews" is what the simulator resolves in the default namespace
  expect(warnings.map((w) => w.code)).toEqual(['X-04', 'X-04']);
  const jason = sim.simulate({ authority: 'reviews', path: '/api/v2/', headers: { 'x-qa-user': 'jason' } });
  expect(jason.outcome).toBe(SimulationOutcome.ROUTED);
  expect(jason.route).toEqual({ virtualService: 'default/reviews', index: 0, name: 'qa', matchIndex: 0 });
  expect(jason.destinations.map((d) => [d.subset, d.percent, d.port])).toEqual([['v2', 100, 9080]]);
  expect(jason.timeout).toBe('3s');
  expect(jason.retry?.source).toBe(RetrySource.ISTIO_DEFAULT);

  const other = sim.simulate({ authority: 'reviews', path: '/api/v2/' });
  expect(other.route?.name).toBe('primary');
  expect(other.destinations.map((d) => [d.subset, d.percent])).toEqual([['v1', 90], ['v3', 10]]);
  expect(other.timeout).toBe('2s');
  expect(other.retry).toEqual(expect.objectContaining({ attempts: 3, perTryTimeout: '500ms', source: RetrySource.ROUTE }));
});

test('a simulator answers many requests; results are plain data (JSON round-trips)', () => {
  const sim = RouteSimulator.fromChart(reviewsChart().chart);
  const results = ['jason', 'bob'].map((user) => sim.simulate({ authority: 'reviews', headers: { 'x-qa-user': user } }));
  expect(results.map((r) => r.route?.name)).toEqual(['qa', 'primary']);
  expect(JSON.parse(JSON.stringify(results[0]))).toEqual(results[0]);
});

test('objects without a namespace take the namespace option, as kubectl apply -n places them', () => {
  const manifest = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'r' }, spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' } }] }] } };
  const sim = RouteSimulator.fromManifests([manifest], { namespace: 'prod' });
  expect(sim.simulate({ authority: 'reviews', source: TrafficSource.mesh({ namespace: 'prod' }) }).virtualService).toBe('prod/r');
  expect(sim.simulate({ authority: 'reviews.prod.svc.cluster.local' }).destinations[0].host).toBe('reviews.prod.svc.cluster.local');
});

describe('refused input', () => {
  const sim = RouteSimulator.fromManifests([]);

  test('a gateway source is "namespace/name"', () => {
    const e = thrownBy(() => TrafficSource.gateway('bookinfo-gateway'));
    expect(e).toBeInstanceOf(IstioValidationError);
    expect(e.message).toMatch(/gateway "bookinfo-gateway" is not a gateway as "namespace\/name"/);
  });

  test.each([
    [{ authority: '' }, /authority/],
    [{ authority: 'reviews', port: 0 }, /port 0 is not an integer 1-65535/],
    [{ authority: 'reviews', port: 65536 }, /port 65536/],
    [{ authority: 'reviews', path: 'api' }, /path "api" is not a path starting with "\/"/],
    [{ authority: 'reviews:70000' }, /authority "reviews:70000" is not a host with a port 1-65535/],
  ])('%j is refused', (request, message) => {
    expect(thrownBy(() => sim.simulate(request as any)).message).toMatch(message);
  });

  test('port 1 and 65535 are accepted', () => {
    expect(sim.simulate({ authority: 'reviews', port: 1 }).port).toBe(1);
    expect(sim.simulate({ authority: 'reviews', port: 65535 }).port).toBe(65535);
  });
});
