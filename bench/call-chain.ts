/**
 * Call-chain benchmark (issue 18 item 2): the call graph, each CC rule and the traffic report over a generated mesh
 * of `services` VirtualServices and `calls` declared calls, in one process:
 *
 *   node lib/bench/call-chain.js [services=50000] [calls=200000] [phases=graph,cc,report]
 *
 * Prints one JSON line { services, calls, ms, cpuMs, phases: { graph, 'CC-01'…'CC-04', rules, report }, cpuPhases, … }
 * (`ms`: wall time of the CC rule run plus the report render, what a synth pays for them; `cpuMs` the same in CPU time
 * of this process, steadier on a loaded machine), then one human line.
 *
 * The mesh (see {@link callChainWorkload}): long chains (deep paths), random forward calls between them (so the
 * acyclic part stays a DAG), a few cycles (one long), declared and ingress entry points, mixed retries and timeouts:
 * every CC rule finds something.
 */
import { toIstioObject } from '../src/engine/istio-object';
import { buildCallGraph, CallGraph } from '../src/engine/call-graph';
import { runRules } from '../src/engine/run';
import { IstioObject, RuleContext } from '../src/engine/types';
import { renderTrafficReport } from '../src/report/traffic-report';
import { CC_RULES } from '../src/rules/cc';

/** Shape of a generated mesh. */
export interface CallChainWorkload {
  readonly objects: IstioObject[];
  /** Declared calls (distinct caller → callee pairs). */
  readonly calls: number;
  /** Services on a cycle. */
  readonly cyclic: number;
  /** Length of each chain of the acyclic part. */
  readonly chainLength: number;
}

/** A small deterministic PRNG (mulberry32): the same mesh on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Name of the i-th generated service (namespace `bench`). */
const serviceName = (i: number) => `s${i}`;

/**
 * A mesh of `services` services and about `calls` declared calls, as the lint CLI reads it (VirtualServices with the
 * `calls` and `entry-point` annotations). 2 % of the services are on cycles (one long cycle, the rest of 2–9 hops),
 * each also calling into the acyclic part; the rest form 20 chains s0 → s1 → …, plus random forward calls (to a
 * later service within 5,000), so the longest paths are thousands of hops. Every 100th service is a declared entry
 * point, every 500th is also bound to an ingress gateway. 70 % of the routes do not retry, 20 % retry once, 10 %
 * twice; 10 % have a timeout (1–10 s), the others none.
 */
export function callChainWorkload(services: number, calls: number, seed = 18): CallChainWorkload {
  const rand = random(seed);
  const cyclic = services >= 100 ? Math.floor(services * 0.02) : 0;
  const dag = services - cyclic;
  const chains = Math.min(20, Math.max(1, Math.floor(dag / 10)));
  const chainLength = Math.ceil(dag / chains);
  const targets: Array<Set<number>> = Array.from({ length: services }, () => new Set<number>());
  let count = 0;
  const call = (from: number, to: number) => {
    if (targets[from].has(to)) return;
    targets[from].add(to);
    count++;
  };
  for (let i = 0; i + 1 < dag; i++) if ((i + 1) % chainLength !== 0) call(i, i + 1);
  // Cycles: the first half of the cyclic services in one long cycle, the rest in short ones.
  const long = Math.floor(cyclic / 2);
  const cycle = (start: number, length: number) => {
    for (let k = 0; k < length; k++) call(start + k, start + ((k + 1) % length));
  };
  if (long >= 2) cycle(dag, long);
  for (let start = dag + long; start < services;) {
    const length = Math.min(services - start, 2 + Math.floor(rand() * 8));
    if (length >= 2) cycle(start, length);
    start += length;
  }
  for (let i = dag; i < services && dag > 0; i++) call(i, Math.floor(rand() * dag));
  for (let guard = 0; count < calls && guard < calls * 10 && dag > 1; guard++) {
    const from = Math.floor(rand() * (dag - 1));
    call(from, from + 1 + Math.floor(rand() * Math.min(dag - from - 1, 5000)));
  }
  const objects: IstioObject[] = [];
  for (let i = 0; i < services; i++) {
    const r = rand();
    const attempts = r < 0.7 ? 0 : r < 0.9 ? 1 : 2;
    const timeout = rand() < 0.1 ? { timeout: `${1 + Math.floor(rand() * 10)}s` } : {};
    const annotations: Record<string, string> = {};
    if (targets[i].size > 0) annotations['traffic.cdk8s-istio-traffic.io/calls'] = [...targets[i]].map(serviceName).join(',');
    if (i < dag && i % 100 === 0) annotations['traffic.cdk8s-istio-traffic.io/entry-point'] = 'true';
    const name = serviceName(i);
    objects.push(toIstioObject({
      apiVersion: 'networking.istio.io/v1', kind: 'VirtualService',
      metadata: { name, namespace: 'bench', annotations },
      spec: {
        hosts: [name], ...(i < dag && i % 500 === 0 ? { gateways: ['bench/public', 'mesh'] } : {}),
        http: [{ name: 'default', route: [{ destination: { host: name } }], retries: { attempts, ...(attempts > 0 ? { perTryTimeout: '1s' } : {}) }, ...timeout }],
      },
    }, `${name}.yaml:1`)!);
  }
  return { objects, calls: count, cyclic, chainLength };
}

