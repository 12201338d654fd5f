/**
 * Progressive delivery: CanaryService release plans (`stages`, `maxWeight`, `waiveGates`, the current stage), and
 * their two handoffs, Argo Rollouts (`ArgoRollout`: Rollout + AnalysisTemplates over our VirtualService and
 * DestinationRule) and Flagger (`FlaggerCanary`: a Canary, no VirtualService or DestinationRule of ours).
 *
 * Plans are plain data (`PlanSpec`), turned into `CanaryStage`s inside the property, so a failing plan prints
 * readably and the stage factories' own checks are part of what is tested. Whether a plan is valid, and whether
 * Flagger can run it, is decided by oracles written here from the documented contract and Argo's/Flagger's
 * semantics, not from the library's code.
 */
import Ajv from 'ajv';
import { ApiObject, Duration } from 'cdk8s';
import * as fc from 'fast-check';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { dnsLabel, durationOf, durationUnit, millis, namespaceName } from './arbitraries';
import { check, coverage, expectDeterministic, harness, Harness, params, RUNS, same, schemaIssues, synthIstio, timeoutFor, yamlSample } from './harness';
import { testChart } from '../support/constructs';
import { ArgoRollout } from '../../src/constructs/argo-rollout';
import { CanaryService, CanaryServiceProps } from '../../src/constructs/canary-service';
import { FlaggerCanary } from '../../src/constructs/flagger-canary';
import { Subset } from '../../src/constructs/refs';
import { IstioValidationError, Violation } from '../../src/core/errors';
import { CanaryStage, MetricGate, ReleaseController } from '../../src/policies/stages';

// ---------------------------------------------------------------------------------------------------------
// CRD schemas (ajv strict:false, as test/constructs/argo-rollout.test.ts and flagger-canary.test.ts do; logger off:
// the unknown-format notices "int32", "date-time" are ignored there too)
// ---------------------------------------------------------------------------------------------------------

const SHARED = path.join(__dirname, '..', '..', '..', 'shared');

/** A validator for one version of a CRD in `../shared/<file>` (the CRD whose kind is `kind`). */
function crdValidator(file: string, kind: string, version: string): (manifest: unknown) => unknown[] {
  const crd = parseAllDocuments(fs.readFileSync(path.join(SHARED, file), 'utf8')).map((d) => d.toJS())
    .find((d) => d?.kind === 'CustomResourceDefinition' && d.spec?.names?.kind === kind);
  const schema = crd.spec.versions.find((v: any) => v.name === version).schema.openAPIV3Schema;
  const validate = new Ajv({ strict: false, allErrors: true, logger: false }).compile(schema);
  return (manifest) => (validate(manifest) ? [] : validate.errors ?? []);
}
const rolloutErrors = crdValidator('argo-rollouts/rollout-crd.yaml', 'Rollout', 'v1alpha1');
const analysisErrors = crdValidator('argo-rollouts/analysis-template-crd.yaml', 'AnalysisTemplate', 'v1alpha1');
const canaryErrors = crdValidator('flagger/crd.yaml', 'Canary', 'v1beta1');

// ---------------------------------------------------------------------------------------------------------
// Plans as data
// ---------------------------------------------------------------------------------------------------------

type Unit = 'ms' | 's' | 'min';
/** A duration as the user writes it: milliseconds (possibly invalid: 0, fractional, too long) in a unit. */
interface Dur { readonly ms: number; readonly unit: Unit }
interface GateSpec { readonly rate?: number; readonly latency?: Dur; readonly interval?: Dur }
type Hold =
  | { readonly kind: 'timed'; readonly duration: Dur }
  | { readonly kind: 'manual' }
  | { readonly kind: 'analysis'; readonly gate: GateSpec };
interface StageSpec { readonly weight: number; readonly hold: Hold }
interface PlanSpec { readonly stages: readonly StageSpec[]; readonly maxWeight?: number; readonly waiveGates?: boolean }

/**
 * The longest Go `time.Duration` (what Kubernetes, Argo Rollouts and Flagger parse durations into), in whole
 * milliseconds: floor((2^63 - 1) ns / 10^6). Longer durations cannot be applied.
 */
const GO_MAX_MS = 9_223_372_036_854;
const GO_MAX_NS = 2n ** 63n - 1n;

const toDuration = (d: Dur): Duration => durationOf(d.ms, d.unit);
const DEFAULT_INTERVAL_MS = 60_000;
const intervalMs = (g: GateSpec): number => g.interval?.ms ?? DEFAULT_INTERVAL_MS;

function gateOf(g: GateSpec): MetricGate {
  return {
    ...(g.rate !== undefined ? { minSuccessRatePercent: g.rate } : {}),
    ...(g.latency !== undefined ? { maxP99Latency: toDuration(g.latency) } : {}),
    ...(g.interval !== undefined ? { interval: toDuration(g.interval) } : {}),
  };
}

/** The CanaryStage of a spec (throws what the factory throws). */
function stageOf(s: StageSpec): CanaryStage {
  switch (s.hold.kind) {
    case 'timed': return CanaryStage.pause(s.weight, toDuration(s.hold.duration));
    case 'manual': return CanaryStage.pause(s.weight);
    case 'analysis': return CanaryStage.analysis(s.weight, gateOf(s.hold.gate));
  }
}

// ---------------------------------------------------------------------------------------------------------
// The oracle: the documented contract, written independently of src/policies/stages.ts
// ---------------------------------------------------------------------------------------------------------

const weightOk = (w: number): boolean => Number.isInteger(w) && w >= 0 && w <= 100;
const durationOk = (d: Dur): boolean => Number.isInteger(d.ms) && d.ms >= 1 && d.ms <= GO_MAX_MS;
const rateOk = (r: number): boolean => typeof r === 'number' && r >= 0 && r <= 100;
/** Leaving the stage waits for someone (a manual pause) or something (a metric gate), not for a timer. */
const gated = (s: StageSpec): boolean => s.hold.kind !== 'timed';

/** Codes the stage factory may throw for this stage ([] when it builds). */
function stageCodes(s: StageSpec): string[] {
  const out: string[] = [];
  if (!weightOk(s.weight)) out.push('VS-11');
  if (s.hold.kind === 'timed' && !durationOk(s.hold.duration)) out.push('X-01');
  if (s.hold.kind === 'analysis') {
    const g = s.hold.gate;
    if (g.rate !== undefined && !rateOk(g.rate)) out.push('PROP');
    if (g.latency !== undefined && !durationOk(g.latency)) out.push('X-01');
    if (g.interval !== undefined && !durationOk(g.interval)) out.push('X-01');
    if (g.rate === undefined && g.latency === undefined) out.push('PROP');
  }
  return out;
}

type ControllerKind = 'none' | 'argo' | 'flagger';

/**
 * Why a plan of buildable stages breaks the contract, or undefined: at least one stage; weights non-decreasing;
 * the last one is maxWeight (an integer 0-100, default 100); and, unless waiveGates, a gated stage before the
 * canary first gets 100 % ("fast to 100" is what the gate rule exists to refuse). Under a controller (Argo
 * Rollouts, Flagger) the controller promotes the canary to 100 % when the plan ends, so a plan that never reaches
 * 100 % itself (maxWeight < 100) is still a release to 100 %: it needs a gated stage somewhere in it. Without a
 * controller such a plan is a long-running split, and needs no gate.
 */
function planProblem(plan: PlanSpec, controller: ControllerKind = 'none'): string | undefined {
  const { stages } = plan;
  if (stages.length === 0) return 'no stage';
  for (let i = 1; i < stages.length; i++) if (stages[i].weight < stages[i - 1].weight) return `goes down at stage ${i}`;
  const max = plan.maxWeight ?? 100;
  if (stages[stages.length - 1].weight !== max) return `does not end at maxWeight ${max}`;
  if (plan.waiveGates) return undefined;
  const first100 = stages.findIndex((s) => s.weight === 100);
  if (first100 >= 0 && !stages.slice(0, first100).some(gated)) {
    return `the canary gets 100 % at stage ${first100} with no gate or manual pause before it`;
  }
  if (first100 < 0 && controller !== 'none' && !stages.some(gated)) {
    return `the ${controller} controller promotes to 100 % after ${max} % with no gate or manual pause in the plan`;
  }
  return undefined;
}

/** The stage chosen for a static plan of `n` stages: `stage`, else CDK8S_CANARY_STAGE, else 0; undefined when not a stage. */
function chosenIndex(n: number, stage: number | undefined, env: string | undefined): number | undefined {
  if (stage !== undefined) return Number.isInteger(stage) && stage >= 0 && stage < n ? stage : undefined;
  if (env === undefined || env === '') return 0;
  return /^[0-9]+$/.test(env) && Number(env) < n ? Number(env) : undefined;
}

