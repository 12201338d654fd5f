/**
 * Regression tests for the bugs the property tests found (one `describe` per bug, named after it).
 */
import { raiseInvalid } from '../../src/core/problems';
import { App, Duration, Testing } from 'cdk8s';
import { thrownBy } from '../support/errors';
import { CanaryService } from '../../src/constructs/canary-service';
import { CallTarget } from '../../src/constructs/common';
import { Destination } from '../../src/constructs/destination';
import { HostTraffic } from '../../src/constructs/host-traffic';
import { EgressLockdown } from '../../src/constructs/egress-lockdown';
import { IngressGateway } from '../../src/constructs/ingress-gateway';
import { Subset } from '../../src/constructs/refs';
import { ExternalDependency, PortProtocol } from '../../src/constructs/external-dependency';
import { ResilientBackend } from '../../src/constructs/resilient-backend';
import { IstioValidationError, Violation } from '../../src/core/errors';
import { LoadBalancer, LoadBalancerAlgorithm, LocalityFailover } from '../../src/policies/load-balancer';
import { HttpMatch, HttpMethod } from '../../src/policies/match';
import { RetryPolicy } from '../../src/policies/retry';
import { CanaryStage } from '../../src/policies/stages';
import { TlsOrigination } from '../../src/policies/tls';
import { analyze } from '../../src/rules';
import { Rules } from '../../src/synth/rules';

const HOST = 'reviews.bookinfo.svc.cluster.local';
const V1 = Subset.fromLabels({ version: 'v1' });
const V2 = Subset.fromLabels({ version: 'v2' });

describe('map keys cdk8s cannot synthesize (`constructor` crashed synth, `__proto__` was silently dropped)', () => {
  test('a header named __proto__ is refused with PROP instead of rendering `headers: {}` (a match on every request)', () => {
    const e = thrownBy(() => HttpMatch.header('__proto__'));
    expect(e.code).toBe('PROP');
    expect(e.message).toMatch(/__proto__.*cdk8s cannot synthesize/);
  });

  test('a header named constructor is refused with PROP instead of crashing cdk8s serialization', () => {
    expect(thrownBy(() => HttpMatch.header('constructor')).code).toBe('PROP');
  });

  test.each(['__proto__', 'constructor'])('a query parameter named %s is refused with PROP', (name) => {
    expect(thrownBy(() => HttpMatch.queryParam(name)).code).toBe('PROP');
  });

  test('a subset label key "constructor" is refused with PROP at construction', () => {
    const e = thrownBy(() => new CanaryService(Testing.chart(), 'c', { host: HOST, stable: V1, canary: Subset.fromLabels({ version: 'v2', constructor: 'x' }) }));
    expect(e.code).toBe('PROP');
  });

  test('other Object.prototype names stay usable keys and are rendered', () => {
    const chart = Testing.chart();
    new CanaryService(chart, 'c', {
      host: HOST, stable: Subset.fromLabels({ version: 'v1', toString: 'a' }), canary: V2,
      testMatches: [HttpMatch.header('hasownproperty').exact('1').and(HttpMatch.queryParam('valueOf').exact('2'))],
    });
    const [dr, vs] = Testing.synth(chart);
    expect(dr.spec.subsets[0].labels).toEqual({ toString: 'a', version: 'v1' });
    expect(vs.spec.http[0].match).toEqual([{ headers: { hasownproperty: { exact: '1' } }, queryParams: { valueOf: { exact: '2' } } }]);
  });

  test('a fault scoped by a __proto__ header can no longer reach synth as an unscoped fault', () => {
    const chart = Testing.chart();
    expect(() => new ResilientBackend(chart, 'r', {
      host: HOST, faultInjection: { match: HttpMatch.header('__proto__').exact('1'), abort: { httpStatus: 503, percentage: 100 } },
    })).toThrow(IstioValidationError);
  });
});

