import { X_RULES } from '../../../src/rules/x';
import { CATCH_ALL, codes, dest, dr, ERROR, gw, HOST, one, only, runOnly, se, vs, WARNING } from '../../support/rules';

const drSelector = (matchLabels: unknown) => dr({ host: HOST, workloadSelector: { matchLabels }, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } });
const seSelector = (labels: unknown) => se({ hosts: ['vm.shop.internal'], workloadSelector: { labels }, ports: [{ number: 80, name: 'http', protocol: 'HTTP' }], resolution: 'STATIC' });
const server = (name: unknown, protocol: unknown, number = 80) => ({ port: { number, name, protocol }, hosts: ['shop/www.example.com'] });
const gateway = (...servers: unknown[]) => gw({ selector: { istio: 'ingressgateway' }, servers });
const sePorts = (...ports: unknown[]) => se({ hosts: ['api.example.com'], ports, resolution: 'DNS' });

describe('X-07 workload selectors', () => {
  test('a "*" label value in a DestinationRule selector is an error naming the label', () => {
    const v = one(runOnly(X_RULES, {}, drSelector({ app: '*' })), 'X-07');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('spec.workloadSelector.matchLabels "app: *" uses a wildcard');
    expect(v.value).toBe('app=*');
  });

  test('an empty key in a ServiceEntry selector is an error', () => {
    const v = one(runOnly(X_RULES, {}, seSelector({ '': 'vm' })), 'X-07');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('spec.workloadSelector.labels has an empty key');
  });

  test('a "*" key in a Gateway selector is an error', () => {
    const v = one(runOnly(X_RULES, {}, gw({ selector: { 'istio*': 'ingress' }, servers: [server('http', 'HTTP')] })), 'X-07');
    expect(v.message).toContain('spec.selector "istio*: ingress"');
  });

  test('an empty selector is a warning: it applies to the whole namespace', () => {
    const v = one(runOnly(X_RULES, {}, drSelector({})), 'X-07');
    expect(v.severity).toBe(WARNING);
    expect(v.message).toContain('spec.workloadSelector.matchLabels is empty');
    expect(v.message).toContain('every workload in the namespace');
  });

  test('a workloadSelector without matchLabels is a warning', () => {
    const v = one(runOnly(X_RULES, {}, dr({ host: HOST, workloadSelector: {} })), 'X-07');
    expect(v.severity).toBe(WARNING);
    expect(v.message).toContain('spec.workloadSelector.matchLabels is missing');
  });

  test('an empty Gateway selector is a warning', () => {
    expect(one(runOnly(X_RULES, {}, gw({ selector: {}, servers: [server('http', 'HTTP')] })), 'X-07').severity).toBe(WARNING);
  });

  test('exact labels pass', () => {
    expect(codes(runOnly(X_RULES, {}, drSelector({ app: 'web' }), seSelector({ app: 'vm' }), gateway(server('http', 'HTTP'))))).not.toContain('X-07');
  });

  test('a Gateway without selector is not this rule\'s concern', () => {
    expect(codes(runOnly(X_RULES, {}, gw({ servers: [server('http', 'HTTP')] })))).not.toContain('X-07');
  });
});

