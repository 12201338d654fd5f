import { CATCH_ALL, dest, ERROR, findings, HOST, single, vs, WARNING } from '../../support/rules';
import { isJwtClaimKey, VS07, VS08, VS09 } from '../../../src/rules/vs/match';

/** An HTTP route with the given matches. */
const route = (name: string, ...match: unknown[]) => ({ name, match, route: [dest(HOST)] });
/** A VirtualService with the given HTTP routes and a final catch-all. */
const http = (...routes: unknown[]) => vs({ hosts: [HOST], http: [...routes, CATCH_ALL] });

describe('VS-07 shadowed matches', () => {
  test('a match identical to an earlier route\'s match (name ignored) is a warning', () => {
    const v = single(VS07, http(
      route('a', { name: 'first', uri: { prefix: '/api' } }),
      route('b', { name: 'second', uri: { prefix: '/api' } }, { uri: { prefix: '/other' } }),
    ));
    expect(v.severity).toBe(WARNING);
    expect(v.message).toBe('spec.http[1].match[0] (route "b") is identical to spec.http[0].match[0] (route "a"), so it never takes effect');
  });

  test('a route whose only match repeats an earlier one is an error', () => {
    const v = single(VS07, http(route('a', { headers: { 'x-v': { exact: '2' } } }), route('b', { headers: { 'x-v': { exact: '2' } } })));
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('spec.http[1] (route "b") can never match: every match is shadowed');
    expect(v.message).toContain('spec.http[1].match[0] is identical to spec.http[0].match[0] (route "a")');
  });

  test('key order does not hide a duplicate', () => {
    const v = single(VS07, http(route('a', { uri: { prefix: '/x' }, method: { exact: 'GET' } }), route('b', { method: { exact: 'GET' }, uri: { prefix: '/x' } })));
    expect(v.severity).toBe(ERROR);
  });

  test('a longer prefix after a shorter one with equal other conditions is shadowed', () => {
    const v = single(VS07, http(route('api', { uri: { prefix: '/api' } }), route('v2', { uri: { prefix: '/api/v2' } })));
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('(uri prefix "/api/v2") is covered by spec.http[0].match[0] (route "api") (uri prefix "/api") with the same other conditions');
  });

  test('an exact uri under an earlier prefix is shadowed', () => {
    expect(single(VS07, http(route('api', { uri: { prefix: '/api' } }), route('health', { uri: { exact: '/api/health' } }))).message).toContain('uri exact "/api/health"');
  });

  test('an earlier match without uri condition covers any later path with the same other conditions', () => {
    const v = single(VS07, http(route('beta', { headers: { beta: { exact: '1' } } }), route('beta-api', { headers: { beta: { exact: '1' } }, uri: { prefix: '/api' } })));
    expect(v.message).toContain('(any path)');
  });

  test('one shadowed match of several is a warning, not an error', () => {
    const found = findings(VS07, http(route('api', { uri: { prefix: '/api' } }), route('mixed', { uri: { prefix: '/api/v2' } }, { uri: { prefix: '/web' } })));
    expect(found.map((f) => f.severity)).toEqual([WARNING]);
    expect(found[0].message).toContain('spec.http[1].match[0] (route "mixed")');
  });

  test('a longer prefix with a different header is not shadowed', () => {
    expect(findings(VS07, http(route('api', { uri: { prefix: '/api' } }), route('v2', { uri: { prefix: '/api/v2' }, headers: { 'x-v': { exact: '2' } } })))).toEqual([]);
  });

  test('a shorter prefix after a longer one is not shadowed', () => {
    expect(findings(VS07, http(route('v2', { uri: { prefix: '/api/v2' } }), route('api', { uri: { prefix: '/api' } })))).toEqual([]);
  });

  test('a case-insensitive later prefix is not covered by a case-sensitive earlier one', () => {
    expect(findings(VS07, http(route('api', { uri: { prefix: '/api' } }), route('v2', { uri: { prefix: '/api/v2' }, ignoreUriCase: true })))).toEqual([]);
  });

  test('a case-insensitive earlier prefix covers later paths of any case', () => {
    expect(single(VS07, http(route('api', { uri: { prefix: '/API' }, ignoreUriCase: true }), route('v2', { uri: { prefix: '/api/v2' } }))).severity).toBe(ERROR);
  });

  test('a regex uri is never treated as covered by a non-empty prefix', () => {
    expect(findings(VS07, http(route('api', { uri: { prefix: '/api' } }), route('re', { uri: { regex: '/api/.*' } })))).toEqual([]);
  });

  test('routes after the HTTP catch-all are left to VS-06', () => {
    expect(findings(VS07, vs({ hosts: [HOST], http: [CATCH_ALL, route('late', { uri: { prefix: '/x' } })] }))).toEqual([]);
  });

  test('a TCP route after a match-less TCP route is an error', () => {
    const v = single(VS07, vs({ hosts: [HOST], tcp: [{ route: [dest(HOST)] }, { match: [{ port: 5432 }], route: [dest(HOST)] }] }));
    expect(v.severity).toBe(ERROR);
    expect(v.message).toBe('spec.tcp[1] follows spec.tcp[0], which has no match, so it is never used');
  });

  test('a duplicated TLS match is an error when it is the only one', () => {
    const tls = (name: string) => ({ name, match: [{ sniHosts: ['a.example.com'], port: 443 }], route: [dest(HOST)] });
    const v = single(VS07, vs({ hosts: ['a.example.com'], gateways: ['ns/gw'], tls: [tls('one'), tls('two')] }));
    expect(v.message).toContain('spec.tls[1] (route "two") can never match');
  });

  test('distinct matches pass', () => {
    expect(findings(VS07, http(route('a', { uri: { prefix: '/a' } }), route('b', { uri: { prefix: '/b' } })))).toEqual([]);
  });
});

