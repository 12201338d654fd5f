import { ApiObject, App, Chart, Testing } from 'cdk8s';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { BookinfoChart, BookinfoGatewayApiChart } from '../apps/bookinfo';
import { CommerceIngressChart } from '../apps/commerce-ingress';
import { Destination, HostTraffic, HttpMatch, IngressGateway, PortProtocol, RoutingApi, Rules, ServerTls } from '../src';
import { analyze } from '../src/rules';
import { validateManifest } from '../src/schema/crd-validator';

// Seed 001 ("Gateway API equivalent of the Istio Gateway/VirtualService combo"), as the seed writes it.
const SEED_GATEWAY = {
  apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'public-gateway', namespace: 'istio-ingress' },
  spec: {
    gatewayClassName: 'istio',
    listeners: [{ name: 'https', port: 443, protocol: 'HTTPS', hostname: 'shop.example.com', tls: { mode: 'Terminate', certificateRefs: [{ name: 'shop-example-com-cert' }] } }],
  },
};
const SEED_ROUTE = {
  apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'shop-route', namespace: 'commerce' },
  spec: {
    parentRefs: [{ name: 'public-gateway', namespace: 'istio-ingress' }],
    hostnames: ['shop.example.com'],
    rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/api/' } }], backendRefs: [{ name: 'shop-api', port: 8080, weight: 90 }, { name: 'shop-api-canary', port: 8080, weight: 10 }] }],
  },
};

/** Seed 001's example written with the constructs; `host` is the listener host as an Istio Gateway host. */
function seedChart(host: string, suppressGa03 = false): Chart {
  const chart = new Chart(Testing.app(), 'seed', { namespace: 'commerce' });
  for (const name of ['shop-api', 'shop-api-canary']) {
    new ApiObject(chart, name, { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: name }, ports: [{ port: 8080 }] } });
  }
  const gateway = new IngressGateway(chart, 'public-gateway', {
    routingApi: RoutingApi.GATEWAY_API, namespace: 'istio-ingress',
    servers: [{ name: 'https', port: 443, protocol: PortProtocol.HTTPS, hosts: [host], tls: ServerTls.simple('shop-example-com-cert') }],
  });
  const route = new HostTraffic(chart, 'shop-route', {
    routingApi: RoutingApi.GATEWAY_API, host: 'shop-api', name: 'shop-route', gateways: [gateway.ref], hosts: ['shop.example.com'],
    httpRoutes: [{ match: [HttpMatch.pathPrefix('/api/')], route: [Destination.host('shop-api', { port: 8080, weight: 90 }), Destination.host('shop-api-canary', { port: 8080, weight: 10 })] }],
  });
  if (suppressGa03) Rules.suppress(route, 'GA-03', 'seed 001 as written, to compare it field by field');
  return chart;
}

describe("seed 001's Gateway API example", () => {
  it('is reproduced exactly, field by field, with the listener host written "./shop.example.com"', () => {
    const objects = Testing.synth(seedChart('./shop.example.com', true)).filter((o) => o.kind !== 'Service');
    // The suppression is recorded as an annotation: the one field the seed does not have.
    expect(objects[1].metadata.annotations).toEqual({ 'suppress.traffic.cdk8s-istio-traffic.io/GA-03': 'seed 001 as written, to compare it field by field' });
    delete objects[1].metadata.annotations;
    expect(objects).toEqual([SEED_GATEWAY, SEED_ROUTE]);
    for (const o of objects) expect(validateManifest(o)).toEqual([]);
  });

  it('as written, does not attach: the listener admits only its own namespace (GA-03 at synth and in lint)', () => {
    expect(() => Testing.synth(seedChart('./shop.example.com'))).toThrow(/GA-03: .*admits routes of its own namespace istio-ingress only/);
    const report = analyze([{ manifest: SEED_GATEWAY, path: 'seed/gateway' }, { manifest: SEED_ROUTE, path: 'seed/route' }], { complete: true });
    const ga03 = report.errors.filter((v) => v.code === 'GA-03');
    expect(ga03.length).toBeGreaterThan(0);
    expect(ga03[0].message).toMatch(/Same|namespace/);
  });

  it('the app admits routes of every namespace, the one difference from the seed', () => {
    const objects = Testing.synth(new CommerceIngressChart(new App(), 'commerce-ingress'));
    const gateway = objects.find((o) => o.kind === 'Gateway');
    expect(gateway.spec.listeners[0].allowedRoutes).toEqual({ namespaces: { from: 'All' } });
    const { allowedRoutes: _ignored, ...listener } = gateway.spec.listeners[0];
    expect({ ...gateway, spec: { ...gateway.spec, listeners: [listener] } }).toEqual(SEED_GATEWAY);
    expect(objects.find((o) => o.kind === 'HTTPRoute')).toEqual(SEED_ROUTE);
    const report = analyze(objects.map((manifest, i) => ({ manifest, path: `o${i}` })), { complete: true });
    expect(report.errors).toEqual([]);
  });
});

