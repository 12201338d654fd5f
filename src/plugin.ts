import { Severity, Violation } from './core/errors';
import { ManifestInput } from './engine/analyze';
import { analyze } from './rules';
import { Inventory } from './engine/types';

/** A resource that violates a rule, as reported to cdk8s-cli (its `ValidationViolatingResource`). */
export interface PluginViolatingResource {
  /** The resource's `metadata.name`. */
  readonly resourceName: string;
  /** Where in the resource the violation is (here: the violation's message). */
  readonly locations: string[];
  /** The manifest file the resource is in. */
  readonly manifestPath: string;
}

/** One rule's violations, as reported to cdk8s-cli (its `ValidationViolation`). */
export interface PluginViolation {
  /** The rule code, with ` (warning)` when every violation is a warning. */
  readonly ruleName: string;
  /** What is wrong, every violation's message. */
  readonly recommendation: string;
  /** How to fix it. */
  readonly fix: string;
  /** The resources that violate the rule. */
  readonly violatingResources: PluginViolatingResource[];
}

/** The report of cdk8s-cli's `ValidationContext` (structurally typed: the parts this plugin uses). */
export interface IPluginValidationReport {
  /** Adds one rule's violations. */
  addViolation(violation: PluginViolation): void;
  /**
   * Ends the report.
   * @param status `success` or `failure`
   * @param metadata summary figures (errors, warnings, suppressed)
   */
  submit(status: string, metadata?: Record<string, string>): void;
}

/** The logger of cdk8s-cli's `ValidationContext`. */
export interface IPluginLogger {
  /** Logs one message. */
  log(message: string): void;
}

/** The parts of cdk8s-cli's validation `ValidationContext` this plugin uses (structurally typed). */
export interface IPluginValidationContext {
  /** Paths of the synthesized manifest files. */
  readonly manifests: string[];
  /** Where the plugin reports its findings. */
  readonly report: IPluginValidationReport;
  /**
   * Where the plugin logs its summary.
   * @default - no log
   */
  readonly logger?: IPluginLogger;
  /** Parses one manifest file into its YAML documents. */
  parseManifest(manifestPath: string): any[];
}

/** Properties accepted from `cdk8s.yaml` (`validations[].properties`). */
export interface IstioTrafficValidationProps {
  /**
   * Treat warnings as errors.
   * @default false
   */
  readonly strict?: boolean;
  /**
   * Opt-in rule codes to run.
   * @default - none
   */
  readonly enable?: string[];
  /**
   * Suppressions for every object, as `{ CODE: reason }`.
   * @default - none
   */
  readonly suppress?: Record<string, string>;
  /**
   * What exists outside the App (hosts, gateways, namespaces).
   * @default - Ext-scope rules skipped
   */
  readonly inventory?: Inventory;
}

/**
 * cdk8s validation plugin running the CRD schema check and the rule catalogue over the synthesized
 * manifests (`cdk8s synth` with `validations:` in cdk8s.yaml). Reports through the plugin contract, grouped by
 * rule code, with the resource name so cdk8s can show construct paths; errors fail the synth.
 *
 * ```yaml
 * validations:
 *   - package: ./node_modules/cdk8s-istio-traffic
 *     class: IstioTrafficValidation
 *     version: 0.1.0
 *     properties: { strict: false }
 * ```
 */
export class IstioTrafficValidation {
  constructor(private readonly props: IstioTrafficValidationProps = {}) {}

  /** Entry point called by cdk8s-cli. */
  public async validate(context: IPluginValidationContext): Promise<void> {
    const inputs: ManifestInput[] = [];
    const where = new Map<string, { file: string; name: string; index: number }>();
    for (const file of context.manifests) {
      context.parseManifest(file).forEach((manifest, index) => {
        if (!manifest || typeof manifest !== 'object') return;
        const name = String(manifest.metadata?.name ?? `document ${index}`);
        const path = `${file}#${index}`;
        where.set(path, { file, name, index });
        inputs.push({ manifest, path });
      });
    }
    const report = analyze(inputs, { strict: this.props.strict, enable: this.props.enable, suppress: this.props.suppress, inventory: this.props.inventory });
    const byCode = new Map<string, Violation[]>();
    for (const v of [...report.errors, ...report.warnings]) byCode.set(v.code, [...(byCode.get(v.code) ?? []), v]);
    for (const [code, violations] of byCode) {
      const errors = violations.filter((v) => v.severity === Severity.ERROR).length;
      context.report.addViolation({
        ruleName: `${code}${errors === 0 ? ' (warning)' : ''}`,
        recommendation: violations.map((v) => v.message).join(' | '),
        fix: violations[0].fix,
        violatingResources: violations.map((v) => {
          const w = where.get(v.path);
          return { resourceName: w?.name ?? v.path, manifestPath: w?.file ?? v.path, locations: [v.message] };
        }),
      });
    }
    context.logger?.log(`cdk8s-istio-traffic: ${report.errors.length} error(s), ${report.warnings.length} warning(s), ${report.suppressed.length} suppressed in ${report.objects} Istio object(s)`);
    context.report.submit(report.errors.length > 0 ? 'failure' : 'success', {
      errors: String(report.errors.length), warnings: String(report.warnings.length), suppressed: String(report.suppressed.length),
    });
  }
}
