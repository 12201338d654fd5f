import { Chart, ChartProps, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { CanaryService, LoadBalancer, LoadBalancerAlgorithm, LocalityFailover, ResilientBackend, RetryOn, RetryPolicy, Rules, Subset } from '../src';

/**
 * Seed 001 ("Istio Traffic Management in Practice"), commerce namespace:
 * - `orders`: all real responses from v1, 20 % of live traffic mirrored to v2.
 * - `inventory`: timeout 3s, 2 retries of 1s each (1s × 3 attempts = 3s, VS-19), connection pool and
 *   outlier detection derived as in the seed.
 * - `search`: LEAST_REQUEST with zone → region failover priority, and the outlier detection that failover
 *   requires (DR-09).
 */
export class CommerceChart extends Chart {
  public readonly orders: CanaryService;
  public readonly inventory: ResilientBackend;
  public readonly search: ResilientBackend;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'commerce', ...props });
    this.orders = new CanaryService(this, 'orders', {
      host: 'orders.commerce.svc.cluster.local',
      stable: Subset.fromLabels({ app: 'orders', version: 'v1' }),
      canary: Subset.fromLabels({ app: 'orders', version: 'v2' }),
      stableSubsetName: 'v1',
      canarySubsetName: 'v2',
      mirrorPercentage: 20,
    });
    // Seed 001: "to mirror a write path, the application must be prepared to run v2 in shadow mode".
    Rules.suppress(this.orders, 'VS-25', 'orders v2 runs in shadow mode and records writes to separate storage');

    this.inventory = new ResilientBackend(this, 'inventory', {
      host: 'inventory.commerce.svc.cluster.local',
      timeout: Duration.seconds(3),
      retries: RetryPolicy.idempotent({
        attempts: 2,
        perTryTimeout: Duration.seconds(1),
        retryOn: [RetryOn.FIVE_XX, RetryOn.RESET, RetryOn.CONNECT_FAILURE, RetryOn.RETRIABLE_4XX],
      }),
      connectionPool: {
        tcp: { maxConnections: 100 },
        http: { http1MaxPendingRequests: 50, http2MaxRequests: 200, maxRequestsPerConnection: 0 },
      },
      outlierDetection: {
        consecutive5xxErrors: 5,
        interval: Duration.seconds(10),
        baseEjectionTime: Duration.seconds(30),
        maxEjectionPercent: 50,
        minHealthPercent: 30,
      },
    });

    this.search = new ResilientBackend(this, 'search', {
      host: 'search.commerce.svc.cluster.local',
      loadBalancer: LoadBalancer.simple(LoadBalancerAlgorithm.LEAST_REQUEST),
      localityFailover: LocalityFailover.priority(['topology.kubernetes.io/zone', 'topology.kubernetes.io/region']),
      outlierDetection: {
        consecutive5xxErrors: 5,
        interval: Duration.seconds(10),
        baseEjectionTime: Duration.seconds(30),
      },
    });
  }
}
