import { ApiObject, App, Chart, JsonPatch, Lazy, Testing } from 'cdk8s';
import { DestinationRule, VirtualService } from '../../imports/istio-networking.istio.io';
import { IstioValidationError, Severity, Violation } from '../../src/core/errors';
import { Rules, WarningCollector, WarningSink } from '../../src/synth/rules';

const HOST = 'reviews.shop.svc.cluster.local';

/** A chart with the rule engine attached and warnings collected instead of written to stderr. */
function chartWithCollector(): { chart: Chart; warnings: Violation[][] } {
  const chart = Testing.chart();
  const warnings: Violation[][] = [];
  Rules.of(chart).warningSink = { report: (w) => warnings.push([...w]) };
  return { chart, warnings };
}

/** Runs `fn` and returns what it threw (fails the test if it did not throw). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

/** A VS that breaks VS-06 (no catch-all on a mesh VS), VS-11 (50 + 40) and VS-18 (POST without retries). */
function brokenVs(chart: Chart): VirtualService {
  return new VirtualService(chart, 'vs', {
    metadata: { name: 'reviews', namespace: 'shop' },
    spec: {
      hosts: [HOST],
      http: [{
        name: 'create',
        match: [{ method: { exact: 'POST' } }],
        route: [
          { destination: { host: HOST }, weight: 50 },
          { destination: { host: 'reviews-next.shop.svc.cluster.local' }, weight: 40 },
        ],
      }],
    },
  });
}

/** A clean DR + VS pair: subsets with labels, a 90/10 split on the catch-all, GET-only retries. */
function cleanPair(chart: Chart): void {
  new DestinationRule(chart, 'dr', {
    metadata: { name: 'reviews', namespace: 'shop' },
    spec: { host: HOST, subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }] },
  });
  new VirtualService(chart, 'vs', {
    metadata: { name: 'reviews', namespace: 'shop' },
    spec: {
      hosts: [HOST],
      http: [
        { name: 'reads', match: [{ method: { exact: 'GET' } }], route: [{ destination: { host: HOST, subset: 'v1' } }], timeout: '3s', retries: { attempts: 2, retryOn: '5xx', perTryTimeout: '1s' } },
        { name: 'default', route: [{ destination: { host: HOST, subset: 'v1' }, weight: 90 }, { destination: { host: HOST, subset: 'v2' }, weight: 10 }] },
      ],
    },
  });
}

/** A VS whose only finding is a VS-25 warning (mirroring a route with no method constraint). */
function mirroringVs(chart: Chart, id = 'vs', host = HOST): VirtualService {
  return new VirtualService(chart, id, {
    metadata: { name: id, namespace: 'shop' },
    spec: {
      hosts: [host],
      http: [{ name: 'default', route: [{ destination: { host } }], mirror: { host: 'shadow.shop.svc.cluster.local' }, mirrorPercentage: { value: 5 } }],
    },
  });
}

