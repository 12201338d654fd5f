import { Severity, Violation } from '../../src/core/errors';
import { toIstioObject } from '../../src/engine/istio-object';
import { runRules } from '../../src/engine/run';
import { Rule, RuleReport, RunOptions, ServiceInfo } from '../../src/engine/types';
import { RULES } from '../../src/rules';

/**
 * The one way to run rules in a test: manifests in (paths `obj0`, `obj1`, …), a report out. `run` runs the whole
 * catalogue; `runOnly` a family or a single rule, isolated from the others.
 */

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

/** A VirtualService manifest (named `reviews` unless `meta.name`). */
export function vs(spec: unknown, meta: Meta = {}): any {
  return manifest('VirtualService', spec, { name: 'reviews', ...meta });
}

/** A DestinationRule manifest (named `reviews` unless `meta.name`). */
export function dr(spec: unknown, meta: Meta = {}): any {
  return manifest('DestinationRule', spec, { name: 'reviews', ...meta });
}

/** A ServiceEntry manifest (named `external` unless `meta.name`). */
export function se(spec: unknown, meta: Meta = {}): any {
  return manifest('ServiceEntry', spec, { name: 'external', ...meta });
}

/** A Gateway manifest (named `ingress` unless `meta.name`). */
export function gw(spec: unknown, meta: Meta = {}): any {
  return manifest('Gateway', spec, { name: 'ingress', ...meta });
}

/** A Sidecar manifest (named `default` unless `meta.name`). */
export function sc(spec: unknown, meta: Meta = {}): any {
  return manifest('Sidecar', spec, { name: 'default', ...meta });
}

/** Runs `rules` over the manifests with engine options (workloads, services, inventory, strict, enable). */
export function runOnly(rules: Rule | readonly Rule[], options: RunOptions, ...manifests: any[]): RuleReport {
  return runRules(manifests.map((m, i) => toIstioObject(m, `obj${i}`)!), Array.isArray(rules) ? rules : [rules as Rule], options);
}

/** Runs every catalogue rule over the manifests. */
export function run(...manifests: any[]): RuleReport {
  return runWith({}, ...manifests);
}

/** {@link run} with engine options (e.g. `{ strict: true }`). */
export function runWith(options: RunOptions, ...manifests: any[]): RuleReport {
  return runOnly(RULES, options, ...manifests);
}

/** Every error and warning of a report. */
export function all(report: RuleReport): Violation[] {
  return [...report.errors, ...report.warnings];
}

/** Codes of every error and warning of a report, sorted. */
export function codes(report: RuleReport): string[] {
  return all(report).map((v) => v.code).sort();
}

/** Every violation (errors and warnings) of a report with the given code. */
export function only(report: RuleReport, code: string): Violation[] {
  return all(report).filter((v) => v.code === code);
}

/** The single violation with `code`; fails the test when there is not exactly one. */
export function one(report: RuleReport, code: string): Violation {
  const found = only(report, code);
  if (found.length !== 1) {
    throw new Error(`expected exactly one ${code} violation, got ${found.length}: ${JSON.stringify(all(report), null, 1)}`);
  }
  return found[0];
}

export const ERROR = Severity.ERROR;
export const WARNING = Severity.WARNING;

/** A route destination to a host (optionally a subset, a weight and a port). */
export function dest(host: string, extra: Record<string, unknown> = {}): any {
  const { subset, weight, port } = extra as { subset?: string; weight?: number; port?: number };
  return {
    destination: { host, ...subset ? { subset } : {}, ...port !== undefined ? { port: { number: port } } : {} },
    ...weight !== undefined ? { weight } : {},
  };
}

/** The FQDN used by most tests. */
export const HOST = 'reviews.shop.svc.cluster.local';

/** A catch-all HTTP route to {@link HOST}. */
export const CATCH_ALL = { name: 'default', route: [dest(HOST)] };

/** A Kubernetes Service as the engine sees it. */
export function service(name: string, namespace?: string): ServiceInfo {
  return { name, namespace, ports: [{ port: 9080 }], path: `svc/${name}` };
}

/** Every finding (errors and warnings) of `rule` alone on the manifests. */
export function findings(rule: Rule, ...manifests: any[]): Violation[] {
  return all(runOnly(rule, {}, ...manifests));
}

/** The single finding of `rule` alone on the manifests; fails the test when there is not exactly one. */
export function single(rule: Rule, ...manifests: any[]): Violation {
  const found = findings(rule, ...manifests);
  if (found.length !== 1) throw new Error(`expected one ${rule.code} finding, got ${JSON.stringify(found, null, 1)}`);
  return found[0];
}

/** Whether `rule` alone finds nothing on the manifests. */
export function passes(rule: Rule, ...manifests: any[]): boolean {
  return findings(rule, ...manifests).length === 0;
}

/**
 * How large a report's findings are: their number and the longest message and value/allowed text. Tests of
 * large input assert these stay bounded (a finding per object at most, messages that name a few items).
 */
export function sizes(report: RuleReport): { findings: number; message: number; detail: number } {
  const found = all(report);
  const text = (v: unknown) => (v === undefined ? 0 : (typeof v === 'string' ? v : JSON.stringify(v)).length);
  return {
    findings: found.length,
    message: Math.max(0, ...found.map((v) => v.message.length)),
    detail: Math.max(0, ...found.map((v) => Math.max(text(v.value), text(v.allowed)))),
  };
}
