import { ApiObject, Chart, Duration, Testing } from 'cdk8s';
import { validateManifest } from '../../src/schema/crd-validator';
import { CallTarget } from '../../src/constructs/common';
import { EgressLockdown } from '../../src/constructs/egress-lockdown';
import { ExternalDependency, PortProtocol } from '../../src/constructs/external-dependency';
import { ResilientBackend } from '../../src/constructs/resilient-backend';
import { testChart } from '../support/constructs';
import { thrownBy } from '../support/errors';

const PG = 'api.pgprovider.example';
const TLS_443 = [{ number: 443, name: 'tls', protocol: PortProtocol.TLS }];

function paymentsChart(namespace = 'payments') {
  const app = Testing.app();
  const { chart, warnings } = testChart(undefined, new Chart(app, namespace, { namespace }));
  return { app, chart, warnings };
}

/** Synthesized objects of `kind`, each checked against the CRD schema (Istio kinds). */
function ofKind(chart: Chart, kind: string): any[] {
  const found = Testing.synth(chart).filter((o) => o.kind === kind);
  for (const o of found) if (o.apiVersion.startsWith('networking.istio.io/')) expect(validateManifest(o)).toEqual([]);
  return found;
}

describe('EgressLockdown', () => {
  test('a namespace-wide REGISTRY_ONLY Sidecar importing its own namespace and Istio\'s', () => {
    const { chart, warnings } = paymentsChart();
    const pg = new ExternalDependency(chart, 'pg', { name: 'pg', hosts: [PG], ports: TLS_443 });
    const lockdown = new EgressLockdown(chart, 'lockdown', { calls: [CallTarget.of(pg)] });
    const [sidecar] = ofKind(chart, 'Sidecar');
    expect(sidecar.metadata).toEqual({ name: 'default', namespace: 'payments' });
    expect(sidecar.spec).toEqual({ egress: [{ hosts: ['./*', 'istio-system/*'] }], outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } });
    expect(lockdown.namespace).toBe('payments');
    expect(ofKind(chart, 'NetworkPolicy')).toEqual([]);
    // REGISTRY_ONLY alone is not a boundary (SC-06 warns); the registered call is fine (no SC-05).
    expect(warnings.map((w) => [w.code, w.path])).toEqual([['SC-06', 'payments/lockdown']]);
  });

  test('hosts called from the namespace: a ServiceEntry of another namespace and in-cluster services elsewhere are imported', () => {
    const app = Testing.app();
    const shared = new Chart(app, 'shared', { namespace: 'shared' });
    const { chart } = testChart(undefined, new Chart(app, 'payments', { namespace: 'payments' }));
    const stripe = new ExternalDependency(shared, 'stripe', { name: 'stripe', hosts: ['api.stripe.com'], ports: [{ number: 443, name: 'https', protocol: PortProtocol.HTTPS }], exportTo: ['*'] });
    new ResilientBackend(chart, 'api', {
      host: 'api.payments.svc.cluster.local', timeout: Duration.seconds(2),
      calls: [CallTarget.of(stripe), CallTarget.host('orders.shop.svc.cluster.local')],
    });
    new EgressLockdown(chart, 'lockdown', { hosts: ['monitoring/*'] });
    expect(ofKind(chart, 'Sidecar')[0].spec.egress).toEqual([{ hosts: ['./*', 'istio-system/*', 'shared/api.stripe.com', 'shop/*', 'monitoring/*'] }]);
  });

  test('a call to an external host that no visible ServiceEntry registers fails at synth (SC-05)', () => {
    const { chart } = paymentsChart();
    new EgressLockdown(chart, 'lockdown', { calls: [CallTarget.host('api.unregistered.example')], networkPolicy: true });
    const e = thrownBy(() => Testing.synth(chart));
    expect(e.code).toBe('SC-05');
    expect(e.path).toBe('payments/lockdown');
    expect(e.message).toContain('calls "api.unregistered.example", but Sidecar "payments/default" sets outboundTrafficPolicy REGISTRY_ONLY and no ServiceEntry visible to namespace payments declares it');
  });

  test('networkPolicy: egress only to the namespace, Istio\'s namespace and DNS; external calls must use the egress gateway (SC-06)', () => {
    const { chart, warnings } = paymentsChart();
    const pg = new ExternalDependency(chart, 'pg', { name: 'pg', hosts: [PG], ports: TLS_443, egressGateway: {} });
    const lockdown = new EgressLockdown(chart, 'lockdown', { calls: [CallTarget.of(pg)], networkPolicy: true });
    expect(lockdown.networkPolicy).toBeInstanceOf(ApiObject);
    const [policy] = ofKind(chart, 'NetworkPolicy');
    expect(policy.apiVersion).toBe('networking.k8s.io/v1');
    expect(policy.metadata).toEqual({ name: 'default-egress', namespace: 'payments' });
    expect(policy.spec).toEqual({
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        { to: [{ podSelector: {} }] },
        { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } } }] },
        {
          to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
          ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
        },
      ],
    });
    expect(warnings.filter((w) => w.code.startsWith('SC-'))).toEqual([]);
  });

  test('networkPolicy with a dependency reached directly is refused: the policy would drop the connection', () => {
    const { chart } = paymentsChart();
    const pg = new ExternalDependency(chart, 'pg', { name: 'pg', hosts: [PG], ports: TLS_443 });
    new EgressLockdown(chart, 'lockdown', { calls: [CallTarget.of(pg)], networkPolicy: true });
    const e = thrownBy(() => Testing.synth(chart));
    expect(e.code).toBe('SC-06');
    expect(e.message).toContain(`calls "${PG}", which the sidecar reaches directly, but NetworkPolicy "payments/default-egress" allows egress only to (istio-system, payments)`);
  });

  test('an egress gateway outside istio-system is imported and allowed by the NetworkPolicy', () => {
    const { chart } = paymentsChart();
    const gateway = 'egress.egress-gw.svc.cluster.local';
    const pg = new ExternalDependency(chart, 'pg', { name: 'pg', hosts: [PG], ports: TLS_443, egressGateway: { host: gateway, selector: { app: 'egress' } } });
    new EgressLockdown(chart, 'lockdown', { calls: [CallTarget.of(pg)], networkPolicy: true });
    expect(ofKind(chart, 'Sidecar')[0].spec.egress[0].hosts).toEqual(['./*', 'istio-system/*', `egress-gw/${gateway}`]);
    expect(ofKind(chart, 'NetworkPolicy')[0].spec.egress[1].to.map((t: any) => t.namespaceSelector.matchLabels['kubernetes.io/metadata.name'])).toEqual(['egress-gw', 'istio-system']);
  });

  test('lockdowns of two namespaces synthesize side by side', () => {
    const app = Testing.app();
    const a = new Chart(app, 'a', { namespace: 'a' });
    const b = new Chart(app, 'b', { namespace: 'b' });
    new EgressLockdown(a, 'lockdown', { networkPolicy: true });
    new EgressLockdown(b, 'lockdown', { istioNamespace: 'mesh-root', networkPolicy: true });
    expect(ofKind(b, 'Sidecar')[0].spec.egress[0].hosts).toEqual(['./*', 'mesh-root/*']);
    expect(ofKind(a, 'Sidecar')[0].metadata.namespace).toBe('a');
  });

  test('bad props are refused at once with their code, and leave nothing behind', () => {
    const { chart } = paymentsChart();
    const bare = testChart().chart;
    expect(thrownBy(() => new EgressLockdown(bare, 'x')).message).toContain('namespace is not set, and the Chart has none');
    const bad = thrownBy(() => new EgressLockdown(chart, 'x', { hosts: ['reviews'] }));
    expect([bad.code, bad.value]).toEqual(['SC-01', 'reviews']);
    expect(thrownBy(() => new EgressLockdown(chart, 'x', { networkPolicy: 'yes' as any })).code).toBe('PROP');
    expect(thrownBy(() => new EgressLockdown(chart, 'x', { istioNamespace: 'Istio_System' })).code).toBe('PROP');
    expect(thrownBy(() => new EgressLockdown(chart, 'x', { outbound: 'ALLOW_ANY' } as any)).code).toBe('PROP');
    expect(thrownBy(() => new EgressLockdown(chart, 'x', { calls: 'api.example.com' as any })).code).toBe('PROP');
    expect(chart.node.tryFindChild('x')).toBeUndefined();
  });
});

describe('EgressLockdown: one error per construct', () => {
  test('every problem of the props at once, at the construct path; nothing emitted', () => {
    const { chart } = paymentsChart();
    const e = thrownBy(() => new EgressLockdown(chart, 'lockdown', { hosts: ['bad'], networkPolicy: 'yes' as any, istioNamespace: 'Bad' }));
    expect(e.violations.map((v) => [v.code, v.path, v.message.replace(/ \(.*/, '')])).toEqual([
      ['PROP', 'payments/lockdown', 'istioNamespace "Bad" is not a DNS-1123 label'],
      ['SC-01', 'payments/lockdown', 'hosts[0] "bad" is not in namespace/dnsName form'],
      ['PROP', 'payments/lockdown', 'networkPolicy "yes" is not a boolean'],
    ]);
    expect(Testing.synth(chart)).toEqual([]);
  });
});