describe('connection-pool limits are int32 in the Istio API (the library accepted up to 2^32-1, which the webhook rejects)', () => {
  const pool = (field: string, value: number) => {
    const [level, key] = field.split('.');
    return { host: HOST, connectionPool: { [level]: { [key]: value } } };
  };
  const FIELDS = ['tcp.maxConnections', 'http.http1MaxPendingRequests', 'http.http2MaxRequests', 'http.maxRequestsPerConnection', 'http.maxRetries'];

  test.each(FIELDS)('%s: 2147483647 is accepted, 2147483648 raises DR-12 at construction', (field) => {
    expect(() => new ResilientBackend(Testing.chart(), 'r', pool(field, 2147483647))).not.toThrow();
    const e = thrownBy(() => new ResilientBackend(Testing.chart(), 'r', pool(field, 2147483648)));
    expect(e.code).toBe('DR-12');
    expect(e.allowed).toMatch(/2147483647/);
  });

  test('outlier-detection counts stay uint32: 4294967295 is accepted', () => {
    expect(() => new ResilientBackend(Testing.chart(), 'r', {
      host: HOST, outlierDetection: { consecutive5xxErrors: 4294967295, consecutiveGatewayErrors: 4294967295 },
    })).not.toThrow();
    expect(thrownBy(() => new ResilientBackend(Testing.chart(), 'r', { host: HOST, outlierDetection: { consecutive5xxErrors: 4294967296 } })).code).toBe('DR-07');
  });

  test.each([
    ['http', 'maxRetries'], ['http', 'http2MaxRequests'], ['http', 'maxConcurrentStreams'], ['tcp', 'maxConnections'],
  ])('rule DR-12 (lint, hand-written YAML) flags connectionPool.%s.%s beyond int32', (level, key) => {
    const manifest = {
      apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'r', namespace: 'shop' },
      spec: { host: HOST, trafficPolicy: { connectionPool: { [level]: { [key]: 4294967295 } } } },
    };
    const report = analyze([{ manifest, path: 'r.yaml:1' }]);
    expect(report.errors.filter((v) => v.code === 'DR-12').map((v) => v.message)).toEqual([
      `trafficPolicy.connectionPool.${level}.${key} 4294967295 exceeds the int32 maximum 2147483647`,
    ]);
    const ok = analyze([{ manifest: { ...manifest, spec: { host: HOST, trafficPolicy: { connectionPool: { [level]: { [key]: 2147483647 } } } } }, path: 'r.yaml:1' }]);
    expect(ok.errors.filter((v) => v.code === 'DR-12')).toEqual([]);
  });
});

describe('VS-18 false positive on a fault-injection route that matches a write method', () => {
  const faulted = () => {
    const chart = Testing.chart();
    new ResilientBackend(chart, 'r', {
      host: HOST, retries: RetryPolicy.none(),
      faultInjection: { match: HttpMatch.header('x-chaos').exact('1').and(HttpMatch.method(HttpMethod.DELETE)), abort: { httpStatus: 503, percentage: 50 } },
    });
    return chart;
  };

  test('ResilientBackend with a DELETE-scoped fault synthesizes (Istio enables no retries on faulted routes)', () => {
    const [vs] = Testing.synth(faulted());
    expect(vs.spec.http[0]).toEqual(expect.objectContaining({ name: 'fault-injection', fault: expect.anything() }));
    expect(vs.spec.http[0].retries).toBeUndefined();
  });

  test('a write route without a fault and without retries is still VS-18', () => {
    const manifest = {
      apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'r', namespace: 'shop' },
      spec: { hosts: [HOST], http: [{ name: 'w', match: [{ method: { exact: 'POST' } }], route: [{ destination: { host: HOST } }] }] },
    };
    expect(analyze([{ manifest, path: 'r.yaml:1' }]).errors.map((v) => v.code)).toContain('VS-18');
  });
});