describe('X-08 label maps', () => {
  const subset = (labels: unknown) => dr({ host: HOST, subsets: [{ name: 'v1', labels }] });

  test('a 64-character label value (max+1) is an error naming the subset, key and length', () => {
    const v = one(runOnly(X_RULES, {}, subset({ version: 'v'.repeat(64) })), 'X-08');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('spec.subsets[0] (subset "v1").labels "version" value');
    expect(v.message).toContain('(64 characters)');
  });

  test('a 63-character label value (max) passes', () => {
    expect(codes(runOnly(X_RULES, {}, subset({ version: 'v'.repeat(63) })))).not.toContain('X-08');
  });

  test('an empty label value passes', () => {
    expect(codes(runOnly(X_RULES, {}, subset({ canary: '' })))).not.toContain('X-08');
  });

  test('an invalid label key is an error', () => {
    const v = one(runOnly(X_RULES, {}, subset({ 'my key': 'v1' })), 'X-08');
    expect(v.message).toContain('key "my key" is not a valid label name');
  });

  test('a prefixed key with an invalid prefix is an error', () => {
    expect(one(runOnly(X_RULES, {}, subset({ 'Example.com/tier': 'web' })), 'X-08').message).toContain('prefix "Example.com"');
  });

  test('a prefixed key passes', () => {
    expect(codes(runOnly(X_RULES, {}, subset({ 'example.com/tier': 'web', 'app.kubernetes.io/version': '1.2.3' })))).not.toContain('X-08');
  });

  test('a label value starting with "-" is an error', () => {
    expect(one(runOnly(X_RULES, {}, subset({ version: '-v1' })), 'X-08').message).toContain('"version" value "-v1"');
  });

  test('ServiceEntry endpoint labels are checked', () => {
    const entry = se({ hosts: ['vm.shop.internal'], ports: [{ number: 80, name: 'http', protocol: 'HTTP' }], resolution: 'STATIC', endpoints: [{ address: '10.0.0.1', labels: { version: 'v 1' } }] });
    expect(one(runOnly(X_RULES, {}, entry), 'X-08').message).toContain('spec.endpoints[0].labels "version" value "v 1"');
  });

  test('VirtualService sourceLabels are checked', () => {
    const report = runOnly(X_RULES, {}, vs({ hosts: [HOST], http: [{ name: 'from-web', match: [{ sourceLabels: { app: 'web!' } }], route: [dest(HOST)] }, CATCH_ALL] }));
    expect(one(report, 'X-08').message).toContain('spec.http[0].match[0].sourceLabels "app" value "web!"');
  });

  test('selector values over 63 characters are an error', () => {
    expect(one(runOnly(X_RULES, {}, seSelector({ app: 'a'.repeat(64) })), 'X-08').message).toContain('spec.workloadSelector.labels "app"');
  });

  test('"*" and empty keys in selectors are left to X-07 (reported once)', () => {
    const report = runOnly(X_RULES, {}, drSelector({ app: '*', '': 'x' }));
    expect(only(report, 'X-08')).toHaveLength(0);
    expect(only(report, 'X-07')).toHaveLength(2);
  });
});

describe('X-09 ports and protocols', () => {
  test('an unknown ServiceEntry protocol is an error naming the port', () => {
    const v = one(runOnly(X_RULES, {}, sePorts({ number: 443, name: 'https', protocol: 'HTTP3' })), 'X-09');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('spec.ports[0].protocol "HTTP3" is not a protocol Istio knows');
  });

  test('protocols are case-insensitive; an empty ServiceEntry protocol means sniffing', () => {
    const ports = [{ number: 443, name: 'https', protocol: 'tls' }, { number: 8080, name: 'web', protocol: 'grpc-web' }, { number: 27017, name: 'mongo', protocol: 'Mongo' }, { number: 81, name: 'sniffed', protocol: '' }];
    expect(codes(runOnly(X_RULES, {}, sePorts(...ports)))).not.toContain('X-09');
  });

  test('a ServiceEntry port name that is not a DNS label is an error', () => {
    expect(one(runOnly(X_RULES, {}, sePorts({ number: 443, name: 'HTTPS_443', protocol: 'TLS' })), 'X-09').message).toContain('spec.ports[0].name "HTTPS_443" is not a DNS-1123 label');
  });

  test('duplicate names and numbers are left to SE-03 and GW-01', () => {
    const entry = sePorts({ number: 443, name: 'tls', protocol: 'TLS' }, { number: 443, name: 'tls', protocol: 'TLS' });
    expect(codes(runOnly(X_RULES, {}, entry, gateway(server('http', 'HTTP', 80), server('http', 'HTTP', 8080))))).not.toContain('X-09');
  });

  test('a Gateway port name that is not a DNS label is an error', () => {
    expect(one(runOnly(X_RULES, {}, gateway(server('HTTP_80', 'HTTP'))), 'X-09').message).toContain('spec.servers[0].port.name "HTTP_80" is not a DNS-1123 label');
  });

  test('Gateway servers may share a port number under different names', () => {
    expect(codes(runOnly(X_RULES, {}, gateway(server('http-a', 'HTTP', 80), server('http-b', 'HTTP', 80))))).not.toContain('X-09');
  });

  test('an unknown Gateway protocol is an error', () => {
    const v = one(runOnly(X_RULES, {}, gateway(server('quic', 'QUIC'))), 'X-09');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('spec.servers[0].port.protocol "QUIC" is not a protocol Istio knows');
  });

  test('empty Gateway names and protocols are left to GW-03', () => {
    expect(codes(runOnly(X_RULES, {}, gateway(server('', ''))))).not.toContain('X-09');
  });
});
