import { Chart } from 'cdk8s';
import { formatMillis } from '../core/grammar';
import { arr, isRecord } from '../core/json';
import { ManifestInput } from '../engine/analyze';
import { RuleContext } from '../engine/types';
import { istioDefaultRetry, mirrorsOf, resolveDestination, retryOf, routeDestinations, destinationPort, timeoutOf } from './outcome';
import { RegexCache } from './regex';
import { NormalizedRequest, normalizeRequest } from './request';
import { RouteSearch, searchRoutes } from './routes';
import { selectVirtualServices, Selection } from './select';
import { SimulationOutcome, SimulationRequest, SimulationResult } from './types';
import { readWorld, World, WorldOptions, worldOf } from './world';
/**
 * The route simulator: which VirtualService route, destinations, timeout and retries a request gets, offline, from
 * the same objects the rule engine reads. Answers what `istioctl proxy-config routes` would show for one request,
 * before anything is deployed.
 *
 * @see https://istio.io/latest/docs/ops/common-problems/network-issues/#503-errors-after-setting-destination-rule
 * @see https://istio.io/latest/docs/concepts/traffic-management/
 */

/** Options of {@link RouteSimulator}. */
export interface RouteSimulatorOptions {
  /**
   * Namespace of objects that set no `metadata.namespace` (as `kubectl apply -n` would place them).
   * @default "default"
   */
  readonly namespace?: string;
  /**
   * Istio's root configuration namespace, last on the DestinationRule lookup path.
   * @default "istio-system"
   * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig
   */
  readonly rootNamespace?: string;
}

/**
 * Simulates HTTP requests against Istio objects: VirtualServices, DestinationRules, Gateways, ServiceEntries, and the
 * Services and workloads beside them (for ports, subsets' pods and UH). Build it once per set of manifests and ask
 * it as many requests as needed:
 *
 * ```ts
 * const sim = RouteSimulator.fromChart(chart);
 * const r = sim.simulate({ authority: 'reviews', headers: { 'end-user': 'jason' } });
 * expect(r.destinations.map((d) => d.subset)).toEqual(['v2']);
 * ```
 */
export class RouteSimulator {
  /** A simulator over rendered manifests (objects as in YAML: `apiVersion`, `kind`, `metadata`, `spec`). */
  public static fromManifests(manifests: any[], options: RouteSimulatorOptions = {}): RouteSimulator {
    const list = Array.isArray(manifests) ? manifests : [];
    return new RouteSimulator(readWorld(list.map((manifest, i) => ({ manifest, path: `manifests[${i}]` })), options));
  }

  /** A simulator over what a chart synthesizes (`chart.toJson()`). */
  public static fromChart(chart: Chart, options: RouteSimulatorOptions = {}): RouteSimulator {
    return RouteSimulator.fromManifests(chart.toJson(), options);
  }

  /**
   * A simulator over manifests read from files (the CLI: paths `file:line`, later files replacing earlier ones).
   * @internal
   */
  public static _fromInputs(inputs: readonly ManifestInput[], options: WorldOptions = {}): RouteSimulator {
    return new RouteSimulator(readWorld(inputs, options));
  }

  /**
   * A simulator over what a rule run already read (the traffic report at synth), without reading the manifests again.
   * @internal
   */
  public static _fromContext(context: Pick<RuleContext, 'objects' | 'services' | 'workloads'>): RouteSimulator {
    return new RouteSimulator(worldOf(context));
  }

  private readonly regexes = new RegexCache();

  private constructor(private readonly world: World) {}

  /** What Istio does with `request`. Throws a PROP error for a request that is not an HTTP request. */
  public simulate(request: SimulationRequest): SimulationResult {
    return simulateRequest(this.world, normalizeRequest(request), this.regexes);
  }
}

