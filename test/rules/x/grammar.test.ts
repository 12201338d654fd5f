import { CATCH_ALL, codes, dest, dr, ERROR, gw, HOST, one, run, runOnly, se, vs, WARNING } from '../../support/rules';
import { RULES } from '../../../src/rules';
import { X_RULES } from '../../../src/rules/x';
import { validateManifest } from '../../../src/schema/crd-validator';

describe('cross-cutting', () => {
/** A VS whose catch-all route has the given timeout. */
const withTimeout = (timeout: string) => vs({ hosts: [HOST], http: [{ ...CATCH_ALL, timeout }] });
/** A VS whose catch-all route goes to port `port`. */
const toPort = (port: unknown) => vs({ hosts: [HOST], http: [{ name: 'default', route: [{ destination: { host: HOST, port: { number: port } } }] }] });
/** A VS whose only destination host is `host`. */
const toHost = (host: string) => vs({ hosts: [HOST], http: [{ name: 'default', route: [dest(host)] }] });

describe('X-01 durations', () => {
  test('0.5ms (below the 1ms minimum) is an error naming the field and value', () => {
    const v = one(run(withTimeout('0.5ms')), 'X-01');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('spec.http[0].timeout');
    expect(v.message).toContain('"0.5ms"');
    expect(v.message).toContain('shorter than 1ms');
    expect(v.value).toBe('0.5ms');
  });

  test('1ms (the minimum) passes', () => {
    expect(codes(run(withTimeout('1ms')))).not.toContain('X-01');
  });

  test('1500ms passes', () => {
    expect(codes(run(withTimeout('1500ms')))).not.toContain('X-01');
  });

  test('1.5s (whole milliseconds in fractional seconds) passes', () => {
    expect(codes(run(withTimeout('1.5s')))).not.toContain('X-01');
  });

  test('"1.5ms" is an error: sub-millisecond precision', () => {
    const v = one(run(withTimeout('1.5ms')), 'X-01');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('"1.5ms"');
    expect(v.message).toContain('whole number of milliseconds');
  });

  test('a string that is not a duration is an error', () => {
    const v = one(run(withTimeout('5 seconds')), 'X-01');
    expect(v.message).toContain('"5 seconds" is not a duration');
  });

  test('a zero duration is an error outside TCP idleTimeout', () => {
    const v = one(run(dr({ host: HOST, trafficPolicy: { outlierDetection: { interval: '0s' } } })), 'X-01');
    expect(v.message).toContain('spec.trafficPolicy.outlierDetection.interval');
  });

  test('TCP idleTimeout may be 0s', () => {
    const report = run(dr({ host: HOST, trafficPolicy: { connectionPool: { tcp: { idleTimeout: '0s' } } } }));
    expect(codes(report)).not.toContain('X-01');
  });

  test('an httpCookie ttl of 0s (a session cookie) passes, and passes the CRD schema + CEL', () => {
    const manifest = dr({ host: HOST, trafficPolicy: { loadBalancer: { consistentHash: { httpCookie: { name: 'session', ttl: '0s' } } } } });
    expect(codes(run(manifest))).not.toContain('X-01');
    expect(validateManifest(manifest)).toEqual([]);
  });

  test('an httpCookie ttl of 1ms (the smallest non-zero ttl) passes; 0.5ms is an error', () => {
    const cookie = (ttl: string) => dr({ host: HOST, trafficPolicy: { loadBalancer: { consistentHash: { httpCookie: { name: 'session', ttl } } } } });
    expect(codes(run(cookie('1ms')))).not.toContain('X-01');
    expect(one(run(cookie('0.5ms')), 'X-01').message).toContain('spec.trafficPolicy.loadBalancer.consistentHash.httpCookie.ttl "0.5ms" is shorter than 1ms');
  });

  test('a ttl of 0s outside httpCookie is an error (only the cookie ttl has a session meaning)', () => {
    const report = run(vs({ hosts: [HOST], http: [{ ...CATCH_ALL, corsPolicy: { allowOrigins: [{ exact: 'https://a.example' }], maxAge: '0s' } }] }));
    expect(one(report, 'X-01').message).toContain('spec.http[0].corsPolicy.maxAge "0s"');
  });

  test('HTTP idleTimeout 0s is an error', () => {
    const v = one(run(dr({ host: HOST, trafficPolicy: { connectionPool: { http: { idleTimeout: '0s' } } } })), 'X-01');
    expect(v.message).toContain('connectionPool.http.idleTimeout');
  });

  test('nested durations (retries.perTryTimeout) are checked', () => {
    const report = run(vs({ hosts: [HOST], http: [{ ...CATCH_ALL, retries: { attempts: 1, perTryTimeout: '0.1ms' } }] }));
    expect(one(report, 'X-01').message).toContain('spec.http[0].retries.perTryTimeout');
  });

  test('a label map key that happens to be a duration field name is not a duration', () => {
    const report = run(dr({ host: HOST, subsets: [{ name: 'v1', labels: { version: 'v1', time: 'morning' } }] }));
    expect(codes(report)).not.toContain('X-01');
  });

  test('a header value set under a duration-like header name is not a duration', () => {
    const report = run(vs({ hosts: [HOST], http: [{ ...CATCH_ALL, headers: { request: { set: { timeout: 'thirty' } } } }] }));
    expect(codes(report)).not.toContain('X-01');
  });
});

describe('X-02 ports', () => {
  test('port 0 (min-1) is an error naming the field and value', () => {
    const v = one(run(toPort(0)), 'X-02');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('spec.http[0].route[0].destination.port.number 0');
    expect(v.message).toContain('outside 1-65535');
    expect(v.value).toBe(0);
    expect(v.allowed).toBe('1-65535');
  });

  test('port 1 (min) passes', () => {
    expect(codes(run(toPort(1)))).not.toContain('X-02');
  });

  test('port 65535 (max) passes', () => {
    expect(codes(run(toPort(65535)))).not.toContain('X-02');
  });

  test('port 65536 (max+1) is an error', () => {
    const v = one(run(toPort(65536)), 'X-02');
    expect(v.message).toContain('65536');
  });

  test('a non-integer port is an error', () => {
    expect(one(run(toPort(80.5)), 'X-02').message).toContain('is not an integer');
  });

  test('a match port out of range is an error', () => {
    const report = run(vs({ hosts: [HOST], http: [{ name: 'p', match: [{ port: 70000 }], route: [dest(HOST)] }, CATCH_ALL] }));
    expect(one(report, 'X-02').message).toContain('spec.http[0].match[0].port 70000');
  });

  test('a DestinationRule port-level setting out of range is an error', () => {
    const report = run(dr({ host: HOST, trafficPolicy: { portLevelSettings: [{ port: { number: 0 }, connectionPool: { tcp: { maxConnections: 1 } } }] } }));
    expect(one(report, 'X-02').message).toContain('portLevelSettings[0].port.number 0');
  });

  test('a ServiceEntry targetPort out of range is an error', () => {
    const report = run(se({ hosts: ['api.example.com'], ports: [{ number: 443, name: 'https', protocol: 'TLS', targetPort: 65536 }], resolution: 'DNS' }));
    expect(one(report, 'X-02').message).toContain('spec.ports[0].targetPort 65536');
  });

  test('a Gateway server on port 0 (unix socket bind) is exempt', () => {
    const report = run(gw({ servers: [{ port: { number: 0, name: 'uds', protocol: 'HTTP' }, bind: 'unix:///var/run/gw.sock', hosts: ['*/example.com'] }] }));
    expect(codes(report)).not.toContain('X-02');
  });
});

describe('X-03 hostnames', () => {
  test('a valid FQDN destination passes', () => {
    expect(codes(run(toHost('reviews.shop.svc.cluster.local')))).not.toContain('X-03');
  });

  test('a partial wildcard "foo*.com" is an error naming the label', () => {
    const v = one(run(vs({ hosts: ['foo*.com'], http: [CATCH_ALL] })), 'X-03');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('spec.hosts[0] "foo*.com"');
    expect(v.message).toContain('partial or misplaced wildcard in label "foo*"');
    expect(v.value).toBe('foo*.com');
  });

  test('a leading whole-label wildcard host passes', () => {
    expect(codes(run(vs({ hosts: ['*.example.com'], gateways: ['istio-system/ingress'], http: [CATCH_ALL] })))).not.toContain('X-03');
  });

  test('"*" as a destination host is an error', () => {
    const v = one(run(toHost('*')), 'X-03');
    expect(v.message).toContain('route "default" destination 0 host "*"');
    expect(v.message).toContain('bare wildcard');
  });

  test('a wildcard destination host "*.example.com" is accepted, as by the webhook; "*" and partial wildcards are not', () => {
    expect(codes(run(toHost('*.example.com')))).not.toContain('X-03');
    expect(one(run(toHost('*')), 'X-03').message).toContain('bare wildcard');
    expect(one(run(toHost('api*.example.com')), 'X-03').message).toContain('wildcard');
  });

  test('IP addresses are valid VirtualService and Gateway hosts, not destination hosts', () => {
    expect(codes(run(vs({ hosts: ['10.0.0.1'], http: [CATCH_ALL] })))).not.toContain('X-03');
    expect(codes(run(vs({ hosts: ['2001:db8::1'], http: [CATCH_ALL] })))).not.toContain('X-03');
    expect(codes(run(toHost('10.0.0.1')))).toContain('X-03');
  });

  test('"*" as a VirtualService host is allowed by X-03', () => {
    expect(codes(run(vs({ hosts: ['*'], gateways: ['istio-system/ingress'], http: [CATCH_ALL] })))).not.toContain('X-03');
  });

  test('"*" as a TLS sniHosts entry passes (any SNI, Istio\'s multicluster samples); a partial wildcard there does not', () => {
    const tls = (sni: string) => vs({ hosts: ['*'], gateways: ['istio-system/eastwest'], tls: [{ match: [{ port: 15012, sniHosts: [sni] }], route: [dest(HOST)] }] });
    expect(codes(run(tls('*')))).not.toContain('X-03');
    expect(one(run(tls('istiod*.local')), 'X-03').message).toContain('sniHosts[0]');
  });

  test('"*" as a ServiceEntry host is an error', () => {
    const report = run(se({ hosts: ['*'], ports: [{ number: 443, name: 'https', protocol: 'TLS' }], resolution: 'NONE' }));
    expect(one(report, 'X-03').message).toContain('spec.hosts[0] "*"');
  });

  test('a 256-character host (max+1) is an error', () => {
    const long = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}.ab`;
    expect(long).toHaveLength(256);
    const v = one(run(toHost(long)), 'X-03');
    expect(v.message).toContain('longer than 255 characters');
  });

  test('a 255-character host (max) passes', () => {
    const host = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}.a`;
    expect(host).toHaveLength(255);
    expect(codes(run(toHost(host)))).not.toContain('X-03');
  });

  test('a label with an underscore is an error naming the label', () => {
    const v = one(run(toHost('my_svc.shop.svc.cluster.local')), 'X-03');
    expect(v.message).toContain('label "my_svc"');
    expect(v.message).toContain('DNS-1123');
  });

  test('a label longer than 63 characters is an error', () => {
    expect(one(run(toHost(`${'a'.repeat(64)}.example.com`)), 'X-03').message).toContain('longer than 63 characters');
  });

  test('an empty label ("a..b") is an error', () => {
    expect(one(run(toHost('a..example.com')), 'X-03').message).toContain('empty label');
  });

  test('a DestinationRule host is checked', () => {
    expect(one(run(dr({ host: 'bad_host.example.com' })), 'X-03').message).toContain('spec.host "bad_host.example.com"');
  });

  test('a Gateway host is checked after its namespace prefix', () => {
    const report = run(gw({ servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['shop/foo*.example.com'] }] }));
    expect(one(report, 'X-03').message).toContain('spec.servers[0].hosts[0] "foo*.example.com"');
  });

  test('a mirror host is checked', () => {
    const report = run(vs({ hosts: [HOST], http: [{ ...CATCH_ALL, mirror: { host: 'bad_mirror' } }] }));
    expect(one(report, 'X-03').message).toContain('route "default" mirror host "bad_mirror"');
  });
});
});

