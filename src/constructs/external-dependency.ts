import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { DestinationRule, Gateway, ServiceEntry, VirtualService } from '../../imports/istio-networking.istio.io';
import { checkHost, checkKeys, checkLabels, checkOptions, enforce, isBuilt, propError } from '../core/enforce';
import { collect, raiseInvalid } from '../core/problems';
import { dnsLabelProblem, toDnsLabel } from '../core/grammar';
import { clusterLocal, fqdn, isWildcardHost } from '../core/hosts';
import { selectorWithEndpointsProblem, sharedPortProblem } from '../core/service-entry';
import { show } from '../core/text';
import { sniProblem } from '../core/tls';
import { TlsOrigination } from '../policies/tls';
import { compact, renderTrafficPolicy, TrafficPolicyBaseProps } from '../policies/traffic-policy';
import { Rules } from '../synth/rules';
import { asValidationError, checkExportTo, metadataFor, renderResilience, RouteProps, withdrawn } from './common';
import { checkDynamicDns, checkEndpoints, checkHosts, checkPorts, ExternalEndpoint, ExternalPort, HTTP_FAMILY, Location, nonEmptyStrings, PortProtocol, Resolution, TLS_FAMILY } from './external-dependency-fields';
import { egressGatewayDestinationRule, egressGatewayObject, egressRouteName, egressRoutes } from './external-dependency-egress';

// The ServiceEntry fields are declared next door; importers (and src/index.ts) find them here too.
export { Location, PortProtocol, Resolution } from './external-dependency-fields';
export type { ExternalEndpoint, ExternalPort } from './external-dependency-fields';

/**
 * Props of {@link ExternalDependency}.
 */
export interface ExternalDependencyProps extends RouteProps, TrafficPolicyBaseProps {
  /**
   * External hosts, e.g. `api.pgprovider.example` (a leading `*.` wildcard only with resolution NONE or DYNAMIC_DNS;
   * with DYNAMIC_DNS every host is one).
   * @see https://istio.io/latest/docs/reference/config/networking/service-entry/#ServiceEntry
   */
  readonly hosts: string[];
  /** Ports and protocols the application uses to reach the hosts. */
  readonly ports: ExternalPort[];
  /**
   * How the hosts are resolved.
   * @default Resolution.DNS
   */
  readonly resolution?: Resolution;
  /**
   * Namespaces that see the dependency (ServiceEntry, VirtualService and DestinationRule `exportTo`).
   * @default ['.'] - only this namespace
   */
  readonly exportTo?: string[];
  /**
   * Originate TLS in the sidecar: the application speaks plain HTTP, the proxy opens verified TLS to the
   * server (HTTP ports get `targetPort` 443 unless given).
   * @default - no TLS origination (TLS ports pass through, routed by SNI)
   * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#ClientTLSSettings
   */
  readonly tlsOrigination?: TlsOrigination;
  /**
   * Virtual IPs or CIDR blocks of the service (ServiceEntry `addresses`), e.g. for TCP services reached by IP.
   * @default - none
   */
  readonly addresses?: string[];
  /**
   * Endpoints of the service (ServiceEntry `endpoints`); needed with `Resolution.STATIC` (SE-05).
   * @default - none (resolved by DNS, or the address the application connected to)
   */
  readonly endpoints?: ExternalEndpoint[];
  /**
   * Labels of the workloads (pods, WorkloadEntries of VMs) that back the service (ServiceEntry `workloadSelector`),
   * instead of `endpoints`: typically with `location: Location.MESH_INTERNAL` and `Resolution.STATIC`.
   * @default - none
   * @see https://istio.io/latest/docs/reference/config/networking/service-entry/#ServiceEntry-workload_selector
   */
  readonly workloadSelector?: { [key: string]: string };
  /**
   * Whether the service is outside the mesh (MESH_EXTERNAL) or part of it (MESH_INTERNAL).
   * @default Location.MESH_EXTERNAL
   */
  readonly location?: Location;
  /**
   * Emit the TLS pass-through VirtualService that routes each TLS port by SNI. Set false to leave the host's
   * VirtualService to another construct (e.g. a `HostTraffic` with its own routes): TLS ports still pass through
   * (Istio routes them by SNI without one).
   * @default true
   */
  readonly sniRouting?: boolean;
  /**
   * Send the traffic through an egress gateway, Istio's egress-gateway pattern: a `Gateway` on the egress gateway
   * pods for the hosts and ports, and per host a VirtualService bound to the mesh and to that Gateway, whose routes
   * send sidecar traffic to the egress gateway and the gateway's traffic to the external host (HTTP routes carry
   * `timeout`/`retries` on the gateway's side; TLS ports pass through by SNI). Not with resolution NONE (the gateway
   * would forward to itself) or wildcard hosts.
   * @default - sidecars reach the hosts directly
   * @see https://istio.io/latest/docs/tasks/traffic-management/egress/egress-gateway/
   */
  readonly egressGateway?: EgressGateway;
}

