import { callChainWorkload } from '../../bench/call-chain';
import { buildCallGraph, CallGraph, PATH_ENDS, pathSummaries, pathTo, shownPath } from '../../src/engine/call-graph';
import { CALLS_ANNOTATION, ENTRY_POINT_ANNOTATION } from '../../src/engine/intent';
import { toIstioObject } from '../../src/engine/istio-object';
import { IstioObject } from '../../src/engine/types';

/**
 * The call graph is linear in services + calls, checked without a clock: the Map and Set operations of a build are
 * counted at two sizes (twice the graph must cost about twice, not four times), and the worst paths it stores are
 * checked against brute force on small graphs.
 */

const graphOf = (objects: readonly IstioObject[]) => buildCallGraph({ ofKind: (k) => objects.filter((o) => o.kind === k) });

/** Map/Set reads and writes, and Array includes/indexOf, made while `run` runs (the prototypes are restored after). */
function countOps(run: () => void): number {
  let ops = 0;
  const patched: Array<[any, string, any]> = [];
  const patch = (proto: any, name: string) => {
    const original = proto[name];
    patched.push([proto, name, original]);
    proto[name] = function counted(this: unknown, ...args: unknown[]) {
      ops++;
      return original.apply(this, args);
    };
  };
  for (const name of ['get', 'has', 'set']) patch(Map.prototype, name);
  for (const name of ['has', 'add']) patch(Set.prototype, name);
  for (const name of ['includes', 'indexOf']) patch(Array.prototype, name);
  try {
    run();
  } finally {
    for (const [proto, name, original] of patched) proto[name] = original;
  }
  return ops;
}

/** A chain s0 → s1 → … → s(n-1) in namespace ns (the last calling `last`, if given), each hop retrying `attempts` times. */
function chain(n: number, attempts = 1, last?: string): IstioObject[] {
  const next = (i: number) => (i + 1 < n ? `s${i + 1}` : last);
  return Array.from({ length: n }, (_, i) => toIstioObject({
    apiVersion: 'networking.istio.io/v1', kind: 'VirtualService',
    metadata: { name: `s${i}`, namespace: 'ns', annotations: next(i) !== undefined ? { [CALLS_ANNOTATION]: next(i)! } : {} },
    spec: { hosts: [`s${i}`], http: [{ route: [{ destination: { host: `s${i}` } }], retries: { attempts } }] },
  }, `s${i}`)!);
}
const svc = (i: number) => `s${i}.ns.svc.cluster.local`;

describe('building the graph is linear in services + calls', () => {
  test('the generated mesh (chains, forward calls, cycles): twice the size, about twice the operations', () => {
    const small = callChainWorkload(2000, 8000).objects;
    const large = callChainWorkload(4000, 16000).objects;
    const a = countOps(() => graphOf(small));
    const b = countOps(() => graphOf(large));
    expect(b / a).toBeGreaterThan(1.6);
    expect(b / a).toBeLessThan(2.5);
  });

  test('a deep chain: twice as deep, about twice the operations', () => {
    const a = countOps(() => graphOf(chain(3000)));
    const b = countOps(() => graphOf(chain(6000)));
    expect(b / a).toBeLessThan(2.5);
  });

  test('the counter can fail: rebuilding every node\'s worst path (pathTo per node) is found quadratic', () => {
    const small = graphOf(chain(1000));
    const large = graphOf(chain(2000));
    const walkAll = (g: CallGraph) => countOps(() => { for (const h of g.figures.keys()) pathTo(g, h); });
    expect(walkAll(large) / walkAll(small)).toBeGreaterThan(3.5);
  });

  test('a long cycle is found once, as one cycle through all its services', () => {
    const n = 20_000;
    const g = graphOf(chain(n, 0, 's0'));
    expect(g.cycles).toHaveLength(1);
    expect(g.cycles[0]).toHaveLength(n + 1);
    expect(g.cycles[0].slice(0, 2)).toEqual([svc(0), svc(1)]);
    expect(g.cycles[0][n]).toBe(svc(0));
    expect(g.figures.size).toBe(0);
  });
});

