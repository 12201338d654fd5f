/**
 * A canary's release plan: the weights it goes through, each stage held by a pause or a metric gate. The plan is
 * intent (no Istio field holds it): the construct checks it, and emits the weight of the current stage.
 */
import { Duration } from 'cdk8s';
import { checkOptions, enforce, millisOf, propError, renderDuration } from '../core/enforce';
import { buildValue, collect } from '../core/problems';
import { routeWeightProblem } from '../core/split';
import { show } from '../core/text';

/**
 * The metrics that must hold before a stage is left (what Flagger and Argo Rollouts analyses check).
 */
export interface MetricGate {
  /**
   * Minimum share of non-5xx responses, percent 0-100 (e.g. 99).
   * @default - not checked
   */
  readonly minSuccessRatePercent?: number;
  /**
   * Maximum p99 latency.
   * @default - not checked
   */
  readonly maxP99Latency?: Duration;
  /**
   * How long the metrics are observed.
   * @default - 1 minute
   */
  readonly interval?: Duration;
}

/** One stage of a canary release: the canary's weight, and what holds the stage before the next one. */
export class CanaryStage {
  /**
   * Send `weight` percent (integer 0-100) to the canary, then wait: for `duration`, or until someone promotes
   * the next stage (a manual gate) when no duration is given.
   */
  public static pause(weight: number, duration?: Duration): CanaryStage {
    return buildValue(CanaryStage, () => {
      const where = { path: 'CanaryStage.pause', prop: 'duration' };
      // The weight and the duration on their own: both problems in one error.
      const problems = collect(where);
      const checked = problems.check(() => checkWeight(weight, 'CanaryStage.pause'));
      if (duration !== undefined) problems.check(() => renderDuration(duration, where));
      problems.raise();
      return new CanaryStage(checked!, duration, undefined);
    });
  }

  /** Send `weight` percent (integer 0-100) to the canary, and go on only while `gate`'s metrics hold. */
  public static analysis(weight: number, gate: MetricGate): CanaryStage {
    return buildValue(CanaryStage, () => {
      const path = 'CanaryStage.analysis';
      checkOptions(gate, { path, prop: 'gate' }, 'Pass a gate such as { minSuccessRatePercent: 99, maxP99Latency: Duration.millis(500) }.');
      const rate = gate.minSuccessRatePercent;
      if (rate !== undefined && (typeof rate !== 'number' || !(rate >= 0 && rate <= 100))) {
        propError({ path, prop: 'minSuccessRatePercent' }, { value: rate, expected: 'a percentage 0-100', fix: 'Set minSuccessRatePercent, e.g. 99.' });
      }
      if (gate.maxP99Latency !== undefined) renderDuration(gate.maxP99Latency, { path, prop: 'maxP99Latency' });
      if (gate.interval !== undefined) renderDuration(gate.interval, { path, prop: 'interval' });
      if (rate === undefined && gate.maxP99Latency === undefined) {
        propError({ path, prop: 'gate' }, { value: gate, shown: '{}', expected: 'a success rate or a latency bound', message: 'the gate checks no metric', fix: 'Set minSuccessRatePercent and/or maxP99Latency, or use CanaryStage.pause.' });
      }
      return new CanaryStage(checkWeight(weight, path), undefined, { ...gate });
    });
  }

  /** The canary's weight at this stage, percent. */
  public readonly weight: number;
  /** How long the stage lasts before the next one, for a timed pause. @default - none: a manual pause or an analysis stage */
  public readonly pauseDuration?: Duration;
  /** The metric gate of the stage, for an analysis stage. @default - none: a pause stage */
  public readonly gate?: MetricGate;

  private constructor(weight: number, pauseDuration: Duration | undefined, gate: MetricGate | undefined) {
    this.weight = weight;
    this.pauseDuration = pauseDuration;
    this.gate = gate;
  }

  /** Whether leaving this stage waits for someone or something: a manual pause or a metric gate (not a timer). */
  public get gated(): boolean {
    return this.gate !== undefined || this.pauseDuration === undefined;
  }

  /** `30 % (analysis: success ≥ 99 %, p99 ≤ 500ms)`, `10 % (pause 5m)`, `50 % (manual)` for messages and docs. */
  public describe(): string {
    if (this.gate) {
      const parts = [
        ...(this.gate.minSuccessRatePercent !== undefined ? [`success ≥ ${this.gate.minSuccessRatePercent} %`] : []),
        ...(this.gate.maxP99Latency !== undefined ? [`p99 ≤ ${readable(millisOf(this.gate.maxP99Latency))}`] : []),
      ];
      return `${this.weight} % (analysis: ${parts.join(', ')})`;
    }
    return this.pauseDuration ? `${this.weight} % (pause ${readable(millisOf(this.pauseDuration))})` : `${this.weight} % (manual)`;
  }
}

