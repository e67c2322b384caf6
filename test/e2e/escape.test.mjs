// Module memory is data, never markup: a module that puts `<script>` and an `<img onerror>` in a
// Person's `char name[30]` gets them shown as text in the memory map, and nothing runs. Strings
// reach the webview only through textContent (media/dom.ts); this checks the result in a real
// VS Code (code-server) with the packaged kmodlab.vsix.
//
// Run: npm run test:e2e, or after `npm run package`: node --test test/e2e/escape.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { VSCode, PROJECT_ROOT, waitUntil } from './harness.mjs';

const SCRIPT = '<script>alert(1)</script>';
const IMG = '<img src=x onerror=alert(2)>';

let vsc;
let folder;

before(async () => {
  const example = await fs.readFile(path.join(PROJECT_ROOT, 'examples', 'test_mem.c'), 'latin1');
  const hostile = example.replace('"roman1"', JSON.stringify(SCRIPT)).replace('"roman2"', JSON.stringify(IMG));
  assert.notEqual(hostile, example);
  folder = await fs.mkdtemp(path.join(os.tmpdir(), 'kmodlab-escape-'));
  await fs.writeFile(path.join(folder, 'test_mem.c'), hostile, 'latin1');
  vsc = await VSCode.start({ name: 'kmodlab-escape', vsix: path.join(PROJECT_ROOT, 'kmodlab.vsix'), folder });
});

after(async () => {
  await vsc?.shutdown();
  if (folder) await fs.rm(folder, { recursive: true, force: true });
});

test('markup in module memory is shown as text in the memory map', { timeout: 180000 }, async () => {
  const dialogs = [];
  vsc.page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await vsc.openFile('test_mem.c');
  await vsc.waitForCodeLens('▶ Load Module', 60000);
  await vsc.clickCodeLensUntil('▶ Load Module', async () => !(await vsc.hasStatusBarItem('Module: not loaded')));
  await vsc.waitForStatusBarItem('test_mem: live');
  await vsc.runCommand('Kernel Module Lab: Show Memory Map');
  const frame = vsc.webviewFrame();
  const names = () => frame.locator('.card .field[data-name="name"] .fvalue').allTextContents();
  await waitUntil(async () => (await names()).length >= 2, { message: 'the Person cards' });
  const shown = await names();
  assert.ok(shown.includes(JSON.stringify(SCRIPT)), shown.join(' | '));
  assert.ok(shown.includes(JSON.stringify(IMG)), shown.join(' | '));
  // No <script> or <img> came from the data, and no alert ran.
  // The frame's scripts: VS Code's acquireVsCodeApi shim and the panel's own, by its nonce.
  const scripts = await frame.locator('script').evaluateAll((els) => els.map((e) => (e.id === '_vscodeApiScript' ? 'vscode' : e.nonce ? 'nonce' : e.outerHTML)));
  assert.deepEqual(scripts, ['vscode', 'nonce']);
  assert.equal(await frame.locator('img').count(), 0);
  assert.deepEqual(dialogs, []);
  await vsc.screenshot('escape-01-markup-as-text');
});
