import { CALLS_ANNOTATION } from '../../../src/engine/intent';
import { egressLockdownProblem, serviceEntryRegistration, visibleRegistrations } from '../../../src/core/sidecar';
import { RULES } from '../../../src/rules';
import { SC05 } from '../../../src/rules/sc/lockdown';
import { codes, ERROR, one, only, run, runOnly, sc, se, service, vs } from '../../support/rules';

const LOCKED = { outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' }, egress: [{ hosts: ['./*', 'istio-system/*'] }] };
/** The namespace-wide Sidecar of `namespace` (shop) with `spec`. */
const lockdown = (spec: unknown = LOCKED, namespace = 'shop') => sc(spec, { namespace });
/** A VirtualService for orders in `namespace` (shop) that declares it calls `hosts`. */
const caller = (hosts: string[], namespace = 'shop') => vs(
  { hosts: [`orders.${namespace}.svc.cluster.local`], http: [{ name: 'default', route: [{ destination: { host: `orders.${namespace}.svc.cluster.local` } }] }] },
  { name: 'orders', namespace, annotations: { [CALLS_ANNOTATION]: hosts.join(',') } },
);
const stripe = (namespace: string, extra: Record<string, unknown> = {}) =>
  se({ hosts: ['api.stripe.com'], ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }], resolution: 'DNS', location: 'MESH_EXTERNAL', ...extra }, { name: 'stripe', namespace });
const PREFIX = `metadata.annotations["${CALLS_ANNOTATION}"]: VirtualService "orders" in namespace shop calls "api.stripe.com", but Sidecar "shop/default" sets outboundTrafficPolicy REGISTRY_ONLY and`;

describe('SC-05 egress lockdown', () => {
  test('a called host without a ServiceEntry is an error on the caller', () => {
    const v = one(run(lockdown(), caller(['api.stripe.com'])), 'SC-05');
    expect(v.severity).toBe(ERROR);
    expect(v.path).toBe('obj1');
    expect(v.message).toBe(`${PREFIX} no ServiceEntry visible to namespace shop declares it`);
    expect(v.value).toBe('api.stripe.com');
  });

  test('a ServiceEntry in the caller\'s namespace, imported by "./*", passes; so does a wildcard one', () => {
    expect(codes(run(lockdown(), caller(['api.stripe.com']), stripe('shop')))).not.toContain('SC-05');
    expect(codes(run(lockdown(), caller(['api.stripe.com']), stripe('shop', { hosts: ['*.stripe.com'], resolution: 'NONE' })))).not.toContain('SC-05');
  });

  test('a ServiceEntry of another namespace that the egress hosts do not import is an error', () => {
    expect(one(run(lockdown(), caller(['api.stripe.com']), stripe('payments')), 'SC-05').message)
      .toBe(`${PREFIX} ServiceEntry "payments/stripe" declares it, but no egress host of the Sidecar imports it (add "payments/api.stripe.com" or "payments/*")`);
  });

  test('importing it by namespace, by host or with "*/" passes', () => {
    for (const host of ['payments/api.stripe.com', 'payments/*', '*/api.stripe.com', '*/*.stripe.com']) {
      const spec = { ...LOCKED, egress: [{ hosts: ['./*', host] }] };
      expect(codes(run(lockdown(spec), caller(['api.stripe.com']), stripe('payments')))).not.toContain('SC-05');
    }
  });

  test('a ServiceEntry whose exportTo hides it from the caller is an error', () => {
    const spec = { ...LOCKED, egress: [{ hosts: ['./*', 'payments/*'] }] };
    expect(one(run(lockdown(spec), caller(['api.stripe.com']), stripe('payments', { exportTo: ['.'] })), 'SC-05').message)
      .toBe(`${PREFIX} ServiceEntry "payments/stripe" declares it but its exportTo hides it from namespace shop (exported to payments)`);
    expect(codes(run(lockdown(spec), caller(['api.stripe.com']), stripe('payments', { exportTo: ['shop'] })))).not.toContain('SC-05');
  });

  test('an outboundTrafficPolicy without mode locks down too; ALLOW_ANY and no policy do not', () => {
    expect(codes(run(lockdown({ ...LOCKED, outboundTrafficPolicy: {} }), caller(['api.stripe.com'])))).toContain('SC-05');
    expect(codes(run(lockdown({ ...LOCKED, outboundTrafficPolicy: { mode: 'ALLOW_ANY' } }), caller(['api.stripe.com'])))).not.toContain('SC-05');
    expect(codes(run(lockdown({ egress: LOCKED.egress }), caller(['api.stripe.com'])))).not.toContain('SC-05');
  });

  test('in-cluster hosts are not checked: short names, *.svc.cluster.local and name.namespace of a Service', () => {
    const report = runOnly(RULES, { services: [service('ratings', 'data')] }, lockdown(), caller(['reviews', 'details.web.svc.cluster.local', 'ratings.data', 'ratings.data.svc']));
    expect(codes(report)).not.toContain('SC-05');
  });

  test('name.namespace of nothing in the input is checked like any external host', () => {
    expect(one(run(lockdown(), caller(['ratings.data'])), 'SC-05').message).toContain('calls "ratings.data", but');
  });

  test('a Sidecar without egress listeners imports every namespace', () => {
    expect(codes(run(lockdown({ outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } }), caller(['api.stripe.com']), stripe('payments')))).not.toContain('SC-05');
  });

  test('namespaces without their own Sidecar inherit the root-namespace default; their own Sidecar overrides it', () => {
    const root = lockdown(LOCKED, 'istio-system');
    const v = one(run(root, caller(['api.stripe.com'], 'web'), stripe('payments')), 'SC-05');
    expect(v.message).toBe(`metadata.annotations["${CALLS_ANNOTATION}"]: VirtualService "orders" in namespace web calls "api.stripe.com", but the mesh-wide default Sidecar "istio-system/default" sets outboundTrafficPolicy REGISTRY_ONLY and ServiceEntry "payments/stripe" declares it, but no egress host of the Sidecar imports it (add "payments/api.stripe.com" or "payments/*")`);
    expect(codes(run(root, caller(['api.stripe.com'], 'web'), stripe('web')))).not.toContain('SC-05');
    expect(codes(run(root, lockdown({ egress: LOCKED.egress }, 'web'), caller(['api.stripe.com'], 'web')))).not.toContain('SC-05');
  });

  test('a namespace with only selector Sidecars is not checked', () => {
    expect(codes(run(sc({ ...LOCKED, workloadSelector: { labels: { app: 'orders' } } }, { namespace: 'shop' }), caller(['api.stripe.com'])))).not.toContain('SC-05');
  });

  test('hosts declared in the inventory count as ServiceEntries of an unknown namespace', () => {
    expect(codes(runOnly(RULES, { inventory: { hosts: ['*.stripe.com'] } }, lockdown(), caller(['api.stripe.com'])))).not.toContain('SC-05');
  });

  test('incomplete input without ServiceEntries notes the call instead of failing', () => {
    const report = runOnly(SC05, { complete: false }, lockdown(), caller(['api.stripe.com']));
    expect(only(report, 'SC-05')).toEqual([]);
    expect(report.notChecked).toEqual(['egress of VirtualService "orders" (obj1) to "api.stripe.com" under REGISTRY_ONLY Sidecar "shop/default": no ServiceEntry in the input or the inventory']);
  });

  test('incomplete input with ServiceEntries still fails a host none of them declares', () => {
    const report = runOnly(RULES, { complete: false }, lockdown(), caller(['api.stripe.com']), se({ hosts: ['api.github.com'], ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }], resolution: 'DNS' }, { namespace: 'shop' }));
    expect(one(report, 'SC-05').message).toBe(`${PREFIX} no ServiceEntry visible to namespace shop declares it`);
  });
});

