/**
 * Hostile inputs against HostTraffic, Destination, the route policies, the new HttpMatch factories, TLS, the
 * traffic policy and ExternalDependency, through the public API only. The "Regression" tests are bugs this suite
 * found (since fixed): each asserts the right behaviour.
 */
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Duration, Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import {
  CallTarget, CanaryService, Destination, ExternalDependency, HostTraffic, HttpMatch, IstioValidationError, PortProtocol, Resolution, ResilientBackend, Rules,
  Subset, TlsOrigination,
} from '../../src';
import { validateManifest } from '../../src/schema/crd-validator';
import { raiseInvalid } from '../../src/core/problems';

const HOST = 'ratings.bookinfo.svc.cluster.local';
const OUT = path.join(os.tmpdir(), 'host-traffic-hostile');
const v1 = { name: 'v1', pods: Subset.fromLabels({ version: 'v1' }) };
const v2 = { name: 'v2', pods: Subset.fromLabels({ version: 'v2' }) };
const TLS443 = [{ number: 443, protocol: PortProtocol.TLS }];

function freshChart(): { app: App; chart: Chart } {
  const app = new App({ outdir: OUT });
  const chart = new Chart(app, 'test', { namespace: 'bookinfo' });
  const rules = Rules.of(chart);
  rules.trafficReport = false;
  rules.warningSink = { report: () => undefined };
  rules.inventory = { hosts: [HOST, 'reviews.bookinfo.svc.cluster.local'] };
  return { app, chart };
}

type Outcome = { kind: 'refused'; error: IstioValidationError } | { kind: 'ok'; json: any[]; yaml: string };

/** Builds and synthesizes; an IstioValidationError (at construction or synth) is a refusal, anything else rethrown. */
function outcome(build: (chart: Chart) => void): Outcome {
  const { app, chart } = freshChart();
  try {
    build(chart);
    const yaml = app.synthYaml();
    return { kind: 'ok', json: JSON.parse(JSON.stringify(chart.toJson())), yaml };
  } catch (e) {
    if (e instanceof IstioValidationError) return { kind: 'refused', error: e };
    throw e;
  }
}

function istioOf(json: any[]): any[] {
  return json.filter((m) => String(m.apiVersion).startsWith('networking.istio.io/'));
}

/** Synthesized Istio objects of a build that must succeed, each checked against the Istio CRD schema. */
function synthOk(build: (chart: Chart) => void): any[] {
  const o = outcome(build);
  if (o.kind === 'refused') throw new Error(`expected success, got ${o.error.message}`);
  const objects = istioOf(o.json);
  for (const m of objects) expect(validateManifest(m)).toEqual([]);
  return objects;
}

const one = (objects: any[], kind: string) => {
  const found = objects.filter((o) => o.kind === kind);
  expect(found).toHaveLength(1);
  return found[0];
};

function contains(value: unknown, s: string): boolean {
  if (typeof value === 'string') return value === s;
  if (Array.isArray(value)) return value.some((v) => contains(v, s));
  if (value && typeof value === 'object') return Object.entries(value).some(([k, v]) => k === s || contains(v, s));
  return false;
}

function expectWellFormed(e: unknown): IstioValidationError {
  expect(e).toBeInstanceOf(IstioValidationError);
  const err = e as IstioValidationError;
  expect(err.code).toMatch(/^[A-Z]+(-[0-9]+)?$/);
  expect(err.path.length).toBeGreaterThan(0);
  expect(err.fix.length).toBeGreaterThan(0);
  return err;
}

/**
 * `attack` must be refused with a well-formed IstioValidationError, at the call (a value it returns invalid) or at synth; refused at the call,
 * the chart synthesizes exactly as it did before (nothing half-emitted).
 */
function expectRefused(attack: (chart: Chart) => unknown, setup: (chart: Chart) => void = () => undefined): IstioValidationError {
  const { app, chart } = freshChart();
  setup(chart);
  const before = JSON.stringify(chart.toJson());
  let error: unknown;
  try {
    // A value-class factory returns an invalid value instead of throwing: raised as its consumer would.
    raiseInvalid(attack(chart));
  } catch (e) {
    error = e;
  }
  if (error !== undefined) {
    const err = expectWellFormed(error);
    expect(JSON.stringify(chart.toJson())).toBe(before);
    return err;
  }
  try {
    app.synthYaml();
  } catch (e) {
    return expectWellFormed(e);
  }
  throw new Error('expected an IstioValidationError, but the chart synthesized');
}

const baseline = (c: Chart) => { new HostTraffic(c, 'base', { host: 'reviews.bookinfo.svc.cluster.local', httpRoutes: [{}] }); };
const throwingProxy = () => new Proxy({}, {
  get() { throw new TypeError('hostile get'); },
  ownKeys() { throw new TypeError('hostile ownKeys'); },
  getPrototypeOf() { return Object.prototype; },
});
const throwingGetter = (key: string) => Object.defineProperty({}, key, { enumerable: true, get() { throw new RangeError('hostile getter'); } });

// -------------------------------------------------------------------------------------------------------------
// 1. Strings YAML readers would read as another type
// -------------------------------------------------------------------------------------------------------------

const HOSTILE = ['0o17', '0O17', '-0o17', '0o1_7', '0x1F', '1_000', 'yes', 'on', 'off', 'Y', 'null', '~', '1e3', '.5', '017', '0b101', '1:20', '2001-12-14',
  '.inf', '=', '<<', 'true', '+1', 'a\u2028b', 'a\u0085b'];

