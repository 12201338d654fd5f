/**
 * One benchmark measurement in its own process (so peak RSS belongs to it):
 *   node lib/bench/case.js <library|l1|yaml> <services>
 * Prints one JSON line: { kind, services, objects, ms, maxRssMb }.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import * as YAML from 'yaml';
import { buildWorkload } from './workload';

const [kind, count] = [process.argv[2], Number(process.argv[3])];
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
const specsFile = path.join(os.tmpdir(), `bench-specs-${count}.json`);

function librarySynth(): { objects: number; ms: number } {
  const t0 = performance.now();
  const app = buildWorkload(count, outdir);
  const yaml = app.synthYaml();
  const ms = performance.now() - t0;
  const docs = YAML.parseAllDocuments(yaml).map((d) => d.toJS());
  fs.writeFileSync(specsFile, JSON.stringify(docs));
  return { objects: docs.length, ms };
}

function l1Synth(): { objects: number; ms: number } {
  const docs: any[] = JSON.parse(fs.readFileSync(specsFile, 'utf8'));
  const t0 = performance.now();
  const app = new App({ outdir });
  const chart = new Chart(app, 'bench', { namespace: 'bench' });
  docs.forEach((d, i) => new ApiObject(chart, `o${i}`, d));
  app.synthYaml();
  return { objects: docs.length, ms: performance.now() - t0 };
}

function yamlStringify(): { objects: number; ms: number } {
  const docs: any[] = JSON.parse(fs.readFileSync(specsFile, 'utf8'));
  const t0 = performance.now();
  docs.map((d) => YAML.stringify(d)).join('---\n');
  return { objects: docs.length, ms: performance.now() - t0 };
}

const run = { library: librarySynth, l1: l1Synth, yaml: yamlStringify }[kind];
if (!run) throw new Error(`unknown case ${kind}`);
const result = run();
fs.rmSync(outdir, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify({ kind, services: count, ...result, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
