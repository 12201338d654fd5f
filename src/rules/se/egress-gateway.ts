import { Severity } from '../../core/errors';
import { fqdn, hostMatches } from '../../core/hosts';
import { arr, hasText, isRecord } from '../../core/json';
import { meshRouteTargets } from '../../core/sidecar';
import { visibilityOf } from '../../core/visibility';
import { MESH_GATEWAY } from '../../core/gateway-ref';
import { AppFinding, IstioObject, Rule, RuleContext } from '../../engine/types';
import { label, namespaceOf, nsName } from '../../engine/view';

const sees = (o: IstioObject, namespace: string): boolean => {
  const v = visibilityOf(o.spec.exportTo, namespaceOf(o));
  return v.all || v.namespaces.has(namespace);
};
const exported = (o: IstioObject): string => JSON.stringify(arr(o.spec.exportTo).length > 0 ? o.spec.exportTo : ['*']);

export const SE10: Rule = {
  code: 'SE-10', title: 'An egress gateway sees the VirtualService, ServiceEntry and DestinationRule of the hosts it forwards', severity: Severity.ERROR, levels: 'E/W', scope: 'app',
  kinds: ['VirtualService'],
  why: 'In Istio\'s egress gateway pattern one VirtualService is bound to the mesh and to a Gateway: sidecars send the external host to the egress '
    + 'gateway\'s Service, and the gateway forwards it out. The gateway pods run in their own namespace (istio-system by default) and, like '
    + 'sidecars, only get the configuration exported to it: a VirtualService exported only to "." in the application\'s namespace gives the '
    + 'gateway no route for the host (404, or a reset TLS connection), a ServiceEntry hidden from it leaves the gateway without a cluster for the '
    + 'host (502/503), and a hidden DestinationRule means the gateway ignores it — its TLS origination too, so requests leave the mesh in plain '
    + 'text (errors). A hidden DestinationRule without TLS settings only loses its connection pool or outlier detection there (warning). The '
    + 'gateway\'s namespace is taken from the Service host the mesh-bound routes send the traffic to; checked on VirtualServices for external hosts '
    + 'bound to the mesh and a gateway, with routes only that gateway takes.',
  fix: 'Add the egress gateway\'s namespace to exportTo (e.g. exportTo: [".", "istio-system"]) of the VirtualService, the ServiceEntry and the '
    + 'DestinationRule; ExternalDependency with egressGateway does this.',
  upstream: 'Istio push context: VirtualServicesForGateway, service and DestinationRule visibility by exportTo (egress gateway tasks)',
  checkApp(ctx: RuleContext): AppFinding[] {
    const out: AppFinding[] = [];
    for (const vs of ctx.ofKind('VirtualService')) {
      const gateways = arr(vs.spec.gateways).filter(hasText);
      if (!gateways.includes(MESH_GATEWAY) || gateways.length < 2) continue;
      const ns = namespaceOf(vs);
      // The pattern: external hosts, and routes that only the non-mesh gateway takes (the gateway's way out).
      const hosts = arr(vs.spec.hosts).filter(hasText).map((h) => fqdn(h, ns)).filter((h) => !h.endsWith('.cluster.local'));
      const gatewaySide = ['http', 'tls', 'tcp'].some((section) => arr(vs.spec[section]).some((r) => isRecord(r)
        && arr(r.match).some((m) => isRecord(m) && arr(m.gateways).length > 0 && !arr(m.gateways).includes(MESH_GATEWAY))));
      if (hosts.length === 0 || !gatewaySide) continue;
      const gatewayNamespaces = new Set<string>();
      for (const host of hosts) {
        for (const t of meshRouteTargets(host, ns, [{ namespace: ns, spec: vs.spec }])) gatewayNamespaces.add(t.namespace);
      }
      for (const gwNs of gatewayNamespaces) {
        const at = `the egress gateway in namespace ${gwNs} (which ${label(vs)}'s mesh routes send ${hosts.join(', ')} to)`;
        if (!sees(vs, gwNs)) {
          out.push({
            object: vs, value: gwNs, allowed: `exportTo including "${gwNs}" or "*"`,
            message: `spec.exportTo ${exported(vs)} of VirtualService "${nsName(vs)}" hides it from ${at}: the gateway gets none of its routes`,
            fix: this.fix,
          });
        }
        for (const host of hosts) {
          const entries = ctx.ofKind('ServiceEntry').filter((se) => arr(se.spec.hosts).some((h) => hasText(h) && hostMatches(fqdn(h, namespaceOf(se)), host)));
          if (entries.length > 0 && !entries.some((se) => sees(se, gwNs))) {
            out.push({
              object: vs, value: host, allowed: `a ServiceEntry exported to "${gwNs}"`,
              message: `ServiceEntry "${nsName(entries[0])}" (spec.exportTo ${exported(entries[0])}) hides "${host}" from ${at}: the gateway has no cluster to forward it to`,
              fix: this.fix,
            });
          }
          for (const dr of ctx.ofKind('DestinationRule')) {
            if (!hasText(dr.spec.host) || fqdn(dr.spec.host, namespaceOf(dr)) !== host || sees(dr, gwNs)) continue;
            const tls = isRecord(dr.spec.trafficPolicy) && (dr.spec.trafficPolicy.tls !== undefined || arr(dr.spec.trafficPolicy.portLevelSettings).some((p) => isRecord(p) && p.tls !== undefined));
            out.push({
              object: vs, value: host, ...(tls ? {} : { severity: Severity.WARNING }), allowed: `a DestinationRule exported to "${gwNs}"`,
              message: `DestinationRule "${nsName(dr)}" (spec.exportTo ${exported(dr)}) for "${host}" is hidden from ${at}, so the gateway ignores it${tls ? ', TLS origination included: requests leave the mesh in plain text' : ''}`,
              fix: this.fix,
            });
          }
        }
      }
    }
    return out;
  },
};
