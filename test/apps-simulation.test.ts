/**
 * The seed apps' intent, locked down as request cases with the route simulator (issue 16): where a request goes,
 * with which timeout and retries — what a platform team would assert in its own tests.
 */
import { Testing } from 'cdk8s';
import { defineExampleApps } from '../apps/all';
import { RetrySource, RouteSimulator, SimulationOutcome, TrafficSource } from '../src';
import { Rules, WarningSink } from '../src/synth/rules';

const app = Testing.app();
const charts = defineExampleApps(app);
Rules.of(app).warningSink = WarningSink.discard();
const byId = new Map(charts.map((c) => [c.node.id, c]));
const sim = (chart: string) => RouteSimulator.fromChart(byId.get(chart)!);
const split = (r: { destinations: Array<{ subset?: string; percent: number }> }) => r.destinations.map((d) => [d.subset, d.percent]);

describe('seed apps, request by request', () => {
  test('bookinfo: QA users and GET /api/v2/ reach reviews v2, jason v3, everyone else 90/10', () => {
    const s = sim('bookinfo');
    const host = 'reviews.bookinfo.svc.cluster.local';
    const from = TrafficSource.mesh({ namespace: 'bookinfo' });
    expect(split(s.simulate({ source: from, authority: host, headers: { 'x-qa-user': 'true' } }))).toEqual([['v2', 100]]);
    expect(split(s.simulate({ source: from, authority: host, method: 'GET', path: '/api/v2/reviews/1' }))).toEqual([['v2', 100]]);
    expect(split(s.simulate({ source: from, authority: host, method: 'POST', path: '/api/v2/reviews/1' }))).toEqual([['v1', 90], ['v2', 10]]);
    const jason = s.simulate({ source: from, authority: host, headers: { 'end-user': 'jason' } });
    expect([jason.route?.name, split(jason)]).toEqual(['jason', [['v3', 100]]]);
    // No retries set on the routes: Istio's implicit policy (2 attempts) applies.
    expect(jason.retry).toEqual(expect.objectContaining({ attempts: 2, source: RetrySource.ISTIO_DEFAULT }));
  });

  test('bookinfo: the chaos header gets the fault on ratings v1; other requests no fault', () => {
    const s = sim('bookinfo');
    const chaos = s.simulate({ authority: 'ratings.bookinfo.svc.cluster.local', headers: { 'x-chaos-test': 'true' } });
    expect(chaos.fault).toBeDefined();
    expect(s.simulate({ authority: 'ratings.bookinfo.svc.cluster.local' }).fault).toBeUndefined();
  });

  test('shop: the canary cookie reaches frontend v2, everyone else 95/5, with a 9 s timeout and one retry of 4 s', () => {
    const s = sim('shop');
    const host = 'frontend.shop.svc.cluster.local';
    const cookie = s.simulate({ authority: host, headers: { cookie: 'session=1; canary=always' } });
    expect(split(cookie)).toEqual([['v2', 100]]);
    const other = s.simulate({ authority: host });
    expect(split(other)).toEqual([['v1', 95], ['v2', 5]]);
    expect([other.timeout, other.retry?.attempts, other.retry?.perTryTimeout, other.retry?.source]).toEqual(['9s', 1, '4s', RetrySource.ROUTE]);
  });

  test('shop: at the ingress gateway, shop.example.com is routed like the mesh; an unknown host gets no route', () => {
    const s = sim('shop');
    const atGateway = s.simulate({ source: TrafficSource.gateway('shop/shop-gateway'), authority: 'shop.example.com' });
    expect(atGateway.outcome).toBe(SimulationOutcome.ROUTED);
    expect(split(atGateway)).toEqual([['v1', 95], ['v2', 5]]);
    expect(s.simulate({ source: TrafficSource.gateway('shop/shop-gateway'), authority: 'other.example.com' }).outcome).toBe(SimulationOutcome.NO_ROUTE);
  });

  test('shop: orders and inventory answer within their budgets (3 s, 1 s), without retries', () => {
    const s = sim('shop');
    for (const [service, timeout] of [['orders', '3s'], ['inventory', '1s']]) {
      const r = s.simulate({ authority: `${service}.shop.svc.cluster.local` });
      expect([r.timeout, r.retry?.attempts ?? 0]).toEqual([timeout, 0]);
    }
  });

  test('blog-system: the test header reaches the canary with its own 15 s budget; everyone else stays on stable', () => {
    const s = sim('blog-system');
    const host = 'web-service.blog-system.svc.cluster.local';
    const test = s.simulate({ authority: host, headers: { 'x-canary-test': 'true' } });
    expect([split(test), test.timeout, test.retry?.attempts]).toEqual([[['canary', 100]], '15s', 2]);
    const live = s.simulate({ authority: host });
    expect([split(live), live.timeout, live.retry?.attempts]).toEqual([[['stable', 100]], '10s', 3]);
    expect(live.mirrors.map((m) => [m.subset, m.percent])).toEqual([['canary', 100]]);
  });

  test('commerce: orders are mirrored 20 % to v2 while v1 serves them', () => {
    const r = sim('commerce').simulate({ authority: 'orders.commerce.svc.cluster.local', method: 'POST', path: '/orders' });
    expect(split(r)).toEqual([['v1', 100]]);
    expect(r.mirrors.map((m) => [m.subset, m.percent])).toEqual([['v2', 20]]);
  });

  test('istioinaction: the internal cohort reaches catalog version-v2, everyone else 90/10, mirrored', () => {
    const s = sim('istioinaction');
    const host = 'catalog.istioinaction.svc.cluster.local';
    expect(split(s.simulate({ authority: host, headers: { 'x-istio-cohort': 'internal' } }))).toEqual([['version-v2', 100]]);
    const everyone = s.simulate({ authority: host });
    expect(split(everyone)).toEqual([['version-v1', 90], ['version-v2', 10]]);
    expect(everyone.mirrors.map((m) => m.subset)).toEqual(['version-v2']);
  });

  test('payments: payments-api starts 100 % stable (Argo Rollouts moves it) with a 3 s timeout', () => {
    const r = sim('payments').simulate({ authority: 'payments-api.payments.svc.cluster.local' });
    expect([r.route?.name, split(r), r.timeout]).toEqual(['primary', [['stable', 100]], '3s']);
  });
});
