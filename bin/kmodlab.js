#!/usr/bin/env node
// The `kmodlab` command: a thin launcher for the bundled CLI in dist/cli.js. `npm ci` builds
// dist/ through the `prepare` script; in a checkout without it, say how to build rather than
// printing a stack trace.
'use strict';
const path = require('node:path');

const cli = path.join(__dirname, '..', 'dist', 'cli.js');
try {
  require.resolve(cli);
} catch {
  process.stderr.write('kmodlab: dist/cli.js is missing; run `npm run build` (or `npm ci`) first\n');
  process.exit(2);
}
require(cli);
