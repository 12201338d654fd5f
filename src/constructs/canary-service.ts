import { Duration } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { checkHost, checkList, enforce, isBuilt, propError, readOptions } from '../core/enforce';
import { collect, Problems, raiseInvalid } from '../core/problems';
import { mirrorPercentageProblem, routeWeightProblem } from '../core/split';
import { subsetNameProblem, subsetNameRepeatProblem, subsetsOverlapProblem } from '../core/subsets';
import { show } from '../core/text';
import { Rules } from '../synth/rules';
import { HttpMatch } from '../policies/match';
import { RetryPolicy } from '../policies/retry';
import { CanaryStage, ReleaseController, stagePlanProblem } from '../policies/stages';
import { TrafficPolicyProps } from '../policies/traffic-policy';

import { CallerProps, renderResilience, routeName, RouteProps, pathUnder, withdrawn, asValidationError } from './common';
import { Destination } from './destination';
import { RoutingApi, RoutingApiProps } from './gateway-api';
import { HostTraffic, HostTrafficProps } from './host-traffic';
import { resolveSubsetLabels, Subset } from './refs';

/**
 * Props of {@link CanaryService}.
 */
export interface CanaryServiceProps extends RouteProps, TrafficPolicyProps, CallerProps, RoutingApiProps {
  /**
   * The service host as a hostname (prefer the FQDN, e.g. `reviews.bookinfo.svc.cluster.local`). Set either
   * `host` or `service`.
   * @default - derived from `service`
   * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#DestinationRule
   */
  readonly host?: string;
  /**
   * The Kubernetes Service of the host: a cdk8s-plus `Service` (any version) or an `ApiObject` of kind Service;
   * the host is its `name.namespace.svc.cluster.local` (namespace from the Service, else its Chart). Set either
   * `host` or `service`.
   * @default - the host is `host`
   */
  readonly service?: IConstruct;
  /**
   * Pods of the stable version: `Subset.fromLabels({ … })`, or `Subset.fromWorkload(deployment)` (its pod
   * template labels, without `cdk8s.io/` ones). Must select at least one label (DR-03).
   * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#Subset
   */
  readonly stable: Subset;
  /** Pods of the canary version, as for `stable`; neither label set may contain the other (DR-04). */
  readonly canary: Subset;
  /**
   * Percentage (integer 0-100) of normal traffic sent to the canary; the stable subset gets the rest.
   * @default 0
   * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRouteDestination
   */
  readonly canaryWeight?: number;
  /**
   * The release plan: the canary's weight at each stage (`CanaryStage.pause(10, Duration.minutes(5))`,
   * `CanaryStage.analysis(30, { minSuccessRatePercent: 99 })`, …), checked: weights 0-100, non-decreasing, ending at
   * 100 (or `maxWeight`), with a metric gate or a manual pause before 100 % unless `waiveGates`. The VirtualService
   * carries the weight of the current stage (`stage`). Exclusive with `canaryWeight`.
   * @default - no plan: `canaryWeight`
   */
  readonly stages?: CanaryStage[];
  /**
   * Index (from 0) of the current stage of `stages`, so each promotion is one commit, every stage validated.
   * @default - the environment variable CDK8S_CANARY_STAGE (an ArgoCD plugin parameter can set it), else 0
   */
  readonly stage?: number;
  /**
   * The weight the plan ends at when the release stops short of 100 % (a long-running split).
   * @default 100
   */
  readonly maxWeight?: number;
  /**
   * Allow a plan that reaches 100 % without a metric gate or a manual pause.
   * @default false
   */
  readonly waiveGates?: boolean;
  /**
   * Who moves the canary through `stages`: this library, at the `stage` chosen at synth (the default), or
   * `ReleaseController.argoRollouts()` — the plan becomes an Argo Rollouts `Rollout` (see `ArgoRollout`), the
   * VirtualService starts at 100 % stable and the controller sets the weights — or `ReleaseController.flagger()` —
   * the plan becomes a Flagger `Canary` (see `FlaggerCanary`) and this construct emits no VirtualService or
   * DestinationRule (Flagger generates them; `testMatches` and `mirrorPercentage` are refused). With a controller,
   * `stages` is required and `stage` is refused (the controller chooses it).
   * @default - no controller: the weight of the current stage (or `canaryWeight`) is emitted
   */
  readonly controller?: ReleaseController;
  /**
   * Subset name of the stable version (a DNS label).
   * @default 'stable'
   */
  readonly stableSubsetName?: string;
  /**
   * Subset name of the canary version (a DNS label).
   * @default 'canary'
   */
  readonly canarySubsetName?: string;
  /**
   * Requests that always go to the canary (OR of the matches), e.g. a QA header or cookie. Emitted as one
   * route placed before the weighted split.
   * @default - no test route
   * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPMatchRequest
   */
  readonly testMatches?: HttpMatch[];
  /**
   * Overall deadline of the test route, when it differs from `timeout` (seed 000: the test route 15s, the primary 10s).
   * @default - `timeout`
   */
  readonly testTimeout?: Duration;
  /**
   * Retry policy of the test route, when it differs from `retries`.
   * @default - `retries`
   */
  readonly testRetries?: RetryPolicy;
  /**
   * Name of the test route.
   * @default 'canary-testing'
   */
  readonly testRouteName?: string;
  /**
   * Name of the weighted catch-all route (the one Argo Rollouts manages).
   * @default 'primary'
   */
  readonly primaryRouteName?: string;
  /**
   * Mirror this percentage (0-100) of the primary route's live traffic to the canary; responses are
   * discarded; 0 emits no mirror. Mirroring without a method constraint mirrors writes too (VS-25 warning).
   * @default - no mirroring
   * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRoute
   */
  readonly mirrorPercentage?: number;
  /**
   * Gateways the VirtualService binds to: `'mesh'` (sidecars), ingress gateways as `namespace/name`, or both.
   * Without `'mesh'`, `hosts` gives the hosts served there and the service host is not listed.
   * @default - the mesh only
   * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#VirtualService
   */
  readonly gateways?: string[];
  /**
   * Further hosts the VirtualService answers for, e.g. the public hostname served by an ingress gateway.
   * @default - only `host`
   */
  readonly hosts?: string[];
  /**
   * Destination port, needed when the Service exposes several ports.
   * @default - the Service's only port
   */
  readonly port?: number;
  /**
   * Namespaces that see the VirtualService and the DestinationRule: `'.'`, `'*'` or namespace names.
   * @default - every namespace (Istio's default)
   */
  readonly exportTo?: string[];
}