const FIELDS: Record<string, (c: Chart, s: string) => void> = {
  'headers.request.set value': (c, s) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ headers: { request: { set: { 'x-a': s } } } }] }); },
  'headers.request.set name': (c, s) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ headers: { request: { set: { [s]: 'v' } } } }] }); },
  'headers.response.add value': (c, s) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ headers: { response: { add: { 'x-a': s } } } }] }); },
  'headers.response.add name': (c, s) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ headers: { response: { add: { [s]: 'v' } } } }] }); },
  'headers.request.remove': (c, s) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ headers: { request: { remove: [s] } } }] }); },
  'destination headers set value': (c, s) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ route: [Destination.host(HOST, { headers: { request: { set: { 'x-a': s } } } })] }] }); },
  'redirect.uri': (c, s) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ redirect: { uri: s } }] }); },
  'redirect.authority': (c, s) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ redirect: { authority: s } }] }); },
  'redirect.scheme': (c, s) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ redirect: { scheme: s } }] }); },
  'rewrite.uri': (c, s) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ rewrite: { uri: s } }] }); },
  'rewrite.authority': (c, s) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ rewrite: { authority: s } }] }); },
  'directResponse.body': (c, s) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ directResponse: { status: 200, body: s } }] }); },
  'cors allowOrigins exact': (c, s) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ corsPolicy: { allowOrigins: [{ exact: s }] } }] }); },
  'cors allowMethods': (c, s) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ corsPolicy: { allowMethods: [s] } }] }); },
  'cors allowHeaders': (c, s) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ corsPolicy: { allowHeaders: [s] } }] }); },
  'cors exposeHeaders': (c, s) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ corsPolicy: { exposeHeaders: [s] } }] }); },
  'HttpMatch.sourceNamespace': (c, s) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ match: [HttpMatch.sourceNamespace(s)] }, {}] }); },
  'HttpMatch.sourceLabels value': (c, s) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ match: [HttpMatch.sourceLabels({ app: s })] }, {}] }); },
  'HttpMatch.sourceLabels key': (c, s) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ match: [HttpMatch.sourceLabels({ [s]: 'x' })] }, {}] }); },
  'HttpMatch.gateways': (c, s) => { new HostTraffic(c, 'h', { host: HOST, gateways: ['mesh', s], httpRoutes: [{ match: [HttpMatch.gateways(s)] }, {}] }); },
  'HttpMatch.authority exact': (c, s) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ match: [HttpMatch.authority().exact(s)] }, {}] }); },
  'HttpMatch.withoutHeader exact': (c, s) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ match: [HttpMatch.withoutHeader('x-a').exact(s)] }, {}] }); },
  'HttpMatch.withoutHeader name': (c, s) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ match: [HttpMatch.withoutHeader(s).exact('x')] }, {}] }); },
  'tcp sourceNamespace': (c, s) => { new HostTraffic(c, 'h', { host: HOST, tcpRoutes: [{ sourceNamespace: s, route: [Destination.host(HOST)] }] }); },
  'tcp sourceLabels value': (c, s) => { new HostTraffic(c, 'h', { host: HOST, tcpRoutes: [{ sourceLabels: { app: s }, route: [Destination.host(HOST)] }] }); },
  'tcp gateways': (c, s) => { new HostTraffic(c, 'h', { host: HOST, gateways: ['mesh', s], tcpRoutes: [{ gateways: [s], route: [Destination.host(HOST)] }] }); },
  'tcp destinationSubnets': (c, s) => { new HostTraffic(c, 'h', { host: HOST, tcpRoutes: [{ destinationSubnets: [s], route: [Destination.host(HOST)] }] }); },
  'tls sniHosts': (c, s) => { new HostTraffic(c, 'h', { host: HOST, hosts: [s], tlsRoutes: [{ sniHosts: [s], route: [Destination.host(HOST)] }] }); },
  'VS gateways': (c, s) => { new HostTraffic(c, 'h', { host: HOST, gateways: [s], hosts: ['shop.example.com'], httpRoutes: [{}] }); },
  'VS hosts': (c, s) => { new HostTraffic(c, 'h', { host: HOST, hosts: [s], httpRoutes: [{}] }); },
  'exportTo': (c, s) => { new HostTraffic(c, 'h', { host: HOST, exportTo: [s], subsets: [{ name: 'v1', pods: Subset.fromLabels({ version: 'v1' }) }], httpRoutes: [{}] }); },
  'subset name': (c, s) => { new HostTraffic(c, 'h', { host: HOST, subsets: [{ name: s, pods: Subset.fromLabels({ version: 'v1' }) }], httpRoutes: [{ route: [Destination.subset(s)] }] }); },
  'subset label value': (c, s) => { new HostTraffic(c, 'h', { host: HOST, subsets: [{ name: 'v1', pods: Subset.fromLabels({ version: s }) }] }); },
  'route name': (c, s) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ name: s }] }); },
  'virtualServiceName': (c, s) => { new HostTraffic(c, 'h', { host: HOST, virtualServiceName: s, httpRoutes: [{}] }); },
  'destinationRuleName': (c, s) => { new HostTraffic(c, 'h', { host: HOST, destinationRuleName: s, subsets: [{ name: 'v1', pods: Subset.fromLabels({ version: 'v1' }) }] }); },
  'mirror subset': (c, s) => { new HostTraffic(c, 'h', { host: HOST, subsets: [{ name: 'v1', pods: Subset.fromLabels({ version: 'v1' }) }], httpRoutes: [{ mirror: Destination.subset(s) }] }); },
  'tls mutual credentialName': (c, s) => { new HostTraffic(c, 'h', { host: HOST, tls: TlsOrigination.mutual({ credentialName: s }) }); },
  'tls mutual clientCertificate': (c, s) => { new HostTraffic(c, 'h', { host: HOST, tls: TlsOrigination.mutual({ clientCertificate: s, privateKey: s }) }); },
  'tls mutual subjectAltNames': (c, s) => { new HostTraffic(c, 'h', { host: HOST, tls: TlsOrigination.mutual({ credentialName: 'c', subjectAltNames: [s] }) }); },
  'tls caCertificates': (c, s) => { new HostTraffic(c, 'h', { host: HOST, tls: TlsOrigination.simple({ caCertificates: s }) }); },
  'ext addresses': (c, s) => { new ExternalDependency(c, 'e', { hosts: ['api.example.com'], ports: [{ number: 443, protocol: PortProtocol.TLS }], resolution: Resolution.NONE, addresses: [s] }); },
  'ext endpoint address': (c, s) => { new ExternalDependency(c, 'e', { hosts: ['api.example.com'], ports: [{ number: 443, protocol: PortProtocol.TLS }], resolution: Resolution.STATIC, endpoints: [{ address: s }] }); },
  'ext endpoint dns address': (c, s) => { new ExternalDependency(c, 'e', { hosts: ['api.example.com'], ports: [{ number: 443, protocol: PortProtocol.TLS }], resolution: Resolution.DNS, endpoints: [{ address: s }] }); },
  'ext endpoint label value': (c, s) => { new ExternalDependency(c, 'e', { hosts: ['api.example.com'], ports: [{ number: 443, protocol: PortProtocol.TLS }], resolution: Resolution.STATIC, endpoints: [{ address: '10.0.0.1', labels: { app: s } }] }); },
  'ext endpoint locality': (c, s) => { new ExternalDependency(c, 'e', { hosts: ['api.example.com'], ports: [{ number: 443, protocol: PortProtocol.TLS }], resolution: Resolution.STATIC, endpoints: [{ address: '10.0.0.1', locality: s }] }); },
  'ext endpoint network': (c, s) => { new ExternalDependency(c, 'e', { hosts: ['api.example.com'], ports: [{ number: 443, protocol: PortProtocol.TLS }], resolution: Resolution.STATIC, endpoints: [{ address: '10.0.0.1', network: s }] }); },
  'ext endpoint ports key': (c, s) => { new ExternalDependency(c, 'e', { hosts: ['api.example.com'], ports: [{ number: 443, protocol: PortProtocol.TLS }], resolution: Resolution.STATIC, endpoints: [{ address: '10.0.0.1', ports: { [s]: 8443 } }] }); },
  'ext exportTo': (c, s) => { new ExternalDependency(c, 'e', { hosts: ['api.example.com'], ports: [{ number: 443, protocol: PortProtocol.TLS }], exportTo: [s] }); },
  'canary subset names': (c, s) => { new CanaryService(c, 'cs', { host: HOST, stable: Subset.fromLabels({ version: 'v1' }), canary: Subset.fromLabels({ version: 'v2' }), canarySubsetName: s }); },
  'canary route names': (c, s) => { new CanaryService(c, 'cs', { host: HOST, stable: Subset.fromLabels({ version: 'v1' }), canary: Subset.fromLabels({ version: 'v2' }), primaryRouteName: s }); },
  'backend routeName': (c, s) => { new ResilientBackend(c, 'rb', { host: HOST, routeName: s, timeout: Duration.seconds(1) }); },
  'backend subset': (c, s) => { new ResilientBackend(c, 'rb', { host: HOST, subsets: [{ name: s, pods: Subset.fromLabels({ version: 'v1' }) }], subset: s }); },
};

