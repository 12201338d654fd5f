import { codes, gw, one, run, runWith, WARNING } from '../../support/rules';
import { ServiceInfo, Workload } from '../../../src/engine/types';

const INGRESS = { istio: 'ingressgateway' };
/** An HTTPS server for `hosts` with credentialName `cert`. */
const https = (hosts: string[], cert = 'shop-cert', extra: Record<string, unknown> = {}) => ({
  port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts, tls: { mode: 'SIMPLE', credentialName: cert }, ...extra,
});
/** A Gateway `name` in namespace shop. */
const gateway = (name: string, servers: unknown[], selector: Record<string, string> = INGRESS) => gw({ selector, servers }, { name, namespace: 'shop' });
const pod = (labels: Record<string, string>, name = 'istio-ingressgateway', namespace = 'istio-system'): Workload => ({ kind: 'Deployment', name, namespace, podLabels: labels, path: `${name}-deployment` });
const service = (selector: Record<string, string> | undefined, ports: ServiceInfo['ports'], namespace = 'istio-system'): ServiceInfo => ({
  name: 'istio-ingressgateway', namespace, ...(selector ? { selector } : {}), ports, path: 'svc',
});

describe('GW-08 selector matches a gateway workload', () => {
  const a = gateway('a', [https(['a.example.com'])]);

  test('with inventory.gateways declared, a selector matching no workload and no declared gateway is a warning', () => {
    const v = one(runWith({ inventory: { gateways: ['istio-system/istio-egressgateway'] }, workloads: [pod({ istio: 'egressgateway' })] }, a), 'GW-08');
    expect(v.severity).toBe(WARNING);
    expect(v.message).toBe('spec.selector {istio=ingressgateway} matches none of the 1 workload(s) in the App and fits none of the declared gateways (istio-system/istio-egressgateway)');
  });

  test('a typo in the selector is caught against the declared ingress gateway', () => {
    const typo = gateway('t', [https(['t.example.com'])], { istio: 'ingresgateway' });
    expect(one(runWith({ inventory: { gateways: ['istio-system/istio-ingressgateway'] } }, typo), 'GW-08').message).toContain('{istio=ingresgateway}');
  });

  test('an empty gateway inventory with no workloads is a warning', () => {
    expect(one(runWith({ inventory: { gateways: [] } }, a), 'GW-08').message).toContain('fits none of the declared gateways (none)');
  });

  test('a matching workload in the App passes', () => {
    expect(codes(runWith({ inventory: { gateways: [] }, workloads: [pod({ istio: 'ingressgateway', app: 'istio-ingressgateway' })] }, a))).not.toContain('GW-08');
  });

  test('a declared gateway that fits by name passes (istio-<value> or the value itself)', () => {
    expect(codes(runWith({ inventory: { gateways: ['istio-system/istio-ingressgateway'] } }, a))).not.toContain('GW-08');
    const helm = gateway('h', [https(['h.example.com'])], { istio: 'public-gw' });
    expect(codes(runWith({ inventory: { gateways: ['gateways/public-gw'] } }, helm))).not.toContain('GW-08');
  });

  test('a Gateway listed itself in inventory.gateways passes', () => {
    expect(codes(runWith({ inventory: { gateways: ['shop/a'] } }, a))).not.toContain('GW-08');
  });

  test('without inventory.gateways the check is skipped', () => {
    expect(codes(run(a))).not.toContain('GW-08');
    expect(codes(runWith({ inventory: { hosts: [] } }, a))).not.toContain('GW-08');
  });
});

describe('GW-09 server ports exposed by the gateway Service', () => {
  const a = gateway('a', [https(['a.example.com'], 'c', { port: { number: 8443, name: 'https', protocol: 'HTTPS' } })]);

  test('a server port the fronting Service neither exposes nor targets is a warning', () => {
    const v = one(runWith({ services: [service(INGRESS, [{ port: 80, targetPort: 8080 }, { port: 443, targetPort: 9443 }])] }, a), 'GW-09');
    expect(v.severity).toBe(WARNING);
    expect(v.message).toBe('spec.servers[0] (port "https" 8443) port 8443 is neither a port nor a targetPort of Service "istio-system/istio-ingressgateway" (80→8080, 443→9443) in front of selector {istio=ingressgateway}');
  });

  test('a targetPort or a port equal to the server port passes', () => {
    expect(codes(runWith({ services: [service(INGRESS, [{ port: 443, targetPort: 8443 }])] }, a))).not.toContain('GW-09');
    expect(codes(runWith({ services: [service(INGRESS, [{ port: 8443 }])] }, a))).not.toContain('GW-09');
  });

  test('a Service found through a workload the Gateway selects is checked', () => {
    const report = runWith({
      workloads: [pod({ istio: 'ingressgateway', app: 'gw' })],
      services: [service({ app: 'gw' }, [{ port: 80 }])],
    }, a);
    expect(one(report, 'GW-09').message).toContain('port 8443 is neither a port nor a targetPort of Service "istio-system/istio-ingressgateway" (80)');
  });

  test('without a fronting Service, or with named targetPorts, the check is skipped', () => {
    expect(codes(runWith({ services: [service({ app: 'web' }, [{ port: 80 }])] }, a))).not.toContain('GW-09');
    expect(codes(runWith({ services: [service(INGRESS, [{ port: 443, targetPort: 'https' }])] }, a))).not.toContain('GW-09');
  });
});
