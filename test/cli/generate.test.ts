import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { docs, harness, ROOT as root, Run } from './generate-harness';

/*
 * `cdk8s-istio-traffic generate` run the way ArgoCD's CMP sidecar runs it (test/cli/generate-harness.ts): the bin
 * spawned with node in a copy of an application directory, ARGOCD_APP_* set, HOME unusable and every network call
 * refused. Needs the compiled library (lib/): `npm test` builds it first (pretest).
 */

jest.setTimeout(90_000);

const library = path.join(root, 'lib', 'src', 'index.js');
const { work, generate, appDir } = harness('generate-test-');

const params = (list: unknown[]) => ({ ARGOCD_APP_PARAMETERS: JSON.stringify(list) });

/** A JavaScript cdk8s app (`node main.js`) with access to this library as `lib`. */
function jsApp(name: string, body: string): string {
  return appDir(name, {
    'cdk8s.yaml': 'language: typescript\napp: node main.js\n',
    'main.js': `const { App, Chart, ApiObject } = require('cdk8s');\nconst lib = require(${JSON.stringify(library)});\n${body}\n`,
  });
}

function expectNothingPrinted(r: Run, code: number | RegExp = /^[12]$/) {
  expect(r.stdout).toBe('');
  if (typeof code === 'number') expect(r.code).toBe(code);
  else expect(String(r.code)).toMatch(code);
  expect(r.stderr).toMatch(/no manifests printed/);
}

describe('the example apps of this repository', () => {
  // The application directory as ArgoCD would hand it over, with the compiled apps committed.
  const example = path.join(work, 'example');
  const synthDir = path.join(work, 'synth');
  let expected: any[];
  let first: Run;

  beforeAll(() => {
    fs.mkdirSync(path.join(example, 'imports'), { recursive: true });
    for (const f of ['cdk8s.yaml', 'package.json', 'imports/istio-networking.crd.yaml']) fs.copyFileSync(path.join(root, f), path.join(example, f));
    fs.cpSync(path.join(root, 'lib'), path.join(example, 'lib'), { recursive: true });
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(example, 'node_modules'), 'dir');
    // The reference: a plain synth (`npm run synth` without the build) into another directory.
    const s = spawnSync(process.execPath, [path.join(example, 'lib', 'apps', 'main.js')], {
      cwd: example, encoding: 'utf8', env: { ...process.env, CDK8S_OUTDIR: synthDir },
    });
    expect(s.status).toBe(0);
    expected = fs.readdirSync(synthDir).filter((f) => f.endsWith('.yaml')).sort()
      .flatMap((f) => docs(fs.readFileSync(path.join(synthDir, f), 'utf8')));
    first = generate(example);
  });

  test('print one YAML stream of Kubernetes objects only, separated by ---', () => {
    expect(first.stderr).toMatch(/generate: \d+ manifest\(s\) from \d+ file\(s\)/);
    expect(first.code).toBe(0);
    const objects = docs(first.stdout);
    expect(objects.length).toBeGreaterThanOrEqual(30);
    for (const o of objects) {
      expect(typeof o.apiVersion).toBe('string');
      expect(typeof o.kind).toBe('string');
      expect(typeof o.metadata.name).toBe('string');
    }
    expect(first.stdout.split('\n').filter((l) => l === '---')).toHaveLength(objects.length - 1);
    expect(first.stdout).not.toMatch(/^warning /m);
  });

  test('print the same objects as a normal synth', () => {
    const key = (o: any) => `${o.apiVersion}/${o.kind}/${o.metadata.namespace}/${o.metadata.name}`;
    const sorted = (list: any[]) => [...list].sort((a, b) => key(a).localeCompare(key(b)));
    expect(sorted(docs(first.stdout))).toEqual(sorted(expected));
  });

  test('keep the synth order, routes (VirtualServices, HTTPRoutes) after the ServiceEntries, Gateways and DestinationRules', () => {
    const isVs = (o: any) => o.kind === 'VirtualService' || o.kind === 'HTTPRoute';
    const objects = docs(first.stdout);
    expect(objects.filter((o) => !isVs(o))).toEqual(expected.filter((o) => !isVs(o)));
    expect(objects.filter(isVs)).toEqual(expected.filter(isVs));
    const lastVsDependency = Math.max(...objects.map((o, i) => (['ServiceEntry', 'Gateway', 'DestinationRule'].includes(o.kind) ? i : -1)));
    expect(objects.findIndex(isVs)).toBeGreaterThan(lastVsDependency);
  });

  test('are deterministic, and sync-waves puts every route (VirtualService, HTTPRoute) after its DestinationRules', () => {
    const again = generate(example, params([{ name: 'sync-waves', string: 'true' }]));
    expect(again.code).toBe(0);
    const objects = docs(again.stdout);
    const wave = (o: any) => o.metadata.annotations?.['argocd.argoproj.io/sync-wave'];
    const isRoute = (o: any) => o.kind === 'VirtualService' || o.kind === 'HTTPRoute';
    expect(objects.filter(isRoute).map(wave)).toEqual(objects.filter(isRoute).map(() => '1'));
    expect(objects.filter((o) => !isRoute(o)).map(wave)).toEqual(objects.filter((o) => !isRoute(o)).map(() => undefined));
    const stripped = objects.map((o) => {
      if (!isRoute(o)) return o;
      const annotations = { ...o.metadata.annotations };
      delete annotations['argocd.argoproj.io/sync-wave'];
      const metadata = { ...o.metadata, annotations };
      if (Object.keys(annotations).length === 0) delete metadata.annotations;
      return { ...o, metadata };
    });
    expect(stripped).toEqual(docs(first.stdout));
  });
});