describe('YAML read-back: every new string field reads back as written (YAML 1.1 and 1.2), or is refused', () => {
  test.each(Object.keys(FIELDS))('%s', (field) => {
    const outcomes: string[] = [];
    for (const s of HOSTILE) {
      const o = outcome((c) => FIELDS[field](c, s));
      if (o.kind === 'refused') {
        expectWellFormed(o.error);
        outcomes.push(`${JSON.stringify(s)}: ${o.error.code}`);
        continue;
      }
      expect({ s, present: contains(o.json, s) }).toEqual({ s, present: true });
      for (const version of ['1.1', '1.2'] as const) {
        const read = parseAllDocuments(o.yaml, { version }).map((d) => d.toJS()).filter((d) => d !== null);
        expect({ s, version, read }).toEqual({ s, version, read: o.json });
      }
      outcomes.push(`${JSON.stringify(s)}: ok`);
    }
    // Go-octal and raw line-break strings are never written silently: cdk8s writes them so they read back changed.
    for (const s of ['0o17', '0O17', '-0o17', '0o1_7', 'a\u2028b', 'a\u0085b']) {
      expect(outcomes.find((x) => x.startsWith(JSON.stringify(s)))).not.toMatch(/: ok$/);
    }
  });
});

// -------------------------------------------------------------------------------------------------------------
// 2. Wrong types through `as any`: an IstioValidationError, nothing half-emitted
// -------------------------------------------------------------------------------------------------------------

