
/** A Service or ServiceEntry in the App that a destination host resolves to. */
import { Severity } from '../../core/errors';
import { fqdn } from '../../core/hosts';
import { arr, isRecord } from '../../core/json';
import { AppFinding, Rule, RuleContext } from '../../engine/types';
import { destinationsOf } from '../../engine/view-vs';
interface Target {
  readonly what: string;
  /** Distinct valid port numbers. */
  readonly ports: readonly number[];
}

const SVC_HOST = /^([^.]+)\.([^.]+)\.svc\.cluster\.local$/;

function distinctPorts(values: unknown[]): number[] {
  return [...new Set(values.filter((p): p is number => typeof p === 'number' && Number.isInteger(p) && p >= 1 && p <= 65535))].sort((a, b) => a - b);
}

/** Label-suffix keys a wildcard may be stored under: `a.b.c` → `.b.c`, `.c`, `` (`*`). */
function wildcardKeys(host: string): string[] {
  const out: string[] = [];
  for (let i = host.indexOf('.'); i >= 0; i = host.indexOf('.', i + 1)) out.push(host.slice(i));
  out.push('');
  return out;
}

/** `*.example.com` → `.example.com`, `*` → ``; `undefined` for a plain host. */
function wildcardKey(pattern: string): string | undefined {
  if (pattern === '*') return '';
  return pattern.startsWith('*.') ? pattern.slice(1) : undefined;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Where destination hosts resolve: Services of the App (`name.namespace.svc.cluster.local`; a Service without
 * namespace matches that name in any namespace, since its namespace is chosen at apply time), ServiceEntry
 * hosts of the App (wildcards honoured) and the declared inventory hosts. Lookups cost O(labels of the host).
 */
class HostIndex {
  private readonly services = new Map<string, Target[]>();
  private readonly unnamespaced = new Map<string, Target[]>();
  private readonly entries = new Map<string, Target[]>();
  private readonly wildEntries = new Map<string, Target[]>();
  private readonly inventory = new Set<string>();
  private readonly wildInventory = new Set<string>();
  /** Whether the user declared which hosts exist outside the App. */
  public readonly hostInventory: boolean;

  constructor(ctx: RuleContext) {
    for (const s of ctx.services) {
      if (typeof s.name !== 'string' || s.name === '') continue;
      const target: Target = { what: `Service "${s.name}"${s.namespace ? ` in namespace ${s.namespace}` : ''}`, ports: distinctPorts(arr(s.ports).map((p) => p?.port)) };
      if (s.namespace) push(this.services, `${s.name}.${s.namespace}.svc.cluster.local`.toLowerCase(), target);
      else push(this.unnamespaced, s.name.toLowerCase(), target);
    }
    for (const se of ctx.ofKind('ServiceEntry')) {
      const target: Target = { what: `ServiceEntry "${se.name}"`, ports: distinctPorts(arr(se.spec.ports).map((p) => (isRecord(p) ? p.number : undefined))) };
      for (const h of new Set(arr(se.spec.hosts).filter((x): x is string => typeof x === 'string' && x !== ''))) {
        const host = fqdn(h, se.namespace);
        const key = wildcardKey(host);
        if (key !== undefined) push(this.wildEntries, key, target);
        else push(this.entries, host, target);
      }
    }
    const hosts = ctx.inventory?.hosts;
    this.hostInventory = Array.isArray(hosts);
    for (const h of arr(hosts)) {
      if (typeof h !== 'string' || h === '') continue;
      const host = (h.endsWith('.') ? h.slice(0, -1) : h).toLowerCase();
      const key = wildcardKey(host);
      if (key !== undefined) this.wildInventory.add(key);
      else this.inventory.add(host);
    }
  }

  /** The Services and ServiceEntries of the App that define `host` (an FQDN). */
  targets(host: string): Target[] {
    const out = [...(this.services.get(host) ?? []), ...(this.entries.get(host) ?? [])];
    const svc = SVC_HOST.exec(host);
    if (svc) out.push(...(this.unnamespaced.get(svc[1]) ?? []));
    if (out.length > 0) return out;
    for (const key of wildcardKeys(host)) out.push(...(this.wildEntries.get(key) ?? []));
    return out;
  }

  /** Whether the declared inventory lists `host` (exactly or by a wildcard). */
  inInventory(host: string): boolean {
    return this.inventory.has(host) || wildcardKeys(host).some((k) => this.wildInventory.has(k));
  }
}

const indexes = new WeakMap<RuleContext, HostIndex>();

function indexOf(ctx: RuleContext): HostIndex {
  let index = indexes.get(ctx);
  if (!index) {
    index = new HostIndex(ctx);
    indexes.set(ctx, index);
  }
  return index;
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
      for (const { destination: d, path, routeName } of destinationsOf(vs.spec)) {
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
      for (const { destination: d, path, routeName } of destinationsOf(vs.spec)) {
        const host = fqdn(d.host, vs.namespace);
        if (host.includes('*') || index.targets(host).length > 0 || index.inInventory(host)) continue;
        push(missing, host, `${path}${routeName}`);
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
