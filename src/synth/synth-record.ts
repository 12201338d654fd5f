import * as fs from 'fs';
import * as path from 'path';
import { isRecord } from '../core/json';
import { packageVersion } from '../core/package-info';

/*
 * What an App's synth tells the cdk8s validation plugin (src/plugin.ts) that runs after it: the objects it analyzed
 * with their construct paths, and the warnings it already printed. cdk8s-cli asks the App to record construct
 * metadata (CDK8S_RECORD_CONSTRUCT_METADATA=true, `App.recordConstructMetadata`) when cdk8s.yaml has validations; the
 * synth then writes this file next to cdk8s's own construct-metadata.json, and only then.
 */

/**
 * File name of the record in the App's output directory (beside cdk8s's construct-metadata.json). JSON, but without a
 * .json or .yaml extension: `kubectl apply -f dist/` and Argo CD directory sources read those, and would refuse it.
 */
export const SYNTH_RECORD = 'cdk8s-istio-traffic.synth-record';
/** The `format` of a {@link SynthRecord}; a reader ignores any other. */
const SYNTH_RECORD_FORMAT = 'cdk8s-istio-traffic/synth-record/v1';

/** One analyzed object: its identity in the manifests and the construct path of its ApiObject. */
export interface SynthRecordObject {
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly path: string;
}

/** What a successful synth analyzed and reported. */
export interface SynthRecord {
  readonly format: string;
  /** Version of the library whose engine ran. */
  readonly library: string;
  readonly objects: readonly SynthRecordObject[];
  /** The warnings the synth reported (to its warning sink): code and message. */
  readonly warnings: ReadonlyArray<{ readonly code: string; readonly message: string }>;
}

/** The identity the plugin and the record share: `Kind namespace/name` (`Kind name` without a namespace). */
export function objectKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind} ${namespace ? `${namespace}/` : ''}${name}`;
}

/** Writes the record of a synth into `outdir`. Best effort: without it the plugin shows every warning. */
export function writeSynthRecord(outdir: string, objects: readonly SynthRecordObject[], warnings: ReadonlyArray<{ code: string; message: string }>): void {
  const record: SynthRecord = {
    format: SYNTH_RECORD_FORMAT, library: packageVersion(), objects,
    warnings: warnings.map((w) => ({ code: w.code, message: w.message })),
  };
  try {
    fs.writeFileSync(path.join(outdir, SYNTH_RECORD), `${JSON.stringify(record)}\n`);
  } catch {
    // the plugin then shows every warning
  }
}

/**
 * The record in `dir` written by this library's version no earlier than `notBefore` (ms since the epoch: the newest
 * manifest, so a record of an earlier synth is not taken for this one), or undefined.
 */
export function readSynthRecord(dir: string, notBefore: number): SynthRecord | undefined {
  const file = path.join(dir, SYNTH_RECORD);
  try {
    if (fs.statSync(file).mtimeMs < notBefore) return undefined;
    const data: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (!isRecord(data) || data.format !== SYNTH_RECORD_FORMAT || data.library !== packageVersion()) return undefined;
    if (!Array.isArray(data.objects) || !Array.isArray(data.warnings)) return undefined;
    return data as unknown as SynthRecord;
  } catch {
    return undefined;
  }
}
