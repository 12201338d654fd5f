import { X_RULES } from '../../../src/rules/x';
import { CATCH_ALL, codes, dest, dr, ERROR, HOST, one, only, runOnly, vs } from '../../support/rules';
import { re2Problem } from '../../../src/core/re2';
import { headerValueProblem } from '../../../src/core/http';

/** A VS whose first route matches `match` (named "matched"), followed by the catch-all. */
const matching = (match: unknown) => vs({ hosts: [HOST], http: [{ name: 'matched', match: [match], route: [dest(HOST)] }, CATCH_ALL] });
/** A VS whose catch-all route carries `extra`. */
const routeWith = (extra: Record<string, unknown>) => vs({ hosts: [HOST], http: [{ ...CATCH_ALL, ...extra }] });

describe('X-10 regexes', () => {
  test('a lookahead in a uri regex is an error naming the field, route and pattern', () => {
    const v = one(runOnly(X_RULES, {}, matching({ uri: { regex: '/api/(?!internal).*' } })), 'X-10');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('spec.http[0].match[0].uri.regex (route "matched") "/api/(?!internal).*"');
    expect(v.message).toContain('lookaround "(?!"');
    expect(v.value).toBe('/api/(?!internal).*');
  });

  test('a valid RE2 regex with inline flags and named groups passes', () => {
    expect(codes(runOnly(X_RULES, {}, matching({ uri: { regex: '(?i)/api/(?P<version>v[0-9]+)/.*' } })))).not.toContain('X-10');
  });

  test('a lookbehind in a header regex is an error', () => {
    expect(one(runOnly(X_RULES, {}, matching({ headers: { 'x-user': { regex: '(?<=admin-).*' } } })), 'X-10').message).toContain('headers["x-user"].regex');
  });

  test('a backreference in a query-parameter regex is an error', () => {
    const v = one(runOnly(X_RULES, {}, matching({ queryParams: { id: { regex: '(a)\\1' } } })), 'X-10');
    expect(v.message).toContain('queryParams["id"].regex');
    expect(v.message).toContain('backreference "\\1"');
  });

  test('a regex that does not compile is an error', () => {
    expect(one(runOnly(X_RULES, {}, matching({ authority: { regex: '([a-z]+' } })), 'X-10').message).toContain('authority.regex (route "matched") "([a-z]+" does not compile');
  });

  test('"*" in withoutHeaders means presence, not a regex', () => {
    expect(codes(runOnly(X_RULES, {}, matching({ withoutHeaders: { 'x-debug': { regex: '*' } } })))).not.toContain('X-10');
  });

  test('a broken withoutHeaders regex is an error', () => {
    expect(one(runOnly(X_RULES, {}, matching({ withoutHeaders: { 'x-debug': { regex: '+x' } } })), 'X-10').message).toContain('withoutHeaders["x-debug"].regex');
  });

  test('a 1024-character regex (max) passes and a 1025-character one (max+1) is an error', () => {
    expect(codes(runOnly(X_RULES, {}, matching({ uri: { regex: 'a'.repeat(1024) } })))).not.toContain('X-10');
    const v = one(runOnly(X_RULES, {}, matching({ uri: { regex: 'a'.repeat(1025) } })), 'X-10');
    expect(v.message).toContain('is 1025 characters long (at most 1024)');
  });

  test('CORS origin regexes are checked', () => {
    const report = runOnly(X_RULES, {}, routeWith({ corsPolicy: { allowOrigins: [{ exact: 'https://a.example.com' }, { regex: 'https://(?=x).*' }] } }));
    expect(one(report, 'X-10').message).toContain('spec.http[0].corsPolicy.allowOrigins[1].regex');
  });

  test('uriRegexRewrite.match is checked', () => {
    const report = runOnly(X_RULES, {}, routeWith({ rewrite: { uriRegexRewrite: { match: '^/old/(.*)\\1', rewrite: '/new/\\1' } } }));
    expect(one(report, 'X-10').message).toContain('spec.http[0].rewrite.uriRegexRewrite.match');
  });

  test('a valid uriRegexRewrite passes', () => {
    expect(codes(runOnly(X_RULES, {}, routeWith({ rewrite: { uriRegexRewrite: { match: '^/old/(.*)$', rewrite: '/new/\\1' } } })))).not.toContain('X-10');
  });
});

