import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { Rules, WarningSink } from '../src/synth/rules';

const root = path.join(__dirname, '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');

/** Every ```ts block of the README, with the ```yaml block that directly follows it (if any). */
function snippets(): Array<{ code: string; yaml?: string; line: number }> {
  const out: Array<{ code: string; yaml?: string; line: number }> = [];
  const re = /```ts\n([\s\S]*?)```(?:\s*\n[^\n`]*\n\s*```yaml\n([\s\S]*?)```)?/g;
  for (let m = re.exec(readme); m; m = re.exec(readme)) {
    out.push({ code: m[1], yaml: m[2], line: readme.slice(0, m.index).split('\n').length });
  }
  return out;
}

const blocks = snippets();

test('the README has TypeScript examples with their YAML', () => {
  expect(blocks.length).toBeGreaterThanOrEqual(4);
  expect(blocks.filter((b) => b.yaml).length).toBeGreaterThanOrEqual(3);
});

test('every README TypeScript example type-checks against the library\'s published declarations (lib/, built by pretest)', () => {
  const dir = path.join(root, 'node_modules', '.cache', 'readme-snippets');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const files = blocks.map((b, i) => {
    const file = path.join(dir, `snippet-${i}.ts`);
    fs.writeFileSync(file, `${b.code}\nexport {};\n`);
    return file;
  });
  const program = ts.createProgram(files, {
    strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS,
    esModuleInterop: true, skipLibCheck: true, types: ['node'], baseUrl: root,
    // What a user's compiler reads: the .d.ts files of the package (stripInternal), not the sources.
    paths: { 'cdk8s-istio-traffic': [path.join(root, 'lib', 'src', 'index.d.ts')], 'cdk8s-istio-traffic/engine': [path.join(root, 'lib', 'src', 'engine-api.d.ts')] },
  });
  const diagnostics = ts.getPreEmitDiagnostics(program)
    .filter((d) => d.file && files.includes(path.normalize(d.file.fileName)))
    .map((d) => `${path.basename(d.file!.fileName)}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
  expect(diagnostics).toEqual([]);
});

test.each(blocks.filter((b) => b.yaml).map((b) => [b.line, b]))('README example at line %i produces the YAML shown below it', (_line, block) => {
  const { code, yaml } = block as { code: string; yaml: string };
  // The snippets end with app.synth(), as a copied app must: it writes into a temporary folder here.
  process.env.CDK8S_OUTDIR = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-synth-'));
  const js = ts.transpileModule(`${code}\nmodule.exports = app;`, { compilerOptions: { module: ts.ModuleKind.CommonJS } }).outputText;
  const mod = { exports: {} as any };
  const load = (id: string) => (id === 'cdk8s-istio-traffic' ? require('../src') : id === 'cdk8s-istio-traffic/engine' ? require('../src/engine-api') : require(id));
  new Function('require', 'module', 'exports', js)(load, mod, mod.exports);
  Rules.of(mod.exports).warningSink = WarningSink.discard();
  expect(mod.exports.synthYaml().trim()).toBe(yaml.trim());
  // What app.synth() wrote is the same YAML, one file per chart.
  const written = fs.readdirSync(process.env.CDK8S_OUTDIR).filter((f) => f.endsWith('.k8s.yaml'));
  expect(written.length).toBeGreaterThan(0);
  delete process.env.CDK8S_OUTDIR;
});

/** The examples without YAML below them: each synthesizes as written (those that show a refusal say so in a comment). */
const runnable = blocks.filter((b) => !b.yaml && /\bapp\.synth\(\)/.test(b.code));

test('every README example that builds an App synthesizes it (copied as is, it writes dist/)', () => {
  const withoutSynth = blocks.filter((b) => /new App\(/.test(b.code) && !/\bapp\.synth\(\)/.test(b.code)).map((b) => b.line);
  expect(withoutSynth).toEqual([]);
  expect(runnable.length).toBeGreaterThanOrEqual(3);
});

test.each(runnable.map((b) => [b.line, b]))('README example at line %i synthesizes as written', (_line, block) => {
  const { code } = block as { code: string };
  process.env.CDK8S_OUTDIR = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-run-'));
  try {
    const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.CommonJS } }).outputText;
    const mod = { exports: {} as any };
    const load = (id: string) => (id === 'cdk8s-istio-traffic' ? require('../src') : id === 'cdk8s-istio-traffic/engine' ? require('../src/engine-api') : require(id));
    const run = () => new Function('require', 'module', 'exports', js)(load, mod, mod.exports);
    if (/\/\/ throws|refused|fails synth/i.test(code)) {
      expect(run).toThrow();
    } else {
      run();
      expect(fs.readdirSync(process.env.CDK8S_OUTDIR).filter((f) => f.endsWith('.k8s.yaml')).length).toBeGreaterThan(0);
    }
  } finally {
    delete process.env.CDK8S_OUTDIR;
  }
});
