import { codes, ERROR, gw, one, only, run, WARNING } from '../../support/rules';

const HTTPS = { port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['shop.example.com'], tls: { mode: 'SIMPLE', credentialName: 'shop-cert' } };
const HTTP = { port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['shop.example.com'], tls: { httpsRedirect: true } };
/** A Gateway in namespace shop with the given servers. */
const gateway = (...servers: unknown[]) => gw({ selector: { istio: 'ingressgateway' }, servers }, { namespace: 'shop' });
/** A server like HTTPS with `tls` replaced. */
const httpsWith = (tls: Record<string, unknown>) => ({ ...HTTPS, tls });

describe('GW-01 name and servers', () => {
  test('a dotted name is an error naming it', () => {
    const v = one(run(gw({ selector: { istio: 'ingressgateway' }, servers: [HTTPS] }, { name: 'shop.gateway' })), 'GW-01');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('metadata.name "shop.gateway" is not a DNS-1123 label');
  });

  test('no servers is an error', () => {
    expect(one(run(gateway()), 'GW-01').message).toBe('spec.servers is []: a Gateway needs at least one server');
  });

  test('a null server is an error', () => {
    expect(one(run(gateway(HTTPS, null)), 'GW-01').message).toBe('spec.servers[1] is null, not a server');
  });

  test('two servers with the same port name are an error', () => {
    const v = one(run(gateway(HTTPS, { ...HTTP, port: { ...HTTP.port, name: 'https' } })), 'GW-01');
    expect(v.message).toBe('spec.servers[1] (port "https" 80) reuses the port name "https" of spec.servers[0]');
  });

  test('distinct port names pass', () => {
    expect(codes(run(gateway(HTTPS, HTTP)))).not.toContain('GW-01');
  });
});

describe('GW-02 server hosts', () => {
  const withHosts = (hosts: unknown) => gateway({ ...HTTPS, hosts });

  test('a short name is an error naming it', () => {
    const v = one(run(withHosts(['shop'])), 'GW-02');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toBe('spec.servers[0] (port "https" 443).hosts[0] "shop" is a short name; gateway hosts must be fully qualified');
  });

  test('a bad namespace part and an empty part are errors', () => {
    const messages = only(run(withHosts(['Shop_NS/shop.example.com', '/shop.example.com'])), 'GW-02').map((v) => v.message);
    expect(messages[0]).toContain('hosts[0] "Shop_NS/shop.example.com" namespace part "Shop_NS" is not a DNS-1123 label');
    expect(messages[1]).toContain('hosts[1] "/shop.example.com" has an empty namespace part');
  });

  test('a server without hosts is an error', () => {
    expect(one(run(withHosts([])), 'GW-02').message).toBe('spec.servers[0] (port "https" 443).hosts is []: a server needs at least one host');
  });

  test('"*", "./fqdn", "*/fqdn", "ns/*.domain" and bare FQDNs pass', () => {
    expect(codes(run(withHosts(['*', './shop.example.com', '*/shop.example.com', 'shop/*.example.com', 'shop.example.com'])))).not.toContain('GW-02');
  });
});

describe('GW-03 server ports and bind', () => {
  test('a targetPort is an error', () => {
    const v = one(run(gateway({ ...HTTPS, port: { ...HTTPS.port, targetPort: 8443 } })), 'GW-03');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toBe('spec.servers[0] (port "https" 443).port.targetPort 8443 has no effect on a Gateway');
  });

  test('a missing port, protocol and name are errors', () => {
    const messages = only(run(gateway({ hosts: ['shop.example.com'] }, { hosts: ['a.example.com'], port: { number: 8080 } })), 'GW-03').map((v) => v.message);
    expect(messages).toEqual([
      'spec.servers[0] has no port',
      'spec.servers[1] (8080).port has no protocol',
      'spec.servers[1] (8080).port has no name',
    ]);
  });

  test('port 0 without a unix bind is an error, and a unix bind needs port 0', () => {
    const messages = only(run(
      gateway({ ...HTTP, port: { number: 0, name: 'http', protocol: 'HTTP' } }),
      gateway({ ...HTTP, bind: 'unix:///var/run/gw.sock' }),
    ), 'GW-03').map((v) => v.message);
    expect(messages).toEqual([
      'spec.servers[0] (port "http" 0).port.number 0 is only valid with a unix:// bind',
      'spec.servers[0] (port "http" 80).port.number 80 must be 0 with bind "unix:///var/run/gw.sock"',
    ]);
  });

  test('a bind that is neither an IP nor an absolute unix path is an error', () => {
    const messages = only(run(gateway({ ...HTTP, bind: 'localhost' }), gateway({ ...HTTP, port: { ...HTTP.port, number: 0 }, bind: 'unix://gw.sock' })), 'GW-03').map((v) => v.message);
    expect(messages).toEqual([
      'spec.servers[0] (port "http" 80).bind "localhost" is not an IP address or unix:// path',
      'spec.servers[0] (port "http" 0).bind "unix://gw.sock" is not an absolute unix socket path',
    ]);
  });

  test('an IP bind and a unix bind with port 0 pass', () => {
    expect(codes(run(gateway({ ...HTTP, bind: '10.0.0.1' }), gateway({ ...HTTP, port: { ...HTTP.port, number: 0 }, bind: 'unix:///var/run/gw.sock' })))).not.toContain('GW-03');
  });
});

describe('GW-04 TLS presence', () => {
  test('HTTPS without tls is an error', () => {
    const { tls, ...noTls } = HTTPS;
    const v = one(run(gateway(noTls)), 'GW-04');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toBe('spec.servers[0] (port "https" 443) protocol HTTPS has no tls settings');
  });

  test('plain HTTP with certificates or a terminating mode is an error', () => {
    const v = one(run(gateway({ ...HTTP, tls: { mode: 'SIMPLE', credentialName: 'shop-cert' } })), 'GW-04');
    expect(v.message).toBe('spec.servers[0] (port "http" 80) protocol HTTP is plain text but sets mode SIMPLE, tls.credentialName; only tls.httpsRedirect is allowed');
  });

  test('TCP with tls is an error', () => {
    const v = one(run(gateway({ port: { number: 5432, name: 'pg', protocol: 'TCP' }, hosts: ['*'], tls: { mode: 'SIMPLE', credentialName: 'pg' } })), 'GW-04');
    expect(v.message).toBe('spec.servers[0] (port "pg" 5432) protocol TCP cannot have tls settings');
  });

  test('httpsRedirect on an HTTPS server is a warning', () => {
    const v = one(run(gateway(httpsWith({ ...HTTPS.tls, httpsRedirect: true }))), 'GW-04');
    expect(v.severity).toBe(WARNING);
    expect(v.message).toBe('spec.servers[0] (port "https" 443).tls.httpsRedirect is set on a HTTPS server, where it has no effect');
  });

  test('HTTPS with tls and HTTP with only httpsRedirect pass', () => {
    expect(codes(run(gateway(HTTPS, HTTP)))).not.toContain('GW-04');
  });
});
