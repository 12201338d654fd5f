import { rulesDocUrl } from './package-info';
/**
 * Severity of a rule finding. `error` fails synth (and `lint`); `warning` is reported and synth goes on.
 */
export enum Severity {
  ERROR = 'error',
  WARNING = 'warning',
}

/**
 * One rule violation: what is wrong, where, and how to fix it.
 */
export interface Violation {
  /** Rule code from the catalogue, e.g. `VS-18` (see docs/rules.md). */
  readonly code: string;
  /** `error` fails synth; `warning` is reported. */
  readonly severity: Severity;
  /** Construct path (at synth) or `file:line` (in `lint`) of the offending object. */
  readonly path: string;
  /** What is wrong, naming the field and the value received. */
  readonly message: string;
  /** What to do about it. */
  readonly fix: string;
  /** The offending value, when there is one. @default - none */
  readonly value?: unknown;
  /** What is allowed, e.g. `1-65535` or `>= 1ms`. @default - none */
  readonly allowed?: string;
}

/** The rule documentation every message links to (shipped in the package; absolute URL from `repository`). */
export const RULES_DOC = 'docs/rules.md';

/** Violations an IstioValidationError's message lists at most (`violations` holds every one). */
const MAX_LISTED = 200;

/** Renders one violation as a single line: `[path] CODE: message. fix (see <docs URL>)`. */
export function formatViolation(v: Violation): string {
  const sentence = v.message.endsWith('.') ? v.message : `${v.message}.`;
  return `[${v.path}] ${v.code}: ${sentence} ${v.fix} (see ${rulesDocUrl(v.code)})`;
}

/**
 * The one error class for validation failures, thrown by constructors and `add…` methods (every problem of the
 * construct at once, each at the construct's path: its props, and the value classes it was given — a value-class
 * factory does not throw, its problems are listed by the construct that takes the value, the prop and the factory
 * in front of the message) and by the synth-time rule engine (every error-level violation of the App at once).
 *
 * `code`, `path`, `value`, `allowed` and `fix` describe the first violation; `violations` holds all of them. They are
 * not enumerable and the stack is left out (set `CDK8S_ISTIO_TRAFFIC_STACK=1` to keep it), so an uncaught error
 * prints its message once: one line per violation.
 *
 * TypeScript and JavaScript only: jsii cannot represent a subclass of `Error`, so in Python, Java, Go and .NET
 * the failure arrives as the jsii runtime's exception whose message is this error's message (every line is
 * `[path] CODE: message. fix`). To inspect violations as data in any language, call `Rules.of(app).check()`,
 * which returns a `RuleReport` instead of throwing.
 *
 * @jsii ignore
 */
export class IstioValidationError extends Error {
  /** Rule code of the first violation, e.g. `X-01`. */
  public readonly code: string;
  /** Construct path of the first violation. */
  public readonly path: string;
  /** Offending value of the first violation. @default - none: the first violation has no `value` */
  public readonly value?: unknown;
  /** Allowed range of the first violation. @default - none: the first violation has no `allowed` */
  public readonly allowed?: string;
  /** Fix of the first violation. */
  public readonly fix: string;
  /** Every violation this error reports (at least one). */
  public readonly violations: readonly Violation[];

  constructor(violations: readonly Violation[]) {
    if (violations.length === 0) {
      throw new Error('IstioValidationError needs at least one violation');
    }
    const lines = violations.slice(0, MAX_LISTED).map(formatViolation);
    if (violations.length > MAX_LISTED) lines.push(`… and ${violations.length - MAX_LISTED} more (all of them in the error's violations)`);
    super(violations.length === 1
      ? lines[0]
      : `${violations.length} Istio traffic rule violations:\n  ${lines.join('\n  ')}`);
    this.name = 'IstioValidationError';
    const first = violations[0];
    this.code = first.code;
    this.path = first.path;
    this.value = first.value;
    this.allowed = first.allowed;
    this.fix = first.fix;
    this.violations = violations;
    // One clean screen when uncaught: Node prints an error's enumerable properties after it (here a second copy
    // of every violation) and its stack (frames inside cdk8s and this library). The fields stay readable; set
    // CDK8S_ISTIO_TRAFFIC_STACK=1 to keep the stack.
    for (const key of ['code', 'path', 'value', 'allowed', 'fix', 'violations']) Object.defineProperty(this, key, { enumerable: false });
    if (!process.env.CDK8S_ISTIO_TRAFFIC_STACK) this.stack = `${this.name}: ${this.message}`;
  }
}

/** Input to {@link fail}: a violation whose severity is always `error`. */
export type ErrorDetails = Omit<Violation, 'severity'>;

/** Throws an {@link IstioValidationError} for a single error-level violation. */
export function fail(details: ErrorDetails): never {
  throw new IstioValidationError([{ ...details, severity: Severity.ERROR }]);
}

/** Code of findings that the CRD schema or its CEL rules reject (the API server would refuse the object). */
export const SCHEMA_CODE = 'SCHEMA';
/** Code of findings about suppressions themselves (unknown rule code, no reason). */
export const SUPPRESSION_CODE = 'SUPPRESSION';
/**
 * Code of construct and value-class errors about the shape of props (a value of the wrong type passed through
 * `as any`, a string where a list is expected, an empty list where entries are needed): nothing a rule checks.
 */
export const PROP_CODE = 'PROP';

/**
 * Code of synth errors about values cdk8s would write so that kubectl or a YAML 1.2 reader reads them back as
 * something else (`0o17` as an integer, U+2028 as a line break): the applied object would not be what was built.
 */
export const YAML_CODE = 'YAML';

/**
 * Code of findings about two different objects with one identity (kind, namespace, name): `kubectl apply` and Argo CD
 * keep only the last one, so the other's routes or policies silently disappear.
 */
export const DUPLICATE_CODE = 'DUPLICATE';
