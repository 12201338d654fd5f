/**
 * CEL support for `x-kubernetes-validations` rules, built on `@bufbuild/cel`.
 *
 * The Kubernetes API server evaluates each rule with `self` bound to the
 * value of the schema node that carries it. This module reproduces that:
 *
 * - values are converted the way Kubernetes exposes them to CEL: JSON
 *   integers become CEL `int` (BigInt), other numbers CEL `double`, objects
 *   CEL maps (so `has(self.x)`, `self.x` and `self.all(key, ...)` work);
 * - the environment is the CEL standard library plus the `strings` extension
 *   (`substring`, `indexOf`, ...), which `@bufbuild/cel` ships in
 *   `@bufbuild/cel/ext`. No custom shim is needed for the rules of the Istio
 *   networking CRDs: `duration()` accepts Go duration strings ("1.5s",
 *   "1500ms", "1h2m", "500us") and `matches()` uses an RE2 engine;
 * - rules referencing `oldSelf` (transition rules) are recognised so callers
 *   can skip them: a single manifest has no old object.
 *
 * `@bufbuild/cel`'s `plan()` resolves functions lazily (an unknown function
 * only fails at evaluation time), so {@link compileRule} additionally checks
 * every function name in the parsed rule against the environment. A rule that
 * fails to parse or calls an unknown function reports a `compileError`
 * instead of throwing.
 */
import type * as Cel from '@bufbuild/cel';
import type { CelInput } from '@bufbuild/cel';
import { parseDuration } from '../core/grammar';
import { k8sCelFuncs } from './cel-url';

type Expr = ReturnType<typeof Cel.parse>['expr'];
type Program = ReturnType<typeof Cel.plan>;

/** Outcome of evaluating one rule: passed, returned false, or errored (with reason). */
export type RuleOutcome = 'pass' | 'fail' | { readonly error: string };

/** A CEL validation rule prepared for repeated evaluation. */
export interface CelRule {
  /** The rule source text. */
  readonly rule: string;
  /** True when the rule references `oldSelf` (a transition rule). */
  readonly transition: boolean;
  /** Set when the rule could not be compiled; `evaluate` then always errors. */
  readonly compileError?: string;
  /** Evaluates the rule with `self` bound to the JSON value `self`. Never throws. */
  evaluate(self: unknown, converter?: CelConverter): RuleOutcome;
}

/**
 * Operators the planner implements as special forms rather than as functions
 * in the environment's resolver (short-circuit logic, the ternary, and the
 * index operator `a[i]`, and the internal helper used by the `all`/`exists` macro expansions).
 */
const SPECIAL_FORMS = new Set(['_&&_', '_||_', '_?_:_', '_[_]', '@not_strictly_false']);

/** The CEL library and the shared environment (standard library, strings extension, Kubernetes' URL and IP functions). */
interface CelRuntime {
  readonly cel: typeof Cel;
  readonly env: ReturnType<typeof Cel.celEnv>;
}

/**
 * Loaded at the first rule compiled, not with this module: `@bufbuild/cel` takes about 150 ms to load, and most
 * manifests (a DestinationRule and VirtualService without durations) reach no CEL rule at all.
 */
let runtime: CelRuntime | undefined;

function celRuntime(): CelRuntime {
  if (!runtime) {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const cel = require('@bufbuild/cel') as typeof Cel;
    const { strings } = require('@bufbuild/cel/ext') as typeof import('@bufbuild/cel/ext');
    /* eslint-enable @typescript-eslint/no-require-imports */
    runtime = { cel, env: cel.celEnv({ funcs: [...strings, ...k8sCelFuncs(cel)] }) };
  }
  return runtime;
}

/** Cached primitive results per rule are capped at this many entries. */
const PRIMITIVE_CACHE_LIMIT = 1024;

/** Compiled rules keyed by source text (many CRD nodes share the same rule). */
const RULE_CACHE = new Map<string, CelRule>();