/** `5m`, `90s`, `1500ms`: milliseconds in the largest unit that divides them (for messages). */
function readable(ms: number): string {
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

function checkWeight(weight: number, path: string): number {
  enforce(routeWeightProblem, [weight, 100], {
    path, prop: 'weight', allowed: 'integer 0-100', message: () => `weight must be an integer 0-100 (received ${show(weight)})`, fix: 'Give the stage a whole percentage 0-100.',
  });
  return weight;
}

/**
 * Checks a stage plan: at least one stage, weights non-decreasing, the last one 100 or the declared maximum,
 * and (unless waived) a gated stage — a metric gate or a manual pause — before the canary first gets 100 %; with
 * `promotes` (a controller promotes to 100 % when the plan ends), a gated stage somewhere in the plan. Returns the
 * problem, or `undefined`.
 */
export function stagePlanProblem(stages: readonly CanaryStage[], maxWeight: number, waiveGates: boolean, promotes = false): string | undefined {
  if (stages.length === 0) return 'has no stage';
  for (let i = 1; i < stages.length; i++) {
    if (stages[i].weight < stages[i - 1].weight) {
      return `goes down from ${stages[i - 1].weight} % (stage ${i - 1}) to ${stages[i].weight} % (stage ${i}); a release only moves forward (roll back by changing the plan)`;
    }
  }
  const last = stages[stages.length - 1].weight;
  if (last !== maxWeight) return `ends at ${last} %, not at ${maxWeight} % (${maxWeight === 100 ? 'the full release' : 'the declared maxWeight'})`;
  if (stages.some((s) => s.weight > maxWeight)) return `goes beyond the declared maxWeight ${maxWeight} %`;
  // A gate must hold some stage before the canary first gets 100 % — or, under a controller that promotes when the
  // plan ends, anywhere in the plan.
  const full = stages.findIndex((s) => s.weight === 100);
  const before = full >= 0 ? stages.slice(0, full) : promotes ? stages : [];
  if (!waiveGates && (full >= 0 || promotes) && !before.some((s) => s.gated)) {
    return full >= 0
      ? 'reaches 100 % without a metric gate or a manual pause before it ("fast to 100" is the most dangerous release)'
      : `is promoted to 100 % by the controller after ${maxWeight} % without a metric gate or a manual pause in it ("fast to 100" is the most dangerous release)`;
  }
  return undefined;
}

/**
 * Who moves a canary through its release plan: this library, one commit per stage (the default), or a
 * progressive-delivery controller that reads the plan from the objects this library emits.
 */
export class ReleaseController {
  /**
   * Argo Rollouts, with Istio subset-level traffic splitting: an `ArgoRollout` construct emits the `Rollout` (the
   * plan becomes its steps) and the controller sets the primary route's weights and adds the
   * `rollouts-pod-template-hash` label to both subsets at runtime. The stable and canary subsets may then select the
   * same labels (the Rollout's pods share one template); the VirtualService starts at 100 % stable.
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/traffic-management/istio/#subset-level-traffic-splitting
   */
  public static argoRollouts(): ReleaseController {
    return new ReleaseController('argo-rollouts');
  }

  /**
   * Flagger: a `FlaggerCanary` construct emits the `Canary` (the plan becomes its `stepWeights` and metric
   * thresholds), and Flagger generates the VirtualService and DestinationRules itself, so this construct emits none
   * (the rules check the ones Flagger will generate, derived from the Canary). Flagger checks one set of metrics at
   * every step, once per interval: the plan's gates must agree, and it has no manual pauses.
   * @see https://docs.flagger.app/tutorials/istio-progressive-delivery
   */
  public static flagger(): ReleaseController {
    return new ReleaseController('flagger');
  }

  private constructor(
    /** `argo-rollouts` or `flagger`. */
    public readonly kind: string,
  ) {}
}

/** Go's longest duration (`time.Duration` is int64 nanoseconds), in whole seconds: what Argo Rollouts and Flagger parse. */
const GO_MAX_SECONDS = 9_223_372_036;

/**
 * `duration` as whole seconds for a Go duration field (`"300s"`), rounded up; PROP past Go's longest duration.
 * @internal
 */
export function goSeconds(duration: Duration, path: string, prop: string): string {
  const seconds = Math.max(1, Math.ceil(millisOf(duration) / 1000));
  if (seconds > GO_MAX_SECONDS) {
    propError({ path, prop }, { value: `${seconds}s`, shown: `${seconds}s`, expected: `at most ${GO_MAX_SECONDS}s`, message: `${prop} of ${seconds}s is longer than a Go duration can hold (${GO_MAX_SECONDS}s), so the controller could not read it`, fix: 'Use a shorter duration.' });
  }
  return `${seconds}s`;
}
