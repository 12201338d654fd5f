import { codes, ERROR, gw, one, only, run, runWith, vs, WARNING } from './helpers';
import { ServiceInfo, Workload } from '../../src/engine/types';

const INGRESS = { istio: 'ingressgateway' };
/** An HTTPS server for `hosts` with credentialName `cert`. */
const https = (hosts: string[], cert = 'shop-cert', extra: Record<string, unknown> = {}) => ({
  port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts, tls: { mode: 'SIMPLE', credentialName: cert }, ...extra,
});
/** A Gateway `name` in namespace shop. */
const gateway = (name: string, servers: unknown[], selector: Record<string, string> = INGRESS) => gw({ selector, servers }, { name, namespace: 'shop' });
/** A VS in shop bound to `gateways` for `hosts`. */
const routes = (name: string, hosts: string[], gateways: string[], namespace = 'shop') => vs({
  hosts, gateways, http: [{ name: 'default', route: [{ destination: { host: 'web.shop.svc.cluster.local' } }] }],
}, { name, namespace });
const pod = (labels: Record<string, string>, name = 'istio-ingressgateway', namespace = 'istio-system'): Workload => ({ kind: 'Deployment', name, namespace, podLabels: labels, path: `${name}-deployment` });
const service = (selector: Record<string, string> | undefined, ports: ServiceInfo['ports'], namespace = 'istio-system'): ServiceInfo => ({
  name: 'istio-ingressgateway', namespace, ...(selector ? { selector } : {}), ports, path: 'svc',
});

describe('GW-06 conflicting gateways', () => {
  test('the same selector, port and host on two gateways is an error on each', () => {
    const found = only(run(gateway('a', [https(['shop.example.com'])]), gateway('b', [https(['shop.example.com'], 'other-cert')])), 'GW-06');
    expect(found.map((v) => [v.severity, v.path])).toEqual([[ERROR, 'obj0'], [ERROR, 'obj1']]);
    expect(found[0].message).toBe('spec.servers[0] (port "https" 443) host "shop.example.com" overlaps Gateway "shop/b" spec.servers[0] (port "https" 443) host "shop.example.com" on the same selector {istio=ingressgateway} and port 443');
  });

  test('a wildcard host overlaps a specific one, whatever the namespace scope', () => {
    const v = only(run(gateway('a', [https(['*/*.example.com'])]), gateway('b', [https(['shop/shop.example.com'], 'x')])), 'GW-06')[0];
    expect(v.message).toContain('host "*.example.com" overlaps Gateway "shop/b" spec.servers[0] (port "https" 443) host "shop.example.com"');
  });

  test('"*" overlaps every host', () => {
    expect(only(run(gateway('a', [https(['*'])]), gateway('b', [https(['api.example.com'], 'x')])), 'GW-06')).toHaveLength(2);
  });

  test('different hosts, ports, selectors or binds pass', () => {
    expect(codes(run(
      gateway('a', [https(['shop.example.com'])]),
      gateway('b', [https(['api.example.com'], 'api-cert')]),
      gateway('c', [https(['shop.example.com'], 'c', { port: { number: 8443, name: 'https', protocol: 'HTTPS' } })]),
      gateway('d', [https(['shop.example.com'], 'd')], { istio: 'internal-gateway' }),
      gateway('e', [https(['shop.example.com'], 'e', { bind: '10.0.0.5' })]),
    ))).not.toContain('GW-06');
  });

  test('overlapping servers inside one gateway are not a conflict between gateways', () => {
    expect(codes(run(gateway('a', [https(['shop.example.com']), { ...https(['*.example.com']), port: { number: 443, name: 'https-2', protocol: 'HTTPS' } }])))).not.toContain('GW-06');
  });
});

