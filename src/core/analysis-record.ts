import { createHash } from 'crypto';
import * as fs from 'fs';
import { isRecord } from './json';
import { isClusterScoped } from './k8s';
import { packageVersion } from './package-info';

/*
 * The handshake between `cdk8s-istio-traffic generate` and this library's synth inside the app that generate runs.
 * The app's synth already ran the rule engine over the App's Istio objects and their context (workloads, Services);
 * generate would run it again over the same manifests read back from YAML. So generate passes the app a private file
 * path in ANALYSIS_RECORD_ENV; after a successful `app.synth()` the library writes there what it analyzed (a
 * fingerprint of exactly those manifests), that the analysis found no error, and how many warnings. generate
 * recomputes the fingerprint over the manifests it would analyze and skips its own analysis only when both match
 * (src/cli/generate-fingerprint.ts). Anything else — no record, another library version, one object more or less, one
 * value changed — and generate analyzes as before. Used by src/synth (writer) and src/cli (reader).
 *
 * The fingerprint does not depend on the order of the manifests: generate reads the chart files sorted by name, the
 * synth analyzes in the order cdk8s emits (charts in creation order), and the two differ in most apps with several
 * charts. The one rule that reads positions (DR-22, a warning: a subset defined after the route that uses it) then sees
 * the order the app emits, which is the order the user controls and `cdk8s synth` writes.
 */

/** Environment variable naming the file the library's synth writes its {@link AnalysisRecord} to (set by generate). */
export const ANALYSIS_RECORD_ENV = 'CDK8S_ISTIO_TRAFFIC_ANALYSIS_RECORD';
/**
 * Environment variable with the namespace generate gives namespaced objects that have none (`ARGOCD_APP_NAMESPACE`
 * or the `namespace` parameter), so that the synth can analyze the manifests as generate will print them
 * ({@link withDefaultNamespace}).
 */
export const DEFAULT_NAMESPACE_ENV = 'CDK8S_ISTIO_TRAFFIC_DEFAULT_NAMESPACE';
/** The `format` of an {@link AnalysisRecord}: a reader refuses any other. */
export const ANALYSIS_RECORD_FORMAT = 'cdk8s-istio-traffic/analysis-record/v1';

/** What a synth analyzed and found: written as JSON to the file named by {@link ANALYSIS_RECORD_ENV}. */
export interface AnalysisRecord {
  readonly format: string;
  /** Version of the library that analyzed (its rule catalogue). */
  readonly library: string;
  /** {@link analysisFingerprint} of the analyzed manifests. */
  readonly fingerprint: string;
  /** Number of manifests analyzed. */
  readonly manifests: number;
  readonly errors: number;
  readonly warnings: number;
}

/**
 * A SHA-256 over the manifests as a multiset (the order does not count, the number of copies does): the SHA-256 of
 * each manifest's canonical encoding, sorted. The encoding sorts object keys, leaves out keys whose value is
 * `undefined` (cdk8s does not write them), and encodes every value that is not plain JSON data (`undefined` in an
 * array, NaN, ±Infinity, a Date, a bigint, a Map, a class instance, …) distinctly from every JSON value, so two lists
 * with one fingerprint hold the same JSON data of the same types.
 */
export function analysisFingerprint(manifests: readonly unknown[]): string {
  const digests = manifests.map((m) => createHash('sha256').update(encode(m)).digest('hex')).sort();
  return createHash('sha256').update(`${ANALYSIS_RECORD_FORMAT}\n${digests.join('\n')}`).digest('hex');
}

/** Canonical text of a value; every non-JSON value starts with `!`, which no JSON text does. */
function encode(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : `!${value}`;
  if (Array.isArray(value)) return `[${Array.from(value, (v) => (v === undefined ? '!undefined' : encode(v))).join(',')}]`;
  if (typeof value === 'object' && (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null)) {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record).sort().filter((k) => record[k] !== undefined).map((k) => `${JSON.stringify(k)}:${encode(record[k])}`).join(',')}}`;
  }
  return `!${typeof value === 'object' ? Object.prototype.toString.call(value) : typeof value}:${JSON.stringify(String(value))}`;
}

/**
 * Writes the {@link AnalysisRecord} of a synth whose analysis passed to `file`. Best effort: generate analyzes again
 * when the record is missing, so a failure to write it is not an error of the synth.
 */
export function writeAnalysisRecord(file: string, manifests: readonly unknown[], report: { readonly errors: readonly unknown[]; readonly warnings: readonly unknown[] }): void {
  if (report.errors.length > 0) return;
  const record: AnalysisRecord = {
    format: ANALYSIS_RECORD_FORMAT, library: packageVersion(), fingerprint: analysisFingerprint(manifests),
    manifests: manifests.length, errors: report.errors.length, warnings: report.warnings.length,
  };
  try {
    fs.writeFileSync(file, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  } catch {
    // generate analyzes itself when there is no record
  }
}

/**
 * `manifest` with `metadata.namespace` set to `namespace` when it has none and its kind is namespaced (the built-in
 * cluster-scoped list, as generate decides), as a copy; otherwise `manifest` itself. generate does the same to the
 * manifests it prints, so a synth that applies it (with {@link DEFAULT_NAMESPACE_ENV}) analyzes what generate prints.
 */
export function withDefaultNamespace(manifest: unknown, namespace: string | undefined): unknown {
  if (!namespace || !isRecord(manifest) || typeof manifest.apiVersion !== 'string' || typeof manifest.kind !== 'string') return manifest;
  const metadata = manifest.metadata;
  if (!isRecord(metadata) || metadata.namespace || isClusterScoped(manifest.apiVersion, manifest.kind)) return manifest;
  return { ...manifest, metadata: { ...metadata, namespace } };
}
