#!/usr/bin/env node
// `npm prepare`: builds lib/ when it is missing, so that installing from a git URL (which runs prepare with the
// dev dependencies) yields a working package. A checkout that is built already is left alone.
'use strict';
const fs = require('fs');
const path = require('path');
const { execSync } = require('child_process');

const root = path.resolve(__dirname, '..');
if (!fs.existsSync(path.join(root, 'lib', 'src', 'index.js'))) {
  execSync('npm run build', { cwd: root, stdio: 'inherit' });
}
