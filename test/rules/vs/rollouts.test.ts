import { analyze } from '../../../src/rules';
import { dr, vs } from '../../support/rules';

const HOST = 'payments-api.payments.svc.cluster.local';
const rollout = (istio: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'payments-api', namespace: 'payments' },
  spec: {
    selector: { matchLabels: { app: 'payments-api' } }, template: { metadata: { labels: { app: 'payments-api' } } },
    strategy: { canary: { trafficRouting: { istio, ...extra }, steps: [{ setWeight: 10 }] } },
  },
});
const SUBSET_LEVEL = { virtualService: { name: 'payments-api', routes: ['primary'] }, destinationRule: { name: 'payments-api', stableSubsetName: 'stable', canarySubsetName: 'canary' } };
const subsets = dr({ host: HOST, subsets: [{ name: 'stable', labels: { app: 'payments-api' } }, { name: 'canary', labels: { app: 'payments-api' } }] },
  { name: 'payments-api', namespace: 'payments', annotations: { 'suppress.traffic.cdk8s-istio-traffic.io/DR-04': 'Argo Rollouts adds rollouts-pod-template-hash' } });
const routes = (http: unknown[]) => vs({ hosts: [HOST], http }, { name: 'payments-api', namespace: 'payments' });
const PRIMARY = { name: 'primary', route: [{ destination: { host: HOST, subset: 'stable' }, weight: 100 }, { destination: { host: HOST, subset: 'canary' }, weight: 0 }] };
const vs39 = (complete: boolean, ...manifests: unknown[]) => {
  const report = analyze(manifests.map((manifest, i) => ({ manifest, path: `m${i}` })), { complete });
  return { found: [...report.errors, ...report.warnings].filter((v) => v.code === 'VS-39'), notChecked: report.notChecked ?? [] };
};

describe('VS-39 what an Argo Rollout references', () => {
  test('the VirtualService route and the DestinationRule subsets it names, with both destinations: passes', () => {
    expect(vs39(true, rollout(SUBSET_LEVEL), subsets, routes([PRIMARY])).found).toEqual([]);
  });

  test('a VirtualService or DestinationRule not in the input: an error when the input is complete, a note otherwise', () => {
    const { found } = vs39(true, rollout(SUBSET_LEVEL), routes([PRIMARY]));
    expect(found.map((v) => [v.path, v.message])).toEqual([['m0', 'spec.strategy.canary.trafficRouting.istio names DestinationRule "payments/payments-api", which is not in the input']]);
    const partial = vs39(false, rollout(SUBSET_LEVEL));
    expect(partial.found).toEqual([]);
    expect(partial.notChecked).toEqual(['DestinationRule "payments/payments-api" of Rollout "payments/payments-api" (m0)', 'VirtualService "payments/payments-api" of Rollout "payments/payments-api" (m0)']);
  });

  test('"name.namespace" references another namespace', () => {
    const other = { ...SUBSET_LEVEL, virtualService: { name: 'payments-api.edge', routes: ['primary'] } };
    expect(vs39(true, rollout(other), subsets, routes([PRIMARY])).found[0].message).toContain('names VirtualService "edge/payments-api", which is not in the input');
  });

  test('a missing route, a route without the canary, an undefined subset', () => {
    expect(vs39(true, rollout(SUBSET_LEVEL), subsets, routes([{ ...PRIMARY, name: 'main' }])).found[0].message)
      .toBe('VirtualService "payments/payments-api": Rollout "payments/payments-api" names HTTP route "primary", which spec.http does not contain');
    const onlyStable = vs39(true, rollout(SUBSET_LEVEL), subsets, routes([{ name: 'primary', route: [{ destination: { host: HOST, subset: 'stable' } }] }])).found;
    expect(onlyStable.map((v) => v.message)).toEqual([
      expect.stringContaining('has only the destination payments-api.payments.svc.cluster.local/stable; Argo Rollouts needs both the stable and the canary destination'),
      expect.stringContaining('does not route to subset "canary" of the Rollout\'s DestinationRule'),
    ]);
    const noCanary = dr({ host: HOST, subsets: [{ name: 'stable', labels: { app: 'payments-api' } }] }, { name: 'payments-api', namespace: 'payments' });
    expect(vs39(true, rollout(SUBSET_LEVEL), noCanary, routes([PRIMARY])).found.map((v) => v.message)).toEqual([
      'spec.strategy.canary.trafficRouting.istio.destinationRule.canarySubsetName "canary" is not a subset of DestinationRule "payments/payments-api"',
    ]);
  });

  test('host-level splitting without route names needs exactly one route (besides managed routes)', () => {
    const hostLevel = { virtualService: { name: 'payments-api' } };
    const two = routes([{ name: 'a', route: [{ destination: { host: 'stable' } }, { destination: { host: 'canary' } }] }, { name: 'b', route: [{ destination: { host: 'stable' } }] }]);
    expect(vs39(true, rollout(hostLevel), two).found[0].message).toContain('spec.http has 2 routes; without route names');
    expect(vs39(true, rollout(hostLevel, { managedRoutes: [{ name: 'b' }] }), two).found).toEqual([]);
  });
});
