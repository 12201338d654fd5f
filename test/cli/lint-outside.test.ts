import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../src/cli/main';

function lint(text: string, ...args: string[]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lint-ns-'));
  const file = path.join(dir, 'in.yaml');
  fs.writeFileSync(file, text);
  let stdout = '';
  let stderr = '';
  const code = main(['lint', file, '--format', 'json', ...args], { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } });
  return { code, report: stdout ? JSON.parse(stdout) : undefined, stderr };
}

const VS = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts:
  - reviews
  http:
  - route:
    - destination:
        host: reviews
`;

test('--namespace places namespace-less objects as kubectl apply -n does: short hosts resolve there (no X-04)', () => {
  const without = lint(VS);
  expect(without.report.warnings.map((w: any) => w.code)).toContain('X-04');
  const withNs = lint(VS, '--namespace', 'bookinfo');
  expect(withNs.report.warnings.map((w: any) => w.code)).not.toContain('X-04');
  expect(withNs.code).toBe(0);
});

test('--namespace that is not a DNS label is a usage error (exit 2)', () => {
  const r = lint(VS, '-n', 'Not_A_Namespace');
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('--namespace "Not_A_Namespace"');
});

describe('subsets of hosts whose DestinationRule is outside the input (VS-16)', () => {
  const toV2 = VS.replace('        host: reviews\n', '        host: reviews\n        subset: v2\n');
  const inventory = (text: string) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lint-inv-'));
    fs.writeFileSync(path.join(dir, 'inventory.yaml'), text);
    return path.join(dir, 'inventory.yaml');
  };

  test('are noted as not checked, not reported, unless --complete', () => {
    const partial = lint(toV2, '-n', 'bookinfo');
    expect(partial.report.errors.map((e: any) => e.code)).not.toContain('VS-16');
    expect(partial.report.summary.notChecked).toEqual([expect.stringContaining('subset "v2" of reviews.bookinfo.svc.cluster.local')]);
    const complete = lint(toV2, '-n', 'bookinfo', '--complete');
    expect(complete.report.errors.map((e: any) => e.code)).toContain('VS-16');
    expect(complete.report.summary.notChecked).toEqual([]);
  });

  test('are checked against the subsets the inventory declares', () => {
    const has = inventory('subsets:\n  reviews.bookinfo.svc.cluster.local: [v1, v2]\n');
    expect(lint(toV2, '-n', 'bookinfo', '--inventory', has).report.errors.map((e: any) => e.code)).not.toContain('VS-16');
    const lacks = inventory('subsets:\n  reviews.bookinfo.svc.cluster.local: [v1]\n');
    const r = lint(toV2, '-n', 'bookinfo', '--inventory', lacks);
    expect(r.report.errors.find((e: any) => e.code === 'VS-16').message).toContain('not among the defined subsets (v1)');
    expect(lint(toV2, '--inventory', inventory('subsets: [v1]\n')).code).toBe(2);
  });

  test('when the DestinationRule is in the input and lacks the subset, it stays an error', () => {
    const withDr = `${toV2}---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
spec:
  host: reviews
  subsets:
  - name: v1
    labels:
      version: v1
`;
    expect(lint(withDr, '-n', 'bookinfo').report.errors.map((e: any) => e.code)).toContain('VS-16');
  });
});

test('a directory scan skips node_modules and hidden folders, but reads them when named', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lint-skip-'));
  for (const dir of ['node_modules/pkg', '.github/workflows', 'manifests']) fs.mkdirSync(path.join(root, dir), { recursive: true });
  const broken = 'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: x\nspec:\n  hosts: [a]\n  http: [{ route: [{ destination: { host: a } }], retries: { attempts: -1 } }]\n';
  fs.writeFileSync(path.join(root, 'node_modules/pkg/vs.yaml'), broken);
  fs.writeFileSync(path.join(root, '.github/workflows/ci.yaml'), 'on: push\njobs: {}\n');
  fs.writeFileSync(path.join(root, 'manifests/vs.yaml'), VS);
  let stdout = '';
  const run = (...args: string[]) => {
    stdout = '';
    return main(['lint', ...args, '--format', 'json'], { stdout: (t) => { stdout += t; }, stderr: () => undefined });
  };
  expect(run(root, '-n', 'shop')).toBe(0);
  expect(JSON.parse(stdout).summary.files).toBe(1);
  expect(run(path.join(root, 'node_modules'))).toBe(1);
});

test('findings say how to suppress them: a text footer and a JSON field per rule finding (none for SCHEMA)', () => {
  const weights = VS.replace('        host: reviews\n', '        host: reviews\n      weight: 90\n    - destination:\n        host: reviews\n      weight: 20\n');
  const json = lint(weights, '-n', 'shop');
  const vs11 = json.report.errors.find((e: any) => e.code === 'VS-11');
  expect(vs11.suppress).toBe('annotation suppress.traffic.cdk8s-istio-traffic.io/VS-11: "<reason>" on the object, or --suppress "VS-11=<reason>"');
  const schema = lint(VS.replace('  hosts:', '  hostz: [a]\n  hosts:'), '-n', 'shop').report.errors.find((e: any) => e.code === 'SCHEMA');
  expect(schema.suppress).toBeUndefined();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lint-text-'));
  fs.writeFileSync(path.join(dir, 'w.yaml'), weights);
  let stdout = '';
  main(['lint', path.join(dir, 'w.yaml'), '-n', 'shop'], { stdout: (t) => { stdout += t; }, stderr: () => undefined });
  expect(stdout).toContain('To accept a finding on purpose, suppress it with a written reason: annotation suppress.traffic.cdk8s-istio-traffic.io/<CODE>');
});

test('objects only the schema reads (security, telemetry kinds) count as Istio objects in the summary; other kinds do not', () => {
  const policy = 'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: deny, namespace: shop}\nspec: {}\n';
  const telemetry = 'apiVersion: telemetry.istio.io/v1\nkind: Telemetry\nmetadata: {name: t, namespace: shop}\nspec: {}\n';
  const configMap = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n';
  const r = lint([policy, telemetry, VS, configMap].join('---\n'));
  expect(r.code).toBe(0);
  expect(r.report.summary.objects).toBe(3);
  // A kind the Istio CRDs do not define is a SCHEMA error, not an Istio object.
  const unknown = lint([policy, 'apiVersion: security.istio.io/v1\nkind: NotAKind\nmetadata: {name: x, namespace: shop}\n'].join('---\n'));
  expect(unknown.report.errors.map((e: any) => e.code)).toEqual(['SCHEMA']);
  expect(unknown.report.summary.objects).toBe(1);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lint-count-')), 'policy.yaml');
  fs.writeFileSync(file, policy);
  let text = '';
  expect(main(['lint', file], { stdout: (t) => { text += t; }, stderr: () => undefined })).toBe(0);
  expect(text).toMatch(/in 1 Istio object\(s\) from 1 file\(s\)/);
});
