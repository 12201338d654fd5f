/**
 * Istio's Bookinfo samples (`../shared/corpus/istio-samples/bookinfo/networking/`), read as YAML and simulated: the
 * routing each sample's task page describes. Bookinfo's Deployments and Services (platform/kube/bookinfo.yaml, not in
 * the corpus) are written here: productpage v1, details v1, ratings v1, reviews v1–v3, all on port 9080.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { RetrySource, RouteSimulator, SimulationOutcome, TrafficSource } from '../../src';
import { deployment, service } from './support';

const DIR = path.join(__dirname, '..', '..', '..', 'shared', 'corpus', 'istio-samples', 'bookinfo', 'networking');
const read = (file: string): any[] => parseAllDocuments(fs.readFileSync(path.join(DIR, file), 'utf8')).map((d) => d.toJS()).filter((m) => m !== null);

const WORKLOADS = [
  ...['productpage', 'details', 'ratings', 'reviews'].map((app) => service(app, { app }, [9080])),
  ...[['productpage', 'v1'], ['details', 'v1'], ['ratings', 'v1'], ['reviews', 'v1'], ['reviews', 'v2'], ['reviews', 'v3']]
    .map(([app, version]) => deployment(`${app}-${version}`, { app, version })),
];

const simulator = (...files: string[]) => RouteSimulator.fromManifests([...files.flatMap(read), ...read('destination-rule-all.yaml'), ...WORKLOADS]);
const subsets = (r: ReturnType<RouteSimulator['simulate']>) => r.destinations.map((d) => `${d.subset}:${d.percent}`);
const fromProductpage = TrafficSource.mesh({ labels: { app: 'productpage', version: 'v1' } });

test('virtual-service-reviews-jason-v2-v3: end-user jason reaches reviews v2, everyone else v3', () => {
  const sim = simulator('virtual-service-reviews-jason-v2-v3.yaml');
  const jason = sim.simulate({ source: fromProductpage, authority: 'reviews:9080', path: '/reviews/0', headers: { 'end-user': 'jason' } });
  expect(jason.outcome).toBe(SimulationOutcome.ROUTED);
  expect(jason.route).toEqual({ virtualService: 'default/reviews', index: 0, matchIndex: 0 });
  expect(jason.destinations).toEqual([{
    host: 'reviews.default.svc.cluster.local', subset: 'v2', port: 9080, percent: 100,
    policy: { destinationRule: 'default/reviews', sources: {} }, workloads: ['Deployment default/reviews-v2'],
  }]);
  expect(jason.retry?.source).toBe(RetrySource.ISTIO_DEFAULT);
  expect(jason.timeout).toBeUndefined();
  const other = sim.simulate({ source: fromProductpage, authority: 'reviews:9080', path: '/reviews/0', headers: { 'end-user': 'Jason' } });
  expect(other.route?.index).toBe(1);
  expect(subsets(other)).toEqual(['v3:100']);
  expect(other.skipped[0].failed).toEqual(['header "end-user" exact "jason" does not match "Jason"']);
});

test('virtual-service-reviews-80-20 and -90-10 split by weight', () => {
  expect(subsets(simulator('virtual-service-reviews-80-20.yaml').simulate({ authority: 'reviews' }))).toEqual(['v1:80', 'v2:20']);
  expect(subsets(simulator('virtual-service-reviews-90-10.yaml').simulate({ authority: 'reviews' }))).toEqual(['v1:90', 'v2:10']);
});

test('virtual-service-all-v1: every service goes to v1', () => {
  const sim = simulator('virtual-service-all-v1.yaml');
  for (const host of ['productpage', 'reviews', 'ratings', 'details']) expect(subsets(sim.simulate({ authority: host }))).toEqual(['v1:100']);
});

test('virtual-service-ratings-test-abort: jason gets the 500 abort, with no retries and no timeout', () => {
  const sim = simulator('virtual-service-ratings-test-abort.yaml');
  const jason = sim.simulate({ authority: 'ratings', headers: { 'end-user': 'jason' } });
  expect(jason.fault).toEqual({ abort: { percentage: { value: 100 }, httpStatus: 500 } });
  expect(jason.retry?.source).toBe(RetrySource.FAULT_INJECTION);
  expect(sim.simulate({ authority: 'ratings' }).fault).toBeUndefined();
});

test('virtual-service-ratings-db: ratings v2 has no pods in Bookinfo\'s base deployment, so UH', () => {
  const r = simulator('virtual-service-ratings-db.yaml').simulate({ authority: 'ratings' });
  expect(r.risks).toEqual([expect.objectContaining({ code: 'UH', destination: 'ratings.default.svc.cluster.local/v2' })]);
});

describe('bookinfo-gateway', () => {
  const sim = simulator('bookinfo-gateway.yaml');
  const source = TrafficSource.gateway('default/bookinfo-gateway');

  test('/productpage, /static/*, /login, /logout and /api/v1/products* reach productpage 9080 on the gateway port 8080', () => {
    for (const p of ['/productpage', '/static/css/app.css', '/login', '/logout', '/api/v1/products/0/reviews']) {
      const r = sim.simulate({ source, authority: 'bookinfo.example.com', path: p });
      expect([r.outcome, r.port, r.destinations.map((d) => `${d.host}:${d.port}`)]).toEqual([SimulationOutcome.ROUTED, 8080, ['productpage.default.svc.cluster.local:9080']]);
    }
  });

  test('any other path is NR, with the closest match named', () => {
    const r = sim.simulate({ source, authority: 'bookinfo.example.com', path: '/productpage/extra' });
    expect(r.outcome).toBe(SimulationOutcome.NO_ROUTE);
    expect(r.closest).toEqual({ route: { virtualService: 'default/bookinfo', index: 0, matchIndex: 0 }, failed: ['uri exact "/productpage" does not match "/productpage/extra"'] });
  });

  test('the mesh does not see the gateway-bound VirtualService', () => {
    expect(sim.simulate({ authority: 'productpage', path: '/productpage' }).outcome).toBe(SimulationOutcome.DEFAULT_ROUTE);
  });
});
