import { arr, canonical, defineEntry, hasText, isRecord, isSet, nonEmpty, pushTo } from '../../src/core/json';

test('isRecord: plain objects only', () => {
  expect([{}, { a: 1 }, [], null, 'x', 1].map(isRecord)).toEqual([true, true, false, false, false, false]);
});

test('isSet: in the protobuf sense (an empty list is unset, an empty message is set)', () => {
  expect([undefined, null, [], [1], {}, '', 0].map(isSet)).toEqual([false, false, false, true, true, true, true]);
});

test('arr, nonEmpty, hasText', () => {
  expect(arr('x')).toEqual([]);
  expect(arr([1])).toEqual([1]);
  expect([nonEmpty([]), nonEmpty([0]), nonEmpty('ab')]).toEqual([false, true, false]);
  expect([hasText(''), hasText('a'), hasText(1)]).toEqual([false, true, false]);
});

test('pushTo groups values by key; defineEntry sets keys assignment cannot', () => {
  const m = new Map<string, number[]>();
  pushTo(m, 'a', 1);
  pushTo(m, 'a', 2);
  expect(m.get('a')).toEqual([1, 2]);
  const o: Record<string, string> = {};
  defineEntry(o, '__proto__', 'x');
  expect(Object.keys(o)).toEqual(['__proto__']);
});

test('canonical ignores key order', () => {
  expect(canonical({ b: [1, { d: 1, c: 2 }], a: 1 })).toBe(canonical({ a: 1, b: [1, { c: 2, d: 1 }] }));
  expect(canonical({ a: 1 })).not.toBe(canonical({ a: 2 }));
});
