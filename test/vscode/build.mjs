// Bundles the extension-host test suite (suite/index.ts and the tests it registers) into
// out/test/vscode/index.js: the extension host loads plain CommonJS. `vscode` comes from the host
// and mocha from the project's node_modules, so both stay external.

import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Builds the suite and returns the path of the entry the extension host runs. */
export async function buildSuite() {
  const outfile = path.join(ROOT, 'out', 'test', 'vscode', 'index.js');
  await build({
    entryPoints: [path.join(ROOT, 'test', 'vscode', 'suite', 'index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'mocha'],
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  return outfile;
}
