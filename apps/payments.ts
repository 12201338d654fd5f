import { ApiObject, Chart, ChartProps, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import {
  ArgoRollout, CallTarget, CanaryService, CanaryStage, EgressLockdown, ExternalDependency, FlaggerCanary, PortProtocol, ReleaseController, RetryPolicy, Subset,
} from '../src';

const API_LABELS = { app: 'payments-api' };

/**
 * Seed 001 ("Istio Traffic Management in Practice"), payments namespace:
 * - `payments-api`, released by Argo Rollouts: the seed's `Rollout` (10 % → 30 % → 60 % with 5-minute pauses and
 *   a success-rate gate, managing the `primary` route of VirtualService `payments-api`), here with subset-level
 *   splitting over the CanaryService's own VirtualService and DestinationRule, and the gate (success ≥ 99 %,
 *   p99 ≤ 500 ms) as an AnalysisTemplate on Istio's metrics;
 * - the external payment gateway `api.pgprovider.example` registered with a ServiceEntry (TLS on 443, DNS
 *   resolution), in the seed's high-security variant: all outbound traffic through the egress gateway ("the single
 *   audit point for external calls"), the namespace locked down to REGISTRY_ONLY, and a NetworkPolicy that lets its
 *   pods out only to Istio's namespace and DNS.
 *
 * Changed from the seed: `exportTo: ['.']` (the library's secure default) keeps the entry private to the
 * payments namespace (and the egress gateway's); the Rollout takes over the Deployment (`workloadRef`) instead of
 * repeating its pod template, and its 5-minute pause before the analysis is the analysis' own 5-minute window.
 */
export class PaymentsChart extends Chart {
  public readonly gateway: ExternalDependency;
  public readonly api: CanaryService;
  public readonly rollout: ArgoRollout;
  public readonly lockdown: EgressLockdown;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'payments', ...props });
    this.gateway = new ExternalDependency(this, 'payment-gateway', {
      name: 'external-payment-gateway',
      hosts: ['api.pgprovider.example'],
      ports: [{ number: 443, name: 'https', protocol: PortProtocol.TLS }],
      egressGateway: {},
    });

    const deployment = new ApiObject(this, 'payments-api-deployment', {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'payments-api' },
      spec: {
        replicas: 5, selector: { matchLabels: API_LABELS },
        template: { metadata: { labels: API_LABELS }, spec: { containers: [{ name: 'api', image: 'registry.example/payments-api:1.4.0', ports: [{ containerPort: 8080 }] }] } },
      },
    });
    new ApiObject(this, 'payments-api-service', {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'payments-api' },
      spec: { selector: API_LABELS, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    });
    this.api = new CanaryService(this, 'payments-api', {
      host: 'payments-api.payments.svc.cluster.local',
      stable: Subset.fromLabels(API_LABELS),
      canary: Subset.fromLabels(API_LABELS),
      controller: ReleaseController.argoRollouts(),
      stages: [
        CanaryStage.analysis(10, { minSuccessRatePercent: 99, maxP99Latency: Duration.millis(500), interval: Duration.minutes(5) }),
        CanaryStage.pause(30, Duration.minutes(5)),
        CanaryStage.pause(60, Duration.minutes(5)),
        CanaryStage.pause(100),
      ],
      timeout: Duration.seconds(3),
      retries: RetryPolicy.idempotent({ attempts: 2, perTryTimeout: Duration.seconds(1) }),
      calls: [CallTarget.of(this.gateway)],
    });
    this.rollout = new ArgoRollout(this, 'payments-api-rollout', { service: this.api, workload: deployment });
    this.lockdown = new EgressLockdown(this, 'lockdown', { networkPolicy: true });
  }
}

/**
 * Seed 001's other release path for `payments-api`: the Flagger `Canary` (interval 1m, threshold 5, steps of 10 up to
 * maxWeight 50, success rate ≥ 99 %, p99 ≤ 500 ms), from the same CanaryService intent. Flagger generates the
 * VirtualService and DestinationRules, so none is emitted here; the rules check the ones it will generate.
 *
 * Changed from the seed: its load-test webhook is left out (it names a tester Service outside the seed); in its own
 * namespace, `payments-flagger`, so that both release paths can be synthesized side by side.
 */
export class PaymentsFlaggerChart extends Chart {
  public readonly api: CanaryService;
  public readonly canary: FlaggerCanary;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'payments-flagger', ...props });
    const deployment = new ApiObject(this, 'payments-api-deployment', {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'payments-api' },
      spec: {
        replicas: 5, selector: { matchLabels: API_LABELS },
        template: { metadata: { labels: API_LABELS }, spec: { containers: [{ name: 'api', image: 'registry.example/payments-api:1.4.0', ports: [{ containerPort: 8080 }] }] } },
      },
    });
    const gate = { minSuccessRatePercent: 99, maxP99Latency: Duration.millis(500), interval: Duration.minutes(1) };
    this.api = new CanaryService(this, 'payments-api', {
      host: 'payments-api.payments-flagger.svc.cluster.local',
      port: 80,
      stable: Subset.fromLabels(API_LABELS),
      canary: Subset.fromLabels(API_LABELS),
      controller: ReleaseController.flagger(),
      stages: [10, 20, 30, 40, 50].map((weight) => CanaryStage.analysis(weight, gate)),
      maxWeight: 50,
      timeout: Duration.seconds(3),
      retries: RetryPolicy.idempotent({ attempts: 2, perTryTimeout: Duration.seconds(1) }),
    });
    this.canary = new FlaggerCanary(this, 'payments-api-canary', { service: this.api, workload: deployment });
  }
}
