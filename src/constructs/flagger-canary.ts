import { ApiObject, Chart, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { checkKeys, checkOptions, checkPort, millisOf, propError } from '../core/enforce';
import { collect } from '../core/problems';
import { clusterLocal } from '../core/hosts';
import { isRecord } from '../core/json';
import { show } from '../core/text';
import { CanaryStage, goSeconds, MetricGate } from '../policies/stages';
import { Rules } from '../synth/rules';
import { CanaryService } from './canary-service';
import { asValidationError, metadataFor, withdrawn } from './common';
import { deploymentOf, handedOver, sameNamespace } from './argo-rollout';

/**
 * Props of {@link FlaggerCanary}.
 */
export interface FlaggerCanaryProps {
  /** The canary, created with `controller: ReleaseController.flagger()`: its plan, policy and bindings become the Canary. */
  readonly service: CanaryService;
  /** The Deployment Flagger takes over (`targetRef`): a cdk8s-plus Deployment of any version, or an `ApiObject`. */
  readonly workload: IConstruct;
  /**
   * The port of the apex Service Flagger creates (`service.port`).
   * @default - the CanaryService's `port`
   */
  readonly port?: number;
  /**
   * The container port behind the apex Service (`service.targetPort`).
   * @default - the Deployment's container port when its pods declare exactly one, else `port` (Flagger's default)
   */
  readonly targetPort?: number;
  /**
   * Failed metric checks before Flagger rolls back (`analysis.threshold`).
   * @default 5
   */
  readonly threshold?: number;
}

/**
 * The Flagger handoff of a {@link CanaryService}: a `Canary` (flagger.app/v1beta1) from the same intent —
 * `targetRef` the Deployment, `service` with the port, hosts, gateways, `timeout`, `retries` and `trafficPolicy`
 * of the CanaryService, and `analysis` from its plan: `stepWeights` (a last stage at 100 % is the promotion),
 * `interval` (the gates' interval, or the pauses' common duration), `threshold`, and the metrics
 * `request-success-rate` (min, percent) and `request-duration` (max, ms) from the gate.
 *
 * Flagger owns the VirtualService and DestinationRules, so the CanaryService emits none; the rules check the ones
 * Flagger generates, derived from the Canary (retries on writes, timeout budgets, call chains), and any other
 * VirtualService for the host conflicts with Flagger's (VS-33): delegate a fault or extra routes to Flagger's
 * `service.match`/webhooks instead. Flagger checks one set of metrics at every step, once per interval, and has no
 * manual pauses: a plan whose gates differ, with a manual pause before the last stage, or with pauses of another
 * length than the interval is PROP.
 * @see https://docs.flagger.app/usage/how-it-works
 */
export class FlaggerCanary extends Construct {
  /** The emitted Canary (escape hatch). */
  public readonly canary: ApiObject;

  constructor(scope: Construct, id: string, props: FlaggerCanaryProps) {
    super(scope, id);
    try {
      const path = this.node.path;
      checkOptions(props, { path, prop: 'props' }, 'Pass props: new FlaggerCanary(scope, id, { service: canary, workload: deployment }).');
      // Every prop is checked on its own, so one error lists every problem; a check whose input failed is skipped.
      const problems = collect({ path, prop: 'props' });
      problems.check(() => checkKeys(props as unknown as Record<string, unknown>, ['service', 'workload', 'port', 'targetPort', 'threshold'], { path, prop: 'props' }));
      const service = problems.check(() => handedOver(props.service, 'flagger', path));
      const deployment = problems.check(() => deploymentOf(props.workload, { path, prop: 'workload' }));
      const port = props.port ?? service?.port;
      if (props.port !== undefined || service !== undefined) {
        problems.check(() => {
          if (port === undefined) propError({ path, prop: 'port' }, { value: undefined, expected: 'the apex Service port', message: 'port is not set, and the CanaryService has none', fix: 'Set port, e.g. 80: Flagger creates the apex, primary and canary Services on it.' });
          checkPort(port, { path, prop: 'port' });
        });
      }
      const threshold = props.threshold ?? 5;
      problems.check(() => {
        if (!Number.isInteger(threshold) || threshold < 1) propError({ path, prop: 'threshold' }, { value: threshold, expected: 'a positive integer', fix: 'Set threshold to the failed checks that roll back, e.g. 5.' });
      });
      let namespace: string | undefined;
      const namespaceOk = service !== undefined && deployment !== undefined && problems.passes(() => (namespace = sameNamespace(service, deployment, path)));
      // Flagger names the apex Service (and the VirtualService) service.name, and routes to <name>-primary/-canary.
      const local = service && clusterLocal(service.host);
      const apex = local ? local.name : service?.host.split('.')[0];
      const apexOk = service !== undefined && namespaceOk && problems.passes(() => {
        if (!local || (namespace !== undefined && local.namespace !== namespace)) {
          propError({ path, prop: 'service' }, {
            value: service.host, shown: service.host, expected: `<name>.${namespace ?? '<namespace>'}.svc.cluster.local`,
            message: `host ${show(service.host)} is not a Service of the Canary's namespace, which Flagger creates as ${show(apex)}`, fix: 'Give the CanaryService the host of the apex Service, e.g. "payments-api.payments.svc.cluster.local".',
          });
        }
      });
      if (props.targetPort !== undefined) problems.check(() => checkPort(props.targetPort!, { path, prop: 'targetPort' }));
      if (apexOk) problems.check(() => checkFlaggerTarget(this, deployment!, apex!, namespace, path));
      const analysis = service === undefined ? undefined : problems.check(() => planAnalysis(service.stages ?? [], path));
      if (apexOk) problems.check(() => metadataFor(this, apex!, namespace));
      problems.raise();
      const objects = service!._flaggerObjects!;
      this.canary = new ApiObject(this, 'Resource', {
        apiVersion: 'flagger.app/v1beta1', kind: 'Canary',
        metadata: metadataFor(this, apex!, namespace),
        spec: {
          targetRef: { apiVersion: deployment!.apiVersion, kind: 'Deployment', name: deployment!.name },
          service: Lazy.any({
            produce: () => {
              const targetPort = props.targetPort ?? containerPortOf(deployment!);
              return { name: apex, port, ...(targetPort !== undefined && targetPort !== port ? { targetPort } : {}), ...serviceOf(objects, service!.host) };
            },
          }),
          analysis: { ...analysis, threshold },
        },
      });
      this.canary.node.addDependency(deployment!);
      Rules.of(this).recordIntent(this.canary, { owner: service!.node.path, calls: objects.calls, entryPoint: objects.entryPoint });
    } catch (e) {
      throw withdrawn(this, asValidationError(e, this.node.path));
    }
  }
}

/** Labels Flagger's default `-selector-labels` finds a Deployment's pods by. */
const FLAGGER_SELECTOR_LABELS = ['app', 'name', 'app.kubernetes.io/name'];

/**
 * What Flagger needs of its target and owns around it: a selector with one of its selector labels (cdk8s-plus selects
 * by `cdk8s.io/metadata.addr` alone), and the apex Service, which Flagger creates — an App Service of that name would
 * be rewritten by Flagger and reverted by Argo CD. PROP for either; a Deployment that cannot be rendered yet is not
 * checked.
 */
function checkFlaggerTarget(scope: Construct, deployment: ApiObject, apex: string, namespace: string | undefined, path: string): void {
  let selector: unknown;
  try {
    selector = (deployment.toJson() as any)?.spec?.selector?.matchLabels;
  } catch {
    selector = undefined;
  }
  if (isRecord(selector) && !FLAGGER_SELECTOR_LABELS.some((l) => typeof selector[l] === 'string')) {
    propError({ path, prop: 'workload' }, {
      value: Object.keys(selector).join(','), expected: `a selector label ${FLAGGER_SELECTOR_LABELS.join(', ')}`,
      message: `the Deployment selects its pods by ${Object.keys(selector).map((k) => show(k)).join(', ')}, and Flagger finds a target's pods by the label app, name or app.kubernetes.io/name only`,
      fix: `Select the pods by app: "${apex}" (cdk8s-plus: deployment.select(LabelSelector.of({ labels: { app: '${apex}' } })) with podMetadata labels), or run Flagger with -selector-labels.`,
    });
  }
  const own = scope.node.root.node.findAll().find((c): c is ApiObject => ApiObject.isApiObject(c) && c.kind === 'Service' && c.apiVersion === 'v1'
    && c.name === apex && (c.metadata.namespace ?? Chart.of(c).namespace) === namespace);
  if (own) {
    propError({ path, prop: 'service' }, {
      value: own.node.path, shown: own.node.path, expected: 'no Service named like the apex',
      message: `the App has a Service ${show(apex)} (${own.node.path}), which Flagger creates and owns as the apex Service of the Canary: it would rewrite its selector and ports, and Argo CD would revert them`,
      fix: 'Leave the apex Service to Flagger (give the CanaryService its host instead of the Service construct), or name the Canary after another Service.',
    });
  }
}

/** The one container port the Deployment's pods declare, or undefined. */
function containerPortOf(deployment: ApiObject): number | undefined {
  const json = deployment.toJson() as any;
  const containers = Array.isArray(json?.spec?.template?.spec?.containers) ? json.spec.template.spec.containers : [];
  const ports = new Set<number>();
  for (const c of containers) for (const p of Array.isArray(c?.ports) ? c.ports : []) if (typeof p?.containerPort === 'number') ports.add(p.containerPort);
  return ports.size === 1 ? [...ports][0] : undefined;
}

/** `service` fields of the Canary from the VirtualService and DestinationRule the CanaryService would have emitted. */
function serviceOf(objects: NonNullable<CanaryService['_flaggerObjects']>, host: string): Record<string, unknown> {
  const vs = objects.virtualService?.toJson()?.spec ?? {};
  const dr = objects.destinationRule?.toJson()?.spec ?? {};
  const primary = Array.isArray(vs.http) ? vs.http[vs.http.length - 1] : undefined;
  const hosts = (Array.isArray(vs.hosts) ? vs.hosts : []).filter((h: string) => h !== host);
  const out: Record<string, unknown> = {
    ...(hosts.length > 0 ? { hosts } : {}),
    ...(Array.isArray(vs.gateways) ? { gateways: vs.gateways } : {}),
    ...(isRecord(dr.trafficPolicy) ? { trafficPolicy: dr.trafficPolicy } : {}),
  };
  for (const key of ['timeout', 'retries', 'headers', 'corsPolicy']) if (isRecord(primary) && primary[key] !== undefined) out[key] = primary[key];
  return out;
}

/** The Canary's `analysis` from the plan (PROP for what Flagger cannot run). */
function planAnalysis(stages: readonly CanaryStage[], path: string): Record<string, unknown> {
  const steps = stages[stages.length - 1]?.weight === 100 ? stages.slice(0, -1) : stages;
  const gates = steps.filter((s) => s.gate).map((s) => s.gate!);
  const key = (g: MetricGate) => JSON.stringify([g.minSuccessRatePercent, g.maxP99Latency ? millisOf(g.maxP99Latency) : undefined, g.interval ? millisOf(g.interval) : 60_000]);
  const fail = (message: string, fix: string) => propError({ path, prop: 'service' }, { value: stages.map((s) => s.describe()).join(' → '), expected: 'a plan Flagger can run', message, fix });
  if (steps.length === 0) fail('the plan has no stage below 100 %, so Flagger would have no step weight', 'Add stages below 100 %, e.g. CanaryStage.analysis(10, …), CanaryStage.analysis(50, …).');
  if (new Set(gates.map(key)).size > 1) fail('the plan\'s gates differ, but Flagger checks one set of metrics at every step', 'Give every analysis stage the same gate.');
  if (steps.some((s) => !s.gate && !s.pauseDuration)) fail('the plan has a manual pause, which Flagger cannot hold (it advances while the metrics hold)', 'Use CanaryStage.analysis(…) stages, or Argo Rollouts (ReleaseController.argoRollouts()) for manual gates.');
  const gate = gates[0];
  const intervalMs = gate ? (gate.interval ? millisOf(gate.interval) : 60_000) : millisOf(steps[0].pauseDuration!);
  if (steps.some((s) => !s.gate && millisOf(s.pauseDuration!) !== intervalMs)) {
    fail(`the plan's pauses are not all ${intervalMs}ms long, but every Flagger step lasts one interval`, 'Give the pauses the length of the gate\'s interval.');
  }
  // Flagger's next step is the first weight above the current one: a repeated or zero weight stalls the canary.
  if (steps.some((s, i) => s.weight <= (i === 0 ? 0 : steps[i - 1].weight))) {
    fail('the plan repeats a weight or starts at 0 %, and Flagger never advances past such a step', 'Give every stage below 100 % a larger weight than the one before, starting above 0.');
  }
  const interval = gate?.interval ? goSeconds(gate.interval, path, 'gate interval') : gate ? '60s' : goSeconds(steps[0].pauseDuration!, path, 'pause');
  return {
    interval,
    stepWeights: steps.map((s) => s.weight),
    metrics: [
      ...(gate?.minSuccessRatePercent !== undefined ? [{ name: 'request-success-rate', thresholdRange: { min: gate.minSuccessRatePercent }, interval }] : []),
      ...(gate?.maxP99Latency !== undefined ? [{ name: 'request-duration', thresholdRange: { max: millisOf(gate.maxP99Latency) }, interval }] : []),
    ],
  };
}
