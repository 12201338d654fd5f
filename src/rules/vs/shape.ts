import { Severity } from '../../core/errors';
import { gatewayRefError, gatewayRefProblem } from '../../core/gateway-ref';
import { dnsLabelProblem, dnsSubdomainProblem } from '../../core/grammar';
import { fqdn, isWildcardHost } from '../../core/hosts';
import { arr, isRecord, isSet, nonEmpty } from '../../core/json';
import { Finding, IstioObject, Rule } from '../../engine/types';
import { label } from '../../engine/view';
import { isMeshBound, routeRef, routeSuffix, SECTIONS } from '../../engine/view-vs';

export const VS01: Rule = {
  code: 'VS-01', title: 'A VirtualService has at least one http, tcp or tls route', severity: Severity.ERROR, levels: 'E', scope: 'self',
  kinds: ['VirtualService'],
  why: 'Istio rejects a VirtualService that routes nothing ("http, tcp or tls must be provided in virtual service").',
  fix: 'Add at least one http, tcp or tls route, or remove the VirtualService.',
  upstream: 'webhook V1 (IST0106)',
  checkObject(o: IstioObject): Finding[] {
    if (SECTIONS.some((s) => nonEmpty(o.spec[s]))) return [];
    return [{ message: `${label(o)} has no routes: spec.http, spec.tcp and spec.tls are all missing or empty`, fix: this.fix, allowed: 'at least one http, tcp or tls route' }];
  },
};

export const VS02: Rule = {
  code: 'VS-02', title: 'Delegation is well-formed: a delegate VirtualService has no hosts, gateways, tcp or tls; a delegating route has no route or redirect and is not nested', severity: Severity.ERROR, levels: 'E', scope: 'self',
  kinds: ['VirtualService'],
  why: 'A VirtualService without hosts is a delegate: Istio rejects gateways, tcp and tls on it, rejects a delegate inside a delegate, and rejects route or redirect beside delegate on the root route. A delegate reference without a name points at nothing.',
  fix: 'Keep hosts and gateways on the root VirtualService only; give a delegating route just match and delegate { name, namespace }; put the routes in the delegate VirtualService.',
  upstream: 'webhook V2, V9; Flagger delegation',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    const s = o.spec;
    const delegateVs = arr(s.hosts).length === 0;
    if (delegateVs) {
      for (const field of ['gateways', 'tcp', 'tls']) {
        if (nonEmpty(s[field])) {
          out.push({
            message: `${label(o)} has no hosts, so it is a delegate VirtualService, but sets spec.${field} (${arr(s[field]).length} entries)`,
            fix: field === 'gateways' ? 'Bind the root VirtualService (the one with hosts) to the gateway; remove gateways from the delegate.' : `Move the ${field} routes to a VirtualService with hosts; delegation supports HTTP only.`,
            value: field,
          });
        }
      }
    }
    arr(s.http).forEach((route, i) => {
      if (!isRecord(route) || !isSet(route.delegate)) return;
      const at = routeRef(route, i);
      const path = `spec.http[${i}]`;
      const named = routeSuffix(route);
      if (delegateVs) {
        out.push({ message: `${at} delegates again inside a delegate VirtualService (nested delegation is not supported)`, fix: this.fix, value: route.delegate });
      }
      if (nonEmpty(route.route)) out.push({ message: `${at} sets both delegate and route`, fix: this.fix });
      if (isSet(route.redirect)) out.push({ message: `${at} sets both delegate and redirect`, fix: this.fix });
      const d = route.delegate;
      if (!isRecord(d) || typeof d.name !== 'string' || d.name === '') {
        out.push({ message: `${path}.delegate${named} has no name, so it delegates to no VirtualService`, fix: 'Name the delegate VirtualService: delegate: { name, namespace }.', value: d });
        return;
      }
      const nameProblem = dnsSubdomainProblem(d.name);
      if (nameProblem) out.push({ message: `${path}.delegate.name "${d.name}"${named} ${nameProblem}`, fix: 'Use the metadata.name of the delegate VirtualService.', value: d.name });
      if (typeof d.namespace === 'string' && d.namespace !== '') {
        const nsProblem = dnsLabelProblem(d.namespace);
        if (nsProblem) out.push({ message: `${path}.delegate.namespace "${d.namespace}"${named} ${nsProblem}`, fix: 'Use the namespace of the delegate VirtualService.', value: d.namespace });
      }
    });
    return out;
  },
};

