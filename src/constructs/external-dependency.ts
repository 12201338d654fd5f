import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { DestinationRule, Gateway, ServiceEntry, VirtualService } from '../../imports/istio-networking.istio.io';
import { checkHost, checkKeys, checkLabels, checkList, checkOptions, checkPort, enforce, isBuilt, isPlainObject, propError } from '../core/enforce';
import { collect, raiseInvalid } from '../core/problems';
import { dnsLabelProblem, toDnsLabel, unrenderableKeyProblem } from '../core/grammar';
import { clusterLocal, fqdn, isWildcardHost } from '../core/hosts';
import { defineEntry, isRecord } from '../core/json';
import { portNameProblem } from '../core/protocols';
import { subsetLabelsProblem } from '../core/subsets';
import { DYNAMIC_DNS_PROTOCOLS, dynamicDnsFieldProblem, dynamicDnsHostProblem, dynamicDnsPortProblem, meshHostAsExternalProblem, selectorWithEndpointsProblem, serviceEntryHostsProblem, servicePortRepeatProblem, sharedPortProblem, wildcardResolutionProblem } from '../core/service-entry';
import { show } from '../core/text';
import { sniProblem } from '../core/tls';
import { TlsOrigination } from '../policies/tls';
import { compact, renderTrafficPolicy, TrafficPolicyBaseProps } from '../policies/traffic-policy';
import { Rules } from '../synth/rules';
import { asValidationError, checkExportTo, metadataFor, renderResilience, RouteProps, withdrawn } from './common';
import { crdCapProblem, SERVICE_ENTRY_MAX_HOSTS, SERVICE_ENTRY_MAX_PORTS } from '../core/caps';

/** Port protocols of a ServiceEntry port (Istio's protocol list). */
export enum PortProtocol {
  HTTP = 'HTTP',
  HTTPS = 'HTTPS',
  HTTP2 = 'HTTP2',
  GRPC = 'GRPC',
  TLS = 'TLS',
  TCP = 'TCP',
}

/** How the proxy resolves the external hosts (ServiceEntry `resolution`). */
export enum Resolution {
  /** Resolve the hosts through DNS and connect to every address returned. */
  DNS = 'DNS',
  /** Resolve through DNS and use the first address only (large DNS answers). */
  DNS_ROUND_ROBIN = 'DNS_ROUND_ROBIN',
  /** Forward to the address the application connected to (wildcard hosts, `addresses`). */
  NONE = 'NONE',
  /** Use the addresses listed in `endpoints`. */
  STATIC = 'STATIC',
  /**
   * Resolve, through DNS and when it is asked for, each host under a `*.domain` wildcard that a request names (Host
   * header or SNI): wildcard hosts only, HTTP, HTTP2, GRPC or TLS ports, no `addresses` or `endpoints` (SE-01, SE-05).
   */
  DYNAMIC_DNS = 'DYNAMIC_DNS',
}

/** Whether the service is part of the mesh (ServiceEntry `location`). */
export enum Location {
  /** Outside the mesh: no mTLS, the hosts are treated as external. */
  MESH_EXTERNAL = 'MESH_EXTERNAL',
  /** Inside the mesh (e.g. VMs with sidecars, or services of another cluster): mTLS applies. */
  MESH_INTERNAL = 'MESH_INTERNAL',
}

/**
 * One endpoint of a `STATIC` (or DNS) dependency (ServiceEntry `endpoints[]`, Istio `WorkloadEntry` fields).
 * @see https://istio.io/latest/docs/reference/config/networking/workload-entry/#WorkloadEntry
 */
export interface ExternalEndpoint {
  /** IP address (STATIC) or hostname (DNS) of the endpoint. */
  readonly address: string;
  /**
   * Port name → port number on this endpoint, when it differs from the ServiceEntry port.
   * @default - the ServiceEntry ports
   */
  readonly ports?: { [name: string]: number };
  /**
   * Labels of the endpoint (for subsets).
   * @default - none
   */
  readonly labels?: { [key: string]: string };
  /**
   * Locality of the endpoint, `region/zone/subzone`.
   * @default - none
   */
  readonly locality?: string;
  /**
   * Network of the endpoint (multi-network meshes).
   * @default - the local network
   */
  readonly network?: string;
  /**
   * Load-balancing weight of the endpoint.
   * @default - equal weights
   */
  readonly weight?: number;
}