describe('X-10 RE2 approximation', () => {
  test.each([
    ['(?i)bearer .*'], ['[[:alpha:]]+'], ['\\pL+\\p{Greek}'], ['\\Qa.b(c\\E'], ['^/a\\z'], ['a{2,1000}'], ['(?s:.*)'], ['\\x{41}'], ['[]a]'], ['\\(?=x'], ['\\12'],
  ])('%s is valid RE2', (pattern) => {
    expect(re2Problem(pattern)).toBeUndefined();
  });

  test.each([
    ['a(?=b)', 'lookaround'], ['(?<!a)b', 'lookaround'], ['(a)\\1', 'backreference'], ['(?P<n>a)(?P=n)', 'named backreference'],
    ['\\e', 'escape "\\e"'], ['a{1001}', 'more than 1000'], ['(?x)a', 'group syntax "(?x)"'], ['a**', 'does not compile'], ['a\\', 'lone "\\"'],
  ])('%s is rejected (%s)', (pattern, why) => {
    expect(re2Problem(pattern)).toContain(why);
  });
});

describe('X-11 header names', () => {
  test('an upper-case match header key is an error', () => {
    const v = one(runOnly(X_RULES, {}, matching({ headers: { 'X-Canary': { exact: 'true' } } })), 'X-11');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('spec.http[0].match[0].headers (route "matched"): header name "X-Canary" is not lower-case');
  });

  test('lower-case tokens, pseudo-headers and JWT claims pass as match keys', () => {
    const match = { headers: { 'x-canary': { exact: 'true' }, ':method': { exact: 'GET' }, '@request.auth.claims.groups': { exact: 'qa' } }, withoutHeaders: { '@request.auth.claims[team][name]': { exact: 'x' } } };
    expect(codes(runOnly(X_RULES, {}, matching(match)))).not.toContain('X-11');
  });

  test('a match key with spaces is an error', () => {
    expect(one(runOnly(X_RULES, {}, matching({ withoutHeaders: { 'x canary': { exact: 'true' } } })), 'X-11').message).toContain('header name "x canary" is not an HTTP header name');
  });

  test('a bare @request.auth.claims key is an error', () => {
    expect(one(runOnly(X_RULES, {}, matching({ headers: { '@request.auth.claims': { exact: 'x' } } })), 'X-11').message).toContain('is not a JWT claim reference');
  });

  test('a match on the response pseudo-header :status is an error (no request carries it)', () => {
    const v = one(runOnly(X_RULES, {}, matching({ headers: { ':status': { exact: '200' } } })), 'X-11');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('header name ":status" is the response pseudo-header :status');
  });

  test('the request pseudo-headers pass as match keys', () => {
    const headers = { ':method': { exact: 'GET' }, ':scheme': { exact: 'https' }, ':authority': { exact: 'a.example.com' }, ':path': { prefix: '/a' } };
    expect(codes(runOnly(X_RULES, {}, matching({ headers })))).not.toContain('X-11');
  });

  test('a header operation name that is not a token is an error naming route, side and operation', () => {
    const v = one(runOnly(X_RULES, {}, routeWith({ headers: { request: { set: { 'x user': 'a' } } } })), 'X-11');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('spec.http[0].headers.request.set["x user"] (route "default"): header name "x user" is not an HTTP header name');
  });

  test('a removed header name that is not a token is an error', () => {
    expect(one(runOnly(X_RULES, {}, routeWith({ headers: { response: { remove: ['x(debug)'] } } })), 'X-11').message).toContain('headers.response.remove[0] (route "default") "x(debug)"');
  });

  test('per-destination header manipulation is checked', () => {
    const report = runOnly(X_RULES, {}, vs({ hosts: [HOST], http: [{ name: 'default', route: [{ ...dest(HOST), headers: { response: { set: { 'x-a': '%' } } } }] }] }));
    expect(one(report, 'X-11').message).toContain('spec.http[0].route[0].headers.response.set["x-a"] (route "default") value "%"');
  });

  test('empty names, pseudo-headers and Host in header operations are left to VS-28', () => {
    const headers = { request: { set: { ':path': '/x', host: 'a.example.com' }, remove: ['Host'] }, response: { set: { host: 'x' }, add: { '': 'x' } } };
    expect(codes(runOnly(X_RULES, {}, routeWith({ headers })))).not.toContain('X-11');
  });

  test('ordinary header operations pass', () => {
    const headers = { request: { set: { 'x-forwarded-env': 'prod' }, add: { 'X-Trace': '%REQ(x-request-id)%' }, remove: ['x-debug'] }, response: { set: { 'cache-control': 'no-store' }, remove: ['server'] } };
    expect(codes(runOnly(X_RULES, {}, routeWith({ headers })))).not.toContain('X-11');
  });
});

