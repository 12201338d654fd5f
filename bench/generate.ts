/**
 * `node lib/bench/generate.js` (after `npm run build`): `cdk8s-istio-traffic generate` on the stock
 * `cdk8s init typescript-app` layout (test/fixtures/stock-template: one chart, two Deployments, a Service and a
 * CanaryService of this library) against `npx cdk8s synth` with ts-node on the same app, each as a whole process
 * (node start, module loading, TypeScript, the app, the checks). Runs alternate (generate, synth, generate, …) after
 * one unmeasured warm-up of each; prints the medians as a JSON line `{"generateMs","tsNodeSynthMs","ratio"}` and as a
 * table line, with the CPU time (user + system) of each whole process tree on Linux. `BENCH_RUNS` (default 7, at
 * least 5) sets the number of runs of each. `BENCH_TS_NODE_MODULES` names a node_modules holding ts-node when this
 * repository's has none (ts-node is a devDependency here). `BENCH_TMPDIR` is where the app copies go
 * (default: node_modules/.cache of this repository, not the system's temporary directory: esbuild reads every
 * directory above the sources, which is slow in a temporary directory holding tens of thousands of entries). `BENCH_PACKAGE` is the package whose generate and library
 * are measured (default: this repository). generate gets the dependencies the plugin image has (cdk8s, constructs,
 * this library: no typescript, no ts-node); the synth gets all of this repository's plus ts-node. The upgrade check of
 * cdk8s-cli (a registry request) is off.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.join(__dirname, '..', '..');
const pkg = path.resolve(process.env.BENCH_PACKAGE ?? root);
const runs = Math.max(5, Number(process.env.BENCH_RUNS ?? 7));
// Not the system's temporary directory by default: esbuild reads every directory above the sources, and a shared
// /tmp can hold tens of thousands of entries (an ArgoCD sidecar's is nearly empty).
const base = process.env.BENCH_TMPDIR ?? path.join(root, 'node_modules', '.cache');
fs.mkdirSync(base, { recursive: true });
const work = fs.realpathSync(fs.mkdtempSync(path.join(base, 'bench-generate-')));
const fixture = path.join(root, 'test', 'fixtures', 'stock-template');
const bin = path.join(pkg, 'bin', 'cdk8s-istio-traffic.js');

/** A copy of the fixture's template files (without the renamed test files, which neither run reads). */
function appCopy(name: string): string {
  const dir = path.join(work, name);
  fs.mkdirSync(dir);
  for (const file of ['cdk8s.yaml', 'tsconfig.json', 'package.json', 'main.ts']) fs.copyFileSync(path.join(fixture, file), path.join(dir, file));
  return dir;
}

function link(target: string, at: string): void {
  fs.mkdirSync(path.dirname(at), { recursive: true });
  fs.symlinkSync(target, at);
}

/** The plugin image's dependencies: cdk8s, constructs and this library. */
function imageDeps(): string {
  const deps = path.join(work, 'image', 'node_modules');
  for (const pkg of ['cdk8s', 'constructs']) link(path.join(root, 'node_modules', pkg), path.join(deps, pkg));
  link(pkg, path.join(deps, 'cdk8s-istio-traffic'));
  return deps;
}

/** The directory holding ts-node, or undefined. */
function tsNodeDir(): string | undefined {
  for (const modules of [process.env.BENCH_TS_NODE_MODULES, path.join(root, 'node_modules')]) {
    if (modules && fs.existsSync(path.join(modules, 'ts-node', 'package.json'))) return path.join(modules, 'ts-node');
  }
  return undefined;
}

