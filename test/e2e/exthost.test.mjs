// The extension-host suite of test/vscode (written for @vscode/test-electron), run inside the
// extension host of a fresh code-server instead, since this project's machines cannot download
// desktop VS Code. The extension loads from the project folder (dist/ must be built); mocha's
// report comes back through the page console and the exit code through codeAutomationExit.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runExtensionHostTests, PROJECT_ROOT, ARTIFACTS_DIR } from './harness.mjs';
import { buildSuite } from '../vscode/build.mjs';

test('the test/vscode suite passes in the extension host', { timeout: 300000 }, async () => {
  const extensionTestsPath = await buildSuite();
  const workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'kmodlab-exthost-'));
  await fs.copyFile(path.join(PROJECT_ROOT, 'examples', 'test_mem.c'), path.join(workspace, 'test_mem.c'));
  try {
    const r = await runExtensionHostTests({ extensionDevelopmentPath: PROJECT_ROOT, extensionTestsPath, folder: workspace });
    await fs.mkdir(ARTIFACTS_DIR, { recursive: true });
    await fs.writeFile(path.join(ARTIFACTS_DIR, 'exthost-output.log'), r.output);
    console.log(`extension host tests: exit code ${r.exitCode}, ${r.passing} passing, ${r.failing} failing`);
    assert.equal(r.failing, 0, r.output);
    assert.equal(r.passing, 6, r.output);
    assert.equal(r.exitCode, 0, r.output);
  } finally {
    await fs.rm(workspace, { recursive: true, force: true });
  }
});
