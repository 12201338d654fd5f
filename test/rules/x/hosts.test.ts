import { CATCH_ALL, codes, dest, dr, ERROR, HOST, one, only, runOnly, se, service, sizes, vs, WARNING } from '../../support/rules';
import { X05, X06 } from '../../../src/rules/x/hosts';
import { X_RULES } from '../../../src/rules/x';

describe('X-04 short host names', () => {
  const shortVs = (meta = {}) => vs({ hosts: ['reviews'], http: [{ name: 'default', route: [dest('reviews')] }] }, meta);

  test('a short host in a VirtualService without namespace is a warning naming the places', () => {
    const v = one(runOnly(X_RULES, {}, shortVs()), 'X-04');
    expect(v.severity).toBe(WARNING);
    expect(v.message).toContain('spec.hosts[0], route "default" destination 0 host "reviews" is a short name');
    expect(v.message).toContain('has no metadata.namespace');
    expect(v.value).toBe('reviews');
  });

  test('an FQDN host passes', () => {
    expect(codes(runOnly(X_RULES, {}, vs({ hosts: [HOST], http: [CATCH_ALL] })))).not.toContain('X-04');
  });

  test('a short host in a namespaced VirtualService with no Service of that name in the App passes', () => {
    expect(codes(runOnly(X_RULES, {}, shortVs({ namespace: 'shop' })))).not.toContain('X-04');
  });

  test('a short host whose Service is in the same namespace passes', () => {
    expect(codes(runOnly(X_RULES, { services: [service('reviews', 'shop')] }, shortVs({ namespace: 'shop' })))).not.toContain('X-04');
  });

  test('a short host whose Service is in another namespace is a warning naming both namespaces', () => {
    const v = one(runOnly(X_RULES, { services: [service('reviews', 'bookinfo')] }, shortVs({ namespace: 'shop' })), 'X-04');
    expect(v.severity).toBe(WARNING);
    expect(v.message).toContain('resolves to reviews.shop.svc.cluster.local');
    expect(v.message).toContain('in namespace "bookinfo"');
    expect(v.fix).toContain('reviews.bookinfo.svc.cluster.local');
  });

  test('a namespace-less VirtualService next to a namespace-less Service of that name passes', () => {
    expect(codes(runOnly(X_RULES, { services: [service('reviews')] }, shortVs()))).not.toContain('X-04');
  });

  test('a short DestinationRule host is checked', () => {
    const v = one(runOnly(X_RULES, { services: [service('reviews', 'bookinfo')] }, dr({ host: 'reviews' }, { namespace: 'shop' })), 'X-04');
    expect(v.message).toContain('spec.host "reviews"');
  });

  test('a wildcard or IPv6 host is not a short name', () => {
    expect(codes(runOnly(X_RULES, {}, dr({ host: '*' }), dr({ host: '::1' })))).not.toContain('X-04');
  });
});

