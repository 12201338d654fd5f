import Ajv from 'ajv';
import { ApiObject, Chart, Duration, Testing } from 'cdk8s';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { ArgoRollout } from '../../src/constructs/argo-rollout';
import { CanaryService } from '../../src/constructs/canary-service';
import { Subset } from '../../src/constructs/refs';
import { CanaryStage, ReleaseController } from '../../src/policies/stages';
import { testChart } from '../support/constructs';
import { thrownBy } from '../support/errors';

/** The Argo Rollouts 1.9 CRD schemas (`../shared/argo-rollouts`), to check what is emitted. */
function crdValidator(file: string): (manifest: unknown) => unknown[] {
  const crd = parseAllDocuments(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'shared', 'argo-rollouts', file), 'utf8')).map((d) => d.toJS()).find((d) => d?.kind === 'CustomResourceDefinition');
  const schema = crd.spec.versions.find((v: any) => v.name === 'v1alpha1').schema.openAPIV3Schema;
  const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
  return (manifest) => (validate(manifest) ? [] : validate.errors ?? []);
}
const rolloutErrors = crdValidator('rollout-crd.yaml');
const analysisErrors = crdValidator('analysis-template-crd.yaml');

const HOST = 'payments-api.payments.svc.cluster.local';
/** Seed 001's plan: 10 % gated on the success rate after 5 minutes, 30 % and 60 % for 5 minutes each, then 100 %. */
const PLAN = [
  CanaryStage.analysis(10, { minSuccessRatePercent: 99, maxP99Latency: Duration.millis(500), interval: Duration.minutes(5) }),
  CanaryStage.pause(30, Duration.minutes(5)),
  CanaryStage.pause(60, Duration.minutes(5)),
  CanaryStage.pause(100),
];

function payments(stages = PLAN, maxWeight?: number) {
  const { chart, warnings } = testChart([HOST], new Chart(Testing.app(), 'payments', { namespace: 'payments' }));
  const deployment = new ApiObject(chart, 'deployment', {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'payments-api' },
    spec: { replicas: 5, selector: { matchLabels: { app: 'payments-api' } }, template: { metadata: { labels: { app: 'payments-api' } }, spec: { containers: [{ name: 'api', image: 'payments-api:1.4' }] } } },
  });
  const canary = new CanaryService(chart, 'payments-api', {
    host: HOST, stable: Subset.fromLabels({ app: 'payments-api' }), canary: Subset.fromLabels({ app: 'payments-api' }),
    stages, maxWeight, controller: ReleaseController.argoRollouts(), timeout: Duration.seconds(3),
  });
  return { chart, warnings, deployment, canary };
}