describe('wrong types that are refused cleanly (held)', () => {
  const cases: Record<string, (c: Chart) => unknown> = {
    'route name number': (c) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ name: 5 as any }] }); },
    'httpRoutes object': (c) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: { 0: {} } as any }); },
    'header value number': (c) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ headers: { request: { set: { 'x-a': 5 as any } } } }] }); },
    'header remove hole': (c) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ headers: { request: { remove: [, 'x-a'] as any } } }] }); },
    'destination headers null': (c) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ route: [Destination.host(HOST, { headers: null as any })] }] }); },
    'destination port string': (c) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ route: [Destination.host(HOST, { port: '80' as any })] }] }); },
    'destination subset number': (c) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ route: [Destination.host(HOST, { subset: 5 as any })] }] }); },
    'Destination.subset symbol': () => Destination.subset(Symbol('s') as any),
    'Destination.host object': () => Destination.host({} as any),
    'route list hole': (c) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ route: [, Destination.host(HOST)] as any }] }); },
    'match list hole': (c) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ match: [, HttpMatch.pathPrefix('/a')] as any }, {}] }); },
    'directResponse status string': (c) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ directResponse: { status: '200' as any } }] }); },
    'directResponse body object': (c) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ directResponse: { status: 200, body: { string: 'x' } as any } }] }); },
    'cors origin hole': (c) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ corsPolicy: { allowOrigins: [, { exact: 'x' }] as any } }] }); },
    'redirect unknown key only': (c) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ redirect: { url: '/x' } as any }] }); },
    'mirrorPercentage NaN': (c) => { new HostTraffic(c, 'h', { host: HOST, subsets: [v1, v2], httpRoutes: [{ route: [Destination.subset('v1')], mirror: Destination.subset('v2'), mirrorPercentage: NaN }] }); },
    'tcp sourceNamespace number': (c) => { new HostTraffic(c, 'h', { host: HOST, tcpRoutes: [{ sourceNamespace: 5 as any, route: [Destination.host(HOST)] }] }); },
    'tcp destinationSubnets [null]': (c) => { new HostTraffic(c, 'h', { host: HOST, tcpRoutes: [{ destinationSubnets: [null as any], route: [Destination.host(HOST)] }] }); },
    'tcp sourceLabels string': (c) => { new HostTraffic(c, 'h', { host: HOST, tcpRoutes: [{ sourceLabels: 'abc' as any, route: [Destination.host(HOST)] }] }); },
    'HttpMatch.sourceLabels number value': () => HttpMatch.sourceLabels({ app: 5 as any }),
    'HttpMatch.gateways hole': () => HttpMatch.gateways(...([, 'mesh'] as any)),
    'HttpMatch.port NaN': () => HttpMatch.port(NaN),
    'HttpMatch.withoutHeader __proto__': () => HttpMatch.withoutHeader('__proto__'),
    'subset label __proto__': (c) => { new HostTraffic(c, 'h', { host: HOST, subsets: [{ name: 'v1', pods: Subset.fromLabels(JSON.parse('{"__proto__": "x", "version": "v1"}')) }] }); },
    'subset name number': (c) => { new HostTraffic(c, 'h', { host: HOST, subsets: [{ name: 5 as any, pods: Subset.fromLabels({ version: 'v1' }) }] }); },
    'TLS SAN [null]': (c) => { new HostTraffic(c, 'h', { host: HOST, tls: TlsOrigination.mutual({ credentialName: 'c', subjectAltNames: [null as any] }) }); },
    'TLS mutual certificate object': () => TlsOrigination.mutual({ clientCertificate: {} as any, privateKey: 'k' }),
    'TLS mutual sni number': () => TlsOrigination.mutual({ credentialName: 'c', sni: 5 as any }),
    'TLS plain object': (c) => { new HostTraffic(c, 'h', { host: HOST, tls: { mode: 'DISABLE' } as any }); },
    'portLevelSettings hole': (c) => { new HostTraffic(c, 'h', { host: HOST, portLevelSettings: [, { port: 80, tls: TlsOrigination.istioMutual() }] as any }); },
    'portLevelSettings port string': (c) => { new HostTraffic(c, 'h', { host: HOST, portLevelSettings: [{ port: '80' as any, tls: TlsOrigination.istioMutual() }] }); },
    'portLevelSettings port only (DR-06)': (c) => { new HostTraffic(c, 'h', { host: HOST, portLevelSettings: [{ port: 80 }] }); },
    'portLevelSettings [] (DR-06)': (c) => { new HostTraffic(c, 'h', { host: HOST, portLevelSettings: [] }); },
    'h2UpgradePolicy lower-case': (c) => { new HostTraffic(c, 'h', { host: HOST, connectionPool: { http: { h2UpgradePolicy: 'upgrade' as any } } }); },
    'endpoint weight string': (c) => { new ExternalDependency(c, 'e', { hosts: ['api.example.com'], ports: TLS443, resolution: Resolution.STATIC, endpoints: [{ address: '10.0.0.1', weight: 'heavy' as any }] }); },
    'endpoint getter that changes its answer': (c) => {
      let n = 0;
      new ExternalDependency(c, 'e', { hosts: ['api.example.com'], ports: TLS443, resolution: Resolution.STATIC, endpoints: [Object.defineProperty({}, 'address', { enumerable: true, get() { return n++ === 0 ? '10.0.0.1' : 5; } }) as any] });
    },
    'addresses [Symbol]': (c) => { new ExternalDependency(c, 'e', { hosts: ['api.example.com'], ports: TLS443, resolution: Resolution.NONE, addresses: [Symbol('x') as any] }); },
    'addresses hole': (c) => { new ExternalDependency(c, 'e', { hosts: ['api.example.com'], ports: TLS443, resolution: Resolution.NONE, addresses: [, '10.0.0.1'] as any }); },
    'location unknown': (c) => { new ExternalDependency(c, 'e', { hosts: ['api.example.com'], ports: TLS443, location: 'INTERNAL' as any }); },
  };
  test.each(Object.keys(cases))('%s', (name) => {
    expectRefused(cases[name], baseline);
  });

  test('a failed addHttpRoute / addSubset / addTcpRoute leaves the chart as it was', () => {
    const { chart } = freshChart();
    const h = new HostTraffic(chart, 'h', { host: HOST, subsets: [v1], httpRoutes: [{ route: [Destination.subset('v1')] }] });
    const before = JSON.stringify(chart.toJson());
    const attacks = [
      () => h.addHttpRoute({ match: [HttpMatch.pathPrefix('/a')], headers: { request: { set: { 'x-a': 5 as any } } } }),
      () => h.addHttpRoute({ match: [HttpMatch.pathPrefix('/a')], route: [Destination.subset('v1')], redirect: { uri: '/x' } }),
      () => h.addHttpRoute({ route: [Destination.subset('v1', { weight: 1.5 })] }),
      () => h.addSubset({ name: 'v2', pods: Subset.fromLabels({ version: 5 as any }) }),
      () => h.addTcpRoute({ port: 0, route: [Destination.subset('v1')] }),
      () => h.addTlsRoute({ sniHosts: ['bad host'], route: [Destination.subset('v1')] }),
      () => h.calls(CallTarget.host('not a host')),
    ];
    for (const attack of attacks) {
      let error: unknown;
      try { attack(); } catch (e) { error = e; }
      expectWellFormed(error);
      expect(JSON.stringify(chart.toJson())).toBe(before);
    }
    expect(h.subsetNames).toEqual(['v1']);
  });

  test('a refused HostTraffic / CanaryService constructor withdraws itself', () => {
    expectRefused((c) => { new HostTraffic(c, 'h', { host: HOST, subsets: [v1], tls: TlsOrigination.istioMutual(), httpRoutes: [{ name: 5 as any }] }); }, baseline);
    expectRefused((c) => { new CanaryService(c, 'cs', { host: HOST, stable: Subset.fromLabels({ version: 'v1' }), canary: Subset.fromLabels({ version: 'v2' }), canaryWeight: 101 }); }, baseline);
  });

  test('frozen props and one-shot getters are read once and rendered as given', () => {
    const objects = synthOk((c) => {
      new HostTraffic(c, 'h', Object.freeze({
        host: HOST, httpRoutes: Object.freeze([Object.freeze({ headers: Object.freeze({ request: Object.freeze({ set: Object.freeze({ 'x-a': 'b' }) }) }) })]) as any,
      }));
    });
    expect(one(objects, 'VirtualService').spec.http[0].headers).toEqual({ request: { set: { 'x-a': 'b' } } });
  });
});

