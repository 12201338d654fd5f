import { Chart, Duration, Testing } from 'cdk8s';
import * as path from 'path';
import { istioObjects, objectsOf, oneOf, testChart } from '../support/constructs';
import { thrownBy } from '../support/errors';
import { readObjects } from '../samples/normalize';
import { analyze } from '../../src/rules';
import { ExternalDependency, ExternalDependencyProps, Location, PortProtocol, Resolution } from '../../src/constructs/external-dependency';
import { Violation } from '../../src/core/errors';
import { LoadBalancer, LoadBalancerAlgorithm } from '../../src/policies/load-balancer';
import { RetryPolicy } from '../../src/policies/retry';
import { TlsOrigination } from '../../src/policies/tls';
import { validateManifest } from '../../src/schema/crd-validator';
import { Rules } from '../../src/synth/rules';

const HOST = 'api.pgprovider.example';
const HTTP = { number: 80, protocol: PortProtocol.HTTP };
const TLS = { number: 443, protocol: PortProtocol.TLS };
const CA = '/etc/ssl/certs/ca-certificates.crt';

/** The shared construct test helpers (test/support), bound to this file's host. */
function setup(chart: Chart = Testing.chart()) {
  return testChart(undefined, chart);
}
const istio = istioObjects;
const of = oneOf;
const ofKind = objectsOf;

function dependency(props: Partial<ExternalDependencyProps> = {}, chart = setup().chart) {
  const construct = new ExternalDependency(chart, 'dep', { hosts: [HOST], ports: [TLS], ...props });
  return { chart, construct };
}

function kinds(chart: Chart): string[] {
  return istio(chart).map((o) => o.kind);
}

const ORIGINATING: Partial<ExternalDependencyProps> = {
  ports: [HTTP, TLS],
  tlsOrigination: TlsOrigination.simple({ caCertificates: CA }),
  timeout: Duration.seconds(3),
  retries: RetryPolicy.idempotent({ attempts: 2, perTryTimeout: Duration.seconds(1) }),
  connectionPool: { tcp: { maxConnections: 50 } },
  outlierDetection: { maxEjectionPercent: 50 },
};

describe('emitted objects', () => {
  test('emits the ServiceEntry first, then the DestinationRule, then the VirtualService, all networking.istio.io/v1', () => {
    const { chart } = dependency(ORIGINATING);
    expect(istio(chart).map((o) => [o.apiVersion, o.kind])).toEqual([
      ['networking.istio.io/v1', 'ServiceEntry'],
      ['networking.istio.io/v1', 'DestinationRule'],
      ['networking.istio.io/v1', 'VirtualService'],
    ]);
  });

  test('emits only a ServiceEntry for a plain TCP port without policies', () => {
    const { chart, construct } = dependency({ ports: [{ number: 5432, protocol: PortProtocol.TCP }] });
    expect(kinds(chart)).toEqual(['ServiceEntry']);
    expect(construct.destinationRules).toEqual([]);
    expect(construct.virtualServices).toEqual([]);
  });

  test('emits no VirtualService for an HTTP port without timeout or retries', () => {
    expect(kinds(dependency({ ports: [HTTP] }).chart)).toEqual(['ServiceEntry']);
  });

  test('every object of an originating dependency passes the Istio CRD schema', () => {
    const objects = istio(dependency(ORIGINATING).chart);
    expect(objects).toHaveLength(3);
    for (const o of objects) expect(validateManifest(o)).toEqual([]);
  });

  test('every object of a multi-host dependency passes the Istio CRD schema', () => {
    const objects = istio(dependency({ hosts: [HOST, 'auth.pgprovider.example'], ports: [HTTP, TLS], tlsOrigination: TlsOrigination.insecureSkipVerify(), timeout: Duration.seconds(2) }).chart);
    expect(objects).toHaveLength(5);
    for (const o of objects) expect(validateManifest(o)).toEqual([]);
  });

  test('synthesizes an originating dependency without warnings', () => {
    const { chart, warnings } = setup();
    dependency(ORIGINATING, chart);
    Testing.synth(chart);
    expect(warnings).toEqual([]);
  });

  test('matches the snapshot of an originating dependency', () => {
    expect(Testing.synth(dependency(ORIGINATING).chart)).toMatchSnapshot();
  });

  test('matches the snapshot of a TLS passthrough dependency', () => {
    expect(Testing.synth(dependency().chart)).toMatchSnapshot();
  });
});

