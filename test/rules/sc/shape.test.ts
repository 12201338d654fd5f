import { codes, ERROR, one, only, run, sc, WARNING } from '../../support/rules';

/** A Sidecar in namespace shop. */
const sidecar = (spec: unknown, name = 'default') => sc(spec, { namespace: 'shop', name });
const messages = (spec: unknown, code = 'SC-01') => only(run(sidecar(spec)), code).map((v) => v.message);
const HTTP = { number: 9080, protocol: 'HTTP', name: 'http' };

describe('SC-01 Sidecar shape', () => {
  test('an empty Sidecar is an error', () => {
    const v = one(run(sidecar({})), 'SC-01');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toBe('spec sets none of egress, ingress, outboundTrafficPolicy or inboundConnectionPool; Istio rejects an empty Sidecar');
  });

  test('empty lists count as unset, an inboundConnectionPool alone is enough', () => {
    expect(codes(run(sidecar({ egress: [], ingress: [] })))).toContain('SC-01');
    expect(codes(run(sidecar({ inboundConnectionPool: { tcp: { maxConnections: 100 } } })))).not.toContain('SC-01');
  });

  test('selector labels with an empty key or a wildcard are errors', () => {
    expect(messages({ workloadSelector: { labels: { '': 'x', app: 'rev*' } }, egress: [{ hosts: ['./*'] }] })).toEqual([
      'spec.workloadSelector.labels has an empty key (value "x")',
      'spec.workloadSelector.labels "app: rev*" uses a wildcard "*", which label selection does not support',
    ]);
  });

  describe('egress', () => {
    test('a catch-all listener before the last is an error', () => {
      const v = one(run(sidecar({ egress: [{ hosts: ['./*'] }, { port: HTTP, hosts: ['istio-system/*'] }] })), 'SC-01');
      expect(v.message).toBe('spec.egress[0] has no port, which makes it the catch-all listener, and the catch-all must be the last listener');
      expect(v.path).toBe('obj0');
    });

    test('two catch-all listeners are an error on the first', () => {
      expect(messages({ egress: [{ hosts: ['./*'] }, { hosts: ['istio-system/*'] }] })).toEqual([
        'spec.egress[0] has no port, like 1 other listener(s): only one catch-all listener (without port) is allowed, and it must be the last',
      ]);
    });

    test('a null listener, a listener without hosts and malformed hosts are errors', () => {
      expect(messages({ egress: [null, { port: HTTP, hosts: [] }, { hosts: ['reviews', 'Shop_ns/a.example.com', '*/reviews', '/x.com', './foo*.com', '*/*.example.com'] }] })).toEqual([
        'spec.egress[0] is null, not an egress listener',
        'spec.egress[1].hosts is []: an egress listener needs at least one host',
        'spec.egress[2].hosts[0] "reviews" is not in namespace/dnsName form (e.g. "./*", "istio-system/*", "*/api.example.com")',
        'spec.egress[2].hosts[1] "Shop_ns/a.example.com" has namespace "Shop_ns" that is not a DNS-1123 label (lowercase letters, digits and "-", starting and ending with a letter or digit)',
        'spec.egress[2].hosts[2] "*/reviews" has the short name "reviews"; egress hosts must be fully qualified (e.g. "reviews.<namespace>.svc.cluster.local")',
        'spec.egress[2].hosts[3] "/x.com" has an empty namespace part',
        'spec.egress[2].hosts[4] "./foo*.com" has the partial wildcard "foo*.com"; only "*" or a leading "*." is allowed',
      ]);
    });

    test('namespace "*", ".", "~" or a name and dnsName "*", "*.suffix" or an FQDN pass', () => {
      expect(codes(run(sidecar({ egress: [{ hosts: ['*/*.example.com', './*', '~/*', 'istio-system/*', 'prod/reviews.prod.svc.cluster.local', 'ext/api.example.com.'] }] })))).not.toContain('SC-01');
    });

    test('port 0 needs a unix bind and captureMode DEFAULT or NONE', () => {
      expect(messages({ egress: [
        { port: { number: 0, protocol: 'HTTP' }, hosts: ['./*'] },
        { port: { protocol: 'HTTP' }, bind: 'unix://relative.sock', hosts: ['./*'] },
        { port: { number: 0, protocol: 'HTTP' }, bind: 'unix:///var/run/a.sock', captureMode: 'IPTABLES', hosts: ['./*'] },
      ] })).toEqual([
        'spec.egress[0] port number 0 needs a unix:// bind (a unix domain socket listener)',
        'spec.egress[1] bind "unix://relative.sock" has unix socket path "relative.sock", which is not an absolute path to a file',
        'spec.egress[2] captureMode IPTABLES cannot capture a unix domain socket listener (use DEFAULT or NONE)',
      ]);
    });

    test('an IP listener binds to an IP, and its port number is unique', () => {
      expect(messages({ egress: [
        { port: HTTP, bind: 'localhost', hosts: ['./*'] },
        { port: { ...HTTP, name: 'other' }, bind: '127.0.0.1', hosts: ['./*'] },
        { port: { number: 3306, protocol: 'MYSQL' }, bind: 'unix:///var/run/db.sock', hosts: ['./*'] },
      ] })).toEqual([
        'spec.egress[0] bind "localhost" is not an IP address',
        'spec.egress[1].port.number 9080 repeats spec.egress[0]; ports of IP-bound egress listeners must be unique',
        'spec.egress[2] bind "unix:///var/run/db.sock" is a unix socket, which needs port number 0',
      ]);
    });

    test('two unix socket listeners on one socket are an error', () => {
      const uds = { port: { number: 0, protocol: 'HTTP' }, bind: 'unix:///var/run/a.sock', hosts: ['./*'] };
      expect(messages({ egress: [uds, uds] })).toEqual(['spec.egress[1].bind "unix:///var/run/a.sock" repeats spec.egress[0]; unix socket listeners need distinct sockets']);
    });

    test('a targetPort, a bad port name and an unknown protocol are errors', () => {
      expect(messages({ egress: [{ port: { number: 8080, targetPort: 80, name: 'Web_1', protocol: 'SPDY' }, hosts: ['./*'] }] })).toEqual([
        'spec.egress[0].port.targetPort 80 has no effect on a Sidecar',
        'spec.egress[0].port.name "Web_1" is not a DNS-1123 label (lowercase letters, digits and "-", starting and ending with a letter or digit)',
        'spec.egress[0].port.protocol "SPDY" is not a protocol Istio knows',
      ]);
    });
  });

  describe('ingress', () => {
    test('a listener without port, a null listener and a port without number are errors', () => {
      expect(messages({ ingress: [{ defaultEndpoint: '127.0.0.1:8080' }, null, { port: { protocol: 'HTTP' } }] })).toEqual([
        'spec.ingress[0] has no port; ingress listeners need one',
        'spec.ingress[1] is null, not an ingress listener',
        'spec.ingress[2].port has no number',
      ]);
    });

    test('repeated ingress ports and non-IP binds are errors', () => {
      expect(messages({ ingress: [{ port: HTTP }, { port: { ...HTTP, name: 'again' }, bind: 'unix:///var/run/in.sock' }] })).toEqual([
        'spec.ingress[1] bind "unix:///var/run/in.sock" is a unix socket; ingress listeners bind to an IP address',
        'spec.ingress[1].port.number 9080 repeats spec.ingress[0]; ingress ports must be unique',
      ]);
    });

    test('defaultEndpoint forms other than loopback, any-address, empty host or unix are errors', () => {
      const endpoints = ['localhost:8080', '::1:8080', '127.0.0.1', '127.0.0.1:http', '0.0.0.0:0', 'unix://var/run/app.sock', '[::1]8080'];
      const got = only(run(...endpoints.map((e, i) => sidecar({ ingress: [{ port: HTTP, defaultEndpoint: e }] }, `s${i}`))), 'SC-01').map((v) => v.message);
      expect(got).toEqual([
        'spec.ingress[0].defaultEndpoint "localhost:8080" forwards to host "localhost"; it must be 127.0.0.1:PORT, 0.0.0.0:PORT, [::1]:PORT, [::]:PORT or unix:///path',
        'spec.ingress[0].defaultEndpoint "::1:8080" has too many colons (write IPv6 addresses as [::1]:PORT); it must be 127.0.0.1:PORT, 0.0.0.0:PORT, [::1]:PORT, [::]:PORT or unix:///path',
        'spec.ingress[0].defaultEndpoint "127.0.0.1" has no port; it must be 127.0.0.1:PORT, 0.0.0.0:PORT, [::1]:PORT, [::]:PORT or unix:///path',
        'spec.ingress[0].defaultEndpoint "127.0.0.1:http" has port "http", which is not a number',
        'spec.ingress[0].defaultEndpoint "0.0.0.0:0" has port 0, which is outside 1-65535',
        'spec.ingress[0].defaultEndpoint "unix://var/run/app.sock" has unix socket path "var/run/app.sock", which is not an absolute path to a file',
        'spec.ingress[0].defaultEndpoint "[::1]8080" has text between "]" and the port; it must be 127.0.0.1:PORT, 0.0.0.0:PORT, [::1]:PORT, [::]:PORT or unix:///path',
      ]);
    });

    test('defaultEndpoint at 127.0.0.1, 0.0.0.0, [::1], [::], :PORT, 65535 and unix sockets passes', () => {
      const endpoints = ['127.0.0.1:8080', '0.0.0.0:1', '[::1]:65535', '[::]:8080', ':8080', 'unix:///var/run/app.sock', 'unix://@abstract'];
      expect(codes(run(...endpoints.map((e, i) => sidecar({ ingress: [{ port: HTTP, defaultEndpoint: e }] }, `s${i}`))))).not.toContain('SC-01');
    });

    test('ingress TLS rejects gateway-only fields, ISTIO_MUTUAL and plain-text ports', () => {
      expect(messages({ ingress: [{
        port: HTTP, defaultEndpoint: '127.0.0.1:8080',
        tls: { mode: 'ISTIO_MUTUAL', credentialName: 'cert', subjectAltNames: ['a'], httpsRedirect: true },
      }] })).toEqual([
        'spec.ingress[0].tls sets subjectAltNames, httpsRedirect, credentialName, mode ISTIO_MUTUAL, which Sidecar ingress listeners do not support',
        'spec.ingress[0].tls is set on a port with protocol "HTTP"; only HTTPS or TLS ports terminate TLS',
      ]);
    });

    test('SIMPLE and MUTUAL ingress TLS need their certificate files', () => {
      const https = { number: 8443, protocol: 'HTTPS', name: 'https' };
      expect(messages({ ingress: [
        { port: https, tls: { mode: 'SIMPLE', serverCertificate: '/etc/certs/cert.pem' } },
        { port: { ...https, number: 9443, name: 'mtls' }, tls: { mode: 'MUTUAL', serverCertificate: '/c.pem', privateKey: '/k.pem' } },
      ] })).toEqual([
        'spec.ingress[0].tls mode SIMPLE has no privateKey',
        'spec.ingress[1].tls mode MUTUAL has no caCertificates',
      ]);
    });

    test('certificates on PASSTHROUGH TLS, TLS 1.0 without ciphers and HTTP pools on TCP ports are warnings', () => {
      const found = only(run(sidecar({ ingress: [
        { port: { number: 8443, protocol: 'TLS', name: 'tls' }, tls: { serverCertificate: '/c.pem', minProtocolVersion: 'TLSV1_0' } },
        { port: { number: 5432, protocol: 'TCP', name: 'pg' }, connectionPool: { http: { maxRetries: 3 } } },
      ] })), 'SC-01');
      expect(found.map((v) => v.severity)).toEqual([WARNING, WARNING, WARNING]);
      expect(found.map((v) => v.message)).toEqual([
        'spec.ingress[0].tls mode unset (PASSTHROUGH) does not terminate TLS, so serverCertificate is ignored',
        'spec.ingress[0].tls.minProtocolVersion TLSV1_0 is set without cipherSuites; the default suites need TLS 1.2, so older clients still cannot connect',
        'spec.ingress[1].connectionPool.http is set, but port 5432 has protocol "TCP", not HTTP; only the tcp settings apply',
      ]);
    });

    test('empty and negative connection pools are errors', () => {
      expect(messages({ inboundConnectionPool: {}, ingress: [{ port: HTTP, connectionPool: { tcp: { maxConnections: -1 }, http: { h2UpgradePolicy: 'UPGRADE', useClientProtocol: true } } }] })).toEqual([
        'spec.ingress[0].connectionPool.http sets h2UpgradePolicy UPGRADE and useClientProtocol true, which contradict each other',
        'spec.ingress[0].connectionPool.tcp.maxConnections -1 is negative',
        'spec.inboundConnectionPool sets neither http nor tcp',
      ]);
    });
  });

  describe('outboundTrafficPolicy', () => {
    const proxy = { host: 'proxy.corp.example.com', port: { number: 3128 } };

    test('egressProxy without mode ALLOW_ANY is an error', () => {
      expect(messages({ outboundTrafficPolicy: { mode: 'REGISTRY_ONLY', egressProxy: proxy } })).toEqual([
        'spec.outboundTrafficPolicy sets egressProxy with mode REGISTRY_ONLY; egressProxy is only allowed with mode ALLOW_ANY',
      ]);
      expect(messages({ outboundTrafficPolicy: { egressProxy: proxy } })).toEqual([
        'spec.outboundTrafficPolicy sets egressProxy with mode unset (REGISTRY_ONLY); egressProxy is only allowed with mode ALLOW_ANY',
      ]);
    });

    test('an egressProxy needs an FQDN host, a port and a DNS-label subset', () => {
      expect(messages({ outboundTrafficPolicy: { mode: 'ALLOW_ANY', egressProxy: { host: '*.corp.example.com', subset: 'V1' } } })).toEqual([
        'spec.outboundTrafficPolicy.egressProxy.host "*.corp.example.com" contains a wildcard, which is not allowed here',
        'spec.outboundTrafficPolicy.egressProxy has no port',
        'spec.outboundTrafficPolicy.egressProxy.subset "V1" is not a DNS-1123 label (lowercase letters, digits and "-", starting and ending with a letter or digit)',
      ]);
    });

    test('egressProxy with ALLOW_ANY passes SC-01', () => {
      expect(codes(run(sidecar({ outboundTrafficPolicy: { mode: 'ALLOW_ANY', egressProxy: proxy } })))).not.toContain('SC-01');
    });
  });
});

