/*
 * generate's TypeScript loader, preloaded into the cdk8s app process when its entry (or a preload) is TypeScript:
 * `node --require <this file> [the app's node flags] main.ts [args]`. It replaces ts-node (or tsx) of the `app:` command,
 * with the same semantics minus the type check (the repository's CI type-checks; a checkout in ArgoCD has no test
 * types, and a type check costs seconds):
 *
 * - esbuild (the JS API, one process per call, no worker thread) bundles the entry once in memory, only to find every
 *   local file it imports (packages stay external) and how each import resolves (tsconfig `paths`, `./x.js` → x.ts);
 *   a syntax error anywhere fails here, before the app runs, with file, line and column;
 * - one more call transpiles all those TypeScript files, each as its own module, honouring the project's tsconfig.json
 *   (esbuild reads `extends`, `experimentalDecorators`, `useDefineForClassFields` and the target it implies, `paths`,
 *   `jsx`, `verbatimModuleSyntax`), in the module format Node.js loads the file in (.cts CommonJS, .mts ESM, .ts by the
 *   nearest package.json `type`), with inline source maps (stack traces point at the .ts lines);
 * - the code is kept in memory and handed to Node.js under the file's own name, so `__dirname`, `__filename`,
 *   `import.meta.url` and relative requires are those of the source, as with ts-node. Nothing is written anywhere but
 *   the small build record generate reads (in its private temporary directory). A TypeScript file loaded that the
 *   bundle did not reach (a computed `require`) is transpiled when it is loaded.
 *
 * The file is also the ESM hooks module (`initialize`, `resolve`, `load`) registered with `module.register` when the
 * app has ES modules. It loads nothing but Node.js built-ins and esbuild, and esbuild only when preloaded.
 */
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL, fileURLToPath } from 'url';
import { isMainThread } from 'worker_threads';

/** The environment variable generate passes the {@link HookConfig} in (JSON); removed before the app runs. */
const CONFIG_ENV = 'CDK8S_ISTIO_TRAFFIC_TYPESCRIPT';

/** What generate tells the hook. */
interface HookConfig {
  /** Absolute path of esbuild's main module (the one installed with this library). */
  readonly esbuild: string;
  /** Absolute paths of the TypeScript files Node.js loads first: the entry, and TypeScript preloads. */
  readonly entries: readonly string[];
  /** Absolute path of the project's tsconfig.json. @default - esbuild looks for the nearest one of each file */
  readonly tsconfig?: string;
  /** Where to write the {@link BuildRecord}. */
  readonly record: string;
}

/** What the hook tells generate (JSON in {@link HookConfig.record}). */
export interface BuildRecord {
  /** TypeScript files transpiled before the app started. */
  readonly files?: number;
  /** Milliseconds spent in esbuild before the app started. */
  readonly ms?: number;
  /** The syntax errors, formatted, when the sources do not parse (the app did not run). */
  readonly error?: string;
}

type Format = 'cjs' | 'esm';

interface EsbuildMessage {
  readonly text: string;
  readonly location?: { readonly file: string; readonly line: number; readonly column: number; readonly lineText: string } | null;
}
interface EsbuildFailure {
  readonly errors?: readonly EsbuildMessage[];
}
/** The part of esbuild's JS API used here. */
interface Esbuild {
  buildSync(options: Record<string, unknown>): {
    readonly outputFiles?: ReadonlyArray<{ readonly path: string; readonly text: string }>;
    readonly metafile?: {
      readonly inputs: Record<string, { readonly imports: ReadonlyArray<{ readonly path: string; readonly external?: boolean; readonly original?: string }> }>;
      readonly outputs: Record<string, { readonly entryPoint?: string }>;
    };
  };
}

const TS_FILE = /\.(c|m)?tsx?$/;
const DECLARATION = /\.d\.(c|m)?tsx?$/;
const isTypeScript = (file: string) => TS_FILE.test(file) && !DECLARATION.test(file);

/** Loads esbuild with its synchronous API in one-process-per-call mode: no worker thread to start for a few files. */
function loadEsbuild(main: string): Esbuild {
  const saved = process.env.ESBUILD_WORKER_THREADS;
  process.env.ESBUILD_WORKER_THREADS = '0';
  try {
    return require(main) as Esbuild;
  } finally {
    if (saved === undefined) delete process.env.ESBUILD_WORKER_THREADS;
    else process.env.ESBUILD_WORKER_THREADS = saved;
  }
}

