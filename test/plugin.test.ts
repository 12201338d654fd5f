import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { IPluginValidationContext, IstioTrafficValidation, IstioTrafficValidationProps } from '../src/plugin';
import { analyze, RULES } from '../src/rules';
import { SYNTH_RECORD, SynthRecordObject, writeSynthRecord } from '../src/synth/synth-record';

const root = path.join(__dirname, '..');
const VERSION: string = require('../package.json').version;
// cdk8s-cli's own ValidationContext and ValidationReport: what they print and record is what the tests check.
const { ValidationContext } = require('cdk8s-cli/plugins');

/** Manifest files in a fresh directory. */
function write(files: Record<string, string>): { dir: string; manifests: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plugin-'));
  const manifests = Object.entries(files).map(([name, text]) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  });
  return { dir, manifests };
}

/** cdk8s-cli's ValidationContext over `files`, with construct metadata as construct-metadata.json gives it. */
function cliContext(files: Record<string, string>, options: { version?: string; metadata?: Record<string, { path: string }> } = {}) {
  const { dir, manifests } = write(files);
  const context = new ValidationContext(manifests, '/apps/x/node_modules/cdk8s-istio-traffic', options.version ?? VERSION, options.metadata ?? {}, false);
  const run = (props: IstioTrafficValidationProps = {}) => new IstioTrafficValidation(props).validate(context as IPluginValidationContext);
  return { dir, manifests, context, run, json: () => context.report.toJson(), printed: () => String(context.report) };
}

/** A minimal context without version or logger (another host of the plugin contract). */
function fakeContext(files: Record<string, string>) {
  const violations: any[] = [];
  let status: string | undefined;
  const { manifests } = write(files);
  const context: IPluginValidationContext = {
    manifests,
    report: { addViolation: (v) => violations.push(v), submit: (s) => { status = s; } },
    parseManifest: (p) => YAML.parseAllDocuments(fs.readFileSync(p, 'utf8')).map((d) => d.toJS()),
  };
  return { context, violations, status: () => status };
}

const BROKEN_VS = 'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: { name: orders, namespace: shop }\nspec:\n  hosts: [orders]\n  http:\n  - route: [{ destination: { host: orders }, weight: 40 }]\n';
const MIRROR_VS = 'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: { name: orders, namespace: shop }\nspec:\n  hosts: [orders.shop.svc.cluster.local]\n  http:\n  - route: [{ destination: { host: orders.shop.svc.cluster.local } }]\n    mirror: { host: orders-shadow.shop.svc.cluster.local }\n    mirrorPercentage: { value: 5 }\n';
/** A DestinationRule and a VirtualService sharing the name `orders` (lines 1 and 8), and a VirtualService `payments` (line 16). */
const SAME_NAME = [
  'apiVersion: networking.istio.io/v1', 'kind: DestinationRule', 'metadata: { name: orders, namespace: shop }', 'spec:', '  host: orders',
  '  subsets: [{ name: v1, labels: { version: v1 } }, { name: v2, labels: { version: v2 } }]',
  '---',
  'apiVersion: networking.istio.io/v1', 'kind: VirtualService', 'metadata: { name: orders, namespace: shop }', 'spec:', '  hosts: [orders]', '  http:',
  '  - route: [{ destination: { host: orders, subset: v1 }, weight: 40 }]',
  '---',
  'apiVersion: networking.istio.io/v1', 'kind: VirtualService', 'metadata: { name: payments, namespace: shop }', 'spec:', '  hosts: [payments]', '  http:',
  '  - route: [{ destination: { host: payments }, weight: 40 }]', '',
].join('\n');
const rule = (code: string) => RULES.find((r) => r.code === code)!;

