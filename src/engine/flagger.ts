import { isRecord } from '../core/json';
/**
 * What Flagger generates from a `Canary` (flagger.app) with Istio: the apex VirtualService and the primary and canary
 * DestinationRules and Services. The rules check these derived objects, so a Canary's retries, timeout and traffic
 * policy meet the same checks as a VirtualService written by hand (Flagger's Istio router, pkg/router/istio.go).
 */

/** The API group of Flagger's `Canary`. */
export const FLAGGER_GROUP = 'flagger.app';

/** The objects Flagger generates for one Canary. */
export interface FlaggerGenerated {
  /** The apex name: `spec.service.name`, else `spec.targetRef.name`. */
  readonly apex: string;
  readonly namespace?: string;
  /** The VirtualService and the two DestinationRules, as manifests. */
  readonly manifests: Record<string, unknown>[];
  /** The Services Flagger creates: `<apex>`, `<apex>-primary`, `<apex>-canary`, on `spec.service.port`. */
  readonly services: ReadonlyArray<{ readonly name: string; readonly port?: number }>;
}

/** The objects Flagger would generate for a Canary manifest, or undefined when it is not a Canary with a service. */
export function flaggerGenerated(m: unknown): FlaggerGenerated | undefined {
  if (!isRecord(m) || m.kind !== 'Canary' || typeof m.apiVersion !== 'string' || !m.apiVersion.startsWith(`${FLAGGER_GROUP}/`)) return undefined;
  const spec = isRecord(m.spec) ? m.spec : undefined;
  const service = spec && isRecord(spec.service) ? spec.service : undefined;
  const target = spec && isRecord(spec.targetRef) ? spec.targetRef : undefined;
  const apex = typeof service?.name === 'string' && service.name !== '' ? service.name : typeof target?.name === 'string' ? target.name : undefined;
  if (!service || !apex) return undefined;
  const namespace = isRecord(m.metadata) && typeof m.metadata.namespace === 'string' ? m.metadata.namespace : undefined;
  const metadata = (name: string) => ({ name, ...(namespace !== undefined ? { namespace } : {}) });
  const hosts = Array.isArray(service.hosts) ? service.hosts.filter((h: unknown) => typeof h === 'string') : [];
  const gateways = Array.isArray(service.gateways) ? service.gateways.filter((g: unknown) => typeof g === 'string') : [];
  const pick = (keys: string[]) => Object.fromEntries(keys.filter((k) => service[k] !== undefined).map((k) => [k, service[k]]));
  const route = {
    ...pick(['retries', 'timeout', 'headers', 'corsPolicy', 'rewrite']),
    route: [{ destination: { host: `${apex}-primary` }, weight: 100 }, { destination: { host: `${apex}-canary` }, weight: 0 }],
  };
  const destinationRule = (name: string) => ({
    apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: metadata(name),
    spec: { host: name, ...(isRecord(service.trafficPolicy) ? { trafficPolicy: service.trafficPolicy } : {}) },
  });
  const port = typeof service.port === 'number' ? service.port : undefined;
  return {
    apex, namespace,
    manifests: [
      destinationRule(`${apex}-canary`),
      destinationRule(`${apex}-primary`),
      {
        apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: metadata(apex),
        spec: { hosts: [apex, ...hosts.filter((h: string) => h !== apex)], ...(gateways.length > 0 ? { gateways } : {}), http: [route] },
      },
    ],
    services: [apex, `${apex}-primary`, `${apex}-canary`].map((name) => ({ name, ...(port !== undefined ? { port } : {}) })),
  };
}
