import { ApiObject, Chart, Duration, Testing } from 'cdk8s';
import { istioObjects, objectsOf, oneOf, testChart } from '../support/constructs';
import { thrownBy } from '../support/errors';
import { codes, dr, one, run } from '../support/rules';
import { CanaryService } from '../../src/constructs/canary-service';
import { Destination } from '../../src/constructs/destination';
import { HostTraffic, HostTrafficProps } from '../../src/constructs/host-traffic';
import { Subset } from '../../src/constructs/refs';
import { LoadBalancer, LoadBalancerAlgorithm } from '../../src/policies/load-balancer';
import { HttpMatch, HttpMethod } from '../../src/policies/match';
import { RetryOn, RetryPolicy } from '../../src/policies/retry';
import { TlsOrigination } from '../../src/policies/tls';
import { Rules } from '../../src/synth/rules';

const HOST = 'ratings.bookinfo.svc.cluster.local';
const JASON = HttpMatch.header('end-user').exact('jason');
const v = (name: string) => ({ name, pods: Subset.fromLabels({ version: name }) });

function host(props: Partial<HostTrafficProps> = {}, chart: Chart = testChart([HOST, 'reviews.bookinfo.svc.cluster.local']).chart) {
  const construct = new HostTraffic(chart, 'ratings', { host: HOST, ...props });
  return { chart, construct };
}

describe('objects emitted only when they have content', () => {
  test('subsets only: a DestinationRule and no VirtualService', () => {
    const { chart, construct } = host({ subsets: [v('v1')] });
    expect(objectsOf(chart, 'VirtualService')).toHaveLength(0);
    expect(oneOf(chart, 'DestinationRule').spec).toEqual({ host: HOST, subsets: [{ name: 'v1', labels: { version: 'v1' } }] });
    expect(construct.virtualService).toBeUndefined();
  });

  test('routes only: a VirtualService and no DestinationRule', () => {
    const { chart, construct } = host({ httpRoutes: [{ timeout: Duration.seconds(3) }] });
    expect(objectsOf(chart, 'DestinationRule')).toHaveLength(0);
    expect(oneOf(chart, 'VirtualService').spec).toEqual({ hosts: [HOST], http: [{ route: [{ destination: { host: HOST } }], timeout: '3s' }] });
    expect(construct.destinationRule).toBeUndefined();
  });

  test('nothing set: nothing emitted', () => {
    const { chart } = host();
    expect(istioObjects(chart)).toHaveLength(0);
  });

  test('any number of subsets, each with its own policy', () => {
    const { chart, construct } = host({
      subsets: [v('v1'), v('v2'), { ...v('v2-mysql'), trafficPolicy: { tls: TlsOrigination.istioMutual() } }],
      httpRoutes: [{ route: [Destination.subset('v1')] }],
    });
    construct.addSubset(v('v2-mysql-vm'));
    const dr = oneOf(chart, 'DestinationRule');
    expect(dr.spec.subsets.map((s: any) => s.name)).toEqual(['v1', 'v2', 'v2-mysql', 'v2-mysql-vm']);
    expect(dr.spec.subsets[2].trafficPolicy).toEqual({ tls: { mode: 'ISTIO_MUTUAL' } });
    expect(construct.subsetNames).toEqual(['v1', 'v2', 'v2-mysql', 'v2-mysql-vm']);
  });
});

