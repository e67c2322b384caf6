// Guards the guard: the ESLint rule that keeps src/core and src/protocol free of VS Code, Node
// built-ins and Node/browser globals (eslint.config.mjs) must keep firing. A config refactor that
// silently drops it would otherwise go unnoticed until the core stopped running in a browser worker.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ESLint } from 'eslint';

const ROOT = path.resolve(__dirname, '..', '..');

/** Rule ids of the purity rules (the typescript-eslint variant of no-restricted-imports included). */
const PURITY_RULES = /(^|\/)no-restricted-(imports|globals|syntax)$/;

/** The purity findings ESLint reports for `code` as if it lived at `relPath`. */
async function purityFindings(eslint: ESLint, code: string, relPath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, relPath) });
  return result.messages.filter((m) => m.ruleId && PURITY_RULES.test(m.ruleId)).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('purity lint rule for src/core and src/protocol', function () {
  // Loading typescript-eslint takes a moment on a cold cache.
  this.timeout(60000);
  const eslint = new ESLint({ cwd: ROOT });

  it("fires on `import * as fs from 'fs'` in a real file under src/core", async () => {
    // A real file (not lintText) so the config's `files` globs and ignores are exercised as in `npm run lint`.
    const probe = path.join(ROOT, 'src', 'core', `__purity_probe_${process.pid}.ts`);
    fs.writeFileSync(probe, "import * as fs from 'fs';\nexport const n = fs.constants.F_OK;\n");
    try {
      const [result] = await eslint.lintFiles([probe]);
      const hits = result.messages.filter((m) => m.ruleId?.endsWith('no-restricted-imports'));
      assert.equal(hits.length, 1, `expected one no-restricted-imports error, got ${JSON.stringify(result.messages)}`);
      assert.equal(hits[0].severity, 2);
      assert.equal(hits[0].line, 1);
    } finally {
      fs.rmSync(probe, { force: true });
    }
  });

  const FORBIDDEN: [string, string][] = [
    ["import * as vscode from 'vscode';", 'vscode'],
    ["import { join } from 'path';", 'path'],
    ["import { readFile } from 'node:fs/promises';", 'node:*'],
    ["import type { Worker } from 'worker_threads';", 'worker_threads (type import)'],
    ["import { randomBytes } from 'crypto';", 'crypto'],
    ["import { spawn } from 'child_process';", 'child_process'],
    ["import * as os from 'node:os';", 'node:os'],
    ["export { EventEmitter } from 'events';", 'events (re-export)'],
    ['export const env = process.env;', 'process'],
    ["export const x = require('fs');", 'require'],
    ['export const w = window.innerWidth;', 'window'],
    ['export const d = document.body;', 'document'],
    ["export const b = Buffer.from('x');", 'Buffer'],
    ['export const here = __dirname;', '__dirname'],
    ["export const m = import('fs');", 'dynamic import'],
  ];
  for (const dir of ['src/core/vm', 'src/protocol']) {
    for (const [code, what] of FORBIDDEN) {
      it(`forbids ${what} in ${dir}`, async () => {
        const found = await purityFindings(eslint, code + '\n', `${dir}/probe.ts`);
        assert.equal(found.length, 1, `${code} → ${JSON.stringify(found)}`);
      });
    }
  }

  it('allows plain TypeScript and relative imports in the core', async () => {
    const code = "import type { I64 } from './value';\nexport const big = (v: I64): bigint => BigInt(v);\n";
    assert.deepEqual(await purityFindings(eslint, code, 'src/core/vm/probe.ts'), []);
  });

  it('does not apply outside the core (src/ui, src/cli.ts, test)', async () => {
    const code = "import * as fs from 'fs';\nexport const n = fs.constants.F_OK + process.pid;\n";
    for (const p of ['src/ui/probe.ts', 'src/probe.ts', 'test/unit/probe.ts']) {
      assert.deepEqual(await purityFindings(eslint, code, p), [], p);
    }
  });
});
