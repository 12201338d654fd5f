import { codes, dest, dr, ERROR, HOST, one, only, se, vs, WARNING } from './helpers';
import { toIstioObject } from '../../src/engine/istio-object';
import { runRules } from '../../src/engine/run';
import { RunOptions, ServiceInfo, Workload } from '../../src/engine/types';
import { DR_RULES } from '../../src/rules/dr';

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

describe('DR-19 one DestinationRule per host and subset', () => {
  test('two rules defining the same subset of a host are an error on the second', () => {
    const second = dr({ host: 'reviews', subsets: [subset('v2', { version: 'v2' })] }, { name: 'reviews-canary', namespace: 'shop' });
    const v = one(check({}, versions, second), 'DR-19');
    expect(v.severity).toBe(ERROR);
    expect(v.path).toBe('obj1');
    expect(v.message).toBe(`DestinationRule "reviews-canary" (namespace shop) defines subset "v2" of ${HOST}, already defined by DestinationRule "reviews" (namespace shop)`);
  });

  test('a rule without subsets next to another rule for the host is an error', () => {
    const policyOnly = dr({ host: HOST, trafficPolicy: { connectionPool: { tcp: { maxConnections: 10 } } } }, { name: 'reviews-pool', namespace: 'shop' });
    expect(one(check({}, versions, policyOnly), 'DR-19').message).toContain('both target reviews.shop.svc.cluster.local and this rule has no subsets');
  });

  test('rules with different subsets, disjoint exportTo, or different workload selectors pass', () => {
    const other = dr({ host: HOST, subsets: [subset('v3', { version: 'v3' })] }, { name: 'reviews-v3', namespace: 'shop' });
    const a = dr({ host: HOST, exportTo: ['web'] }, { name: 'a', namespace: 'shop' });
    const b = dr({ host: HOST, exportTo: ['billing', 'ops'] }, { name: 'b', namespace: 'shop' });
    const selected = dr({ host: HOST, workloadSelector: { matchLabels: { app: 'web' } }, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }, { name: 'for-web', namespace: 'shop' });
    expect(codes(check({}, versions, other))).not.toContain('DR-19');
    expect(codes(check({}, a, b))).not.toContain('DR-19');
    expect(codes(check({}, versions, selected))).not.toContain('DR-19');
  });

  test('overlapping exportTo in one namespace is an error (".", own namespace name)', () => {
    const a = dr({ host: HOST, exportTo: ['.'] }, { name: 'a', namespace: 'shop' });
    const b = dr({ host: HOST, exportTo: ['shop', 'web'] }, { name: 'b', namespace: 'shop' });
    expect(one(check({}, a, b), 'DR-19').path).toBe('obj1');
  });

  test('a client-namespace rule for the same host is not merged with the service namespace\'s rule: passes', () => {
    const clientSide = dr({ host: HOST, subsets: [subset('v1', { version: 'v1' })] }, { name: 'reviews-from-web', namespace: 'web' });
    expect(codes(check({}, versions, clientSide))).not.toContain('DR-19');
  });

  test('mesh-wide ISTIO_MUTUAL rules are exempt', () => {
    const mtls = (name: string) => dr({ host: '*.local', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }, { name, namespace: 'istio-system' });
    expect(codes(check({}, mtls('a'), mtls('b')))).not.toContain('DR-19');
  });
});

describe('DR-20 the host resolves', () => {
  const external = dr({ host: 'api.example.com', trafficPolicy: { tls: { mode: 'SIMPLE', caCertificates: '/ca' } } }, { name: 'api' });

  test('without an inventory the check is skipped (the host may exist in the cluster), not guessed', () => {
    expect(codes(check({}, versions))).not.toContain('DR-20');
  });

  test('an unknown host is an error when an inventory is declared', () => {
    const v = one(check({ inventory: { hosts: ['ratings.shop.svc.cluster.local'] } }, versions), 'DR-20');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('nor a host of the declared inventory');
  });

  test('a Service in the App, a ServiceEntry host or an inventory host resolves it', () => {
    expect(codes(check({ services: [service({ app: 'reviews' })], workloads: [V1, V2] }, versions))).not.toContain('DR-20');
    expect(codes(check({}, external, se({ hosts: ['api.example.com'] })))).not.toContain('DR-20');
    expect(codes(check({ inventory: { hosts: [HOST] } }, versions))).not.toContain('DR-20');
  });

  test('wildcards: a wildcard ServiceEntry covers a host, a wildcard DR is covered by a Service under it', () => {
    expect(codes(check({}, external, se({ hosts: ['*.example.com'] })))).not.toContain('DR-20');
    const nsWide = dr({ host: '*.shop.svc.cluster.local', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }, { name: 'ns', namespace: 'shop' });
    expect(codes(check({ services: [service({ app: 'reviews' })] }, nsWide))).not.toContain('DR-20');
    expect(one(check({ inventory: { hosts: [] } }, nsWide), 'DR-20').severity).toBe(ERROR);
    expect(codes(check({ inventory: { namespaces: ['shop'] } }, nsWide))).not.toContain('DR-20');
  });

  test('the ServiceEntry apex is not covered by its wildcard', () => {
    expect(one(check({ inventory: {} }, dr({ host: 'example.com' }), se({ hosts: ['*.example.com'] })), 'DR-20').value).toBe('example.com');
  });

  test('mesh-wide hosts are exempt', () => {
    expect(codes(check({ inventory: {} }, dr({ host: '*.local', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } })))).not.toContain('DR-20');
  });
});

describe('DR-21 (opt-in, ambient) L7 rules in the service namespace', () => {
  const remote = dr({ host: HOST, trafficPolicy: { outlierDetection: { consecutive5xxErrors: 5 } } }, { namespace: 'web' });

  test('is off unless enabled', () => {
    expect(codes(check({}, remote))).not.toContain('DR-21');
  });

  test('outlier detection from another namespace is a warning', () => {
    const v = one(check({ enable: ['DR-21'] }, remote), 'DR-21');
    expect(v.severity).toBe(WARNING);
    expect(v.message).toBe(`DestinationRule "reviews" (namespace web) sets trafficPolicy.outlierDetection for ${HOST} from namespace web, but an ambient waypoint applies only rules in shop`);
  });

  test('L7 settings in the service namespace, or L4-only settings elsewhere, pass', () => {
    const local = dr({ host: HOST, trafficPolicy: { outlierDetection: { consecutive5xxErrors: 5 } } }, { namespace: 'shop' });
    const l4 = dr({ host: HOST, trafficPolicy: { connectionPool: { tcp: { maxConnections: 10 } } } }, { name: 'l4', namespace: 'web' });
    expect(codes(check({ enable: ['DR-21'] }, local, l4))).not.toContain('DR-21');
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