describe('ServiceEntry', () => {
  test('registers the hosts as MESH_EXTERNAL with DNS resolution, exported to this namespace only', () => {
    expect(of(dependency().chart, 'ServiceEntry').spec).toEqual({
      hosts: [HOST],
      location: 'MESH_EXTERNAL',
      ports: [{ number: 443, protocol: 'TLS', name: 'tls-443' }],
      resolution: 'DNS',
      exportTo: ['.'],
    });
  });

  test('uses given port names and target ports', () => {
    const { chart } = dependency({ ports: [{ number: 8443, protocol: PortProtocol.HTTPS, name: 'api', targetPort: 443 }] });
    expect(of(chart, 'ServiceEntry').spec.ports).toEqual([{ number: 8443, protocol: 'HTTPS', name: 'api', targetPort: 443 }]);
  });

  test('uses the given resolution', () => {
    expect(of(dependency({ resolution: Resolution.DNS_ROUND_ROBIN }).chart, 'ServiceEntry').spec.resolution).toBe('DNS_ROUND_ROBIN');
  });

  test('accepts a wildcard host with resolution NONE', () => {
    const { chart } = dependency({ hosts: ['*.googleapis.com'], resolution: Resolution.NONE });
    const se = of(chart, 'ServiceEntry');
    expect(se.metadata.name).toBe('wildcard-googleapis-com');
    expect(se.spec.hosts).toEqual(['*.googleapis.com']);
    expect(se.spec.resolution).toBe('NONE');
  });

  test('synthesizes a wildcard host on an HTTP port without routes', () => {
    const { chart } = dependency({ hosts: ['*.googleapis.com'], resolution: Resolution.NONE, ports: [HTTP] });
    expect(kinds(chart)).toEqual(['ServiceEntry']);
  });

  test('rejects timeout/retries for a wildcard host at construction with PROP (the construct emits no route for a wildcard)', () => {
    const e = thrownBy(() => dependency({ hosts: ['*.googleapis.com'], resolution: Resolution.NONE, ports: [HTTP], timeout: Duration.seconds(2) }));
    expect(e.code).toBe('PROP');
    expect(e.path).toBe('test/dep');
    expect(e.value).toBe('*.googleapis.com');
  });

  test('emits no SNI route for a wildcard host', () => {
    expect(kinds(dependency({ hosts: ['*.googleapis.com'], resolution: Resolution.NONE }).chart)).toEqual(['ServiceEntry']);
  });

  test.each([[['*']], [['shop', 'payments']], [['.']]])('exports to %j', (exportTo) => {
    expect(of(dependency({ exportTo }).chart, 'ServiceEntry').spec.exportTo).toEqual(exportTo);
  });

  test('uses exportTo on every emitted object', () => {
    const { chart } = dependency({ ...ORIGINATING, exportTo: ['shop'] });
    expect(istio(chart).map((o) => o.spec.exportTo)).toEqual([['shop'], ['shop'], ['shop']]);
  });

  test('rejects exportTo ["*", "."] with X-05', () => {
    const e = thrownBy(() => dependency({ exportTo: ['*', '.'] }));
    expect(e.code).toBe('X-05');
    expect(e.value).toBe('["*","."]');
  });

  test.each([[['.', '.']], [['Shop']], [['~']]])('rejects exportTo %j with X-05', (exportTo) => {
    expect(thrownBy(() => dependency({ exportTo })).code).toBe('X-05');
  });

  test('rejects exportTo [] with PROP (an empty list would mean every namespace; say ["*"])', () => {
    expect(thrownBy(() => dependency({ exportTo: [] })).code).toBe('PROP');
  });

  test('rejects exportTo entries that are not strings, or an exportTo that is not a list, with PROP', () => {
    expect(thrownBy(() => dependency({ exportTo: ['.', 5 as any] })).code).toBe('PROP');
    expect(thrownBy(() => dependency({ exportTo: '.' as any })).code).toBe('PROP');
  });

  test('rejects "." together with the own namespace with X-05, as rule X-05 does', () => {
    const e = thrownBy(() => dependency({ namespace: 'shop', exportTo: ['.', 'shop'] }));
    expect(e.code).toBe('X-05');
    expect(e.message).toContain('"." is the object\'s own namespace "shop"');
    expect(thrownBy(() => dependency({ exportTo: ['.', 'shop'] }, setup(new Chart(Testing.app(), 'test', { namespace: 'shop' })).chart)).code).toBe('X-05');
    expect(() => dependency({ namespace: 'payments', exportTo: ['.', 'shop'] })).not.toThrow();
  });

  test('rejects a wildcard host with DNS resolution with SE-05', () => {
    const e = thrownBy(() => dependency({ hosts: ['*.googleapis.com'] }));
    expect(e.code).toBe('SE-05');
    expect(e.value).toBe('*.googleapis.com');
    expect(e.path).toBe('test/dep');
  });

  test('rejects a wildcard host with DNS_ROUND_ROBIN resolution with SE-05', () => {
    expect(thrownBy(() => dependency({ hosts: ['*.googleapis.com'], resolution: Resolution.DNS_ROUND_ROBIN })).code).toBe('SE-05');
  });

  test('rejects an unknown resolution with PROP', () => {
    expect(thrownBy(() => dependency({ resolution: 'STRICT_DNS' as Resolution })).code).toBe('PROP');
  });

  test('rejects duplicate port numbers with SE-03', () => {
    const e = thrownBy(() => dependency({ ports: [TLS, { number: 443, protocol: PortProtocol.HTTPS }] }));
    expect(e.code).toBe('SE-03');
    expect(e.value).toBe(443);
  });

  test('rejects duplicate port names with SE-03', () => {
    const e = thrownBy(() => dependency({ ports: [{ ...TLS, name: 'api' }, { ...HTTP, name: 'api' }] }));
    expect(e.code).toBe('SE-03');
    expect(e.value).toBe('api');
  });

  test('rejects no ports with PROP (Istio accepts a ServiceEntry without ports; the construct needs them)', () => {
    expect(thrownBy(() => dependency({ ports: [] })).code).toBe('PROP');
  });

  test('rejects no hosts with SE-01', () => {
    expect(thrownBy(() => dependency({ hosts: [] })).code).toBe('SE-01');
  });

  test('rejects hosts that are not a list with PROP', () => {
    expect(thrownBy(() => dependency({ hosts: HOST as any })).code).toBe('PROP');
  });

  test('rejects a repeated host with PROP (rule SE-01 only warns; the per-host objects would share a name)', () => {
    expect(thrownBy(() => dependency({ hosts: [HOST, HOST] })).code).toBe('PROP');
  });

  test('rejects an invalid host with X-03', () => {
    expect(thrownBy(() => dependency({ hosts: ['api..example'] })).code).toBe('X-03');
  });

  test.each([[0], [65536]])('rejects port number %d with X-02', (number) => {
    expect(thrownBy(() => dependency({ ports: [{ number, protocol: PortProtocol.TLS }] })).code).toBe('X-02');
  });

  test('rejects targetPort 0 with X-02', () => {
    expect(thrownBy(() => dependency({ ports: [{ ...TLS, targetPort: 0 }] })).code).toBe('X-02');
  });

  test('rejects an invalid port name with X-09', () => {
    expect(thrownBy(() => dependency({ ports: [{ ...TLS, name: 'TLS' }] })).code).toBe('X-09');
  });

  test('rejects an unknown protocol with PROP (not a PortProtocol)', () => {
    expect(thrownBy(() => dependency({ ports: [{ number: 443, protocol: 'QUIC' as PortProtocol }] })).code).toBe('PROP');
  });

  test('rejects several hosts sharing a TCP port with SE-06', () => {
    const e = thrownBy(() => dependency({ hosts: [HOST, 'db.pgprovider.example'], ports: [{ number: 5432, protocol: PortProtocol.TCP }] }));
    expect(e.code).toBe('SE-06');
  });
});

