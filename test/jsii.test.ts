/**
 * The public API compiles with jsii (the TypeScript 5.9 line), so the library can be built for Python, Java, Go and
 * .NET and listed on Construct Hub. jsii runs in a throw-away copy of the sources (src/, imports/, package.json, the
 * tsconfigs, README.md, and a symlink to node_modules): it never writes into lib/ or the repository.
 *
 * package.json `jsii.tsconfig` points jsii at tsconfig.jsii.json (user-provided tsconfig mode), so jsii never
 * rewrites tsconfig.json; `validateTsconfig: minimal` only refuses options jsii cannot work with.
 *
 * The same run checks that API.md is current: jsii-docgen (under a second) regenerates it from this assembly with the
 * options scripts/package.js uses (`npm run docs:api` writes it).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const { DOCGEN_ARGS, QUIET_ENV } = require('../scripts/package.js') as { DOCGEN_ARGS: string[]; QUIET_ENV: Record<string, string> };

const ROOT = path.join(__dirname, '..');
const COPIED = ['src', 'imports', 'package.json', 'tsconfig.json', 'tsconfig.jsii.json', 'README.md'];

/** Exported from src/index.ts but deliberately not in the jsii assembly (TypeScript/JavaScript only), and why. */
const TS_ONLY: Record<string, string> = {
  IstioValidationError: '@jsii ignore: jsii cannot represent a subclass of Error',
  SYSTEM_CA_BUNDLE: 'a top-level constant, which jsii drops: other languages use TlsOrigination.SYSTEM_CA_BUNDLE',
};

interface JsiiRun {
  readonly status: number | null;
  readonly output: string;
  readonly diagnostics: string[];
  readonly assembly?: { readonly types: Record<string, { readonly kind: string }>; readonly submodules?: Record<string, unknown> };
  readonly seconds: number;
  /** API.md as jsii-docgen writes it from this assembly, or what docgen printed when it failed. */
  readonly apiMarkdown?: { readonly text?: string; readonly output: string };
}

let run: JsiiRun;