describe('HTTP routes', () => {
  test('each route has its own policy; routes added later render in order before the catch-all', () => {
    const { chart, construct } = host({
      subsets: [v('v1'), v('v2')],
      httpRoutes: [{ name: 'primary', route: [Destination.subset('v1')], timeout: Duration.seconds(10) }],
    });
    construct.addHttpRoute({
      name: 'testing', match: [JASON], route: [Destination.subset('v2')], timeout: Duration.seconds(15),
      retries: RetryPolicy.idempotent({ attempts: 2, perTryTimeout: Duration.seconds(3) }),
    });
    construct.addHttpRoute({ name: 'chaos', match: [HttpMatch.header('x-chaos').exact('1')], fault: { delay: { fixedDelay: Duration.seconds(7), percentage: 100 } }, route: [Destination.subset('v1')] });
    const http = oneOf(chart, 'VirtualService').spec.http;
    expect(http.map((r: any) => r.name)).toEqual(['testing', 'chaos', 'primary']);
    expect(http[0]).toMatchObject({ timeout: '15s', retries: { attempts: 2, perTryTimeout: '3s' } });
    expect(http[1].fault).toEqual({ delay: { fixedDelay: '7s', percentage: { value: 100 } } });
    expect(http[2].timeout).toBe('10s');
  });

  test('a second catch-all is appended, and VS-06 refuses it at synth', () => {
    const { chart } = host({ httpRoutes: [{}, {}] });
    expect(thrownBy(() => Testing.synth(chart)).message).toContain('VS-06');
  });

  test('a fault on a route that selects no test traffic is VS-23 at synth, and can be suppressed with a reason', () => {
    const fault = { abort: { httpStatus: 503, percentage: 100 } };
    expect(thrownBy(() => Testing.synth(host({ httpRoutes: [{ fault }] }).chart)).message).toContain('VS-23');
    const { chart, construct } = host({ httpRoutes: [{ fault }] });
    Rules.suppress(construct, 'VS-23', 'chaos day: every request fails on purpose');
    expect(oneOf(chart, 'VirtualService').spec.http[0].fault.abort.httpStatus).toBe(503);
  });

  test('redirect, directResponse, rewrite, headers, CORS and mirror render as Istio fields', () => {
    const { chart } = host({
      subsets: [v('v1'), v('v2')],
      httpRoutes: [
        { match: [HttpMatch.pathPrefix('/old')], redirect: { uri: '/new', redirectCode: 302 } },
        { match: [HttpMatch.pathExact('/health')], directResponse: { status: 200, body: 'ok' } },
        {
          match: [HttpMatch.pathPrefix('/api').and(HttpMatch.method(HttpMethod.GET))],
          rewrite: { uri: '/', authority: 'ratings' },
          headers: { request: { set: { 'x-api': '1' } }, response: { remove: ['server'] } },
          corsPolicy: { allowOrigins: [{ exact: 'https://shop.example.com' }], allowMethods: ['GET'], maxAge: Duration.hours(1) },
          route: [Destination.subset('v1', { headers: { response: { add: { 'x-version': 'v1' } } } })],
          mirror: Destination.subset('v2'), mirrorPercentage: 10,
        },
        { route: [Destination.subset('v1')] },
      ],
    });
    const http = oneOf(chart, 'VirtualService').spec.http;
    expect(http[0]).toEqual({ match: [{ uri: { prefix: '/old' } }], redirect: { uri: '/new', redirectCode: 302 } });
    expect(http[1]).toEqual({ match: [{ uri: { exact: '/health' } }], directResponse: { status: 200, body: { string: 'ok' } } });
    expect(http[2]).toMatchObject({
      rewrite: { uri: '/', authority: 'ratings' },
      headers: { request: { set: { 'x-api': '1' } }, response: { remove: ['server'] } },
      corsPolicy: { allowOrigins: [{ exact: 'https://shop.example.com' }], allowMethods: ['GET'], maxAge: '3600s' },
      route: [{ destination: { host: HOST, subset: 'v1' }, headers: { response: { add: { 'x-version': 'v1' } } } }],
      mirror: { host: HOST, subset: 'v2' }, mirrorPercentage: { value: 10 },
    });
  });

  test('two actions on one route are PROP, naming the route', () => {
    const e = thrownBy(() => host({ httpRoutes: [{ route: [Destination.subset('v1')], directResponse: { status: 404 } }] }));
    expect(e.code).toBe('PROP');
    expect(e.message).toContain('httpRoutes[0] sets route and directResponse');
  });

  test('non-idempotent retries need a route name and are held to it (VS-18)', () => {
    const writes = RetryPolicy.nonIdempotent({ attempts: 1 });
    expect(thrownBy(() => host({ httpRoutes: [{ retries: writes }] })).code).toBe('PROP');
    const { chart, construct } = host({ httpRoutes: [{ name: 'writes', retries: writes }] });
    expect(Rules.of(chart)._intentOf(construct.virtualService!).nonIdempotentRoutes).toEqual(['writes']);
    expect(oneOf(chart, 'VirtualService').spec.http[0].retries.retryOn).not.toContain(RetryOn.FIVE_XX);
  });

  test('a missing route name for non-idempotent retries is reported with a bad timeout of the same route, in one error', () => {
    const writes = RetryPolicy.nonIdempotent({ attempts: 1 });
    const e = thrownBy(() => host({ httpRoutes: [{ retries: writes, timeout: Duration.millis(0.5) }] }));
    expect(e.violations.map((v) => v.code).sort()).toEqual(['PROP', 'X-01']);
    expect(e.message).toContain('uses RetryPolicy.nonIdempotent but has no name');
    // An invalid RetryPolicy is reported once, as itself (its fields are not read for the name check).
    const invalid = RetryPolicy.nonIdempotent({ attempts: -1 });
    const f = thrownBy(() => host({ httpRoutes: [{ retries: invalid }] }));
    expect(f.violations).toHaveLength(1);
    expect(f.message).toContain('httpRoutes[0].retries (RetryPolicy.nonIdempotent)');
  });

  test('the new match conditions render as Istio fields', () => {
    const { chart } = host({
      httpRoutes: [
        { match: [HttpMatch.withoutHeader('end-user').exact('jason').and(HttpMatch.port(9080)).and(HttpMatch.sourceLabels({ app: 'reviews' }))] },
        { match: [HttpMatch.authority().exact('ratings').and(HttpMatch.sourceNamespace('bookinfo')).and(HttpMatch.gateways('mesh'))] },
        { match: [HttpMatch.pathPrefix('/API').ignoringUriCase()] },
        {},
      ],
    });
    const http = oneOf(chart, 'VirtualService').spec.http;
    expect(http[0].match).toEqual([{ withoutHeaders: { 'end-user': { exact: 'jason' } }, port: 9080, sourceLabels: { app: 'reviews' } }]);
    expect(http[1].match).toEqual([{ authority: { exact: 'ratings' }, sourceNamespace: 'bookinfo', gateways: ['mesh'] }]);
    expect(http[2].match).toEqual([{ uri: { prefix: '/API' }, ignoreUriCase: true }]);
    expect(thrownBy(() => HttpMatch.port(9080).and(HttpMatch.port(80))).code).toBe('PROP');
    expect(thrownBy(() => HttpMatch.port(0)).code).toBe('X-02');
  });
});