describe('ExternalDependency with TLS origination dropped its traffic policy on the originating ports', () => {
  test('connection pool, outlier detection and load balancer are repeated in each TLS port-level entry', () => {
    const chart = Testing.chart();
    new ExternalDependency(chart, 'psp', {
      hosts: ['api.pgprovider.example'], ports: [{ number: 80, protocol: PortProtocol.HTTP }, { number: 443, protocol: PortProtocol.TLS }],
      tlsOrigination: TlsOrigination.simple(),
      connectionPool: { http: { http2MaxRequests: 100 } },
      outlierDetection: { consecutive5xxErrors: 3 },
      loadBalancer: LoadBalancer.simple(LoadBalancerAlgorithm.ROUND_ROBIN),
    });
    const dr = Testing.synth(chart).find((o) => o.kind === 'DestinationRule');
    const { portLevelSettings, ...top } = dr.spec.trafficPolicy;
    // Istio applies a matching port-level entry instead of the top level, without inheriting anything.
    expect(portLevelSettings).toHaveLength(1);
    const { port, tls, ...inherited } = portLevelSettings[0];
    expect(port).toEqual({ number: 80 });
    expect(tls.mode).toBe('SIMPLE');
    expect(inherited).toEqual(top);
    expect(Object.keys(top).sort()).toEqual(['connectionPool', 'loadBalancer', 'outlierDetection']);
  });

  test('rule VS-21 now sees maxRetries: 0 on the originating port (it used to be invisible there)', () => {
    const chart = Testing.chart();
    const warnings: Violation[] = [];
    Rules.of(chart).warningSink = { report: (w) => warnings.push(...w) };
    new ExternalDependency(chart, 'psp', {
      hosts: ['api.pgprovider.example'], ports: [{ number: 80, protocol: PortProtocol.HTTP }],
      tlsOrigination: TlsOrigination.simple(), connectionPool: { http: { maxRetries: 0 } },
      retries: RetryPolicy.idempotent({ attempts: 1, perTryTimeout: Duration.seconds(1) }),
    });
    Testing.synth(chart);
    expect(warnings.map((w) => w.code)).toEqual(['VS-21']);
  });
});

describe('wrong types through `as any` crashed with TypeErrors instead of an IstioValidationError', () => {
  const H = HOST;
  const cdk = () => Testing.chart();
  const canary = (extra: Record<string, unknown>) => () => new CanaryService(cdk(), 'c', { host: H, stable: V1, canary: V2, ...extra } as any);
  const backend = (extra: Record<string, unknown>) => () => new ResilientBackend(cdk(), 'r', { host: H, ...extra } as any);
  const external = (extra: Record<string, unknown>) => () => new ExternalDependency(cdk(), 'e', { hosts: ['api.example.com'], ports: [{ number: 80, protocol: PortProtocol.HTTP }], ...extra } as any);
  const cyclic = () => {
    const a: unknown[] = ['x'];
    a.push(a);
    return a;
  };

  test.each([
    ['retries that are not a RetryPolicy', backend({ retries: { attempts: 2 } }), 'PROP'],
    ['loadBalancer that is not a LoadBalancer', backend({ loadBalancer: 'ROUND_ROBIN' }), 'PROP'],
    ['localityFailover that is not a LocalityFailover', backend({ outlierDetection: {}, localityFailover: {} }), 'PROP'],
    ['calls that is not a list', backend({ calls: 'orders.shop.svc.cluster.local' }), 'PROP'],
    ['calls with an object without a prototype', backend({ calls: [Object.create(null)] }), 'PROP'],
    ['testMatches that is not a list', canary({ testMatches: 'x' }), 'PROP'],
    ['testMatches with a non-HttpMatch', canary({ testMatches: [{}] }), 'PROP'],
    ['extra hosts that are not a list', canary({ hosts: 'api.example.com' }), 'PROP'],
    ['a route name that is not a string', canary({ primaryRouteName: Symbol('x') }), 'PROP'],
    ['a fault match without a prototype', backend({ faultInjection: { match: Object.create(null), abort: { httpStatus: 503, percentage: 1 } } }), 'PROP'],
    ['a null port', external({ ports: [null] }), 'PROP'],
    ['tlsOrigination that is not a TlsOrigination', external({ tlsOrigination: {} }), 'PROP'],
    ['a BigInt name', backend({ name: 10n }), 'PROP'],
    ['a label value without a prototype', canary({ stable: Subset.fromLabels({ v: Object.create(null) }) }), 'X-08'],
    ['a cyclic exportTo', external({ exportTo: cyclic() }), 'PROP'],
  ])('%s', (_what, build, code) => {
    expect(thrownBy(build).code).toBe(code);
  });

  test.each([
    ['LocalityFailover.regions([null])', () => LocalityFailover.regions([null as any]), 'PROP'],
    ['HttpMatch.cookie(Symbol())', () => HttpMatch.cookie(Symbol('x') as any, 'a'), 'PROP'],
    ['HttpMatch.method(Symbol())', () => HttpMatch.method(Symbol('x') as any), 'PROP'],
  ])('%s', (_what, build, code) => {
    expect(thrownBy(build).code).toBe(code);
  });
});

