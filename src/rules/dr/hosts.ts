import { Severity } from '../../core/errors';
import { clusterLocal, fqdn, HostIndex, MESH_WIDE_HOSTS, namespaceWide } from '../../core/hosts';
import { arr, hasText, isRecord, isSet, pushTo } from '../../core/json';
import { labelKey, stringLabels } from '../../core/labels';
import { visibilitiesOverlap, Visibility, visibilityOf } from '../../core/visibility';
import { AppFinding, IstioObject, Rule, RuleContext } from '../../engine/types';
import { describe, namespaceOf } from '../../engine/view';
import { drHost, isWideMtlsRule, policiesOf } from '../../engine/view-dr';

/** The subset names of a DestinationRule, and whether it has subsets at all. */
function subsetsOf(o: IstioObject): { any: boolean; names: Set<string> } {
  const list = arr(o.spec.subsets);
  return { any: list.length > 0, names: new Set(list.filter((s) => isRecord(s) && hasText(s.name)).map((s) => s.name)) };
}

export const DR19: Rule = {
  code: 'DR-19', title: 'One DestinationRule per host and subset', severity: Severity.ERROR, levels: 'E', scope: 'app',
  kinds: ['DestinationRule'],
  why: 'When several DestinationRules of one namespace with overlapping exportTo target the same host (and workloadSelector), Istio merges them only partially and in an order-dependent way: a repeated subset, or a rule without subsets next to another, makes one rule\'s settings silently lose. Rules in different namespaces are not merged (Istio picks the client\'s, then the service\'s, then the root namespace\'s rule), so they are not compared. Mesh- and namespace-wide ISTIO_MUTUAL rules (wildcard hosts) are exempt.',
  fix: 'Merge the rules for the host into one DestinationRule (one place for its subsets and traffic policy), or make their exportTo disjoint.',
  upstream: 'KIA0201',
  checkApp(ctx: RuleContext): AppFinding[] {
    const buckets = new Map<string, IstioObject[]>();
    for (const dr of ctx.ofKind('DestinationRule')) {
      const host = drHost(dr);
      if (!host || isWideMtlsRule(dr)) continue;
      const selector = isRecord(dr.spec.workloadSelector) ? stringLabels(dr.spec.workloadSelector.matchLabels) : undefined;
      pushTo(buckets, `${host}\u0000${namespaceOf(dr)}\u0000${selector ? labelKey(selector) : ''}`, dr);
    }
    const out: AppFinding[] = [];
    for (const [key, rules] of buckets) {
      if (rules.length < 2) continue;
      const host = key.slice(0, key.indexOf('\u0000'));
      const seen: Array<{ dr: IstioObject; visibility: Visibility; subsets: { any: boolean; names: Set<string> } }> = [];
      for (const dr of rules) {
        const visibility = visibilityOf(dr.spec.exportTo, dr.namespace);
        const subsets = subsetsOf(dr);
        for (const earlier of seen) {
          if (!visibilitiesOverlap(visibility, earlier.visibility)) continue;
          if (!subsets.any || !earlier.subsets.any) {
            const without = !subsets.any ? 'this rule has no subsets' : `${describe(earlier.dr)} has no subsets`;
            out.push({ object: dr, value: host, message: `${describe(dr)} and ${describe(earlier.dr)} both target ${host} and ${without}, so their settings merge unpredictably`, fix: this.fix });
            continue;
          }
          const shared = [...subsets.names].filter((n) => earlier.subsets.names.has(n));
          if (shared.length > 0) {
            out.push({
              object: dr, value: shared.join(', '),
              message: `${describe(dr)} defines subset${shared.length > 1 ? 's' : ''} ${shared.map((n) => `"${n}"`).join(', ')} of ${host}, already defined by ${describe(earlier.dr)}`,
              fix: this.fix,
            });
          }
        }
        seen.push({ dr, visibility, subsets });
      }
    }
    return out;
  },
};