describe('bindings', () => {
  test('bound only to a gateway: hosts are required and the service host is not listed', () => {
    expect(thrownBy(() => host({ gateways: ['istio-system/public'], httpRoutes: [{}] })).message).toContain('hosts is empty');
    const chart = testChart([HOST]).chart;
    new ApiObject(chart, 'gw', { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'public', namespace: 'istio-system' }, spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }] } });
    host({ gateways: ['istio-system/public'], hosts: ['*'], port: 9080, httpRoutes: [{}] }, chart);
    expect(oneOf(chart, 'VirtualService').spec).toMatchObject({ hosts: ['*'], gateways: ['istio-system/public'], http: [{ route: [{ destination: { host: HOST, port: { number: 9080 } } }] }] });
  });

  test('mesh and a gateway: the service host comes first', () => {
    const { chart } = host({ gateways: ['mesh', 'istio-system/public'], hosts: ['ratings.example.com'], httpRoutes: [{}] });
    expect(Testing.synth(chart).find((o) => o.kind === 'VirtualService').spec.hosts).toEqual([HOST, 'ratings.example.com']);
  });

  test('exportTo applies to both objects and is checked (X-05)', () => {
    const { chart } = host({ exportTo: ['.'], subsets: [v('v1')], httpRoutes: [{ route: [Destination.subset('v1')] }] });
    for (const o of istioObjects(chart)) expect(o.spec.exportTo).toEqual(['.']);
    expect(thrownBy(() => host({ exportTo: ['~'], httpRoutes: [{}] })).code).toBe('X-05');
  });
});

