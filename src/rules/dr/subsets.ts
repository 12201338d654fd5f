import { Severity } from '../../core/errors';
import { clusterLocal, fqdn, hostMatches, isWildcardHost } from '../../core/hosts';
import { arr, hasText, isRecord, pushTo } from '../../core/json';
import { formatLabels, labelKey, labelsWithin, stringLabels } from '../../core/labels';
import { subsetLabelsProblem, subsetsOverlapProblem } from '../../core/subsets';
import { AppFinding, Finding, IstioObject, Rule, RuleContext, ServiceInfo, Workload } from '../../engine/types';
import { describe, namespaceOf } from '../../engine/view';
import { drHost, subsetLabel } from '../../engine/view-dr';
import { destinationsOf, routeLabel, SECTIONS } from '../../engine/view-vs';

/** `Deployment "reviews-v1" (app=reviews,version=v1)` for messages, at most `max` of them. */
function describeWorkloads(workloads: readonly Workload[], max = 3): string {
  const shown = workloads.slice(0, max).map((w) => `${w.kind} "${w.name}" ${formatLabels(w.podLabels)}`);
  return workloads.length > max ? `${shown.join(', ')} and ${workloads.length - max} more` : shown.join(', ');
}

export const DR04: Rule = {
  code: 'DR-04', title: 'Subsets are distinct and select pods of the service', severity: Severity.ERROR, levels: 'E/W', scope: 'app',
  kinds: ['DestinationRule'],
  why: 'Two subsets that one VirtualService route splits traffic between must be distinct: with identical labels both select the same pods, '
    + 'and when one label set contains the other the broader subset also selects the other\'s pods, so the split is not the one it states (error; '
    + 'Istio accepts it, Kiali KIA0203 only flags identical labels — the stricter reading is the one CanaryService always enforced). '
    + 'Two subsets with the same labels that are not split together are indistinguishable (warning). A subset whose labels, merged with the Service selector, match no pod gets no endpoints and fails with 503 (UH): an error when the Service and its workloads are in the App, a warning when the Service is in the App but its workloads are not (they cannot be checked). Checked only for cluster-local hosts whose Service (or, without a Service, workloads labelled app=<name>) is in the App.',
  fix: 'Use labels only the intended pods carry (e.g. version: v2), consistent with the Service selector; give each subset its own label set.',
  upstream: 'IST0173, KIA0203 (made config-only via the App)',
  checkApp(ctx: RuleContext): AppFinding[] {
    const services = new Map<string, ServiceInfo>();
    for (const s of ctx.services) {
      const host = `${s.name}.${namespaceOf(s)}.svc.cluster.local`.toLowerCase();
      if (!services.has(host)) services.set(host, s);
    }
    const byLabel = new Map<string, Workload[]>();
    for (const w of ctx.workloads) {
      for (const k of Object.keys(w.podLabels)) pushTo(byLabel, `${namespaceOf(w)}\u0000${k}=${w.podLabels[k]}`, w);
    }
    /** Workloads of `namespace` whose pods carry every label of `labels` (looked up by the rarest label). */
    const selected = (namespace: string, labels: Readonly<Record<string, string>>): Workload[] => {
      let best: Workload[] | undefined;
      for (const k of Object.keys(labels)) {
        const list = byLabel.get(`${namespace}\u0000${k}=${labels[k]}`) ?? [];
        if (!best || list.length < best.length) best = list;
      }
      return (best ?? []).filter((w) => labelsWithin(labels, w.podLabels));
    };
    const podsOf = new Map<ServiceInfo, Workload[]>();
    const splits = splitPairs(ctx.ofKind('VirtualService'));
    const out: AppFinding[] = [];
    for (const dr of ctx.ofKind('DestinationRule')) {
      const subsets = arr(dr.spec.subsets).map((s, i) => ({ id: isRecord(s) ? s.name : undefined, name: subsetLabel(s, i), labels: stringLabels(isRecord(s) ? s.labels : undefined) }))
        .filter((s): s is LabelledSubset => s.labels !== undefined);
      const host = drHost(dr);
      const split = (host && splits.get(host)) || undefined;
      const seen = new Map<string, LabelledSubset>();
      for (const s of subsets) {
        const key = labelKey(s.labels);
        const earlier = seen.get(key);
        if (!earlier) {
          seen.set(key, s);
        } else if (!split?.has(pairKey(earlier.id, s.id))) {
          out.push({ object: dr, severity: Severity.WARNING, value: formatLabels(s.labels), message: `${s.name} has the same labels ${formatLabels(s.labels)} as ${earlier.name}, so both select the same pods`, fix: 'Give each subset a label set of its own, or remove the duplicate subset.' });
        }
      }
      if (split) out.push(...splitOverlaps(dr, subsets, split));
      const local = host ? clusterLocal(host) : undefined;
      if (!host || !local) continue;
      const service = services.get(host);
      if (service) {
        const selector = service.selector;
        if (!selector || Object.keys(selector).length === 0) continue;
        let pods = podsOf.get(service);
        if (!pods) {
          pods = selected(local.namespace, selector);
          podsOf.set(service, pods);
        }
        for (const s of subsets) out.push(...matchService(dr, s, service, selector, pods, host));
      } else if (ctx.workloads.length > 0) {
        const pods = [...new Set([...selected(local.namespace, { app: local.name }), ...selected(local.namespace, { 'app.kubernetes.io/name': local.name })])];
        if (pods.length === 0) continue;
        for (const s of subsets) {
          if (pods.some((w) => labelsWithin(s.labels, w.podLabels))) continue;
          out.push({
            object: dr, severity: Severity.WARNING, value: formatLabels(s.labels),
            message: `${s.name} labels ${formatLabels(s.labels)} match none of the workloads of ${host} in the App (${describeWorkloads(pods)}); its Service is not in the App, so this is not certain`,
            fix: this.fix,
          });
        }
      }
    }
    return out;
  },
};

