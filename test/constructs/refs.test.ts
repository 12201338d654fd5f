import { ApiObject, Chart, Lazy, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';
import { thrownBy } from '../support/errors';
import { CallTarget, callHosts } from '../../src/constructs/common';
import { defaultName, resolveHost, resolveServiceHost, resolveSubsetLabels, serviceHostOf, shortName, Subset } from '../../src/constructs/refs';

function deployment(chart: Chart, labels?: Record<string, string>) {
  return new kplus.Deployment(chart, 'd', {
    ...(labels ? { podMetadata: { labels } } : {}),
    containers: [{ image: 'nginx', portNumber: 80, securityContext: { ensureNonRoot: false } }],
  });
}

describe('resolveHost', () => {
  test('returns a valid host string', () => {
    const chart = Testing.chart();
    expect(resolveHost('reviews.bookinfo.svc.cluster.local', chart, 'host')).toBe('reviews.bookinfo.svc.cluster.local');
  });

  test('rejects an invalid host string with X-03 at the scope path', () => {
    const chart = Testing.chart();
    const e = thrownBy(() => resolveHost('*', chart, 'host'));
    expect(e.code).toBe('X-03');
    expect(e.path).toBe('test');
  });

  test('derives name.namespace.svc.cluster.local from a Service namespace', () => {
    const chart = Testing.chart();
    const svc = new kplus.Service(chart, 's', { metadata: { name: 'reviews', namespace: 'bookinfo' }, ports: [{ port: 80 }] });
    expect(resolveHost(svc, chart, 'host')).toBe('reviews.bookinfo.svc.cluster.local');
  });

  test('falls back to the chart namespace', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
    const svc = new kplus.Service(chart, 's', { metadata: { name: 'cart' }, ports: [{ port: 80 }] });
    expect(resolveHost(svc, chart, 'host')).toBe('cart.shop.svc.cluster.local');
  });

  test('returns the short name when no namespace is known', () => {
    const chart = Testing.chart();
    const svc = new kplus.Service(chart, 's', { metadata: { name: 'cart' }, ports: [{ port: 80 }] });
    expect(resolveHost(svc, chart, 'host')).toBe('cart');
  });

  test('rejects something else with PROP (a value of the wrong type)', () => {
    const e = thrownBy(() => resolveHost(42 as any, Testing.chart(), 'host'));
    expect(e.code).toBe('PROP');
    expect(e.allowed).toBe('a hostname string or a Kubernetes Service construct (a cdk8s-plus Service, or an ApiObject of kind Service, apiVersion v1)');
  });
});

describe('resolveServiceHost', () => {
  test('takes host when only host is set', () => {
    expect(resolveServiceHost({ host: 'cart.shop.svc.cluster.local' }, Testing.chart())).toBe('cart.shop.svc.cluster.local');
  });

  test('derives the host when only service is set', () => {
    const chart = Testing.chart();
    const svc = new ApiObject(chart, 's', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'cart', namespace: 'shop' } });
    expect(resolveServiceHost({ service: svc }, chart)).toBe('cart.shop.svc.cluster.local');
  });

  test('rejects a ConfigMap as service with PROP', () => {
    const chart = Testing.chart();
    const cm = new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cart' } });
    const e = thrownBy(() => resolveServiceHost({ service: cm }, chart));
    expect(e.code).toBe('PROP');
    expect(e.value).toBe('ConfigMap (v1) "cart"');
  });

  test('rejects a Service of another API group (kind Service, apiVersion serving.knative.dev/v1) with PROP', () => {
    const chart = Testing.chart();
    const ksvc = new ApiObject(chart, 'k', { apiVersion: 'serving.knative.dev/v1', kind: 'Service', metadata: { name: 'cart' } });
    expect(thrownBy(() => resolveServiceHost({ service: ksvc }, chart)).code).toBe('PROP');
  });

  test('rejects a plain object as service with PROP', () => {
    expect(thrownBy(() => resolveServiceHost({ service: { name: 'cart' } as any }, Testing.chart())).code).toBe('PROP');
  });
});

