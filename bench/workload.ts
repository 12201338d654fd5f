import { App, Chart, Duration } from 'cdk8s';
import {
  CallTarget, CanaryService, ExternalDependency, HttpMatch, PortProtocol, ResilientBackend, RetryPolicy, Rules, Subset, WarningSink,
} from '../src';

/**
 * The benchmark workload: `n` services, each a CanaryService (`svc-i`) plus a ResilientBackend (`svc-i-db`),
 * one ExternalDependency per 50 services, and call edges svc-i → svc-i-db, svc-i → svc-(i+1) for a chain of
 * ten, svc-i → external. Budgets pass (retries only at the chain heads), so synth succeeds.
 */
export function buildWorkload(n: number, outdir: string): App {
  const app = new App({ outdir });
  const chart = new Chart(app, 'bench', { namespace: 'bench' });
  const rules = Rules.of(app);
  rules.warningSink = WarningSink.discard();
  rules.trafficReport = false;
  const externals: ExternalDependency[] = [];
  for (let e = 0; e < Math.max(1, Math.floor(n / 50)); e++) {
    externals.push(new ExternalDependency(chart, `ext-${e}`, {
      hosts: [`api-${e}.partner.example`],
      ports: [{ number: 443, protocol: PortProtocol.TLS }],
      connectionPool: { tcp: { maxConnections: 50 } },
    }));
  }
  let previous: CanaryService | undefined;
  for (let i = 0; i < n; i++) {
    const head = i % 10 === 0;
    const db = new ResilientBackend(chart, `svc-${i}-db`, {
      host: `svc-${i}-db.bench.svc.cluster.local`,
      timeout: Duration.seconds(1),
      retries: RetryPolicy.none(),
      connectionPool: { tcp: { maxConnections: 100 }, http: { http1MaxPendingRequests: 50 } },
      outlierDetection: { consecutive5xxErrors: 5, interval: Duration.seconds(10), baseEjectionTime: Duration.seconds(30), maxEjectionPercent: 50 },
    });
    const svc = new CanaryService(chart, `svc-${i}`, {
      host: `svc-${i}.bench.svc.cluster.local`,
      stable: Subset.fromLabels({ app: `svc-${i}`, version: 'v1' }),
      canary: Subset.fromLabels({ app: `svc-${i}`, version: 'v2' }),
      canaryWeight: i % 100,
      testMatches: [HttpMatch.header('x-canary').exact('true')],
      timeout: Duration.seconds(head ? 60 : (10 - (i % 10)) * 3),
      retries: head ? RetryPolicy.idempotent({ attempts: 2, perTryTimeout: Duration.seconds(20) }) : RetryPolicy.none(),
      entryPoint: head,
    });
    svc.calls(CallTarget.of(db), CallTarget.of(externals[i % externals.length]));
    if (previous && !head) previous.calls(CallTarget.of(svc));
    previous = svc;
  }
  return app;
}