/** Label-suffix keys of a host: `a.b.c` → `.b.c`, `.c`, `` (the last one stands for `*`). */
function suffixKeys(name: string): string[] {
  const out: string[] = [];
  for (let i = name.indexOf('.'); i >= 0; i = name.indexOf('.', i + 1)) out.push(name.slice(i));
  out.push('');
  return out;
}

export const VS03: Rule = {
  code: 'VS-03', title: 'No bare "*" host on a mesh-bound VirtualService, and no duplicate or overlapping hosts in one VirtualService', severity: Severity.ERROR, levels: 'E/W', scope: 'self',
  kinds: ['VirtualService'],
  why: 'Istio rejects "*" as a host of a VirtualService that applies to sidecars, and rejects a VirtualService whose hosts repeat or overlap ("*.foo.com" with "a.foo.com"). Short names are compared after resolution in the VirtualService namespace. Host grammar itself is X-03. A mesh-bound wildcard over a whole top-level domain ("*.com") exported to every namespace takes over the outbound traffic of every sidecar in the mesh to any such host: a warning.',
  fix: 'List each host once and do not combine a wildcard with hosts it already covers; use "*" only on a gateway-bound VirtualService.',
  upstream: 'webhook V3-V5 (IST0106)',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    const hosts = arr(o.spec.hosts);
    const mesh = isMeshBound(o.spec);
    const exact = new Map<string, number>();
    /** Wildcard hosts by covered suffix (`*.foo.com` → `.foo.com`, `*` → ``). */
    const wildcards = new Map<string, number>();
    /** Every host by each suffix it ends with, so a later wildcard finds the earlier hosts it covers. */
    const bySuffix = new Map<string, number>();
    hosts.forEach((raw, i) => {
      if (typeof raw !== 'string' || raw === '') return;
      if (raw === '*' && mesh) {
        out.push({
          message: `spec.hosts[${i}] is "*" on a VirtualService that applies to sidecars (${arr(o.spec.gateways).length === 0 ? 'no spec.gateways' : 'spec.gateways lists mesh'})`,
          fix: 'Name the hosts explicitly, or bind the VirtualService to a gateway only.', value: raw, allowed: 'a host other than "*" for mesh-bound VirtualServices',
        });
      }
      const host = fqdn(raw, o.namespace);
      const wildcard = isWildcardHost(host);
      const base = wildcard ? host.slice(1) : host;
      const everywhere = o.spec.exportTo === undefined || arr(o.spec.exportTo).includes('*');
      if (mesh && wildcard && host !== '*' && base.split('.').filter(Boolean).length === 1 && everywhere) {
        out.push({
          severity: Severity.WARNING, value: raw, allowed: 'a wildcard under a domain of yours, or exportTo narrowed',
          message: `spec.hosts[${i}] "${raw}" covers a whole top-level domain on a VirtualService that applies to every sidecar of the mesh (exportTo ${o.spec.exportTo === undefined ? 'unset: every namespace' : '"*"'}), so it takes over their traffic to any such host`,
          fix: 'Use a wildcard under a domain of yours ("*.api.example.com"), narrow exportTo (["."]), or bind the VirtualService to a gateway only.',
        });
      }
      let earlier: number | undefined = wildcard ? (wildcards.get(base) ?? bySuffix.get(base)) : exact.get(host);
      if (earlier === undefined) {
        for (const key of suffixKeys(base)) {
          if (key === base) continue;
          earlier = wildcards.get(key);
          if (earlier !== undefined) break;
        }
      }
      if (earlier !== undefined) {
        const same = fqdn(String(hosts[earlier]), o.namespace) === host;
        out.push({
          message: `spec.hosts[${i}] "${raw}" ${same ? 'duplicates' : 'overlaps'} spec.hosts[${earlier}] "${hosts[earlier]}"${same && raw !== hosts[earlier] ? ` (both resolve to ${host})` : ''}`,
          fix: this.fix, value: raw,
        });
      }
      if (wildcard) { if (!wildcards.has(base)) wildcards.set(base, i); } else if (!exact.has(host)) exact.set(host, i);
      for (const key of wildcard ? [base, ...suffixKeys(base)] : suffixKeys(base)) if (!bySuffix.has(key)) bySuffix.set(key, i);
    });
    return out;
  },
};