interface PlanCase {
  readonly plan: PlanSpec;
  readonly controller: ControllerKind;
  readonly stage?: number;
  readonly env?: string;
}

/** What the oracle expects of a case: the stage index (for a static plan), or the codes any refusal may carry. */
function expectation(c: PlanCase): { valid: true; index?: number } | { valid: false; codes: string[]; why: string } {
  const bad = c.plan.stages.find((s) => stageCodes(s).length > 0);
  // Stages are built in order before the CanaryService: the first bad one throws.
  if (bad) return { valid: false, codes: stageCodes(bad), why: `stage ${JSON.stringify(bad)}` };
  const codes: string[] = [];
  const why: string[] = [];
  if (c.controller !== 'none' && c.stage !== undefined) { codes.push('PROP'); why.push('stage with a controller'); }
  const max = c.plan.maxWeight ?? 100;
  if (!weightOk(max)) { codes.push('VS-11'); why.push(`maxWeight ${max}`); }
  const problem = planProblem(c.plan, c.controller);
  if (problem) { codes.push('PROP'); why.push(problem); }
  // With a controller, the controller chooses the stage: neither `stage` nor the environment picks one.
  const index = c.controller === 'none' && c.plan.stages.length > 0 ? chosenIndex(c.plan.stages.length, c.stage, c.env) : undefined;
  if (c.controller === 'none' && c.plan.stages.length > 0 && index === undefined) { codes.push('PROP'); why.push('not a stage of the plan'); }
  return codes.length > 0 ? { valid: false, codes, why: why.join('; ') } : { valid: true, index };
}

/** Flagger's steps: the stages below a final 100 % (a last stage at 100 % is Flagger's promotion, not a step). */
const flaggerSteps = (plan: PlanSpec): readonly StageSpec[] =>
  (plan.stages[plan.stages.length - 1]?.weight === 100 ? plan.stages.slice(0, -1) : plan.stages);

const gateKey = (g: GateSpec): string => JSON.stringify([g.rate, g.latency?.ms, intervalMs(g)]);

/** Whole seconds, rounded up, at least 1 (exact, in BigInt): how both handoffs render a duration (`300s`). */
const wholeSeconds = (ms: number): bigint => {
  const s = (BigInt(ms) + 999n) / 1000n;
  return s < 1n ? 1n : s;
};
const seconds = (ms: number): string => `${wholeSeconds(ms)}s`;
/** The longest Go duration in whole seconds: floor((2^63 - 1) ns / 10^9) = 9,223,372,036 s. */
const GO_MAX_SECONDS = GO_MAX_NS / 1_000_000_000n;
/** Whether the handoffs can render `ms` as a Go duration: its whole seconds, rounded up, fit in a Go duration. */
const goRenderable = (ms: number): boolean => wholeSeconds(ms) <= GO_MAX_SECONDS;

/**
 * Why Flagger cannot run a (valid) plan, or undefined. Flagger checks one set of metrics at every step, once per
 * interval, and has no manual pause: so at least one step, the same gate on every analysis step, no manual pause
 * among the steps, and every timed pause one interval long (the gate's, or the pauses' common length). Flagger's
 * nextStepWeight is stepWeights[0] at weight 0, else the gap to the next weight, and it advances only while that is
 * above 0: the step weights must be strictly increasing, the first above 0. The interval is rendered in whole
 * seconds, rounded up, and must fit a Go duration.
 */
function flaggerProblem(plan: PlanSpec): string | undefined {
  const steps = flaggerSteps(plan);
  if (steps.length === 0) return 'no step below 100 %';
  const gates = steps.flatMap((s) => (s.hold.kind === 'analysis' ? [s.hold.gate] : []));
  if (new Set(gates.map(gateKey)).size > 1) return 'gates differ';
  if (steps.some((s) => s.hold.kind === 'manual')) return 'a manual pause';
  const pauses = steps.flatMap((s) => (s.hold.kind === 'timed' ? [s.hold.duration.ms] : []));
  const interval = gates.length > 0 ? intervalMs(gates[0]) : pauses[0];
  if (pauses.some((ms) => ms !== interval)) return `a pause is not ${interval}ms`;
  const weights = steps.map((s) => s.weight);
  if (weights.some((w, i) => w <= (i === 0 ? 0 : weights[i - 1]))) return `step weights ${JSON.stringify(weights)} not strictly increasing from above 0 (Flagger stalls)`;
  if (!goRenderable(interval)) return `interval ${interval}ms is ${seconds(interval)}, beyond Go's ${GO_MAX_SECONDS}s`;
  return undefined;
}

/**
 * The durations the Rollout and its AnalysisTemplates render, in ms, for the stages that become steps (every stage
 * but a final 100 %): a timed pause's duration; an analysis stage's interval (default 1 minute), which is the
 * metrics' initialDelay and query window. A latency bound is rendered in milliseconds in a successCondition, not as
 * a duration.
 */
function argoDurations(plan: PlanSpec): { readonly what: string; readonly ms: number }[] {
  const { stages } = plan;
  return stages.flatMap((s, i) => {
    if (i === stages.length - 1 && s.weight === 100) return [];
    if (s.hold.kind === 'timed') return [{ what: `stages[${i}] pause`, ms: s.hold.duration.ms }];
    if (s.hold.kind === 'analysis') return [{ what: `stages[${i}] gate interval`, ms: intervalMs(s.hold.gate) }];
    return [];
  });
}

/** Why ArgoRollout must refuse a (valid) plan: a rendered duration beyond Go's longest, or undefined. */
function argoProblem(plan: PlanSpec): string | undefined {
  const bad = argoDurations(plan).find((d) => !goRenderable(d.ms));
  return bad ? `${bad.what} of ${bad.ms}ms is ${seconds(bad.ms)}, beyond Go's ${GO_MAX_SECONDS}s` : undefined;
}

/** Whether `s` (`<n>s`, `<n>m`, `<n>ms`) is a duration Go's time.ParseDuration accepts (no int64 overflow). */
function goDurationOk(s: string): boolean {
  const m = /^([0-9]+)(ms|s|m)$/.exec(s);
  if (!m) return false;
  const ns = BigInt(m[1]) * (m[2] === 'ms' ? 1_000_000n : m[2] === 's' ? 1_000_000_000n : 60_000_000_000n);
  return ns <= GO_MAX_NS;
}

// ---------------------------------------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------------------------------------

const validWeight: fc.Arbitrary<number> = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 100 }) },
  { weight: 2, arbitrary: fc.constantFrom(0, 1, 10, 50, 99, 100) },
);
const anyWeight: fc.Arbitrary<number> = fc.oneof(
  { weight: 30, arbitrary: validWeight },
  { weight: 1, arbitrary: fc.constantFrom(-1, 101, 1.5, 99.9, Number.NaN) },
);

/** Valid durations: 1ms, round and ragged values, and huge ones up to the Go maximum (and just under a second boundary). */
const validMs: fc.Arbitrary<number> = fc.oneof(
  { weight: 6, arbitrary: millis(600_000) },
  { weight: 1, arbitrary: fc.constantFrom(1, 86_400_000, GO_MAX_MS, GO_MAX_MS - 1, 9_223_372_036_001, 9_223_372_036_000, 9_223_372_035_999) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: GO_MAX_MS }) },
);
const validDur: fc.Arbitrary<Dur> = fc.tuple(validMs, durationUnit).map(([ms, unit]) => ({ ms, unit }));
/** Invalid ones: zero, below or between milliseconds, beyond the Go maximum. */
const anyDur: fc.Arbitrary<Dur> = fc.oneof(
  { weight: 30, arbitrary: validDur },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(0, 0.5, 1.5, GO_MAX_MS + 1, 1e300), durationUnit).map(([ms, unit]) => ({ ms, unit })) },
);

const validRate: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: 0, max: 100 }), fc.double({ min: 0, max: 100, noNaN: true }).map((r) => (r === 0 ? 0 : r)), fc.constantFrom(0, 99, 99.5, 99.99, 100),
);
const anyRate: fc.Arbitrary<number> = fc.oneof({ weight: 30, arbitrary: validRate }, { weight: 1, arbitrary: fc.constantFrom(-0.001, 100.001, Number.NaN, 1000) });

