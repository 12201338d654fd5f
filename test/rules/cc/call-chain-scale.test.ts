import { callChainWorkload } from '../../../bench/call-chain';
import { buildCallGraph, CallGraph, pathTo } from '../../../src/engine/call-graph';
import { CALLS_ANNOTATION } from '../../../src/engine/intent';
import { toIstioObject } from '../../../src/engine/istio-object';
import { AppFinding, IstioObject, Rule, RuleContext } from '../../../src/engine/types';
import { CC_RULES } from '../../../src/rules/cc';

/**
 * Every call-chain rule is linear in services + calls, checked without a clock: each rule runs over a graph whose
 * `nodes` and `figures` count every read (get, has, each entry iterated), at two sizes; twice the graph must cost
 * about twice, where walking each node's whole path (the old CC-02) costs four times. Messages stay bounded.
 */

/** A Map that counts its reads into `ops.n`. */
class CountingMap<K, V> extends Map<K, V> {
  ops = { n: 0 };
  override get(key: K) { this.ops.n++; return super.get(key); }
  override has(key: K) { this.ops.n++; return super.has(key); }
  override *entries(): MapIterator<[K, V]> { for (const e of super.entries()) { this.ops.n++; yield e; } }
  override *keys(): MapIterator<K> { for (const k of super.keys()) { this.ops.n++; yield k; } }
  override *values(): MapIterator<V> { for (const v of super.values()) { this.ops.n++; yield v; } }
  override [Symbol.iterator]() { return this.entries(); }
}

/** `graph` with counting maps, and the counter they share. */
function counting(graph: CallGraph): { graph: CallGraph; ops: { n: number } } {
  const ops = { n: 0 };
  const nodes = new CountingMap(graph.nodes);
  const figures = new CountingMap(graph.figures);
  nodes.ops = ops;
  figures.ops = ops;
  return { graph: { ...graph, nodes, figures }, ops };
}

/** Runs one app rule over `objects` with the call graph handed out by the memo; its findings and the graph reads. */
function run(rule: Rule, objects: readonly IstioObject[]): { findings: AppFinding[]; ops: number } {
  const ofKind = (k: string) => objects.filter((o) => o.kind === k);
  const { graph, ops } = counting(buildCallGraph({ ofKind }));
  const ctx: RuleContext = {
    complete: true, notChecked: () => undefined, objects, ofKind, workloads: [], services: [], egressPolicies: [], rollouts: [],
    memo: <T>(key: string, build: () => T) => (key === 'cc:call-graph' ? graph as unknown as T : build()),
  };
  return { findings: rule.checkApp!(ctx), ops: ops.n };
}

/** A chain s0 → s1 → … of `n` services, every hop retrying once: every path is as deep as the graph. */
const retryingChain = (n: number) => Array.from({ length: n }, (_, i) => toIstioObject({
  apiVersion: 'networking.istio.io/v1', kind: 'VirtualService',
  metadata: { name: `s${i}`, namespace: 'ns', annotations: i + 1 < n ? { [CALLS_ANNOTATION]: `s${i + 1}` } : {} },
  spec: { hosts: [`s${i}`], http: [{ route: [{ destination: { host: `s${i}` } }], retries: { attempts: 1 }, timeout: `${n - i}s` }] },
}, `s${i}`)!);

const longest = (findings: readonly AppFinding[]) => Math.max(0, ...findings.map((f) => f.message.length + String(f.value ?? '').length));

describe.each([
  ['the generated mesh (chains, forward calls, cycles)', (k: number) => callChainWorkload(2000 * k, 8000 * k).objects],
  ['a chain where every hop retries', (k: number) => retryingChain(2000 * k)],
])('%s: each CC rule at two sizes', (_name, objects) => {
  const small = objects(1);
  const large = objects(2);

  test.each(CC_RULES.map((r) => [r.code, r] as const))('%s reads the graph about twice as often for twice the graph, with messages of bounded length', (_code, rule) => {
    const a = run(rule, small);
    const b = run(rule, large);
    expect(b.ops).toBeLessThan(2.5 * Math.max(a.ops, 1));
    // A message names a bounded number of hops: the longest does not grow with the graph.
    expect(longest(b.findings)).toBeLessThanOrEqual(longest(a.findings) + 40);
    expect(longest(b.findings)).toBeLessThan(1000);
  });
});

test('the deep chain is the case that matters: CC-02 warns on every hop but the first, CC-01 once', () => {
  const n = 4000;
  const cc02 = run(CC_RULES.find((r) => r.code === 'CC-02')!, retryingChain(n));
  expect(cc02.findings).toHaveLength(n - 1);
  expect(cc02.findings[n - 2].value).toBe(n);
  const cc01 = run(CC_RULES.find((r) => r.code === 'CC-01')!, retryingChain(n));
  expect(cc01.findings.map((f) => f.value)).toEqual([16]);
});

test('the counter can fail: a rule that rebuilds each node\'s whole path reads the graph quadratically often', () => {
  const wholePaths: Rule = {
    ...CC_RULES[1], checkApp(ctx) {
      const g: CallGraph = ctx.memo('cc:call-graph', () => { throw new Error('no graph'); });
      for (const h of g.figures.keys()) pathTo(g, h, 'retryLayersVia');
      return [];
    },
  };
  const a = run(wholePaths, retryingChain(1000));
  const b = run(wholePaths, retryingChain(2000));
  expect(b.ops / a.ops).toBeGreaterThan(3.5);
});