/** The egress gateway {@link ExternalDependencyProps.egressGateway} routes through. */
export interface EgressGateway {
  /**
   * Labels of the egress gateway pods (the Gateway's selector).
   * @default { istio: 'egressgateway' }
   */
  readonly selector?: { [key: string]: string };
  /**
   * The egress gateway's Service host, where sidecars send the traffic. Its namespace (the gateway pods') is added to
   * `exportTo`, so that the gateway sees the ServiceEntry, the VirtualService and the DestinationRule.
   * @default 'istio-egressgateway.istio-system.svc.cluster.local'
   */
  readonly host?: string;
  /**
   * Emit Istio's DestinationRule for the egress gateway host with this (label-less) subset, and send the sidecars'
   * traffic to it, as Istio's egress gateway task writes it (`egressgateway-for-cnn`, subset `cnn`); the DestinationRule
   * is exported to this namespace only. Sidecars reach the gateway with Istio mutual TLS either way (auto mTLS).
   * @default - no DestinationRule for the gateway host
   * @see https://istio.io/latest/docs/tasks/traffic-management/egress/egress-gateway/
   */
  readonly subset?: string;
}

/**
 * An external API brought under mesh control: registered, observable, and with the same resilience
 * settings as an internal service.
 *
 * Emits, in apply order:
 * - a `ServiceEntry` (`location: MESH_EXTERNAL`, resolution `DNS`, `exportTo: ['.']` by default);
 * - per host, a `DestinationRule` when a connection pool, outlier detection, load balancer or TLS origination
 *   is set (TLS origination verifies the server certificate unless `TlsOrigination.insecureSkipVerify`);
 * - per host, a `VirtualService`: an HTTP `default` route with `timeout`/`retries` when set (HTTP ports; with
 *   several HTTP ports, `default-<port>` routes matched by port come first), and a TLS route on `sniHosts` per
 *   TLS passthrough port. Destinations name their port when the ServiceEntry has several.
 *
 * With one host every object is named `name`; with several, the per-host objects are `<name>-<host>`.
 * Invalid props raise one IstioValidationError listing every problem, each naming this construct's path (see the
 * rule reference for the codes).
 */
export class ExternalDependency extends Construct {
  /** The external hosts. */
  public readonly hosts: string[];
  /** The emitted ServiceEntry (escape hatch). */
  public readonly serviceEntry: ServiceEntry;
  /** The emitted VirtualServices, one per host that needs one (escape hatch). */
  public readonly virtualServices: VirtualService[] = [];
  /** The emitted DestinationRules, one per host that needs one (escape hatch). */
  public readonly destinationRules: DestinationRule[] = [];
  /** The Gateway on the egress gateway pods, when `egressGateway` is set (escape hatch). @default - undefined: no `egressGateway` */
  public readonly gateway?: Gateway;
  /**
   * The DestinationRule for the egress gateway host, when `egressGateway.subset` is set (escape hatch).
   * @default - undefined: no `egressGateway.subset`
   */
  public readonly gatewayDestinationRule?: DestinationRule;

