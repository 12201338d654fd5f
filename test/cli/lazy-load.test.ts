import { execFileSync } from 'child_process';
import * as path from 'path';

/*
 * What the CLI loads before a command runs (the compiled lib/, as the bin runs it; `npm test` builds it first).
 * generate, the ArgoCD plugin's hot path, pays for every module main loads: the YAML reader of lint and the ~100 rule
 * modules load only when lint runs (or when generate has to check the output itself).
 */
const ROOT = path.join(__dirname, '..', '..');

/** The modules of lib/src loaded after requiring the CLI and running `args` (paths relative to lib/src). */
function loadedAfter(args: string[]): string[] {
  const script = `
    const { main } = require(${JSON.stringify(path.join(ROOT, 'lib', 'src', 'cli', 'main.js'))});
    const io = { stdout: () => {}, stderr: () => {} };
    const args = JSON.parse(process.argv[1]);
    if (args.length > 0) main(args, io);
    const prefix = ${JSON.stringify(path.join(ROOT, 'lib', 'src') + path.sep)};
    process.stdout.write(JSON.stringify(Object.keys(require.cache).filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length))));
  `;
  return JSON.parse(execFileSync(process.execPath, ['-e', script, JSON.stringify(args)], { encoding: 'utf8' })) as string[];
}

test('requiring the CLI loads neither the rules nor lint\'s YAML reader', () => {
  const loaded = loadedAfter([]);
  expect(loaded).toContain('cli/main.js');
  expect(loaded).toContain('cli/limits.js');
  expect(loaded.filter((m) => m.startsWith('rules/') || m === 'cli/yaml-read.js' || m === 'cli/lint.js')).toEqual([]);
});

test('lint loads them when it runs (the check above can fail)', () => {
  const loaded = loadedAfter(['lint', path.join(ROOT, 'test', 'fixtures', 'does-not-exist.yaml')]);
  expect(loaded).toContain('cli/lint.js');
  expect(loaded).toContain('rules/index.js');
  expect(loaded).toContain('cli/yaml-read.js');
});
