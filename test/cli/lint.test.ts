import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../src/cli/main';
import '@microsoft/jest-sarif';

const fixtures = path.join(__dirname, '..', 'fixtures');
const seeds = path.join(fixtures, 'seeds');
const bad = path.join(fixtures, 'bad');

function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = main(argv, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } });
  return { code, stdout, stderr };
}

function tmpFile(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lint-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

describe('lint on the seeds and on broken manifests', () => {
  test("the seeds' good examples (after their documented fixes) have no errors or warnings", () => {
    const r = run('lint', seeds, '--inventory', path.join(seeds, 'inventory.yaml'), '--format', 'json');
    const report = JSON.parse(r.stdout);
    expect(report.errors).toEqual([]);
    expect(report.warnings).toEqual([]);
    expect(report.summary.objects).toBeGreaterThanOrEqual(19);
    expect(report.suppressed.map((s: any) => s.code)).toEqual(['VS-25', 'VS-25', 'VS-25']);
    expect(r.code).toBe(0);
  });

  const badFiles = fs.readdirSync(bad).filter((f) => f.endsWith('.yaml')).sort();
  test.each(badFiles)('%s reports exactly its expected codes', (file) => {
    const text = fs.readFileSync(path.join(bad, file), 'utf8');
    const expected = /^# expect: (.*)$/m.exec(text)![1].split(',').map((c) => c.trim()).sort();
    const r = run('lint', path.join(bad, file), '--format', 'json');
    const report = JSON.parse(r.stdout);
    const codes = [...new Set([...report.errors, ...report.warnings].map((v: any) => v.code))].sort();
    expect(codes).toEqual(expected);
    expect(r.code).toBe(report.errors.length > 0 ? 1 : 0);
  });

  test('a directory of bad manifests exits 1 and reports file:line of each document', () => {
    const r = run('lint', bad);
    expect(r.code).toBe(1);
    // Pointed at the field: http[0] of the document starting on line 2 is at line 8, column 5.
    expect(r.stdout).toMatch(/vs-unsafe-retries\.yaml:8:5: error VS-18: http\[0\] carries POST requests but retries on "5xx"/);
    expect(r.stdout).toMatch(/\d+ error\(s\), \d+ warning\(s\), 0 suppressed in \d+ Istio object\(s\) from \d+ file\(s\)\n$/);
  });
});

describe('findings on routes point at the route, named or not', () => {
  const vs = (name: string) => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: web, namespace: shop }
spec:
  hosts: [web.shop.svc.cluster.local]
  http:
  - match: [{ uri: { prefix: /a } }]
    route: [{ destination: { host: web.shop.svc.cluster.local } }]
  -${name ? ` name: ${name}\n   ` : ''} route:
    - destination: { host: web.shop.svc.cluster.local }
    - destination: { host: web.shop.svc.cluster.local, subset: v9 }
      weight: 0
`;
  test.each([['named', 'primary'], ['unnamed', '']])('a %s route: its destination\'s line and column', (_kind, name) => {
    const r = run('lint', tmpFile('vs.yaml', vs(name)), '--complete', '--format', 'json');
    const report = JSON.parse(r.stdout);
    const finding = report.errors.find((v: any) => v.code === 'VS-16');
    expect(finding.message).toMatch(name ? /^route "primary" destination 1 / : /^http\[1\] destination 1 /);
    expect({ line: finding.line, column: finding.column }).toEqual({ line: name ? 12 : 11, column: 7 });
  });
});

describe('output formats', () => {
  test('SARIF 2.1.0 output is a valid SARIF log with rules, levels and locations', () => {
    const r = run('lint', bad, '--format', 'sarif');
    const log = JSON.parse(r.stdout);
    expect(log).toBeValidSarifLog();
    expect(log.version).toBe('2.1.0');
    const results = log.runs[0].results;
    const vs18 = results.find((x: any) => x.ruleId === 'VS-18');
    expect(vs18.level).toBe('error');
    expect(vs18.locations[0].physicalLocation.artifactLocation.uri).toMatch(/vs-unsafe-retries\.yaml$/);
    expect(vs18.locations[0].physicalLocation.region).toEqual({ startLine: 8, startColumn: 5 });
    expect(log.runs[0].tool.driver.rules.find((x: any) => x.id === 'VS-18').helpUri).toMatch(/docs\/rules\.md#vs-18$/);
    expect(log.runs[0].tool.driver.rules.map((x: any) => x.id)).toEqual(expect.arrayContaining(['VS-18', 'SCHEMA', 'SUPPRESSION']));
  });

  test('suppressed findings appear in SARIF with their justification', () => {
    const r = run('lint', path.join(seeds, '001-commerce.yaml'), '--format', 'sarif');
    const log = JSON.parse(r.stdout);
    expect(log).toBeValidSarifLog();
    const suppressed = log.runs[0].results.filter((x: any) => x.suppressions);
    expect(suppressed).toHaveLength(1);
    expect(suppressed[0].suppressions[0].justification).toMatch(/shadow mode/);
  });

  test('JSON output carries code, severity, path, message and fix', () => {
    const r = run('lint', path.join(bad, 'vs-weights.yaml'), '--format', 'json');
    expect(JSON.parse(r.stdout).errors[0]).toEqual(expect.objectContaining({
      code: 'VS-11', severity: 'error', path: expect.stringMatching(/vs-weights\.yaml:\d+:\d+$/), value: 110, allowed: 'sum of 100',
      file: expect.stringMatching(/vs-weights\.yaml$/), line: expect.any(Number), column: expect.any(Number), docs: expect.stringMatching(/docs\/rules\.md#vs-11$/),
    }));
    expect(JSON.parse(r.stdout).errors[0].line).toBeGreaterThan(2);
  });
});

describe('options', () => {
  test('--strict turns warnings into errors', () => {
    const file = tmpFile('mirror.yaml', fs.readFileSync(path.join(seeds, '001-commerce.yaml'), 'utf8').replace(/ {4}suppress.*\n/, '').replace(/ {2}annotations:\n/, ''));
    expect(run('lint', file).code).toBe(0);
    const strict = run('lint', file, '--strict');
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/error VS-25/);
  });

  test('--suppress CODE=reason suppresses everywhere; without a reason it is a usage error', () => {
    const file = path.join(bad, 'vs-weights.yaml');
    const r = run('lint', file, '--suppress', 'VS-11=weights normalised by Argo Rollouts');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/suppressed VS-11: .*\(reason: weights normalised by Argo Rollouts\)/);
    expect(run('lint', file, '--suppress', 'VS-11').code).toBe(2);
  });

  test('a suppression naming an unknown code or giving an empty reason is an error', () => {
    // On the command line an unknown code is a usage error (exit 2); in an annotation it is a SUPPRESSION finding.
    const cli = run('lint', path.join(bad, 'vs-weights.yaml'), '--suppress', 'VS-99=because');
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/--suppress "VS-99": not a rule code/);
    const annotated = tmpFile('unknown-code.yaml', fs.readFileSync(path.join(bad, 'vs-weights.yaml'), 'utf8')
      .replace('metadata: { name: api, namespace: shop }', 'metadata:\n  name: api\n  namespace: shop\n  annotations:\n    suppress.traffic.cdk8s-istio-traffic.io/VS-99: "because"'));
    expect(run('lint', annotated).stdout).toMatch(/error SUPPRESSION: suppression names unknown rule code "VS-99"/);
    const file = tmpFile('empty-reason.yaml', fs.readFileSync(path.join(bad, 'vs-weights.yaml'), 'utf8')
      .replace('metadata: { name: api, namespace: shop }', 'metadata:\n  name: api\n  namespace: shop\n  annotations:\n    suppress.traffic.cdk8s-istio-traffic.io/VS-11: ""'));
    const r = run('lint', file);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/error SUPPRESSION: suppression of VS-11 gives no reason/);
  });
});

describe('bad input', () => {
  test('invalid YAML names the file and line, exit 2, no stack trace', () => {
    const file = tmpFile('broken.yaml', 'apiVersion: networking.istio.io/v1\nkind: VirtualService\nspec: [\n  hosts: x\n');
    const r = run('lint', file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: invalid YAML`));
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });

  test('a missing file is exit 2 with its name', () => {
    const r = run('lint', '/nonexistent/file.yaml');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\/nonexistent\/file\.yaml: cannot read \(ENOENT\)/);
  });

  test('an unknown format or option is a usage error (exit 2)', () => {
    expect(run('lint', seeds, '--format', 'xml').code).toBe(2);
    expect(run('lint', seeds, '--frobnicate').code).toBe(2);
    expect(run('nonsense').code).toBe(2);
  });

  test('non-Istio kinds are ignored', () => {
    const file = tmpFile('mixed.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\ndata: { a: b }\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: { name: d }\nspec: {}\n');
    const r = run('lint', file, '--format', 'json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).summary).toEqual(expect.objectContaining({ objects: 0, errors: 0, warnings: 0 }));
  });
});