/** The module format Node.js loads `file` in: .cts CommonJS, .mts ESM, else the nearest package.json's `type`. */
function formatOf(file: string, types: Map<string, Format>): Format {
  if (/\.ctsx?$/.test(file)) return 'cjs';
  if (/\.mtsx?$/.test(file)) return 'esm';
  const seen: string[] = [];
  let format: Format = 'cjs';
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const known = types.get(dir);
    if (known) {
      format = known;
      break;
    }
    seen.push(dir);
    let text: string | undefined;
    try {
      text = fs.readFileSync(path.join(dir, 'package.json'), 'utf8');
    } catch {
      text = undefined;
    }
    if (text !== undefined) {
      try {
        format = JSON.parse(text)?.type === 'module' ? 'esm' : 'cjs';
      } catch {
        format = 'cjs';
      }
      break;
    }
    if (path.dirname(dir) === dir) break;
  }
  for (const dir of seen) types.set(dir, format);
  return format;
}

/** esbuild's errors as `file:line:column: error: text`, with the source line and a caret. */
function formatErrors(errors: readonly EsbuildMessage[], cwd: string): string {
  return errors.slice(0, 20).map((e) => {
    const l = e.location;
    if (!l) return `error: ${e.text}`;
    const file = path.isAbsolute(l.file) ? path.relative(cwd, l.file) : l.file;
    return `${file}:${l.line}:${l.column + 1}: error: ${e.text}\n    ${l.lineText}\n    ${' '.repeat(l.column)}^`;
  }).join('\n') + (errors.length > 20 ? `\n… and ${errors.length - 20} more error(s)` : '');
}

const isResolveError = (e: EsbuildMessage) => /^Could not resolve "/.test(e.text);

/** Options shared by every esbuild call. */
function baseOptions(config: Pick<HookConfig, 'tsconfig'>, cwd: string): Record<string, unknown> {
  return {
    absWorkingDir: cwd, platform: 'node', target: `node${process.versions.node.split('.')[0]}`, write: false, logLevel: 'silent',
    ...(config.tsconfig ? { tsconfig: config.tsconfig } : {}),
  };
}

/** The deepest directory holding every file. */
function commonDir(files: readonly string[]): string {
  let dir = path.dirname(files[0]);
  for (const f of files) while (!(f.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep))) dir = path.dirname(dir);
  return dir;
}

/** Transpiles `files` (one format, one extension) in one call; returns the code of each, keyed by absolute path. */
function transpile(esbuild: Esbuild, files: readonly string[], format: Format, base: Record<string, unknown>): Map<string, string> {
  const root = commonDir(files);
  const result = esbuild.buildSync({
    ...base, entryPoints: [...files], bundle: false, format, outdir: root, outbase: root, metafile: true, sourcemap: 'inline', sourcesContent: false,
  });
  const cwd = base.absWorkingDir as string;
  const byOutput = new Map(Object.entries(result.metafile!.outputs).map(([out, o]) => [path.resolve(cwd, out), o.entryPoint]));
  const out = new Map<string, string>();
  for (const file of result.outputFiles ?? []) {
    const entry = byOutput.get(file.path);
    if (entry !== undefined) out.set(path.resolve(cwd, entry), file.text);
  }
  return out;
}

/** Everything the hook knows after the build: code by format and file, and the resolution of each local import. */
interface Compiled {
  readonly code: Record<Format, Map<string, string>>;
  /** importer → specifier → absolute path, as esbuild resolved it (tsconfig paths, `./x.js` → x.ts). */
  readonly resolved: Map<string, Map<string, string>>;
  readonly types: Map<string, Format>;
}

