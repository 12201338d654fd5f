/**
 * Shared plumbing of the property tests: run counts, one temp output directory per test file, small Apps with
 * warnings collected instead of printed and no traffic report, and the checks every synthesized object gets.
 */
import { parseAllDocuments } from 'yaml';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { isDeepStrictEqual } from 'util';
import { App, Chart } from 'cdk8s';
import * as fc from 'fast-check';
import { IstioValidationError, Violation } from '../../src/core/errors';
import { Inventory } from '../../src/engine/types';
import { validateManifest } from '../../src/schema/crd-validator';
import { Rules } from '../../src/synth/rules';

/**
 * Runs per property: 200 in `npm test` (sized so the whole suite stays within a minute on a 2-core machine; every run
 * uses a fresh seed, so CI keeps exploring); `PROPERTY_RUNS=100000` (`npm run test:deep`, shardable with
 * `-- --shard=1/4` …) for the deep run. Properties that are costlier per run (whole example apps) scale it down themselves.
 */
export const RUNS = (() => {
  const raw = process.env.PROPERTY_RUNS;
  const n = raw === undefined || raw === '' ? 200 : Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`PROPERTY_RUNS must be a positive integer, got ${JSON.stringify(raw)}`);
  return n;
})();

/** A fixed seed can be given with PROPERTY_SEED to replay a failure; otherwise fast-check picks one and prints it. */
export const SEED = process.env.PROPERTY_SEED ? Number(process.env.PROPERTY_SEED) : undefined;

/** fast-check parameters for `numRuns` runs (with the replay seed when given). */
export function params(numRuns: number = RUNS) {
  return { numRuns, ...(SEED !== undefined ? { seed: SEED } : {}) };
}

/**
 * The kinds of case a property met, by label, so that it can insist it met both sides of each rule it checks (a
 * refused and an accepted case). Insisted on from MIN_COVERAGE_RUNS runs up (fewer runs may miss a rare one).
 *
 * A kind of case that the property's own runs missed is searched for by running the property again (a quarter of its
 * runs, at most TOP_UP_ROUNDS times, each with a fresh seed — or PROPERTY_SEED + round, so that a replay replays):
 * every extra case is checked like the others, a rare kind is met without fixing the seed, and a generator that
 * cannot reach a kind at all still fails the test.
 */
export const MIN_COVERAGE_RUNS = 200;
export const TOP_UP_ROUNDS = 10;
export function coverage() {
  const seen = new Map<string, number>();
  const missingOf = (labels: readonly string[]) => labels.filter((l) => !seen.has(l));
  return {
    see(label: string): void {
      seen.set(label, (seen.get(label) ?? 0) + 1);
    },
    /** `labels` were all met by `property` (of `numRuns` runs), searching further runs for the missing ones. */
    async expectSeen(labels: readonly string[], property: fc.IAsyncPropertyWithHooks<any> | fc.IPropertyWithHooks<any>, numRuns: number = RUNS): Promise<void> {
      if (RUNS < MIN_COVERAGE_RUNS) return;
      const extra = Math.ceil(numRuns / 4);
      for (let round = 1; round <= TOP_UP_ROUNDS && missingOf(labels).length > 0; round++) {
        await fc.assert(property as fc.IAsyncPropertyWithHooks<any>, { numRuns: extra, ...(SEED !== undefined ? { seed: SEED + round } : {}) });
      }
      const missing = missingOf(labels);
      if (missing.length > 0) {
        throw new Error(`no case generated for: ${missing.join('; ')}, after ${TOP_UP_ROUNDS} more rounds (seen: ${JSON.stringify(Object.fromEntries(seen))})`);
      }
    },
  };
}

/** Jest timeout for a property of `numRuns` runs that costs about `msPerRun` each (generous: 2-core CI). */
export function timeoutFor(msPerRun: number, numRuns: number = RUNS): number {
  return Math.max(60_000, numRuns * msPerRun * 4);
}

/** One output directory for the whole test file (nothing is written to it: trafficReport is off). */
let outdir: string | undefined;
export function sharedOutdir(): string {
  outdir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'property-'));
  return outdir;
}

/*
 * Properties are async (fc.asyncProperty) so the microtask queue drains between runs: the rule engine drops its
 * per-synth cache in a microtask that references its App, so a synchronous loop of 100,000 runs would keep every
 * App alive until it returns (about 30 KB a run: out of memory in the deep run).
 */

/** A small App with one chart, warnings collected, no traffic report. */
export interface Harness {
  readonly app: App;
  readonly chart: Chart;
  readonly rules: Rules;
  readonly warnings: Violation[];
}