/** One port of the external dependency (ServiceEntry `ports[]`). */
export interface ExternalPort {
  /** Port number the application connects to, 1-65535. */
  readonly number: number;
  /** Protocol spoken on the port. */
  readonly protocol: PortProtocol;
  /**
   * Port name (a DNS label, unique).
   * @default - `<protocol>-<number>`, e.g. `https-443`
   */
  readonly name?: string;
  /**
   * Port on the external server, when it differs from `number`.
   * @default - `number`, or 443 for HTTP ports when `tlsOrigination` is set
   */
  readonly targetPort?: number;
}

const HTTP_FAMILY = [PortProtocol.HTTP, PortProtocol.HTTP2, PortProtocol.GRPC];
const TLS_FAMILY = [PortProtocol.HTTPS, PortProtocol.TLS];

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
        this.gateway = new Gateway(this, 'EgressGateway', {
          metadata: metadataFor(this, gatewayName, props.namespace),
          spec: {
            selector: egress.selector,
            servers: [...httpPorts, ...tlsPorts].map((p) => ({
              port: { number: p.number, name: p.name, protocol: HTTP_FAMILY.includes(p.protocol as PortProtocol) ? 'HTTP' : 'TLS' },
              hosts: [...this.hosts],
              ...(TLS_FAMILY.includes(p.protocol as PortProtocol) ? { tls: { mode: 'PASSTHROUGH' } } : {}),
            })) as any,
          },
        });
        this.gateway.node.addDependency(this.serviceEntry);
        if (egress.subset !== undefined) {
          this.gatewayDestinationRule = new DestinationRule(this, 'EgressGatewayDestinationRule', {
            metadata: metadataFor(this, gatewayName, props.namespace),
            spec: { host: egress.host, subsets: [{ name: egress.subset }], exportTo: ['.'] },
          });
          // The subset has no labels on purpose: DR-03's warning is answered with the reason.
          Rules.suppress(this.gatewayDestinationRule, subsetLabelsProblem.code, "the label-less subset names this dependency's traffic to the egress gateway, as in Istio's egress gateway task");
        }
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

function checkHosts(hosts: string[], resolution: Resolution, location: Location, path: string): string[] {
  checkList(hosts, 'hosts', path);
  // Refused before any per-host work, so 100,000 hosts cost milliseconds, not a synth.
  enforce(crdCapProblem, [hosts.length, SERVICE_ENTRY_MAX_HOSTS, 'items', 'ServiceEntry'], {
    path, prop: 'hosts', value: hosts.length, allowed: `at most ${SERVICE_ENTRY_MAX_HOSTS} hosts`,
    fix: `Split the hosts over several ExternalDependency constructs (one ServiceEntry holds at most ${SERVICE_ENTRY_MAX_HOSTS}).`,
  });
  enforce(serviceEntryHostsProblem, [hosts], { path, prop: 'hosts', value: '[]', allowed: '1-256 hosts', message: () => 'hosts is empty', fix: 'List the external hostnames, e.g. ["api.example.com"].' });
  hosts.forEach((h, i) => {
    const prop = `hosts[${i}]`;
    checkHost(h, { path, prop }, { allowWildcard: true });
    enforce(meshHostAsExternalProblem, [h, location], {
      path, prop, allowed: 'a host outside the cluster', message: (problem) => `${prop} ${show(h)} ${problem}`,
      fix: 'Call in-cluster services directly (they are in the mesh already): use ResilientBackend or CanaryService for them, not ExternalDependency.',
    });
    enforce(wildcardResolutionProblem, [h, resolution, 0], {
      path, prop, allowed: 'a FQDN (or resolution NONE)', message: () => `wildcard host ${show(h)} cannot be resolved by ${resolution}`,
      fix: 'Use the exact hostname, or resolution: Resolution.NONE for wildcard hosts.',
    });
  });
  // Istio accepts a repeated host (rule SE-01 warns); here every host gets its own objects named after it, so they would clash.
  if (new Set(hosts).size !== hosts.length) {
    propError({ path, prop: 'hosts' }, { value: hosts, shown: hosts.join(','), expected: 'distinct hosts', message: 'hosts lists a host twice', fix: 'List each host once.' });
  }
  return [...hosts];
}