describe('SC-02 duplicate egress hosts', () => {
  test('a repeated host, "." meeting the own namespace and a host under "<ns>/*" are warnings', () => {
    const found = only(run(sidecar({ egress: [{ hosts: ['./a.example.com', 'shop/a.example.com', 'ext/*', 'ext/b.example.com', 'ns2/c.example.com', 'ns2/*'] }] })), 'SC-02');
    expect(found.map((v) => v.severity)).toEqual([WARNING, WARNING, WARNING]);
    expect(found.map((v) => v.message)).toEqual([
      'spec.egress[0].hosts[1] "shop/a.example.com" repeats hosts[0] "./a.example.com"',
      'spec.egress[0].hosts[3] "ext/b.example.com" is already covered by hosts[2] "ext/*"',
      'spec.egress[0].hosts[5] "ns2/*" covers hosts[4] "ns2/c.example.com"',
    ]);
  });

  test('"*/*" next to other namespaces is a warning', () => {
    expect(one(run(sidecar({ egress: [{ hosts: ['istio-system/*', '*/*'] }] })), 'SC-02').message)
      .toBe('spec.egress[0].hosts[1] "*/*" imports every host of every namespace, so the other namespaces listed beside it add nothing');
  });

  test('the same host in two listeners, and distinct hosts, pass', () => {
    expect(codes(run(sidecar({ egress: [{ port: HTTP, hosts: ['./*', 'istio-system/*'] }, { hosts: ['./*', 'ext/a.example.com', 'ext/b.example.com'] }] })))).not.toContain('SC-02');
  });
});
