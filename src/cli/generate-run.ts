import { spawnSync, SpawnSyncReturns } from 'child_process';
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
/** Runner flags that take a separate value (`-r x`), so the value is not the entry. */
const FLAGS_WITH_VALUE = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader', '-P', '--project',
  '-C', '--compiler', '-O', '--compiler-options', '-I', '--ignore', '--cwd', '--tsconfig', '--conditions']);
const MAX_OUTPUT = 64 * 1024 * 1024;

/**
 * Finds the entry to run: the `app` parameter, else the `app:` command of cdk8s.yaml (`node <file>`,
 * `[npx] ts-node <file>`, `[npx] tsx <file>`, with flags and trailing arguments). No shell is involved: a
 * command that is anything else is rejected with a message that says how to set the entry instead.
 */
export function resolveEntry(dir: string, fromSettings: { entry: string; origin: string; echo: boolean } | undefined): AppEntry {
  if (fromSettings) return { entry: fromSettings.entry, args: [], origin: fromSettings.origin, echo: fromSettings.echo };
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
  const unsupported = () => new SettingsError(`cdk8s.yaml app ${JSON.stringify(command)} is not a "node <file>", "ts-node <file>" or "tsx <file>" command; `
    + 'set the "app" parameter to the entry file (.js or .ts) instead');
  if (/["'`$;&|<>()\\]/.test(command)) throw unsupported();
  const tokens = command.trim().split(/\s+/);
  let i = 0;
  if (tokens[i] === 'npx') {
    i++;
    while (i < tokens.length && tokens[i].startsWith('-')) i++;
  }
  const runner = path.basename(tokens[i] ?? '');
  if (runner !== 'node' && !TS_RUNNERS.has(runner)) throw unsupported();
  for (i++; i < tokens.length && tokens[i].startsWith('-'); i++) {
    if (FLAGS_WITH_VALUE.has(tokens[i])) i++;
  }
  if (i >= tokens.length) throw unsupported();
  const origin = `cdk8s.yaml app ${JSON.stringify(command)}`;
  return { entry: checkEntry(tokens[i], origin), args: tokens.slice(i + 1), origin, echo: true };
}

/**
 * Returns the JavaScript file to run for `app`, compiling the project once with its own `tsc -p .` when the
 * entry is TypeScript, or when it is JavaScript that does not exist yet and a tsconfig.json is present
 * (compiled output is usually not committed). Compile errors fail the run even though tsc emitted files.
 */
export function prepareEntry(dir: string, app: AppEntry, run: Runner): string {
  const abs = path.resolve(dir, app.entry);
  const name = app.echo ? JSON.stringify(app.entry) : 'the entry given by the app parameter';
  const isTs = /\.(c|m)?ts$/.test(abs);
  const hasTsconfig = fs.existsSync(path.join(dir, 'tsconfig.json'));
  if (!isTs) {
    if (fs.existsSync(abs)) return abs;
    if (!hasTsconfig) throw new SettingsError(`${name} does not exist and there is no tsconfig.json to build it from`);
  } else if (!fs.existsSync(abs)) {
    throw new SettingsError(`${name} does not exist`);
  } else if (!hasTsconfig) {
    throw new SettingsError(`${name} is TypeScript but there is no tsconfig.json in the application directory to compile it with`);
  }
  const tsc = compile(dir, run);
  const out = isTs ? outputOf(tsc, dir, abs, name) : abs;
  if (!fs.existsSync(out)) {
    throw new GenerateError(`tsc succeeded but did not write ${path.relative(dir, out)} (the compiled ${name}): `
      + 'check outDir and noEmit in tsconfig.json, or point the app entry at the compiled file');
  }
  return out;
}

/** Runs `node_modules/.bin/tsc -p .` once; returns the path of the TypeScript package it belongs to. */
function compile(dir: string, run: Runner): string {
  const bin = path.join(dir, 'node_modules', '.bin', 'tsc');
  let script: string;
  try {
    script = fs.realpathSync(bin);
  } catch {
    throw new GenerateError('cannot compile TypeScript: node_modules/.bin/tsc not found in the application directory. '
      + 'Commit the compiled JavaScript and point the app entry at it, or use a sidecar image that provides typescript (CDK8S_NODE_MODULES)');
  }
  const started = Date.now();
  const result = spawnChecked(process.execPath, [script, '-p', '.', '--pretty', 'false'], dir, process.env, run, 'tsc');
  run.log(result.stdout + result.stderr);
  if (result.status !== 0) throw new GenerateError(`TypeScript compilation failed (tsc exit code ${result.status}); see the errors above`);
  run.log(`cdk8s-istio-traffic generate: compiled with tsc in ${Date.now() - started} ms\n`);
  return path.resolve(path.dirname(script), '..');
}

/** The .js file tsc writes for `file`, as the project's own TypeScript computes it. */
function outputOf(typescriptDir: string, dir: string, file: string, name: string): string {
  const ts = require(typescriptDir) as typeof import('typescript');
  const configFile = path.join(dir, 'tsconfig.json');
  const read = ts.readConfigFile(configFile, ts.sys.readFile);
  if (read.error) throw new GenerateError(`tsconfig.json: ${ts.flattenDiagnosticMessageText(read.error.messageText, ' ')}`);
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dir, undefined, configFile);
  const real = (p: string) => fs.realpathSync(p);
  if (!parsed.fileNames.some((f) => real(f) === real(file))) {
    throw new SettingsError(`${name} is not part of the TypeScript project (see "include"/"files" in tsconfig.json)`);
  }
  const outputs = ts.getOutputFileNames(parsed, file, !ts.sys.useCaseSensitiveFileNames);
  const js = outputs.find((o) => /\.(c|m)?js$/.test(o));
  if (!js) throw new GenerateError(`tsconfig.json emits no JavaScript for ${name} (noEmit or emitDeclarationOnly?)`);
  return path.resolve(js);
}

/** Runs the compiled app with CDK8S_OUTDIR set; the app's stdout and stderr both go to our stderr. */
export function runApp(dir: string, js: string, app: AppEntry, outdir: string, extraEnv: Readonly<Record<string, string>>, run: Runner): void {
  const env = { ...process.env, ...extraEnv, CDK8S_OUTDIR: outdir };
  const started = Date.now();
  const result = spawnChecked(process.execPath, [js, ...app.args], dir, env, run, 'the cdk8s app');
  run.log(result.stdout + result.stderr);
  if (result.signal) throw new GenerateError(`the cdk8s app was killed by ${result.signal}`);
  if (result.status !== 0) {
    const hint = /Cannot find module '(cdk8s|constructs|cdk8s-plus-\d+|cdk8s-istio-traffic)'/.test(result.stderr)
      ? ' (its dependencies are missing: the application directory has no node_modules and no CDK8S_NODE_MODULES was provided)'
      : '';
    throw new GenerateError(`the cdk8s app failed with exit code ${result.status}${hint}; its output is above`);
  }
  run.log(`cdk8s-istio-traffic generate: ran the app in ${Date.now() - started} ms\n`);
}

function spawnChecked(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, run: Runner, what: string): SpawnSyncReturns<string> {
  const timeout = run.remaining();
  if (timeout <= 0) throw new GenerateError(`timed out before starting ${what}`);
  const result = spawnSync(cmd, args, {
    cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout, killSignal: 'SIGKILL', maxBuffer: MAX_OUTPUT, windowsHide: true,
  });
  const code = (result.error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ETIMEDOUT') {
    run.log((result.stdout ?? '') + (result.stderr ?? ''));
    throw new GenerateError(`${what} did not finish within the ${Math.round(timeout / 1000)} s left of the timeout (--timeout)`);
  }
  if (code === 'ENOBUFS') throw new GenerateError(`${what} printed more than ${MAX_OUTPUT / 1024 / 1024} MiB`);
  if (result.error) throw new GenerateError(`cannot run ${what}: ${result.error.message}`);
  return result;
}
