import { ApiObject, Chart, Testing } from 'cdk8s';
import { istioObjects, objectsOf, oneOf, testChart } from '../support/constructs';
import { thrownBy } from '../support/errors';
import { PortProtocol } from '../../src/constructs/external-dependency';
import { HostTraffic } from '../../src/constructs/host-traffic';
import { IngressGateway, ServerTls } from '../../src/constructs/ingress-gateway';

const HOST = 'shop.example.com';
const SERVICE = 'frontend.shop.svc.cluster.local';

function shopChart() {
  return testChart([SERVICE], new Chart(Testing.app(), 'shop', { namespace: 'shop' }));
}

describe('IngressGateway', () => {
  test('HTTPS with a certificate Secret, an HTTP server that redirects, and a route bound by object', () => {
    const { chart, warnings } = shopChart();
    const gateway = new IngressGateway(chart, 'public', {
      servers: [
        { port: 443, protocol: PortProtocol.HTTPS, hosts: [HOST], tls: ServerTls.simple('shop-example-com-cert') },
        { port: 80, protocol: PortProtocol.HTTP, hosts: [HOST], httpsRedirect: true },
      ],
    });
    const frontend = new HostTraffic(chart, 'frontend', { host: SERVICE, gateways: [gateway.ref], hosts: [HOST], httpRoutes: [{}] });
    const gw = oneOf(chart, 'Gateway');
    expect(gw.metadata).toEqual({ name: 'public', namespace: 'shop' });
    expect(gw.spec).toEqual({
      selector: { istio: 'ingressgateway' },
      servers: [
        { port: { number: 443, name: 'https-443', protocol: 'HTTPS' }, hosts: [HOST], tls: { mode: 'SIMPLE', credentialName: 'shop-example-com-cert' } },
        { port: { number: 80, name: 'http-80', protocol: 'HTTP' }, hosts: [HOST], tls: { httpsRedirect: true } },
      ],
    });
    expect(oneOf(chart, 'VirtualService').spec.gateways).toEqual(['shop/public']);
    expect(gateway.ref).toBe('shop/public');
    expect(frontend.virtualService).toBeDefined();
    expect(warnings).toEqual([]);
  });

  test('bindGateway takes it by object and keeps the mesh binding; the VirtualService is applied after it', () => {
    const { chart } = shopChart();
    const gateway = new IngressGateway(chart, 'public', { servers: [{ port: 80, protocol: PortProtocol.HTTP, hosts: [HOST] }] });
    const frontend = new HostTraffic(chart, 'frontend', { host: SERVICE, hosts: [HOST], httpRoutes: [{}] }).bindGateway(gateway);
    expect(Testing.synth(chart).map((o) => o.kind)).toEqual(['Gateway', 'VirtualService']);
    expect(frontend.virtualService!.toJson().spec.gateways).toEqual(['mesh', 'shop/public']);
  });

  test('the GW rules run on its output: a server host no VirtualService binds is GW-11', () => {
    const { chart, warnings } = shopChart();
    new IngressGateway(chart, 'public', { servers: [{ port: 80, protocol: PortProtocol.HTTP, hosts: [HOST] }] });
    istioObjects(chart);
    expect(warnings.map((w) => w.code)).toContain('GW-11');
  });

  test('hosts must be FQDNs or wildcards with an optional namespace (GW-02, X-03)', () => {
    const gw = (hosts: string[]) => new IngressGateway(shopChart().chart, 'g', { servers: [{ port: 80, protocol: PortProtocol.HTTP, hosts }] });
    expect(thrownBy(() => gw(['shop'])).code).toBe('GW-02');
    expect(thrownBy(() => gw(['Bad_NS/shop.example.com'])).code).toBe('GW-02');
    expect(thrownBy(() => gw(['shop_example.com'])).code).toBe('X-03');
    expect(() => gw(['*', './shop.example.com', '*/*.example.com', 'frontend/shop.example.com'])).not.toThrow();
  });

  test('shape errors are PROP and leave nothing behind', () => {
    const { chart } = shopChart();
    expect(thrownBy(() => new IngressGateway(chart, 'g', { servers: [{ port: 443, protocol: PortProtocol.HTTPS, hosts: [HOST], httpsRedirect: true }] })).code).toBe('PROP');
    expect(thrownBy(() => new IngressGateway(chart, 'g', { servers: [{ port: 80, protocol: 'http' as PortProtocol, hosts: [HOST] }] })).code).toBe('PROP');
    expect(thrownBy(() => new IngressGateway(chart, 'g', { servers: [{ port: 80, protocol: PortProtocol.HTTP, hosts: [] }] })).code).toBe('PROP');
    expect(thrownBy(() => new IngressGateway(chart, 'g', { selector: {} })).code).toBe('PROP');
    expect(thrownBy(() => ServerTls.simple('')).code).toBe('PROP');
    expect(thrownBy(() => new IngressGateway(chart, 'g', { servers: [{ port: 70000, protocol: PortProtocol.HTTP, hosts: [HOST] }] })).code).toBe('X-02');
    expect(objectsOf(chart, 'Gateway')).toEqual([]);
  });

  test('TLS modes render as Istio ServerTLSSettings; servers can be added later', () => {
    const { chart } = shopChart();
    const gateway = new IngressGateway(chart, 'eastwest', { selector: { istio: 'eastwestgateway' } });
    gateway.addServer({ port: 15443, name: 'tls', protocol: PortProtocol.TLS, hosts: ['*.local'], tls: ServerTls.autoPassthrough() });
    gateway.addServer({ port: 8443, protocol: PortProtocol.HTTPS, hosts: [HOST], tls: ServerTls.mutual('client-ca') });
    gateway.addServer({ port: 9443, protocol: PortProtocol.TLS, hosts: [HOST], tls: ServerTls.passthrough() });
    new ApiObject(chart, 'vs', { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'x' }, spec: { hosts: [HOST], gateways: ['shop/eastwest'], tls: [{ match: [{ port: 9443, sniHosts: [HOST] }], route: [{ destination: { host: SERVICE } }] }], http: [{ route: [{ destination: { host: SERVICE } }] }] } });
    const servers = oneOf(chart, 'Gateway').spec.servers;
    expect(servers.map((s: any) => s.tls)).toEqual([{ mode: 'AUTO_PASSTHROUGH' }, { mode: 'MUTUAL', credentialName: 'client-ca' }, { mode: 'PASSTHROUGH' }]);
    expect(ServerTls.istioMutual()._render()).toEqual({ mode: 'ISTIO_MUTUAL' });
  });

  test('snapshot of an HTTPS gateway', () => {
    const { chart } = shopChart();
    new IngressGateway(chart, 'public', { name: 'shop-gateway', namespace: 'istio-system', servers: [{ port: 443, protocol: PortProtocol.HTTPS, hosts: [`shop/${HOST}`], tls: ServerTls.simple('shop-cert') }] });
    new HostTraffic(chart, 'frontend', { host: SERVICE, gateways: ['istio-system/shop-gateway'], hosts: [HOST], httpRoutes: [{}] });
    const gw = oneOf(chart, 'Gateway');
    expect(gw.spec.servers[0].hosts).toEqual([`shop/${HOST}`]);
    expect(gw).toMatchSnapshot();
  });
});