describe('a small app: namespaces, parameters, TypeScript', () => {
  const body = `
const app = new App();
const chart = new Chart(app, 'small');
new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings-' + (process.env.STAGE || 'none') } });
new ApiObject(chart, 'pinned', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'pinned', namespace: 'elsewhere' } });
new ApiObject(chart, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } });
new ApiObject(chart, 'role', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'reader' } });
new ApiObject(chart, 'crd', { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'things.example.com' } });
app.synth();`;

  const namespaces = (r: Run) => Object.fromEntries(docs(r.stdout).map((o) => [`${o.kind}/${o.metadata.name}`, o.metadata.namespace]));

  test('ARGOCD_APP_NAMESPACE becomes the namespace of namespaced objects without one; cluster-scoped kinds stay without', () => {
    const r = generate(jsApp('small', body));
    expect(r.code).toBe(0);
    expect(namespaces(r)).toEqual({
      'ConfigMap/settings-none': 'argocd-dest', 'ConfigMap/pinned': 'elsewhere',
      'Namespace/team': undefined, 'ClusterRole/reader': undefined, 'CustomResourceDefinition/things.example.com': undefined,
    });
  });

  test('the namespace parameter overrides ARGOCD_APP_NAMESPACE, and the env parameter reaches the app', () => {
    const r = generate(path.join(work, 'small'), params([
      { name: 'namespace', string: 'override' }, { name: 'env', map: { STAGE: 'prod' } },
    ]));
    expect(r.code).toBe(0);
    expect(namespaces(r)).toMatchObject({ 'ConfigMap/settings-prod': 'override', 'ConfigMap/pinned': 'elsewhere', 'Namespace/team': undefined });
  });

  test('ARGOCD_ENV_CDK8S_NAMESPACE (Application plugin env) works like the parameter', () => {
    const r = generate(path.join(work, 'small'), { ARGOCD_ENV_CDK8S_NAMESPACE: 'from-env' });
    expect(r.code).toBe(0);
    expect(namespaces(r)['ConfigMap/settings-none']).toBe('from-env');
  });

  test('strict mode turns rule warnings into a failure with nothing printed', () => {
    // Mirroring every method (writes included) is legal but a warning (VS-25).
    const dir = jsApp('warns', `const app = new App();
new ApiObject(new Chart(app, 'w', { namespace: 'w' }), 'vs', { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'web' },
  spec: { hosts: ['web.w.svc.cluster.local'], http: [{ name: 'primary', route: [{ destination: { host: 'web.w.svc.cluster.local' } }],
    mirror: { host: 'shadow.w.svc.cluster.local' }, mirrorPercentage: { value: 10 } }] } });
app.synth();`);
    const lenient = generate(dir);
    expect(lenient.code).toBe(0);
    const code = /^w\.k8s\.yaml:\d+: warning ([A-Z]+-\d+):/m.exec(lenient.stderr)?.[1];
    expect(code).toMatch(/^[A-Z]+-\d+$/);
    const strict = generate(dir, params([{ name: 'strict', string: 'true' }]));
    expectNothingPrinted(strict, 1);
    expect(strict.stderr).toContain(`error ${code}:`);
    expect(strict.stderr).toMatch(/strict: warnings count as errors/);
    expectNothingPrinted(generate(dir, {}, ['--strict']), 1);
  });

  test('a TypeScript app (app: npx ts-node main.ts) runs from its sources, transpiled by esbuild: no ts-node, no tsc, nothing written', () => {
    const dir = appDir('ts-ok', {
      'cdk8s.yaml': 'language: typescript\napp: npx ts-node main.ts\n',
      'tsconfig.json': JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'commonjs', strict: true, outDir: 'build', rootDir: '.', types: [] }, include: ['**/*.ts'] }),
      'main.ts': `import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, ApiObject } from 'cdk8s';
import { suffix } from './lib/names.js';
const app = new App();
const chart = new Chart(app, 'typed', { namespace: 'typed' });
const name: string = 'from-typescript-' + suffix;
// __dirname is the source directory, as with ts-node: files beside the sources are found.
const data = { dir: path.basename(__dirname), note: fs.readFileSync(path.join(__dirname, 'note.txt'), 'utf8').trim() };
new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });
app.synth();
`,
      'lib/names.ts': 'export const suffix: string = \'imported\';\n',
      'note.txt': 'beside the sources\n',
    });
    const before = fs.readdirSync(dir).sort();
    const r = generate(dir);
    expect(r.stderr).toMatch(/transpiled 2 TypeScript file\(s\) with esbuild in \d+ ms \(no type check\)/);
    expect(r.stderr).not.toMatch(/tsc/);
    expect(r.code).toBe(0);
    expect(docs(r.stdout)).toEqual([{
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'from-typescript-imported', namespace: 'typed' }, data: { dir: 'ts-ok', note: 'beside the sources' },
    }]);
    expect(fs.readdirSync(dir).sort()).toEqual(before);
    expect(fs.readdirSync(path.join(dir, 'lib'))).toEqual(['names.ts']);
  });
});