/** node_modules for `cdk8s synth` with ts-node: everything of this repository, ts-node, and this library. */
function synthDeps(tsNode: string, dir: string): void {
  const deps = path.join(dir, 'node_modules');
  for (const entry of fs.readdirSync(path.join(root, 'node_modules'))) {
    if (entry !== '.bin' && entry !== 'ts-node') link(path.join(root, 'node_modules', entry), path.join(deps, entry));
  }
  link(tsNode, path.join(deps, 'ts-node'));
  link(pkg, path.join(deps, 'cdk8s-istio-traffic'));
  link(path.join(tsNode, JSON.parse(fs.readFileSync(path.join(tsNode, 'package.json'), 'utf8')).bin['ts-node']), path.join(deps, '.bin', 'ts-node'));
  link(path.join(root, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s'), path.join(deps, '.bin', 'cdk8s'));
}

interface Measured { readonly ms: number; readonly cpuMs?: number }

/** CPU time (user + system, ms) of this process's waited-for descendants (Linux /proc), or undefined. */
function childrenCpuMs(): number | undefined {
  try {
    const fields = fs.readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /s, '').split(' ');
    // After the command name: state is field 3, cutime 16 and cstime 17 (in clock ticks, 100 per second on Linux).
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return undefined;
  }
}

function time(what: string, cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Measured {
  const cpuBefore = childrenCpuMs();
  const started = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const cpuAfter = childrenCpuMs();
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}):\n${r.stderr}`);
  return { ms, ...(cpuBefore !== undefined && cpuAfter !== undefined ? { cpuMs: cpuAfter - cpuBefore } : {}) };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function main(): void {
  const entries = fs.readdirSync(path.dirname(work)).length;
  if (entries > 10_000) {
    console.error(`note: ${path.dirname(work)} holds ${entries} entries; esbuild reads every directory above the sources, so this slows generate `
      + 'down (set BENCH_TMPDIR to a directory with fewer)');
  }
  const generateDir = appCopy('generate');
  const env: NodeJS.ProcessEnv = { ...process.env, CDK8S_NODE_MODULES: imageDeps(), ARGOCD_APP_NAMESPACE: '', CDK8S_CHECK_UPGRADE: 'false' };
  delete env.ARGOCD_APP_PARAMETERS;
  const generate = () => time('generate', process.execPath, [bin, 'generate'], generateDir, env);
  const tsNode = tsNodeDir();
  let synth: (() => Measured) | undefined;
  if (tsNode) {
    const synthDir = appCopy('synth');
    synthDeps(tsNode, synthDir);
    const npx = path.join(path.dirname(process.execPath), 'npx');
    synth = () => time('npx cdk8s synth', fs.existsSync(npx) ? npx : 'npx', ['cdk8s', 'synth'], synthDir, env);
  }
  generate();
  synth?.();
  const g: Measured[] = [];
  const s: Measured[] = [];
  const load = os.loadavg()[0];
  for (let i = 0; i < runs; i++) {
    g.push(generate());
    if (synth) s.push(synth());
  }
  const med = (list: Measured[], key: 'ms' | 'cpuMs') => (list.length > 0 && list.every((m) => m[key] !== undefined) ? Math.round(median(list.map((m) => m[key]!))) : null);
  const generateMs = med(g, 'ms')!;
  const tsNodeSynthMs = med(s, 'ms');
  const ratio = tsNodeSynthMs !== null ? Number((tsNodeSynthMs / generateMs).toFixed(2)) : null;
  const [generateCpuMs, tsNodeSynthCpuMs] = [med(g, 'cpuMs'), med(s, 'cpuMs')];
  console.log(JSON.stringify({ generateMs, tsNodeSynthMs, ratio, generateCpuMs, tsNodeSynthCpuMs, runs, ...(synth ? {} : { note: 'ts-node not installed' }) }));
  const cpu = (ms: number | null) => (ms === null ? '' : ` (CPU ${ms} ms)`);
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load ${load.toFixed(1)}–${os.loadavg()[0].toFixed(1)}`;
  console.log(`generate ${generateMs} ms${cpu(generateCpuMs)} | ${tsNodeSynthMs === null ? 'npx cdk8s synth (ts-node): ts-node not installed'
    : `npx cdk8s synth (ts-node) ${tsNodeSynthMs} ms${cpu(tsNodeSynthCpuMs)} | ${ratio}× faster`} | median of ${runs}, alternating, node ${process.version}, ${machine}`);
}

try {
  main();
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