type LabelledSubset = { readonly id: unknown; readonly name: string; readonly labels: Record<string, string> };

/** Key of an unordered pair of subset names. */
function pairKey(a: unknown, b: unknown): string {
  const [x, y] = [String(a), String(b)].sort();
  return `${x}\u0000${y}`;
}

/**
 * For every host, the pairs of its subsets that one route lists together as destinations (a traffic split), with
 * the first route that does: `host → pairKey → "VirtualService "x" route "primary""`.
 */
function splitPairs(services: readonly IstioObject[]): Map<string, Map<string, () => string>> {
  const out = new Map<string, Map<string, () => string>>();
  for (const vs of services) {
    for (const section of SECTIONS) {
      arr(vs.spec[section]).forEach((route, i) => {
        const bySubset = new Map<string, Set<string>>();
        for (const r of arr(isRecord(route) ? route.route : undefined)) {
          const d = isRecord(r) ? r.destination : undefined;
          if (!isRecord(d) || !hasText(d.host) || !hasText(d.subset)) continue;
          const host = fqdn(d.host, vs.namespace);
          const set = bySubset.get(host) ?? new Set<string>();
          set.add(d.subset);
          bySubset.set(host, set);
        }
        for (const [host, subsets] of bySubset) {
          const names = [...subsets];
          for (let a = 0; a < names.length; a++) {
            for (let b = a + 1; b < names.length; b++) {
              const pairs = out.get(host) ?? new Map<string, () => string>();
              const key = pairKey(names[a], names[b]);
              // Named only when a finding needs it: most splits are fine, and this runs for every route.
              if (!pairs.has(key)) pairs.set(key, () => `${describe(vs)} ${routeLabel(route, i, section)}`);
              out.set(host, pairs);
            }
          }
        }
      });
    }
  }
  return out;
}

/** DR-04 errors: subsets of `dr` that a route splits traffic between, but whose label sets are not distinct. */
function splitOverlaps(dr: IstioObject, subsets: readonly LabelledSubset[], split: ReadonlyMap<string, () => string>): AppFinding[] {
  const byId = new Map<unknown, { subset: LabelledSubset; index: number }>();
  subsets.forEach((subset, index) => { if (!byId.has(subset.id)) byId.set(subset.id, { subset, index }); });
  const out: AppFinding[] = [];
  for (const [key, where] of split) {
    const [x, y] = key.split('\u0000').map((id) => byId.get(id));
    if (!x || !y) continue;
    // In the order the DestinationRule lists them.
    const [a, b] = x.index < y.index ? [x.subset, y.subset] : [y.subset, x.subset];
    const problem = subsetsOverlapProblem(a.labels, b.labels);
    if (!problem) continue;
    out.push({
      object: dr, value: `${formatLabels(a.labels)} / ${formatLabels(b.labels)}`,
      message: `${a.name} ${formatLabels(a.labels)} and ${b.name} ${formatLabels(b.labels)} ${problem}; ${where()} splits traffic between them, so the split is not the one it states`,
      fix: "Give each version a label the other does not match, e.g. version: 'v1' and version: 'v2'.",
    });
  }
  return out;
}

