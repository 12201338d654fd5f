import { codes, dr, ERROR, HOST, one, only, runOnly, sizes, WARNING } from '../../support/rules';
import { DR17 } from '../../../src/rules/dr/tls';
import { toIstioObject } from '../../../src/engine/istio-object';
import { runRules } from '../../../src/engine/run';
import { RunOptions } from '../../../src/engine/types';
import { DR_RULES } from '../../../src/rules/dr';

/** Runs the DR rules of dr-rules.ts over the manifests. */
const check = (options: RunOptions, ...manifests: any[]) => runRules(manifests.map((m, i) => toIstioObject(m, `obj${i}`)!), DR_RULES, options);
const EXTERNAL = 'api.example.com';
/** A DR for the external host with the given top-level TLS settings. */
const tls = (settings: unknown, extra: Record<string, unknown> = {}, meta = {}) => dr({ host: EXTERNAL, trafficPolicy: { tls: settings }, ...extra }, meta);

describe('DR-14 client TLS consistency', () => {
  test('credentialName together with caCertificates is an error naming both', () => {
    const v = one(check({}, tls({ mode: 'SIMPLE', credentialName: 'api-ca', caCertificates: '/etc/ca.pem' })), 'DR-14');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toBe('trafficPolicy.tls sets credentialName "api-ca" together with caCertificates');
  });

  test('MUTUAL without credentialName needs client certificate and key', () => {
    const v = one(check({}, tls({ mode: 'MUTUAL', clientCertificate: '/etc/cert.pem', caCertificates: '/etc/ca.pem' })), 'DR-14');
    expect(v.message).toBe('trafficPolicy.tls is MUTUAL without credentialName and has no privateKey');
  });

  test('MUTUAL with certificate and key, and SIMPLE with only credentialName, pass', () => {
    const report = check({},
      tls({ mode: 'MUTUAL', clientCertificate: '/etc/cert.pem', privateKey: '/etc/key.pem', caCertificates: '/etc/ca.pem' }),
      tls({ mode: 'MUTUAL', credentialName: 'client-cert' }),
      tls({ mode: 'SIMPLE', credentialName: 'api-ca' }));
    expect(codes(report)).not.toContain('DR-14');
  });

  test('insecureSkipVerify with caCertificates and subjectAltNames (SIMPLE) is an error', () => {
    const v = one(check({}, tls({ mode: 'SIMPLE', insecureSkipVerify: true, caCertificates: '/etc/ca.pem', subjectAltNames: [EXTERNAL] })), 'DR-14');
    expect(v.message).toBe('trafficPolicy.tls sets insecureSkipVerify true together with caCertificates, subjectAltNames (mode SIMPLE)');
  });

  test('insecureSkipVerify with subjectAltNames (MUTUAL) is an error; credentialName is allowed there', () => {
    const v = one(check({}, tls({ mode: 'MUTUAL', insecureSkipVerify: true, credentialName: 'client-cert', subjectAltNames: [EXTERNAL] })), 'DR-14');
    expect(v.message).toContain('insecureSkipVerify true together with subjectAltNames (mode MUTUAL)');
  });

  test('insecureSkipVerify alone passes DR-14', () => {
    expect(codes(check({}, tls({ mode: 'SIMPLE', insecureSkipVerify: true, sni: EXTERNAL })))).not.toContain('DR-14');
  });

  test('a configmap:// credential in another namespace is an error', () => {
    const v = one(check({}, tls({ mode: 'SIMPLE', credentialName: 'configmap://other/api-ca' }, {}, { namespace: 'shop' })), 'DR-14');
    expect(v.message).toBe('trafficPolicy.tls.credentialName "configmap://other/api-ca" points at namespace "other", not the DestinationRule\'s namespace "shop"');
    expect(v.allowed).toBe('configmap://shop/<name>');
  });

  test('a malformed configmap:// credential is an error', () => {
    expect(one(check({}, tls({ mode: 'SIMPLE', credentialName: 'configmap://' })), 'DR-14').message).toContain('is not configmap://[namespace/]name');
  });

  test('a configmap:// credential in the own namespace, or without namespace, passes', () => {
    const report = check({},
      tls({ mode: 'SIMPLE', credentialName: 'configmap://shop/api-ca' }, {}, { namespace: 'shop' }),
      tls({ mode: 'SIMPLE', credentialName: 'configmap://api-ca' }, {}, { namespace: 'shop' }));
    expect(codes(report)).not.toContain('DR-14');
  });

  test('port-level TLS is checked', () => {
    const v = one(check({}, dr({ host: EXTERNAL, trafficPolicy: { portLevelSettings: [{ port: { number: 443 }, tls: { mode: 'MUTUAL' } }] } })), 'DR-14');
    expect(v.message).toBe('trafficPolicy.portLevelSettings[0] (port 443).tls is MUTUAL without credentialName and has no clientCertificate or privateKey');
  });
});

