import * as fs from 'fs';
import * as path from 'path';
import { packageRoot } from '../core/package-info';
import { SettingsError } from './generate-params';
import type { AppEntry } from './generate-run';
import { GenerateError } from './generate-run';

/** The environment variable the TypeScript hook reads its configuration from (src/cli/generate-hook.ts). */
export const TYPESCRIPT_ENV = 'CDK8S_ISTIO_TRAFFIC_TYPESCRIPT';

/** What node runs: the entry file, and the TypeScript files the hook transpiles first (none for a JavaScript app). */
export interface PreparedEntry {
  /** Absolute path of the file node runs (the `.ts` itself for a TypeScript app). */
  readonly script: string;
  /** Present when the app needs generate's TypeScript hook (a TypeScript entry or preload). */
  readonly typescript?: {
    /** Absolute paths: the entry and the TypeScript preloads (`-r ./setup.ts`). */
    readonly entries: readonly string[];
    /** The project's tsconfig.json, when the application directory has one. */
    readonly tsconfig?: string;
  };
}

const TS_ENTRY = /\.(c|m)?ts$/;
const PRELOAD_FLAGS = new Set(['-r', '--require', '--import']);

/**
 * The file to run for `app`, and whether it needs the TypeScript hook: a TypeScript entry runs from its source,
 * transpiled in memory by esbuild at load time (no type check, nothing written, see generate-hook.ts). A JavaScript
 * entry runs as it is; one that does not exist yet next to a tsconfig.json (compiled output is rarely committed) runs
 * from the TypeScript source that compiles to it, found with the project's own TypeScript configuration.
 */
export function prepareEntry(dir: string, app: AppEntry): PreparedEntry {
  let abs = path.resolve(dir, app.entry);
  const name = app.echo ? JSON.stringify(app.entry) : 'the entry given by the app parameter';
  const tsconfig = path.join(dir, 'tsconfig.json');
  const hasTsconfig = fs.existsSync(tsconfig);
  if (!fs.existsSync(abs)) {
    if (TS_ENTRY.test(abs)) throw new SettingsError(`${name} does not exist`);
    if (!hasTsconfig) throw new SettingsError(`${name} does not exist and there is no tsconfig.json to build it from`);
    abs = sourceOf(dir, abs, name);
  }
  checkInside(dir, abs, name);
  const preloads = tsPreloads(dir, app.nodeArgs);
  const entries = [...(TS_ENTRY.test(abs) ? [abs] : []), ...preloads];
  if (entries.length === 0) return { script: abs };
  return { script: abs, typescript: { entries, ...(hasTsconfig ? { tsconfig } : {}) } };
}

/** The TypeScript files among the app's node preloads (`-r ./setup.ts`, `--import=./register.mts`). */
function tsPreloads(dir: string, nodeArgs: readonly string[]): string[] {
  const out: string[] = [];
  for (let k = 0; k < nodeArgs.length; k++) {
    const eq = nodeArgs[k].indexOf('=');
    const flag = eq < 0 ? nodeArgs[k] : nodeArgs[k].slice(0, eq);
    if (!PRELOAD_FLAGS.has(flag)) continue;
    const value = eq < 0 ? nodeArgs[++k] : nodeArgs[k].slice(eq + 1);
    if (value !== undefined && /^\.\.?\//.test(value) && TS_ENTRY.test(value) && fs.existsSync(path.resolve(dir, value))) out.push(path.resolve(dir, value));
  }
  return out;
}

/**
 * The entry must lie inside the application directory once symbolic links are resolved: `checkEntry` only sees the
 * text (no absolute path, no `..`), and a link in the repository (`app.js -> /etc/…`, `lib -> ..`) could point anywhere.
 */
function checkInside(dir: string, file: string, name: string): void {
  const root = fs.realpathSync(dir);
  const real = fs.realpathSync(file);
  const rel = path.relative(root, real);
  if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
    throw new SettingsError(`${name} must be a file inside the application directory, and is not once symbolic links are resolved`);
  }
  if (!fs.statSync(real).isFile()) throw new SettingsError(`${name} is not a regular file`);
}

/**
 * The TypeScript source that tsc would compile to the missing `js` (its outDir/rootDir), as the project's own
 * TypeScript computes it; only the configuration is read, nothing is compiled or type-checked.
 */
function sourceOf(dir: string, js: string, name: string): string {
  let ts: typeof import('typescript');
  try {
    ts = require(require.resolve('typescript', { paths: [dir] })) as typeof import('typescript');
  } catch {
    throw new GenerateError(`${name} does not exist, and without the typescript package generate cannot tell which TypeScript file compiles to it: `
      + 'set the app parameter to the .ts entry, or commit the compiled JavaScript');
  }
  const configFile = path.join(dir, 'tsconfig.json');
  const read = ts.readConfigFile(configFile, ts.sys.readFile);
  if (read.error) throw new GenerateError(`tsconfig.json: ${ts.flattenDiagnosticMessageText(read.error.messageText, ' ')}`);
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dir, undefined, configFile);
  const wanted = path.resolve(js);
  for (const file of parsed.fileNames) {
    if (!TS_ENTRY.test(file) || /\.d\.(c|m)?ts$/.test(file)) continue;
    const outputs = ts.getOutputFileNames(parsed, file, !ts.sys.useCaseSensitiveFileNames).map((o) => path.resolve(o));
    if (outputs.includes(wanted)) return path.resolve(file);
  }
  throw new SettingsError(`${name} does not exist, and no TypeScript file of the project (tsconfig.json "include"/"files") compiles to it`);
}

/** The hook file node preloads (compiled JavaScript: lib/src/cli, also when generate itself runs from its sources). */
export function hookPath(): string {
  const here = path.join(__dirname, 'generate-hook.js');
  if (fs.existsSync(here)) return here;
  const built = path.join(packageRoot(), 'lib', 'src', 'cli', 'generate-hook.js');
  if (fs.existsSync(built)) return built;
  throw new GenerateError('the TypeScript hook of generate (generate-hook.js) is missing: the package is not built');
}

/** esbuild's main module, as installed with this package. */
export function esbuildPath(): string {
  try {
    return require.resolve('esbuild');
  } catch {
    throw new GenerateError('cannot transpile TypeScript: the esbuild package (a dependency of cdk8s-istio-traffic) is not installed');
  }
}

/** What the hook recorded: its numbers, or the syntax errors that stopped the app before it ran. */
export function readBuildRecord(file: string): { files?: number; ms?: number; error?: string } | undefined {
  try {
    const data = JSON.parse(fs.readFileSync(file, 'utf8'));
    return data !== null && typeof data === 'object' ? data : undefined;
  } catch {
    return undefined;
  }
}