const gateArb = (rate: fc.Arbitrary<number>, dur: fc.Arbitrary<Dur>): fc.Arbitrary<GateSpec> => fc.record({
  rate: fc.option(rate, { nil: undefined }), latency: fc.option(dur, { nil: undefined }), interval: fc.option(dur, { nil: undefined }),
}).map((g) => Object.fromEntries(Object.entries(g).filter(([, v]) => v !== undefined)) as GateSpec);
const validGate: fc.Arbitrary<GateSpec> = gateArb(validRate, validDur).filter((g) => g.rate !== undefined || g.latency !== undefined);
const anyGate: fc.Arbitrary<GateSpec> = gateArb(anyRate, anyDur);

const holdArb = (gate: fc.Arbitrary<GateSpec>, dur: fc.Arbitrary<Dur>): fc.Arbitrary<Hold> => fc.oneof(
  dur.map((duration): Hold => ({ kind: 'timed', duration })),
  fc.constant<Hold>({ kind: 'manual' }),
  gate.map((g): Hold => ({ kind: 'analysis', gate: g })),
);
const validHold = holdArb(validGate, validDur);
const anyHold = holdArb(anyGate, anyDur);

const maxWeightArb: fc.Arbitrary<number | undefined> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.constant(100) },
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 100 }) },
  { weight: 1, arbitrary: fc.constantFrom(-1, 101, 50.5) },
);
const waiveArb: fc.Arbitrary<boolean | undefined> = fc.oneof({ weight: 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.boolean() });

/** Stage lists, rarely empty. */
const stageList: fc.Arbitrary<StageSpec[]> = fc.oneof(
  { weight: 1, arbitrary: fc.constant<StageSpec[]>([]) },
  { weight: 15, arbitrary: fc.array(fc.record({ weight: anyWeight, hold: anyHold }), { minLength: 1, maxLength: 6 }) as fc.Arbitrary<StageSpec[]> },
);

/**
 * Any plan, valid or not: random stage lists, or (most of the time) shaped like a release — weights sorted, the
 * last one set to maxWeight — so the gate rule and the stage choice are exercised, not only "goes down". So that the
 * refused side of the gate rule is common too, a third of the plans are timed pauses only (no gate at all), and a
 * sixth timed pauses but for one gate: at the last stage (a gate only at 100 %, or only at the end of a plan below
 * 100 %), or at the first of two last stages at the same weight (a gate at the first 100 %, not before it).
 */
const anyPlan: fc.Arbitrary<PlanSpec> = fc.record({
  stages: stageList,
  maxWeight: maxWeightArb,
  waiveGates: waiveArb,
  shaped: fc.nat(5).map((n) => n > 0),
  gating: fc.nat(11).map((n) => (n < 4 ? 'none' : n === 4 ? 'last' : n === 5 ? 'plateau' : 'random')),
  pause: validDur,
}).map(({ stages, maxWeight, waiveGates, shaped, gating, pause }): PlanSpec => {
  let out = stages;
  if (shaped && out.length > 0) {
    const weights = out.map((s) => s.weight).sort((a, b) => a - b);
    weights[weights.length - 1] = maxWeight ?? 100;
    out = out.map((s, i) => ({ ...s, weight: weights[i] }));
  }
  const n = out.length;
  if (gating === 'plateau' && n >= 2) out = out.map((s, i) => (i === n - 2 ? { ...s, weight: out[n - 1].weight } : s));
  if (gating !== 'random') {
    const timed = (s: StageSpec): StageSpec => (s.hold.kind === 'timed' ? s : { ...s, hold: { kind: 'timed', duration: pause } });
    const gatedAt = (s: StageSpec): StageSpec => (s.hold.kind === 'timed' ? { ...s, hold: { kind: 'manual' } } : s);
    const gate = gating === 'last' ? n - 1 : gating === 'plateau' ? out.findIndex((s) => s.weight === out[n - 1].weight) : -1;
    out = out.map((s, i) => (i === gate ? gatedAt(s) : timed(s)));
  }
  return { stages: out, ...(maxWeight !== undefined ? { maxWeight } : {}), ...(waiveGates !== undefined ? { waiveGates } : {}) };
});

/**
 * Plans shaped like a release from buildable stages: sorted weights up to maxWeight, ending there; the gate rule may
 * hold or not (the holds are random).
 */
const shapedPlan: fc.Arbitrary<PlanSpec> = fc.record({
  weights: fc.array(validWeight, { maxLength: 5 }),
  holds: fc.array(validHold, { minLength: 6, maxLength: 6 }),
  maxWeight: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 2, arbitrary: fc.integer({ min: 0, max: 100 }) }),
  waiveGates: waiveArb,
}).map(({ weights, holds, maxWeight, waiveGates }): PlanSpec => {
  const max = maxWeight ?? 100;
  const ws = [...weights.filter((w) => w <= max).sort((a, b) => a - b), max];
  return {
    stages: ws.map((weight, i) => ({ weight, hold: holds[i] })),
    ...(maxWeight !== undefined ? { maxWeight } : {}), ...(waiveGates !== undefined ? { waiveGates } : {}),
  };
});

/** Plans valid by the oracle for `controller`: shaped plans that keep the gate rule (unless waived). */
const validPlanFor = (controller: ControllerKind): fc.Arbitrary<PlanSpec> => shapedPlan.filter((p) => planProblem(p, controller) === undefined);

/**
 * Plans biased towards what Flagger can run: usually every analysis stage gets one gate (its interval written in
 * any unit; sometimes an interval at Go's limit, either side of it), manual pauses become that gate and timed
 * pauses last its interval; then, sometimes, one stage is nudged off (another rate, another interval, a manual
 * pause, a pause 1ms longer, a repeated or zero weight) to probe the boundary.
 */
const flaggerShaped: fc.Arbitrary<PlanSpec> = fc.record({
  plan: shapedPlan,
  uniform: fc.nat(4).map((n) => n > 0),
  gate: validGate,
  edge: fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(9_223_372_035_999, 9_223_372_036_000, 9_223_372_036_001, GO_MAX_MS) }),
  units: fc.array(durationUnit, { minLength: 6, maxLength: 6 }),
  nudge: fc.option(fc.tuple(fc.nat(5), fc.constantFrom('rate', 'interval', 'manual', 'longer', 'repeat')), { nil: undefined }),
}).map(({ plan, uniform, gate: drawn, edge, units, nudge }): PlanSpec => {
  if (!uniform) return plan;
  const gate: GateSpec = edge !== undefined ? { ...drawn, interval: { ms: edge, unit: 'ms' } } : drawn;
  const ms = intervalMs(gate);
  let stages: StageSpec[] = plan.stages.map((s, i): StageSpec => {
    const g: GateSpec = { ...gate, ...(gate.interval ? { interval: { ms, unit: units[i] } } : {}) };
    return { weight: s.weight, hold: s.hold.kind === 'timed' ? { kind: 'timed', duration: { ms, unit: units[i] } } : { kind: 'analysis', gate: g } };
  });
  if (nudge?.[1] === 'repeat') {
    // Still non-decreasing: a middle stage takes the weight before it, or the first stage 0 %.
    const i = nudge[0] % stages.length;
    const weight = i > 0 && i < stages.length - 1 ? stages[i - 1].weight : i === 0 && stages.length > 1 ? 0 : stages[i].weight;
    stages = stages.map((st, j) => (j === i ? { ...st, weight } : st));
  } else if (nudge) {
    const i = nudge[0] % stages.length;
    const s = stages[i];
    const hold: Hold = nudge[1] === 'manual' ? { kind: 'manual' }
      : nudge[1] === 'longer' ? { kind: 'timed', duration: { ms: Math.min(ms + 1, GO_MAX_MS), unit: 'ms' } }
        : s.hold.kind !== 'analysis' ? s.hold
          : nudge[1] === 'rate' ? { kind: 'analysis', gate: { ...s.hold.gate, rate: s.hold.gate.rate === 50 ? 51 : 50 } }
            : { kind: 'analysis', gate: { ...s.hold.gate, interval: { ms: ms === 1 ? 2 : ms - 1, unit: 'ms' } } };
    stages = stages.map((st, j) => (j === i ? { ...st, hold } : st));
  }
  return { ...plan, stages };
});
/** Plans valid for a CanaryService handed to Flagger (some of which Flagger cannot run: flaggerProblem). */
const flaggerPlan: fc.Arbitrary<PlanSpec> = flaggerShaped.filter((p) => planProblem(p, 'flagger') === undefined);

const planCase: fc.Arbitrary<PlanCase> = fc.record({
  plan: anyPlan,
  controller: fc.constantFrom<ControllerKind>('none', 'none', 'argo', 'flagger'),
  stage: fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 3, arbitrary: fc.integer({ min: 0, max: 3 }) }, { weight: 1, arbitrary: fc.constantFrom(-1, 1.5, 6, 7) }),
  env: fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 3, arbitrary: fc.integer({ min: 0, max: 3 }).map(String) }, { weight: 2, arbitrary: fc.constantFrom('', '-1', '6', 'abc', '1.5') }),
}).map((c) => Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)) as unknown as PlanCase);

