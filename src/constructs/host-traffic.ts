import { ApiObject, Chart, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { DestinationRule, VirtualService } from '../../imports/istio-networking.istio.io';
import { checkKeys, checkLabels, checkList, checkOptions, checkPort, propError, readingProps } from '../core/enforce';
import { collect, Problems } from '../core/problems';
import { kubernetesService } from '../core/hosts';
import { isRecord } from '../core/json';
import { show } from '../core/text';
import { renderTrafficPolicy } from '../policies/traffic-policy';
import { Rules } from '../synth/rules';
import { asValidationError, callHosts, CallTarget, checkExportTo, checkGateways, metadataFor, withdrawn } from './common';
import { HostTrafficProps } from './host-traffic-props';
import { HttpRouteProps, SubsetProps, TcpRouteProps, TlsRouteProps } from './route-props';

export { HostTrafficProps } from './host-traffic-props';
import { RenderedRoute, renderHttpRoute, renderL4Route, RouteTarget, vsHost } from './routes';
import { defaultName, describeRef, gatewayApiRefOf, gatewayRefOf, resolveServiceHost, resolveSubsetLabels, serviceShapeOf } from './refs';
import { gatewayApiRefusal, Routing, RoutingApi } from './gateway-api';
import { GatewayApiObjects } from './gateway-api-objects';


/**
 * The traffic of one service host, as Istio configures it: a `DestinationRule` (subsets and traffic policy) and a
 * `VirtualService` (HTTP, TCP and TLS routes in order, gateway bindings), each emitted only when it has content.
 * The model the intent constructs (`CanaryService`, `ResilientBackend`) are built on; use it directly for any
 * routing they do not say.
 *
 * Invalid props raise one IstioValidationError listing every problem, each at this construct's path (a value class
 * it was given is reported there with the prop and its factory), and a refused construct emits nothing.
 * Subsets and routes may be added after construction ({@link addSubset}, {@link addHttpRoute}, …); the objects
 * render them at synth. Each addition is checked when it is made, every problem of it in one error (PROP for a
 * wrong shape, rule codes for what a value class checks), and the finished objects go through every rule at synth
 * like hand-written YAML. An HTTP
 * route with `match` added when the list ends with a catch-all route (one without `match`) is placed before it: a
 * route after the catch-all could never match (VS-06).
 *
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/
 */
export class HostTraffic extends Construct {
  /** The service host. */
  public readonly host: string;
  /**
   * `metadata.namespace` of the emitted objects, when set (`namespace`; else the Chart's).
   * @default - undefined: the Chart's namespace applies
   */
  public readonly namespace?: string;
  private readonly vsName: string;
  private readonly drName: string;
  /** The destination port of the routes, when set (`port`). @default - undefined: no destination port (the host's only port) */
  public readonly port?: number;
  private trafficPolicy?: Record<string, unknown>;
  private gateways?: string[];
  private readonly vsHosts: string[];
  private exportTo?: string[];
  private workloadSelector?: Record<string, string>;
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
  private gatewayApi?: GatewayApiObjects;
  /** Set once a controller owns the objects (see {@link HostTraffic._handOver}): what to say when more is added. */
  private handedOver?: string;
  /** The constructor's props failed where subsets and routes depend on them: those are checked, not built. */
  private checkOnly = false;

  /**
   * Whether the constructor of a subclass goes on collecting problems after this one's (the presets): HostTraffic
   * then leaves the problems it found in {@link _problems} for the subclass to raise with its own, at once.
   * @internal
   */
  public static readonly _collectsProblems: boolean = false;

  /**
   * The problems the constructor found, for a subclass that collects its own too (see {@link _collectsProblems}).
   * @internal
   */
  protected readonly _problems: Problems;

  constructor(scope: Construct, id: string, props: HostTrafficProps) {
    super(scope, id);
    const path = this.node.path;
    const problems = collect({ path, prop: 'props' });
    this._problems = problems;
    try {
      Rules.of(this);
      checkOptions(props, { path, prop: 'props' }, "Pass props: new HostTraffic(scope, id, { host: 'reviews', subsets, httpRoutes }).");
      // Every prop is checked on its own, so one error lists every problem; a step whose input failed is skipped.
      // A wildcard host (`*.wikipedia.org`) is valid in both objects: Istio's wildcard egress task routes one.
      const host = problems.check(() => resolveServiceHost(props, this, { allowWildcard: true }));
      this.host = host!;
      this.namespace = props.namespace;
      const name = props.name ?? (host === undefined ? undefined : defaultName(host, props.namespace ?? Chart.of(this).namespace));
      this.vsName = props.virtualServiceName ?? name!;
      this.drName = props.destinationRuleName ?? name!;
      for (const n of new Set([this.vsName, this.drName])) {
        if (n !== undefined) problems.check(() => metadataFor(this, n, props.namespace));
      }
      let port: number | undefined;
      const portOk = problems.passes(() => {
        port = props.port === undefined ? undefined : checkPort(props.port, { path, prop: 'port' });
      });
      this.port = port;
      // The host only names the TLS origination's SNI and SANs: the policy is checked without it too.
      const policyOk = problems.passes(() => {
        this.trafficPolicy = renderTrafficPolicy(props, path, host ?? '') as Record<string, unknown> | undefined;
      });
      const gatewaysOk = problems.passes(() => {
        this.gateways = checkGateways(props.gateways, path);
      });
      const meshBound = this.gateways === undefined || this.gateways.includes('mesh');
      const extraHosts = problems.check(() => checkList(props.hosts ?? [], 'hosts', path).map((h, i) => vsHost(h, { path, prop: `hosts[${i}]` })));
      if (host !== undefined && gatewaysOk && extraHosts !== undefined && !meshBound && extraHosts.length === 0) {
        problems.check(() => propError({ path, prop: 'hosts' }, {
          value: props.hosts, shown: '[]', expected: 'the hosts clients use at the gateway',
          message: `the VirtualService binds only to ${this.gateways!.join(', ')}, where the service host ${show(host)} is not what clients ask for, and hosts is empty`,
          fix: "List the public hostnames served at the gateway in hosts (or '*'), or add 'mesh' to gateways.",
        }));
      }
      this.vsHosts = host === undefined || extraHosts === undefined ? [] : [...new Set(meshBound ? [host, ...extraHosts] : extraHosts)];
      if (props.exportTo !== undefined) this.exportTo = problems.check(() => checkExportTo(props.exportTo!, props.namespace ?? Chart.of(this).namespace, path, false));
      if (props.workloadSelector !== undefined) this.workloadSelector = problems.check(() => checkLabels(props.workloadSelector!, { path, prop: 'workloadSelector' }));

      const routingApi = problems.check(() => Routing._of(this, props.routingApi, { path, prop: 'routingApi' }));
      this.routingApi = routingApi!;
      if (routingApi === RoutingApi.GATEWAY_API && host !== undefined && extraHosts !== undefined && portOk && policyOk) {
        this.gatewayApi = problems.check(() => this.gatewayApiForm(props, extraHosts));
      }
      // Subsets and routes need the host and the form they are written in; each is checked on its own.
      const each = <T>(list: T[] | undefined, prop: string, add: (item: T, at: string) => void) => {
        const items = problems.check(() => checkList<T>(list ?? [], prop, path));
        if (items) problems.each(items, (item: T, i: number) => add(item, `${prop}[${i}]`));
      };
      // Without the host or the form, they are still checked (as the Istio form checks them) so that one error lists
      // every problem, but not built: the construct is withdrawn.
      this.checkOnly = host === undefined || routingApi === undefined || (routingApi === RoutingApi.GATEWAY_API && this.gatewayApi === undefined);
      if (!this.checkOnly && this.trafficPolicy) problems.check(() => this.ensureDestinationRule());
      each(props.subsets, 'subsets', (s, at) => this.subset(s, at));
      each(props.httpRoutes, 'httpRoutes', (r, at) => this.addHttp(r, at));
      each(props.tcpRoutes, 'tcpRoutes', (r, at) => this.l4Route(r, at, 'tcp'));
      each(props.tlsRoutes, 'tlsRoutes', (r, at) => this.l4Route(r, at, 'tls'));
      this.pendingCalls.push(...problems.check(() => callHosts(props.calls ?? [], path)) ?? []);
      this.entryPoint = props.entryPoint === true;
      if (problems.ok) this.recordCalls();
      // A preset raises these with its own problems at the end of its constructor.
      if (!(new.target as typeof HostTraffic)._collectsProblems) problems.raise();
    } catch (e) {
      throw withdrawn(this, asValidationError(e, path));
    }
  }

  /** The emitted VirtualService (escape hatch), once the host has a route. @default - undefined until a route is added */
  public get virtualService(): VirtualService | undefined {
    return this.vs;
  }

  /** The emitted HTTPRoute (escape hatch) under `RoutingApi.GATEWAY_API`, once the host has a route. @default - undefined under `RoutingApi.ISTIO`, and until a route is added */
  public get httpRoute(): ApiObject | undefined {
    return this.gatewayApi?.route;
  }

  /** The emitted version Services (escape hatch) under `RoutingApi.GATEWAY_API`: one per subset, `<service>-<subset>`. */
  public get versionServices(): ApiObject[] {
    return [...(this.gatewayApi?.versionServices.values() ?? [])];
  }

  /** The emitted DestinationRule (escape hatch), once the host has a subset or a traffic policy. @default - undefined until a subset or a traffic policy is added */
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
    const problems = collect({ path, prop });
    problems.check(() => {
      if (typeof subset.name !== 'string') propError({ path, prop: `${prop}.name` }, { value: subset.name, expected: 'a subset name', fix: "Name the subset, e.g. 'v2'." });
    });
    const labels = problems.check(() => resolveSubsetLabels(subset.pods, this, `${prop}.pods`));
    const trafficPolicy = subset.trafficPolicy === undefined ? undefined : problems.check(() => renderTrafficPolicy(checkOptions(subset.trafficPolicy!, { path, prop: `${prop}.trafficPolicy` }, 'Pass a traffic policy object.'), path, this.host ?? '', `${prop}.trafficPolicy.`));
    problems.raise();
    if (this.checkOnly) return;
    if (this.gatewayApi) {
      this.gatewayApi.addSubset(subset.name, labels!, trafficPolicy as Record<string, unknown> | undefined, { path, prop });
      this.subsets.push({ name: subset.name });
      return;
    }
    this.subsets.push({ name: subset.name, ...(Object.keys(labels!).length > 0 ? { labels } : {}), ...(trafficPolicy ? { trafficPolicy } : {}) });
    this.ensureDestinationRule();
  }

  /** The construct as a route target: its path, the routed host (a stand-in, RFC 2606, when it failed) and port. */
  private target(): RouteTarget {
    return { path: this.node.path, host: this.host ?? 'host.invalid', port: this.port, scope: this };
  }

  /** Checks an HTTP route (every problem of it in one error), then adds it. */
  private addHttp(route: HttpRouteProps, prop: string): void {
    const path = this.node.path;
    const rendered = renderHttpRoute(route, prop, this.target(), this.http.map((r) => r.name));
    const last = this.http[this.http.length - 1];
    const index = rendered.match && last && last.match === undefined ? this.http.length - 1 : this.http.length;
    if (this.checkOnly) {
      this.http.splice(index, 0, rendered); // for the route-name check of the next routes
      return;
    }
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

  /** Checks a TCP or TLS route (every problem of it in one error), then adds it. */
  private l4Route(route: TlsRouteProps | TcpRouteProps, prop: string, kind: 'tcp' | 'tls'): void {
    const rendered = renderL4Route(route, prop, kind, this.target());
    (kind === 'tcp' ? this.tcp : this.tls).push(rendered);
    if (!this.checkOnly) this.ensureVirtualService();
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
