/**
 * One synth as a user runs it, in its own process (module loading included):
 *   node lib/bench/synth-app.js ours <services> <outdir>   the library: a CanaryService per service, default settings
 *   node lib/bench/synth-app.js l1 <services> <outdir> <specs.json>   the floor: the same objects as raw ApiObjects
 * Both end with `app.synth()` writing the manifests into <outdir>. `l1` builds the objects `ours` wrote before, read
 * from a JSON file bench/run.ts prepared (JSON.parse: the floor pays no YAML parsing). Prints one JSON line:
 * { objects, maxRssMb }.
 *
 * The workload is the issue's: per service one CanaryService — a DestinationRule with stable and canary subsets, a
 * VirtualService with a header test route and the weighted primary route — with the settings a user gets by default.
 */
import * as fs from 'fs';

const [kind, count, outdir, specs] = [process.argv[2], Number(process.argv[3]), process.argv[4], process.argv[5]];

function ours(): number {
  // Required here, not at the top: the floor's process must not load the library.
  const { ApiObject, App, Chart } = require('cdk8s') as typeof import('cdk8s');
  const { CanaryService, HttpMatch, Subset } = require('../src') as typeof import('../src');
  const app = new App({ outdir });
  const chart = new Chart(app, 'bench', { namespace: 'bench' });
  for (let i = 0; i < count; i++) {
    new CanaryService(chart, `svc-${i}`, {
      host: `svc-${i}.bench.svc.cluster.local`,
      stable: Subset.fromLabels({ app: `svc-${i}`, version: 'v1' }),
      canary: Subset.fromLabels({ app: `svc-${i}`, version: 'v2' }),
      canaryWeight: i % 100,
      testMatches: [HttpMatch.header('x-canary').exact('true')],
    });
  }
  app.synth();
  return chart.node.findAll().filter((c) => c instanceof ApiObject).length;
}

function l1(): number {
  const { ApiObject, App, Chart } = require('cdk8s') as typeof import('cdk8s');
  const docs: any[] = JSON.parse(fs.readFileSync(specs, 'utf8'));
  const app = new App({ outdir });
  const chart = new Chart(app, 'bench', { namespace: 'bench' });
  docs.forEach((d, i) => new ApiObject(chart, `o${i}`, d));
  app.synth();
  return docs.length;
}

const run = { ours, l1 }[kind];
if (!run) throw new Error(`unknown case ${kind}: ours or l1`);
const objects = run();
process.stdout.write(`${JSON.stringify({ objects, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
