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
    workloads: options.workloads ?? [], services: options.services ?? [], egressPolicies: options.egressPolicies ?? [], inventory: options.inventory, callChain: options.callChain,
    memo: <T>(key: string, build: () => T): T => {
      if (!memos.has(key)) memos.set(key, build());
      return memos.get(key) as T;
    },
  };
  const report: RuleReport = { errors: [], warnings: [], suppressed: [] };
  const add = (rule: Rule, object: IstioObject, f: Finding) => {
    const severity = options.strict ? Severity.ERROR : (f.severity ?? rule.severity);
    const v: Violation = {
      code: rule.code, severity, path: object.path, message: f.message, fix: f.fix,
      ...(f.value !== undefined ? { value: f.value } : {}), ...(f.allowed !== undefined ? { allowed: f.allowed } : {}),
    };
    const reason = object.suppressions?.get(rule.code);
    if (reason) report.suppressed.push({ ...v, reason });
    else (severity === Severity.ERROR ? report.errors : report.warnings).push(v);
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
  return notChecked.length > 0 ? { ...report, notChecked } : report;
}

/** A rule must never crash the run: a throw is a bug in the rule, reported with the rule's code. */
function guard<T>(rule: Rule, run: () => T[]): T[] {
  try {
    return run();
  } catch (e) {
    throw new Error(`rule ${rule.code} crashed (a bug in cdk8s-istio-traffic, please report it): ${(e as Error).message}`);
  }
}