describe('GW-07 shared certificates', () => {
  test('the same credentialName on gateways with equal selectors is a warning on each', () => {
    const found = only(run(gateway('a', [https(['a.example.com'], 'wildcard-cert')]), gateway('b', [https(['b.example.com'], 'wildcard-cert')])), 'GW-07');
    expect(found.map((v) => [v.severity, v.path])).toEqual([[WARNING, 'obj0'], [WARNING, 'obj1']]);
    expect(found[0].value).toBe('wildcard-cert');
    expect(found[0].message).toBe('spec.servers[0] (port "https" 443).tls.credentialName "wildcard-cert" is also used by Gateway "shop/b" (selector {istio=ingressgateway}), on workloads overlapping selector {istio=ingressgateway}');
  });

  test('a selector containing the other overlaps', () => {
    const report = run(gateway('a', [https(['a.example.com'], 'c')]), gateway('b', [https(['b.example.com'], 'c')], { ...INGRESS, app: 'edge' }));
    expect(only(report, 'GW-07')).toHaveLength(2);
  });

  test('disjoint selectors that select one workload of the App overlap', () => {
    const report = runWith({ workloads: [pod({ istio: 'ingressgateway', app: 'edge' })] },
      gateway('a', [https(['a.example.com'], 'c')], { istio: 'ingressgateway' }), gateway('b', [https(['b.example.com'], 'c')], { app: 'edge' }));
    expect(only(report, 'GW-07')).toHaveLength(2);
  });

  test('the same certificate files count as the same certificate', () => {
    const files = { mode: 'SIMPLE', serverCertificate: '/certs/tls.crt', privateKey: '/certs/tls.key' };
    const report = run(gateway('a', [{ ...https(['a.example.com']), tls: files }]), gateway('b', [{ ...https(['b.example.com']), tls: files }]));
    expect(only(report, 'GW-07')[0].message).toContain('.tls.serverCertificate "/certs/tls.crt" is also used by Gateway "shop/b"');
  });

  test('different certificates, disjoint selectors, or passthrough servers pass', () => {
    expect(codes(run(
      gateway('a', [https(['a.example.com'], 'a-cert')]),
      gateway('b', [https(['b.example.com'], 'b-cert')]),
      gateway('c', [https(['c.example.com'], 'a-cert')], { istio: 'internal-gateway' }),
      gateway('d', [{ ...https(['d.example.com']), tls: { mode: 'PASSTHROUGH' } }]),
    ))).not.toContain('GW-07');
  });
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

describe('GW-11 server hosts served by a bound VirtualService', () => {
  test('a host no bound VirtualService serves is a warning naming it', () => {
    const v = one(run(gateway('a', [https(['shop.example.com', 'api.example.com'])]), routes('shop', ['shop.example.com'], ['a'])), 'GW-11');
    expect(v.severity).toBe(WARNING);
    expect(v.message).toBe('spec.servers[0] (port "https" 443) host "api.example.com" is served by none of the 1 VirtualService host(s) bound to Gateway "shop/a"');
  });

  test('a gateway no VirtualService binds is reported per server', () => {
    expect(one(run(gateway('a', [https(['shop.example.com'])])), 'GW-11').message).toContain('no VirtualService in the App binds to Gateway "shop/a"');
  });

  test('a VirtualService in a namespace the host scope excludes does not serve it', () => {
    const report = run(gateway('a', [https(['./shop.example.com'])]), routes('shop', ['shop.example.com'], ['shop/a'], 'web'));
    expect(one(report, 'GW-11').message).toContain('host "./shop.example.com" is served by none');
  });

  test('exact, wildcard, ns/name, legacy and scoped bindings pass', () => {
    expect(codes(run(
      gateway('a', [https(['shop.example.com', '*.api.example.com', 'web/web.example.com', '*'])]),
      routes('shop', ['shop.example.com'], ['a']),
      routes('api', ['v1.api.example.com'], ['shop/a']),
      routes('web', ['*.example.com'], ['a.shop.svc.cluster.local'], 'web'),
    ))).not.toContain('GW-11');
  });

  test('redirect-only and AUTO_PASSTHROUGH servers need no VirtualService', () => {
    expect(codes(run(gateway('a', [
      { port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['shop.example.com'], tls: { httpsRedirect: true } },
      { port: { number: 15443, name: 'tls', protocol: 'TLS' }, hosts: ['*.local'], tls: { mode: 'AUTO_PASSTHROUGH' } },
    ])))).not.toContain('GW-11');
  });
});

test('GW-06 names at most three clashes per server', () => {
  const many = Array.from({ length: 6 }, (_, i) => gateway(`g${i}`, [https(['shop.example.com'], `c${i}`)]));
  const found = only(run(...many), 'GW-06');
  expect(found).toHaveLength(6);
  expect(found[0].message).toMatch(/overlaps Gateway "shop\/g1".*"shop\/g2".*"shop\/g3".* and more on the same selector/);
  expect(found[0].value).toEqual(['shop.example.com']);
});

test('GW-07 names at most three other Gateways and counts the rest', () => {
  const many = Array.from({ length: 6 }, (_, i) => gateway(`g${i}`, [https([`h${i}.example.com`], 'shared')]));
  const found = only(run(...many), 'GW-07');
  expect(found).toHaveLength(6);
  expect(found[0].message).toContain('Gateway "shop/g3" (selector {istio=ingressgateway}) and 2 more');
});