// ---------------------------------------------------------------------------------------------------------
// Building
// ---------------------------------------------------------------------------------------------------------

/** Runs `fn` with CDK8S_CANARY_STAGE set to `value` (unset for undefined), restoring the environment after. */
function withStageEnv<T>(value: string | undefined, fn: () => T): T {
  const name = CanaryService.STAGE_ENV;
  const had = Object.prototype.hasOwnProperty.call(process.env, name);
  const before = process.env[name];
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
  try {
    return fn();
  } finally {
    if (had) process.env[name] = before;
    else delete process.env[name];
  }
}

const controllerOf = (k: ControllerKind): ReleaseController | undefined =>
  (k === 'argo' ? ReleaseController.argoRollouts() : k === 'flagger' ? ReleaseController.flagger() : undefined);

const HOST = 'payments-api.payments.svc.cluster.local';

interface Built { readonly h: Harness; readonly warnings: Violation[]; readonly canary?: CanaryService; readonly error?: unknown }

/** Property 1's CanaryService: a fixed host and distinct versions, so only the plan (and the stage choice) can be wrong. */
function buildPlanCase(c: PlanCase): Built {
  const h = harness('payments');
  const { warnings } = testChart([HOST], h.chart);
  try {
    const canary = withStageEnv(c.env, () => new CanaryService(h.chart, 'canary', {
      host: HOST, stable: Subset.fromLabels({ version: 'v1' }), canary: Subset.fromLabels({ version: 'v2' }),
      stages: c.plan.stages.map(stageOf),
      ...(c.plan.maxWeight !== undefined ? { maxWeight: c.plan.maxWeight } : {}),
      ...(c.plan.waiveGates !== undefined ? { waiveGates: c.plan.waiveGates } : {}),
      ...(c.stage !== undefined ? { stage: c.stage } : {}),
      ...(c.controller !== 'none' ? { controller: controllerOf(c.controller) } : {}),
    }));
    return { h, warnings, canary };
  } catch (error) {
    return { h, warnings, error };
  }
}

const describeError = (e: unknown): string => (e instanceof Error ? `${e.constructor.name}${e instanceof IstioValidationError ? ` ${e.code}` : ''}: ${e.message}` : String(e));

/** The Deployment the handoffs take over: pods labelled app=<service>. */
function deploymentIn(h: Harness, name: string, app: string, namespace?: string, replicas?: number): ApiObject {
  return new ApiObject(h.chart, 'deployment', {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, ...(namespace !== undefined ? { namespace } : {}) },
    spec: {
      ...(replicas !== undefined ? { replicas } : {}),
      selector: { matchLabels: { app } },
      template: { metadata: { labels: { app } }, spec: { containers: [{ name: 'app', image: `${app}:2` }] } },
    },
  });
}

const planProps = (plan: PlanSpec): Pick<CanaryServiceProps, 'stages' | 'maxWeight' | 'waiveGates'> => ({
  stages: plan.stages.map(stageOf),
  ...(plan.maxWeight !== undefined ? { maxWeight: plan.maxWeight } : {}),
  ...(plan.waiveGates !== undefined ? { waiveGates: plan.waiveGates } : {}),
});

interface ArgoCase {
  readonly plan: PlanSpec;
  readonly service: string;
  readonly namespace: string;
  /** The CanaryService's `namespace` prop: none, the chart's, or another one (only in the namespace property). */
  readonly serviceNamespace?: string;
  /** The Deployment's `metadata.namespace`: none (the chart's), the chart's, or another one (only in the namespace property). */
  readonly deploymentNamespace?: string;
  readonly deployment: string;
  readonly deploymentReplicas?: number;
  readonly name?: string;
  readonly rolloutName?: string;
  readonly replicas?: number;
  readonly stableSubsetName?: string;
  readonly canarySubsetName?: string;
  readonly primaryRouteName?: string;
  readonly prometheus?: string;
}

const argoFields = {
  plan: validPlanFor('argo'),
  service: dnsLabel(),
  namespace: namespaceName,
  deployment: dnsLabel(),
  deploymentReplicas: fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }),
  name: fc.option(dnsLabel(), { nil: undefined }),
  rolloutName: fc.option(dnsLabel(), { nil: undefined }),
  replicas: fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }),
  subsetNames: fc.option(fc.uniqueArray(dnsLabel(8), { minLength: 2, maxLength: 2 }), { nil: undefined }),
  primaryRouteName: fc.option(dnsLabel(12), { nil: undefined }),
  prometheus: fc.option(fc.constantFrom('http://prometheus.istio-system:9090', 'https://prom.monitoring.svc:9091', 'http://10.0.0.7:9090/prometheus'), { nil: undefined }),
};
const toArgoCase = ({ subsetNames, ...r }: any): ArgoCase => Object.fromEntries(Object.entries({
  ...r, stableSubsetName: subsetNames?.[0], canarySubsetName: subsetNames?.[1],
}).filter(([, v]) => v !== undefined)) as unknown as ArgoCase;

/** Argo cases with the CanaryService, the Deployment and the chart in one namespace. */
const argoCase: fc.Arbitrary<ArgoCase> = fc.record({
  ...argoFields,
  sameNs: fc.constantFrom('none', 'service', 'deployment', 'both'),
}).map(({ sameNs, ...r }) => toArgoCase({
  ...r,
  serviceNamespace: sameNs === 'service' || sameNs === 'both' ? r.namespace : undefined,
  deploymentNamespace: sameNs === 'deployment' || sameNs === 'both' ? r.namespace : undefined,
}));

/** Argo cases where the CanaryService or the Deployment may live in another namespace than the chart. */
const argoNamespaceCase: fc.Arbitrary<ArgoCase> = fc.record({
  ...argoFields,
  serviceNs: fc.constantFrom('none', 'chart', 'other'),
  deploymentNs: fc.constantFrom('none', 'chart', 'other'),
  other: namespaceName,
}).map(({ serviceNs, deploymentNs, other, ...r }) => toArgoCase({
  ...r,
  serviceNamespace: serviceNs === 'chart' ? r.namespace : serviceNs === 'other' ? other : undefined,
  deploymentNamespace: deploymentNs === 'chart' ? r.namespace : deploymentNs === 'other' ? other : undefined,
}));

/** Argo cases whose plan may break the controller's gate rule (the rest as argoCase, in one namespace). */
const argoGateCase: fc.Arbitrary<ArgoCase> = fc.record({ ...argoFields, plan: shapedPlan }).map(toArgoCase);

const argoHost = (c: ArgoCase): string => `${c.service}.${c.serviceNamespace ?? c.namespace}.svc.cluster.local`;

/**
 * Builds the Argo handoff up to the CanaryService (with the plan) and its Deployment (throws what they throw);
 * `rollout()` then adds the ArgoRollout (throws what it throws).
 */
function prepareArgo(c: ArgoCase): { h: Harness; warnings: Violation[]; canary: CanaryService; rollout: () => ArgoRollout } {
  const h = harness(c.namespace);
  const { warnings } = testChart([argoHost(c)], h.chart);
  const deployment = deploymentIn(h, c.deployment, c.service, c.deploymentNamespace, c.deploymentReplicas);
  const canary = new CanaryService(h.chart, 'canary', {
    host: argoHost(c),
    // Argo's design: one pod template, the subsets told apart by the rollouts-pod-template-hash label it adds.
    stable: Subset.fromLabels({ app: c.service }), canary: Subset.fromLabels({ app: c.service }),
    ...planProps(c.plan), controller: ReleaseController.argoRollouts(),
    ...(c.serviceNamespace !== undefined ? { namespace: c.serviceNamespace } : {}),
    ...(c.name !== undefined ? { name: c.name } : {}),
    ...(c.stableSubsetName !== undefined ? { stableSubsetName: c.stableSubsetName } : {}),
    ...(c.canarySubsetName !== undefined ? { canarySubsetName: c.canarySubsetName } : {}),
    ...(c.primaryRouteName !== undefined ? { primaryRouteName: c.primaryRouteName } : {}),
  });
  const rollout = () => new ArgoRollout(h.chart, 'rollout', {
    service: canary, workload: deployment,
    ...(c.rolloutName !== undefined ? { name: c.rolloutName } : {}),
    ...(c.replicas !== undefined ? { replicas: c.replicas } : {}),
    ...(c.prometheus !== undefined ? { prometheusAddress: c.prometheus } : {}),
  });
  return { h, warnings, canary, rollout };
}

