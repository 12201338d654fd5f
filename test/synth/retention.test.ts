import * as v8 from 'v8';
import * as vm from 'vm';
import { App, Chart } from 'cdk8s';
import { CanaryService } from '../../src/constructs/canary-service';
import { Subset } from '../../src/constructs/refs';
import { HttpMatch } from '../../src/policies/match';
import { Rules } from '../../src/synth/rules';

/** A synchronous forced garbage collection (the flag is set at run time, so jest needs no --expose-gc). */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose_gc');
  const gc = vm.runInNewContext('gc') as () => void;
  gc();
  gc();
}

/** One App with a canary, synthesized to YAML (rules, schema check and intent facts included). */
function synthOnce(i: number): App {
  const app = new App({ outdir: `/tmp/cdk8s-istio-traffic-retention-${process.pid}` });
  const chart = new Chart(app, 'c', { namespace: 'shop' });
  new CanaryService(chart, 'orders', {
    host: `orders-${i}.shop.svc.cluster.local`,
    stable: Subset.fromLabels({ version: 'v1' }),
    canary: Subset.fromLabels({ version: 'v2' }),
    canaryWeight: 10,
    testMatches: [HttpMatch.header('x-canary').exact('true')],
  });
  Rules.of(app).trafficReport = false;
  app.synthYaml();
  return app;
}

/** Heap in use after a forced collection (bytes). */
function heapAfterCollection(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

/** Windows the measured part of the loop is cut into. */
const WINDOWS = 4;

/**
 * Heap growth per App (KiB) over a synchronous loop of `runs` synths, without leaving the loop's job: anything that holds
 * on to old Apps (module-global maps, pending microtasks, caches keyed by a counter) makes the heap grow with every App.
 * `keep` retains each App on purpose. The first third warms up (code V8 optimizes, modules loaded at a first use); the
 * rest is cut into `WINDOWS` windows, each measured between forced collections, and the median window's growth is
 * returned. A retained App grows every window by the same amount; one-time growth (a V8 code-space step, a worker's
 * earlier garbage on a loaded machine) lands in one window and moves the median little — measured over the whole rest
 * at once from a third of 1,500 synths, it once reached 2.1 KiB per App in CI (a threshold of 2 then), while 12,000
 * compiled synths grow the heap by 0.1 KiB per App.
 */
function heapGrowthPerApp(runs: number, keep?: App[]): number {
  const warmup = Math.floor(runs / 3);
  // Window k measures the synths from bounds[k] to bounds[k + 1].
  const bounds = Array.from({ length: WINDOWS + 1 }, (_, k) => warmup + Math.floor(((runs - warmup) * k) / WINDOWS));
  const heap: number[] = [];
  for (let i = 0; i < runs; i++) {
    if (bounds.includes(i)) heap.push(heapAfterCollection());
    const app = synthOnce(i); // not `keep?.push(synthOnce(i))`: without `keep`, that would skip the synth
    keep?.push(app);
  }
  heap.push(heapAfterCollection());
  const growth = heap.slice(1).map((h, k) => (h - heap[k]) / 1024 / (bounds[k + 1] - bounds[k]));
  growth.sort((a, b) => a - b);
  return (growth[WINDOWS / 2 - 1] + growth[WINDOWS / 2]) / 2;
}

/** Synths in the default run; `npm run test:deep` runs 10,000. */
const RUNS = Number(process.env.RETENTION_RUNS ?? (process.env.PROPERTY_RUNS ? 10_000 : 1_500));

test(`a synchronous loop of ${RUNS} synths retains no old App (heap flat within the loop)`, () => {
  // A retained App with its synth cache costs 12-30 KiB. Noise is a few hundred KiB per window whatever its length
  // (under jest, 1-1.7 KiB per App in windows of 250 synths, 0.2-0.4 in windows of 1,000), so 4 leaves room for it.
  expect(heapGrowthPerApp(RUNS)).toBeLessThan(4);
}, 600_000);

test('the retention check can fail: Apps kept alive grow the heap', () => {
  const kept: App[] = [];
  // 20-30 KiB per kept App; twice the threshold above absorbs garbage from earlier tests of the worker.
  expect(heapGrowthPerApp(400, kept)).toBeGreaterThan(8);
  expect(kept).toHaveLength(400);
}, 120_000);
