import { Chart, ChartProps, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { CanaryService, HttpMatch, RetryPolicy, RetryOn, Rules, Subset } from '../src';

/**
 * Seed 000 (blog-system "Istio Traffic Management 실전 가이드"): the `web-service` canary with an admin
 * header route, retries, timeout, 100 % shadow traffic to the canary and a circuit breaker.
 *
 * As in the seed, the header route has its own policy (2 retries × 3s within 15s: 3s × 3 attempts = 9s ≤ 15s,
 * VS-19) and the primary route 3 × 2s within 10s (2s × 4 attempts = 8s ≤ 10s). Changed from the seed: the host is
 * written as an FQDN.
 */
export class BlogSystemChart extends Chart {
  public readonly web: CanaryService;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'blog-system', ...props });
    this.web = new CanaryService(this, 'web', {
      host: 'web-service.blog-system.svc.cluster.local',
      stable: Subset.fromLabels({ app: 'web', version: 'stable' }),
      canary: Subset.fromLabels({ app: 'web', version: 'canary' }),
      canaryWeight: 0,
      testMatches: [HttpMatch.header('x-canary-test').exact('true')],
      timeout: Duration.seconds(10),
      retries: RetryPolicy.idempotent({
        attempts: 3,
        perTryTimeout: Duration.seconds(2),
        retryOn: [RetryOn.FIVE_XX, RetryOn.RESET, RetryOn.CONNECT_FAILURE, RetryOn.REFUSED_STREAM],
      }),
      testTimeout: Duration.seconds(15),
      testRetries: RetryPolicy.idempotent({
        attempts: 2,
        perTryTimeout: Duration.seconds(3),
        retryOn: [RetryOn.FIVE_XX, RetryOn.RESET, RetryOn.CONNECT_FAILURE, RetryOn.REFUSED_STREAM],
      }),
      mirrorPercentage: 100,
      connectionPool: {
        tcp: { maxConnections: 100 },
        http: { http1MaxPendingRequests: 100, http2MaxRequests: 100, maxRequestsPerConnection: 10 },
      },
      outlierDetection: {
        consecutive5xxErrors: 5,
        interval: Duration.seconds(10),
        baseEjectionTime: Duration.seconds(30),
        maxEjectionPercent: 50,
        minHealthPercent: 30,
      },
    });
    // The seed mirrors every request to the canary to compare metrics; the canary runs in shadow mode.
    Rules.suppress(this.web, 'VS-25', 'the canary receives shadow traffic for metrics only and runs with writes disabled');
  }
}
