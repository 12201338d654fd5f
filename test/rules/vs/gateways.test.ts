import { CATCH_ALL, codes, ERROR, gw, HOST, one, only, run, runOnly, runWith, sizes, vs, WARNING } from '../../support/rules';
import { VS30, VS31 } from '../../../src/rules/vs/gateways';

const SHOP = 'shop.example.com';
/** A Gateway `namespace/name` with one HTTP server for `hosts`. */
const gateway = (hosts: string[], name = 'public', namespace = 'istio-system') => gw({
  selector: { istio: 'ingressgateway' },
  servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts }],
}, { name, namespace });
/** A VS for `hosts` bound to `gateways`. */
const bound = (gateways: unknown[], hosts = [SHOP], namespace = 'shop') => vs({ hosts, gateways, http: [{ name: 'default', route: [{ destination: { host: HOST } }] }] }, { namespace });

describe('VS-30 referenced gateway exists', () => {
  test('a gateway missing from the App without a gateway inventory is a warning naming the reference', () => {
    const v = one(run(bound(['istio-system/public'])), 'VS-30');
    expect(v.severity).toBe(WARNING);
    expect(v.message).toContain('spec.gateways[0] "istio-system/public" (istio-system/public) names a Gateway that is not in the App');
    expect(v.value).toBe('istio-system/public');
  });

  test('a gateway in neither the App nor the declared inventory is an error listing what exists', () => {
    const v = one(runWith({ inventory: { gateways: ['istio-system/internal'] } }, bound(['istio-system/public'])), 'VS-30');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('neither in the App nor in the declared inventory');
    expect(v.allowed).toBe('istio-system/internal');
  });

  test('an inventory that declares only hosts or namespaces keeps the warning', () => {
    expect(one(runWith({ inventory: { hosts: ['api.example.com'], namespaces: ['shop'] } }, bound(['istio-system/public'])), 'VS-30').severity).toBe(WARNING);
  });

  test('a gateway declared in the inventory passes', () => {
    expect(codes(runWith({ inventory: { gateways: ['istio-system/public'] } }, bound(['istio-system/public'])))).not.toContain('VS-30');
  });

  test('a gateway in the App passes', () => {
    expect(codes(run(gateway([`*/${SHOP}`]), bound(['istio-system/public'])))).not.toContain('VS-30');
  });

  test('a bare name resolves in the VirtualService namespace', () => {
    expect(one(run(gateway([`*/${SHOP}`]), bound(['public'])), 'VS-30').message).toContain('"public" (shop/public)');
    expect(codes(run(gateway([`*/${SHOP}`]), bound(['public'], [SHOP], 'istio-system')))).not.toContain('VS-30');
  });

  test('the legacy dotted form resolves', () => {
    expect(codes(run(gateway([`*/${SHOP}`]), bound(['public.istio-system'])))).not.toContain('VS-30');
  });

  test('the declared and App gateways are named a few at a time in every finding', () => {
    const declared = Array.from({ length: 2000 }, (_, i) => `istio-system/gw-${i}`);
    const report = runOnly(VS30, { inventory: { gateways: declared } }, bound(Array.from({ length: 2000 }, (_, i) => `istio-system/missing-${i}`)));
    const { findings, message, detail } = sizes(report);
    expect(findings).toBe(2000);
    expect(message).toBeLessThan(2000);
    expect(detail).toBeLessThan(500);
    expect(only(report, 'VS-30')[0].allowed).toBe('istio-system/gw-0, istio-system/gw-1, istio-system/gw-2, istio-system/gw-3, istio-system/gw-4 and 1995 more');
  });

  test('match.gateways references are checked, with their path', () => {
    const v = one(run(vs({ hosts: [HOST], http: [{ name: 'edge', match: [{ gateways: ['istio-system/missing'] }], route: [{ destination: { host: HOST } }] }, CATCH_ALL] })), 'VS-30');
    expect(v.message).toContain('spec.http[0].match[0].gateways[0] "istio-system/missing"');
  });

  test('mesh is exempt', () => {
    expect(codes(runWith({ inventory: { gateways: [] } }, vs({ hosts: [HOST], gateways: ['mesh'], http: [CATCH_ALL] })))).not.toContain('VS-30');
  });
});

