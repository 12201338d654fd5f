import { Severity } from '../../core/errors';
import { fqdn, isWildcardHost } from '../../core/hosts';
import { isIpAddress } from '../../core/ip';
import { hasText } from '../../core/json';
import { meshRouteTargets, outboundModeOf } from '../../core/sidecar';
import { AppFinding, EgressPolicy, Rule, RuleContext } from '../../engine/types';
import { label, namespaceOf, nsName } from '../../engine/view';
import { namespaceDefaults, registryOf, staysInCluster } from './lockdown';

const describePolicies = (policies: readonly EgressPolicy[]) => policies.map((p) => `NetworkPolicy "${p.namespace ?? 'default'}/${p.name}"`).join(', ');

export const SC06: Rule = {
  code: 'SC-06', title: 'A REGISTRY_ONLY namespace has an egress NetworkPolicy, and the NetworkPolicy lets its external calls out', severity: Severity.ERROR, levels: 'E/W', scope: 'app',
  kinds: ['Sidecar'],
  why: 'REGISTRY_ONLY is enforced by the sidecar, not by the network: a process that bypasses the proxy (an init container, a pod annotated to '
    + 'exclude outbound ports or IP ranges, a container running as the proxy\'s user, or a compromised workload) reaches any address, so Istio\'s '
    + 'documentation pairs it with a Kubernetes NetworkPolicy that lets the pods out only to the egress gateway and DNS (warning when a namespace '
    + 'with a selector-less REGISTRY_ONLY Sidecar has no NetworkPolicy restricting the egress of all its pods; in lint without --complete, noted as '
    + 'not checked). Conversely, such a NetworkPolicy drops every connection its egress rules do not allow: an external host that the sidecar '
    + 'reaches directly — no mesh-bound VirtualService sends it to an in-cluster host (the egress gateway) in a namespace the policy allows — '
    + 'times out on every request (error).',
  fix: 'Add a NetworkPolicy with podSelector {} and policyTypes [Egress] allowing DNS and the egress gateway\'s namespace (EgressLockdown '
    + 'networkPolicy: true), and route each external host through the egress gateway (ExternalDependency egressGateway), or allow the host\'s '
    + 'addresses in the NetworkPolicy (ipBlock).',
  upstream: 'Istio egress gateway task (additional security considerations), Kubernetes NetworkPolicy semantics',
  checkApp(ctx: RuleContext): AppFinding[] {
    const out: AppFinding[] = [];
    const restricting = new Map<string, EgressPolicy[]>();
    for (const p of ctx.egressPolicies) {
      if (!p.allPods) continue;
      const ns = p.namespace ?? 'default';
      restricting.set(ns, [...(restricting.get(ns) ?? []), p]);
    }
    for (const [ns, sc] of namespaceDefaults(ctx)) {
      if (outboundModeOf(sc.spec) !== 'REGISTRY_ONLY' || restricting.has(ns)) continue;
      if (!ctx.complete) {
        ctx.notChecked(`a NetworkPolicy restricting egress in namespace ${ns} (REGISTRY_ONLY ${label(sc)}): none in the input`);
        continue;
      }
      out.push({
        object: sc, severity: Severity.WARNING, value: ns,
        message: `spec.outboundTrafficPolicy.mode REGISTRY_ONLY of Sidecar "${nsName(sc)}" is not a security boundary: no NetworkPolicy restricts the egress of the pods of namespace ${ns}`,
        fix: this.fix,
      });
    }
    if (restricting.size === 0) return out;
    const registry = registryOf(ctx);
    const virtualServices = ctx.ofKind('VirtualService').map((vs) => ({ namespace: namespaceOf(vs), spec: vs.spec }));
    for (const caller of ctx.objects) {
      const ns = namespaceOf(caller);
      const policies = restricting.get(ns);
      // Policies add up: a pod may connect wherever any policy that selects it allows.
      if (!policies || ctx.egressPolicies.some((p) => (p.namespace ?? 'default') === ns && p.anyDestination)) continue;
      const allowed = new Set(policies.flatMap((p) => p.namespaces));
      for (const call of caller.facts.calls ?? []) {
        if (!hasText(call)) continue;
        const host = fqdn(call, ns);
        if (isWildcardHost(host) || isIpAddress(host) || staysInCluster(host, registry.inCluster)) continue;
        const via = meshRouteTargets(host, ns, virtualServices);
        if (via.some((v) => allowed.has(v.namespace))) continue;
        out.push({
          object: caller, value: host, allowed: `egress to namespaces ${[...allowed].join(', ') || '(none)'}`,
          message: `${label(caller)} in namespace ${ns} calls "${host}", which ${via.length > 0 ? `its routes send to ${via.map((v) => v.host).join(', ')}, outside the namespaces` : 'the sidecar reaches directly, but'} ${describePolicies(policies)} ${via.length > 0 ? 'allow' : 'allows egress only to'} (${[...allowed].join(', ') || 'none'}), so the connection is dropped`,
          fix: this.fix,
        });
      }
    }
    return out;
  },
};
