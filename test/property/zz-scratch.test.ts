import * as fc from 'fast-check';
import { Yaml } from 'cdk8s';
import { CanaryService } from '../../src';
import { canaryProps, canarySpec } from './arbitraries';
import { harness } from './harness';

test('timing', () => {
  const specs = fc.sample(canarySpec, 300);
  const t: Record<string, number> = { check: 0, tojson: 0, stringify: 0, synthYaml: 0, synthYaml2: 0 };
  for (const spec of specs.slice(0, 5)) { const h = harness(spec.chartNamespace); new CanaryService(h.chart, 'c', canaryProps(spec, h.chart)); try { h.chart.toJson(); } catch {} }
  for (const spec of specs) {
    const h = harness(spec.chartNamespace);
    new CanaryService(h.chart, 'c', canaryProps(spec, h.chart));
    let now = performance.now();
    h.rules.check();
    t.check += performance.now() - now; now = performance.now();
    let m: any[] = [];
    try { m = h.chart.toJson(); } catch {}
    t.tojson += performance.now() - now; now = performance.now();
    Yaml.stringify(...m);
    t.stringify += performance.now() - now; now = performance.now();
    try { h.app.synthYaml(); } catch {}
    t.synthYaml += performance.now() - now; now = performance.now();
    try { h.app.synthYaml(); } catch {}
    t.synthYaml2 += performance.now() - now; now = performance.now();
  }
  console.log(JSON.stringify(t));
}, 600000);
