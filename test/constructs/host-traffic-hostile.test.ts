import * as os from 'os';
import * as path from 'path';
import { App, Chart, Duration } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import {
  CanaryService, Destination, ExternalDependency, HostTraffic, HttpMatch, IstioValidationError, PortProtocol, Resolution, ResilientBackend, Rules, Subset,
  TlsOrigination,
} from '../../src';
import { validateManifest } from '../../src/schema/crd-validator';

const HOST = 'ratings.bookinfo.svc.cluster.local';
const OUT = path.join(os.tmpdir(), 'host-traffic-hostile');

function freshChart(): { app: App; chart: Chart } {
  const app = new App({ outdir: OUT });
  const chart = new Chart(app, 'test', { namespace: 'bookinfo' });
  const rules = Rules.of(chart);
  rules.trafficReport = false;
  rules.warningSink = { report: () => undefined };
  rules.inventory = { hosts: [HOST, 'reviews.bookinfo.svc.cluster.local', 'yes', 'on'] };
  return { app, chart };
}

type Outcome = { kind: 'refused'; error: IstioValidationError } | { kind: 'ok'; json: any[]; yaml: string };

function outcome(build: (chart: Chart) => void): Outcome {
  const { app, chart } = freshChart();
  try {
    build(chart);
    const yaml = app.synthYaml();
    const json = chart.toJson();
    return { kind: 'ok', json, yaml };
  } catch (e) {
    if (e instanceof IstioValidationError) return { kind: 'refused', error: e };
    throw e;
  }
}

function contains(value: unknown, s: string): boolean {
  if (typeof value === 'string') return value === s;
  if (Array.isArray(value)) return value.some((v) => contains(v, s));
  if (value && typeof value === 'object') return Object.entries(value).some(([k, v]) => k === s || contains(v, s));
  return false;
}

const HOSTILE = ['0o17', '0O17', '-0o17', '0x1F', '1_000', 'yes', 'on', 'off', 'Y', 'null', '~', '1e3', '.5', '017', '0b101', '1:20', '2001-12-14', '.inf', '=', '<<', 'true', '+1', '0o1_7', 'a\u2028b', 'a\u0085b'];

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
  'HttpMatch.sourceNamespace': (c, s) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ match: [HttpMatch.sourceNamespace(s)] }] }); },
  'HttpMatch.sourceLabels value': (c, s) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ match: [HttpMatch.sourceLabels({ app: s })] }] }); },
  'HttpMatch.sourceLabels key': (c, s) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ match: [HttpMatch.sourceLabels({ [s]: 'x' })] }] }); },
  'HttpMatch.gateways': (c, s) => { new HostTraffic(c, 'h', { host: HOST, gateways: ['mesh', s], httpRoutes: [{ match: [HttpMatch.gateways(s)] }] }); },
  'HttpMatch.authority exact': (c, s) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ match: [HttpMatch.authority().exact(s)] }] }); },
  'HttpMatch.withoutHeader exact': (c, s) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ match: [HttpMatch.withoutHeader('x-a').exact(s)] }] }); },
  'HttpMatch.withoutHeader name': (c, s) => { new HostTraffic(c, 'h', { host: HOST, httpRoutes: [{ match: [HttpMatch.withoutHeader(s).exact('x')] }] }); },
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

describe('probe', () => {
  test('sweep', () => {
    const rows: string[] = [];
    for (const [field, build] of Object.entries(FIELDS)) {
      for (const s of HOSTILE) {
        let o: Outcome;
        try {
          o = outcome((c) => build(c, s));
        } catch (e) {
          rows.push(`THROW ${field} ${JSON.stringify(s)}: ${(e as Error).constructor.name} ${(e as Error).message.slice(0, 150)}`);
          continue;
        }
        if (o.kind === 'refused') { rows.push(`refused ${field} ${JSON.stringify(s)} ${o.error.code} ${o.error.message.slice(0, 100)}`); continue; }
        const objects = JSON.parse(JSON.stringify(o.json));
        const issues = objects.filter((m: any) => m.apiVersion.startsWith('networking.istio.io')).flatMap((m: any) => validateManifest(m).map((i) => `${m.kind} ${i.path} ${i.message}`));
        const notIn = !contains(objects, s);
        const diffs: string[] = [];
        for (const version of ['1.1', '1.2'] as const) {
          const read = parseAllDocuments(o.yaml, { version }).map((d) => d.toJS()).filter((d) => d !== null);
          if (JSON.stringify(read) !== JSON.stringify(objects)) diffs.push(version);
        }
        rows.push(`ok ${field} ${JSON.stringify(s)}${notIn ? ' MISSING' : ''}${diffs.length ? ` YAMLDIFF ${diffs}` : ''}${issues.length ? ` SCHEMA ${issues.join('; ')}` : ''}`);
      }
    }
    require('fs').writeFileSync('/tmp/htprobe/sweep.txt', rows.join('\n'));
  });
});
