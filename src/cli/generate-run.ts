import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { checkEntry, SettingsError } from './generate-params';

/** Manifest generation failed: the app, its build or its output. Exit code 1. */
export class GenerateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GenerateError';
  }
}

/** The app to run: its entry file (relative to the application directory) and extra arguments. */
export interface AppEntry {
  readonly entry: string;
  /** Node flags before the entry, exactly as the cdk8s.yaml command gives them (`-r ./preload.js --env-file=.env`). */
  readonly nodeArgs: readonly string[];
  readonly args: readonly string[];
  /** Where the entry came from, for messages: `the app parameter` or `cdk8s.yaml app "…"`. */
  readonly origin: string;
  /** False when the entry came from the Application (its value is not echoed). */
  readonly echo: boolean;
}

/** Deadline-aware process runner shared by the build and the app run. */
export interface Runner {
  /** Milliseconds left before the overall timeout. */
  remaining(): number;
  /** Appends text to the buffered stderr. */
  log(text: string): void;
}

const TS_RUNNERS = new Set(['ts-node', 'ts-node-esm', 'ts-node-transpile-only', 'tsx']);
/** Node flags that take their value as the next word (`-r x`), so the value is not the entry. */
const NODE_FLAGS_WITH_VALUE = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader', '-C', '--conditions',
  '--env-file', '--env-file-if-exists', '--input-type', '--experimental-default-type', '--title', '--inspect-port', '--debug-port',
  '--redirect-warnings', '--report-dir', '--report-directory', '--report-filename', '--report-signal', '--diagnostic-dir',
  '--heapsnapshot-signal', '--icu-data-dir', '--openssl-config', '--tls-cipher-list', '--tls-keylog', '--unhandled-rejections',
  '--dns-result-order', '--disable-proto', '--secure-heap', '--secure-heap-min', '--cpu-prof-dir', '--cpu-prof-name',
  '--cpu-prof-interval', '--heap-prof-dir', '--heap-prof-name', '--heap-prof-interval', '--stack-trace-limit', '--max-http-header-size',
  '--experimental-policy', '--policy-integrity', '--trace-event-categories', '--trace-event-file-pattern', '--watch-path',
  '--experimental-specifier-resolution', '--es-module-specifier-resolution', '--localstorage-file']);
/** Node flags after which the words are not `<entry> [args]`: another program runs, or none. Refused. */
const NODE_FLAGS_REFUSED = new Set(['-e', '--eval', '-p', '--print', '-c', '--check', '-i', '--interactive', '--test', '--watch',
  '--watch-path', '--run', '-v', '--version', '-h', '--help', '--v8-options', '--completion-bash', '-']);
/** Loaders that compile TypeScript in memory: generate's own TypeScript hook replaces them, so these are dropped for a .ts entry. */
const TS_LOADERS = /^(ts-node\/(register|esm)(\/transpile-only)?(\.js)?|tsx(\/cjs|\/esm)?|@swc-node\/register|esbuild-register)$/;
/**
 * What shell syntax a cdk8s.yaml `app:` may not contain: cdk8s runs the command with a shell, generate does not, so
 * a command is accepted only when it is a plain list of words that the shell would pass on unchanged (no quotes,
 * escapes, variables, substitutions, globs, `~`, comments, operators, redirections or line breaks).
 */
