import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, YamlOutputType } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { ANALYSIS_RECORD_ENV, DEFAULT_NAMESPACE_ENV, withDefaultNamespace, writeAnalysisRecord } from '../core/analysis-record';
import { propError } from '../core/enforce';
import { fail, IstioValidationError, PROP_CODE, Severity, SUPPRESSION_CODE, Violation } from '../core/errors';
import { Analysis, CONTEXT_KINDS, ManifestInput } from '../engine/analyze';
import { CallChainOptions } from '../engine/call-graph';
import { factsOf, IntentFacts, mergeFacts } from '../engine/intent';
import { SUPPRESS_ANNOTATION_PREFIX } from '../engine/istio-object';
import { isBundledApiVersion } from '../schema/crd-validator';
import { Inventory, RuleReport } from '../engine/types';
import type * as TrafficReport from '../report/traffic-report';
import { analyze, ruleCodes } from '../rules';
import { writeSynthRecord } from './synth-record';
import { IWarningSink, WarningSink } from './warning-sink';

export { IWarningSink, WarningCollector, WarningSink } from './warning-sink';

const ID = 'IstioTrafficRules';
/** Longest suppression reason: it is written as an annotation, and an object's annotations total at most 256 KiB. */
const MAX_REASON_BYTES = 4096;

/** `value` when it is a construct (has a construct node); else a PROP error naming the call. */
function constructOf(value: unknown, call: string, param: string): IConstruct {
  const node = (value as { node?: unknown } | null | undefined)?.node;
  if (typeof value !== 'object' || value === null || typeof node !== 'object' || node === null || typeof (node as { path?: unknown }).path !== 'string') {
    propError({ path: call, prop: param }, { value, expected: 'a construct', fix: `Pass a construct (an App, a Chart or a construct of this library) to ${call}.` });
  }
  return value as IConstruct;
}

/** File name of the traffic report in the App's output directory. */
export const TRAFFIC_REPORT = 'traffic-report.md';

/**
 * The synth-time rule engine of an App: one pass over every networking.istio.io object in the App (our
 * constructs' output, hand-written L1 objects and `Include`d YAML alike), run when the App (or a chart
 * through `Testing.synth`) is synthesized. Workloads and Services in the App feed the App-scope rules.
 *
 * Error-level violations fail synth with one {@link IstioValidationError} listing all of them; warnings are
 * reported (to stderr by default) and synth goes on. Our constructs attach the engine themselves; an App
 * with only hand-written objects attaches it with `Rules.of(app)`.
 */
export class Rules extends Construct {
  /** The engine of the App that contains `scope`, attached on first use. */
  public static of(scope: IConstruct): Rules {
    const root = constructOf(scope, 'Rules.of', 'scope').node.root;
    const existing = root.node.tryFindChild(ID);
    if (existing instanceof Rules) return existing;
    return new Rules(root, ID);
  }

