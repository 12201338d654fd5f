import * as fs from 'fs';
import * as path from 'path';
import type * as Yaml from 'yaml';
import { Violation } from './core/errors';
import { packageVersion, rulesDocUrl } from './core/package-info';
import { Analysis, AnalyzeOptions, ManifestInput } from './engine/analyze';
import { META_CODES } from './engine/docs';
import { Inventory } from './engine/types';
import { analyze, RULES } from './rules';
import { objectKey, readSynthRecord, SynthRecord } from './synth/synth-record';

/** A resource that violates a rule, as reported to cdk8s-cli (its `ValidationViolatingResource`). */
export interface PluginViolatingResource {
  /**
   * The resource's `metadata.name` when no other manifest document has that name, else `Kind namespace/name`.
   * cdk8s-cli shows the construct path it finds under this key in construct-metadata.json, which cdk8s keys by
   * `metadata.name` alone; a shared name would find another object's construct, so it gets none (N/A).
   */
  readonly resourceName: string;
  /** One entry per finding on the resource: `Kind namespace/name (file:line): message`. */
  readonly locations: string[];
  /** The manifest file the resource is in. */
  readonly manifestPath: string;
}

/** One rule's violations at one severity, as reported to cdk8s-cli (its `ValidationViolation`). */
export interface PluginViolation {
  /** `CODE (severity): rule title`. */
  readonly ruleName: string;
  /** Why the rule matters (the Istio behaviour it is based on); what is wrong where is in the locations. */
  readonly recommendation: string;
  /** How to fix it, with the address of the rule's documentation. */
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
   * @param metadata summary figures (objects, errors, warnings, suppressed, warnings reported at synth)
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
   * Where the plugin logs its summary when the report cannot print it.
   * @default - no log
   */
  readonly logger?: IPluginLogger;
  /**
   * The `version` of the `validations` entry in cdk8s.yaml (cdk8s-cli passes it as given).
   * @default - not checked
   */
  readonly version?: string;
  /**
   * Whether synth writes to stdout (cdk8s-cli's `--stdout`): the manifest files are temporary, and locations name
   * only the file.
   * @default false
   */
  readonly stdout?: boolean;
  /**
   * The `package` cdk8s-cli loaded the plugin from.
   * @default - not named
   */
  readonly pkg?: string;
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

/** One manifest document: where it is and what it is. */
interface Document {
  readonly file: string;
  /** First line of the document's content (1-based), when it could be located. */
  readonly line?: number;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

/**
 * cdk8s validation plugin running the CRD schema check and the rule catalogue over the synthesized manifests
 * (`cdk8s synth` with `validations:` in cdk8s.yaml). Errors fail the synth.
 *
 * - Each finding names its object (`Kind namespace/name (file:line)`); cdk8s-cli shows the construct path only for a
 *   name no other manifest document shares, since it looks constructs up by `metadata.name` alone.
 * - A clean run prints one line instead of the report table.
 * - When the App ran the synth-time engine (every App with our constructs or `Rules.of(app)` does; it then records
 *   what it analyzed for the plugin), each finding names its construct, and the warnings synth already printed are
 *   counted in the summary, not repeated.
 * - `version` in cdk8s.yaml must be the version of the package cdk8s-cli loaded, else the run fails.
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
    const version = packageVersion();
    const configured = context.version === undefined ? undefined : String(context.version).trim();
    if (configured !== undefined && configured !== version) {
      refuseVersion(context, configured, version);
      return;
    }
    const { inputs, documents } = readManifests(context);
    const options: AnalyzeOptions = { strict: this.props.strict, enable: this.props.enable, suppress: this.props.suppress, inventory: this.props.inventory };
    const analysis = analyze(inputs, options);
    const record = synthRecord(context.manifests);
    // Warnings the App's synth printed already (same code and message): counted, not repeated.
    const seen = new Map<string, number>();
    for (const w of record?.warnings ?? []) seen.set(keyOf(w), (seen.get(keyOf(w)) ?? 0) + 1);
    const warnings = analysis.warnings.filter((v) => !take(seen, keyOf(v)));
    const atSynth = analysis.warnings.length - warnings.length;
    const shown = [...analysis.errors, ...warnings];
    const constructs = new Map((record?.objects ?? []).map((o) => [objectKey(o.kind, o.namespace, o.name), o.path]));
    for (const violation of group(shown, documents, context.stdout === true, constructs)) context.report.addViolation(violation);

    const status = analysis.errors.length > 0 ? 'failure' : 'success';
    const metadata: Record<string, string> = {
      'Istio objects': String(analysis.objects), 'errors': String(analysis.errors.length),
      'warnings': String(analysis.warnings.length), 'suppressed': String(analysis.suppressed.length),
    };
    if (atSynth > 0) metadata['reported at synth'] = `${atSynth} warning(s), not repeated here`;
    const omitted = analysis.omitted ? analysis.omitted.errors + analysis.omitted.warnings + analysis.omitted.suppressed : 0;
    if (omitted > 0) metadata.omitted = `${omitted} finding(s) past the limit`;
    context.report.submit(status, metadata);
    if (shown.length === 0) {
      const line = summaryLine(version, analysis, atSynth);
      if (!printsAs(context.report, line)) context.logger?.log(line);
    }
  }
}

/** Fails the run without analyzing: the rules of another version than the one cdk8s.yaml pins would run. */
function refuseVersion(context: IPluginValidationContext, configured: string, actual: string): void {
  const from = context.pkg ? ` from ${context.pkg}` : '';
  context.report.addViolation({
    ruleName: 'version (error): cdk8s.yaml pins another cdk8s-istio-traffic version',
    recommendation: `cdk8s.yaml asks for cdk8s-istio-traffic ${JSON.stringify(configured)}, but the package cdk8s-cli loaded${from} is ${actual}. `
      + 'cdk8s-cli installs an npm package name at the version given, but loads a local path as it is and only prints the version, '
      + `so the rules of ${actual} would run under the name of ${configured}. Nothing was checked.`,
    fix: `Set \`version: ${actual}\` in the validations entry, or install cdk8s-istio-traffic@${configured}.`,
    violatingResources: [{ resourceName: 'validations[].version', manifestPath: 'cdk8s.yaml', locations: [`version: ${configured} (the package is ${actual})`] }],
  });
  context.report.submit('failure', { 'package version': actual });
}

/** The analysis inputs (path `file:line`, or `file#index` when the line is unknown) and the documents by path. */
function readManifests(context: IPluginValidationContext): { inputs: ManifestInput[]; documents: Map<string, Document> } {
  const inputs: ManifestInput[] = [];
  const documents = new Map<string, Document>();
  for (const file of context.manifests) {
    const manifests = context.parseManifest(file);
    const lines = documentLines(file, manifests.length);
    manifests.forEach((manifest, index) => {
      if (!manifest || typeof manifest !== 'object') return;
      const line = lines[index];
      const where = line !== undefined ? `${file}:${line}` : `${file}#${index}`;
      const meta = manifest.metadata && typeof manifest.metadata === 'object' ? manifest.metadata : {};
      documents.set(where, {
        file, line, kind: typeof manifest.kind === 'string' ? manifest.kind : 'object',
        namespace: typeof meta.namespace === 'string' ? meta.namespace : undefined, name: typeof meta.name === 'string' ? meta.name : '',
      });
      inputs.push({ manifest, path: where });
    });
  }
  return { inputs, documents };
}

/** First content line of each YAML document of `file`, or none when its documents do not match the `count` parsed. */
function documentLines(file: string, count: number): Array<number | undefined> {
  try {
    // Loaded when a finding is to be placed: a clean synth never needs a YAML reader.
    const { LineCounter, parseAllDocuments } = require('yaml') as typeof Yaml;
    const lineCounter = new LineCounter();
    const docs = parseAllDocuments(fs.readFileSync(file, 'utf8'), { lineCounter });
    if (!Array.isArray(docs) || docs.length !== count) return [];
    return docs.map((d) => lineCounter.linePos((d.contents?.range ?? d.range)[0]).line);
  } catch {
    return [];
  }
}

/**
 * The record the App's synth wrote next to the manifests (src/synth/synth-record.ts): cdk8s-cli asks the App for
 * construct metadata when cdk8s.yaml has validations, and a synth with this library's engine then records the construct
 * path of each object and the warnings it printed. A record older than the manifests is not this synth's.
 */
function synthRecord(manifests: readonly string[]): SynthRecord | undefined {
  if (manifests.length === 0) return undefined;
  let newest = 0;
  for (const m of manifests) newest = Math.max(newest, mtimeOf(m) ?? Infinity);
  const dirs = manifests.map((m) => path.dirname(path.resolve(m)));
  let common = dirs[0];
  while (!dirs.every((d) => d === common || d.startsWith(common.endsWith(path.sep) ? common : common + path.sep))) common = path.dirname(common);
  // folder-per-chart output puts the manifests one level below the output directory, where the record is
  for (const dir of [common, path.dirname(common)]) {
    const record = readSynthRecord(dir, newest);
    if (record) return record;
  }
  return undefined;
}

function mtimeOf(file: string): number | undefined {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

function keyOf(v: { readonly code: string; readonly message: string }): string {
  return `${v.code}\u0000${v.message}`;
}

/** Takes one `key` from the multiset `keys`; whether there was one. */
function take(keys: Map<string, number>, key: string): boolean {
  const n = keys.get(key) ?? 0;
  if (n === 0) return false;
  keys.set(key, n - 1);
  return true;
}

/** The violations as cdk8s-cli reports them: one per code and severity, one resource per object. */
function group(violations: readonly Violation[], documents: ReadonlyMap<string, Document>, stdout: boolean, constructs: ReadonlyMap<string, string>): PluginViolation[] {
  const names = new Map<string, number>();
  for (const d of documents.values()) if (d.name) names.set(d.name, (names.get(d.name) ?? 0) + 1);
  const groups = new Map<string, Violation[]>();
  for (const v of violations) {
    const key = `${v.code} (${v.severity})`;
    const list = groups.get(key);
    if (list) list.push(v);
    else groups.set(key, [v]);
  }
  return [...groups.entries()].map(([key, list]) => {
    const code = list[0].code;
    const doc = RULES.find((r) => r.code === code) ?? META_CODES.find((m) => m.code === code);
    const fixes = [...new Set(list.map((v) => v.fix))];
    const resources = new Map<string, { resourceName: string; manifestPath: string; locations: string[] }>();
    for (const v of list) {
      const d = documents.get(v.path);
      const object = d ? objectKey(d.kind, d.namespace, d.name) : undefined;
      const construct = object ? constructs.get(object) : undefined;
      const resource = d
        ? { resourceName: d.name && names.get(d.name) === 1 ? d.name : object!, manifestPath: d.file }
        // the only findings not on a manifest document are about the plugin's own properties (suppress)
        : { resourceName: 'validations[].properties', manifestPath: 'cdk8s.yaml' };
      // with --stdout the files are temporary: their names (one per chart) still say where in the output
      const file = d && stdout ? path.basename(d.file) : d?.file;
      const where = d ? `${object} (${d.line !== undefined ? `${file}:${d.line}` : file}${construct ? `, construct ${construct}` : ''})` : v.path;
      const entry = resources.get(`${resource.manifestPath}\u0000${where}`) ?? { ...resource, locations: [] };
      entry.locations.push(`${where}: ${v.message}${fixes.length > 1 ? ` (fix: ${v.fix})` : ''}`);
      resources.set(`${resource.manifestPath}\u0000${where}`, entry);
    }
    return {
      ruleName: doc ? `${key}: ${doc.title}` : key,
      recommendation: doc?.why ?? list[0].message,
      fix: `${fixes.length === 1 ? fixes[0] : doc?.fix ?? fixes.join(' ')} (see ${rulesDocUrl(code)})`,
      violatingResources: [...resources.values()],
    };
  });
}

function summaryLine(version: string, analysis: Analysis, atSynth: number): string {
  const synth = atSynth > 0 ? ` (${atSynth} already reported at synth, not repeated)` : '';
  return `cdk8s-istio-traffic ${version}: success, ${analysis.objects} Istio object(s) checked: `
    + `${analysis.errors.length} error(s), ${analysis.warnings.length} warning(s)${synth}, ${analysis.suppressed.length} suppressed`;
}

/**
 * Makes `report` print as `line`. cdk8s-cli prints every report as `report.toString()` (title, summary table and an
 * empty "(Violations)" heading even when nothing was found); its JSON form (`--validation-reports-output-file`)
 * keeps the summary figures. Returns false when the report cannot take it (the table is then printed).
 */
function printsAs(report: IPluginValidationReport, line: string): boolean {
  try {
    Object.defineProperty(report, 'toString', { value: () => line, configurable: true, writable: true });
    return String(report) === line;
  } catch {
    return false;
  }
}