/**
 * One service host, two versions, released by traffic rather than by deployment.
 *
 * Emits, in apply order:
 * - a `DestinationRule` with the stable and canary subsets (and any traffic policy), so the subsets exist
 *   before anything routes to them;
 * - a `VirtualService` with an optional test route (`canary-testing`: matching requests go to the canary),
 *   then the weighted catch-all route (`primary`: stable `100 - canaryWeight`, canary `canaryWeight`, both
 *   always listed so Argo Rollouts can manage the weights), with optional mirroring to the canary.
 *   `timeout` and `retries` apply to both routes; `testTimeout` / `testRetries` override them on the test route.
 *
 * A {@link HostTraffic} preset: more versions with `addSubset`, routes with their own policy (a test route with
 * its own retries, a fault for test traffic, a route to any version) with `addHttpRoute`, placed before the
 * primary route — so a canary and a chaos test share one VirtualService and one DestinationRule.
 *
 * Invalid props raise one IstioValidationError listing every problem, each naming this construct's path (see the
 * rule reference for the codes).
 */
export class CanaryService extends HostTraffic {
  /** The environment variable that chooses the current stage of a release plan when `stage` is not given. */
  public static readonly STAGE_ENV: string = 'CDK8S_CANARY_STAGE';

  /** Name of the stable subset. */
  public readonly stableSubsetName: string;
  /** Name of the canary subset. */
  public readonly canarySubsetName: string;
  /** The current stage of the release plan, when `stages` is given. @default - undefined: no `stages` */
  public readonly currentStage?: CanaryStage;
  /** Index (from 0) of the current stage, when `stages` is given. @default - undefined: no `stages` */
  public readonly stageIndex?: number;
  /** The release plan, when `stages` is given. @default - undefined: no `stages` */
  public readonly stages?: CanaryStage[];
  /** Name of the weighted route (`primary` unless `primaryRouteName`). */
  public readonly primaryRouteName: string;
  /** The controller that moves the canary through its plan, when one is set. @default - undefined: no `controller` */
  public readonly controller?: ReleaseController;
  /**
   * With Flagger: the objects this construct would emit, rendered on demand for the Canary.
   * @internal
   */
  public readonly _flaggerObjects?: ReturnType<HostTraffic["_handOver"]>;

