import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';
import { Construct } from 'constructs';
import { checkHost, checkLabels, enforce, propError } from '../core/enforce';
import { isRecord } from '../core/json';
import { subsetLabelsProblem } from '../core/subsets';

/**
 * A service host: a hostname string (prefer the FQDN, e.g. `reviews.bookinfo.svc.cluster.local`), or a
 * cdk8s-plus `Service`, from which `name.namespace.svc.cluster.local` is derived.
 */
export type HostSource = string | kplus.Service;

/**
 * Where a subset's pods come from: a cdk8s-plus `Deployment` (its pod template labels, without the
 * `cdk8s.io/` bookkeeping labels) or explicit `{ labels }`.
 */
export type SubsetSource = kplus.Deployment | { readonly labels: Record<string, string> };


/**
 * Resolves a {@link HostSource} to a host. A `Service` becomes `name.namespace.svc.cluster.local` (namespace
 * from the Service, else its Chart), or its short name when no namespace is known. X-03 for a malformed host
 * string, PROP for anything else.
 */
export function resolveHost(source: HostSource, scope: Construct, prop: string): string {
  const path = scope.node.path;
  if (typeof source === 'string') return checkHost(source, { path, prop });
  if (source instanceof kplus.Service) {
    const namespace = source.metadata.namespace ?? Chart.of(source).namespace;
    return namespace ? `${source.name}.${namespace}.svc.cluster.local` : source.name;
  }
  return propError({ path, prop }, {
    value: source, expected: 'a hostname string or a cdk8s-plus Service',
    message: `${prop} is neither a hostname nor a cdk8s-plus Service`, fix: `Pass a host such as "reviews.bookinfo.svc.cluster.local" or a kplus.Service.`,
  });
}

const CDK8S_LABEL_PREFIX = 'cdk8s.io/';

/**
 * Labels that select a subset's pods: explicit labels, or a Deployment's pod template labels without the
 * `cdk8s.io/` bookkeeping labels. DR-03 when nothing is left, X-08 on bad label syntax, PROP for anything else.
 */
export function resolveSubsetLabels(source: SubsetSource, scope: Construct, prop: string): Record<string, string> {
  const path = scope.node.path;
  let labels: Record<string, string>;
  if (source instanceof kplus.Deployment) {
    const all = source.podMetadata.toJson().labels ?? {};
    labels = {};
    for (const key of Object.keys(all)) {
      if (!key.startsWith(CDK8S_LABEL_PREFIX)) labels[key] = all[key];
    }
  } else if (isRecord(source) && isRecord(source.labels)) {
    labels = source.labels as Record<string, string>;
  } else {
    return propError({ path, prop }, {
      value: source, expected: 'a kplus.Deployment or { labels }',
      message: `${prop} is neither a cdk8s-plus Deployment nor { labels }`, fix: `Pass ${prop}: { labels: { version: 'v2' } } or a kplus.Deployment.`,
    });
  }
  enforce(subsetLabelsProblem, [labels], {
    path, prop: `${prop}.labels`, value: '{}', allowed: 'at least one label',
    message: () => `${prop} selects no labels, so the subset would match every pod of the service`,
    fix: source instanceof kplus.Deployment
      ? `Give the Deployment's pods a distinguishing label, e.g. podMetadata: { labels: { version: 'v2' } }.`
      : `Give ${prop} labels that only its pods carry, e.g. { labels: { version: 'v2' } }.`,
  });
  return checkLabels(labels, { path, prop: `${prop}.labels` });
}

/** The first DNS label of a host, e.g. `reviews` for `reviews.bookinfo.svc.cluster.local`. */
export function shortName(host: string): string {
  return host.replace(/^\*\./, 'wildcard.').split('.')[0].toLowerCase();
}
