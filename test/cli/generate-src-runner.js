'use strict';
// Runs `generate` from the TypeScript sources (no lib/ build needed): .ts files are transpiled on require with the
// project's TypeScript. Used by test/cli/generate-reliability.test.ts for what needs a separate process (signals).
const fs = require('fs');
const ts = require('typescript');
require.extensions['.ts'] = (module, file) => {
  const out = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
    fileName: file, compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, resolveJsonModule: true },
  });
  module._compile(out.outputText, file);
};
process.exitCode = require('../../src/cli/main').main(['generate', ...process.argv.slice(2)]);