describe('serviceHostOf', () => {
  test('is undefined for values that are not constructs', () => {
    expect(serviceHostOf('cart')).toBeUndefined();
    expect(serviceHostOf(Object.create(null))).toBeUndefined();
    expect(serviceHostOf(undefined)).toBeUndefined();
  });

  test('is undefined for a construct without an ApiObject', () => {
    const chart = Testing.chart();
    expect(serviceHostOf(chart)).toBeUndefined();
  });
});

describe('resolveSubsetLabels', () => {
  test('returns explicit labels sorted', () => {
    expect(Object.keys(resolveSubsetLabels(Subset.fromLabels({ version: 'v1', app: 'x' }), Testing.chart(), 'stable'))).toEqual(['app', 'version']);
  });

  test('takes pod labels of a Deployment without cdk8s.io/ labels', () => {
    const chart = Testing.chart();
    expect(resolveSubsetLabels(Subset.fromWorkload(deployment(chart, { app: 'x', version: 'v1' })), chart, 'stable')).toEqual({ app: 'x', version: 'v1' });
  });

  test('reads the labels when the construct is created, not when the Subset is', () => {
    const chart = Testing.chart();
    const d = deployment(chart, { app: 'x' });
    const subset = Subset.fromWorkload(d);
    d.podMetadata.addLabel('version', 'v3');
    expect(resolveSubsetLabels(subset, chart, 'stable')).toEqual({ app: 'x', version: 'v3' });
  });

  test('takes the pod metadata of a cdk8s-plus workload whose manifest cannot render yet (no container so far)', () => {
    const chart = Testing.chart();
    const d = new kplus.Deployment(chart, 'd', { podMetadata: { labels: { app: 'x', version: 'v1' } } });
    expect(() => ApiObject.of(d).toJson()).toThrow();
    expect(resolveSubsetLabels(Subset.fromWorkload(d), chart, 'stable')).toEqual({ app: 'x', version: 'v1' });
  });

  test('rejects a plain workload whose manifest cannot render with PROP', () => {
    const chart = Testing.chart();
    const spec = Lazy.any({ produce: () => { throw new Error('boom'); } });
    const broken = new ApiObject(chart, 'b', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'b' }, spec });
    const e = thrownBy(() => resolveSubsetLabels(Subset.fromWorkload(broken), chart, 'stable'));
    expect(e.code).toBe('PROP');
    expect(e.message).toContain('stable Deployment (apps/v1) "b" cannot be rendered yet (');
    expect(e.message).toContain('boom');
  });

  test('rejects a Deployment without own pod labels with DR-03', () => {
    const build = () => {
      const chart = Testing.chart();
      return resolveSubsetLabels(Subset.fromWorkload(deployment(chart)), chart, 'canary');
    };
    const e = thrownBy(build);
    expect(e.code).toBe('DR-03');
    expect(e.message).toContain('canary selects no labels');
    expect(e.fix).toContain('podMetadata');
  });

  test('rejects a plain ApiObject workload without template labels with DR-03', () => {
    const chart = Testing.chart();
    const d = new ApiObject(chart, 'd', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { template: { spec: {} } } });
    expect(thrownBy(() => resolveSubsetLabels(Subset.fromWorkload(d), chart, 'canary')).code).toBe('DR-03');
  });

  test('rejects a construct without a pod template with PROP', () => {
    const chart = Testing.chart();
    const e = thrownBy(() => resolveSubsetLabels(Subset.fromWorkload(chart), chart, 'stable'));
    expect(e.code).toBe('PROP');
    expect(e.message).toContain('stable construct "test" is not a workload with a pod template');
  });

  test('rejects empty explicit labels with DR-03', () => {
    expect(thrownBy(() => resolveSubsetLabels(Subset.fromLabels({}), Testing.chart(), 'stable')).value).toBe('{}');
  });

  test('rejects labels that are not a map with PROP', () => {
    const e = thrownBy(() => resolveSubsetLabels(Subset.fromLabels(['v2'] as any), Testing.chart(), 'stable'));
    expect(e.code).toBe('PROP');
    expect(e.allowed).toBe('a map of label keys to values');
  });

  test('rejects a missing source with PROP', () => {
    const e = thrownBy(() => resolveSubsetLabels(undefined as any, Testing.chart(), 'stable'));
    expect(e.code).toBe('PROP');
    expect(e.allowed).toBe('a Subset');
  });

  test('names the prop in X-08 errors', () => {
    expect(thrownBy(() => resolveSubsetLabels(Subset.fromLabels({ 'a b': 'c' }), Testing.chart(), 'stable')).message).toContain('stable.labels');
  });
});