describe('ArgoRollout (Argo Rollouts handoff, subset-level traffic splitting)', () => {
  test('seed 001\'s payments-api: a Rollout over our VirtualService route and subsets, steps from the plan', () => {
    const { chart, warnings, deployment, canary } = payments();
    const rollout = new ArgoRollout(chart, 'rollout', { service: canary, workload: deployment });
    const objects = Testing.synth(chart);
    const r = objects.find((o) => o.kind === 'Rollout');
    expect(rolloutErrors(r)).toEqual([]);
    expect(r.metadata).toEqual({ name: 'payments-api', namespace: 'payments' });
    expect(r.spec.replicas).toBe(5);
    expect(r.spec.selector).toEqual({ matchLabels: { app: 'payments-api' } });
    expect(r.spec.workloadRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'payments-api', scaleDown: 'progressively' });
    expect(r.spec.strategy.canary.trafficRouting).toEqual({
      istio: { virtualService: { name: 'payments-api', routes: ['primary'] }, destinationRule: { name: 'payments-api', stableSubsetName: 'stable', canarySubsetName: 'canary' } },
    });
    expect(r.spec.strategy.canary.steps).toEqual([
      { setWeight: 10 }, { analysis: { templates: [{ templateName: 'payments-api-stage-0' }] } },
      { setWeight: 30 }, { pause: { duration: '300s' } },
      { setWeight: 60 }, { pause: { duration: '300s' } },
    ]);
    // The VirtualService starts at 100 % stable; the controller moves the weights.
    const vs = objects.find((o) => o.kind === 'VirtualService');
    expect(vs.spec.http[0].route.map((d: any) => [d.destination.subset, d.weight])).toEqual([['stable', 100], ['canary', 0]]);
    expect(objects.map((o) => o.kind)).toEqual(['Deployment', 'DestinationRule', 'VirtualService', 'AnalysisTemplate', 'Rollout']);
    expect(rollout.analysisTemplates).toHaveLength(1);
    // Identical subset labels are Argo's design (it adds rollouts-pod-template-hash): DR-04 is suppressed with that reason.
    expect(objects.find((o) => o.kind === 'DestinationRule').metadata.annotations).toEqual({
      'suppress.traffic.cdk8s-istio-traffic.io/DR-04': 'Argo Rollouts adds the rollouts-pod-template-hash label of each ReplicaSet to the stable and canary subsets',
    });
    expect(warnings).toEqual([]);
  });

  test('the gate as an AnalysisTemplate on Istio\'s standard metrics, measured once after the interval', () => {
    const { chart, deployment, canary } = payments();
    new ArgoRollout(chart, 'rollout', { service: canary, workload: deployment, prometheusAddress: 'http://prometheus.monitoring:9090' });
    const t = Testing.synth(chart).find((o) => o.kind === 'AnalysisTemplate');
    expect(analysisErrors(t)).toEqual([]);
    const selector = `reporter="destination",destination_service="${HOST}"`;
    expect(t.spec.metrics).toEqual([
      {
        name: 'success-rate', initialDelay: '300s', failureLimit: 0, successCondition: 'result[0] >= 0.99',
        provider: { prometheus: { address: 'http://prometheus.monitoring:9090', query: `sum(rate(istio_requests_total{${selector},response_code!~"5.."}[300s])) / sum(rate(istio_requests_total{${selector}}[300s]))` } },
      },
      {
        name: 'p99-latency', initialDelay: '300s', failureLimit: 0, successCondition: 'result[0] <= 500',
        provider: { prometheus: { address: 'http://prometheus.monitoring:9090', query: `histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket{${selector}}[300s])) by (le))` } },
      },
    ]);
  });

  test('what Argo CD must ignore so selfHeal does not fight the controller', () => {
    const { chart, deployment, canary } = payments();
    const rollout = new ArgoRollout(chart, 'rollout', { service: canary, workload: deployment });
    expect(rollout.ignoreDifferences).toEqual([
      {
        group: 'networking.istio.io', kind: 'VirtualService', name: 'payments-api', namespace: 'payments',
        jsonPointers: ['/metadata/annotations/argo-rollouts.argoproj.io~1managed-by-rollouts'], jqPathExpressions: ['.spec.http[] | select(.name == "primary") | .route[].weight'],
      },
      {
        group: 'networking.istio.io', kind: 'DestinationRule', name: 'payments-api', namespace: 'payments',
        jsonPointers: ['/metadata/annotations/argo-rollouts.argoproj.io~1managed-by-rollouts'], jqPathExpressions: ['.spec.subsets[].labels["rollouts-pod-template-hash"]'],
      },
      { group: 'apps', kind: 'Deployment', name: 'payments-api', namespace: 'payments', jsonPointers: ['/spec/replicas'] },
    ]);
  });

  test('a plan with a manual pause and a maxWeight below 100 keeps every stage', () => {
    const { chart, deployment, canary } = payments([CanaryStage.pause(20), CanaryStage.analysis(50, { minSuccessRatePercent: 99.5 })], 50);
    new ArgoRollout(chart, 'rollout', { service: canary, workload: deployment, replicas: 2 });
    const r = Testing.synth(chart).find((o) => o.kind === 'Rollout');
    expect(r.spec.replicas).toBe(2);
    expect(r.spec.strategy.canary.steps).toEqual([{ setWeight: 20 }, { pause: {} }, { setWeight: 50 }, { analysis: { templates: [{ templateName: 'payments-api-stage-1' }] } }]);
  });

  test('refused: a canary not handed to Argo Rollouts, a workload that is not a Deployment, a stage chosen by hand', () => {
    const { chart, deployment } = payments();
    const plain = new CanaryService(chart, 'plain', { host: 'plain.payments.svc.cluster.local', stable: Subset.fromLabels({ v: '1' }), canary: Subset.fromLabels({ v: '2' }) });
    expect(thrownBy(() => new ArgoRollout(chart, 'r1', { service: plain, workload: deployment })).message).toContain('is not a CanaryService handed to Argo Rollouts');
    const { chart: c2, canary } = payments();
    const svc = new ApiObject(c2, 'svc', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' } });
    expect(thrownBy(() => new ArgoRollout(c2, 'r2', { service: canary, workload: svc })).message).toContain('is not a Deployment');
    expect(c2.node.tryFindChild('r2')).toBeUndefined();
    const args = { host: HOST, stable: Subset.fromLabels({ app: 'a' }), canary: Subset.fromLabels({ app: 'a' }), controller: ReleaseController.argoRollouts() };
    expect(thrownBy(() => new CanaryService(testChart().chart, 'c', { ...args, stages: PLAN, stage: 1 })).message).toContain('Argo Rollouts chooses the stage');
    expect(thrownBy(() => new CanaryService(testChart().chart, 'c', args)).message).toContain('the plan is what the controller steps through');
    // Without a controller, identical labels stay refused (DR-04: the split would be a lie).
    expect(thrownBy(() => new CanaryService(testChart().chart, 'c', { ...args, controller: undefined })).code).toBe('DR-04');
  });
});

describe('ArgoRollout: one error per construct', () => {
  test('every problem of the props at once, at the construct path; no Rollout or AnalysisTemplate is emitted', () => {
    const { chart, deployment, canary } = payments();
    const e = thrownBy(() => new ArgoRollout(chart, 'rollout', { service: canary, workload: deployment, name: 'Payments', replicas: -1, prometheusAddress: 'prometheus:9090' }));
    expect(e.violations.map((v) => [v.code, v.path, v.message.replace(/ \(.*/, '')])).toEqual([
      ['PROP', 'payments/rollout', 'name "Payments" is not a DNS-1123 subdomain'],
      ['PROP', 'payments/rollout', 'replicas -1 is not a non-negative integer'],
      ['PROP', 'payments/rollout', 'prometheusAddress "prometheus:9090" is not an http(s) URL'],
    ]);
    expect(Testing.synth(chart).filter((o) => o.apiVersion === 'argoproj.io/v1alpha1')).toEqual([]);
  });
});