describe('TCP and TLS routes', () => {
  test('weighted TCP route on a port, TLS route by SNI', () => {
    const { chart, construct } = host({ subsets: [v('v1'), v('v2')], port: 9000 });
    construct.addTcpRoute({ port: 31400, route: [Destination.subset('v1', { weight: 80 }), Destination.subset('v2', { weight: 20 })] });
    construct.addTlsRoute({ sniHosts: [HOST], port: 443, route: [Destination.subset('v1')] });
    const spec = oneOf(chart, 'VirtualService').spec;
    expect(spec.tcp).toEqual([{ match: [{ port: 31400 }], route: [
      { destination: { host: HOST, subset: 'v1', port: { number: 9000 } }, weight: 80 },
      { destination: { host: HOST, subset: 'v2', port: { number: 9000 } }, weight: 20 },
    ] }]);
    expect(spec.tls).toEqual([{ match: [{ sniHosts: [HOST], port: 443 }], route: [{ destination: { host: HOST, subset: 'v1', port: { number: 9000 } } }] }]);
    expect(spec.http).toBeUndefined();
  });

  test('a TCP route without destinations is PROP', () => {
    expect(thrownBy(() => host({ tcpRoutes: [{ port: 80, route: [] }] })).code).toBe('PROP');
  });
});

describe('traffic policy', () => {
  test('port-level settings and client TLS modes', () => {
    const { chart } = host({
      tls: TlsOrigination.istioMutual(),
      portLevelSettings: [{ port: 9443, tls: TlsOrigination.mutual({ credentialName: 'ratings-client' }) }],
    });
    expect(oneOf(chart, 'DestinationRule').spec.trafficPolicy).toEqual({
      tls: { mode: 'ISTIO_MUTUAL' },
      portLevelSettings: [{ port: { number: 9443 }, tls: { mode: 'MUTUAL', credentialName: 'ratings-client', sni: HOST, subjectAltNames: [HOST] } }],
    });
  });

  test('mutual TLS without client material is PROP; with both sources it is DR-14', () => {
    expect(thrownBy(() => TlsOrigination.mutual({})).code).toBe('PROP');
    expect(thrownBy(() => TlsOrigination.mutual({ credentialName: 'c', clientCertificate: '/a', privateKey: '/b' })).code).toBe('DR-14');
  });
});

describe('destinations', () => {
  test('Destination.service takes a Kubernetes Service by shape', () => {
    const { chart } = host();
    const svc = new ApiObject(chart, 'svc', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'reviews', namespace: 'bookinfo' } });
    const d = Destination.service(svc, { port: 9080 });
    expect(d._render(HOST, undefined, { path: 'x', prop: 'route[0]' })).toEqual({ destination: { host: 'reviews.bookinfo.svc.cluster.local', port: { number: 9080 } } });
    expect(thrownBy(() => Destination.service(chart)).code).toBe('PROP');
  });

  test('a weight outside 0-100 is VS-11', () => {
    expect(thrownBy(() => host({ httpRoutes: [{ route: [Destination.subset('v1', { weight: 120 })] }] })).code).toBe('VS-11');
  });
});

test('calls are recorded on the VirtualService once the host has a route', () => {
  const { chart, construct } = host({ subsets: [v('v1')] });
  construct.calls(); // nothing yet
  construct.addHttpRoute({ route: [Destination.subset('v1')] });
  construct.calls();
  const again = host({ httpRoutes: [{}], entryPoint: true }, Testing.chart());
  expect(Rules.of(again.chart)._intentOf(again.construct.virtualService!).entryPoint).toBe(true);
  expect(Rules.of(chart)._intentOf(construct.virtualService!).owner).toBe(construct.node.path);
});

