/**
 * The ServiceEntry fields of {@link ExternalDependency}: the enums and structs of its ports, endpoints, resolution and
 * location (plain data), and the checks of the hosts, ports, addresses and endpoints given in them.
 */
import { checkHost, checkKeys, checkLabels, checkList, checkPort, enforce, isPlainObject, propError } from '../core/enforce';
import { collect } from '../core/problems';
import { unrenderableKeyProblem } from '../core/grammar';
import { defineEntry, isRecord } from '../core/json';
import { portNameProblem } from '../core/protocols';
import { DYNAMIC_DNS_PROTOCOLS, dynamicDnsFieldProblem, dynamicDnsHostProblem, dynamicDnsPortProblem, meshHostAsExternalProblem, serviceEntryHostsProblem, servicePortRepeatProblem, wildcardResolutionProblem } from '../core/service-entry';
import { show } from '../core/text';
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

/** The HTTP-family and the TLS-family port protocols. */
export const HTTP_FAMILY = [PortProtocol.HTTP, PortProtocol.HTTP2, PortProtocol.GRPC];
export const TLS_FAMILY = [PortProtocol.HTTPS, PortProtocol.TLS];

export function checkHosts(hosts: string[], resolution: Resolution, location: Location, path: string): string[] {
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

export function checkPorts(ports: ExternalPort[], originating: boolean, path: string) {
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
export function nonEmptyStrings(list: string[], prop: string, path: string, example: string): string[] {
  checkList(list, prop, path);
  if (list.length === 0) propError({ path, prop }, { value: list, shown: '[]', expected: `at least one entry: ${example}`, message: `${prop} is empty`, fix: `List entries, or leave ${prop} out.` });
  list.forEach((x, i) => {
    if (typeof x !== 'string' || x === '') propError({ path, prop: `${prop}[${i}]` }, { value: x, expected: example, fix: `Write ${prop}[${i}] as ${example}.` });
  });
  return [...list];
}

/** ServiceEntry endpoints: plain objects with the declared fields, each of its type (PROP). */
export function checkEndpoints(endpoints: ExternalEndpoint[], path: string): Record<string, unknown>[] {
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
export function checkDynamicDns(hosts: string[], ports: Array<{ protocol: string }>, addresses: unknown[] | undefined, endpoints: unknown[] | undefined, path: string): void {
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
