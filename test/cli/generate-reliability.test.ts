import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { generate } from '../../src/cli/generate';
import { RESERVED_ENV_NAMES, readPluginSettings } from '../../src/cli/generate-params';
import { resolveEntry } from '../../src/cli/generate-run';
import { appDir as makeAppDir } from '../support/apps';

/*
 * Issue 12 items 3, 5 and 10: generate from the sources, in this process — the signal test, which needs a process
 * of its own, runs the compiled bin (`npm test` builds lib/ first) — with apps that use only cdk8s.
 */

jest.setTimeout(60_000);

const root = path.join(__dirname, '..', '..');
const work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'generate-reliability-')));
// generate's temporary folders go to a directory of this file's own (os.tmpdir() reads TMPDIR), so that what another
// test file running beside it creates in the shared one does not count as left behind here.
const savedTmpdir = process.env.TMPDIR;
const privateTmp = path.join(work, 'tmp');
fs.mkdirSync(privateTmp);
process.env.TMPDIR = privateTmp;
afterAll(() => {
  if (savedTmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmpdir;
  fs.rmSync(work, { recursive: true, force: true });
});

function appDir(name: string, files: Record<string, string>): string {
  return makeAppDir(work, name, files);
}

const header = "const { App, Chart, ApiObject } = require('cdk8s');\n";
const cm = (name: string) => `new ApiObject(chart, ${JSON.stringify(name)}, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: ${JSON.stringify(name)} } });\n`;
const names = (stdout: string) => parseAllDocuments(stdout, { version: '1.1' }).map((d) => (d.toJS() as any).metadata.name);
const env = { ARGOCD_APP_NAMESPACE: 'dest' };
const tmpEntries = () => new Set(fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('cdk8s-generate-')));
/** Running, not a zombie (an orphan killed in a container whose init does not reap stays a zombie). */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    const stat = fs.existsSync(`/proc/${pid}/stat`) ? fs.readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
    return !/^\d+ \(.*\) [ZX] /.test(stat);
  } catch {
    return false;
  }
};
async function waitFor(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('item 3: the app command of cdk8s.yaml runs exactly, or not at all', () => {
  test('node flags (-r preload, --env-file) reach node: the same objects cdk8s would write', () => {
    const dir = appDir('flags', {
      'cdk8s.yaml': 'app: node -r ./preload.js --env-file=.env main.js extra-arg\n',
      'preload.js': 'globalThis.PRELOADED = true;\n',
      '.env': 'FROM_ENV_FILE=yes\n',
      'main.js': `${header}const app = new App(); const chart = new Chart(app, 'c');\n${cm('always')}`
        + `if (globalThis.PRELOADED) { ${cm('preloaded')} }\nif (process.env.FROM_ENV_FILE === 'yes') { ${cm('env-file')} }\n`
        + `if (process.argv[2] === 'extra-arg') { ${cm('argument')} }\napp.synth();\n`,
    });
    const r = generate({ dir }, env);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.exitCode).toBe(0);
    expect(names(r.stdout)).toEqual(['always', 'preloaded', 'env-file', 'argument']);
  });

  test.each([
    ['node main.js\nrm -rf x', /shell syntax/],
    ['node main.js *.yaml', /shell syntax/],
    ['node ~/main.js', /shell syntax/],
    ['node main.js # comment', /shell syntax/],
    ['node -e "1" main.js', /shell syntax/],
    ['node --eval 1 main.js', /node --eval does not run an entry file/],
    ['node --watch main.js', /node --watch does not run an entry file/],
    ['npx ts-node --esm main.ts', /--esm flag cannot be reproduced/],
    ['npx ts-node -P other.json main.ts', /-P flag cannot be reproduced/],
    ['npx ts-node -O {} main.ts', /shell syntax/],
  ])('%j is refused (exit 2, nothing printed), never run as another command', (command, message) => {
    const dir = appDir(`refused-${Math.random().toString(36).slice(2)}`, { 'cdk8s.yaml': `app: ${JSON.stringify(command)}\n`, 'main.js': '' });
    expect(() => resolveEntry(dir, undefined)).toThrow(message);
    const r = generate({ dir }, env);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
  });

  test('the flags are kept in order; an in-memory TypeScript loader is dropped only for a .ts entry (generate\'s hook replaces it)', () => {
    const dir = appDir('parse', { 'cdk8s.yaml': 'app: node --enable-source-maps -r ./a.js --require=./b.js main.js x\n' });
    expect(resolveEntry(dir, undefined)).toMatchObject({ entry: 'main.js', nodeArgs: ['--enable-source-maps', '-r', './a.js', '--require=./b.js'], args: ['x'] });
    fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), 'app: node -r ts-node/register -r ./p.js main.ts\n');
    expect(resolveEntry(dir, undefined)).toMatchObject({ entry: 'main.ts', nodeArgs: ['-r', './p.js'] });
    fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), 'app: npx ts-node -r ./p.js -T main.ts\n');
    expect(resolveEntry(dir, undefined)).toMatchObject({ entry: 'main.ts', nodeArgs: ['--require', './p.js'] });
  });
});

