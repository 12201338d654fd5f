import { CATCH_ALL, codes, dest, ERROR, HOST, one, only, run, runOnly, sizes, vs, WARNING } from '../../support/rules';
import { VS29 } from '../../../src/rules/vs/actions';

const MATCH = [{ uri: { prefix: '/old' } }];
/** A VS with a uri-matched route "test" (`extra` replaces its route) above the catch-all. */
const withRoute = (extra: Record<string, unknown>) => vs({ hosts: [HOST], http: [{ name: 'test', match: MATCH, ...extra }, CATCH_ALL] });
const redirect = (r: Record<string, unknown>) => withRoute({ redirect: r });
const rewrite = (r: Record<string, unknown>, more: Record<string, unknown> = {}) => withRoute({ route: [dest(HOST)], rewrite: r, ...more });
const direct = (d: Record<string, unknown>) => withRoute({ directResponse: d });
const headers = (h: Record<string, unknown>) => withRoute({ route: [dest(HOST)], headers: h });
const cors = (c: Record<string, unknown>) => withRoute({ route: [dest(HOST)], corsPolicy: c });

describe('VS-27 redirect, rewrite and directResponse', () => {
  test('an empty redirect is an error', () => {
    const v = one(run(redirect({ redirectCode: 301 })), 'VS-27');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('route "test" redirect sets none of uri, authority, scheme or port');
  });

  test.each([{ uri: '/new' }, { authority: 'new.example.com' }, { scheme: 'https' }, { port: 8443 }, { derivePort: 'FROM_REQUEST_PORT' }])('redirect %p passes', (r) => {
    expect(codes(run(redirect(r)))).not.toContain('VS-27');
  });

  test.each([200, 400, 299])('redirectCode %p is an error; 308 passes', (code) => {
    const v = one(run(redirect({ uri: '/new', redirectCode: code })), 'VS-27');
    expect(v.message).toContain(`redirect.redirectCode ${code} is not a 3xx code`);
    expect(codes(run(redirect({ uri: '/new', redirectCode: 308 })))).not.toContain('VS-27');
  });

  test('a scheme other than http/https is an error', () => {
    expect(one(run(redirect({ scheme: 'ftp' })), 'VS-27').message).toContain('redirect.scheme "ftp" is not http or https');
  });

  test('a redirect port above 65535 is an error', () => {
    expect(one(run(redirect({ port: 70000 })), 'VS-27').message).toContain('redirect.port 70000 is outside 1-65535');
  });

  test('an empty rewrite is an error; authority alone passes', () => {
    expect(one(run(rewrite({})), 'VS-27').message).toContain('route "test" rewrite sets none of uri, uriRegexRewrite or authority');
    expect(codes(run(rewrite({ authority: 'a.example.com' })))).not.toContain('VS-27');
  });

  test('uri together with uriRegexRewrite is an error', () => {
    const v = one(run(rewrite({ uri: '/new', uriRegexRewrite: { match: '^/old(.*)', rewrite: '/new\\1' } })), 'VS-27');
    expect(v.message).toContain('rewrite sets both uri "/new" and uriRegexRewrite');
  });

  test('uriRegexRewrite without rewrite is an error; with both passes', () => {
    expect(one(run(rewrite({ uriRegexRewrite: { match: '^/old(.*)' } })), 'VS-27').message).toContain('rewrite.uriRegexRewrite needs both match and rewrite');
    expect(codes(run(rewrite({ uriRegexRewrite: { match: '^/old(.*)', rewrite: '/new\\1' } })))).not.toContain('VS-27');
  });

  test('the authority rewritten by rewrite and by a request header is an error naming both places', () => {
    const v = one(run(rewrite({ authority: 'a.example.com' }, { headers: { request: { set: { Host: 'b.example.com' } } } })), 'VS-27');
    expect(v.message).toContain('rewrites the authority in 2 places (rewrite.authority, headers.request.set["Host"])');
  });

  test('the authority set by one request header only passes', () => {
    expect(codes(run(headers({ request: { add: { ':authority': 'b.example.com' } } })))).not.toContain('VS-27');
  });

  test('a directResponse status outside 200-599 is an error; 404 passes', () => {
    expect(one(run(direct({ status: 600 })), 'VS-27').message).toContain('directResponse.status 600 is not an HTTP status 200-599');
    expect(codes(run(direct({ status: 404, body: { string: 'gone' } })))).not.toContain('VS-27');
  });

  test('a directResponse body over 100 KiB is a warning, over 1 MiB an error', () => {
    const w = one(run(direct({ status: 200, body: { string: 'x'.repeat(200 * 1024) } })), 'VS-27');
    expect(w.severity).toBe(WARNING);
    expect(w.message).toContain('directResponse.body is 204800 bytes, more than 100 KiB');
    const bytes = Buffer.alloc(2 * 1024 * 1024, 1).toString('base64');
    const e = one(run(direct({ status: 200, body: { bytes } })), 'VS-27');
    expect(e.severity).toBe(ERROR);
    expect(e.message).toContain('directResponse.body is 2097152 bytes, more than 1 MiB');
  });

  test('a 100 KiB body passes', () => {
    expect(codes(run(direct({ status: 200, body: { string: 'x'.repeat(100 * 1024) } })))).not.toContain('VS-27');
  });
});