function checkPorts(ports: ExternalPort[], originating: boolean, path: string) {
  const example = 'Declare the port, e.g. { number: 443, protocol: PortProtocol.TLS }.';
  checkList(ports, 'ports', path);
  enforce(crdCapProblem, [ports.length, SERVICE_ENTRY_MAX_PORTS, 'items', 'ServiceEntry'], {
    path, prop: 'ports', value: ports.length, allowed: `at most ${SERVICE_ENTRY_MAX_PORTS} ports`, fix: `Declare at most ${SERVICE_ENTRY_MAX_PORTS} ports per ExternalDependency.`,
  });
  // Istio accepts a ServiceEntry without ports; this construct needs them to know what to route.
  if (ports.length === 0) propError({ path, prop: 'ports' }, { value: ports, shown: '[]', expected: 'at least one port', message: 'ports is empty', fix: 'Declare the port, e.g. [{ number: 443, protocol: PortProtocol.TLS }].' });
  // Each port, and its number and protocol, on their own: one error lists every problem.
  const problems = collect({ path, prop: 'ports' });
  const checked = problems.each(ports, (p, i) => {
    if (!isRecord(p)) propError({ path, prop: `ports[${i}]` }, { value: p, expected: 'a port { number, protocol }', message: `ports[${i}] ${show(p)} is not a port`, fix: example });
    const port = collect({ path, prop: `ports[${i}]` });
    const number = port.check(() => checkPort(p.number, { path, prop: `ports[${i}].number` }));
    port.check(() => {
      if (!Object.values(PortProtocol).includes(p.protocol)) {
        propError({ path, prop: `ports[${i}].protocol` }, { value: p.protocol, shown: p.protocol, expected: Object.values(PortProtocol).join(', '), message: `ports[${i}].protocol ${show(p.protocol)} is not an Istio protocol`, fix: 'Use a PortProtocol value.' });
      }
    });
    port.raise();
    return { p, number: number! };
  });
  problems.raise();
  const out = checked!.map(({ p, number }, i) => {
    const name = p.name ?? `${p.protocol.toLowerCase()}-${number}`;
    enforce(portNameProblem, [name], { path, prop: `ports[${i}].name`, allowed: 'DNS-1123 label', message: (problem) => `ports[${i}].name ${show(name)} ${problem}`, fix: 'Use a port name such as "https".' });
    const defaultTarget = originating && HTTP_FAMILY.includes(p.protocol) ? 443 : undefined;
    const targetPort = p.targetPort ?? defaultTarget;
    if (targetPort !== undefined) checkPort(targetPort, { path, prop: `ports[${i}].targetPort` });
    return { number, protocol: p.protocol as string, name, ...(targetPort !== undefined && targetPort !== number ? { targetPort } : {}) };
  });
  for (const field of ['number', 'name'] as const) {
    const seen = new Map<unknown, number>();
    out.forEach((p, i) => {
      const value = p[field];
      enforce(servicePortRepeatProblem, [field, value, seen], { path, prop: `ports[${i}].${field}`, value, message: () => `two ports share the ${field} ${show(value)}`, fix: `Give every port a unique ${field}.` });
      seen.set(value, i);
    });
  }
  return out;
}

/** A non-empty list of strings (PROP otherwise: an empty list would be written and mean nothing). */
function nonEmptyStrings(list: string[], prop: string, path: string, example: string): string[] {
  checkList(list, prop, path);
  if (list.length === 0) propError({ path, prop }, { value: list, shown: '[]', expected: `at least one entry: ${example}`, message: `${prop} is empty`, fix: `List entries, or leave ${prop} out.` });
  list.forEach((x, i) => {
    if (typeof x !== 'string' || x === '') propError({ path, prop: `${prop}[${i}]` }, { value: x, expected: example, fix: `Write ${prop}[${i}] as ${example}.` });
  });
  return [...list];
}

