import { Chart, ChartProps, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { CallTarget, CanaryService, EgressLockdown, ExternalDependency, HttpMatch, IngressGateway, PortProtocol, ResilientBackend, RetryPolicy, Rules, Subset } from '../src';

/**
 * Seeds 002 and 004 (Istio in Action, chapters 5-6), istioinaction namespace:
 * - `catalog`: subsets version-v1/version-v2, internal users (`x-istio-cohort: internal`) on v2, 90/10 for
 *   everyone else, live traffic mirrored to v2, bound to the `catalog-gateway` ingress gateway
 *   (`catalog.istioinaction.io`) and to the mesh.
 * - `forum` → `jsonplaceholder.typicode.com`: the ServiceEntry that lets forum reach its external API
 *   under `REGISTRY_ONLY`, plus a timeout; the namespace locked down with a REGISTRY_ONLY Sidecar (the book switches
 *   the whole mesh with meshConfig; here it is the namespace, and SC-05 proves forum's call is registered).
 * - `simple-backend`: the chapter-6 connection pool and outlier detection.
 *
 * Changed from the seeds:
 * - simple-backend's outlier detection used `maxEjectionPercent: 100` with no `minHealthPercent`, which can
 *   eject every endpoint with panic routing off (DR-08); here it is 50.
 * - forum's dependency gets a 5s timeout and 2 idempotent retries of 1.5s (forum only reads /users): the
 *   seed had no resilience settings.
 */
export class IstioInActionChart extends Chart {
  public readonly catalog: CanaryService;
  public readonly forumApi: ExternalDependency;
  public readonly simpleBackend: ResilientBackend;
  public readonly lockdown: EgressLockdown;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'istioinaction', ...props });
    const gateway = new IngressGateway(this, 'catalog-gateway', {
      servers: [{ port: 80, name: 'http', protocol: PortProtocol.HTTP, hosts: ['catalog.istioinaction.io'] }],
    });

    this.catalog = new CanaryService(this, 'catalog', {
      host: 'catalog.istioinaction.svc.cluster.local',
      hosts: ['catalog.istioinaction.io'],
      stable: Subset.fromLabels({ app: 'catalog', version: 'v1' }),
      canary: Subset.fromLabels({ app: 'catalog', version: 'v2' }),
      stableSubsetName: 'version-v1',
      canarySubsetName: 'version-v2',
      testMatches: [HttpMatch.header('x-istio-cohort').exact('internal')],
      canaryWeight: 10,
      mirrorPercentage: 100,
    });
    // Bound by object: the VirtualService keeps the mesh binding and is applied after the Gateway.
    this.catalog.bindGateway(gateway);
    Rules.suppress(this.catalog, 'VS-25', 'catalog is read-only: the book mirrors GET /items traffic');
    Rules.suppress(this.catalog, 'VS-26', 'v2 gets 10 % live and a shadow copy of all traffic on purpose, to compare both in Kiali');

    this.forumApi = new ExternalDependency(this, 'jsonplaceholder', {
      name: 'jsonplaceholder',
      hosts: ['jsonplaceholder.typicode.com'],
      ports: [{ number: 80, name: 'http', protocol: PortProtocol.HTTP }],
      timeout: Duration.seconds(5),
      retries: RetryPolicy.idempotent({ attempts: 2, perTryTimeout: Duration.millis(1500) }),
    });

    this.lockdown = new EgressLockdown(this, 'lockdown', { calls: [CallTarget.of(this.forumApi)] });
    Rules.suppress(this.lockdown, 'SC-06', 'the book demonstrates REGISTRY_ONLY on its own (chapter 5); its kind cluster enforces no NetworkPolicy');

    this.simpleBackend = new ResilientBackend(this, 'simple-backend', {
      host: 'simple-backend.istioinaction.svc.cluster.local',
      connectionPool: {
        tcp: { maxConnections: 1 },
        http: { http1MaxPendingRequests: 1, maxRequestsPerConnection: 1, maxRetries: 1, http2MaxRequests: 1 },
      },
      outlierDetection: {
        consecutive5xxErrors: 1,
        interval: Duration.seconds(5),
        baseEjectionTime: Duration.seconds(5),
        maxEjectionPercent: 50,
      },
    });
  }
}
