import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { packageVersion } from '../core/package-info';
import { DEFAULT_TIMEOUT_SECONDS, generate } from './generate';
import { DEFAULT_LIMITS, InputLimits, ReadChunk } from './inputs';
import { DEFAULT_MAX_LISTED, lint } from './lint';

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

const MiB = 1024 * 1024;

/**
 * Runs the `cdk8s-istio-traffic` command line with `argv` (without `node` and the script) and returns the
 * exit code: 0 clean, 1 violations (lint) or failed generation (generate), 2 usage or unreadable input. Never throws
 * for user errors.
 */
export function main(argv: readonly string[], io: Io = processIo): number {
  let exitCode = 0;
  const program = new Command('cdk8s-istio-traffic')
    .description('Istio traffic configuration checks for cdk8s apps and existing YAML')
    .version(packageVersion())
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  program.command('lint')
    .description('check Istio YAML (files, directories or - for stdin) against the CRD schema and the rule catalogue')
    .argument('<paths...>', 'YAML files, directories (searched for *.yaml, *.yml, *.json) or - for stdin')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json', 'sarif']).default('text'))
    .option('--strict', 'treat warnings as errors', false)
    .option('--suppress <CODE=reason>', 'suppress a rule everywhere, with a reason (repeatable)', collect, [])
    .option('--enable <CODE>', 'run an opt-in rule, e.g. VS-37 (repeatable)', collect, [])
    .option('--inventory <file>', 'YAML declaring hosts, gateways and namespaces that exist outside the linted files')
    .option('--complete', 'the input is everything that is applied: references to objects not in it are errors, not notes', false)
    .option('-n, --namespace <namespace>', 'namespace of objects without metadata.namespace, as kubectl apply -n (default: unknown)')
    .option('--max-file-size <bytes>', `bytes per file or stdin, e.g. 4MiB (default: ${DEFAULT_LIMITS.maxFileBytes / MiB}MiB)`, size)
    .option('--max-total-size <bytes>', `bytes of all inputs together (default: ${DEFAULT_LIMITS.maxTotalBytes / MiB}MiB)`, size)
    .option('--max-documents <n>', `YAML documents per file (default: ${DEFAULT_LIMITS.maxDocuments})`, count)
    .option('--max-depth <n>', `nesting of mappings and sequences (default: ${DEFAULT_LIMITS.maxDepth})`, count)
    .option('--max-aliases <n>', `alias nodes (*ref) per document (default: ${DEFAULT_LIMITS.maxAliases})`, count)
    .option('--max-tokens <n>', `YAML tokens per document (default: ${DEFAULT_LIMITS.maxTokens})`, count)
    .option('--max-total-tokens <n>', `YAML tokens of all inputs together (default: ${DEFAULT_LIMITS.maxTotalTokens})`, count)
    .option('--max-findings <n>', `errors (and warnings) listed at most, the rest counted (default: ${DEFAULT_MAX_LISTED})`, count)
    .action((paths: string[], opts) => {
      const limits: Partial<InputLimits> = {
        maxFileBytes: opts.maxFileSize, maxTotalBytes: opts.maxTotalSize, maxDocuments: opts.maxDocuments, maxDepth: opts.maxDepth,
        maxAliases: opts.maxAliases, maxTokens: opts.maxTokens, maxTotalTokens: opts.maxTotalTokens,
      };
      const result = lint(paths, { ...opts, limits, readStdin: io.readStdin });
      io.stdout(result.stdout);
      io.stderr(result.stderr);
      exitCode = result.exitCode;
    });
  program.command('generate')
    .description('ArgoCD config management plugin: run the cdk8s app of the current directory and print all its manifests '
      + 'as one YAML stream, or nothing at all (exit code 1, reason on stderr) if anything fails')
    .option('--app <entry>', 'app entry file (.js or .ts) instead of the app: command of cdk8s.yaml')
    .option('--complete', 'the input is everything that is applied: references to objects not in it are errors, not notes', false)
    .option('-n, --namespace <namespace>', 'namespace for namespaced objects without one (default: $ARGOCD_APP_NAMESPACE)')
    .option('--strict', 'treat rule warnings as errors', false)
    .option('--sync-waves', 'annotate VirtualServices with the ArgoCD sync wave after their DestinationRules', false)
    .option('--timeout <seconds>', 'overall time limit for build, run and checks', Number, DEFAULT_TIMEOUT_SECONDS)
    .option('--dir <dir>', 'application directory (default: the current directory)')
    .option('--node-modules <dir>', 'dependencies to link when the application directory has no node_modules (default: $CDK8S_NODE_MODULES)')
    .action((opts) => {
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
