import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { formatViolation, IstioValidationError, Violation } from '../errors';
import { RULES } from './catalogue';
import { IstioObject, RuleReport, runRules } from './engine';
import { intentOf } from './intent';
import { ISTIO_GROUP, toIstioObject } from './manifest';

const ID = 'IstioTrafficRules';

/**
 * The synth-time rule engine of an App: one pass over every networking.istio.io object in the App (our
 * constructs' output, hand-written L1 objects and `Include`d YAML alike), run when the App (or a chart
 * through `Testing.synth`) is synthesized.
 *
 * Error-level violations fail synth with one {@link IstioValidationError} listing all of them; warnings are
 * reported (to stderr by default) and synth goes on. Our constructs attach the engine themselves; an App
 * with only hand-written objects attaches it with `Rules.of(app)`.
 */
export class Rules extends Construct {
  /** The engine of the App that contains `scope`, attached on first use. */
  public static of(scope: IConstruct): Rules {
    const root = scope.node.root;
    const existing = root.node.tryFindChild(ID);
    if (existing instanceof Rules) return existing;
    return new Rules(root, ID);
  }

  /**
   * Turn warnings into errors.
   * @default false
   */
  public strict = false;

  /**
   * Receives the warnings of each synth.
   * @default - writes each warning as one line to stderr
   */
  public onWarnings: (warnings: readonly Violation[]) => void = (warnings) => {
    for (const w of warnings) process.stderr.write(`warning ${formatViolation(w)}\n`);
  };

  /** The outcome of the last run, for inspection in tests and tools. */
  public lastReport?: RuleReport;
  private lastFingerprint?: string;

  private constructor(scope: IConstruct, id: string) {
    super(scope as Construct, id);
    scope.node.addValidation({ validate: () => this.validate() });
  }

  /** Runs the rules now over the App's current objects and returns the report (does not throw). */
  public check(): RuleReport {
    return runRules(this.collect(), RULES, { strict: this.strict });
  }

  private validate(): string[] {
    const objects = this.collect();
    const fingerprint = `${this.strict}:${JSON.stringify(objects.map((o) => [o.path, o.manifest]))}`;
    if (fingerprint !== this.lastFingerprint || !this.lastReport) {
      this.lastReport = runRules(objects, RULES, { strict: this.strict });
      this.lastFingerprint = fingerprint;
      if (this.lastReport.warnings.length > 0) this.onWarnings(this.lastReport.warnings);
    }
    if (this.lastReport.errors.length > 0) throw new IstioValidationError(this.lastReport.errors);
    return [];
  }

  private collect(): IstioObject[] {
    const out: IstioObject[] = [];
    for (const c of this.node.root.node.findAll()) {
      if (!(c instanceof ApiObject) || !c.apiVersion.startsWith(`${ISTIO_GROUP}/`)) continue;
      const manifest = c.toJson();
      const facts = intentOf(c, manifest);
      const object = toIstioObject(manifest, facts.owner ?? c.node.path, facts);
      if (object) out.push(object);
    }
    return out;
  }
}