describe('all or nothing: every broken app exits non-zero with an empty stdout', () => {
  const synthOne = `const app = new App();
new ApiObject(new Chart(app, 'good', { namespace: 'x' }), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'written' } });
app.synth();`;

  test('a rule error from this library at synth (VS-16: subset no DestinationRule defines)', () => {
    const r = generate(jsApp('rule-error', `
const app = new App();
const chart = new Chart(app, 'mesh', { namespace: 'mesh' });
new lib.CanaryService(chart, 'reviews', {
  host: 'reviews.mesh.svc.cluster.local',
  stable: lib.Subset.fromLabels({ app: 'reviews', version: 'v1' }),
  canary: lib.Subset.fromLabels({ app: 'reviews', version: 'v2' }),
  canaryWeight: 10,
});
new ApiObject(chart, 'extra', { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'extra' },
  spec: { hosts: ['extra.mesh.svc.cluster.local'], http: [{ route: [{ destination: { host: 'reviews.mesh.svc.cluster.local', subset: 'v9' } }] }] } });
app.synth();`));
    expectNothingPrinted(r, 1);
    expect(r.stderr).toMatch(/IstioValidationError/);
    expect(r.stderr).toMatch(/VS-16/);
  });

  test('an exception thrown after some manifests were written', () => {
    const r = generate(jsApp('throws', `${synthOne}\nthrow new Error('boom after synth');`));
    expectNothingPrinted(r, 1);
    expect(r.stderr).toMatch(/boom after synth/);
    expect(r.stderr).toMatch(/the cdk8s app failed with exit code 1/);
  });

  test('a JavaScript syntax error', () => {
    const dir = jsApp('syntax', synthOne);
    fs.writeFileSync(path.join(dir, 'main.js'), 'const x = ;\n');
    const r = generate(dir);
    expectNothingPrinted(r, 1);
    expect(r.stderr).toMatch(/SyntaxError/);
  });

  test('a TypeScript syntax error fails before the app runs, with file, line and column; a type error does not (no type check)', () => {
    const files = (main: string) => ({
      'cdk8s.yaml': 'app: npx ts-node main.ts\n',
      'tsconfig.json': JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'commonjs', strict: true, types: [] } }),
      'main.ts': `import { App, Chart, ApiObject } from 'cdk8s';
const app = new App();
${main}
new ApiObject(new Chart(app, 'c', { namespace: 'x' }), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { replicas } });
app.synth();
`,
    });
    const typeError = generate(appDir('ts-type-error', files("const replicas: number = 'three';")));
    expect(typeError.code).toBe(0);
    expect(docs(typeError.stdout)).toEqual([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'x' }, data: { replicas: 'three' } }]);

    const syntax = generate(appDir('ts-syntax-error', files('const replicas: number = ;')));
    expectNothingPrinted(syntax, 1);
    expect(syntax.stderr).toMatch(/^main\.ts:3:26: error: Unexpected ";"$/m);
    expect(syntax.stderr).toMatch(/error: the TypeScript sources do not parse \(the syntax errors are above\); generate transpiles TypeScript with esbuild and does not type-check it/);
    expect(syntax.stderr).not.toMatch(/ran the app/);
  });

  test('TypeScript needs no compiler among the app\'s dependencies (esbuild comes with this library); a missing dependency directory is exit 2', () => {
    const dir = path.join(work, 'ts-no-tsc');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), 'app: npx ts-node main.ts\n');
    fs.writeFileSync(path.join(dir, 'main.ts'), `import { App, Chart, ApiObject } from 'cdk8s';
const app = new App();
new ApiObject(new Chart(app, 'c', { namespace: 'x' }), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'no-tsc' } });
app.synth();
`);
    expectNothingPrinted(generate(dir, {}, ['--node-modules', path.join(work, 'not-there')]), 2);
    // The image's dependencies without typescript, @types or ts-node: only what the app imports.
    const deps = path.join(work, 'deps-no-tsc', 'node_modules');
    fs.mkdirSync(deps, { recursive: true });
    for (const pkg of ['cdk8s', 'constructs']) fs.symlinkSync(path.join(root, 'node_modules', pkg), path.join(deps, pkg), 'dir');
    const r = generate(dir, {}, ['--node-modules', deps]);
    expect(r.stderr).toMatch(/transpiled 1 TypeScript file\(s\) with esbuild/);
    expect(r.code).toBe(0);
    expect(docs(r.stdout).map((o) => o.metadata.name)).toEqual(['no-tsc']);
  });

  test('an app that writes garbage YAML next to valid manifests', () => {
    const r = generate(jsApp('garbage', `${synthOne}
require('fs').writeFileSync(require('path').join(process.env.CDK8S_OUTDIR, 'zz.k8s.yaml'), 'kind: ConfigMap\\nmetadata: {name: [unclosed\\n');`));
    expectNothingPrinted(r, 1);
    expect(r.stderr).toMatch(/zz\.k8s\.yaml:\d+: invalid YAML/);
  });

  test('an app that writes a document that is not a Kubernetes object', () => {
    const r = generate(jsApp('not-k8s', `${synthOne}
require('fs').writeFileSync(require('path').join(process.env.CDK8S_OUTDIR, 'zz.k8s.yaml'), 'replicas: 3\\n');`));
    expectNothingPrinted(r, 1);
    expect(r.stderr).toMatch(/zz\.k8s\.yaml:1: the document has no apiVersion/);
  });

  test('an app that exits 0 but writes no manifests', () => {
    const r = generate(jsApp('empty', 'new App().synth();'));
    expectNothingPrinted(r, 1);
    expect(r.stderr).toMatch(/wrote no manifests/);
  });

  test('an app that writes its manifests somewhere else (its own outdir)', () => {
    const dir = jsApp('own-outdir', synthOne.replace('new App()', "new App({ outdir: 'dist' })"));
    const r = generate(dir);
    expectNothingPrinted(r, 1);
    expect(r.stderr).toMatch(/does it pass its own outdir/);
  });

  test('an app that writes manifests, then exits non-zero', () => {
    const r = generate(jsApp('exit-3', `${synthOne}\nprocess.exitCode = 3;`));
    expectNothingPrinted(r, 1);
    expect(r.stderr).toMatch(/exit code 3/);
  });

  test('an app that does not finish in time', () => {
    const r = generate(jsApp('slow', `${synthOne}\nsetTimeout(() => {}, 60000);`), {}, ['--timeout', '1']);
    expectNothingPrinted(r, 1);
    expect(r.stderr).toMatch(/did not finish within/);
  });

  test('an app that emits the same object twice', () => {
    const r = generate(jsApp('duplicate', `${synthOne}
require('fs').writeFileSync(require('path').join(process.env.CDK8S_OUTDIR, 'zz.k8s.yaml'), 'apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: written, namespace: x}\\n');`));
    expectNothingPrinted(r, 1);
    expect(r.stderr).toMatch(/ConfigMap x\/written is also defined at good\.k8s\.yaml:1/);
  });

  test('a hand-written Istio object the rule engine rejects, in an app that does not use this library', () => {
    const r = generate(jsApp('raw-istio', `const app = new App();
new ApiObject(new Chart(app, 'raw', { namespace: 'raw' }), 'vs', { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'split' },
  spec: { hosts: ['split.raw.svc.cluster.local'], http: [{ route: [
    { destination: { host: 'split.raw.svc.cluster.local' }, weight: 60 }, { destination: { host: 'split.raw.svc.cluster.local' }, weight: 60 }] }] } });
app.synth();`));
    expectNothingPrinted(r, 1);
    expect(r.stderr).toMatch(/raw\.k8s\.yaml:1: error VS-11/);
    // The same object with weights that sum to 100: the clean check says it ran.
    const clean = generate(jsApp('raw-istio-clean', `const app = new App();
new ApiObject(new Chart(app, 'raw', { namespace: 'raw' }), 'vs', { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'split' },
  spec: { hosts: ['split.raw.svc.cluster.local'], http: [{ route: [{ destination: { host: 'split.raw.svc.cluster.local' } }] }] } });
app.synth();`));
    expect(clean.code).toBe(0);
    expect(clean.stderr).toMatch(/rule checks: 1 Istio object\(s\), no findings/);
  });
});

