import { exportToProblems, visibilitiesOverlap, visibilityOf } from '../../src/core/visibility';

describe('visibility', () => {
  test('unset, empty and "*" are every namespace; "." is the own namespace; "~" nobody', () => {
    expect(visibilityOf(undefined, 'shop').all).toBe(true);
    expect(visibilityOf([], 'shop').all).toBe(true);
    expect(visibilityOf(['*'], 'shop').all).toBe(true);
    expect([...visibilityOf(['.', 'web'], 'shop').namespaces].sort()).toEqual(['shop', 'web']);
    expect([...visibilityOf(['.'], undefined).namespaces]).toEqual(['default']);
    expect(visibilityOf(['~'], 'shop')).toEqual({ all: false, namespaces: new Set() });
  });

  test('overlap needs a namespace that sees both', () => {
    const all = visibilityOf(undefined, 'a');
    const a = visibilityOf(['.'], 'a');
    const b = visibilityOf(['.'], 'b');
    const hidden = visibilityOf(['~'], 'a');
    expect(visibilitiesOverlap(all, a)).toBe(true);
    expect(visibilitiesOverlap(a, b)).toBe(false);
    expect(visibilitiesOverlap(all, hidden)).toBe(false);
    expect(visibilitiesOverlap(all, all)).toBe(true);
  });
});

describe('exportToProblems (X-05)', () => {
  test('accepts ".", "*", namespaces, and "~" on a ServiceEntry', () => {
    expect(exportToProblems(['.', 'web'], { namespace: 'shop', serviceEntry: false })).toEqual([]);
    expect(exportToProblems(['*'], { serviceEntry: false })).toEqual([]);
    expect(exportToProblems(['~'], { serviceEntry: true })).toEqual([]);
  });

  test('refuses "~" outside a ServiceEntry, non-DNS names, duplicates (also "." and the own namespace) and "*" with others', () => {
    expect(exportToProblems(['~'], { serviceEntry: false })[0]).toMatchObject({ index: 0 });
    expect(exportToProblems(['Shop'], { serviceEntry: false })[0].problem).toContain('"Shop"');
    expect(exportToProblems(['.', 'shop'], { namespace: 'shop', serviceEntry: false })[0]).toMatchObject({ index: 1 });
    expect(exportToProblems(['a', 'a'], { serviceEntry: false })[0].problem).toContain('repeats spec.exportTo[0]');
    expect(exportToProblems(['*', 'a'], { serviceEntry: false })).toEqual([{ problem: expect.stringContaining('combines "*" with other entries'), fix: expect.any(String) }]);
  });
});
