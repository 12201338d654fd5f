import { CATCH_ALL, codes, dest, dr, ERROR, HOST, one, only, run, runWith, se, vs, WARNING } from '../../support/rules';
import { ARGO_ROLLOUTS_MANAGED_ROUTES_ANNOTATION, ARGO_ROLLOUTS_ROUTES_ANNOTATION, FLAGGER_CANARY_ANNOTATION } from '../../../src/rules/vs/opt-in';

describe('VS-36 (ambient) L7 VirtualService in the service namespace', () => {
  const ambient = (...manifests: any[]) => runWith({ enable: ['VS-36'] }, ...manifests);
  const l7 = (hosts: string[], namespace = 'shop', spec: Record<string, unknown> = {}) => vs({ hosts, http: [CATCH_ALL], ...spec }, { namespace });

  test('an HTTP mesh VirtualService for a Service of another namespace is a warning naming both namespaces', () => {
    const v = one(ambient(l7(['ratings.other.svc.cluster.local'])), 'VS-36');
    expect(v.severity).toBe(WARNING);
    expect(v.message).toContain('spec.hosts[0] "ratings.other.svc.cluster.local" belongs to namespace "other" but the L7 VirtualService is in "shop"');
  });

  test('a ServiceEntry host of another namespace in the App is a warning', () => {
    const entry = se({ hosts: ['api.example.com'], ports: [{ number: 443, name: 'https', protocol: 'TLS' }], resolution: 'DNS' }, { namespace: 'egress' });
    expect(one(ambient(entry, l7(['api.example.com'])), 'VS-36').message).toContain('belongs to namespace "egress"');
  });

  test('the service namespace, a short host, a gateway-bound or a TCP-only VirtualService pass', () => {
    expect(codes(ambient(l7([HOST])))).not.toContain('VS-36');
    expect(codes(ambient(l7(['reviews'])))).not.toContain('VS-36');
    expect(codes(ambient(l7(['ratings.other.svc.cluster.local'], 'shop', { gateways: ['istio-system/public'] })))).not.toContain('VS-36');
    expect(codes(ambient(vs({ hosts: ['ratings.other.svc.cluster.local'], tcp: [{ route: [dest(HOST)] }] }, { namespace: 'shop' })))).not.toContain('VS-36');
  });

  test('does not run unless enabled', () => {
    expect(codes(run(l7(['ratings.other.svc.cluster.local'])))).not.toContain('VS-36');
  });
});