export const VS04: Rule = {
  code: 'VS-04', title: 'Gateway references use the "namespace/name" form', severity: Severity.ERROR, levels: 'E/W', scope: 'self',
  kinds: ['VirtualService'],
  why: 'Istio rejects gateway references whose namespace or name is not a DNS-1123 label; the legacy "name.namespace" form is still accepted but deprecated and easy to misread (Istio warns, and so do the constructs: they refuse only what Istio rejects).'
    + ' A short name refers to the gateway in the VirtualService namespace and is accepted. Checked in spec.gateways and in every match.gateways.',
  fix: 'Reference gateways as "<namespace>/<name>" (or "mesh" for sidecars).',
  upstream: 'webhook V6, V13; KIA1108',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    const check = (refs: unknown, at: string) => arr(refs).forEach((ref, k) => {
      if (typeof ref !== 'string') return;
      const p = gatewayRefProblem(ref);
      if (!p) return;
      // The error part is gatewayRefError, the check constructs enforce; the legacy dotted form is only a warning.
      const error = gatewayRefError(ref);
      out.push({ severity: error ? Severity.ERROR : Severity.WARNING, message: `${at}[${k}] "${ref}" ${error ?? p.problem}`, fix: p.fix, value: ref, allowed: '<namespace>/<name> or mesh' });
    });
    check(o.spec.gateways, 'spec.gateways');
    for (const section of SECTIONS) {
      arr(o.spec[section]).forEach((route, i) => arr(isRecord(route) ? route.match : undefined).forEach((m, j) => {
        if (isRecord(m)) check(m.gateways, `spec.${section}[${i}].match[${j}].gateways`);
      }));
    }
    return out;
  },
};

export const VS05: Rule = {
  code: 'VS-05', title: 'Each HTTP route has exactly one action (route, redirect or directResponse); mirror and mirrors are exclusive', severity: Severity.ERROR, levels: 'E', scope: 'self',
  kinds: ['VirtualService'],
  why: 'Istio rejects an HTTP route without route, redirect or directResponse, a redirect combined with route, fault, rewrite or directResponse, a directResponse combined with route, fault or rewrite, and mirror together with mirrors. Delegating routes are VS-02.',
  fix: 'Give the route exactly one of route, redirect or directResponse (fault and rewrite only beside route), and use either mirror or mirrors.',
  upstream: 'webhook V8, V10 (IST0106)',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    arr(o.spec.http).forEach((route, i) => {
      if (!isRecord(route) || isSet(route.delegate)) return;
      const at = routeRef(route, i);
      const hasRoute = nonEmpty(route.route);
      const action = isSet(route.redirect) ? 'redirect' : isSet(route.directResponse) ? 'directResponse' : undefined;
      if (action) {
        const clash = [
          hasRoute ? 'route' : '', isSet(route.fault) ? 'fault' : '', isSet(route.rewrite) ? 'rewrite' : '',
          action === 'redirect' && isSet(route.directResponse) ? 'directResponse' : '',
        ].filter(Boolean);
        if (clash.length > 0) {
          out.push({ message: `${at} combines ${action} with ${clash.join(', ')}`, fix: `Keep ${action} alone, or replace it with a route that carries ${clash.join(' and ')}.`, value: [action, ...clash].join(',') });
        }
      } else if (!hasRoute) {
        out.push({ message: `${at} has no action: none of route, redirect or directResponse is set`, fix: this.fix, allowed: 'one of route, redirect, directResponse' });
      }
      if (isSet(route.mirror) && nonEmpty(route.mirrors)) {
        out.push({ message: `${at} sets both mirror and mirrors`, fix: 'Move the single mirror into mirrors (or drop mirrors).', value: 'mirror,mirrors' });
      }
    });
    return out;
  },
};
