import { ApiObject, Chart, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { Gateway as GatewayApiGateway } from '../../imports/gateway-gateway.networking.k8s.io';
import { Gateway } from '../../imports/istio-networking.istio.io';
import { checkHost, checkKeys, checkLabels, checkList, checkOptions, checkPort, enforce, isBuilt, propError, readingProps, Where } from '../core/enforce';
import { buildValue, collect, raiseInvalid } from '../core/problems';
import { serverHostProblem } from '../core/gateway-ref';
import { show } from '../core/text';
import { Rules } from '../synth/rules';
import { asValidationError, metadataFor, withdrawn } from './common';
import { PortProtocol } from './external-dependency-fields';
import { gatewayApiRefusal, Routing, RoutingApi, RoutingApiProps } from './gateway-api';

/**
 * How a Gateway server terminates TLS (Istio `ServerTLSSettings`): with a certificate from a Kubernetes Secret
 * (`SIMPLE`, or `MUTUAL` to require client certificates), or not at all (`PASSTHROUGH` by SNI, `AUTO_PASSTHROUGH` for
 * multi-network east-west gateways, `ISTIO_MUTUAL` with Istio's certificates).
 * @see https://istio.io/latest/docs/reference/config/networking/gateway/#ServerTLSSettings
 */
export class ServerTls {
  /** Terminate TLS with the certificate and key of Secret `credentialName` (in the gateway's namespace). */
  public static simple(credentialName: string): ServerTls {
    return buildValue(ServerTls, () => new ServerTls('SIMPLE', checkCredential(credentialName, 'ServerTls.simple')));
  }

  /** Terminate TLS and require a client certificate, verified with the CA in Secret `credentialName` (`ca.crt`). */
  public static mutual(credentialName: string): ServerTls {
    return buildValue(ServerTls, () => new ServerTls('MUTUAL', checkCredential(credentialName, 'ServerTls.mutual')));
  }

  /** Pass TLS through unterminated, routed by SNI (VirtualService `tls` routes). */
  public static passthrough(): ServerTls {
    return new ServerTls('PASSTHROUGH');
  }

  /** Pass TLS through by SNI to the mesh's services without a VirtualService (multi-network east-west gateways). */
  public static autoPassthrough(): ServerTls {
    return new ServerTls('AUTO_PASSTHROUGH');
  }

  /** Terminate Istio mutual TLS with the workload certificates Istio issues (e.g. an egress gateway's mesh port). */
  public static istioMutual(): ServerTls {
    return new ServerTls('ISTIO_MUTUAL');
  }

  private constructor(private readonly mode: string, private readonly credentialName?: string) {}

  /**
   * The rendered `ServerTLSSettings`.
   * @internal
   */
  public _render(): Record<string, string> {
    return { mode: this.mode, ...(this.credentialName !== undefined ? { credentialName: this.credentialName } : {}) };
  }
}

function checkCredential(name: string, path: string): string {
  if (typeof name !== 'string' || name.trim() === '') {
    propError({ path, prop: 'credentialName' }, { value: name, expected: 'the name of a TLS Secret', fix: 'Name the Secret holding tls.crt and tls.key, e.g. "shop-example-com-cert".' });
  }
  return name;
}

/**
 * One server of a Gateway (Istio `Server`): a port, the hosts it serves and its TLS.
 * @see https://istio.io/latest/docs/reference/config/networking/gateway/#Server
 */
export interface GatewayServer {
  /** Port the gateway listens on, 1-65535. */
  readonly port: number;
  /** Protocol on the port: HTTP, HTTPS, HTTP2, GRPC, TLS or TCP. */
  readonly protocol: PortProtocol;
  /**
   * Port name, unique in the Gateway (GW-01).
   * @default - `<protocol>-<port>`, e.g. `https-443`
   */
  readonly name?: string;
  /**
   * Hosts served: `shop.example.com`, `*.example.com`, `*`, optionally after `<namespace>/` (`*`, `.` or a
   * namespace) to say which namespaces' VirtualServices may bind them (GW-02, X-03).
   */
  readonly hosts: string[];
  /**
   * TLS of the server: required for HTTPS and TLS (GW-04).
   * @default - none (plain text)
   */
  readonly tls?: ServerTls;
  /**
   * Answer plain-HTTP requests with a 301 redirect to HTTPS (HTTP servers only).
   * @default false
   */
  readonly httpsRedirect?: boolean;
}

/**
 * Props of {@link IngressGateway}.
 */
export interface IngressGatewayProps extends RoutingApiProps {
  /**
   * `metadata.name` of the Gateway.
   * @default - the construct id, as a DNS label
   */
  readonly name?: string;
  /**
   * `metadata.namespace` of the Gateway (usually the gateway's own, e.g. `istio-system`, or the app's).
   * @default - the Chart's namespace
   */
  readonly namespace?: string;
  /**
   * Labels of the gateway pods the servers are configured on (GW-08).
   * @default { istio: 'ingressgateway' } - Istio's default ingress gateway
   */
  readonly selector?: { [key: string]: string };
  /** Servers, in order; more with {@link IngressGateway.addServer}. @default - none (add them with `addServer`) */
  readonly servers?: GatewayServer[];
  /**
   * `spec.gatewayClassName` of the Gateway API Gateway (under `RoutingApi.GATEWAY_API` only).
   * @default 'istio'
   * @see https://gateway-api.sigs.k8s.io/reference/spec/#gateway
   */
  readonly gatewayClassName?: string;
}

/**
 * An ingress gateway: which ports accept which public hosts, and how TLS ends there — an Istio `Gateway`, or under
 * `RoutingApi.GATEWAY_API` a Gateway API `Gateway` (gatewayClassName `istio`; Istio deploys its pods): one listener
 * per server host (name: the server name, suffixed `-<i>` when the server has several hosts), `hostname` the host
 * (none for `*`), `allowedRoutes` from the host's namespace part as Istio reads it (no namespace part or `*` → all namespaces,
 * `.` → the Gateway's, a namespace → that namespace), TLS `ServerTls.simple(secret)` → `Terminate` with the Secret as
 * `certificateRefs`, `ServerTls.passthrough()` → `Passthrough`. What the standard channel cannot say (mutual TLS,
 * Istio mutual, auto-passthrough, HTTPS redirects, HTTP2/GRPC listeners, a pod selector) is refused with the
 * alternative.
 * Routes bind to it by object: `traffic.bindGateway(gateway)` (HostTraffic and its presets), which also applies
 * the VirtualService after the Gateway. The GW rules check the emitted Gateway at synth (ports, TLS, host
 * conflicts across Gateways, routes for every host).
 *
 * @see https://istio.io/latest/docs/reference/config/networking/gateway/
 */
export class IngressGateway extends Construct {
  /**
   * The emitted Gateway (escape hatch): Istio's `Gateway`, or the Gateway API's under `RoutingApi.GATEWAY_API`;
   * `ApiObject.of(gateway)` finds it too.
   */
  public readonly gateway: ApiObject;
  /** The API the Gateway is written in. */
  public readonly routingApi: RoutingApi;
  /** The `namespace/name` reference VirtualServices bind with (or the name alone without a namespace). */
  public readonly ref: string;
  private readonly servers: Record<string, unknown>[] = [];

  constructor(scope: Construct, id: string, props: IngressGatewayProps = {}) {
    super(scope, id);
    try {
      const path = this.node.path;
      checkOptions(props, { path, prop: 'props' }, "Pass props: new IngressGateway(scope, id, { servers: [{ port: 80, protocol: PortProtocol.HTTP, hosts: ['shop.example.com'] }] }).");
      // Every prop and server is checked on its own, so one error lists every problem.
      const problems = collect({ path, prop: 'props' });
      problems.check(() => checkKeys(props as Record<string, unknown>, ['name', 'namespace', 'selector', 'servers', 'routingApi', 'gatewayClassName'], { path, prop: 'props' }));
      const name = props.name ?? id.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
      const selector = problems.check(() => checkLabels(props.selector ?? { istio: 'ingressgateway' }, { path, prop: 'selector' }));
      if (selector !== undefined && Object.keys(selector).length === 0) {
        problems.check(() => propError({ path, prop: 'selector' }, { value: {}, shown: '{}', expected: 'the labels of the gateway pods', message: 'selector is empty, which would configure every gateway', fix: "Select the gateway pods, e.g. { istio: 'ingressgateway' }." }));
      }
      const servers = this.servers;
      const routingApi = problems.check(() => Routing._of(this, props.routingApi, { path, prop: 'routingApi' }));
      this.routingApi = routingApi!;
      const gatewayApi = routingApi === RoutingApi.GATEWAY_API;
      if (gatewayApi && props.selector !== undefined) {
        problems.check(() => propError({ path, prop: 'selector' }, { value: props.selector, expected: 'no selector under the Gateway API', message: 'selector is set, but a Gateway API Gateway has no pod selector: Istio deploys and configures pods for each Gateway', fix: 'Leave selector out (or keep routingApi: RoutingApi.ISTIO to configure existing gateway pods).' }));
      }
      if (routingApi !== undefined && !gatewayApi && props.gatewayClassName !== undefined) {
        problems.check(() => propError({ path, prop: 'gatewayClassName' }, { value: props.gatewayClassName, expected: 'routingApi: RoutingApi.GATEWAY_API', message: 'gatewayClassName is set on an Istio Gateway, which has none', fix: 'Set routingApi: RoutingApi.GATEWAY_API, or leave gatewayClassName out.' }));
      }
      problems.check(() => metadataFor(this, name, props.namespace));
      if (routingApi !== undefined) {
        const list = problems.check(() => checkList(props.servers ?? [], 'servers', path));
        if (list) problems.each(list, (s, i) => this.server(s, `servers[${i}]`));
      }
      problems.raise();
      // The L1 object is the construct's default child, so code that takes the Gateway by shape finds it.
      this.gateway = gatewayApi
        ? new GatewayApiGateway(this, 'Resource', {
          metadata: metadataFor(this, name, props.namespace),
          spec: { gatewayClassName: props.gatewayClassName ?? 'istio', listeners: Lazy.any({ produce: () => servers.flatMap(listenersOf) }) as any },
        })
        : new Gateway(this, 'Resource', {
          metadata: metadataFor(this, name, props.namespace),
          spec: { selector: selector!, servers: servers as any },
        });
      // Findings about the Gateway name this construct's path, as for the other constructs.
      Rules.of(this).recordIntent(this.gateway, { owner: path });
      const namespace = props.namespace ?? Chart.of(this).namespace;
      this.ref = namespace ? `${namespace}/${name}` : name;
    } catch (e) {
      throw withdrawn(this, asValidationError(e, this.node.path));
    }
  }

  /** Adds a server. PROP for a wrong shape, X-02 for the port, GW-02 and X-03 for the hosts; the rest at synth. */
  public addServer(server: GatewayServer): this {
    readingProps({ path: this.node.path, prop: 'server' }, () => this.server(server, `servers[${this.servers.length}]`));
    return this;
  }

  private server(server: GatewayServer, prop: string): void {
    const path = this.node.path;
    const where = (field: string): Where => ({ path, prop: `${prop}.${field}` });
    checkOptions(server, { path, prop }, "Pass { port: 443, protocol: PortProtocol.HTTPS, hosts: ['shop.example.com'], tls: ServerTls.simple('shop-cert') }.");
    checkKeys(server as unknown as Record<string, unknown>, ['port', 'protocol', 'name', 'hosts', 'tls', 'httpsRedirect'], { path, prop });
    const problems = collect({ path, prop });
    const number = problems.check(() => checkPort(server.port, where('port')));
    const protocolOk = problems.passes(() => {
      if (!Object.values(PortProtocol).includes(server.protocol)) {
        propError(where('protocol'), { value: server.protocol, expected: Object.values(PortProtocol).join(', '), message: `${prop}.protocol ${show(server.protocol)} is not a server protocol`, fix: 'Use a PortProtocol value.' });
      }
    });
    const name = server.name ?? (protocolOk && number !== undefined ? `${server.protocol.toLowerCase()}-${number}` : undefined);
    problems.check(() => {
      if (name !== undefined && typeof name !== 'string') propError(where('name'), { value: name, expected: 'a port name', fix: 'Name the port, e.g. "https".' });
    });
    const hosts = problems.check(() => {
      const list = checkList(server.hosts, `${prop}.hosts`, path);
      if (list.length === 0) propError(where('hosts'), { value: list, shown: '[]', expected: 'at least one host', message: `${prop}.hosts is empty`, fix: "List the public hosts, e.g. ['shop.example.com'] (or '*')." });
      return list;
    });
    if (hosts) {
      problems.each(hosts, (h, i) => {
        const at = where(`hosts[${i}]`);
        if (typeof h !== 'string') propError(at, { value: h, expected: 'a host', fix: 'Write hosts as "shop.example.com" or "<namespace>/shop.example.com".' });
        enforce(serverHostProblem, [h], { ...at, allowed: 'FQDN, "*.domain" or "*", optionally after "<namespace>/"', message: (problem) => `${at.prop} ${show(h)} ${problem}`, fix: 'Write hosts as "shop.example.com", "*/shop.example.com", "./shop.example.com" or "<namespace>/shop.example.com".' });
        const host = h.slice(h.indexOf('/') + 1);
        if (host !== '*') checkHost(host, at, { allowWildcard: true });
      });
    }
    const tlsOk = server.tls === undefined || problems.passes(() => {
      raiseInvalid(server.tls, where('tls'));
      if (!isBuilt(server.tls, ServerTls)) propError(where('tls'), { value: server.tls, expected: 'a ServerTls', fix: "Use ServerTls.simple('shop-cert') or another ServerTls factory." });
    });
    problems.check(() => {
      if (server.httpsRedirect !== undefined && typeof server.httpsRedirect !== 'boolean') propError(where('httpsRedirect'), { value: server.httpsRedirect, expected: 'a boolean', fix: 'Set httpsRedirect to true or false.' });
      if (server.httpsRedirect && protocolOk && server.protocol !== PortProtocol.HTTP) {
        propError(where('httpsRedirect'), { value: server.protocol, expected: 'an HTTP server', message: `${prop}.httpsRedirect is set on a ${server.protocol} server; only plain-HTTP servers redirect to HTTPS`, fix: 'Set httpsRedirect on the port-80 HTTP server.' });
      }
    });
    if (this.routingApi === RoutingApi.GATEWAY_API && protocolOk && tlsOk) problems.check(() => refuseForGatewayApi(server, where));
    problems.raise();
    this.servers.push({
      port: { number: number!, name, protocol: server.protocol },
      hosts: [...hosts!],
      ...(server.tls ? { tls: server.tls._render() } : {}),
      ...(server.httpsRedirect ? { tls: { httpsRedirect: true } } : {}),
    });
  }
}

function refuseForGatewayApi(server: GatewayServer, where: (field: string) => Where): void {
  const refuse = (field: string, value: unknown, why: string, fix: string) => gatewayApiRefusal(where(field), 'as a Gateway API listener', value, why, fix);
  if (![PortProtocol.HTTP, PortProtocol.HTTPS, PortProtocol.TLS, PortProtocol.TCP].includes(server.protocol)) {
    refuse('protocol', server.protocol, 'listeners speak HTTP, HTTPS, TLS or TCP (HTTP/2 and gRPC run on HTTP and HTTPS listeners)', 'Use PortProtocol.HTTP or PortProtocol.HTTPS.');
  }
  const mode = server.tls?._render().mode;
  if (mode !== undefined && mode !== 'SIMPLE' && mode !== 'PASSTHROUGH') {
    refuse('tls', mode, `TLS mode ${mode} has no standard listener form (Terminate with certificateRefs, or Passthrough)`, 'Use ServerTls.simple(secret) or ServerTls.passthrough().');
  }
  if (mode === 'PASSTHROUGH' && server.protocol !== PortProtocol.TLS) refuse('tls', mode, 'Passthrough listeners have protocol TLS', 'Use PortProtocol.TLS for passthrough.');
  if (server.httpsRedirect) refuse('httpsRedirect', true, 'a listener has no redirect; the Gateway API redirects with an HTTPRoute RequestRedirect filter', 'Leave httpsRedirect out and route the HTTP listener with a redirect (HttpRouteProps.redirect).');
}

/** The Gateway API listeners of one rendered server: one per host. */
function listenersOf(server: Record<string, any>): Record<string, unknown>[] {
  const hosts: string[] = server.hosts;
  const tls = server.tls?.mode === 'SIMPLE' ? { mode: 'Terminate', certificateRefs: [{ name: server.tls.credentialName }] } : server.tls?.mode === 'PASSTHROUGH' ? { mode: 'Passthrough' } : undefined;
  return hosts.map((h, i) => {
    const slash = h.indexOf('/');
    const ns = slash < 0 ? '*' : h.slice(0, slash);
    const host = h.slice(slash + 1);
    const allowedRoutes = ns === '*' ? { namespaces: { from: 'All' } } : ns === '.' ? undefined : { namespaces: { from: 'Selector', selector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } } };
    return {
      name: hosts.length === 1 ? server.port.name : `${server.port.name}-${i}`,
      port: server.port.number, protocol: server.port.protocol,
      ...(host !== '*' ? { hostname: host } : {}),
      ...(tls ? { tls } : {}),
      ...(allowedRoutes ? { allowedRoutes } : {}),
    };
  });
}