/** The whole Argo handoff (throws what the CanaryService or the ArgoRollout throws). */
function buildArgo(c: ArgoCase): { h: Harness; warnings: Violation[]; canary: CanaryService; rollout: ArgoRollout } {
  const prepared = prepareArgo(c);
  return { ...prepared, rollout: prepared.rollout() };
}

/** The namespace an object gets: its own `namespace`, else the chart's. */
const argoNamespaces = (c: ArgoCase) => ({ deployment: c.deploymentNamespace ?? c.namespace, service: c.serviceNamespace ?? c.namespace });

interface FlaggerCase {
  readonly plan: PlanSpec;
  readonly service: string;
  readonly namespace: string;
  readonly deployment: string;
  /** The Deployment's `metadata.namespace`: none (the chart's), or one given (only another in the namespace property). */
  readonly deploymentNamespace?: string;
  /** The CanaryService's `namespace` prop (only in the namespace property); its host is a Service of that namespace. */
  readonly serviceNamespace?: string;
  readonly port: number;
  readonly portOnCanary: boolean;
  readonly threshold?: number;
}

const flaggerFields = {
  plan: flaggerPlan,
  service: dnsLabel(),
  namespace: namespaceName,
  deployment: dnsLabel(),
  port: fc.oneof(fc.constantFrom(80, 8080, 9898), fc.integer({ min: 1, max: 65535 })),
  portOnCanary: fc.boolean(),
  threshold: fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined }),
};
const toFlaggerCase = (r: any): FlaggerCase => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as unknown as FlaggerCase;
const flaggerCase: fc.Arbitrary<FlaggerCase> = fc.record({ ...flaggerFields, sameNs: fc.boolean() })
  .map(({ sameNs, ...r }) => toFlaggerCase({ ...r, deploymentNamespace: sameNs ? r.namespace : undefined }));
/** Flagger cases where the CanaryService or the Deployment may live in another namespace than the chart (or two others). */
const flaggerNamespaceCase: fc.Arbitrary<FlaggerCase> = fc.record({
  ...flaggerFields,
  // Plans Flagger can run, so that only the namespaces decide (the plans' refusals: the first Flagger property).
  plan: flaggerPlan.filter((p) => flaggerProblem(p) === undefined),
  serviceNs: fc.constantFrom('none', 'chart', 'other'),
  deploymentNs: fc.constantFrom('none', 'chart', 'other', 'another'),
  other: namespaceName,
  another: namespaceName,
}).map(({ serviceNs, deploymentNs, other, another, ...r }) => toFlaggerCase({
  ...r,
  serviceNamespace: serviceNs === 'chart' ? r.namespace : serviceNs === 'other' ? other : undefined,
  deploymentNamespace: deploymentNs === 'chart' ? r.namespace : deploymentNs === 'other' ? other : deploymentNs === 'another' ? another : undefined,
}));
/** Flagger cases whose plan may break the controller's gate rule (the rest as flaggerCase). */
const flaggerGateCase: fc.Arbitrary<FlaggerCase> = fc.record({ ...flaggerFields, plan: flaggerShaped }).map(toFlaggerCase);

const flaggerNamespaces = (c: FlaggerCase) => ({ deployment: c.deploymentNamespace ?? c.namespace, service: c.serviceNamespace ?? c.namespace });
const flaggerHost = (c: FlaggerCase): string => `${c.service}.${c.serviceNamespace ?? c.namespace}.svc.cluster.local`;

/** Builds the Flagger handoff up to the CanaryService; `canary()` then adds the FlaggerCanary (throws what it throws). */
function buildFlagger(c: FlaggerCase) {
  const h = harness(c.namespace);
  const { warnings } = testChart(undefined, h.chart);
  const deployment = deploymentIn(h, c.deployment, c.service, c.deploymentNamespace);
  const service = new CanaryService(h.chart, 'canary', {
    host: flaggerHost(c), stable: Subset.fromLabels({ app: c.service }), canary: Subset.fromLabels({ app: c.service }),
    ...planProps(c.plan), controller: ReleaseController.flagger(),
    ...(c.serviceNamespace !== undefined ? { namespace: c.serviceNamespace } : {}),
    ...(c.portOnCanary ? { port: c.port } : {}),
  });
  const canary = () => new FlaggerCanary(h.chart, 'flagger', {
    service, workload: deployment,
    ...(!c.portOnCanary ? { port: c.port } : {}),
    ...(c.threshold !== undefined ? { threshold: c.threshold } : {}),
  });
  return { h, warnings, service, canary };
}

const VS_DR = new Set(['VirtualService', 'DestinationRule']);
const warningText = (ws: readonly Violation[]): string => ws.map((w) => `${w.code}: ${w.message}`).join('\n  ');

/**
 * One case of a promotion-gate property: builds it (`build`), records which kind of case it was, and checks a refusal
 * against the oracle. Returns what was built when the oracle accepts the plan, undefined when it refuses it.
 */
function gateCase<B>(seen: ReturnType<typeof coverage>, plan: PlanSpec, controller: ControllerKind, build: () => B): B | undefined {
  const problem = planProblem(plan, controller);
  let built: B | undefined;
  let error: unknown;
  try {
    built = build();
  } catch (e) {
    error = e;
  }
  const reaches = plan.stages.some((s) => s.weight === 100) ? 'reaches 100 %' : 'below 100 %';
  seen.see(`${reaches}, ${plan.waiveGates ? 'waived' : plan.stages.some(gated) ? 'gated' : 'ungated'}: ${error === undefined ? 'built' : 'refused'}`);
  if (problem !== undefined) {
    check(error instanceof IstioValidationError && error.code === 'PROP', `expected PROP (${problem}), got ${error === undefined ? 'a CanaryService' : describeError(error)}`);
    same((error as IstioValidationError).path, 'test/canary', 'path of the refusal');
    return undefined;
  }
  if (error !== undefined) throw new Error(`refused a plan the oracle accepts: ${describeError(error)}`);
  return built;
}

/** `error` is a PROP refusal by the construct at `test/<id>`, which left the tree. */
function refusedBy(error: unknown, h: Harness, id: string, why: string): void {
  check(error !== undefined, `built, but expected PROP from ${id} (${why})`);
  check(error instanceof IstioValidationError && error.code === 'PROP', `expected PROP from ${id} (${why}), got ${describeError(error)}`);
  same((error as IstioValidationError).path, `test/${id}`, `path of the refusal (${why})`);
  check(h.chart.node.tryFindChild(id) === undefined, `a refused ${id} stays in the tree`);
}

// ---------------------------------------------------------------------------------------------------------
// 1. Plans
// ---------------------------------------------------------------------------------------------------------

/**
 * What a plan case exercises of the gate rule (when nothing else in it is wrong: the outcome is the gate rule's) and
 * of the stage choice under a controller (for coverage).
 */
function planLabels(c: PlanCase): string[] {
  const { stages } = c.plan;
  const max = c.plan.maxWeight ?? 100;
  // Buildable stages, a structurally sound plan (planProblem with the gate rule waived), a valid maxWeight.
  if (stages.some((s) => stageCodes(s).length > 0) || !weightOk(max) || planProblem({ ...c.plan, waiveGates: true }) !== undefined) return [];
  const out: string[] = [];
  const ctl = c.controller === 'none' ? 'static' : 'controller';
  const stageOk = c.controller === 'none' ? chosenIndex(stages.length, c.stage, c.env) !== undefined : c.stage === undefined;
  if (!stageOk) {
    // the stage choice refuses the case whatever the gate rule says
  } else if (!c.plan.waiveGates) {
    const first100 = stages.findIndex((s) => s.weight === 100);
    if (first100 < 0) out.push(`${ctl}, below 100 %, ${stages.some(gated) ? 'gated' : 'ungated'}`);
    else if (stages.slice(0, first100).some(gated)) out.push(`${ctl}, reaches 100 %, gated before it`);
    else out.push(`${ctl}, reaches 100 %, ${stages.slice(first100).some(gated) ? 'gated only from' : 'never gated'}`);
  } else {
    out.push(`${ctl}, gates waived, ${stages.some(gated) ? 'gated' : 'ungated'}`);
  }
  if (c.controller !== 'none' && c.stage !== undefined) out.push('controller, stage set');
  if (c.controller !== 'none' && c.stage === undefined && c.env !== undefined && chosenIndex(stages.length, undefined, c.env) === undefined) {
    out.push(`controller, ${CanaryService.STAGE_ENV} not a stage`);
  }
  return out;
}

