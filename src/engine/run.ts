import { Severity, Violation } from '../core/errors';
import { Finding, IstioKind, IstioObject, Rule, RuleContext, RuleReport, RunOptions } from './types';
/** The rule run: every enabled rule over every object once, findings sorted into errors, warnings and suppressed. */

/** Runs every enabled rule over every object once and sorts the findings into errors, warnings and suppressed. */
export function runRules(objects: readonly IstioObject[], rules: readonly Rule[], options: RunOptions = {}): RuleReport {
  const byKind = new Map<IstioKind, IstioObject[]>();
  for (const o of objects) {
    const list = byKind.get(o.kind) ?? [];
    list.push(o);
    byKind.set(o.kind, list);
  }
  const memos = new Map<string, unknown>();
  const notChecked: string[] = [];
  const context: RuleContext = {
    complete: options.complete !== false,
    notChecked: (note) => { notChecked.push(note); },
    objects, ofKind: (kind) => byKind.get(kind) ?? [],
    workloads: options.workloads ?? [], services: options.services ?? [], egressPolicies: options.egressPolicies ?? [], rollouts: options.rollouts ?? [], inventory: options.inventory, callChain: options.callChain,
    memo: <T>(key: string, build: () => T): T => {
      if (!memos.has(key)) memos.set(key, build());
      return memos.get(key) as T;
    },
  };
  const report: RuleReport = { errors: [], warnings: [], suppressed: [] };
  const budget = options.maxFindings ?? DEFAULT_MAX_FINDINGS;
  const omitted = { errors: 0, warnings: 0, suppressed: 0 };
  const add = (rule: Rule, object: IstioObject, f: Finding) => {
    const severity = options.strict ? Severity.ERROR : (f.severity ?? rule.severity);
    const reason = object.suppressions?.get(rule.code);
    const list = reason ? 'suppressed' : severity === Severity.ERROR ? 'errors' : 'warnings';
    // Past the budget (per list: errors are never crowded out by warnings) a finding is counted, not kept, so
    // pathological input cannot fill memory with findings.
    if (report[list].length >= budget) {
      omitted[list]++;
      return;
    }
    const v: Violation = {
      code: rule.code, severity, path: object.path, message: clip(f.message, MAX_MESSAGE), fix: f.fix,
      ...(f.value !== undefined ? { value: typeof f.value === 'string' ? clip(f.value, MAX_DETAIL) : f.value } : {}),
      ...(f.allowed !== undefined ? { allowed: clip(f.allowed, MAX_DETAIL) } : {}),
    };
    if (reason) report.suppressed.push({ ...v, reason });
    else report[list as 'errors' | 'warnings'].push(v);
  };
  const enabled = new Set(options.enable ?? []);
  for (const rule of rules) {
    if (rule.optIn && !enabled.has(rule.code)) continue;
    if (rule.checkObject) {
      // One guard per rule (not per object): a rule runs over thousands of objects.
      const check = rule.checkObject.bind(rule);
      guard(rule, () => {
        for (const kind of rule.kinds) {
          for (const object of byKind.get(kind) ?? []) {
            for (const f of check(object)) add(rule, object, f);
          }
        }
        return [];
      });
    }
    if (rule.checkApp) {
      for (const f of guard(rule, () => rule.checkApp!(context))) add(rule, f.object, f);
    }
  }
  const dropped = omitted.errors + omitted.warnings + omitted.suppressed > 0 ? { omitted } : {};
  const out: RuleReport = { ...report, ...(notChecked.length > 0 ? { notChecked } : {}), ...dropped };
  runStates.set(out, { context, memos });
  return out;
}

/** What a rule run read and built (its context, the memos its rules shared), for what renders from its report. */
export interface RunState {
  readonly context: RuleContext;
  readonly memos: ReadonlyMap<string, unknown>;
}

/** The state of each rule run, weakly keyed by its report (and the reports built from it): it goes when they go. */
const runStates = new WeakMap<object, RunState>();

/** The state of the rule run that produced `report` (the traffic report reuses its call graph and inputs), if known. */
export function runStateOf(report: object): RunState | undefined {
  return runStates.get(report);
}

/** Lets `to`, a report built from `from`, answer {@link runStateOf} as `from` does. */
export function shareRunState(from: object, to: object): void {
  const state = runStates.get(from);
  if (state) runStates.set(to, state);
}

/** Findings a run keeps at most by default (the rest are counted in `omitted`). */
export const DEFAULT_MAX_FINDINGS = 100_000;
/** Longest message kept (characters); rules keep theirs far shorter, this bounds what input can make of them. */
const MAX_MESSAGE = 2000;
/** Longest `value` or `allowed` string kept. */
const MAX_DETAIL = 500;

/** `text` cut to `max` characters, saying how much was cut. */
function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/** A rule must never crash the run: a throw is a bug in the rule, reported with the rule's code. */
function guard<T>(rule: Rule, run: () => T[]): T[] {
  try {
    return run();
  } catch (e) {
    throw new Error(`rule ${rule.code} crashed (a bug in cdk8s-istio-traffic, please report it): ${(e as Error).message}`);
  }
}