describe('X-05 exportTo grammar', () => {
  const withExport = (exportTo: unknown[], meta = { namespace: 'shop' }) => vs({ hosts: [HOST], exportTo, http: [CATCH_ALL] }, meta);

  test('"." with the own namespace is an error (duplicate)', () => {
    const v = one(runOnly(X_RULES, {}, withExport(['.', 'shop'])), 'X-05');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('spec.exportTo[1] "shop" duplicates spec.exportTo[0] "."');
    expect(v.value).toBe('shop');
  });

  test('"." with another namespace passes', () => {
    expect(codes(runOnly(X_RULES, {}, withExport(['.', 'frontend'])))).not.toContain('X-05');
  });

  test('a repeated entry is an error', () => {
    expect(one(runOnly(X_RULES, {}, withExport(['frontend', 'frontend'])), 'X-05').message).toContain('spec.exportTo[1] "frontend" repeats spec.exportTo[0]');
  });

  test('"*" combined with other entries is an error', () => {
    expect(one(runOnly(X_RULES, {}, withExport(['*', 'frontend'])), 'X-05').message).toContain('combines "*" with other entries');
  });

  test('"*" alone passes', () => {
    expect(codes(runOnly(X_RULES, {}, withExport(['*'])))).not.toContain('X-05');
  });

  test('an entry that is not a DNS label is an error', () => {
    expect(one(runOnly(X_RULES, {}, withExport(['Front_End'])), 'X-05').message).toContain('spec.exportTo[0] "Front_End" is not a DNS-1123 label');
  });

  test('"~" on a VirtualService is an error', () => {
    expect(one(runOnly(X_RULES, {}, withExport(['~'])), 'X-05').message).toContain('"~" (hidden from every namespace) is only allowed on a ServiceEntry');
  });

  test('"~" alone on a ServiceEntry passes', () => {
    const entry = se({ hosts: ['api.example.com'], exportTo: ['~'], ports: [{ number: 443, name: 'https', protocol: 'TLS' }], resolution: 'DNS' });
    expect(codes(runOnly(X_RULES, {}, entry))).not.toContain('X-05');
  });

  test('"~" with other entries on a ServiceEntry is left to SE-08', () => {
    const entry = se({ hosts: ['api.example.com'], exportTo: ['~', '.'], ports: [{ number: 443, name: 'https', protocol: 'TLS' }], resolution: 'DNS' });
    expect(codes(runOnly(X_RULES, {}, entry))).not.toContain('X-05');
  });

  test('a DestinationRule with a workloadSelector exported beyond its namespace is an error', () => {
    const rule = dr({ host: HOST, workloadSelector: { matchLabels: { app: 'web' } }, exportTo: ['frontend'], trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }, { namespace: 'shop' });
    const v = one(runOnly(X_RULES, {}, rule), 'X-05');
    expect(v.message).toContain('exports a DestinationRule with a workloadSelector beyond its own namespace');
  });

  test('a DestinationRule with a workloadSelector exported to "." or its own namespace passes', () => {
    for (const exportTo of [['.'], ['shop']]) {
      const rule = dr({ host: HOST, workloadSelector: { matchLabels: { app: 'web' } }, exportTo }, { namespace: 'shop' });
      expect(codes(runOnly(X_RULES, {}, rule))).not.toContain('X-05');
    }
  });

  test('without metadata.namespace, only literal duplicates count', () => {
    expect(codes(runOnly(X_RULES, {}, withExport(['.', 'shop'], {} as any)))).not.toContain('X-05');
  });

  test('each repeat names the first entry it repeats', () => {
    const found = only(runOnly(X_RULES, {}, withExport(['a', '.', 'b', 'a', 'shop', 'a'])), 'X-05');
    expect(found.map((v) => v.message)).toEqual([
      'spec.exportTo[3] "a" repeats spec.exportTo[0]',
      'spec.exportTo[4] "shop" duplicates spec.exportTo[1] ".": "." is the object\'s own namespace "shop"',
      'spec.exportTo[5] "a" repeats spec.exportTo[0]',
    ]);
  });

  test('20,000 distinct entries pass, and 2,000 repeats give a finding each, of bounded length', () => {
    const distinct = Array.from({ length: 20_000 }, (_, i) => `ns-${i}`);
    expect(sizes(runOnly(X05, {}, withExport(distinct))).findings).toBe(0);
    const report = runOnly(X05, {}, withExport([...distinct.slice(0, 2000), ...distinct.slice(0, 2000), '*']));
    const { findings, message } = sizes(report);
    expect(findings).toBe(2001);
    expect(message).toBeLessThan(2000);
    expect(only(report, 'X-05')[1999].message).toBe('spec.exportTo[3999] "ns-1999" repeats spec.exportTo[1999]');
    expect(only(report, 'X-05')[2000].message).toMatch(/^spec\.exportTo \["ns-0","ns-1",.*… combines "\*" with other entries$/);
  });
});

describe('X-06 exportTo namespaces exist', () => {
  const exporting = dr({ host: HOST, exportTo: ['.', 'frontnd'] }, { namespace: 'shop' });

  test('a namespace unknown to the App and the inventory is a warning', () => {
    const v = one(runOnly(X_RULES, { inventory: { namespaces: ['frontend'] } }, exporting), 'X-06');
    expect(v.severity).toBe(WARNING);
    expect(v.message).toContain('spec.exportTo[1] "frontnd" is not a namespace of the App or of the declared inventory');
    expect(v.allowed).toBe('frontend, shop');
  });

  test('a namespace in the inventory passes', () => {
    expect(codes(runOnly(X_RULES, { inventory: { namespaces: ['frontnd'] } }, exporting))).not.toContain('X-06');
  });

  test('a namespace of a Service in the App passes', () => {
    expect(codes(runOnly(X_RULES, { inventory: { namespaces: [] }, services: [service('web', 'frontnd')] }, exporting))).not.toContain('X-06');
  });

  test('ServiceEntries are checked; VirtualServices are left to VS-35', () => {
    const entry = se({ hosts: ['api.example.com'], exportTo: ['frontnd'], ports: [{ number: 443, name: 'https', protocol: 'TLS' }], resolution: 'DNS' }, { namespace: 'shop' });
    expect(one(runOnly(X_RULES, { inventory: { namespaces: [] } }, entry), 'X-06').message).toContain('spec.exportTo[0] "frontnd"');
    const route = vs({ hosts: [HOST], exportTo: ['frontnd'], http: [CATCH_ALL] }, { namespace: 'shop' });
    expect(codes(runOnly(X_RULES, { inventory: { namespaces: [] } }, route))).not.toContain('X-06');
  });

  test('skipped without a declared namespace inventory', () => {
    expect(codes(runOnly(X_RULES, {}, exporting))).not.toContain('X-06');
    expect(codes(runOnly(X_RULES, { inventory: { hosts: ['api.example.com'] } }, exporting))).not.toContain('X-06');
  });

  test('2,000 unknown namespaces next to 2,000 known ones: a warning each, naming a few known namespaces', () => {
    const objects = Array.from({ length: 2000 }, (_, i) => dr({ host: `h${i}.example.com` }, { name: `d${i}`, namespace: `ns-${String(i).padStart(4, '0')}` }));
    const big = dr({ host: 'big.example.com', exportTo: Array.from({ length: 2000 }, (_, i) => `unknown-${i}`) }, { name: 'big', namespace: 'default' });
    const report = runOnly(X06, { inventory: { namespaces: [] } }, ...objects, big);
    const { findings, message, detail } = sizes(report);
    expect(findings).toBe(2000);
    expect(message).toBeLessThan(2000);
    expect(detail).toBeLessThan(500);
    expect(only(report, 'X-06')[0].allowed).toBe('default, ns-0000, ns-0001, ns-0002, ns-0003 and 1996 more');
  });
});

describe('X-04..X-06 edge cases', () => {
  test('the same short host in several places is one finding', () => {
    const report = runOnly(X_RULES, {}, vs({ hosts: ['reviews'], http: [{ name: 'a', match: [{ uri: { prefix: '/a' } }], route: [dest('reviews')] }, { name: 'b', route: [dest('reviews')] }] }));
    expect(only(report, 'X-04')).toHaveLength(1);
  });
});