describe(`release plans (${RUNS} runs)`, () => {
  const envBefore = process.env[CanaryService.STAGE_ENV];
  afterAll(() => expect(process.env[CanaryService.STAGE_ENV]).toBe(envBefore));

  test('a CanaryService is built exactly when the plan is valid (the oracle), and refused with a code the oracle expects', async () => {
    const seen = coverage();
    const property = fc.asyncProperty(planCase, async (c) => {
      const { error } = buildPlanCase(c);
      const expected = expectation(c);
      for (const label of planLabels(c)) seen.see(`${label}: ${error === undefined ? 'built' : 'refused'}`);
      if (error === undefined) {
        check(expected.valid, `accepted a plan the oracle refuses (${expected.valid ? '' : expected.why})`);
        return;
      }
      check(error instanceof IstioValidationError, `threw ${describeError(error)}`);
      if (expected.valid) throw new Error(`refused a plan the oracle accepts: ${describeError(error)}`);
      check(expected.codes.includes((error as IstioValidationError).code), `refused with ${(error as IstioValidationError).code}, expected one of [${expected.codes.join(', ')}] (${expected.why}): ${describeError(error)}`);
    });
    await fc.assert(property, params(2 * RUNS)); // cheap runs, and many kinds of case to meet
    // Both sides of the gate rule, with and without a controller, and the stage choice under a controller.
    await seen.expectSeen([
      'static, below 100 %, ungated: built', 'static, reaches 100 %, gated before it: built', 'static, reaches 100 %, never gated: refused',
      'static, reaches 100 %, gated only from: refused', 'static, gates waived, ungated: built',
      'controller, below 100 %, ungated: refused', 'controller, below 100 %, gated: built',
      'controller, reaches 100 %, gated before it: built', 'controller, reaches 100 %, never gated: refused', 'controller, reaches 100 %, gated only from: refused',
      'controller, gates waived, ungated: built',
      'controller, stage set: refused', `controller, ${CanaryService.STAGE_ENV} not a stage: built`,
    ], property, 2 * RUNS);
  }, timeoutFor(5, 2 * RUNS));

  test('builds or throws IstioValidationError, never another error; a built static plan emits the chosen stage\'s weight', async () => {
    await fc.assert(fc.asyncProperty(planCase, async (c) => {
      const { h, warnings, canary, error } = buildPlanCase(c);
      if (error !== undefined) {
        check(error instanceof IstioValidationError, `threw ${describeError(error)}`);
        check(h.chart.node.tryFindChild('canary') === undefined, 'a refused CanaryService stays in the tree');
        return;
      }
      const manifests = synthIstio(h);
      same(schemaIssues(manifests), [], 'CRD schema issues');
      check(warnings.length === 0, `warnings:\n  ${warningText(warnings)}`);
      const vs = manifests.filter((m) => m.kind === 'VirtualService');
      if (c.controller === 'flagger') {
        same(manifests.filter((m) => VS_DR.has(m.kind)).length, 0, 'VirtualServices/DestinationRules of a canary handed to Flagger');
        return;
      }
      same(vs.length, 1, 'VirtualServices');
      const primary = vs[0].spec.http.find((r: any) => r.name === canary!.primaryRouteName);
      check(primary !== undefined, 'no primary route');
      // Static: the weight of the chosen stage (`stage`, else CDK8S_CANARY_STAGE, else 0). A controller starts at 0,
      // whatever CDK8S_CANARY_STAGE says.
      const index = chosenIndex(c.plan.stages.length, c.stage, c.env);
      if (c.controller === 'none') {
        check(index !== undefined, `built with no valid stage chosen (stage ${c.stage}, env ${JSON.stringify(c.env)})`);
        same(canary!.stageIndex, index, 'stageIndex');
        same(canary!.currentStage?.weight, c.plan.stages[index!].weight, 'currentStage.weight');
      }
      const weight = c.controller === 'none' ? c.plan.stages[index!].weight : 0;
      same(primary.route.map((r: any) => [r.destination.subset, r.weight]), [['stable', 100 - weight], ['canary', weight]], 'primary route weights');
    }), params());
  }, timeoutFor(5));
});

// ---------------------------------------------------------------------------------------------------------
// 2. Argo Rollouts
// ---------------------------------------------------------------------------------------------------------

/** The AnalysisTemplate metrics a gate stands for (Istio's standard metrics, measured once after the interval). */
function expectMetrics(template: any, gate: GateSpec, host: string, prometheus: string): void {
  const window = seconds(intervalMs(gate));
  const metrics: any[] = template.spec.metrics;
  same(metrics.map((m) => m.name), [...(gate.rate !== undefined ? ['success-rate'] : []), ...(gate.latency !== undefined ? ['p99-latency'] : [])], `${template.metadata.name}: metrics`);
  for (const m of metrics) {
    same([m.initialDelay, m.failureLimit, m.provider.prometheus.address], [window, 0, prometheus], `${template.metadata.name}/${m.name}: initialDelay, failureLimit, address`);
    check(m.provider.prometheus.query.includes(`destination_service="${host}"`) && m.provider.prometheus.query.includes(`[${window}]`), `${m.name}: query ${m.provider.prometheus.query}`);
    const bound = m.name === 'success-rate' ? `result[0] >= ${gate.rate! / 100}` : `result[0] <= ${gate.latency!.ms}`;
    same(m.successCondition, bound, `${template.metadata.name}/${m.name}: successCondition`);
  }
}

/** The longest rendered duration of an Argo plan, as a coverage label: past Go's maximum, at its last second, or below. */
function argoDurationLabel(plan: PlanSpec): string {
  const longest = Math.max(0, ...argoDurations(plan).map((d) => d.ms));
  return !goRenderable(longest) ? 'a duration beyond Go' : wholeSeconds(longest) === GO_MAX_SECONDS ? 'a duration of Go\'s last second' : 'durations within Go';
}

