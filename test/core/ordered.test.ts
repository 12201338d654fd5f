import { mergeAscending } from '../../src/core/ordered';

describe('mergeAscending', () => {
  const id = (n: number) => n;

  test('merges ascending lists in order, each value once', () => {
    expect([...mergeAscending([[1, 4, 7], [2, 4, 8], [], [3]], id)]).toEqual([1, 2, 3, 4, 7, 8]);
  });

  test('jumps over a range of orders', () => {
    expect([...mergeAscending([[1, 2, 3, 4, 5, 6], [0, 3, 9]], id, { from: 2, to: 5 })]).toEqual([0, 1, 6, 9]);
  });

  test('is lazy: taking a few of long lists reads a few', () => {
    let reads = 0;
    const counted = (n: number) => { reads++; return n; };
    const long = Array.from({ length: 100_000 }, (_, i) => 2 * i);
    const taken: number[] = [];
    for (const n of mergeAscending([long, long.map((n) => n + 1)], counted)) if (taken.push(n) === 3) break;
    expect(taken).toEqual([0, 1, 2]);
    expect(reads).toBeLessThan(100);
  });
});
