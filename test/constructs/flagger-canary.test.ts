import Ajv from 'ajv';
import { ApiObject, Chart, Duration, Testing } from 'cdk8s';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { CanaryService, CanaryServiceProps } from '../../src/constructs/canary-service';
import { FlaggerCanary } from '../../src/constructs/flagger-canary';
import { Subset } from '../../src/constructs/refs';
import { ResilientBackend } from '../../src/constructs/resilient-backend';
import { HttpMatch } from '../../src/policies/match';
import { RetryPolicy } from '../../src/policies/retry';
import { CanaryStage, ReleaseController } from '../../src/policies/stages';
import { analyze } from '../../src/rules';
import { testChart } from '../support/constructs';
import { thrownBy } from '../support/errors';

const crd = parseAllDocuments(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'shared', 'flagger', 'crd.yaml'), 'utf8')).map((d) => d.toJS())
  .find((d) => d?.spec?.names?.kind === 'Canary');
const validateCanary = new Ajv({ strict: false, allErrors: true }).compile(crd.spec.versions.find((v: any) => v.name === 'v1beta1').schema.openAPIV3Schema);

const HOST = 'payments-api.payments.svc.cluster.local';
const GATE = { minSuccessRatePercent: 99, maxP99Latency: Duration.millis(500), interval: Duration.minutes(1) };
/** Seed 001's Flagger analysis: steps of 10 up to a maxWeight of 50, success rate ≥ 99 %, p99 ≤ 500 ms, every minute. */
const PLAN = [10, 20, 30, 40, 50].map((w) => CanaryStage.analysis(w, GATE));

function payments(props: Partial<CanaryServiceProps> = {}) {
  const { chart, warnings } = testChart(undefined, new Chart(Testing.app(), 'payments', { namespace: 'payments' }));
  const deployment = new ApiObject(chart, 'deployment', {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'payments-api' },
    spec: { selector: { matchLabels: { app: 'payments-api' } }, template: { metadata: { labels: { app: 'payments-api' } }, spec: { containers: [{ name: 'api', image: 'api:1' }] } } },
  });
  const canary = new CanaryService(chart, 'payments-api', {
    host: HOST, port: 80, stable: Subset.fromLabels({ app: 'payments-api' }), canary: Subset.fromLabels({ app: 'payments-api' }),
    stages: PLAN, maxWeight: 50, controller: ReleaseController.flagger(),
    timeout: Duration.seconds(3), retries: RetryPolicy.idempotent({ attempts: 2, perTryTimeout: Duration.seconds(1) }),
    ...props,
  });
  return { chart, warnings, deployment, canary };
}

