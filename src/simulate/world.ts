import { Severity } from '../core/errors';
import { resolveGatewayRef, MESH_GATEWAY } from '../core/gateway-ref';
import { fqdn, hostMatches, isWildcardHost, normalizeHost } from '../core/hosts';
import { arr, isRecord, pushTo } from '../core/json';
import { Visibility, visibilityOf } from '../core/visibility';
import { AnalyzeOptions, analyzeWith, ManifestInput } from '../engine/analyze';
import { IstioObject, Rule, RuleContext, ServiceInfo, Workload } from '../engine/types';
/**
 * The input of a simulation, read once: the objects the rule engine reads (`analyzeWith`, so Flagger-generated
 * objects, later-file-wins and the workload/Service context are the same as in `lint` and at synth), with every
 * host resolved and every namespace defaulted.
 */

/** A VirtualService as the simulator reads it. */
export interface VsEntry {
  readonly object: IstioObject;
  /** `namespace/name`. */
  readonly id: string;
  readonly namespace: string;
  /** `spec.hosts`, resolved (short names in the VirtualService's namespace). */
  readonly hosts: string[];
  /** `spec.gateways` resolved to `namespace/name` (and `mesh`); `['mesh']` when unset. */
  readonly gateways: string[];
  readonly visibility: Visibility;
  /** Position in the input (stands for the creation time Istio orders conflicting objects by). */
  readonly order: number;
}

/** A DestinationRule as the simulator reads it. */
export interface DrEntry {
  readonly object: IstioObject;
  readonly id: string;
  readonly namespace: string;
  /** Position in the input. */
  readonly order: number;
  /** `spec.host`, resolved. */
  readonly host: string;
  readonly visibility: Visibility;
  /** `spec.workloadSelector.matchLabels`, if set. */
  readonly selector?: Record<string, string>;
}

/** Options of reading the input. */
export interface WorldOptions {
  /** Namespace of objects that set none. @default "default" */
  readonly namespace?: string;
  /** Istio's root configuration namespace (last on the DestinationRule lookup path). @default "istio-system" */
  readonly rootNamespace?: string;
  /** As `lint`: a later file's object replaces an earlier one with the same identity. @default false */
  readonly laterFileWins?: boolean;
}

/** Everything a simulation reads. */
export interface World {
  readonly defaultNamespace: string;
  readonly rootNamespace: string;
  readonly virtualServices: readonly VsEntry[];
  readonly destinationRules: readonly DrEntry[];
  /** Gateways by `namespace/name`. */
  readonly gateways: ReadonlyMap<string, IstioObject>;
  /** Kubernetes Services by FQDN. */
  readonly services: ReadonlyMap<string, ServiceInfo>;
  /** Hosts of ServiceEntries (resolved). */
  readonly serviceEntryHosts: ReadonlySet<string>;
  readonly workloads: readonly Workload[];
  /** The VirtualServices with a host pattern that matches `host` (an exact one or a wildcard), in input order. */
  readonly virtualServicesFor: (host: string) => readonly VsEntry[];
  /** The DestinationRules whose host matches `host`, in input order. */
  readonly destinationRulesFor: (host: string) => readonly DrEntry[];
}

/**
 * `entries` looked up by a host their patterns match: exact patterns from a map, wildcards by a scan of the (few)
 * entries that have one, so a request costs its matches, not the whole input.
 */
function hostIndex<T extends { readonly order: number }>(entries: readonly T[], patterns: (e: T) => readonly string[]): (host: string) => readonly T[] {
  const exact = new Map<string, T[]>();
  const wildcard: T[] = [];
  for (const e of entries) {
    let wild = false;
    for (const p of new Set(patterns(e))) {
      if (isWildcardHost(p)) wild = true;
      else pushTo(exact, p, e);
    }
    if (wild) wildcard.push(e);
  }
  return (host) => {
    const found = exact.get(host) ?? [];
    const wild = wildcard.filter((e) => patterns(e).some((p) => isWildcardHost(p) && hostMatches(p, host)));
    if (wild.length === 0) return found;
    return [...new Set([...found, ...wild])].sort((a, b) => a.order - b.order);
  };
}