describe('Rules at synth', () => {
  test('a broken L1 VirtualService makes synth throw an IstioValidationError', () => {
    const { chart } = chartWithCollector();
    brokenVs(chart);
    expect(() => Testing.synth(chart)).toThrow(IstioValidationError);
  });

  test('the error lists every error-level violation at once', () => {
    const { chart } = chartWithCollector();
    brokenVs(chart);
    const e = thrown(() => Testing.synth(chart)) as IstioValidationError;
    expect(e.violations.map((v) => v.code)).toEqual(['VS-06', 'VS-11', 'VS-18']);
    expect(e.violations.every((v) => v.severity === Severity.ERROR)).toBe(true);
    expect(e.message).toContain('3 Istio traffic rule violations');
    for (const code of ['VS-06', 'VS-11', 'VS-18']) expect(e.message).toContain(`[test/vs] ${code}:`);
  });

  test('the error carries code, construct path and fix of the first violation', () => {
    const { chart } = chartWithCollector();
    brokenVs(chart);
    const e = thrown(() => Testing.synth(chart)) as IstioValidationError;
    expect(e.code).toBe('VS-06');
    expect(e.path).toBe('test/vs');
    expect(e.fix).toBe(e.violations[0].fix);
    expect(e.fix).toContain('Add a final route without `match`');
    expect(e.violations.map((v) => v.path)).toEqual(['test/vs', 'test/vs', 'test/vs']);
  });

  test('App-scope rules see objects across the chart (missing subset, VS-16)', () => {
    const { chart } = chartWithCollector();
    new DestinationRule(chart, 'dr', { metadata: { name: 'reviews', namespace: 'shop' }, spec: { host: HOST, subsets: [{ name: 'v1', labels: { version: 'v1' } }] } });
    new VirtualService(chart, 'vs', { metadata: { name: 'reviews', namespace: 'shop' }, spec: { hosts: [HOST], http: [{ name: 'default', route: [{ destination: { host: HOST, subset: 'v2' } }] }] } });
    const e = thrown(() => Testing.synth(chart)) as IstioValidationError;
    expect(e.violations.map((v) => [v.code, v.path])).toEqual([['VS-16', 'test/vs']]);
    expect(e.violations[0].message).toContain('subset "v2"');
  });

  test('a clean DestinationRule and VirtualService synthesize', () => {
    const { chart, warnings } = chartWithCollector();
    cleanPair(chart);
    const manifests = Testing.synth(chart);
    expect(manifests.map((m: any) => m.kind)).toEqual(['DestinationRule', 'VirtualService']);
    expect(Rules.of(chart).lastReport?.errors).toEqual([]);
    expect(Rules.of(chart).lastReport?.warnings).toEqual([]);
    expect(warnings).toEqual([]);
  });

  test('warnings do not fail synth and reach the warning sink and lastReport', () => {
    const { chart, warnings } = chartWithCollector();
    mirroringVs(chart);
    expect(Testing.synth(chart)).toHaveLength(1);
    expect(warnings).toHaveLength(1);
    expect(warnings[0].map((w) => [w.code, w.severity, w.path])).toEqual([['VS-25', Severity.WARNING, 'test/vs']]);
    expect(Rules.of(chart).lastReport?.warnings.map((w) => w.code)).toEqual(['VS-25']);
  });

  test('a WarningCollector keeps the warnings of each synth, in order', () => {
    const chart = Testing.chart();
    const collector = new WarningCollector();
    Rules.of(chart).warningSink = collector;
    mirroringVs(chart);
    Testing.synth(chart);
    expect(collector.warnings.map((w) => [w.code, w.path])).toEqual([['VS-25', 'test/vs']]);
  });

  test('warnings go to stderr by default, one line each, and WarningSink.discard() drops them', () => {
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const loud = Testing.chart();
      Rules.of(loud);
      mirroringVs(loud);
      Testing.synth(loud);
      expect(write.mock.calls.map((c) => String(c[0]))).toEqual([expect.stringMatching(/^warning \[test\/vs\] VS-25: .*\(see https:\/\/github\.com\/.*\/docs\/rules\.md#vs-25\)\n$/)]);
      write.mockClear();
      const quiet = Testing.chart();
      Rules.of(quiet).warningSink = WarningSink.discard();
      mirroringVs(quiet);
      Testing.synth(quiet);
      expect(write).not.toHaveBeenCalled();
      expect(Rules.of(quiet).lastReport?.warnings.map((w) => w.code)).toEqual(['VS-25']);
    } finally {
      write.mockRestore();
    }
  });

  test('strict = true makes a warning fail synth', () => {
    const { chart, warnings } = chartWithCollector();
    mirroringVs(chart);
    Rules.of(chart).strict = true;
    const e = thrown(() => Testing.synth(chart)) as IstioValidationError;
    expect(e).toBeInstanceOf(IstioValidationError);
    expect(e.code).toBe('VS-25');
    expect(e.violations[0].severity).toBe(Severity.ERROR);
    expect(warnings).toEqual([]);
  });

  test('the engine runs once per synth with several charts', () => {
    const app: App = Testing.app();
    const a = new Chart(app, 'a');
    const b = new Chart(app, 'b');
    mirroringVs(a, 'vs-a', HOST);
    mirroringVs(b, 'vs-b', 'ratings.shop.svc.cluster.local');
    const calls: Violation[][] = [];
    Rules.of(a).warningSink = { report: (w) => calls.push([...w]) };
    expect(Rules.of(b)).toBe(Rules.of(app));
    const yaml = app.synthYaml();
    expect(yaml).toContain('kind: VirtualService');
    expect(calls).toHaveLength(1);
    expect(calls[0].map((w) => w.path).sort()).toEqual(['a/vs-a', 'b/vs-b']);
  });
});

describe('every Istio kind and version is schema-checked at synth', () => {
  const apiObject = (chart: Chart, id: string, manifest: Record<string, unknown>) => new ApiObject(chart, id, manifest as any);

  test('a raw v1alpha3 DestinationRule with a typo and an AuthorizationPolicy with a bad action fail synth with SCHEMA', () => {
    const { chart } = chartWithCollector();
    apiObject(chart, 'dr', { apiVersion: 'networking.istio.io/v1alpha3', kind: 'DestinationRule', metadata: { name: 'r', namespace: 'shop' }, spec: { host: HOST, trafficPolicy: { connectionPool: { tcp: { maxConnection: 1 } } } } });
    apiObject(chart, 'ap', { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'p', namespace: 'shop' }, spec: { action: 'PERMIT' } });
    const e = thrown(() => Testing.synth(chart)) as IstioValidationError;
    expect(e).toBeInstanceOf(IstioValidationError);
    const schema = e.violations.filter((v) => v.code === 'SCHEMA').map((v) => v.message);
    expect(schema).toEqual([
      expect.stringContaining('spec.trafficPolicy.connectionPool.tcp.maxConnection unknown field "maxConnection"'),
      expect.stringContaining('spec.action'),
    ]);
  });

  test('the same objects, written correctly, synthesize', () => {
    const { chart } = chartWithCollector();
    apiObject(chart, 'dr', { apiVersion: 'networking.istio.io/v1alpha3', kind: 'DestinationRule', metadata: { name: 'r', namespace: 'shop' }, spec: { host: HOST, trafficPolicy: { connectionPool: { tcp: { maxConnections: 1 } } } } });
    apiObject(chart, 'ap', { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'p', namespace: 'shop' }, spec: { action: 'DENY', rules: [{}] } });
    expect(Testing.synth(chart).map((o) => o.kind)).toEqual(['DestinationRule', 'AuthorizationPolicy']);
  });
});

describe('values that do not read back (code YAML)', () => {
  test('a label value cdk8s would write unquoted as 0o17 fails synth with the path and the fix', () => {
    const { chart } = chartWithCollector();
    new ApiObject(chart, 'dr', { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'r', namespace: 'shop' },
      spec: { host: HOST, subsets: [{ name: 'v1', labels: { version: '0o17' } }] } } as any);
    const e = thrown(() => Testing.synth(chart)) as IstioValidationError;
    const yaml = e.violations.filter((v) => v.code === 'YAML');
    expect(yaml).toHaveLength(1);
    expect(yaml[0].message).toBe('spec.subsets[0].labels.version "0o17" is written unquoted by cdk8s, and kubectl (Go number syntax) and YAML 1.2 readers read it back as the integer 15');
    expect(yaml[0].value).toBe('0o17');
  });

  test('the same label as v0o17 synthesizes', () => {
    const { chart } = chartWithCollector();
    new ApiObject(chart, 'dr', { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'r', namespace: 'shop' },
      spec: { host: HOST, subsets: [{ name: 'v1', labels: { version: 'v0o17' } }] } } as any);
    expect(Testing.synth(chart)).toHaveLength(1);
  });
});

