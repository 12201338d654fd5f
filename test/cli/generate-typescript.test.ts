import * as fs from 'fs';
import * as path from 'path';
import { docs, expectNothingPrinted, harness } from './generate-harness';

/*
 * Issue 17 item 1: TypeScript apps run from their sources, transpiled in memory by esbuild (src/cli/generate-hook.ts),
 * with the semantics of `ts-node main.ts` minus the type check, and the project's tsconfig.json where it matters.
 */

jest.setTimeout(90_000);

const h = harness('generate-typescript-');

const header = "import { App, Chart, ApiObject } from 'cdk8s';\n";
/** The ConfigMap `name` with `data`, in a chart of namespace `ts`. */
const configMap = (name: string, data: string) => `new ApiObject(new Chart(app, ${JSON.stringify(name)}, { namespace: 'ts' }), 'cm', `
  + `{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: ${JSON.stringify(name)} }, data: ${data} });\n`;
const dataOf = (stdout: string) => Object.fromEntries(docs(stdout).map((o) => [o.metadata.name, o.data ?? {}]));
const tsconfig = (compilerOptions: Record<string, unknown>) => JSON.stringify({ compilerOptions: { module: 'commonjs', strict: true, ...compilerOptions } });

test('tsconfig paths, `./x.js` imports of x.ts and legacy decorators (experimentalDecorators) work as tsc compiles them', () => {
  const dir = h.appDir('paths', {
    'cdk8s.yaml': 'app: npx ts-node src/main.ts\n',
    'tsconfig.json': tsconfig({ target: 'ES2022', experimentalDecorators: true, baseUrl: '.', paths: { '@shared/*': ['shared/*'] } }),
    'src/main.ts': `${header}import { stage } from '@shared/stage';
import { double } from './util/math.js';
function tagged(value: string) { return (target: any) => { target.tag = value; }; }
@tagged('legacy') class Marked {}
const app = new App();
${configMap('features', "{ stage, doubled: String(double(21)), tag: (Marked as any).tag }")}app.synth();
`,
    'src/util/math.ts': 'export const double = (n: number): number => n * 2;\n',
    'shared/stage.ts': "export const stage: string = 'prod';\n",
  });
  const r = h.generate(dir);
  expect(r.stderr).toMatch(/transpiled 3 TypeScript file\(s\) with esbuild/);
  expect(r.code).toBe(0);
  expect(dataOf(r.stdout)).toEqual({ features: { stage: 'prod', doubled: '42', tag: 'legacy' } });
});

test('class fields follow the tsconfig target as tsc emits them (useDefineForClassFields from ES2022 on)', () => {
  const main = `${header}class Base { label?: string; constructor() { this.label = 'set-by-base'; } }
class Derived extends Base { label?: string; }
const app = new App();
${configMap('fields', "{ label: String(new Derived().label) }")}app.synth();
`;
  const run = (target: string) => h.generate(h.appDir(`fields-${target}`, {
    'cdk8s.yaml': 'app: npx ts-node main.ts\n', 'tsconfig.json': tsconfig({ target }), 'main.ts': main,
  }));
  const old = run('ES2017');
  expect(old.code).toBe(0);
  expect(dataOf(old.stdout).fields).toEqual({ label: 'set-by-base' });
  const modern = run('ES2022');
  expect(modern.code).toBe(0);
  expect(dataOf(modern.stdout).fields).toEqual({ label: 'undefined' });
});

test('a TypeScript preload (node -r ./setup.ts main.ts) is transpiled too, before the entry', () => {
  const dir = h.appDir('preload', {
    'cdk8s.yaml': 'app: node -r ./setup.ts main.ts\n',
    'setup.ts': "(globalThis as any).PRELOADED = 'typescript-preload';\n",
    'main.ts': `${header}const app = new App();\n${configMap('preload', '{ by: String((globalThis as any).PRELOADED) }')}app.synth();\n`,
  });
  const r = h.generate(dir);
  expect(r.code).toBe(0);
  expect(dataOf(r.stdout)).toEqual({ preload: { by: 'typescript-preload' } });
});

test('ES modules: a .mts entry (top-level await, import.meta.url) and .ts files in a "type": "module" package', () => {
  const esm = (name: string, ext: string) => `${header}import { fileURLToPath } from 'url';
import * as path from 'path';
import { part } from './part.${ext}';
const where = path.basename(path.dirname(fileURLToPath(import.meta.url)));
const value = await Promise.resolve(part);
const app = new App();
${configMap(name, '{ where, value }')}app.synth();
`;
  const mts = h.generate(h.appDir('esm-mts', {
    'cdk8s.yaml': 'app: npx tsx main.mts\n', 'main.mts': esm('mts', 'mjs'), 'part.mts': "export const part: string = 'from-mts';\n",
  }));
  expect(mts.stderr).not.toMatch(/error/);
  expect(mts.code).toBe(0);
  expect(dataOf(mts.stdout)).toEqual({ mts: { where: 'esm-mts', value: 'from-mts' } });
  const typeModule = h.generate(h.appDir('esm-type-module', {
    'cdk8s.yaml': 'app: npx tsx main.ts\n', 'package.json': JSON.stringify({ type: 'module' }),
    'main.ts': esm('typed', 'js'), 'part.ts': "export const part: string = 'from-ts';\n",
  }));
  expect(typeModule.code).toBe(0);
  expect(dataOf(typeModule.stdout)).toEqual({ typed: { where: 'esm-type-module', value: 'from-ts' } });
});

test('a TypeScript file the app loads by a computed path is transpiled when loaded; its syntax error fails the run', () => {
  const files = (stage: string) => ({
    'cdk8s.yaml': 'app: npx ts-node main.ts\n',
    'main.ts': `${header}const stage = process.env.STAGE ?? ${JSON.stringify(stage)};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require('./stages/' + stage) as { replicas: number };
const app = new App();
${configMap('computed', "{ replicas: String(settings.replicas) }")}app.synth();
`,
    'stages/prod.ts': 'export const replicas: number = 3;\n',
    'stages/broken.ts': 'export const replicas: number = ;\n',
  });
  const ok = h.generate(h.appDir('computed', files('prod')));
  expect(ok.stderr).not.toMatch(/error/);
  expect(ok.code).toBe(0);
  expect(dataOf(ok.stdout)).toEqual({ computed: { replicas: '3' } });
  const broken = h.generate(h.appDir('computed-broken', files('broken')));
  expectNothingPrinted(broken, 1);
  expect(broken.stderr).toMatch(/cannot transpile stages\/broken\.ts \(cdk8s-istio-traffic generate, esbuild\):\nstages\/broken\.ts:1:33: error: Unexpected ";"/);
  expect(broken.stderr).toMatch(/error: the TypeScript sources do not parse/);
});

test('a .js entry that is not compiled yet (tsconfig outDir) runs from the TypeScript source that compiles to it', () => {
  const dir = h.appDir('not-compiled', {
    'cdk8s.yaml': 'app: node lib/main.js\n',
    'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'commonjs', outDir: 'lib', rootDir: 'src' }, include: ['src/**/*.ts'] }),
    'src/main.ts': `${header}const app = new App();\n${configMap('from-source', "{ file: require('path').basename(__filename) }")}app.synth();\n`,
  });
  const r = h.generate(dir);
  expect(r.code).toBe(0);
  expect(dataOf(r.stdout)).toEqual({ 'from-source': { file: 'main.ts' } });
  expect(fs.existsSync(path.join(dir, 'lib'))).toBe(false);
});
