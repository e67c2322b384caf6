// The memory map panel in a real VS Code (code-server) with the packaged kmodlab.vsix: load
// examples/test_mem.c, open the memory map and check what it draws: three Person cards with the
// right names, weights and caches, the list as a ring through its head, the vmalloc'd node's page
// in a frame far from its virtual neighbours', and the timeline: stepping back to before the third
// allocation shows two cards and highlights the source line. Screenshots go to test-results/.
//
// Run: npm run test:e2e, or after `npm run package`: node --test test/e2e/memmap.test.mjs
/* global getComputedStyle, document */ // The webview's DOM, inside evaluate callbacks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startOnExample, waitUntil } from './harness.mjs';

let vsc;
let close;

before(async () => {
  ({ vsc, close } = await startOnExample('kmodlab-memmap'));
});

after(async () => {
  await close?.();
});

/** What the Person cards show, in display order: [name, weight, gender, holder, family, pfns]. */
async function personCards(frame) {
  return frame.locator('.card').evaluateAll((cards) =>
    cards
      .filter((c) => c.dataset.type === 'struct Person')
      .map((c) => {
        const value = (name) => c.querySelector(`.field[data-name="${name}"] .fvalue`)?.textContent ?? '';
        return [value('name'), value('weight'), value('gender'), c.dataset.holder, c.dataset.family, c.dataset.pfns, c.dataset.id];
      }),
  );
}

