import { clusterLocal, dotSuffixes, fqdn, HostIndex, hostMatches, hostsIntersect, isHostPattern, isWildcardHost, namespaceWide, normalizeHost } from '../../src/core/hosts';

describe('host resolution', () => {
  test('a short name resolves in the namespace (default when unset), an FQDN stays as written, lower-cased', () => {
    expect(fqdn('reviews', 'shop')).toBe('reviews.shop.svc.cluster.local');
    expect(fqdn('Reviews', undefined)).toBe('reviews.default.svc.cluster.local');
    expect(fqdn('API.Example.com.', 'shop')).toBe('api.example.com');
    expect(fqdn('*.example.com', 'shop')).toBe('*.example.com');
  });

  test('normalizeHost lower-cases and drops one trailing dot', () => {
    expect(normalizeHost('A.B.')).toBe('a.b');
  });

  test('wildcards: isWildcardHost, hostMatches, hostsIntersect', () => {
    expect(isWildcardHost('*.example.com')).toBe(true);
    expect(isWildcardHost('api.example.com')).toBe(false);
    expect(hostMatches('*.example.com', 'api.example.com')).toBe(true);
    expect(hostMatches('*.example.com', 'example.com')).toBe(false);
    expect(hostMatches('*', 'anything')).toBe(true);
    expect(hostsIntersect('*.example.com', '*.api.example.com')).toBe(true);
    expect(hostsIntersect('*.a.com', '*.b.com')).toBe(false);
    expect(hostsIntersect('a.com', 'a.com')).toBe(true);
  });

  test('cluster-local and namespace-wide hosts', () => {
    expect(clusterLocal('reviews.shop.svc.cluster.local')).toEqual({ name: 'reviews', namespace: 'shop' });
    expect(clusterLocal('api.example.com')).toBeUndefined();
    expect(namespaceWide('*.shop.svc.cluster.local')).toBe('shop');
    expect(namespaceWide('*.svc.cluster.local')).toBeUndefined();
    expect(dotSuffixes('a.b.c')).toEqual(['.b.c', '.c']);
  });
});

describe('HostIndex', () => {
  const index = new HostIndex<string>();
  index.add('reviews.shop.svc.cluster.local', 'exact');
  index.add('*.shop.svc.cluster.local', 'namespace-wide');
  index.add('*.local', 'mesh-wide');
  index.add('*', 'everything');
  index.add('*partial.com', 'ignored');

  test('lookup: exact entries first, then covering wildcards from the most specific', () => {
    expect(index.lookup('reviews.shop.svc.cluster.local')).toEqual(['exact', 'namespace-wide', 'mesh-wide', 'everything']);
    expect(index.lookup('ratings.shop.svc.cluster.local')).toEqual(['namespace-wide', 'mesh-wide', 'everything']);
    expect(index.lookup('api.example.com')).toEqual(['everything']);
  });

  test('mostSpecific is the exact entry, else the narrowest covering wildcard', () => {
    expect(index.mostSpecific('reviews.shop.svc.cluster.local')).toBe('exact');
    expect(index.mostSpecific('ratings.shop.svc.cluster.local')).toBe('namespace-wide');
  });

  test('a wildcard query is covered by broader wildcards only, and overlaps the exact hosts under it', () => {
    const narrow = new HostIndex<string>();
    narrow.add('a.example.com', 'a');
    narrow.add('*.com', 'com');
    expect(narrow.covering('*.example.com')).toEqual(['com']);
    expect(narrow.lookup('*.example.com')).toEqual(['com']);
    const exactOnly = new HostIndex<string>();
    exactOnly.add('a.example.com', 'a');
    expect(exactOnly.overlaps('*.example.com')).toBe(true);
    expect(exactOnly.overlaps('*.other.com')).toBe(false);
    expect(exactOnly.overlaps('A.Example.com.')).toBe(true);
  });

  test('an empty index finds nothing; partial wildcards are never indexed', () => {
    expect(new HostIndex<string>().lookup('a.b')).toEqual([]);
    expect(index.exactly('*partial.com')).toEqual([]);
  });

  test('intersecting: what shares a host with a pattern, as hostsIntersect says, in lists in the order added', () => {
    const patterns = ['a.example.com', 'b.example.com', '*.example.com', '*.a.example.com', '*.com', '*', 'a.example.org', '*.example.org'];
    const all = new HostIndex<string>();
    for (const p of patterns) all.add(p, p);
    for (const query of ['a.example.com', '*.example.com', '*.a.example.com', '*.b.a.example.com', '*', 'A.Example.com.', 'x.net', '*.net']) {
      const found = all.intersecting(query).flat();
      expect(new Set(found).size).toBe(found.length);
      expect(found.sort()).toEqual(patterns.filter((p) => hostsIntersect(normalizeHost(query), p)).sort());
    }
    expect(all.intersecting('*partial.com')).toEqual([]);
  });

  test('isHostPattern: an FQDN, "*" or "*.suffix"; partial and misplaced wildcards name no host', () => {
    expect(['a.example.com', '*', '*.example.com'].every(isHostPattern)).toBe(true);
    expect(['*partial.com', 'a.*.com', '*.*.com', '**'].some(isHostPattern)).toBe(false);
  });
});