describe('wrong types: bugs', () => {
  // Regression (found by this suite, fixed): HttpMatch.sourceLabels(null/undefined) throws a TypeError from Object.keys.
  test('HttpMatch.sourceLabels(null) and (undefined) are PROP, not TypeError', () => {
    expectRefused(() => HttpMatch.sourceLabels(null as any));
    expectRefused(() => HttpMatch.sourceLabels(undefined as any));
  });

  // Regression (found by this suite, fixed): a string or array passes as a label map and is emitted as {"0": "a", "1": "b", "2": "c"}.
  test('HttpMatch.sourceLabels("abc") / (["v1"]) are refused, not emitted as index-keyed labels', () => {
    expectRefused((c) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ match: [HttpMatch.sourceLabels('abc' as any)] }, {}] }); }, baseline);
    expectRefused((c) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ match: [HttpMatch.sourceLabels(['v1'] as any)] }, {}] }); }, baseline);
  });

  // Regression (found by this suite, fixed): ExternalDependency endpoint labels skip the map check: 'abc' becomes {0:a,1:b,2:c}, 5 becomes {}.
  test('ExternalDependency endpoint labels that are not a map are refused', () => {
    expectRefused((c) => { new ExternalDependency(c, 'e', { hosts: ['api.example.com'], ports: TLS443, resolution: Resolution.STATIC, endpoints: [{ address: '10.0.0.1', labels: 'abc' as any }] }); }, baseline);
    expectRefused((c) => { new ExternalDependency(c, 'e', { hosts: ['api.example.com'], ports: TLS443, resolution: Resolution.STATIC, endpoints: [{ address: '10.0.0.1', labels: 5 as any }] }); }, baseline);
  });

  // Regression (found by this suite, fixed): L4 sourceNamespace is not type-checked; a Symbol or function fails synth with cdk8s's plain Error "Tag not resolved".
  test('tcpRoutes[].sourceNamespace Symbol / function is PROP', () => {
    expectRefused((c) => { new HostTraffic(c, 'h', { host: HOST, tcpRoutes: [{ sourceNamespace: Symbol('x') as any, route: [Destination.host(HOST)] }] }); }, baseline);
    expectRefused((c) => { new HostTraffic(c, 'h', { host: HOST, tcpRoutes: [{ sourceNamespace: (() => 'x') as any, route: [Destination.host(HOST)] }] }); }, baseline);
  });

  // Regression (found by this suite, fixed): endpoint locality/network are copied unchecked; a function or Symbol fails synth with a plain Error.
  test('ExternalDependency endpoint locality function / network Symbol is PROP', () => {
    expectRefused((c) => { new ExternalDependency(c, 'e', { hosts: ['api.example.com'], ports: TLS443, resolution: Resolution.STATIC, endpoints: [{ address: '10.0.0.1', locality: (() => 1) as any }] }); }, baseline);
    expectRefused((c) => { new ExternalDependency(c, 'e', { hosts: ['api.example.com'], ports: TLS443, resolution: Resolution.STATIC, endpoints: [{ address: '10.0.0.1', network: Symbol('x') as any }] }); }, baseline);
  });

  // Regression (found by this suite, fixed): a "__proto__" header name is silently dropped by cdk8s (set: {}), so the header is never set.
  test('a "__proto__" header name in set/add is refused, not silently dropped', () => {
    expectRefused((c) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ headers: { request: { set: JSON.parse('{"__proto__": "x"}') } } }] }); }, baseline);
    expectRefused((c) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ headers: { response: { add: JSON.parse('{"__proto__": "x", "x-b": "y"}') } } }] }); }, baseline);
  });

  // Regression (found by this suite, fixed): a "constructor" header name (route or destination headers) fails synth with "Failed serializing construct … can't render non-simple object".
  test('a "constructor" header name is an IstioValidationError, not a cdk8s serialization Error', () => {
    expectRefused((c) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ headers: { request: { set: { constructor: 'x' } as any } } }] }); }, baseline);
    expectRefused((c) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ route: [Destination.host(HOST, { headers: { request: { set: { constructor: 'x' } as any } } })] }] }); }, baseline);
  });

  // Regression (found by this suite, fixed): endpoint ports map keys "__proto__" (dropped silently) and "constructor" (plain serialization Error) are not checked.
  test('ExternalDependency endpoint ports keys "__proto__" / "constructor" are refused', () => {
    expectRefused((c) => { new ExternalDependency(c, 'e', { hosts: ['api.example.com'], ports: TLS443, resolution: Resolution.STATIC, endpoints: [{ address: '10.0.0.1', ports: JSON.parse('{"__proto__": 8443}') }] }); }, baseline);
    expectRefused((c) => { new ExternalDependency(c, 'e', { hosts: ['api.example.com'], ports: TLS443, resolution: Resolution.STATIC, endpoints: [{ address: '10.0.0.1', ports: { constructor: 8443 } as any }] }); }, baseline);
  });

  // Regression (found by this suite, fixed): a Map (or Date) as a header map passes isRecord and renders as set: {} — the header silently disappears.
  test('a Map instance as headers.request.set is refused, not rendered as {}', () => {
    expectRefused((c) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ headers: { request: { set: new Map([['x-a', 'b']]) as any } } }] }); }, baseline);
  });

  // Regression (found by this suite, fixed): Proxies and throwing getters in props leak their TypeError/RangeError instead of a PROP IstioValidationError.
  test('props, routes, subsets, headers, options and endpoints that throw on access are PROP', () => {
    const attacks: Array<(c: Chart) => unknown> = [
      (c) => { new HostTraffic(c, 'h', throwingProxy() as any); },
      (c) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [throwingProxy() as any] }); },
      (c) => { new HostTraffic(c, 'h', { host: HOST, subsets: [throwingProxy() as any] }); },
      (c) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ headers: throwingProxy() as any }] }); },
      (c) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ headers: { request: { set: throwingGetter('x-a') as any } } }] }); },
      (c) => { new HostTraffic(c, 'h', { host: HOST, portLevelSettings: [throwingProxy() as any] }); },
      () => Destination.subset('v1', throwingProxy() as any),
      () => TlsOrigination.mutual(throwingProxy() as any),
      () => HttpMatch.sourceLabels(throwingProxy() as any),
      (c) => { new ExternalDependency(c, 'e', { hosts: ['api.example.com'], ports: TLS443, resolution: Resolution.STATIC, endpoints: [throwingProxy() as any] }); },
    ];
    for (const attack of attacks) expectRefused(attack, baseline);
  });

  // Regression (found by this suite, fixed): sparse holes in subsets / httpRoutes / tcpRoutes are skipped by forEach, so a hole in the list is accepted silently.
  test('holes in subsets / httpRoutes / tcpRoutes are PROP', () => {
    expectRefused((c) => { new HostTraffic(c, 'h', { host: HOST, subsets: [, v1] as any }); }, baseline);
    expectRefused((c) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [, {}] as any }); }, baseline);
    expectRefused((c) => { new HostTraffic(c, 'h', { host: HOST, tcpRoutes: [, { route: [Destination.host(HOST)] }] as any }); }, baseline);
  });

  // Regression (found by this suite, fixed): sniRouting is compared with `!== false`, so the string 'false' (or 0) means true and SNI routes are emitted.
  test('ExternalDependency sniRouting: "false" (a string) is PROP, not read as true', () => {
    expectRefused((c) => { new ExternalDependency(c, 'e', { hosts: ['api.example.com'], ports: TLS443, sniRouting: 'false' as any }); }, baseline);
  });

  // Regression (found by this suite, fixed): ExternalDependency has no withdraw-on-failure: an error raised after the ServiceEntry exists leaves it in the chart.
  test('a refused ExternalDependency leaves no ServiceEntry behind', () => {
    expectRefused((c) => { new ExternalDependency(c, 'e', { hosts: ['api.example.com'], ports: TLS443, connectionPool: 'x' as any }); }, baseline);
  });

  // Regression (found by this suite, fixed): headers / corsPolicy with nothing recognised (typos such as `requests`, `allowOrigin`) render as `headers: {}` / `corsPolicy: {}`.
  test('headers and corsPolicy that set nothing (or only unknown keys) are refused, not emitted empty', () => {
    expectRefused((c) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ headers: { requests: { set: { 'x-a': 'b' } } } as any }] }); }, baseline);
    expectRefused((c) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ headers: { request: {} } }] }); }, baseline);
    expectRefused((c) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ corsPolicy: { allowOrigin: ['https://a.example'] } as any }] }); }, baseline);
  });
});

