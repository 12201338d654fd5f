import { dest, ERROR, HOST, se, vs } from '../../support/rules';
import { Violation } from '../../../src/core/errors';
import { toIstioObject } from '../../../src/engine/istio-object';
import { runRules } from '../../../src/engine/run';
import { Rule, RunOptions, ServiceInfo } from '../../../src/engine/types';
import { VS14, VS15 } from '../../../src/rules/vs/destinations';

/** Every finding of `rule` alone on the manifests. */
function findings(rule: Rule, options: RunOptions, ...manifests: any[]): Violation[] {
  const report = runRules(manifests.map((m, i) => toIstioObject(m, `obj${i}`)!), [rule], options);
  return [...report.errors, ...report.warnings];
}
/** The single finding of `rule`. */
function single(rule: Rule, options: RunOptions, ...manifests: any[]): Violation {
  const found = findings(rule, options, ...manifests);
  if (found.length !== 1) throw new Error(`expected one ${rule.code} finding, got ${JSON.stringify(found, null, 1)}`);
  return found[0];
}
/** A Service in the App. */
const svc = (name: string, namespace: string | undefined, ...ports: number[]): ServiceInfo => ({ name, namespace, ports: ports.map((port) => ({ port })), path: `svc/${name}` });
/** A VirtualService in namespace shop whose route "main" goes to `d` (a destination object). */
const to = (d: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  vs({ hosts: [HOST], http: [{ name: 'main', route: [{ destination: d }], ...extra }] }, { namespace: 'shop' });
/** A ServiceEntry for `hosts` with the given ports. */
const entry = (hosts: string[], ...ports: number[]) => se({ hosts, ports: ports.map((number) => ({ number, name: `p${number}`, protocol: 'HTTP' })), resolution: 'DNS' }, { namespace: 'shop' });

describe('VS-14 port selectors', () => {
  const twoPorts = { services: [svc('reviews', 'shop', 9080, 15090)] };

  test('no port to a Service with two ports is an error listing them', () => {
    const v = single(VS14, twoPorts, to({ host: HOST }));
    expect(v.severity).toBe(ERROR);
    expect(v.message).toBe(`spec.http[0].route[0].destination (route "main") routes to ${HOST} without a port, but Service "reviews" in namespace shop exposes ports 9080, 15090`);
    expect(v.allowed).toBe('9080, 15090');
  });

  test('a port the Service does not expose is an error', () => {
    const v = single(VS14, twoPorts, to({ host: 'reviews', port: { number: 8080 } }));
    expect(v.message).toBe('spec.http[0].route[0].destination.port.number 8080 (route "main") is not a port of Service "reviews" in namespace shop (9080, 15090)');
    expect(v.value).toBe(8080);
  });

  test('a mirror port is checked too', () => {
    const v = single(VS14, twoPorts, to({ host: HOST, port: { number: 9080 } }, { mirror: { host: HOST, port: { number: 1 } } }));
    expect(v.message).toContain('spec.http[0].mirror.port.number 1 (route "main")');
  });

  test('a port the Service exposes passes', () => {
    expect(findings(VS14, twoPorts, to({ host: HOST, port: { number: 9080 } }))).toEqual([]);
  });

  test('no port to a single-port Service passes', () => {
    expect(findings(VS14, { services: [svc('reviews', 'shop', 9080)] }, to({ host: HOST }))).toEqual([]);
  });

  test('a Service without namespace matches the host in any namespace', () => {
    expect(single(VS14, { services: [svc('reviews', undefined, 80, 81)] }, to({ host: HOST })).message).toContain('Service "reviews" exposes ports 80, 81');
  });

  test('a ServiceEntry with two ports needs a port selector', () => {
    const v = single(VS14, {}, to({ host: 'api.example.com' }), entry(['api.example.com'], 80, 443));
    expect(v.message).toContain('routes to api.example.com without a port, but ServiceEntry "external" exposes ports 80, 443');
  });

  test('a wildcard ServiceEntry host is honoured for ports', () => {
    const v = single(VS14, {}, to({ host: 'eu.api.example.com', port: { number: 8443 } }), entry(['*.api.example.com'], 443));
    expect(v.message).toContain('port.number 8443 (route "main") is not a port of ServiceEntry "external" (443)');
  });

  test('hosts declared only in the inventory are skipped (their ports are unknown)', () => {
    expect(findings(VS14, { inventory: { hosts: ['api.example.com'] } }, to({ host: 'api.example.com', port: { number: 1 } }))).toEqual([]);
  });
});

describe('VS-15 host resolution', () => {
  test('with a host inventory declared, an unknown host is an error', () => {
    const v = single(VS15, { inventory: { hosts: ['payments.example.com'] } }, to({ host: 'ratings' }));
    expect(v.severity).toBe(ERROR);
    expect(v.message).toBe('spec.http[0].route[0].destination (route "main") routes to ratings.shop.svc.cluster.local, which no Service or ServiceEntry in the App defines and the declared inventory does not list');
    expect(v.value).toBe('ratings.shop.svc.cluster.local');
  });

  test('without an inventory the check is skipped (the host may exist in the cluster), not guessed', () => {
    expect(findings(VS15, {}, to({ host: 'ratings' }))).toEqual([]);
  });

  test('an inventory without hosts counts as no host inventory', () => {
    expect(findings(VS15, { inventory: { gateways: ['istio-system/ingress'] } }, to({ host: 'ratings' }))).toEqual([]);
  });

  test('with an inventory, an unknown host is an error', () => {
    const v = single(VS15, { inventory: { hosts: ['reviews.shop.svc.cluster.local'] } }, to({ host: 'ratings' }));
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('the declared inventory does not list');
  });

  test('one finding per host, listing every place it is used', () => {
    const v = single(VS15, { inventory: { hosts: [] } }, to({ host: 'ratings' }, { mirror: { host: 'ratings.shop.svc.cluster.local' } }));
    expect(v.message).toContain('spec.http[0].route[0].destination (route "main"), spec.http[0].mirror (route "main") route to ratings.shop.svc.cluster.local');
  });

  test('a Service in the App resolves (short name in the VirtualService namespace)', () => {
    expect(findings(VS15, { inventory: { hosts: [] }, services: [svc('ratings', 'shop', 9080)] }, to({ host: 'ratings' }))).toEqual([]);
  });

  test('a Service in another namespace does not resolve a short name', () => {
    expect(single(VS15, { inventory: { hosts: [] }, services: [svc('ratings', 'other', 9080)] }, to({ host: 'ratings' })).severity).toBe(ERROR);
  });

  test('a ServiceEntry host resolves, exactly or by wildcard', () => {
    expect(findings(VS15, { inventory: { hosts: [] } }, to({ host: 'api.example.com' }), entry(['api.example.com'], 443))).toEqual([]);
    expect(findings(VS15, { inventory: { hosts: [] } }, to({ host: 'eu.api.example.com' }), entry(['*.api.example.com'], 443))).toEqual([]);
  });

  test('inventory hosts resolve, exactly or by pattern', () => {
    expect(findings(VS15, { inventory: { hosts: ['payments.example.com'] } }, to({ host: 'payments.example.com' }))).toEqual([]);
    expect(findings(VS15, { inventory: { hosts: ['*.svc.cluster.local'] } }, to({ host: 'ratings' }))).toEqual([]);
  });

  test('a tcp destination is checked too', () => {
    const v = single(VS15, { inventory: { hosts: [] } }, vs({ hosts: [HOST], tcp: [{ route: [dest('db.shop.svc.cluster.local')] }] }));
    expect(v.message).toContain('spec.tcp[0].route[0].destination routes to db.shop.svc.cluster.local');
  });

  test('scales linearly: 5,000 VirtualServices against 5,000 Services and 500 ServiceEntries', () => {
    const manifests: any[] = [];
    const services: ServiceInfo[] = [];
    for (let i = 0; i < 5000; i++) {
      services.push(svc(`s${i}`, 'shop', 80, 81));
      manifests.push(vs({ hosts: [`s${i}`], http: [{ route: [dest(`s${i}`, { port: 80 })] }] }, { name: `vs${i}`, namespace: 'shop' }));
    }
    for (let i = 0; i < 500; i++) manifests.push(entry([`*.e${i}.example.com`], 443));
    const started = Date.now();
    expect(findings(VS15, { services, inventory: { hosts: [] } }, ...manifests)).toEqual([]);
    expect(findings(VS14, { services }, ...manifests)).toEqual([]);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
