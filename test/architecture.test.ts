/**
 * The layer rules of src/ (.dependency-cruiser.js) hold: no upward import, no cycle, no test code imported.
 *
 * dependency-cruiser is ESM-only, and ts-jest runs this suite as CommonJS inside jest's module system, which
 * cannot load it; so the suite runs its CLI in a child process (`--output-type json`) and reads the result.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const CONFIG = path.join(ROOT, '.dependency-cruiser.js');
// The package's `exports` map hides its files from require.resolve; its package.json names the CLI.
const DEPCRUISE_DIR = path.join(ROOT, 'node_modules', 'dependency-cruiser');
const DEPCRUISE = path.join(DEPCRUISE_DIR, JSON.parse(fs.readFileSync(path.join(DEPCRUISE_DIR, 'package.json'), 'utf8')).bin.depcruise);

interface DepViolation {
  readonly rule: string;
  readonly from: string;
  readonly to: string;
  readonly cycle?: string[];
}

/** Runs dependency-cruiser with the repo's config over `dir` (relative to `cwd`) and returns its violations. */
function cruise(cwd: string, dir: string): DepViolation[] {
  const run = spawnSync(process.execPath, [DEPCRUISE, '--config', CONFIG, '--output-type', 'json', dir], {
    cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
  });
  let result: any;
  try {
    result = JSON.parse(run.stdout);
  } catch {
    throw new Error(`dependency-cruiser printed no JSON (exit ${run.status}):\n${run.stderr}\n${run.stdout.slice(0, 2000)}`);
  }
  expect(result.summary.totalCruised).toBeGreaterThan(0);
  return (result.summary.violations as any[]).map((v) => ({
    rule: v.rule.name, from: v.from, to: v.to,
    ...(v.cycle ? { cycle: v.cycle.map((c: any) => (typeof c === 'string' ? c : c.name)) } : {}),
  }));
}

function describeViolations(violations: readonly DepViolation[]): string {
  return violations.map((v) => `${v.rule}: ${v.from} → ${v.to}${v.cycle ? ` (cycle ${[v.from, ...v.cycle].join(' → ')})` : ''}`).join('\n');
}

test('src/ keeps the layer rules: no upward import, no cycle, no test import', () => {
  const violations = cruise(ROOT, 'src');
  if (violations.length) {
    throw new Error(`${violations.length} dependency violation(s) in src/ (see .dependency-cruiser.js):\n${describeViolations(violations)}`);
  }
  expect(violations).toEqual([]);
});

/**
 * The layer table of the brief, independent of the config: what each layer may import from src/ besides itself.
 * `*` = anything. Folders end in `/`, single-file layers do not.
 */
const FOLDERS = ['core/', 'policies/', 'schema/', 'engine/', 'rules/', 'simulate/', 'report/', 'synth/', 'constructs/', 'cli/'];
const FILES = ['plugin.ts', 'index.ts', 'engine-api.ts'];
const ALL = [...FOLDERS, ...FILES];
const MAY_IMPORT: Record<string, readonly string[]> = {
  'core/': [],
  'policies/': ['core/'],
  'schema/': ['core/'],
  'engine/': ['core/', 'schema/'],
  'rules/': ['core/', 'engine/'],
  'simulate/': ['core/', 'engine/'],
  'report/': ['core/', 'engine/', 'simulate/'],
  'synth/': ['core/', 'engine/', 'rules/', 'report/', 'schema/'],
  'constructs/': ['core/', 'policies/', 'synth/'],
  'cli/': ALL.filter((l) => !['constructs/', 'policies/', 'index.ts', 'engine-api.ts'].includes(l)),
  'plugin.ts': ALL.filter((l) => !['constructs/', 'policies/', 'index.ts', 'engine-api.ts'].includes(l)),
  'index.ts': ALL,
  'engine-api.ts': ALL,
};

