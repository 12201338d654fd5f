import { codes, ERROR, gw, one, only, run, WARNING } from '../../support/rules';

const HTTPS = { port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['shop.example.com'], tls: { mode: 'SIMPLE', credentialName: 'shop-cert' } };
/** A Gateway in namespace shop with the given servers. */
const gateway = (...servers: unknown[]) => gw({ selector: { istio: 'ingressgateway' }, servers }, { namespace: 'shop' });
/** A server like HTTPS with `tls` replaced. */
const httpsWith = (tls: Record<string, unknown>) => ({ ...HTTPS, tls });

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