test('snapshot of a host with every part', () => {
  const { chart, construct } = host({
    subsets: [v('v1'), v('v2')], port: 9080, tls: TlsOrigination.istioMutual(),
    httpRoutes: [{ name: 'jason', match: [JASON], route: [Destination.subset('v2')] }, { name: 'primary', route: [Destination.subset('v1', { weight: 90 }), Destination.subset('v2', { weight: 10 })] }],
  });
  expect(construct.virtualService!.node.dependencies).toContain(construct.destinationRule);
  const objects = istioObjects(chart);
  expect(objects.map((o) => o.kind)).toEqual(['DestinationRule', 'VirtualService']);
  expect(objects).toMatchSnapshot();
});

describe('load balancer, retry and mirror options', () => {
  test('warmup on LEAST_REQUEST, ring hash and maglev on consistent hashes', () => {
    const warm = LoadBalancer.simple(LoadBalancerAlgorithm.LEAST_REQUEST).withWarmup(Duration.seconds(60), { minimumPercent: 10, aggression: 2 });
    expect(warm._render()).toEqual({ simple: 'LEAST_REQUEST', warmup: { duration: '60s', minimumPercent: 10, aggression: 2 } });
    expect(LoadBalancer.consistentHashByHeader('x-user').withRingHash(1024)._render()).toEqual({ consistentHash: { httpHeaderName: 'x-user', ringHash: { minimumRingSize: 1024 } } });
    expect(LoadBalancer.consistentHashBySourceIp().withRingHash(8).withMaglev(65537)._render()).toEqual({ consistentHash: { useSourceIp: true, maglev: { tableSize: 65537 } } });
    expect(thrownBy(() => LoadBalancer.simple(LoadBalancerAlgorithm.RANDOM).withWarmup(Duration.seconds(1))).code).toBe('PROP');
    expect(thrownBy(() => LoadBalancer.simple(LoadBalancerAlgorithm.ROUND_ROBIN).withMaglev(65537)).code).toBe('PROP');
    expect(thrownBy(() => LoadBalancer.consistentHashBySourceIp().withRingHash(0)).code).toBe('PROP');
    expect(thrownBy(() => LoadBalancer.simple(LoadBalancerAlgorithm.ROUND_ROBIN).withWarmup(Duration.seconds(1), { minimumPercent: 150 })).code).toBe('PROP');
    const { chart } = host({ loadBalancer: warm });
    expect(oneOf(chart, 'DestinationRule').spec.trafficPolicy.loadBalancer.warmup.duration).toBe('60s');
  });

  test('retryIgnorePreviousHosts is emitted when set, PROP when not a boolean', () => {
    const retries = RetryPolicy.idempotent({ attempts: 2, perTryTimeout: Duration.seconds(1), retryIgnorePreviousHosts: false });
    expect(retries._render().retryIgnorePreviousHosts).toBe(false);
    expect(RetryPolicy.idempotent({ attempts: 2 })._render().retryIgnorePreviousHosts).toBeUndefined();
    expect(thrownBy(() => RetryPolicy.nonIdempotent({ attempts: 1, retryIgnorePreviousHosts: 'no' as any })).code).toBe('PROP');
  });

  test('several mirrors, each with its percentage; mirror and mirrors together are PROP', () => {
    const { chart } = host({
      subsets: [v('v1'), v('v2'), v('v3')],
      httpRoutes: [{
        match: [HttpMatch.method(HttpMethod.GET)], route: [Destination.subset('v1')],
        mirrors: [{ destination: Destination.subset('v2'), percentage: 10 }, { destination: Destination.subset('v3') }],
      }, { route: [Destination.subset('v1')] }],
    });
    expect(oneOf(chart, 'VirtualService').spec.http[0].mirrors).toEqual([
      { destination: { host: HOST, subset: 'v2' }, percentage: { value: 10 } },
      { destination: { host: HOST, subset: 'v3' } },
    ]);
    expect(thrownBy(() => host({ httpRoutes: [{ mirror: Destination.subset('v2'), mirrors: [{ destination: Destination.subset('v3') }] }] })).code).toBe('PROP');
  });
});

