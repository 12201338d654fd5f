import { Severity } from '../../core/errors';
import { arr, isRecord } from '../../core/json';
import { AppFinding, Finding, IstioObject, Rule, RuleContext } from '../../engine/types';
import { RouteBackend, routeRules, RouteRule, ruleRef } from '../../engine/view-route';
import { routeName, routeTargets } from './services';

/** Whether a rule carries a RequestRedirect filter (the only way a rule answers without a backend). */
function redirects(rule: Record<string, any>): boolean {
  return arr(rule.filters).some((f) => isRecord(f) && f.type === 'RequestRedirect');
}

/** The sum of a rule's backend weights (each 1 unless set). */
function weightSum(r: RouteRule): number {
  return r.backends.reduce((n, b) => n + (Number.isFinite(b.weight) && b.weight > 0 ? b.weight : 0), 0);
}

export const GA01: Rule = {
  code: 'GA-01', title: 'Every HTTPRoute rule has a backend of weight > 0 or a RequestRedirect filter', severity: Severity.ERROR, levels: 'E', scope: 'self',
  kinds: ['HTTPRoute'],
  why: 'The Gateway API requires a rule without a valid backend to answer 500, and Istio does so for a rule whose backendRefs weigh 0 in sum '
    + '(none listed, or all of weight 0) unless a RequestRedirect filter answers instead: every request the rule matches gets 500, '
    + 'and it is not passed on to a later rule. An error, as it predictably loses all of the rule\'s traffic. An HTTPRoute without '
    + 'spec.rules counts too: the API server defaults it to one rule matching every path, without backendRefs. Weight 0 on some backends '
    + 'only (a canary at 0 %) is fine.',
  fix: 'Give the rule a backendRef of weight > 0 (weight defaults to 1), or a RequestRedirect filter; remove the rule if it should not answer.',
  upstream: 'Gateway API HTTPRouteRule.backendRefs (500 without valid backends); Istio gateway conversion (DirectResponse 500 when the weights sum to 0)',
  checkObject(o: IstioObject): Finding[] {
    if (o.spec.rules === undefined) {
      return [{
        message: 'spec.rules is not set: the API server defaults it to one rule that matches every path and has no backendRefs, so Istio answers every request of the route with 500',
        fix: 'Add rules with backendRefs (e.g. rules: [{ backendRefs: [{ name: "<service>", port: <port> }] }]).', value: null, allowed: 'rules with backends',
      }];
    }
    const out: Finding[] = [];
    for (const r of routeRules(o)) {
      if (redirects(r.rule) || weightSum(r) > 0) continue;
      const what = r.backends.length === 0 ? 'has no backendRefs' : `has ${r.backends.length === 1 ? 'its only backendRef' : `all ${r.backends.length} backendRefs`} at weight 0`;
      out.push({
        message: `${ruleRef(r)} ${what} and no RequestRedirect filter: Istio answers every request it matches with 500 (the Gateway API's answer for a rule without a valid backend)`,
        fix: r.backends.length === 0
          ? 'Add a backendRef (e.g. { name: "<service>", port: <port> }) or a RequestRedirect filter to the rule, or remove the rule.'
          : 'Give at least one backendRef a weight > 0 (e.g. the stable version 100, the canary 0), or remove the rule.',
        value: r.backends.length === 0 ? 'no backendRefs' : 0, allowed: 'a backendRef of weight > 0, or a RequestRedirect filter',
      });
    }
    return out;
  },
};

/** What a backend receives, for messages: `its share of the rule's requests (weight 10 of 100)`, or a note for weight 0. */
function share(b: RouteBackend, total: number): string {
  return b.weight > 0 && total > 0 ? `its share of the rule's requests (weight ${b.weight} of ${total})` : 'what it receives once its weight is raised from 0';
}

export const GA02: Rule = {
  code: 'GA-02', title: 'A Service backendRef names a Service of the input and one of its ports', severity: Severity.ERROR, levels: 'E', scope: 'app',
  kinds: ['HTTPRoute'],
  why: 'A backendRef to a Service that does not exist is an invalid backend: the route reports ResolvedRefs=False (BackendNotFound) and its share '
    + 'of the rule\'s requests gets 500; a port the Service does not expose has no endpoints, so that share fails too. An error, as it '
    + 'predictably loses that traffic. Only core Services are resolved (other kinds, such as Istio\'s Hostname, are not). A Service declared in the '
    + 'inventory hosts counts as existing, ports unknown. When the input is not complete (lint without --complete) and holds no Service of the '
    + 'backend\'s namespace, the reference is listed as not checked instead. Cross-namespace backends also need a ReferenceGrant, which is not checked.',
  fix: 'Name a Service of the input (name, namespace) and one of its ports (the Service port, not the targetPort), add the Service to the input, '
    + 'or declare its host in the inventory.',
  upstream: 'Gateway API HTTPBackendRef (ResolvedRefs=False, BackendNotFound); istioctl analyze IST0101 (referenced host not found)',
  checkApp(ctx: RuleContext): AppFinding[] {
    const targets = routeTargets(ctx);
    const out: AppFinding[] = [];
    for (const o of ctx.ofKind('HTTPRoute')) {
      for (const r of routeRules(o)) {
        const total = r.backends.reduce((n, b) => n + Math.max(0, b.weight), 0);
        r.backends.forEach((b) => {
          if (b.kind !== 'Service') return;
          const at = ruleRef(r, b.path.slice(r.path.length));
          const found = targets.service(b.name, b.namespace);
          if (found.status === 'notChecked') {
            ctx.notChecked(`backendRef Service "${b.namespace}/${b.name}" of ${routeName(o)} (${o.path} ${b.path}): no Service of namespace ${b.namespace} in the input`);
          } else if (found.status === 'missing') {
            out.push({
              object: o, value: `${b.namespace}/${b.name}`, allowed: found.known,
              message: `${at} names Service "${b.namespace}/${b.name}", which is not in the input (${found.known}): it is an invalid backend, and Istio answers ${share(b, total)} with 500`,
              fix: `Fix the backendRef name or namespace, or add Service "${b.namespace}/${b.name}" to the input (or its host ${b.host} to the inventory).`,
            });
          } else if (found.status === 'found' && b.port !== undefined && found.ports.length > 0 && !found.ports.includes(b.port)) {
            out.push({
              object: o, value: b.port, allowed: found.ports.join(', '),
              message: `${at} port ${b.port} is not a port of ${found.what} (${found.ports.join(', ')}): Istio sends ${share(b, total)} to a port without endpoints, where it fails (503)`,
              fix: `Set the backendRef port to a port of ${found.what} (${found.ports.join(', ')}; the Service port, not the targetPort), or add the port to the Service.`,
            });
          }
        });
      }
    }
    return out;
  },
};