// -------------------------------------------------------------------------------------------------------------
// 3. Semantics
// -------------------------------------------------------------------------------------------------------------

describe('semantics that held', () => {
  test('weights are emitted as given and must sum to 100 (HTTP and TCP)', () => {
    const vs = one(synthOk((c) => { new HostTraffic(c, 'h', { host: HOST, subsets: [v1, v2], httpRoutes: [{ route: [Destination.subset('v1', { weight: 90 }), Destination.subset('v2', { weight: 10 })] }] }); }), 'VirtualService');
    expect(vs.spec.http[0].route.map((r: any) => [r.destination.subset, r.weight])).toEqual([['v1', 90], ['v2', 10]]);
    expect(expectRefused((c) => { new HostTraffic(c, 'h', { host: HOST, subsets: [v1, v2], httpRoutes: [{ route: [Destination.subset('v1', { weight: 50 }), Destination.subset('v2', { weight: 40 })] }] }); }).code).toBe('VS-11');
    expect(expectRefused((c) => { new HostTraffic(c, 'h', { host: HOST, subsets: [v1, v2], tcpRoutes: [{ route: [Destination.subset('v1', { weight: 50 }), Destination.subset('v2', { weight: 40 })] }] }); }).code).toBe('VS-11');
    expect(expectRefused((c) => { new HostTraffic(c, 'h', { host: HOST, subsets: [v1], httpRoutes: [{ route: [Destination.subset('v1', { weight: 50 })] }] }); }).code).toBe('VS-12');
  });

  test('addHttpRoute with a match goes before the trailing catch-all, in call order', () => {
    const vs = one(synthOk((c) => {
      new HostTraffic(c, 'h', { host: HOST, subsets: [v1, v2], httpRoutes: [{ name: 'all', route: [Destination.subset('v1')] }] })
        .addHttpRoute({ name: 'a', match: [HttpMatch.pathPrefix('/a')], route: [Destination.subset('v2')] })
        .addHttpRoute({ name: 'b', match: [HttpMatch.authority().exact('shop.example.com')], route: [Destination.subset('v2')] });
    }), 'VirtualService');
    expect(vs.spec.http.map((r: any) => r.name)).toEqual(['a', 'b', 'all']);
  });

  test('a second catch-all, or a TCP route after a TCP catch-all, is refused (VS-06 / VS-07)', () => {
    expect(expectRefused((c) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{}] }).addHttpRoute({ redirect: { uri: '/x' } }); }).code).toBe('VS-06');
    expect(expectRefused((c) => { new HostTraffic(c, 'h', { host: HOST, subsets: [v1, v2], tcpRoutes: [{ route: [Destination.subset('v1')] }] }).addTcpRoute({ port: 9000, route: [Destination.subset('v2')] }); }).code).toBe('VS-07');
  });

  test('mirror to a subset carries the host port; an undefined mirror subset is VS-16', () => {
    const vs = one(synthOk((c) => { new HostTraffic(c, 'h', { host: HOST, port: 9080, subsets: [v1, v2], httpRoutes: [{ route: [Destination.subset('v1')], mirror: Destination.subset('v2'), mirrorPercentage: 10 }] }); }), 'VirtualService');
    expect(vs.spec.http[0].mirror).toEqual({ host: HOST, subset: 'v2', port: { number: 9080 } });
    expect(vs.spec.http[0].mirrorPercentage).toEqual({ value: 10 });
    expect(expectRefused((c) => { new HostTraffic(c, 'h', { host: HOST, subsets: [v1], httpRoutes: [{ route: [Destination.subset('v1')], mirror: Destination.subset('v3') }] }); }).code).toBe('VS-16');
  });

  test('TLS routes match the port and route to the destination port', () => {
    const vs = one(synthOk((c) => {
      new HostTraffic(c, 'h', { host: HOST, tlsRoutes: [{ sniHosts: [HOST], port: 443, route: [Destination.host(HOST, { port: 8443 })] }] });
    }), 'VirtualService');
    expect(vs.spec.tls).toEqual([{ match: [{ sniHosts: [HOST], port: 443 }], route: [{ destination: { host: HOST, port: { number: 8443 } } }] }]);
    expect(expectRefused((c) => { new HostTraffic(c, 'h', { host: HOST, tlsRoutes: [{ sniHosts: [], route: [Destination.host(HOST)] }] }); }).code).toBe('VS-29');
  });

  test('subsets added after the routes that use them: DestinationRule first, every reference resolved', () => {
    const objects = synthOk((c) => {
      const h = new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ route: [Destination.subset('v1', { weight: 50 }), Destination.subset('v2', { weight: 50 })] }] });
      h.addSubset(v1).addSubset(v2);
    });
    expect(objects.map((o) => o.kind)).toEqual(['DestinationRule', 'VirtualService']);
    expect(one(objects, 'DestinationRule').spec.subsets.map((s: any) => s.name)).toEqual(['v1', 'v2']);
  });

  test('CanaryService + addHttpRoute: test route, user route, then the weighted primary on one VirtualService', () => {
    const objects = synthOk((c) => {
      new CanaryService(c, 'cs', { host: HOST, stable: Subset.fromLabels({ version: 'v1' }), canary: Subset.fromLabels({ version: 'v2' }), canaryWeight: 20, testMatches: [HttpMatch.header('x-canary').exact('1')] })
        .addHttpRoute({ name: 'legacy', match: [HttpMatch.pathPrefix('/legacy')], route: [Destination.subset('stable')] });
    });
    const vs = one(objects, 'VirtualService');
    expect(vs.spec.http.map((r: any) => r.name)).toEqual(['canary-testing', 'legacy', 'primary']);
    expect(vs.spec.http[2].route.map((r: any) => r.weight)).toEqual([80, 20]);
    expect(objects.filter((o) => o.kind === 'DestinationRule')).toHaveLength(1);
  });

  test('ResilientBackend with only a traffic policy is DestinationRule-only; a route setting brings the VirtualService', () => {
    const drOnly = synthOk((c) => { new ResilientBackend(c, 'rb', { host: HOST, outlierDetection: { consecutive5xxErrors: 5 } }); });
    expect(drOnly.map((o) => o.kind)).toEqual(['DestinationRule']);
    const both = synthOk((c) => { new ResilientBackend(c, 'rb', { host: HOST, outlierDetection: { consecutive5xxErrors: 5 }, timeout: Duration.seconds(2) }); });
    expect(both.map((o) => o.kind)).toEqual(['DestinationRule', 'VirtualService']);
    expect(one(both, 'VirtualService').spec.http).toEqual([{ name: 'default', route: [{ destination: { host: HOST } }], timeout: '2s' }]);
  });

  test('calls() with a bad target is refused and records nothing', () => {
    const { chart } = freshChart();
    const h = new HostTraffic(chart, 'h', { host: HOST, httpRoutes: [{}] });
    const before = JSON.stringify(chart.toJson());
    for (const bad of [{ host: 'x' }, null, 'orders', CallTarget.host('bad host')] as any[]) {
      let error: unknown;
      try { h.calls(bad); } catch (e) { error = e; }
      expectWellFormed(error);
    }
    expect(JSON.stringify(chart.toJson())).toBe(before);
  });
});

