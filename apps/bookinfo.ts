import { Chart, ChartProps, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';
import { Construct } from 'constructs';
import { CanaryService, CanaryServiceProps, Destination, HttpMatch, HttpMethod, ResilientBackend, RoutingApi, Subset } from '../src';

/**
 * Seed 001 ("Istio Traffic Management in Practice"), bookinfo namespace:
 * - `reviews`: 90/10 between v1 and v2, the internal QA header (`x-qa-user: true`) and `GET /api/v2/`
 *   always on v2. The subsets' labels come from the Deployments' pod templates, so they are written once.
 *   Bookinfo's third version, v3, is a subset too; Bookinfo's test user (`end-user: jason`) sees it.
 * - `ratings`: subset v1, with a 3s delay for 50 % and HTTP 503 for 10 % of requests carrying
 *   `x-chaos-test: true` on the route to v1; normal traffic untouched.
 */
export class BookinfoChart extends Chart {
  public readonly reviews: CanaryService;
  public readonly ratings: ResilientBackend;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'bookinfo', ...props });
    const reviewsV1 = reviewsDeployment(this, 'v1');
    const reviewsV2 = reviewsDeployment(this, 'v2');
    const reviewsV3 = reviewsDeployment(this, 'v3');
    this.reviews = new CanaryService(this, 'reviews', reviewsCanary(reviewsV1, reviewsV2, reviewsService(this)));
    this.reviews.addSubset({ name: 'v3', pods: Subset.fromWorkload(reviewsV3) });
    this.reviews.addHttpRoute({ name: 'jason', match: [HttpMatch.header('end-user').exact('jason')], route: [Destination.subset('v3')] });

    this.ratings = new ResilientBackend(this, 'ratings', {
      host: 'ratings.bookinfo.svc.cluster.local',
      subsets: [{ name: 'v1', pods: Subset.fromLabels({ app: 'ratings', version: 'v1' }) }],
      subset: 'v1',
      faultInjection: {
        match: HttpMatch.header('x-chaos-test').exact('true'),
        delay: { fixedDelay: Duration.seconds(3), percentage: 50 },
        abort: { httpStatus: 503, percentage: 10 },
      },
    });
  }
}

/** The reviews canary both charts release: v2 gets 10 % and QA's test requests (`x-qa-user: true`, `GET /api/v2/`). */
function reviewsCanary(v1: kplus.Deployment, v2: kplus.Deployment, service: kplus.Service): CanaryServiceProps {
  return {
    service,
    stable: Subset.fromWorkload(v1),
    canary: Subset.fromWorkload(v2),
    stableSubsetName: 'v1',
    canarySubsetName: 'v2',
    canaryWeight: 10,
    testMatches: [
      HttpMatch.header('x-qa-user').exact('true'),
      HttpMatch.pathPrefix('/api/v2/').and(HttpMatch.method(HttpMethod.GET)),
    ],
  };
}

function reviewsService(scope: Construct): kplus.Service {
  return new kplus.Service(scope, 'reviews-service', {
    metadata: { name: 'reviews' },
    selector: kplus.Pods.select(scope, 'reviews-pods', { labels: { app: 'reviews' } }),
    ports: [{ port: 9080, name: 'http' }],
  });
}

function reviewsDeployment(scope: Construct, version: string): kplus.Deployment {
  return new kplus.Deployment(scope, `reviews-${version}`, {
    metadata: { name: `reviews-${version}` },
    podMetadata: { labels: { app: 'reviews', version } },
    containers: [{
      image: `docker.io/istio/examples-bookinfo-reviews-${version}:1.20.2`,
      portNumber: 9080,
      securityContext: { ensureNonRoot: false },
    }],
  });
}

/**
 * The same reviews canary as {@link BookinfoChart} — 90/10 between v1 and v2, the QA header and `GET /api/v2/`
 * always on v2 — written in the Gateway API for an ambient (or sidecar) mesh: an HTTPRoute parented to the reviews
 * Service (GAMMA) with weighted backendRefs to one Service per version (`reviews-v1`, `reviews-v2`), and the
 * connection pool on a DestinationRule per version host. Its own namespace, so the two forms can be compared side by
 * side (in one namespace they would both route the host: GA-05).
 */
export class BookinfoGatewayApiChart extends Chart {
  public readonly reviews: CanaryService;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'bookinfo-ambient', ...props });
    const reviewsV1 = reviewsDeployment(this, 'v1');
    const reviewsV2 = reviewsDeployment(this, 'v2');
    this.reviews = new CanaryService(this, 'reviews', {
      ...reviewsCanary(reviewsV1, reviewsV2, reviewsService(this)),
      routingApi: RoutingApi.GATEWAY_API,
      timeout: Duration.seconds(10),
      connectionPool: { http: { http2MaxRequests: 1000 } },
    });
  }
}