describe('names and namespace', () => {
  test('derives the name from the host', () => {
    const { chart } = dependency(ORIGINATING);
    expect(istio(chart).map((o) => o.metadata)).toEqual([{ name: 'api-pgprovider-example' }, { name: 'api-pgprovider-example' }, { name: 'api-pgprovider-example' }]);
  });

  test('uses the given name and namespace', () => {
    const { chart } = dependency({ ...ORIGINATING, name: 'pg', namespace: 'payments' });
    expect(istio(chart).map((o) => o.metadata)).toEqual([
      { name: 'pg', namespace: 'payments' }, { name: 'pg', namespace: 'payments' }, { name: 'pg', namespace: 'payments' },
    ]);
  });

  test('names per-host objects <name>-<host> when there are several hosts', () => {
    const { chart, construct } = dependency({ name: 'pg', hosts: [HOST, 'auth.pgprovider.example'] });
    expect(of(chart, 'ServiceEntry').metadata.name).toBe('pg');
    expect(ofKind(chart, 'VirtualService').map((o) => o.metadata.name)).toEqual(['pg-api-pgprovider-example', 'pg-auth-pgprovider-example']);
    expect(construct.virtualServices).toHaveLength(2);
  });
});

describe('TLS passthrough', () => {
  test('routes each TLS host by SNI, without a port when the ServiceEntry has only one', () => {
    expect(of(dependency().chart, 'VirtualService').spec).toEqual({
      hosts: [HOST],
      exportTo: ['.'],
      tls: [{ match: [{ sniHosts: [HOST] }], route: [{ destination: { host: HOST } }] }],
    });
  });

  test('emits one SNI route per TLS port, matched by port', () => {
    const { chart } = dependency({ ports: [TLS, { number: 8443, protocol: PortProtocol.TLS }] });
    expect(of(chart, 'VirtualService').spec.tls).toEqual([
      { match: [{ sniHosts: [HOST], port: 443 }], route: [{ destination: { host: HOST, port: { number: 443 } } }] },
      { match: [{ sniHosts: [HOST], port: 8443 }], route: [{ destination: { host: HOST, port: { number: 8443 } } }] },
    ]);
  });

  test('routes HTTPS ports by SNI', () => {
    expect(of(dependency({ ports: [{ number: 443, protocol: PortProtocol.HTTPS }] }).chart, 'VirtualService').spec.tls)
      .toEqual([{ match: [{ sniHosts: [HOST] }], route: [{ destination: { host: HOST } }] }]);
  });

  test('rejects a timeout on a TLS-only dependency with PROP (it would be dropped)', () => {
    const e = thrownBy(() => dependency({ timeout: Duration.seconds(3) }));
    expect(e.code).toBe('PROP');
    expect(e.value).toBe('TLS');
    expect(e.allowed).toBe('an HTTP, HTTP2 or GRPC port');
  });

  test('rejects retries on a TLS-only dependency with PROP', () => {
    expect(thrownBy(() => dependency({ retries: RetryPolicy.none() })).code).toBe('PROP');
  });
});