/** Simulates one normalized request. */
function simulateRequest(world: World, request: NormalizedRequest, regexes: RegexCache): SimulationResult {
  const selection = selectVirtualServices(world, request);
  const notes = [...selection.notes];
  const base = { host: selection.host, port: selection.port, destinations: [], mirrors: [], skipped: [], risks: [], notes };
  if (selection.noRoute) return { ...base, outcome: SimulationOutcome.NO_ROUTE, responseFlag: 'NR', noRouteReason: selection.noRoute };
  const gateway = request.source.gatewayName;
  if (selection.virtualServices.length === 0) {
    if (gateway) {
      return { ...base, outcome: SimulationOutcome.NO_ROUTE, responseFlag: 'NR', noRouteReason: `no VirtualService bound to gateway ${gateway} routes host "${selection.host}"` };
    }
    notes.push(`no VirtualService routes ${selection.host} for sidecars in namespace ${request.source.namespace}: default routing to the host itself`);
    return defaultRoute(world, request, selection, base);
  }
  const search = searchRoutes(selection.virtualServices, { world, request, port: selection.port, regexes });
  notes.push(...search.notes);
  if (!search.chosen) {
    const ids = selection.virtualServices.map((v) => v.id).join(', ');
    const http = selection.virtualServices.some((v) => arr(v.object.spec.http).length > 0);
    if (!gateway && !search.anyBuilt) {
      notes.push(http
        ? `every route of ${ids} is limited to another port, gateway or source, so istiod builds none of them for this sidecar on port ${selection.port}: default routing to the host itself`
        : `${ids} has no HTTP routes (TCP and TLS routes are not simulated): default HTTP routing to the host itself`);
      return defaultRoute(world, request, selection, { ...base, skipped: search.skipped });
    }
    return {
      ...base, outcome: SimulationOutcome.NO_ROUTE, responseFlag: 'NR', virtualService: selection.virtualServices[0].id, skipped: search.skipped,
      noRouteReason: http ? `no route of ${ids} matches the request and none matches everything` : `${ids} has no HTTP routes`,
      ...(search.closest ? { closest: search.closest } : {}),
    };
  }
  return routed(world, request, selection, search, base);
}

type Base = Pick<SimulationResult, 'host' | 'port' | 'destinations' | 'mirrors' | 'skipped' | 'risks' | 'notes'>;

function routed(world: World, request: NormalizedRequest, selection: Selection, search: RouteSearch, base: Base): SimulationResult {
  const { route, vs, ref } = search.chosen!;
  const notes = base.notes;
  const common = {
    ...base, virtualService: ref.virtualService, route: ref, skipped: search.skipped,
    ...(isRecord(route.headers) ? { headers: route.headers } : {}),
  };
  if (isRecord(route.redirect)) return { ...common, outcome: SimulationOutcome.REDIRECT, redirect: route.redirect };
  if (isRecord(route.directResponse)) return { ...common, outcome: SimulationOutcome.DIRECT_RESPONSE, directResponse: route.directResponse };
  const risks = [...base.risks];
  const destinations = routeDestinations(route, vs.namespace).map((d) => {
    const subset = typeof d.destination.subset === 'string' && d.destination.subset ? d.destination.subset : undefined;
    const port = destinationPort(world, d.destination, d.host, selection.port);
    const resolved = resolveDestination(world, request.source, d.host, subset, port, d.percent);
    risks.push(...resolved.risks);
    return resolved.destination;
  });
  if (destinations.length === 0) notes.push('the route has no destination with a weight: Envoy cannot forward the request');
  const timeoutMillis = timeoutOf(route, notes);
  return {
    ...common, outcome: SimulationOutcome.ROUTED, destinations, risks, retry: retryOf(route),
    ...(timeoutMillis !== undefined ? { timeout: formatMillis(timeoutMillis), timeoutMillis } : {}),
    ...(isRecord(route.fault) ? { fault: route.fault } : {}),
    mirrors: mirrorsOf(world, route, vs.namespace, selection.port),
    ...(isRecord(route.rewrite) ? { rewrite: route.rewrite } : {}),
  };
}

/** Default routing (no VirtualService rules): to the host on the request port, Istio's default retries, no timeout. */
function defaultRoute(world: World, request: NormalizedRequest, selection: Selection, base: Base): SimulationResult {
  const host = selection.host;
  const known = world.services.has(host) || world.serviceEntryHosts.has(host);
  if (!known) {
    base.notes.push(`${host} is not a Service or ServiceEntry in the input: if the mesh does not know it either, a sidecar passes the request through `
      + '(outboundTrafficPolicy ALLOW_ANY) or refuses it (REGISTRY_ONLY: 502 from BlackHoleCluster)');
  }
  const resolved = resolveDestination(world, request.source, host, undefined, selection.port, 100);
  return {
    ...base, outcome: SimulationOutcome.DEFAULT_ROUTE, destinations: [resolved.destination], risks: [...base.risks, ...resolved.risks], retry: istioDefaultRetry(),
  };
}
