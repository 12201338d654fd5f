import { codes, gw, one, run, vs, WARNING } from '../../support/rules';

const INGRESS = { istio: 'ingressgateway' };
/** An HTTPS server for `hosts` with credentialName `cert`. */
const https = (hosts: string[], cert = 'shop-cert', extra: Record<string, unknown> = {}) => ({
  port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts, tls: { mode: 'SIMPLE', credentialName: cert }, ...extra,
});
/** A Gateway `name` in namespace shop. */
const gateway = (name: string, servers: unknown[], selector: Record<string, string> = INGRESS) => gw({ selector, servers }, { name, namespace: 'shop' });
/** A VS in shop bound to `gateways` for `hosts`. */
const routes = (name: string, hosts: string[], gateways: string[], namespace = 'shop') => vs({
  hosts, gateways, http: [{ name: 'default', route: [{ destination: { host: 'web.shop.svc.cluster.local' } }] }],
}, { name, namespace });

describe('GW-11 server hosts served by a bound VirtualService', () => {
  test('a host no bound VirtualService serves is a warning naming it', () => {
    const v = one(run(gateway('a', [https(['shop.example.com', 'api.example.com'])]), routes('shop', ['shop.example.com'], ['a'])), 'GW-11');
    expect(v.severity).toBe(WARNING);
    expect(v.message).toBe('spec.servers[0] (port "https" 443) host "api.example.com" is served by none of the 1 VirtualService host(s) bound to Gateway "shop/a"');
  });

  test('a gateway no VirtualService binds is reported per server', () => {
    expect(one(run(gateway('a', [https(['shop.example.com'])])), 'GW-11').message).toContain('no VirtualService in the App binds to Gateway "shop/a"');
  });

  test('a VirtualService in a namespace the host scope excludes does not serve it', () => {
    const report = run(gateway('a', [https(['./shop.example.com'])]), routes('shop', ['shop.example.com'], ['shop/a'], 'web'));
    expect(one(report, 'GW-11').message).toContain('host "./shop.example.com" is served by none');
  });

  test('exact, wildcard, ns/name, legacy and scoped bindings pass', () => {
    expect(codes(run(
      gateway('a', [https(['shop.example.com', '*.api.example.com', 'web/web.example.com', '*'])]),
      routes('shop', ['shop.example.com'], ['a']),
      routes('api', ['v1.api.example.com'], ['shop/a']),
      routes('web', ['*.example.com'], ['a.shop.svc.cluster.local'], 'web'),
    ))).not.toContain('GW-11');
  });

  test('redirect-only and AUTO_PASSTHROUGH servers need no VirtualService', () => {
    expect(codes(run(gateway('a', [
      { port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['shop.example.com'], tls: { httpsRedirect: true } },
      { port: { number: 15443, name: 'tls', protocol: 'TLS' }, hosts: ['*.local'], tls: { mode: 'AUTO_PASSTHROUGH' } },
    ])))).not.toContain('GW-11');
  });
});