describe('TLS origination', () => {
  test('sends HTTP ports to targetPort 443 by default', () => {
    expect(of(dependency({ ports: [HTTP], tlsOrigination: TlsOrigination.simple() }).chart, 'ServiceEntry').spec.ports).toEqual([
      { number: 80, protocol: 'HTTP', name: 'http-80', targetPort: 443 },
    ]);
  });

  test('keeps an explicit targetPort', () => {
    expect(of(dependency({ ports: [{ ...HTTP, targetPort: 8443 }], tlsOrigination: TlsOrigination.simple() }).chart, 'ServiceEntry').spec.ports)
      .toEqual([{ number: 80, protocol: 'HTTP', name: 'http-80', targetPort: 8443 }]);
  });

  test('omits targetPort when it equals the port number', () => {
    expect(of(dependency({ ports: [{ number: 443, protocol: PortProtocol.HTTP }], tlsOrigination: TlsOrigination.simple() }).chart, 'ServiceEntry').spec.ports)
      .toEqual([{ number: 443, protocol: 'HTTP', name: 'http-443' }]);
  });

  test('does not change TLS ports', () => {
    expect(of(dependency(ORIGINATING).chart, 'ServiceEntry').spec.ports[1]).toEqual({ number: 443, protocol: 'TLS', name: 'tls-443' });
  });

  test('verifies the server on every HTTP port', () => {
    const { chart } = dependency({ ports: [HTTP, { number: 8080, protocol: PortProtocol.HTTP }], tlsOrigination: TlsOrigination.simple() });
    const tls = { mode: 'SIMPLE', sni: HOST, caCertificates: '/etc/ssl/certs/ca-certificates.crt', subjectAltNames: [HOST] };
    expect(of(chart, 'DestinationRule').spec).toEqual({
      host: HOST,
      exportTo: ['.'],
      trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, tls }, { port: { number: 8080 }, tls }] },
    });
  });

  test('names the system CA bundle explicitly when no CA is given, so nothing warns (DR-15)', () => {
    const { chart, warnings } = setup();
    dependency({ ports: [HTTP], tlsOrigination: TlsOrigination.simple() }, chart);
    Testing.synth(chart);
    expect(warnings.map((w) => [w.code, w.path])).toEqual([]);
  });

  test('a credentialName replaces the default CA bundle', () => {
    const { chart } = dependency({ ports: [HTTP], tlsOrigination: TlsOrigination.simple({ credentialName: 'partner-ca' }) });
    expect(of(chart, 'DestinationRule').spec.trafficPolicy.portLevelSettings[0].tls).toEqual({ mode: 'SIMPLE', sni: HOST, credentialName: 'partner-ca', subjectAltNames: [HOST] });
  });

  test('skips verification only when asked, and says so', () => {
    const { chart } = dependency({ ports: [HTTP], tlsOrigination: TlsOrigination.insecureSkipVerify() });
    expect(of(chart, 'DestinationRule').spec.trafficPolicy.portLevelSettings[0].tls).toEqual({ mode: 'SIMPLE', sni: HOST, insecureSkipVerify: true });
  });

  test('renders per host SNI and SANs', () => {
    const { chart } = dependency({ hosts: [HOST, 'auth.pgprovider.example'], ports: [HTTP], tlsOrigination: TlsOrigination.simple() });
    expect(ofKind(chart, 'DestinationRule').map((d) => [d.spec.host, d.spec.trafficPolicy.portLevelSettings[0].tls.sni])).toEqual([
      [HOST, HOST], ['auth.pgprovider.example', 'auth.pgprovider.example'],
    ]);
  });

  test('rejects tlsOrigination without an HTTP port with PROP (nothing to originate TLS from)', () => {
    const e = thrownBy(() => dependency({ tlsOrigination: TlsOrigination.simple() }));
    expect(e.code).toBe('PROP');
    expect(e.value).toBe('TLS');
  });
});

