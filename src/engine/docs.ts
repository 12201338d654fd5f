import { DUPLICATE_CODE, PROP_CODE, SCHEMA_CODE, SUPPRESSION_CODE, YAML_CODE } from '../core/errors';
import { RuleDoc } from './types';

const SCOPE: Record<RuleDoc['scope'], string> = { self: 'Self', app: 'App' };

/** The codes findings and errors carry besides the catalogue rules. */
export const META_CODES: ReadonlyArray<{ readonly code: string; readonly title: string; readonly why: string; readonly fix: string }> = [
  {
    code: SCHEMA_CODE, title: 'Rejected by the Istio CRD schema or its CEL rules',
    why: 'Every Istio object is validated against the bundled Istio 1.30 CRD (OpenAPI schema with unknown fields rejected, list-map keys, and the x-kubernetes-validations CEL rules), as the API server does: such an object would be refused by kubectl apply.',
    fix: 'Correct the field the message names as the CRD requires.',
  },
  {
    code: SUPPRESSION_CODE, title: 'Suppressions name a catalogue rule and give a reason',
    why: 'A suppression turns a finding off for one object (annotation suppress.traffic.cdk8s-istio-traffic.io/<CODE>, Rules.suppress, lint --suppress); one without a written reason, or naming an unknown code, hides a problem without saying why.',
    fix: 'Name a rule code from this page and write why the finding does not apply.',
  },
  {
    code: DUPLICATE_CODE, title: 'One object per kind, namespace and name',
    why: 'The API server, kubectl apply and Argo CD key objects by kind, namespace and name: of two different objects with one identity only the last applied survives, so one host\'s routes, subsets or TLS policy silently disappear (two CanaryServices for reviews.a and reviews.b in one namespace both default to the name "reviews"). Checked at synth over the App (an error) and in lint within one file (an error); across files lint does what kubectl apply -f DIR does — the later file wins and the earlier definition is not checked — and warns, naming both. An identical copy at synth is one object written twice and passes.',
    fix: 'Give the objects different names (constructs take a `name` prop), or merge them into one object.',
  },
  {
    code: YAML_CODE, title: 'Values read back as what was built',
    why: 'cdk8s writes manifests with a YAML 1.1 schema, which leaves a few strings unquoted that kubectl (go-yaml v2 reads plain scalars with Go\'s number syntax) and YAML 1.2 readers (kustomize, the JS yaml package) read as integers — `0o17`, `0O17`, `-0o17`, `0o1_7` — and writes U+2028, U+2029 and U+0085 raw, which go-yaml takes for line breaks. Such a label, header value or name would be applied as something else, or refused. Checked at synth for every Istio object, workload and Service of the App. lint reads YAML as kubectl does (YAML 1.1 booleans, Go number syntax) and warns, at the scalar\'s line, where an unquoted scalar means something else to YAML 1.2 readers (`yes`, `on`, `017`, `1_000`).',
    fix: 'Change the value (cdk8s cannot be told to quote it), e.g. "v0o17" instead of "0o17", or match a header with a regex; in YAML you write, quote such strings.',
  },
  {
    code: PROP_CODE, title: 'Props have the shape the API declares',
    why: 'Raised at once by constructs and value classes for a prop of the wrong type or shape (a value passed through `as any`, a string where a list is expected, a value that is not an enum member or not an instance of the expected class, an empty list where entries are needed). Values of the right shape are judged by the catalogue rule of the invariant they break, with the same check the rule runs on YAML.',
    fix: 'Pass the prop as its type says (see the construct\'s docs).',
  },
];

/**
 * Renders the rule reference (docs/rules.md) from the rules themselves, so the documentation cannot drift
 * from what the engine enforces.
 */
export function renderRulesMarkdown(rules: readonly RuleDoc[]): string {
  const lines = [
    '# Rule reference',
    '',
    '<!-- Generated from src/rules by `npm run docs`; a test fails when this file is out of date. -->',
    '',
    'Every rule keeps the ID of the project\'s Istio validation-rule catalogue (the maintainers\' design notes),',
    'a severity (**E**: fails synth and `lint`; **W**: reported; **E/W**: both branches exist) and a scope',
    '(**Self**: one object; **App**: across the objects of the App). Error messages link here.',
    '',
    '| Code | Rule | Severity | Scope | Upstream |',
    '|---|---|---|---|---|',
    ...rules.map((r) => `| [${r.code}](#${r.code.toLowerCase()}) | ${r.title} | ${r.levels} | ${SCOPE[r.scope]} | ${r.upstream} |`),
    '',
  ];
  for (const r of rules) {
    lines.push(`## ${r.code}`, '', `**${r.title}** (${r.levels}, ${SCOPE[r.scope]})`, '', `- Why: ${r.why}`, `- Fix: ${r.fix}`, `- Upstream: ${r.upstream}`, '');
  }
  lines.push('# Codes that are not catalogue rules', '');
  for (const m of META_CODES) lines.push(`## ${m.code}`, '', `**${m.title}** (E)`, '', `- Why: ${m.why}`, `- Fix: ${m.fix}`, '');
  return lines.join('\n');
}

/** The short rule table of the README (between the `rules:start` / `rules:end` markers). */
export function renderRulesTable(rules: readonly RuleDoc[]): string {
  return [
    '| Code | Rule | Severity | Scope |',
    '|---|---|---|---|',
    ...rules.map((r) => `| [${r.code}](docs/rules.md#${r.code.toLowerCase()}) | ${r.title} | ${r.levels} | ${SCOPE[r.scope]} |`),
  ].join('\n');
}

/** Replaces the rule table between the markers of `readme`. */
export function withRulesTable(readme: string, rules: readonly RuleDoc[]): string {
  return readme.replace(/<!-- rules:start -->[\s\S]*<!-- rules:end -->/, `<!-- rules:start -->\n${renderRulesTable(rules)}\n<!-- rules:end -->`);
}
