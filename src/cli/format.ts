import type * as Sarif from 'node-sarif-builder';
import { RULES_DOC, Severity, Violation } from '../core/errors';
import { packageVersion, rulesDocUrl } from '../core/package-info';
import { META_CODES } from '../engine/docs';
import { RuleReport } from '../engine/types';
import { RULES } from '../rules';
import { SUPPRESS_ANNOTATION_PREFIX } from '../engine/istio-object';

/** Output formats of `lint`. */
export type LintFormat = 'text' | 'json' | 'sarif';

/** What `lint` looked at, for the summary line. */
export interface LintSummary {
  readonly files: number;
  readonly objects: number;
  /** Kinds neither schema-checked nor read by the rules (`apiVersion Kind` → count). @default - none */
  readonly unchecked?: ReadonlyMap<string, number>;
}

/** `3 object(s) of 2 kind(s) not checked: v1 ConfigMap (2), apps/v1 ... ` or undefined. */
function uncheckedLine(summary: LintSummary): string | undefined {
  const kinds = [...(summary.unchecked ?? new Map<string, number>())].sort(([a], [b]) => a.localeCompare(b));
  if (kinds.length === 0) return undefined;
  const total = kinds.reduce((n, [, c]) => n + c, 0);
  return `${total} object(s) of ${kinds.length} kind(s) not checked (not Istio kinds): ${kinds.map(([k, c]) => `${k} (${c})`).join(', ')}`;
}


/** Renders a lint report in the requested format. */
export function formatReport(report: RuleReport, summary: LintSummary, format: LintFormat): string {
  if (format === 'json') return `${JSON.stringify(toJson(report, summary), null, 2)}\n`;
  if (format === 'sarif') return `${JSON.stringify(toSarif(report), null, 2)}\n`;
  return toText(report, summary);
}

function line(v: Violation): string {
  return `${v.path}: ${v.severity} ${v.code}: ${v.message.replace(/\.$/, '')}. ${v.fix}`;
}

/** How to accept a finding of rule `code` on purpose (rule codes only: SCHEMA, YAML and the other meta codes are not suppressible). */
function suppressHint(code: string): string | undefined {
  if (!RULES.some((r) => r.code === code)) return undefined;
  return `annotation ${SUPPRESS_ANNOTATION_PREFIX}${code}: "<reason>" on the object, or --suppress "${code}=<reason>"`;
}