/** DR-04 for a subset of a host whose Service is in the App: selector contradictions and pod matches. */
function matchService(dr: IstioObject, s: LabelledSubset, service: ServiceInfo, selector: Readonly<Record<string, string>>, pods: Workload[], host: string): AppFinding[] {
  const conflicts = Object.keys(s.labels).filter((k) => Object.prototype.hasOwnProperty.call(selector, k) && selector[k] !== s.labels[k]);
  const svc = `Service "${service.name}"`;
  if (conflicts.length > 0) {
    return [{
      object: dr, value: formatLabels(s.labels), allowed: formatLabels(selector),
      message: `${s.name} labels (${conflicts.map((k) => `${k}=${s.labels[k]}`).join(',')}) contradict the selector of ${svc} (${conflicts.map((k) => `${k}=${selector[k]}`).join(',')}), so no pod of ${host} can match`,
      fix: DR04.fix,
    }];
  }
  if (pods.length === 0) {
    return [{
      object: dr, severity: Severity.WARNING, value: formatLabels(s.labels),
      message: `${s.name} labels ${formatLabels(s.labels)} cannot be checked: ${svc} selects none of the App's workloads, so its pods are defined elsewhere`,
      fix: 'Make sure the pods behind the Service carry the subset labels, or add their workload to the App.',
    }];
  }
  const merged = { ...selector, ...s.labels };
  if (pods.some((w) => labelsWithin(merged, w.podLabels))) return [];
  return [{
    object: dr, value: formatLabels(s.labels),
    message: `${s.name} selects ${formatLabels(merged)} (subset labels merged with the selector of ${svc}), which matches none of its pods in the App: ${describeWorkloads(pods)}`,
    fix: DR04.fix,
  }];
}

export const DR05: Rule = {
  code: 'DR-05', title: 'Every subset is routed to by a VirtualService', severity: Severity.WARNING, levels: 'W', scope: 'app',
  kinds: ['DestinationRule'],
  why: 'A subset no VirtualService in the App routes to is dead configuration, and a trafficPolicy on it never applies: subset policies act only on traffic a VirtualService sends to that subset explicitly.',
  fix: 'Route to the subset from a VirtualService (e.g. a weighted split or a header route), or remove it; put policies meant for all traffic in the top-level trafficPolicy.',
  upstream: 'Istio traffic management best practices',
  checkApp(ctx: RuleContext): AppFinding[] {
    const exact = new Set<string>();
    const bySubset = new Map<string, string[]>();
    for (const vs of ctx.ofKind('VirtualService')) {
      for (const d of destinationsOf(vs.spec)) {
        if (!d.subset) continue;
        const host = fqdn(d.host, vs.namespace);
        exact.add(`${d.subset}\u0000${host}`);
        pushTo(bySubset, d.subset, host);
      }
    }
    const out: AppFinding[] = [];
    for (const dr of ctx.ofKind('DestinationRule')) {
      const host = drHost(dr);
      if (!host) continue;
      arr(dr.spec.subsets).forEach((s, i) => {
        if (!isRecord(s) || !hasText(s.name)) return;
        if (exact.has(`${s.name}\u0000${host}`)) return;
        if (isWildcardHost(host) && (bySubset.get(s.name) ?? []).some((h) => hostMatches(host, h))) return;
        const policy = isRecord(s.trafficPolicy);
        out.push({
          object: dr, value: s.name,
          message: `${subsetLabel(s, i)} of ${host} is not routed to by any VirtualService in the App`
            + (policy ? `; its trafficPolicy (spec.subsets[${i}].trafficPolicy) therefore never applies` : ''),
          fix: this.fix,
        });
      });
    }
    return out;
  },
};

const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';

/** Apply position of the i-th object: its Argo CD sync wave (default 0), then its place in the list. */
interface Position { readonly wave: number; readonly index: number; readonly object: IstioObject }

function positionOf(o: IstioObject, index: number): Position {
  const raw = o.manifest?.metadata?.annotations?.[SYNC_WAVE];
  const wave = typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : 0;
  return { wave, index, object: o };
}