describe('paths are summarised once and shown by their ends', () => {
  test('summarising every node of a deep chain is linear, and each shows at most 2 × PATH_ENDS + 1 hops', () => {
    const summarise = (n: number) => {
      const g = graphOf(chain(n));
      let widest = 0;
      const ops = countOps(() => {
        const paths = pathSummaries(g, 'factorVia', PATH_ENDS);
        for (const h of g.figures.keys()) widest = Math.max(widest, shownPath(g, h, 'factorVia', paths(h)).hops.length);
      });
      return { ops, widest };
    };
    const a = summarise(2000);
    const b = summarise(4000);
    expect(b.ops / a.ops).toBeLessThan(2.5);
    expect(a.widest).toBe(2 * PATH_ENDS + 1);
    expect(b.widest).toBe(2 * PATH_ENDS + 1);
  });

  test('a long path: its first and last hops, the ones between counted; a short one whole', () => {
    const g = graphOf(chain(12));
    const paths = pathSummaries(g, 'factorVia', PATH_ENDS);
    expect(shownPath(g, svc(11), 'factorVia', paths(svc(11)))).toEqual({ hops: [svc(0), svc(1), svc(2), undefined, svc(9), svc(10), svc(11)], omitted: 6 });
    expect(shownPath(g, svc(6), 'factorVia', paths(svc(6)))).toEqual({ hops: Array.from({ length: 7 }, (_, i) => svc(i)), omitted: 0 });
  });
});

describe('the worst paths are right (brute force over every path of small DAGs)', () => {
  /** A small deterministic PRNG. */
  const random = (seed: number) => () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);

  test('factor and retry layers of every node are the worst over all paths from an entry point, and the back-pointers rebuild them', () => {
    const rand = random(7);
    for (let round = 0; round < 150; round++) {
      const n = 2 + Math.floor(rand() * 8);
      const attempts = Array.from({ length: n }, () => Math.floor(rand() * 3));
      const entry = Array.from({ length: n }, () => rand() < 0.2);
      // Calls only go forward in index order: a DAG.
      const calls = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => j).filter((j) => j > i && rand() < 0.4));
      const objects = Array.from({ length: n }, (_, i) => toIstioObject({
        apiVersion: 'networking.istio.io/v1', kind: 'VirtualService',
        metadata: {
          name: `s${i}`, namespace: 'ns',
          annotations: { ...(calls[i].length ? { [CALLS_ANNOTATION]: calls[i].map((j) => `s${j}`).join(',') } : {}), ...(entry[i] ? { [ENTRY_POINT_ANNOTATION]: 'true' } : {}) },
        },
        spec: { hosts: [`s${i}`], http: [{ route: [{ destination: { host: `s${i}` } }], retries: { attempts: attempts[i] } }] },
      }, `s${i}`)!);
      const g = graphOf(objects);
      const inGraph = Array.from({ length: n }, (_, i) => i).filter((i) => g.nodes.has(svc(i)));
      const callers = (j: number) => inGraph.filter((i) => calls[i].includes(j));
      const start = (i: number) => entry[i] || callers(i).length === 0;
      // Every path ending at `j` that starts at an entry point: the worst product and the most retrying hops.
      const worst = (j: number): { factor: number; layers: number } => {
        let factor = start(j) ? attempts[j] + 1 : 0;
        let layers = start(j) ? (attempts[j] > 0 ? 1 : 0) : 0;
        for (const i of callers(j)) {
          const w = worst(i);
          factor = Math.max(factor, w.factor * (attempts[j] + 1));
          layers = Math.max(layers, w.layers + (attempts[j] > 0 ? 1 : 0));
        }
        return { factor, layers };
      };
      for (const j of inGraph) {
        const f = g.figures.get(svc(j))!;
        expect({ host: svc(j), factor: f.factor, retryLayers: f.retryLayers }).toEqual({ host: svc(j), factor: worst(j).factor, retryLayers: worst(j).layers });
        const path = pathTo(g, svc(j)).map((h) => Number(/^s(\d+)\./.exec(h)![1]));
        expect(start(path[0])).toBe(true);
        expect(path.reduce((p, i) => p * (attempts[i] + 1), 1)).toBe(f.factor);
        const layered = pathTo(g, svc(j), 'retryLayersVia').map((h) => Number(/^s(\d+)\./.exec(h)![1]));
        expect(layered.filter((i) => attempts[i] > 0).length).toBe(f.retryLayers);
      }
      // calls and callers: each the other's inverse, sorted, without duplicates
      for (const node of g.nodes.values()) {
        expect(node.calls).toEqual([...new Set(node.calls)].sort());
        expect(node.callers).toEqual([...new Set(node.callers)].sort());
        for (const to of node.calls) expect(g.nodes.get(to)!.callers).toContain(node.host);
      }
    }
  });
});
