/** Manifest builders for the simulator tests: the objects as they appear in YAML. */
import { RouteSimulator, SimulationRequest, SimulationResult } from '../../src';

const NET = 'networking.istio.io/v1';

/** A VirtualService manifest. */
export function vs(name: string, spec: Record<string, unknown>, namespace = 'default'): Record<string, unknown> {
  return { apiVersion: NET, kind: 'VirtualService', metadata: { name, namespace }, spec };
}

/** A DestinationRule manifest. */
export function dr(name: string, spec: Record<string, unknown>, namespace = 'default'): Record<string, unknown> {
  return { apiVersion: NET, kind: 'DestinationRule', metadata: { name, namespace }, spec };
}

/** A Gateway manifest with one HTTP server per port, each serving `hosts`. */
export function gateway(name: string, namespace: string, ports: number[], hosts: string[]): Record<string, unknown> {
  return {
    apiVersion: NET, kind: 'Gateway', metadata: { name, namespace },
    spec: { selector: { istio: 'ingressgateway' }, servers: ports.map((number) => ({ port: { number, name: `http-${number}`, protocol: 'HTTP' }, hosts })) },
  };
}

/** A Deployment whose pods carry `labels`. */
export function deployment(name: string, labels: Record<string, string>, namespace = 'default'): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'app' }] } } },
  };
}

/** A Service selecting `selector` on `ports`. */
export function service(name: string, selector: Record<string, string>, ports: number[], namespace = 'default'): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { selector, ports: ports.map((port) => ({ name: `http-${port}`, port })) } };
}

/** One HTTP route to `host` (optionally a subset) with the given match blocks. */
export function route(host: string, match?: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...(match ? { match } : {}), route: [{ destination: { host, ...(extra.subset ? { subset: extra.subset } : {}) } }], ...omit(extra, 'subset') };
}

function omit(o: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _, ...rest } = o;
  return rest;
}

/** Simulates one request against the manifests. */
export function simulate(manifests: unknown[], request: SimulationRequest): SimulationResult {
  return RouteSimulator.fromManifests(manifests as any[]).simulate(request);
}

/** The index of the chosen route, or `undefined` when none matched. */
export function chosenIndex(result: SimulationResult): number | undefined {
  return result.route?.index;
}