beforeAll(() => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jsii-'));
  try {
    for (const entry of COPIED) fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    const started = Date.now();
    const result = spawnSync(process.execPath, [require.resolve('jsii/bin/jsii')], {
      cwd: dir,
      encoding: 'utf8',
      // jsii 5.9 lists Node 20 as end-of-life (it still runs on it); the banner would bury the diagnostics
      env: { ...process.env, ...QUIET_ENV },
      timeout: 110_000,
    });
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? `\n${result.error}` : ''}`;
    const assemblyFile = path.join(dir, '.jsii');
    const seconds = (Date.now() - started) / 1000;
    let apiMarkdown: JsiiRun['apiMarkdown'];
    if (fs.existsSync(assemblyFile)) {
      const apiFile = path.join(dir, 'API.md');
      const docgen = spawnSync(process.execPath, [require.resolve('jsii-docgen/bin/jsii-docgen'), ...DOCGEN_ARGS, '--output', apiFile], {
        cwd: dir, encoding: 'utf8', env: { ...process.env, ...QUIET_ENV }, timeout: 60_000,
      });
      apiMarkdown = { text: fs.existsSync(apiFile) ? fs.readFileSync(apiFile, 'utf8') : undefined, output: `${docgen.stdout}${docgen.stderr}` };
    }
    run = {
      status: result.status,
      output,
      // one entry per diagnostic: `file:line:col - error JSII1234: message`, or jsii's own `[ERROR]` log lines
      diagnostics: output.split('\n').filter((l) => /\berror JSII\d+|\[ERROR\]/.test(l)),
      assembly: fs.existsSync(assemblyFile) ? JSON.parse(fs.readFileSync(assemblyFile, 'utf8')) : undefined,
      seconds,
      apiMarkdown,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);

test('jsii compiles the public API without errors', () => {
  if (run.status !== 0 || run.diagnostics.length > 0) {
    throw new Error(`jsii exited ${run.status} after ${run.seconds}s with ${run.diagnostics.length} error(s):\n${run.output}`);
  }
  expect(run.diagnostics).toEqual([]);
  expect(run.status).toBe(0);
});

test('the jsii assembly has every type exported by src/index.ts, except the TypeScript-only ones', () => {
  expect(run.assembly).toBeDefined();
  // src/index.ts lists every name explicitly (`export { A, B } from '…'`)
  const index = fs.readFileSync(path.join(ROOT, 'src', 'index.ts'), 'utf8');
  const names = [...index.matchAll(/export\s*\{([^}]*)\}/g)].flatMap((m) => m[1].split(',')).map((n) => n.trim()).filter(Boolean);
  const inAssembly = new Set(Object.keys(run.assembly!.types).map((fqn) => fqn.replace(/^cdk8s-istio-traffic\./, '')));
  expect(names.filter((n) => !(n in TS_ONLY) && !inAssembly.has(n))).toEqual([]);
  expect(Object.keys(TS_ONLY).filter((n) => inAssembly.has(n))).toEqual([]);
  expect(Object.keys(TS_ONLY).filter((n) => !names.includes(n))).toEqual([]);
});

test('the L1 escape-hatch classes are the jsii submodule `istio`', () => {
  expect(Object.keys(run.assembly?.submodules ?? {})).toContain('cdk8s-istio-traffic.istio');
  expect(run.assembly?.types['cdk8s-istio-traffic.istio.VirtualService']?.kind).toBe('class');
});

interface AssemblyProperty { readonly name: string; readonly optional?: boolean; readonly docs?: { readonly default?: string } }

/** `type.property` of every optional property of the assembly's types (structs, classes, interfaces) without a `@default`. */
function optionalWithoutDefault(types: Record<string, { readonly properties?: readonly AssemblyProperty[] }>): string[] {
  return Object.entries(types).flatMap(([fqn, t]) => (t.properties ?? [])
    .filter((p) => p.optional && p.docs?.default === undefined)
    .map((p) => `${fqn.replace(/^cdk8s-istio-traffic\./, '')}.${p.name}`));
}

test('every optional property of the public API documents its @default (the L1 imports aside: generated, never edited)', () => {
  const ours = Object.fromEntries(Object.entries(run.assembly!.types).filter(([fqn]) => !fqn.startsWith('cdk8s-istio-traffic.istio.')));
  expect(optionalWithoutDefault(ours as any)).toEqual([]);
});

test('the @default check can fail: it names the property without one', () => {
  expect(optionalWithoutDefault({
    'cdk8s-istio-traffic.P': { properties: [{ name: 'a', optional: true }, { name: 'b', optional: true, docs: { default: '1' } }, { name: 'c' }] },
  })).toEqual(['P.a']);
});

/** The first line where two texts differ, with the line of each, or undefined when they are equal. */
function firstDifference(expected: string, actual: string): string | undefined {
  if (expected === actual) return undefined;
  const a = expected.split('\n');
  const b = actual.split('\n');
  const i = a.findIndex((line, n) => line !== b[n]);
  const at = i === -1 ? a.length : i;
  return `line ${at + 1}: committed ${JSON.stringify(a[at] ?? '<end of file>')}, generated ${JSON.stringify(b[at] ?? '<end of file>')}`;
}

test('API.md is what jsii-docgen generates from the assembly (run `npm run docs:api` after changing the public API)', () => {
  if (run.apiMarkdown?.text === undefined) throw new Error(`jsii-docgen wrote no API.md:\n${run.apiMarkdown?.output ?? run.output}`);
  const committed = fs.readFileSync(path.join(ROOT, 'API.md'), 'utf8');
  expect(firstDifference(committed, run.apiMarkdown!.text!)).toBeUndefined();
});

test('the API.md check can fail: it names the first line that differs', () => {
  expect(firstDifference('# API\nclass A\n', '# API\nclass B\n')).toBe('line 2: committed "class A", generated "class B"');
  expect(firstDifference('# API\n', '# API\nmore\n')).toBe('line 2: committed "", generated "more"');
  expect(firstDifference('same', 'same')).toBeUndefined();
});
