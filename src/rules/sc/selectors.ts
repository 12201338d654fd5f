import { Severity } from '../../core/errors';
import { isRecord, isSet, pushTo } from '../../core/json';
import { LabelIndex } from '../../core/label-index';
import { formatLabels, labelKey, labelMap, Labels, labelsWithin } from '../../core/labels';
import { ROOT_NAMESPACE } from '../../core/sidecar';
import { listCounted } from '../../core/text';
import { AppFinding, IstioObject, Rule, RuleContext, Workload } from '../../engine/types';
import { namespaceOf, nsName } from '../../engine/view';

/** The labels of a Sidecar's workloadSelector (`{}` when it has none: every workload), or `undefined` without a selector. */
export function sidecarSelector(sc: IstioObject): Labels | undefined {
  const ws = sc.spec.workloadSelector;
  return isRecord(ws) ? labelMap(ws.labels) ?? {} : undefined;
}

/** Workloads of the App indexed by pod labels. */
function podIndex(ctx: RuleContext): LabelIndex<Workload> {
  return ctx.memo('sc:pods', () => {
    const pods = new LabelIndex<Workload>();
    for (const w of ctx.workloads) pods.add(w, w.podLabels);
    return pods;
  });
}

/** Sidecars sharing one selector in one namespace. */
interface Group {
  readonly labels: Labels;
  readonly members: IstioObject[];
}

/** Others named per finding. */
const SHOWN = 3;

export const SC03: Rule = {
  code: 'SC-03', title: 'Each workload gets one Sidecar: one selector-less Sidecar per namespace, no overlapping selectors', severity: Severity.ERROR, levels: 'E', scope: 'app',
  kinds: ['Sidecar'],
  why: 'A workload is configured by one Sidecar: the one whose workloadSelector selects it, else its namespace\'s selector-less Sidecar. With two '
    + 'selector-less Sidecars in a namespace, or two Sidecars whose selectors select the same workload, Istio documents the behaviour as undefined '
    + '(istiod picks one by creation time), so which egress imports and ingress listeners a workload gets depends on apply order. Selectors '
    + 'overlap when they are equal, when one contains the other (an empty selector contains every one), or when a workload of the App in the '
    + 'namespace matches both.',
  fix: 'Keep one selector-less Sidecar per namespace (name it "default"), and give selector Sidecars disjoint selectors (e.g. different "app" '
    + 'labels), or merge them into one Sidecar.',
  upstream: 'IST0110 ConflictingSidecarWorkloadSelectors, IST0111 MultipleSidecarsWithoutWorkloadSelectors, KIA0002, KIA0003',
  checkApp(ctx: RuleContext): AppFinding[] {
    const byNs = new Map<string, IstioObject[]>();
    for (const sc of ctx.ofKind('Sidecar')) pushTo(byNs, namespaceOf(sc), sc);
    const pods = podIndex(ctx);
    const out: AppFinding[] = [];
    for (const [ns, sidecars] of byNs) {
      const bare = sidecars.filter((sc) => sidecarSelector(sc) === undefined);
      if (bare.length > 1) {
        for (const sc of bare) {
          const others = bare.filter((x) => x !== sc);
          out.push({
            object: sc, value: ns, allowed: 'one Sidecar without workloadSelector per namespace',
            message: `spec.workloadSelector is unset, as in ${listCounted(others.slice(0, SHOWN).map((x) => `Sidecar "${nsName(x)}"`), others.length)}: namespace ${ns} may have only one Sidecar without a workloadSelector`,
            fix: this.fix,
          });
        }
      }
      const groups = new Map<string, Group>();
      for (const sc of sidecars) {
        const labels = sidecarSelector(sc);
        if (labels === undefined) continue;
        const key = labelKey(labels);
        const group = groups.get(key) ?? { labels, members: [] };
        group.members.push(sc);
        groups.set(key, group);
      }
      /** A workload of the namespace both selectors select, when neither contains the other. */
      const shared = (a: Labels, b: Labels): Workload | undefined => {
        if (Object.keys(a).length === 0 || Object.keys(b).length === 0) return undefined;
        const inA = new Set(pods.matching(a).filter((w) => namespaceOf(w) === ns));
        return pods.matching(b).find((w) => inA.has(w));
      };
      const all = [...groups.values()];
      for (const group of all) {
        const clashes: Array<{ sc: IstioObject; why: string }> = [];
        for (const other of all) {
          if (other === group) {
            clashes.push(...group.members.map((sc) => ({ sc, why: 'the same selector' })));
            continue;
          }
          const contained = labelsWithin(group.labels, other.labels) || labelsWithin(other.labels, group.labels);
          const both = contained ? undefined : shared(group.labels, other.labels);
          if (!contained && !both) continue;
          const why = both ? `${formatLabels(other.labels)}; both select ${both.kind} "${nsName(both)}"` : formatLabels(other.labels);
          clashes.push(...other.members.map((sc) => ({ sc, why })));
        }
        for (const sc of group.members) {
          const others = clashes.filter((c) => c.sc !== sc);
          if (others.length === 0) continue;
          const shown = others.slice(0, SHOWN).map((c) => `Sidecar "${nsName(c.sc)}" (${c.why})`);
          out.push({
            object: sc, value: formatLabels(group.labels), allowed: 'selectors no workload shares',
            message: `spec.workloadSelector.labels ${formatLabels(group.labels)} can select the same workloads as ${listCounted(shown, others.length)}`,
            fix: this.fix,
          });
        }
      }
    }
    return out;
  },
};