const SHELL_SYNTAX = /["'`$;&|<>()\\*?[\]{}~#!\n\r]/;
const MAX_OUTPUT = 64 * 1024 * 1024;

/**
 * Finds the entry to run: the `app` parameter, else the `app:` command of cdk8s.yaml (`node <node flags> <file>
 * [args]`, `[npx] ts-node <file> [args]`, `[npx] tsx <file> [args]`). cdk8s runs that command with a shell;
 * generate runs the same words without one: `node` gets exactly the flags and arguments of the command (for a .ts
 * entry, its in-memory TypeScript loader is replaced by generate's, which transpiles with esbuild). A command generate cannot run
 * exactly as written (shell syntax, another program, a flag it cannot reproduce) is refused with a message that says
 * how to set the entry instead.
 */
export function resolveEntry(dir: string, fromSettings: { entry: string; origin: string; echo: boolean } | undefined): AppEntry {
  if (fromSettings) return { entry: fromSettings.entry, nodeArgs: [], args: [], origin: fromSettings.origin, echo: fromSettings.echo };
  const file = path.join(dir, 'cdk8s.yaml');
  if (!fs.existsSync(file)) {
    throw new SettingsError('no cdk8s.yaml in the application directory and no app entry given (parameter "app" or --app)');
  }
  let config: any;
  try {
    config = YAML.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new SettingsError(`cdk8s.yaml is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const command = config?.app;
  if (typeof command !== 'string' || command.trim() === '') throw new SettingsError('cdk8s.yaml has no "app:" command; set the "app" parameter to the entry file');
  const quoted = JSON.stringify(command);
  const unsupported = (why: string) => new SettingsError(`cdk8s.yaml app ${quoted} cannot be run exactly as cdk8s runs it (${why}); `
    + 'set the "app" parameter to the entry file (.js or .ts) instead, or write the command as "node [node flags] <file> [args]", '
    + '"ts-node <file> [args]" or "tsx <file> [args]"');
  if (SHELL_SYNTAX.test(command)) throw unsupported('it uses shell syntax, and generate runs no shell');
  const tokens = command.trim().split(/[ \t]+/);
  let i = 0;
  if (tokens[i] === 'npx') {
    i++;
    while (i < tokens.length && tokens[i].startsWith('-')) i++;
  }
  const runner = path.basename(tokens[i] ?? '');
  if (runner !== 'node' && !TS_RUNNERS.has(runner)) throw unsupported(`it runs ${JSON.stringify(runner)}, not node, ts-node or tsx`);
  const flags: string[] = [];
  for (i++; i < tokens.length && tokens[i].startsWith('-'); i++) {
    const name = tokens[i].split('=')[0];
    const separate = !tokens[i].includes('=') && (runner === 'node' ? NODE_FLAGS_WITH_VALUE : TS_FLAGS_WITH_VALUE).has(name);
    if (runner === 'node' && NODE_FLAGS_REFUSED.has(name)) throw unsupported(`node ${name} does not run an entry file`);
    if (separate && i + 1 >= tokens.length) throw unsupported(`${name} has no value`);
    flags.push(...(separate ? [tokens[i], tokens[++i]] : [tokens[i]]));
  }
  if (i >= tokens.length) throw unsupported('it names no entry file');
  const origin = `cdk8s.yaml app ${quoted}`;
  const entry = checkEntry(tokens[i], origin);
  const isTs = /\.(c|m)?ts$/.test(entry);
  const nodeArgs = runner === 'node' ? nodeFlags(flags, isTs) : tsRunnerFlags(dir, flags, unsupported);
  return { entry, nodeArgs, args: tokens.slice(i + 1), origin, echo: true };
}

/** ts-node/tsx flags with a separate value. */
const TS_FLAGS_WITH_VALUE = new Set(['-r', '--require', '-P', '--project', '-C', '--compiler', '-O', '--compiler-options',
  '-I', '--ignore', '--cwd', '--tsconfig', '--conditions', '--import']);

/** The node flags of a `node …` command, as written; an in-memory TypeScript loader is dropped for a .ts entry (generate's hook replaces it). */
function nodeFlags(flags: readonly string[], isTs: boolean): string[] {
  const out: string[] = [];
  for (let k = 0; k < flags.length; k++) {
    const [name, inline] = flags[k].includes('=') ? [flags[k].slice(0, flags[k].indexOf('=')), flags[k].slice(flags[k].indexOf('=') + 1)] : [flags[k], undefined];
    const hasValue = inline === undefined && NODE_FLAGS_WITH_VALUE.has(name);
    const value = inline ?? (hasValue ? flags[k + 1] : undefined);
    const loader = ['-r', '--require', '--import', '--loader', '--experimental-loader'].includes(name) && value !== undefined && TS_LOADERS.test(value);
    if (!(isTs && loader)) out.push(...(hasValue ? [flags[k], flags[k + 1]] : [flags[k]]));
    if (hasValue) k++;
  }
  return out;
}

/**
 * The node flags equivalent to the flags of a `ts-node`/`tsx` command, where generate runs node with its own
 * TypeScript hook (esbuild, no type check): `-r`/`--require` are node's own; `--transpile-only`/`-T` and `--files`
 * change only type checking and file discovery (generate never type-checks, as with -T); `-P`/`--project` only when it
 * names ./tsconfig.json, the tsconfig generate uses. Any other flag would change the program: refused.
 */
function tsRunnerFlags(dir: string, flags: readonly string[], unsupported: (why: string) => Error): string[] {
  const out: string[] = [];
  for (let k = 0; k < flags.length; k++) {
    const eq = flags[k].indexOf('=');
    const name = eq < 0 ? flags[k] : flags[k].slice(0, eq);
    const separate = eq < 0 && TS_FLAGS_WITH_VALUE.has(name);
    const value = eq < 0 ? (separate ? flags[++k] : undefined) : flags[k].slice(eq + 1);
    if (name === '-r' || name === '--require') {
      if (!TS_LOADERS.test(value!)) out.push('--require', value!);
    } else if (['-T', '--transpile-only', '--transpileOnly', '--files'].includes(name) && value === undefined) {
      // type checking and file discovery only: generate transpiles without a type check, as -T does
    } else if ((name === '-P' || name === '--project' || name === '--tsconfig') && value !== undefined
      && path.resolve(dir, value) === path.resolve(dir, 'tsconfig.json')) {
      // the tsconfig generate transpiles with
    } else {
      throw unsupported(`the ${name} flag cannot be reproduced by transpiling with esbuild and running node`);
    }
  }
  return out;
}

/** How generate runs the app beyond its own command: node flags before the app's, and environment variables. */
export interface RunExtras {
  /** Node flags that come before the app's own (generate's TypeScript hook). */
  readonly nodeArgs: readonly string[];
  /** Variables set (a string) or removed (undefined) for the app, after the `env` parameter's. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Explains a failed run before the generic message (a syntax error the TypeScript hook recorded). */
  readonly explain?: () => string | undefined;
}

/** Runs the app (`script`) with CDK8S_OUTDIR set; the app's stdout and stderr both go to our stderr. */
export function runApp(dir: string, script: string, app: AppEntry, outdir: string, extraEnv: Readonly<Record<string, string>>, run: Runner,
  extras: RunExtras = { nodeArgs: [], env: {} }): void {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv, CDK8S_OUTDIR: outdir };
  for (const [key, value] of Object.entries(extras.env)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  const started = Date.now();
  const result = spawnChecked(process.execPath, [...extras.nodeArgs, ...app.nodeArgs, script, ...app.args], dir, env, run, 'the cdk8s app', `CDK8S_OUTDIR=${outdir}`);
  if (result.signal) throw new GenerateError(`the cdk8s app was killed by ${result.signal}`);
  if (result.status !== 0) {
    const explained = extras.explain?.();
    if (explained) throw new GenerateError(explained);
    const hint = /Cannot find module '(cdk8s|constructs|cdk8s-plus-\d+|cdk8s-istio-traffic)'/.test(result.output)
      ? ' (its dependencies are missing: the application directory has no node_modules and no CDK8S_NODE_MODULES was provided)'
      : '';
    throw new GenerateError(`the cdk8s app failed with exit code ${result.status}${hint}; its output is above`);
  }
  run.log(`cdk8s-istio-traffic generate: ran the app in ${Date.now() - started} ms\n`);
}

/**
 * The supervisor the app runs under: `node -e SUPERVISOR <json>`. generate itself is
 * synchronous, and Node runs JavaScript signal handlers only from its event loop, i.e. not before a synchronous
 * command ends; so the deadline, the signals and the process group are handled by this small asynchronous process:
 * - it spawns the command detached, so the command leads its own process group;
 * - on the deadline, on too much output, on SIGTERM/SIGINT/SIGHUP (ArgoCD signals generate's process group, which
 *   the supervisor is in) and when generate dies (its parent changes), it kills the whole group with SIGKILL;
 * - when the command exits, whatever is left of its group is killed too, and (Linux) every process that still
 *   carries this run's marker variable in its environment (children that left the group with setsid, e.g. Node's
 *   `spawn(…, { detached: true })`);
 * - it forwards the command's stdout and stderr (interleaved) on its stdout and writes a verdict on fd 3.
 */
const SUPERVISOR = `'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const cfg = JSON.parse(process.argv[1]);
const parent = process.ppid;
let reason = null; let bytes = 0; let status = null; let signal = null; let done = false;
const child = spawn(cfg.cmd, cfg.args, { cwd: cfg.cwd, env: process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
const sweep = () => {
  try { process.kill(-child.pid, 'SIGKILL'); } catch (e) { /* no group left */ }
  if (!cfg.marker || process.platform !== 'linux') return;
  let pids = [];
  try { pids = fs.readdirSync('/proc').filter((p) => /^[0-9]+$/.test(p) && Number(p) !== process.pid); } catch (e) { return; }
  for (const pid of pids) {
    try {
      if (fs.readFileSync('/proc/' + pid + '/environ', 'latin1').split('\\0').includes(cfg.marker)) process.kill(Number(pid), 'SIGKILL');
    } catch (e) { /* gone, or not ours */ }
  }
};
const stop = (why) => { if (reason === null) reason = why; sweep(); };
const out = (d) => {
  if (reason === 'output') return;
  bytes += d.length;
  if (bytes > cfg.maxOutput) stop('output'); else fs.writeSync(1, d);
};
const finish = () => {
  if (done) return;
  done = true;
  sweep();
  fs.writeSync(3, JSON.stringify({ reason, status, signal }));
  process.exit(0);
};
child.stdout.on('data', out);
child.stderr.on('data', out);
child.on('error', (e) => { if (reason === null) reason = 'spawn: ' + e.message; finish(); });
child.on('exit', (code, sig) => { status = code; signal = sig; sweep(); setTimeout(finish, 1000).unref(); });
child.on('close', finish);
setTimeout(() => stop('timeout'), cfg.timeout);
setInterval(() => { if (process.ppid !== parent) stop('parent'); }, 100).unref();
for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(s, () => stop(s));
`;

interface Supervised {
  readonly status: number | null;
  readonly signal: string | null;
  /** stdout and stderr of the command, interleaved. */
  readonly output: string;
}

function spawnChecked(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, run: Runner, what: string, marker?: string): Supervised {
  const timeout = run.remaining();
  if (timeout <= 0) throw new GenerateError(`timed out before starting ${what} (--timeout)`);
  const config = JSON.stringify({ cmd, args, cwd, timeout, maxOutput: MAX_OUTPUT, marker });
  const result = spawnSync(process.execPath, ['-e', SUPERVISOR, config], {
    cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    // The supervisor enforces the deadline; this only backs it up if the supervisor itself hangs.
    timeout: timeout + 5000, killSignal: 'SIGKILL', maxBuffer: MAX_OUTPUT + 1024 * 1024, windowsHide: true,
  });
  const output = result.output?.[1] ?? '';
  run.log(output + (result.output?.[2] ?? ''));
  let verdict: { reason: string | null; status: number | null; signal: string | null } | undefined;
  try {
    verdict = JSON.parse(result.output?.[3] ?? '');
  } catch {
    verdict = undefined;
  }
  if (!verdict) {
    const code = (result.error as NodeJS.ErrnoException | undefined)?.code;
    throw new GenerateError(`cannot run ${what}: ${code === 'ETIMEDOUT' ? 'its supervisor did not finish' : result.error?.message ?? `supervisor exit code ${result.status}`}`);
  }
  if (verdict.reason === 'timeout') {
    throw new GenerateError(`${what} did not finish within the ${Math.round(timeout / 1000)} s left of the timeout (--timeout); its process group was killed`);
  }
  if (verdict.reason === 'output') throw new GenerateError(`${what} printed more than ${MAX_OUTPUT / 1024 / 1024} MiB; its process group was killed`);
  if (verdict.reason === 'SIGTERM' || verdict.reason === 'SIGINT' || verdict.reason === 'SIGHUP' || verdict.reason === 'parent') {
    throw new GenerateError(`interrupted (${verdict.reason}) while running ${what}; its process group was killed`);
  }
  if (verdict.reason) throw new GenerateError(`cannot run ${what}: ${verdict.reason}`);
  return { status: verdict.status, signal: verdict.signal, output };
}
