import { codes, dest, dr, ERROR, HOST, one, only, run, vs, WARNING } from '../../support/rules';
import { toIstioObject } from '../../../src/engine/istio-object';
import { runRules } from '../../../src/engine/run';
import { RunOptions, ServiceInfo, Workload } from '../../../src/engine/types';
import { DR_RULES } from '../../../src/rules/dr';

describe('destination-rule', () => {
/** A DR with top-level outlier detection. */
const outlier = (od: Record<string, unknown>) => dr({ host: HOST, trafficPolicy: { outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s', ...od } } });

const OD = { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s' };
const FAILOVER_PRIORITY = { localityLbSetting: { enabled: true, failoverPriority: ['topology.kubernetes.io/region', 'topology.kubernetes.io/zone'] } };

describe('DR-03 subsets have labels', () => {
  test('a subset without labels next to other subsets is an error naming the subset and host', () => {
    const v = one(run(dr({ host: HOST, subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'all' }] })), 'DR-03');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain(`subset "all" has no labels, so it selects every endpoint of "${HOST}" and overlaps every other subset`);
    expect(v.value).toBeNull();
  });

  test('a label-less subset that is the only one (Istio\'s egress tasks: a policy carrier) is a warning', () => {
    const report = run(dr({ host: 'istio-egressgateway.istio-system.svc.cluster.local', subsets: [{ name: 'cnn' }] }));
    const v = one(report, 'DR-03');
    expect(v.severity).toBe(WARNING);
    expect(v.fix).toContain('suppress DR-03');
  });

  test('a subset with an empty labels map is an error', () => {
    const v = one(run(dr({ host: HOST, subsets: [{ name: 'v1', labels: {} }] })), 'DR-03');
    expect(v.value).toEqual({});
  });

  test('a subset with one label passes', () => {
    expect(codes(run(dr({ host: HOST, subsets: [{ name: 'v1', labels: { version: 'v1' } }] })))).not.toContain('DR-03');
  });

  test('a DestinationRule without subsets passes', () => {
    expect(codes(run(dr({ host: HOST })))).not.toContain('DR-03');
  });
});
});

describe('dr-app', () => {
/** Runs the DR rules of dr-rules.ts over the manifests. */
const check = (options: RunOptions, ...manifests: any[]) => runRules(manifests.map((m, i) => toIstioObject(m, `obj${i}`)!), DR_RULES, options);
const subset = (name: string, labels: Record<string, string>, extra: Record<string, unknown> = {}) => ({ name, labels, ...extra });
/** The DR for HOST with subsets v1 and v2 (version labels). */
const versions = dr({ host: HOST, subsets: [subset('v1', { version: 'v1' }), subset('v2', { version: 'v2' })] }, { namespace: 'shop' });
const deployment = (name: string, podLabels: Record<string, string>, namespace = 'shop'): Workload => ({ kind: 'Deployment', name, namespace, podLabels, path: `app/${name}` });
const service = (selector?: Record<string, string>): ServiceInfo => ({ name: 'reviews', namespace: 'shop', ports: [{ port: 9080 }], path: 'app/svc', ...(selector ? { selector } : {}) });
const V1 = deployment('reviews-v1', { app: 'reviews', version: 'v1' });
const V2 = deployment('reviews-v2', { app: 'reviews', version: 'v2' });

describe('DR-04 subsets are distinct and select pods', () => {
  test('two subsets with identical labels are a warning', () => {
    const m = dr({ host: HOST, subsets: [subset('v1', { version: 'v1', app: 'reviews' }), subset('stable', { app: 'reviews', version: 'v1' })] });
    const v = one(check({}, m), 'DR-04');
    expect(v.severity).toBe(WARNING);
    expect(v.message).toBe('subset "stable" has the same labels {app=reviews,version=v1} as subset "v1", so both select the same pods');
  });

  test('a subset matching no pod of the Service in the App is an error naming the pods', () => {
    const v = one(check({ services: [service({ app: 'reviews' })], workloads: [V1] }, versions), 'DR-04');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toBe('subset "v2" selects {app=reviews,version=v2} (subset labels merged with the selector of Service "reviews"), which matches none of its pods in the App: Deployment "reviews-v1" {app=reviews,version=v1}');
  });

  test('subsets matching pods of the Service pass', () => {
    expect(codes(check({ services: [service({ app: 'reviews' })], workloads: [V1, V2] }, versions))).not.toContain('DR-04');
  });

  test('pods in another namespace do not count', () => {
    const elsewhere = deployment('reviews-v2', { app: 'reviews', version: 'v2' }, 'staging');
    expect(one(check({ services: [service({ app: 'reviews' })], workloads: [V1, elsewhere] }, versions), 'DR-04').severity).toBe(ERROR);
  });

  test('subset labels that contradict the Service selector are an error', () => {
    const m = dr({ host: HOST, subsets: [subset('v1', { app: 'ratings', version: 'v1' })] }, { namespace: 'shop' });
    const v = one(check({ services: [service({ app: 'reviews' })], workloads: [V1] }, m), 'DR-04');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('subset "v1" labels (app=ratings) contradict the selector of Service "reviews" (app=reviews)');
  });

  test('a Service whose workloads are not in the App gives a warning per subset', () => {
    const found = only(check({ services: [service({ app: 'reviews' })] }, versions), 'DR-04');
    expect(found.map((v) => v.severity)).toEqual([WARNING, WARNING]);
    expect(found[0].message).toBe('subset "v1" labels {version=v1} cannot be checked: Service "reviews" selects none of the App\'s workloads, so its pods are defined elsewhere');
  });

  test('without a Service, workloads labelled app=<service name> are checked, as a warning', () => {
    const v = one(check({ workloads: [V1] }, versions), 'DR-04');
    expect(v.severity).toBe(WARNING);
    expect(v.message).toContain('subset "v2" labels {version=v2} match none of the workloads of reviews.shop.svc.cluster.local in the App');
    expect(codes(check({ workloads: [V1, V2] }, versions))).not.toContain('DR-04');
  });

  test('neither Service nor workloads of the host in the App: skipped', () => {
    expect(codes(check({ workloads: [deployment('ratings', { app: 'ratings' })] }, versions))).not.toContain('DR-04');
  });

  test('a selector-less Service is skipped', () => {
    expect(codes(check({ services: [service()], workloads: [V1] }, versions))).not.toContain('DR-04');
  });

  describe('subsets one route splits traffic between', () => {
    const split = (...subsets: string[]) => vs({ hosts: [HOST], http: [{ name: 'primary', route: subsets.map((s, i) => dest(HOST, { subset: s, weight: i === 0 ? 100 : 0 })) }] }, { namespace: 'shop' });
    const nested = dr({ host: HOST, subsets: [subset('stable', { app: 'reviews' }), subset('canary', { app: 'reviews', version: 'v2' })] }, { namespace: 'shop' });

    test('are an error when one label set contains the other: the broader subset also selects the other version', () => {
      const v = one(check({}, nested, split('stable', 'canary')), 'DR-04');
      expect(v.severity).toBe(ERROR);
      expect(v.path).toBe('obj0');
      expect(v.message).toBe('subset "stable" {app=reviews} and subset "canary" {app=reviews,version=v2} overlap: one subset\'s labels are contained in the other\'s, '
        + 'so the broader subset also selects the other version\'s pods; VirtualService "reviews" (namespace shop) route "primary" splits traffic between them, so the split is not the one it states');
    });

    test('are an error, not a warning, when their labels are identical', () => {
      const same = dr({ host: HOST, subsets: [subset('v1', { version: 'v1' }), subset('stable', { version: 'v1' })] }, { namespace: 'shop' });
      const v = one(check({}, same, split('v1', 'stable')), 'DR-04');
      expect(v.severity).toBe(ERROR);
      expect(v.message).toContain('select the same labels, so both subsets contain the same pods');
    });

    test('pass when the label sets are distinct', () => {
      expect(codes(check({}, versions, split('v1', 'v2')))).not.toContain('DR-04');
    });

    test('nested labels not split together pass, identical ones not split together stay a warning', () => {
      expect(codes(check({}, nested, split('canary')))).not.toContain('DR-04');
      const same = dr({ host: HOST, subsets: [subset('v1', { version: 'v1' }), subset('stable', { version: 'v1' }), subset('v2', { version: 'v2' })] }, { namespace: 'shop' });
      expect(one(check({}, same, split('v1', 'v2')), 'DR-04').severity).toBe(WARNING);
    });

    test('a split of another host does not count', () => {
      const other = vs({ hosts: ['ratings.shop.svc.cluster.local'], http: [{ route: [dest('ratings.shop.svc.cluster.local', { subset: 'stable', weight: 50 }), dest('ratings.shop.svc.cluster.local', { subset: 'canary', weight: 50 })] }] }, { namespace: 'shop' });
      expect(codes(check({}, nested, other))).not.toContain('DR-04');
    });
  });
});

describe('DR-05 every subset is routed to', () => {
  const route = (...subsets: string[]) => vs({ hosts: [HOST], http: [{ name: 'split', route: subsets.map((s) => dest(HOST, { subset: s, weight: 100 / subsets.length })) }] }, { namespace: 'shop' });

  test('a subset no VirtualService routes to is a warning', () => {
    const v = one(check({}, versions, route('v1')), 'DR-05');
    expect(v.severity).toBe(WARNING);
    expect(v.message).toBe(`subset "v2" of ${HOST} is not routed to by any VirtualService in the App`);
  });

  test('a trafficPolicy on such a subset is called out', () => {
    const m = dr({ host: HOST, subsets: [subset('v1', { version: 'v1' }), subset('v2', { version: 'v2' }, { trafficPolicy: { connectionPool: { tcp: { maxConnections: 10 } } } })] });
    expect(one(check({}, m, route('v1')), 'DR-05').message).toContain('its trafficPolicy (spec.subsets[1].trafficPolicy) therefore never applies');
  });

  test('subsets routed to (also through a short host name in the same namespace, or a mirror) pass', () => {
    const short = vs({ hosts: ['reviews'], http: [{ name: 'default', route: [dest('reviews', { subset: 'v1' })], mirror: { host: 'reviews', subset: 'v2' } }] }, { namespace: 'shop' });
    expect(codes(check({}, versions, short))).not.toContain('DR-05');
  });

  test('a route to the subset of another host does not count', () => {
    const other = vs({ hosts: ['ratings.shop.svc.cluster.local'], http: [{ route: [dest('ratings.shop.svc.cluster.local', { subset: 'v2' })] }] });
    expect(only(check({}, versions, route('v1'), other), 'DR-05').map((v) => v.value)).toEqual(['v2']);
  });
});

describe('DR-22 make-before-break apply order', () => {
  const split = vs({ hosts: [HOST], http: [{ name: 'split', route: [dest(HOST, { subset: 'v1', weight: 90 }), dest(HOST, { subset: 'v2', weight: 10 })] }] }, { namespace: 'shop' });

  test('a VirtualService emitted before the DestinationRule of its subsets is a warning', () => {
    const found = only(check({}, split, versions), 'DR-22');
    expect(found.map((v) => v.severity)).toEqual([WARNING, WARNING]);
    expect(found[0].path).toBe('obj0');
    expect(found[0].message).toBe(`route "split" destination 0 routes to subset "v1" of ${HOST}, but DestinationRule "reviews" (namespace shop), which defines it, is applied after this VirtualService`);
  });

  test('the DestinationRule first passes', () => {
    expect(codes(check({}, versions, split))).not.toContain('DR-22');
  });

  test('a lower Argo CD sync wave on the DestinationRule passes despite the order', () => {
    const early = dr({ host: HOST, subsets: [subset('v1', { version: 'v1' }), subset('v2', { version: 'v2' })] }, { namespace: 'shop', annotations: { 'argocd.argoproj.io/sync-wave': '-1' } });
    expect(codes(check({}, split, early))).not.toContain('DR-22');
  });

  test('a subset no DestinationRule defines is left to VS-16', () => {
    expect(codes(check({}, split))).not.toContain('DR-22');
  });
});
});
