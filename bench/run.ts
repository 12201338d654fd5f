/**
 * `npm run bench`: every performance target of the project, measured as whole processes (Node start and module loading
 * included), and written to docs/benchmarks.md (between the `bench:results` markers) with the machine and the date.
 *
 * - synth: a CanaryService per service with default settings (bench/synth-app.ts) against the floor, the same objects
 *   as raw cdk8s ApiObjects; the two alternate (ours, floor, ours, floor …) and the ratio is the median of the
 *   pair ratios, so load that comes and goes hits both sides;
 * - lint: a 20,000-object file (bench/lint.ts);
 * - generate: the stock `cdk8s init` app through `generate` against `cdk8s synth` with ts-node (bench/generate.ts);
 * - call chains: graph, CC rules and traffic report on 50,000 services and 200,000 calls (bench/call-chain.ts).
 *
 * Environment: BENCH_RUNS (pairs per size, default 5), BENCH_SIZES (default 1000,5000,10000), BENCH_ONLY
 * (comma-separated: synth, lint, generate, call-chain), BENCH_WRITE=0 to print without writing the doc.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const DOC = path.join(ROOT, 'docs', 'benchmarks.md');
const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 5));
const sizes = (process.env.BENCH_SIZES ?? '1000,5000,10000').split(',').map(Number).filter((n) => n > 0);
const only = new Set((process.env.BENCH_ONLY ?? 'synth,lint,generate,call-chain').split(','));

interface Target { readonly name: string; readonly goal: string; readonly result: string; readonly met: boolean | undefined }
const targets: Target[] = [];
const sections: string[] = [];

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const secs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

/** Runs `node script args` and returns its wall time and the figures it printed (its last JSON line). */
function timed(script: string, args: readonly string[]): { ms: number; out: any } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--max-old-space-size=4096', path.join(__dirname, script), ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${script} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stderr.slice(-2000)}`);
  // The figures: the last output line that is a JSON object.
  const json = r.stdout.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  if (!json) throw new Error(`${script} printed no figures`);
  return { ms, out: JSON.parse(json) };
}

