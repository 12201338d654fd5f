import { Severity } from '../../core/errors';
import { dnsLabelProblem } from '../../core/grammar';
import { EXPORT_TO_STAR_FIX, exportToEntries, exportToEntryProblem, exportToListProblem, exportToRepeatProblem } from '../../core/visibility';
import { arr, isRecord } from '../../core/json';
import { isWildcardHost } from '../../core/hosts';
import { listSome, show, SHOWN_IN_FINDINGS } from '../../core/text';
import { AppFinding, Finding, IstioObject, Rule, RuleContext } from '../../engine/types';
import { label } from '../../engine/view';
import { destinationsOf } from '../../engine/view-vs';

/** A host Istio expands in the object's namespace: no dot, no wildcard, not an IPv6 literal. */
function isShortHost(host: unknown): host is string {
  return typeof host === 'string' && host.length > 0 && !host.includes('.') && !isWildcardHost(host) && !host.includes(':');
}

/** Every host of a VirtualService or DestinationRule that Istio resolves relative to the object's namespace. */
function shortHostsOf(o: IstioObject): Map<string, string[]> {
  const out = new Map<string, string[]>();
  // `where` is built only for a short host (most hosts are FQDNs).
  const add = (host: string, where: string) => {
    const places = out.get(host) ?? [];
    places.push(where);
    out.set(host, places);
  };
  if (o.kind === 'VirtualService') {
    arr(o.spec.hosts).forEach((h, i) => {
      if (isShortHost(h)) add(h, `spec.hosts[${i}]`);
    });
    for (const d of destinationsOf(o.spec)) if (isShortHost(d.host)) add(d.host, `${d.where} host`);
  } else if (o.kind === 'DestinationRule' && isShortHost(o.spec.host)) {
    add(o.spec.host, 'spec.host');
  }
  return out;
}

function places(list: string[]): string {
  return list.length <= 3 ? list.join(', ') : `${list.slice(0, 3).join(', ')} and ${list.length - 3} more`;
}

export const X04: Rule = {
  code: 'X-04', title: 'Short host names resolve in the namespace of the object that uses them', severity: Severity.WARNING, levels: 'W', scope: 'self',
  kinds: ['VirtualService', 'DestinationRule'],
  why: 'Istio expands a dot-less host ("reviews") to reviews.<namespace of the VirtualService/DestinationRule>.svc.cluster.local, '
    + 'not to the namespace of the Service. The rule warns when the object has no metadata.namespace (the target then depends on '
    + 'where it is applied) unless a namespace-less Service of that name in the App is applied alongside it, and when a Service '
    + 'of that name exists in the App only in other namespaces. A namespaced object with no such Service in the App is not '
    + 'reported (where the service lives is unknown; VS-15/DR-20 check resolution).',
  fix: 'Write the host as an FQDN, e.g. "reviews.bookinfo.svc.cluster.local" (constructs do this when given a cdk8s-plus Service).',
  upstream: 'Istio VirtualService reference (short-name note); Kiali host resolution',
  checkApp(ctx: RuleContext): AppFinding[] {
    const serviceNamespaces = new Map<string, Array<string | undefined>>();
    for (const s of ctx.services) {
      const list = serviceNamespaces.get(s.name) ?? [];
      list.push(s.namespace);
      serviceNamespaces.set(s.name, list);
    }
    const out: AppFinding[] = [];
    for (const o of [...ctx.ofKind('VirtualService'), ...ctx.ofKind('DestinationRule')]) {
      for (const [host, where] of shortHostsOf(o)) {
        const known = serviceNamespaces.get(host) ?? [];
        const elsewhere = [...new Set(known.filter((ns): ns is string => ns !== undefined && ns !== o.namespace))];
        if (o.namespace === undefined) {
          if (known.length > 0 && known.every((ns) => ns === undefined)) continue;
          out.push({
            object: o, value: host,
            message: `${places(where)} "${host}" is a short name and ${label(o)} has no metadata.namespace, so it resolves to `
              + `${host}.<namespace it is applied to>.svc.cluster.local${elsewhere.length ? `; the Service "${host}" in the App is in namespace ${elsewhere.map((n) => `"${n}"`).join(', ')}` : ''}`,
            fix: this.fix,
          });
        } else if (known.length > 0 && !known.includes(o.namespace) && !known.includes(undefined)) {
          out.push({
            object: o, value: host,
            message: `${places(where)} "${host}" resolves to ${host}.${o.namespace}.svc.cluster.local (the namespace of ${label(o)}), `
              + `but the Service "${host}" in the App is in namespace ${elsewhere.map((n) => `"${n}"`).join(', ')}`,
            fix: `Write the host as "${host}.${elsewhere[0]}.svc.cluster.local".`,
          });
        }
      }
    }
    return out;
  },
};

