import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { docs, harness, imageDeps, ROOT, Run } from './generate-harness';

/*
 * Issue 17 item 1: generate on the stock `cdk8s init typescript-app` layout (test/fixtures/stock-template, see its
 * README), unchanged: `app: npx ts-node main.ts`, a tsconfig.json that includes main.test.ts (which needs @types/jest)
 * and has no skipLibCheck. The dependencies are the image's (cdk8s, constructs and this library; no typescript, no
 * @types, no ts-node), HOME is unusable and the network refused.
 */

jest.setTimeout(90_000);

const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'stock-template');
/** Fixture files stored under another name (so that jest and git leave them alone), and their names in the template. */
const RENAMED: Record<string, string> = {
  'main.test.ts.stock': 'main.test.ts',
  '__snapshots__/main.test.ts.snap.stock': '__snapshots__/main.test.ts.snap',
  'gitignore.stock': '.gitignore',
};
const NOT_TEMPLATE = new Set(['README.md', 'main.ts.stock']);

const h = harness('generate-stock-');

/** A copy of the fixture as `cdk8s init` leaves it (without node_modules), in `<work>/<name>`. */
function stockCopy(name: string): string {
  const dir = path.join(h.work, name);
  const visit = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(FIXTURE, rel), { withFileTypes: true })) {
      const from = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) visit(from);
      else if (!NOT_TEMPLATE.has(from)) {
        const to = path.join(dir, RENAMED[from] ?? from);
        fs.mkdirSync(path.dirname(to), { recursive: true });
        fs.copyFileSync(path.join(FIXTURE, from), to);
      }
    }
  };
  visit('');
  return dir;
}

/** Every file below `dir` (relative), node_modules not followed. */
function listing(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: false } as any).map(String).filter((f) => !f.startsWith('node_modules')).sort();
}

const deps = () => imageDeps(h.work, ['cdk8s', 'constructs']);
const env = () => ({ CDK8S_NODE_MODULES: deps(), ARGOCD_APP_NAMESPACE: 'bookinfo' });

describe('the stock cdk8s init typescript-app layout', () => {
  let dir: string;
  let before: string[];
  let run: Run;

  beforeAll(() => {
    dir = stockCopy('stock');
    before = listing(dir);
    run = h.generate(dir, env());
  });

  test('the fixture is the layout that broke `tsc -p .`: tests in the project, no skipLibCheck, a ts-node app', () => {
    expect(parse(fs.readFileSync(path.join(dir, 'cdk8s.yaml'), 'utf8'))).toEqual({ language: 'typescript', app: 'npx ts-node main.ts', imports: ['k8s'] });
    const tsconfig = JSON.parse(fs.readFileSync(path.join(dir, 'tsconfig.json'), 'utf8'));
    expect(tsconfig.include).toEqual(['**/*.ts']);
    expect(tsconfig.compilerOptions.skipLibCheck).toBeUndefined();
    expect(tsconfig.compilerOptions).toMatchObject({ module: 'CommonJS', target: 'ES2017', experimentalDecorators: true, noEmitOnError: true });
    expect(fs.readFileSync(path.join(dir, 'main.test.ts'), 'utf8')).toMatch(/expect\(results\)\.toMatchSnapshot\(\)/);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).devDependencies).toMatchObject({ '@types/jest': '^29', 'ts-node': '^10' });
    expect(fs.existsSync(path.join(deps(), '@types'))).toBe(false);
    expect(fs.existsSync(path.join(deps(), 'typescript'))).toBe(false);
  });

  test('generate prints the app\'s manifests, namespaced, DestinationRule before VirtualService', () => {
    expect(run.stderr).toMatch(/transpiled 1 TypeScript file\(s\) with esbuild in \d+ ms \(no type check\)/);
    expect(run.code).toBe(0);
    const objects = docs(run.stdout);
    expect(objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'Deployment/bookinfo/reviews-v1', 'Deployment/bookinfo/reviews-v2', 'Service/bookinfo/reviews',
      'DestinationRule/bookinfo/reviews', 'VirtualService/bookinfo/reviews',
    ]);
    const vs = objects.find((o) => o.kind === 'VirtualService');
    expect(vs.spec.http[0].route.map((r: any) => [r.destination.subset, r.weight])).toEqual([['stable', 90], ['canary', 10]]);
    const dr = objects.find((o) => o.kind === 'DestinationRule');
    expect(dr.spec.subsets).toEqual([
      { name: 'stable', labels: { app: 'reviews', version: 'v1' } }, { name: 'canary', labels: { app: 'reviews', version: 'v2' } },
    ]);
    expect(run.stdout).toMatchSnapshot();
  });

  test('nothing is written into the checkout, and the node_modules link is gone afterwards', () => {
    expect(listing(dir)).toEqual(before);
    expect(fs.existsSync(path.join(dir, 'main.js'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'node_modules'))).toBe(false);
  });

  test('is deterministic: a second run prints the same bytes', () => {
    expect(h.generate(dir, env()).stdout).toBe(run.stdout);
  });

  test('the app\'s own rule analysis is reused, not repeated (needs the synth side of the handshake, src/synth/rules.ts)', () => {
    expect(run.stderr).toMatch(/rule checks: done by the app's own synth over the same 5 object\(s\) \(0 warning\(s\), reported by the app\), not repeated/);
  });

  test('a syntax error in main.ts fails with its position and nothing printed; the tests\' missing types do not matter', () => {
    const broken = stockCopy('stock-syntax');
    const main = path.join(broken, 'main.ts');
    fs.writeFileSync(main, fs.readFileSync(main, 'utf8').replace("canaryWeight: 10,", 'canaryWeight: 10,,'));
    const r = h.generate(broken, env());
    expect(r.stdout).toBe('');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^main\.ts:34:24: error: Expected identifier but found ","\n {10}canaryWeight: 10,,\n {27}\^$/m);
    expect(r.stderr).toMatch(/the TypeScript sources do not parse/);
  });
});