  /**
   * Suppresses rule `code` for every Istio object under `construct`, with a written reason. The suppression
   * is emitted as the annotation `suppress.traffic.cdk8s-istio-traffic.io/<code>: <reason>`, so `lint` on the
   * synthesized YAML honours it too. Call it after the objects are created.
   *
   * Raises SUPPRESSION for an unknown code, an empty reason, or a construct without Istio objects.
   */
  public static suppress(construct: IConstruct, code: string, reason: string): void {
    const path = constructOf(construct, 'Rules.suppress', 'construct').node.path;
    const fix = 'Name a rule code from docs/rules.md and say why the finding does not apply.';
    if (typeof code !== 'string' || !ruleCodes().has(code)) fail({ code: SUPPRESSION_CODE, path, value: code, message: `unknown rule code ${JSON.stringify(code)}`, fix });
    if (typeof reason !== 'string' || reason.trim().length === 0) fail({ code: SUPPRESSION_CODE, path, value: code, message: `suppression of ${code} has no reason`, fix });
    if (Buffer.byteLength(reason.trim(), 'utf8') > MAX_REASON_BYTES) {
      fail({
        code: SUPPRESSION_CODE, path, value: `${reason.length} characters`, allowed: `at most ${MAX_REASON_BYTES} bytes`,
        message: `the reason for suppressing ${code} is ${Buffer.byteLength(reason.trim(), 'utf8')} bytes long; it becomes an annotation, and the API server refuses more than 256 KiB of annotations per object`,
        fix: 'Say why in a sentence or two (link to a ticket for more).',
      });
    }
    const targets = construct.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject && isBundledApiVersion(c.apiVersion));
    if (targets.length === 0) fail({ code: SUPPRESSION_CODE, path, value: code, message: 'no Istio object under this construct to suppress on', fix: 'Call Rules.suppress after creating the construct, on the construct that emits the object.' });
    for (const target of targets) target.metadata.addAnnotation(`${SUPPRESS_ANNOTATION_PREFIX}${code}`, reason.trim());
  }

  /**
   * Turn warnings into errors.
   * @default false
   */
  public strict = false;

  /**
   * Opt-in rules to run (e.g. `VS-37` for Argo Rollouts managed routes).
   * @default - none
   */
  public enable: string[] = [];

  /**
   * What exists outside the App (hosts, gateways, namespaces), so Ext-scope rules run instead of being skipped.
   * @default - none: Ext-scope rules are skipped
   */
  public inventory?: Inventory;

  /**
   * Budgets of the call-chain rules: worst-case retry amplification (CC-01) and timeout headroom (CC-03).
   * @default - { maxAmplification: 10, timeoutHeadroomPercent: 10 }
   */
  public callChain: CallChainOptions = {};

  /**
   * Write `traffic-report.md` (routes, request tables, budgets, findings, Mermaid call graph) into the App's output
   * directory after every successful `app.synth()` (never after a failed one; `synthYaml()` and `Testing.synth()`
   * write no files). Off by default: the output directory holds the manifests only, as tools that apply or diff it
   * expect.
   * @default false
   */
  public trafficReport = false;

  /**
   * Receives the warnings of each synth: `WarningSink.stderr()`, `WarningSink.discard()`, a
   * {@link WarningCollector}, or your own {@link IWarningSink}.
   * @default WarningSink.stderr() - writes each warning as one line to stderr
   */
  public warningSink: IWarningSink = WarningSink.stderr();

  /** The outcome of the last run, for inspection in tests and tools. @default - undefined until the rules have run */
  public lastReport?: RuleReport;
  /** What the constructs of this App recorded about the objects they emit (see {@link recordIntent}). */
  private readonly intents = new Map<IConstruct, IntentFacts>();
  /** The analysis of the last synth and the fingerprint of what it analyzed. */
  private synthCache?: { readonly key: string; readonly analysis: Analysis; readonly inputs: readonly ManifestInput[] };
  /**
   * While `app.synth()` or `app.synthYaml()` runs: whether this synth has been analyzed, and the objects whose
   * rendering the analysis made and cdk8s writes (see {@link Rules.validate}).
   */
  private session?: {
    analyzed: boolean;
    /** The next validation is cdk8s's first of `app.synth()`, before it resolves dependencies: not analyzed. */
    deferFirst: boolean;
    readonly rendered: Array<{ readonly object: ApiObject; readonly own?: PropertyDescriptor; handed: boolean }>;
  };

  private constructor(scope: IConstruct, id: string) {
    super(scope as Construct, id);
    scope.node.addValidation({ validate: () => this.validate() });
    if (scope instanceof App) {
      // The report goes next to the manifests once they are written: never after a failed synth, never from
      // synthYaml() or Testing.synth(), which write no files.
      const app = scope;
      const synth = app.synth.bind(app);
      const synthYaml = app.synthYaml.bind(app);
      app.synth = () => {
        // app.synth() validates before it resolves the dependencies between charts and objects, which decide the order
        // of the files (DR-22 reads it); it validates again before rendering each chart, except in the
        // folder-per-chart layout, which renders no chart as a whole.
        this.inSession(synth, app.yamlOutputType !== YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE);
        this.writeTrafficReport(app);
        this.writeSynthRecord(app);
        this.writeAnalysisRecord();
      };
      app.synthYaml = () => this.inSession(synthYaml, false);
    }
  }

  /**
   * Runs one `app.synth()` / `app.synthYaml()`: cdk8s validates the App, resolves the dependencies that order the
   * output, then validates it again and renders each chart, all in one synchronous call. The App is analyzed once, at
   * the first validation after the dependencies are resolved (`deferFirst` skips app.synth()'s earlier one), and each
   * object's rendering the analysis made is the one cdk8s writes (handed out once; every object rendered once per
   * synth instead of three times, no fingerprint of the App computed). Validation hooks of other constructs run
   * after this one and must not change objects: what they change is neither analyzed nor, for a rendered object,
   * written.
   */
  private inSession<T>(run: () => T, deferFirst: boolean): T {
    if (this.session) return run(); // a nested synth (from a validation hook) joins the running one
    this.session = { analyzed: false, deferFirst, rendered: [] };
    try {
      return run();
    } finally {
      for (const entry of this.session.rendered) if (!entry.handed) restoreToJson(entry);
      this.session = undefined;
    }
  }

  /**
   * For the validation plugin (cdk8s.yaml `validations:` makes cdk8s-cli ask for construct metadata): which construct
   * each analyzed object comes from and which warnings this synth reported, so the plugin attributes its findings
   * and does not print them twice (src/synth/synth-record.ts).
   */
  private writeSynthRecord(app: App): void {
    const cache = this.synthCache;
    // cdk8s keeps the App's setting private; it defaults to the variable cdk8s-cli sets.
    const recorded = (app as unknown as { recordConstructMetadata?: unknown }).recordConstructMetadata;
    const wanted = typeof recorded === 'boolean' ? recorded : process.env.CDK8S_RECORD_CONSTRUCT_METADATA === 'true';
    if (!wanted || !cache || cache.analysis.errors.length > 0) return;
    const objects = cache.inputs.flatMap((i) => {
      const m = i.manifest as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
      if (typeof m?.kind !== 'string' || typeof m.metadata?.name !== 'string') return [];
      return [{ kind: m.kind, name: m.metadata.name, path: i.path, ...(typeof m.metadata.namespace === 'string' ? { namespace: m.metadata.namespace } : {}) }];
    });
    writeSynthRecord(app.outdir, objects, cache.analysis.warnings);
  }

  /**
   * Under `cdk8s-istio-traffic generate` (it sets ANALYSIS_RECORD_ENV to a private file): what this synth analyzed
   * and that it passed, so generate does not analyze the same manifests again (src/core/analysis-record.ts).
   */
  private writeAnalysisRecord(): void {
    const file = process.env[ANALYSIS_RECORD_ENV];
    if (file && this.synthCache) writeAnalysisRecord(file, this.synthCache.inputs.map((i) => i.manifest), this.synthCache.analysis);
  }

  private writeTrafficReport(app: App): void {
    const analysis = this.synthCache?.analysis;
    if (!this.trafficReport || !analysis || analysis.errors.length > 0 || analysis.istioObjects.length === 0) return;
    fs.mkdirSync(app.outdir, { recursive: true });
    // The App's workloads and Services go along, so the request tables can say UH for a subset without pods.
    // Loaded only for Apps that write the report (it is opt-in).
    const { renderTrafficReport } = require('../report/traffic-report') as typeof TrafficReport;
    const report = renderTrafficReport(analysis.istioObjects, analysis, { callChain: this.callChain, manifests: this.synthCache!.inputs });
    fs.writeFileSync(path.join(app.outdir, TRAFFIC_REPORT), report);
  }

  /**
   * Records what a construct knows about an object it emits (this route carries writes, this service calls that
   * host), merged with earlier facts. The facts live with the App and go when it goes.
   */
  public recordIntent(target: IConstruct, facts: IntentFacts): void {
    this.intents.set(target, mergeFacts(this.intents.get(target) ?? {}, facts));
  }

  /**
   * The facts recorded for `target` (for tests and tools).
   * @internal
   */
  public _intentOf(target: IConstruct): IntentFacts {
    return this.intents.get(target) ?? {};
  }

  /**
   * The hosts `object` declares it calls, as the rules see them: recorded intent and the calls annotation of its
   * rendered `manifest`.
   * @internal
   */
  public _callsOf(object: IConstruct, manifest: unknown): string[] {
    return mergeFacts(this._intentOf(object), factsOf(manifest)).calls ?? [];
  }

  /** Runs the rules now over the App's current objects and returns the report (does not throw). */
  public check(): RuleReport {
    const { inputs, failures } = this.collectAll();
    const report = analyze(inputs, this.options());
    return failures.length > 0 ? { ...report, errors: [...failures, ...report.errors] } : report;
  }

  private options() {
    return { strict: this.strict, enable: this.enable, inventory: this.inventory, callChain: this.callChain };
  }

  /**
   * cdk8s validates the whole App once per synth and again for every chart it renders. The analysis is reused
   * while what it analyzed is unchanged: the cache key is a fingerprint of the collected manifests, their facts
   * and the options, so any change (a new object, an override, a suppression) runs the rules again.
   */
  private validate(): string[] {
    const session = this.session;
    if (session?.deferFirst) {
      // app.synth()'s first validation: the order of the objects is not cdk8s's yet. The next one (before any file
      // is written) analyzes.
      session.deferFirst = false;
      return [];
    }
    if (session?.analyzed) {
      // The same synth validating again (once per chart it renders): nothing can have changed since.
      const errors = this.synthCache!.analysis.errors;
      if (errors.length > 0) throw new IstioValidationError(errors);
      return [];
    }
    const { inputs, failures, rendered } = this.collectAll();
    // An object cdk8s cannot render (a value of the wrong type given through `as any`) fails the synth cleanly.
    if (failures.length > 0) throw new IstioValidationError(failures);
    if (session) {
      session.analyzed = true;
      this.synthCache = { key: '', analysis: this.analyzeAndReport(inputs), inputs };
      // cdk8s renders every object once more to write it: hand it the rendering just analyzed, once (an own
      // property that removes itself at its first call; the rest removed when the synth ends). Any other rendering —
      // a second call in the synth, a later synth, a direct toJson() — is fresh, so no caller shares the analyzed one.
      for (const [object, manifest] of rendered) {
        const own = Object.getOwnPropertyDescriptor(object, 'toJson');
        // Cannot be replaced (a non-configurable toJson, a frozen or sealed object): cdk8s renders it once more.
        if ((own && !own.configurable) || !Object.isExtensible(object)) continue;
        const entry = { object, own, handed: false };
        Object.defineProperty(object, 'toJson', {
          value: () => {
            entry.handed = true;
            restoreToJson(entry);
            return manifest;
          },
          configurable: true, writable: true, enumerable: false,
        });
        session.rendered.push(entry);
      }
    } else {
      const key = createHash('sha256')
        .update(JSON.stringify([this.trafficReport, this.options(), inputs.map((i) => [i.path, i.facts, i.manifest])]))
        .digest('base64');
      if (this.synthCache?.key !== key) this.synthCache = { key, analysis: this.analyzeAndReport(inputs), inputs };
    }
    const errors = this.synthCache!.analysis.errors;
    if (errors.length > 0) throw new IstioValidationError(errors);
    return [];
  }

  /** Analyzes `inputs` as synth output and hands the warnings to the sink. */
  private analyzeAndReport(inputs: ManifestInput[]): Analysis {
    const analysis = analyze(inputs, { ...this.options(), cdk8sOutput: true });
    this.lastReport = analysis;
    if (analysis.warnings.length > 0) this.warningSink.report([...analysis.warnings]);
    return analysis;
  }

  /** Renders the App's Istio objects and context kinds (Services, workloads) for the engine, each once. */
  private collectAll(): { inputs: ManifestInput[]; failures: Violation[]; rendered: Array<[ApiObject, unknown]> } {
    const inputs: ManifestInput[] = [];
    const failures: Violation[] = [];
    const rendered: Array<[ApiObject, unknown]> = [];
    // Under generate, objects without a namespace get the Application's (as generate prints them): analyzed that way.
    const namespace = process.env[DEFAULT_NAMESPACE_ENV];
    for (const c of applyOrder(this.node.root)) {
      // Every Istio kind is schema-checked (all CRD groups and versions); workloads and Services feed the App rules.
      if (!isBundledApiVersion(c.apiVersion) && !CONTEXT_KINDS.has(c.kind)) continue;
      let manifest: unknown;
      try {
        manifest = c.toJson();
      } catch (e) {
        failures.push({
          code: PROP_CODE, severity: Severity.ERROR, path: c.node.path, value: c.kind,
          message: `the ${c.kind} cannot be rendered: ${(e instanceof Error ? e.message : String(e)).slice(0, 500)}`,
          fix: 'Give the object fields of the types its CRD expects (a value of another type passed through `as any` breaks its toJson).',
        });
        continue;
      }
      rendered.push([c, manifest]);
      const facts = mergeFacts(this.intents.get(c) ?? {}, factsOf(manifest));
      // `rendered` keeps the object as cdk8s writes it; the analysis reads what generate will print.
      inputs.push({ manifest: withDefaultNamespace(manifest, namespace), path: facts.owner ?? c.node.path, facts });
    }
    return { inputs, failures, rendered };
  }
}

