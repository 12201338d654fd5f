import * as kplus from 'cdk8s-plus-33';

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
