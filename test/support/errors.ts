import { raiseInvalid } from '../../src/core/problems';
import { IstioValidationError } from '../../src/core/errors';

/**
 * Asserts that `fn` fails with an {@link IstioValidationError} and returns it, so a test can inspect `code`,
 * `path`, `value` and `allowed`. `fn` fails when it throws one, or when it returns an invalid value: a value-class
 * factory does not throw, it returns a value carrying its problems (raised here, with the factory's own path, by
 * `raiseInvalid`, the function every consumer of a value calls). `fn` runs twice (once for `toThrow`, once to
 * capture the error), so it must be repeatable.
 */
export function thrownBy(fn: () => unknown): IstioValidationError {
  const run = () => raiseInvalid(fn());
  expect(run).toThrow(IstioValidationError);
  try {
    run();
  } catch (e) {
    return e as IstioValidationError;
  }
  throw new Error('unreachable: fn threw once and then did not');
}
