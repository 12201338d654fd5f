import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { packageVersion } from '../core/package-info';
import { DEFAULT_TIMEOUT_SECONDS } from './generate-params';
import { DEFAULT_LIMITS, DEFAULT_MAX_LISTED, InputLimits, MiB, ReadChunk } from './limits';

/** Writers used by {@link main}; replaced in tests. */
export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /**
   * Reads stdin (for `lint -`) in chunks.
   * @default - fd 0
   */
  readonly readStdin?: ReadChunk;
}

const processIo: Io = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };
const collect = (value: string, previous: string[]) => [...previous, value];

/** A positive integer, for the lint limits. */
function count(value: string): number {
  if (!/^[1-9]\d*$/.test(value) || !Number.isSafeInteger(Number(value))) throw new InvalidArgumentError('expected a positive integer');
  return Number(value);
}

/** A size in bytes: `1048576`, `64KiB`, `32MiB`, `1GiB` (also `K`, `M`, `G`, binary). */
function size(value: string): number {
  const m = /^([1-9]\d*)\s*(?:(K|M|G)(?:iB|B)?)?$/i.exec(value.trim());
  if (!m) throw new InvalidArgumentError('expected bytes, e.g. 1048576, 64KiB or 32MiB');
  const n = Number(m[1]) * 1024 ** ({ '': 0, k: 1, m: 2, g: 3 } as Record<string, number>)[(m[2] ?? '').toLowerCase()];
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('too large');
  return n;
}

/** A port 1-65535, for `explain --port`. */
function portNumber(value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) < 1 || Number(value) > 65535) throw new InvalidArgumentError('expected a port 1-65535');
  return Number(value);
}

/** The options of `explain` and `test` that read manifests as `lint` does: `--namespace` and the input limits. */
function manifestInputOptions(command: Command, namespaceHelp: string): Command {
  return command
    .option('-n, --namespace <namespace>', namespaceHelp)
    .option('--max-file-size <bytes>', `bytes per file or stdin, e.g. 4MiB (default: ${DEFAULT_LIMITS.maxFileBytes / MiB}MiB)`, size)
    .option('--max-total-size <bytes>', `bytes of all inputs together (default: ${DEFAULT_LIMITS.maxTotalBytes / MiB}MiB)`, size)
    .option('--max-documents <n>', `YAML documents per file (default: ${DEFAULT_LIMITS.maxDocuments})`, count)
    .option('--max-depth <n>', `nesting of mappings and sequences (default: ${DEFAULT_LIMITS.maxDepth})`, count)
    .option('--max-aliases <n>', `alias nodes (*ref) per document (default: ${DEFAULT_LIMITS.maxAliases})`, count)
    .option('--max-tokens <n>', `YAML tokens per document (default: ${DEFAULT_LIMITS.maxTokens})`, count)
    .option('--max-total-tokens <n>', `YAML tokens of all inputs together (default: ${DEFAULT_LIMITS.maxTotalTokens})`, count);
}

/** `--namespace` of the simulation commands: where objects without a namespace go, and the caller's namespace. */
const SIMULATION_NAMESPACE_HELP = 'namespace of objects without metadata.namespace, as kubectl apply -n, and of the calling workload '
  + 'unless a source namespace or gateway is given (default: default)';

/** The input limits given on the command line (unset ones are undefined: the defaults). */
function limitsOf(opts: Record<string, number | undefined>): Partial<InputLimits> {
  return {
    maxFileBytes: opts.maxFileSize, maxTotalBytes: opts.maxTotalSize, maxDocuments: opts.maxDocuments, maxDepth: opts.maxDepth,
    maxAliases: opts.maxAliases, maxTokens: opts.maxTokens, maxTotalTokens: opts.maxTotalTokens,
  };
}

/**
 * Runs the `cdk8s-istio-traffic` command line with `argv` (without `node` and the script) and returns the
 * exit code: 0 clean, 1 violations (lint), no route (explain), a failed case (test) or failed generation (generate),
 * 2 usage or unreadable input. Never throws for user errors.
 */