describe('wrong types that were silently accepted and synthesized', () => {
  test.each([
    ['outlierDetection: 5 (rendered as the default outlier detection)', () => new ResilientBackend(Testing.chart(), 'r', { host: HOST, outlierDetection: 5 as any }), 'PROP'],
    ["connectionPool: { tcp: 'str' } (dropped without a trace)", () => new ResilientBackend(Testing.chart(), 'r', { host: HOST, connectionPool: { tcp: 'str' as any } }), 'PROP'],
    ["subset labels as an array (rendered as { '0': … })", () => new CanaryService(Testing.chart(), 'c', { host: HOST, stable: Subset.fromLabels(['v1'] as any), canary: V2 }), 'PROP'],
    ['faultInjection.delay that is not an object', () => new ResilientBackend(Testing.chart(), 'r', {
      host: HOST, faultInjection: { match: HttpMatch.header('x').exact('1'), delay: 'slow' as any, abort: { httpStatus: 503, percentage: 1 } },
    }), 'PROP'],
  ])('%s', (_what, build, code) => {
    expect(thrownBy(build).code).toBe(code);
  });

  test('calls naming a construct-like object with malformed hosts are refused: PROP for a number (it crashed rule CC-01), X-03 for a bad host', () => {
    expect(thrownBy(() => new ResilientBackend(Testing.chart(), 'r', { host: HOST, calls: [CallTarget.of({ hosts: [5] } as any)] })).code).toBe('PROP');
    expect(thrownBy(() => new ResilientBackend(Testing.chart(), 'r', { host: HOST, calls: [CallTarget.of({ hosts: ['not a host!'] } as any)] })).code).toBe('X-03');
  });
});

describe('durations longer than Kubernetes can validate (Go time.Duration, about 292 years)', () => {
  test('are refused at construction with X-01, wherever they are used (a cookie ttl reached the manifest)', () => {
    expect(thrownBy(() => LoadBalancer.consistentHashByCookie('s', Duration.days(1e9))).code).toBe('X-01');
    expect(thrownBy(() => new ResilientBackend(Testing.chart(), 'r', { host: HOST, timeout: Duration.days(1e9) })).code).toBe('X-01');
    expect(() => raiseInvalid(LoadBalancer.consistentHashByCookie('s', Duration.days(365 * 200)))).not.toThrow();
  });

  test('are X-01 in lint', () => {
    const manifest = {
      apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'r', namespace: 'shop' },
      spec: { host: HOST, trafficPolicy: { loadBalancer: { consistentHash: { httpCookie: { name: 's', ttl: '86400000000000s' } } } } },
    };
    expect(analyze([{ manifest, path: 'r.yaml:1' }]).errors.map((v) => v.code)).toContain('X-01');
  });
});