  /** @internal */
  public static readonly _collectsProblems: boolean = true;

  constructor(scope: Construct, id: string, props: CanaryServiceProps) {
    props = readOptions(props, { path: pathUnder(scope, id), prop: 'props' }, 'Pass props: new CanaryService(scope, id, { host, stable, canary, canaryWeight }).');
    super(scope, id, { ...props, timeout: undefined, retries: undefined } as HostTrafficProps);
    // HostTraffic's problems and these are raised together, at the end; a check whose input failed is skipped.
    const problems = this._problems;
    try {
      const path = this.node.path;
      // HostTraffic takes wildcard hosts (external egress routing); a service with versions or a circuit breaker is one host.
      if (this.host !== undefined) problems.check(() => checkHost(this.host, { path, prop: 'host' }));
      // The stages are values built before this constructor ran: their own problems are listed first.
      const stages = props.stages === undefined ? undefined : problems.check(() => checkStages(props.stages!, path));
      const stableName = problems.check(() => subsetName(props.stableSubsetName ?? 'stable', 'stableSubsetName', path));
      const canaryName = problems.check(() => subsetName(props.canarySubsetName ?? 'canary', 'canarySubsetName', path));
      this.stableSubsetName = stableName!;
      this.canarySubsetName = canaryName!;
      if (stableName !== undefined && canaryName !== undefined) {
        problems.check(() => enforce(subsetNameRepeatProblem, [canaryName, new Map([[stableName, 0]])], {
          path, prop: 'canarySubsetName', message: () => `stable and canary subsets are both named "${canaryName}"`, fix: 'Give the two subsets different names.',
        }));
      }
      const stableLabels = problems.check(() => resolveSubsetLabels(props.stable, this, 'stable'));
      const canaryLabels = problems.check(() => resolveSubsetLabels(props.canary, this, 'canary'));
      const controllerOk = problems.passes(() => {
        if (props.controller !== undefined && !isBuilt(props.controller, ReleaseController)) {
          propError({ path, prop: 'controller' }, { value: props.controller, expected: 'a ReleaseController', fix: 'Use ReleaseController.argoRollouts(), or leave controller out.' });
        }
      });
      const controller = controllerOk ? props.controller : undefined;
      this.controller = controller;
      if (controller && this.routingApi === RoutingApi.GATEWAY_API) {
        problems.check(() => propError({ path, prop: 'controller' }, { value: controller.kind, expected: 'no controller under the Gateway API', message: `controller ${controller.kind} is set, but its plan is written for Istio's VirtualService subsets and the routes are written in the Gateway API`, fix: 'Release with stages and no controller (each stage one commit), or keep routingApi: RoutingApi.ISTIO.' }));
      }
      const argo = controller?.kind === 'argo-rollouts';
      const flagger = controller?.kind === 'flagger';
      const controllerName = argo ? 'Argo Rollouts' : 'Flagger';
      if (controller && props.stages === undefined) {
        problems.check(() => propError({ path, prop: 'stages' }, { value: undefined, expected: 'a release plan', message: `controller ${controllerName} is set but stages is not: the plan is what the controller steps through`, fix: 'Declare stages, e.g. [CanaryStage.analysis(10, { minSuccessRatePercent: 99 }), CanaryStage.analysis(50, { minSuccessRatePercent: 99 }), CanaryStage.pause(100)].' }));
      }
      if (controller && props.stage !== undefined) {
        problems.check(() => propError({ path, prop: 'stage' }, { value: props.stage, expected: 'no stage', message: `stage is set but ${controllerName} chooses the stage`, fix: argo ? 'Leave stage out; promote or abort with kubectl argo rollouts.' : 'Leave stage out; Flagger advances while the metrics hold.' }));
      }
      if (flagger) {
        for (const [prop, what] of [['testMatches', 'header route to the canary (Flagger routes matches in A/B mode only)'], ['mirrorPercentage', 'mirroring of live traffic (Flagger mirrors only in blue/green mode)']] as const) {
          if (props[prop] !== undefined) problems.check(() => propError({ path, prop }, { value: props[prop], expected: 'nothing Flagger would overwrite', message: `${prop} is set, but Flagger generates the VirtualService, which has no ${what}`, fix: `Leave ${prop} out with Flagger, or release without a controller (or with Argo Rollouts) to keep it.` }));
        }
      }
      // Both subsets are always destinations of the primary route, so overlapping labels make its split a lie (DR-04),
      // unless Argo Rollouts tells them apart with the rollouts-pod-template-hash label it adds to each.
      if (!props.controller && stableLabels !== undefined && canaryLabels !== undefined) {
        problems.check(() => enforce(subsetsOverlapProblem, [stableLabels, canaryLabels], {
          path, prop: 'canary', value: `${JSON.stringify(stableLabels)} / ${JSON.stringify(canaryLabels)}`,
          message: (problem) => `stable and canary ${problem}`,
          fix: "Give each version a label the other does not match, e.g. version: 'v1' and version: 'v2'.",
        }));
      }
      const staged = props.stages === undefined ? undefined : checkPlan(props, stages, path, problems);
      this.currentStage = staged?.current;
      this.stageIndex = staged?.index;
      if (props.stages === undefined || staged !== undefined) {
        const weight = props.controller ? 0 : staged ? staged.current.weight : props.canaryWeight ?? 0;
        // The stable subset gets 100 - canaryWeight: VS-11's weight check, bounded so neither weight is negative.
        problems.check(() => enforce(routeWeightProblem, [weight, 100], {
          path, prop: 'canaryWeight', allowed: 'integer 0-100',
          message: () => `canaryWeight must be an integer 0-100 (received ${show(weight)})`, fix: 'Set canaryWeight to an integer 0-100.',
        }));
      }
      problems.check(() => renderResilience(props, path));
      problems.check(() => renderResilience({ timeout: props.testTimeout, retries: props.testRetries }, path, { timeout: 'testTimeout', retries: 'testRetries' }));
      const testRouteName = problems.check(() => routeName(props.testRouteName, 'canary-testing', 'testRouteName', path));
      const primaryRouteName = problems.check(() => routeName(props.primaryRouteName, 'primary', 'primaryRouteName', path));
      this.primaryRouteName = primaryRouteName!;
      const mirror = props.mirrorPercentage === undefined ? undefined : problems.check(() => checkMirrorPercentage(props.mirrorPercentage!, path));
      const testMatches = problems.check(() => checkList(props.testMatches ?? [], 'testMatches', path));
      if (testMatches) {
        problems.each(testMatches, (m, i) => {
          raiseInvalid(m, { path, prop: `testMatches[${i}]` });
          if (!isBuilt(m, HttpMatch)) propError({ path, prop: `testMatches[${i}]` }, { value: m, expected: 'an HttpMatch', fix: "Build matches with HttpMatch, e.g. HttpMatch.header('x-canary-test').exact('true')." });
        });
      }
      this.stages = staged ? stages : undefined;
      // The subsets and routes are built from the props checked above: with a problem there is nothing more to learn.
      if (problems.ok) {
        const weight = props.controller ? 0 : staged ? staged.current.weight : props.canaryWeight ?? 0;
        this.addSubset({ name: this.stableSubsetName, pods: Subset.fromLabels(stableLabels!) });
        this.addSubset({ name: this.canarySubsetName, pods: Subset.fromLabels(canaryLabels!) });
        const resilience = { timeout: props.timeout, retries: props.retries };
        this.addHttpRoute({
          name: this.primaryRouteName,
          route: [Destination.subset(this.stableSubsetName, { weight: 100 - weight }), Destination.subset(this.canarySubsetName, { weight })],
          ...resilience,
          ...(mirror !== undefined && mirror > 0 ? { mirror: Destination.subset(this.canarySubsetName), mirrorPercentage: mirror } : {}),
        });
        if (testMatches!.length > 0) {
          this.addHttpRoute({
            name: testRouteName, match: [...testMatches!], route: [Destination.subset(this.canarySubsetName)],
            timeout: props.testTimeout ?? props.timeout, retries: props.testRetries ?? props.retries,
          });
        }
        if (argo && subsetsOverlapProblem(stableLabels!, canaryLabels!) !== undefined) {
          Rules.suppress(this.destinationRule!, subsetsOverlapProblem.code, 'Argo Rollouts adds the rollouts-pod-template-hash label of each ReplicaSet to the stable and canary subsets');
        }
        if (flagger) {
          this._flaggerObjects = this._handOver('Flagger generates the VirtualService and DestinationRules from the Canary (FlaggerCanary)');
        }
      }
      problems.raise();
    } catch (e) {
      throw withdrawn(this, asValidationError(e, this.node.path));
    }
  }
}