/** `exportTo` of an object, or `undefined` when unset or not a list. */
function exportToOf(o: IstioObject): unknown[] | undefined {
  return Array.isArray(o.spec.exportTo) ? o.spec.exportTo : undefined;
}

export const X05: Rule = {
  code: 'X-05', title: 'exportTo entries are ".", "*", "~" (ServiceEntry only) or namespace names, without duplicates', severity: Severity.ERROR, levels: 'E', scope: 'self',
  kinds: ['VirtualService', 'DestinationRule', 'ServiceEntry'],
  why: 'Istio rejects exportTo lists with duplicates (including "." together with the object\'s own namespace), "*" combined with other '
    + 'entries, "~" outside a ServiceEntry, and entries that are not DNS labels. A DestinationRule with a workloadSelector may only be '
    + 'exported to its own namespace. "~" combined with other entries on a ServiceEntry is SE-08.',
  fix: 'Use ["."] (this namespace), ["*"] (every namespace), ["~"] (ServiceEntry hidden from all) or a list of distinct namespace names.',
  upstream: 'webhook C5, C6 (V38, D28, S16)',
  checkObject(o: IstioObject): Finding[] {
    const list = exportToOf(o);
    if (!list || list.length === 0) return [];
    const out: Finding[] = [];
    const defaultFix = this.fix;
    const report = (message: string, value: unknown, fix = defaultFix) => out.push({ message, fix, value, allowed: "'.', '*', '~' (ServiceEntry), namespace names" });
    const options = { namespace: o.namespace, serviceEntry: o.kind === 'ServiceEntry' };
    const entries = exportToEntries(list, o.namespace);
    list.forEach((entry, i) => {
      for (const problem of [exportToEntryProblem(entry, options), exportToRepeatProblem(entries, i)]) {
        if (problem) report(`spec.exportTo[${i}] ${problem}`, entry);
      }
    });
    const whole = exportToListProblem(list);
    if (whole) report(`spec.exportTo ${whole}`, list, EXPORT_TO_STAR_FIX);
    if (o.kind === 'DestinationRule' && isRecord(o.spec.workloadSelector)) {
      const beyond = list.filter((e) => typeof e === 'string' && e !== '.' && e !== o.namespace);
      // Without metadata.namespace a single named entry may be the namespace it is applied to.
      const certain = o.namespace !== undefined ? beyond : beyond.filter((e) => e === '*' || e === '~' || list.length > 1);
      if (certain.length > 0) {
        report(`spec.exportTo ${show(list)} exports a DestinationRule with a workloadSelector beyond its own namespace`, list,
          'A DestinationRule with a workloadSelector applies only in its own namespace: use exportTo ["."] or leave exportTo out.');
      }
    }
    return out;
  },
};

export const X06: Rule = {
  code: 'X-06', title: 'exportTo namespaces exist in the App or in the declared namespace inventory', severity: Severity.WARNING, levels: 'W', scope: 'app',
  kinds: ['DestinationRule', 'ServiceEntry'],
  why: 'An exportTo entry naming a namespace that does not exist exports the object to nobody there (often a typo). Known namespaces '
    + 'are those of the Istio objects, workloads and Services in the App plus `inventory.namespaces`. The check needs cluster state, '
    + 'so it is skipped unless the inventory declares its namespaces. VirtualServices are checked by VS-35.',
  fix: 'Correct the namespace name, or add the namespace to the inventory (Rules.inventory.namespaces) if it exists outside the App.',
  upstream: 'KIA0005',
  checkApp(ctx: RuleContext): AppFinding[] {
    const declared = ctx.inventory?.namespaces;
    if (!Array.isArray(declared)) return [];
    const known = new Set<string>(declared.filter((n) => typeof n === 'string'));
    for (const x of [...ctx.objects, ...ctx.workloads, ...ctx.services]) if (x.namespace) known.add(x.namespace);
    const allowed = listSome([...known].sort(), SHOWN_IN_FINDINGS);
    const out: AppFinding[] = [];
    for (const o of [...ctx.ofKind('DestinationRule'), ...ctx.ofKind('ServiceEntry')]) {
      (exportToOf(o) ?? []).forEach((entry, i) => {
        if (typeof entry !== 'string' || entry === '.' || entry === '*' || entry === '~' || dnsLabelProblem(entry)) return;
        if (known.has(entry)) return;
        out.push({
          object: o, value: entry, allowed,
          message: `spec.exportTo[${i}] "${entry}" is not a namespace of the App or of the declared inventory`,
          fix: this.fix,
        });
      });
    }
    return out;
  },
};

