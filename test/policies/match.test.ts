import { thrownBy } from '../support/errors';
import { HttpMatch, HttpMethod } from '../../src/policies/match';
import { raiseInvalid } from '../../src/core/problems';

describe('HttpMatch.header', () => {
  test('renders an exact header match', () => {
    expect(HttpMatch.header('x-canary-test').exact('true')._render()).toEqual({ headers: { 'x-canary-test': { exact: 'true' } } });
  });

  test('renders a prefix header match', () => {
    expect(HttpMatch.header('user-agent').prefix('Mozilla')._render()).toEqual({ headers: { 'user-agent': { prefix: 'Mozilla' } } });
  });

  test('renders a regex header match', () => {
    expect(HttpMatch.header('x-user').regex('^qa-.*$')._render()).toEqual({ headers: { 'x-user': { regex: '^qa-.*$' } } });
  });

  test('allows an empty exact value', () => {
    expect(HttpMatch.header('x-empty').exact('')._render()).toEqual({ headers: { 'x-empty': { exact: '' } } });
  });

  test('accepts a pseudo-header', () => {
    expect(HttpMatch.header(':authority').exact('api.example.com')._render()).toEqual({ headers: { ':authority': { exact: 'api.example.com' } } });
  });

  test('rejects an upper-case header name with X-11', () => {
    const e = thrownBy(() => HttpMatch.header('X-Canary'));
    expect(e.code).toBe('X-11');
    expect(e.value).toBe('X-Canary');
    expect(e.allowed).toBe('lower-case RFC 7230 token or :method/:scheme/:authority/:path');
  });

  test('rejects a header name with a space', () => {
    expect(thrownBy(() => HttpMatch.header('x canary')).code).toBe('X-11');
  });

  test('rejects an unknown pseudo-header', () => {
    expect(thrownBy(() => HttpMatch.header(':status')).code).toBe('X-11');
  });

  test('rejects an empty prefix with VS-08, the check of rule VS-08', () => {
    const e = thrownBy(() => HttpMatch.header('x-a').prefix(''));
    expect(e.code).toBe('VS-08');
    expect(e.allowed).toBe('non-empty string without control characters');
  });

  test('rejects control characters in values', () => {
    const e = thrownBy(() => HttpMatch.header('x-a').exact('a\nb'));
    expect(e.code).toBe('X-11');
    expect(e.value).toBe('a\nb');
  });

  test('accepts a tab in a header value (RFC 7230 allows it; the check of rule X-11)', () => {
    expect(HttpMatch.header('x-a').exact('a\tb')._render()).toEqual({ headers: { 'x-a': { exact: 'a\tb' } } });
  });

  test('accepts a JWT claim, which rule X-11 accepts too (VS-09 limits it to gateways)', () => {
    expect(HttpMatch.header('@request.auth.claims.groups').exact('qa')._render()).toEqual({ headers: { '@request.auth.claims.groups': { exact: 'qa' } } });
  });

  test('rejects a header name that is not a string with PROP', () => {
    expect(thrownBy(() => HttpMatch.header(5 as any)).code).toBe('PROP');
  });

  test('refuses a "__proto__" header (cdk8s would drop the key, matching every request) without polluting Object.prototype', () => {
    expect(thrownBy(() => HttpMatch.header('__proto__')).code).toBe('PROP');
    expect(({} as any).exact).toBeUndefined();
  });

  test('keeps other Object.prototype member names as own header keys', () => {
    const rendered = HttpMatch.header('tostring').exact('x')._render();
    expect(Object.getOwnPropertyDescriptor(rendered.headers, 'tostring')?.value).toEqual({ exact: 'x' });
  });
});

