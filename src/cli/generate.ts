import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ANALYSIS_RECORD_ENV, DEFAULT_NAMESPACE_ENV } from '../core/analysis-record';
import { packageRoot } from '../core/package-info';
import { readAnalysisRecord, reuseAppAnalysis } from './generate-fingerprint';
import { addSyncWaves, applyDefaultNamespace, checkDuplicates, DEFAULT_MAX_OUTPUT_BYTES, Manifest, orderManifests, readOutput, renderStream } from './generate-output';
import { checkEntry, checkNamespace, DEFAULT_TIMEOUT_SECONDS, readPluginSettings, SettingsError } from './generate-params';
import { GenerateError, resolveEntry, runApp, Runner, RunExtras } from './generate-run';
import { esbuildPath, hookPath, PreparedEntry, prepareEntry, readBuildRecord, TYPESCRIPT_ENV } from './generate-ts';

/** Options of the `generate` command (command-line flags; ArgoCD parameters override them). */
export interface GenerateOptions {
  /** The application directory (holding cdk8s.yaml). @default - the current directory */
  readonly dir?: string;
  /** App entry file, instead of the `app:` of cdk8s.yaml. @default - from cdk8s.yaml */
  readonly app?: string;
  /** Namespace for namespaced objects without one. @default - $ARGOCD_APP_NAMESPACE */
  readonly namespace?: string;
  /** Treat rule warnings as errors; a parameter cannot turn this off. @default false */
  readonly strict?: boolean;
  /** Put VirtualServices in the ArgoCD sync wave after their DestinationRules. @default false */
  readonly syncWaves?: boolean;
  /** Overall time limit in seconds (run, reading back, checks). @default 50 */
  readonly timeout?: number;
  /** Bound on the total bytes of manifest files read back. @default - $CDK8S_MAX_OUTPUT_BYTES, else 32 MiB */
  readonly maxOutputBytes?: number;
  /** Dependencies to link as node_modules when the application directory has none. @default - $CDK8S_NODE_MODULES, else the node_modules this package is installed in */
  readonly nodeModules?: string;
}

/** What to print and the exit code: 0 manifests printed, 1 generation failed, 2 bad settings. */
export interface GenerateResult {
  readonly exitCode: 0 | 1 | 2;
  /** The whole YAML stream on success; empty on any failure. */
  readonly stdout: string;
  readonly stderr: string;
}

const PREFIX = 'cdk8s-istio-traffic generate';

/**
 * The ArgoCD config management plugin's generate step, all or nothing: resolve the app entry (parameter or
 * cdk8s.yaml), run the app with CDK8S_OUTDIR set to a private temporary directory (TypeScript transpiled in memory
 * by esbuild as it loads, without a type check), read back every manifest, default namespaces, run the rule engine
 * (CRD schema + catalogue) over all of it unless the app's own synth already analyzed exactly these manifests, order
 * it and return it as one YAML stream. Any failure returns an empty stdout and a non-zero exit code with the reason
 * in stderr. Nothing is fetched from the network.
 */
