import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/**
 * No module-global mutable state: what a synth needs lives with its App (on its Rules construct) and goes when it
 * goes. The only module-level mutable values allowed are process-wide memos of pure functions of immutable input
 * (bounded, or weakly keyed), listed here with their reason, so a new one is always a deliberate decision.
 */
const ALLOWED: Record<string, string> = {
  'core/hosts.ts:hostCache': 'bounded memo of the pure host grammar check',
  'core/hosts.ts:wildcardHostCache': 'the same memo for hosts where a wildcard label is allowed',
  'core/re2.ts:verdicts': 'bounded memo of the pure RE2 grammar check',
  'core/package-info.ts:root': 'the package directory, found once',
  'engine/run.ts:runStates': 'what each rule run read and built, weakly keyed by its report (the traffic report reuses it)',
  'engine/view-vs.ts:destinationCache': 'memo of destinationsOf, weakly keyed by the spec object',
  'rules/x/grammar.ts:grammarCache': 'memo of the one walk X-01 and X-02 share, weakly keyed by the spec object',
  'schema/crd-schema.ts:builtDir': 'where the build put the compiled schemas, checked once against the CRDs they came from',
  'schema/crd-schema.ts:rawSchemas': 'the bundled CRD schemas, read once',
  'schema/crd-validator.ts:ajv': 'the ajv instance compiling those schemas',
  'schema/crd-validator.ts:validators': 'compiled validators, one per kind of the bundled CRDs',
  'schema/cel.ts:runtime': 'the CEL library and environment, loaded at the first rule evaluated',
  'schema/cel.ts:RULE_CACHE': 'compiled CEL rules, keyed by rule text (a fixed set from the CRDs)',
  'cli/yaml-read.ts:lastSource': 'one-entry memo of the pure go-yaml v2 reading of a scalar (its four resolvers ask in turn)',
  'cli/yaml-read.ts:lastValue': 'the value of that one-entry memo',
  'core/package-info.ts:docsBase': 'the documentation address from package.json, read once',
};

const SRC = path.join(__dirname, '..', 'src');

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Module-level `let`/`var` bindings and `const x = new Map()` (or Set/WeakMap/WeakSet without constant entries). */
function mutableModuleState(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const out: string[] = [];
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    const list = statement.declarationList;
    const isConst = (list.flags & ts.NodeFlags.Const) !== 0;
    for (const d of list.declarations) {
      const name = d.name.getText(source);
      const init = d.initializer;
      const container = init && ts.isNewExpression(init) && /^(Map|Set|WeakMap|WeakSet)$/.test(init.expression.getText(source));
      const constantEntries = container && init.arguments !== undefined && init.arguments.length > 0
        && /^(Set)$/.test((init as ts.NewExpression).expression.getText(source));
      if (!isConst || (container && !constantEntries)) out.push(`${path.relative(SRC, file).split(path.sep).join('/')}:${name}`);
    }
  }
  return out;
}

test('src/ has no module-global mutable state beyond the listed pure memos', () => {
  const found = files(SRC).flatMap((f) => mutableModuleState(f, fs.readFileSync(f, 'utf8')));
  expect(found.filter((k) => !(k in ALLOWED))).toEqual([]);
  expect(Object.keys(ALLOWED).filter((k) => !found.includes(k))).toEqual([]);
});

test('the state check can fail: a module-level let and a Map are found', () => {
  expect(mutableModuleState(path.join(SRC, 'x.ts'), 'let counter = 0;\nconst facts = new WeakMap<object, string>();\nconst KINDS = new Set([\'a\']);\n'))
    .toEqual(['x.ts:counter', 'x.ts:facts']);
});