function subsetName(name: string, prop: string, path: string): string {
  enforce(subsetNameProblem, [name], { path, prop, allowed: 'DNS-1123 label', message: (problem) => `${prop} ${show(name)} ${problem}`, fix: `Use a name such as "v2" or "canary".` });
  return name;
}

/** A mirror percentage: a number (PROP otherwise) within 0-100 (VS-24's check). */
function checkMirrorPercentage(value: number, path: string): number {
  const prop = 'mirrorPercentage';
  const fix = 'Set mirrorPercentage to a number between 0 and 100.';
  if (typeof value !== 'number') propError({ path, prop }, { value, expected: 'a number', fix });
  enforce(mirrorPercentageProblem, [value], { path, prop, allowed: '0-100', message: () => `${prop} must be a percentage 0-100 (received ${show(value)})`, fix });
  return value;
}

/** The stages of a release plan: a list of CanaryStages, each checked on its own (an invalid one re-pathed here). */
function checkStages(list: CanaryStage[], path: string): CanaryStage[] {
  const stages = checkList(list, 'stages', path);
  const problems = collect({ path, prop: 'stages' });
  problems.each(stages, (st, i) => {
    raiseInvalid(st, { path, prop: `stages[${i}]` });
    if (!isBuilt(st, CanaryStage)) propError({ path, prop: `stages[${i}]` }, { value: st, expected: 'a CanaryStage', fix: 'Use CanaryStage.pause(…) or CanaryStage.analysis(…).' });
  });
  problems.raise();
  return [...stages];
}

