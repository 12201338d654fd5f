/**
 * The traffic report renders from the rule run that produced its findings: the call graph the CC rules built and the
 * App the run read (for the route simulator) are reused, not built again, and the report is the same either way.
 */
import { App } from 'cdk8s';
import { defineExampleApps } from '../../apps/all';
import * as callGraph from '../../src/engine/call-graph';
import { ManifestInput } from '../../src/engine/analyze';
import { Severity } from '../../src/core/errors';
import { MAX_LISTED_FINDINGS, renderTrafficReport } from '../../src/report/traffic-report';
import { analyze } from '../../src/rules';
import * as world from '../../src/simulate/world';

function exampleInputs(): ManifestInput[] {
  const app = new App();
  defineExampleApps(app);
  return app.charts.flatMap((c) => c.toJson()).map((manifest, i) => ({ manifest, path: `example#${i}` }));
}

test('the report reuses the run\'s call graph and what it read, and says the same as one that rebuilds them', () => {
  const inputs = exampleInputs();
  const analysis = analyze(inputs);
  const builds = jest.spyOn(callGraph, 'buildCallGraph');
  const reads = jest.spyOn(world, 'readWorld');
  try {
    const reused = renderTrafficReport(analysis.istioObjects, analysis, { manifests: inputs });
    expect(builds).not.toHaveBeenCalled();
    expect(reads).not.toHaveBeenCalled();
    // A copy of the findings carries no rule run: the report builds both itself, and reads the same.
    const rebuilt = renderTrafficReport(analysis.istioObjects, { ...analysis }, { manifests: inputs });
    expect(builds).toHaveBeenCalledTimes(1);
    expect(reads).toHaveBeenCalledTimes(1);
    expect(reused).toBe(rebuilt);
    // Other budgets than the run's: the graph is built for them.
    renderTrafficReport(analysis.istioObjects, analysis, { manifests: inputs, callChain: { maxAmplification: 3 } });
    expect(builds).toHaveBeenCalledTimes(2);
  } finally {
    builds.mockRestore();
    reads.mockRestore();
  }
});

test(`the findings section lists at most ${MAX_LISTED_FINDINGS} per severity and counts the rest`, () => {
  const many = Array.from({ length: MAX_LISTED_FINDINGS + 7 }, (_, i) => ({ code: 'VS-12', severity: Severity.ERROR, path: `x#${i}`, message: `finding ${i}`, fix: 'Fix it.' }));
  const text = renderTrafficReport([], { errors: many, warnings: many.slice(0, 3).map((v) => ({ ...v, severity: Severity.WARNING })), suppressed: [] });
  expect(text).toContain(`finding ${MAX_LISTED_FINDINGS - 1}.`);
  expect(text).not.toContain(`finding ${MAX_LISTED_FINDINGS}.`);
  expect(text).toContain('- … and 7 more (`lint --format json` on the manifests lists every one)');
  expect(text.match(/^- \[x#\d+\] VS-12/gm)).toHaveLength(MAX_LISTED_FINDINGS + 3);
});