describe('attribution: each finding names its own object', () => {
  const metadata = { orders: { path: 'shop/orders-vs' }, payments: { path: 'shop/payments' } };

  test('a name two manifest documents share gets no construct path (cdk8s-cli would find the other object\'s), with kind, namespace, name and file:line', async () => {
    const c = cliContext({ 'shop.k8s.yaml': SAME_NAME }, { metadata });
    await c.run();
    const file = c.manifests[0];
    const byRule = Object.fromEntries(c.json().violations.map((v: any) => [v.ruleName.split(':')[0], v.violatingConstructs]));
    expect(byRule['DR-05 (warning)']).toEqual([{
      resourceName: 'DestinationRule shop/orders', manifestPath: file, constructPath: undefined,
      locations: [`DestinationRule shop/orders (${file}:1): subset "v2" of orders.shop.svc.cluster.local is not routed to by any VirtualService in the App`],
    }]);
    expect(byRule['VS-12 (error)'][0]).toEqual(expect.objectContaining({ resourceName: 'VirtualService shop/orders', constructPath: undefined }));
    expect(byRule['VS-12 (error)'][0].locations).toEqual([expect.stringMatching(new RegExp(`^VirtualService shop/orders \\(${file.replace(/[.\\]/g, '\\$&')}:8\\): http\\[0\\]`))]);
    expect(c.printed()).not.toContain('Construct Path: shop/orders-vs');
  });

  test('a name no other document has is passed as is, so cdk8s-cli shows its construct path', async () => {
    const c = cliContext({ 'shop.k8s.yaml': SAME_NAME }, { metadata });
    await c.run();
    const vs12 = c.json().violations.find((v: any) => v.ruleName.startsWith('VS-12')).violatingConstructs;
    expect(vs12[1]).toEqual(expect.objectContaining({ resourceName: 'payments', constructPath: 'shop/payments', manifestPath: c.manifests[0] }));
    expect(vs12[1].locations).toEqual([expect.stringContaining(`VirtualService shop/payments (${c.manifests[0]}:16): `)]);
    expect(c.printed()).toContain('Construct Path: shop/payments');
  });

  test('names are counted across every manifest file and kind', async () => {
    const service = 'apiVersion: v1\nkind: Service\nmetadata: { name: orders, namespace: shop }\nspec: { selector: { app: orders }, ports: [{ port: 80 }] }\n';
    const c = cliContext({ 'a.k8s.yaml': BROKEN_VS, 'b.k8s.yaml': service }, { metadata: { orders: { path: 'other/Service' } } });
    await c.run();
    expect(c.json().violations[0].violatingConstructs[0]).toEqual(expect.objectContaining({ resourceName: 'VirtualService shop/orders', constructPath: undefined }));
  });

  test('with --stdout (temporary files) a location names the file alone', async () => {
    const { manifests } = write({ 'shop.k8s.yaml': BROKEN_VS });
    const context = new ValidationContext(manifests, 'pkg', VERSION, {}, true);
    await new IstioTrafficValidation().validate(context);
    const [resource] = context.report.toJson().violations[0].violatingConstructs;
    expect(resource.manifestPath).toBe('STDOUT');
    expect(resource.locations).toEqual([expect.stringMatching(/^VirtualService shop\/orders \(shop\.k8s\.yaml:1\): http\[0\]/)]);
  });

  test('a finding about the plugin\'s own properties points at cdk8s.yaml', async () => {
    const c = cliContext({ 'a.yaml': MIRROR_VS });
    await c.run({ suppress: { 'VS-99': 'no such rule' } });
    const suppression = c.json().violations.find((v: any) => v.ruleName.startsWith('SUPPRESSION'));
    expect(suppression.violatingConstructs[0]).toEqual(expect.objectContaining({ resourceName: 'validations[].properties', manifestPath: 'cdk8s.yaml' }));
    expect(c.json().summary.status).toBe('failure');
  });
});