describe('parameters and plugin variables are read strictly and never echoed', () => {
  const secret = 'hunter2-s3cr3t';
  let dir: string;
  beforeAll(() => {
    dir = jsApp('params', "new ApiObject(new Chart(new App(), 'c'), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } }); ");
  });

  test.each([
    ['an unknown parameter', params([{ name: 'namespcae', string: secret }]), /unknown parameter "namespcae"/],
    ['a parameter given twice', params([{ name: 'strict', string: 'true' }, { name: 'strict', string: secret }]), /parameter "strict" is given more than once/],
    ['a string parameter given as an array', params([{ name: 'strict', array: [secret] }]), /parameter "strict" must be given as a string/],
    ['a map parameter given as a string', params([{ name: 'env', string: secret }]), /parameter "env" must be given as a map/],
    ['a map with a non-string value', params([{ name: 'env', map: { A: 1 } }]), /parameter "env" must be a map of strings/],
    ['a reserved variable in env', params([{ name: 'env', map: { NODE_OPTIONS: secret } }]), /key "NODE_OPTIONS" is reserved/],
    ['a bad strict value', params([{ name: 'strict', string: secret }]), /parameter "strict" must be "true" or "false"/],
    ['a bad namespace', params([{ name: 'namespace', string: `${secret}_X` }]), /parameter "namespace" is not a valid namespace name/],
    ['an app entry outside the directory', params([{ name: 'app', string: `../${secret}.js` }]), /parameter "app" must be a path inside the application directory/],
    ['parameters that are not JSON', { ARGOCD_APP_PARAMETERS: `[{"name": "app", "string": ${secret}}]` }, /ARGOCD_APP_PARAMETERS is not valid JSON/],
    ['parameters that are not an array', { ARGOCD_APP_PARAMETERS: JSON.stringify({ app: secret }) }, /ARGOCD_APP_PARAMETERS is not a JSON array/],
    ['an unknown plugin variable', { ARGOCD_ENV_API_TOKEN: secret }, /unknown plugin environment variable "ARGOCD_ENV_API_TOKEN"/],
    ['a variable and a parameter for the same setting', { ...params([{ name: 'namespace', string: 'a' }]), ARGOCD_ENV_CDK8S_NAMESPACE: secret },
      /"ARGOCD_ENV_CDK8S_NAMESPACE" and parameter "namespace" are both set/],
    ['an invalid ARGOCD_APP_NAMESPACE', { ARGOCD_APP_NAMESPACE: `${secret}!` }, /ARGOCD_APP_NAMESPACE is not a valid namespace name/],
  ])('%s fails with exit code 2 and no value in the message', (_, env, message) => {
    const r = generate(dir, env as Record<string, string>);
    expectNothingPrinted(r, 2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toContain(secret);
  });

  test('the app parameter selects the entry instead of cdk8s.yaml', () => {
    fs.writeFileSync(path.join(dir, 'other.js'), "const { App, Chart, ApiObject } = require('cdk8s'); const app = new App();\n"
      + "new ApiObject(new Chart(app, 'o'), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'other' } }); app.synth();\n");
    const r = generate(dir, params([{ name: 'app', string: 'other.js' }]));
    expect(r.code).toBe(0);
    expect(docs(r.stdout).map((o) => o.metadata.name)).toEqual(['other']);
    const missing = generate(dir, params([{ name: 'app', string: `${secret}.js` }]));
    expectNothingPrinted(missing, 2);
    expect(missing.stderr).toMatch(/the entry given by the app parameter does not exist/);
    expect(missing.stderr).not.toContain(secret);
  });
});
