import { thrownBy } from '../support/errors';
import { SYSTEM_CA_BUNDLE, TlsOrigination } from '../../src/policies/tls';

const HOST = 'api.example.com';

describe('TlsOrigination.simple', () => {
  test('verifies the server against the host by default', () => {
    expect(TlsOrigination.simple()._render(HOST)).toEqual({ mode: 'SIMPLE', sni: HOST, caCertificates: '/etc/ssl/certs/ca-certificates.crt', subjectAltNames: [HOST] });
  });

  test('the system CA bundle is also a static of TlsOrigination (jsii has no free constants)', () => {
    expect(TlsOrigination.SYSTEM_CA_BUNDLE).toBe(SYSTEM_CA_BUNDLE);
    expect(TlsOrigination.simple()._render(HOST).caCertificates).toBe(TlsOrigination.SYSTEM_CA_BUNDLE);
  });

  test('never emits insecureSkipVerify', () => {
    expect(TlsOrigination.simple()._render(HOST)).not.toHaveProperty('insecureSkipVerify');
  });

  test('renders a CA file', () => {
    expect(TlsOrigination.simple({ caCertificates: '/etc/certs/ca.pem' })._render(HOST)).toEqual({
      mode: 'SIMPLE', sni: HOST, caCertificates: '/etc/certs/ca.pem', subjectAltNames: [HOST],
    });
  });

  test('renders a CA secret', () => {
    expect(TlsOrigination.simple({ credentialName: 'api-ca' })._render(HOST)).toEqual({
      mode: 'SIMPLE', sni: HOST, credentialName: 'api-ca', subjectAltNames: [HOST],
    });
  });

  test('renders a custom SNI and SANs', () => {
    expect(TlsOrigination.simple({ sni: 'edge.example.com', subjectAltNames: ['edge.example.com', 'api.example.com'] })._render(HOST)).toEqual({
      mode: 'SIMPLE', sni: 'edge.example.com', caCertificates: '/etc/ssl/certs/ca-certificates.crt', subjectAltNames: ['edge.example.com', 'api.example.com'],
    });
  });

  test('renders a copy of the SANs', () => {
    const sans = ['a.example.com'];
    const tls = TlsOrigination.simple({ subjectAltNames: sans });
    tls._render(HOST).subjectAltNames!.push('b.example.com');
    expect(tls._render(HOST).subjectAltNames).toEqual(['a.example.com']);
  });

  test('rejects caCertificates together with credentialName with DR-14', () => {
    const e = thrownBy(() => TlsOrigination.simple({ caCertificates: '/ca.pem', credentialName: 'ca' }));
    expect(e.code).toBe('DR-14');
    expect(e.value).toBe('caCertificates + credentialName');
    expect(e.allowed).toBe('one CA source');
  });

  test('rejects an invalid SNI with X-03', () => {
    const e = thrownBy(() => TlsOrigination.simple({ sni: 'not a host' }));
    expect(e.code).toBe('X-03');
    expect(e.path).toBe('TlsOrigination.simple');
    expect(e.value).toBe('not a host');
  });

  test('rejects a wildcard SNI with X-03', () => {
    expect(thrownBy(() => TlsOrigination.simple({ sni: '*.example.com' })).code).toBe('X-03');
  });
});

describe('TlsOrigination.insecureSkipVerify', () => {
  test('says so in the manifest', () => {
    expect(TlsOrigination.insecureSkipVerify()._render(HOST)).toEqual({ mode: 'SIMPLE', sni: HOST, insecureSkipVerify: true });
  });

  test('renders a custom SNI', () => {
    expect(TlsOrigination.insecureSkipVerify({ sni: 'test.internal' })._render(HOST)).toEqual({ mode: 'SIMPLE', sni: 'test.internal', insecureSkipVerify: true });
  });

  test('rejects an invalid SNI with X-03', () => {
    const e = thrownBy(() => TlsOrigination.insecureSkipVerify({ sni: 'foo*.example.com' }));
    expect(e.code).toBe('X-03');
    expect(e.path).toBe('TlsOrigination.insecureSkipVerify');
  });
});

test('an empty subjectAltNames list is refused (PROP: an empty list where names are required): it would accept any server name', () => {
  expect(thrownBy(() => TlsOrigination.simple({ subjectAltNames: [] })).message).toMatch(/subjectAltNames is empty/);
  expect(thrownBy(() => TlsOrigination.simple({ subjectAltNames: [] })).code).toBe('PROP');
});

test('a CA source that is not a string is refused with PROP', () => {
  expect(thrownBy(() => TlsOrigination.simple({ caCertificates: 5 as any })).code).toBe('PROP');
});