describe('semantics: bugs', () => {
  // Regression (found by this suite, fixed): the mirror Destination's weight and headers are silently dropped (only .destination is used).
  test('a mirror Destination with weight or headers is refused, not silently stripped', () => {
    expectRefused((c) => { new HostTraffic(c, 'h', { host: HOST, subsets: [v1, v2], httpRoutes: [{ route: [Destination.subset('v1')], mirror: Destination.subset('v2', { weight: 50 }) }] }); });
    expectRefused((c) => { new HostTraffic(c, 'h', { host: HOST, subsets: [v1, v2], httpRoutes: [{ route: [Destination.subset('v1')], mirror: Destination.subset('v2', { headers: { request: { set: { 'x-shadow': '1' } } } }) }] }); });
  });

  // Regression (found by this suite, fixed): a Destination with headers in a TCP/TLS route loses its headers silently (RouteDestination has no headers).
  test('TCP / TLS destinations with headers are refused, not silently stripped', () => {
    const headers = { request: { set: { 'x-a': 'b' } } };
    expectRefused((c) => { new HostTraffic(c, 'h', { host: HOST, tcpRoutes: [{ route: [Destination.host(HOST, { headers })] }] }); });
    expectRefused((c) => { new HostTraffic(c, 'h', { host: HOST, tlsRoutes: [{ sniHosts: [HOST], route: [Destination.host(HOST, { headers })] }] }); });
  });

  // Regression (found by this suite, fixed): mirrorPercentage without mirror is emitted and is inert (nothing is mirrored).
  test('mirrorPercentage without mirror is refused', () => {
    expectRefused((c) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ mirrorPercentage: 50 }] }); });
  });

  // Regression (found by this suite, fixed): PortTrafficPolicy says "at most one entry per port (rule DR-06)", but two entries for port 80 (ISTIO_MUTUAL and DISABLE) are accepted; Istio uses the first.
  test('two portLevelSettings entries for one port are refused', () => {
    expectRefused((c) => { new HostTraffic(c, 'h', { host: HOST, portLevelSettings: [{ port: 80, tls: TlsOrigination.istioMutual() }, { port: 80, tls: TlsOrigination.disable() }] }); });
  });

  // Regression (found by this suite, fixed): a route named like CanaryService's managed "primary" is accepted; Argo Rollouts (and anyone by name) then finds the wrong route.
  test('duplicate HTTP route names in one VirtualService are refused (the valid canary stays as it was)', () => {
    const c = new Chart(Testing.app(), 'dup');
    const canary = new CanaryService(c, 'cs', { host: HOST, stable: Subset.fromLabels({ version: 'v1' }), canary: Subset.fromLabels({ version: 'v2' }) });
    const before = JSON.stringify(c.toJson());
    let error: unknown;
    try {
      canary.addHttpRoute({ name: 'primary', match: [HttpMatch.pathPrefix('/a')], route: [Destination.subset('stable')] });
    } catch (e) {
      error = e;
    }
    expectWellFormed(error);
    expect((error as IstioValidationError).message).toContain('named "primary" like an earlier route');
    expect(JSON.stringify(c.toJson())).toBe(before);
  });

  // Regression (found by this suite, fixed): ResilientBackend with only a traffic policy drops `hosts` silently (DR-only: no VirtualService answers for them).
  test('ResilientBackend hosts on a DR-only backend is not silently ignored', () => {
    const o = outcome((c) => { new ResilientBackend(c, 'rb', { host: HOST, hosts: ['shop.example.com'], outlierDetection: { consecutive5xxErrors: 5 } }); });
    if (o.kind === 'refused') {
      expectWellFormed(o.error);
      return;
    }
    expect(istioOf(o.json).some((m) => m.kind === 'VirtualService' && m.spec.hosts.includes('shop.example.com'))).toBe(true);
  });

  // Regression (found by this suite, fixed): ignoringUriCase() is documented "exact and prefix only" but is emitted on a regex uri (and on a match without uri), where it does nothing.
  test('ignoringUriCase on a regex uri is refused', () => {
    expectRefused((c) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ match: [HttpMatch.pathRegex('/a.*').ignoringUriCase()] }, {}] }); });
  });

  // Regression (found by this suite, fixed): HttpMatch.sourceNamespace('') is emitted; Istio reads an empty sourceNamespace as unset, so the match takes every namespace.
  test('HttpMatch.sourceNamespace("") is refused', () => {
    expectRefused((c) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ match: [HttpMatch.sourceNamespace('')] }, {}] }); });
  });

  // Regression (found by this suite, fixed): HttpMatch.gateways('mesh', 'mesh') is accepted although VirtualService gateways refuse repeats.
  test('HttpMatch.gateways with a repeated gateway is refused like VirtualService gateways', () => {
    expectRefused(() => HttpMatch.gateways('mesh', 'mesh'));
  });

  // Regression (found by this suite, fixed): empty lists are emitted (`addresses: []`, `endpoints: []`, `sourceLabels: {}`) against the output hygiene policy.
  test('empty addresses / endpoints / sourceLabels are not emitted as empty lists or maps', () => {
    for (const build of [
      (c: Chart) => { new ExternalDependency(c, 'e', { hosts: ['api.example.com'], ports: TLS443, resolution: Resolution.NONE, addresses: [] }); },
      (c: Chart) => { new ExternalDependency(c, 'e', { hosts: ['api.example.com'], ports: TLS443, endpoints: [] }); },
      (c: Chart) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ match: [HttpMatch.sourceLabels({})] }, {}] }); },
    ]) {
      const o = outcome(build);
      if (o.kind === 'refused') { expectWellFormed(o.error); continue; }
      expect(JSON.stringify(istioOf(o.json))).not.toMatch(/:\[\]|:\{\}/);
    }
  });
});

test('a label map beyond Istio\'s 4096-label selector cap is refused at once, not synthesized in quadratic time', () => {
  const labels: Record<string, string> = {};
  for (let i = 0; i < 20_000; i++) labels[`k${i}`] = 'v';
  const e = (() => { try { Subset.fromLabels(labels); new HostTraffic(new Chart(Testing.app(), 'big'), 'h', { host: HOST, subsets: [{ name: 'v1', pods: Subset.fromLabels(labels) }] }); } catch (err) { return err as IstioValidationError; } return undefined; })();
  expect(e?.code).toBe('PROP');
  expect(e?.message).toContain('20000 labels');
  const ok: Record<string, string> = {};
  for (let i = 0; i < 4096; i++) ok[`k${i}`] = 'v';
  expect(() => raiseInvalid(HttpMatch.sourceLabels(ok))).not.toThrow();
});