describe('HTTP routes', () => {
  test('emits a default route with timeout and retries for HTTP ports', () => {
    const { chart } = dependency({ ports: [HTTP], timeout: Duration.seconds(3), retries: RetryPolicy.idempotent({ attempts: 2, perTryTimeout: Duration.seconds(1) }) });
    expect(of(chart, 'VirtualService').spec).toEqual({
      hosts: [HOST],
      exportTo: ['.'],
      http: [{
        name: 'default', route: [{ destination: { host: HOST } }], timeout: '3s',
        retries: { attempts: 2, perTryTimeout: '1s', retryOn: '5xx,reset,connect-failure,refused-stream' },
      }],
    });
  });

  test('emits HTTP and SNI routes together for mixed ports, each destination naming its port (VS-14)', () => {
    const spec = of(dependency(ORIGINATING).chart, 'VirtualService').spec;
    expect(spec.http.map((r: any) => r.name)).toEqual(['default']);
    expect(spec.http[0].route).toEqual([{ destination: { host: HOST, port: { number: 80 } } }]);
    expect(spec.tls).toEqual([{ match: [{ sniHosts: [HOST] }], route: [{ destination: { host: HOST, port: { number: 443 } } }] }]);
  });

  test('emits one route per HTTP port, matched by port, with the last one as catch-all', () => {
    const { chart } = dependency({ ports: [HTTP, { number: 8080, protocol: PortProtocol.HTTP2 }], timeout: Duration.seconds(3) });
    expect(of(chart, 'VirtualService').spec.http).toEqual([
      { name: 'default-80', match: [{ port: 80 }], route: [{ destination: { host: HOST, port: { number: 80 } } }], timeout: '3s' },
      { name: 'default', route: [{ destination: { host: HOST, port: { number: 8080 } } }], timeout: '3s' },
    ]);
  });

  test('records every HTTP route as non-idempotent for non-idempotent retries', () => {
    const { construct } = dependency({
      ports: [HTTP, { number: 8080, protocol: PortProtocol.HTTP }],
      timeout: Duration.seconds(3), retries: RetryPolicy.nonIdempotent({ attempts: 1 }),
    });
    expect(Rules.of(construct)._intentOf(construct.virtualServices[0]).nonIdempotentRoutes).toEqual(['default-80', 'default']);
  });

  test('accepts non-idempotent retries', () => {
    const { chart, warnings } = setup();
    dependency({ ports: [HTTP], timeout: Duration.seconds(3), retries: RetryPolicy.nonIdempotent({ attempts: 1 }) }, chart);
    expect(of(chart, 'VirtualService').spec.http[0].retries).toEqual({ attempts: 1, retryOn: 'connect-failure,refused-stream,reset-before-request' });
    expect(warnings).toEqual([]);
  });

  test('fails synth with VS-19 at the construct path when the timeout cuts off retries', () => {
    const { chart } = dependency({ ports: [HTTP], timeout: Duration.seconds(1), retries: RetryPolicy.idempotent({ attempts: 2, perTryTimeout: Duration.millis(500) }) });
    const e = thrownBy(() => Testing.synth(chart));
    expect(e.code).toBe('VS-19');
    expect(e.path).toBe('test/dep');
  });
});

describe('DestinationRule', () => {
  test('emits the traffic policy without TLS origination', () => {
    const { chart } = dependency({ connectionPool: { tcp: { maxConnections: 10 } }, loadBalancer: LoadBalancer.simple(LoadBalancerAlgorithm.RANDOM) });
    expect(of(chart, 'DestinationRule').spec).toEqual({
      host: HOST,
      exportTo: ['.'],
      trafficPolicy: { connectionPool: { tcp: { maxConnections: 10 } }, loadBalancer: { simple: 'RANDOM' } },
    });
  });

  test('merges the traffic policy with TLS origination', () => {
    const policy = of(dependency(ORIGINATING).chart, 'DestinationRule').spec.trafficPolicy;
    expect(policy.connectionPool).toEqual({ tcp: { maxConnections: 50 } });
    expect(policy.outlierDetection).toEqual({ consecutive5xxErrors: 5, maxEjectionPercent: 50 });
    expect(policy.portLevelSettings.map((p: any) => p.port)).toEqual([{ number: 80 }]);
  });

  test('repeats the traffic policy in the TLS port-level entries, which inherit nothing from the top level', () => {
    const policy = of(dependency(ORIGINATING).chart, 'DestinationRule').spec.trafficPolicy;
    expect(policy.portLevelSettings).toEqual([{
      port: { number: 80 },
      connectionPool: { tcp: { maxConnections: 50 } },
      outlierDetection: { consecutive5xxErrors: 5, maxEjectionPercent: 50 },
      tls: { mode: 'SIMPLE', sni: HOST, caCertificates: CA, subjectAltNames: [HOST] },
    }]);
  });

  test('emits one DestinationRule per host', () => {
    const { chart, construct } = dependency({ hosts: [HOST, 'auth.pgprovider.example'], outlierDetection: {} });
    expect(ofKind(chart, 'DestinationRule').map((d) => [d.metadata.name, d.spec.host])).toEqual([
      ['api-pgprovider-example', HOST],
      ['auth-pgprovider-example', 'auth.pgprovider.example'],
    ]);
    expect(construct.destinationRules).toHaveLength(2);
  });

  test('fails synth with DR-08 for maxEjectionPercent 100 without minHealthPercent', () => {
    const e = thrownBy(() => Testing.synth(dependency({ outlierDetection: { maxEjectionPercent: 100 } }).chart));
    expect(e.code).toBe('DR-08');
    expect(e.path).toBe('test/dep');
  });
});

