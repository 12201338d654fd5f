/**
 * `npm run bench`: synthesizes generated apps of 100, 1,000 and 5,000 services and prints, per size, the wall
 * time of our synth (all validation included), the cdk8s floor (the same objects as raw L1 ApiObjects), the
 * serialization floor (yaml stringify of the same JSON), the ratios, the peak RSS of each, and the scaling
 * factor t(5,000)/t(1,000). Each measurement runs in a fresh process (median of `BENCH_RUNS`, default 3).
 */
import { execFileSync } from 'child_process';
import * as os from 'os';
import * as path from 'path';

interface Result { kind: string; services: number; objects: number; ms: number; maxRssMb: number }

const sizes = (process.env.BENCH_SIZES ?? '100,1000,5000').split(',').map(Number);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const script = path.join(__dirname, 'case.js');

function measure(kind: string, n: number): Result {
  const results: Result[] = [];
  for (let i = 0; i < runs; i++) {
    results.push(JSON.parse(execFileSync(process.execPath, ['--max-old-space-size=4096', script, kind, String(n)], { encoding: 'utf8' })));
  }
  results.sort((a, b) => a.ms - b.ms);
  return results[Math.floor(results.length / 2)];
}

const rows: Array<{ n: number; lib: Result; l1: Result; yaml: Result }> = [];
for (const n of sizes) {
  const lib = measure('library', n); // also writes the specs the floors use
  rows.push({ n, lib, l1: measure('l1', n), yaml: measure('yaml', n) });
}
const f = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
console.log(`cdk8s-istio-traffic benchmark — node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, median of ${runs}`);
console.log('');
console.log('| services | objects | our synth | L1 floor | yaml floor | ours / L1 | ours / yaml | RSS ours | RSS L1 |');
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.n} | ${r.lib.objects} | ${f(r.lib.ms)} | ${f(r.l1.ms)} | ${f(r.yaml.ms)} | ${(r.lib.ms / r.l1.ms).toFixed(2)}× | ${(r.lib.ms / r.yaml.ms).toFixed(1)}× | ${r.lib.maxRssMb} MB | ${r.l1.maxRssMb} MB |`);
}
const t1k = rows.find((r) => r.n === 1000);
const t5k = rows.find((r) => r.n === 5000);
if (t1k && t5k) console.log(`\nscaling t(5,000)/t(1,000): ours ${(t5k.lib.ms / t1k.lib.ms).toFixed(2)} (linear = 5.00), L1 floor ${(t5k.l1.ms / t1k.l1.ms).toFixed(2)}`);

// lint throughput (bench/lint.ts), in its own process.
if (process.env.BENCH_LINT !== '0') execFileSync(process.execPath, [path.join(__dirname, 'lint.js')], { stdio: 'inherit' });