describe(`Argo Rollouts handoff (${RUNS} runs)`, () => {
  test('valid plans: Rollout and AnalysisTemplates pass their CRD schemas, steps follow the plan, routing names our objects, no warnings, YAML reads back; a duration beyond Go is PROP', async () => {
    const seen = coverage();
    const property = fc.asyncProperty(argoCase, yamlSample, async (c, compareYaml) => {
      const { h, warnings, canary, rollout: makeRollout } = prepareArgo(c);
      const problem = argoProblem(c.plan);
      let rollout: ArgoRollout | undefined;
      let error: unknown;
      try {
        rollout = makeRollout();
      } catch (e) {
        error = e;
      }
      seen.see(`${argoDurationLabel(c.plan)}: ${error === undefined ? 'built' : 'refused'}`);
      if (problem !== undefined) {
        refusedBy(error, h, 'rollout', problem);
        const left = synthIstio(h).map((m) => m.kind);
        check(!left.includes('Rollout') && !left.includes('AnalysisTemplate'), `a refused ArgoRollout left ${left.join(', ')}`);
        return;
      }
      if (error !== undefined) throw new Error(`refused a plan the oracle accepts: ${describeError(error)}`);
      const manifests = synthIstio(h);
      same(schemaIssues(manifests), [], 'Istio CRD schema issues');
      check(warnings.length === 0, `warnings:\n  ${warningText(warnings)}`);
      const kinds = manifests.map((m) => m.kind);
      const [vs, dr, r] = ['VirtualService', 'DestinationRule', 'Rollout'].map((k) => {
        const found = manifests.filter((m) => m.kind === k);
        same(found.length, 1, `${k}s`);
        return found[0];
      });
      const templates = manifests.filter((m) => m.kind === 'AnalysisTemplate');
      // Apply order: the Rollout after the objects it names and the analyses it runs.
      check(kinds.lastIndexOf('Rollout') > Math.max(kinds.indexOf('VirtualService'), kinds.indexOf('DestinationRule'), kinds.lastIndexOf('AnalysisTemplate')), `apply order ${kinds.join(', ')}`);

      same(rolloutErrors(r), [], 'Rollout CRD schema errors');
      for (const t of templates) same(analysisErrors(t), [], `AnalysisTemplate ${t.metadata.name} CRD schema errors`);
      same(r.metadata, { name: c.rolloutName ?? c.deployment, namespace: c.namespace }, 'Rollout metadata');
      same(r.spec.workloadRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: c.deployment, scaleDown: 'progressively' }, 'workloadRef');
      same(r.spec.replicas, c.replicas ?? c.deploymentReplicas ?? 1, 'replicas');

      // Steps: every stage but a final 100 % is setWeight(w), then exactly one of pause (timed, rounded up to
      // seconds, or manual) or analysis (of a template in the output, checking that stage's gate).
      const steps: any[] = r.spec.strategy.canary.steps;
      const plan = c.plan.stages;
      const kept = plan.filter((s, i) => !(i === plan.length - 1 && s.weight === 100));
      same(steps.length, kept.length * 2, `number of steps ${JSON.stringify(steps)}`);
      const byName = new Map(templates.map((t) => [t.metadata.name, t]));
      const referenced: string[] = [];
      kept.forEach((s, i) => {
        same(steps[2 * i], { setWeight: s.weight }, `step ${2 * i}`);
        const hold = steps[2 * i + 1];
        check(Object.keys(hold).length === 1, `step ${2 * i + 1} is not exactly one of pause/analysis: ${JSON.stringify(hold)}`);
        if (s.hold.kind === 'timed') same(hold, { pause: { duration: seconds(s.hold.duration.ms) } }, `step ${2 * i + 1}`);
        else if (s.hold.kind === 'manual') same(hold, { pause: {} }, `step ${2 * i + 1}`);
        else {
          const names = hold.analysis?.templates?.map((t: any) => t.templateName);
          check(Array.isArray(names) && names.length === 1, `step ${2 * i + 1}: ${JSON.stringify(hold)}`);
          const t = byName.get(names[0]);
          check(t !== undefined, `step ${2 * i + 1} runs AnalysisTemplate ${names[0]}, which is not in the output`);
          same(t.metadata.namespace, r.metadata.namespace, `AnalysisTemplate ${names[0]} namespace`);
          expectMetrics(t, s.hold.gate, argoHost(c), c.prometheus ?? 'http://prometheus.istio-system:9090');
          referenced.push(names[0]);
        }
      });
      same([...referenced].sort(), templates.map((t) => t.metadata.name).sort(), 'AnalysisTemplates emitted vs run (one per analysis step)');

      // Traffic routing names the VirtualService, its weighted route, the DestinationRule and its subsets.
      const stableName = c.stableSubsetName ?? 'stable';
      const canaryName = c.canarySubsetName ?? 'canary';
      const routeName = c.primaryRouteName ?? 'primary';
      same(r.spec.strategy.canary.trafficRouting, {
        istio: {
          virtualService: { name: vs.metadata.name, routes: [routeName] },
          destinationRule: { name: dr.metadata.name, stableSubsetName: stableName, canarySubsetName: canaryName },
        },
      }, 'trafficRouting');
      same([vs.metadata.namespace, dr.metadata.namespace], [r.metadata.namespace, r.metadata.namespace], 'VirtualService/DestinationRule in the Rollout\'s namespace');
      const subsets = dr.spec.subsets.map((s: any) => s.name);
      check(subsets.includes(stableName) && subsets.includes(canaryName), `subsets ${subsets}`);
      const primary = vs.spec.http.filter((route: any) => route.name === routeName);
      same(primary.length, 1, `routes named ${routeName}`);
      // The VirtualService starts at 100 % stable: the controller moves the weights.
      same(primary[0].route.map((d: any) => [d.destination.subset, d.weight]), [[stableName, 100], [canaryName, 0]], 'primary route weights');
      same(rollout!.ignoreDifferences.map((d) => [d.kind, d.name]), [['VirtualService', vs.metadata.name], ['DestinationRule', dr.metadata.name], ['Deployment', c.deployment]], 'ignoreDifferences');
      check(canary.virtualService !== undefined, 'the CanaryService keeps its VirtualService');

      expectDeterministic(h, manifests, buildArgo(c).h, compareYaml);
    });
    await fc.assert(property, params());
    await seen.expectSeen(['a duration beyond Go: refused', 'a duration of Go\'s last second: built', 'durations within Go: built'], property);
  }, timeoutFor(25));

  test('Argo promotes to 100 % when the steps end: unless waiveGates, a gated step (analysis or manual pause) comes before the canary first gets 100 %, or the CanaryService is PROP', async () => {
    const seen = coverage();
    const property = fc.asyncProperty(argoGateCase, async (c) => {
      const built = gateCase(seen, c.plan, 'argo', () => prepareArgo(c));
      if (built === undefined) return;
      if (argoProblem(c.plan) !== undefined || c.plan.waiveGates) return; // the duration refusal: the property above
      const steps: any[] = (built.rollout().rollout.toJson() as any).spec.strategy.canary.steps;
      let gate = false;
      for (const s of steps) {
        if (s.setWeight === 100 && !gate) throw new Error(`setWeight 100 before any gate: ${JSON.stringify(steps)}`);
        if (s.analysis || (s.pause && s.pause.duration === undefined)) gate = true;
      }
      check(gate, `Argo promotes to 100 % after ${JSON.stringify(steps)} (maxWeight ${c.plan.maxWeight ?? 100}) without a gate`);
    });
    await fc.assert(property, params());
    await seen.expectSeen(['below 100 %, ungated: refused', 'below 100 %, gated: built', 'below 100 %, waived: built', 'reaches 100 %, ungated: refused', 'reaches 100 %, gated: built'], property);
  }, timeoutFor(5));

  test('every duration in the Rollout and AnalysisTemplates is whole seconds, rounded up, that Argo (Go time.ParseDuration) and Prometheus can parse; a longer one is PROP', async () => {
    await fc.assert(fc.asyncProperty(argoCase, async (c) => {
      const { h, rollout: makeRollout } = prepareArgo(c);
      const problem = argoProblem(c.plan);
      let rollout: ArgoRollout;
      try {
        rollout = makeRollout();
      } catch (e) {
        refusedBy(e, h, 'rollout', problem ?? 'none expected');
        return;
      }
      check(problem === undefined, `built a Rollout with ${problem}`);
      const steps: any[] = (rollout.rollout.toJson() as any).spec.strategy.canary.steps;
      const durations: string[] = [
        ...steps.flatMap((s) => (s.pause?.duration !== undefined ? [s.pause.duration] : [])),
        ...rollout.analysisTemplates.flatMap((t) => (t.toJson() as any).spec.metrics.flatMap((m: any) => [m.initialDelay, /\[([0-9a-z]+)\]/.exec(m.provider.prometheus.query)![1]])),
      ];
      const bad = durations.filter((d) => !/^[1-9][0-9]*s$/.test(d) || !goDurationOk(d));
      check(bad.length === 0, `durations not whole seconds within Go's maximum (${GO_MAX_SECONDS}s): ${[...new Set(bad)].join(', ')}`);
      // Each is the plan's duration rounded up to a second: a timed pause's; an analysis stage's interval, twice per
      // metric (its initialDelay and its query window).
      const expected = c.plan.stages.flatMap((s, i) => {
        if (i === c.plan.stages.length - 1 && s.weight === 100) return [];
        if (s.hold.kind === 'timed') return [seconds(s.hold.duration.ms)];
        if (s.hold.kind !== 'analysis') return [];
        const window = seconds(intervalMs(s.hold.gate));
        const metrics = (s.hold.gate.rate !== undefined ? 1 : 0) + (s.hold.gate.latency !== undefined ? 1 : 0);
        return Array.from({ length: 2 * metrics }, () => window);
      });
      same([...durations].sort(), expected.sort(), 'rendered durations');
    }), params());
  }, timeoutFor(5));

  test('a Rollout lives with its workload: in the namespace of its Deployment (workloadRef), of the VirtualService and DestinationRule; they differ: ArgoRollout is PROP', async () => {
    const seen = coverage();
    const property = fc.asyncProperty(argoNamespaceCase, async (c) => {
      const ns = argoNamespaces(c);
      const { h, rollout: makeRollout } = prepareArgo(c);
      const problem = ns.deployment !== ns.service ? `Deployment in ${ns.deployment}, CanaryService in ${ns.service}` : argoProblem(c.plan);
      let error: unknown;
      try {
        makeRollout();
      } catch (e) {
        error = e;
      }
      seen.see(`${ns.deployment !== ns.service ? 'namespaces differ' : ns.deployment === c.namespace ? 'the chart\'s namespace' : 'one other namespace'}: ${error === undefined ? 'built' : 'refused'}`);
      if (problem !== undefined) {
        refusedBy(error, h, 'rollout', problem);
        return;
      }
      if (error !== undefined) throw new Error(`refused a Rollout with the Deployment and the CanaryService in ${ns.deployment}: ${describeError(error)}`);
      const manifests = h.chart.toJson();
      const nsOf = (kind: string) => manifests.filter((m) => m.kind === kind).map((m) => m.metadata?.namespace);
      same({ Rollout: nsOf('Rollout'), Deployment: nsOf('Deployment'), VirtualService: nsOf('VirtualService'), DestinationRule: nsOf('DestinationRule'), AnalysisTemplate: [...new Set(nsOf('AnalysisTemplate'))] },
        { Rollout: [ns.deployment], Deployment: [ns.deployment], VirtualService: [ns.deployment], DestinationRule: [ns.deployment], AnalysisTemplate: nsOf('AnalysisTemplate').length > 0 ? [ns.deployment] : [] },
        'namespaces (all the Deployment\'s)');
    });
    await fc.assert(property, params());
    await seen.expectSeen(['namespaces differ: refused', 'the chart\'s namespace: built', 'one other namespace: built'], property);
  }, timeoutFor(8));
});