describe('DR-15 server verification', () => {
  test('SIMPLE without caCertificates is a warning', () => {
    const v = one(check({}, tls({ mode: 'SIMPLE', sni: EXTERNAL })), 'DR-15');
    expect(v.severity).toBe(WARNING);
    expect(v.message).toBe('trafficPolicy.tls is SIMPLE without caCertificates, so no CA of yours verifies the server certificate');
  });

  test('SIMPLE with subjectAltNames but no caCertificates is still a warning (the catalogue checks the CA only)', () => {
    expect(one(check({}, tls({ mode: 'SIMPLE', subjectAltNames: [EXTERNAL] })), 'DR-15').severity).toBe(WARNING);
  });

  test('insecureSkipVerify says that verification is off', () => {
    expect(one(check({}, tls({ mode: 'SIMPLE', insecureSkipVerify: true })), 'DR-15').message).toContain('insecureSkipVerify is true, so the server certificate is not verified at all');
  });

  test('credentialName without a workloadSelector is a warning: sidecars do not read it', () => {
    expect(one(check({}, tls({ mode: 'SIMPLE', credentialName: 'api-ca' })), 'DR-15').message).toContain('credentialName "api-ca" reaches sidecars only with a workloadSelector');
  });

  test('MUTUAL on a port without caCertificates is a warning naming the port', () => {
    const m = dr({ host: EXTERNAL, trafficPolicy: { portLevelSettings: [{ port: { number: 8443 }, tls: { mode: 'MUTUAL', clientCertificate: '/c', privateKey: '/k' } }] } });
    expect(one(check({}, m), 'DR-15').message).toContain('trafficPolicy.portLevelSettings[0] (port 8443).tls is MUTUAL without caCertificates');
  });

  test('caCertificates, credentialName with a workloadSelector, ISTIO_MUTUAL and DISABLE pass', () => {
    const report = check({},
      tls({ mode: 'SIMPLE', caCertificates: '/etc/ca.pem' }),
      tls({ mode: 'SIMPLE', credentialName: 'api-ca' }, { workloadSelector: { matchLabels: { app: 'web' } } }),
      tls({ mode: 'ISTIO_MUTUAL' }),
      tls({ mode: 'DISABLE' }));
    expect(codes(report)).not.toContain('DR-15');
  });
});

describe('DR-16 (opt-in) no TLS DISABLE', () => {
  const disabled = dr({ host: HOST, trafficPolicy: { tls: { mode: 'DISABLE' } } });

  test('is off unless enabled', () => {
    expect(codes(check({}, disabled))).not.toContain('DR-16');
  });

  test('DISABLE at the top level is a warning when enabled', () => {
    const v = one(check({ enable: ['DR-16'] }, disabled), 'DR-16');
    expect(v.severity).toBe(WARNING);
    expect(v.message).toBe(`trafficPolicy.tls.mode is DISABLE, so traffic to "${HOST}" is sent without TLS`);
  });

  test('DISABLE is an error in strict mode (the strict-mtls profile)', () => {
    expect(one(check({ enable: ['DR-16'], strict: true }, disabled), 'DR-16').severity).toBe(ERROR);
  });

  test('DISABLE on a subset is reported with the subset', () => {
    const m = dr({ host: HOST, subsets: [{ name: 'legacy', labels: { version: 'v0' }, trafficPolicy: { tls: { mode: 'DISABLE' } } }] });
    expect(one(check({ enable: ['DR-16'] }, m), 'DR-16').message).toContain('subset "legacy" trafficPolicy.tls.mode is DISABLE');
  });

  test('ISTIO_MUTUAL passes', () => {
    expect(codes(check({ enable: ['DR-16'] }, dr({ host: HOST, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } })))).not.toContain('DR-16');
  });
});

