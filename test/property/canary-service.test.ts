import * as fc from 'fast-check';
import { CanaryService, Inventory } from '../../src';
import { fqdn } from '../../src/rules/manifest';
import { CanarySpec, canaryProps, canarySpec, canaryWarnings, hostOf } from './arbitraries';
import { harness, Harness, params, RUNS, schemaIssues, synthIstio, timeoutFor, undefinedSubsets, warningMismatch } from './harness';

/** What exists outside the App for this spec: the routed host, the ingress gateways and the namespaces. */
function inventoryFor(spec: CanarySpec, h: Harness): Inventory | undefined {
  if (!spec.inventory) return undefined;
  const ns = spec.namespace ?? spec.chartNamespace;
  const host = hostOf(spec.host, h.chart);
  return {
    hosts: [fqdn(host, ns)],
    gateways: (spec.gateways ?? []).filter((g) => g !== 'mesh'),
    namespaces: [...new Set([ns ?? 'default', ...(spec.gateways ?? []).filter((g) => g !== 'mesh').map((g) => g.split('/')[0])])],
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
  test('synthesizes objects that pass the CRD schema and our rules, with weights as declared, subsets defined, deterministic output', () => {
    fc.assert(fc.property(canarySpec, (spec) => {
      const { h, construct } = build(spec);
      const manifests = synthIstio(h);

      expect(schemaIssues(manifests)).toEqual([]);
      const mismatch = warningMismatch(h.warnings, canaryWarnings(spec));
      if (mismatch) throw new Error(mismatch);

      const istio = manifests.filter((m) => m.apiVersion === 'networking.istio.io/v1');
      expect(istio.map((m) => m.kind)).toEqual(['DestinationRule', 'VirtualService']);
      const vs = istio[1];
      const primary = vs.spec.http[vs.spec.http.length - 1];
      const weight = spec.canaryWeight ?? 0;
      expect(primary.route.map((r: any) => [r.destination.subset, r.weight])).toEqual([
        [construct.stableSubsetName, 100 - weight],
        [construct.canarySubsetName, weight],
      ]);
      expect(primary.match).toBeUndefined();
      expect(vs.spec.http).toHaveLength(spec.testMatches && spec.testMatches.length > 0 ? 2 : 1);
      expect(undefinedSubsets(istio, fqdn)).toEqual([]);

      // Same props, fresh App: byte-identical YAML.
      const again = build(spec);
      expect(again.h.app.synthYaml()).toEqual(h.app.synthYaml());
    }), params());
  }, timeoutFor(20));
});
