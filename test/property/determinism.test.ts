/**
 * Determinism (docs/determinism.md): the same program gives byte-identical files, and declaring independent
 * constructs in another order gives the same set of manifests (only the apply order of the stream changes).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import * as fc from 'fast-check';
import { defineExampleApps } from '../../apps/all';
import { AppSpec, appSpec } from './app-arbitraries';
import { backendProps, canaryProps } from './builders';
import { codesOf, harness, params, RUNS, same, synthIstio, timeoutFor } from './harness';
import { CanaryService } from '../../src/constructs/canary-service';
import { CallTarget } from '../../src/constructs/common';
import { ExternalDependency } from '../../src/constructs/external-dependency';
import { ResilientBackend } from '../../src/constructs/resilient-backend';
import { Violation } from '../../src/core/errors';
import { Rules } from '../../src/synth/rules';

/** Every file under `dir`, relative path → bytes. */
function files(dir: string, prefix = ''): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = path.join(prefix, entry.name);
    if (entry.isDirectory()) for (const [k, v] of files(path.join(dir, entry.name), rel)) out.set(k, v);
    else out.set(rel, fs.readFileSync(path.join(dir, entry.name)));
  }
  return out;
}

function synthExamples(outdir: string): Violation[] {
  const app = new App({ outdir });
  defineExampleApps(app);
  const warnings: Violation[] = [];
  Rules.of(app).warningSink = { report: (w) => warnings.push(...w) };
  Rules.of(app).trafficReport = true;
  app.synth();
  return warnings;
}

describe('the example apps', () => {
  test('synthesize to byte-identical files twice, traffic-report.md included', () => {
    const [a, b] = [1, 2].map(() => fs.mkdtempSync(path.join(os.tmpdir(), 'determinism-')));
    same(synthExamples(a), synthExamples(b), 'warnings');
    const first = files(a);
    const second = files(b);
    expect([...second.keys()]).toEqual([...first.keys()]);
    expect([...first.keys()]).toEqual(expect.arrayContaining(['traffic-report.md', 'shop.k8s.yaml', 'bookinfo.k8s.yaml']));
    for (const [name, bytes] of first) {
      expect({ name, equal: Buffer.compare(bytes, second.get(name)!) === 0 }).toEqual({ name, equal: true });
    }
  });
});

/** Builds an app declaring its services in `order` (indexes into spec.nodes); calls are declared afterwards. */
function build(spec: AppSpec, order: readonly number[]) {
  const h = harness(spec.namespace);
  const constructs: Array<CanaryService | ResilientBackend | ExternalDependency> = [];
  for (const i of order) {
    const node = spec.nodes[i];
    const id = `svc${i}`;
    if (node.kind === 'canary') constructs[i] = new CanaryService(h.chart, id, canaryProps(node.spec, h.chart, `${id}-`));
    else if (node.kind === 'backend') constructs[i] = new ResilientBackend(h.chart, id, backendProps(node.spec, h.chart, `${id}-`));
    else constructs[i] = new ExternalDependency(h.chart, id, node.spec.props);
  }
  for (const i of order) {
    const c = constructs[i];
    const targets = spec.calls[i].map((j) => (spec.asConstruct[i] ? CallTarget.of(constructs[j]) : CallTarget.host(spec.nodes[j].host)));
    if (targets.length > 0 && !(c instanceof ExternalDependency)) c.calls(...targets);
  }
  return h;
}

const key = (m: any) => `${m.apiVersion}/${m.kind}/${m.metadata?.namespace ?? ''}/${m.metadata?.name}`;

const ORDER_RUNS = Math.max(40, Math.floor(RUNS / 5));

describe(`declaration order (${ORDER_RUNS} runs)`, () => {
  test('independent constructs declared in any order give the same manifests and the same findings', async () => {
    const withOrder = appSpec.chain((spec) => fc.shuffledSubarray(spec.nodes.map((_, i) => i), { minLength: spec.nodes.length })
      .map((order) => [spec, order] as const));
    await fc.assert(fc.asyncProperty(withOrder, async ([spec, order]) => {
      const natural = spec.nodes.map((_, i) => i);
      const a = build(spec, natural);
      const b = build(spec, order);
      const ma = synthIstio(a);
      const mb = synthIstio(b);
      // Same set of documents, each byte-identical as JSON (keys are sorted by cdk8s).
      const byKey = (ms: any[]) => new Map(ms.map((m) => [key(m), JSON.stringify(m)]));
      const ka = byKey(ma);
      const kb = byKey(mb);
      same([...kb.keys()].sort(), [...ka.keys()].sort(), 'documents (kind/namespace/name)');
      same(ka.size, ma.length, 'no two documents share kind/namespace/name');
      for (const [k, doc] of ka) same(kb.get(k), doc, k);
      // Within each construct the apply order is fixed: ServiceEntry, DestinationRule, then VirtualService.
      for (const ms of [ma, mb]) {
        const istio = ms.filter((m) => m.apiVersion === 'networking.istio.io/v1');
        for (const vs of istio.filter((m) => m.kind === 'VirtualService')) {
          const dr = istio.findIndex((m) => m.kind === 'DestinationRule' && m.spec.host === vs.spec.hosts[0]);
          if (dr >= 0) expect(dr).toBeLessThan(istio.indexOf(vs));
        }
      }
      same(codesOf(b.warnings), codesOf(a.warnings), 'warning codes');
      same(b.warnings.map((w) => `${w.code} ${w.path} ${w.message}`).sort(), a.warnings.map((w) => `${w.code} ${w.path} ${w.message}`).sort(), 'warnings');
    }), params(ORDER_RUNS));
  }, timeoutFor(60, ORDER_RUNS));
});
