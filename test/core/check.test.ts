import * as fs from 'fs';
import * as path from 'path';
import { isCheck } from '../../src/core/check';
import { RULES } from '../../src/rules';

/**
 * The contract between the two surfaces that raise rule codes: constructs and value classes raise a catalogue
 * code only through `enforce(check, …)` with a tagged check from src/core, and the rule of that code calls the
 * same check. Everything else they raise is PROP (the shape of props).
 */
const SRC = path.join(__dirname, '..', '..', 'src');

function sources(dir: string): Array<{ file: string; text: string }> {
  const out: Array<{ file: string; text: string }> = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(p));
    else if (entry.name.endsWith('.ts')) out.push({ file: path.relative(SRC, p), text: fs.readFileSync(p, 'utf8') });
  }
  return out;
}

/** Every tagged check exported by a core module: export name, module and rule code. */
function coreChecks(): Array<{ name: string; module: string; code: string }> {
  const out: Array<{ name: string; module: string; code: string }> = [];
  for (const { file } of sources(path.join(SRC, 'core'))) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(SRC, file));
    for (const [name, value] of Object.entries(mod)) if (isCheck(value)) out.push({ name, module: file, code: value.code });
  }
  return out;
}

const surfaces = [...sources(path.join(SRC, 'constructs')), ...sources(path.join(SRC, 'policies')), ...sources(path.join(SRC, 'core'))]
  .filter((s) => ![`core${path.sep}check.ts`, `core${path.sep}errors.ts`].includes(s.file));

test('constructs, value classes and core helpers name no rule code as a literal: catalogue codes come from tagged checks, the rest is PROP', () => {
  const found: string[] = [];
  for (const { file, text } of surfaces) {
    for (const code of literalCodes(text)) found.push(`${file}: '${code}'`);
  }
  expect(found).toEqual([]);
});

/** Problems of the contract for `checks` against the rule sources: unknown codes, and checks no rule of their family calls. */
function contractProblems(checks: ReadonlyArray<{ name: string; module: string; code: string }>, rules: ReadonlyArray<{ file: string; text: string }>): string[] {
  const codes = new Set(RULES.map((r) => r.code));
  const problems: string[] = [];
  for (const c of checks) {
    if (!codes.has(c.code)) problems.push(`${c.name} (${c.module}) carries ${c.code}, which is not a catalogue rule`);
    const family = c.code.split('-')[0].toLowerCase();
    const callers = rules.filter((r) => r.file.startsWith(path.join('rules', family) + path.sep) && new RegExp(`\\b${c.name}\\(`).test(r.text));
    if (callers.length === 0) problems.push(`${c.name} (${c.module}, ${c.code}) is called by no rule in src/rules/${family}/`);
  }
  return problems;
}

test('every tagged check carries the code of a catalogue rule, and a rule of its family calls it', () => {
  const checks = coreChecks();
  expect(checks.length).toBeGreaterThan(20);
  expect(contractProblems(checks, sources(path.join(SRC, 'rules')))).toEqual([]);
});

test('the contract test can fail: a literal code and an uncalled check are found', () => {
  expect(literalCodes("fail({ code: 'VS-04', path }); // DR-03 in a comment\ncheckPercent(v, 'VS-24', at); fail({ code: 'SCHEMA' }); invariant('X-01', f)")).toEqual(['VS-04', 'VS-24', 'SCHEMA']);
  const rules = sources(path.join(SRC, 'rules'));
  expect(contractProblems([{ name: 'notCalledAnywhere', module: 'core/x.ts', code: 'VS-04' }, { name: 'hostProblem', module: 'core/hosts.ts', code: 'XX-99' }], rules)).toEqual([
    'notCalledAnywhere (core/x.ts, VS-04) is called by no rule in src/rules/vs/',
    'hostProblem (core/hosts.ts) carries XX-99, which is not a catalogue rule',
    'hostProblem (core/hosts.ts, XX-99) is called by no rule in src/rules/xx/',
  ]);
});

/** Rule-code string literals in source text (comments removed): `'VS-04'`, `"DR-12"`, `'SCHEMA'`, `'SUPPRESSION'`. */
function literalCodes(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  return [...code.matchAll(/(invariant\(\s*)?['"`]((?:X|VS|DR|SE|GW|CC|SC)-\d\d|SCHEMA|SUPPRESSION)['"`]/g)].filter((m) => !m[1]).map((m) => m[2]);
}