describe('one object per kind, namespace and name (code DUPLICATE)', () => {
  const dr = (chart: Chart, id: string, host: string) => new ApiObject(chart, id, { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule',
    metadata: { name: 'reviews', namespace: 'shop' }, spec: { host } } as any);

  test('two different objects with one identity fail synth, naming both origins', () => {
    const { chart } = chartWithCollector();
    dr(chart, 'a', 'reviews.a.svc.cluster.local');
    dr(chart, 'b', 'reviews.b.svc.cluster.local');
    const e = thrown(() => Testing.synth(chart)) as IstioValidationError;
    const dup = e.violations.filter((v) => v.code === 'DUPLICATE');
    expect(dup).toHaveLength(1);
    expect(dup[0].path).toMatch(/\/b$/);
    expect(dup[0].message).toMatch(/^DestinationRule\.networking\.istio\.io shop\/reviews is also defined, differently, by .*\/a;/);
  });

  test('different names, or the same object in another namespace, synthesize', () => {
    const { chart } = chartWithCollector();
    dr(chart, 'a', 'reviews.a.svc.cluster.local');
    new ApiObject(chart, 'b', { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'reviews', namespace: 'web' }, spec: { host: 'reviews.b.svc.cluster.local' } } as any);
    expect(Testing.synth(chart)).toHaveLength(2);
  });
});

