import { Severity } from '../../src/core/errors';
import { gatewayRefProblem, resolveGatewayRef } from '../../src/core/gateway-ref';

describe('gatewayRefProblem (VS-04)', () => {
  test('accepts mesh, a short name and namespace/name', () => {
    expect(['mesh', 'public-gateway', 'istio-system/public-gateway'].map(gatewayRefProblem)).toEqual([undefined, undefined, undefined]);
  });

  test('the legacy name.namespace form is a warning with the rewritten form as fix', () => {
    expect(gatewayRefProblem('public-gateway.istio-system')).toEqual({
      severity: Severity.WARNING, problem: 'uses the legacy dotted "name.namespace" form', fix: 'Write it as "istio-system/public-gateway" (<namespace>/<name>).',
    });
  });

  test('empty parts, non-DNS labels and over-long references are errors', () => {
    for (const ref of ['', '/gw', 'ns/', 'NS/gw', 'ns/Gw', `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.e`, 'a_b']) {
      expect(gatewayRefProblem(ref)?.severity).toBe(Severity.ERROR);
    }
  });
});

test('resolveGatewayRef: ns/name, ./name, bare name and the legacy form to namespace/name', () => {
  expect(resolveGatewayRef('istio-system/gw', 'shop')).toBe('istio-system/gw');
  expect(resolveGatewayRef('./gw', 'shop')).toBe('shop/gw');
  expect(resolveGatewayRef('gw', 'shop')).toBe('shop/gw');
  expect(resolveGatewayRef('gw.istio-system.svc.cluster.local', 'shop')).toBe('istio-system/gw');
  expect(resolveGatewayRef('mesh', 'shop')).toBeUndefined();
  expect(resolveGatewayRef('/gw', 'shop')).toBeUndefined();
});