describe('what each field of a violation says', () => {
  test('the rule name gives code, severity and title; the recommendation is the rule\'s why, not the message; the fix links the rule\'s docs', async () => {
    const c = cliContext({ 'shop.k8s.yaml': BROKEN_VS });
    await c.run();
    const [v] = c.json().violations;
    expect(v.ruleName).toBe(`VS-12 (error): ${rule('VS-12').title}`);
    expect(v.recommendation).toBe(rule('VS-12').why);
    expect(v.recommendation).not.toContain('weight 40');
    expect(v.violatingConstructs[0].locations[0]).toContain('http[0] has a single destination with weight 40');
    expect(v.fix).toBe(`${rule('VS-12').fix} (see https://github.com/cdk8s-istio-traffic/cdk8s-istio-traffic/blob/main/docs/rules.md#vs-12)`);
    expect(c.json().summary.status).toBe('failure');
  });

  test('fixes that differ per finding go into the locations, the rule\'s fix and docs address into How to fix', async () => {
    const tcp = (name: string, routes: string) => `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: { name: ${name}, namespace: shop }\nspec:\n  hosts: [${name}]\n  tcp:\n${routes}`;
    const a = tcp('a', '  - route: [{ destination: { host: a } }]\n  - match: [{ port: 81 }]\n    route: [{ destination: { host: a } }]\n');
    const b = tcp('b', '  - match: [{ port: 80 }]\n    route: [{ destination: { host: b } }]\n  - route: [{ destination: { host: b } }]\n  - match: [{ port: 81 }]\n    route: [{ destination: { host: b } }]\n');
    const c = cliContext({ 'a.yaml': a, 'b.yaml': b });
    await c.run();
    const shadowed = c.json().violations.filter((v: any) => v.ruleName.startsWith('VS-07 (error)'));
    expect(shadowed).toHaveLength(1);
    const locations = shadowed[0].violatingConstructs.flatMap((r: any) => r.locations);
    expect(locations).toEqual([
      expect.stringMatching(/^VirtualService shop\/a \(.*a\.yaml:1\): spec\.tcp\[1\] follows spec\.tcp\[0\], .* \(fix: Move spec\.tcp\[0\] to the end of spec\.tcp\.\)$/),
      expect.stringMatching(/^VirtualService shop\/b \(.*b\.yaml:1\): spec\.tcp\[2\] follows spec\.tcp\[1\], .* \(fix: Move spec\.tcp\[1\] to the end of spec\.tcp\.\)$/),
    ]);
    expect(shadowed[0].fix).toBe(`${rule('VS-07').fix} (see https://github.com/cdk8s-istio-traffic/cdk8s-istio-traffic/blob/main/docs/rules.md#vs-07)`);
  });
});

describe('a clean run prints one line', () => {
  test('no findings: the report prints as the summary line, its JSON keeps the figures', async () => {
    const c = cliContext({ 'a.yaml': MIRROR_VS.replace(/    mirror.*\n.*\n/, '') });
    await c.run();
    expect(c.printed()).toBe(`cdk8s-istio-traffic ${VERSION}: success, 1 Istio object(s) checked: 0 error(s), 0 warning(s), 0 suppressed`);
    expect(c.json().summary).toEqual(expect.objectContaining({ status: 'success', metadata: { 'Istio objects': '1', 'errors': '0', 'warnings': '0', 'suppressed': '0' } }));
  });

  test('findings keep cdk8s-cli\'s table', async () => {
    const c = cliContext({ 'a.yaml': MIRROR_VS });
    await c.run();
    expect(c.printed()).toContain('(Summary)');
    expect(c.printed()).toContain('VS-25 (warning): No mirroring of write paths (1 occurrences)');
    expect(c.json().summary.status).toBe('success');
  });

  test('a host whose report takes no new string form gets the line in its log', async () => {
    const lines: string[] = [];
    const { manifests } = write({ 'a.yaml': MIRROR_VS.replace(/    mirror.*\n.*\n/, '') });
    const report = Object.freeze({ addViolation: () => undefined, submit: () => undefined });
    await new IstioTrafficValidation().validate({ manifests, report, logger: { log: (m) => lines.push(m) }, parseManifest: (p) => YAML.parseAllDocuments(fs.readFileSync(p, 'utf8')).map((d) => d.toJS()) });
    expect(lines).toEqual([expect.stringMatching(/^cdk8s-istio-traffic .*: success, 1 Istio object\(s\) checked/)]);
  });
});