export function main(argv: readonly string[], io: Io = processIo): number {
  let exitCode = 0;
  const report = (result: { readonly exitCode: number; readonly stdout: string; readonly stderr: string }) => {
    io.stdout(result.stdout);
    io.stderr(result.stderr);
    exitCode = result.exitCode;
  };
  const program = new Command('cdk8s-istio-traffic')
    .description('Istio traffic configuration checks for cdk8s apps and existing YAML')
    .version(packageVersion())
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  manifestInputOptions(program.command('lint')
    .description('check Istio YAML (files, directories or - for stdin) against the CRD schema and the rule catalogue')
    .argument('<paths...>', 'YAML files, directories (searched for *.yaml, *.yml, *.json) or - for stdin')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json', 'sarif']).default('text'))
    .option('--strict', 'treat warnings as errors', false)
    .option('--suppress <CODE=reason>', 'suppress a rule everywhere, with a reason (repeatable)', collect, [])
    .option('--enable <CODE>', 'run an opt-in rule, e.g. VS-37 (repeatable)', collect, [])
    .option('--inventory <file>', 'YAML declaring hosts, gateways and namespaces that exist outside the linted files')
    .option('--complete', 'the input is everything that is applied: references to objects not in it are errors, not notes', false),
  'namespace of objects without metadata.namespace, as kubectl apply -n (default: unknown)')
    .option('--max-findings <n>', `errors (and warnings) listed at most, the rest counted (default: ${DEFAULT_MAX_LISTED})`, count)
    .action((paths: string[], opts) => {
      // Loaded on use, as the other commands: generate does not read YAML with lint's reader or run the rules when
      // the app's own synth checked what it printed.
      const { lint } = require('./lint') as typeof import('./lint');
      const result = lint(paths, { ...opts, limits: limitsOf(opts), readStdin: io.readStdin });
      report(result);
    });
  manifestInputOptions(program.command('explain')
    .description('simulate one HTTP request against Istio YAML (files, directories or - for stdin), offline: the VirtualService route it matches, '
      + 'its destinations with their share, subset and DestinationRule policy, timeout and retries (route or Istio default), fault, mirror, '
      + 'rewrite, redirect or direct response, and the NR/UH/UO risks. Exit 0 routed (or default routing), 1 no route (NR), 2 bad input')
    .argument('<paths...>', 'YAML files, directories (searched for *.yaml, *.yml, *.json) or - for stdin')
    .requiredOption('--host <host>', 'the request authority (Host), optionally with a port: reviews, reviews.prod:9080, bookinfo.example.com')
    .option('--port <port>', 'the port the request is sent to (default: the port in --host, else the only port of the Service or Gateway, else 80)', portNumber)
    .option('--method <method>', 'the request method (default: GET)')
    .option('--path <path>', 'the request path, optionally with a query string (default: /)')
    .option('-H, --header <"name: value">', 'a request header (repeatable)', collect, [])
    .option('--query <name=value>', 'a query parameter (repeatable)', collect, [])
    .addOption(new Option('--gateway <namespace/name>', 'the request arrives at this Istio Gateway (default: from a sidecar of the mesh)').conflicts('sourceNamespace'))
    .option('--source-namespace <namespace>', 'namespace of the calling workload (default: --namespace, else default)')
    .option('--source-label <key=value>', 'a label of the calling pod, or of the gateway pod (repeatable)', collect, [])
    .addOption(new Option('-f, --format <format>', 'output format: text, or json (the simulation result)').choices(['text', 'json']).default('text')), SIMULATION_NAMESPACE_HELP)
    .action((paths: string[], opts) => {
      // Loaded on use: the simulator (and its RE2 engine) would otherwise cost every lint run its start-up time.
      const { explain } = require('./explain') as typeof import('./explain');
      const result = explain(paths, { ...opts, limits: limitsOf(opts), readStdin: io.readStdin });
      report(result);
    });
  manifestInputOptions(program.command('test')
    .description('run route cases (a YAML list of { name, request, expect }) against Istio YAML (files, directories or - for stdin): each request is '
      + 'simulated and the fields its expect gives (virtualService, route, destinations, timeout, retries, noRoute, redirect, directResponse) '
      + 'are compared. Exit 0 all pass, 1 a mismatch (printed as expected vs actual), 2 bad input or an invalid cases file')
    .argument('<paths...>', 'YAML files, directories (searched for *.yaml, *.yml, *.json) or - for stdin')
    .requiredOption('--cases <file>', 'the cases file (YAML; - for stdin)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text')), SIMULATION_NAMESPACE_HELP)
    .action((paths: string[], opts) => {
      const { runCases } = require('./simulate-cases') as typeof import('./simulate-cases');
      const result = runCases(paths, { ...opts, limits: limitsOf(opts), readStdin: io.readStdin });
      report(result);
    });
  program.command('generate')
    .description('ArgoCD config management plugin: run the cdk8s app of the current directory and print all its manifests '
      + 'as one YAML stream, or nothing at all (reason on stderr; exit code 1 when generation fails, 2 for bad settings) if anything fails')
    .option('--app <entry>', 'app entry file (.js or .ts) instead of the app: command of cdk8s.yaml')
    .option('-n, --namespace <namespace>', 'namespace for namespaced objects without one (default: $ARGOCD_APP_NAMESPACE)')
    .option('--strict', 'treat rule warnings as errors', false)
    .option('--sync-waves', 'annotate VirtualServices with the ArgoCD sync wave after their DestinationRules', false)
    .option('--timeout <seconds>', 'overall time limit for the app run (TypeScript transpiled as it loads), reading back and checks', Number, DEFAULT_TIMEOUT_SECONDS)
    .option('--dir <dir>', 'application directory (default: the current directory)')
    .option('--node-modules <dir>', 'dependencies to link when the application directory has no node_modules (default: $CDK8S_NODE_MODULES)')
    .action((opts) => {
      const { generate } = require('./generate') as typeof import('./generate');
      const result = generate(opts);
      io.stderr(result.stderr);
      io.stdout(result.stdout);
      exitCode = result.exitCode;
    });
  try {
    program.parse([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    io.stderr(`cdk8s-istio-traffic: ${(e as Error).message}\n`);
    return 2;
  }
  return exitCode;
}
