import { Severity } from '../../core/errors';
import { MESH_GATEWAY, resolveGatewayRef } from '../../core/gateway-ref';
import { dnsLabelProblem } from '../../core/grammar';
import { fqdn, HostIndex } from '../../core/hosts';
import { arr, isRecord, pushTo } from '../../core/json';
import { mergeAscending } from '../../core/ordered';
import { listCounted, listSome, SHOWN_IN_FINDINGS } from '../../core/text';
import { Visibility, visibilityOf } from '../../core/visibility';
import { AppFinding, IstioObject, Rule, RuleContext } from '../../engine/types';
import { label, namespaceOf } from '../../engine/view';
import { effectiveConnectionPool } from '../../engine/view-dr';
import { isMeshBound, routeLabel } from '../../engine/view-vs';

export const VS21: Rule = {
  code: 'VS-21', title: 'No route retries against a DestinationRule with connectionPool.http.maxRetries: 0', severity: Severity.WARNING, levels: 'W', scope: 'app',
  kinds: ['VirtualService'],
  why: 'The two settings contradict each other: maxRetries: 0 reads as "no retries", yet the route asks for them. Istio in fact treats maxRetries 0 as unset (pilot only applies values > 0, leaving the cluster at 2^32-1 concurrent retries), so the DestinationRule bounds nothing and the route retries as written.',
  fix: 'To disable retries set retries.attempts: 0 on the route; to bound concurrent retries set maxRetries to 1 or more.',
  upstream: 'Derived (DR ↔ VS): pilot applyConnectionPool (MaxRetries > 0 guard)',
  checkApp(ctx: RuleContext): AppFinding[] {
    const index = new HostIndex<IstioObject>();
    for (const dr of ctx.ofKind('DestinationRule')) if (typeof dr.spec.host === 'string' && dr.spec.host) index.add(fqdn(dr.spec.host, dr.namespace), dr);
    const out: AppFinding[] = [];
    for (const vs of ctx.ofKind('VirtualService')) {
      arr(vs.spec.http).forEach((route, i) => {
        if (!isRecord(route) || !isRecord(route.retries)) return;
        const attempts = route.retries.attempts;
        if (typeof attempts !== 'number' || attempts <= 0) return;
        arr(route.route).forEach((r, j) => {
          const d = isRecord(r) ? r.destination : undefined;
          if (!isRecord(d) || typeof d.host !== 'string') return;
          const host = fqdn(d.host, vs.namespace);
          const dr = index.mostSpecific(host);
          const subset = typeof d.subset === 'string' && d.subset ? d.subset : undefined;
          const port = isRecord(d.port) && typeof d.port.number === 'number' ? d.port.number : undefined;
          const pool = dr ? effectiveConnectionPool(dr, subset, port) : undefined;
          if (!isRecord(pool) || !isRecord(pool.http) || pool.http.maxRetries !== 0) return;
          out.push({
            object: vs, value: attempts,
            message: `${routeLabel(route, i)} retries ${attempts} times to ${host}${subset ? ` subset "${subset}"` : ''} (destination ${j}), but ${label(dr!)} sets connectionPool.http.maxRetries: 0, which Istio treats as unset`,
            fix: this.fix,
          });
        });
      });
    }
    return out;
  },
};

const vsName = (o: IstioObject) => `"${namespaceOf(o)}/${o.name}"`;

/** The first three of `list` but `self`, as messages name them, and how many more of `total` there are. */
const others = (list: readonly IstioObject[], self: IstioObject | undefined, total: number) => {
  const shown: string[] = [];
  for (const o of list) {
    if (shown.length === 3) break;
    if (o !== self) shown.push(vsName(o));
  }
  return listCounted(shown, total);
};

/** Others counted per finding at most when exportTo lists several namespaces; past it the message says "at least". */
const COUNTED = 100;

/** VirtualServices of one host with the same exportTo: they overlap the same others. */
interface Audience {
  /** Order of appearance. */
  readonly id: number;
  readonly visibility: Visibility;
  readonly members: IstioObject[];
}

/**
 * For each mesh-bound VirtualService of one host whose exportTo overlaps another's, the others as the message
 * names them. VirtualServices are grouped by exportTo, and a group meets the others through the namespaces
 * they export to, never pair by pair, so many VirtualServices for one host stay linear.
 */