describe('HttpMatch.cookie', () => {
  test('renders an anchored regex on the cookie header', () => {
    expect(HttpMatch.cookie('user', 'alice')._render()).toEqual({
      headers: { cookie: { regex: '^(.*?;\\s*)?(user=alice)(;.*)?$' } },
    });
  });

  test('escapes regex metacharacters in name and value', () => {
    expect(HttpMatch.cookie('a.b', 'x+y')._render().headers!.cookie.regex).toBe('^(.*?;\\s*)?(a\\.b=x\\+y)(;.*)?$');
  });

  test('matches the cookie among others and not as a substring of another cookie', () => {
    const re = new RegExp(HttpMatch.cookie('user', 'alice')._render().headers!.cookie.regex!);
    expect(re.test('theme=dark; user=alice; lang=en')).toBe(true);
    expect(re.test('xuser=alice')).toBe(false);
  });

  test('rejects a value with a space with PROP (the cookie grammar of this factory)', () => {
    const e = thrownBy(() => HttpMatch.cookie('user', 'alice smith'));
    expect(e.code).toBe('PROP');
    expect(e.value).toBe('user=alice smith');
  });

  test('rejects a value with a semicolon', () => {
    expect(thrownBy(() => HttpMatch.cookie('user', 'a;b')).code).toBe('PROP');
  });

  test('rejects a name with "="', () => {
    expect(thrownBy(() => HttpMatch.cookie('us=er', 'a')).code).toBe('PROP');
  });
});

describe('HttpMatch.queryParam', () => {
  test('renders an exact query parameter match', () => {
    expect(HttpMatch.queryParam('version').exact('2')._render()).toEqual({ queryParams: { version: { exact: '2' } } });
  });

  test('renders a regex query parameter match', () => {
    expect(HttpMatch.queryParam('id').regex('\\d+')._render()).toEqual({ queryParams: { id: { regex: '\\d+' } } });
  });

  test('rejects an empty prefix with VS-08 and a control character with PROP (a URL carries none)', () => {
    expect(thrownBy(() => HttpMatch.queryParam('q').prefix('')).code).toBe('VS-08');
    const e = thrownBy(() => HttpMatch.queryParam('q').exact('a\tb'));
    expect(e.code).toBe('PROP');
    expect(e.value).toBe('a\tb');
  });

  test('rejects an empty name with PROP', () => {
    const e = thrownBy(() => HttpMatch.queryParam(''));
    expect(e.code).toBe('PROP');
    expect(e.value).toBe('');
  });
});

describe('HttpMatch paths', () => {
  test('renders a path prefix', () => {
    expect(HttpMatch.pathPrefix('/api/v2/')._render()).toEqual({ uri: { prefix: '/api/v2/' } });
  });

  test('renders an exact path', () => {
    expect(HttpMatch.pathExact('/healthz')._render()).toEqual({ uri: { exact: '/healthz' } });
  });

  test('renders a path regex', () => {
    expect(HttpMatch.pathRegex('/users/[0-9]+')._render()).toEqual({ uri: { regex: '/users/[0-9]+' } });
  });

  test.each([['api/v2'], [''], ['/a b']])('rejects path %j with PROP (every request path starts with "/")', (path) => {
    const e = thrownBy(() => HttpMatch.pathPrefix(path));
    expect(e.code).toBe('PROP');
    expect(e.value).toBe(path);
    expect(e.allowed).toBe('path starting with "/" without spaces');
  });

  test('rejects an exact path without a leading slash', () => {
    expect(thrownBy(() => HttpMatch.pathExact('healthz')).code).toBe('PROP');
  });
});

