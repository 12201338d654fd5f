import { Severity } from '../../core/errors';
import { arr, isRecord, pushTo } from '../../core/json';
import { protocolOf, showProtocol } from '../../core/protocols';
import { listCounted } from '../../core/text';
import { visibilitiesOverlap, Visibility, visibilityOf } from '../../core/visibility';
import { AppFinding, IstioObject, Rule, RuleContext } from '../../engine/types';
import { nsName } from '../../engine/view';

/** One host:port declaration of a ServiceEntry. */
interface Declaration {
  readonly object: IstioObject;
  readonly host: string;
  readonly port: number;
  readonly portIndex: number;
  readonly protocol: string;
  readonly visibility: Visibility;
}

/** Declarations of one host:port that share a visibility, by protocol. */
interface Group {
  readonly visibility: Visibility;
  readonly byProtocol: Map<string, Declaration[]>;
}

/** Up to `max` declarations from `lists` other than `self`, and how many there are in all (`own` is the list holding `self`). */
function sample(lists: readonly Declaration[][], self: Declaration, own: readonly Declaration[], max = 3): { shown: Declaration[]; total: number } {
  const shown: Declaration[] = [];
  let total = lists.includes(own as Declaration[]) ? -1 : 0;
  for (const l of lists) {
    total += l.length;
    for (const d of l) {
      if (shown.length >= max) break;
      if (d !== self) shown.push(d);
    }
  }
  return { shown, total };
}

export const SE07: Rule = {
  code: 'SE-07', title: 'One protocol per host and port across the ServiceEntries of the App', severity: Severity.ERROR, levels: 'E/W', scope: 'app',
  kinds: ['ServiceEntry'],
  why: 'ServiceEntries that declare the same host and port for the same namespaces are merged by the proxy; with different protocols one of them wins '
    + 'by creation order, so the other protocol (HTTP routing, TLS SNI routing) silently stops applying (error). An exact duplicate is redundant and '
    + 'drifts apart the first time one copy is edited (warning). Entries whose exportTo scopes do not overlap, or that are hidden ("~"), do not meet.',
  fix: 'Declare each host and port in one ServiceEntry, or give the entries exportTo scopes that do not overlap.',
  upstream: 'IST0177 ConflictingServiceEntryProtocol, KIA1211, KIA1212',
  checkApp(ctx: RuleContext): AppFinding[] {
    const byKey = new Map<string, Declaration[]>();
    for (const object of ctx.ofKind('ServiceEntry')) {
      const visibility = visibilityOf(object.spec.exportTo, object.namespace);
      if (!visibility.all && visibility.namespaces.size === 0) continue;
      const hosts = new Set(arr(object.spec.hosts).filter((h): h is string => typeof h === 'string' && h !== '')
        .map((h) => h.toLowerCase().replace(/\.$/, '')));
      arr(object.spec.ports).forEach((p, portIndex) => {
        if (!isRecord(p) || typeof p.number !== 'number') return;
        for (const host of hosts) {
          const key = `${host}:${p.number}`;
          pushTo(byKey, key, { object, host, port: p.number, portIndex, protocol: protocolOf(p), visibility });
        }
      });
    }
    const out: AppFinding[] = [];
    for (const list of byKey.values()) {
      // One declaration per object (a port number repeated inside one entry is SE-03's), grouped by visibility and protocol,
      // so each declaration is compared with a few groups rather than with every other entry.
      const seen = new Set<IstioObject>();
      const groups = new Map<string, Group>();
      for (const d of list) {
        if (seen.has(d.object)) continue;
        seen.add(d.object);
        const key = d.visibility.all ? '*' : [...d.visibility.namespaces].sort().join(',');
        const group = groups.get(key) ?? { visibility: d.visibility, byProtocol: new Map<string, Declaration[]>() };
        pushTo(group.byProtocol, d.protocol, d);
        groups.set(key, group);
      }
      if (seen.size < 2) continue;
      const all = [...groups.values()];
      for (const group of all) {
        const partners = all.filter((g) => visibilitiesOverlap(g.visibility, group.visibility));
        for (const [protocol, decls] of group.byProtocol) {
          for (const d of decls) {
            const conflicting = sample(partners.flatMap((g) => [...g.byProtocol].filter(([q]) => q !== protocol).map(([, l]) => l)), d, decls);
            const where = `spec.ports[${d.portIndex}] (host "${d.host}", port ${d.port})`;
            if (conflicting.total > 0) {
              const them = conflicting.shown.map((x) => `ServiceEntry "${nsName(x.object)}" (${showProtocol(x.protocol)})`);
              out.push({
                object: d.object, value: `${d.host}:${d.port}`, allowed: 'one protocol per host and port',
                message: `${where} declares protocol ${showProtocol(d.protocol)} but ${listCounted(them, conflicting.total)} declare${conflicting.total === 1 ? 's' : ''} the same host and port with another protocol`,
                fix: this.fix,
              });
              continue;
            }
            const same = sample(partners.map((g) => g.byProtocol.get(protocol) ?? []), d, decls);
            if (same.total === 0) continue;
            out.push({
              object: d.object, severity: Severity.WARNING, value: `${d.host}:${d.port}`,
              message: `${where} protocol ${showProtocol(d.protocol)} is declared again by ${listCounted(same.shown.map((x) => `ServiceEntry "${nsName(x.object)}"`), same.total)}`,
              fix: this.fix,
            });
          }
        }
      }
    }
    return out;
  },
};