function meshClashes(list: readonly IstioObject[]): Array<{ vs: IstioObject; clash: string }> {
  const position = new Map(list.map((vs, i) => [vs, i]));
  const audiences = new Map<string, Audience>();
  for (const vs of list) {
    const visibility = visibilityOf(vs.spec.exportTo, vs.namespace);
    const key = visibility.all ? '*' : JSON.stringify([...visibility.namespaces].sort());
    const audience = audiences.get(key) ?? { id: audiences.size, visibility, members: [] };
    audience.members.push(vs);
    audiences.set(key, audience);
  }
  // Exported to nobody, a VirtualService meets none.
  const seen = [...audiences.values()].filter((a) => a.visibility.all || a.visibility.namespaces.size > 0);
  const everyone = seen.filter((a) => a.visibility.all);
  const byNamespace = new Map<string, Audience[]>();
  for (const a of seen) for (const ns of a.visibility.namespaces) pushTo(byNamespace, ns, a);
  const members = (lists: Audience[][]) => lists.reduce((n, l) => n + l.reduce((m, a) => m + a.members.length, 0), 0);
  const out: Array<{ vs: IstioObject; clash: string }> = [];
  for (const audience of seen) {
    // The groups this one overlaps, itself included, in order: every group seen somewhere when this one is seen
    // everywhere, else those seen everywhere or in one of its namespaces. With one namespace the lists are
    // disjoint and their sizes add up; with several a group may be in more than one, so they are merged.
    const { all, namespaces } = audience.visibility;
    const lists = all ? [seen] : [everyone, ...[...namespaces].map((ns) => byNamespace.get(ns)!)];
    const overlapping = mergeAscending(lists, (a) => a.id);
    const firstGroups: Audience[] = [];
    let total = 0;
    let cut = false;
    if (all || namespaces.size === 1) {
      total = members(lists);
      for (const a of overlapping) if (firstGroups.push(a) === 4) break;
    } else {
      // Several namespaces: the union is counted group by group, up to a bound.
      for (const a of overlapping) {
        if (total > COUNTED && firstGroups.length === 4) {
          cut = true;
          break;
        }
        if (firstGroups.length < 4) firstGroups.push(a);
        total += a.members.length;
      }
    }
    const others = total - 1;
    if (others === 0) continue;
    // The first four overlapping VirtualServices in list order are among the first four groups' first four:
    // three to name, and one more in case one is the VirtualService itself.
    const first = firstGroups.flatMap((a) => a.members.slice(0, 4)).sort((a, b) => position.get(a)! - position.get(b)!).slice(0, 4);
    for (const vs of audience.members) {
      const shown = first.filter((o) => o !== vs).slice(0, 3).map(vsName);
      out.push({ vs, clash: cut ? `${shown.join(', ')} and at least ${others - shown.length} more` : listCounted(shown, others) });
    }
  }
  return out.sort((a, b) => position.get(a.vs)! - position.get(b.vs)!);
}

export const VS33: Rule = {
  code: 'VS-33', title: 'One VirtualService per host per gateway scope', severity: Severity.ERROR, levels: 'E/W', scope: 'app',
  kinds: ['VirtualService'],
  why: 'Two mesh-bound VirtualServices for the same host visible in the same namespace give undefined behaviour (one wins). Two VirtualServices for the same host on one gateway are merged in an order-dependent way. A "*" VirtualService on a gateway never applies to the hosts other VirtualServices on that gateway claim.',
  fix: 'Merge the VirtualServices for the host into one (or use delegation), or narrow their exportTo so they never meet.',
  upstream: 'IST0109, KIA1106',
  checkApp(ctx: RuleContext): AppFinding[] {
    const mesh = new Map<string, IstioObject[]>();
    const onGateway = new Map<string, IstioObject[]>();
    const wildcard = new Map<string, IstioObject[]>();
    // Hosts and gateways are de-duplicated per VirtualService, so each one enters a bucket at most once.
    const add = pushTo;
    for (const vs of ctx.ofKind('VirtualService')) {
      const ns = namespaceOf(vs);
      const hosts = [...new Set(arr(vs.spec.hosts).filter((h): h is string => typeof h === 'string' && h !== '').map((h) => (h === '*' ? '*' : fqdn(h, ns))))];
      const gateways = [...new Set(arr(vs.spec.gateways).map((g) => resolveGatewayRef(g, ns)).filter((g): g is string => g !== undefined))];
      if (isMeshBound(vs.spec)) for (const h of hosts) if (h !== '*') add(mesh, h, vs);
      for (const g of gateways) {
        for (const h of hosts) add(onGateway, `${g}|${h}`, vs);
        if (hosts.some((h) => h !== '*')) add(wildcard, `${g}|specific`, vs);
      }
    }
    const out: AppFinding[] = [];
    for (const [host, list] of mesh) {
      if (list.length < 2) continue;
      for (const { vs, clash } of meshClashes(list)) {
        out.push({
          object: vs, value: host,
          message: `host ${host} is also bound to the mesh by VirtualService ${clash} with overlapping exportTo; which one applies is undefined`,
          fix: this.fix,
        });
      }
    }
    for (const [key, list] of onGateway) {
      const [gateway, host] = key.split('|');
      if (host === '*') {
        const stars = new Set(list);
        const specific = (wildcard.get(`${gateway}|specific`) ?? []).filter((o) => !stars.has(o));
        // The same VirtualServices for every "*" one: named once.
        const shown = others(specific, undefined, specific.length);
        for (const vs of list) {
          if (specific.length > 0) {
            out.push({ object: vs, severity: Severity.WARNING, value: '*', message: `host "*" on gateway ${gateway} does not apply to the hosts of VirtualService ${shown} on the same gateway`, fix: this.fix });
          }
        }
      }
      if (list.length < 2) continue;
      for (const vs of list) {
        out.push({ object: vs, severity: Severity.WARNING, value: host, message: `host ${host} on gateway ${gateway} is also claimed by VirtualService ${others(list, vs, list.length - 1)}; Istio merges them in an order-dependent way`, fix: this.fix });
      }
    }
    return out;
  },
};