describe('call-chain rules counted routes that never retry as retrying with Istio\'s default 2', () => {
  function chain(callee: (chart: ReturnType<typeof Testing.chart>) => { host: string } | { hosts: readonly string[] }) {
    const chart = Testing.chart();
    const warnings: Violation[] = [];
    Rules.of(chart).warningSink = { report: (w) => warnings.push(...w) };
    const target = callee(chart);
    new ResilientBackend(chart, 'frontend', {
      host: 'frontend.shop.svc.cluster.local', timeout: Duration.seconds(10), entryPoint: true,
      retries: RetryPolicy.idempotent({ attempts: 2, perTryTimeout: Duration.seconds(3) }), calls: [CallTarget.of(target as any)],
    });
    Testing.synth(chart);
    return warnings.map((w) => `${w.code} ${w.message}`);
  }

  test('a fault-injection route (Istio enables neither retries nor timeouts there) adds no retry layer (CC-02) and no missing timeout (CC-03)', () => {
    expect(chain((chart) => new ResilientBackend(chart, 'orders', {
      host: 'orders.shop.svc.cluster.local', retries: RetryPolicy.none(), timeout: Duration.seconds(2),
      faultInjection: { match: HttpMatch.header('x-chaos').exact('1'), abort: { httpStatus: 503, percentage: 10 } },
    }))).toEqual([]);
  });

  test('a dependency routed by SNI only (TLS passthrough) adds no HTTP retry layer', () => {
    expect(chain((chart) => new ExternalDependency(chart, 'psp', { hosts: ['api.psp.example'], ports: [{ number: 443, protocol: PortProtocol.TLS }] }))).toEqual([]);
  });

  test('a callee without a VirtualService still counts Istio\'s default retries (CC-02)', () => {
    expect(chain(() => ({ host: 'orders.shop.svc.cluster.local' })).map((w) => w.split(' ')[0])).toEqual(['CC-02']);
  });
});

describe('issue 12 item 7: untyped crashes through the public API (TypeError / SyntaxError before the fix)', () => {
  const anyApi = (x: unknown) => x as any;
  test.each([
    ['RetryPolicy.idempotent(null)', () => RetryPolicy.idempotent(anyApi(null))],
    ['RetryPolicy.nonIdempotent(undefined)', () => RetryPolicy.nonIdempotent(anyApi(undefined))],
    ['RetryPolicy.istioDefaultConditions(null)', () => RetryPolicy.istioDefaultConditions(anyApi(null))],
    ['HttpMatch.and(undefined)', () => HttpMatch.pathPrefix('/').and(anyApi(undefined))],
    ['HttpMatch.and({})', () => HttpMatch.pathPrefix('/').and(anyApi({}))],
    ['TlsOrigination.simple(null)', () => TlsOrigination.simple(anyApi(null))],
    ['TlsOrigination.simple(5)', () => TlsOrigination.simple(anyApi(5))],
    ['new ResilientBackend(scope, "x")', () => new ResilientBackend(Testing.chart(), 'x', anyApi(undefined))],
    ['new CanaryService(scope, "x")', () => new CanaryService(Testing.chart(), 'x', anyApi(undefined))],
    ['new ExternalDependency(scope, "x", null)', () => new ExternalDependency(Testing.chart(), 'x', anyApi(null))],
  ])('%s is PROP', (_name, fn) => {
    const e = thrownBy(fn);
    expect(e.code).toBe('PROP');
    expect(e.fix.length).toBeGreaterThan(0);
  });

  test.each(['LoadBalancer', 'LocalityFailover', 'HttpMatch'])('Object.create(%s.prototype) passed as a value is PROP, not a SyntaxError', (name) => {
    const proto = { LoadBalancer, LocalityFailover, HttpMatch }[name as 'LoadBalancer']!.prototype;
    const prop = name === 'HttpMatch' ? { testMatches: [Object.create(proto)] } : { [name === 'LoadBalancer' ? 'loadBalancer' : 'localityFailover']: Object.create(proto) };
    const e = thrownBy(() => {
      const chart = Testing.chart();
      new CanaryService(chart, 'c', { host: HOST, stable: V1, canary: V2, ...prop } as any);
      chart.toJson();
    });
    expect(e.code).toBe('PROP');
    expect(e.path).toBe('test/c');
  });
});

