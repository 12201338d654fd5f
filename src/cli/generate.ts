import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { packageRoot } from '../core/package-info';
import { analyze } from '../rules';
import { formatReport } from './format';
import { addSyncWaves, applyDefaultNamespace, checkDuplicates, orderManifests, readOutput, renderStream } from './generate-output';
import { checkEntry, checkNamespace, readPluginSettings, SettingsError } from './generate-params';
import { GenerateError, prepareEntry, resolveEntry, runApp, Runner } from './generate-run';

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
  /** Overall time limit in seconds (build, run, checks). @default 50 */
  readonly timeout?: number;
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

/** Default overall time limit: below ArgoCD's default repo-server timeout (60 s) and ARGOCD_EXEC_TIMEOUT (90 s). */
export const DEFAULT_TIMEOUT_SECONDS = 50;
const PREFIX = 'cdk8s-istio-traffic generate';

/**
 * The ArgoCD config management plugin's generate step, all or nothing: resolve the app entry (parameter or
 * cdk8s.yaml), compile TypeScript once with the project's own tsc if needed, run the app with CDK8S_OUTDIR
 * set to a private temporary directory, read back every manifest, default namespaces, run the rule engine
 * (CRD schema + catalogue) over all of it, order it and return it as one YAML stream. Any failure returns
 * an empty stdout and a non-zero exit code with the reason in stderr. Nothing is fetched from the network.
 */
export function generate(options: GenerateOptions = {}, env: NodeJS.ProcessEnv = process.env): GenerateResult {
  const started = Date.now();
  const timeout = options.timeout ?? DEFAULT_TIMEOUT_SECONDS;
  let stderr = '';
  const run: Runner = { remaining: () => started + timeout * 1000 - Date.now(), log: (t) => { stderr += t; } };
  const cleanup: Array<() => void> = [];
  try {
    if (!(timeout > 0)) throw new SettingsError('--timeout must be a positive number of seconds');
    const settings = readPluginSettings(env);
    const dir = path.resolve(options.dir ?? '.');
    const namespace = settings.namespace ?? (options.namespace ? checkNamespace(options.namespace, '--namespace') : undefined)
      ?? (env.ARGOCD_APP_NAMESPACE ? checkNamespace(env.ARGOCD_APP_NAMESPACE, 'ARGOCD_APP_NAMESPACE') : undefined);
    const strict = options.strict === true || settings.strict === true;
    const syncWaves = settings.syncWaves ?? options.syncWaves === true;
    const app = resolveEntry(dir, settings.app ? { entry: settings.app, origin: 'the app parameter', echo: false }
      : options.app ? { entry: checkEntry(options.app, '--app'), origin: '--app', echo: true } : undefined);

    const link = linkNodeModules(dir, options.nodeModules ?? env.CDK8S_NODE_MODULES);
    if (link) cleanup.push(() => fs.unlinkSync(link));
    const js = prepareEntry(dir, app, run);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-generate-'));
    cleanup.push(() => fs.rmSync(tmp, { recursive: true, force: true }));
    const outdir = path.join(tmp, 'out');
    runApp(dir, js, app, outdir, settings.env, run);

    const { manifests, files, ignored } = readOutput(outdir);
    if (ignored.length > 0) stderr += `${PREFIX}: not manifests, not printed: ${ignored.join(', ')}\n`;
    if (namespace) applyDefaultNamespace(manifests, namespace);
    checkDuplicates(manifests);
    const report = analyze(manifests.map((m) => ({ manifest: m.value, path: m.path })), { strict });
    if (report.errors.length > 0 || report.warnings.length > 0) {
      stderr += formatReport(report, { files, objects: report.objects }, 'text');
    }
    if (report.errors.length > 0) {
      throw new GenerateError(`${report.errors.length} Istio rule error(s) in the generated manifests${strict ? ' (strict: warnings count as errors)' : ''}`);
    }
    const ordered = orderManifests(manifests);
    const wave = syncWaves ? addSyncWaves(ordered) : undefined;
    const stdout = renderStream(ordered);
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
  }
}

/**
 * Links `<dir>/node_modules` to the dependencies baked into the plugin image when the application directory
 * has none (ArgoCD checkouts have none, and generate never runs npm). Returns the link to remove afterwards.
 */
function linkNodeModules(dir: string, given: string | undefined): string | undefined {
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
  return link;
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
