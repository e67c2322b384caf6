// UI test in a real VS Code (code-server) with the packaged kmodlab.vsix installed: a student opens
// examples/test_mem.c, sees the three null-check problems, loads the module from the CodeLens and
// reads the kernel log, hovers kmalloc, applies the NULL-check quick fix, then breaks the module
// (kfree of the vmalloc'd node) and reads the static warning and the runtime Oops finding. It also
// opens the memory map and follows a call-trace link from the log to the source.
// Each step takes a screenshot into test-results/. Waits are on UI state, never fixed sleeps.
//
// Run: npm run test:e2e (setup, package, this file), or after `npm run package`:
//      node --test test/e2e/ui.test.mjs
/* global document */ // The page's DOM, inside waitForFunction callbacks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startOnExample } from './harness.mjs';

let vsc;
let close;

before(async () => {
  ({ vsc, close } = await startOnExample('kmodlab-ui'));
});

after(async () => {
  await close?.();
});

/** Problem rows about an unchecked allocation (rule null-check, KM3002). */
const nullChecks = (rows) => rows.filter((l) => /may be NULL \(it is not checked\)/.test(l));

/** Waits until the active editor's rendered text (non-breaking spaces as spaces) contains `text`, or no longer does. */
async function waitForEditorText(text, { present = true } = {}) {
  await vsc.page.waitForFunction(
    ([needle, want]) =>
      (document.querySelector('.editor-group-container.active .view-lines')?.textContent ?? '').replace(/\u00a0/g, ' ').includes(needle) === want,
    [text, present],
  );
}

