import { SE10 } from '../../../src/rules/se/egress-gateway';
import { dr, ERROR, only, runOnly, se, vs, WARNING } from '../../support/rules';

const CNN = 'edition.cnn.com';
const GW = 'istio-egressgateway.istio-system.svc.cluster.local';
const entry = (exportTo?: string[]) => se({ hosts: [CNN], ports: [{ number: 80, name: 'http', protocol: 'HTTP' }], resolution: 'DNS', ...(exportTo ? { exportTo } : {}) }, { name: 'cnn', namespace: 'shop' });
/** Istio's egress gateway VirtualService, in namespace shop. */
const routes = (exportTo?: string[]) => vs({
  hosts: [CNN], gateways: ['shop/cnn-egress', 'mesh'], ...(exportTo ? { exportTo } : {}),
  http: [
    { name: 'mesh', match: [{ gateways: ['mesh'] }], route: [{ destination: { host: GW, port: { number: 80 } } }] },
    { name: 'gateway', match: [{ gateways: ['shop/cnn-egress'] }], route: [{ destination: { host: CNN, port: { number: 80 } } }] },
  ],
}, { name: 'cnn', namespace: 'shop' });
const originate = (exportTo?: string[]) => dr({ host: CNN, trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'SIMPLE' } }] }, ...(exportTo ? { exportTo } : {}) }, { name: 'cnn', namespace: 'shop' });
const sc10 = (...manifests: any[]) => only(runOnly(SE10, {}, ...manifests), 'SE-10');

describe('SE-10 what the egress gateway sees', () => {
  test('everything exported to the gateway\'s namespace (or to all) passes', () => {
    expect(sc10(entry(['.', 'istio-system']), originate(['.', 'istio-system']), routes(['.', 'istio-system']))).toEqual([]);
    expect(sc10(entry(), originate(), routes())).toEqual([]);
  });

  test('a VirtualService exported only to its namespace gives the gateway no route', () => {
    const [v] = sc10(entry(['*']), routes(['.']));
    expect([v.severity, v.path, v.value]).toEqual([ERROR, 'obj1', 'istio-system']);
    expect(v.message).toBe(`spec.exportTo [\".\"] of VirtualService "shop/cnn" hides it from the egress gateway in namespace istio-system (which VirtualService "cnn"'s mesh routes send ${CNN} to): the gateway gets none of its routes`);
  });

  test('a hidden ServiceEntry leaves the gateway without a cluster; a hidden TLS-originating DestinationRule sends plain text', () => {
    const found = sc10(entry(['.']), originate(['.']), routes(['*']));
    expect(found.map((v) => [v.severity, v.value])).toEqual([[ERROR, CNN], [ERROR, CNN]]);
    expect(found[0].message).toContain('ServiceEntry "shop/cnn" (spec.exportTo [\".\"]) hides "edition.cnn.com" from the egress gateway in namespace istio-system');
    expect(found[1].message).toContain('so the gateway ignores it, TLS origination included: requests leave the mesh in plain text');
  });

  test('a hidden DestinationRule without TLS is a warning', () => {
    const pool = dr({ host: CNN, exportTo: ['.'], trafficPolicy: { connectionPool: { tcp: { maxConnections: 10 } } } }, { name: 'cnn', namespace: 'shop' });
    expect(sc10(entry(['*']), pool, routes(['*'])).map((v) => v.severity)).toEqual([WARNING]);
  });

  test('a VirtualService bound to the mesh alone, or routing to its own namespace, is not the pattern', () => {
    const meshOnly = vs({ hosts: [CNN], exportTo: ['.'], http: [{ route: [{ destination: { host: GW } }] }] }, { name: 'cnn', namespace: 'shop' });
    expect(sc10(entry(['.']), meshOnly)).toEqual([]);
    const local = vs({ hosts: [CNN], exportTo: ['.'], gateways: ['mesh', 'shop/gw'], http: [{ route: [{ destination: { host: 'proxy.shop.svc.cluster.local' } }] }] }, { name: 'cnn', namespace: 'shop' });
    expect(sc10(entry(['.']), local)).toEqual([]);
    // An in-cluster host bound to the mesh and an ingress gateway, routed to another namespace: no egress gateway.
    const ingress = vs({ hosts: ['a.shop.svc.cluster.local'], exportTo: ['.'], gateways: ['mesh', 'shop/gw'], tcp: [{ route: [{ destination: { host: 'a.bookinfo.svc.cluster.local' } }] }] }, { name: 'a', namespace: 'shop' });
    expect(sc10(ingress)).toEqual([]);
  });
});
