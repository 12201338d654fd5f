import { ServiceInfo } from '../../../src/engine/types';
import { Meta } from '../../support/rules';

/** Gateway API manifests for the GA rule tests (run them with `runOnly` from test/support/rules). */

export const GATEWAY_API = 'gateway.networking.k8s.io/v1';

/** An HTTPRoute manifest (named `route` in namespace `shop` unless `meta` says otherwise). */
export function httpRoute(spec: unknown, meta: Meta = {}): any {
  return { apiVersion: GATEWAY_API, kind: 'HTTPRoute', metadata: { name: meta.name ?? 'route', namespace: meta.namespace ?? 'shop', ...meta.annotations ? { annotations: meta.annotations } : {} }, spec };
}

/** A Gateway API Gateway manifest with the given listeners (named `public` in namespace `shop` unless `meta` says otherwise). */
export function kGateway(listeners: unknown[], meta: Meta = {}): any {
  return { apiVersion: GATEWAY_API, kind: 'Gateway', metadata: { name: meta.name ?? 'public', namespace: meta.namespace ?? 'shop' }, spec: { gatewayClassName: 'istio', listeners } };
}

/** An HTTP listener on port 80 (`extra` overrides or adds fields). */
export function http(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'http', port: 80, protocol: 'HTTP', ...extra };
}

/** A Service of the App as the engine sees it, with the given ports. */
export function svc(name: string, namespace: string | undefined, ports: number[] = [8080]): ServiceInfo {
  return { name, namespace, ports: ports.map((port) => ({ port })), path: `svc/${name}` };
}

/** A backendRef to the Service `name` (port 8080 unless `extra` says otherwise). */
export function backend(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, port: 8080, ...extra };
}

/** A catch-all rule to the Service `name`. */
export function toService(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { backendRefs: [backend(name)], ...extra };
}

/** A parentRef to the Service `name` (kind Service, core group). */
export function serviceParent(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { group: '', kind: 'Service', name, ...extra };
}

/** Seed 001's Gateway API example: `public-gateway` in istio-ingress (no allowedRoutes), `shop-route` in commerce, `/api/` 90/10. */
export const SEED_GATEWAY = kGateway(
  [{ name: 'https', port: 443, protocol: 'HTTPS', hostname: 'shop.example.com', tls: { mode: 'Terminate', certificateRefs: [{ name: 'shop-example-com-cert' }] } }],
  { name: 'public-gateway', namespace: 'istio-ingress' },
);
export const SEED_ROUTE = httpRoute({
  parentRefs: [{ name: 'public-gateway', namespace: 'istio-ingress' }],
  hostnames: ['shop.example.com'],
  rules: [{
    matches: [{ path: { type: 'PathPrefix', value: '/api/' } }],
    backendRefs: [{ name: 'shop-api', port: 8080, weight: 90 }, { name: 'shop-api-canary', port: 8080, weight: 10 }],
  }],
}, { name: 'shop-route', namespace: 'commerce' });
export const SEED_SERVICES = [svc('shop-api', 'commerce'), svc('shop-api-canary', 'commerce')];
