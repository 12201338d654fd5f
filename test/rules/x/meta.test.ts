import { X_RULES } from '../../../src/rules/x';
import { CATCH_ALL, codes, dr, ERROR, gw, HOST, one, only, runOnly, se, vs } from '../../support/rules';

const tlsPort = { number: 443, name: 'tls', protocol: 'TLS' };
const hosts = (n: number) => Array.from({ length: n }, (_, i) => `h${i}.example.com`);
const endpoints = (n: number) => Array.from({ length: n }, (_, i) => ({ address: `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}` }));

describe('X-12 forbidden annotations', () => {
  test('istio.io/dry-run on a VirtualService is an error', () => {
    const v = one(runOnly(X_RULES, {}, vs({ hosts: [HOST], http: [CATCH_ALL] }, { annotations: { 'istio.io/dry-run': 'true' } })), 'X-12');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('metadata.annotations["istio.io/dry-run"] is only supported on AuthorizationPolicy, not on a VirtualService');
  });

  test('internal.istio.io annotations are an error', () => {
    const report = runOnly(X_RULES, {}, dr({ host: HOST }, { annotations: { 'internal.istio.io/webhook-always-reject': '', 'internal.istio.io/parents': 'x' } }));
    expect(only(report, 'X-12').map((v) => v.value)).toEqual(['internal.istio.io/webhook-always-reject', 'internal.istio.io/parents']);
  });

  test('ordinary and suppression annotations pass', () => {
    const annotations = { 'argocd.argoproj.io/sync-wave': '1', 'suppress.traffic.cdk8s-istio-traffic.io/X-04': 'legacy host', 'istio.io/rev': 'canary' };
    expect(codes(runOnly(X_RULES, {}, gw({ servers: [] }, { annotations })))).not.toContain('X-12');
  });
});

describe('X-13 CRD size caps', () => {
  test('257 ServiceEntry hosts (max+1) is an error; 256 (max) passes', () => {
    const v = one(runOnly(X_RULES, {}, se({ hosts: hosts(257), ports: [tlsPort], resolution: 'NONE' })), 'X-13');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toBe('spec.hosts has 257 items (the ServiceEntry CRD allows at most 256)');
    expect(v.value).toBe(257);
    expect(codes(runOnly(X_RULES, {}, se({ hosts: hosts(256), ports: [tlsPort], resolution: 'NONE' })))).not.toContain('X-13');
  });

  test('4097 endpoints (max+1) is an error; 4096 (max) passes', () => {
    expect(one(runOnly(X_RULES, {}, se({ hosts: ['vm.internal'], ports: [tlsPort], resolution: 'STATIC', endpoints: endpoints(4097) })), 'X-13').message)
      .toContain('spec.endpoints has 4097 items');
    expect(codes(runOnly(X_RULES, {}, se({ hosts: ['vm.internal'], ports: [tlsPort], resolution: 'STATIC', endpoints: endpoints(4096) })))).not.toContain('X-13');
  });

  test('a 65-character address (max+1) is an error', () => {
    const address = `${'1'.repeat(62)}/32`;
    expect(one(runOnly(X_RULES, {}, se({ hosts: ['a.example.com'], addresses: [address], ports: [tlsPort], resolution: 'NONE' })), 'X-13').message)
      .toContain('spec.addresses[0] has 65 characters');
  });

  test('257 ports is an error', () => {
    const ports = Array.from({ length: 257 }, (_, i) => ({ number: 1000 + i, name: `p${i}`, protocol: 'TCP' }));
    expect(one(runOnly(X_RULES, {}, se({ hosts: ['a.example.com'], ports, resolution: 'NONE' })), 'X-13').message).toContain('spec.ports has 257 items');
  });

  test('an endpoint with 129 ports is an error', () => {
    const ports = Object.fromEntries(Array.from({ length: 129 }, (_, i) => [`p${i}`, 1000 + i]));
    const report = runOnly(X_RULES, {}, se({ hosts: ['a.example.com'], ports: [tlsPort], resolution: 'STATIC', endpoints: [{ address: '10.0.0.1', ports }] }));
    expect(one(report, 'X-13').message).toContain('spec.endpoints[0].ports has 129 entries');
  });

  test('4097 DestinationRule portLevelSettings in a subset is an error', () => {
    const portLevelSettings = Array.from({ length: 4097 }, (_, i) => ({ port: { number: i + 1 }, tls: { mode: 'ISTIO_MUTUAL' } }));
    const report = runOnly(X_RULES, {}, dr({ host: HOST, subsets: [{ name: 'v1', labels: { version: 'v1' }, trafficPolicy: { portLevelSettings } }] }));
    expect(one(report, 'X-13').message).toContain('spec.subsets[0].trafficPolicy.portLevelSettings has 4097 items (the DestinationRule CRD allows at most 4096)');
  });

  test('objects within the caps pass', () => {
    expect(codes(runOnly(X_RULES, {}, dr({ host: HOST, trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'ISTIO_MUTUAL' } }] } })))).not.toContain('X-13');
  });
});