describe('issue 12 item 8: accepted although wrong, or a wrong message', () => {
  const external = (props: Record<string, unknown>) => () => new ExternalDependency(Testing.chart(), 'x', { hosts: ['api.example.com'], ports: [{ number: 443, protocol: PortProtocol.TLS }], ...props } as any);

  test('TlsOrigination.simple({ caCertificates: "" }) is refused (it emitted caCertificates: "")', () => {
    const e = thrownBy(() => TlsOrigination.simple({ caCertificates: '' }));
    expect(e.code).toBe('PROP');
    expect(e.message).toContain('caCertificates is empty');
    expect(() => raiseInvalid(TlsOrigination.simple({ caCertificates: '/etc/ca.pem' }))).not.toThrow();
  });

  test.each([[[null]], [['']]])('retryOn %j is refused', (retryOn) => {
    thrownBy(() => RetryPolicy.idempotent({ attempts: 2, retryOn: retryOn as any }));
  });

  test.each(['reviews.ns.svc.cluster.local', 'kubernetes.default.svc.cluster.local', '*.svc.cluster.local'])('ExternalDependency refuses the in-cluster host %s (SE-01)', (host) => {
    const e = thrownBy(external({ hosts: [host], resolution: 'NONE' }));
    expect(e.code).toBe('SE-01');
    expect(e.message).toContain('in-cluster (mesh) service host');
  });

  test('lint finds the same: a MESH_EXTERNAL ServiceEntry for an in-cluster host is SE-01; MESH_INTERNAL is fine', () => {
    const manifest = (location?: string) => ({
      apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'se', namespace: 'ns' },
      spec: { hosts: ['reviews.ns.svc.cluster.local'], ports: [{ number: 80, name: 'http', protocol: 'HTTP' }], resolution: 'DNS', ...(location ? { location } : {}) },
    });
    expect(analyze([{ manifest: manifest(), path: 'r.yaml:1' }]).errors.map((v) => v.code)).toContain('SE-01');
    expect(analyze([{ manifest: manifest('MESH_INTERNAL'), path: 'r.yaml:1' }]).errors.map((v) => v.code)).not.toContain('SE-01');
  });

  test('TLS origination to a wildcard host without sni is refused (it emitted sni: "*.example.com"); an explicit sni is fine', () => {
    const props = { hosts: ['*.example.com'], resolution: 'NONE', ports: [{ number: 80, protocol: PortProtocol.HTTP, targetPort: 443 }] };
    const e = thrownBy(external({ ...props, tlsOrigination: TlsOrigination.simple() }));
    expect(e.code).toBe('DR-14');
    expect(e.message).toContain('SNI "*.example.com"');
    expect(external({ ...props, tlsOrigination: TlsOrigination.simple({ sni: 'api.example.com' }) })).not.toThrow();
  });

  test('lint finds a wildcard sni too (DR-14)', () => {
    const manifest = (sni: string) => ({
      apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'dr', namespace: 'ns' },
      spec: { host: 'api.example.com', trafficPolicy: { tls: { mode: 'SIMPLE', sni } } },
    });
    expect(analyze([{ manifest: manifest('*.example.com'), path: 'r.yaml:1' }]).errors.map((v) => v.code)).toContain('DR-14');
    expect(analyze([{ manifest: manifest('api.example.com'), path: 'r.yaml:1' }]).errors.map((v) => v.code)).not.toContain('DR-14');
  });

  test.each(['[[:foo:]]', 'a\\C'])('the RE2 check refuses %s as Go regexp (Istio\'s webhook) does', (regex) => {
    expect(thrownBy(() => HttpMatch.pathRegex(regex)).code).toBe('X-10');
  });

  test('known POSIX classes stay accepted', () => {
    expect(() => raiseInvalid(HttpMatch.pathRegex('[[:alpha:]][[:^digit:]]+'))).not.toThrow();
  });

  test('a header match value over 60 KiB is refused (X-11); 60 KiB is accepted', () => {
    expect(thrownBy(() => HttpMatch.header('x-a').exact('a'.repeat(60 * 1024 + 1))).code).toBe('X-11');
    expect(() => raiseInvalid(HttpMatch.header('x-a').exact('a'.repeat(60 * 1024)))).not.toThrow();
  });

  test.each([['hosts', { hosts: 'a.example.com' }], ['gateways', { gateways: 'mesh' }]])('%s given as a string says "is not a list" (PROP)', (prop, extra) => {
    const e = thrownBy(() => new CanaryService(Testing.chart(), 'c', { host: HOST, stable: V1, canary: V2, ...extra } as any));
    expect(e.code).toBe('PROP');
    expect(e.message).toContain(`${prop} "${Object.values(extra)[0]}" is not a list`);
  });

  test("timeout: '5s' says it is not a cdk8s Duration (PROP), not \"not a finite duration (received NaN)\"", () => {
    const e = thrownBy(() => new ResilientBackend(Testing.chart(), 'b', { host: HOST, timeout: '5s' as any }));
    expect(e.code).toBe('PROP');
    expect(e.message).toContain('timeout "5s" is not a cdk8s Duration');
    expect(e.message).not.toContain('NaN');
  });
});