export function generate(options: GenerateOptions = {}, env: NodeJS.ProcessEnv = process.env): GenerateResult {
  const started = Date.now();
  const timeout = options.timeout ?? DEFAULT_TIMEOUT_SECONDS;
  const deadline = started + timeout * 1000;
  let stderr = '';
  const run: Runner = { remaining: () => deadline - Date.now(), log: (t) => { stderr += t; } };
  /** Fails when the overall deadline has passed: checked between the steps that run in this process. */
  const inTime = (step: string) => {
    if (Date.now() > deadline) throw new GenerateError(`timed out ${step} (--timeout ${timeout} s covers the run, reading and checks)`);
  };
  const cleanup: Array<() => void> = [];
  let guard: ReturnType<typeof startGuard> | undefined;
  try {
    if (!(timeout > 0)) throw new SettingsError('--timeout must be a positive number of seconds');
    const maxBytes = options.maxOutputBytes ?? (env.CDK8S_MAX_OUTPUT_BYTES ? Number(env.CDK8S_MAX_OUTPUT_BYTES) : DEFAULT_MAX_OUTPUT_BYTES);
    if (!(Number.isInteger(maxBytes) && maxBytes > 0)) throw new SettingsError('CDK8S_MAX_OUTPUT_BYTES must be a positive whole number of bytes');
    const settings = readPluginSettings(env);
    const dir = path.resolve(options.dir ?? '.');
    const namespace = settings.namespace ?? (options.namespace ? checkNamespace(options.namespace, '--namespace') : undefined)
      ?? (env.ARGOCD_APP_NAMESPACE ? checkNamespace(env.ARGOCD_APP_NAMESPACE, 'ARGOCD_APP_NAMESPACE') : undefined);
    const strict = options.strict === true || settings.strict === true;
    const syncWaves = settings.syncWaves ?? options.syncWaves === true;
    const app = resolveEntry(dir, settings.app ? { entry: settings.app, origin: 'the app parameter', echo: false }
      : options.app ? { entry: checkEntry(options.app, '--app'), origin: '--app', echo: true } : undefined);

    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-generate-'));
    cleanup.push(() => fs.rmSync(tmp, { recursive: true, force: true }));
    const link = linkNodeModules(dir, options.nodeModules ?? env.CDK8S_NODE_MODULES);
    if (link) cleanup.push(() => fs.unlinkSync(link.path));
    guard = startGuard(tmp, link);
    const prepared = prepareEntry(dir, app);
    const outdir = path.join(tmp, 'out');
    const analysisFile = path.join(tmp, 'analysis.json');
    const buildFile = path.join(tmp, 'build.json');
    runApp(dir, prepared.script, app, outdir, settings.env, run, runExtras(prepared, buildFile, analysisFile, namespace));
    const built = prepared.typescript ? readBuildRecord(buildFile) : undefined;
    if (built?.files !== undefined) stderr += `${PREFIX}: transpiled ${built.files} TypeScript file(s) with esbuild in ${built.ms} ms (no type check)\n`;

    inTime('after the app run');
    const { manifests, files, ignored } = readOutput(outdir, { maxBytes, deadline });
    const record = readAnalysisRecord(analysisFile);
    // The output is in memory now: the temporary directory is not needed any more.
    fs.rmSync(tmp, { recursive: true, force: true });
    if (ignored.length > 0) stderr += `${PREFIX}: not manifests, not printed: ${ignored.join(', ')}\n`;
    if (namespace) applyDefaultNamespace(manifests, namespace);
    checkDuplicates(manifests);
    inTime('before the rule checks');
    const verdict = reuseAppAnalysis(record, manifests.map((m) => m.value), strict);
    if (verdict.reuse) {
      stderr += `${PREFIX}: rule checks: done by the app's own synth over the same ${verdict.record.manifests} object(s) `
        + `(${verdict.record.warnings} warning(s), reported by the app), not repeated\n`;
    } else {
      if (record) stderr += `${PREFIX}: rule checks: run again, ${verdict.why}\n`;
      const checked = checkRules(manifests, files, strict, run.log);
      // A clean check says so: the summary tells a check that found nothing from one that did not run.
      if (checked.findings === 0) stderr += `${PREFIX}: rule checks: ${checked.objects} Istio object(s), no findings\n`;
    }
    inTime('during the rule checks');
    const ordered = orderManifests(manifests);
    const wave = syncWaves ? addSyncWaves(ordered) : undefined;
    const stdout = renderStream(ordered);
    inTime('while writing the stream');
    stderr += `${PREFIX}: ${ordered.length} manifest(s) from ${files} file(s)${wave !== undefined ? `, VirtualServices in sync wave ${wave}` : ''} in ${Date.now() - started} ms\n`;
    return { exitCode: 0, stdout, stderr };
  } catch (e) {
    const known = e instanceof SettingsError || e instanceof GenerateError;
    stderr += `${PREFIX}: error: ${(e as Error).message}${known ? '' : ' (unexpected error)'}\n`
      + `${PREFIX}: no manifests printed\n`;
    return { exitCode: e instanceof SettingsError ? 2 : 1, stdout: '', stderr };
  } finally {
    for (const step of cleanup.reverse()) {
      try {
        step();
      } catch {
        // best effort: a temporary directory or link left behind must not turn success into failure
      }
    }
    guard?.release();
  }
}

/**
 * Runs the rule engine over every manifest and logs its report; fails on an error; returns what it checked and how
 * many findings (warnings) it logged. The engine is loaded only here:
 * an app that uses this library has analyzed its objects already (see {@link reuseAppAnalysis}).
 */
