import { Severity } from '../../core/errors';
import { clusterLocal, fqdn, HostIndex, MESH_WIDE_HOSTS, namespaceWide } from '../../core/hosts';
import { arr, hasText, isRecord, isSet, pushTo } from '../../core/json';
import { labelKey, stringLabels } from '../../core/labels';
import { mergeAscending } from '../../core/ordered';
import { listSome, SHOWN_IN_FINDINGS } from '../../core/text';
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
      const shapes = new ShapeIndex();
      for (const dr of rules) {
        const shape = shapes.shapeOf(dr);
        // The earlier rules this one conflicts with, shape by shape in order; counted up to a bound.
        let earlier: RuleShape | undefined;
        let count = 0;
        let cut = false;
        for (const other of shapes.candidates(shape)) {
          if (count > COUNTED) {
            cut = true;
            break;
          }
          if (other.members.length === 0 || !shapesConflict(shape, other)) continue;
          earlier ??= other;
          count += other.members.length;
        }
        shape.members.push(dr);
        if (!earlier) continue;
        const first = earlier.members[0];
        const others = count - 1;
        const more = others > 0 ? ` (and ${cut ? 'at least ' : ''}${others} more earlier DestinationRule${others === 1 ? '' : 's'} for the host)` : '';
        if (!shape.subsets.any || !earlier.subsets.any) {
          const without = !shape.subsets.any ? 'this rule has no subsets' : `${describe(first)} has no subsets`;
          out.push({ object: dr, value: host, message: `${describe(dr)} and ${describe(first)} both target ${host} and ${without}, so their settings merge unpredictably${more}`, fix: this.fix });
          continue;
        }
        // In this rule's own order (the shape keeps its first rule's).
        const shared = [...subsetsOf(dr).names].filter((n) => earlier!.subsets.names.has(n));
        out.push({
          object: dr, value: listSome(shared, SHOWN_IN_FINDINGS),
          message: `${describe(dr)} defines subset${shared.length > 1 ? 's' : ''} ${listSome(shared.map((n) => `"${n}"`), SHOWN_IN_FINDINGS)} of ${host}, already defined by ${describe(first)}${more}`,
          fix: this.fix,
        });
      }
    }
    return out;
  },
};

/** Earlier conflicting rules counted per finding (about; whole shapes count at once); past it the message says "at least". */
const COUNTED = 100;

/** DestinationRules of one host that Istio merges alike: the same exportTo and the same subset names. */
interface RuleShape {
  /** Order of appearance among the host's shapes. */
  readonly id: number;
  readonly visibility: Visibility;
  readonly subsets: { any: boolean; names: Set<string> };
  /** The rules of this shape so far, in order. */
  readonly members: IstioObject[];
}

/** Whether rules of two shapes conflict: some namespace sees both, and a subset repeats or one has no subsets. */
function shapesConflict(a: RuleShape, b: RuleShape): boolean {
  if (!visibilitiesOverlap(a.visibility, b.visibility)) return false;
  if (!a.subsets.any || !b.subsets.any) return true;
  const [small, large] = a.subsets.names.size <= b.subsets.names.size ? [a.subsets.names, b.subsets.names] : [b.subsets.names, a.subsets.names];
  for (const n of small) if (large.has(n)) return true;
  return false;
}

/**
 * The shapes of one host's DestinationRules, indexed by the namespaces that see them and by their subset
 * names. Copies of one rule share a shape, and a rule is compared only with the shapes that see one of its
 * namespaces or share a subset (whichever are fewer), never with every earlier rule.
 */
class ShapeIndex {
  private readonly byKey = new Map<string, RuleShape>();
  /** Shapes seen by some namespace, and those seen by all. */
  private readonly seen: RuleShape[] = [];
  private readonly everyone: RuleShape[] = [];
  private readonly byNamespace = new Map<string, RuleShape[]>();
  /** Seen shapes without subsets, and by subset name. */
  private readonly withoutSubsets: RuleShape[] = [];
  private readonly bySubset = new Map<string, RuleShape[]>();

  /** The shape of `dr`, added when new. */
  public shapeOf(dr: IstioObject): RuleShape {
    const visibility = visibilityOf(dr.spec.exportTo, dr.namespace);
    const subsets = subsetsOf(dr);
    const key = JSON.stringify([visibility.all ? '*' : [...visibility.namespaces].sort(), subsets.any ? [...subsets.names].sort() : '-']);
    const known = this.byKey.get(key);
    if (known) return known;
    const shape: RuleShape = { id: this.byKey.size, visibility, subsets, members: [] };
    this.byKey.set(key, shape);
    // Exported to nobody, a rule conflicts with none.
    if (!visibility.all && visibility.namespaces.size === 0) return shape;
    this.seen.push(shape);
    if (visibility.all) this.everyone.push(shape);
    for (const ns of visibility.namespaces) pushTo(this.byNamespace, ns, shape);
    if (!subsets.any) this.withoutSubsets.push(shape);
    for (const name of subsets.names) pushTo(this.bySubset, name, shape);
    return shape;
  }

  /** The shapes whose rules may conflict with `shape`'s (itself included), in order of appearance. */
  public candidates(shape: RuleShape): Iterable<RuleShape> {
    const { visibility, subsets } = shape;
    if (!visibility.all && visibility.namespaces.size === 0) return [];
    const seeing = visibility.all ? [this.seen] : [this.everyone, ...[...visibility.namespaces].map((ns) => this.byNamespace.get(ns) ?? [])];
    const sharing = subsets.any ? [this.withoutSubsets, ...[...subsets.names].map((n) => this.bySubset.get(n) ?? [])] : undefined;
    const size = (lists: RuleShape[][]) => lists.reduce((n, l) => n + l.length, 0);
    return mergeAscending(sharing && size(sharing) < size(seeing) ? sharing : seeing, (s) => s.id);
  }
}

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