function toText(report: RuleReport, summary: LintSummary): string {
  const lines = [...report.errors, ...report.warnings].map(line);
  const first = [...report.errors, ...report.warnings].find((v) => suppressHint(v.code));
  if (first) lines.push(`To accept a finding on purpose, suppress it with a written reason: ${suppressHint(first.code)!.replace(first.code, '<CODE>').replace(`"${first.code}=`, '"<CODE>=')}.`);
  for (const s of report.suppressed) lines.push(`${s.path}: suppressed ${s.code}: ${s.message.replace(/\.$/, '')} (reason: ${s.reason})`);
  const n = counts(report);
  lines.push(`${n.errors} error(s), ${n.warnings} warning(s), ${n.suppressed} suppressed in ${summary.objects} Istio object(s) from ${summary.files} file(s)`);
  const omitted = report.omitted ? report.omitted.errors + report.omitted.warnings + report.omitted.suppressed : 0;
  if (omitted > 0) lines.push(`${omitted} more finding(s) not listed: over --max-findings (the first ones are above, the counts include all)`);
  const unchecked = uncheckedLine(summary);
  if (unchecked) lines.push(unchecked);
  const notChecked = report.notChecked ?? [];
  if (notChecked.length > 0) {
    lines.push(`${notChecked.length} reference(s) to objects outside the input not checked (declare them with --inventory, or pass --complete): ${notChecked.join('; ')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Errors, warnings and suppressed findings, those past --max-findings included. */
export function counts(report: RuleReport): { errors: number; warnings: number; suppressed: number } {
  const o = report.omitted;
  return { errors: report.errors.length + (o?.errors ?? 0), warnings: report.warnings.length + (o?.warnings ?? 0), suppressed: report.suppressed.length + (o?.suppressed ?? 0) };
}

/** A finding with its location split out (file, line, column) and the address of its rule's documentation. */
function located<V extends Violation>(v: V) {
  const { file, line, column } = location(v.path);
  const suppress = suppressHint(v.code);
  return { ...v, file, ...(line !== undefined ? { line } : {}), ...(column !== undefined ? { column } : {}), docs: docsUrl(v.code), ...(suppress ? { suppress } : {}) };
}

function docsUrl(code: string): string {
  return rulesDocUrl(code);
}

function toJson(report: RuleReport, summary: LintSummary) {
  return {
    errors: report.errors.map(located),
    warnings: report.warnings.map(located),
    suppressed: report.suppressed.map(located),
    summary: {
      files: summary.files, objects: summary.objects, ...counts(report), ...(report.omitted ? { omitted: report.omitted } : {}),
      unchecked: Object.fromEntries([...(summary.unchecked ?? new Map<string, number>())].sort(([a], [b]) => a.localeCompare(b))),
      notChecked: report.notChecked ?? [],
    },
  };
}

/** Splits `file:line` or `file:line:column` (file names may contain colons). */
function location(path: string): { file: string; line?: number; column?: number } {
  const withColumn = /^(.*):(\d+):(\d+)$/.exec(path);
  if (withColumn) return { file: withColumn[1], line: Number(withColumn[2]), column: Number(withColumn[3]) };
  const m = /^(.*):(\d+)$/.exec(path);
  return m ? { file: m[1], line: Number(m[2]) } : { file: path };
}

function toSarif(report: RuleReport) {
  // Loaded for SARIF output only (its module tree costs every other lint run start-up time).
  const { SarifBuilder, SarifResultBuilder, SarifRuleBuilder, SarifRunBuilder } = require('node-sarif-builder') as typeof Sarif;
  const run = new SarifRunBuilder().initSimple({
    toolDriverName: 'cdk8s-istio-traffic', toolDriverVersion: packageVersion(), url: 'https://www.npmjs.com/package/cdk8s-istio-traffic',
  });
  const docs = [...RULES, ...META_CODES].map((r) => ({ id: r.code, title: r.title, help: `${r.why} Fix: ${r.fix}` }));
  for (const d of docs) {
    const rule = new SarifRuleBuilder().initSimple({ ruleId: d.id, shortDescriptionText: d.title, fullDescriptionText: d.help, helpUri: docsUrl(d.id) });
    rule.rule.help = { text: `${d.help} See ${RULES_DOC}#${d.id.toLowerCase()} in the cdk8s-istio-traffic package.` };
    run.addRule(rule);
  }
  const add = (v: Violation, suppressed?: string) => {
    const { file, line: startLine, column: startColumn } = location(v.path);
    const result = new SarifResultBuilder().initSimple({
      level: v.severity === Severity.ERROR ? 'error' : 'warning',
      messageText: `${v.message.replace(/\.$/, '')}. ${v.fix}`,
      ruleId: v.code,
      fileUri: file === '<stdin>' ? 'stdin' : file,
      ...(startLine ? { startLine } : {}),
      ...(startLine && startColumn ? { startColumn } : {}),
    });
    // The builder fills in an end position before the start column; the finding marks a point, so none is given.
    const region = result.result.locations?.[0]?.physicalLocation?.region;
    if (region && startLine) result.result.locations![0].physicalLocation!.region = { startLine, ...(startColumn ? { startColumn } : {}) };
    if (suppressed !== undefined) result.result.suppressions = [{ kind: 'inSource', justification: suppressed }];
    run.addResult(result);
  };
  for (const v of [...report.errors, ...report.warnings]) add(v);
  for (const s of report.suppressed) add(s, s.reason);
  const builder = new SarifBuilder();
  builder.addRun(run);
  return builder.buildSarifOutput();
}