function checkRules(manifests: readonly Manifest[], files: number, strict: boolean, log: (text: string) => void): { objects: number; findings: number } {
  const { analyze } = require('../rules') as typeof import('../rules');
  const report = analyze(manifests.map((m) => ({ manifest: m.value, path: m.path })), { strict });
  if (report.errors.length > 0 || report.warnings.length > 0) {
    const { formatReport } = require('./format') as typeof import('./format');
    log(formatReport(report, { files, objects: report.objects }, 'text'));
  }
  if (report.errors.length > 0) {
    throw new GenerateError(`${report.errors.length} Istio rule error(s) in the generated manifests${strict ? ' (strict: warnings count as errors)' : ''}`);
  }
  return { objects: report.objects, findings: report.warnings.length };
}

/**
 * What the app process gets besides its own command: for a TypeScript app, generate's hook (first of the node
 * flags, so TypeScript preloads load through it) and its configuration; for every app, the file the library's synth
 * records its analysis in and the default namespace generate will apply (src/core/analysis-record.ts).
 */
function runExtras(prepared: PreparedEntry, buildFile: string, analysisFile: string, namespace: string | undefined): RunExtras {
  const env: Record<string, string | undefined> = { [ANALYSIS_RECORD_ENV]: analysisFile, [DEFAULT_NAMESPACE_ENV]: namespace, [TYPESCRIPT_ENV]: undefined };
  if (!prepared.typescript) return { nodeArgs: [], env };
  env[TYPESCRIPT_ENV] = JSON.stringify({ esbuild: esbuildPath(), entries: prepared.typescript.entries, tsconfig: prepared.typescript.tsconfig, record: buildFile });
  return {
    nodeArgs: ['--require', hookPath()],
    env,
    explain: () => (readBuildRecord(buildFile)?.error !== undefined
      ? 'the TypeScript sources do not parse (the syntax errors are above); generate transpiles TypeScript with esbuild and does not type-check it'
      : undefined),
  };
}

/**
 * Removes the temporary directory and the node_modules link if generate dies before its own cleanup (SIGTERM or
 * SIGINT from ArgoCD or a terminal, or SIGKILL). generate is synchronous and Node runs JavaScript signal handlers
 * only from its event loop, after a synchronous command has ended; a handler installed for the duration of the
 * command would never run in time, and would swallow the signal. So the signals keep their default action (the
 * process ends at once, nothing printed) and this detached watcher, in its own process group (a group signal does not
 * reach it) and ignoring those signals, cleans up when its stdin closes: when generate exits, in any way.
 */
const GUARD = `'use strict';
const fs = require('fs');
const cfg = JSON.parse(process.argv[1]);
for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(s, () => {});
const clean = () => {
  try { fs.rmSync(cfg.tmp, { recursive: true, force: true }); } catch (e) {}
  try { if (cfg.link && fs.readlinkSync(cfg.link.path) === cfg.link.target) fs.unlinkSync(cfg.link.path); } catch (e) {}
  process.exit(0);
};
process.stdin.on('data', () => {});
process.stdin.on('end', clean);
process.stdin.on('close', clean);
process.stdin.on('error', clean);
`;

function startGuard(tmp: string, link: { path: string; target: string } | undefined): { release(): void } {
  try {
    const child = spawn(process.execPath, ['-e', GUARD, JSON.stringify({ tmp, link })], { stdio: ['pipe', 'ignore', 'ignore'], detached: true, windowsHide: true });
    child.on('error', () => { /* no guard: the normal cleanup still runs */ });
    child.unref();
    (child.stdin as unknown as { unref?: () => void }).unref?.();
    return { release: () => child.stdin?.destroy() };
  } catch {
    return { release: () => undefined };
  }
}

/**
 * Links `<dir>/node_modules` to the dependencies baked into the plugin image when the application directory
 * has none (ArgoCD checkouts have none, and generate never runs npm). Returns the link to remove afterwards.
 */
function linkNodeModules(dir: string, given: string | undefined): { path: string; target: string } | undefined {
  const link = path.join(dir, 'node_modules');
  if (fs.existsSync(link) || isSymlink(link)) return undefined;
  const source = given ?? installedIn();
  if (!source) return undefined;
  if (!fs.existsSync(source) || !fs.statSync(source).isDirectory()) {
    throw new SettingsError('the dependency directory given by --node-modules or CDK8S_NODE_MODULES does not exist');
  }
  try {
    fs.symlinkSync(path.resolve(source), link, 'dir');
  } catch (e) {
    throw new GenerateError(`cannot link node_modules into the application directory: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return { path: link, target: path.resolve(source) };
}

function isSymlink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/** The node_modules directory this package is installed in, if it is installed as a dependency. */
function installedIn(): string | undefined {
  const parent = path.dirname(packageRoot());
  return path.basename(parent) === 'node_modules' ? parent : undefined;
}
