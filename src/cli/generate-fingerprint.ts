import * as fs from 'fs';
import { ANALYSIS_RECORD_FORMAT, AnalysisRecord, analysisFingerprint } from '../core/analysis-record';
import { isRecord } from '../core/json';
import { groupOf } from '../core/k8s';
import { packageVersion } from '../core/package-info';
import { loadSchemas } from '../schema/crd-schema';

/**
 * The kinds outside the bundled CRDs that the synth's analysis collects as context (engine/analyze's CONTEXT_KINDS;
 * a test keeps the two equal). Kept here so that generate does not load the rule engine to decide whether it needs it.
 */
export const ANALYZED_CONTEXT_KINDS: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'Rollout',
  'Pod', 'Service', 'NetworkPolicy', 'Canary']);

/** Longest record accepted (a record is about 250 bytes). */
const MAX_RECORD_BYTES = 64 * 1024;

/**
 * Whether the synth analyzes `manifest`: the Rules construct collects every object of a bundled CRD group (Istio,
 * Gateway API) and the context kinds, and nothing else (src/synth/rules.ts `collectAll`). The other manifests do not
 * change the outcome of an analysis (generate checks duplicates of all of them itself).
 */
export function analyzedBySynth(manifest: unknown): boolean {
  if (!isRecord(manifest) || typeof manifest.apiVersion !== 'string' || typeof manifest.kind !== 'string') return false;
  return loadSchemas().groups.has(groupOf(manifest.apiVersion)) || ANALYZED_CONTEXT_KINDS.has(manifest.kind);
}

/** Reads the record the app's synth wrote to `file`: undefined when there is none or it is not a valid record. */
export function readAnalysisRecord(file: string): AnalysisRecord | undefined {
  let data: unknown;
  try {
    const stat = fs.lstatSync(file);
    if (!stat.isFile() || stat.size > MAX_RECORD_BYTES) return undefined;
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  if (!isRecord(data) || data.format !== ANALYSIS_RECORD_FORMAT) return undefined;
  const count = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
  if (typeof data.library !== 'string' || typeof data.fingerprint !== 'string' || !/^[0-9a-f]{64}$/.test(data.fingerprint)
    || !count(data.manifests) || !count(data.errors) || !count(data.warnings)) return undefined;
  return data as unknown as AnalysisRecord;
}

/** Why generate analyzes after all, or that it need not. */
export type Verdict = { readonly reuse: true; readonly record: AnalysisRecord } | { readonly reuse: false; readonly why: string };

/**
 * Whether the app's own analysis (its `record`) covers the manifests generate is about to check (`values`, after the
 * default namespace): only when the same library version analyzed exactly those of them {@link analyzedBySynth}
 * selects (the same objects with the same content, in any order), with no error — and, in strict mode, no warning.
 */
export function reuseAppAnalysis(record: AnalysisRecord | undefined, values: readonly unknown[], strict: boolean): Verdict {
  if (!record) return { reuse: false, why: 'the app did not record an analysis of its own (it does not use this library, or an older version)' };
  if (record.library !== packageVersion()) return { reuse: false, why: `the app analyzed with cdk8s-istio-traffic ${record.library}, generate is ${packageVersion()}` };
  if (record.errors > 0) return { reuse: false, why: 'the app recorded errors' };
  if (strict && record.warnings > 0) return { reuse: false, why: 'strict mode and the app recorded warnings' };
  const analyzed = values.filter(analyzedBySynth);
  if (analyzed.length !== record.manifests || analysisFingerprint(analyzed) !== record.fingerprint) {
    return { reuse: false, why: 'the manifests read back are not the ones the app analyzed' };
  }
  return { reuse: true, record };
}