  constructor(scope: Construct, id: string, props: ExternalDependencyProps) {
    super(scope, id);
    try {
      const rules = Rules.of(this);
      const path = this.node.path;
      checkOptions(props, { path, prop: 'props' }, 'Pass props: new ExternalDependency(scope, id, { hosts, ports }).');
      // Every prop is checked on its own, so one error lists every problem; a check whose input failed is skipped.
      const problems = collect({ path, prop: 'props' });
      const resolution = problems.check(() => {
        const r = props.resolution ?? Resolution.DNS;
        if (!Object.values(Resolution).includes(r)) {
          propError({ path, prop: 'resolution' }, { value: r, shown: r, expected: Object.values(Resolution).join(', '), message: `unknown resolution ${show(r)}`, fix: 'Use a Resolution value.' });
        }
        return r;
      });
      const location = problems.check(() => {
        const l = props.location ?? Location.MESH_EXTERNAL;
        if (!Object.values(Location).includes(l)) {
          propError({ path, prop: 'location' }, { value: l, shown: l, expected: Object.values(Location).join(', '), message: `unknown location ${show(l)}`, fix: 'Use a Location value.' });
        }
        return l;
      });
      const hosts = resolution === undefined || location === undefined ? undefined : problems.check(() => checkHosts(props.hosts, resolution, location, path));
      this.hosts = hosts!;
      problems.check(() => {
        if (props.sniRouting !== undefined && typeof props.sniRouting !== 'boolean') propError({ path, prop: 'sniRouting' }, { value: props.sniRouting, expected: 'a boolean', fix: 'Set sniRouting to true or false, or leave it out.' });
      });
      let addresses: string[] | undefined;
      const addressesOk = props.addresses === undefined || problems.passes(() => (addresses = nonEmptyStrings(props.addresses!, 'addresses', path, 'an IP address or CIDR block, e.g. "10.0.0.0/16"')));
      let endpoints: Record<string, unknown>[] | undefined;
      const endpointsOk = props.endpoints === undefined || problems.passes(() => (endpoints = checkEndpoints(props.endpoints!, path)));
      let workloadSelector: Record<string, string> | undefined;
      const selectorOk = props.workloadSelector === undefined || problems.passes(() => (workloadSelector = checkLabels(props.workloadSelector!, { path, prop: 'workloadSelector' })));
      if (endpointsOk && selectorOk) {
        problems.check(() => enforce(selectorWithEndpointsProblem, [workloadSelector !== undefined, endpoints?.length ?? 0], {
          path, prop: 'workloadSelector', value: 'workloadSelector+endpoints', allowed: 'workloadSelector or endpoints', message: (problem) => `workloadSelector ${problem.replace('spec.endpoints', 'endpoints')}`,
          fix: 'Select the workloads with workloadSelector, or list them in endpoints, not both.',
        }));
      }
      const tlsOk = props.tlsOrigination === undefined || problems.passes(() => {
        raiseInvalid(props.tlsOrigination, { path, prop: 'tlsOrigination' });
        if (!isBuilt(props.tlsOrigination, TlsOrigination)) {
          propError({ path, prop: 'tlsOrigination' }, { value: props.tlsOrigination, expected: 'a TlsOrigination', fix: 'Use TlsOrigination.simple(…) or TlsOrigination.insecureSkipVerify(…).' });
        }
        if (!props.tlsOrigination._originates) {
          propError({ path, prop: 'tlsOrigination' }, {
            value: props.tlsOrigination._render('').mode, shown: props.tlsOrigination._render('').mode, expected: 'TLS the proxy originates: SIMPLE or MUTUAL',
            message: `tlsOrigination ${props.tlsOrigination._render('').mode} originates no TLS to an external server`,
            fix: 'Use TlsOrigination.simple(…) or TlsOrigination.mutual(…); leave tlsOrigination out for TLS the application opens itself.',
          });
        }
      });
      const tlsOrigination = tlsOk ? props.tlsOrigination : undefined;
      const ports = problems.check(() => checkPorts(props.ports, props.tlsOrigination !== undefined, path));
      if (resolution === Resolution.DYNAMIC_DNS && hosts && ports && addressesOk && endpointsOk) problems.check(() => checkDynamicDns(hosts, ports, addresses, endpoints, path));
      if (tlsOrigination && hosts) {
        problems.each(hosts, (host) => enforce(sniProblem, [tlsOrigination._sni(host)], {
          path, prop: 'tlsOrigination', allowed: 'a concrete hostname', message: (problem) => `tlsOrigination would send SNI "${tlsOrigination._sni(host)}", which ${problem}`,
          fix: `Set the SNI explicitly, e.g. TlsOrigination.simple({ sni: '${host.replace(/^\*\./, 'api.')}' }), or list concrete hosts instead of ${host}.`,
        }));
      }
      const namespaceOf = props.namespace ?? Chart.of(this).namespace;
      const declaredExportTo = problems.check(() => checkExportTo(props.exportTo ?? ['.'], namespaceOf, path, false));
      const httpPorts = (ports ?? []).filter((p) => HTTP_FAMILY.includes(p.protocol as PortProtocol));
      const tlsPorts = (ports ?? []).filter((p) => TLS_FAMILY.includes(p.protocol as PortProtocol));
      const opaque = hosts && resolution && ports?.find((p) => sharedPortProblem(p.protocol, hosts.length, resolution) !== undefined);
      if (hosts && resolution && ports && opaque) {
        problems.check(() => enforce(sharedPortProblem, [opaque.protocol, hosts.length, resolution], {
          path, prop: 'ports', value: ports.map((p) => p.protocol).join(','), allowed: 'HTTP- or TLS-family ports',
          message: () => `${hosts.length} hosts with resolution ${resolution} share a TCP port, and plain TCP cannot tell the hosts apart`,
          fix: 'Use one ExternalDependency per host for TCP ports, or HTTP/TLS protocols.',
        }));
      }
      const resilience = problems.check(() => renderResilience(props, path));
      const protocols = (ports ?? []).map((p) => p.protocol).join(',');
      // The next three are contracts of this construct, not of Istio: it would otherwise drop a setting silently.
      if (resilience && ports && Object.keys(resilience).length > 0 && httpPorts.length === 0) {
        problems.check(() => propError({ path, prop: 'timeout/retries' }, {
          value: protocols, shown: protocols, expected: 'an HTTP, HTTP2 or GRPC port',
          message: 'timeout/retries are set but no port speaks HTTP; TLS and TCP routes cannot carry them, so they would be dropped',
          fix: 'Declare the HTTP port (with tlsOrigination for HTTPS APIs), or remove timeout/retries.',
        }));
      }
      const wildcard = hosts?.find((h) => isWildcardHost(h));
      if (resilience && Object.keys(resilience).length > 0 && wildcard !== undefined) {
        // Timeouts and retries need an HTTP route per host with that host as destination; for a wildcard the route
        // would apply to whatever host the application called, which this construct does not emit (nor SNI routes).
        problems.check(() => propError({ path, prop: 'hosts' }, {
          value: wildcard, shown: wildcard, expected: 'exact hostnames when timeout/retries are set',
          message: `timeout/retries need a route whose destination is each host, and this construct emits no route for wildcard host ${JSON.stringify(wildcard)}`,
          fix: 'List the exact hostnames the application calls, or remove timeout/retries.',
        }));
      }
      if (tlsOrigination && ports && httpPorts.length === 0) {
        problems.check(() => propError({ path, prop: 'tlsOrigination' }, {
          value: protocols, shown: protocols, expected: 'an HTTP port to originate TLS from',
          message: 'tlsOrigination is set but no port speaks plain HTTP, so there is nothing to originate TLS from',
          fix: 'Declare the port the application uses, e.g. { number: 80, protocol: PortProtocol.HTTP }.',
        }));
      }
      const egress = props.egressGateway === undefined || !resolution || !hosts || !ports ? undefined : problems.check(() => checkEgress(props.egressGateway!, resolution, hosts, ports, path));
      const basePolicy = problems.check(() => renderTrafficPolicy(props, path));
      const name = props.name ?? (hosts ? toDnsLabel(hosts[0].replace(/^\*\./, 'wildcard.')) : undefined);
      if (name !== undefined) problems.check(() => metadataFor(this, name, props.namespace));
      problems.raise();
      // Everything below is built from checked props.
      const checkedPorts = ports!;
      const routeResilience = resilience!;
      // The egress gateway's pods resolve the host and its routes with the ServiceEntry, VirtualService and
      // DestinationRule only if these are exported to the gateway's namespace (SE-10).
      const gatewaySees = !egress || declaredExportTo!.includes('*') || declaredExportTo!.includes(egress.namespace)
        || (egress.namespace === namespaceOf && declaredExportTo!.includes('.'));
      const exportTo = gatewaySees ? declaredExportTo! : [...declaredExportTo!, egress!.namespace === namespaceOf ? '.' : egress!.namespace];
      const slug = (host: string) => toDnsLabel(host.replace(/^\*\./, 'wildcard.'));
      const objectName = (host: string) => (this.hosts.length === 1 ? name! : props.name ? `${props.name}-${slug(host)}`.slice(0, 253) : slug(host));

      this.serviceEntry = new ServiceEntry(this, 'ServiceEntry', {
        metadata: metadataFor(this, name!, props.namespace),
        spec: {
          hosts: this.hosts, ...(addresses ? { addresses } : {}), location: location as any, ports: checkedPorts, resolution: resolution as any,
          ...(endpoints ? { endpoints: endpoints as any } : {}), ...(workloadSelector ? { workloadSelector: { labels: workloadSelector } } : {}), exportTo,
        },
      });
      const namespace = props.namespace ?? Chart.of(this).namespace;
      const gatewayName = `${name}-egress`.slice(0, 253);
      if (egress) {
        this.gateway = egressGatewayObject(this, gatewayName, props.namespace, egress.selector, this.hosts, [...httpPorts, ...tlsPorts]);
        this.gateway.node.addDependency(this.serviceEntry);
        if (egress.subset !== undefined) this.gatewayDestinationRule = egressGatewayDestinationRule(this, gatewayName, props.namespace, egress.host, egress.subset);
      }
      const gatewayRef = namespace ? `${namespace}/${gatewayName}` : gatewayName;
      this.hosts.forEach((host, i) => {
        const id = this.hosts.length === 1 ? '' : `-${i}`;
        const tls = props.tlsOrigination?._render(host);
        // A port-level entry inherits nothing from the top-level policy (Istio replaces it wholesale for that
        // port), so it repeats the connection pool, load balancer and outlier detection next to its TLS settings.
        const portLevelSettings = tls ? httpPorts.map((p) => ({ port: { number: p.number }, ...(basePolicy ?? {}), tls })) : undefined;
        const trafficPolicy = compact({ ...(basePolicy ?? {}), portLevelSettings });
        let dr: DestinationRule | undefined;
        if (trafficPolicy) {
          dr = new DestinationRule(this, `DestinationRule${id}`, {
            metadata: metadataFor(this, objectName(host), props.namespace),
            spec: { host, trafficPolicy: trafficPolicy as any, exportTo },
          });
          dr.node.addDependency(this.serviceEntry);
          this.destinationRules.push(dr);
        }
        // With several ServiceEntry ports every destination names its port (rule VS-14): one HTTP route per HTTP
        // port, matched by port except the last one (the catch-all), and one TLS route per TLS port.
        const destination = (port: number) => ({ host, ...(checkedPorts.length > 1 ? { port: { number: port } } : {}) });
        const http = httpPorts.length > 0 && Object.keys(routeResilience).length > 0
          ? httpPorts.map((p, i) => ({
            name: httpRouteName(httpPorts, i),
            ...(i < httpPorts.length - 1 ? { match: [{ port: p.number }] } : {}),
            route: [{ destination: destination(p.number) }],
            ...routeResilience,
          })) : undefined;
        const tlsRoutes = tlsPorts.length > 0 && !isWildcardHost(host) && props.sniRouting !== false
          ? tlsPorts.map((p) => ({
            match: [{ sniHosts: [host], ...(tlsPorts.length > 1 ? { port: p.number } : {}) }],
            route: [{ destination: destination(p.number) }],
          })) : undefined;
        const routes: { http?: any[]; tls?: any[] } = egress ? egressRoutes(host, httpPorts, tlsPorts, egress, gatewayRef, { ...routeResilience }) : { http, tls: tlsRoutes };
        if (!routes.http && !routes.tls) return;
        const vs = new VirtualService(this, `VirtualService${id}`, {
          metadata: metadataFor(this, objectName(host), props.namespace),
          spec: {
            hosts: [host], ...(egress ? { gateways: [gatewayRef, 'mesh'] } : {}), exportTo,
            ...(routes.http ? { http: routes.http } : {}), ...(routes.tls ? { tls: routes.tls } : {}),
          },
        });
        if (this.gateway) vs.node.addDependency(this.gateway);
        if (this.gatewayDestinationRule) vs.node.addDependency(this.gatewayDestinationRule);
        vs.node.addDependency(dr ?? this.serviceEntry);
        this.virtualServices.push(vs);
      });
      const nonIdempotent = props.retries?.forWrites ? (egress ? httpPorts.map((p) => egressRouteName('gateway', p.number)) : httpPorts.map((_, i) => httpRouteName(httpPorts, i))) : [];
      for (const obj of [this.serviceEntry, ...(this.gateway ? [this.gateway] : []), ...(this.gatewayDestinationRule ? [this.gatewayDestinationRule] : []), ...this.destinationRules, ...this.virtualServices]) {
        rules.recordIntent(obj, { owner: path, nonIdempotentRoutes: nonIdempotent });
      }
    } catch (e) {
      throw withdrawn(this, asValidationError(e, this.node.path));
    }
  }
}