/**
 * Checks the release plan (`stages` as checked by {@link checkStages}, `undefined` when they failed) and picks the
 * current stage; the problems go to `problems`, `undefined` is returned when there is one.
 */
function checkPlan(props: CanaryServiceProps, stages: CanaryStage[] | undefined, path: string, problems: Problems): { current: CanaryStage; index: number } | undefined {
  if (props.canaryWeight !== undefined) {
    problems.check(() => propError({ path, prop: 'canaryWeight' }, { value: props.canaryWeight, expected: 'canaryWeight or stages', message: 'canaryWeight and stages are both set', fix: 'Leave canaryWeight out: the current stage gives the weight.' }));
  }
  const maxWeight = props.maxWeight ?? 100;
  const maxOk = problems.passes(() => enforce(routeWeightProblem, [maxWeight, 100], { path, prop: 'maxWeight', allowed: 'integer 0-100', message: () => `maxWeight must be an integer 0-100 (received ${show(maxWeight)})`, fix: 'Set maxWeight to a whole percentage.' }));
  if (stages === undefined || !maxOk) return undefined;
  const planOk = problems.passes(() => {
    const problem = stagePlanProblem(stages, maxWeight, props.waiveGates === true, props.controller !== undefined);
    if (problem) {
      propError({ path, prop: 'stages' }, {
        value: stages.map((st) => st.weight).join(' → '), expected: 'non-decreasing weights ending at maxWeight, gated before 100 %',
        message: `the release plan ${stages.map((st) => st.describe()).join(' → ')} ${problem}`,
        fix: 'Order the stages by weight, end at 100 (or set maxWeight), and hold one stage with CanaryStage.analysis(…) or a manual CanaryStage.pause(weight) before 100.',
      });
    }
  });
  // The stage is chosen from a plan that holds (at least one stage).
  if (!planOk) return undefined;
  return problems.check(() => {
    // Under a controller the stage is the controller's: the App-wide variable is for the statically staged canaries.
    const env = props.controller === undefined ? process.env[CanaryService.STAGE_ENV] : undefined;
    const raw: unknown = props.stage ?? (env !== undefined && env !== '' ? Number(env) : 0);
    const from = props.stage !== undefined ? 'stage' : env ? `${CanaryService.STAGE_ENV}=${env}` : 'stage';
    if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0 || raw >= stages.length) {
      propError({ path, prop: 'stage' }, {
        value: props.stage ?? env, expected: `a stage index 0-${stages.length - 1}`, message: `${from} is not a stage of the plan (0-${stages.length - 1})`,
        fix: `Choose the current stage: 0 for ${stages[0].describe()}, ${stages.length - 1} for ${stages[stages.length - 1].describe()}.`,
      });
    }
    return { current: stages[raw as number], index: raw as number };
  });
}