/** A rule context over `objects` whose memo hands out `graph`: one CC rule timed without the graph build. */
function contextWith(objects: readonly IstioObject[], graph: CallGraph): RuleContext {
  const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
  return {
    complete: true, notChecked: () => undefined, objects, ofKind: byKind, workloads: [], services: [], egressPolicies: [], rollouts: [],
    memo: <T>(key: string, build: () => T): T => (key === 'cc:call-graph' ? graph as unknown as T : build()),
  };
}

/** Wall time and CPU time (user + system, of this process: steadier on a loaded machine) of `run`. */
const time = <T>(run: () => T): { ms: number; cpuMs: number; value: T } => {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const value = run();
  const c = process.cpuUsage(c0);
  return { ms: Math.round((performance.now() - t0) * 10) / 10, cpuMs: Math.round((c.user + c.system) / 100) / 10, value };
};

function main(): void {
  const services = Number(process.argv[2] ?? 50_000);
  const callCount = Number(process.argv[3] ?? 200_000);
  const phases = new Set((process.argv[4] ?? 'graph,cc,report').split(','));
  const generated = time(() => callChainWorkload(services, callCount));
  const { objects, calls, cyclic, chainLength } = generated.value;
  const ofKind = (kind: string) => objects.filter((o) => o.kind === kind);
  const out: Record<string, number> = {};
  const cpu: Record<string, number> = {};
  const extra: Record<string, unknown> = {};
  if (phases.has('graph') || phases.has('cc')) {
    const g = time(() => buildCallGraph({ ofKind }));
    out.graph = g.ms;
    cpu.graph = g.cpuMs;
    extra.cycles = g.value.cycles.length;
    extra.entryPoints = [...g.value.nodes.values()].filter((n) => n.entryPoint).length;
    if (phases.has('cc')) {
      const ctx = contextWith(objects, g.value);
      const findings: Record<string, number> = {};
      let longest = 0;
      for (const rule of CC_RULES) {
        const r = time(() => rule.checkApp!(ctx));
        out[rule.code] = r.ms;
        cpu[rule.code] = r.cpuMs;
        findings[rule.code] = r.value.length;
        for (const f of r.value) longest = Math.max(longest, f.message.length);
      }
      extra.findings = findings;
      extra.longestMessage = longest;
    }
  }
  let ms = 0;
  let cpuMs = 0;
  if (phases.has('cc') || phases.has('report')) {
    const rules = time(() => runRules(objects, CC_RULES));
    out.rules = rules.ms;
    cpu.rules = rules.cpuMs;
    ms += rules.ms;
    cpuMs += rules.cpuMs;
    if (phases.has('report')) {
      // As at synth: the report gets the App's manifests (the inputs the run analyzed) and the run's findings.
      const manifests = objects.map((o) => ({ manifest: o.manifest, path: o.path }));
      const report = time(() => renderTrafficReport(objects, rules.value, { manifests }));
      out.report = report.ms;
      cpu.report = report.cpuMs;
      ms += report.ms;
      cpuMs += report.cpuMs;
      extra.reportBytes = Buffer.byteLength(report.value);
      const mermaid = /```mermaid\n([\s\S]*?)```/.exec(report.value)?.[1] ?? '';
      extra.mermaidLines = mermaid.split('\n').length - 1;
    }
  }
  const maxRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stdout.write(`${JSON.stringify({ services, calls, ms: Math.round(ms * 10) / 10, cpuMs: Math.round(cpuMs * 10) / 10, phases: out, cpuPhases: cpu, generateMs: generated.ms, cyclic, chainLength, ...extra, maxRssMb })}\n`);
  const phaseText = Object.entries(out).map(([k, v]) => `${k} ${v.toFixed(0)} ms`).join(', ');
  process.stdout.write(`call-chain: ${services} services, ${calls} calls: CC rules + traffic report ${(ms / 1000).toFixed(2)} s wall, ${(cpuMs / 1000).toFixed(2)} s CPU (wall: ${phaseText}); peak RSS ${maxRssMb} MB\n`);
}

if (require.main === module) main();