export function harness(namespace?: string, inventory?: Inventory): Harness {
  const app = new App({ outdir: sharedOutdir() });
  const chart = new Chart(app, 'test', namespace ? { namespace } : {});
  const rules = Rules.of(chart);
  rules.trafficReport = false;
  const warnings: Violation[] = [];
  rules.warningSink = { report: (w) => warnings.push(...w) };
  if (inventory) rules.inventory = inventory;
  return { app, chart, rules, warnings };
}

/**
 * Whether a run also compares `app.synthYaml()` byte for byte (1 run in 10: YAML rendering costs more than the
 * whole synth). Every run compares the synthesized JSON, which determines the YAML. Shrinks towards `true`.
 */
export const yamlSample: fc.Arbitrary<boolean> = fc.nat(9).map((n) => n === 0);

/**
 * Two Apps built from the same props synthesize the same objects (`firstManifests`: the first chart's output,
 * already synthesized) and, when asked, byte-identical `app.synthYaml()`.
 */
export function expectDeterministic(first: Harness, firstManifests: readonly any[], second: Harness, compareYaml: boolean): void {
  const again = JSON.stringify(second.chart.toJson());
  if (again !== JSON.stringify(firstManifests)) throw new Error(`same props, different output:\n${JSON.stringify(firstManifests)}\n${again}`);
  if (compareYaml) {
    const a = first.app.synthYaml();
    const b = second.app.synthYaml();
    if (a !== b) throw new Error(`same props, different YAML:\n${a}\n---- vs ----\n${b}`);
    // The YAML reads back as the objects under YAML 1.1 (kubectl's reader) and YAML 1.2 (kustomize, JS yaml).
    const objects = JSON.parse(JSON.stringify(firstManifests));
    for (const version of ['1.1', '1.2'] as const) {
      const read = parseAllDocuments(a, { version }).map((d) => d.toJS()).filter((d) => d !== null);
      same(read, objects, `the synthesized YAML read back as YAML ${version}`);
    }
  }
}

export const ISTIO = (o: any) => typeof o?.apiVersion === 'string' && o.apiVersion.startsWith('networking.istio.io/');

/** Synthesizes the chart, failing with the rule report when synth throws. */
export function synthIstio(h: Harness): any[] {
  let manifests: any[];
  try {
    manifests = h.chart.toJson();
  } catch (e) {
    if (e instanceof IstioValidationError) {
      throw new Error(`valid props failed synth:\n${e.message}`);
    }
    throw e;
  }
  return manifests;
}

/** Every Istio object passes the real CRD schema and its CEL rules. */
export function schemaIssues(manifests: readonly any[]): string[] {
  return manifests.filter(ISTIO).flatMap((m) => validateManifest(m).map((i) => `${m.kind}/${m.metadata?.name}: ${i.path} ${i.message}`));
}

/**
 * Asserts deep equality without `expect` (which captures a stack trace per call: too slow for 100,000 runs).
 * fast-check reports the thrown message with the shrunk counterexample.
 */
export function same(actual: unknown, expected: unknown, what: string): void {
  if (!isDeepStrictEqual(actual, expected)) {
    throw new Error(`${what}:\n  expected ${JSON.stringify(expected)}\n  received ${JSON.stringify(actual)}`);
  }
}

/** Asserts a condition without `expect`. */
export function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(what);
}

/** Sorted, de-duplicated warning codes. */
export function codesOf(violations: readonly Violation[]): string[] {
  return [...new Set(violations.map((v) => v.code))].sort();
}

/** Compares actual warnings with the expected codes, with the messages on mismatch. */
export function warningMismatch(warnings: readonly Violation[], expected: readonly string[]): string | undefined {
  const actual = codesOf(warnings);
  const want = [...new Set(expected)].sort();
  if (JSON.stringify(actual) === JSON.stringify(want)) return undefined;
  return `expected warnings [${want.join(', ')}], got [${actual.join(', ')}]:\n  ${warnings.map((w) => `${w.code}: ${w.message}`).join('\n  ')}`;
}

/** Every subset a VirtualService routes or mirrors to is defined by a DestinationRule of the same host in the output. */
export function undefinedSubsets(manifests: readonly any[], fqdn: (host: string, ns?: string) => string): string[] {
  const defined = new Set<string>();
  for (const dr of manifests.filter((m) => m.kind === 'DestinationRule')) {
    for (const s of dr.spec.subsets ?? []) defined.add(`${fqdn(dr.spec.host, dr.metadata.namespace)}|${s.name}`);
  }
  const out: string[] = [];
  for (const vs of manifests.filter((m) => m.kind === 'VirtualService')) {
    for (const route of vs.spec.http ?? []) {
      const dests = [...(route.route ?? []).map((r: any) => r.destination), ...(route.mirror ? [route.mirror] : [])];
      for (const d of dests) {
        if (d.subset && !defined.has(`${fqdn(d.host, vs.metadata.namespace)}|${d.subset}`)) out.push(`${vs.metadata.name}: ${d.host}/${d.subset}`);
      }
    }
  }
  return out;
}
