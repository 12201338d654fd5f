import { Severity, Violation } from '../../src/core/errors';
import { toIstioObject } from '../../src/engine/istio-object';
import { runRules } from '../../src/engine/run';
import { RuleReport, RunOptions } from '../../src/engine/types';
import { RULES } from '../../src/rules';

/** Metadata of a test manifest. */
export interface Meta {
  readonly name?: string;
  readonly namespace?: string;
  readonly annotations?: Record<string, string>;
}

function manifest(kind: string, spec: unknown, meta: Meta = {}): any {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind,
    metadata: { name: meta.name ?? kind.toLowerCase(), ...meta.namespace ? { namespace: meta.namespace } : {}, ...meta.annotations ? { annotations: meta.annotations } : {} },
    spec,
  };
}

/** A VirtualService manifest. */
export function vs(spec: unknown, meta: Meta = {}): any {
  return manifest('VirtualService', spec, { name: 'reviews', ...meta });
}

/** A DestinationRule manifest. */
export function dr(spec: unknown, meta: Meta = {}): any {
  return manifest('DestinationRule', spec, { name: 'reviews', ...meta });
}

/** A ServiceEntry manifest. */
export function se(spec: unknown, meta: Meta = {}): any {
  return manifest('ServiceEntry', spec, { name: 'external', ...meta });
}

/** A Gateway manifest. */
export function gw(spec: unknown, meta: Meta = {}): any {
  return manifest('Gateway', spec, { name: 'ingress', ...meta });
}

/** Runs every catalogue rule over the manifests (paths `obj0`, `obj1`, …). */
export function run(...manifests: any[]): RuleReport {
  return runWith({}, ...manifests);
}

/** {@link run} with engine options (e.g. `{ strict: true }`). */
export function runWith(options: RunOptions, ...manifests: any[]): RuleReport {
  return runRules(manifests.map((m, i) => toIstioObject(m, `obj${i}`)!), RULES, options);
}

/** Codes of every error and warning of a report, sorted. */
export function codes(report: RuleReport): string[] {
  return [...report.errors, ...report.warnings].map((v) => v.code).sort();
}

/** Every violation (errors and warnings) of a report with the given code. */
export function only(report: RuleReport, code: string): Violation[] {
  return [...report.errors, ...report.warnings].filter((v) => v.code === code);
}

/** The single violation with `code`; fails the test when there is not exactly one. */
export function one(report: RuleReport, code: string): Violation {
  const found = only(report, code);
  if (found.length !== 1) {
    throw new Error(`expected exactly one ${code} violation, got ${found.length}: ${JSON.stringify([...report.errors, ...report.warnings], null, 1)}`);
  }
  return found[0];
}

export const ERROR = Severity.ERROR;
export const WARNING = Severity.WARNING;

/** A plain HTTP route to a host (optionally a subset and a weight). */
export function dest(host: string, extra: Record<string, unknown> = {}): any {
  const { subset, weight, port } = extra as any;
  return {
    destination: { host, ...subset ? { subset } : {}, ...port !== undefined ? { port: { number: port } } : {} },
    ...weight !== undefined ? { weight } : {},
  };
}

/** The FQDN used by most tests. */
export const HOST = 'reviews.shop.svc.cluster.local';

/** A catch-all HTTP route to {@link HOST}. */
export const CATCH_ALL = { name: 'default', route: [dest(HOST)] };
