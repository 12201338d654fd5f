import { ApiObject, Chart, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { checkKeys, checkOptions, isBuilt, millisOf, propError, Where } from '../core/enforce';
import { collect } from '../core/problems';
import { dnsSubdomainProblem } from '../core/grammar';
import { isRecord } from '../core/json';
import { show } from '../core/text';
import { goSeconds, MetricGate } from '../policies/stages';
import { CanaryService } from './canary-service';
import { asValidationError, metadataFor, withdrawn } from './common';
import { describeRef } from './refs';

/** The Argo Rollouts API version this construct emits. */
const ARGO_API_VERSION = 'argoproj.io/v1alpha1';
/** The label Argo Rollouts adds to each subset (and ReplicaSet) to tell the stable pods from the canary pods. */
const POD_TEMPLATE_HASH = 'rollouts-pod-template-hash';
/** The annotation Argo Rollouts sets on the VirtualService and DestinationRule it manages. */
const MANAGED_BY = 'argo-rollouts.argoproj.io/managed-by-rollouts';

/**
 * One entry of an Argo CD Application's `spec.ignoreDifferences`: fields a controller changes at runtime, which Argo
 * CD must not report as drift or revert with selfHeal.
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/diffing/
 */
export interface IgnoreDifference {
  readonly group: string;
  readonly kind: string;
  readonly name: string;
  /** @default - the Application's destination namespace */
  readonly namespace?: string;
  /** @default - none */
  readonly jsonPointers?: string[];
  /** @default - none */
  readonly jqPathExpressions?: string[];
}

/**
 * Props of {@link ArgoRollout}.
 */
export interface ArgoRolloutProps {
  /** The canary, created with `controller: ReleaseController.argoRollouts()`: its plan becomes the steps. */
  readonly service: CanaryService;
  /**
   * The Deployment whose pods the Rollout takes over (`workloadRef`, Argo's migration path): any construct that
   * renders a `Deployment` (a cdk8s-plus Deployment of any version, or an `ApiObject`). Argo scales it down
   * progressively as the Rollout's pods come up.
   */
  readonly workload: IConstruct;
  /**
   * `metadata.name` of the Rollout.
   * @default - the Deployment's name
   */
  readonly name?: string;
  /**
   * Pods of the Rollout.
   * @default - the Deployment's `spec.replicas`, else 1
   */
  readonly replicas?: number;
  /**
   * Prometheus that holds Istio's standard metrics, queried by the analysis steps.
   * @default 'http://prometheus.istio-system:9090' - Istio's Prometheus add-on
   */
  readonly prometheusAddress?: string;
}

/**
 * The Argo Rollouts handoff of a {@link CanaryService}: a `Rollout` (argoproj.io/v1alpha1) whose canary strategy
 * routes through the service's own VirtualService and DestinationRule (Istio subset-level traffic splitting: the
 * `primary` route, the stable and canary subsets), with one step group per stage of the plan — `setWeight`, then
 * `pause` (timed or manual) or `analysis` — and one `AnalysisTemplate` per analysis stage, checking the gate on
 * Istio's standard metrics in Prometheus (`istio_requests_total` success rate, p99 of
 * `istio_request_duration_milliseconds_bucket`), once over the gate's interval. A last stage at 100 % adds no
 * step: Argo promotes the canary when the steps end.
 *
 * What the controller changes at runtime (the route weights, the subsets' `rollouts-pod-template-hash`, its
 * annotation, the Deployment's replicas) is listed in {@link ArgoRollout.ignoreDifferences} for the Argo CD
 * Application, so selfHeal does not fight the controller (with the `RespectIgnoreDifferences=true` sync option).
 *
 * PROP for a service without Argo Rollouts as its controller, a workload that is not a Deployment, a bad name.
 * @see https://argo-rollouts.readthedocs.io/en/stable/features/traffic-management/istio/
 */
export class ArgoRollout extends Construct {
  /** The emitted Rollout (escape hatch). */
  public readonly rollout: ApiObject;
  /** The emitted AnalysisTemplates, one per analysis stage (escape hatch). */
  public readonly analysisTemplates: ApiObject[] = [];
  /** Entries for the Argo CD Application's `spec.ignoreDifferences`. */
  public readonly ignoreDifferences: IgnoreDifference[];

  constructor(scope: Construct, id: string, props: ArgoRolloutProps) {
    super(scope, id);
    try {
      const path = this.node.path;
      checkOptions(props, { path, prop: 'props' }, 'Pass props: new ArgoRollout(scope, id, { service: canary, workload: deployment }).');
      // Every prop is checked on its own, so one error lists every problem; a check whose input failed is skipped.
      const problems = collect({ path, prop: 'props' });
      problems.check(() => checkKeys(props as unknown as Record<string, unknown>, ['service', 'workload', 'name', 'replicas', 'prometheusAddress'], { path, prop: 'props' }));
      const service = problems.check(() => handedOver(props.service, 'argo-rollouts', path));
      const deployment = problems.check(() => deploymentOf(props.workload, { path, prop: 'workload' }));
      const name = props.name ?? deployment?.name;
      const nameOk = name !== undefined && problems.passes(() => {
        const nameProblem = dnsSubdomainProblem(name);
        if (nameProblem) propError({ path, prop: 'name' }, { value: name, expected: 'a DNS-1123 subdomain', message: `name ${show(name)} ${nameProblem}`, fix: 'Use a name such as "payments-api".' });
      });
      problems.check(() => {
        if (props.replicas !== undefined && (!Number.isInteger(props.replicas) || props.replicas < 0)) {
          propError({ path, prop: 'replicas' }, { value: props.replicas, expected: 'a non-negative integer', fix: 'Set replicas to a whole number of pods.' });
        }
      });
      const prometheus = props.prometheusAddress ?? 'http://prometheus.istio-system:9090';
      const prometheusOk = problems.passes(() => {
        if (typeof prometheus !== 'string' || !/^https?:\/\/[^\s"'`]+$/.test(prometheus)) {
          propError({ path, prop: 'prometheusAddress' }, { value: prometheus, expected: 'an http(s) URL', fix: "Give Prometheus's URL, e.g. 'http://prometheus.istio-system:9090'." });
        }
      });
      const vs = service?.virtualService;
      const dr = service?.destinationRule;
      // Argo Rollouts reads a VirtualService reference "name.namespace": a name with a dot would be cut there.
      if (vs && vs.name.includes('.')) {
        problems.check(() => propError({ path, prop: 'service' }, { value: vs.name, shown: vs.name, expected: 'a VirtualService name without "."', message: `the VirtualService name ${show(vs.name)} contains ".", which Argo Rollouts reads as name.namespace`, fix: 'Name the CanaryService without dots (its name prop).' }));
      }
      let namespace: string | undefined;
      const namespaceOk = service !== undefined && deployment !== undefined && problems.passes(() => (namespace = sameNamespace(service, deployment, path)));
      const stages = service?.stages ?? [];
      const steps: Record<string, unknown>[] = [];
      if (service && namespaceOk && nameOk && prometheusOk) {
        problems.each(stages, (stage, i) => {
          if (stage.weight === 100 && i === stages.length - 1) return; // Argo promotes when the steps end
          steps.push({ setWeight: stage.weight });
          if (stage.gate) {
            const template = new ApiObject(this, `AnalysisTemplate${i}`, {
              apiVersion: ARGO_API_VERSION, kind: 'AnalysisTemplate',
              metadata: metadataFor(this, `${name}-stage-${i}`.slice(0, 253), namespace),
              spec: { metrics: gateMetrics(stage.gate, service.host, prometheus, path) },
            });
            this.analysisTemplates.push(template);
            steps.push({ analysis: { templates: [{ templateName: template.name }] } });
          } else {
            steps.push({ pause: stage.pauseDuration ? { duration: goSeconds(stage.pauseDuration, path, `stages[${i}] pause`) } : {} });
          }
        });
        problems.check(() => metadataFor(this, name, namespace));
      }
      problems.raise();
      this.rollout = new ApiObject(this, 'Resource', {
        apiVersion: ARGO_API_VERSION, kind: 'Rollout',
        metadata: metadataFor(this, name!, namespace),
        spec: Lazy.any({
          produce: () => {
            const spec = deploymentSpec(deployment!);
            return {
              replicas: props.replicas ?? (typeof spec.replicas === 'number' ? spec.replicas : 1),
              ...(isRecord(spec.selector) ? { selector: spec.selector } : {}),
              workloadRef: { apiVersion: deployment!.apiVersion, kind: 'Deployment', name: deployment!.name, scaleDown: 'progressively' },
              strategy: {
                canary: {
                  trafficRouting: {
                    istio: {
                      virtualService: { name: vs!.name, routes: [service!.primaryRouteName] },
                      destinationRule: { name: dr!.name, stableSubsetName: service!.stableSubsetName, canarySubsetName: service!.canarySubsetName },
                    },
                  },
                  steps,
                },
              },
            };
          },
        }),
      });
      // The Rollout comes after the objects it names, the analyses before it.
      this.rollout.node.addDependency(vs!, dr!, ...this.analysisTemplates);
      const managed = [`/metadata/annotations/${MANAGED_BY.replace('/', '~1')}`];
      const ns = namespace !== undefined ? { namespace } : {};
      this.ignoreDifferences = [
        {
          group: 'networking.istio.io', kind: 'VirtualService', name: vs!.name, ...ns, jsonPointers: managed,
          jqPathExpressions: [`.spec.http[] | select(.name == "${service!.primaryRouteName}") | .route[].weight`],
        },
        { group: 'networking.istio.io', kind: 'DestinationRule', name: dr!.name, ...ns, jsonPointers: managed, jqPathExpressions: [`.spec.subsets[].labels["${POD_TEMPLATE_HASH}"]`] },
        { group: 'apps', kind: 'Deployment', name: deployment!.name, ...ns, jsonPointers: ['/spec/replicas'] },
      ];
    } catch (e) {
      throw withdrawn(this, asValidationError(e, this.node.path));
    }
  }
}

/** The Deployment ApiObject of `workload` (PROP when it renders something else). @internal */
export function deploymentOf(workload: IConstruct, where: Where): ApiObject {
  let obj: ApiObject | undefined;
  try {
    obj = Construct.isConstruct(workload) ? (ApiObject.isApiObject(workload) ? workload : ApiObject.of(workload)) : undefined;
  } catch {
    obj = undefined;
  }
  if (!obj || obj.kind !== 'Deployment' || !obj.apiVersion.startsWith('apps/')) {
    return propError(where, {
      value: workload, shown: describeRef(workload), expected: 'a Deployment (apps/v1)',
      message: `${where.prop} ${describeRef(workload)} is not a Deployment`, fix: 'Pass the Deployment whose pods the Rollout takes over (a cdk8s-plus Deployment, or an ApiObject of kind Deployment).',
    });
  }
  return obj;
}

const CONTROLLERS: Record<string, { readonly name: string; readonly factory: string }> = {
  'argo-rollouts': { name: 'Argo Rollouts', factory: 'ReleaseController.argoRollouts()' },
  'flagger': { name: 'Flagger', factory: 'ReleaseController.flagger()' },
};

/**
 * `service` when it is a CanaryService handed to the controller `kind` (`argo-rollouts`, `flagger`); PROP otherwise.
 * @internal
 */
export function handedOver(service: CanaryService, kind: string, path: string): CanaryService {
  const c = CONTROLLERS[kind];
  if (!isBuilt(service, CanaryService) || service.controller?.kind !== kind || (kind === 'flagger' && !service._flaggerObjects)) {
    propError({ path, prop: 'service' }, {
      value: service, shown: describeRef(service), expected: `a CanaryService with controller ${c.factory}`,
      message: `service ${describeRef(service)} is not a CanaryService handed to ${c.name}`, fix: `Create the CanaryService with controller: ${c.factory} and its stages.`,
    });
  }
  return service;
}

/**
 * The namespace of the Deployment, which the handoff object must share (a Rollout's workloadRef and a Canary's
 * targetRef are same-namespace references) and the CanaryService too (Argo and Flagger edit or generate its objects
 * there). PROP when they differ.
 * @internal
 */
export function sameNamespace(service: CanaryService, deployment: ApiObject, path: string): string | undefined {
  const ofDeployment = deployment.metadata.namespace ?? Chart.of(deployment).namespace;
  const ofService = service.namespace ?? Chart.of(service).namespace;
  if (ofDeployment !== ofService) {
    propError({ path, prop: 'workload' }, {
      value: `${ofDeployment ?? '(none)'} / ${ofService ?? '(none)'}`, expected: 'the Deployment and the CanaryService in one namespace',
      message: `the Deployment is in namespace ${show(ofDeployment ?? '(none)')} but the CanaryService in ${show(ofService ?? '(none)')}; the controller's object must sit with the Deployment it takes over and the routes it manages`,
      fix: 'Put the Deployment and the CanaryService in the same namespace (the same Chart, or the same namespace prop).',
    });
  }
  return ofDeployment;
}

/** `spec` of the Deployment's manifest, read at synth (the Deployment may get its containers later). */
function deploymentSpec(deployment: ApiObject): Record<string, unknown> {
  const json = deployment.toJson();
  return isRecord(json) && isRecord(json.spec) ? json.spec : {};
}

/** The gate as Argo Rollouts metrics over Istio's standard metrics, measured once after the gate's interval. */
function gateMetrics(gate: MetricGate, host: string, address: string, path: string): Record<string, unknown>[] {
  const window = gate.interval ? goSeconds(gate.interval, path, 'gate interval') : '60s';
  const selector = `reporter="destination",destination_service="${host}"`;
  const metric = (name: string, query: string, successCondition: string) => ({
    name, initialDelay: window, successCondition, failureLimit: 0, provider: { prometheus: { address, query } },
  });
  return [
    ...(gate.minSuccessRatePercent !== undefined ? [metric(
      'success-rate',
      `sum(rate(istio_requests_total{${selector},response_code!~"5.."}[${window}])) / sum(rate(istio_requests_total{${selector}}[${window}]))`,
      `result[0] >= ${gate.minSuccessRatePercent / 100}`,
    )] : []),
    ...(gate.maxP99Latency !== undefined ? [metric(
      'p99-latency',
      `histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket{${selector}}[${window}])) by (le))`,
      `result[0] <= ${millisOf(gate.maxP99Latency)}`,
    )] : []),
  ];
}
