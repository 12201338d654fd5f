import { Workload } from '../../../src/engine/types';
import { RULES } from '../../../src/rules';
import { codes, ERROR, one, only, run, runOnly, sc, WARNING } from '../../support/rules';

const EGRESS = { egress: [{ hosts: ['./*', 'istio-system/*'] }] };
/** A Sidecar in `namespace` (shop) with the given selector labels (none: selector-less). */
const sidecar = (name: string, labels?: Record<string, string>, namespace = 'shop') =>
  sc({ ...EGRESS, ...(labels ? { workloadSelector: { labels } } : {}) }, { name, namespace });
const workload = (name: string, podLabels: Record<string, string>, namespace = 'shop'): Workload => ({ kind: 'Deployment', name, namespace, podLabels, path: `deploy/${name}` });
const withWorkloads = (workloads: Workload[], ...manifests: any[]) => runOnly(RULES, { workloads }, ...manifests);

describe('SC-03 one Sidecar per workload', () => {
  test('two selector-less Sidecars in a namespace are an error on each', () => {
    const found = only(run(sidecar('default'), sidecar('extra')), 'SC-03');
    expect(found.map((v) => [v.path, v.severity, v.message])).toEqual([
      ['obj0', ERROR, 'spec.workloadSelector is unset, as in Sidecar "shop/extra": namespace shop may have only one Sidecar without a workloadSelector'],
      ['obj1', ERROR, 'spec.workloadSelector is unset, as in Sidecar "shop/default": namespace shop may have only one Sidecar without a workloadSelector'],
    ]);
  });

  test('selector-less Sidecars of different namespaces pass', () => {
    expect(codes(run(sidecar('default'), sidecar('default', undefined, 'web')))).not.toContain('SC-03');
  });

  test('equal selectors are an error', () => {
    const found = only(run(sidecar('a', { app: 'reviews' }), sidecar('b', { app: 'reviews' })), 'SC-03');
    expect(found.map((v) => v.message)).toEqual([
      'spec.workloadSelector.labels {app=reviews} can select the same workloads as Sidecar "shop/b" (the same selector)',
      'spec.workloadSelector.labels {app=reviews} can select the same workloads as Sidecar "shop/a" (the same selector)',
    ]);
  });

  test('a selector contained in another is an error on both', () => {
    const found = only(run(sidecar('reviews', { app: 'reviews' }), sidecar('reviews-v1', { app: 'reviews', version: 'v1' }), sidecar('ratings', { app: 'ratings' })), 'SC-03');
    expect(found.map((v) => [v.path, v.message])).toEqual([
      ['obj0', 'spec.workloadSelector.labels {app=reviews} can select the same workloads as Sidecar "shop/reviews-v1" ({app=reviews,version=v1})'],
      ['obj1', 'spec.workloadSelector.labels {app=reviews,version=v1} can select the same workloads as Sidecar "shop/reviews" ({app=reviews})'],
    ]);
  });

  test('selectors that only share a workload of the App are an error naming it', () => {
    const found = only(withWorkloads([workload('reviews-v1', { app: 'reviews', version: 'v1' })], sidecar('by-app', { app: 'reviews' }), sidecar('by-version', { version: 'v1' })), 'SC-03');
    expect(found.map((v) => v.message)).toEqual([
      'spec.workloadSelector.labels {app=reviews} can select the same workloads as Sidecar "shop/by-version" ({version=v1}; both select Deployment "shop/reviews-v1")',
      'spec.workloadSelector.labels {version=v1} can select the same workloads as Sidecar "shop/by-app" ({app=reviews}; both select Deployment "shop/reviews-v1")',
    ]);
  });

  test('disjoint selectors, the same selector in two namespaces, and a selector beside the selector-less Sidecar pass', () => {
    const report = withWorkloads([workload('reviews-v1', { app: 'reviews', version: 'v1' }, 'web')],
      sidecar('default'), sidecar('reviews', { app: 'reviews' }), sidecar('ratings', { app: 'ratings' }), sidecar('reviews', { app: 'reviews' }, 'web'), sidecar('v1', { version: 'v1' }));
    expect(codes(report)).not.toContain('SC-03');
  });
});

describe('SC-04 scope and outbound policy', () => {
  test('a root-namespace Sidecar with a selector is a warning', () => {
    const v = one(run(sidecar('gw', { istio: 'ingressgateway' }, 'istio-system')), 'SC-04');
    expect(v.severity).toBe(WARNING);
    expect(v.message).toBe('spec.workloadSelector {istio=ingressgateway} in the root namespace istio-system makes this Sidecar apply only to matching workloads of istio-system, not as the mesh-wide default');
  });

  test('a selector without labels is a warning', () => {
    expect(one(run(sc({ ...EGRESS, workloadSelector: {} }, { namespace: 'shop' })), 'SC-04').message)
      .toBe('spec.workloadSelector has no labels, so the Sidecar applies to every workload of namespace shop (ahead of its selector-less Sidecar)');
  });

  test('outboundTrafficPolicy without mode is a warning', () => {
    expect(one(run(sc({ outboundTrafficPolicy: {} }, { namespace: 'shop' })), 'SC-04').message)
      .toBe('spec.outboundTrafficPolicy has no mode, which Istio reads as REGISTRY_ONLY (the enum\'s zero value), not as the mesh default');
  });

  test('egressProxy is a deprecation warning', () => {
    const v = one(run(sc({ outboundTrafficPolicy: { mode: 'ALLOW_ANY', egressProxy: { host: 'proxy.corp.example.com', port: { number: 3128 } } } }, { namespace: 'shop' })), 'SC-04');
    expect(v.message).toBe('spec.outboundTrafficPolicy.egressProxy is deprecated and ignored by Istio');
  });

  test('a selector matching none of the namespace\'s workloads in the App is a warning', () => {
    const v = one(withWorkloads([workload('reviews-v1', { app: 'reviews' }), workload('db', { app: 'db' }, 'data')], sidecar('ratings', { app: 'ratings' })), 'SC-04');
    expect(v.message).toBe('spec.workloadSelector.labels {app=ratings} matches none of the 1 workload(s) of namespace shop in the App');
  });

  test('without workloads of the namespace in the App the selector is not checked', () => {
    expect(codes(run(sidecar('ratings', { app: 'ratings' })))).not.toContain('SC-04');
    expect(codes(withWorkloads([workload('db', { app: 'db' }, 'data')], sidecar('ratings', { app: 'ratings' })))).not.toContain('SC-04');
  });

  test('a matching selector, an explicit mode and a root-namespace default pass', () => {
    const report = withWorkloads([workload('reviews-v1', { app: 'reviews' })],
      sidecar('reviews', { app: 'reviews' }), sc({ ...EGRESS, outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } }, { namespace: 'istio-system' }));
    expect(codes(report)).not.toContain('SC-04');
  });
});
