#!/usr/bin/env node
// Writes docs/rules.md from the compiled rules (run `npm run build` first; `npm run docs` does both).
'use strict';
const fs = require('fs');
const path = require('path');
const { RULES } = require('../lib/src/rules');
const { renderRulesMarkdown, withRulesTable } = require('../lib/src/engine/docs');

const out = path.join(__dirname, '..', 'docs', 'rules.md');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, renderRulesMarkdown(RULES));
const readme = path.join(__dirname, '..', 'README.md');
fs.writeFileSync(readme, withRulesTable(fs.readFileSync(readme, 'utf8'), RULES));
console.log(`wrote ${path.relative(process.cwd(), out)} and the README rule table (${RULES.length} rules)`);
