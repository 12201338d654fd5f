/**
 * Architecture of src/, checked by test/architecture.test.ts (and by hand: `npx depcruise src`).
 *
 * Layers, low to high (a layer may import itself and the layers named in its rule, nothing else in src/):
 *
 *   core < (policies, schema) < engine < (rules, simulate) < report < synth < constructs ; cli, plugin.ts, entries on top
 *
 *   src/core/        pure checks and helpers                      → nothing else from src
 *   src/policies/    value classes                                → core
 *   src/schema/      CRD schema validation (ajv + CEL)            → core
 *   src/engine/      rule-engine types, run, analyze, object view → core, schema
 *   src/rules/       rule families and the catalogue              → core, engine
 *   src/simulate/    the route simulator                          → core, engine
 *   src/report/      traffic report                               → core, engine, simulate
 *   src/synth/       the Rules construct (synth-time glue)        → core, engine, rules, report, schema
 *   src/constructs/  L2 constructs                                → core, policies, synth
 *   src/cli/, src/plugin.ts                                       → anything below except constructs, policies
 *   src/index.ts, src/engine-api.ts (the public entry points)     → anything
 *
 * Type-only imports count (tsPreCompilationDeps): a layer that needs another's types depends on it.
 */

/** A regex matching any module in src/ that is not in one of the given layer folders (or files) of src/. */
function srcExcept(...allowed) {
  return `^src/(?!(${allowed.join('|')}))`;
}

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles anywhere in src/ (type-only imports included): split the shared part out into a lower layer.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-test-imports-from-src',
      severity: 'error',
      comment: 'Library code never imports test code (test/, *.test.ts, *.spec.ts, __snapshots__, __mocks__).',
      from: { path: '^src/' },
      to: { path: ['^test/', '\\.(test|spec)\\.[cm]?[jt]sx?$', '(^|/)__(snapshots|mocks)__/'] },
    },
    {
      name: 'core-imports-nothing-from-src',
      severity: 'error',
      comment: 'src/core/ holds pure checks and helpers used by every other layer; it imports nothing else from src/.',
      from: { path: '^src/core/' },
      to: { path: srcExcept('core/') },
    },
    {
      name: 'policies-import-only-core',
      severity: 'error',
      comment: 'Value classes (src/policies/) validate on their own and may import src/core/ only.',
      from: { path: '^src/policies/' },
      to: { path: srcExcept('core/', 'policies/') },
    },
    {
      name: 'schema-imports-only-core',
      severity: 'error',
      comment: 'CRD schema validation (src/schema/) may import src/core/ only.',
      from: { path: '^src/schema/' },
      to: { path: srcExcept('core/', 'schema/') },
    },
    {
      name: 'engine-imports-only-core-schema',
      severity: 'error',
      comment: 'The rule engine (src/engine/) may import src/core/ and src/schema/ only: never rules, report, synth, constructs or policies.',
      from: { path: '^src/engine/' },
      to: { path: srcExcept('core/', 'schema/', 'engine/') },
    },
    {
      name: 'rules-import-only-core-engine',
      severity: 'error',
      comment: 'Rule families and the catalogue (src/rules/) may import src/core/ and src/engine/ only.',
      from: { path: '^src/rules/' },
      to: { path: srcExcept('core/', 'engine/', 'rules/') },
    },
    {
      name: 'simulate-imports-only-core-engine',
      severity: 'error',
      comment: 'The route simulator (src/simulate/) reads what the rule engine reads: it may import src/core/ and src/engine/ only.',
      from: { path: '^src/simulate/' },
      to: { path: srcExcept('core/', 'engine/', 'simulate/') },
    },
    {
      name: 'report-imports-only-core-engine-simulate',
      severity: 'error',
      comment: 'The traffic report (src/report/) may import src/core/, src/engine/ and src/simulate/ (its request tables) only.',
      from: { path: '^src/report/' },
      to: { path: srcExcept('core/', 'engine/', 'simulate/', 'report/') },
    },
    {
      name: 'synth-imports-only-core-engine-rules-report-schema',
      severity: 'error',
      comment: 'The Rules construct (src/synth/) may import core, engine, rules, report and schema: never constructs, policies, cli, plugin or the entries.',
      from: { path: '^src/synth/' },
      to: { path: srcExcept('core/', 'engine/', 'rules/', 'report/', 'schema/', 'synth/') },
    },
    {
      name: 'constructs-import-only-core-policies-synth',
      severity: 'error',
      comment: 'L2 constructs (src/constructs/) may import core, policies and synth (to attach the rule engine); not engine, rules, report or schema directly.',
      from: { path: '^src/constructs/' },
      to: { path: srcExcept('core/', 'policies/', 'synth/', 'constructs/') },
    },
    {
      name: 'cli-plugin-not-constructs-policies-entries',
      severity: 'error',
      comment: 'src/cli/ and src/plugin.ts sit on top but work on manifests: they may not import constructs or policies, nor the entry points (src/index.ts re-exports the constructs).',
      from: { path: ['^src/cli/', '^src/plugin\\.ts$'] },
      to: { path: ['^src/constructs/', '^src/policies/', '^src/index\\.ts$', '^src/engine-api\\.ts$'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(lib|dist)/' },
    tsPreCompilationDeps: true,
  },
};
