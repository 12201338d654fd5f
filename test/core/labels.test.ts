import { formatLabels, labelKey, labelMap, labelsWithin, stringLabels } from '../../src/core/labels';

describe('label maps', () => {
  test('labelsWithin: every entry of the selector is on the pod (the empty selector selects everything)', () => {
    expect(labelsWithin({ app: 'a' }, { app: 'a', version: 'v1' })).toBe(true);
    expect(labelsWithin({ app: 'a', version: 'v2' }, { app: 'a', version: 'v1' })).toBe(false);
    expect(labelsWithin({}, { app: 'a' })).toBe(true);
    expect(labelsWithin({ toString: 'x' }, {})).toBe(false);
  });

  test('labelKey and formatLabels do not depend on key order', () => {
    expect(labelKey({ b: '2', a: '1' })).toBe(labelKey({ a: '1', b: '2' }));
    expect(formatLabels({ version: 'v1', app: 'reviews' })).toBe('{app=reviews,version=v1}');
  });

  test('labelMap keeps string entries, stringLabels needs a non-empty all-string map', () => {
    expect(labelMap({ a: '1', b: 2 })).toEqual({ a: '1' });
    expect(labelMap('x')).toBeUndefined();
    expect(stringLabels({ a: '1' })).toEqual({ a: '1' });
    expect(stringLabels({})).toBeUndefined();
    expect(stringLabels({ a: 1 })).toBeUndefined();
  });
});
