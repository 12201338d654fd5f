import { Severity } from '../../core/errors';
import { fqdn, HostIndex } from '../../core/hosts';
import { arr, isRecord, pushTo } from '../../core/json';
import { AppFinding, Rule, RuleContext } from '../../engine/types';
import { destinationsOf } from '../../engine/view-vs';

/** A Service or ServiceEntry in the App that a destination host resolves to. */
interface Target {
  readonly what: string;
  /** Distinct valid port numbers. */
  readonly ports: readonly number[];
}

const SVC_HOST = /^([^.]+)\.([^.]+)\.svc\.cluster\.local$/;

function distinctPorts(values: unknown[]): number[] {
  return [...new Set(values.filter((p): p is number => typeof p === 'number' && Number.isInteger(p) && p >= 1 && p <= 65535))].sort((a, b) => a - b);
}

/**
 * Where destination hosts resolve: Services of the App (`name.namespace.svc.cluster.local`; a Service without
 * namespace matches that name in any namespace, since its namespace is chosen at apply time), ServiceEntry
 * hosts of the App (wildcards honoured) and the declared inventory hosts. Lookups cost O(labels of the host).
 */
class Targets {
  private readonly services = new HostIndex<Target>();
  private readonly unnamespaced = new Map<string, Target[]>();
  private readonly entries = new HostIndex<Target>();
  private readonly inventory = new HostIndex<true>();
  /** Whether the user declared which hosts exist outside the App. */
  public readonly hostInventory: boolean;

  constructor(ctx: RuleContext) {
    for (const s of ctx.services) {
      if (typeof s.name !== 'string' || s.name === '') continue;
      const target: Target = { what: `Service "${s.name}"${s.namespace ? ` in namespace ${s.namespace}` : ''}`, ports: distinctPorts(arr(s.ports).map((p) => p?.port)) };
      if (s.namespace) this.services.add(`${s.name}.${s.namespace}.svc.cluster.local`, target);
      else pushTo(this.unnamespaced, s.name.toLowerCase(), target);
    }
    for (const se of ctx.ofKind('ServiceEntry')) {
      const target: Target = { what: `ServiceEntry "${se.name}"`, ports: distinctPorts(arr(se.spec.ports).map((p) => (isRecord(p) ? p.number : undefined))) };
      for (const h of new Set(arr(se.spec.hosts).filter((x): x is string => typeof x === 'string' && x !== ''))) this.entries.add(fqdn(h, se.namespace), target);
    }
    const hosts = ctx.inventory?.hosts;
    this.hostInventory = Array.isArray(hosts);
    for (const h of arr(hosts)) if (typeof h === 'string' && h !== '') this.inventory.add(h, true);
  }

  /** The Services and ServiceEntries of the App that define `host` (an FQDN): exact ones, else covering wildcard entries. */
  targets(host: string): Target[] {
    const out = [...this.services.exactly(host), ...this.entries.exactly(host)];
    const svc = SVC_HOST.exec(host);
    if (svc) out.push(...(this.unnamespaced.get(svc[1]) ?? []));
    return out.length > 0 ? out : this.entries.covering(host);
  }

  /** Whether the declared inventory lists `host` (exactly or by a wildcard). */
  inInventory(host: string): boolean {
    return this.inventory.lookup(host).length > 0;
  }
}

function indexOf(ctx: RuleContext): Targets {
  return ctx.memo('vs/destinations:targets', () => new Targets(ctx));
}

export const VS14: Rule = {
  code: 'VS-14', title: 'A destination names a port when its Service or ServiceEntry has several, and the port exists on it', severity: Severity.ERROR, levels: 'E/W', scope: 'app',
  kinds: ['VirtualService'],
  why: 'Without a port, Istio cannot tell which port of a multi-port service a route or mirror means; a port the service does not expose has no endpoints (503 NR). Checked as an error when the Service or ServiceEntry is in the App. The warning branch (targets outside the App) is not evaluated: the inventory declares hosts, not their ports.',
  fix: 'Set destination.port.number to one of the ports the Service or ServiceEntry exposes.',
  upstream: 'IST0112, IST0101 host:port',
  checkApp(ctx: RuleContext): AppFinding[] {
    const index = indexOf(ctx);
    const out: AppFinding[] = [];
    for (const vs of ctx.ofKind('VirtualService')) {
      for (const { destination: d, path, routeName } of destinationsOf(vs.spec).filter((x) => x.host !== '')) {
        const host = fqdn(d.host, vs.namespace);
        if (host.includes('*')) continue;
        const targets = index.targets(host);
        const ports = distinctPorts(targets.flatMap((t) => t.ports));
        if (targets.length === 0 || ports.length === 0) continue;
        const what = targets.map((t) => t.what).join(' and ');
        if (d.port === undefined) {
          if (ports.length > 1) {
            out.push({
              object: vs, message: `${path}${routeName} routes to ${host} without a port, but ${what} exposes ports ${ports.join(', ')}`,
              fix: this.fix, allowed: ports.join(', '),
            });
          }
        } else if (isRecord(d.port) && typeof d.port.number === 'number' && !ports.includes(d.port.number)) {
          out.push({
            object: vs, message: `${path}.port.number ${d.port.number}${routeName} is not a port of ${what} (${ports.join(', ')})`,
            fix: this.fix, value: d.port.number, allowed: ports.join(', '),
          });
        }
      }
    }
    return out;
  },
};

export const VS15: Rule = {
  code: 'VS-15', title: 'Every destination and mirror host resolves to a Service or ServiceEntry in the App or the declared inventory', severity: Severity.ERROR, levels: 'E', scope: 'app',
  kinds: ['VirtualService'],
  why: 'A route to a host that no Service or ServiceEntry defines has no endpoints (503 NR, or passthrough under ALLOW_ANY). Short names resolve in the VirtualService namespace; ServiceEntry wildcard hosts and inventory patterns ("*.example.com") count. Checked only when the App declares an inventory of what exists outside it (Rules.of(app).inventory.hosts, lint --inventory): the host is then known to be missing. Without an inventory the host may exist in the cluster, so the check is skipped rather than guessed.',
  fix: 'Route to a Service or ServiceEntry in the App, add a ServiceEntry for the external host, or list the host in the inventory (Rules.of(app).inventory = { hosts: [...] }).',
  upstream: 'IST0101 host / mirror host, KIA1101',
  checkApp(ctx: RuleContext): AppFinding[] {
    const index = indexOf(ctx);
    const out: AppFinding[] = [];
    if (!index.hostInventory) return out;
    for (const vs of ctx.ofKind('VirtualService')) {
      const missing = new Map<string, string[]>();
      for (const { destination: d, path, routeName } of destinationsOf(vs.spec).filter((x) => x.host !== '')) {
        const host = fqdn(d.host, vs.namespace);
        if (host.includes('*') || index.targets(host).length > 0 || index.inInventory(host)) continue;
        pushTo(missing, host, `${path}${routeName}`);
      }
      for (const [host, wheres] of missing) {
        out.push({
          object: vs,
          message: `${wheres.join(', ')} ${wheres.length > 1 ? 'route' : 'routes'} to ${host}, which no Service or ServiceEntry in the App defines and the declared inventory does not list`,
          fix: this.fix, value: host,
        });
      }
    }
    return out;
  },
};
