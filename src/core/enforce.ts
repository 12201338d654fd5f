/**
 * The throwing side of the core checks, for value classes and constructs: each helper runs the pure check of
 * its invariant and turns a problem into an {@link IstioValidationError} with the rule's code, the construct
 * path (or factory name), the offending value, what is allowed and the fix.
 */
import { Duration } from 'cdk8s';
import { fail } from './errors';
import { durationProblem, formatMillis, labelKeyProblem, labelValueProblem, portProblem, unrenderableKeyProblem } from './grammar';
import { HostGrammarOptions, hostProblem } from './hosts';
import { defineEntry } from './json';
import { show, text } from './text';

/** Throws `code` unless `value` is an array (props typed as lists, passed through `as any`). Returns it. */
export function checkList<T>(value: readonly T[], code: string, prop: string, path: string): readonly T[] {
  if (!Array.isArray(value)) {
    fail({ code, path, value: show(value), allowed: 'a list', message: `${prop} ${show(value)} is not a list`, fix: `Pass ${prop} as an array.` });
  }
  return value;
}

/** Where a value comes from: the construct path (or factory name) and the prop, for error messages. */
export interface Where {
  readonly path: string;
  readonly prop: string;
}

/** Renders a cdk8s `Duration` as an Istio duration string; throws X-01 below 1 ms or with sub-ms precision. */
export function renderDuration(duration: Duration, where: Where): string {
  let ms: number;
  try {
    ms = duration.toMilliseconds({ integral: false });
  } catch {
    ms = Number.NaN;
  }
  const problem = durationProblem(ms);
  if (problem) {
    fail({
      code: 'X-01', path: where.path, value: ms, allowed: '>= 1ms, whole milliseconds',
      message: `${where.prop} ${problem} (received ${Number.isFinite(ms) ? `${ms}ms` : String(ms)})`,
      fix: `Use a Duration of at least 1ms in whole milliseconds, e.g. Duration.millis(${Math.max(1, Math.round(Number.isFinite(ms) ? ms : 1))}).`,
    });
  }
  return formatMillis(ms);
}

/** Milliseconds of an already validated duration. */
export function millisOf(duration: Duration): number {
  return duration.toMilliseconds({ integral: false });
}

/** Options of {@link checkInteger}. */
export interface IntegerRange extends Where {
  readonly code: string;
  readonly min: number;
  readonly max?: number;
  readonly fix?: string;
}

/** Throws `range.code` unless `value` is an integer within [min, max]. Returns the value. */
export function checkInteger(value: number, range: IntegerRange): number {
  const allowed = range.max === undefined ? `integer >= ${range.min}` : `integer ${range.min}-${range.max}`;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < range.min || (range.max !== undefined && value > range.max)) {
    fail({
      code: range.code, path: range.path, value, allowed,
      message: `${range.prop} must be an ${allowed} (received ${show(value)})`,
      fix: range.fix ?? `Set ${range.prop} to an ${allowed}.`,
    });
  }
  return value;
}

/** Throws `code` unless `value` is a finite percentage 0-100 (fractions allowed). Returns the value. */
export function checkPercent(value: number, code: string, where: Where): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 100) {
    fail({
      code, path: where.path, value, allowed: '0-100',
      message: `${where.prop} must be a percentage 0-100 (received ${show(value)})`,
      fix: `Set ${where.prop} to a number between 0 and 100.`,
    });
  }
  return value;
}

/** Throws X-02 unless `port` is an integer 1-65535. */
export function checkPort(port: number, where: Where): number {
  const problem = portProblem(port);
  if (problem) {
    fail({
      code: 'X-02', path: where.path, value: port, allowed: '1-65535',
      message: `${where.prop} ${show(port)} ${problem}`,
      fix: `Use a port number between 1 and 65535.`,
    });
  }
  return port;
}

/** Throws X-03 unless `host` follows the hostname grammar. */
export function checkHost(host: string, where: Where, options: HostGrammarOptions = {}): string {
  const problem = hostProblem(host, options);
  if (problem) {
    fail({
      code: 'X-03', path: where.path, value: host,
      allowed: options.allowWildcard ? 'DNS-1123 hostname, optional leading "*." label' : 'DNS-1123 hostname',
      message: `${where.prop} ${show(typeof host === 'string' && host.length > 80 ? `${host.slice(0, 80)}…` : host)} ${problem}`,
      fix: 'Use a hostname such as "reviews.bookinfo.svc.cluster.local" or "api.example.com".',
    });
  }
  return host;
}

/**
 * Throws X-08 unless every key and value of `labels` is valid Kubernetes label syntax (and a key cdk8s can
 * synthesize). Returns a sorted copy.
 */
export function checkLabels(labels: Record<string, string>, where: Where): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(labels).sort()) {
    const value = labels[key];
    const problem = labelKeyProblem(key) ?? unrenderableKeyProblem(key) ?? labelValueProblem(value);
    if (problem) {
      fail({
        code: 'X-08', path: where.path, value: `${key}=${text(value)}`, allowed: 'Kubernetes label syntax',
        message: `${where.prop} entry "${key}: ${text(value)}" ${problem}`,
        fix: 'Use label keys and values such as "version: v2".',
      });
    }
    defineEntry(out, key, value);
  }
  return out;
}