describe('FlaggerCanary (Flagger handoff)', () => {
  test('seed 001\'s Canary for payments-api, from the same intent; no VirtualService or DestinationRule of ours', () => {
    const { chart, warnings, deployment, canary } = payments();
    new FlaggerCanary(chart, 'flagger', { service: canary, workload: deployment });
    const objects = Testing.synth(chart);
    expect(objects.map((o) => o.kind)).toEqual(['Deployment', 'Canary']);
    const c = objects[1];
    expect(validateCanary(c) ? [] : validateCanary.errors).toEqual([]);
    expect(c.metadata).toEqual({ name: 'payments-api', namespace: 'payments' });
    expect(c.spec.targetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'payments-api' });
    expect(c.spec.service).toEqual({ name: 'payments-api', port: 80, timeout: '3s', retries: { attempts: 2, perTryTimeout: '1s', retryOn: expect.any(String) } });
    expect(c.spec.analysis).toEqual({
      interval: '60s', threshold: 5, stepWeights: [10, 20, 30, 40, 50],
      metrics: [
        { name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '60s' },
        { name: 'request-duration', thresholdRange: { max: 500 }, interval: '60s' },
      ],
    });
    expect(canary.virtualService).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  test('targetPort from the pods\' one container port; Flagger\'s selector labels and apex Service are checked', () => {
    const { chart, canary } = payments();
    const withPort = new ApiObject(chart, 'd2', {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'payments-api-v2' },
      spec: { selector: { matchLabels: { app: 'payments-api' } }, template: { metadata: { labels: { app: 'payments-api' } }, spec: { containers: [{ name: 'api', image: 'api:1', ports: [{ containerPort: 8080 }] }] } } },
    });
    new FlaggerCanary(chart, 'flagger', { service: canary, workload: withPort });
    expect(Testing.synth(chart).find((o) => o.kind === 'Canary').spec.service).toEqual(expect.objectContaining({ port: 80, targetPort: 8080 }));

    const cdk8sPlusLike = payments();
    const bySelectorAddr = new ApiObject(cdk8sPlusLike.chart, 'd3', {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api' },
      spec: { selector: { matchLabels: { 'cdk8s.io/metadata.addr': 'payments-api-c8a1' } }, template: { metadata: { labels: { 'cdk8s.io/metadata.addr': 'payments-api-c8a1' } } } },
    });
    expect(thrownBy(() => new FlaggerCanary(cdk8sPlusLike.chart, 'f', { service: cdk8sPlusLike.canary, workload: bySelectorAddr })).message)
      .toContain('Flagger finds a target\'s pods by the label app, name or app.kubernetes.io/name only');

    const owned = payments();
    new ApiObject(owned.chart, 'svc', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'payments-api' }, spec: { ports: [{ port: 80 }] } });
    expect(thrownBy(() => new FlaggerCanary(owned.chart, 'f', { service: owned.canary, workload: owned.deployment })).message)
      .toContain('which Flagger creates and owns as the apex Service of the Canary');
  });

  test('the rules check the VirtualService Flagger will generate: another one for the host conflicts with it (VS-33)', () => {
    const { chart, deployment, canary } = payments();
    new FlaggerCanary(chart, 'flagger', { service: canary, workload: deployment });
    // A fault for the same host would be overwritten by Flagger: its VirtualService claims the host too.
    new ResilientBackend(chart, 'chaos', { host: HOST, name: 'payments-api-chaos', faultInjection: { match: HttpMatch.header('x-chaos').exact('on'), abort: { httpStatus: 503, percentage: 10 } } });
    const e = thrownBy(() => Testing.synth(chart));
    expect(e.violations.map((v) => v.code)).toContain('VS-33');
  });

  test('lint on a hand-written Canary: its retries and timeout meet the VirtualService rules (VS-19)', () => {
    const canary = {
      apiVersion: 'flagger.app/v1beta1', kind: 'Canary', metadata: { name: 'podinfo', namespace: 'test' },
      spec: {
        targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
        service: { port: 9898, timeout: '1s', retries: { attempts: 3, perTryTimeout: '2s', retryOn: 'gateway-error,connect-failure' } },
        analysis: { interval: '1m', threshold: 5, maxWeight: 50, stepWeight: 10 },
      },
    };
    const report = analyze([{ manifest: canary, path: 'canary.yaml:1' }]);
    const vs19 = report.errors.filter((v) => v.code === 'VS-19');
    expect(vs19).toHaveLength(1);
    expect(vs19[0].path).toBe('canary.yaml:1');
    // Flagger's primary and canary Services are known, so the generated routes raise no missing-host warning.
    expect(report.warnings.filter((v) => v.code === 'VS-15')).toEqual([]);
  });

  test('refused: plans Flagger cannot run, what Flagger would overwrite, a host that is not the apex Service', () => {
    const { chart, deployment } = payments();
    const other = (stages: CanaryStage[], maxWeight?: number) => payments({ stages, maxWeight });
    const make = (c: CanaryService, d: ApiObject, ch: Chart) => () => new FlaggerCanary(ch, 'f', { service: c, workload: d });
    const differ = other([CanaryStage.analysis(10, GATE), CanaryStage.analysis(50, { minSuccessRatePercent: 95 })], 50);
    expect(thrownBy(make(differ.canary, differ.deployment, differ.chart)).message).toContain('the plan\'s gates differ');
    const manual = other([CanaryStage.pause(10), CanaryStage.analysis(50, GATE)], 50);
    expect(thrownBy(make(manual.canary, manual.deployment, manual.chart)).message).toContain('a manual pause, which Flagger cannot hold');
    expect(thrownBy(() => payments({ testMatches: [HttpMatch.header('x-canary').exact('1')] })).message).toContain('testMatches is set, but Flagger generates the VirtualService');
    const plain = new CanaryService(chart, 'plain', { host: 'plain.payments.svc.cluster.local', stable: Subset.fromLabels({ v: '1' }), canary: Subset.fromLabels({ v: '2' }) });
    expect(thrownBy(() => new FlaggerCanary(chart, 'g', { service: plain, workload: deployment })).message).toContain('is not a CanaryService handed to Flagger');
    const ext = payments({ host: 'api.example.com' });
    expect(thrownBy(make(ext.canary, ext.deployment, ext.chart)).message).toContain('is not a Service of the Canary\'s namespace');
    // After the hand-over, routes and subsets cannot be added: Flagger would not carry them.
    const { canary } = payments();
    expect(thrownBy(() => canary.addSubset({ name: 'v3', pods: Subset.fromLabels({ v: '3' }) })).message).toContain('Flagger generates the VirtualService and DestinationRules');
  });
});

describe('FlaggerCanary: one error per construct', () => {
  test('every problem of the props at once, at the construct path; the Canary is not emitted', () => {
    const { chart, deployment, canary } = payments();
    const e = thrownBy(() => new FlaggerCanary(chart, 'flagger', { service: canary, workload: deployment, port: 0, targetPort: 70000, threshold: 0 }));
    expect(e.violations.map((v) => [v.code, v.path, v.message])).toEqual([
      ['X-02', 'payments/flagger', 'port 0 is outside 1-65535'],
      ['PROP', 'payments/flagger', 'threshold 0 is not a positive integer'],
      ['X-02', 'payments/flagger', 'targetPort 70000 is outside 1-65535'],
    ]);
    expect(Testing.synth(chart).filter((o) => o.kind === 'Canary')).toEqual([]);
  });
});
