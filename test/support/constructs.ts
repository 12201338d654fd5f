import { Chart, Testing } from 'cdk8s';
import { Violation } from '../../src/core/errors';
import { validateManifest } from '../../src/schema/crd-validator';
import { Rules, WarningCollector } from '../../src/synth/rules';

/**
 * A test chart whose warnings are collected instead of printed; `hosts`, when given, are declared as existing
 * outside the App (the services the constructs route to are not in a unit-test App: rule VS-15).
 */
export function testChart(hosts?: readonly string[], chart: Chart = Testing.chart()): { chart: Chart; warnings: Violation[] } {
  const collector = new WarningCollector();
  const rules = Rules.of(chart);
  rules.warningSink = collector;
  if (hosts) rules.inventory = { hosts: [...hosts] };
  return { chart, warnings: collector.warnings };
}

/** The synthesized Istio objects of a chart; each one is checked against the Istio CRD schema and CEL rules on the way. */
export function istioObjects(chart: Chart): any[] {
  const objects = Testing.synth(chart).filter((o) => o.apiVersion.startsWith('networking.istio.io/'));
  for (const o of objects) expect(validateManifest(o)).toEqual([]);
  return objects;
}

/** The synthesized Istio objects of one kind. */
export function objectsOf(chart: Chart, kind: string): any[] {
  return istioObjects(chart).filter((o) => o.kind === kind);
}

/** The one synthesized Istio object of `kind` (fails the test when there is not exactly one). */
export function oneOf(chart: Chart, kind: string): any {
  const found = objectsOf(chart, kind);
  expect(found).toHaveLength(1);
  return found[0];
}
