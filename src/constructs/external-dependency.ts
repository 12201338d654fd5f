import { Construct } from 'constructs';
import { DestinationRule, ServiceEntry, VirtualService } from '../../imports/istio-networking.istio.io';
import { checkHost, checkPort } from '../core/enforce';
import { fail } from '../core/errors';
import { dnsLabelProblem, toDnsLabel } from '../core/grammar';
import { isRecord } from '../core/json';
import { isWildcardHost } from '../core/hosts';
import { show } from '../core/text';
import { TlsOrigination } from '../policies/tls';
import { compact, renderTrafficPolicy, TrafficPolicyProps } from '../policies/traffic-policy';
import { Rules } from '../synth/rules';
import { metadataFor, renderResilience, RouteProps } from './common';

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
  /** Forward to the address the application connected to (wildcard hosts). */
  NONE = 'NONE',
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
export interface ExternalDependencyProps extends RouteProps, Omit<TrafficPolicyProps, 'localityFailover'> {
  /**
   * External hosts, e.g. `api.pgprovider.example` (a leading `*.` wildcard only with resolution NONE).
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
 * Raises SE-01, SE-03, SE-06, VS-29, DR-14, X-01, X-02, X-03 at once.
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

  constructor(scope: Construct, id: string, props: ExternalDependencyProps) {
    super(scope, id);
    const rules = Rules.of(this);
    const path = this.node.path;
    const resolution = props.resolution ?? Resolution.DNS;
    if (!Object.values(Resolution).includes(resolution)) {
      fail({ code: 'SE-05', path, value: resolution, allowed: Object.values(Resolution).join(', '), message: `unknown resolution ${show(resolution)}`, fix: 'Use a Resolution value.' });
    }
    this.hosts = checkHosts(props.hosts, resolution, path);
    if (props.tlsOrigination !== undefined && !(props.tlsOrigination instanceof TlsOrigination)) {
      fail({ code: 'DR-14', path, value: show(props.tlsOrigination), allowed: 'a TlsOrigination', message: `tlsOrigination ${show(props.tlsOrigination)} is not a TlsOrigination`, fix: 'Use TlsOrigination.simple(…) or TlsOrigination.insecureSkipVerify(…).' });
    }
    const ports = checkPorts(props.ports, props.tlsOrigination !== undefined, path);
    const exportTo = checkExportTo(props.exportTo ?? ['.'], path);
    const httpPorts = ports.filter((p) => HTTP_FAMILY.includes(p.protocol as PortProtocol));
    const tlsPorts = ports.filter((p) => TLS_FAMILY.includes(p.protocol as PortProtocol));
    if (this.hosts.length > 1 && resolution !== Resolution.NONE && httpPorts.length + tlsPorts.length < ports.length) {
      fail({ code: 'SE-06', path, value: ports.map((p) => p.protocol).join(','), allowed: 'HTTP- or TLS-family ports', message: `${this.hosts.length} hosts with resolution ${resolution} share a TCP port, and plain TCP cannot tell the hosts apart`, fix: 'Use one ExternalDependency per host for TCP ports, or HTTP/TLS protocols.' });
    }
    const resilience = renderResilience(props, path);
    if (Object.keys(resilience).length > 0 && httpPorts.length === 0) {
      fail({ code: 'VS-29', path, value: ports.map((p) => p.protocol).join(','), allowed: 'an HTTP, HTTP2 or GRPC port', message: 'timeout/retries are set but no port speaks HTTP; TLS and TCP routes cannot carry them', fix: 'Declare the HTTP port (with tlsOrigination for HTTPS APIs), or remove timeout/retries.' });
    }
    const wildcard = this.hosts.find((h) => isWildcardHost(h));
    if (Object.keys(resilience).length > 0 && wildcard !== undefined) {
      // The `default` route would name the wildcard host as its destination, which rule X-03 rejects at synth.
      fail({ code: 'X-03', path, value: wildcard, allowed: 'exact hostnames when timeout/retries are set', message: `timeout/retries need a route whose destination is each host, and wildcard host ${JSON.stringify(wildcard)} cannot be a route destination`, fix: 'List the exact hostnames the application calls, or remove timeout/retries.' });
    }
    if (props.tlsOrigination && httpPorts.length === 0) {
      fail({ code: 'DR-14', path, value: ports.map((p) => p.protocol).join(','), allowed: 'an HTTP port to originate TLS from', message: 'tlsOrigination is set but no port speaks plain HTTP', fix: 'Declare the port the application uses, e.g. { number: 80, protocol: PortProtocol.HTTP }.' });
    }
    const name = props.name ?? toDnsLabel(this.hosts[0].replace(/^\*\./, 'wildcard.'));
    const slug = (host: string) => toDnsLabel(host.replace(/^\*\./, 'wildcard.'));
    const objectName = (host: string) => (this.hosts.length === 1 ? name : props.name ? `${props.name}-${slug(host)}`.slice(0, 253) : slug(host));

    this.serviceEntry = new ServiceEntry(this, 'ServiceEntry', {
      metadata: metadataFor(this, name, props.namespace),
      spec: { hosts: this.hosts, location: 'MESH_EXTERNAL' as any, ports, resolution: resolution as any, exportTo },
    });
    const basePolicy = renderTrafficPolicy(props, path);
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
      const destination = (port: number) => ({ host, ...(ports.length > 1 ? { port: { number: port } } : {}) });
      const http = httpPorts.length > 0 && Object.keys(resilience).length > 0
        ? httpPorts.map((p, i) => ({
          name: httpRouteName(httpPorts, i),
          ...(i < httpPorts.length - 1 ? { match: [{ port: p.number }] } : {}),
          route: [{ destination: destination(p.number) }],
          ...resilience,
        })) : undefined;
      const tlsRoutes = tlsPorts.length > 0 && !isWildcardHost(host)
        ? tlsPorts.map((p) => ({
          match: [{ sniHosts: [host], ...(tlsPorts.length > 1 ? { port: p.number } : {}) }],
          route: [{ destination: destination(p.number) }],
        })) : undefined;
      if (!http && !tlsRoutes) return;
      const vs = new VirtualService(this, `VirtualService${id}`, {
        metadata: metadataFor(this, objectName(host), props.namespace),
        spec: { hosts: [host], exportTo, ...(http ? { http } : {}), ...(tlsRoutes ? { tls: tlsRoutes } : {}) },
      });
      vs.node.addDependency(dr ?? this.serviceEntry);
      this.virtualServices.push(vs);
    });
    const nonIdempotent = props.retries?.nonIdempotent ? httpPorts.map((_, i) => httpRouteName(httpPorts, i)) : [];
    for (const obj of [this.serviceEntry, ...this.destinationRules, ...this.virtualServices]) rules.recordIntent(obj, { owner: path, nonIdempotentRoutes: nonIdempotent });
  }
}

/** Name of the HTTP route of `httpPorts[i]`: `default` for the last (catch-all) one, `default-<port>` before it. */
function httpRouteName(httpPorts: ReadonlyArray<{ readonly number: number }>, i: number): string {
  return i === httpPorts.length - 1 ? 'default' : `default-${httpPorts[i].number}`;
}

function checkHosts(hosts: string[], resolution: Resolution, path: string): string[] {
  if (!Array.isArray(hosts) || hosts.length === 0) {
    fail({ code: 'SE-01', path, value: '[]', allowed: '1-256 hosts', message: 'hosts is empty', fix: 'List the external hostnames, e.g. ["api.example.com"].' });
  }
  hosts.forEach((h, i) => {
    checkHost(h, { path, prop: `hosts[${i}]` }, { allowWildcard: true });
    if (isWildcardHost(h) && resolution !== Resolution.NONE) {
      fail({ code: 'SE-05', path, value: h, allowed: 'a FQDN (or resolution NONE)', message: `wildcard host ${show(h)} cannot be resolved by ${resolution}`, fix: 'Use the exact hostname, or resolution: Resolution.NONE for wildcard hosts.' });
    }
  });
  if (new Set(hosts).size !== hosts.length) fail({ code: 'SE-01', path, value: hosts.join(','), message: 'hosts lists a host twice', fix: 'List each host once.' });
  return [...hosts];
}

function checkPorts(ports: ExternalPort[], originating: boolean, path: string) {
  if (!Array.isArray(ports) || ports.length === 0) {
    fail({ code: 'SE-03', path, value: '[]', allowed: 'at least one port', message: 'ports is empty', fix: 'Declare the port, e.g. [{ number: 443, protocol: PortProtocol.TLS }].' });
  }
  const out = ports.map((p, i) => {
    if (!isRecord(p)) fail({ code: 'SE-03', path, value: show(p), allowed: '{ number, protocol }', message: `ports[${i}] ${show(p)} is not a port`, fix: 'Declare the port, e.g. { number: 443, protocol: PortProtocol.TLS }.' });
    const number = checkPort(p.number, { path, prop: `ports[${i}].number` });
    if (!Object.values(PortProtocol).includes(p.protocol)) {
      fail({ code: 'X-09', path, value: p.protocol, allowed: Object.values(PortProtocol).join(', '), message: `ports[${i}].protocol ${show(p.protocol)} is not an Istio protocol`, fix: 'Use a PortProtocol value.' });
    }
    const name = p.name ?? `${p.protocol.toLowerCase()}-${number}`;
    const problem = dnsLabelProblem(name);
    if (problem) fail({ code: 'X-09', path, value: name, allowed: 'DNS-1123 label', message: `ports[${i}].name ${show(name)} ${problem}`, fix: 'Use a port name such as "https".' });
    const defaultTarget = originating && HTTP_FAMILY.includes(p.protocol) ? 443 : undefined;
    const targetPort = p.targetPort ?? defaultTarget;
    if (targetPort !== undefined) checkPort(targetPort, { path, prop: `ports[${i}].targetPort` });
    return { number, protocol: p.protocol as string, name, ...(targetPort !== undefined && targetPort !== number ? { targetPort } : {}) };
  });
  for (const key of ['number', 'name'] as const) {
    const seen = out.map((p) => p[key]);
    const dup = seen.find((v, i) => seen.indexOf(v) !== i);
    if (dup !== undefined) fail({ code: 'SE-03', path, value: dup, message: `two ports share the ${key} ${show(dup)}`, fix: `Give every port a unique ${key}.` });
  }
  return out;
}

function checkExportTo(exportTo: string[], path: string): string[] {
  const bad = !Array.isArray(exportTo) || exportTo.length === 0 || new Set(exportTo).size !== exportTo.length
    || exportTo.some((e) => e !== '.' && e !== '*' && dnsLabelProblem(e) !== undefined)
    || (exportTo.includes('*') && exportTo.length > 1);
  if (bad) {
    fail({ code: 'X-05', path, value: show(exportTo), allowed: "'.', '*' (alone) or namespace names, no duplicates", message: `exportTo ${show(exportTo)} is not valid`, fix: "Use ['.'] (this namespace), ['*'] (everyone) or a list of namespaces." });
  }
  return [...exportTo];
}