describe('x-rules', () => {
describe('X-01..X-13 registration', () => {
  test('every rule is in the catalogue with its catalogue severity and scope', () => {
    const expected: Record<string, [string, string]> = {
      'X-01': ['E', 'self'], 'X-02': ['E', 'self'], 'X-03': ['E', 'self'],
      'X-04': ['W', 'self'], 'X-05': ['E', 'self'], 'X-06': ['W', 'app'], 'X-07': ['E/W', 'self'], 'X-08': ['E', 'self'],
      'X-09': ['E', 'self'], 'X-10': ['E', 'self'], 'X-11': ['E', 'self'], 'X-12': ['E', 'self'], 'X-13': ['E', 'self'],
    };
    expect(X_RULES.map((r) => r.code)).toEqual(Object.keys(expected));
    for (const r of X_RULES) {
      expect([r.levels, r.scope]).toEqual(expected[r.code]);
      expect(r.severity).toBe(r.levels === 'W' ? WARNING : ERROR);
      expect(RULES).toContain(r);
    }
  });

  test('rules never throw on malformed specs', () => {
    const junk = [null, 1, 'x', [], { http: 'nope' }, { http: [null, 1, { match: 'x', headers: 1, route: [null] }] },
      { exportTo: 'x', workloadSelector: [], subsets: [null, { labels: 'x' }] }, { ports: [null, 'x'], endpoints: {}, hosts: 5 },
      { servers: [null, { port: 'x', tls: 1 }], selector: 'x' }];
    for (const spec of junk) {
      expect(() => runOnly(X_RULES, {}, vs(spec), dr(spec), se(spec), { ...vs(spec), kind: 'Gateway' })).not.toThrow();
    }
  });
});
});
