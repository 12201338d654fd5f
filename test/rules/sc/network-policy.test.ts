import { CALLS_ANNOTATION } from '../../../src/engine/intent';
import { EgressPolicy } from '../../../src/engine/types';
import { SC06 } from '../../../src/rules/sc/network-policy';
import { analyze } from '../../../src/rules';
import { ERROR, only, runOnly, sc, se, vs, WARNING } from '../../support/rules';

const LOCKED = { outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' }, egress: [{ hosts: ['./*', 'istio-system/*'] }] };
const lockdown = (namespace = 'payments') => sc(LOCKED, { namespace });
const EGRESS_GW = 'istio-egressgateway.istio-system.svc.cluster.local';
/** An object of `namespace` declaring it calls `host`. */
const caller = (host: string, namespace = 'payments') => vs(
  { hosts: [`api.${namespace}.svc.cluster.local`], http: [{ route: [{ destination: { host: `api.${namespace}.svc.cluster.local` } }] }] },
  { name: 'api', namespace, annotations: { [CALLS_ANNOTATION]: host } },
);
const pg = se({ hosts: ['api.pgprovider.example'], ports: [{ number: 443, name: 'tls', protocol: 'TLS' }], resolution: 'DNS' }, { name: 'pg', namespace: 'payments' });
/** Istio's egress gateway pattern: sidecars send the host to the egress gateway Service. */
const viaGateway = vs({
  hosts: ['api.pgprovider.example'], gateways: ['mesh', 'istio-system/egress'],
  tls: [
    { match: [{ gateways: ['mesh'], port: 443, sniHosts: ['api.pgprovider.example'] }], route: [{ destination: { host: EGRESS_GW, port: { number: 443 } } }] },
    { match: [{ gateways: ['istio-system/egress'], port: 443, sniHosts: ['api.pgprovider.example'] }], route: [{ destination: { host: 'api.pgprovider.example', port: { number: 443 } } }] },
  ],
}, { name: 'pg', namespace: 'payments' });
const policy = (extra: Partial<EgressPolicy> = {}): EgressPolicy => ({
  name: 'default-egress', namespace: 'payments', allPods: true, anyDestination: false, namespaces: ['istio-system', 'payments'], path: 'np', ...extra,
});

describe('SC-06 REGISTRY_ONLY and the NetworkPolicy', () => {
  test('a REGISTRY_ONLY namespace without an egress NetworkPolicy is a warning on its Sidecar', () => {
    const [v] = only(runOnly(SC06, {}, lockdown()), 'SC-06');
    expect([v.severity, v.path, v.value]).toEqual([WARNING, 'obj0', 'payments']);
    expect(v.message).toBe('spec.outboundTrafficPolicy.mode REGISTRY_ONLY of Sidecar "payments/default" is not a security boundary: no NetworkPolicy restricts the egress of the pods of namespace payments');
  });

  test('an egress NetworkPolicy on all pods passes; one on some pods does not count', () => {
    expect(only(runOnly(SC06, { egressPolicies: [policy()] }, lockdown()), 'SC-06')).toEqual([]);
    expect(only(runOnly(SC06, { egressPolicies: [policy({ allPods: false })] }, lockdown()), 'SC-06')).toHaveLength(1);
  });

  test('without --complete, a missing NetworkPolicy is noted as not checked', () => {
    const report = runOnly(SC06, { complete: false }, lockdown());
    expect(only(report, 'SC-06')).toEqual([]);
    expect(report.notChecked).toEqual(['a NetworkPolicy restricting egress in namespace payments (REGISTRY_ONLY Sidecar "default"): none in the input']);
  });

  test('with the NetworkPolicy, an external host the sidecar reaches directly is an error on the caller', () => {
    const [v] = only(runOnly(SC06, { egressPolicies: [policy()] }, lockdown(), pg, caller('api.pgprovider.example')), 'SC-06');
    expect([v.severity, v.path, v.value]).toEqual([ERROR, 'obj2', 'api.pgprovider.example']);
    expect(v.message).toBe('VirtualService "api" in namespace payments calls "api.pgprovider.example", which the sidecar reaches directly, but NetworkPolicy "payments/default-egress" allows egress only to (istio-system, payments), so the connection is dropped');
  });

  test('routed through the egress gateway in an allowed namespace, it passes; in a namespace the policy does not allow, it fails', () => {
    expect(only(runOnly(SC06, { egressPolicies: [policy()] }, lockdown(), pg, viaGateway, caller('api.pgprovider.example')), 'SC-06')).toEqual([]);
    const [v] = only(runOnly(SC06, { egressPolicies: [policy({ namespaces: ['payments'] })] }, lockdown(), pg, viaGateway, caller('api.pgprovider.example')), 'SC-06');
    expect(v.message).toContain(`which its routes send to ${EGRESS_GW}, outside the namespaces NetworkPolicy "payments/default-egress" allow (payments)`);
  });

  test('a policy that also allows any destination, and in-cluster calls, pass', () => {
    expect(only(runOnly(SC06, { egressPolicies: [policy(), policy({ name: 'open', anyDestination: true })] }, lockdown(), pg, caller('api.pgprovider.example')), 'SC-06')).toEqual([]);
    expect(only(runOnly(SC06, { egressPolicies: [policy()] }, lockdown(), caller('orders.shop.svc.cluster.local')), 'SC-06')).toEqual([]);
  });
});

describe('NetworkPolicies read from manifests', () => {
  const np = (spec: unknown) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'np', namespace: 'payments' }, spec });
  const sc06 = (...manifests: unknown[]) => analyze(manifests.map((manifest, i) => ({ manifest, path: `m${i}` }))).warnings.filter((v) => v.code === 'SC-06');

  test('podSelector {} with policyTypes [Egress] restricts the namespace', () => {
    expect(sc06(lockdown(), np({ podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } } }] }] }))).toEqual([]);
  });

  test('an Ingress-only policy, or one selecting some pods, does not', () => {
    expect(sc06(lockdown(), np({ podSelector: {}, policyTypes: ['Ingress'] }))).toHaveLength(1);
    expect(sc06(lockdown(), np({ podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Egress'] }))).toHaveLength(1);
  });

  test('an egress rule without "to", or to 0.0.0.0/0, allows every destination', () => {
    const open = (rule: unknown) => analyze([lockdown(), pg, caller('api.pgprovider.example'), np({ podSelector: {}, policyTypes: ['Egress'], egress: [rule] })]
      .map((manifest, i) => ({ manifest, path: `m${i}` }))).errors.filter((v) => v.code === 'SC-06');
    expect(open({ ports: [{ port: 443 }] })).toEqual([]);
    expect(open({ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] })).toEqual([]);
    expect(open({ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] })).toHaveLength(1);
  });
});