describe('escape hatches', () => {
  test('exposes the ServiceEntry, DestinationRules and VirtualServices', () => {
    const { chart, construct } = dependency(ORIGINATING);
    construct.serviceEntry.metadata.addLabel('team', 'payments');
    construct.destinationRules[0].metadata.addLabel('team', 'payments');
    construct.virtualServices[0].metadata.addLabel('team', 'payments');
    expect(istio(chart).map((o) => o.metadata.labels)).toEqual([{ team: 'payments' }, { team: 'payments' }, { team: 'payments' }]);
  });

  test('exposes the validated hosts', () => {
    expect(dependency({ hosts: [HOST, 'auth.pgprovider.example'] }).construct.hosts).toEqual([HOST, 'auth.pgprovider.example']);
  });
});

describe('CRD caps enforced before any per-host work (X-13, issue 12 item 6)', () => {
  const hosts = (n: number) => Array.from({ length: n }, (_, i) => `h${i}.example.com`);

  test('256 hosts (max) pass; 257 (max+1) raise X-13 at construction, naming the count and the fix', () => {
    expect(() => dependency({ hosts: hosts(256), ports: [TLS] })).not.toThrow();
    const e = thrownBy(() => dependency({ hosts: hosts(257), ports: [TLS] }));
    expect(e.code).toBe('X-13');
    expect(e.value).toBe(257);
    expect(e.message).toContain('hosts has 257 items (the ServiceEntry CRD allows at most 256)');
    expect(e.fix).toContain('Split the hosts');
  });

  test('100,000 hosts are refused by the count alone: no host is checked first', () => {
    const many = hosts(100_000);
    many[99_999] = 'not a host!'; // would be X-03 if hosts were checked one by one before the count
    expect(thrownBy(() => dependency({ hosts: many, ports: [TLS] })).code).toBe('X-13');
  });

  test('257 ports raise X-13 too', () => {
    const ports = Array.from({ length: 257 }, (_, i) => ({ number: 1000 + i, protocol: PortProtocol.TLS }));
    expect(thrownBy(() => dependency({ ports })).code).toBe('X-13');
  });
});