function before(a: Position, b: Position): boolean {
  return a.wave !== b.wave ? a.wave < b.wave : a.index < b.index;
}

export const DR22: Rule = {
  code: 'DR-22', title: 'Subsets are applied before the VirtualServices that route to them (make-before-break)', severity: Severity.WARNING, levels: 'W', scope: 'app',
  kinds: ['DestinationRule'],
  why: 'Objects are applied in the order they are emitted (then by Argo CD sync wave): a VirtualService applied before the DestinationRule that defines its subset routes to a subset that does not exist yet, and requests fail with 503 until the rule arrives. Removing a subset that a live VirtualService still uses is the same hazard in reverse, but needs the previous revision and is not checked.',
  fix: 'Emit the DestinationRule before the VirtualService (same Chart, DestinationRule first), or give it a lower argocd.argoproj.io/sync-wave.',
  upstream: 'Istio traffic management best practices (make-before-break), Argo Rollouts subset-switch delay',
  checkApp(ctx: RuleContext): AppFinding[] {
    const exact = new Map<string, Position[]>();
    const wildcard = new Map<string, Array<{ host: string; at: Position }>>();
    const positions = ctx.objects.map(positionOf);
    for (const at of positions) {
      const dr = at.object;
      if (dr.kind !== 'DestinationRule') continue;
      const host = drHost(dr);
      if (!host) continue;
      for (const s of arr(dr.spec.subsets)) {
        if (!isRecord(s) || !hasText(s.name)) continue;
        if (isWildcardHost(host)) pushTo(wildcard, s.name, { host, at });
        else pushTo(exact, `${s.name}\u0000${host}`, at);
      }
    }
    const out: AppFinding[] = [];
    for (const at of positions) {
      const vs = at.object;
      if (vs.kind !== 'VirtualService') continue;
      const reported = new Set<string>();
      for (const d of destinationsOf(vs.spec)) {
        if (!d.subset) continue;
        const host = fqdn(d.host, vs.namespace);
        const key = `${d.subset}\u0000${host}`;
        if (reported.has(key)) continue;
        // The common case first, without building anything: a DestinationRule for the exact host comes earlier.
        if (exact.get(key)?.some((p) => before(p, at))) continue;
        const defining = [...exact.get(key) ?? [], ...(wildcard.get(d.subset) ?? []).filter((w) => hostMatches(w.host, host)).map((w) => w.at)];
        if (defining.length === 0 || defining.some((p) => before(p, at))) continue;
        reported.add(key);
        out.push({
          object: vs, value: d.subset,
          message: `${d.where} routes to subset "${d.subset}" of ${host}, but ${describe(defining[0].object)}, which defines it, is applied after this VirtualService`,
          fix: this.fix,
        });
      }
    }
    return out;
  },
};

export const DR03: Rule = {
  code: 'DR-03', title: 'Every subset has labels', severity: Severity.ERROR, levels: 'E/W', scope: 'self',
  kinds: ['DestinationRule'],
  why: 'A subset without labels selects every endpoint of the host, so routing to it is not routing to a version at all: next to other subsets it overlaps each of them and a split between them is a lie (an error, stricter than Istio, which accepts it, and Kiali, which warns). As the only subset it is Istio\'s documented way to attach a policy to some routes of a host (egress gateway and TLS-origination tasks): a warning.',
  fix: "Give the subset the labels only its pods carry, e.g. labels: { version: 'v2' }.",
  upstream: 'KIA0209 (warning upstream, raised here); webhook D3 accepts it',
  checkObject(o: IstioObject): Finding[] {
    const subsets = arr(o.spec.subsets);
    return subsets.flatMap((s, i): Finding[] => {
      const labels = isRecord(s) ? s.labels : undefined;
      const problem = subsetLabelsProblem(labels);
      if (!problem) return [];
      const name = isRecord(s) && typeof s.name === 'string' ? `subset "${s.name}"` : `subsets[${i}]`;
      const alone = subsets.length === 1;
      return [{
        ...(alone ? { severity: Severity.WARNING } : {}),
        message: `${name} ${problem}, so it selects every endpoint of ${JSON.stringify(o.spec.host)}${alone ? '' : ' and overlaps every other subset'}`,
        fix: alone ? `${this.fix} If the subset only carries a policy for all endpoints (as in Istio's egress tasks), suppress DR-03 with that reason.` : this.fix,
        value: labels ?? null, allowed: 'at least one label',
      }];
    });
  },
};
