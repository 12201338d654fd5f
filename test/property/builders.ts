/** Builders: specs (arbitraries.ts) → construct props, creating the referenced cdk8s-plus objects in the chart. */
import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';
import { BackendSpec, CanarySpec, HostSpec, SubsetSpec } from './arbitraries';
import { CanaryServiceProps } from '../../src/constructs/canary-service';
import { Subset } from '../../src/constructs/refs';
import { ResilientBackendProps } from '../../src/constructs/resilient-backend';

/** The host the construct will route, as the rules see it (for the inventory). */
export function hostOf(spec: HostSpec, chart: Chart): string {
  if (spec.kind === 'fqdn') return `${spec.service}.${spec.namespace}.svc.cluster.local`;
  if (spec.kind === 'short') return spec.service;
  const ns = spec.namespace ?? chart.namespace;
  return ns ? `${spec.service}.${ns}.svc.cluster.local` : spec.service;
}

/** Creates the host props: `host` (a string), or `service` (a cdk8s-plus Service in the chart). */
export function buildHost(spec: HostSpec, chart: Chart, selectLabels?: Record<string, string>, idPrefix = ''): { host: string } | { service: kplus.Service } {
  if (spec.kind !== 'service') return { host: hostOf(spec, chart) };
  return { service: new kplus.Service(chart, `${idPrefix}svc-${spec.service}`, {
    metadata: { name: spec.service, ...(spec.namespace ? { namespace: spec.namespace } : {}) },
    ports: spec.ports.map((port, i) => ({ port, name: `http-${i}` })),
    ...(spec.selector && selectLabels ? { selector: kplus.Pods.select(chart, `${idPrefix}pods-${spec.service}`, { labels: selectLabels }) } : {}),
  }) };
}

/** Creates the subset: `Subset.fromLabels` or `Subset.fromWorkload` of a cdk8s-plus Deployment whose pods carry the labels. */
export function buildSubset(spec: SubsetSpec, chart: Chart, id: string, extraPodLabels: Record<string, string> = {}): Subset {
  if (spec.kind === 'labels') return Subset.fromLabels({ ...spec.labels });
  return Subset.fromWorkload(new kplus.Deployment(chart, id, {
    podMetadata: { labels: { ...extraPodLabels, ...spec.labels } },
    containers: [{ image: 'nginx', portNumber: 8080, securityContext: { ensureNonRoot: false } }],
  }));
}

/** CanaryService props for a spec, creating the referenced cdk8s-plus objects in `chart`. */
export function canaryProps(spec: CanarySpec, chart: Chart, idPrefix = ''): CanaryServiceProps {
  const h = spec.host;
  // Pods of a selecting Service carry its selector label as well as the subset labels.
  const selector = h.kind === 'service' && h.selector ? { 'app.kubernetes.io/part-of': h.service } : undefined;
  const selectorExtra = selector ?? {};
  return {
    ...buildHost(h, chart, selector, idPrefix),
    stable: buildSubset(spec.stable, chart, `${idPrefix}deploy-stable`, selectorExtra),
    canary: buildSubset(spec.canary, chart, `${idPrefix}deploy-canary`, selectorExtra),
    ...(spec.canaryWeight !== undefined ? { canaryWeight: spec.canaryWeight } : {}),
    ...(spec.stableSubsetName ? { stableSubsetName: spec.stableSubsetName } : {}),
    ...(spec.canarySubsetName ? { canarySubsetName: spec.canarySubsetName } : {}),
    ...(spec.testMatches ? { testMatches: spec.testMatches } : {}),
    ...(spec.testRouteName ? { testRouteName: spec.testRouteName } : {}),
    ...(spec.primaryRouteName ? { primaryRouteName: spec.primaryRouteName } : {}),
    ...(spec.mirrorPercentage !== undefined ? { mirrorPercentage: spec.mirrorPercentage } : {}),
    ...(spec.gateways ? { gateways: spec.gateways } : {}),
    ...(spec.extraHosts ? { hosts: spec.extraHosts } : {}),
    ...(spec.port !== undefined ? { port: spec.port } : {}),
    ...(spec.name ? { name: spec.name } : {}),
    ...(spec.namespace ? { namespace: spec.namespace } : {}),
    ...(spec.resilience.retries ? { retries: spec.resilience.retries } : {}),
    ...(spec.resilience.timeout ? { timeout: spec.resilience.timeout } : {}),
    ...spec.policy,
    ...(spec.entryPoint !== undefined ? { entryPoint: spec.entryPoint } : {}),
  };
}

/** ResilientBackend props for a spec. */
export function backendProps(spec: BackendSpec, chart: Chart, idPrefix = ''): ResilientBackendProps {
  return {
    ...buildHost(spec.host, chart, undefined, idPrefix),
    ...(spec.routeName ? { routeName: spec.routeName } : {}),
    ...(spec.port !== undefined ? { port: spec.port } : {}),
    ...(spec.name ? { name: spec.name } : {}),
    ...(spec.namespace ? { namespace: spec.namespace } : {}),
    ...(spec.resilience.retries ? { retries: spec.resilience.retries } : {}),
    ...(spec.resilience.timeout ? { timeout: spec.resilience.timeout } : {}),
    ...spec.policy,
    ...(spec.fault ? { faultInjection: spec.fault } : {}),
    ...(spec.entryPoint !== undefined ? { entryPoint: spec.entryPoint } : {}),
  };
}
