import { Severity, Violation } from '../errors';
import { IntentFacts } from './intent';

/** The Istio kinds the rules read. */
export type IstioKind = 'VirtualService' | 'DestinationRule' | 'ServiceEntry' | 'Gateway';

/** The networking.istio.io kinds, in make-before-break apply order. */
export const ISTIO_KINDS: readonly IstioKind[] = ['ServiceEntry', 'Gateway', 'DestinationRule', 'VirtualService'];

/** One rendered Istio object as the rules see it. */
export interface IstioObject {
  readonly kind: IstioKind;
  readonly name: string;
  /** `metadata.namespace`, if set. */
  readonly namespace?: string;
  /** `spec` (an empty object when missing or malformed). */
  readonly spec: any;
  /** The whole manifest. */
  readonly manifest: any;
  /** Where to report: construct path at synth, `file:line` in lint. */
  readonly path: string;
  /** What the emitting construct knows (see {@link IntentFacts}). */
  readonly facts: IntentFacts;
}

/** A violation found by a rule, before the engine stamps code and path on it. */
export interface Finding {
  readonly message: string;
  readonly fix: string;
  /** @default the rule's severity */
  readonly severity?: Severity;
  readonly value?: unknown;
  readonly allowed?: string;
}

/** A finding of an App-scope rule, naming the object it is about. */
export interface AppFinding extends Finding {
  readonly object: IstioObject;
}

/** Everything an App-scope rule can see. */
export interface RuleContext {
  readonly objects: readonly IstioObject[];
  ofKind(kind: IstioKind): readonly IstioObject[];
}

/** Documentation of a rule (docs/rules.md is generated from these). */
export interface RuleDoc {
  /** Catalogue ID, e.g. `VS-18`. */
  readonly code: string;
  /** One-line statement of the invariant. */
  readonly title: string;
  /** Severity of the rule's main case; some rules also raise the other level (see `levels`). */
  readonly severity: Severity;
  /** `E`, `W` or `E/W` as in the catalogue. */
  readonly levels: 'E' | 'W' | 'E/W';
  /** `self` (one object) or `app` (across objects). */
  readonly scope: 'self' | 'app';
  /** Why it matters. */
  readonly why: string;
  /** How to fix it. */
  readonly fix: string;
  /** Upstream origin (istioctl IST codes, webhook checks, Kiali KIA codes, derivations). */
  readonly upstream: string;
}

/** A rule: documentation plus a check of one object (`self`) or of the whole App (`app`). */
export interface Rule extends RuleDoc {
  /** Kinds a `self` rule applies to. */
  readonly kinds: readonly IstioKind[];
  checkObject?(object: IstioObject): Finding[];
  checkApp?(context: RuleContext): AppFinding[];
}

/** Options of {@link runRules}. */
export interface RunOptions {
  /** Treat warnings as errors. @default false */
  readonly strict?: boolean;
}

/** The outcome of a rule run. */
export interface RuleReport {
  readonly errors: Violation[];
  readonly warnings: Violation[];
}

/** Runs every rule over every object once and sorts the findings into errors and warnings. */
export function runRules(objects: readonly IstioObject[], rules: readonly Rule[], options: RunOptions = {}): RuleReport {
  const byKind = new Map<IstioKind, IstioObject[]>();
  for (const o of objects) {
    const list = byKind.get(o.kind) ?? [];
    list.push(o);
    byKind.set(o.kind, list);
  }
  const context: RuleContext = { objects, ofKind: (kind) => byKind.get(kind) ?? [] };
  const errors: Violation[] = [];
  const warnings: Violation[] = [];
  const add = (rule: Rule, object: IstioObject, f: Finding) => {
    const severity = options.strict ? Severity.ERROR : (f.severity ?? rule.severity);
    const v: Violation = {
      code: rule.code, severity, path: object.path, message: f.message, fix: f.fix,
      ...(f.value !== undefined ? { value: f.value } : {}), ...(f.allowed !== undefined ? { allowed: f.allowed } : {}),
    };
    (severity === Severity.ERROR ? errors : warnings).push(v);
  };
  for (const rule of rules) {
    if (rule.checkObject) {
      for (const kind of rule.kinds) {
        for (const object of byKind.get(kind) ?? []) {
          for (const f of guard(rule, () => rule.checkObject!(object))) add(rule, object, f);
        }
      }
    }
    if (rule.checkApp) {
      for (const f of guard(rule, () => rule.checkApp!(context))) add(rule, f.object, f);
    }
  }
  return { errors, warnings };
}

/** A rule must never crash the run: a throw becomes an error finding (and is a bug to fix). */
function guard<T>(rule: Rule, run: () => T[]): T[] {
  try {
    return run();
  } catch (e) {
    throw new Error(`rule ${rule.code} crashed: ${(e as Error).message}`);
  }
}