describe('egressGateway (Istio egress-gateway pattern)', () => {
  const CNN = 'edition.cnn.com';
  const GW = 'istio-egressgateway.istio-system.svc.cluster.local';
  const build = (props: Partial<ExternalDependencyProps> = {}) => {
    const { chart, warnings } = testChart([GW], new Chart(Testing.app(), 'egress', { namespace: 'shop' }));
    const dep = new ExternalDependency(chart, 'cnn', {
      hosts: [CNN], exportTo: ['*'], egressGateway: {},
      ports: [{ number: 80, name: 'http-port', protocol: PortProtocol.HTTP }, { number: 443, name: 'https', protocol: PortProtocol.HTTPS }],
      ...props,
    });
    return { chart, warnings, dep };
  };

  test('a Gateway on the egress gateway pods, and a VirtualService bound to the mesh and to it', () => {
    const { chart, warnings, dep } = build({ timeout: Duration.seconds(5) });
    const objects = istioObjects(chart);
    expect(objects.map((o) => o.kind)).toEqual(['ServiceEntry', 'Gateway', 'VirtualService']);
    const gw = objects[1];
    expect(gw.metadata).toEqual({ name: 'edition-cnn-com-egress', namespace: 'shop' });
    expect(gw.spec).toEqual({
      selector: { istio: 'egressgateway' },
      servers: [
        { port: { number: 80, name: 'http-port', protocol: 'HTTP' }, hosts: [CNN] },
        { port: { number: 443, name: 'https', protocol: 'TLS' }, hosts: [CNN], tls: { mode: 'PASSTHROUGH' } },
      ],
    });
    const vs = objects[2].spec;
    expect(vs.gateways).toEqual(['shop/edition-cnn-com-egress', 'mesh']);
    expect(vs.http).toEqual([
      { name: 'mesh-80', match: [{ gateways: ['mesh'] }], route: [{ destination: { host: GW, port: { number: 80 } } }] },
      { name: 'gateway-80', match: [{ gateways: ['shop/edition-cnn-com-egress'] }], route: [{ destination: { host: CNN, port: { number: 80 } } }], timeout: '5s' },
    ]);
    expect(vs.tls).toEqual([
      { match: [{ gateways: ['mesh'], port: 443, sniHosts: [CNN] }], route: [{ destination: { host: GW, port: { number: 443 } } }] },
      { match: [{ gateways: ['shop/edition-cnn-com-egress'], port: 443, sniHosts: [CNN] }], route: [{ destination: { host: CNN, port: { number: 443 } } }] },
    ]);
    expect(dep.gateway).toBeDefined();
    // Every rule passes on the output (VS-06: a catch-all per bound gateway).
    expect(warnings).toEqual([]);
  });

  test('resolution NONE (the gateway would forward to itself), wildcard hosts and bad gateway settings are refused', () => {
    expect(thrownBy(() => build({ resolution: Resolution.NONE })).message).toContain('forward to the address it was called on: itself');
    expect(thrownBy(() => build({ hosts: ['*.cnn.com'], resolution: Resolution.NONE })).code).toBe('PROP');
    expect(thrownBy(() => build({ egressGateway: { selector: { 'bad key!': 'x' } } })).code).toBe('X-08');
    expect(thrownBy(() => build({ egressGateway: { host: 'egress.example.com' } })).message).toContain('is not a cluster-local Service host');
    expect(thrownBy(() => build({ egressGateway: { subset: 'Not A Label' } })).code).toBe('PROP');
  });

  test('the objects are exported to the egress gateway\'s namespace too, or the gateway would not see them', () => {
    const { chart } = build({ exportTo: undefined, tlsOrigination: TlsOrigination.simple(), ports: [{ number: 80, name: 'http', protocol: PortProtocol.HTTP }] });
    const objects = istioObjects(chart);
    expect(objects.filter((o) => o.kind !== 'Gateway').map((o) => [o.kind, o.spec.exportTo])).toEqual([
      ['ServiceEntry', ['.', 'istio-system']], ['DestinationRule', ['.', 'istio-system']], ['VirtualService', ['.', 'istio-system']],
    ]);
  });

  test('TLS originated at the egress gateway (Istio\'s egress-gateway-tls-origination task): plain HTTP to the gateway, TLS from it', () => {
    const { chart, warnings } = build({ tlsOrigination: TlsOrigination.simple(), ports: [{ number: 80, name: 'http', protocol: PortProtocol.HTTP }], egressGateway: { subset: 'cnn' } });
    const objects = istioObjects(chart);
    const of = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
    expect(of('ServiceEntry', 'edition-cnn-com').spec.ports).toEqual([{ number: 80, name: 'http', protocol: 'HTTP', targetPort: 443 }]);
    expect(of('Gateway', 'edition-cnn-com-egress').spec.servers).toEqual([{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: [CNN] }]);
    expect(of('DestinationRule', 'edition-cnn-com').spec.trafficPolicy.portLevelSettings).toEqual([{
      port: { number: 80 }, tls: { mode: 'SIMPLE', sni: CNN, subjectAltNames: [CNN], caCertificates: '/etc/ssl/certs/ca-certificates.crt' },
    }]);
    expect(of('VirtualService', 'edition-cnn-com').spec.http.map((r: any) => r.route[0].destination)).toEqual([
      { host: GW, subset: 'cnn', port: { number: 80 } }, { host: CNN, port: { number: 80 } },
    ]);
    expect(warnings).toEqual([]);
  });

  test('compared field by field with Istio\'s egress gateway task for HTTP (test/samples/istio-docs/egress-gateway-http-cnn.yaml)', () => {
    const { chart } = testChart([GW], new Chart(Testing.app(), 'egress'));
    new ExternalDependency(chart, 'cnn', {
      name: 'cnn', hosts: [CNN], exportTo: ['*'], sniRouting: false, egressGateway: { subset: 'cnn' },
      ports: [{ number: 80, name: 'http-port', protocol: PortProtocol.HTTP }, { number: 443, name: 'https', protocol: PortProtocol.HTTPS }],
    });
    const ours = istioObjects(chart);
    const upstream = readObjects(path.join(__dirname, '..', 'samples', 'istio-docs', 'egress-gateway-http-cnn.yaml'));
    const spec = (objects: any[], kind: string) => objects.find((o) => o.kind === kind).spec;
    // The ServiceEntry and the gateway's DestinationRule are the task's (ours names its exportTo).
    expect(spec(ours, 'ServiceEntry')).toEqual({ ...spec(upstream, 'ServiceEntry'), location: 'MESH_EXTERNAL', exportTo: ['*'] });
    expect(spec(ours, 'DestinationRule')).toEqual({ ...spec(upstream, 'DestinationRule'), exportTo: ['.'] });
    // The task's HTTP server, on our Gateway (which also passes the HTTPS port through by SNI).
    expect(spec(ours, 'Gateway').servers[0]).toEqual({ ...spec(upstream, 'Gateway').servers[0], port: { number: 80, name: 'http-port', protocol: 'HTTP' } });
    // The same two HTTP routes: sidecars to the gateway's cnn subset, the gateway to edition.cnn.com. Ours are named,
    // leave out the weight 100 of a single destination, and match no port on the only HTTP port (the same requests).
    const gatewayRef = 'cnn-egress';
    const routes = spec(upstream, 'VirtualService').http.map((r: any) => ({
      match: r.match.map((m: any) => ({ gateways: m.gateways.map((g: string) => (g === 'mesh' ? g : gatewayRef)) })),
      route: r.route.map((d: any) => ({ destination: d.destination })),
    }));
    expect(spec(ours, 'VirtualService').http.map(({ name, ...r }: any) => r)).toEqual(routes);
  });
});