test('the installed bin reads stdin and exits 1 on violations', () => {
  const bin = path.join(__dirname, '..', '..', 'bin', 'cdk8s-istio-traffic.js');
  const r = spawnSync(process.execPath, [bin, 'lint', '-'], { input: fs.readFileSync(path.join(bad, 'vs-timeout-budget.yaml')), encoding: 'utf8' });
  expect(r.status).toBe(1);
  expect(r.stdout).toMatch(/<stdin>:\d+:\d+: error VS-19/);
});

describe('lint input and options', () => {
  test('an unknown code in --enable or --suppress is a usage error (exit 2), not silently ignored', () => {
    const file = tmpFile('a.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n');
    const enable = run('lint', file, '--enable', 'VS-99');
    expect(enable.code).toBe(2);
    expect(enable.stderr).toContain('--enable "VS-99": not a rule code');
    const suppress = run('lint', file, '--suppress', 'XX-01=typo');
    expect(suppress.code).toBe(2);
    expect(suppress.stderr).toContain('--suppress "XX-01": not a rule code');
  });

  test('--enable of a rule that always runs is a usage error naming the opt-in rules', () => {
    const file = tmpFile('a.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n');
    const r = run('lint', file, '--enable', 'VS-18');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('VS-37');
  });

  test('--enable and --suppress of known codes are accepted', () => {
    const file = tmpFile('a.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n');
    expect(run('lint', file, '--enable', 'VS-37', '--suppress', 'VS-25=shadow traffic only').code).toBe(0);
  });

  test('a directory without manifests is exit 2 ("no files matched"), not a clean run', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lint-empty-'));
    fs.writeFileSync(path.join(dir, 'README.md'), '# not yaml');
    const r = run('lint', dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no files matched');
  });

  test('kinds that are neither Istio kinds nor context are counted and named in the summary (text and JSON)', () => {
    const file = tmpFile('a.yaml', [
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n',
      'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n',
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports: [{ port: 80 }]\n',
    ].join('---\n'));
    const text = run('lint', file);
    expect(text.stdout).toContain('3 object(s) of 2 kind(s) not checked (not Istio kinds): example.com/v1 Widget (1), v1 ConfigMap (2)');
    const json = JSON.parse(run('lint', file, '--format', 'json').stdout);
    expect(json.summary.unchecked).toEqual({ 'example.com/v1 Widget': 1, 'v1 ConfigMap': 2 });
  });

  test('older apiVersions and other Istio kinds are schema-checked: a typo in a v1alpha3 DestinationRule is found', () => {
    const file = tmpFile('dr.yaml', [
      'apiVersion: networking.istio.io/v1alpha3\nkind: DestinationRule\nmetadata:\n  name: r\n  namespace: shop\nspec:\n  host: reviews.shop.svc.cluster.local\n  trafficPolicy:\n    connectionPool:\n      tcp:\n        maxConnection: 10\n',
      'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata:\n  name: p\n  namespace: shop\nspec:\n  action: PERMIT\n',
    ].join('---\n'));
    const r = JSON.parse(run('lint', file, '--format', 'json').stdout);
    const schema = r.errors.filter((v: any) => v.code === 'SCHEMA').map((v: any) => v.message);
    expect(schema).toEqual([
      expect.stringContaining('spec.trafficPolicy.connectionPool.tcp.maxConnection unknown field "maxConnection"'),
      expect.stringContaining('spec.action'),
    ]);
    expect(r.errors.some((v: any) => /not covered/.test(v.message))).toBe(false);
  });
});

