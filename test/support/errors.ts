import { IstioValidationError } from '../../src/core/errors';

/**
 * Asserts that `fn` throws an {@link IstioValidationError} and returns it, so a test can inspect `code`,
 * `path`, `value` and `allowed`. `fn` runs twice (once for `toThrow`, once to capture the error), so it
 * must be repeatable.
 */
export function thrownBy(fn: () => unknown): IstioValidationError {
  expect(fn).toThrow(IstioValidationError);
  try {
    fn();
  } catch (e) {
    return e as IstioValidationError;
  }
  throw new Error('unreachable: fn threw once and then did not');
}