describe('item 5: one deadline, bounded output, nothing left behind', () => {
  test('more manifest bytes than the limit is refused with a clear message, and the temporary folder is removed', async () => {
    const dir = appDir('big', {
      'cdk8s.yaml': 'app: node main.js\n',
      'main.js': `${header}const app = new App(); const chart = new Chart(app, 'c');\n`
        + "new ApiObject(chart, 'big', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { x: 'y'.repeat(200000) } });\napp.synth();\n",
    });
    const before = tmpEntries();
    const r = generate({ dir, maxOutputBytes: 100_000 }, env);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/the app wrote more than 100000 bytes of manifests .*CDK8S_MAX_OUTPUT_BYTES/);
    // Removed by generate, or — when the stopped app was still writing into it — by its guard right after.
    await waitFor(() => [...tmpEntries()].filter((f) => !before.has(f)).length === 0, 5000);
    expect(generate({ dir }, { ...env, CDK8S_MAX_OUTPUT_BYTES: '100000' }).stderr).toMatch(/more than 100000 bytes/);
    expect(generate({ dir }, env).exitCode).toBe(0);
  });

  test('the deadline covers reading and checking, not only the app run', () => {
    // The app itself finishes in time; the timeout passes while the app's stray output is being read back.
    const dir = appDir('late', {
      'cdk8s.yaml': 'app: node main.js\n',
      'main.js': `${header}const app = new App(); const chart = new Chart(app, 'c');\n${cm('a')}app.synth();\n`
        + "const t = Date.now() + 1500; while (Date.now() < t) { /* busy until just before the deadline */ }\n",
    });
    const r = generate({ dir, timeout: 1.6 }, env);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/timed out|did not finish within/);
  });

  test('on timeout the app\'s whole process group is killed, and children that left the group too', async () => {
    const pids = path.join(work, 'pids');
    const dir = appDir('group', {
      'cdk8s.yaml': 'app: node main.js\n',
      'main.js': `${header}const { spawn } = require('child_process');
const sleeper = (detached) => spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore', detached }).pid;
require('fs').writeFileSync(${JSON.stringify(pids)}, JSON.stringify([sleeper(false), sleeper(true)]));
setInterval(() => {}, 1000);
`,
    });
    const r = generate({ dir, timeout: 2 }, env);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/did not finish within .*process group was killed/);
    const [inGroup, detached] = JSON.parse(fs.readFileSync(pids, 'utf8'));
    await waitFor(() => !alive(inGroup), 3000);
    if (process.platform === 'linux') await waitFor(() => !alive(detached), 3000);
  });

  test('children left running by an app that exits are killed too', async () => {
    const pids = path.join(work, 'pids-exit');
    const dir = appDir('leftover', {
      'cdk8s.yaml': 'app: node main.js\n',
      'main.js': `${header}const { spawn } = require('child_process');
const c = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }); c.unref();
require('fs').writeFileSync(${JSON.stringify(pids)}, JSON.stringify([c.pid]));
const app = new App(); const chart = new Chart(app, 'c');\n${cm('a')}app.synth();\n`,
    });
    const r = generate({ dir }, env);
    expect(r.exitCode).toBe(0);
    const [pid] = JSON.parse(fs.readFileSync(pids, 'utf8'));
    await waitFor(() => !alive(pid), 3000);
  });

  test.each(['SIGTERM', 'SIGINT'] as const)('%s to generate: it exits at once, nothing printed, the temporary folder removed and the app killed', async (signal) => {
    const marker = path.join(work, `started-${signal}`);
    const dir = appDir(`signal-${signal}`, {
      'cdk8s.yaml': 'app: node main.js\n',
      'main.js': `require('fs').writeFileSync(${JSON.stringify(marker)}, JSON.stringify({ pid: process.pid, outdir: process.env.CDK8S_OUTDIR }));
setInterval(() => {}, 1000);
`,
    });
    const child = spawn(process.execPath, [path.join(root, 'bin', 'cdk8s-istio-traffic.js'), 'generate', '--dir', dir, '--timeout', '30'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d) => { stdout += d; });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    await waitFor(() => fs.existsSync(marker) && fs.readFileSync(marker, 'utf8').length > 0, 30_000);
    const { pid, outdir } = JSON.parse(fs.readFileSync(marker, 'utf8'));
    const tmp = path.dirname(outdir);
    expect(fs.existsSync(tmp)).toBe(true);
    child.kill(signal);
    expect(await exited).toBe(signal);
    expect(stdout).toBe('');
    await waitFor(() => !fs.existsSync(tmp) && !alive(pid), 5000);
  });
});

