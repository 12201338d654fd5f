import { spawnSync } from 'child_process';
import * as path from 'path';
import { callChainWorkload } from '../../bench/call-chain';
import { CALLS_ANNOTATION, ENTRY_POINT_ANNOTATION } from '../../src/engine/intent';
import { toIstioObject } from '../../src/engine/istio-object';
import { runRules } from '../../src/engine/run';
import { IstioObject } from '../../src/engine/types';
import { MAX_DIAGRAM_CHARS, MAX_DIAGRAM_EDGES, MAX_DIAGRAM_SERVICES } from '../../src/report/mermaid';
import { renderTrafficReport } from '../../src/report/traffic-report';
import { CC_RULES } from '../../src/rules/cc';

/**
 * The traffic report is linear in services + calls, checked without a clock: at two sizes of a mesh with deep
 * chains, the report (and its entry-point section) grows about twice for twice the mesh, where rebuilding every
 * path per entry point grew it four times; no line grows with the mesh; the diagram stays within Mermaid's limits.
 */

const render = (objects: readonly IstioObject[]) => renderTrafficReport(objects, runRules(objects, CC_RULES));
const section = (text: string, from: string, to: string) => text.slice(text.indexOf(from), text.indexOf(to));
const mermaidOf = (text: string) => /```mermaid\n([\s\S]*?)```/.exec(text)![1];
const longestLine = (text: string) => text.split('\n').reduce((n, l) => Math.max(n, l.length), 0);

const small = render(callChainWorkload(1000, 4000).objects);
const large = render(callChainWorkload(2000, 8000).objects);

test('twice the mesh, about twice the report, and about twice its entry-point section', () => {
  expect(large.length / small.length).toBeLessThan(2.5);
  const entries = (t: string) => section(t, '## Entry points', '## Services').length;
  expect(entries(large) / entries(small)).toBeLessThan(2.5);
});

test('no line grows with the mesh: paths are shown by their ends', () => {
  expect(longestLine(large)).toBeLessThanOrEqual(longestLine(small) + 40);
  expect(longestLine(large)).toBeLessThan(2000);
  const rows = section(large, '## Entry points', '## Services').split('\n').filter((l) => /^\| s\d+\./.test(l));
  expect(rows.length).toBeGreaterThan(1000);
  for (const row of rows) expect(row.split(' | ')[1].split(' → ').length).toBeLessThanOrEqual(7);
  expect(rows.some((r) => /→ … \(\d+ more\) →/.test(r))).toBe(true);
});

/** A chain s0 → s1 → … in namespace ns (the last calling `last`, if given), s0 an entry point, every hop retrying `attempts`. */
const chain = (n: number, attempts = 0, last?: string) => Array.from({ length: n }, (_, i) => {
  const next = i + 1 < n ? `s${i + 1}` : last;
  return toIstioObject({
    apiVersion: 'networking.istio.io/v1', kind: 'VirtualService',
    metadata: { name: `s${i}`, namespace: 'ns', annotations: { ...(next ? { [CALLS_ANNOTATION]: next } : {}), ...(i === 0 ? { [ENTRY_POINT_ANNOTATION]: 'true' } : {}) } },
    spec: { hosts: [`s${i}`], http: [{ route: [{ destination: { host: `s${i}` } }], retries: { attempts } }] },
  }, `s${i}`)!;
});
const svc = (i: number) => `s${i}.ns.svc.cluster.local`;

test('a long worst path: its first and last three hops and the count between; seven hops are shown whole', () => {
  const text = render(chain(12));
  expect(text).toContain(`| ${svc(11)} | ${svc(0)} → ${svc(1)} → ${svc(2)} → … (6 more) → ${svc(9)} → ${svc(10)} → ${svc(11)} | 1 | — | unbounded |`);
  expect(text).toContain(`| ${svc(6)} | ${[0, 1, 2, 3, 4, 5, 6].map(svc).join(' → ')} | 1 | — | unbounded |`);
});

test('a long cycle is listed by its ends', () => {
  const text = render(chain(10, 0, 's0'));
  expect(text).toContain(`Cycle (not analyzed): ${svc(0)} → ${svc(1)} → ${svc(2)} → … (5 more) → ${svc(8)} → ${svc(9)} → ${svc(0)}`);
});

describe('the Mermaid diagram of a large mesh is bounded, and says so', () => {
  const mermaid = mermaidOf(large);
  const lines = mermaid.trim().split('\n');

  test('at most MAX_DIAGRAM_SERVICES services, MAX_DIAGRAM_EDGES edges and MAX_DIAGRAM_CHARS characters', () => {
    expect(lines.filter((l) => /^\s+s\d+\[/.test(l)).length).toBe(MAX_DIAGRAM_SERVICES);
    const edges = lines.filter((l) => l.includes('->')).length;
    expect(edges).toBeGreaterThan(0);
    expect(edges).toBeLessThanOrEqual(MAX_DIAGRAM_EDGES);
    expect(mermaid.length).toBeLessThanOrEqual(MAX_DIAGRAM_CHARS);
    expect(mermaidOf(small).length).toBeLessThanOrEqual(MAX_DIAGRAM_CHARS);
    // every edge refers to a declared node
    const declared = new Set(lines.map((l) => /^\s+([sev]\d+)[[(]/.exec(l)?.[1]).filter(Boolean));
    for (const l of lines.filter((x) => x.includes('->'))) for (const ref of l.match(/\b[sv]\d+\b/g) ?? []) expect(declared.has(ref)).toBe(true);
  });

  test('the report says what the diagram leaves out', () => {
    const edges = lines.filter((l) => l.includes('->')).length;
    expect(large).toMatch(new RegExp(`^The diagram is bounded for Mermaid: it draws ${MAX_DIAGRAM_SERVICES} of 2000 service\\(s\\) \\(the most connected\\) and ${edges} of \\d+ edge\\(s\\)`, 'm'));
    expect(render(chain(12))).not.toContain('The diagram is bounded');
  });

  test('the bounded diagram parses with the Mermaid parser', () => {
    const script = path.join(__dirname, '..', 'support', 'mermaid-parse.mjs');
    const ok = spawnSync(process.execPath, [script], { input: mermaid, encoding: 'utf8' });
    expect(ok.stderr).toBe('');
    expect(ok.stdout.trim()).toBe('ok flowchart-v2');
  });
});
