'use strict';
/*
 * `npm test`'s first step: builds lib/ (`npm run build`: the bins, generate and the compiled schemas the tests run
 * against) and type-checks the tests (`tsc --noEmit -p tsconfig.test.json`) side by side — the two are independent,
 * and each is one single-threaded tsc. Exits with the first failure's code, after printing both outputs.
 */
const { spawn } = require('child_process');
const path = require('path');

const root = path.join(__dirname, '..');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const steps = [
  { name: 'npm run build', cmd: process.platform === 'win32' ? 'npm.cmd' : 'npm', args: ['run', '--silent', 'build'] },
  { name: 'tsc --noEmit -p tsconfig.test.json', cmd: process.execPath, args: [tsc, '--noEmit', '-p', 'tsconfig.test.json'] },
];

function run(step) {
  return new Promise((resolve) => {
    const child = spawn(step.cmd, step.args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('error', (e) => resolve({ step, code: 1, out: `${out}${e.message}\n` }));
    child.on('close', (code, signal) => resolve({ step, code: code ?? (signal ? 1 : 0), out }));
  });
}

Promise.all(steps.map(run)).then((results) => {
  for (const r of results) if (r.out) process.stdout.write(r.out);
  const failed = results.find((r) => r.code !== 0);
  if (failed) {
    process.stderr.write(`pretest: ${failed.step.name} failed (exit ${failed.code})\n`);
    process.exitCode = failed.code;
  }
});