describe('item 10: cluster scope, real paths, reserved variables', () => {
  test('a custom kind declared cluster-scoped by a CRD in the output gets no namespace; a namespaced one does', () => {
    const crd = (kind: string, scope: string) => `new ApiObject(chart, '${kind}-crd', { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
  metadata: { name: '${kind.toLowerCase()}s.example.com' }, spec: { group: 'example.com', scope: '${scope}', names: { kind: '${kind}', plural: '${kind.toLowerCase()}s' }, versions: [] } });
new ApiObject(chart, '${kind}', { apiVersion: 'example.com/v1', kind: '${kind}', metadata: { name: 'one' } });\n`;
    const dir = appDir('crd-scope', {
      'cdk8s.yaml': 'app: node main.js\n',
      'main.js': `${header}const app = new App(); const chart = new Chart(app, 'c');\n${crd('Tenant', 'Cluster')}${crd('Widget', 'Namespaced')}app.synth();\n`,
    });
    const r = generate({ dir }, env);
    expect(r.exitCode).toBe(0);
    const ns = Object.fromEntries(parseAllDocuments(r.stdout).map((d) => d.toJS() as any).map((o) => [o.kind, o.metadata.namespace]));
    expect(ns).toEqual({ CustomResourceDefinition: undefined, Tenant: undefined, Widget: 'dest' });
  });

  test('an app entry that is a symbolic link out of the directory is refused (exit 2)', () => {
    const outside = path.join(work, 'outside.js');
    fs.writeFileSync(outside, `${header}const app = new App(); const chart = new Chart(app, 'c');\n${cm('outside')}app.synth();\n`);
    const dir = appDir('symlink', { 'cdk8s.yaml': 'app: node main.js\n' });
    fs.symlinkSync(outside, path.join(dir, 'main.js'));
    fs.symlinkSync(work, path.join(dir, 'up'), 'dir');
    for (const r of [generate({ dir }, env), generate({ dir }, { ...env, ARGOCD_APP_PARAMETERS: JSON.stringify([{ name: 'app', string: 'up/outside.js' }]) })]) {
      expect(r.exitCode).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/inside the application directory, and is not once symbolic links are resolved/);
    }
    // A link that stays inside is fine.
    fs.unlinkSync(path.join(dir, 'main.js'));
    fs.copyFileSync(outside, path.join(dir, 'real.js'));
    fs.symlinkSync('real.js', path.join(dir, 'main.js'));
    expect(generate({ dir }, env).exitCode).toBe(0);
  });

  test('the reserved variables of the env parameter are the ones plugin.yaml and docs/argocd.md name; NODE_ENV reaches the app', () => {
    const tooltip: string = (require('yaml').parse(fs.readFileSync(path.join(root, 'argocd', 'plugin.yaml'), 'utf8')) as any)
      .spec.parameters.static.find((p: any) => p.name === 'env').tooltip;
    const docs = fs.readFileSync(path.join(root, 'docs', 'argocd.md'), 'utf8');
    const row = docs.split('\n').find((l) => l.startsWith('| `env` (map)'))!;
    const listed = (text: string) => [...text.matchAll(/\b[A-Z][A-Z0-9_]*_?\*?(?=[`,. ]|$)/g)].map((m) => m[0]);
    for (const name of RESERVED_ENV_NAMES) {
      expect(listed(tooltip)).toContain(name);
      expect(row).toContain(`\`${name}\``);
      const key = name.replace('*', 'X');
      expect(() => readPluginSettings({ ARGOCD_APP_PARAMETERS: JSON.stringify([{ name: 'env', map: { [key]: 'v' } }]) })).toThrow(/is reserved/);
    }
    expect(tooltip).not.toMatch(/NODE_\*[,)]/);
    expect(readPluginSettings({ ARGOCD_APP_PARAMETERS: JSON.stringify([{ name: 'env', map: { NODE_ENV: 'production' } }]) }).env).toEqual({ NODE_ENV: 'production' });
  });
});
