import { codes, ERROR, gw, one, only, run, vs, WARNING } from './helpers';
import { toIstioObject } from '../../src/engine/istio-object';
import { runRules } from '../../src/engine/run';
import { GW_RULES } from '../../src/rules/gw';

const HTTPS = { port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['shop.example.com'], tls: { mode: 'SIMPLE', credentialName: 'shop-cert' } };
const HTTP = { port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['shop.example.com'], tls: { httpsRedirect: true } };
/** A Gateway in namespace shop with the given servers. */
const gateway = (...servers: unknown[]) => gw({ selector: { istio: 'ingressgateway' }, servers }, { namespace: 'shop' });
/** A server like HTTPS with `tls` replaced. */
const httpsWith = (tls: Record<string, unknown>) => ({ ...HTTPS, tls });
/** The VS that serves shop.example.com through the gateway (keeps GW-11 quiet). */
const ROUTES = vs({ hosts: ['shop.example.com'], gateways: ['shop/ingress'], http: [{ name: 'default', route: [{ destination: { host: 'web.shop.svc.cluster.local' } }] }] }, { namespace: 'shop' });
const gwCodes = (...manifests: any[]) => codes(run(...manifests)).filter((c) => c.startsWith('GW-'));

test('the baseline HTTPS + redirecting HTTP gateway passes every GW rule', () => {
  expect(gwCodes(gateway(HTTPS, HTTP), ROUTES)).toEqual([]);
});

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

describe('GW-05 TLS material', () => {
  test('SIMPLE without credentialName or certificate files is an error', () => {
    const v = one(run(gateway(httpsWith({ mode: 'SIMPLE' }))), 'GW-05');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toBe('spec.servers[0] (port "https" 443).tls mode SIMPLE has no credentialName and no serverCertificate or privateKey');
  });

  test('SIMPLE with files passes; MUTUAL with files but no CA is an error', () => {
    const files = { serverCertificate: '/etc/certs/tls.crt', privateKey: '/etc/certs/tls.key' };
    expect(codes(run(gateway(httpsWith({ mode: 'SIMPLE', ...files }))))).not.toContain('GW-05');
    expect(one(run(gateway(httpsWith({ mode: 'MUTUAL', ...files }))), 'GW-05').message).toContain('mode MUTUAL has no client CA (caCertificates)');
  });

  test('two certificate sources are an error', () => {
    const v = one(run(gateway(httpsWith({ mode: 'SIMPLE', credentialName: 'a', serverCertificate: '/c', privateKey: '/k' }))), 'GW-05');
    expect(v.message).toContain('sets 2 certificate sources (serverCertificate/privateKey, credentialName)');
  });

  test('a tlsCertificates entry without a key is an error', () => {
    const v = one(run(gateway(httpsWith({ mode: 'SIMPLE', tlsCertificates: [{ serverCertificate: '/rsa.crt', privateKey: '/rsa.key' }, { serverCertificate: '/ec.crt' }] }))), 'GW-05');
    expect(v.message).toContain('.tls.tlsCertificates[1] has no privateKey (mode SIMPLE)');
  });

  test('ISTIO_MUTUAL with a credentialName is an error', () => {
    const v = one(run(gateway(httpsWith({ mode: 'ISTIO_MUTUAL', credentialName: 'x' }))), 'GW-05');
    expect(v.message).toContain('mode ISTIO_MUTUAL uses the mesh certificates but also sets tls.credentialName');
  });

  test('caCrl with credentialName, and caCrl with SIMPLE, are errors', () => {
    const messages = only(run(gateway(httpsWith({ mode: 'SIMPLE', credentialName: 'x', caCrl: '/crl.pem' }))), 'GW-05').map((v) => v.message);
    expect(messages).toHaveLength(2);
    expect(messages[0]).toContain('.tls.caCrl cannot be combined with credentialName');
    expect(messages[1]).toContain('.tls.caCrl has no use with mode SIMPLE');
  });

  test('certificates with the mode unset (PASSTHROUGH) are a warning', () => {
    const v = one(run(gateway(httpsWith({ credentialName: 'shop-cert' }))), 'GW-05');
    expect(v.severity).toBe(WARNING);
    expect(v.message).toBe('spec.servers[0] (port "https" 443).tls mode unset (PASSTHROUGH) does not terminate TLS, so tls.credentialName is ignored');
  });

  test('TLS 1.0 without cipher suites, an unknown and a duplicate cipher are warnings', () => {
    const messages = only(run(
      gateway(httpsWith({ ...HTTPS.tls, minProtocolVersion: 'TLSV1_0' })),
      gateway(httpsWith({ ...HTTPS.tls, cipherSuites: ['ECDHE-RSA-AES128-GCM-SHA256', 'TLS_AES_128_GCM_SHA256', 'ECDHE-RSA-AES128-GCM-SHA256'] })),
    ), 'GW-05');
    expect(messages.map((v) => v.severity)).toEqual([WARNING, WARNING, WARNING]);
    expect(messages[0].message).toContain('.tls.minProtocolVersion TLSV1_0 is set without cipherSuites');
    expect(messages[1].message).toContain('.tls.cipherSuites[1] "TLS_AES_128_GCM_SHA256" is not a cipher suite Envoy supports');
    expect(messages[2].message).toContain('.tls.cipherSuites[2] "ECDHE-RSA-AES128-GCM-SHA256" is listed twice');
  });

  test('SIMPLE with credentialName, MUTUAL with credentialName, PASSTHROUGH without certificates and cipher groups pass', () => {
    expect(codes(run(gateway(
      HTTPS,
      { ...httpsWith({ mode: 'MUTUAL', credentialName: 'mtls-cert', cipherSuites: ['[ECDHE-ECDSA-AES128-GCM-SHA256|ECDHE-ECDSA-CHACHA20-POLY1305]'] }), port: { number: 8443, name: 'mtls', protocol: 'HTTPS' } },
      { port: { number: 15443, name: 'tls', protocol: 'TLS' }, hosts: ['*.global'], tls: { mode: 'AUTO_PASSTHROUGH' } },
    )))).not.toContain('GW-05');
  });
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
