import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { IPluginValidationContext, IstioTrafficValidation } from '../src/plugin';

const root = path.join(__dirname, '..');

/** A fake of cdk8s-cli's ValidationContext that records what the plugin reports. */
function fakeContext(files: Record<string, string>) {
  const violations: any[] = [];
  let status: string | undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plugin-'));
  const manifests = Object.entries(files).map(([name, text]) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  });
  const context: IPluginValidationContext = {
    manifests,
    report: { addViolation: (v) => violations.push(v), submit: (s) => { status = s; } },
    parseManifest: (p) => YAML.parseAllDocuments(fs.readFileSync(p, 'utf8')).map((d) => d.toJS()),
  };
  return { context, violations, status: () => status };
}

const BROKEN_VS = 'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: { name: orders, namespace: shop }\nspec:\n  hosts: [orders]\n  http:\n  - route: [{ destination: { host: orders }, weight: 40 }]\n';

test('the plugin reports violations grouped by rule code, with resource names, and fails', async () => {
  const { context, violations, status } = fakeContext({ 'shop.k8s.yaml': BROKEN_VS });
  await new IstioTrafficValidation().validate(context);
  expect(status()).toBe('failure');
  expect(violations).toHaveLength(1);
  expect(violations[0]).toEqual(expect.objectContaining({ ruleName: 'VS-12' }));
  expect(violations[0].violatingResources[0]).toEqual(expect.objectContaining({ resourceName: 'orders', manifestPath: context.manifests[0] }));
});

test('the plugin passes clean manifests, and warnings alone do not fail', async () => {
  const seeds = path.join(root, 'test', 'fixtures', 'seeds');
  const files = Object.fromEntries(fs.readdirSync(seeds).filter((f) => /^\d.*\.yaml$/.test(f)).map((f) => [f, fs.readFileSync(path.join(seeds, f), 'utf8')]));
  const { context, violations, status } = fakeContext(files);
  await new IstioTrafficValidation().validate(context);
  expect(violations).toEqual([]);
  expect(status()).toBe('success');
});

test('plugin properties: strict turns warnings into failures, suppress silences a code', async () => {
  const mirror = 'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: { name: orders, namespace: shop }\nspec:\n  hosts: [orders.shop.svc.cluster.local]\n  http:\n  - route: [{ destination: { host: orders.shop.svc.cluster.local } }]\n    mirror: { host: orders-shadow.shop.svc.cluster.local }\n    mirrorPercentage: { value: 5 }\n';
  const lax = fakeContext({ 'a.yaml': mirror });
  await new IstioTrafficValidation().validate(lax.context);
  expect(lax.status()).toBe('success');
  expect(lax.violations.map((v) => v.ruleName)).toEqual(['VS-25 (warning)']);
  const strict = fakeContext({ 'a.yaml': mirror });
  await new IstioTrafficValidation({ strict: true }).validate(strict.context);
  expect(strict.status()).toBe('failure');
  const suppressed = fakeContext({ 'a.yaml': mirror });
  await new IstioTrafficValidation({ suppress: { 'VS-25': 'shadow reads only' } }).validate(suppressed.context);
  expect(suppressed.violations).toEqual([]);
});

describe('cdk8s synth with the plugin in cdk8s.yaml', () => {
  function appDir(appSource: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plugin-app-'));
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.symlinkSync(root, path.join(dir, 'node_modules', 'cdk8s-istio-traffic'));
    for (const dep of ['cdk8s', 'constructs']) fs.symlinkSync(path.join(root, 'node_modules', dep), path.join(dir, 'node_modules', dep));
    fs.writeFileSync(path.join(dir, 'app.js'), appSource);
    fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), [
      'language: typescript', 'app: node app.js', 'validations:',
      '  - package: ./node_modules/cdk8s-istio-traffic', '    class: IstioTrafficValidation', `    version: ${require('../package.json').version}`, '',
    ].join('\n'));
    return dir;
  }
  const synth = (dir: string) => spawnSync(process.execPath, [path.join(root, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s'), 'synth', '--no-check-upgrade'],
    { cwd: dir, encoding: 'utf8', timeout: 120_000, env: { ...process.env, CI: 'true' } });
  const app = (spec: string) => `const { App, Chart } = require('cdk8s');
const { VirtualService } = require('cdk8s-istio-traffic/lib/imports/istio-networking.istio.io');
const app = new App();
const chart = new Chart(app, 'shop', { namespace: 'shop' });
new VirtualService(chart, 'orders', { metadata: { name: 'orders' }, spec: ${spec} });
app.synth();
`;

  test('a broken hand-written VirtualService fails synth with the rule code and construct path', () => {
    const r = synth(appDir(app("{ hosts: ['orders'], http: [{ route: [{ destination: { host: 'orders' }, weight: 40 }] }] }")));
    const out = `${r.stdout}${r.stderr}`;
    expect(r.status).not.toBe(0);
    expect(out).toMatch(/VS-12/);
    expect(out).toMatch(/Construct Path: shop\/orders/);
  });

  test('a clean app synthesizes with the plugin', () => {
    const r = synth(appDir(app("{ hosts: ['orders'], http: [{ route: [{ destination: { host: 'orders' } }] }] }")));
    expect(`${r.stdout}${r.stderr}`).toMatch(/Status\s*│ success/);
    expect(r.status).toBe(0);
  });
});