/** ServiceEntry endpoints: plain objects with the declared fields, each of its type (PROP). */
function checkEndpoints(endpoints: ExternalEndpoint[], path: string): Record<string, unknown>[] {
  checkList(endpoints, 'endpoints', path);
  if (endpoints.length === 0) propError({ path, prop: 'endpoints' }, { value: endpoints, shown: '[]', expected: 'at least one endpoint', message: 'endpoints is empty', fix: 'List endpoints, or leave endpoints out.' });
  return endpoints.map((e, i) => {
    const prop = `endpoints[${i}]`;
    if (!isPlainObject(e) || typeof e.address !== 'string' || e.address === '') propError({ path, prop }, { value: e, expected: 'an endpoint { address }', fix: "Pass { address: '10.0.0.1' }." });
    checkKeys(e as unknown as Record<string, unknown>, ['address', 'ports', 'labels', 'locality', 'network', 'weight'], { path, prop });
    for (const field of ['locality', 'network'] as const) {
      if (e[field] !== undefined && typeof e[field] !== 'string') propError({ path, prop: `${prop}.${field}` }, { value: e[field], expected: 'a string', fix: `Set ${field} to a string, or leave it out.` });
    }
    if (e.weight !== undefined && (!Number.isInteger(e.weight) || e.weight < 0)) propError({ path, prop: `${prop}.weight` }, { value: e.weight, expected: 'a non-negative integer', fix: 'Set weight to an integer, or leave it out.' });
    let ports: Record<string, number> | undefined;
    if (e.ports !== undefined) {
      if (!isPlainObject(e.ports)) propError({ path, prop: `${prop}.ports` }, { value: e.ports, expected: 'a map of port names to numbers', fix: "Pass ports such as { https: 8443 }." });
      ports = {};
      for (const name of Object.keys(e.ports)) {
        enforce(portNameProblem, [name], { path, prop: `${prop}.ports`, allowed: 'DNS-1123 label', message: (problem) => `${prop}.ports key ${show(name)} ${problem}`, fix: 'Use the ServiceEntry port names as keys.' });
        const unrenderable = unrenderableKeyProblem(name);
        if (unrenderable) propError({ path, prop: `${prop}.ports` }, { value: name, shown: name, expected: 'a port name cdk8s can synthesize', message: `${prop}.ports key ${unrenderable}`, fix: 'Use the ServiceEntry port names as keys.' });
        defineEntry(ports, name, checkPort((e.ports as Record<string, number>)[name], { path, prop: `${prop}.ports.${name}` }));
      }
    }
    return {
      address: e.address,
      ...(ports ? { ports } : {}),
      ...(e.labels !== undefined ? { labels: checkLabels(e.labels, { path, prop: `${prop}.labels` }) } : {}),
      ...(e.locality !== undefined ? { locality: e.locality } : {}),
      ...(e.network !== undefined ? { network: e.network } : {}),
      ...(e.weight !== undefined ? { weight: e.weight } : {}),
    };
  });
}

/** Resolution DYNAMIC_DNS: wildcard hosts (SE-01), HTTP/TLS-family ports, no addresses or endpoints (SE-05). */
function checkDynamicDns(hosts: string[], ports: Array<{ protocol: string }>, addresses: unknown[] | undefined, endpoints: unknown[] | undefined, path: string): void {
  hosts.forEach((h, i) => enforce(dynamicDnsHostProblem, [h], {
    path, prop: `hosts[${i}]`, allowed: '*.domain', message: (problem) => `hosts[${i}] ${show(h)} ${problem}`,
    fix: 'Use a wildcard host such as "*.example.com", or resolution DNS for exact hosts.',
  }));
  ports.forEach((p, i) => enforce(dynamicDnsPortProblem, [p.protocol], {
    path, prop: `ports[${i}].protocol`, value: p.protocol, allowed: DYNAMIC_DNS_PROTOCOLS.join(', '), message: (problem) => `ports[${i}].protocol ${p.protocol} ${problem}`,
    fix: 'Use PortProtocol.HTTP, HTTP2, GRPC or TLS (DYNAMIC_DNS needs the Host header or SNI of each request).',
  }));
  for (const [field, list] of [['addresses', addresses], ['endpoints', endpoints]] as const) {
    enforce(dynamicDnsFieldProblem, [field, list?.length ?? 0], {
      path, prop: field, value: list?.length ?? 0, allowed: `no ${field}`, message: (problem) => `${field} ${problem}`,
      fix: `Leave ${field} out with DYNAMIC_DNS, or use resolution STATIC/NONE.`,
    });
  }
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

/** `mesh-80` / `gateway-80`: the route of one port on one side of the egress gateway. */
function egressRouteName(side: 'mesh' | 'gateway', port: number): string {
  return `${side}-${port}`;
}

/**
 * The routes through the egress gateway, per port: sidecars (`mesh`) to the egress gateway's host on the same
 * port, the gateway to the external host. The last HTTP port of each side needs no port match (the catch-all of
 * that gateway, VS-06); TLS ports match the SNI host and port.
 */
function egressRoutes(host: string, httpPorts: Array<{ number: number }>, tlsPorts: Array<{ number: number }>, gateway: { host: string; subset?: string }, gatewayRef: string,
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