/** Discovers and transpiles the app's TypeScript files; throws an {@link EsbuildFailure} on a syntax error. */
function build(esbuild: Esbuild, config: HookConfig, cwd: string): { compiled: Compiled; files: number } {
  const types = new Map<string, Format>();
  const base = baseOptions(config, cwd);
  const files = new Set(config.entries);
  const resolved = new Map<string, Map<string, string>>();
  // Files and imports esbuild cannot take are left out and retried: an import it cannot resolve may still work at run
  // time (an optional require), and a file reached only by a computed require (`require('./stages/' + stage)`, which
  // esbuild expands to every file that matches) may never be loaded. Such a file is transpiled if it is loaded; its
  // syntax error then fails the run. A syntax error in an entry fails it now.
  const external = new Set<string>();
  for (let attempt = 0; ; attempt++) {
    try {
      const found = esbuild.buildSync({
        ...base, entryPoints: [...config.entries], bundle: true, packages: 'external', metafile: true, external: [...external],
        format: formatOf(config.entries[0], types), outdir: path.join(cwd, '.generate-discovery'),
      });
      for (const [rel, input] of Object.entries(found.metafile!.inputs)) {
        const importer = path.resolve(cwd, rel);
        if (isTypeScript(importer)) files.add(importer);
        for (const i of input.imports) {
          if (i.external || i.original === undefined || i.path.startsWith('<')) continue;
          if (!resolved.has(importer)) resolved.set(importer, new Map());
          resolved.get(importer)!.set(i.original, path.resolve(cwd, i.path));
        }
      }
      break;
    } catch (e) {
      const errors = (e as EsbuildFailure).errors ?? [];
      const skip = errors.map((m) => (isResolveError(m) ? /^Could not resolve "(.*)"/.exec(m.text)?.[1] : m.location?.file && path.resolve(cwd, m.location.file)));
      if (errors.length === 0 || errors.some((m, i) => !isResolveError(m) && config.entries.includes(skip[i]!))) throw e;
      if (attempt >= 10 || skip.some((s) => s === undefined || external.has(s))) {
        // No progress: every file other than the entries is transpiled as it is loaded, resolved by Node.js alone.
        resolved.clear();
        for (const f of files) if (!config.entries.includes(f)) files.delete(f);
        break;
      }
      for (const s of skip) external.add(s!);
    }
  }
  const code: Record<Format, Map<string, string>> = { cjs: new Map(), esm: new Map() };
  const groups = new Map<string, string[]>();
  for (const file of files) {
    const key = `${formatOf(file, types)} ${path.extname(file)}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(file);
  }
  for (const [key, group] of groups) {
    const format = key.split(' ')[0] as Format;
    for (const [file, text] of transpile(esbuild, group, format, base)) code[format].set(file, text);
  }
  return { compiled: { code, resolved, types }, files: files.size };
}

/**
 * Transpiles one file when it is loaded (not reached by the bundle, or loaded in the other format). A syntax error
 * is recorded for generate and thrown as a SyntaxError naming the file, line and column.
 */
function onDemand(esbuild: Esbuild, config: Pick<HookConfig, 'tsconfig' | 'record'>, file: string, format: Format): string {
  const cwd = process.cwd();
  try {
    return transpile(esbuild, [file], format, baseOptions(config, cwd)).get(file) ?? '';
  } catch (e) {
    const errors = (e as EsbuildFailure).errors;
    if (!errors?.length) throw e;
    const formatted = formatErrors(errors, cwd);
    try {
      writeRecord(config.record, { error: formatted });
    } catch {
      // the message below still says it
    }
    const error = new SyntaxError(`cannot transpile ${path.relative(cwd, file)} (cdk8s-istio-traffic generate, esbuild):\n${formatted}`);
    error.stack = error.message;
    throw error;
  }
}

function writeRecord(file: string, record: BuildRecord): void {
  fs.writeFileSync(file, JSON.stringify(record));
}

/** Installs the hooks in the app's main thread (the --require preload). */
function install(config: HookConfig): void {
  const cwd = process.cwd();
  const started = Date.now();
  const esbuild = loadEsbuild(config.esbuild);
  let built: { compiled: Compiled; files: number };
  try {
    built = build(esbuild, config, cwd);
  } catch (e) {
    const errors = (e as EsbuildFailure).errors;
    if (!errors?.length) throw e;
    const error = formatErrors(errors, cwd);
    writeRecord(config.record, { error });
    process.stderr.write(`cdk8s-istio-traffic generate: the TypeScript sources do not parse (esbuild):\n${error}\n`);
    process.exit(1);
  }
  const { code, resolved, types } = built.compiled;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Module = require('module') as any;
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function (request: string, parent: { filename?: string } | undefined, ...rest: unknown[]) {
    const mapped = parent?.filename ? resolved.get(parent.filename)?.get(request) : undefined;
    return mapped ?? resolveFilename.call(this, request, parent, ...rest);
  };
  const load = (module: { _compile(code: string, file: string): void; id: string }, file: string) => {
    if (formatOf(file, types) === 'esm' && module.id === '.') {
      // An ESM entry Node.js started as CommonJS (main.mts in a CommonJS package): run it as the ES module it is.
      module._compile(`import(${JSON.stringify(pathToFileURL(file).href)}).catch((e) => { process.exitCode = 1; setImmediate(() => { throw e; }); });`, file);
      return;
    }
    module._compile(code.cjs.get(file) ?? onDemand(esbuild, config, file, 'cjs'), file);
  };
  for (const ext of ['.ts', '.cts', '.mts', '.tsx']) Module._extensions[ext] = load;
  process.setSourceMapsEnabled(true);
  const esm = code.esm.size > 0 || config.entries.some((f) => formatOf(f, types) === 'esm');
  if (esm) {
    if (typeof Module.register !== 'function') {
      process.stderr.write('cdk8s-istio-traffic generate: this app has ES modules in TypeScript, which need Node.js 20.6 or later (module.register)\n');
      process.exit(1);
    }
    Module.register(pathToFileURL(__filename).href, {
      data: { esbuild: config.esbuild, tsconfig: config.tsconfig, record: config.record, code: [...code.esm], resolved: [...resolved].map(([k, v]) => [k, [...v]]) },
    });
  }
  writeRecord(config.record, { files: built.files, ms: Date.now() - started });
}

if (isMainThread && process.env[CONFIG_ENV] !== undefined) {
  const raw = process.env[CONFIG_ENV]!;
  delete process.env[CONFIG_ENV];
  install(JSON.parse(raw) as HookConfig);
}

/* ---- ESM hooks (module.register), run in Node.js' loader thread ---- */

interface EsmState {
  readonly config: Pick<HookConfig, 'tsconfig' | 'esbuild' | 'record'>;
  readonly code: Map<string, string>;
  readonly resolved: Map<string, Map<string, string>>;
  readonly types: Map<string, Format>;
  esbuild?: Esbuild;
}

/** The loader thread's state, set once by `initialize` (module state of the hooks thread, not of the library). */
const esmState: { current?: EsmState } = {};

/** @internal */
export function initialize(data: {
  esbuild: string; tsconfig?: string; record: string; code: Array<[string, string]>; resolved: Array<[string, Array<[string, string]>]>;
}): void {
  esmState.current = {
    config: { esbuild: data.esbuild, tsconfig: data.tsconfig, record: data.record }, code: new Map(data.code),
    resolved: new Map(data.resolved.map(([k, v]) => [k, new Map(v)])), types: new Map(),
  };
}

type Next<C, R> = (input: string, context: C) => Promise<R>;

/** @internal */
export async function resolve(specifier: string, context: { parentURL?: string }, next: Next<{ parentURL?: string }, unknown>): Promise<unknown> {
  const state = esmState.current;
  const parent = state && context.parentURL?.startsWith('file:') ? fileURLToPath(context.parentURL) : undefined;
  const mapped = parent ? state!.resolved.get(parent)?.get(specifier) : undefined;
  if (mapped) return { url: pathToFileURL(mapped).href, shortCircuit: true };
  return next(specifier, context);
}

/** @internal */
export async function load(url: string, context: unknown, next: Next<unknown, unknown>): Promise<unknown> {
  const state = esmState.current;
  if (!state || !url.startsWith('file:')) return next(url, context);
  const file = fileURLToPath(url);
  if (!isTypeScript(file)) return next(url, context);
  // A CommonJS TypeScript file is loaded by Node.js' CommonJS loader, through the require hook above.
  if (formatOf(file, state.types) === 'cjs') return { format: 'commonjs', shortCircuit: true };
  let source = state.code.get(file);
  if (source === undefined) {
    state.esbuild ??= loadEsbuild(state.config.esbuild);
    source = onDemand(state.esbuild, state.config, file, 'esm');
  }
  return { format: 'module', source, shortCircuit: true };
}