describe('egressLockdownProblem (for constructs)', () => {
  const entry = { what: 'ServiceEntry "payments/stripe"', namespace: 'payments', hosts: ['api.stripe.com'], visibility: { all: true, namespaces: new Set<string>() } };

  test('names what is missing, or nothing', () => {
    expect(egressLockdownProblem('api.stripe.com', 'shop', ['./*'], [])).toBe('no ServiceEntry visible to namespace shop declares it');
    expect(egressLockdownProblem('api.stripe.com', 'shop', ['~/*'], [entry])).toBe('ServiceEntry "payments/stripe" declares it, but no egress host of the Sidecar imports it (add "payments/api.stripe.com" or "payments/*")');
    expect(egressLockdownProblem('api.stripe.com', 'shop', ['payments/*'], [entry])).toBeUndefined();
    expect(egressLockdownProblem('api.stripe.com', 'payments', ['./api.stripe.com'], [entry])).toBeUndefined();
    expect(egressLockdownProblem.code).toBe('SC-05');
  });

  test('a ServiceEntry registers its hosts (short names in its namespace) for the namespaces it is exported to', () => {
    const reg = serviceEntryRegistration('partner', 'payments', { hosts: ['api.partner.example', 'ledger'], exportTo: ['.', 'shop'] });
    expect(reg.what).toBe('ServiceEntry "payments/partner"');
    expect(reg.hosts).toEqual(['api.partner.example', 'ledger.payments.svc.cluster.local']);
    expect(visibleRegistrations('api.partner.example', 'shop', [reg])).toEqual([reg]);
    expect(visibleRegistrations('api.partner.example', 'web', [reg])).toEqual([]);
  });
});