describe('VS-31 VirtualService hosts intersect the gateway hosts', () => {
  test('no VirtualService host served by the gateway is an error listing both sides', () => {
    const v = one(run(gateway(['*/api.example.com']), bound(['istio-system/public'])), 'VS-31');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('spec.gateways[0] "istio-system/public": none of the hosts (shop.example.com) matches a server host of Gateway "istio-system/public"');
    expect(v.message).toContain('servers: */api.example.com');
  });

  test('a host exposed to every namespace passes', () => {
    expect(codes(run(gateway([`*/${SHOP}`]), bound(['istio-system/public'])))).not.toContain('VS-31');
  });

  test('a legacy host without namespace passes', () => {
    expect(codes(run(gateway([SHOP]), bound(['istio-system/public'])))).not.toContain('VS-31');
  });

  test('"./host" is visible only from the gateway namespace', () => {
    expect(only(run(gateway(['./*.example.com']), bound(['istio-system/public'])), 'VS-31')).toHaveLength(1);
    expect(codes(run(gateway(['./*.example.com']), bound(['istio-system/public'], [SHOP], 'istio-system')))).not.toContain('VS-31');
  });

  test('"ns/host" is visible only from that namespace', () => {
    expect(codes(run(gateway(['shop/*']), bound(['istio-system/public'])))).not.toContain('VS-31');
    expect(one(run(gateway(['shop/*']), bound(['istio-system/public'], [SHOP], 'web')), 'VS-31').message).toContain('visible from namespace "web"');
  });

  test('wildcards intersect in both directions', () => {
    expect(codes(run(gateway(['*/*.example.com']), bound(['istio-system/public'])))).not.toContain('VS-31');
    expect(codes(run(gateway([`*/${SHOP}`]), bound(['istio-system/public'], ['*.example.com'])))).not.toContain('VS-31');
  });

  test('gateways outside the App are not checked', () => {
    expect(codes(run(bound(['istio-system/public'], ['x.example.org'])))).not.toContain('VS-31');
  });

  test('a wildcard VirtualService host meets a narrower wildcard of the gateway, and the other way round', () => {
    expect(codes(run(gateway(['*/*.api.example.com']), bound(['istio-system/public'], ['*.example.com'])))).not.toContain('VS-31');
    expect(codes(run(gateway(['*/*.example.com']), bound(['istio-system/public'], ['*.api.example.com'])))).not.toContain('VS-31');
    expect(codes(run(gateway(['*/*.example.org']), bound(['istio-system/public'], ['*.example.com'])))).toContain('VS-31');
  });

  test('a gateway referenced many times is checked once per VirtualService, each reference reported with bounded text', () => {
    const gatewayHosts = Array.from({ length: 2000 }, (_, i) => `*/g${i}.example.com`);
    const hosts = Array.from({ length: 2000 }, (_, i) => `v${i}.example.org`);
    const report = runOnly(VS31, {}, gateway(gatewayHosts), bound(Array.from({ length: 50 }, () => 'istio-system/public'), hosts));
    const { findings, message, detail } = sizes(report);
    expect(findings).toBe(50);
    expect(message).toBeLessThan(2000);
    expect(detail).toBeLessThan(500);
    const v = only(report, 'VS-31')[49];
    expect(v.message).toContain('spec.gateways[49] "istio-system/public": none of the hosts (v0.example.org, v1.example.org, v2.example.org, v3.example.org, v4.example.org and 1995 more)');
    expect(v.message).toContain('(servers: */g0.example.com, */g1.example.com, */g2.example.com, */g3.example.com, */g4.example.com and 1995 more)');
    expect(v.allowed).toBe('g0.example.com, g1.example.com, g2.example.com, g3.example.com, g4.example.com and 1995 more');
  });

  test('the hosts visible from the namespace are listed in server order', () => {
    const v = one(run(gateway(['shop/a.example.com', '*/b.example.com', './c.example.com', 'shop/d.example.com']), bound(['istio-system/public'], ['x.example.org'])), 'VS-31');
    expect(v.allowed).toBe('a.example.com, b.example.com, d.example.com');
  });
});

describe('VS-32 internal gateway references', () => {
  const internal = 'default/web~istio-autogenerated-k8s-gateway~http';

  test('a reference to a generated internal gateway is a warning (and not a VS-30 finding)', () => {
    const report = run(bound([internal]));
    const v = one(report, 'VS-32');
    expect(v.severity).toBe(WARNING);
    expect(v.message).toContain(`spec.gateways[0] "${internal}" references an Istio-generated internal gateway`);
    expect(codes(report)).not.toContain('VS-30');
  });

  test('ordinary gateway names pass', () => {
    expect(codes(run(bound(['istio-system/public'])))).not.toContain('VS-32');
  });
});