test('Kernel Module Lab in the real workbench', { timeout: 240000 }, async (t) => {
  const page = vsc.page;
  let failures = 0;
  /** A subtest that leaves a screenshot of the workbench when it fails. */
  const step = (name, fn) =>
    t.test(name, async () => {
      try {
        await fn();
      } catch (e) {
        await vsc.screenshot(`FAILED-${++failures}`).catch(() => {});
        throw e;
      }
    });

  await step('opens test_mem.c: the extension activates and shows the Load/Unload CodeLenses', async () => {
    await vsc.openFile('test_mem.c');
    await vsc.waitForStatusBarItem('Module: not loaded', 60000);
    // Wait for the lenses before touching other UI (see the CodeLens pitfall in shared/e2e/README.md).
    await vsc.waitForCodeLens('▶ Load Module', 60000);
    // The exit function is below the viewport: its lens exists but Monaco has not laid it out.
    await vsc.codeLens('⏏ Unload Module').waitFor({ state: 'attached' });
    // The editor-title button for module files (context key kmodlab.isModule).
    await page.locator('.editor-actions .action-label[aria-label*="Load Module"]').first().waitFor({ state: 'visible' });
    await vsc.screenshot('01-test_mem-open');
  });

  await step('shows the three null-check problems in the Problems panel', async () => {
    const rows = await vsc.waitForProblemRows((r) => nullChecks(r).length === 3, { message: 'three null-check problems' });
    assert.deepEqual(
      nullChecks(rows).map((l) => / at line (\d+) and character/.exec(l)?.[1]),
      ['21', '28', '35'],
      rows.join('\n'),
    );
    assert.ok(nullChecks(rows).every((l) => /^Warning:/.test(l)));
    await vsc.screenshot('02-null-check-problems');
  });

  await step('Load Module from the CodeLens: the Kernel Log shows the three people', async () => {
    await vsc.openFile('test_mem.c');
    // The status bar leaves "not loaded" as soon as the Load starts.
    await vsc.clickCodeLensUntil('▶ Load Module', async () => !(await vsc.hasStatusBarItem('Module: not loaded')));
    await vsc.waitForStatusBarItem('test_mem: live');
    const log = await vsc.readOutputChannel('Kernel Log', { contains: 'Person: roman3; weight: 390; gender: Male' });
    assert.match(log, /\[\s+\d+\.\d{6}\] Person: roman1; weight: 130; gender: Male/);
    assert.match(log, /test_mem: loading out-of-tree module taints kernel\./);
    await vsc.waitForStatusBarItem('test_mem: live');
    await vsc.screenshot('03-kernel-log-after-load');
  });

  await step('Show Memory Map opens the panel with the objects of the loaded module', async () => {
    await vsc.runCommand('Kernel Module Lab: Show Memory Map');
    await vsc.activeTab('Kernel Module Lab: Memory Map').waitFor();
    // test/e2e/memmap.test.mjs checks what the panel shows; here it only has to open.
    await vsc.webviewFrame().locator('.card .type', { hasText: 'struct Person' }).first().waitFor();
    await vsc.screenshot('04-memory-map');
    await vsc.press('Mod+W'); // Close the panel: the next steps work in the editor.
    await vsc.activeTab('Kernel Module Lab: Memory Map').waitFor({ state: 'detached' });
  });

  await step('hovering kmalloc shows the slab cache of struct Person', async () => {
    await vsc.openFile('test_mem.c');
    await vsc.goToLine(20, 16); // aNewPerson = kmalloc(sizeof(*aNewPerson), GFP_KERNEL);
    const text = await vsc.hoverAtCursor('56 bytes → kmalloc-64, 8 bytes unused');
    assert.match(text, /May sleep/);
    await vsc.screenshot('05-kmalloc-hover');
    await vsc.escape();
  });

  await step('the NULL-check quick fix inserts the check and its problem goes away', async () => {
    await vsc.openFile('test_mem.c');
    await vsc.goToLine(21, 1); // strcpy(aNewPerson->name, "roman1");
    await vsc.applyQuickFix('Return -ENOMEM when aNewPerson is NULL');
    await waitForEditorText('if (!aNewPerson)');
    const text = await vsc.readEditorText();
    assert.match(text, /aNewPerson = kmalloc\(sizeof\(\*aNewPerson\), GFP_KERNEL\);\nif \(!aNewPerson\)\n\s+return -ENOMEM;\nstrcpy\(aNewPerson->name, "roman1"\);/);
    await vsc.waitForProblemRows((r) => nullChecks(r).length === 2, { message: 'two null-check problems left' });
    await vsc.screenshot('06-after-null-check-fix');
  });

  await step('breaking the module (kfree of the vmalloc node) gives a static warning and a runtime Oops finding', async () => {
    await vsc.openFile('test_mem.c');
    // The quick fix added two lines: the last `vfree(aPerson);` is now line 64.
    await vsc.goToLine(64, 1);
    await vsc.press('Shift+End');
    await page.keyboard.type('kfree(aPerson);');
    await waitForEditorText('vfree(', { present: false });
    await vsc.waitForProblemRows((r) => r.some((l) => /kfree\(\) frees memory from vmalloc\(\)/.test(l)), { message: 'the free-mismatch warning' });
    await vsc.screenshot('07-free-mismatch-warning');

    // A fresh kernel first: "not loaded" is a state the click can be seen to leave (a Load over the
    // live module passes through "loading…" too briefly to be caught reliably).
    await vsc.runCommand('Kernel Module Lab: Restart Kernel');
    await vsc.waitForStatusBarItem('Module: not loaded');
    await vsc.openFile('test_mem.c');
    await vsc.goToLine(15, 1); // Scroll the init function's lens into view.
    await vsc.clickCodeLensUntil('▶ Load Module', async () => !(await vsc.hasStatusBarItem('Module: not loaded')));
    await vsc.waitForStatusBarItem('test_mem: live');
    await vsc.openFile('test_mem.c');
    await vsc.goToLine(50, 1); // And the exit function's (line 50 after the fix's two lines).
    await vsc.clickCodeLensUntil('⏏ Unload Module', async () => !(await vsc.hasStatusBarItem('test_mem: live')));
    await vsc.waitForStatusBarItem('test_mem: failed');
    const headline = await vsc.readOutputChannel('Kernel Log', { filter: 'BUG:', contains: 'BUG: unable to handle page fault' });
    assert.match(headline, /BUG: unable to handle page fault for address: [0-9a-f]+/);
    const frame = await vsc.readOutputChannel('Kernel Log', { filter: 'cleanup_module (', contains: 'cleanup_module (test_mem.c:64) test_mem' });
    assert.match(frame, /cleanup_module \(test_mem\.c:64\) test_mem/);
    await vsc.screenshot('08-kernel-log-oops');
    // The call-trace position links back to the source (the DocumentLinkProvider on the output channel).
    const link = page.locator('.part.panel .output-view .monaco-editor .view-line span span:text-is("test_mem.c")').first();
    await link.click({ modifiers: ['Control'] });
    await page.locator('.statusbar-item[id="status.editor.selection"]').filter({ hasText: 'Ln 64, Col 1' }).waitFor();
    await vsc.readOutputChannel('Kernel Log', { filter: '' });
    const rows = await vsc.waitForProblemRows((r) => r.some((l) => /BUG: unable to handle page fault/.test(l)), { message: 'the runtime Oops finding' });
    const oops = rows.find((l) => /BUG: unable to handle page fault/.test(l));
    assert.match(oops, /^Error: .* at line 64 and character 1\./);
    await vsc.screenshot('09-runtime-oops-finding');
  });
});