describe('regexes (X-10)', () => {
  test('accepts a regex of 1024 characters', () => {
    const regex = 'a'.repeat(1024);
    expect(HttpMatch.pathRegex(regex)._render()).toEqual({ uri: { regex } });
  });

  test('rejects a regex of 1025 characters', () => {
    const e = thrownBy(() => HttpMatch.pathRegex('a'.repeat(1025)));
    expect(e.code).toBe('X-10');
    expect(e.allowed).toBe('RE2 regex of 1-1024 characters');
  });

  test('rejects an empty regex with VS-08, the check of rule VS-08', () => {
    expect(thrownBy(() => HttpMatch.pathRegex('')).code).toBe('VS-08');
    expect(thrownBy(() => HttpMatch.queryParam('q').regex('')).code).toBe('VS-08');
  });

  test('rejects a regex that does not compile', () => {
    const e = thrownBy(() => HttpMatch.header('x-a').regex('(unclosed'));
    expect(e.code).toBe('X-10');
    expect(e.value).toBe('(unclosed');
  });

  test('accepts RE2 inline flags', () => {
    expect(HttpMatch.header('user-agent').regex('(?i).*chrome.*')._render()).toEqual({ headers: { 'user-agent': { regex: '(?i).*chrome.*' } } });
  });

  test('accepts RE2 flag groups and Python-style named groups', () => {
    expect(() => raiseInvalid(HttpMatch.pathRegex('/(?i:api)/(?P<id>[0-9]+)\\z'))).not.toThrow();
  });

  test('rejects a lookahead, which RE2 does not support', () => {
    const e = thrownBy(() => HttpMatch.pathRegex('/api(?!/internal)'));
    expect(e.code).toBe('X-10');
    expect(e.message).toContain('lookaround');
  });

  test('rejects a lookbehind', () => {
    expect(thrownBy(() => HttpMatch.pathRegex('(?<=/v1)/users')).code).toBe('X-10');
  });

  test('rejects a backreference, which RE2 does not support', () => {
    const e = thrownBy(() => HttpMatch.header('x-a').regex('(a)\\1'));
    expect(e.code).toBe('X-10');
    expect(e.message).toContain('backreference');
  });

  test('accepts escaped parentheses and a "(?" inside a character class', () => {
    expect(() => raiseInvalid(HttpMatch.pathRegex('/a\\(?=b[(?=]'))).not.toThrow();
  });
});

describe('HttpMatch.method', () => {
  test('renders one method as exact', () => {
    expect(HttpMatch.method(HttpMethod.GET)._render()).toEqual({ method: { exact: 'GET' } });
  });

  test('renders several methods as an anchored regex', () => {
    expect(HttpMatch.method(HttpMethod.GET, HttpMethod.HEAD)._render()).toEqual({ method: { regex: '^(GET|HEAD)$' } });
  });

  test('collapses repeated methods', () => {
    expect(HttpMatch.method(HttpMethod.GET, HttpMethod.GET)._render()).toEqual({ method: { exact: 'GET' } });
  });

  test('rejects no methods with PROP', () => {
    const e = thrownBy(() => HttpMatch.method());
    expect(e.code).toBe('PROP');
    expect(e.allowed).toBe('GET,HEAD,OPTIONS,POST,PUT,PATCH,DELETE');
  });

  test('rejects an unknown method with PROP', () => {
    expect(thrownBy(() => HttpMatch.method(HttpMethod.GET, 'FETCH' as HttpMethod)).value).toBe('GET,FETCH');
    expect(thrownBy(() => HttpMatch.method(HttpMethod.GET, 'FETCH' as HttpMethod)).code).toBe('PROP');
  });
});

describe('HttpMatch.and', () => {
  test('combines a path and a method', () => {
    expect(HttpMatch.pathPrefix('/api/').and(HttpMatch.method(HttpMethod.GET))._render()).toEqual({
      uri: { prefix: '/api/' }, method: { exact: 'GET' },
    });
  });

  test('merges headers, sorted by name', () => {
    const m = HttpMatch.header('x-b').exact('1').and(HttpMatch.header('x-a').exact('2'));
    expect(m._render()).toEqual({ headers: { 'x-a': { exact: '2' }, 'x-b': { exact: '1' } } });
    expect(Object.keys(m._render().headers!)).toEqual(['x-a', 'x-b']);
  });

  test('merges headers and query parameters', () => {
    expect(HttpMatch.header('x-a').exact('1').and(HttpMatch.queryParam('q').exact('2'))._render()).toEqual({
      headers: { 'x-a': { exact: '1' } }, queryParams: { q: { exact: '2' } },
    });
  });

  test('rejects the same header twice with PROP', () => {
    const e = thrownBy(() => HttpMatch.header('x-a').exact('1').and(HttpMatch.header('x-a').exact('2')));
    expect(e.code).toBe('PROP');
    expect(e.value).toBe('x-a');
  });

  test('rejects the same query parameter twice', () => {
    expect(thrownBy(() => HttpMatch.queryParam('q').exact('1').and(HttpMatch.queryParam('q').exact('2'))).code).toBe('PROP');
  });

  test('rejects two uri conditions', () => {
    const e = thrownBy(() => HttpMatch.pathPrefix('/a').and(HttpMatch.pathExact('/b')));
    expect(e.code).toBe('PROP');
    expect(e.value).toBe('uri');
  });

  test('rejects two method conditions', () => {
    expect(thrownBy(() => HttpMatch.method(HttpMethod.GET).and(HttpMatch.method(HttpMethod.POST))).value).toBe('method');
  });

  test('leaves both operands unchanged', () => {
    const a = HttpMatch.header('x-a').exact('1');
    const b = HttpMatch.header('x-b').exact('2');
    a.and(b);
    expect(a._render()).toEqual({ headers: { 'x-a': { exact: '1' } } });
    expect(b._render()).toEqual({ headers: { 'x-b': { exact: '2' } } });
  });
});