describe('invalid values and hostile arguments (review of the all-problems-at-once change)', () => {
  const throwing = new Proxy({}, { getPrototypeOf() { throw new Error('hostile proto'); }, get() { throw new Error('hostile get'); } });
  test.each([
    ['Destination.service(undefined)', () => Destination.service(undefined as any), /service undefined has no host/],
    ['Destination.service(null)', () => Destination.service(null as any), /service null has no host/],
    ['Destination.service(a throwing Proxy)', () => Destination.service(throwing as any), /service could not be read/],
    ['HttpMatch.and(a throwing Proxy)', () => HttpMatch.pathPrefix('/a').and(throwing as any), /other .* is not an HttpMatch/],
    ['withWarmup(a throwing Proxy)', () => LoadBalancer.simple(LoadBalancerAlgorithm.ROUND_ROBIN).withWarmup(throwing as any), /duration could not be read/],
    ['Destination.host(5)', () => Destination.host(5 as any), /PROP: host 5 is not a hostname string/],
  ])('%s is a PROP error, never a TypeError', (_name, make, message) => {
    const e = thrownBy(make);
    expect(e.message).toMatch(message);
  });

  test('an invalid value is not thenable: awaiting it gives the value, for the construct to report', async () => {
    const bad = RetryPolicy.idempotent({ attempts: 99 });
    expect(await Promise.resolve(bad)).toBe(bad);
    expect(() => raiseInvalid(bad)).toThrow(/attempts must be an integer 1-10/);
  });

  test('each read of an invalid value throws a fresh error (a caller decorating one changes nothing)', () => {
    const bad = RetryPolicy.idempotent({ attempts: 99 });
    let first: unknown;
    try {
      void (bad as any).attempts;
    } catch (e) {
      first = e;
      (e as Error).stack = 'decorated';
    }
    let second: unknown;
    try {
      void (bad as any).attempts;
    } catch (e) {
      second = e;
    }
    expect(second).not.toBe(first);
    expect((second as Error).stack).not.toBe('decorated');
  });

  test('a subset\'s traffic policy is reported at the construct, with the prop chain', () => {
    const e = thrownBy(() => new HostTraffic(Testing.chart(), 'a', {
      host: 'reviews', subsets: [{ name: 'v1', pods: Subset.fromLabels({ v: '1' }), trafficPolicy: { loadBalancer: LoadBalancer.simple('x' as any) } }],
    }));
    expect(e.path).toBe('test/a');
    expect(e.message).toMatch(/^\[test\/a\] PROP: subsets\[0\]\.trafficPolicy\.loadBalancer \(LoadBalancer\.simple\): /);
  });

  test('props refused directly under the App name the construct without a leading slash', () => {
    expect(thrownBy(() => new CanaryService(new App(), 'cx', 5 as any)).path).toBe('cx');
    expect(thrownBy(() => new ResilientBackend(new App(), 'rb', 5 as any)).path).toBe('rb');
  });
});

