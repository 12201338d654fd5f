/**
 * What {@link ExternalDependency} emits for `egressGateway` (Istio's egress-gateway pattern): the Gateway on the egress
 * gateway pods, the DestinationRule of the gateway host, and the routes through the gateway and their names.
 */
import { Construct } from 'constructs';
import { DestinationRule, Gateway } from '../../imports/istio-networking.istio.io';
import { subsetLabelsProblem } from '../core/subsets';
import { Rules } from '../synth/rules';
import { metadataFor } from './common';
import { HTTP_FAMILY, PortProtocol, TLS_FAMILY } from './external-dependency-fields';


/** The Gateway on the egress gateway pods: a server per HTTP- and TLS-family port for the hosts (TLS passes through by SNI). */
export function egressGatewayObject(scope: Construct, name: string, namespace: string | undefined, selector: Record<string, string>, hosts: string[],
  ports: ReadonlyArray<{ number: number; name: string; protocol: string }>): Gateway {
  return new Gateway(scope, 'EgressGateway', {
    metadata: metadataFor(scope, name, namespace),
    spec: {
      selector,
      servers: ports.map((p) => ({
        port: { number: p.number, name: p.name, protocol: HTTP_FAMILY.includes(p.protocol as PortProtocol) ? 'HTTP' : 'TLS' },
        hosts: [...hosts],
        ...(TLS_FAMILY.includes(p.protocol as PortProtocol) ? { tls: { mode: 'PASSTHROUGH' } } : {}),
      })) as any,
    },
  });
}

/** Istio's DestinationRule for the egress gateway host, with the (label-less) subset the sidecars' traffic goes to. */
export function egressGatewayDestinationRule(scope: Construct, name: string, namespace: string | undefined, host: string, subset: string): DestinationRule {
  const dr = new DestinationRule(scope, 'EgressGatewayDestinationRule', {
    metadata: metadataFor(scope, name, namespace),
    spec: { host, subsets: [{ name: subset }], exportTo: ['.'] },
  });
  // The subset has no labels on purpose: DR-03's warning is answered with the reason.
  Rules.suppress(dr, subsetLabelsProblem.code, "the label-less subset names this dependency's traffic to the egress gateway, as in Istio's egress gateway task");
  return dr;
}

/** `mesh-80` / `gateway-80`: the route of one port on one side of the egress gateway. */
export function egressRouteName(side: 'mesh' | 'gateway', port: number): string {
  return `${side}-${port}`;
}

/**
 * The routes through the egress gateway, per port: sidecars (`mesh`) to the egress gateway's host on the same
 * port, the gateway to the external host. The last HTTP port of each side needs no port match (the catch-all of
 * that gateway, VS-06); TLS ports match the SNI host and port.
 */
export function egressRoutes(host: string, httpPorts: Array<{ number: number }>, tlsPorts: Array<{ number: number }>, gateway: { host: string; subset?: string }, gatewayRef: string,
  resilience: Record<string, unknown>): { http?: Record<string, unknown>[]; tls?: Record<string, unknown>[] } {
  const gatewayHost = gateway.host;
  const to = (h: string, port: number) => [{ destination: { host: h, ...(h === gatewayHost && gateway.subset !== undefined ? { subset: gateway.subset } : {}), port: { number: port } } }];
  const side = (s: 'mesh' | 'gateway') => httpPorts.map((p, i) => ({
    name: egressRouteName(s, p.number),
    match: [{ gateways: [s === 'mesh' ? 'mesh' : gatewayRef], ...(i < httpPorts.length - 1 ? { port: p.number } : {}) }],
    route: to(s === 'mesh' ? gatewayHost : host, p.number),
    ...(s === 'gateway' ? resilience : {}),
  }));
  const tls = tlsPorts.flatMap((p) => (['mesh', 'gateway'] as const).map((s) => ({
    match: [{ gateways: [s === 'mesh' ? 'mesh' : gatewayRef], port: p.number, sniHosts: [host] }],
    route: to(s === 'mesh' ? gatewayHost : host, p.number),
  })));
  return { ...(httpPorts.length > 0 ? { http: [...side('mesh'), ...side('gateway')] } : {}), ...(tls.length > 0 ? { tls } : {}) };
}