describe('CallTarget', () => {
  test('CallTarget.host is checked with X-03', () => {
    expect(callHosts([CallTarget.host('orders.shop.svc.cluster.local')], 'app/x')).toEqual(['orders.shop.svc.cluster.local']);
    const e = thrownBy(() => callHosts([CallTarget.host('not a host!')], 'app/x'));
    expect(e.code).toBe('X-03');
    expect(e.message).toContain('calls[0]');
  });

  test('CallTarget.of takes the host of a construct with a host, every host of one with hosts, the FQDN of a Service', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
    const svc = new kplus.Service(chart, 's', { metadata: { name: 'cart' }, ports: [{ port: 80 }] });
    const withHosts = Object.assign(new ApiObject(chart, 'x', { apiVersion: 'v1', kind: 'ConfigMap' }), { hosts: ['a.example.com', '*.b.example.com'] });
    expect(callHosts([CallTarget.of(svc), CallTarget.of(withHosts)], 'c')).toEqual(['cart.shop.svc.cluster.local', 'a.example.com', '*.b.example.com']);
  });

  test('CallTarget.of a construct without hosts is PROP', () => {
    const e = thrownBy(() => callHosts([CallTarget.of(Testing.chart())], 'app/x'));
    expect(e.code).toBe('PROP');
    expect(e.message).toContain('calls[0] construct "test" is neither a host nor a construct with a host');
  });

  test('a bare host string or construct (the 0.1 API) is PROP naming the factories', () => {
    const e = thrownBy(() => callHosts(['orders.shop.svc.cluster.local' as any], 'app/x'));
    expect(e.code).toBe('PROP');
    expect(e.allowed).toBe('a CallTarget');
    expect(e.fix).toContain('CallTarget.host(');
  });

  test('calls that are not a list are PROP', () => {
    expect(thrownBy(() => callHosts(CallTarget.host('a.b') as any, 'app/x')).code).toBe('PROP');
  });
});

describe('shortName', () => {
  test('is the first label, lower-cased', () => {
    expect(shortName('Reviews.bookinfo.svc.cluster.local')).toBe('reviews');
  });

  test('names a wildcard host "wildcard"', () => {
    expect(shortName('*.example.com')).toBe('wildcard');
  });
});

describe('default object names', () => {
  test.each([
    ['reviews.bookinfo.svc.cluster.local', 'bookinfo', 'reviews'],
    ['reviews.bookinfo.svc.cluster.local', undefined, 'reviews'],
    ['reviews.other.svc.cluster.local', 'bookinfo', 'reviews-other'],
    ['reviews', 'bookinfo', 'reviews'],
    ['api.example.com', 'bookinfo', 'api-example-com'],
    ['*.wikipedia.org', 'bookinfo', 'wildcard-wikipedia-org'],
    ['*.bookinfo.svc.cluster.local', 'bookinfo', 'wildcard-bookinfo'],
  ])('%s in %s is named %s', (host, namespace, name) => {
    expect(defaultName(host, namespace)).toBe(name);
  });

  test('two hosts with the same first label in one namespace no longer default to one name', () => {
    expect(defaultName('reviews.a.svc.cluster.local', 'shop')).not.toBe(defaultName('reviews.b.svc.cluster.local', 'shop'));
  });
});