describe('VS-28 header manipulation and CORS', () => {
  test('setting a pseudo-header on the request is an error naming it', () => {
    const v = one(run(headers({ request: { set: { ':path': '/x' } } })), 'VS-28');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('route "test" headers.request.set ":path" is a pseudo-header');
    expect(v.value).toBe(':path');
  });

  test('setting host or :authority on the request passes', () => {
    expect(codes(run(headers({ request: { set: { host: 'a.example.com' } } })))).not.toContain('VS-28');
    expect(codes(run(headers({ request: { add: { ':authority': 'a.example.com' } } })))).not.toContain('VS-28');
  });

  test('removing Host from the request is an error', () => {
    expect(one(run(headers({ request: { remove: ['Host'] } })), 'VS-28').message).toContain('headers.request.remove[0] "Host" removes the Host header');
  });

  test('touching Host or a pseudo-header on the response is an error', () => {
    expect(one(run(headers({ response: { set: { host: 'x' } } })), 'VS-28').message).toContain('headers.response.set "host" touches Host on the response');
    expect(one(run(headers({ response: { remove: [':status'] } })), 'VS-28').message).toContain('removes a pseudo-header');
  });

  test('per-destination header operations are checked too', () => {
    const report = run(withRoute({ route: [{ ...dest(HOST), headers: { request: { add: { '': 'x' } } } }] }));
    expect(one(report, 'VS-28').message).toContain('route[0].headers.request.add "" has an empty header name');
  });

  test('ordinary header operations pass', () => {
    expect(codes(run(headers({ request: { set: { 'x-a': '1' }, remove: ['x-b'] }, response: { add: { 'x-c': '2' } } })))).not.toContain('VS-28');
  });

  test('an empty CORS origin is an error; a prefix origin passes', () => {
    expect(one(run(cors({ allowOrigins: [{ exact: '' }] })), 'VS-28').message).toContain('corsPolicy.allowOrigins[0] {"exact":""} sets no non-empty exact, prefix or regex');
    expect(codes(run(cors({ allowOrigins: [{ prefix: 'https://a.example.com' }] })))).not.toContain('VS-28');
  });

  test('a lower-case or unknown CORS method is an error; GET and * pass', () => {
    expect(one(run(cors({ allowMethods: ['get'] })), 'VS-28').message).toContain('corsPolicy.allowMethods[0] "get" is not a supported HTTP method');
    expect(codes(run(cors({ allowMethods: ['GET', 'OPTIONS', '*'] })))).not.toContain('VS-28');
  });

  test('a CORS header that is not a token is an error; tokens and * pass', () => {
    expect(one(run(cors({ exposeHeaders: ['x bad'] })), 'VS-28').message).toContain('corsPolicy.exposeHeaders[0] "x bad" is not a header name');
    expect(codes(run(cors({ allowHeaders: ['x-a', '*'], exposeHeaders: ['x-b'] })))).not.toContain('VS-28');
  });

  test('a CORS maxAge that is not whole seconds is an error; 24h passes', () => {
    expect(one(run(cors({ maxAge: '1500ms' })), 'VS-28').message).toContain('corsPolicy.maxAge "1500ms" is not a whole number of seconds');
    expect(codes(run(cors({ maxAge: '24h' })))).not.toContain('VS-28');
  });
});

