import { Severity } from '../../core/errors';
import { arr, isRecord } from '../../core/json';
import { AppFinding, IstioObject, RolloutInfo, Rule, RuleContext } from '../../engine/types';
import { namespaceOf } from '../../engine/view';
import { managedRouteProblems } from './opt-in';

const find = (objects: readonly IstioObject[], name: string, namespace: string) => objects.find((o) => o.name === name && namespaceOf(o) === namespace);
const what = (r: RolloutInfo) => `Rollout "${r.namespace ?? 'default'}/${r.name}"`;

export const VS39: Rule = {
  code: 'VS-39', title: '(Argo Rollouts) A Rollout\'s Istio traffic routing names a VirtualService and DestinationRule that exist and fit', severity: Severity.ERROR, levels: 'E', scope: 'app',
  kinds: ['VirtualService'],
  why: 'A Rollout with trafficRouting.istio shifts weight by editing the VirtualService it names (routes by name, or its only route) and, with '
    + 'subset-level splitting, the stable and canary subsets of the DestinationRule it names. Argo Rollouts refuses to reconcile — the rollout '
    + 'stays degraded, no traffic moves — when one is missing, a named route is absent or lacks a stable and a canary destination, or a subset '
    + 'is not defined; the route must also send to those very subsets, or the weights Argo sets go elsewhere. References resolve as Argo reads '
    + 'them: "name" in the Rollout\'s namespace, "name.namespace" elsewhere. Objects outside the input are noted as not checked unless the input '
    + 'is complete.',
  fix: 'Name the VirtualService and DestinationRule the Rollout should manage, give the managed route two destinations (the stable and the canary '
    + 'subset), and define both subsets; CanaryService with controller ReleaseController.argoRollouts() and ArgoRollout emit a matching set.',
  upstream: 'Argo Rollouts (rollout/trafficrouting/istio: validation of the referenced VirtualService and DestinationRule)',
  checkApp(ctx: RuleContext): AppFinding[] {
    const out: AppFinding[] = [];
    const virtualServices = ctx.ofKind('VirtualService');
    const destinationRules = ctx.ofKind('DestinationRule');
    for (const r of ctx.rollouts) {
      const missing = (kind: string, ref: { name: string; namespace?: string }) => {
        const key = `${ref.namespace ?? 'default'}/${ref.name}`;
        if (!ctx.complete) ctx.notChecked(`${kind} "${key}" of ${what(r)} (${r.subject.path})`);
        else out.push({ object: r.subject, value: key, allowed: `a ${kind} in the input`, message: `spec.strategy.canary.trafficRouting.istio names ${kind} "${key}", which is not in the input`, fix: this.fix });
      };
      const dr = r.destinationRule ? find(destinationRules, r.destinationRule.name, r.destinationRule.namespace ?? 'default') : undefined;
      if (r.destinationRule && !dr) missing('DestinationRule', r.destinationRule);
      if (r.destinationRule && dr) {
        const defined = new Set(arr(dr.spec.subsets).filter(isRecord).map((s) => s.name));
        for (const [role, subset] of [['stableSubsetName', r.destinationRule.stableSubsetName], ['canarySubsetName', r.destinationRule.canarySubsetName]] as const) {
          if (defined.has(subset)) continue;
          out.push({
            object: r.subject, value: subset, allowed: [...defined].filter((n) => typeof n === 'string').join(', ') || 'no subsets',
            message: `spec.strategy.canary.trafficRouting.istio.destinationRule.${role} "${subset}" is not a subset of DestinationRule "${namespaceOf(dr)}/${dr.name}"`, fix: this.fix,
          });
        }
      }
      for (const ref of r.virtualServices) {
        const vs = find(virtualServices, ref.name, ref.namespace ?? 'default');
        if (!vs) {
          missing('VirtualService', ref);
          continue;
        }
        for (const p of managedRouteProblems(vs, ref.routes, new Set(r.managedRoutes), `${what(r)}`)) out.push({ object: r.subject, ...p, message: `VirtualService "${namespaceOf(vs)}/${vs.name}": ${p.message}`, fix: this.fix });
        if (!r.destinationRule) continue;
        const subsets = new Set([r.destinationRule.stableSubsetName, r.destinationRule.canarySubsetName]);
        const http = arr(vs.spec.http);
        http.forEach((route, i) => {
          if (!isRecord(route) || (ref.routes.length > 0 ? !ref.routes.includes(route.name) : r.managedRoutes.includes(route.name))) return;
          const used = new Set(arr(route.route).filter(isRecord).map((d) => (isRecord(d.destination) ? d.destination.subset : undefined)));
          const absent = [...subsets].filter((s) => !used.has(s));
          if (absent.length === 0 || (ref.routes.length === 0 && http.length !== 1)) return;
          out.push({
            object: r.subject, value: absent.join(', '), allowed: [...subsets].join(' and '),
            message: `VirtualService "${namespaceOf(vs)}/${vs.name}" spec.http[${i}] does not route to subset ${absent.map((a) => `"${a}"`).join(' and ')} of the Rollout's DestinationRule, so the weights Argo Rollouts sets do not reach it`,
            fix: this.fix,
          });
        });
      }
    }
    return out;
  },
};