describe('X-11 header values', () => {
  test('a control character in a header match value is an error (the match never holds)', () => {
    const v = one(runOnly(X_RULES, {}, matching({ headers: { 'x-a': { exact: 'a\nb' } } })), 'X-11');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('spec.http[0].match[0].headers["x-a"].exact (route "matched") "a\\nb" contains the control character U+000A');
    expect(one(runOnly(X_RULES, {}, matching({ withoutHeaders: { 'x-a': { prefix: '\u0000' } } })), 'X-11').value).toBe('\u0000');
  });

  test('a tab in a header match value, and control characters in a regex, pass', () => {
    expect(codes(runOnly(X_RULES, {}, matching({ headers: { 'x-a': { exact: 'a\tb' }, 'x-b': { regex: 'a\nb' } } })))).not.toContain('X-11');
  });

  test('an unescaped "%" is an error naming the header and value', () => {
    const v = one(runOnly(X_RULES, {}, routeWith({ headers: { response: { set: { 'x-discount': '50%' } } } })), 'X-11');
    expect(v.message).toContain('headers.response.set["x-discount"] (route "default") value "50%" ends with an unescaped "%"');
    expect(v.value).toBe('50%');
  });

  test('an escaped "%%" passes', () => {
    expect(codes(runOnly(X_RULES, {}, routeWith({ headers: { response: { set: { 'x-discount': '50%%' } } } })))).not.toContain('X-11');
  });

  test('a control character is an error', () => {
    expect(one(runOnly(X_RULES, {}, routeWith({ headers: { request: { add: { 'x-a': 'a\nb' } } } })), 'X-11').message).toContain('control character U+000A');
  });

  test.each([['foo'], ['%HOSTNAME%'], ['100%%'], ['pre %HOSTNAME% post'], ['%REQ(x-foo)%'], ['%REQ( ["a", "b"] ) %'], ['tab\there'], ['']])(
    '%j is a valid header value', (value) => {
      expect(headerValueProblem(value)).toBeUndefined();
    });

  test.each([['abc%123', 'unterminated'], ['%START_TIME%%', 'unescaped'], ['%REQ(["a" "b"])%', '"," or "]"'], ['%REQ([a])%', 'quoted argument'], ['%REQ(["a"] x)%', '")"'], ['%REQ(x) y%', '"%" after ")"'], ['%REQ(x\\', 'backslash']])(
    '%j is rejected (%s)', (value, why) => {
      expect(headerValueProblem(value)).toContain(why);
    });

  test('several problems in one route are all reported', () => {
    const report = runOnly(X_RULES, {}, routeWith({ headers: { request: { set: { 'x b': '/', 'x-a': '%' }, remove: ['a,b'] } }, match: undefined }));
    expect(only(report, 'X-11')).toHaveLength(3);
  });
});

describe('X-11 consistent-hash header names (DestinationRule)', () => {
  const hashOn = (httpHeaderName: unknown) => dr({ host: HOST, trafficPolicy: { loadBalancer: { consistentHash: { httpHeaderName } } } });

  test.each([[''], ['x user'], ['x-a:b']])('httpHeaderName %j is an error', (name) => {
    const v = one(runOnly(X_RULES, {}, hashOn(name)), 'X-11');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain(`trafficPolicy.loadBalancer.consistentHash.httpHeaderName ${JSON.stringify(name)}`);
    expect(v.value).toBe(name);
  });

  test('a subset policy is checked too', () => {
    const report = runOnly(X_RULES, {}, dr({ host: HOST, subsets: [{ name: 'v1', labels: { version: 'v1' }, trafficPolicy: { loadBalancer: { consistentHash: { httpHeaderName: 'a b' } } } }] }));
    expect(one(report, 'X-11').message).toContain('subset "v1" trafficPolicy.loadBalancer.consistentHash.httpHeaderName "a b"');
  });

  test.each([['x-user-id'], ['X-User-Id'], [':authority']])('httpHeaderName %j passes', (name) => {
    expect(codes(runOnly(X_RULES, {}, hashOn(name)))).not.toContain('X-11');
  });
});