export const SC04: Rule = {
  code: 'SC-04', title: 'Sidecar scope and outbound policy say what they mean', severity: Severity.WARNING, levels: 'W', scope: 'app',
  kinds: ['Sidecar'],
  why: `A Sidecar in the root namespace (${ROOT_NAMESPACE}) without a selector is the mesh-wide default; with a workloadSelector it only configures `
    + `matching workloads of ${ROOT_NAMESPACE}, which is rarely the intent. A workloadSelector without labels applies to every workload of the namespace `
    + 'and takes precedence over its selector-less Sidecar. An outboundTrafficPolicy without a mode is read as REGISTRY_ONLY (the zero value of the '
    + 'enum), not as the mesh default, so external calls may start failing. A selector that matches none of the workloads of its namespace in the App '
    + 'configures nothing (checked only when the App has workloads in that namespace). outboundTrafficPolicy.egressProxy is deprecated and ignored.',
  fix: 'Remove the workloadSelector from the root-namespace Sidecar (or move the Sidecar to the workloads\' namespace), give selectors the labels of the '
    + 'pods they target, set outboundTrafficPolicy.mode explicitly (REGISTRY_ONLY or ALLOW_ANY), and route through an egress gateway instead of egressProxy.',
  upstream: 'KIA1006, KIA1007, KIA0004, IST0101 (selector), IST0002, webhook SC1',
  checkApp(ctx: RuleContext): AppFinding[] {
    const pods = podIndex(ctx);
    const counts = new Map<string, number>();
    for (const w of ctx.workloads) counts.set(namespaceOf(w), (counts.get(namespaceOf(w)) ?? 0) + 1);
    const out: AppFinding[] = [];
    for (const sc of ctx.ofKind('Sidecar')) {
      const ns = namespaceOf(sc);
      const add = (message: string, value: unknown, fix: string) => out.push({ object: sc, message, value, fix });
      const labels = sidecarSelector(sc);
      if (labels !== undefined) {
        if (ns === ROOT_NAMESPACE) {
          add(`spec.workloadSelector ${formatLabels(labels)} in the root namespace ${ROOT_NAMESPACE} makes this Sidecar apply only to matching workloads of ${ROOT_NAMESPACE}, not as the mesh-wide default`, formatLabels(labels), 'Remove the workloadSelector to make it the mesh-wide default, or move the Sidecar to the namespace of its workloads.');
        }
        const total = counts.get(ns) ?? 0;
        if (Object.keys(labels).length === 0) {
          add(`spec.workloadSelector has no labels, so the Sidecar applies to every workload of namespace ${ns} (ahead of its selector-less Sidecar)`, '{}', 'Add the labels of the workloads to select, or remove the workloadSelector.');
        } else if (total > 0 && !pods.matching(labels).some((w) => namespaceOf(w) === ns)) {
          add(`spec.workloadSelector.labels ${formatLabels(labels)} matches none of the ${total} workload(s) of namespace ${ns} in the App`, formatLabels(labels), 'Use the pod template labels of the workloads to configure, e.g. { app: "reviews" }.');
        }
      }
      const policy = sc.spec.outboundTrafficPolicy;
      if (isRecord(policy) && policy.mode === undefined) {
        add('spec.outboundTrafficPolicy has no mode, which Istio reads as REGISTRY_ONLY (the enum\'s zero value), not as the mesh default', null, 'Set outboundTrafficPolicy.mode to REGISTRY_ONLY or ALLOW_ANY.');
      }
      if (isRecord(policy) && isSet(policy.egressProxy)) {
        add('spec.outboundTrafficPolicy.egressProxy is deprecated and ignored by Istio', policy.egressProxy, 'Remove egressProxy; send external traffic through an egress gateway (a VirtualService bound to it) instead.');
      }
    }
    return out;
  },
};