describe('the rules catch what they forbid (fixture tree)', () => {
  let dir: string;
  let violations: DepViolation[];
  const expected: string[] = [];

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'architecture-'));
    const files: Record<string, string> = {};
    const leaf = (layer: string) => (layer.endsWith('/') ? `src/${layer}leaf.ts` : `src/${layer}`);
    const rel = (from: string, to: string) => {
      const r = path.posix.relative(path.posix.dirname(from), to).replace(/\.ts$/, '');
      return r.startsWith('.') ? r : `./${r}`;
    };
    // Every layer imports every other layer once: folders from `all.ts` (to each folder's `leaf.ts`, which imports
    // nothing, and to each single-file layer); single-file layers to each folder's leaf (so the matrix has no cycle).
    for (const folder of FOLDERS) files[leaf(folder)] = 'export const LEAF = 1;\n';
    const edges: Array<[string, string]> = [];
    for (const from of ALL) {
      const file = from.endsWith('/') ? `src/${from}all.ts` : `src/${from}`;
      const targets = ALL.filter((to) => to !== from && (from.endsWith('/') || to.endsWith('/')));
      files[file] = targets.map((to, i) => `import * as m${i} from '${rel(file, leaf(to))}';\n`).join('')
        + `export const ALL = [${targets.map((_, i) => `m${i}`).join(', ')}];\n`;
      for (const to of targets) {
        edges.push([from, to]);
        if (!MAY_IMPORT[from].includes(to)) expected.push(`${file} → ${leaf(to)}`);
      }
    }
    expect(edges.length).toBeGreaterThan(100);
    // a two-file cycle inside one layer
    files['src/engine/run.ts'] = "import { B } from './view';\nexport const A = B;\n";
    files['src/engine/view.ts'] = "import { A } from './run';\nexport const B = () => A;\n";
    expected.push('src/engine/run.ts → src/engine/view.ts');
    // a type-only upward import counts too
    files['src/core/types.ts'] = "import type { Rule } from '../engine/rule';\nexport type R = Rule;\n";
    files['src/engine/rule.ts'] = 'export interface Rule { readonly code: string }\n';
    expected.push('src/core/types.ts → src/engine/rule.ts');
    // library code never imports tests
    files['src/synth/helpers.ts'] = "import { T } from '../../test/support/helpers';\nexport const S = T;\n";
    files['test/support/helpers.ts'] = 'export const T = 1;\n';
    expected.push('src/synth/helpers.ts → test/support/helpers.ts');
    for (const [file, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), text);
    }
    violations = cruise(dir, 'src');
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('finds exactly the imports the layer table forbids, the cycle and the test import', () => {
    expect(violations.map((v) => `${v.from} → ${v.to}`).sort()).toEqual([...expected].sort());
  });

  test('names the rule each violation breaks', () => {
    const rule = (from: string, to: string) => violations.find((v) => v.from === from && v.to === to)?.rule;
    expect(rule('src/core/all.ts', 'src/rules/leaf.ts')).toBe('core-imports-nothing-from-src');
    expect(rule('src/policies/all.ts', 'src/schema/leaf.ts')).toBe('policies-import-only-core');
    expect(rule('src/schema/all.ts', 'src/engine/leaf.ts')).toBe('schema-imports-only-core');
    expect(rule('src/engine/all.ts', 'src/rules/leaf.ts')).toBe('engine-imports-only-core-schema');
    expect(rule('src/rules/all.ts', 'src/report/leaf.ts')).toBe('rules-import-only-core-engine');
    expect(rule('src/simulate/all.ts', 'src/rules/leaf.ts')).toBe('simulate-imports-only-core-engine');
    expect(rule('src/report/all.ts', 'src/simulate/leaf.ts')).toBeUndefined();
    expect(rule('src/report/all.ts', 'src/rules/leaf.ts')).toBe('report-imports-only-core-engine-simulate');
    expect(rule('src/report/all.ts', 'src/synth/leaf.ts')).toBe('report-imports-only-core-engine-simulate');
    expect(rule('src/synth/all.ts', 'src/constructs/leaf.ts')).toBe('synth-imports-only-core-engine-rules-report-schema');
    expect(rule('src/constructs/all.ts', 'src/engine/leaf.ts')).toBe('constructs-import-only-core-policies-synth');
    expect(rule('src/cli/all.ts', 'src/constructs/leaf.ts')).toBe('cli-plugin-not-constructs-policies-entries');
    expect(rule('src/plugin.ts', 'src/policies/leaf.ts')).toBe('cli-plugin-not-constructs-policies-entries');
    expect(rule('src/synth/helpers.ts', 'test/support/helpers.ts')).toBe('no-test-imports-from-src');
    expect(rule('src/core/types.ts', 'src/engine/rule.ts')).toBe('core-imports-nothing-from-src');
  });

  test('a cycle is reported once, with its path', () => {
    const cycles = violations.filter((v) => v.rule === 'no-circular');
    expect(cycles).toEqual([{ rule: 'no-circular', from: 'src/engine/run.ts', to: 'src/engine/view.ts', cycle: ['src/engine/view.ts', 'src/engine/run.ts'] }]);
  });
});
