import { codes, dr, ERROR, HOST, one, only, run, WARNING } from '../../support/rules';
import { thrownBy } from '../../support/errors';
import { toIstioObject } from '../../../src/engine/istio-object';
import { runRules } from '../../../src/engine/run';
import { RunOptions } from '../../../src/engine/types';
import { DR_RULES } from '../../../src/rules/dr';
import { localityProblems } from '../../../src/rules/dr/locality';
import { LocalityFailover } from '../../../src/policies/load-balancer';
import { validateManifest } from '../../../src/schema/crd-validator';

describe('destination-rule', () => {
/** A DR with top-level outlier detection. */
const outlier = (od: Record<string, unknown>) => dr({ host: HOST, trafficPolicy: { outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s', ...od } } });

const OD = { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s' };
const FAILOVER_PRIORITY = { localityLbSetting: { enabled: true, failoverPriority: ['topology.kubernetes.io/region', 'topology.kubernetes.io/zone'] } };

describe('DR-09 locality failover needs outlier detection', () => {
  test('failoverPriority without outlierDetection is an error naming the policy', () => {
    const v = one(run(dr({ host: HOST, trafficPolicy: { loadBalancer: FAILOVER_PRIORITY } })), 'DR-09');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('trafficPolicy sets locality failover without outlierDetection');
  });

  test('failover from/to without outlierDetection is an error', () => {
    const lb = { localityLbSetting: { failover: [{ from: 'us-east1', to: 'us-west1' }] } };
    expect(one(run(dr({ host: HOST, trafficPolicy: { loadBalancer: lb } })), 'DR-09').severity).toBe(ERROR);
  });

  test('failoverPriority with outlierDetection in the same policy passes', () => {
    expect(codes(run(dr({ host: HOST, trafficPolicy: { loadBalancer: FAILOVER_PRIORITY, outlierDetection: OD } })))).not.toContain('DR-09');
  });

  test('outlierDetection at the top with failover in a subset passes (inheritance)', () => {
    const report = run(dr({
      host: HOST, trafficPolicy: { outlierDetection: OD },
      subsets: [{ name: 'v1', labels: { version: 'v1' }, trafficPolicy: { loadBalancer: FAILOVER_PRIORITY } }],
    }));
    expect(codes(report)).not.toContain('DR-09');
  });

  test('failover in a subset without any outlierDetection is an error naming the subset', () => {
    const report = run(dr({ host: HOST, subsets: [{ name: 'v1', labels: { version: 'v1' }, trafficPolicy: { loadBalancer: FAILOVER_PRIORITY } }] }));
    expect(one(report, 'DR-09').message).toContain('subset "v1" trafficPolicy sets locality failover');
  });

  test('failover at the top with outlierDetection only in a subset is still an error for the top policy', () => {
    const report = run(dr({
      host: HOST, trafficPolicy: { loadBalancer: FAILOVER_PRIORITY },
      subsets: [{ name: 'v1', labels: { version: 'v1' }, trafficPolicy: { outlierDetection: OD } }],
    }));
    const v = one(report, 'DR-09');
    expect(v.message).toMatch(/^trafficPolicy sets/);
  });

  test('failover at the top is reported once, not again for a subset that only inherits it', () => {
    const report = run(dr({
      host: HOST, trafficPolicy: { loadBalancer: FAILOVER_PRIORITY },
      subsets: [{ name: 'v1', labels: { version: 'v1' }, trafficPolicy: { connectionPool: { tcp: { maxConnections: 10 } } } }],
    }));
    expect(only(report, 'DR-09')).toHaveLength(1);
  });

  test('a plain localityLbSetting without distribute or outlierDetection is a warning', () => {
    const v = one(run(dr({ host: HOST, trafficPolicy: { loadBalancer: { localityLbSetting: { enabled: true } } } })), 'DR-09');
    expect(v.severity).toBe(WARNING);
    expect(v.message).toContain('trafficPolicy enables localityLbSetting without outlierDetection or distribute');
  });

  test('a localityLbSetting with distribute passes', () => {
    const lb = { localityLbSetting: { distribute: [{ from: 'us-east1/*', to: { 'us-east1/*': 80, 'us-west1/*': 20 } }] } };
    expect(codes(run(dr({ host: HOST, trafficPolicy: { loadBalancer: lb } })))).not.toContain('DR-09');
  });

  test('LocalityFailover.distribute without outlierDetection passes DR-09 (distribute applies to healthy endpoints) and the CRD schema + CEL', () => {
    const manifest = dr({ host: HOST, trafficPolicy: { loadBalancer: { localityLbSetting: LocalityFailover.distribute([
      { from: 'us-west/zone1/*', to: { 'us-west/zone1/*': 80, 'us-west/zone2/*': 20 } }])._render() } } });
    expect(codes(run(manifest))).toEqual([]);
    expect(validateManifest(manifest)).toEqual([]);
  });

  test('a disabled localityLbSetting passes', () => {
    const lb = { localityLbSetting: { enabled: false, failoverPriority: ['topology.kubernetes.io/region'] } };
    expect(codes(run(dr({ host: HOST, trafficPolicy: { loadBalancer: lb } })))).not.toContain('DR-09');
  });
});
});

describe('dr-rules', () => {
/** Runs the DR rules of dr-rules.ts over the manifests. */
const check = (options: RunOptions, ...manifests: any[]) => runRules(manifests.map((m, i) => toIstioObject(m, `obj${i}`)!), DR_RULES, options);
/** A DR for HOST with the given top-level traffic policy. */
const policy = (trafficPolicy: unknown) => dr({ host: HOST, trafficPolicy });

describe('DR-10 locality load balancing', () => {
  const locality = (localityLbSetting: unknown) => policy({ loadBalancer: { localityLbSetting }, outlierDetection: { consecutive5xxErrors: 5 } });

  test('distribute together with failover is an error', () => {
    const v = one(check({}, locality({ distribute: [{ from: 'us-east/*', to: { 'us-east/*': 100 } }], failover: [{ from: 'us-east', to: 'us-west' }] })), 'DR-10');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toBe('trafficPolicy.loadBalancer.localityLbSetting sets both distribute and failover');
  });

  test('weights not totalling 100 are an error', () => {
    const v = one(check({}, locality({ distribute: [{ from: 'us-east/*', to: { 'us-east/*': 80, 'us-west/*': 10 } }] })), 'DR-10');
    expect(v.message).toBe('trafficPolicy.loadBalancer.localityLbSetting.distribute[0].to weights total 90');
  });

  test('a weight of 0 (min-1) and 101 (max+1) are errors', () => {
    const messages = only(check({}, locality({ distribute: [{ from: 'a/*', to: { 'a/*': 0, 'b/*': 101 } }] })), 'DR-10').map((v) => v.message);
    expect(messages).toContain('trafficPolicy.loadBalancer.localityLbSetting.distribute[0].to["a/*"] weight 0 is outside 1-100');
    expect(messages).toContain('trafficPolicy.loadBalancer.localityLbSetting.distribute[0].to["b/*"] weight 101 is outside 1-100');
  });

  test('a weight of 1 (min) and 100 (max) pass', () => {
    expect(codes(check({}, locality({ distribute: [{ from: 'a/*', to: { 'a/*': 100 } }, { from: 'b/*', to: { 'a/*': 1, 'b/*': 99 } }] })))).not.toContain('DR-10');
  });

  test('a fractional weight is an error', () => {
    const messages = only(check({}, locality({ distribute: [{ from: 'a/*', to: { 'a/*': 50.5, 'b/*': 49.5 } }] })), 'DR-10').map((v) => v.message);
    expect(messages).toEqual(['trafficPolicy.loadBalancer.localityLbSetting.distribute[0].to["a/*"] weight 50.5 is not an integer', 'trafficPolicy.loadBalancer.localityLbSetting.distribute[0].to["b/*"] weight 49.5 is not an integer']);
  });

  test('weights totalling 101 are an error', () => {
    const v = one(check({}, locality({ distribute: [{ from: 'us-east/*', to: { 'us-east/*': 81, 'us-west/*': 20 } }] })), 'DR-10');
    expect(v.message).toBe('trafficPolicy.loadBalancer.localityLbSetting.distribute[0].to weights total 101');
    expect(v.value).toBe(101);
  });

  test('what LocalityFailover.distribute refuses, DR-10 finds in YAML (the same checks)', () => {
    const entries = [{ from: 'us-east/*', to: { 'us-east/*': 50, 'us-east/zone1': 50 } }];
    expect(thrownBy(() => LocalityFailover.distribute(entries)).message).toMatch(/DR-10: distribute from "us-east\/\*": to locality "us-east\/zone1" is covered by the earlier "us-east\/\*"/);
    expect(one(check({}, locality({ distribute: entries })), 'DR-10').message)
      .toBe('trafficPolicy.loadBalancer.localityLbSetting.distribute[0].to locality "us-east/zone1" is covered by the earlier "us-east/*"');
  });

  test('weights of 1 and 99 totalling 100 pass', () => {
    expect(codes(check({}, locality({ distribute: [{ from: 'us-east/*', to: { 'us-east/*': 99, 'us-west/*': 1 } }] })))).not.toContain('DR-10');
  });

  test('a "from" locality covered by an earlier one is an error', () => {
    const v = one(check({}, locality({ distribute: [
      { from: 'us-east/*', to: { 'us-east/*': 100 } }, { from: 'us-east/zone1', to: { 'us-east/zone1': 100 } }] })), 'DR-10');
    expect(v.message).toBe('trafficPolicy.loadBalancer.localityLbSetting.distribute from locality "us-east/zone1" is covered by the earlier "us-east/*"');
  });

  test('failover to the same region, to a zone, or with "*" is an error', () => {
    const messages = only(check({}, locality({ failover: [{ from: 'us-east', to: 'us-east' }, { from: 'us-east', to: 'us-west/zone1' }, { from: '*', to: 'eu' }] })), 'DR-10').map((v) => v.message);
    expect(messages).toEqual([
      'trafficPolicy.loadBalancer.localityLbSetting.failover[0] fails over from "us-east" to the same region',
      'trafficPolicy.loadBalancer.localityLbSetting.failover[1].to "us-west/zone1" is not a bare region',
      'trafficPolicy.loadBalancer.localityLbSetting.failover[2].from "*" contains "*"',
    ]);
  });

  test('failover with a topology label in failoverPriority is an error', () => {
    const v = one(check({}, locality({ failover: [{ from: 'us-east', to: 'us-west' }], failoverPriority: ['topology.kubernetes.io/zone'] })), 'DR-10');
    expect(v.message).toContain('failoverPriority lists topology label "topology.kubernetes.io/zone" while failover is set');
  });

  test('failoverPriority with custom labels next to failover passes, as does a plain failover', () => {
    const report = check({},
      locality({ failover: [{ from: 'us-east', to: 'us-west' }], failoverPriority: ['topology.istio.io/network'] }),
      locality({ failoverPriority: ['topology.kubernetes.io/region', 'topology.kubernetes.io/zone'] }));
    expect(codes(report)).not.toContain('DR-10');
  });

  test('localityLbSetting together with zoneAwareLbSetting is an error', () => {
    const v = one(check({}, policy({ loadBalancer: { localityLbSetting: { enabled: true }, zoneAwareLbSetting: { enabled: true } } })), 'DR-10');
    expect(v.message).toBe('trafficPolicy.loadBalancer sets both localityLbSetting and zoneAwareLbSetting');
  });

  describe('localityProblems', () => {
    test('accepts a narrower locality before a broader one, as Istio does', () => {
      expect(localityProblems(['us-east/zone1', 'us-east/*', 'eu/*'])).toEqual([]);
    });

    test('rejects a wildcard that is not last, an empty segment, repeats and entries after "*"', () => {
      expect(localityProblems(['*/zone', 'us//a', 'eu', 'eu', '*', 'ap'])).toEqual([
        { locality: '*/zone', problem: 'may contain one "*", and only as its last character' },
        { locality: 'us//a', problem: 'has an empty region, zone or subzone' },
        { locality: 'eu', problem: 'is covered by the earlier "eu"' },
        { locality: 'ap', problem: 'is covered by the earlier "*"' },
      ]);
    });

    test('subzones: a repeat and one under a whole zone overlap', () => {
      expect(localityProblems(['r/z/s1', 'r/z/s1', 'r/y/*', 'r/y/s2', 'r/z/s2']).map((p) => p.locality)).toEqual(['r/z/s1', 'r/y/s2']);
    });
  });
});
});
