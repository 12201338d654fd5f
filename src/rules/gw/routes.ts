import { Severity } from '../../core/errors';
import { resolveGatewayRef } from '../../core/gateway-ref';
import { fqdn, hostMatches, hostsIntersect } from '../../core/hosts';
import { arr, isRecord, pushTo } from '../../core/json';
import { listSome } from '../../core/text';
import { AppFinding, Rule, RuleContext } from '../../engine/types';
import { nsName } from '../../engine/view';
import { serverHostName } from './conflicts';
import { serverLabel, serversOf } from './shape';

/** A VirtualService host bound to a gateway, with the VirtualService's namespace. */
interface BoundHost {
  readonly host: string;
  readonly namespace: string;
}

export const GW11: Rule = {
  code: 'GW-11', title: 'Every Gateway server host is served by a VirtualService bound to the Gateway', severity: Severity.WARNING, levels: 'W', scope: 'app',
  kinds: ['Gateway'],
  why: 'A server host that no VirtualService bound to the Gateway (spec.gateways) serves is a dead listener: requests for it get 404 (HTTP) or are '
    + 'dropped (TLS/TCP). Honours the `namespace/host` scope of server hosts (".", "*", a namespace). The reverse of VS-31. Servers that need no '
    + 'VirtualService are skipped: plain HTTP with tls.httpsRedirect, and AUTO_PASSTHROUGH. VirtualServices outside the App are not seen: suppress '
    + 'with a reason when another team binds the routes.',
  fix: 'Bind a VirtualService for the host to this Gateway (gateways: ["<namespace>/<gateway>"]), or remove the host from the server.',
  upstream: 'Derived (reverse of IST0132)',
  checkApp(ctx: RuleContext): AppFinding[] {
    const bound = new Map<string, BoundHost[]>();
    for (const vs of ctx.ofKind('VirtualService')) {
      const namespace = vs.namespace ?? 'default';
      const hosts = arr(vs.spec.hosts).filter((h): h is string => typeof h === 'string' && h !== '').map((h) => fqdn(h, namespace));
      const gateways = new Set(arr(vs.spec.gateways).filter((g): g is string => typeof g === 'string').map((g) => resolveGatewayRef(g, namespace)));
      for (const g of gateways) if (g) for (const host of hosts) pushTo(bound, g, { host, namespace });
    }
    const out: AppFinding[] = [];
    for (const gw of ctx.ofKind('Gateway')) {
      const key = nsName(gw);
      const routes = bound.get(key) ?? [];
      const exact = new Map<string, BoundHost[]>();
      const wild: BoundHost[] = [];
      for (const r of routes) {
        if (r.host.includes('*')) wild.push(r);
        else pushTo(exact, r.host, r);
      }
      for (const { server, index } of serversOf(gw)) {
        const tls = isRecord(server.tls) ? server.tls : {};
        if (tls.mode === 'AUTO_PASSTHROUGH' || tls.httpsRedirect === true) continue;
        const unserved: string[] = [];
        for (const h of arr(server.hosts)) {
          if (typeof h !== 'string' || h === '') continue;
          const scope = h.includes('/') ? h.slice(0, h.indexOf('/')) : '*';
          const name = serverHostName(h);
          const allowed = (r: BoundHost) => scope === '*' || r.namespace === (scope === '.' ? gw.namespace ?? 'default' : scope);
          const served = name.includes('*')
            ? routes.some((r) => allowed(r) && hostsIntersect(name, r.host))
            : (exact.get(name) ?? []).some(allowed) || wild.some((r) => allowed(r) && hostMatches(r.host, name));
          if (!served) unserved.push(`"${h}"`);
        }
        if (unserved.length === 0) continue;
        out.push({
          object: gw, value: unserved.length,
          message: routes.length === 0
            ? `${serverLabel(server, index)} host${unserved.length === 1 ? '' : 's'} ${listSome(unserved)} ${unserved.length === 1 ? 'is' : 'are'} not served: no VirtualService in the App binds to Gateway "${key}"`
            : `${serverLabel(server, index)} host${unserved.length === 1 ? '' : 's'} ${listSome(unserved)} ${unserved.length === 1 ? 'is' : 'are'} served by none of the ${routes.length} VirtualService host(s) bound to Gateway "${key}"`,
          fix: this.fix,
        });
      }
    }
    return out;
  },
};