describe('warnings the synth-time engine already reported', () => {
  /** The VS-25 warning of MIRROR_VS, as the engine words it. */
  const mirrorWarning = () => {
    const [w] = analyze([{ manifest: YAML.parse(MIRROR_VS), path: 'x' }]).warnings;
    expect(w.code).toBe('VS-25');
    return w;
  };
  /** The record a synth writes next to the manifests (cdk8s-cli asks for construct metadata). */
  const record = (dir: string, warnings: Array<{ code: string; message: string }>, objects: SynthRecordObject[] = []) => writeSynthRecord(dir, objects, warnings);

  test('are counted in the summary line, not repeated, when the synth record lists them', async () => {
    const c = cliContext({ 'a.yaml': MIRROR_VS });
    record(c.dir, [mirrorWarning()]);
    await c.run();
    expect(c.json().violations).toEqual([]);
    expect(c.printed()).toBe(`cdk8s-istio-traffic ${VERSION}: success, 1 Istio object(s) checked: 0 error(s), 1 warning(s) (1 already reported at synth, not repeated), 0 suppressed`);
    expect(c.json().summary.metadata['reported at synth']).toBe('1 warning(s), not repeated here');
  });

  test('a warning the synth did not report is shown', async () => {
    const c = cliContext({ 'a.yaml': MIRROR_VS });
    record(c.dir, [{ ...mirrorWarning(), message: 'another finding' }]);
    await c.run();
    expect(c.json().violations.map((v: any) => v.ruleName)).toEqual([`VS-25 (warning): ${rule('VS-25').title}`]);
    expect(c.json().summary.metadata['reported at synth']).toBeUndefined();
  });

  test('are all shown when the record is older than the manifests (not from this synth)', async () => {
    const c = cliContext({ 'a.yaml': MIRROR_VS });
    record(c.dir, [mirrorWarning()]);
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(path.join(c.dir, SYNTH_RECORD), old, old);
    await c.run();
    expect(c.json().violations).toHaveLength(1);
    expect(c.json().summary.metadata['reported at synth']).toBeUndefined();
  });

  test('a record one level up (folder-per-chart output) counts too', async () => {
    const c = cliContext({ 'a.yaml': MIRROR_VS });
    const chart = path.join(c.dir, 'shop');
    fs.mkdirSync(chart);
    fs.renameSync(c.manifests[0], path.join(chart, 'a.yaml'));
    record(c.dir, [mirrorWarning()]);
    const context = new ValidationContext([path.join(chart, 'a.yaml')], 'pkg', VERSION, {}, false);
    await new IstioTrafficValidation().validate(context);
    expect(context.report.toJson().violations).toEqual([]);
  });

  test('the record names the construct of each finding', async () => {
    const c = cliContext({ 'a.yaml': MIRROR_VS });
    const vs = YAML.parse(MIRROR_VS);
    record(c.dir, [], [{ kind: vs.kind, namespace: vs.metadata.namespace, name: vs.metadata.name, path: 'shop/orders' }]);
    await c.run();
    const [v] = c.json().violations;
    expect(v.violatingConstructs[0].locations[0]).toMatch(/, construct shop\/orders\): /);
  });

  test('strict still fails on them: a warning made an error is not hidden', async () => {
    const c = cliContext({ 'a.yaml': MIRROR_VS });
    record(c.dir, [mirrorWarning()]);
    await c.run({ strict: true });
    expect(c.json().summary.status).toBe('failure');
    expect(c.json().violations.map((v: any) => v.ruleName)).toEqual([`VS-25 (error): ${rule('VS-25').title}`]);
  });

  test('without a record (the plugin alone, raw objects) every warning is shown', async () => {
    const c = cliContext({ 'a.yaml': MIRROR_VS });
    await c.run();
    expect(c.json().violations).toHaveLength(1);
    expect(c.json().summary.metadata['reported at synth']).toBeUndefined();
  });
});