describe('unknown keys are listed with every other problem of the construct', () => {
  test('IngressGateway: two misspelt props and a bad selector label, one error with three lines', () => {
    const e = thrownBy(() => new IngressGateway(Testing.chart(), 'gw', { serverz: [], nmae: 'x', selector: { 'bad key!': 'x' } } as any));
    expect(e.violations.map((v) => v.message)).toEqual(expect.arrayContaining([
      'props has no field "serverz"', 'props has no field "nmae"', expect.stringMatching(/^selector entry "bad key!: x" /),
    ]));
    expect(e.violations.every((v) => v.path === 'test/gw')).toBe(true);
  });
});

test('HttpMatch.and with two invalid sides reports both', () => {
  const e = thrownBy(() => HttpMatch.pathPrefix('x').and(HttpMatch.port(0)));
  expect(e.violations.map((v) => v.code)).toEqual(['PROP', 'X-02']);
  expect(e.violations[1].message).toMatch(/^other \(HttpMatch\.port\): /);
});

test('a TCP route with two invalid destinations reports both', () => {
  const e = thrownBy(() => new HostTraffic(Testing.chart(), 't', {
    host: 'db', tcpRoutes: [{ port: 5432, route: [Destination.host('bad one'), Destination.host('bad two')] }],
  }));
  expect(e.violations.map((v) => v.message)).toEqual([
    expect.stringMatching(/^tcpRoutes\[0\]\.route\[0\] \(Destination\.host\): host "bad one" /),
    expect.stringMatching(/^tcpRoutes\[0\]\.route\[1\] \(Destination\.host\): host "bad two" /),
  ]);
});

test('EgressLockdown lists every bad host and every bad call', () => {
  const e = thrownBy(() => new EgressLockdown(Testing.chart(), 'l', {
    namespace: 'shop', hosts: ['api.example.com', 'other.example.com'], calls: [CallTarget.host('a..b'), CallTarget.host('c..d')],
  }));
  const props = e.violations.map((v) => /^(hosts\[\d\]|calls\[\d\])/.exec(v.message)?.[1] ?? v.message);
  expect(props).toEqual(expect.arrayContaining(['hosts[0]', 'hosts[1]', 'calls[0]', 'calls[1]']));
});

test('CanaryStage.pause with a bad weight and a bad duration reports both', () => {
  const e = thrownBy(() => CanaryStage.pause(150, Duration.millis(0.3)));
  expect(e.violations).toHaveLength(2);
});

test('ExternalDependency: a port with a bad number and a bad protocol, and a second bad port, are all reported', () => {
  const e = thrownBy(() => new ExternalDependency(Testing.chart(), 'x', {
    hosts: ['api.example.com'], ports: [{ number: 0, protocol: 'NOPE' as any }, { number: 70000, protocol: PortProtocol.TLS }],
  }));
  const props = e.violations.map((v) => /^ports\[\d\]\.\w+/.exec(v.message)?.[0] ?? v.message);
  expect(props).toEqual(expect.arrayContaining(['ports[0].number', 'ports[0].protocol', 'ports[1].number']));
});