describe('egress patterns', () => {
  test('Subset.allEndpoints() emits a label-less subset; DR-03 warns when it is the only one and refuses it next to others', () => {
    const gw = 'istio-egressgateway.istio-system.svc.cluster.local';
    const { chart, warnings } = (() => { const t = testChart([gw]); host({ host: gw, subsets: [{ name: 'cnn', pods: Subset.allEndpoints() }] }, t.chart); return t; })();
    expect(oneOf(chart, 'DestinationRule').spec.subsets).toEqual([{ name: 'cnn' }]);
    expect(warnings.map((w) => w.code)).toContain('DR-03');
    const mixed = host({ subsets: [v('v1'), { name: 'all', pods: Subset.allEndpoints() }] });
    expect(thrownBy(() => Testing.synth(mixed.chart)).message).toContain('DR-03');
  });

  test('workloadSelector scopes the DestinationRule (X-08 label syntax)', () => {
    const { chart } = host({ workloadSelector: { app: 'sleep' }, tls: TlsOrigination.istioMutual() });
    expect(oneOf(chart, 'DestinationRule').spec.workloadSelector).toEqual({ matchLabels: { app: 'sleep' } });
    expect(thrownBy(() => host({ workloadSelector: { 'bad key!': 'x' }, tls: TlsOrigination.istioMutual() })).code).toBe('X-08');
  });

  test('a wildcard host routes external traffic; presets keep refusing one (X-03)', () => {
    const { chart } = host({ host: '*.wikipedia.org', tlsRoutes: [{ port: 443, sniHosts: ['*.wikipedia.org'], route: [Destination.host('www.wikipedia.org', { port: 443 })] }] }, testChart(['www.wikipedia.org']).chart);
    expect(Testing.synth(chart).find((o) => o.kind === 'VirtualService').spec.hosts).toEqual(['*.wikipedia.org']);
    expect(thrownBy(() => new CanaryService(testChart().chart, 'c', { host: '*.example.com', stable: Subset.fromLabels({ v: '1' }), canary: Subset.fromLabels({ v: '2' }) })).code).toBe('X-03');
  });

  test('LoadBalancer.warmup writes warmup alone (Istio\'s default algorithm)', () => {
    expect(LoadBalancer.warmup(Duration.seconds(300), { minimumPercent: 5 })._render()).toEqual({ warmup: { duration: '300s', minimumPercent: 5 } });
  });

  test('two portLevelSettings entries for one port are DR-06, at construction and in YAML', () => {
    expect(thrownBy(() => host({ portLevelSettings: [{ port: 80, tls: TlsOrigination.istioMutual() }, { port: 80, tls: TlsOrigination.disable() }] })).code).toBe('DR-06');
    const twice = one(run(dr({ host: HOST, trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'DISABLE' } }, { port: { number: 80 }, tls: { mode: 'ISTIO_MUTUAL' } }] } })), 'DR-06');
    expect(twice.message).toContain('two entries for port 80');
    expect(codes(run(dr({ host: HOST, trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'DISABLE' } }, { port: { number: 81 }, tls: { mode: 'DISABLE' } }] } })))).not.toContain('DR-06');
  });
});

