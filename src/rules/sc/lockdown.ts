import { Severity } from '../../core/errors';
import { fqdn, HostIndex, isWildcardHost, normalizeHost } from '../../core/hosts';
import { isIpAddress } from '../../core/ip';
import { arr, hasText, isRecord } from '../../core/json';
import { egressLockdownProblem, inClusterFqdn, inClusterHostSet, outboundModeOf, RegistryEntry, ROOT_NAMESPACE, serviceEntryRegistration } from '../../core/sidecar';
import { CALLS_ANNOTATION } from '../../engine/intent';
import { AppFinding, IstioObject, Rule, RuleContext } from '../../engine/types';
import { label, namespaceOf, nsName } from '../../engine/view';
import { sidecarSelector } from './selectors';

/** The egress hosts a Sidecar imports: every listener's hosts; a Sidecar without egress listeners imports everything. */
export function importedHosts(sc: IstioObject): string[] {
  const listeners = arr(sc.spec.egress).filter(isRecord);
  if (listeners.length === 0) return ['*/*'];
  return listeners.flatMap((l) => arr(l.hosts).filter((h): h is string => typeof h === 'string'));
}

/** What SC-05 looks hosts up in: ServiceEntries and inventory hosts by host, and the in-cluster FQDNs of the input. */
interface Registry {
  readonly entries: HostIndex<RegistryEntry>;
  readonly serviceEntries: number;
  readonly inCluster: ReadonlySet<string>;
}

export function registryOf(ctx: RuleContext): Registry {
  return ctx.memo('sc:registry', () => {
    const entries = new HostIndex<RegistryEntry>();
    const serviceEntries = ctx.ofKind('ServiceEntry');
    for (const se of serviceEntries) {
      const entry = serviceEntryRegistration(se.name, se.namespace, se.spec);
      for (const h of entry.hosts) entries.add(h, entry);
    }
    for (const h of arr(ctx.inventory?.hosts).filter(hasText)) {
      entries.add(h, { what: `inventory host "${h}"`, hosts: [normalizeHost(h)], visibility: { all: true, namespaces: new Set() } });
    }
    const inCluster = inClusterHostSet(ctx.services, [
      ...ctx.ofKind('VirtualService').flatMap((vs) => arr(vs.spec.hosts).filter(hasText).map((host) => ({ host, namespace: vs.namespace }))),
      ...ctx.ofKind('DestinationRule').filter((dr) => hasText(dr.spec.host)).map((dr) => ({ host: dr.spec.host as string, namespace: dr.namespace })),
    ]);
    return { entries, serviceEntries: serviceEntries.length, inCluster };
  });
}

/**
 * Whether a called host (an FQDN) stays in the cluster: a `*.svc.cluster.local` name, or the Kubernetes search-path
 * form (`name.namespace`, `name.namespace.svc`) of a Service or Istio host in the input.
 */
export function staysInCluster(host: string, inCluster: ReadonlySet<string>): boolean {
  return inClusterFqdn(host, inCluster) !== undefined;
}

/** The selector-less Sidecar of each namespace (the first one, when SC-03 finds several). */
export function namespaceDefaults(ctx: RuleContext): Map<string, IstioObject> {
  const out = new Map<string, IstioObject>();
  for (const sc of ctx.ofKind('Sidecar')) {
    const ns = namespaceOf(sc);
    if (sidecarSelector(sc) === undefined && !out.has(ns)) out.set(ns, sc);
  }
  return out;
}

