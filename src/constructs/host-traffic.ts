import { ApiObject, Chart, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { DestinationRule, VirtualService } from '../../imports/istio-networking.istio.io';
import { checkHost, checkKeys, checkLabels, checkList, checkOptions, checkPort, isBuilt, propError, readingProps, Where } from '../core/enforce';
import { kubernetesService } from '../core/hosts';
import { isRecord } from '../core/json';
import { show } from '../core/text';
import { renderHttpFault } from '../policies/fault';
import { HttpMatch } from '../policies/match';
import { renderCorsPolicy, renderDirectResponse, renderHeaders, renderRedirect, renderRewrite } from '../policies/route';
import { renderTrafficPolicy, TrafficPolicyProps } from '../policies/traffic-policy';
import { Rules } from '../synth/rules';
import { asValidationError, CallerProps, callHosts, CallTarget, checkExportTo, checkGateways, metadataFor, renderResilience, withdrawn } from './common';
import { Destination } from './destination';
import { HttpRouteProps, SubsetProps, TcpRouteProps, TlsRouteProps } from './route-props';
import { defaultName, describeRef, gatewayApiRefOf, gatewayRefOf, resolveServiceHost, resolveSubsetLabels, serviceShapeOf, Subset } from './refs';
import { gatewayApiRefusal, Routing, RoutingApi, RoutingApiProps } from './gateway-api';
import { GatewayApiObjects } from './gateway-api-objects';

/**
 * Props of {@link HostTraffic}.
 */
export interface HostTrafficProps extends TrafficPolicyProps, CallerProps, RoutingApiProps {
  /**
   * The service host (prefer the FQDN, e.g. `reviews.bookinfo.svc.cluster.local`; a short name resolves in the
   * objects' namespace; a wildcard such as `*.wikipedia.org` for external hosts). Set either `host` or `service`.
   * @default - derived from `service`
   * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#DestinationRule
   */
  readonly host?: string;
  /**
   * The Kubernetes Service of the host (cdk8s-plus of any version, or an `ApiObject` of kind Service): the host is
   * `name.namespace.svc.cluster.local`. Set either `host` or `service`.
   * @default - the host is `host`
   */
  readonly service?: IConstruct;
  /**
   * `metadata.name` of the VirtualService and the DestinationRule.
   * @default - the host's first label, e.g. `reviews`
   */
  readonly name?: string;
  /**
   * `metadata.name` of the VirtualService, when it differs from `name`.
   * @default - `name`
   */
  readonly virtualServiceName?: string;
  /**
   * `metadata.name` of the DestinationRule, when it differs from `name`.
   * @default - `name`
   */
  readonly destinationRuleName?: string;
  /**
   * `metadata.namespace` of the emitted objects.
   * @default - the Chart's namespace
   */
  readonly namespace?: string;
  /**
   * Port of the host that routes to it (and its subsets) name, needed when the Service exposes several (VS-14).
   * @default - none (the host's only port)
   */
  readonly port?: number;
  /**
   * Subsets of the host, in order; more with {@link HostTraffic.addSubset}.
   * @default - none
   */
  readonly subsets?: SubsetProps[];
  /**
   * HTTP routes, in the order Istio evaluates them (first match wins); more with {@link HostTraffic.addHttpRoute}.
   * @default - none
   */
  readonly httpRoutes?: HttpRouteProps[];
  /**
   * TCP routes, in order; more with {@link HostTraffic.addTcpRoute}.
   * @default - none
   */
  readonly tcpRoutes?: TcpRouteProps[];
  /**
   * TLS routes, in order; more with {@link HostTraffic.addTlsRoute}.
   * @default - none
   */
  readonly tlsRoutes?: TlsRouteProps[];
  /**
   * Gateways the VirtualService binds to: `'mesh'` (sidecars) and/or gateways as `namespace/name` (VS-04).
   * Without `'mesh'` the routes apply at those gateways only, and the service host is not listed in `hosts`.
   * @default - the mesh only
   * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#VirtualService
   */
  readonly gateways?: string[];
  /**
   * Further hosts the VirtualService answers for, e.g. the public hostname at a gateway, or `'*'` on a
   * VirtualService bound only to gateways (VS-03). Required when `gateways` leaves out `'mesh'`.
   * @default - only the service host (mesh-bound)
   */
  readonly hosts?: string[];
  /**
   * Namespaces that see the VirtualService and the DestinationRule: `'.'`, `'*'` or namespace names.
   * @default - every namespace (Istio's default)
   */
  readonly exportTo?: string[];
  /**
   * Pods the DestinationRule applies to (DestinationRule `workloadSelector.matchLabels`), e.g. the egress gateway
   * that originates mutual TLS with a `credentialName` (Istio hands the Secret only to selected workloads). X-07.
   * @default - every workload that sees the DestinationRule
   * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#DestinationRule
   */
  readonly workloadSelector?: { [key: string]: string };
}

type RenderedRoute = Record<string, any>;

/**
 * The traffic of one service host, as Istio configures it: a `DestinationRule` (subsets and traffic policy) and a
 * `VirtualService` (HTTP, TCP and TLS routes in order, gateway bindings), each emitted only when it has content.
 * The model the intent constructs (`CanaryService`, `ResilientBackend`) are built on; use it directly for any
 * routing they do not say.
 *
 * Subsets and routes may be added after construction ({@link addSubset}, {@link addHttpRoute}, …); the objects
 * render them at synth. Each addition is checked when it is made (PROP for a wrong shape, rule codes for what a
 * value class checks), and the finished objects go through every rule at synth like hand-written YAML. An HTTP
 * route with `match` added when the list ends with a catch-all route (one without `match`) is placed before it: a
 * route after the catch-all could never match (VS-06).
 *
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/
 */
export class HostTraffic extends Construct {
  /** The service host. */
  public readonly host: string;
  /** `metadata.namespace` of the emitted objects, when set (`namespace`; else the Chart's). */
  public readonly namespace?: string;
  private readonly vsName: string;
  private readonly drName: string;
  /** The destination port of the routes, when set (`port`). */
  public readonly port?: number;
  private readonly trafficPolicy?: Record<string, unknown>;
  private gateways?: string[];
  private readonly vsHosts: string[];
  private readonly exportTo?: string[];
  private readonly workloadSelector?: Record<string, string>;
  private readonly subsets: Record<string, unknown>[] = [];
  private readonly http: RenderedRoute[] = [];
  private readonly tcp: RenderedRoute[] = [];
  private readonly tls: RenderedRoute[] = [];
  private readonly pendingCalls: string[] = [];
  private readonly gatewayObjects: IConstruct[] = [];
  private entryPoint = false;
  private dr?: DestinationRule;
  private vs?: VirtualService;
  /** The API the routes are written in (`routingApi`, else the context, else Istio's). */
  public readonly routingApi: RoutingApi;
  /** The Gateway API form, under `RoutingApi.GATEWAY_API`. */
  private readonly gatewayApi?: GatewayApiObjects;
  /** Set once a controller owns the objects (see {@link HostTraffic._handOver}): what to say when more is added. */
  private handedOver?: string;

  constructor(scope: Construct, id: string, props: HostTrafficProps) {
    super(scope, id);
    try {
      Rules.of(this);
      const path = this.node.path;
      checkOptions(props, { path, prop: 'props' }, "Pass props: new HostTraffic(scope, id, { host: 'reviews', subsets, httpRoutes }).");
      // A wildcard host (`*.wikipedia.org`) is valid in both objects: Istio's wildcard egress task routes one.
      this.host = resolveServiceHost(props, this, { allowWildcard: true });
      this.namespace = props.namespace;
      const name = props.name ?? defaultName(this.host, props.namespace ?? Chart.of(this).namespace);
      this.vsName = props.virtualServiceName ?? name;
      this.drName = props.destinationRuleName ?? name;
      metadataFor(this, this.vsName, props.namespace);
      metadataFor(this, this.drName, props.namespace);
      this.port = props.port === undefined ? undefined : checkPort(props.port, { path, prop: 'port' });
      this.trafficPolicy = renderTrafficPolicy(props, path, this.host) as Record<string, unknown> | undefined;
      this.gateways = checkGateways(props.gateways, path);
      const meshBound = this.gateways === undefined || this.gateways.includes('mesh');
      const extraHosts = checkList(props.hosts ?? [], 'hosts', path).map((h, i) => vsHost(h, { path, prop: `hosts[${i}]` }));
      if (!meshBound && extraHosts.length === 0) {
        propError({ path, prop: 'hosts' }, {
          value: props.hosts, shown: '[]', expected: 'the hosts clients use at the gateway',
          message: `the VirtualService binds only to ${this.gateways!.join(', ')}, where the service host ${show(this.host)} is not what clients ask for, and hosts is empty`,
          fix: "List the public hostnames served at the gateway in hosts (or '*'), or add 'mesh' to gateways.",
        });
      }
      this.vsHosts = [...new Set(meshBound ? [this.host, ...extraHosts] : extraHosts)];
      this.exportTo = props.exportTo === undefined ? undefined : checkExportTo(props.exportTo, props.namespace ?? Chart.of(this).namespace, path, false);
      this.workloadSelector = props.workloadSelector === undefined ? undefined : checkLabels(props.workloadSelector, { path, prop: 'workloadSelector' });

      this.routingApi = Routing._of(this, props.routingApi, { path, prop: 'routingApi' });
      if (this.routingApi === RoutingApi.GATEWAY_API) {
        this.gatewayApi = this.gatewayApiForm(props, extraHosts);
      }
      if (this.trafficPolicy) this.ensureDestinationRule();
      checkList(props.subsets ?? [], 'subsets', path).forEach((s, i) => this.subset(s, `subsets[${i}]`));
      checkList(props.httpRoutes ?? [], 'httpRoutes', path).forEach((r, i) => this.addHttp(r, `httpRoutes[${i}]`));
      checkList(props.tcpRoutes ?? [], 'tcpRoutes', path).forEach((r, i) => this.l4Route(r, `tcpRoutes[${i}]`, 'tcp'));
      checkList(props.tlsRoutes ?? [], 'tlsRoutes', path).forEach((r, i) => this.l4Route(r, `tlsRoutes[${i}]`, 'tls'));
      this.pendingCalls.push(...callHosts(props.calls ?? [], path));
      this.entryPoint = props.entryPoint === true;
      this.recordCalls();
    } catch (e) {
      throw withdrawn(this, asValidationError(e, this.node.path));
    }
  }

  /** The emitted VirtualService (escape hatch), once the host has a route. */
  public get virtualService(): VirtualService | undefined {
    return this.vs;
  }

  /** The emitted HTTPRoute (escape hatch) under `RoutingApi.GATEWAY_API`, once the host has a route. */
  public get httpRoute(): ApiObject | undefined {
    return this.gatewayApi?.route;
  }

  /** The emitted version Services (escape hatch) under `RoutingApi.GATEWAY_API`: one per subset, `<service>-<subset>`. */
  public get versionServices(): ApiObject[] {
    return [...(this.gatewayApi?.versionServices.values() ?? [])];
  }

  /** The emitted DestinationRule (escape hatch), once the host has a subset or a traffic policy. */
  public get destinationRule(): DestinationRule | undefined {
    return this.dr;
  }

  /** Names of the subsets defined so far, in order. */
  public get subsetNames(): string[] {
    return this.subsets.map((s) => s.name as string);
  }

  /**
   * Adds a subset to the DestinationRule (emitting it if needed). Raises PROP for a wrong shape, DR-03 for a
   * subset without labels, X-08 for bad label syntax; DR-02 (names) and DR-04 (overlaps) run at synth.
   */
  public addSubset(subset: SubsetProps): this {
    this.refuseHandedOver('subset');
    readingProps({ path: this.node.path, prop: 'subset' }, () => this.subset(subset, `subsets[${this.subsets.length}]`));
    return this;
  }

  /**
   * Adds an HTTP route to the VirtualService (emitting it if needed): appended, or placed before a trailing
   * catch-all when it has a `match`. Raises PROP for a wrong shape and the codes of its value classes; the
   * finished route list is checked by every VS rule at synth.
   */
  public addHttpRoute(route: HttpRouteProps): this {
    this.refuseHandedOver('route');
    readingProps({ path: this.node.path, prop: 'route' }, () => this.addHttp(route, `httpRoutes[${this.http.length}]`));
    return this;
  }

  /** Adds a TCP route (port match, weighted destinations) to the VirtualService, emitting it if needed. */
  public addTcpRoute(route: TcpRouteProps): this {
    this.refuseHandedOver('route');
    readingProps({ path: this.node.path, prop: 'route' }, () => this.l4Route(route, `tcpRoutes[${this.tcp.length}]`, 'tcp'));
    return this;
  }

  /** Adds a TLS route (SNI hosts and port, weighted destinations) to the VirtualService, emitting it if needed. */
  public addTlsRoute(route: TlsRouteProps): this {
    this.refuseHandedOver('route');
    readingProps({ path: this.node.path, prop: 'route' }, () => this.l4Route(route, `tlsRoutes[${this.tls.length}]`, 'tls'));
    return this;
  }

  /**
   * Binds the VirtualService to an Istio Gateway given as an object (an `ApiObject` of kind Gateway; its
   * `namespace/name` is taken, and the VirtualService is applied after it), keeping its other bindings: a
   * VirtualService bound to the mesh so far stays bound to it (`gateways: ['mesh', 'istio-system/public']`).
   * PROP for anything else or a gateway bound twice.
   */
  public bindGateway(gateway: IConstruct): this {
    this.refuseHandedOver('gateway');
    const path = this.node.path;
    const gatewayApi = gatewayApiRefOf(gateway);
    const ref = this.gatewayApi ? (gatewayApi ? (gatewayApi.namespace ? `${gatewayApi.namespace}/${gatewayApi.name}` : gatewayApi.name) : undefined) : gatewayRefOf(gateway);
    if (ref === undefined && this.gatewayApi) {
      propError({ path, prop: 'gateway' }, { value: gateway, shown: describeRef(gateway), expected: 'a Gateway API Gateway (gateway.networking.k8s.io)', message: `gateway ${describeRef(gateway)} is not a Gateway API Gateway, and the routes are written in the Gateway API`, fix: 'Bind an IngressGateway written with routingApi: RoutingApi.GATEWAY_API (or its Gateway), or list it as \'namespace/name\' in gateways.' });
    }
    if (ref === undefined) {
      propError({ path, prop: 'gateway' }, { value: gateway, shown: describeRef(gateway), expected: 'an Istio Gateway (ApiObject of kind Gateway, networking.istio.io)', message: `gateway ${describeRef(gateway)} is not an Istio Gateway`, fix: "Pass the Gateway's ApiObject, or list it as 'namespace/name' in gateways." });
    }
    const current = this.gateways ?? ['mesh'];
    if (current.includes(ref)) propError({ path, prop: 'gateway' }, { value: ref, shown: ref, expected: 'a gateway not bound yet', message: `the VirtualService is bound to ${ref} already`, fix: 'Bind each gateway once.' });
    this.gateways = [...current, ref];
    // The VirtualService is applied after the Gateway it binds to (now, or when it is emitted).
    this.gatewayObjects.push(gateway);
    if (this.vs) this.vs.node.addDependency(gateway);
    this.gatewayApi?.route?.node.addDependency(gateway);
    return this;
  }

  /**
   * Declares that this service calls `targets` (`CallTarget.host(…)`, `CallTarget.of(construct)`), for the
   * call-chain rules (CC-01..CC-04) and the traffic report; recorded on the VirtualService (calls of a host without
   * routes are not analysed). Invalid targets raise IstioValidationError at once.
   */
  public calls(...targets: CallTarget[]): this {
    this.refuseHandedOver('calls');
    this.pendingCalls.push(...callHosts(targets, this.node.path));
    this.recordCalls();
    return this;
  }

  /**
   * Hands the objects over to a progressive-delivery controller that generates its own (Flagger): the VirtualService
   * and DestinationRule leave the App (they are returned, rendered on demand, for the controller's configuration)
   * and anything added later is PROP with `reason`.
   * @internal
   */
  public _handOver(reason: string): { virtualService?: VirtualService; destinationRule?: DestinationRule; calls: string[]; entryPoint: boolean } {
    const out = { virtualService: this.vs, destinationRule: this.dr, calls: [...this.pendingCalls], entryPoint: this.entryPoint };
    for (const id of ['VirtualService', 'DestinationRule']) this.node.tryRemoveChild(id);
    this.vs = undefined;
    this.dr = undefined;
    this.handedOver = reason;
    return out;
  }

  private refuseHandedOver(prop: string): void {
    if (this.handedOver === undefined) return;
    propError({ path: this.node.path, prop }, { value: prop, shown: prop, expected: 'nothing added after the hand-over', message: `${prop} cannot be added: ${this.handedOver}`, fix: 'Set it in the props, or leave the controller out to keep the VirtualService and DestinationRule.' });
  }

  private recordCalls(): void {
    const routing = this.vs ?? this.gatewayApi?.route;
    if (routing && (this.pendingCalls.length > 0 || this.entryPoint)) {
      Rules.of(this).recordIntent(routing, { calls: [...this.pendingCalls], entryPoint: this.entryPoint });
    }
  }

  /** The Gateway API form of the host: refuses what has none (exportTo, TCP and TLS routes, an unknown port). */
  private gatewayApiForm(props: HostTrafficProps, extraHosts: string[]): GatewayApiObjects {
    const path = this.node.path;
    const refuse = (prop: string, value: unknown, why: string, fix: string) => gatewayApiRefusal({ path, prop }, 'in the Gateway API', value, why, fix);
    if (props.exportTo !== undefined) refuse('exportTo', props.exportTo, 'HTTPRoute has no exportTo (a mesh route applies to every caller of the Service)', 'Leave exportTo out.');
    if ((props.tcpRoutes ?? []).length > 0) refuse('tcpRoutes', props.tcpRoutes, 'TCP routes are not translated to TCPRoute', 'Route TCP with the Istio API.');
    if ((props.tlsRoutes ?? []).length > 0) refuse('tlsRoutes', props.tlsRoutes, 'TLS routes are not translated to TLSRoute', 'Route TLS with the Istio API.');
    if (kubernetesService(this.host) === undefined) {
      refuse('host', this.host, `${this.host} is not a Kubernetes Service, and a Gateway API mesh route is parented to one`, 'Route external hosts with ExternalDependency (Istio API).');
    }
    const shape = props.service !== undefined ? serviceShapeOf(props.service) : undefined;
    const hostnames = extraHosts.filter((h) => h !== '*');
    return new GatewayApiObjects(this, {
      host: this.host, routeName: this.vsName, namespace: props.namespace, effectiveNamespace: props.namespace ?? Chart.of(this).namespace ?? 'default',
      port: this.port, selector: shape?.selector, ports: shape?.ports ?? [], trafficPolicy: this.trafficPolicy,
    }, () => this.gateways ?? ['mesh'], () => hostnames);
  }

  private subset(subset: SubsetProps, prop: string): void {
    const path = this.node.path;
    if (!isRecord(subset)) propError({ path, prop }, { value: subset, expected: 'a subset { name, pods }', fix: "Pass { name: 'v2', pods: Subset.fromLabels({ version: 'v2' }) }." });
    checkKeys(subset as unknown as Record<string, unknown>, ['name', 'pods', 'trafficPolicy'], { path, prop });
    if (typeof subset.name !== 'string') propError({ path, prop: `${prop}.name` }, { value: subset.name, expected: 'a subset name', fix: "Name the subset, e.g. 'v2'." });
    const labels = resolveSubsetLabels(subset.pods, this, `${prop}.pods`);
    const trafficPolicy = subset.trafficPolicy === undefined ? undefined : renderTrafficPolicy(checkOptions(subset.trafficPolicy, { path, prop: `${prop}.trafficPolicy` }, 'Pass a traffic policy object.'), `${path}/${prop}`, this.host);
    if (this.gatewayApi) {
      this.gatewayApi.addSubset(subset.name, labels, trafficPolicy as Record<string, unknown> | undefined, { path, prop });
      this.subsets.push({ name: subset.name });
      return;
    }
    this.subsets.push({ name: subset.name, ...(Object.keys(labels).length > 0 ? { labels } : {}), ...(trafficPolicy ? { trafficPolicy } : {}) });
    this.ensureDestinationRule();
  }

  private addHttp(route: HttpRouteProps, prop: string): void {
    const path = this.node.path;
    const where = (field: string): Where => ({ path, prop: `${prop}.${field}` });
    checkOptions(route, { path, prop }, 'Pass a route such as { match: [HttpMatch.pathPrefix("/api")], route: [Destination.subset("v1")] }.');
    checkKeys(route as Record<string, unknown>, HTTP_ROUTE_FIELDS, { path, prop });
    if (route.name && this.http.some((r) => r.name === route.name)) {
      propError(where('name'), { value: route.name, expected: 'a route name not used yet', message: `${prop} is named ${show(route.name)} like an earlier route of the VirtualService`, fix: 'Give every route its own name (Argo Rollouts and Flagger find routes by name).' });
    }
    if (route.name !== undefined && typeof route.name !== 'string') propError(where('name'), { value: route.name, expected: 'a string', fix: 'Name the route with a string.' });
    const match = route.match === undefined ? undefined : checkList(route.match, `${prop}.match`, path).map((m, i) => {
      if (!isBuilt(m, HttpMatch)) propError(where(`match[${i}]`), { value: m, expected: 'an HttpMatch', fix: "Build matches with HttpMatch, e.g. HttpMatch.header('end-user').exact('jason')." });
      return m._render();
    });
    const actions = (['route', 'redirect', 'directResponse'] as const).filter((k) => route[k] !== undefined);
    if (actions.length > 1) {
      propError({ path, prop }, {
        value: actions.join(' + '), expected: 'one of route, redirect or directResponse', message: `${prop} sets ${actions.join(' and ')}, and a route has exactly one action`,
        fix: 'Keep one of route, redirect or directResponse on the route.',
      });
    }
    const destinations = route.route === undefined && actions.length === 0 ? [Destination.host(this.host)] : route.route;
    const resilience = renderResilience({ timeout: route.timeout, retries: route.retries }, path, { timeout: `${prop}.timeout`, retries: `${prop}.retries` });
    if (route.retries?.forWrites && !route.name) {
      propError(where('name'), { value: route.name, expected: 'a route name', message: `${prop} uses RetryPolicy.nonIdempotent but has no name, which the non-idempotent record refers to`, fix: 'Name the route, e.g. name: "orders-writes".' });
    }
    if (route.mirror !== undefined && !isBuilt(route.mirror, Destination)) propError(where('mirror'), { value: route.mirror, expected: 'a Destination', fix: 'Use Destination.subset("v2") or Destination.host("…").' });
    if (route.mirrorPercentage !== undefined && typeof route.mirrorPercentage !== 'number') propError(where('mirrorPercentage'), { value: route.mirrorPercentage, expected: 'a number 0-100', fix: 'Set mirrorPercentage to a number between 0 and 100.' });
    if (route.mirrorPercentage !== undefined && route.mirror === undefined) {
      propError(where('mirrorPercentage'), { value: route.mirrorPercentage, expected: 'mirror set', message: `${prop} sets mirrorPercentage without mirror, so nothing is mirrored`, fix: 'Set mirror (or mirrors with their own percentage), or remove mirrorPercentage.' });
    }
    if (route.mirror !== undefined) noExtras(route.mirror, where('mirror'), 'a mirror');
    if (route.mirrors !== undefined && route.mirror !== undefined) {
      propError(where('mirrors'), { value: 'mirror + mirrors', expected: 'mirror or mirrors', message: `${prop} sets both mirror and mirrors`, fix: 'List every mirror in mirrors, or use mirror alone.' });
    }
    const mirrors = route.mirrors === undefined ? undefined : checkList(route.mirrors, `${prop}.mirrors`, path).map((m, i) => {
      const at = where(`mirrors[${i}]`);
      checkOptions(m, at, 'Pass { destination: Destination.subset("v2"), percentage: 10 }.');
      checkKeys(m as unknown as Record<string, unknown>, ['destination', 'percentage'], at);
      if (!isBuilt(m.destination, Destination)) propError({ ...at, prop: `${at.prop}.destination` }, { value: m.destination, expected: 'a Destination', fix: 'Use Destination.subset("v2") or Destination.host("…").' });
      noExtras(m.destination, { ...at, prop: `${at.prop}.destination` }, 'a mirror');
      if (m.percentage !== undefined && typeof m.percentage !== 'number') propError({ ...at, prop: `${at.prop}.percentage` }, { value: m.percentage, expected: 'a number 0-100', fix: 'Set percentage between 0 and 100.' });
      return { destination: m.destination._render(this.host, this.port, { ...at, prop: `${at.prop}.destination` }).destination, ...(m.percentage !== undefined ? { percentage: { value: m.percentage } } : {}) };
    });
    const rendered: RenderedRoute = {
      ...(route.name ? { name: route.name } : {}),
      ...(match ? { match } : {}),
      ...(destinations ? { route: this.destinations(destinations, where('route')) } : {}),
      ...(route.redirect !== undefined ? { redirect: renderRedirect(route.redirect, where('redirect')) } : {}),
      ...(route.directResponse !== undefined ? { directResponse: renderDirectResponse(route.directResponse, where('directResponse')) } : {}),
      ...(route.rewrite !== undefined ? { rewrite: renderRewrite(route.rewrite, where('rewrite')) } : {}),
      ...resilience,
      ...(route.fault !== undefined ? { fault: renderHttpFault(route.fault, where('fault')) } : {}),
      ...(route.mirror !== undefined ? { mirror: route.mirror._render(this.host, this.port, where('mirror')).destination } : {}),
      ...(route.mirrorPercentage !== undefined ? { mirrorPercentage: { value: route.mirrorPercentage } } : {}),
      ...(mirrors ? { mirrors } : {}),
      ...(route.headers !== undefined ? { headers: renderHeaders(route.headers, where('headers')) } : {}),
      ...(route.corsPolicy !== undefined ? { corsPolicy: renderCorsPolicy(route.corsPolicy, where('corsPolicy')) } : {}),
    };
    const last = this.http[this.http.length - 1];
    const index = match && last && last.match === undefined ? this.http.length - 1 : this.http.length;
    if (this.gatewayApi) {
      this.gatewayApi.addRule(rendered, index, { path, prop });
      this.http.splice(index, 0, rendered);
      this.recordCalls();
      return;
    }
    this.http.splice(index, 0, rendered);
    this.ensureVirtualService();
    if (route.retries?.forWrites) Rules.of(this).recordIntent(this.vs!, { owner: path, nonIdempotentRoutes: [route.name!] });
  }

  private l4Route(route: TlsRouteProps | TcpRouteProps, prop: string, kind: 'tcp' | 'tls'): void {
    const path = this.node.path;
    const where = (field: string): Where => ({ path, prop: `${prop}.${field}` });
    checkOptions(route, { path, prop }, kind === 'tls' ? "Pass { sniHosts: ['api.example.com'], route: [Destination.host('…')] }." : "Pass { port: 9000, route: [Destination.subset('v1')] }.");
    checkKeys(route as unknown as Record<string, unknown>, [...L4_FIELDS, ...(kind === 'tls' ? ['sniHosts'] : [])], { path, prop });
    const m: Record<string, unknown> = {};
    if (kind === 'tls') {
      const sniHosts = (route as TlsRouteProps).sniHosts;
      checkList(sniHosts, `${prop}.sniHosts`, path);
      m.sniHosts = sniHosts.map((h, i) => vsHost(h, where(`sniHosts[${i}]`)));
    }
    if (route.port !== undefined) m.port = checkPort(route.port, where('port'));
    if (route.sourceLabels !== undefined) m.sourceLabels = resolveSubsetLabels(Subset.fromLabels(route.sourceLabels), this, `${prop}.sourceLabels`);
    if (route.sourceNamespace !== undefined) {
      if (typeof route.sourceNamespace !== 'string' || route.sourceNamespace === '') propError(where('sourceNamespace'), { value: route.sourceNamespace, expected: 'a namespace name', fix: 'Name the namespace, e.g. "bookinfo".' });
      m.sourceNamespace = route.sourceNamespace;
    }
    if (route.gateways !== undefined) m.gateways = checkGateways(route.gateways, path);
    if (route.destinationSubnets !== undefined) {
      const subnets = checkList(route.destinationSubnets, `${prop}.destinationSubnets`, path);
      if (subnets.length === 0 || subnets.some((x) => typeof x !== 'string')) propError(where('destinationSubnets'), { value: subnets, expected: 'IP addresses or CIDR blocks', fix: 'List addresses such as "10.0.0.0/16", or leave destinationSubnets out.' });
      m.destinationSubnets = [...subnets];
    }
    for (const [i, d] of (Array.isArray(route.route) ? route.route : []).entries()) {
      if (isBuilt(d, Destination)) noExtras(d, where(`route[${i}]`), `a ${kind.toUpperCase()} route destination`, ['headers']);
    }
    if (!Array.isArray(route.route) || route.route.length === 0) {
      propError(where('route'), { value: route.route, expected: 'at least one Destination', fix: "Pass route: [Destination.subset('v1')]." });
    }
    const rendered = {
      ...(Object.keys(m).length > 0 ? { match: [m] } : {}),
      route: this.destinations(route.route, where('route')),
    };
    (kind === 'tcp' ? this.tcp : this.tls).push(rendered);
    this.ensureVirtualService();
  }

  private destinations(list: Destination[], where: Where): Record<string, unknown>[] {
    checkList(list, where.prop, where.path);
    return list.map((d, i) => {
      const at = { path: where.path, prop: `${where.prop}[${i}]` };
      if (!isBuilt(d, Destination)) propError(at, { value: d, expected: 'a Destination', fix: 'Use Destination.subset("v1"), Destination.host("…") or Destination.service(service).' });
      return d._render(this.host, this.port, at) as unknown as Record<string, unknown>;
    });
  }

  private ensureDestinationRule(): void {
    if (this.dr) return;
    const subsets = this.subsets;
    this.dr = new DestinationRule(this, 'DestinationRule', {
      metadata: metadataFor(this, this.drName, this.namespace),
      spec: {
        host: this.host,
        ...(this.trafficPolicy ? { trafficPolicy: this.trafficPolicy as any } : {}),
        // Under the Gateway API the versions are Services, not subsets.
        subsets: Lazy.any({ produce: () => (subsets.length > 0 && !this.gatewayApi ? subsets.map((s) => ({ ...s })) : undefined) }),
        ...(this.exportTo ? { exportTo: this.exportTo } : {}),
        ...(this.workloadSelector ? { workloadSelector: { matchLabels: this.workloadSelector } } : {}),
      },
    });
    if (this.vs) this.vs.node.addDependency(this.dr);
    Rules.of(this).recordIntent(this.dr, { owner: this.node.path });
  }

  private ensureVirtualService(): void {
    if (this.vs) return;
    const lazyList = (list: RenderedRoute[]) => Lazy.any({ produce: () => (list.length > 0 ? [...list] : undefined) });
    this.vs = new VirtualService(this, 'VirtualService', {
      metadata: metadataFor(this, this.vsName, this.namespace),
      spec: {
        hosts: this.vsHosts,
        gateways: Lazy.any({ produce: () => (this.gateways ? [...this.gateways] : undefined) }),
        http: lazyList(this.http),
        tcp: lazyList(this.tcp),
        tls: lazyList(this.tls),
        ...(this.exportTo ? { exportTo: this.exportTo } : {}),
      },
    });
    if (this.dr) this.vs.node.addDependency(this.dr);
    for (const g of this.gatewayObjects) this.vs.node.addDependency(g);
    Rules.of(this).recordIntent(this.vs, { owner: this.node.path });
    this.recordCalls();
  }
}

/** A VirtualService host or SNI host: `*` (any; VS-03 decides where it may be used), or X-03's grammar with wildcards. */
function vsHost(host: string, where: Where): string {
  return host === '*' ? host : checkHost(host, where, { allowWildcard: true });
}

const HTTP_ROUTE_FIELDS = ['name', 'match', 'route', 'redirect', 'directResponse', 'rewrite', 'timeout', 'retries', 'fault', 'mirror', 'mirrorPercentage', 'mirrors', 'headers', 'corsPolicy'];
const L4_FIELDS = ['port', 'sourceLabels', 'sourceNamespace', 'gateways', 'destinationSubnets', 'route'];

/** PROP when a destination used where Istio has no weight or headers (a mirror, a TCP/TLS route) sets them. */
function noExtras(d: Destination, where: Where, what: string, fields: Array<'weight' | 'headers'> = ['weight', 'headers']): void {
  if (!isBuilt(d, Destination)) return;
  const extras = d._extras(...fields);
  if (extras.length > 0) {
    propError(where, { value: extras.join(', '), expected: `a destination without ${fields.join(' or ')}`, message: `${where.prop} sets ${extras.join(' and ')}, which ${what} cannot carry`, fix: `Remove ${extras.join(' and ')} from the destination.` });
  }
}