describe('misuse of Rules.of and Rules.suppress', () => {
  test.each([[null], [undefined], [5], ['app'], [{}], [{ node: 5 }]])('Rules.of(%p) is a PROP error, not a TypeError', (value) => {
    const e = thrown(() => Rules.of(value as any)) as IstioValidationError;
    expect(e).toBeInstanceOf(IstioValidationError);
    expect(e.code).toBe('PROP');
    expect(e.path).toBe('Rules.of');
  });

  test('Rules.suppress on something that is not a construct is a PROP error', () => {
    const e = thrown(() => Rules.suppress({} as any, 'VS-25', 'reason')) as IstioValidationError;
    expect(e.code).toBe('PROP');
  });

  test('a suppression reason too long for an annotation is refused; a sentence passes', () => {
    const { chart } = chartWithCollector();
    const vs = new VirtualService(chart, 'vs', { metadata: { name: 'web' }, spec: { hosts: ['web.shop.svc.cluster.local'], http: [{ route: [{ destination: { host: 'web.shop.svc.cluster.local' } }] }] } });
    const e = thrown(() => Rules.suppress(vs, 'VS-25', 'x'.repeat(300 * 1024))) as IstioValidationError;
    expect(e.code).toBe('SUPPRESSION');
    expect(e.message).toContain('256 KiB');
    expect(() => Rules.suppress(vs, 'VS-25', 'the mirror target runs in shadow mode')).not.toThrow();
  });
});

describe('one rendering per app.synth(), shared with the engine', () => {
  const tmp = () => require('fs').mkdtempSync(require('path').join(require('os').tmpdir(), 'rules-synth-')) as string;
  const fs = require('fs') as typeof import('fs');
  const path = require('path') as typeof import('path');
  const spec = { hosts: ['web.shop.svc.cluster.local'], http: [{ route: [{ destination: { host: 'web.shop.svc.cluster.local' } }] }] };

  test('the manifest written is the rendering the engine analyzed; afterwards toJson renders afresh', () => {
    const app = new App({ outdir: tmp() });
    const chart = new Chart(app, 'c', { namespace: 'shop' });
    Rules.of(app).warningSink = WarningSink.discard();
    const vs = new VirtualService(chart, 'vs', { metadata: { name: 'web' }, spec });
    let renders = 0;
    const render = vs.toJson.bind(vs);
    vs.toJson = () => {
      renders++;
      return render();
    };
    app.synth();
    // cdk8s validates twice and renders once per synth: the engine's rendering is reused for both and for the file.
    expect(renders).toBe(1);
    expect(fs.readFileSync(path.join(app.outdir, 'c.k8s.yaml'), 'utf8')).toContain('host: web.shop.svc.cluster.local');
    // The object's own toJson (here the counting wrapper) is back after the synth.
    vs.toJson();
    expect(renders).toBe(2);
    // No rendering is kept past the synth: an override made afterwards shows in the next rendering and synth.
    vs.addJsonPatch(JsonPatch.add('/spec/http/0/timeout', '2s'));
    expect(vs.toJson().spec.http[0].timeout).toBe('2s');
    app.synth();
    expect(fs.readFileSync(path.join(app.outdir, 'c.k8s.yaml'), 'utf8')).toContain('timeout: 2s');
  });

  test('a change between two synths is analyzed: the second synth fails on it', () => {
    const app = new App({ outdir: tmp() });
    const chart = new Chart(app, 'c', { namespace: 'shop' });
    Rules.of(app).warningSink = WarningSink.discard();
    const vs = new VirtualService(chart, 'vs', { metadata: { name: 'web' }, spec });
    app.synth();
    vs.addJsonPatch(JsonPatch.add('/spec/http/0/route/0/weight', 40));
    expect(() => app.synth()).toThrow(/VS-12/);
  });

  test('the traffic report is opt-in: a default synth writes only manifests', () => {
    const app = new App({ outdir: tmp() });
    const chart = new Chart(app, 'c', { namespace: 'shop' });
    new VirtualService(chart, 'vs', { metadata: { name: 'web' }, spec });
    Rules.of(app).warningSink = WarningSink.discard();
    app.synth();
    expect(fs.readdirSync(app.outdir)).toEqual(['c.k8s.yaml']);
    Rules.of(app).trafficReport = true;
    app.synth();
    expect(fs.readdirSync(app.outdir).sort()).toEqual(['c.k8s.yaml', 'traffic-report.md']);
  });
});

