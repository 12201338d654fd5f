import { codes, ERROR, gw, only, run, runOnly, runWith, sizes, WARNING } from '../../support/rules';
import { GW06 } from '../../../src/rules/gw/conflicts';
import { Workload } from '../../../src/engine/types';

const INGRESS = { istio: 'ingressgateway' };
/** An HTTPS server for `hosts` with credentialName `cert`. */
const https = (hosts: string[], cert = 'shop-cert', extra: Record<string, unknown> = {}) => ({
  port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts, tls: { mode: 'SIMPLE', credentialName: cert }, ...extra,
});
/** A Gateway `name` in namespace shop. */
const gateway = (name: string, servers: unknown[], selector: Record<string, string> = INGRESS) => gw({ selector, servers }, { name, namespace: 'shop' });
const pod = (labels: Record<string, string>, name = 'istio-ingressgateway', namespace = 'istio-system'): Workload => ({ kind: 'Deployment', name, namespace, podLabels: labels, path: `${name}-deployment` });

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

test('GW-06 names at most three clashes per server', () => {
  const many = Array.from({ length: 6 }, (_, i) => gateway(`g${i}`, [https(['shop.example.com'], `c${i}`)]));
  const found = only(run(...many), 'GW-06');
  expect(found).toHaveLength(6);
  expect(found[0].message).toMatch(/overlaps Gateway "shop\/g1".*"shop\/g2".*"shop\/g3".* and more on the same selector/);
  expect(found[0].value).toEqual(['shop.example.com']);
});

describe('GW-06 on many hosts', () => {
  test('a host meets the same host first, then the wildcards over it, each in gateway order', () => {
    const found = only(run(
      gateway('a', [https(['api.example.com'])]),
      gateway('b', [https(['*.example.com'], 'b')]),
      gateway('c', [https(['api.example.com'], 'c')]),
    ), 'GW-06');
    expect(found[0].message).toBe('spec.servers[0] (port "https" 443) host "api.example.com" overlaps Gateway "shop/c" spec.servers[0] (port "https" 443) host "api.example.com", '
      + 'host "api.example.com" overlaps Gateway "shop/b" spec.servers[0] (port "https" 443) host "*.example.com" on the same selector {istio=ingressgateway} and port 443');
  });

  test('a wildcard meets narrower wildcards and the hosts under it', () => {
    const found = only(run(gateway('a', [https(['*.example.com'])]), gateway('b', [https(['*.api.example.com', 'www.example.com', 'other.org'], 'b')])), 'GW-06');
    expect(found[0].message).toContain('host "*.example.com" overlaps Gateway "shop/b" spec.servers[0] (port "https" 443) host "*.api.example.com", host "*.example.com" overlaps Gateway "shop/b" spec.servers[0] (port "https" 443) host "www.example.com" on');
  });

  test('2,000 specific hosts next to 2,000 wildcards that cover none of them are compared through the index', () => {
    const report = runOnly(GW06, {},
      gateway('a', [https([...Array.from({ length: 2000 }, (_, i) => `e${i}.example.com`), 'clash.example.org'])]),
      gateway('b', [https([...Array.from({ length: 2000 }, (_, i) => `*.w${i}.example.org`), '*.example.org'], 'b')]));
    const { findings, message } = sizes(report);
    expect(findings).toBe(2);
    expect(message).toBeLessThan(2000);
    expect(only(report, 'GW-06')[0].value).toEqual(['clash.example.org']);
  });

  test('2,000 copies of one Gateway each clash once with another copy, in bounded text', () => {
    const copies = Array.from({ length: 2000 }, () => gateway('a', [https(['shop.example.com'])]));
    const { findings, message, detail } = sizes(runOnly(GW06, {}, ...copies));
    expect(findings).toBe(2000);
    expect(message).toBeLessThan(2000);
    expect(detail).toBeLessThan(500);
  });
});

test('GW-07 names at most three other Gateways and counts the rest', () => {
  const many = Array.from({ length: 6 }, (_, i) => gateway(`g${i}`, [https([`h${i}.example.com`], 'shared')]));
  const found = only(run(...many), 'GW-07');
  expect(found).toHaveLength(6);
  expect(found[0].message).toContain('Gateway "shop/g3" (selector {istio=ingressgateway}) and 2 more');
});
