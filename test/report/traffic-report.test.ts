import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { VirtualService } from '../../imports/istio-networking.istio.io';
import { defineExampleApps } from '../../apps/all';
import { MAX_REQUEST_ROWS, MAX_SIMULATIONS } from '../../src/report/request-table';
import { renderTrafficReport } from '../../src/report/traffic-report';
import { analyze } from '../../src/rules';
import { Rules, WarningSink } from '../../src/synth/rules';

function synthExamples(configure: (rules: Rules) => void = () => undefined): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-'));
  const app = new App({ outdir });
  defineExampleApps(app);
  const rules = Rules.of(app);
  rules.warningSink = WarningSink.discard();
  rules.trafficReport = true; // off by default
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
    Rules.of(app).trafficReport = true;
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

describe('request tables: a representative request per route, and the route simulator\'s answer', () => {
  const section = (text: string, host: string) => {
    const start = text.indexOf(`### ${host}\n`);
    expect(start).toBeGreaterThanOrEqual(0);
    const end = text.indexOf('\n### ', start + 1);
    return text.slice(start, end < 0 ? undefined : end);
  };

  test('bookinfo reviews: the QA header and jason rows, and everyone else 90/10', () => {
    const reviews = section(report, 'reviews.bookinfo.svc.cluster.local');
    expect(reviews).toContain('| Route | Request | Goes to | Timeout | Retries | Risks |');
    expect(reviews).toContain("| http[0] canary-testing | GET / · x-qa-user: true | reviews.bookinfo.svc.cluster.local/v2 100% | none | 2 (Istio's default) | — |");
    expect(reviews).toContain("| http[1] jason | GET / · end-user: jason | reviews.bookinfo.svc.cluster.local/v3 100% | none | 2 (Istio's default) | — |");
    expect(reviews).toContain("| http[2] primary | everything else: GET / | reviews.bookinfo.svc.cluster.local/v1 90%, reviews.bookinfo.svc.cluster.local/v2 10% | none | 2 (Istio's default) | — |");
  });

  test('shop: frontend\'s cookie regex is not derived, its canary split is; orders carries its connection-pool limits as UO', () => {
    const frontend = section(report, 'frontend.shop.svc.cluster.local');
    expect(frontend).toContain('| http[0] canary-testing | (regex: not derived) header cookie ^(.*?;\\s*)?(canary=always)(;.*)?$ | not simulated | — | — | — |');
    expect(frontend).toContain('| http[1] primary | everything else: GET / | frontend.shop.svc.cluster.local/v1 95%, frontend.shop.svc.cluster.local/v2 5% | 9s | 1 × 4s | — |');
    const orders = section(report, 'orders.shop.svc.cluster.local');
    expect(orders).toContain('| http[0] default | everything else: GET / | orders.shop.svc.cluster.local 100% | 3s | none | UO |');
    expect(orders).toContain('Risks the route simulator found for these requests:');
    expect(orders).toContain('- UO orders.shop.svc.cluster.local: each client proxy opens at most 200 connection(s) to orders.shop.svc.cluster.local; '
      + 'requests beyond them and the pending queue get 503 UO (trafficPolicy of shop/orders)');
    // ratings' fault route: Istio enables neither timeout nor retries there
    expect(section(report, 'ratings.bookinfo.svc.cluster.local'))
      .toContain('| http[0] fault-injection | GET / · x-chaos-test: true | ratings.bookinfo.svc.cluster.local/v1 100% | none (fault injection) | none (fault injection) | UH |');
    // bookinfo declares no ratings Deployment while it has other workloads: subset v1 selects no pod (UH), found at synth.
    expect(section(report, 'ratings.bookinfo.svc.cluster.local')).toMatch(/- UH ratings\.bookinfo\.svc\.cluster\.local\/v1: subset "v1" selects no workload/);
  });

  const NET = 'networking.istio.io/v1';
  const vs = (name: string, spec: Record<string, unknown>) => ({ apiVersion: NET, kind: 'VirtualService', metadata: { name, namespace: 'shop' }, spec });
  const dr = (name: string, spec: Record<string, unknown>) => ({ apiVersion: NET, kind: 'DestinationRule', metadata: { name, namespace: 'shop' }, spec });
  const to = (subset?: string) => [{ destination: { host: 'web', ...(subset ? { subset } : {}) } }];
  const webDr = dr('web', { host: 'web', subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v9', labels: { version: 'v9' } }] });
  const workloads = [
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 8080 }] } },
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web-v1', namespace: 'shop' },
      spec: { selector: { matchLabels: { app: 'web', version: 'v1' } }, template: { metadata: { labels: { app: 'web', version: 'v1' } }, spec: { containers: [{ name: 'web', image: 'web' }] } } },
    },
  ];
  /** The report over `manifests` as lint would read them (rule errors do not stop the report here). */
  const render = (manifests: unknown[], withApp = true) => {
    const inputs = manifests.map((manifest, i) => ({ manifest, path: `manifests[${i}]` }));
    const analysis = analyze(inputs);
    return renderTrafficReport(analysis.istioObjects, analysis, withApp ? { manifests: inputs } : {});
  };

  test('a route an earlier one shadows is reported as shadowed, with the route that takes its request', () => {
    const text = render([webDr, vs('web', {
      hosts: ['web'],
      http: [
        { name: 'everything', match: [{ uri: { prefix: '/' } }], route: to('v1') },
        { name: 'api', match: [{ uri: { prefix: '/api' } }, { headers: { 'x-api': { exact: '1' } } }], route: to('v9') },
        { name: 'never', match: [{ withoutHeaders: { 'x-trace': { prefix: '' } } }], route: to('v9') },
      ],
    })]);
    const web = section(text, 'web.shop.svc.cluster.local');
    expect(web).toContain('| http[0] everything | GET / | web.shop.svc.cluster.local/v1 100% | none | 2 (Istio\'s default) | — |');
    expect(web).toContain('| http[1] api | GET /api | shadowed by http[0] everything | — | — | — |');
    // a request the simulator says does not match its own route is not called shadowed
    expect(web).toContain('| http[2] never | GET / | the request does not match this route: withoutHeaders "x-trace" prefix "": the header is missing, read as "", and matches | — | — | — |');
    // a second VirtualService for the same host: sidecars use the first (IST0109), whose catch-all takes the request
    const two = render([vs('a', { hosts: ['web'], http: [{ route: to() }] }), vs('b', { hosts: ['web'], http: [{ name: 'api', match: [{ uri: { exact: '/api' } }], route: to() }] })]);
    expect(two).toContain('| shop/b http[0] api | GET /api | shadowed by VirtualService shop/a http[0] | — | — | — |');
  });

  test('a subset that selects no workload of the App is UH, in the row and in the service\'s risks', () => {
    const manifests = [...workloads, webDr, vs('web', {
      hosts: ['web'], http: [{ name: 'preview', match: [{ headers: { 'x-preview': { exact: 'yes' } } }], route: to('v9') }, { name: 'default', route: to('v1') }],
    })];
    const text = render(manifests);
    expect(text).toContain("| http[0] preview | GET / · x-preview: yes | web.shop.svc.cluster.local/v9 100% | none | 2 (Istio's default) | UH |");
    expect(text).toContain("| http[1] default | everything else: GET / | web.shop.svc.cluster.local/v1 100% | none | 2 (Istio's default) | — |");
    expect(text).toContain('- UH web.shop.svc.cluster.local/v9: subset "v9" selects no workload in the input: no healthy upstream (503 UH)');
    // without the App's workloads the simulator cannot tell, and says nothing
    expect(render(manifests, false)).not.toContain('UH');
  });

  test('gateway-bound routes are sent through their gateway; a host the gateway does not serve is NR', () => {
    const gw = { apiVersion: NET, kind: 'Gateway', metadata: { name: 'gw', namespace: 'shop' }, spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['shop.example.com'] }] } };
    const text = render([gw, vs('shop', { hosts: ['shop.example.com'], gateways: ['gw'], http: [{ name: 'api', match: [{ uri: { regex: '/api/v1\\.0' } }], route: to() }] }),
      vs('admin', { hosts: ['admin.example.com'], gateways: ['shop/gw'], http: [{ route: to() }] })]);
    expect(section(text, 'shop.example.com')).toContain("| http[0] api | GET /api/v1.0 · at gateway shop/gw | web.shop.svc.cluster.local 100% | none | 2 (Istio's default) | — |");
    const admin = section(text, 'admin.example.com');
    expect(admin).toContain('| http[0] | everything else: GET / · at gateway shop/gw | NR: Gateway shop/gw serves no host matching "admin.example.com" on port 80 | — | — | NR |');
    expect(admin).toContain('- NR admin.example.com: Gateway shop/gw serves no host matching "admin.example.com" on port 80');
  });

  test('route names and header values are written inert, in the request table too', () => {
    const text = render([vs('web', { hosts: ['web'], http: [{ name: 'a|b<img src=x onerror=alert(1)>\nc', match: [{ headers: { 'x-user': { exact: '<b>|</b>' } } }], route: to() }] })]);
    expect(text).not.toMatch(/<img|<b>/);
    expect(text).toContain('| http[0] a\\|b&lt;img src=x onerror=alert(1)&gt; c | GET / · x-user: &lt;b&gt;\\|&lt;/b&gt; | web.shop.svc.cluster.local 100% |');
    // every table row keeps its six cells
    for (const row of text.split('\n').filter((l) => l.startsWith('| http['))) expect(row.split(/(?<!\\)\|/).length).toBe(8);
  });

  test('a service\'s table stops at 20 rows, counting the rest', () => {
    const http = Array.from({ length: 25 }, (_, i) => ({ name: `r${i}`, match: [{ headers: { 'x-route': { exact: String(i) } } }], route: to() }));
    const web = section(render([vs('web', { hosts: ['web'], http })]), 'web.shop.svc.cluster.local');
    const rows = web.split('\n').filter((l) => /^\| http\[\d+\]/.test(l));
    // the route table lists all 25 routes; the request table 20
    expect(rows.filter((l) => l.includes(' · x-route: '))).toHaveLength(20);
    expect(rows).toContain("| http[19] r19 | GET / · x-route: 19 | web.shop.svc.cluster.local 100% | none | 2 (Istio's default) | — |");
    expect(web).toContain('…and 5 more route(s), not simulated.');
  });
});