describe('HttpMatch.hasHeader', () => {
  test('is true for a header match', () => {
    expect(HttpMatch.header('x-a').exact('1').hasHeader).toBe(true);
  });

  test('is true for a cookie match', () => {
    expect(HttpMatch.cookie('a', 'b').hasHeader).toBe(true);
  });

  test('is false for a path match', () => {
    expect(HttpMatch.pathPrefix('/a').hasHeader).toBe(false);
  });

  test('is false for a query parameter match', () => {
    expect(HttpMatch.queryParam('q').exact('1').hasHeader).toBe(false);
  });
});

test('render returns a copy that cannot change the match', () => {
  const m = HttpMatch.header('x-a').exact('1');
  (m._render().headers as any)['x-a'].exact = 'changed';
  expect(m._render()).toEqual({ headers: { 'x-a': { exact: '1' } } });
});

describe('invalid arguments make an invalid match', () => {
  test('a value match on an invalid header keeps the header\'s problem', () => {
    const e = thrownBy(() => HttpMatch.header('X-Upper').exact('1'));
    expect([e.code, e.path, e.message.split(':')[0]]).toEqual(['X-11', 'HttpMatch.header', '[HttpMatch.header] X-11']);
    expect(thrownBy(() => HttpMatch.withoutHeader('a b').regex('x')).path).toBe('HttpMatch.header');
  });

  test('and() with an invalid other is invalid, re-pathed to HttpMatch.and with the prop chain', () => {
    const e = thrownBy(() => HttpMatch.pathPrefix('/a').and(HttpMatch.header('X-Upper').exact('1')));
    expect(e.path).toBe('HttpMatch.and');
    expect(e.message).toContain('[HttpMatch.and] X-11: other (HttpMatch.header): header name "X-Upper" is not lower-case');
  });

  test('deriving from an invalid match keeps its problem', () => {
    const bad = HttpMatch.pathPrefix('api');
    for (const derived of [bad.ignoringUriCase(), bad.and(HttpMatch.method(HttpMethod.GET))]) {
      expect(thrownBy(() => derived).message).toContain('[HttpMatch] PROP: URI "api" is not a path');
    }
  });

  test('its getter and rendering throw the factory\'s error', () => {
    const bad = HttpMatch.cookie('a;b', 'c');
    expect(() => bad.hasHeader).toThrow(/^\[HttpMatch\.cookie\] PROP: cookie "a;b=c" is not a valid cookie pair/);
    expect(() => bad._render()).toThrow(/HttpMatch\.cookie/);
  });

  test('a valid match is unchanged', () => {
    const m = HttpMatch.header('x-canary').exact('1').and(HttpMatch.pathPrefix('/api/'));
    expect(() => raiseInvalid(m)).not.toThrow();
    expect(m.hasHeader).toBe(true);
    expect(m._render()).toEqual({ uri: { prefix: '/api/' }, headers: { 'x-canary': { exact: '1' } } });
  });
});