describe('resolution DYNAMIC_DNS (wildcard hosts resolved per request)', () => {
  const build = (props: Partial<ExternalDependencyProps> = {}) => {
    const { chart, warnings } = testChart(['*.wikipedia.org'], new Chart(Testing.app(), 'dyn', { namespace: 'shop' }));
    new ExternalDependency(chart, 'wiki', { hosts: ['*.wikipedia.org'], resolution: Resolution.DYNAMIC_DNS, ports: [{ number: 443, name: 'tls', protocol: PortProtocol.TLS }], ...props });
    return { chart, warnings };
  };

  test('a wildcard host with a TLS port: the ServiceEntry passes the CRD and every rule', () => {
    const { chart, warnings } = build();
    const se = oneOf(chart, 'ServiceEntry');
    expect(se.spec).toEqual({ hosts: ['*.wikipedia.org'], location: 'MESH_EXTERNAL', ports: [{ number: 443, name: 'tls', protocol: 'TLS' }], resolution: 'DYNAMIC_DNS', exportTo: ['.'] });
    expect(warnings).toEqual([]);
  });

  test('exact hosts, TCP ports, addresses and endpoints are refused with the rules\' codes', () => {
    const exact = thrownBy(() => build({ hosts: ['en.wikipedia.org'] }));
    expect([exact.code, exact.message]).toEqual(['SE-01', expect.stringContaining('hosts[0] "en.wikipedia.org" is not a "*.domain" wildcard, which resolution DYNAMIC_DNS requires')]);
    const tcp = thrownBy(() => build({ ports: [{ number: 5432, name: 'pg', protocol: PortProtocol.TCP }] }));
    expect([tcp.code, tcp.value]).toEqual(['SE-05', 'TCP']);
    expect(thrownBy(() => build({ addresses: ['10.0.0.1'] })).message).toContain('addresses is set but resolution DYNAMIC_DNS takes no addresses');
    expect(thrownBy(() => build({ endpoints: [{ address: 'en.wikipedia.org' }] })).code).toBe('SE-05');
  });

  test('the same checks in lint on hand-written YAML (one check, two callers)', () => {
    const rules = (spec: unknown) => analyze([{ manifest: { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'w', namespace: 'shop' }, spec }, path: 'w' }]).errors.map((e) => e.code);
    expect(rules({ hosts: ['*.wikipedia.org'], resolution: 'DYNAMIC_DNS', ports: [{ number: 443, name: 'tls', protocol: 'TLS' }] })).toEqual([]);
    expect(rules({ hosts: ['en.wikipedia.org'], resolution: 'DYNAMIC_DNS', ports: [{ number: 5432, name: 'pg', protocol: 'TCP' }] })).toEqual(expect.arrayContaining(['SE-01', 'SE-05']));
  });
});

test('workloadSelector: a MESH_INTERNAL service backed by workloads (VMs); not together with endpoints (SE-05)', () => {
  const build = (props: Partial<ExternalDependencyProps>) => {
    const { chart, warnings } = testChart(undefined, new Chart(Testing.app(), 'vm', { namespace: 'vm' }));
    new ExternalDependency(chart, 'mysql', {
      hosts: ['mysql.vm.example'], location: Location.MESH_INTERNAL, resolution: Resolution.STATIC,
      ports: [{ number: 3306, name: 'mysql', protocol: PortProtocol.TCP }], ...props,
    });
    return { chart, warnings };
  };
  const { chart } = build({ workloadSelector: { app: 'mysql' } });
  expect(oneOf(chart, 'ServiceEntry').spec.workloadSelector).toEqual({ labels: { app: 'mysql' } });
  const both = thrownBy(() => build({ workloadSelector: { app: 'mysql' }, endpoints: [{ address: '10.0.0.5' }] }));
  expect([both.code, both.message]).toEqual(['SE-05', expect.stringContaining('workloadSelector and endpoints (1) are both set')]);
  expect(thrownBy(() => build({ workloadSelector: { 'bad key!': 'x' } })).code).toBe('X-08');
});

describe('one error per construct: every problem at once, value classes re-pathed to the construct', () => {
  test('the TLS origination, the ports and the retry policy: three violations at the construct path', () => {
    const { chart } = setup();
    const e = thrownBy(() => dependency({ ports: [], tlsOrigination: TlsOrigination.simple({ sni: 'not a host' }), retries: RetryPolicy.idempotent({ attempts: 3, backoff: Duration.millis(0.5) }) }, chart));
    expect(e.violations.map((v) => [v.code, v.path, v.message.replace(/ has label.*/, '')])).toEqual([
      ['X-03', 'test/dep', 'tlsOrigination (TlsOrigination.simple): sni "not a host"'],
      ['PROP', 'test/dep', 'ports is empty'],
      ['X-01', 'test/dep', 'retries (RetryPolicy.idempotent): backoff is shorter than 1ms (received 0.5ms)'],
    ]);
    expect(Testing.synth(chart)).toEqual([]);
  });

  test('checks that need a failed prop are skipped: an unknown resolution does not also fail the hosts', () => {
    const e = thrownBy(() => dependency({ resolution: 'SOMETIMES' as any, hosts: ['*.example.com'], exportTo: [] }));
    expect(e.violations.map((v) => v.message)).toEqual(['unknown resolution "SOMETIMES"', 'exportTo is empty']);
  });
});
