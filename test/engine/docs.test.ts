import * as fs from 'fs';
import * as path from 'path';
import { renderRulesMarkdown, withRulesTable } from '../../src/engine/docs';
import { RULES } from '../../src/rules';

test('docs/rules.md is generated from the rules (run `npm run docs` after changing a rule)', () => {
  const file = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'rules.md'), 'utf8');
  expect(file).toBe(renderRulesMarkdown(RULES));
});

test('every rule has a unique code and complete documentation', () => {
  const codes = RULES.map((r) => r.code);
  expect(new Set(codes).size).toBe(codes.length);
  for (const r of RULES) {
    expect(r.code).toMatch(/^(X|VS|DR|SE|GW|GA|SC|CC)-\d\d$/);
    expect([r.title, r.why, r.fix].every((t) => t.length > 10)).toBe(true);
    expect(r.upstream.length).toBeGreaterThan(3);
  }
});

test('the README rule table lists every rule (run `npm run docs` after changing a rule)', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  expect(readme).toBe(withRulesTable(readme, RULES));
  for (const r of RULES) expect(readme).toContain(`[${r.code}](docs/rules.md#${r.code.toLowerCase()})`);
});
