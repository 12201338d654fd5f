import { distributeTotalProblem, distributeWeightProblem, failoverPairProblem, localityProblem } from '../../src/core/locality';

describe('distributeWeightProblem (DR-10)', () => {
  test('accepts 1 and 100 (min, max)', () => {
    expect(distributeWeightProblem(1)).toBeUndefined();
    expect(distributeWeightProblem(100)).toBeUndefined();
  });

  test('rejects 0 and 101 (min-1, max+1)', () => {
    expect(distributeWeightProblem(0)).toBe('is outside 1-100');
    expect(distributeWeightProblem(101)).toBe('is outside 1-100');
  });

  test('rejects fractions and non-numbers', () => {
    expect(distributeWeightProblem(1.5)).toBe('is not an integer');
    expect(distributeWeightProblem('50')).toBe('is not an integer');
  });

  test('carries the code DR-10', () => {
    expect(distributeWeightProblem.code).toBe('DR-10');
  });
});

describe('distributeTotalProblem (DR-10)', () => {
  test('accepts a total of 100', () => {
    expect(distributeTotalProblem([80, 20])).toBeUndefined();
  });

  test('rejects 99, 101 and an empty list; non-numbers count as 0', () => {
    expect(distributeTotalProblem([80, 19])).toBe('total 99');
    expect(distributeTotalProblem([81, 20])).toBe('total 101');
    expect(distributeTotalProblem([])).toBe('total 0');
    expect(distributeTotalProblem([100, 'x'])).toBeUndefined();
  });
});

describe('localityProblem (DR-10)', () => {
  test('accepts a first locality, and a broader one after a narrower one', () => {
    expect(localityProblem('us-east/zone1', [])).toBeUndefined();
    expect(localityProblem('us-east/*', ['us-east/zone1'])).toBeUndefined();
  });

  test('rejects one covered by an earlier entry, a misplaced "*", an empty segment and an empty locality', () => {
    expect(localityProblem('us-east/zone1', ['us-east/*'])).toBe('is covered by the earlier "us-east/*"');
    expect(localityProblem('*/zone', [])).toBe('may contain one "*", and only as its last character');
    expect(localityProblem('us//a', [])).toBe('has an empty region, zone or subzone');
    expect(localityProblem('', [])).toBe('is empty');
  });

  test('ignores malformed earlier entries', () => {
    expect(localityProblem('us-east', ['*/zone', ''])).toBeUndefined();
  });
});

test('failoverPairProblem (DR-10) refuses the same region twice', () => {
  expect(failoverPairProblem('a', 'a')).toBe('fails over from "a" to the same region');
  expect(failoverPairProblem('a', 'b')).toBeUndefined();
});