describe('VS-29 TLS and TCP routes', () => {
  const TLS_HOST = 'db.example.com';
  const tlsVs = (tls: unknown[], hosts = [TLS_HOST]) => vs({ hosts, gateways: ['istio-system/passthrough'], tls });
  const tlsRoute = (match: unknown) => ({ match, route: [dest(TLS_HOST)] });

  test('a TLS route without match is an error', () => {
    const v = one(run(tlsVs([{ route: [dest(TLS_HOST)] }])), 'VS-29');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('tls[0] has no match');
  });

  test('a TLS match without sniHosts is an error', () => {
    expect(one(run(tlsVs([tlsRoute([{ port: 443 }])])), 'VS-29').message).toContain('tls[0] match[0] has no sniHosts');
  });

  test('an SNI host outside the VirtualService hosts is an error listing the hosts', () => {
    const v = one(run(tlsVs([tlsRoute([{ sniHosts: ['other.example.com'] }])])), 'VS-29');
    expect(v.message).toContain('tls[0] match[0].sniHosts[0] "other.example.com" is not covered by any of the VirtualService hosts (db.example.com)');
  });

  test('a wildcard SNI host under a specific VirtualService host is an error', () => {
    expect(only(run(tlsVs([tlsRoute([{ sniHosts: ['*.example.com'] }])])), 'VS-29')).toHaveLength(1);
  });

  test('SNI hosts covered by the VirtualService hosts (exact or wildcard) pass', () => {
    expect(codes(run(tlsVs([tlsRoute([{ sniHosts: [TLS_HOST] }])])))).not.toContain('VS-29');
    expect(codes(run(tlsVs([tlsRoute([{ sniHosts: ['a.example.com', '*.example.com'] }])], ['*.example.com'])))).not.toContain('VS-29');
  });

  test('an IP used as SNI is a warning', () => {
    const v = one(run(tlsVs([tlsRoute([{ sniHosts: ['10.0.0.1'] }])])), 'VS-29');
    expect(v.severity).toBe(WARNING);
    expect(v.message).toContain('sniHosts[0] "10.0.0.1" is an IP address');
  });

  test('a TLS route without route is an error', () => {
    expect(one(run(tlsVs([{ match: [{ sniHosts: [TLS_HOST] }] }])), 'VS-29').message).toContain('tls[0] has no route');
  });

  test('a TCP route without route, or with a null match, is an error', () => {
    expect(one(run(vs({ hosts: [HOST], tcp: [{ match: [{ port: 3306 }] }] })), 'VS-29').message).toContain('tcp[0] has no route');
    expect(one(run(vs({ hosts: [HOST], tcp: [{ match: [null], route: [dest(HOST)] }] })), 'VS-29').message).toContain('tcp[0] match[0] is null');
  });

  test.each(['abc', '10.0.0.0/33', '10.0.0.1/8/1', '::1/129'])('destinationSubnets %p is an error', (subnet) => {
    const v = one(run(vs({ hosts: [HOST], tcp: [{ match: [{ destinationSubnets: [subnet] }], route: [dest(HOST)] }] })), 'VS-29');
    expect(v.message).toContain(`tcp[0] match[0].destinationSubnets[0] ${JSON.stringify(subnet)}`);
  });

  test('valid TCP routes pass', () => {
    expect(codes(run(vs({ hosts: [HOST], tcp: [{ match: [{ port: 3306, destinationSubnets: ['10.0.0.0/8', '::1/128', '192.168.0.1'] }], route: [dest(HOST)] }] })))).not.toContain('VS-29');
  });

  test('HTTP-only VirtualServices are not affected', () => {
    expect(codes(run(vs({ hosts: [HOST], http: [CATCH_ALL] })))).not.toContain('VS-29');
  });

  test('wildcard hosts cover by suffix, "*" everything, and an exact host only itself', () => {
    const covered = (sni: string, hosts: string[]) => !codes(run(tlsVs([tlsRoute([{ sniHosts: [sni] }])], hosts))).includes('VS-29');
    expect(covered('a.b.example.com', ['*.example.com'])).toBe(true);
    expect(covered('*.b.example.com', ['*.example.com'])).toBe(true);
    expect(covered('*.example.com', ['*.example.com'])).toBe(true);
    expect(covered('example.com', ['*.example.com'])).toBe(false);
    expect(covered('DB.Example.com', ['db.example.com'])).toBe(true);
    expect(covered('api.other.org', ['*'])).toBe(true);
    // A partial wildcard still covers by suffix, as Istio's SubsetOf reads it.
    expect(covered('shop.example.com', ['*op.example.com'])).toBe(true);
    expect(covered('shop.example.com', ['*xop.example.com'])).toBe(false);
  });

  test('2,000 SNI hosts outside 2,000 VirtualService hosts give a finding each, naming a few hosts', () => {
    const hosts = Array.from({ length: 2000 }, (_, i) => `h${i}.example.com`);
    const sniHosts = Array.from({ length: 2000 }, (_, i) => `s${i}.example.org`);
    const report = runOnly(VS29, {}, tlsVs([tlsRoute([{ sniHosts }])], hosts));
    const { findings, message, detail } = sizes(report);
    expect(findings).toBe(2000);
    expect(message).toBeLessThan(2000);
    expect(detail).toBeLessThan(500);
    expect(only(report, 'VS-29')[0].message).toContain('(h0.example.com, h1.example.com, h2.example.com, h3.example.com, h4.example.com and 1995 more)');
  });
});