export const SC05: Rule = {
  code: 'SC-05', title: 'Under a REGISTRY_ONLY Sidecar, every external host a service calls has a visible, imported ServiceEntry', severity: Severity.ERROR, levels: 'E', scope: 'app',
  kinds: ['Sidecar'],
  why: 'With outboundTrafficPolicy REGISTRY_ONLY (set, or an outboundTrafficPolicy without mode), a sidecar only forwards to hosts in its registry: a host '
    + 'outside the cluster is reachable only through a ServiceEntry that is exported to the caller\'s namespace (exportTo, default "*"; "." is the '
    + 'ServiceEntry\'s own namespace) and that the Sidecar\'s egress hosts import ("<ServiceEntry namespace>/<host>", "<namespace>/*" or "*/<host>"; '
    + '"." is the workload\'s namespace). Anything else goes to the BlackHoleCluster: plain HTTP calls get a 502, HTTPS and other TLS calls fail the '
    + 'TLS handshake or see the connection reset, on every request, while the same call works in a namespace without the lockdown. Checked for the hosts '
    + 'each object declares it calls (intent facts, or the calls annotation), in every namespace whose selector-less Sidecar is REGISTRY_ONLY, or that '
    + `inherits the selector-less Sidecar of the root namespace ${ROOT_NAMESPACE}. Hosts that stay in the cluster (*.svc.cluster.local, or name.namespace `
    + 'of a Service or Istio host in the input), IP addresses and wildcards are not checked, nor are the egress listeners\' ports. Hosts declared in the '
    + 'inventory count as ServiceEntries of an unknown namespace. When the input is not everything that is applied (lint without --complete) and holds no '
    + 'ServiceEntry, the calls are noted as not checked.',
  fix: 'Add a ServiceEntry for the host (exportTo "." in the caller\'s namespace, or the caller\'s namespace listed), and import it in an egress listener '
    + 'of the Sidecar ("./api.example.com" or "<ServiceEntry namespace>/api.example.com"); or stop declaring the call, or use mode ALLOW_ANY.',
  upstream: 'Derived: Istio REGISTRY_ONLY outbound traffic (BlackHoleCluster), Sidecar egress imports; KIA1004, IST0101 (host)',
  checkApp(ctx: RuleContext): AppFinding[] {
    const callers = ctx.objects.filter((o) => (o.facts.calls ?? []).length > 0);
    if (callers.length === 0) return [];
    const defaults = namespaceDefaults(ctx);
    const root = defaults.get(ROOT_NAMESPACE);
    const registry = registryOf(ctx);
    const out: AppFinding[] = [];
    for (const caller of callers) {
      const ns = namespaceOf(caller);
      const own = defaults.get(ns);
      const sc = own ?? root;
      if (!sc || outboundModeOf(sc.spec) !== 'REGISTRY_ONLY') continue;
      const egress = importedHosts(sc);
      const annotated = hasText(caller.manifest?.metadata?.annotations?.[CALLS_ANNOTATION]);
      const where = annotated ? `metadata.annotations["${CALLS_ANNOTATION}"]: ` : '';
      const sidecar = own ? `Sidecar "${nsName(sc)}"` : `the mesh-wide default Sidecar "${nsName(sc)}"`;
      for (const call of caller.facts.calls ?? []) {
        if (!hasText(call)) continue;
        const host = fqdn(call, ns);
        if (isWildcardHost(host) || isIpAddress(host) || staysInCluster(host, registry.inCluster)) continue;
        const candidates = [...new Set(registry.entries.lookup(host))];
        if (candidates.length === 0 && !ctx.complete && registry.serviceEntries === 0) {
          ctx.notChecked(`egress of ${label(caller)} (${caller.path}) to "${host}" under REGISTRY_ONLY ${sidecar}: no ServiceEntry in the input or the inventory`);
          continue;
        }
        const problem = egressLockdownProblem(host, ns, egress, candidates);
        if (!problem) continue;
        out.push({
          object: caller, value: host, allowed: 'hosts of ServiceEntries visible to the namespace and imported by the Sidecar',
          message: `${where}${label(caller)} in namespace ${ns} calls "${host}", but ${sidecar} sets outboundTrafficPolicy REGISTRY_ONLY and ${problem}`,
          fix: this.fix,
        });
      }
    }
    return out;
  },
};
