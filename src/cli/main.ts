import { Command, CommanderError, Option } from 'commander';
import { packageVersion } from '../core/package-info';
import { DEFAULT_TIMEOUT_SECONDS, generate } from './generate';
import { lint } from './lint';

/** Writers used by {@link main}; replaced in tests. */
export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const processIo: Io = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };
const collect = (value: string, previous: string[]) => [...previous, value];

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
    .action((paths: string[], opts) => {
      const result = lint(paths, opts);
      io.stdout(result.stdout);
      io.stderr(result.stderr);
      exitCode = result.exitCode;
    });
  program.command('generate')
    .description('ArgoCD config management plugin: run the cdk8s app of the current directory and print all its manifests '
      + 'as one YAML stream, or nothing at all (exit code 1, reason on stderr) if anything fails')
    .option('--app <entry>', 'app entry file (.js or .ts) instead of the app: command of cdk8s.yaml')
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
