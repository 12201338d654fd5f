import { CATCH_ALL, codes, ERROR, gw, HOST, one, only, run, runWith, vs, WARNING } from '../../support/rules';

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
