import { listCounted, listSome, show, text } from '../../src/core/text';

test('show never throws and cuts long values; text leaves strings alone', () => {
  const cycle: any = {};
  cycle.self = cycle;
  expect(show(cycle)).toBe('{"self":"[cycle]"}');
  expect(show(10n)).toBe('10n');
  expect(show('a'.repeat(300)).length).toBe(201);
  expect(text('a')).toBe('a');
  expect(text(1)).toBe('1');
  expect(listSome(['a', 'b', 'c', 'd'])).toBe('a, b, c and 1 more');
  expect(listCounted(['a'], 3)).toBe('a and 2 more');
});
