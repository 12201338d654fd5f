/**
 * The throwing side of the core checks, for value classes and constructs: each helper runs the pure check of
 * its invariant and turns a problem into an {@link IstioValidationError} with the rule's code, the construct
 * path (or factory name), the offending value, what is allowed and the fix.
 *
 * How problems reach the user (one error per construct, naming the construct) is ./problems: a value-class factory
 * builds its instance in `buildValue`, so a problem makes an invalid instance instead of a throw; the construct (or
 * factory) that takes the value calls `raiseInvalid`, which re-paths the problems to itself; a constructor runs its
 * independent checks in a `Problems` collector and throws them all at once.
 */
import { Duration } from 'cdk8s';
import { Check } from './check';
import { fail, IstioValidationError, PROP_CODE, Severity, Violation } from './errors';
import { durationProblem, formatMillis, labelKeyProblem, labelValueProblem, portProblem, unrenderableKeyProblem } from './grammar';
import { HostGrammarOptions, hostProblem } from './hosts';
import { defineEntry } from './json';
import { show, text } from './text';

/** Where a value comes from: the construct path (or factory name) and the prop, for error messages. */
export interface Where {
  readonly path: string;
  readonly prop: string;
}

/** How to report a failed check: where, the value shown, what is allowed and the fix. */
export interface Report extends Where {
  /** The offending value. @default - the first argument of the check */
  readonly value?: unknown;
  readonly allowed?: string;
  readonly fix: string;
  /** The message, given the problem the check found. @default `${prop} ${problem}` */
  readonly message?: (problem: string) => string;
}

/**
 * Runs `check` on `args` and throws an {@link IstioValidationError} with the check's rule code when it finds a
 * problem: the one way value classes and constructs raise a catalogue code. `reportOf` is the report, or a function
 * that builds it.
 */
export function enforce<A extends unknown[]>(check: Check<A>, args: A, reportOf: Report | (() => Report)): void {
  const problem = check(...args);
  if (problem === undefined) return;
  // A function builds the report only for a problem (hot paths: a check passes thousands of times per synth).
  const report = typeof reportOf === 'function' ? reportOf() : reportOf;
  fail({
    code: check.code, path: report.path, value: 'value' in report ? report.value : args[0], allowed: report.allowed, fix: report.fix,
    message: report.message ? report.message(problem) : `${report.prop} ${problem}`,
  });
}

/** What {@link propError} reports. */
export interface PropDetails {
  /** The offending value. */
  readonly value: unknown;
  /** The error's `value` field. @default show(value) */
  readonly shown?: unknown;
  /** What the prop must be (the error's `allowed`). */
  readonly expected: string;
  readonly fix: string;
  /** @default `${prop} ${show(value)} is not ${expected}` */
  readonly message?: string;
}

/**
 * Throws a `PROP` error: a prop without the shape the API declares (wrong type through `as any`, a string where
 * a list is expected, an empty list where entries are needed). Nothing a rule checks.
 */
export function propError(where: Where, details: PropDetails): never {
  return fail({
    code: PROP_CODE, path: where.path, value: 'shown' in details ? details.shown : show(details.value), allowed: details.expected,
    message: details.message ?? `${where.prop} ${show(details.value)} is not ${details.expected}`, fix: details.fix,
  });
}

/** Throws PROP unless `value` is an array (props typed as lists, passed through `as any`). Returns it. */
export function checkList<T>(value: readonly T[], prop: string, path: string): readonly T[] {
  if (!Array.isArray(value)) propError({ path, prop }, { value, expected: 'a list', fix: `Pass ${prop} as an array.` });
  // A hole (`[, x]`) is skipped by forEach and map: it would vanish from the output instead of being refused.
  for (let i = 0; i < value.length; i++) {
    if (!(i in value)) propError({ path, prop: `${prop}[${i}]` }, { value: undefined, shown: 'a hole', expected: 'an entry', message: `${prop}[${i}] is a hole in the list`, fix: `Remove the empty slot from ${prop}.` });
  }
  return value;
}

/** Label maps hold at most this many labels (Istio's cap on `workloadSelector.matchLabels`, maxProperties). */
export const MAX_LABELS = 4096;