function synthBench(): void {
  const rows: Array<{ n: number; objects: number; ours: number; floor: number; ratio: number; rssOurs: number; rssFloor: number }> = [];
  for (const n of sizes) {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-synth-'));
    try {
      const outdir = (i: number, kind: string) => path.join(work, `${kind}-${i}`);
      // A first run of ours writes the manifests the floor rebuilds (not measured).
      timed('synth-app.js', ['ours', String(n), outdir(0, 'ours')]);
      const yaml = require('yaml') as typeof import('yaml');
      const text = fs.readFileSync(path.join(outdir(0, 'ours'), 'bench.k8s.yaml'), 'utf8');
      const specs = path.join(work, 'specs.json');
      fs.writeFileSync(specs, JSON.stringify(yaml.parseAllDocuments(text).map((d) => d.toJS())));
      const ours: number[] = [];
      const floor: number[] = [];
      const ratios: number[] = [];
      let objects = 0;
      let rssOurs = 0;
      let rssFloor = 0;
      for (let i = 1; i <= runs; i++) {
        const a = timed('synth-app.js', ['ours', String(n), outdir(i, 'ours')]);
        const b = timed('synth-app.js', ['l1', String(n), outdir(i, 'l1'), specs]);
        ours.push(a.ms);
        floor.push(b.ms);
        ratios.push(a.ms / b.ms);
        objects = a.out.objects;
        rssOurs = Math.max(rssOurs, a.out.maxRssMb);
        rssFloor = Math.max(rssFloor, b.out.maxRssMb);
        fs.rmSync(outdir(i, 'ours'), { recursive: true, force: true });
        fs.rmSync(outdir(i, 'l1'), { recursive: true, force: true });
      }
      rows.push({ n, objects, ours: median(ours), floor: median(floor), ratio: median(ratios), rssOurs, rssFloor });
      process.stderr.write(`synth ${n}: ours ${secs(median(ours))}, floor ${secs(median(floor))}, ratio ${median(ratios).toFixed(2)}\n`);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }
  sections.push([
    '### Synth with every check (CanaryService per service, default settings) against the L1 floor',
    '',
    `Median of ${runs} alternating pairs (ours, then the floor); the ratio is the median of the pair ratios.`,
    '',
    '| services | objects | our synth | L1 floor | ours / floor | peak RSS ours | peak RSS floor |',
    '|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.n} | ${r.objects} | ${secs(r.ours)} | ${secs(r.floor)} | ${r.ratio.toFixed(2)}× | ${r.rssOurs} MB | ${r.rssFloor} MB |`),
  ].join('\n'));
  const at = (n: number) => rows.find((r) => r.n === n);
  const r1 = at(1000);
  const r5 = at(5000);
  const r10 = at(10000);
  if (r1) {
    targets.push({ name: 'synth ≤ 1.5× the L1 floor at 1,000 services', goal: '≤ 1.5×', result: `${r1.ratio.toFixed(2)}×`, met: r1.ratio <= 1.5 });
    targets.push({ name: 'peak RSS at 1,000 services', goal: '< 400 MB', result: `${r1.rssOurs} MB`, met: r1.rssOurs < 400 });
  }
  if (r1 && r5) targets.push({ name: 'scaling t(5,000) / t(1,000)', goal: '≤ 5.5', result: (r5.ours / r1.ours).toFixed(2), met: r5.ours / r1.ours <= 5.5 });
  if (r10) targets.push({ name: '10,000 services, default settings', goal: '< 15 s', result: secs(r10.ours), met: r10.ours < 15_000 });
}

function lintBench(): void {
  const { out } = timed('lint.js', []);
  sections.push([
    '### lint',
    '',
    `${out.objects} objects (DestinationRules with subsets and outlier detection, VirtualServices with a header route and a weighted, retried route) in one file, linted by the CLI in a fresh process: median of ${out.runs}.`,
    '',
    '| objects | wall | objects/s, whole process | process start (one object) | objects/s without it |',
    '|---:|---:|---:|---:|---:|',
    `| ${out.objects} | ${secs(out.ms)} | ${out.perSecond} | ${secs(out.startMs)} | ${out.perSecondWithoutStart} |`,
  ].join('\n'));
  targets.push({ name: 'lint throughput (20,000 objects, whole process)', goal: '≥ 10,000 objects/s', result: `${out.perSecond} objects/s`, met: out.perSecond >= 10_000 });
}

function generateBench(): void {
  const { out } = timed('generate.js', []);
  if (out.skipped) {
    sections.push(`### generate\n\nNot measured: ${out.skipped}`);
    targets.push({ name: 'generate on a small TypeScript app', goal: '≥ 5× ts-node synth, < 0.6 s', result: 'not measured', met: undefined });
    return;
  }
  sections.push([
    '### generate (the ArgoCD plugin) on the stock `cdk8s init typescript-app` layout',
    '',
    `Median of ${out.runs ?? runs} alternating runs: \`cdk8s-istio-traffic generate\` as the plugin runs it, and \`npx cdk8s synth\` with the template's ts-node.`,
    '',
    '| generate | cdk8s synth (ts-node) | ratio |',
    '|---:|---:|---:|',
    `| ${secs(out.generateMs)} | ${secs(out.tsNodeSynthMs)} | ${Number(out.ratio).toFixed(1)}× faster |`,
  ].join('\n'));
  targets.push({ name: 'generate vs ts-node synth', goal: '≥ 5× faster', result: `${Number(out.ratio).toFixed(1)}×`, met: out.ratio >= 5 });
  targets.push({ name: 'generate wall time', goal: '< 0.6 s', result: secs(out.generateMs), met: out.generateMs < 600 });
}

function callChainBench(): void {
  const { out } = timed('call-chain.js', []);
  const phases = Object.entries(out.phases ?? {}) as Array<[string, number]>;
  sections.push([
    '### Call chains and the traffic report',
    '',
    `${out.services} services, ${out.calls} calls: call graph, the call-chain rules and the traffic report, in one process.`,
    '',
    '| phase | time |',
    '|---|---:|',
    ...phases.map(([k, v]) => `| ${k} | ${secs(v)} |`),
    `| **total** | **${secs(out.ms)}** |`,
  ].join('\n'));
  targets.push({ name: `call chains + report, ${out.services} services / ${out.calls} calls`, goal: '< 2 s', result: secs(out.ms), met: out.ms < 2000 });
}

const benches: Record<string, () => void> = { synth: synthBench, lint: lintBench, generate: generateBench, 'call-chain': callChainBench };
for (const [name, run] of Object.entries(benches)) {
  if (!only.has(name)) continue;
  try {
    run();
  } catch (e) {
    sections.push(`### ${name}\n\nFailed: ${(e as Error).message.split('\n')[0]}`);
    targets.push({ name, goal: '-', result: 'failed', met: false });
  }
}

const cpus = os.cpus();
const machine = `${cpus.length} × ${cpus[0]?.model?.trim() ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
const load = os.loadavg().map((l) => l.toFixed(1)).join(' / ');
const results = [
  `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machine} (load average at the end: ${load}).`,
  '',
  '| target | goal | result | |',
  '|---|---|---|---|',
  ...targets.map((t) => `| ${t.name} | ${t.goal} | ${t.result} | ${t.met === undefined ? 'not measured' : t.met ? '**met**' : '**missed**'} |`),
  '',
  ...sections.flatMap((s) => [s, '']),
].join('\n');
process.stdout.write(`${results}\n`);

if (process.env.BENCH_WRITE !== '0') {
  const START = '<!-- bench:results:start (written by npm run bench) -->';
  const END = '<!-- bench:results:end -->';
  const doc = fs.existsSync(DOC) ? fs.readFileSync(DOC, 'utf8') : `# Benchmarks\n\n${START}\n${END}\n`;
  const a = doc.indexOf(START);
  const b = doc.indexOf(END);
  const next = a >= 0 && b > a ? `${doc.slice(0, a + START.length)}\n${results}\n${doc.slice(b)}` : `${doc.trimEnd()}\n\n${START}\n${results}\n${END}\n`;
  fs.writeFileSync(DOC, next);
  process.stderr.write(`wrote ${path.relative(process.cwd(), DOC)}\n`);
}
