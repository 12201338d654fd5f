import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../../src/cli/main';
import { toIstioObject } from '../../../src/engine/istio-object';
import { runRules } from '../../../src/engine/run';
import { analyze, RULES } from '../../../src/rules';
import { SC_RULES } from '../../../src/rules/sc';
import { sc, se } from '../../support/rules';

/**
 * The Sidecar examples of Istio's reference page (https://istio.io/latest/docs/reference/config/networking/sidecar/),
 * as published: Istio accepts them, so the catalogue (and the CRD schema) must report no error, and no SC warning.
 */
const DOC_EXAMPLES: Record<string, any[]> = {
  'global default in the root namespace': [sc({ egress: [{ hosts: ['./*', 'istio-system/*'] }] }, { namespace: 'istio-config' })],
  'namespace override': [sc({ egress: [{ hosts: ['prod-us1/*', 'prod-apis/*', 'istio-system/*'] }] }, { namespace: 'prod-us1' })],
  'port-specific egress listener before the catch-all': [sc({
    egress: [{ port: { number: 9080, protocol: 'HTTP', name: 'egresshttp' }, hosts: ['prod-us1/*'] }, { hosts: ['istio-system/*'] }],
  }, { namespace: 'prod-us1' })],
  'ingress to a unix socket defaultEndpoint': [sc({
    workloadSelector: { labels: { app: 'ratings' } },
    ingress: [{ port: { number: 9080, protocol: 'HTTP', name: 'somename' }, defaultEndpoint: 'unix:///var/run/someuds.sock' }],
    egress: [{ port: { number: 9080, protocol: 'HTTP', name: 'egresshttp' }, hosts: ['prod-us1/*'] }, { hosts: ['istio-system/*'] }],
  }, { name: 'ratings', namespace: 'prod-us1' })],
  'no iptables: ingress defaultEndpoint 127.0.0.1, egress bound to 127.0.0.1': [
    sc({
      workloadSelector: { labels: { app: 'productpage' } },
      ingress: [{ port: { number: 9080, protocol: 'HTTP', name: 'somename' }, defaultEndpoint: '127.0.0.1:8080', captureMode: 'NONE' }],
      egress: [{ port: { number: 3306, protocol: 'MYSQL', name: 'egressmysql' }, captureMode: 'NONE', bind: '127.0.0.1', hosts: ['*/mysql.foo.com'] }],
    }, { name: 'no-ip-tables', namespace: 'prod-us1' }),
    se({ hosts: ['mysql.foo.com'], ports: [{ number: 3306, name: 'mysql', protocol: 'MYSQL' }], location: 'MESH_EXTERNAL', resolution: 'DNS' }, { name: 'external-svc-mysql', namespace: 'ns1' }),
  ],
  'ingress TLS termination with files': [sc({
    workloadSelector: { labels: { app: 'ratings' } },
    ingress: [{
      port: { number: 80, protocol: 'HTTPS', name: 'somename' }, defaultEndpoint: '127.0.0.1:8080',
      tls: { mode: 'SIMPLE', privateKey: '/etc/certs/privatekey.pem', serverCertificate: '/etc/certs/servercert.pem' },
    }],
  }, { name: 'ratings', namespace: 'prod-us1' })],
  'REGISTRY_ONLY outbound traffic': [sc({
    outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' }, egress: [{ hosts: ['./*', 'istio-system/*'] }],
  }, { namespace: 'prod-us1' })],
  'inbound connection pools': [sc({
    workloadSelector: { labels: { app: 'productpage' } },
    inboundConnectionPool: { http: { http1MaxPendingRequests: 1024, http2MaxRequests: 1024, maxRequestsPerConnection: 1024, maxRetries: 100 } },
    ingress: [{
      port: { number: 80, protocol: 'HTTP', name: 'somename' },
      connectionPool: { http: { http1MaxPendingRequests: 1024, http2MaxRequests: 1024, maxRequestsPerConnection: 1024, maxRetries: 100 }, tcp: { maxConnections: 100 } },
    }],
  }, { name: 'connection-pool-settings', namespace: 'prod-us1' })],
};

test.each(Object.keys(DOC_EXAMPLES))('Istio\'s documented Sidecar example "%s" passes clean', (name) => {
  const report = analyze(DOC_EXAMPLES[name].map((manifest, i) => ({ manifest, path: `doc${i}` })));
  expect(report.errors).toEqual([]);
  // SC-06's warning is the one Istio's documentation gives in prose: REGISTRY_ONLY needs a NetworkPolicy to be a boundary.
  const expected = name === 'REGISTRY_ONLY outbound traffic' ? ['SC-06'] : [];
  expect(report.warnings.filter((w) => w.code.startsWith('SC-')).map((w) => w.code)).toEqual(expected);
});

test('the examples are checked against the CRD schema too: an unknown field is a SCHEMA error', () => {
  const report = analyze([{ manifest: sc({ egress: [{ hosts: ['./*'], exportTo: ['.'] }] }, { namespace: 'shop' }), path: 'doc0' }]);
  expect(report.errors.map((e) => e.code)).toEqual(['SCHEMA']);
});

test('malformed Sidecars do not crash any rule', () => {
  const junk = [
    { egress: 'x', ingress: { a: 1 }, outboundTrafficPolicy: 'x', workloadSelector: 'x' },
    { egress: [1, { port: 'x', hosts: 'a', bind: 5, captureMode: 7 }, { port: { number: '80', name: 5, protocol: {} }, hosts: [null, 7, '', '/'] }, { port: null, hosts: [] }] },
    { ingress: [{ port: { number: 'x' }, defaultEndpoint: 5, tls: { mode: 5, cipherSuites: 'x', subjectAltNames: 'x' }, connectionPool: { http: 'x', tcp: [] } }, { port: {}, tls: [] }] },
    { outboundTrafficPolicy: { mode: 5, egressProxy: { host: 5, port: 'x', subset: 7 } }, workloadSelector: { labels: { a: 5, '': null } } },
    { outboundTrafficPolicy: { egressProxy: {} }, workloadSelector: { labels: 'x' }, inboundConnectionPool: [] },
  ];
  const objects = junk.map((spec, i) => toIstioObject(sc(spec, { name: `junk-${i}` }), `junk${i}`)!);
  const context = { workloads: [{ kind: 'Deployment', name: 'w', podLabels: { a: 'b' }, path: 'w' }], complete: false };
  expect(() => runRules(objects, SC_RULES, context)).not.toThrow();
  expect(() => runRules(objects, RULES, context)).not.toThrow();
});

test('lint points SC findings at the field they name', () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sc-lint-')), 'sidecar.yaml');
  fs.writeFileSync(file, [
    'apiVersion: networking.istio.io/v1',
    'kind: Sidecar',
    'metadata:',
    '  name: default',
    '  namespace: shop',
    'spec:',
    '  egress:',
    '  - hosts:',
    '    - ./*',
    '    - reviews',
    '',
  ].join('\n'));
  let stdout = '';
  const code = main(['lint', file], { stdout: (t) => { stdout += t; }, stderr: () => undefined });
  expect(code).toBe(1);
  expect(stdout).toMatch(/sidecar\.yaml:10:7: error SC-01: spec\.egress\[0\]\.hosts\[1\] "reviews" is not in namespace\/dnsName form/);
});
