// `npm run test:vscode`: the extension-host suite (suite/) in a desktop VS Code that
// @vscode/test-electron downloads, for machines that can download it. This project's machines
// cannot, so `npm run test:e2e` runs the same suite inside code-server's extension host instead
// (test/e2e/exthost.test.mjs). The workspace is a temporary folder holding a copy of test_mem.c.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { ROOT, buildSuite } from './build.mjs';

const extensionTestsPath = await buildSuite();
const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'kmodlab-vscode-'));
fs.copyFileSync(path.join(ROOT, 'examples', 'test_mem.c'), path.join(workspace, 'test_mem.c'));
try {
  await runTests({
    extensionDevelopmentPath: ROOT,
    extensionTestsPath,
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
  });
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
} finally {
  fs.rmSync(workspace, { recursive: true, force: true });
}