/** Route destinations of a VirtualService (not mirrors), with where they are. */
function routeDestinations(vs: IstioObject): Array<{ host: string; subset?: string; where: string }> {
  const out: Array<{ host: string; subset?: string; where: string }> = [];
  for (const section of ['http', 'tcp', 'tls']) {
    arr(vs.spec[section]).forEach((route, i) => arr(isRecord(route) ? route.route : undefined).forEach((r, j) => {
      const d = isRecord(r) ? r.destination : undefined;
      if (isRecord(d) && typeof d.host === 'string' && d.host) {
        out.push({ host: fqdn(d.host, vs.namespace), subset: typeof d.subset === 'string' && d.subset ? d.subset : undefined, where: `${routeLabel(route, i, section)} destination ${j}` });
      }
    }));
  }
  return out;
}

export const VS34: Rule = {
  code: 'VS-34', title: 'A gateway VirtualService does not bypass a mesh VirtualService that splits the same host by subsets', severity: Severity.WARNING, levels: 'W', scope: 'app',
  kinds: ['VirtualService'],
  why: 'Mesh VirtualServices do not apply to traffic a gateway routes: a gateway route to the host without a subset reaches every version, so ingress traffic ignores the canary split.',
  fix: 'Give the gateway VirtualService the same subset split (or delegate to one VirtualService), or bind the splitting VirtualService to the gateway as well.',
  upstream: 'IST0140',
  checkApp(ctx: RuleContext): AppFinding[] {
    const splits = new Map<string, { vs: IstioObject; subsets: Set<string> }>();
    for (const vs of ctx.ofKind('VirtualService')) {
      if (!isMeshBound(vs.spec)) continue;
      const hosts = new Set(arr(vs.spec.hosts).filter((h): h is string => typeof h === 'string').map((h) => fqdn(h, vs.namespace)));
      for (const d of routeDestinations(vs)) {
        if (!d.subset || !hosts.has(d.host)) continue;
        const entry = splits.get(d.host) ?? { vs, subsets: new Set<string>() };
        if (entry.vs === vs) entry.subsets.add(d.subset);
        splits.set(d.host, entry);
      }
    }
    const out: AppFinding[] = [];
    for (const vs of ctx.ofKind('VirtualService')) {
      const gateways = arr(vs.spec.gateways);
      if (gateways.length === 0 || gateways.includes(MESH_GATEWAY)) continue;
      for (const d of routeDestinations(vs)) {
        const split = d.subset ? undefined : splits.get(d.host);
        if (!split || split.vs === vs) continue;
        out.push({
          object: vs, value: d.host,
          message: `${d.where} sends gateway traffic to ${d.host} without a subset, while ${label(split.vs)} splits that host by subsets (${[...split.subsets].join(', ')}) for mesh traffic only`,
          fix: this.fix,
        });
      }
    }
    return out;
  },
};

export const VS35: Rule = {
  code: 'VS-35', title: 'Every exportTo namespace exists in the App or the declared namespace inventory', severity: Severity.WARNING, levels: 'W', scope: 'app',
  kinds: ['VirtualService'],
  why: 'Exporting to a namespace that does not exist makes the VirtualService visible nowhere you intended. Runs only when the inventory declares namespaces, because Namespace objects are not visible to the rules; a namespace counts as existing when it is declared or any object of the App lives in it. The exportTo grammar (duplicates, "*" alone) is X-05.',
  fix: 'Fix the namespace name in exportTo, or add the namespace to the inventory.',
  upstream: 'KIA0005, webhook V38 (grammar in X-05)',
  checkApp(ctx: RuleContext): AppFinding[] {
    const declared = ctx.inventory?.namespaces;
    if (!Array.isArray(declared)) return [];
    const known = new Set<string>(declared.filter((n) => typeof n === 'string'));
    for (const o of [...ctx.objects, ...ctx.workloads, ...ctx.services]) if (o.namespace) known.add(o.namespace);
    let allowed: string | undefined;
    const out: AppFinding[] = [];
    for (const vs of ctx.ofKind('VirtualService')) {
      arr(vs.spec.exportTo).forEach((ns, i) => {
        if (typeof ns !== 'string' || ns === '.' || ns === '*' || ns === '~' || dnsLabelProblem(ns) || known.has(ns)) return;
        out.push({
          object: vs, value: ns, allowed: (allowed ??= listSome([...known].sort(), SHOWN_IN_FINDINGS)),
          message: `spec.exportTo[${i}] "${ns}" names a namespace that is neither declared in the inventory nor used by any object of the App`,
          fix: this.fix,
        });
      });
    }
    return out;
  },
};