/** Name of the HTTP route of `httpPorts[i]`: `default` for the last (catch-all) one, `default-<port>` before it. */
function httpRouteName(httpPorts: ReadonlyArray<{ readonly number: number }>, i: number): string {
  return i === httpPorts.length - 1 ? 'default' : `default-${httpPorts[i].number}`;
}

/** The egress gateway settings, checked: selector labels, host grammar, and what cannot be routed through it (PROP). */
function checkEgress(egress: EgressGateway, resolution: Resolution, hosts: string[], ports: ReadonlyArray<{ number: number; protocol: string }>, path: string): { selector: Record<string, string>; host: string; namespace: string; subset?: string } {
  checkOptions(egress, { path, prop: 'egressGateway' }, "Pass egressGateway: {} for Istio's default egress gateway, or { selector, host }.");
  checkKeys(egress as Record<string, unknown>, ['selector', 'host', 'subset'], { path, prop: 'egressGateway' });
  if (resolution === Resolution.NONE) {
    propError({ path, prop: 'egressGateway' }, {
      value: resolution, shown: resolution, expected: 'resolution DNS, DNS_ROUND_ROBIN or STATIC',
      message: 'egressGateway needs the gateway to resolve the hosts, and with resolution NONE it would forward to the address it was called on: itself',
      fix: 'Use resolution: Resolution.DNS (the default) with an egress gateway.',
    });
  }
  const wildcard = hosts.find((h) => isWildcardHost(h));
  if (wildcard) {
    propError({ path, prop: 'egressGateway' }, { value: wildcard, shown: wildcard, expected: 'exact hosts', message: `egressGateway cannot route the wildcard host ${JSON.stringify(wildcard)} (the gateway would need an SNI proxy)`, fix: 'List the exact hosts the application calls.' });
  }
  const tcp = ports.find((p) => p.protocol === PortProtocol.TCP);
  if (tcp) {
    propError({ path, prop: 'egressGateway' }, {
      value: `${tcp.number}/TCP`, shown: `${tcp.number}/TCP`, expected: 'HTTP- or TLS-family ports',
      message: `port ${tcp.number} is plain TCP, which the egress gateway cannot route by host (no Host header, no SNI), so it would not go through the gateway`,
      fix: 'Use a TLS port (the client\'s TLS passes through by SNI) or HTTP, or reach the TCP service with its own ExternalDependency without egressGateway.',
    });
  }
  const selector = checkLabels(egress.selector ?? { istio: 'egressgateway' }, { path, prop: 'egressGateway.selector' });
  const host = checkHost(egress.host ?? 'istio-egressgateway.istio-system.svc.cluster.local', { path, prop: 'egressGateway.host' });
  const local = clusterLocal(fqdn(host, undefined));
  if (!local) {
    propError({ path, prop: 'egressGateway.host' }, { value: host, shown: host, expected: 'the gateway Service as <name>.<namespace>.svc.cluster.local', message: `egressGateway.host ${show(host)} is not a cluster-local Service host`, fix: "Name the egress gateway's Service, e.g. 'istio-egressgateway.istio-system.svc.cluster.local'." });
  }
  let subset: string | undefined;
  if (egress.subset !== undefined) {
    subset = egress.subset;
    const problem = typeof subset === 'string' ? dnsLabelProblem(subset) : 'is not a string';
    if (problem) propError({ path, prop: 'egressGateway.subset' }, { value: subset, expected: 'a DNS-1123 label', message: `egressGateway.subset ${show(subset)} ${problem}`, fix: 'Name the subset after the dependency, e.g. "cnn".' });
  }
  return { selector, host: fqdn(host, undefined), namespace: local.namespace, ...(subset !== undefined ? { subset } : {}) };
}
