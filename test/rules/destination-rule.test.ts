import { codes, dr, ERROR, HOST, one, only, run, WARNING } from './helpers';

describe('DR-03 subsets have labels', () => {
  test('a subset without labels is an error naming the subset and host', () => {
    const v = one(run(dr({ host: HOST, subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'all' }] })), 'DR-03');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain(`subset "all" has no labels, so it selects every pod of "${HOST}"`);
    expect(v.value).toBeNull();
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

/** A DR with top-level outlier detection. */
const outlier = (od: Record<string, unknown>) => dr({ host: HOST, trafficPolicy: { outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s', ...od } } });

describe('DR-08 maxEjectionPercent 100', () => {
  test('maxEjectionPercent 100 with minHealthPercent unset is an error naming the field', () => {
    const v = one(run(outlier({ maxEjectionPercent: 100 })), 'DR-08');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('trafficPolicy.outlierDetection has maxEjectionPercent 100 and minHealthPercent unset (0)');
    expect(v.value).toBe(100);
  });

  test('maxEjectionPercent 100 with minHealthPercent 0 is an error', () => {
    const v = one(run(outlier({ maxEjectionPercent: 100, minHealthPercent: 0 })), 'DR-08');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('minHealthPercent 0');
  });

  test('maxEjectionPercent 100 with minHealthPercent > 0 is a warning naming the threshold', () => {
    const report = run(outlier({ maxEjectionPercent: 100, minHealthPercent: 30 }));
    const v = one(report, 'DR-08');
    expect(v.severity).toBe(WARNING);
    expect(report.errors.map((e) => e.code)).not.toContain('DR-08');
    expect(v.message).toContain('only panic routing below 30% healthy remains');
  });

  test('maxEjectionPercent 99 passes', () => {
    expect(codes(run(outlier({ maxEjectionPercent: 99 })))).not.toContain('DR-08');
  });

  test('a subset-level outlierDetection is checked and named', () => {
    const report = run(dr({ host: HOST, subsets: [{ name: 'v2', labels: { version: 'v2' }, trafficPolicy: { outlierDetection: { maxEjectionPercent: 100 } } }] }));
    expect(one(report, 'DR-08').message).toContain('subset "v2" trafficPolicy.outlierDetection');
  });

  test('a port-level outlierDetection is checked and named', () => {
    const report = run(dr({ host: HOST, trafficPolicy: { portLevelSettings: [{ port: { number: 8080 }, outlierDetection: { maxEjectionPercent: 100 } }] } }));
    expect(one(report, 'DR-08').message).toContain('trafficPolicy.portLevelSettings[0] (port 8080).outlierDetection');
  });
});

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

  test('a disabled localityLbSetting passes', () => {
    const lb = { localityLbSetting: { enabled: false, failoverPriority: ['topology.kubernetes.io/region'] } };
    expect(codes(run(dr({ host: HOST, trafficPolicy: { loadBalancer: lb } })))).not.toContain('DR-09');
  });
});