/**
 * Converts JSON values to CEL inputs the way Kubernetes exposes them.
 * Objects are converted once per converter instance, so one converter per
 * validated manifest avoids re-converting subtrees for nested rules.
 */
export class CelConverter {
  private readonly seen = new WeakMap<object, CelInput>();

  /** Converts a JSON value to its CEL representation. Throws on non-JSON input (e.g. functions). */
  public toCel(value: unknown): CelInput {
    switch (typeof value) {
      case 'string':
      case 'boolean':
        return value;
      case 'number':
        return Number.isInteger(value) ? BigInt(value) : value;
      case 'object': {
        if (value === null) return null;
        const cached = this.seen.get(value);
        if (cached !== undefined) return cached;
        let out: CelInput;
        if (Array.isArray(value)) {
          out = value.map((v) => this.toCel(v));
        } else {
          const map = new Map<string, CelInput>();
          for (const key of Object.keys(value)) {
            map.set(key, this.toCel((value as Record<string, unknown>)[key]));
          }
          out = map;
        }
        this.seen.set(value, out);
        return out;
      }
      default:
        throw new TypeError(`value of type ${typeof value} cannot be represented in CEL`);
    }
  }
}

/** Collects called function names and referenced identifiers of a parsed expression. */
function scan(expr: Expr | undefined, funcs: Set<string>, idents: Set<string>): void {
  if (!expr) return;
  const k = expr.exprKind;
  switch (k.case) {
    case 'identExpr':
      idents.add(k.value.name);
      break;
    case 'selectExpr':
      scan(k.value.operand, funcs, idents);
      break;
    case 'callExpr':
      funcs.add(k.value.function);
      scan(k.value.target, funcs, idents);
      k.value.args.forEach((a) => scan(a, funcs, idents));
      break;
    case 'listExpr':
      k.value.elements.forEach((e) => scan(e, funcs, idents));
      break;
    case 'structExpr':
      for (const entry of k.value.entries) {
        if (entry.keyKind.case === 'mapKey') scan(entry.keyKind.value, funcs, idents);
        scan(entry.value, funcs, idents);
      }
      break;
    case 'comprehensionExpr': {
      const c = k.value;
      [c.iterRange, c.accuInit, c.loopCondition, c.loopStep, c.result].forEach((e) => scan(e, funcs, idents));
      break;
    }
    default:
      break;
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * A rule prepared for evaluation, parsed and planned at its first evaluation (cached by rule text). Never throws:
 * problems are reported through `compileError`. Whether it is a transition rule is known without compiling it when
 * its text does not mention `oldSelf`.
 */
export function compileRule(rule: string): CelRule {
  const cached = RULE_CACHE.get(rule);
  if (cached) return cached;
  const compiled = /\boldSelf\b/.test(rule) ? planRule(rule) : new LazyRule(rule, Object.prototype.hasOwnProperty.call(SHORTCUTS, rule) ? SHORTCUTS[rule] : undefined);
  RULE_CACHE.set(rule, compiled);
  return compiled;
}

/**
 * The verdict of a rule for values whose answer is plain, computed without the CEL library; `undefined` for any other
 * value, which CEL then evaluates (so every error, overload question and edge case is CEL's own answer).
 */
type Shortcut = (self: unknown) => 'pass' | 'fail' | undefined;

/** Whole numbers of h, m, s or ms, e.g. `1h30m`, `250ms`: what Go's time.ParseDuration and CEL's duration() read alike. */
const PLAIN_DURATION = /^(?:[0-9]{1,9}(?:h|ms|m|s))+$/;
/** Plain durations stay far below the Go (292 years) and CEL (10,000 years) limits: 290 years in ms. */
const MAX_PLAIN_MS = 290 * 365 * 24 * 3_600_000;

/** The milliseconds of a plain duration (core/grammar reads it, as X-01 does), else undefined. */
function plainDurationMs(text: string): number | undefined {
  const ms = PLAIN_DURATION.test(text) ? parseDuration(text) : undefined;
  return ms !== undefined && ms <= MAX_PLAIN_MS ? ms : undefined;
}

/**
 * The three most frequent rules of the bundled CRDs (duration floors on every timeout, port ranges, no wildcard),
 * answered directly for the plain values they nearly always meet: most manifests then never load the CEL library.
 */
const SHORTCUTS: Readonly<Record<string, Shortcut>> = Object.freeze({
  "duration(self) >= duration('1ms')": (self: unknown) => {
    const ms = typeof self === 'string' ? plainDurationMs(self) : undefined;
    return ms === undefined ? undefined : ms >= 1 ? 'pass' : 'fail';
  },
  '0 < self && self <= 65535': (self: unknown) => (Number.isSafeInteger(self) ? ((self as number) > 0 && (self as number) <= 65535 ? 'pass' : 'fail') : undefined),
  '!self.contains("*")': (self: unknown) => (typeof self === 'string' ? (self.includes('*') ? 'fail' : 'pass') : undefined),
});

/** A rule without `oldSelf`: planned when it is first evaluated (past its shortcut) or asked for its compile error. */
class LazyRule implements CelRule {
  public readonly transition = false;
  private planned?: CelRule;

  constructor(public readonly rule: string, private readonly shortcut?: Shortcut) {}

  public get compileError(): string | undefined {
    return this.plan().compileError;
  }

  public evaluate(self: unknown, converter?: CelConverter): RuleOutcome {
    return this.shortcut?.(self) ?? this.plan().evaluate(self, converter);
  }

  private plan(): CelRule {
    return (this.planned ??= planRule(this.rule));
  }
}

/** Parses and plans a rule: a broken rule when it does not parse or calls a function the environment lacks. */
function planRule(rule: string): CelRule {
  const { cel, env } = celRuntime();
  try {
    const parsed = cel.parse(rule);
    const funcs = new Set<string>();
    const idents = new Set<string>();
    scan(parsed.expr, funcs, idents);
    const unknown = [...funcs].filter((f) => !SPECIAL_FORMS.has(f) && !env.funcs.find(f));
    if (unknown.length > 0) return brokenRule(rule, idents.has('oldSelf'), `unknown CEL function(s): ${unknown.join(', ')}`);
    return new PlannedRule(rule, idents.has('oldSelf'), cel.plan(env, parsed));
  } catch (e) {
    return brokenRule(rule, /\boldSelf\b/.test(rule), `CEL compile error: ${errorText(e)}`);
  }
}

function brokenRule(rule: string, transition: boolean, compileError: string): CelRule {
  const outcome = { error: compileError };
  return { rule, transition, compileError, evaluate: () => outcome };
}

/** A successfully planned rule. Results for primitive `self` values are memoised (rules are pure). */
class PlannedRule implements CelRule {
  private readonly primitiveResults = new Map<unknown, RuleOutcome>();

  constructor(
    public readonly rule: string,
    public readonly transition: boolean,
    private readonly program: Program,
  ) {}

  public evaluate(self: unknown, converter: CelConverter = new CelConverter()): RuleOutcome {
    const primitive = self === null || typeof self !== 'object';
    if (primitive) {
      const hit = this.primitiveResults.get(self);
      if (hit !== undefined) return hit;
    }
    const outcome = this.run(self, converter);
    if (primitive) {
      if (this.primitiveResults.size >= PRIMITIVE_CACHE_LIMIT) this.primitiveResults.clear();
      this.primitiveResults.set(self, outcome);
    }
    return outcome;
  }

  private run(self: unknown, converter: CelConverter): RuleOutcome {
    try {
      const result = this.program({ self: converter.toCel(self) });
      if (celRuntime().cel.isCelError(result)) return { error: `CEL evaluation error: ${result.message}` };
      if (typeof result !== 'boolean') return { error: 'CEL rule did not evaluate to a bool' };
      return result ? 'pass' : 'fail';
    } catch (e) {
      return { error: `CEL evaluation error: ${errorText(e)}` };
    }
  }
}