// ---------------------------------------------------------------------------------------------------------
// 3. Flagger
// ---------------------------------------------------------------------------------------------------------

/** What a Flagger plan exercises, as a coverage label. */
function flaggerLabel(plan: PlanSpec): string {
  const problem = flaggerProblem(plan);
  if (problem === undefined) return 'runnable';
  if (problem.startsWith('step weights')) return flaggerSteps(plan)[0].weight === 0 ? 'first step at 0 %' : 'a repeated step weight';
  if (problem.startsWith('interval')) return 'interval beyond Go';
  return 'other';
}

describe(`Flagger handoff (${RUNS} runs)`, () => {
  test('a plan Flagger can run (the oracle) becomes a Canary that passes its CRD schema, with stepWeights below a final 100; any other is PROP; never a VirtualService or DestinationRule', async () => {
    const seen = coverage();
    const property = fc.asyncProperty(flaggerCase, yamlSample, async (c, compareYaml) => {
      const { h, warnings, service, canary } = buildFlagger(c);
      check(service.virtualService === undefined && service.destinationRule === undefined, 'the CanaryService kept a VirtualService or DestinationRule');
      const problem = flaggerProblem(c.plan);
      let error: unknown;
      try {
        canary();
      } catch (e) {
        error = e;
      }
      seen.see(`${flaggerLabel(c.plan)}: ${error === undefined ? 'built' : 'refused'}`);
      if (problem !== undefined) {
        refusedBy(error, h, 'flagger', problem);
        const left = synthIstio(h);
        same(left.filter((m) => VS_DR.has(m.kind) || m.kind === 'Canary').length, 0, 'Canaries/VirtualServices/DestinationRules after a refused FlaggerCanary');
        return;
      }
      if (error !== undefined) throw new Error(`refused a plan Flagger can run: ${describeError(error)}`);
      const manifests = synthIstio(h);
      same(manifests.map((m) => m.kind), ['Deployment', 'Canary'], 'kinds (Flagger generates the VirtualService and DestinationRules)');
      check(warnings.length === 0, `warnings:\n  ${warningText(warnings)}`);
      const k = manifests[1];
      same(canaryErrors(k), [], 'Canary CRD schema errors');
      same(k.metadata, { name: c.service, namespace: c.namespace }, 'Canary metadata (the apex Service)');
      same(k.spec.targetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: c.deployment }, 'targetRef');
      same(k.spec.service.port, c.port, 'service.port');

      const steps = flaggerSteps(c.plan);
      const gate = steps.flatMap((s) => (s.hold.kind === 'analysis' ? [s.hold.gate] : []))[0];
      const interval = seconds(gate ? intervalMs(gate) : (steps[0].hold as { duration: Dur }).duration.ms);
      same(k.spec.analysis, JSON.parse(JSON.stringify({
        interval, threshold: c.threshold ?? 5, stepWeights: steps.map((s) => s.weight),
        metrics: [
          ...(gate?.rate !== undefined ? [{ name: 'request-success-rate', thresholdRange: { min: gate.rate }, interval }] : []),
          ...(gate?.latency !== undefined ? [{ name: 'request-duration', thresholdRange: { max: gate.latency.ms }, interval }] : []),
        ],
      })), 'analysis');

      expectDeterministic(h, manifests, (() => { const again = buildFlagger(c); again.canary(); return again.h; })(), compareYaml);
    });
    await fc.assert(property, params());
    await seen.expectSeen(['runnable: built', 'first step at 0 %: refused', 'a repeated step weight: refused', 'interval beyond Go: refused', 'other: refused'], property);
  }, timeoutFor(20));

  test('Flagger promotes to 100 % after the last step weight: unless waiveGates, the Canary checks at least one metric, or the CanaryService is PROP', async () => {
    const seen = coverage();
    const property = fc.asyncProperty(flaggerGateCase, async (c) => {
      const built = gateCase(seen, c.plan, 'flagger', () => buildFlagger(c));
      if (built === undefined) return;
      if (c.plan.waiveGates || flaggerProblem(c.plan) !== undefined) return;
      const k = built.canary().canary.toJson() as any;
      check(k.spec.analysis.metrics.length > 0, `stepWeights ${JSON.stringify(k.spec.analysis.stepWeights)} then promotion with no metric checked (maxWeight ${c.plan.maxWeight ?? 100})`);
    });
    await fc.assert(property, params());
    await seen.expectSeen(['below 100 %, ungated: refused', 'below 100 %, gated: built', 'below 100 %, waived: built', 'reaches 100 %, ungated: refused', 'reaches 100 %, gated: built'], property);
  }, timeoutFor(5));

  test('Flagger can step through the Canary: stepWeights strictly increasing and the first above 0', async () => {
    // Flagger (pkg/controller/scheduler.go) advances or promotes only while nextStepWeight > 0, and nextStepWeight is
    // stepWeights[0] at weight 0, else the gap to the weight after the current one: a first weight 0 or a repeated
    // weight makes it 0, and the canary stays at that weight, neither advancing nor promoting, for good. Such plans
    // are refused (the first property); every Canary built steps through.
    await fc.assert(fc.asyncProperty(flaggerCase, async (c) => {
      let weights: number[];
      try {
        weights = (buildFlagger(c).canary().canary.toJson() as any).spec.analysis.stepWeights;
      } catch (e) {
        check(e instanceof IstioValidationError && e.code === 'PROP' && flaggerProblem(c.plan) !== undefined, `threw ${describeError(e)}`);
        return;
      }
      check(weights[0] > 0 && weights.every((w, i) => i === 0 || w > weights[i - 1]), `Flagger stalls on stepWeights ${JSON.stringify(weights)}`);
    }), params());
  }, timeoutFor(5));

  test('the Canary\'s intervals are whole seconds, rounded up, that Flagger (Go time.ParseDuration) can parse', async () => {
    await fc.assert(fc.asyncProperty(flaggerCase, async (c) => {
      let k: any;
      try {
        k = buildFlagger(c).canary().canary.toJson();
      } catch (e) {
        check(e instanceof IstioValidationError && e.code === 'PROP' && flaggerProblem(c.plan) !== undefined, `threw ${describeError(e)}`);
        return;
      }
      const durations: string[] = [k.spec.analysis.interval, ...k.spec.analysis.metrics.map((m: any) => m.interval)];
      const bad = durations.filter((d) => !/^[1-9][0-9]*s$/.test(d) || !goDurationOk(d));
      check(bad.length === 0, `intervals not whole seconds within Go's maximum (${GO_MAX_SECONDS}s): ${[...new Set(bad)].join(', ')}`);
    }), params());
  }, timeoutFor(5));

  test('a Canary lives with its target: in the namespace of the Deployment it names (targetRef) and of the CanaryService; they differ: FlaggerCanary is PROP', async () => {
    const seen = coverage();
    const property = fc.asyncProperty(flaggerNamespaceCase, async (c) => {
      const ns = flaggerNamespaces(c);
      const { h, canary } = buildFlagger(c);
      const problem = ns.deployment !== ns.service ? `Deployment in ${ns.deployment}, CanaryService in ${ns.service}` : flaggerProblem(c.plan);
      let error: unknown;
      try {
        canary();
      } catch (e) {
        error = e;
      }
      seen.see(`${ns.deployment !== ns.service ? 'namespaces differ' : ns.deployment === c.namespace ? 'the chart\'s namespace' : 'one other namespace'}: ${error === undefined ? 'built' : 'refused'}`);
      if (problem !== undefined) {
        refusedBy(error, h, 'flagger', problem);
        return;
      }
      if (error !== undefined) throw new Error(`refused a Canary with the Deployment and the CanaryService in ${ns.deployment}: ${describeError(error)}`);
      const manifests = h.chart.toJson();
      const nsOf = (kind: string) => manifests.filter((m) => m.kind === kind).map((m) => m.metadata?.namespace);
      same({ Canary: nsOf('Canary'), Deployment: nsOf('Deployment') }, { Canary: [ns.deployment], Deployment: [ns.deployment] }, 'namespaces (the Deployment\'s)');
      same(manifests.find((m) => m.kind === 'Canary')?.metadata?.name, c.service, 'Canary name (the apex Service)');
    });
    await fc.assert(property, params());
    await seen.expectSeen(['namespaces differ: refused', 'the chart\'s namespace: built', 'one other namespace: built'], property);
  }, timeoutFor(5));
});
