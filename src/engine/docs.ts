import { RuleDoc } from './types';

const SCOPE: Record<RuleDoc['scope'], string> = { self: 'Self', app: 'App' };

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
    'Every rule keeps the ID of the project\'s Istio validation-rule catalogue (`shared/docs/validation-rules.md`),',
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
