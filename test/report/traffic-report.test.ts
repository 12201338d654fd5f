import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { VirtualService } from '../../imports/istio-networking.istio.io';
import { defineExampleApps } from '../../apps/all';
import { Rules, WarningSink } from '../../src/synth/rules';

function synthExamples(configure: (rules: Rules) => void = () => undefined): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-'));
  const app = new App({ outdir });
  defineExampleApps(app);
  const rules = Rules.of(app);
  rules.warningSink = WarningSink.discard();
  configure(rules);
  app.synth();
  return outdir;
}

const outdir = synthExamples();
const report = fs.readFileSync(path.join(outdir, 'traffic-report.md'), 'utf8');
const mermaid = /```mermaid\n([\s\S]*?)```/.exec(report)![1];

test('synth writes traffic-report.md next to the manifests', () => {
  expect(fs.readdirSync(outdir).sort()).toEqual(expect.arrayContaining(['shop.k8s.yaml', 'traffic-report.md']));
  expect(report.split('\n')[0]).toBe('# Traffic report');
  expect(report).toMatch(/^## Call graph$/m);
  expect(report).toMatch(/^## Entry points$/m);
  expect(report).toMatch(/^## Services$/m);
  expect(report).toMatch(/^## Findings$/m);
});

test('the shop chain: worst-case amplification and time budget per path from the ingress entry point', () => {
  expect(report).toMatch(/### frontend\.shop\.svc\.cluster\.local \(ingress\)/);
  expect(report).toContain('| inventory.shop.svc.cluster.local | frontend.shop.svc.cluster.local → orders.shop.svc.cluster.local → inventory.shop.svc.cluster.local | 2 | 1s | 1s |');
  expect(report).toContain('| api.payments.example | frontend.shop.svc.cluster.local → orders.shop.svc.cluster.local → api.payments.example | 2 | 2s | 2s |');
});

test('per service: routes with weights, subsets, retries, timeouts and circuit breaker', () => {
  const frontend = report.slice(report.indexOf('### frontend.shop.svc.cluster.local\n'));
  expect(frontend).toContain('| primary | everything else | frontend.shop.svc.cluster.local/v1 95%, frontend.shop.svc.cluster.local/v2 5% | 1 × 4s on 5xx,reset,connect-failure,refused-stream | 9s |  |');
  expect(frontend).toContain('- subset `v2`: app=frontend, version=v2');
  expect(report).toMatch(/### inventory\.shop\.svc\.cluster\.local[\s\S]*?circuit breaker \(outlier detection\): \{"baseEjectionTime":"30s","consecutive5xxErrors":5/);
});

test('the Mermaid block is a flowchart of services, calls and canary splits', () => {
  const lines = mermaid.trim().split('\n');
  expect(lines[0]).toBe('flowchart LR');
  const ids = new Map(lines.filter((l) => /^\s+s\d+\[/.test(l)).map((l) => [/"([^"<]+)/.exec(l)![1], /^\s+(s\d+)/.exec(l)![1]]));
  const [frontend, orders, inventory] = ['frontend', 'orders', 'inventory'].map((s) => ids.get(`${s}.shop.svc.cluster.local`));
  expect(lines).toContain(`  ${frontend} -->|"x1"| ${orders}`);
  expect(lines).toContain(`  ${orders} -->|"x1"| ${inventory}`);
  expect(lines.some((l) => /^\s+e\d+\(\["ingress"\]\) --> /.test(l) && l.endsWith(` --> ${frontend}`))).toBe(true);
  expect(lines.some((l) => l.includes(`${frontend} -.->|"5%"|`))).toBe(true);
  // every edge refers to declared nodes
  const declared = new Set(lines.map((l) => /^\s+([sev]\d+)[[(]/.exec(l)?.[1]).filter(Boolean));
  for (const l of lines.filter((x) => x.includes('->'))) {
    for (const ref of l.match(/\b[sv]\d+\b/g) ?? []) expect(declared.has(ref)).toBe(true);
  }
});

test('the Mermaid block parses with the Mermaid parser', () => {
  const script = path.join(__dirname, '..', 'support', 'mermaid-parse.mjs');
  const ok = spawnSync(process.execPath, [script], { input: mermaid, encoding: 'utf8' });
  expect(ok.stderr).toBe('');
  expect(ok.stdout.trim()).toBe('ok flowchart-v2');
  const broken = spawnSync(process.execPath, [script], { input: 'flowchart LR\n  a -->| b', encoding: 'utf8' });
  expect(broken.status).toBe(1);
});

test('findings are listed, and the report can be switched off', () => {
  expect(report).toMatch(/^\*\*(Warnings|Suppressed)\*\*$/m);
  const off = synthExamples((rules) => { rules.trafficReport = false; });
  expect(fs.existsSync(path.join(off, 'traffic-report.md'))).toBe(false);
  expect(fs.existsSync(path.join(off, 'shop.k8s.yaml'))).toBe(true);
});

test('the report is deterministic', () => {
  expect(fs.readFileSync(path.join(synthExamples(), 'traffic-report.md'), 'utf8')).toBe(report);
});

describe('when the report is written, and what it may contain', () => {
  const vsApp = (outdir: string, name: string, broken: boolean) => {
    const app = new App({ outdir });
    const chart = new Chart(app, 'c', { namespace: 'shop' });
    Rules.of(app).warningSink = WarningSink.discard();
    new VirtualService(chart, 'vs', {
      metadata: { name: 'web' },
      spec: { hosts: ['web.shop.svc.cluster.local'], http: [{ name, route: [{ destination: { host: 'web.shop.svc.cluster.local' }, ...(broken ? { weight: 50 } : {}) }] }] },
    });
    return app;
  };

  test('a failed synth writes no report (and no manifests)', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-fail-'));
    expect(() => vsApp(outdir, 'default', true).synth()).toThrow(/VS-12/);
    expect(fs.readdirSync(outdir)).toEqual([]);
  });

  test('synthYaml() writes no file; app.synth() writes the report next to the manifests', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-yaml-'));
    const app = vsApp(outdir, 'default', false);
    app.synthYaml();
    expect(fs.readdirSync(outdir)).toEqual([]);
    app.synth();
    expect(fs.readdirSync(outdir).sort()).toEqual(['c.k8s.yaml', 'traffic-report.md']);
  });

  test('route names and other user text are written inert: no raw HTML reaches the Markdown', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-html-'));
    vsApp(outdir, '<script>alert(1)</script>', false).synth();
    const text = fs.readFileSync(path.join(outdir, 'traffic-report.md'), 'utf8');
    expect(text).not.toContain('<script>');
    expect(text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});