describe('VS-08 match syntax', () => {
  test('an empty method prefix is an error', () => {
    const v = single(VS08, http(route('m', { method: { prefix: '' } })));
    expect(v.severity).toBe(ERROR);
    expect(v.message).toBe('spec.http[0].match[0].method.prefix is empty (route "m")');
  });

  test('an empty uri prefix passes (Envoy allows it)', () => {
    expect(findings(VS08, http(route('m', { uri: { prefix: '' } })))).toEqual([]);
  });

  test('an empty header prefix is an error naming the header', () => {
    expect(single(VS08, http(route('m', { headers: { 'x-user': { prefix: '' } } }))).message).toContain('spec.http[0].match[0].headers["x-user"].prefix is empty');
  });

  test('an empty regex is an error, including on uri', () => {
    expect(single(VS08, http(route('m', { uri: { regex: '' } }))).message).toContain('match[0].uri.regex is empty');
  });

  test('an empty query-parameter regex is an error', () => {
    expect(single(VS08, http(route('m', { queryParams: { v: { regex: '' } } }))).message).toContain('queryParams["v"].regex is empty');
  });

  test('a null header match is an error', () => {
    expect(single(VS08, http(route('m', { headers: { 'x-user': null } }))).message).toContain('match[0].headers["x-user"] is null');
  });

  test('withoutHeaders regex "*" (presence) passes', () => {
    expect(findings(VS08, http(route('m', { withoutHeaders: { 'x-debug': { regex: '*' } } })))).toEqual([]);
  });

  test('a sourceNamespace that is not a DNS label is an error', () => {
    const v = single(VS08, http(route('m', { sourceNamespace: 'Team_A' })));
    expect(v.message).toContain('spec.http[0].match[0].sourceNamespace "Team_A"');
    expect(v.value).toBe('Team_A');
  });

  test('well-formed conditions pass', () => {
    expect(findings(VS08, http(route('m', { uri: { prefix: '/api' }, method: { exact: 'GET' }, headers: { 'x-a': {} }, sourceNamespace: 'team-a' })))).toEqual([]);
  });
});

describe('VS-09 JWT-claim matches', () => {
  const claim = (spec: Record<string, unknown>) => vs({
    hosts: ['shop.example.com'], ...spec,
    http: [route('admins', { headers: { '@request.auth.claims.groups': { exact: 'admin' } } }), CATCH_ALL],
  });

  test('recognises dotted and bracketed claim keys', () => {
    expect(isJwtClaimKey('@request.auth.claims.groups')).toBe(true);
    expect(isJwtClaimKey('@request.auth.claims[nested][key]')).toBe(true);
    expect(isJwtClaimKey('x-request-auth')).toBe(false);
  });

  test('on a VirtualService without gateways it is an error', () => {
    const v = single(VS09, claim({}));
    expect(v.severity).toBe(ERROR);
    expect(v.message).toBe('spec.http[0].match[0].headers["@request.auth.claims.groups"] (route "admins") routes on a JWT claim, but VirtualService "reviews" applies to sidecars (it has no spec.gateways)');
  });

  test('with "mesh" among the gateways it is an error', () => {
    expect(single(VS09, claim({ gateways: ['istio-system/ingress', 'mesh'] })).message).toContain('lists "mesh" in spec.gateways');
  });

  test('in withoutHeaders too', () => {
    const v = single(VS09, vs({ hosts: [HOST], http: [route('x', { withoutHeaders: { '@request.auth.claims.sub': { exact: 'bot' } } }), CATCH_ALL] }));
    expect(v.message).toContain('withoutHeaders["@request.auth.claims.sub"]');
  });

  test('on a gateway-only VirtualService it passes', () => {
    expect(findings(VS09, claim({ gateways: ['istio-system/ingress'] }))).toEqual([]);
  });
});

describe('VS-07 and delegation', () => {
  test('a delegating route does not shadow a later, more specific route', () => {
    const delegating = { name: 'api', match: [{ uri: { prefix: '/api' } }], delegate: { name: 'api', namespace: 'shop' } };
    expect(findings(VS07, http(delegating, route('v2', { uri: { prefix: '/api/v2' } })))).toEqual([]);
    expect(findings(VS07, http(delegating, route('same', { uri: { prefix: '/api' } })))).toEqual([]);
  });

  test('a delegating route is itself shadowed by an earlier identical match', () => {
    const v = single(VS07, http(route('api', { uri: { prefix: '/api' } }), { name: 'late', match: [{ uri: { prefix: '/api' } }], delegate: { name: 'api' } }));
    expect(v.severity).toBe(ERROR);
  });
});
