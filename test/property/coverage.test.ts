/** coverage(): the outcome check of the property suites fails when a kind of case is never met, and searches further runs for a rare one. */
import * as fc from 'fast-check';
import { coverage, MIN_COVERAGE_RUNS, RUNS } from './harness';

const when = RUNS >= MIN_COVERAGE_RUNS ? test : test.skip;

when('a label the generator cannot reach fails the check, after the extra rounds', async () => {
  const seen = coverage();
  let runs = 0;
  const property = fc.property(fc.integer({ min: 0, max: 9 }), (n) => {
    runs++;
    seen.see(n < 10 ? 'small' : 'large');
  });
  fc.assert(property, { numRuns: 40 });
  await expect(seen.expectSeen(['small', 'large'], property, 40)).rejects.toThrow(/no case generated for: large, after 10 more rounds \(seen: \{"small":/);
  expect(runs).toBe(40 + 10 * 10);
});

when('a rare label missed by the first runs is met by the extra rounds, which stop once every label is met', async () => {
  const seen = coverage();
  let runs = 0;
  // 'rare' first appears at run 55: the first 40 runs miss it, extra rounds are of 10 runs, the second (51-60) meets it.
  const property = fc.property(fc.constant(0), () => {
    runs++;
    seen.see(runs === 55 ? 'rare' : 'common');
  });
  fc.assert(property, { numRuns: 40 });
  await expect(seen.expectSeen(['common', 'rare'], property, 40)).resolves.toBeUndefined();
  expect(runs).toBe(60);
});

when('labels all met in the first runs: no extra round', async () => {
  const seen = coverage();
  let runs = 0;
  const property = fc.property(fc.boolean(), (b) => {
    runs++;
    seen.see(String(b));
  });
  fc.assert(property, { numRuns: 200 });
  await seen.expectSeen(['true', 'false'], property, 200);
  expect(runs).toBe(200);
});
