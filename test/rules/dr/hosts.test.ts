import { codes, dr, ERROR, HOST, one, only, runOnly, se, sizes, WARNING } from '../../support/rules';
import { DR19 } from '../../../src/rules/dr/hosts';
import { toIstioObject } from '../../../src/engine/istio-object';
import { runRules } from '../../../src/engine/run';
import { RunOptions, ServiceInfo, Workload } from '../../../src/engine/types';
import { DR_RULES } from '../../../src/rules/dr';

/** Runs the DR rules of dr-rules.ts over the manifests. */
const check = (options: RunOptions, ...manifests: any[]) => runRules(manifests.map((m, i) => toIstioObject(m, `obj${i}`)!), DR_RULES, options);
const subset = (name: string, labels: Record<string, string>, extra: Record<string, unknown> = {}) => ({ name, labels, ...extra });
/** The DR for HOST with subsets v1 and v2 (version labels). */
const versions = dr({ host: HOST, subsets: [subset('v1', { version: 'v1' }), subset('v2', { version: 'v2' })] }, { namespace: 'shop' });
const deployment = (name: string, podLabels: Record<string, string>, namespace = 'shop'): Workload => ({ kind: 'Deployment', name, namespace, podLabels, path: `app/${name}` });
const service = (selector?: Record<string, string>): ServiceInfo => ({ name: 'reviews', namespace: 'shop', ports: [{ port: 9080 }], path: 'app/svc', ...(selector ? { selector } : {}) });
const V1 = deployment('reviews-v1', { app: 'reviews', version: 'v1' });
const V2 = deployment('reviews-v2', { app: 'reviews', version: 'v2' });

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

describe('DR-19 on many rules for one host', () => {
  const copy = (i: number, spec: Record<string, unknown> = {}) => dr({ host: HOST, ...spec }, { name: `reviews-${i}`, namespace: 'shop' });

  test('each rule is reported once, against the first earlier rule it conflicts with, counting the others', () => {
    const found = only(check({}, copy(0), copy(1), copy(2)), 'DR-19');
    expect(found.map((v) => v.path)).toEqual(['obj1', 'obj2']);
    expect(found[1].message).toBe(`DestinationRule "reviews-2" (namespace shop) and DestinationRule "reviews-0" (namespace shop) both target ${HOST} and this rule has no subsets, so their settings merge unpredictably (and 1 more earlier DestinationRule for the host)`);
  });

  test('2,000 copies of one rule give a finding each, of bounded length', () => {
    const report = runOnly(DR19, {}, ...Array.from({ length: 2000 }, (_, i) => copy(i)));
    const { findings, message } = sizes(report);
    expect(findings).toBe(1999);
    expect(message).toBeLessThan(2000);
    expect(only(report, 'DR-19')[1998].message).toContain('and DestinationRule "reviews-0" (namespace shop) both target');
  });

  test('2,000 rules with distinct exportTo, all meeting in one namespace, are counted up to a bound', () => {
    const report = runOnly(DR19, {}, ...Array.from({ length: 2000 }, (_, i) => copy(i, { exportTo: ['web', `team-${i}`] })));
    const { findings, message } = sizes(report);
    expect(findings).toBe(1999);
    expect(message).toBeLessThan(2000);
    expect(only(report, 'DR-19')[1998].message).toMatch(/\(and at least \d+ more earlier DestinationRules for the host\)$/);
  });

  test('rules with thousands of shared subsets name a few of them', () => {
    const subsets = Array.from({ length: 2000 }, (_, i) => subset(`v${i}`, { version: `v${i}` }));
    const report = runOnly(DR19, {}, copy(0, { subsets }), copy(1, { subsets }));
    expect(one(report, 'DR-19').message).toContain('defines subsets "v0", "v1", "v2", "v3", "v4" and 1995 more of');
    expect(sizes(report)).toMatchObject({ findings: 1 });
    expect(sizes(report).detail).toBeLessThan(500);
  });

  test('2,000 rules with distinct subsets pass, each compared with the rules sharing a subset only', () => {
    const report = runOnly(DR19, {}, ...Array.from({ length: 2000 }, (_, i) => copy(i, { subsets: [subset(`v${i}`, { version: `v${i}` })] })));
    expect(sizes(report).findings).toBe(0);
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
