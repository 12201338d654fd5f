import { Severity } from '../../src/core/errors';
import { IstioValidationError } from '../../src/core/errors';
import { toIstioObject } from '../../src/engine/istio-object';
import { runRules } from '../../src/engine/run';
import { Rule } from '../../src/engine/types';

/** A rule that reports `perObject` findings with a message of `length` characters on every VirtualService. */
const noisy = (perObject: number, length = 10): Rule => ({
  code: 'X-99', title: 't', severity: Severity.ERROR, levels: 'E', scope: 'self', why: 'w', fix: 'f', upstream: 'u', kinds: ['VirtualService'],
  checkObject: () => Array.from({ length: perObject }, () => ({ message: 'm'.repeat(length), fix: 'f', value: 'v'.repeat(length), allowed: 'a'.repeat(length) })),
});
const objects = (n: number) => Array.from({ length: n }, (_, i) => toIstioObject({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: `v${i}` }, spec: {} }, `p${i}`)!);

describe('runRules keeps what it reports bounded', () => {
  test('past maxFindings, findings are counted, not kept', () => {
    const report = runRules(objects(10), [noisy(3)], { maxFindings: 7 });
    expect(report.errors).toHaveLength(7);
    expect(report.omitted).toEqual({ errors: 23, warnings: 0, suppressed: 0 });
    // Each list has its own budget: warnings reported first do not crowd out the errors.
    const warn: Rule = { ...noisy(3), code: 'X-98', severity: Severity.WARNING };
    const both = runRules(objects(10), [warn, noisy(3)], { maxFindings: 7 });
    expect([both.warnings.length, both.errors.length]).toEqual([7, 7]);
    expect(runRules(objects(2), [noisy(3)], {}).omitted).toBeUndefined();
  });

  test('message, value and allowed strings are cut to a bounded length', () => {
    const [v] = runRules(objects(1), [noisy(1, 50_000)], {}).errors;
    expect(v.message).toHaveLength(2000 + '… (48000 more characters)'.length);
    expect(v.message.endsWith('… (48000 more characters)')).toBe(true);
    expect((v.value as string).length).toBeLessThan(600);
    expect(v.allowed!.length).toBeLessThan(600);
    expect(runRules(objects(1), [noisy(1, 30)], {}).errors[0].message).toBe('m'.repeat(30));
  });
});

test('an IstioValidationError lists at most 200 violations in its message, and keeps them all', () => {
  const violations = Array.from({ length: 500 }, (_, i) => ({ code: 'X-01', severity: Severity.ERROR, path: `p${i}`, message: 'bad', fix: 'fix' }));
  const e = new IstioValidationError(violations);
  expect(e.violations).toHaveLength(500);
  expect(e.message.split('\n')).toHaveLength(1 + 200 + 1);
  expect(e.message).toContain('… and 300 more (all of them in the error\'s violations)');
});