describe('bindGateway', () => {
  const gateway = (chart: Chart, namespace?: string) => new ApiObject(chart, `gw-${namespace ?? 'chart'}`, {
    apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'public', ...(namespace ? { namespace } : {}) },
    spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }] },
  });

  test('binds by object, keeping the mesh binding, and the VirtualService is applied after the Gateway', () => {
    const { chart, construct } = host({ hosts: ['ratings.example.com'], httpRoutes: [{}] });
    const gw = gateway(chart, 'istio-system');
    construct.bindGateway(gw);
    const objects = Testing.synth(chart);
    expect(objects.find((o) => o.kind === 'VirtualService').spec.gateways).toEqual(['mesh', 'istio-system/public']);
    expect(construct.virtualService!.node.dependencies).toContain(gw);
  });

  test('a gateway-only VirtualService stays gateway-only; the namespace comes from the Chart when the object has none', () => {
    const chart = new Chart(Testing.app(), 'ns', { namespace: 'edge' });
    testChart([HOST], chart);
    const traffic = host({ gateways: ['edge/internal'], hosts: ['*'], httpRoutes: [{}] }, chart).construct;
    traffic.bindGateway(gateway(chart));
    expect(traffic.virtualService!.toJson().spec.gateways).toEqual(['edge/internal', 'edge/public']);
  });

  test('anything but an Istio Gateway, or a gateway bound twice, is PROP', () => {
    const { chart, construct } = host({ httpRoutes: [{}] });
    expect(thrownBy(() => construct.bindGateway(chart)).code).toBe('PROP');
    const gw = gateway(chart, 'istio-system');
    construct.bindGateway(gw);
    expect(thrownBy(() => construct.bindGateway(gw)).message).toContain('bound to istio-system/public already');
  });
});

test('TlsOrigination.simpleWithIstioDefaults() writes mode SIMPLE alone, and DR-15 warns', () => {
  const { chart, warnings } = (() => { const t = testChart([HOST]); host({ portLevelSettings: [{ port: 443, tls: TlsOrigination.simpleWithIstioDefaults() }] }, t.chart); return t; })();
  expect(oneOf(chart, 'DestinationRule').spec.trafficPolicy.portLevelSettings[0].tls).toEqual({ mode: 'SIMPLE' });
  expect(warnings.map((w) => w.code)).toContain('DR-15');
});

