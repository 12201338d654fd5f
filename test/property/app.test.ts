import * as fc from 'fast-check';
import { AppSpec, appSpec, appWarnings } from './app-arbitraries';
import { backendProps, canaryProps } from './builders';
import { expectDeterministic, harness, params, RUNS, same, schemaIssues, synthIstio, timeoutFor, undefinedSubsets, warningMismatch, yamlSample } from './harness';
import { CanaryService } from '../../src/constructs/canary-service';
import { CallTarget } from '../../src/constructs/common';
import { ExternalDependency } from '../../src/constructs/external-dependency';
import { ResilientBackend } from '../../src/constructs/resilient-backend';
import { fqdn } from '../../src/core/hosts';

/** Whole apps cost several constructs per run: a fifth of the runs (200 by default, 20,000 deep). */
const APP_RUNS = Math.max(40, Math.floor(RUNS / 5));

function build(spec: AppSpec) {
  const h = harness(spec.namespace);
  if (spec.inventory) {
    h.rules.inventory = {
      hosts: spec.nodes.filter((n) => n.kind !== 'external').map((n) => n.host),
      gateways: [...new Set(spec.nodes.flatMap((n) => (n.kind === 'canary' ? n.spec.gateways ?? [] : [])).filter((g) => g !== 'mesh'))],
      namespaces: [spec.namespace, ...new Set(spec.nodes.flatMap((n) => (n.kind === 'canary' ? n.spec.gateways ?? [] : [])).filter((g) => g !== 'mesh').map((g) => g.split('/')[0]))],
    };
  }
  const constructs: Array<CanaryService | ResilientBackend | ExternalDependency> = [];
  // Callees first, so callers can name them as constructs.
  for (let i = spec.nodes.length - 1; i >= 0; i--) {
    const node = spec.nodes[i];
    const targets = spec.calls[i].map((j) => (spec.asConstruct[i] ? CallTarget.of(constructs[j]) : CallTarget.host(spec.nodes[j].host)));
    const calls = spec.viaProp[i] && targets.length > 0 ? { calls: targets } : {};
    const id = `svc${i}`;
    if (node.kind === 'canary') constructs[i] = new CanaryService(h.chart, id, { ...canaryProps(node.spec, h.chart, `${id}-`), ...calls });
    else if (node.kind === 'backend') constructs[i] = new ResilientBackend(h.chart, id, { ...backendProps(node.spec, h.chart), ...calls });
    else constructs[i] = new ExternalDependency(h.chart, id, node.spec.props);
    const c = constructs[i];
    if (!spec.viaProp[i] && targets.length > 0 && !(c instanceof ExternalDependency)) c.calls(...targets);
  }
  return { h, constructs };
}

describe(`whole apps: several services calling each other (${APP_RUNS} runs)`, () => {
  test('pass the CRD schema and every rule (App scope and call chains included), with every subset defined, deterministically', async () => {
    await fc.assert(fc.asyncProperty(appSpec, yamlSample, async (spec, compareYaml) => {
      const { h } = build(spec);
      const manifests = synthIstio(h);
      same(schemaIssues(manifests), [], 'CRD schema issues');
      const mismatch = warningMismatch(h.warnings, appWarnings(spec));
      if (mismatch) throw new Error(mismatch);
      same(undefinedSubsets(manifests.filter((m) => m.apiVersion === 'networking.istio.io/v1'), fqdn), [], 'undefined subsets');
      // Every VirtualService weight list sums to 100.
      for (const vs of manifests.filter((m) => m.kind === 'VirtualService')) {
        for (const r of vs.spec.http ?? []) {
          if (r.route.length > 1) same(r.route.reduce((sum: number, d: any) => sum + d.weight, 0), 100, `weights of ${vs.metadata.name}/${r.name}`);
        }
      }
      expectDeterministic(h, manifests, build(spec).h, compareYaml);
    }), params(APP_RUNS));
  }, timeoutFor(60, APP_RUNS));
});
