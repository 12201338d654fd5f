import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';
import { thrownBy } from '../support/errors';
import { resolveHost, resolveSubsetLabels, shortName } from '../../src/constructs/refs';

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
    expect(e.allowed).toBe('a hostname string or a cdk8s-plus Service');
  });
});

describe('resolveSubsetLabels', () => {
  test('returns explicit labels sorted', () => {
    expect(Object.keys(resolveSubsetLabels({ labels: { version: 'v1', app: 'x' } }, Testing.chart(), 'stable'))).toEqual(['app', 'version']);
  });

  test('takes pod labels of a Deployment without cdk8s.io/ labels', () => {
    const chart = Testing.chart();
    expect(resolveSubsetLabels(deployment(chart, { app: 'x', version: 'v1' }), chart, 'stable')).toEqual({ app: 'x', version: 'v1' });
  });

  test('rejects a Deployment without own pod labels with DR-03', () => {
    const build = () => {
      const chart = Testing.chart();
      return resolveSubsetLabels(deployment(chart), chart, 'canary');
    };
    const e = thrownBy(build);
    expect(e.code).toBe('DR-03');
    expect(e.message).toContain('canary selects no labels');
  });

  test('rejects empty explicit labels with DR-03', () => {
    expect(thrownBy(() => resolveSubsetLabels({ labels: {} }, Testing.chart(), 'stable')).value).toBe('{}');
  });

  test('rejects a missing source with PROP', () => {
    const e = thrownBy(() => resolveSubsetLabels(undefined as any, Testing.chart(), 'stable'));
    expect(e.code).toBe('PROP');
    expect(e.allowed).toBe('a kplus.Deployment or { labels }');
  });

  test('names the prop in X-08 errors', () => {
    expect(thrownBy(() => resolveSubsetLabels({ labels: { 'a b': 'c' } }, Testing.chart(), 'stable')).message).toContain('stable.labels');
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