export const DR20: Rule = {
  code: 'DR-20', title: 'The host resolves to a Service or ServiceEntry', severity: Severity.ERROR, levels: 'E', scope: 'app',
  kinds: ['DestinationRule'],
  why: 'A DestinationRule whose host matches no Service or ServiceEntry configures nothing (often a typo or a short name resolved in the wrong namespace). Checked only when an inventory of what exists outside the App is declared (Rules.of(app).inventory, lint --inventory): the host is then known to be missing. Without an inventory the host may exist in the cluster, so the check is skipped rather than guessed. Mesh-wide hosts (*.local) are exempt.',
  fix: 'Fix the host (use the FQDN name.namespace.svc.cluster.local), add the Service or ServiceEntry to the App, or declare the host in the inventory (Rules.inventory.hosts).',
  upstream: 'IST0174, KIA0202',
  checkApp(ctx: RuleContext): AppFinding[] {
    if (!ctx.inventory) return [];
    const known = new HostIndex<true>();
    for (const s of ctx.services) known.add(`${s.name}.${namespaceOf(s)}.svc.cluster.local`, true);
    for (const se of ctx.ofKind('ServiceEntry')) {
      for (const h of arr(se.spec.hosts)) {
        if (!hasText(h)) continue;
        known.add(h, true);
        if (!h.includes('.')) known.add(fqdn(h, se.namespace), true);
      }
    }
    const inventory = ctx.inventory;
    for (const h of inventory?.hosts ?? []) if (hasText(h)) known.add(h, true);
    const namespaces = new Set(inventory?.namespaces ?? []);
    const out: AppFinding[] = [];
    for (const dr of ctx.ofKind('DestinationRule')) {
      const host = drHost(dr);
      if (!host || host === '*' || MESH_WIDE_HOSTS.has(host) || known.overlaps(host)) continue;
      const ns = namespaceWide(host);
      if (ns && namespaces.has(ns)) continue;
      out.push({ object: dr, value: host, message: `spec.host ${host} matches no Service or ServiceEntry in the App nor a host of the declared inventory, so the DestinationRule applies to nothing`, fix: this.fix });
    }
    return out;
  },
};

/** L7 features of a DestinationRule that need a waypoint in ambient mode, by policy level. */
function l7Features(o: IstioObject): string[] {
  const out: string[] = [];
  for (const { where, policy } of policiesOf(o.spec)) {
    if (isRecord(policy.connectionPool) && isSet(policy.connectionPool.http)) out.push(`${where}.connectionPool.http`);
    const hash = isRecord(policy.loadBalancer) && isRecord(policy.loadBalancer.consistentHash) ? policy.loadBalancer.consistentHash : {};
    for (const f of ['httpHeaderName', 'httpCookie', 'httpQueryParameterName']) if (isSet(hash[f])) out.push(`${where}.loadBalancer.consistentHash.${f}`);
    if (isSet(policy.outlierDetection)) out.push(`${where}.outlierDetection`);
  }
  return out;
}

export const DR21: Rule = {
  code: 'DR-21', title: '(Ambient) L7 DestinationRule settings sit in the service\'s namespace', severity: Severity.WARNING, levels: 'W', scope: 'app',
  kinds: ['DestinationRule'],
  optIn: true,
  why: 'In ambient mode, L7 settings (HTTP connection pool, HTTP-based consistent hashing, outlier detection) are applied by the waypoint, which reads DestinationRules from the service\'s namespace only; elsewhere they have no effect. Waypoint enrollment of the namespace or service (istio.io/use-waypoint) is not checked: Namespace and Service labels are not read by this engine.',
  fix: 'Move the DestinationRule into the namespace of the service it configures.',
  upstream: 'KIA0212 (KIA0210, KIA0211 not checked)',
  checkApp(ctx: RuleContext): AppFinding[] {
    const out: AppFinding[] = [];
    for (const dr of ctx.ofKind('DestinationRule')) {
      const host = drHost(dr);
      const local = host ? clusterLocal(host) : undefined;
      if (!local || local.namespace === namespaceOf(dr)) continue;
      const features = l7Features(dr);
      if (features.length === 0) continue;
      out.push({
        object: dr, value: namespaceOf(dr), allowed: local.namespace,
        message: `${describe(dr)} sets ${features.join(', ')} for ${host} from namespace ${namespaceOf(dr)}, but an ambient waypoint applies only rules in ${local.namespace}`,
        fix: this.fix,
      });
    }
    return out;
  },
};
