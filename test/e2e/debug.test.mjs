// UI test of the debugger in a real VS Code (code-server) with the packaged kmodlab.vsix installed:
// a student opens examples/test_mem.c, sets a breakpoint after the first strcpy, presses the
// `Debug Module` CodeLens, and reads `aNewPerson->name = "roman1"` in the Variables view and the
// kernel log in the debug console; then steps and sees the line move and the weight stored; opens
// the memory map while stopped and sees it follow the debugger (the list head and the first Person,
// the latter marked as touched by the current line), and go back to Load when the session ends.
// Screenshots go to test-results/. Waits are on UI state, never sleeps.
//
// Run: npm run test:e2e (setup, package, every e2e file), or after `npm run package`:
//      node --test test/e2e/debug.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { VSCode, PROJECT_ROOT, waitUntil } from './harness.mjs';

const VSIX = path.join(PROJECT_ROOT, 'kmodlab.vsix');
const EXAMPLE = path.join(PROJECT_ROOT, 'examples', 'test_mem.c');
/** `aNewPerson->weight = 130;`, the line after the first strcpy. */
const BREAK_LINE = 22;

let vsc;
let workspace;

before(async () => {
  await fs.access(VSIX).catch(() => {
    throw new Error(`${VSIX} not found: run "npm run package" first`);
  });
  workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'kmodlab-e2e-debug-'));
  await fs.copyFile(EXAMPLE, path.join(workspace, 'test_mem.c'));
  vsc = await VSCode.start({ name: 'kmodlab-debug', vsix: VSIX, folder: workspace });
});

after(async () => {
  await vsc?.shutdown();
  if (workspace) await fs.rm(workspace, { recursive: true, force: true });
});

/** The rows of the Variables view, as `name: value` text. */
async function variableRows(page) {
  return page.locator('.debug-pane .monaco-list-row').evaluateAll((rows) => rows.map((r) => (r.textContent ?? '').replace(/\u00a0/g, ' ')));
}

test('Debug Module stops at a breakpoint and shows aNewPerson->name in the Variables view', { timeout: 240000 }, async () => {
  const page = vsc.page;
  try {
    await vsc.openFile('test_mem.c');
    await vsc.waitForCodeLens('Debug Module', 60000);
    await page.locator('.editor-actions .action-label[aria-label*="Debug Module"]').first().waitFor({ state: 'visible' });

    await vsc.goToLine(BREAK_LINE, 1);
    await vsc.press('F9');
    await page.locator('.codicon-debug-breakpoint').first().waitFor();

    await vsc.clickCodeLensUntil('Debug Module', async () => (await page.locator('.debug-toolbar').count()) > 0);
    // Stopped: the editor highlights the breakpoint line as the current statement.
    await page.locator('.codicon-debug-stackframe').first().waitFor({ timeout: 60000 });
    await page.locator('.statusbar-item[id="status.editor.selection"]').filter({ hasText: `Ln ${BREAK_LINE},` }).waitFor();

    // Locals are expanded by default; the pointer's row previews the struct it points to.
    await waitUntil(async () => (await variableRows(page)).some((r) => /aNewPerson.*name="roman1"/.test(r)), { timeout: 30000, message: 'aNewPerson in Locals' });
    // Expanding the pointer shows its members: name = "roman1".
    await page.locator('.debug-pane .monaco-list-row', { hasText: 'aNewPerson' }).first().click();
    await vsc.press('ArrowRight');
    await waitUntil(async () => (await variableRows(page)).some((r) => /^\s*name\s*[:=]\s*"roman1"/.test(r)), { timeout: 30000, message: 'name: "roman1" row' });
    const rows = await variableRows(page);
    assert.ok(rows.some((r) => /^\s*weight\s*[:=]\s*\d+/.test(r)), rows.join('\n'));
    // The kernel log so far is in the debug console.
    await waitUntil(async () => /initialize kernel module: test_mem/.test((await page.locator('.repl').first().textContent()) ?? ''), { timeout: 30000, message: 'the kernel log in the debug console' });
    await vsc.screenshot('debug-01-stopped-at-breakpoint');

    // Step over: the weight is stored, and the current line moves on.
    await vsc.press('F10');
    await page.locator('.statusbar-item[id="status.editor.selection"]').filter({ hasText: `Ln ${BREAK_LINE + 1},` }).waitFor();
    await waitUntil(async () => (await variableRows(page)).some((r) => /^\s*weight\s*[:=]\s*130\b/.test(r)), { timeout: 30000, message: 'weight: 130 after the step' });
    await vsc.screenshot('debug-02-after-step');

    // The memory map follows the debugger: memory at this stop, the current line's object marked.
    await vsc.runCommand('Kernel Module Lab: Show Memory Map');
    const frame = vsc.webviewFrame();
    await frame.locator('#debug-stop', { hasText: `line ${BREAK_LINE + 1}` }).waitFor({ timeout: 60000 });
    const cards = () =>
      frame.locator('.card').evaluateAll((els) =>
        els.map((c) => [c.dataset.family, c.querySelector('.field[data-name="name"] .fvalue')?.textContent ?? '', c.classList.contains('touched'), c.getAttribute('aria-label') ?? '']),
      );
    await waitUntil(async () => (await cards()).length === 2, { timeout: 30000, message: 'two cards: the list head and the first Person' });
    const [head, node] = await cards();
    assert.deepEqual([head[0], head[2]], ['global', false]);
    assert.deepEqual(node.slice(0, 3), ['kmalloc', '"roman1"', true]);
    assert.match(node[3], /touched by the current line/);
    assert.equal(await frame.locator('#step-back').isDisabled(), true);
    await vsc.screenshot('debug-03-memory-map-follows');

    // Stop the session: the debug toolbar goes away, and the map goes back to Load (none ran).
    await vsc.press('Shift+F5');
    await page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 30000 });
    await frame.locator('#empty').waitFor({ timeout: 30000 });
    assert.equal(await frame.locator('#debug-stop').count(), 0);
  } catch (e) {
    await vsc.screenshot('debug-FAILED').catch(() => {});
    throw e;
  }
});
