/**
 * `lint` throughput, part of `npm run bench`: a file of 20,000 Istio objects (10,000 DestinationRules with two
 * subsets and an outlier detection, 10,000 VirtualServices with a header route and a weighted, retried primary
 * route) linted by the CLI in a fresh process, as CI runs it. Prints objects/s of the whole process (Node start
 * included) and without the start (the time of linting one object subtracted). Median of `BENCH_RUNS` (5). The last output line is
 * the figures as JSON, for bench/run.ts.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const services = Number(process.env.BENCH_LINT_SERVICES ?? 10_000);
const runs = Number(process.env.BENCH_RUNS ?? 5);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-lint-'));
const cli = path.join(__dirname, '..', '..', 'bin', 'cdk8s-istio-traffic.js');

function service(i: number): string {
  const host = `svc${i}.shop.svc.cluster.local`;
  return `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: svc${i}, namespace: shop }
spec:
  host: ${host}
  trafficPolicy: { outlierDetection: { consecutive5xxErrors: 5 } }
  subsets:
  - { name: v1, labels: { version: v1 } }
  - { name: v2, labels: { version: v2 } }
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: svc${i}, namespace: shop }
spec:
  hosts: [${host}]
  http:
  - name: test
    match: [{ headers: { x-canary: { exact: "true" } } }]
    route: [{ destination: { host: ${host}, subset: v2 } }]
  - name: primary
    route:
    - { destination: { host: ${host}, subset: v1 }, weight: 90 }
    - { destination: { host: ${host}, subset: v2 }, weight: 10 }
    timeout: 3s
    retries: { attempts: 2, perTryTimeout: 1s, retryOn: "5xx,connect-failure" }
`;
}

const big = path.join(dir, 'objects.yaml');
fs.writeFileSync(big, Array.from({ length: services }, (_, i) => service(i)).join('---\n'));
const one = path.join(dir, 'one.yaml');
fs.writeFileSync(one, service(0));

function wall(file: string): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    execFileSync(process.execPath, [cli, 'lint', file, '--format', 'json', '--max-documents', String(services * 2 + 1)], { stdio: ['ignore', 'ignore', 'inherit'] });
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

const objects = services * 2;
const total = wall(big);
const start = wall(one);
const perSecond = Math.round(objects / (total / 1000));
const perSecondWithoutStart = Math.round(objects / ((total - start) / 1000));
console.log(`lint: ${objects} objects in ${(total / 1000).toFixed(2)} s — ${perSecond} objects/s for the whole process, `
  + `${perSecondWithoutStart} objects/s without the ${start.toFixed(0)} ms of process start (target ≥ 10,000)`);
// The last line is for bench/run.ts.
console.log(JSON.stringify({ objects, runs, ms: total, startMs: start, perSecond, perSecondWithoutStart }));
fs.rmSync(dir, { recursive: true, force: true });