describe('one error per construct: every problem at once, nested values re-pathed with the prop chain', () => {
  const badRoute = () => ({
    name: 'writes',
    match: [HttpMatch.pathPrefix('/a').and(HttpMatch.header('X-Bad').exact('1'))],
    retries: RetryPolicy.nonIdempotent({ attempts: 2, retryOn: [RetryOn.FIVE_XX] }),
    route: [Destination.subset('v1', { weight: 1.5 })],
  });

  test('an HttpMatch inside an and() inside a route, a RetryPolicy and a destination of that route, and a top-level prop', () => {
    const { chart } = testChart([HOST]);
    const e = thrownBy(() => new HostTraffic(chart, 'host', { host: HOST, port: 0, subsets: [v('v1')], httpRoutes: [badRoute()] }));
    expect(e.violations.map((x) => [x.code, x.path, x.message])).toEqual([
      ['X-02', 'test/host', 'port 0 is outside 1-65535'],
      ['X-11', 'test/host', 'httpRoutes[0].match[0] (HttpMatch.and): other (HttpMatch.header): header name "X-Bad" is not lower-case (Istio requires lower-case header keys)'],
      ['VS-18', 'test/host', 'httpRoutes[0].retries (RetryPolicy.nonIdempotent): retryOn contains "5xx", which can replay a request the server already received'],
      ['VS-11', 'test/host', 'httpRoutes[0].route[0].weight must be an integer 0-100 (received 1.5)'],
    ]);
    // The re-pathed violations keep the factory's value, allowed range and fix.
    expect(e.violations[2]).toMatchObject({ value: '5xx', allowed: 'connect-failure,refused-stream,reset-before-request' });
    expect(e.violations[2].fix).toMatch(/^Retry non-idempotent requests only on connect-failure,refused-stream,reset-before-request/);
  });

  test('each route, subset and L4 route is checked on its own', () => {
    const { chart } = testChart([HOST]);
    const e = thrownBy(() => new HostTraffic(chart, 'host', {
      host: HOST,
      subsets: [{ name: 'v1', pods: Subset.fromLabels({ version: 'v 1' }) }, v('v2')],
      httpRoutes: [{ match: [HttpMatch.pathExact('nope')], route: [Destination.subset('v2')] }, { route: [Destination.host('not a host!')] }],
      tcpRoutes: [{ port: 70000, route: [Destination.subset('v2', { headers: { request: { set: { a: 'b' } } } })] }],
    }));
    expect(e.violations.map((x) => x.message.replace(/ \(.*/, ''))).toEqual([
      'subsets[0].pods.labels entry "version: v 1" is not a valid label value',
      'httpRoutes[0].match[0]',
      'httpRoutes[1].route[0]',
      'tcpRoutes[0].port 70000 is outside 1-65535',
      'tcpRoutes[0].route[0] sets headers, which a TCP route destination cannot carry',
    ]);
    expect(e.violations.map((x) => x.path)).toEqual(Array(5).fill('test/host'));
  });

  test('a refused construct leaves nothing in the chart; a value valid on its own next to it works unchanged', () => {
    const { chart } = testChart([HOST]);
    const match = HttpMatch.header('end-user').exact('jason');
    expect(() => new HostTraffic(chart, 'host', { host: HOST, port: 0, subsets: [v('v1')], httpRoutes: [{ match: [match], route: [Destination.subset('v1')] }] })).toThrow();
    expect(Testing.synth(chart)).toEqual([]);
    new HostTraffic(chart, 'host', { host: HOST, subsets: [v('v1')], httpRoutes: [{ match: [match], route: [Destination.subset('v1')] }, {}] });
    expect(oneOf(chart, 'VirtualService').spec.http[0].match).toEqual([{ headers: { 'end-user': { exact: 'jason' } } }]);
  });

  test('addHttpRoute lists every problem of the route, re-pathed, and leaves the construct as it was', () => {
    const { chart } = testChart([HOST]);
    const c = host({ subsets: [v('v1')], httpRoutes: [{ route: [Destination.subset('v1')] }] }, chart).construct;
    const before = JSON.stringify(Testing.synth(chart));
    const e = thrownBy(() => c.addHttpRoute({ match: [HttpMatch.queryParam('').exact('1')], retries: RetryPolicy.idempotent({ attempts: 2, retryOn: [] }), mirrorPercentage: 10 }));
    expect(e.violations.map((x) => [x.path, x.message])).toEqual([
      ['test/ratings', 'httpRoutes[1].match[0] (HttpMatch.queryParam): the query parameter name "" is empty or not a string'],
      ['test/ratings', "httpRoutes[1].retries (RetryPolicy.idempotent): retryOn is empty, so Istio's default conditions would apply instead"],
      ['test/ratings', 'httpRoutes[1] sets mirrorPercentage without mirror, so nothing is mirrored'],
    ]);
    expect(JSON.stringify(Testing.synth(chart))).toBe(before);
  });

  test('a host that fails does not hide the problems of the subsets and routes: one error lists them all, nothing is built', () => {
    const { chart } = testChart([HOST]);
    const e = thrownBy(() => new HostTraffic(chart, 'host', {
      host: 'Bad_Host', exportTo: [], httpRoutes: [badRoute(), {}], subsets: [{ name: 'v1', pods: Subset.fromLabels({ 'bad key!': 'x' }) }],
      tcpRoutes: [{ route: [Destination.host('not a host!')] }],
    }));
    expect(e.violations.map((x) => x.code)).toEqual(['X-03', 'PROP', 'X-08', 'X-11', 'VS-18', 'VS-11', 'X-03']);
    expect(e.violations[1].message).toBe('exportTo is empty');
    // The route without destinations (its default, the host) adds no second error about the host.
    expect(e.violations.filter((v) => v.code === 'X-03').map((v) => v.message)).toEqual([
      expect.stringMatching(/^host "Bad_Host"/), expect.stringMatching(/^tcpRoutes\[0\]\.route\[0\] .*"not a host!"/),
    ]);
    expect(chart.node.tryFindChild('host')).toBeUndefined();
  });
});
