/**
 * The `explain` and `test` commands (issue 16, item 3), through `main` as the other CLI tests run it: Istio's
 * Bookinfo samples from the shared corpus (virtual-service-reviews-jason-v2-v3.yaml + destination-rule-all.yaml, with
 * Bookinfo's Services and Deployments from test/fixtures/simulate/), exit codes, the JSON shape, cases files that
 * pass, fail (with the diff) or are malformed, and our own apps' synthesized YAML.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { defineExampleApps } from '../../apps/all';
import { main } from '../../src/cli/main';
import { Rules, WarningSink } from '../../src/synth/rules';

const SAMPLES = path.join(__dirname, '..', '..', '..', 'shared', 'corpus', 'istio-samples', 'bookinfo', 'networking');
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'simulate');
const sample = (file: string) => path.join(SAMPLES, file);
const fixture = (file: string) => path.join(FIXTURES, file);
const BOOKINFO = [sample('virtual-service-reviews-jason-v2-v3.yaml'), sample('destination-rule-all.yaml'), fixture('bookinfo-workloads.yaml')];

function run(argv: string[], stdin?: string) {
  let stdout = '';
  let stderr = '';
  let rest = Buffer.from(stdin ?? '');
  const readStdin = (buffer: Buffer) => {
    const n = rest.copy(buffer);
    rest = rest.subarray(n);
    return n;
  };
  const code = main(argv, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, readStdin });
  return { code, stdout, stderr };
}

const explain = (...args: string[]) => run(['explain', ...BOOKINFO, ...args]);

function tmpFile(name: string, text: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'explain-')), name);
  fs.writeFileSync(file, text);
  return file;
}

describe('explain on Bookinfo: end-user jason → reviews v2, everyone else → v3', () => {
  test('jason: the route, the destination with its subset, workloads and DestinationRule, Istio default retries (exit 0)', () => {
    const r = explain('--host', 'reviews:9080', '--path', '/reviews/0', '--header', 'end-user: jason', '--source-label', 'app=productpage');
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toContain('Request:  GET /reviews/0 to reviews:9080, from the mesh (namespace default), labels app=productpage\n          header end-user: jason\n');
    expect(r.stdout).toContain('Outcome:  ROUTED by VirtualService default/reviews\nRoute:    default/reviews http[0] match[0]\n');
    expect(r.stdout).toContain([
      'Destinations:',
      '  100%    reviews.default.svc.cluster.local subset v2 port 9080',
      '          workloads: Deployment default/reviews-v2',
      '          policy: DestinationRule default/reviews, no traffic policy for this destination (Istio defaults)',
      "Timeout:  none — the route sets none; Istio disables Envoy's 15s default route timeout",
      'Retries:  2 on connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes, status 503 — source: Istio default, the route sets no retries',
      'Risks:    none found',
    ].join('\n'));
  });

  test('everyone else (header case matters for the value): v3, with the skipped route and why', () => {
    const r = explain('--host', 'reviews', '-H', 'End-User: Jason');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Route:    default/reviews http[1]\n');
    expect(r.stdout).toContain('  100%    reviews.default.svc.cluster.local subset v3 port 9080\n');
    expect(r.stdout).toContain('Skipped routes:\n  default/reviews http[0] match[0]: header "end-user" exact "jason" does not match "Jason"\n');
  });

  test('--format json is the SimulationResult as plain JSON', () => {
    const r = explain('--host', 'reviews', '--header', 'end-user: jason', '--format', 'json');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result).toEqual({
      outcome: 'ROUTED', host: 'reviews.default.svc.cluster.local', port: 9080, virtualService: 'default/reviews',
      route: { virtualService: 'default/reviews', index: 0, matchIndex: 0 },
      destinations: [{
        host: 'reviews.default.svc.cluster.local', subset: 'v2', port: 9080, percent: 100,
        policy: { destinationRule: 'default/reviews', sources: {} }, workloads: ['Deployment default/reviews-v2'],
      }],
      retry: { attempts: 2, retryOn: 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes', retriableStatusCodes: [503], source: 'ISTIO_DEFAULT' },
      mirrors: [], skipped: [], risks: [], notes: ['"reviews" from namespace default resolves to reviews.default.svc.cluster.local'],
    });
  });

  test('a host without a VirtualService gets default routing (exit 0)', () => {
    const r = explain('--host', 'ratings', '-f', 'json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(expect.objectContaining({ outcome: 'DEFAULT_ROUTE', destinations: [expect.objectContaining({ host: 'ratings.default.svc.cluster.local', percent: 100 })] }));
  });

  test('--namespace places the namespace-less samples, and the caller, in that namespace; the manifests may come from stdin', () => {
    const stdin = BOOKINFO.map((f) => fs.readFileSync(f, 'utf8')).join('\n---\n');
    const r = run(['explain', '-', '--namespace', 'bookinfo', '--host', 'reviews', '-H', 'end-user: jason', '-f', 'json'], stdin);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect([result.virtualService, result.destinations[0].host, result.destinations[0].subset]).toEqual(['bookinfo/reviews', 'reviews.bookinfo.svc.cluster.local', 'v2']);
  });

  test('no route at the gateway: exit 1 (NR), with the closest route and what failed', () => {
    const r = run(['explain', sample('bookinfo-gateway.yaml'), '--host', 'bookinfo.example.com', '--gateway', 'default/bookinfo-gateway', '--path', '/admin']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Outcome:  NO_ROUTE: 404 with response flag NR\n');
    expect(r.stdout).toContain('Closest:  default/bookinfo http[0] match[0]: uri exact "/productpage" does not match "/admin"\n');
    expect(JSON.parse(run(['explain', sample('bookinfo-gateway.yaml'), '--host', 'bookinfo.example.com', '--gateway', 'default/bookinfo-gateway', '--path', '/admin', '-f', 'json']).stdout))
      .toEqual(expect.objectContaining({ outcome: 'NO_ROUTE', responseFlag: 'NR', destinations: [] }));
    const ok = run(['explain', sample('bookinfo-gateway.yaml'), '--host', 'bookinfo.example.com', '--gateway', 'default/bookinfo-gateway', '--path', '/productpage']);
    expect([ok.code, ok.stdout]).toEqual([0, expect.stringContaining('productpage.default.svc.cluster.local port 9080')]);
  });

  test('fault injection: the fault, and why neither timeout nor retries apply', () => {
    const r = run(['explain', sample('virtual-service-ratings-test-abort.yaml'), sample('destination-rule-all.yaml'), '--host', 'ratings', '-H', 'end-user: jason']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Fault:    {"abort":{"percentage":{"value":100},"httpStatus":500}}\n');
    expect(r.stdout).toContain('Retries:  none — source: fault injection, Istio enables no retries on a route with a fault\n');
  });

  test.each([
    [['--host', 'reviews', '--path', 'reviews'], /request path "reviews" is not a path starting with "\/"/],
    [['--host', 'reviews', '--header', 'end-user jason'], /--header "end-user jason": expected name: value/],
    [['--host', 'reviews', '-H', 'a: 1', '-H', 'A: 2'], /--header "A" given twice/],
    [['--host', 'reviews', '--query', 'limit'], /--query "limit": expected name=value/],
    [['--host', 'reviews', '--gateway', 'bookinfo-gateway'], /gateway "bookinfo-gateway": expected namespace\/name/],
    [['--host', 'reviews', '--gateway', 'a/b', '--source-namespace', 'c'], /cannot be used with option '--source-namespace/],
    [['--host', 'reviews', '--source-namespace', 'Bad_NS'], /source namespace "Bad_NS" is not a DNS-1123 label/],
    [['--host', 'reviews', '--namespace', 'Bad_NS'], /--namespace "Bad_NS" is not a DNS-1123 label/],
    [['--host', 'reviews', '--port', '70000'], /expected a port 1-65535/],
    [['--host', 'reviews', '--method', 'GE T'], /method "GE T" is not an HTTP method token/],
    [['--host', 'reviews', '--max-file-size', '100'], /larger than the limit of 100 bytes per file \(--max-file-size\)/],
    [['--path', '/'], /required option '--host <host>' not specified/],
  ])('bad input %j: exit 2', (args, message) => {
    const r = explain(...args);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(message);
  });

  test('unreadable input: exit 2, as lint', () => {
    expect(run(['explain', '/nonexistent.yaml', '--host', 'reviews'])).toEqual({ code: 2, stdout: '', stderr: 'cdk8s-istio-traffic explain: /nonexistent.yaml: cannot read (ENOENT)\n' });
    expect(run(['explain', tmpFile('bad.yaml', 'a: [\n'), '--host', 'reviews']).code).toBe(2);
    expect(run(['explain', '--host', 'reviews']).code).toBe(2);
  });

  test('--help describes the request options', () => {
    const r = run(['explain', '--help']);
    expect(r.code).toBe(0);
    for (const option of ['--host <host>', '--port <port>', '--method', '--path', '--header', '--query', '--gateway <namespace/name>', '--source-namespace', '--source-label', '--namespace', '--max-file-size']) {
      expect(r.stdout).toContain(option);
    }
    expect(run(['--help']).stdout).toMatch(/explain \[options\] <paths\.\.\.>[\s\S]*test \[options\] <paths\.\.\.>/);
  });
});

describe('test: request cases from a YAML file', () => {
  const cases = (file: string, ...args: string[]) => run(['test', ...BOOKINFO, '--cases', file, ...args]);

  test('all cases pass: exit 0', () => {
    const r = cases(fixture('bookinfo-cases.yaml'));
    expect(r).toEqual({
      code: 0, stderr: '',
      stdout: 'PASS jason reaches reviews v2\nPASS everyone else reaches reviews v3\nPASS ratings has no VirtualService here, so default routing\n3 case(s): 3 passed, 0 failed\n',
    });
  });

  test('a failing case: exit 1, a diff per mismatching field (expected vs actual)', () => {
    const r = cases(fixture('bookinfo-cases-failing.yaml'));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe([
      'PASS jason reaches reviews v2',
      `FAIL everyone else reaches reviews v1 (${fixture('bookinfo-cases-failing.yaml')}:9)`,
      '  got: ROUTED default/reviews http[1] → reviews.default.svc.cluster.local subset v3 port 9080 100%',
      '  destinations[0].subset',
      '    - expected: "v1"',
      '    + actual:   "v3"',
      '  timeout',
      '    - expected: "3s"',
      '    + actual:   none',
      '2 case(s): 1 passed, 1 failed',
      '',
    ].join('\n'));
  });

  test('--format json: each case with its mismatches, the simulation result of failed ones, a summary', () => {
    const r = cases(fixture('bookinfo-cases-failing.yaml'), '--format', 'json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.summary).toEqual({ cases: 2, passed: 1, failed: 1 });
    expect(report.cases[0]).toEqual({ name: 'jason reaches reviews v2', line: 3, passed: true, mismatches: [] });
    expect(report.cases[1]).toEqual(expect.objectContaining({
      name: 'everyone else reaches reviews v1', passed: false,
      mismatches: [{ field: 'destinations[0].subset', expected: 'v1', actual: 'v3' }, { field: 'timeout', expected: '3s', actual: null }],
      result: expect.objectContaining({ outcome: 'ROUTED', route: { virtualService: 'default/reviews', index: 1 } }),
    }));
  });

  test('every expect field is compared: virtualService, route, destinations, timeout, retries, noRoute, redirect, directResponse', () => {
    const file = tmpFile('cases.yaml', [
      '- name: all wrong',
      '  request: { host: reviews, path: /x, method: post, query: { a: "1" }, sourceLabels: { app: productpage } }',
      '  expect:',
      '    virtualService: other',
      '    route: primary',
      '    destinations: [{ subset: v3 }, { subset: v1 }]',
      '    timeout: 1s',
      '    retries: { attempts: 0, perTryTimeout: 1s }',
      '    noRoute: true',
      '    redirect: { uri: /new }',
      '    directResponse: { status: 503 }',
    ].join('\n'));
    const r = cases(file, '-f', 'json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).cases[0].mismatches).toEqual([
      { field: 'noRoute', expected: true, actual: false },
      { field: 'virtualService', expected: 'other', actual: 'default/reviews' },
      { field: 'route', expected: 'primary', actual: null },
      { field: 'destinations', expected: [{ subset: 'v3' }, { subset: 'v1' }], actual: [{ subset: 'v3' }] },
      { field: 'timeout', expected: '1s', actual: null },
      { field: 'retries.attempts', expected: 0, actual: 2 },
      { field: 'retries.perTryTimeout', expected: '1s', actual: null },
      { field: 'redirect', expected: { uri: '/new' }, actual: null },
      { field: 'directResponse.status', expected: 503, actual: null },
    ]);
  });

  test('redirect and direct response cases (redirectCode defaults to 301 as in Istio)', () => {
    const vs = tmpFile('vs.yaml', [
      'apiVersion: networking.istio.io/v1', 'kind: VirtualService', 'metadata: { name: web }',
      'spec:', '  hosts: [web]', '  http:',
      '  - match: [{ uri: { prefix: /old } }]', '    redirect: { uri: /new }',
      '  - directResponse: { status: 503, body: { string: down } }',
    ].join('\n'));
    const file = tmpFile('cases.yaml', [
      '- name: old moved', '  request: { host: web, path: /old/page }', '  expect: { route: 0, redirect: { uri: /new, redirectCode: 301 } }',
      '- name: rest down', '  request: { host: web }', '  expect: { route: 1, directResponse: { status: 503 }, destinations: [] }',
    ].join('\n'));
    expect(run(['test', vs, '--cases', file])).toEqual(expect.objectContaining({ code: 0, stdout: expect.stringContaining('2 case(s): 2 passed, 0 failed') }));
    const text = run(['explain', vs, '--host', 'web']).stdout;
    expect(text).toContain('Outcome:  DIRECT_RESPONSE by VirtualService default/web\n');
    expect(text).toContain('Direct response: {"status":503,"body":{"string":"down"}}\n');
  });

  test('a malformed cases file: exit 2, every problem with file:line:column and the field path', () => {
    const r = cases(fixture('cases-malformed.yaml'));
    expect([r.code, r.stdout]).toEqual([2, '']);
    const file = fixture('cases-malformed.yaml');
    expect(r.stderr).toBe([
      `cdk8s-istio-traffic test: ${file} is not a valid cases file:`,
      `  ${file}:4:5: [0].request: missing field "host"`,
      `  ${file}:4:11: [0].request.hots: unknown field (expected one of: host, port, method, path, headers, query, gateway, sourceNamespace, sourceLabels)`,
      `  ${file}:6:17: [0].request.headers["x-canary"]: must be a string (quote values such as true, 1 or 1.10) (received true)`,
      `  ${file}:7:11: [0].expect: is empty: give at least one expected field`,
      '',
    ].join('\n'));
  });

  test.each([
    ['duplicate keys', fixture('cases-duplicate-key.yaml'), /cases-duplicate-key\.yaml:4:5: Map keys must be unique/],
    ['not a list', 'name: x\n', /\(top level\): must be a list of cases/],
    ['no case', '[]\n', /\(top level\): holds no case/],
    ['an unknown expect field', '- { name: a, request: { host: r }, expect: { subsets: [v1] } }\n', /:1:55: \[0\]\.expect\.subsets: unknown field \(expected one of: virtualService, route/],
    ['a bad duration', '- { name: a, request: { host: r }, expect: { timeout: 3 seconds } }\n', /\[0\]\.expect\.timeout: must be a duration such as "3s", or null/],
    ['a bad port', '- { name: a, request: { host: r, port: 0 }, expect: { noRoute: true } }\n', /\[0\]\.request\.port: must be a port 1-65535 \(received 0\)/],
    ['gateway with sourceNamespace', '- { name: a, request: { host: r, gateway: a/b, sourceNamespace: c }, expect: { noRoute: true } }\n', /:1:3: \[0\] "a": a gateway and a source namespace exclude each other/],
    ['a name used twice', '- { name: a, request: { host: r }, expect: { noRoute: true } }\n- { name: a, request: { host: r }, expect: { noRoute: true } }\n', /:2:3: \[1\] "a": the case name is used twice/],
    ['two documents', '[]\n---\n[]\n', /multiple documents/],
  ])('%s: exit 2', (_what, fileOrText, message) => {
    const file = fileOrText.startsWith('/') ? fileOrText : tmpFile('cases.yaml', fileOrText);
    const r = cases(file);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(message);
  });

  test('cases from stdin; --cases is required; - cannot be both', () => {
    expect(run(['test', ...BOOKINFO, '--cases', '-'], fs.readFileSync(fixture('bookinfo-cases.yaml'), 'utf8')).code).toBe(0);
    expect(run(['test', ...BOOKINFO]).stderr).toMatch(/required option '--cases <file>' not specified/);
    expect(run(['test', '-', '--cases', '-'], '[]').stderr).toMatch(/- \(stdin\) given for both --cases and the manifests/);
  });
});

describe('explain and test on our apps\' synthesized YAML (apps/all.ts)', () => {
  let dist: string;

  beforeAll(() => {
    dist = fs.mkdtempSync(path.join(os.tmpdir(), 'explain-apps-'));
    const app = Testing.app({ outdir: dist });
    defineExampleApps(app);
    Rules.of(app).warningSink = WarningSink.discard();
    app.synth();
  });

  test('the output directory holds one YAML file per chart', () => {
    expect(fs.readdirSync(dist).filter((f) => f.endsWith('.k8s.yaml')).length).toBe(9);
  });

  test('explain blog-system: the test header reaches the canary; route retries and timeout; the circuit breaker as UO risks', () => {
    const r = run(['explain', dist, '--host', 'web-service.blog-system.svc.cluster.local', '-H', 'x-canary-test: true']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Route:    blog-system/web-service http[0] "canary-testing" match[0]\n');
    expect(r.stdout).toMatch(/ {2}100% {4}web-service\.blog-system\.svc\.cluster\.local subset canary port \d+\n/);
    expect(r.stdout).toContain("Timeout:  15s — source: the route's timeout\n");
    expect(r.stdout).toMatch(/Retries:  2 on [^\n]*, 3s per try — source: the route's retries\n/);
    expect(r.stdout).toContain('          policy: DestinationRule blog-system/web-service\n            connectionPool: {"http":{"http1MaxPendingRequests":100,'
      + '"http2MaxRequests":100,"maxRequestsPerConnection":10},"tcp":{"maxConnections":100}} (from trafficPolicy)\n');
    // blog-system declares no Deployment (the other apps' Deployments say nothing about its namespace: no UH), and
    // its circuit breaker turns overflow into 503 UO.
    expect(r.stdout).not.toMatch(/ {2}UH web-service/);
    expect(r.stdout).toMatch(/Risks:\n {2}UO web-service\.blog-system\.svc\.cluster\.local\/canary: each client proxy opens at most 100 connection\(s\)/);
    const live = JSON.parse(run(['explain', dist, '--host', 'web-service.blog-system.svc.cluster.local', '-f', 'json']).stdout);
    expect([live.route.name, live.destinations.map((d: any) => d.subset), live.timeout, live.mirrors.map((m: any) => [m.subset, m.percent])])
      .toEqual(['primary', ['stable'], '10s', [['canary', 100]]]);
  });

  test('explain shop at its ingress gateway: 95/5; an unknown host is NR (exit 1)', () => {
    const r = run(['explain', dist, '--host', 'shop.example.com', '--gateway', 'shop/shop-gateway', '-f', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).destinations.map((d: any) => [d.subset, d.percent])).toEqual([['v1', 95], ['v2', 5]]);
    expect(run(['explain', dist, '--host', 'other.example.com', '--gateway', 'shop/shop-gateway']).code).toBe(1);
  });

  test('test runs the apps\' request cases on the synthesized YAML: all pass', () => {
    const r = run(['test', dist, '--cases', fixture('apps-cases.yaml')]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/6 case\(s\): 6 passed, 0 failed\n$/);
    expect(r.code).toBe(0);
  });
});