test('the simulations per report are budgeted, so that the report stays linear in time: later rows say so', () => {
  const NET = 'networking.istio.io/v1';
  const services = Math.ceil(MAX_SIMULATIONS / MAX_REQUEST_ROWS) + 1;
  const inputs = Array.from({ length: services }, (_, s) => ({
    path: `vs[${s}]`,
    manifest: {
      apiVersion: NET, kind: 'VirtualService', metadata: { name: `s${String(s).padStart(4, '0')}`, namespace: 'shop' },
      spec: { hosts: [`s${String(s).padStart(4, '0')}`], http: Array.from({ length: MAX_REQUEST_ROWS }, (_, i) => ({ match: [{ headers: { 'x-route': { exact: String(i) } } }], route: [{ destination: { host: 'web' } }] })) },
    },
  }));
  const analysis = analyze(inputs);
  const text = renderTrafficReport(analysis.istioObjects, analysis, { manifests: inputs });
  const rows = text.split('\n').filter((l) => /^\| http\[\d+\] \| GET /.test(l));
  expect(rows).toHaveLength(services * MAX_REQUEST_ROWS);
  const spent = rows.filter((l) => l.includes(`not simulated: the report's budget of ${MAX_SIMULATIONS} simulated requests is spent`));
  expect(spent).toHaveLength(services * MAX_REQUEST_ROWS - MAX_SIMULATIONS);
  expect(rows[MAX_SIMULATIONS - 1]).toContain('web.shop.svc.cluster.local 100%');
});

test('a DestinationRule section says when the rule sets nothing of its own (Flagger\'s generated ones)', () => {
  expect(report).toMatch(/DestinationRule `payments-flagger\/payments-api-canary`:\n\n- no subsets and no connection pool, circuit breaker, load balancer or TLS settings \(Istio's defaults\)/);
});