/** A plain data object (`{ … }`, `Object.create(null)`): not a Map, Date, class instance, list or primitive. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  let proto: unknown;
  try {
    proto = Object.getPrototypeOf(value);
  } catch {
    return false; // a Proxy that refuses: not plain data
  }
  return proto === Object.prototype || proto === null;
}

/**
 * Throws PROP for a key of a struct that the API does not declare (`requests` for `request`, `allowOrigin` for
 * `allowOrigins`): a misspelt field would otherwise be dropped in silence.
 */
export function checkKeys(value: Record<string, unknown>, allowed: readonly string[], where: Where): void {
  // Every unknown key at once: two misspelt fields are two lines of one error.
  const found: Violation[] = [];
  for (const key of Object.keys(value)) {
    if (allowed.includes(key)) continue;
    const near = allowed.find((a) => a.toLowerCase().startsWith(key.toLowerCase().slice(0, 4)) || key.toLowerCase().startsWith(a.toLowerCase()));
    found.push({
      code: PROP_CODE, severity: Severity.ERROR, path: where.path, value: key, allowed: `one of ${allowed.join(', ')}`,
      message: `${where.prop} has no field ${JSON.stringify(key)}`, fix: near ? `Did you mean ${near}?` : `Use the fields ${allowed.join(', ')}.`,
    });
  }
  if (found.length > 0) throw new IstioValidationError(found);
}

/**
 * Runs `read` (which reads caller-supplied props) and turns anything it throws that is not an
 * IstioValidationError — a Proxy or getter that throws, a revoked object — into a PROP error at `where`.
 */
export function readingProps<T>(where: Where, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof IstioValidationError) throw e;
    return propError(where, {
      value: undefined, shown: e instanceof Error ? e.message : String(e), expected: 'props that can be read',
      message: `${where.prop} could not be read (${e instanceof Error ? `${e.name}: ${e.message}` : String(e)})`,
      fix: 'Pass plain data objects (no Proxies or getters that throw).',
    });
  }
}

/** Renders a cdk8s `Duration` as an Istio duration string; throws X-01 below 1 ms or with sub-ms precision. */
export function renderDuration(duration: Duration, where: Where): string {
  // Duck-typed, not instanceof: an app may load another copy of cdk8s. Read once, guarded (a Proxy may throw).
  const method = readingProps(where, () => (duration as { toMilliseconds?: unknown } | null)?.toMilliseconds);
  if (typeof method !== 'function') {
    propError(where, {
      value: duration, expected: 'a cdk8s Duration', message: `${where.prop} ${show(duration)} is not a cdk8s Duration`,
      fix: `Pass a Duration, e.g. ${where.prop}: Duration.seconds(5) (import { Duration } from 'cdk8s').`,
    });
  }
  let ms: number;
  try {
    ms = duration.toMilliseconds({ integral: false });
  } catch {
    ms = Number.NaN;
  }
  enforce(durationProblem, [ms], () => ({
    ...where, allowed: '>= 1ms, whole milliseconds',
    message: (problem) => `${where.prop} ${problem} (received ${Number.isFinite(ms) ? `${ms}ms` : String(ms)})`,
    fix: `Use a Duration of at least 1ms in whole milliseconds, e.g. Duration.millis(${Math.max(1, Math.round(Number.isFinite(ms) ? ms : 1))}).`,
  }));
  return formatMillis(ms);
}

/** Milliseconds of an already validated duration. */
export function millisOf(duration: Duration): number {
  return duration.toMilliseconds({ integral: false });
}

/** Throws X-02 unless `port` is an integer 1-65535. */
export function checkPort(port: number, where: Where): number {
  enforce(portProblem, [port], () => ({ ...where, allowed: '1-65535', message: (problem) => `${where.prop} ${show(port)} ${problem}`, fix: 'Use a port number between 1 and 65535.' }));
  return port;
}

/** Throws X-03 unless `host` follows the hostname grammar. */
export function checkHost(host: string, where: Where, options: HostGrammarOptions = {}): string {
  // A number or a symbol where a host belongs is the wrong type (PROP), not an empty host (X-03).
  if (typeof host !== 'string' && host !== undefined && host !== null) {
    propError(where, { value: host, expected: 'a hostname string', fix: 'Pass the host as a string, e.g. "reviews.bookinfo.svc.cluster.local".' });
  }
  enforce(hostProblem, [host, options], () => ({
    ...where, value: host, allowed: options.allowWildcard ? 'DNS-1123 hostname, optional leading "*." label' : 'DNS-1123 hostname',
    message: (problem) => `${where.prop} ${show(typeof host === 'string' && host.length > 80 ? `${host.slice(0, 80)}…` : host)} ${problem}`,
    fix: 'Use a hostname such as "reviews.bookinfo.svc.cluster.local" or "api.example.com".',
  }));
  return host;
}