describe('bookinfo reviews, both ways', () => {
  const istio = Testing.synth(new BookinfoChart(new App(), 'bookinfo'));
  const gatewayApi = Testing.synth(new BookinfoGatewayApiChart(new App(), 'bookinfo-gateway-api'));
  const vs = istio.find((o) => o.kind === 'VirtualService' && o.metadata.name === 'reviews');
  const route = gatewayApi.find((o) => o.kind === 'HTTPRoute');

  it('the same split: 90/10 between the versions, the QA matches on v2', () => {
    const primaryVs = vs.spec.http.find((r: any) => r.name === 'primary');
    const primaryRoute = route.spec.rules.find((r: any) => r.name === 'primary');
    expect(primaryVs.route.map((d: any) => [d.destination.subset, d.weight])).toEqual([['v1', 90], ['v2', 10]]);
    expect(primaryRoute.backendRefs.map((b: any) => [b.name, b.weight])).toEqual([['reviews-v1', 90], ['reviews-v2', 10]]);
    const testRoute = route.spec.rules.find((r: any) => r.name === 'canary-testing');
    expect(testRoute.matches).toEqual([
      { headers: [{ name: 'x-qa-user', type: 'Exact', value: 'true' }] },
      { path: { type: 'PathPrefix', value: '/api/v2/' }, method: 'GET' },
    ]);
    expect(testRoute.backendRefs).toEqual([{ name: 'reviews-v2', port: 9080 }]);
  });

  it('versions are Services under the Gateway API, subsets under Istio', () => {
    const dr = istio.find((o) => o.kind === 'DestinationRule' && o.metadata.name === 'reviews');
    expect(dr.spec.subsets.map((s: any) => s.labels)).toEqual(expect.arrayContaining([{ app: 'reviews', version: 'v1' }, { app: 'reviews', version: 'v2' }]));
    const versions = gatewayApi.filter((o) => o.kind === 'Service' && o.metadata.name.startsWith('reviews-'));
    expect(versions.map((s) => s.spec.selector)).toEqual([{ app: 'reviews', version: 'v1' }, { app: 'reviews', version: 'v2' }]);
    expect(route.spec.parentRefs).toEqual([{ group: '', kind: 'Service', name: 'reviews' }]);
    for (const o of gatewayApi) if (o.apiVersion !== 'v1' && o.apiVersion !== 'apps/v1') expect(validateManifest(o)).toEqual([]);
  });
});

describe("Istio's own Gateway API samples (samples/bookinfo/gateway-api, copied unchanged)", () => {
  const dir = path.join(__dirname, 'samples', 'istio-gateway-api');
  const inputs = fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).flatMap((f) =>
    parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map((d, i) => ({ manifest: d.toJS(), path: `${f}#${i}` })));

  it('pass the schema and every rule; the Services they route to are noted as not in the input', () => {
    const report = analyze(inputs, { complete: false }); // as lint reads files without --complete
    expect(report.objects).toBe(3);
    expect(report.errors).toEqual([]);
    expect(report.warnings).toEqual([]);
    expect(report.notChecked?.join('\n')).toMatch(/backendRef Service "default\/reviews-v1"/);
  });

  it('with the input declared complete, the missing version Services are errors (GA-02)', () => {
    expect(analyze(inputs, { complete: true }).errors.map((v) => v.code)).toEqual(['GA-02', 'GA-02', 'GA-02']);
  });
});
