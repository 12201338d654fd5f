/**
 * Invalid values and collected problems: how a value-class factory reports a problem without throwing (an invalid
 * instance its consumer re-paths, {@link buildValue} / {@link raiseInvalid}), and how a constructor collects every
 * problem of its props into one IstioValidationError ({@link collect}).
 */
import { IstioValidationError, Violation } from './errors';
import { readingProps, Where } from './enforce';

/** Holds, on an invalid value, the IstioValidationError its factory found. Not exported: nothing else can forge one. */
const INVALID = Symbol('cdk8s-istio-traffic.invalid');

/** The method `key` of the prototype chain of `target` (a data property holding a function), if any. */
function methodOf(target: object, key: string): unknown {
  for (let o = Object.getPrototypeOf(target); o !== null; o = Object.getPrototypeOf(o)) {
    const d = Object.getOwnPropertyDescriptor(o, key);
    if (d) return typeof d.value === 'function' ? d.value : undefined;
  }
  return undefined;
}

/**
 * An invalid value answers only for what cannot leak a half-built value: its marker, its class's methods (a method
 * that derives a new value passes the problems on through {@link buildValue}; any other fails at its first field
 * read), symbols (`util.inspect.custom`, `Symbol.toPrimitive`: nothing) and `then` (nothing: it is no promise). Every
 * other read — a field, a getter,
 * `toJSON` — throws the factory's error, so an invalid value never renders and never yields a TypeError.
 */
const INVALID_TRAPS: ProxyHandler<object> = Object.freeze({
  get(target: object, key: string | symbol): unknown {
    const error = (target as Record<symbol, IstioValidationError>)[INVALID];
    if (key === INVALID) return error;
    // Not thenable: `await value` and `Promise.resolve(value)` give the value itself, for a construct to report.
    if (typeof key === 'symbol' || key === 'then') return undefined;
    const method = methodOf(target, key);
    if (method !== undefined) return method;
    // A fresh error each time: what catches it (a test runner adding a stack) does not change the value's own.
    throw new IstioValidationError(error.violations);
  },
});

/** The factory's error an invalid value carries, or `undefined` for any other value (a throwing Proxy included). */
function invalidError(value: unknown): IstioValidationError | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  try {
    const error = (value as Record<symbol, unknown>)[INVALID];
    return error instanceof IstioValidationError ? error : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `value` is an invalid value (see {@link buildValue}): its fields throw; whoever takes it reports it. */
export function isInvalid(value: unknown): boolean {
  return invalidError(value) !== undefined;
}

/**
 * Builds a value-class instance with `build` (the body of a static factory, or of a method deriving a new value,
 * which starts with `raiseInvalid(this)`). A problem does not throw here: it makes an invalid instance of `cls`
 * carrying the error, which whoever takes the value raises, re-pathed to itself, with {@link raiseInvalid}. Any
 * other use of an invalid instance (a field, a getter, rendering) throws the factory's error unchanged.
 */
export function buildValue<T extends object>(cls: { prototype: T }, build: () => T): T {
  try {
    return build();
  } catch (e) {
    if (!(e instanceof IstioValidationError)) throw e;
    const target = Object.create(cls.prototype) as object;
    Object.defineProperty(target, INVALID, { value: e });
    return new Proxy(target, INVALID_TRAPS) as T;
  }
}

/**
 * Raises the problems of `value` when it is an invalid value (see {@link buildValue}); does nothing for any other
 * value. With `where` — the construct path and the prop that took the value, or a factory taking it — every
 * violation is re-pathed there and its message starts with the prop and the factory that found it:
 * `[app/api] PROP: retries (RetryPolicy.idempotent): attempts must be …`. Without `where`, the factory's own error
 * is thrown unchanged (a derived value passing its receiver's problems on; tests).
 */
export function raiseInvalid(value: unknown, where?: Where): void {
  const error = invalidError(value);
  if (error === undefined) return;
  if (where === undefined) throw error;
  throw new IstioValidationError(error.violations.map((v) => ({ ...v, path: where.path, message: `${where.prop} (${v.path}): ${v.message}` })));
}

/**
 * The problems of one construct (or one route, one factory), collected so that one IstioValidationError lists them
 * all. Each independent check runs in {@link check} (or {@link passes}); a step whose inputs failed is skipped by
 * its caller (the input is `undefined`, or `passes` said false); {@link raise} throws everything found, once.
 * Anything else a step throws (a Proxy or getter in the props that throws) is recorded as PROP at `where`, as
 * {@link readingProps} does; a violation found twice (two steps reading one prop) is kept once.
 */
export class Problems {
  private readonly found: Violation[] = [];
  /** `code path message` of each problem found, so that a repeated one is kept once in constant time. */
  private readonly keys = new Set<string>();

  constructor(private readonly where: Where) {}

  /** Whether no problem was found so far. */
  public get ok(): boolean {
    return this.found.length === 0;
  }

  /** Runs one check and returns its result, or `undefined` (recording the problems) when it fails. */
  public check<T>(step: () => T): T | undefined {
    try {
      return step();
    } catch (e) {
      this.add(e);
      return undefined;
    }
  }

  /** Runs one check; whether it passed (for a step whose result may be `undefined`). */
  public passes(step: () => unknown): boolean {
    try {
      step();
      return true;
    } catch (e) {
      this.add(e);
      return false;
    }
  }

  /**
   * Runs `step` on every item of `list`, each on its own; the results when every item passed, else `undefined`
   * (the problems of all failing items recorded).
   */
  public each<T, R>(list: readonly T[], step: (item: T, index: number) => R): R[] | undefined {
    let failed = false;
    const out = list.map((item, i) => {
      try {
        return step(item, i);
      } catch (e) {
        this.add(e);
        failed = true;
        return undefined as R;
      }
    });
    return failed ? undefined : out;
  }

  /** Records what a check threw. */
  public add(e: unknown): void {
    let error = e;
    if (!(error instanceof IstioValidationError)) {
      try {
        readingProps(this.where, () => {
          throw e;
        });
      } catch (converted) {
        error = converted;
      }
    }
    for (const v of (error as IstioValidationError).violations) {
      const key = `${v.code}\u0000${v.path}\u0000${v.message}`;
      if (this.keys.has(key)) continue;
      this.keys.add(key);
      this.found.push(v);
    }
  }

  /** Throws one IstioValidationError with every problem found, if there is any. */
  public raise(): void {
    if (this.found.length > 0) throw new IstioValidationError([...this.found]);
  }
}

/** A {@link Problems} collector for the construct path (or factory) and prop of `where`. */
export function collect(where: Where): Problems {
  return new Problems(where);
}