test('findings about the Gateway name the construct path', () => {
  const { chart, warnings } = shopChart();
  new IngressGateway(chart, 'public', { servers: [{ port: 80, protocol: PortProtocol.HTTP, hosts: [HOST] }] });
  istioObjects(chart);
  expect(warnings.find((w) => w.code === 'GW-11')!.path).toBe('shop/public');
});

describe('one error per construct: every problem at once, value classes re-pathed to the construct', () => {
  test('the selector, a server\'s ServerTls and another server\'s port: three violations at the construct path', () => {
    const { chart } = shopChart();
    const e = thrownBy(() => new IngressGateway(chart, 'public', {
      selector: {},
      servers: [
        { port: 443, protocol: PortProtocol.HTTPS, hosts: [HOST], tls: ServerTls.simple('') },
        { port: 0, protocol: PortProtocol.HTTP, hosts: [HOST] },
      ],
    }));
    expect(e.violations.map((v) => [v.code, v.path, v.message])).toEqual([
      ['PROP', 'shop/public', 'selector is empty, which would configure every gateway'],
      ['PROP', 'shop/public', 'servers[0].tls (ServerTls.simple): credentialName "" is not the name of a TLS Secret'],
      ['X-02', 'shop/public', 'servers[1].port 0 is outside 1-65535'],
    ]);
    expect(objectsOf(chart, 'Gateway')).toEqual([]);
  });
});