describe('DR-17 host rules keep mesh- or namespace-wide mTLS', () => {
  const meshWide = dr({ host: '*.local', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }, { name: 'default', namespace: 'istio-system' });
  const nsWide = dr({ host: '*.shop.svc.cluster.local', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }, { name: 'shop-mtls', namespace: 'shop' });
  const plain = dr({ host: HOST, trafficPolicy: { connectionPool: { tcp: { maxConnections: 100 } } } }, { namespace: 'shop' });

  test('a host rule without tls next to a mesh-wide ISTIO_MUTUAL rule is a warning naming both', () => {
    const v = one(check({}, meshWide, plain), 'DR-17');
    expect(v.severity).toBe(WARNING);
    expect(v.path).toBe('obj1');
    expect(v.message).toBe(`DestinationRule "reviews" (namespace shop) for ${HOST} sets no tls, so it overrides the ISTIO_MUTUAL of DestinationRule "default" (namespace istio-system)`);
  });

  test('a host rule without tls in a namespace with a namespace-wide ISTIO_MUTUAL rule is a warning', () => {
    expect(one(check({}, nsWide, plain), 'DR-17').message).toContain('DestinationRule "shop-mtls" (namespace shop)');
  });

  test('a namespace-wide rule of another namespace does not apply', () => {
    const other = dr({ host: '*.billing.svc.cluster.local', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }, { name: 'billing-mtls', namespace: 'billing' });
    expect(codes(check({}, other, plain))).not.toContain('DR-17');
  });

  test('a host rule with tls at the top or on a port passes', () => {
    const top = dr({ host: HOST, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }, { namespace: 'shop' });
    const port = dr({ host: HOST, trafficPolicy: { portLevelSettings: [{ port: { number: 9080 }, tls: { mode: 'ISTIO_MUTUAL' } }] } }, { name: 'port', namespace: 'shop' });
    expect(only(check({}, meshWide, top, port), 'DR-17')).toEqual([]);
  });

  test('several covering rules: the mesh-wide ones first, in order, then the namespace-wide ones; three named', () => {
    const mesh = (name: string, host = '*.local') => dr({ host, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }, { name, namespace: 'istio-system' });
    const v = one(check({}, mesh('m1'), nsWide, mesh('m2', '*.svc.cluster.local'), mesh('m3', '*.cluster.local'), plain), 'DR-17');
    expect(v.message).toBe(`DestinationRule "reviews" (namespace shop) for ${HOST} sets no tls, so it overrides the ISTIO_MUTUAL of DestinationRule "m1" (namespace istio-system), DestinationRule "m2" (namespace istio-system), DestinationRule "m3" (namespace istio-system) and 1 more`);
  });

  test('2,000 host rules under 200 namespace-wide rules: a warning each, naming three', () => {
    const wide = Array.from({ length: 200 }, (_, i) => dr({ host: '*.x.svc.cluster.local', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }, { name: `wide-${i}`, namespace: `ns-${i}` }));
    const hosts = Array.from({ length: 2000 }, (_, i) => dr({ host: `s${i}.x.svc.cluster.local` }, { name: `s${i}`, namespace: 'x' }));
    const report = runOnly(DR17, {}, ...wide, ...hosts);
    const { findings, message } = sizes(report);
    expect(findings).toBe(2000);
    expect(message).toBeLessThan(2000);
    expect(only(report, 'DR-17')[0].message).toContain('DestinationRule "wide-2" (namespace ns-2) and 197 more');
  });

  test('without a mesh- or namespace-wide ISTIO_MUTUAL rule, host rules without tls pass', () => {
    const meshWideSimple = dr({ host: '*.local', trafficPolicy: { tls: { mode: 'DISABLE' } } }, { name: 'default', namespace: 'istio-system' });
    expect(codes(check({}, meshWideSimple, plain))).not.toContain('DR-17');
  });
});