test('the memory map of test_mem.c', { timeout: 240000 }, async (t) => {
  let failures = 0;
  const step = (name, fn) =>
    t.test(name, async () => {
      try {
        await fn();
      } catch (e) {
        await vsc.screenshot(`memmap-FAILED-${++failures}`).catch(() => {});
        throw e;
      }
    });
  let frame;

  await step('loads test_mem.c and opens the memory map beside it', async () => {
    await vsc.openFile('test_mem.c');
    await vsc.waitForCodeLens('▶ Load Module', 60000);
    await vsc.clickCodeLensUntil('▶ Load Module', async () => !(await vsc.hasStatusBarItem('Module: not loaded')));
    await vsc.waitForStatusBarItem('test_mem: live');
    await vsc.runCommand('Kernel Module Lab: Show Memory Map');
    frame = vsc.webviewFrame();
    await frame.locator('.card .type', { hasText: 'struct Person' }).first().waitFor();
  });

  await step('shows three Person cards with their names, weights and caches, and the head of the list', async () => {
    await waitUntil(async () => (await personCards(frame)).length === 4, { message: 'four struct Person cards (the head and three nodes)' });
    const cards = await personCards(frame);
    const head = cards.find((c) => c[4] === 'global');
    assert.ok(head, JSON.stringify(cards));
    assert.deepEqual(
      cards.filter((c) => c[4] !== 'global').map((c) => c.slice(0, 5)),
      [
        ['"roman1"', '130', '1', 'kmalloc-64', 'kmalloc'],
        ['"roman2"', '260', '1', 'kmalloc-64', 'kmalloc'],
        ['"roman3"', '390', '1', 'vmalloc 4 KiB + guard', 'vmalloc'],
      ],
    );
    // list.next of each card points at the next one, and the last back at the head: a ring.
    const nextTargets = await frame.locator('.card').evaluateAll((els) =>
      els.filter((c) => c.dataset.type === 'struct Person').map((c) => [c.dataset.id, c.querySelector('.field[data-name="list.next"] .ptr')?.dataset.target]),
    );
    const order = nextTargets.map(([id]) => id);
    assert.deepEqual(
      nextTargets.map(([, target]) => target),
      [...order.slice(1), order[0]],
    );
    assert.ok((await frame.locator('svg.arrows path.arrow').count()) >= 8, 'an arrow per list pointer');
    await vsc.screenshot('memmap-01-objects');
  });

  await step("puts the vmalloc'd node's page in a frame far from its virtual neighbours' frames", async () => {
    const cards = await personCards(frame);
    const [pfn] = cards.find((c) => c[4] === 'vmalloc')[5].split(' ').map(Number);
    // The kmalloc nodes share one slab page of kmalloc-64.
    assert.equal(new Set(cards.filter((c) => c[4] === 'kmalloc').map((c) => c[5])).size, 1);
    await frame.locator('#tab-physical').click();
    const rows = frame.locator('tr.vm-area');
    await rows.first().waitFor();
    const areas = await rows.evaluateAll((els) => els.map((r) => ({ mine: r.classList.contains('mine'), pfns: r.dataset.pfns.split(' ').filter(Boolean).map(Number) })));
    const mine = areas.findIndex((a) => a.mine);
    assert.ok(mine >= 0, JSON.stringify(areas));
    assert.deepEqual(areas[mine].pfns, [pfn]);
    const neighbours = [areas[mine - 1], areas[mine + 1]].filter(Boolean).flatMap((a) => a.pfns);
    assert.ok(neighbours.length > 0, 'the area has virtual neighbours');
    for (const n of neighbours) assert.ok(Math.abs(n - pfn) > 1, `frame ${pfn} next to a neighbour's frame ${n}`);
    await vsc.screenshot('memmap-02-physical');
    await frame.locator('#tab-slabs').click();
    await frame.locator('.slot.own').first().waitFor();
    assert.equal(await frame.locator('.slot.own').count(), 2);
    await vsc.screenshot('memmap-03-slabs');
    await frame.locator('#tab-virtual').click();
    await frame.locator('.region[data-region="vmalloc area"]').waitFor();
    await vsc.screenshot('memmap-04-virtual');
    await frame.locator('#tab-objects').click();
    await frame.locator('.card').first().waitFor();
  });

  await step('stepping the timeline back to before the third allocation shows two cards and its line', async () => {
    const label = frame.locator('#timeline-label .event-label');
    // Step back until the step shown is the vmalloc() of the third node.
    await waitUntil(
      async () => {
        const before = await label.textContent();
        if (/^vmalloc\(56\)/.test(before)) return true;
        await frame.locator('#step-back').click();
        await waitUntil(async () => (await label.textContent()) !== before, { message: 'the step to change' });
        return false;
      },
      { timeout: 60000, message: 'the vmalloc() step' },
    );
    assert.equal((await personCards(frame)).filter((c) => c[4] !== 'global').length, 3);
    // The editor beside the panel shows the line of the allocation (line 34 of test_mem.c) as its cursor line.
    await vsc.page.locator('.editor-group-container').first().locator('.line-numbers.active-line-number', { hasText: /^34$/ }).waitFor();
    await vsc.screenshot('memmap-05-at-third-allocation');
    const at = await label.textContent();
    await frame.locator('#step-back').click();
    await waitUntil(async () => (await label.textContent()) !== at, { message: 'one step back' });
    await waitUntil(async () => (await personCards(frame)).filter((c) => c[4] !== 'global').length === 2, { message: 'two Person cards' });
    const names = (await personCards(frame)).filter((c) => c[4] !== 'global').map((c) => c[0]);
    assert.deepEqual(names, ['"roman1"', '"roman2"']);
    await vsc.screenshot('memmap-06-before-third-allocation');
  });

  await step('keeps its step across hide and show', async () => {
    const label = await frame.locator('#timeline-label .event-label').textContent();
    // Hide the panel behind a new editor in its group (its webview is destroyed), then show it again.
    await vsc.page.locator('.tabs-container .tab', { hasText: 'Kernel Module Lab: Memory Map' }).click();
    await vsc.runCommand('File: New Untitled Text File');
    await vsc.page.locator('.tabs-container .tab', { hasText: 'Kernel Module Lab: Memory Map' }).waitFor();
    await vsc.activeTab('Kernel Module Lab: Memory Map').waitFor({ state: 'detached' });
    await vsc.page.locator('.tabs-container .tab', { hasText: 'Kernel Module Lab: Memory Map' }).click();
    frame = vsc.webviewFrame();
    await frame.locator('#timeline-label .event-label', { hasText: label }).waitFor();
    assert.equal((await personCards(frame)).filter((c) => c[4] !== 'global').length, 2);
    await vsc.screenshot('memmap-07-shown-again');
  });

  await step('follows the editor theme (its colors are the theme variables)', async () => {
    const card = frame.locator('.card').first();
    const colors = () => card.evaluate((el) => [getComputedStyle(el).backgroundColor, getComputedStyle(document.body).color]);
    const before = await colors();
    await vsc.runCommand('Preferences: Toggle between Light/Dark Themes');
    await waitUntil(async () => JSON.stringify(await colors()) !== JSON.stringify(before), { message: 'the card colors to change with the theme' });
    await vsc.screenshot('memmap-08-other-theme');
  });
});