describe('version in cdk8s.yaml', () => {
  test('another version than the package\'s fails the run, naming both, and checks nothing', async () => {
    const c = cliContext({ 'a.yaml': BROKEN_VS }, { version: '9.9.9' });
    await c.run();
    expect(c.json().summary.status).toBe('failure');
    const [v] = c.json().violations;
    expect(v.ruleName).toBe('version (error): cdk8s.yaml pins another cdk8s-istio-traffic version');
    expect(v.recommendation).toContain(`asks for cdk8s-istio-traffic "9.9.9", but the package cdk8s-cli loaded from /apps/x/node_modules/cdk8s-istio-traffic is ${VERSION}`);
    expect(v.fix).toBe(`Set \`version: ${VERSION}\` in the validations entry, or install cdk8s-istio-traffic@9.9.9.`);
    expect(c.json().violations).toHaveLength(1);
  });

  test('the package\'s own version runs the checks', async () => {
    const c = cliContext({ 'a.yaml': BROKEN_VS }, { version: VERSION });
    await c.run();
    expect(c.json().violations.map((v: any) => v.ruleName.split(' ')[0])).toEqual(['VS-12']);
  });

  test('a host that passes no version is not checked', async () => {
    const { context, violations, status } = fakeContext({ 'shop.k8s.yaml': BROKEN_VS });
    await new IstioTrafficValidation().validate(context);
    expect(status()).toBe('failure');
    expect(violations.map((v) => v.ruleName.split(' ')[0])).toEqual(['VS-12']);
  });
});

test('the plugin passes the seed manifests, and warnings alone do not fail', async () => {
  const seeds = path.join(root, 'test', 'fixtures', 'seeds');
  const files = Object.fromEntries(fs.readdirSync(seeds).filter((f) => /^\d.*\.yaml$/.test(f)).map((f) => [f, fs.readFileSync(path.join(seeds, f), 'utf8')]));
  const { context, violations, status } = fakeContext(files);
  await new IstioTrafficValidation().validate(context);
  expect(violations).toEqual([]);
  expect(status()).toBe('success');
});

test('plugin properties: strict turns warnings into failures, suppress silences a code', async () => {
  const lax = fakeContext({ 'a.yaml': MIRROR_VS });
  await new IstioTrafficValidation().validate(lax.context);
  expect(lax.status()).toBe('success');
  expect(lax.violations.map((v) => v.ruleName)).toEqual([`VS-25 (warning): ${rule('VS-25').title}`]);
  const strict = fakeContext({ 'a.yaml': MIRROR_VS });
  await new IstioTrafficValidation({ strict: true }).validate(strict.context);
  expect(strict.status()).toBe('failure');
  const suppressed = fakeContext({ 'a.yaml': MIRROR_VS });
  await new IstioTrafficValidation({ suppress: { 'VS-25': 'shadow reads only' } }).validate(suppressed.context);
  expect(suppressed.violations).toEqual([]);
});