/** Reads manifests into a {@link World}. */
export function readWorld(inputs: readonly ManifestInput[], options: WorldOptions = {}): World {
  let context: RuleContext | undefined;
  const capture: Rule = {
    code: 'SIMULATE', title: 'reads the input of a route simulation', severity: Severity.WARNING, levels: 'W', scope: 'app',
    why: 'internal', fix: 'none', upstream: 'none', kinds: [],
    checkApp: (ctx) => {
      context = ctx;
      return [];
    },
  };
  const analyzeOptions: AnalyzeOptions = { schema: false, ...(options.laterFileWins ? { laterFileWins: true } : {}) };
  analyzeWith([capture], inputs, analyzeOptions);
  return worldOf(context!, options);
}

/**
 * The {@link World} of what a rule run read (its context: the objects, workloads and Services): the traffic report
 * builds its simulator from the synth's own analysis this way instead of reading the manifests again.
 */
export function worldOf(context: Pick<RuleContext, 'objects' | 'services' | 'workloads'>, options: Pick<WorldOptions, 'namespace' | 'rootNamespace'> = {}): World {
  const defaultNamespace = options.namespace ?? 'default';
  const nsOf = (o: { namespace?: string }) => o.namespace ?? defaultNamespace;
  const objects = context.objects;
  const virtualServices: VsEntry[] = [];
  const destinationRules: DrEntry[] = [];
  const gateways = new Map<string, IstioObject>();
  const serviceEntryHosts = new Set<string>();
  objects.forEach((o, order) => {
    const namespace = nsOf(o);
    const id = `${namespace}/${o.name}`;
    const spec = isRecord(o.spec) ? o.spec : {};
    if (o.kind === 'VirtualService') {
      const refs = arr(spec.gateways).filter((g): g is string => typeof g === 'string');
      virtualServices.push({
        object: o, id, namespace, order,
        hosts: arr(spec.hosts).filter((h): h is string => typeof h === 'string' && h !== '').map((h) => fqdn(h, namespace)),
        gateways: refs.length === 0 ? [MESH_GATEWAY] : refs.map((g) => (g === MESH_GATEWAY ? g : resolveGatewayRef(g, namespace) ?? g)),
        visibility: visibilityOf(spec.exportTo, namespace),
      });
    } else if (o.kind === 'DestinationRule' && typeof spec.host === 'string' && spec.host !== '') {
      const selector = isRecord(spec.workloadSelector) && isRecord(spec.workloadSelector.matchLabels) ? spec.workloadSelector.matchLabels : undefined;
      destinationRules.push({
        object: o, id, namespace, order, host: fqdn(spec.host, namespace), visibility: visibilityOf(spec.exportTo, namespace),
        ...(selector && Object.keys(selector).length > 0 ? { selector } : {}),
      });
    } else if (o.kind === 'Gateway') {
      gateways.set(id, o);
    } else if (o.kind === 'ServiceEntry') {
      for (const h of arr(spec.hosts)) if (typeof h === 'string') serviceEntryHosts.add(fqdn(h, namespace));
    }
  });
  const services = new Map<string, ServiceInfo>();
  for (const s of context.services) services.set(`${normalizeHost(s.name)}.${nsOf(s)}.svc.cluster.local`, s);
  return {
    defaultNamespace, rootNamespace: options.rootNamespace ?? 'istio-system', virtualServices, destinationRules, gateways, services, serviceEntryHosts,
    virtualServicesFor: hostIndex(virtualServices, (vs) => vs.hosts),
    destinationRulesFor: hostIndex(destinationRules, (dr) => [dr.host]),
    workloads: context.workloads.map((w) => (w.namespace === undefined ? { ...w, namespace: defaultNamespace } : w)),
  };
}

/** Whether `namespace` sees an object of the given visibility. */
export function visibleFrom(visibility: Visibility, namespace: string): boolean {
  return visibility.all || visibility.namespaces.has(namespace);
}