describe('the analysis handshake, generate\'s side: an app that records its own analysis (as the library\'s synth does)', () => {
  // VS-11 (weights that do not add up to 100) is an error generate's own analysis reports.
  const app = (options: { namespace?: string; record: 'all' | 'one-less' | 'ignore-default-namespace' }) => `
const { App, Chart, ApiObject } = require('cdk8s');
const record = require(${JSON.stringify(path.join(ROOT, 'lib', 'src', 'core', 'analysis-record.js'))});
const app = new App();
const chart = new Chart(app, 'c'${options.namespace ? `, { namespace: '${options.namespace}' }` : ''});
const route = (name) => ({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name },
  spec: { hosts: [name + '.x.svc.cluster.local'], http: [{ route: [
    { destination: { host: name + '.x.svc.cluster.local' }, weight: 60 }, { destination: { host: name + '.x.svc.cluster.local' }, weight: 60 }] }] } });
new ApiObject(chart, 'a', route('a'));
new ApiObject(chart, 'b', route('b'));
new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'not-analyzed' } });
app.synth();
const ns = ${options.record === 'ignore-default-namespace' ? 'undefined' : `process.env[record.DEFAULT_NAMESPACE_ENV]`};
let analyzed = chart.toJson().filter((m) => m.kind !== 'ConfigMap').map((m) => record.withDefaultNamespace(m, ns));
${options.record === 'one-less' ? 'analyzed = analyzed.slice(1);' : ''}
record.writeAnalysisRecord(process.env[record.ANALYSIS_RECORD_ENV], analyzed, { errors: [], warnings: [] });
`;
  const run = (name: string, options: Parameters<typeof app>[0], env: Record<string, string> = {}) =>
    h.generate(h.appDir(name, { 'cdk8s.yaml': 'app: node main.js\n', 'main.js': app(options) }), env);

  test('a matching record: generate trusts the app\'s verdict and does not analyze (it would have found VS-11)', () => {
    const r = run('record-match', { namespace: 'x', record: 'all' });
    expect(r.stderr).toMatch(/rule checks: done by the app's own synth over the same 2 object\(s\) \(0 warning\(s\), reported by the app\), not repeated/);
    expect(r.code).toBe(0);
    expect(docs(r.stdout).map((o) => o.metadata.name)).toEqual(['not-analyzed', 'a', 'b']);
  });

  test('a record of other manifests: generate analyzes, and fails on VS-11', () => {
    const r = run('record-one-less', { namespace: 'x', record: 'one-less' });
    expect(r.stderr).toMatch(/rule checks: run again, the manifests read back are not the ones the app analyzed/);
    expect(r.stderr).toMatch(/c\.k8s\.yaml:\d+: error VS-11/);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(1);
  });

  test('the default namespace generate applies is the one the app is told to analyze with (DEFAULT_NAMESPACE_ENV)', () => {
    const told = run('record-default-ns', { record: 'all' }, { ARGOCD_APP_NAMESPACE: 'x' });
    expect(told.stderr).toMatch(/rule checks: done by the app's own synth over the same 2 object\(s\)/);
    expect(told.code).toBe(0);
    expect(docs(told.stdout).map((o) => o.metadata.namespace)).toEqual(['x', 'x', 'x']);
    const ignored = run('record-no-default-ns', { record: 'ignore-default-namespace' }, { ARGOCD_APP_NAMESPACE: 'x' });
    expect(ignored.stderr).toMatch(/rule checks: run again, the manifests read back are not the ones the app analyzed/);
    expect(ignored.code).toBe(1);
  });

  test('strict mode with warnings recorded: generate analyzes itself', () => {
    const dir = h.appDir('record-strict', { 'cdk8s.yaml': 'app: node main.js\n', 'main.js': app({ namespace: 'x', record: 'all' })
      .replace('{ errors: [], warnings: [] }', '{ errors: [], warnings: [{}] }') });
    const lenient = h.generate(dir);
    expect(lenient.code).toBe(0);
    const strict = h.generate(dir, { ARGOCD_APP_PARAMETERS: JSON.stringify([{ name: 'strict', string: 'true' }]) });
    expect(strict.stderr).toMatch(/rule checks: run again, strict mode and the app recorded warnings/);
    expect(strict.code).toBe(1);
  });
});