describe('cdk8s synth with the plugin in cdk8s.yaml', () => {
  // The package the apps load: this checkout (`npm test` builds lib/ first), or a build of it elsewhere.
  const pkg = process.env.CDK8S_ISTIO_TRAFFIC_PACKAGE ?? root;
  function appDir(appSource: string, version = VERSION): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plugin-app-'));
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.symlinkSync(pkg, path.join(dir, 'node_modules', 'cdk8s-istio-traffic'));
    for (const dep of ['cdk8s', 'constructs']) fs.symlinkSync(path.join(root, 'node_modules', dep), path.join(dir, 'node_modules', dep));
    fs.writeFileSync(path.join(dir, 'app.js'), appSource);
    fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), [
      'language: typescript', 'app: node app.js', 'validations:',
      '  - package: ./node_modules/cdk8s-istio-traffic', '    class: IstioTrafficValidation', `    version: ${version}`, '',
    ].join('\n'));
    return dir;
  }
  const synth = (dir: string) => {
    const r = spawnSync(process.execPath, [path.join(root, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s'), 'synth', '--no-check-upgrade'],
      { cwd: dir, encoding: 'utf8', timeout: 120_000, env: { ...process.env, CI: 'true' } });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  };
  const app = (objects: string) => `const { App, Chart } = require('cdk8s');
const { CanaryService, Subset } = require('cdk8s-istio-traffic');
const { DestinationRule, VirtualService } = require('cdk8s-istio-traffic/lib/imports/istio-networking.istio.io');
const app = new App();
const chart = new Chart(app, 'shop', { namespace: 'shop' });
${objects}
app.synth();
`;
  const vs = (spec: string, id = 'orders') => `new VirtualService(chart, '${id}', { metadata: { name: 'orders' }, spec: ${spec} });`;

  test('a broken hand-written VirtualService fails synth with the rule code and construct path', () => {
    const r = synth(appDir(app(vs("{ hosts: ['orders'], http: [{ route: [{ destination: { host: 'orders' }, weight: 40 }] }] }"))));
    expect(r.status).toBe(2);
    expect(r.out).toMatch(/VS-12 \(error\): A single destination has no partial weight/);
    expect(r.out).toMatch(/Construct Path: shop\/orders\n/);
  });

  test('a DestinationRule and a VirtualService of one name: neither finding is shown under the other\'s construct', () => {
    const dr = "new DestinationRule(chart, 'orders-dr', { metadata: { name: 'orders' }, spec: { host: 'orders', subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }] } });";
    const r = synth(appDir(app(`${dr}\n${vs("{ hosts: ['orders'], http: [{ route: [{ destination: { host: 'orders', subset: 'v1' }, weight: 40 }] }] }", 'orders-vs')}`)));
    expect(r.status).toBe(2);
    expect(r.out).not.toMatch(/Construct Path: shop\/orders-(vs|dr)/);
    expect(r.out).toMatch(/> DestinationRule shop\/orders \(dist\/shop\.k8s\.yaml:\d+\): subset "v2"/);
    expect(r.out).toMatch(/> VirtualService shop\/orders \(dist\/shop\.k8s\.yaml:\d+\): http\[0\] has a single destination/);
  });

  test('a clean app prints one summary line instead of the table', () => {
    const r = synth(appDir(app(vs("{ hosts: ['orders'], http: [{ route: [{ destination: { host: 'orders' } }] }] }"))));
    expect(r.status).toBe(0);
    expect(r.out).toContain(`\ncdk8s-istio-traffic ${VERSION}: success, 1 Istio object(s) checked: 0 error(s), 0 warning(s), 0 suppressed\n`);
    expect(r.out).not.toContain('(Summary)');
  });

  test('an App with our constructs: a warning is printed once, at synth, and the summary says so', () => {
    const canary = "new CanaryService(chart, 'orders', { host: 'orders.shop.svc.cluster.local', stable: Subset.fromLabels({ version: 'v1' }), canary: Subset.fromLabels({ version: 'v2' }), mirrorPercentage: 20 });";
    const r = synth(appDir(app(canary)));
    expect(r.status).toBe(0);
    expect(r.out.match(/VS-25/g)).toHaveLength(1);
    expect(r.out).toMatch(/warning \[shop\/orders\] VS-25: /);
    expect(r.out).toContain('0 error(s), 1 warning(s) (1 already reported at synth, not repeated), 0 suppressed\n');
  });

  test('a version in cdk8s.yaml that is not the package\'s fails synth', () => {
    const r = synth(appDir(app(vs("{ hosts: ['orders'], http: [{ route: [{ destination: { host: 'orders' } }] }] }")), '0.0.1-other'));
    expect(r.status).toBe(2);
    expect(r.out).toContain('version (error): cdk8s.yaml pins another cdk8s-istio-traffic version');
    expect(r.out).toContain(`How to fix: Set \`version: ${VERSION}\` in the validations entry, or install cdk8s-istio-traffic@0.0.1-other.`);
  });
});
