import { Chart, ChartProps, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';
import { Construct } from 'constructs';
import { Gateway } from '../imports/istio-networking.istio.io';
import {
  CallTarget, CanaryService, ExternalDependency, HttpMatch, PortProtocol, ResilientBackend, RetryPolicy, Subset, TlsOrigination,
} from '../src';

/**
 * A realistic call chain whose budgets pass the call-chain rules:
 *
 *   ingress → frontend → orders → inventory
 *                          └────→ payments API (external, TLS originated by the sidecar)
 *
 * Retries live at one layer only, the outermost (frontend: 1 retry of 4s); every inner hop says
 * `RetryPolicy.none()` explicitly, because a route without retries gets Istio's implicit 2 (CC-01, CC-02).
 * Deadlines shrink from the outside in with 10 % headroom (CC-03): payments 2s and inventory 1s < orders 3s
 * (needs ≥ 2.2s) < frontend 9s (needs ≥ 3.3s, and ≥ 4s × 2 attempts for its own retries, VS-19).
 * Worst case: 2 requests reach any service per request at the ingress.
 */
export class ShopChart extends Chart {
  public readonly frontend: CanaryService;
  public readonly orders: ResilientBackend;
  public readonly inventory: ResilientBackend;
  public readonly payments: ExternalDependency;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'shop', ...props });
    new Gateway(this, 'shop-gateway', {
      metadata: { name: 'shop-gateway' },
      spec: {
        selector: { istio: 'ingressgateway' },
        servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['shop.example.com'] }],
      },
    });

    this.payments = new ExternalDependency(this, 'payments', {
      name: 'payments-api',
      hosts: ['api.payments.example'],
      ports: [{ number: 80, name: 'http', protocol: PortProtocol.HTTP }],
      tlsOrigination: TlsOrigination.simple(),
      timeout: Duration.seconds(2),
      retries: RetryPolicy.none(),
      connectionPool: { http: { http2MaxRequests: 100 } },
    });

    this.inventory = new ResilientBackend(this, 'inventory', {
      service: service(this, 'inventory', ['v1']),
      timeout: Duration.seconds(1),
      retries: RetryPolicy.none(),
      outlierDetection: { consecutive5xxErrors: 5, interval: Duration.seconds(10), baseEjectionTime: Duration.seconds(30), maxEjectionPercent: 50 },
    });

    this.orders = new ResilientBackend(this, 'orders', {
      service: service(this, 'orders', ['v1']),
      timeout: Duration.seconds(3),
      retries: RetryPolicy.none(),
      connectionPool: { tcp: { maxConnections: 200 }, http: { http1MaxPendingRequests: 50 } },
      calls: [CallTarget.of(this.inventory), CallTarget.of(this.payments)],
    });

    const [frontendV1, frontendV2] = deployments(this, 'frontend', ['v1', 'v2']);
    this.frontend = new CanaryService(this, 'frontend', {
      service: service(this, 'frontend', []),
      hosts: ['shop.example.com'],
      gateways: ['shop/shop-gateway', 'mesh'],
      stable: Subset.fromWorkload(frontendV1),
      canary: Subset.fromWorkload(frontendV2),
      stableSubsetName: 'v1',
      canarySubsetName: 'v2',
      canaryWeight: 5,
      testMatches: [HttpMatch.cookie('canary', 'always')],
      timeout: Duration.seconds(9),
      retries: RetryPolicy.idempotent({ attempts: 1, perTryTimeout: Duration.seconds(4) }),
    });
    this.frontend.calls(CallTarget.of(this.orders));
  }
}

function deployments(scope: Construct, app: string, versions: string[]): kplus.Deployment[] {
  return versions.map((version) => new kplus.Deployment(scope, `${app}-${version}`, {
    metadata: { name: `${app}-${version}` },
    podMetadata: { labels: { app, version } },
    containers: [{ image: `registry.example.com/shop/${app}:${version}`, portNumber: 8080, securityContext: { ensureNonRoot: false } }],
  }));
}

/** A Service for `app` (selecting `app: <name>`) and, when `versions` are given, its Deployments. */
function service(scope: Construct, app: string, versions: string[]): kplus.Service {
  deployments(scope, app, versions);
  return new kplus.Service(scope, `${app}-service`, {
    metadata: { name: app },
    selector: kplus.Pods.select(scope, `${app}-pods`, { labels: { app } }),
    ports: [{ port: 80, targetPort: 8080, name: 'http' }],
  });
}
