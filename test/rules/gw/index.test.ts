import { codes, gw, run, vs } from '../../support/rules';
import { toIstioObject } from '../../../src/engine/istio-object';
import { runRules } from '../../../src/engine/run';
import { GW_RULES } from '../../../src/rules/gw';

const HTTPS = { port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['shop.example.com'], tls: { mode: 'SIMPLE', credentialName: 'shop-cert' } };
const HTTP = { port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['shop.example.com'], tls: { httpsRedirect: true } };
/** A Gateway in namespace shop with the given servers. */
const gateway = (...servers: unknown[]) => gw({ selector: { istio: 'ingressgateway' }, servers }, { namespace: 'shop' });
/** The VS that serves shop.example.com through the gateway (keeps GW-11 quiet). */
const ROUTES = vs({ hosts: ['shop.example.com'], gateways: ['shop/ingress'], http: [{ name: 'default', route: [{ destination: { host: 'web.shop.svc.cluster.local' } }] }] }, { namespace: 'shop' });
const gwCodes = (...manifests: any[]) => codes(run(...manifests)).filter((c) => c.startsWith('GW-'));

test('the baseline HTTPS + redirecting HTTP gateway passes every GW rule', () => {
  expect(gwCodes(gateway(HTTPS, HTTP), ROUTES)).toEqual([]);
});

test('malformed Gateways do not crash any GW rule', () => {
  const junk = [
    { servers: 'x', selector: ['istio'] },
    { servers: [1, { port: 'x', hosts: 'a', tls: 'x', bind: 5 }, { port: { number: '443', protocol: 7, name: {} }, hosts: [null, 7, ''], tls: { mode: 5, cipherSuites: 'x', tlsCertificates: [null, 'x'], credentialNames: 'x' } }] },
    { selector: { istio: 5 }, servers: [{ port: { number: 443, protocol: 'HTTPS', name: 'h' }, hosts: ['/'], tls: { mode: 'MUTUAL', tlsCertificates: [null] } }] },
  ];
  const routesJunk = vs({ hosts: 'x', gateways: [5, null, 'mesh', '', 'a/b'], http: [] });
  const objects = [routesJunk, ...junk.map((spec, i) => gw(spec, { name: `junk-${i}` }))].map((m, i) => toIstioObject(m, `junk${i}`)!);
  const context = {
    inventory: { gateways: [] },
    workloads: [{ kind: 'Deployment', name: 'gw', podLabels: { istio: 'ingressgateway' }, path: 'gw' }],
    services: [{ name: 'gw', selector: { istio: 'ingressgateway' }, ports: [{ port: 'x' as any }], path: 'svc' }],
  };
  expect(() => runRules(objects, GW_RULES, context)).not.toThrow();
});
