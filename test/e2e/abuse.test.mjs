// The extension under abuse, in a real VS Code (code-server) with the packaged kmodlab.vsix: the
// student types into test_mem.c at keystroke speed for a while (new lines typed and erased, broken
// code on the way), deletes everything and pastes it back, several times. The diagnostics must end
// correct (the three null-check problems) and the extension host must still answer commands. With
// `kmodlab.debug.analysisLatency` on, each published analysis logs its latency (last edit → diagnostics);
// the test writes p50/p95 to test-results/analysis-latency.json (reported, never asserted). Then
// Load Module pressed ten times quickly must give one clean run: one init in the log, module live.
/* global document */ // The page's DOM, inside waitForFunction callbacks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ARTIFACTS_DIR, VSCode, PROJECT_ROOT } from './harness.mjs';

const VSIX = path.join(PROJECT_ROOT, 'kmodlab.vsix');
const EXAMPLE = path.join(PROJECT_ROOT, 'examples', 'test_mem.c');
/** Milliseconds between keystrokes: a fast typist. */
const KEY_DELAY_MS = 40;
/** A typist's pause after a word, long enough for the 300 ms analysis pause to pass (input timing, not a wait for state). */
const WORD_PAUSE_MS = 600;

let vsc;
let workspace;

before(async () => {
  workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'kmodlab-abuse-'));
  await fs.copyFile(EXAMPLE, path.join(workspace, 'test_mem.c'));
  vsc = await VSCode.start({ name: 'kmodlab-abuse', vsix: VSIX, folder: workspace, settings: { 'kmodlab.debug.analysisLatency': true } });
});

after(async () => {
  await vsc?.shutdown();
  if (workspace) await fs.rm(workspace, { recursive: true, force: true });
});

const nullChecks = (rows) => rows.filter((l) => /may be NULL \(it is not checked\)/.test(l));

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

test('the extension under abuse', { timeout: 600000 }, async () => {
  const page = vsc.page;
  const original = await fs.readFile(EXAMPLE, 'utf8');
  await vsc.openFile('test_mem.c');
  await vsc.waitForProblemRows((r) => nullChecks(r).length === 3, { message: 'three null-check problems at first' });
  await vsc.openFile('test_mem.c');

  for (let round = 0; round < 3; round++) {
    // Type a few lines inside init_module (after line 16), broken half-way as real typing is.
    await vsc.goToLine(17, 1);
    const typed = `int extra${round} = kmalloc(sizeof(int), GFP_KERNEL;\nif (!extra${round}) return -ENOMEM;\n`;
    for (const word of typed.split(/(?<= )/)) {
      await page.keyboard.type(word, { delay: KEY_DELAY_MS });
      await new Promise((resolve) => setTimeout(resolve, WORD_PAUSE_MS));
    }
    // Erase them again, one key at a time.
    for (let i = 0; i < typed.length; i++) await page.keyboard.press('Backspace', { delay: KEY_DELAY_MS / 2 });
    // Delete everything, then paste it back (one insertion, as a paste is).
    await vsc.press('Mod+A');
    await page.keyboard.press('Delete');
    await page.waitForFunction(() => (document.querySelector('.editor-group-container.active .view-lines')?.textContent ?? '').trim() === '');
    await page.keyboard.insertText(original);
  }

  const rows = await vsc.waitForProblemRows((r) => nullChecks(r).length === 3 && r.length === 3, { timeout: 60000, message: 'exactly the three null-check problems after the abuse' });
  assert.equal(nullChecks(rows).length, 3);
  await vsc.screenshot('abuse-01-after-typing');

  // The extension host still answers: a command of ours runs and its output appears.
  const debug = await vsc.readOutputChannel('Kernel Module Lab Debug', { contains: 'analysis latency:' });
  const latencies = [...debug.matchAll(/analysis latency: (\d+) ms/g)].map((m) => Number(m[1])).sort((a, b) => a - b);
  const figures = { edits: latencies.length, p50: percentile(latencies, 50), p95: percentile(latencies, 95), max: latencies[latencies.length - 1] };
  await fs.mkdir(ARTIFACTS_DIR, { recursive: true });
  await fs.writeFile(path.join(ARTIFACTS_DIR, 'analysis-latency.json'), `${JSON.stringify(figures, null, 2)}\n`);
  console.log(`analysis latency (last edit → diagnostics, 300 ms pause included): ${JSON.stringify(figures)}`);
  assert.ok(latencies.length > 0);

  // Load Module ten times quickly: one clean run.
  await vsc.openFile('test_mem.c');
  const load = page.locator('.editor-actions .action-label[aria-label*="Load Module"]').first();
  await load.waitFor({ state: 'visible' });
  for (let i = 0; i < 10; i++) await load.click({ delay: 10 });
  await vsc.waitForStatusBarItem('test_mem: live', 60000);
  const log = await vsc.readOutputChannel('Kernel Log', { contains: 'Person: roman3; weight: 390; gender: Male' });
  assert.equal(log.match(/initialize kernel module: test_mem/g)?.length, 1, log);
  assert.equal(log.match(/Person: roman3/g)?.length, 1, log);
  await vsc.screenshot('abuse-02-ten-loads');
});
