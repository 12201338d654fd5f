import { dest, dr, vs } from '../../support/rules';
import { toIstioObject } from '../../../src/engine/istio-object';
import { runRules } from '../../../src/engine/run';
import { Workload } from '../../../src/engine/types';
import { DR_RULES } from '../../../src/rules/dr';

const JUNK: unknown[] = [null, 0, -1, 'x', '', true, [], [null], {}, { x: null }, [[1]]];
const ALL = DR_RULES.map((r) => r.code);

/** Every way of putting junk at `path` of a well-formed DestinationRule spec. */
function variants(path: string[]): any[] {
  return JUNK.map((junk) => {
    const spec: any = {
      host: 'reviews.shop.svc.cluster.local',
      subsets: [{ name: 'v1', labels: { version: 'v1' }, trafficPolicy: { tls: { mode: 'MUTUAL' } } }],
      trafficPolicy: {
        connectionPool: { http: { http2KeepAlive: {} }, tcp: {} }, outlierDetection: {}, tls: { mode: 'SIMPLE' }, tunnel: {}, proxyProtocol: {},
        loadBalancer: { consistentHash: { httpCookie: { attributes: [{}] }, maglev: {} }, localityLbSetting: { distribute: [{ to: {} }], failover: [{}] }, warmup: {} },
        portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'SIMPLE' } }],
      },
      workloadSelector: { matchLabels: { app: 'x' } }, exportTo: ['.'],
    };
    let node = spec;
    for (const key of path.slice(0, -1)) node = node[key];
    node[path[path.length - 1]] = junk;
    return dr(spec, { namespace: 'shop' });
  });
}

const PATHS = [
  ['host'], ['subsets'], ['trafficPolicy'], ['workloadSelector'], ['exportTo'],
  ['trafficPolicy', 'connectionPool'], ['trafficPolicy', 'outlierDetection'], ['trafficPolicy', 'tls'], ['trafficPolicy', 'tunnel'],
  ['trafficPolicy', 'proxyProtocol'], ['trafficPolicy', 'loadBalancer'], ['trafficPolicy', 'portLevelSettings'],
  ['trafficPolicy', 'loadBalancer', 'consistentHash'], ['trafficPolicy', 'loadBalancer', 'localityLbSetting'], ['trafficPolicy', 'loadBalancer', 'warmup'],
];

test.each(PATHS.map((p) => [p.join('.'), p]))('malformed spec.%s never crashes a DR rule', (_name, path) => {
  const objects = variants(path as string[]).map((m, i) => toIstioObject(m, `obj${i}`)!);
  const route = toIstioObject(vs({ hosts: ['reviews'], http: [{ route: [dest('reviews', { subset: 'v1' }), null, { destination: { host: 5, subset: [] } }] }] }), 'vs')!;
  expect(() => runRules([...objects, route], DR_RULES, { enable: ALL, workloads: [], services: [], inventory: {} })).not.toThrow();
});

test('App rules stay fast on 20,000 objects sharing one namespace and subset names', () => {
  const objects = [];
  const workloads: Workload[] = [];
  for (let i = 0; i < 10_000; i++) {
    const host = `svc-${i}.shop.svc.cluster.local`;
    objects.push(dr({ host, subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }] }, { name: `svc-${i}`, namespace: 'shop' }));
    objects.push(vs({ hosts: [host], http: [{ route: [dest(host, { subset: 'v1', weight: 50 }), dest(host, { subset: 'v2', weight: 50 })] }] }, { name: `svc-${i}`, namespace: 'shop' }));
    workloads.push({ kind: 'Deployment', name: `svc-${i}`, namespace: 'shop', podLabels: { app: `svc-${i}`, version: 'v1' }, path: `w${i}` });
  }
  const services = workloads.map((w) => ({ name: w.name, namespace: 'shop', selector: { app: w.name }, ports: [{ port: 80 }], path: `s-${w.name}` }));
  const start = Date.now();
  const report = runRules(objects.map((m, i) => toIstioObject(m, `obj${i}`)!), DR_RULES, { enable: ALL, workloads, services });
  expect(Date.now() - start).toBeLessThan(10_000); // ~1.5s here; a pairwise (quadratic) pass would take far longer
  expect(report.errors.filter((v) => v.code === 'DR-04')).toHaveLength(10_000);
  expect(report.warnings.filter((v) => v.code === 'DR-22')).toHaveLength(0);
});