/**
 * Throws X-08 unless every key and value of `labels` is valid Kubernetes label syntax, and PROP for a key cdk8s
 * cannot synthesize (`__proto__`, `constructor`). Returns a sorted copy.
 */
export function checkLabels(labels: Record<string, string>, where: Where): Record<string, string> {
  if (!isPlainObject(labels)) {
    propError(where, { value: labels, shown: readingProps(where, () => show(labels)), expected: 'a map of label keys to values', message: `${where.prop} is not a map of labels`, fix: 'Pass labels as an object, e.g. { version: "v2" }.' });
  }
  const count = readingProps(where, () => {
    const keys = Object.keys(labels);
    keys.forEach((k) => void labels[k]);
    return keys.length;
  });
  // Refused before any per-label work: cdk8s's generated toJson copies a map once per key (quadratic).
  if (count > MAX_LABELS) {
    propError(where, {
      value: count, shown: count, expected: `at most ${MAX_LABELS} labels`,
      message: `${where.prop} has ${count} labels; Istio caps label selectors at ${MAX_LABELS} (workloadSelector.matchLabels)`,
      fix: 'Select pods by the few labels that tell them apart, e.g. { app: "reviews", version: "v2" }.',
    });
  }
  const out: Record<string, string> = {};
  for (const key of Object.keys(labels).sort()) {
    const value = labels[key];
    // Built only for a problem: a valid label is the common case.
    const report = () => ({
      ...where, value: `${key}=${text(value)}`, allowed: 'Kubernetes label syntax',
      message: (problem: string) => `${where.prop} entry "${key}: ${text(value)}" ${problem}`,
      fix: 'Use label keys and values such as "version: v2".',
    });
    enforce(labelKeyProblem, [key], report);
    const unrenderable = unrenderableKeyProblem(key);
    if (unrenderable) {
      const r = report();
      propError(where, { value: key, shown: r.value, expected: 'a label key cdk8s can synthesize', message: r.message(unrenderable), fix: r.fix });
    }
    enforce(labelValueProblem, [value], report);
    defineEntry(out, key, value);
  }
  return out;
}

/**
 * {@link checkOptions}, then a copy of `options` read once (a getter or Proxy that throws on a second read is PROP
 * here, not a TypeError later): for a constructor that hands its props on and reads them again.
 */
export function readOptions<T>(options: T, where: Where, fix: string): T {
  checkOptions(options, where, fix);
  return readingProps(where, () => ({ ...options }));
}

/**
 * Throws PROP unless `options` is an object (not null, a list or a primitive): the options argument of a
 * factory or the props of a construct, called from JavaScript without them or with the wrong type.
 */
export function checkOptions<T>(options: T, where: Where, fix: string): T {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    propError(where, { value: options, expected: 'an object', message: `${where.prop} ${show(options)} is not an object`, fix });
  }
  // Options are plain data (jsii passes structs by value): an instance of a class (an HttpMatch where a route
  // belongs, a construct) is a slip that would otherwise read as "nothing set". Every field is read once here, so
  // a Proxy or getter that throws is PROP, not a TypeError later.
  const proto = readingProps(where, () => {
    const p = Object.getPrototypeOf(options);
    for (const key of Object.keys(options as object)) void (options as Record<string, unknown>)[key];
    return p;
  });
  if (proto !== Object.prototype && proto !== null) {
    const name = typeof proto?.constructor === 'function' && proto.constructor.name ? proto.constructor.name : 'a class instance';
    propError(where, { value: options, shown: name, expected: 'a plain options object', message: `${where.prop} is ${/^[A-Z]/.test(name) ? `a ${name}` : name}, not an options object`, fix });
  }
  return options;
}

/**
 * True when `value` was built by `cls`'s factories: an instance that carries the fields its constructor sets,
 * not `Object.create(cls.prototype)` or a prototype reached through `as any`.
 */
export function isBuilt<T>(value: unknown, cls: { prototype: T }): value is T {
  if (typeof value !== 'object' || value === null) return false;
  try {
    return Object.prototype.isPrototypeOf.call(cls.prototype, value) && Reflect.ownKeys(value).length > 0;
  } catch {
    return false; // a Proxy whose traps throw: not a value of ours
  }
}