/** Puts back what an object's `toJson` was before a synth handed out its rendering: its own property, or none. */
function restoreToJson(entry: { readonly object: ApiObject; readonly own?: PropertyDescriptor }): void {
  if (entry.own) Object.defineProperty(entry.object, 'toJson', entry.own);
  else delete (entry.object as { toJson?: unknown }).toJson;
}

/**
 * The App's ApiObjects in the order cdk8s writes them: tree order, except that an object comes after the objects
 * it depends on (`node.addDependency`, on an object or on a construct holding objects) — so order-sensitive rules
 * (DR-22) see the manifests as they are applied.
 */
function applyOrder(root: IConstruct): ApiObject[] {
  const objects = root.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
  const known = new Set<IConstruct>(objects);
  const done = new Set<ApiObject>();
  const visiting = new Set<ApiObject>();
  const out: ApiObject[] = [];
  const visit = (o: ApiObject): void => {
    if (done.has(o) || visiting.has(o)) return; // a dependency cycle is cdk8s's error, not ours
    visiting.add(o);
    for (const dep of o.node.dependencies) {
      for (const d of dep.node.findAll()) if (known.has(d)) visit(d as ApiObject);
    }
    visiting.delete(o);
    done.add(o);
    out.push(o);
  };
  objects.forEach(visit);
  return out;
}
