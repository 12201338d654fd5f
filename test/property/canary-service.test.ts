import * as fc from 'fast-check';
import { CanarySpec, canarySpec, canaryWarnings } from './arbitraries';
import { canaryProps, hostOf } from './builders';
import {
  check, expectDeterministic, harness, Harness, params, RUNS, same, schemaIssues, synthIstio, timeoutFor, undefinedSubsets, warningMismatch, yamlSample,
} from './harness';
import { CanaryService } from '../../src/constructs/canary-service';
import { fqdn } from '../../src/core/hosts';
import { Inventory } from '../../src/engine/types';

/** What exists outside the App for this spec: the routed host, the ingress gateways and the namespaces. */
function inventoryFor(spec: CanarySpec, h: Harness): Inventory | undefined {
  if (!spec.inventory) return undefined;
  const ns = spec.namespace ?? spec.chartNamespace;
  const gateways = (spec.gateways ?? []).filter((g) => g !== 'mesh');
  return {
    hosts: [fqdn(hostOf(spec.host, h.chart), ns)],
    gateways,
    namespaces: [...new Set([ns ?? 'default', ...gateways.map((g) => g.split('/')[0])])],
  };
}

function build(spec: CanarySpec) {
  const h = harness(spec.chartNamespace);
  const inventory = inventoryFor(spec, h);
  if (inventory) h.rules.inventory = inventory;
  const construct = new CanaryService(h.chart, 'canary', canaryProps(spec, h.chart));
  return { h, construct };
}

describe(`CanaryService: valid props (${RUNS} runs)`, () => {
  test('passes the CRD schema and our rules, splits weights as declared, defines every subset, synthesizes deterministically', async () => {
    await fc.assert(fc.asyncProperty(canarySpec, yamlSample, async (spec, compareYaml) => {
      const { h, construct } = build(spec);
      const manifests = synthIstio(h); // our rules: synth throws on any error-level violation

      // The real CRD schema + CEL, and only the warnings this input deserves.
      same(schemaIssues(manifests), [], 'CRD schema issues');
      const mismatch = warningMismatch(h.warnings, canaryWarnings(spec));
      if (mismatch) throw new Error(mismatch);

      const istio = manifests.filter((m) => m.apiVersion === 'networking.istio.io/v1');
      same(istio.map((m) => m.kind), ['DestinationRule', 'VirtualService'], 'kinds in apply order');
      const [dr, vs] = istio;
      same(dr.spec.subsets.map((s: any) => s.name), [construct.stableSubsetName, construct.canarySubsetName], 'subsets');

      // Weights: stable 100 - canaryWeight, canary canaryWeight, both always listed, on the last (catch-all) route.
      const primary = vs.spec.http[vs.spec.http.length - 1];
      const weight = spec.canaryWeight ?? 0;
      check(primary.match === undefined, 'the weighted route is the catch-all');
      same(primary.route.map((r: any) => [r.destination.subset, r.weight]), [
        [construct.stableSubsetName, 100 - weight],
        [construct.canarySubsetName, weight],
      ], 'weights');
      const tests = spec.testMatches ?? [];
      same(vs.spec.http.length, tests.length > 0 ? 2 : 1, 'number of routes');
      if (tests.length > 0) same(vs.spec.http[0].match, tests.map((m) => m._render()), 'test route matches');
      same(undefinedSubsets(istio, fqdn), [], 'referenced subsets that no DestinationRule defines');

      expectDeterministic(h, manifests, build(spec).h, compareYaml);
    }), params());
  }, timeoutFor(15));
});