describe('one object per kind, namespace and name', () => {
  const dr = (host: string) => `apiVersion: networking.istio.io/v1alpha3\nkind: DestinationRule\nmetadata:\n  name: reviews\n  namespace: shop\nspec:\n  host: ${host}\n`;

  test('in a later file it replaces the earlier definition, as kubectl apply -f DIR does: a warning naming both, and only the later one is checked', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lint-dup-'));
    fs.writeFileSync(path.join(dir, 'a.yaml'), dr('reviews.shop.svc.cluster.local'));
    fs.writeFileSync(path.join(dir, 'b.yaml'), dr('ratings.shop.svc.cluster.local'));
    const r = JSON.parse(run('lint', dir, '--format', 'json').stdout);
    expect(r.errors).toEqual([]);
    const dup = r.warnings.filter((v: any) => v.code === 'DUPLICATE');
    expect(dup).toHaveLength(1);
    expect(dup[0].path).toMatch(/b\.yaml:1$/);
    expect(dup[0].message).toContain('a.yaml:1');
    expect(r.summary.objects).toBe(1);
    // Two definitions of one host would otherwise conflict with themselves (DR-19).
    expect([...r.errors, ...r.warnings].map((v: any) => v.code)).not.toContain('DR-19');
  });

  test('a different object with the identity of an earlier one in the same file is a DUPLICATE error', () => {
    const r = JSON.parse(run('lint', tmpFile('both.yaml', `${dr('reviews.shop.svc.cluster.local')}---\n${dr('ratings.shop.svc.cluster.local')}`), '--format', 'json').stdout);
    const dup = r.errors.filter((v: any) => v.code === 'DUPLICATE');
    expect(dup).toHaveLength(1);
    expect(dup[0].message).toContain('both.yaml:1');
  });

  test('the same object in two files is one object, not a duplicate', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lint-dup-'));
    fs.writeFileSync(path.join(dir, 'a.yaml'), dr('reviews.shop.svc.cluster.local'));
    fs.writeFileSync(path.join(dir, 'b.yaml'), dr('reviews.shop.svc.cluster.local'));
    const r = JSON.parse(run('lint', dir, '--format', 'json').stdout);
    expect(r.errors.filter((v: any) => v.code === 'DUPLICATE')).toEqual([]);
  });
});