describe('the order the rules read is the order cdk8s writes, on the first synth too', () => {
  const tmp = () => require('fs').mkdtempSync(require('path').join(require('os').tmpdir(), 'rules-order-')) as string;
  const dr = (chart: Chart) => new DestinationRule(chart, 'dr', { metadata: { name: 'web' }, spec: { host: 'web.shop.svc.cluster.local', subsets: [{ name: 'v1', labels: { version: 'v1' } }] } });
  const vs = (chart: Chart) => new VirtualService(chart, 'vs', { metadata: { name: 'web' }, spec: { hosts: ['web.shop.svc.cluster.local'], http: [{ route: [{ destination: { host: 'web.shop.svc.cluster.local', subset: 'v1' } }] }] } });
  const build = (drFirst: boolean) => {
    const app = new App({ outdir: tmp() });
    const warnings = new WarningCollector();
    Rules.of(app).warningSink = warnings;
    const a = new Chart(app, 'a', { namespace: 'shop' });
    const b = new Chart(app, 'b', { namespace: 'shop' });
    if (drFirst) {
      vs(a);
      dr(b);
    } else {
      dr(a);
      vs(b);
    }
    a.addDependency(b); // cdk8s writes chart b first
    return { app, warnings };
  };

  test('a VirtualService written before its DestinationRule (chart dependency) is DR-22 at the first app.synth()', () => {
    const { app, warnings } = build(false);
    app.synth();
    expect(warnings.warnings.map((w) => w.code)).toEqual(['DR-22']);
  });

  test('a DestinationRule written first is not DR-22, though it comes later in the construct tree', () => {
    const { app, warnings } = build(true);
    app.synth();
    expect(warnings.warnings.map((w) => w.code)).toEqual([]);
    app.synthYaml();
    expect(warnings.warnings.map((w) => w.code)).toEqual([]);
  });

  test('a rendering handed out in a synth is shared with nobody: a Lazy that edits what toJson gives it changes nothing written', () => {
    const app = new App({ outdir: tmp() });
    Rules.of(app).warningSink = WarningSink.discard();
    const chart = new Chart(app, 'c', { namespace: 'shop' });
    dr(chart);
    const service = vs(chart);
    new ApiObject(chart, 'cm', {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'copy' },
      data: Lazy.any({ produce: () => { const m = service.toJson(); m.spec.hosts.push('extra.example.com'); return { n: String(m.spec.hosts.length) }; } }),
    });
    const fs = require('fs') as typeof import('fs');
    app.synth();
    const text = fs.readFileSync(require('path').join(app.outdir, 'c.k8s.yaml'), 'utf8');
    expect(text).not.toContain('extra.example.com');
  });

  test('a frozen object synthesizes as in plain cdk8s', () => {
    const app = new App({ outdir: tmp() });
    Rules.of(app).warningSink = WarningSink.discard();
    const chart = new Chart(app, 'c', { namespace: 'shop' });
    Object.freeze(dr(chart));
    Object.freeze(vs(chart));
    expect(() => app.synth()).not.toThrow();
    expect(app.synthYaml()).toContain('host: web.shop.svc.cluster.local');
  });
});