describe('VS-37 (Argo Rollouts) managed routes', () => {
  const argo = (...manifests: any[]) => runWith({ enable: ['VS-37'] }, ...manifests);
  const split = (name: string) => ({ name, route: [dest(HOST, { subset: 'stable', weight: 100 }), dest(HOST, { subset: 'canary', weight: 0 })] });
  const managed = (http: unknown[], routes: string, more: Record<string, string> = {}) =>
    vs({ hosts: [HOST], http }, { namespace: 'shop', annotations: { [ARGO_ROLLOUTS_ROUTES_ANNOTATION]: routes, ...more } });

  test('a named route missing from the VirtualService is an error naming it and the routes that exist', () => {
    const v = one(argo(managed([split('primary')], 'primary,secondary')), 'VS-37');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain(`annotation ${ARGO_ROLLOUTS_ROUTES_ANNOTATION} names HTTP route "secondary", which spec.http does not contain`);
    expect(v.allowed).toBe('primary');
  });

  test('a managed route with only one destination is an error', () => {
    const v = one(argo(managed([{ name: 'primary', route: [dest(HOST, { subset: 'stable' })] }], 'primary')), 'VS-37');
    expect(v.message).toContain('route "primary" has only the destination reviews.shop.svc.cluster.local/stable; Argo Rollouts needs both the stable and the canary destination');
  });

  test('two destinations to the same host and subset count once', () => {
    const http = [{ name: 'primary', route: [dest(HOST, { weight: 50 }), dest('reviews', { weight: 50 })] }];
    expect(only(argo(managed(http, 'primary')), 'VS-37')).toHaveLength(1);
  });

  test('named routes with stable and canary subsets (or hosts) pass', () => {
    expect(codes(argo(managed([split('primary'), split('secondary')], 'primary, secondary')))).not.toContain('VS-37');
    const byHost = [{ name: 'primary', route: [dest('reviews-stable', { weight: 100 }), dest('reviews-canary', { weight: 0 })] }];
    expect(codes(argo(managed(byHost, 'primary')))).not.toContain('VS-37');
  });

  test('without route names, more than one HTTP route is an error', () => {
    const v = one(argo(managed([{ ...split('a'), match: [{ uri: { prefix: '/a' } }] }, split('b')], '')), 'VS-37');
    expect(v.message).toContain('spec.http has 2 routes; without route names');
    expect(v.value).toBe(2);
  });

  test('without route names, managed routes are not counted', () => {
    const header = { name: 'canary-header', match: [{ headers: { 'x-canary': { exact: 'true' } } }], route: [dest(HOST, { subset: 'canary' })] };
    expect(codes(argo(managed([header, split('primary')], '', { [ARGO_ROLLOUTS_MANAGED_ROUTES_ANNOTATION]: 'canary-header' })))).not.toContain('VS-37');
  });

  test('without route names, a single TCP route needs both destinations', () => {
    const tcp = vs({ hosts: [HOST], tcp: [{ route: [dest(HOST, { subset: 'stable' })] }] }, { annotations: { [ARGO_ROLLOUTS_ROUTES_ANNOTATION]: '' } });
    expect(one(argo(tcp), 'VS-37').message).toContain('tcp[0] has only the destination');
  });

  test('VirtualServices without the annotation, or the rule not enabled, pass', () => {
    expect(codes(argo(vs({ hosts: [HOST], http: [CATCH_ALL] })))).not.toContain('VS-37');
    expect(codes(run(managed([split('primary')], 'missing')))).not.toContain('VS-37');
  });
});

describe('VS-38 (Flagger) VirtualService owned by a Canary', () => {
  const flagger = (...manifests: any[]) => runWith({ enable: ['VS-38'] }, ...manifests);
  const podinfo = (name = 'podinfo', namespace = 'test') => vs({ hosts: ['podinfo.example.com'], gateways: ['istio-system/public'], http: [{ route: [dest('podinfo')] }] }, { name, namespace });
  const declaring = (value: string) => dr({ host: 'podinfo', subsets: [{ name: 'v1', labels: { app: 'podinfo' } }] }, { name: 'podinfo-policy', namespace: 'test', annotations: { [FLAGGER_CANARY_ANNOTATION]: value } });

  test('a VirtualService with the apex name of a declared Canary is an error naming the declaration', () => {
    const v = one(flagger(declaring('podinfo'), podinfo()), 'VS-38');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('VirtualService "podinfo" in namespace "test" has the apex name of the Flagger Canary declared by DestinationRule "podinfo-policy"');
    expect(v.value).toBe('test/podinfo');
  });

  test('a namespace-qualified declaration applies to that namespace only', () => {
    expect(only(flagger(declaring('other/podinfo'), podinfo()), 'VS-38')).toEqual([]);
    expect(only(flagger(declaring('other/podinfo'), podinfo('podinfo', 'other')), 'VS-38')).toHaveLength(1);
  });

  test('a VirtualService routing to <name>-primary and <name>-canary is taken for Flagger output', () => {
    const generated = vs({ hosts: ['podinfo'], http: [{ route: [dest('podinfo-primary', { weight: 90 }), dest('podinfo-canary', { weight: 10 })] }] }, { name: 'podinfo', namespace: 'test' });
    expect(one(flagger(generated), 'VS-38').message).toContain('routes to podinfo-primary and podinfo-canary, the VirtualService Flagger generates for Canary "podinfo"');
  });

  test('another name, no declaration, or the rule not enabled pass', () => {
    expect(codes(flagger(declaring('podinfo'), podinfo('podinfo-edge')))).not.toContain('VS-38');
    expect(codes(flagger(podinfo()))).not.toContain('VS-38');
    expect(codes(run(declaring('podinfo'), podinfo()))).not.toContain('VS-38');
  });
});
