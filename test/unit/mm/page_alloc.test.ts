// The buddy allocator: zones, split and merge, LIFO reuse, /proc/buddyinfo.

import { strict as assert } from 'node:assert';
import { FrameUse, PageAllocator } from '../../../src/core/kernel/mm/index';

function fresh(): PageAllocator {
  const p = new PageAllocator(8192); // 32 MiB
  p.release(256, 8192);
  return p;
}

describe('mm/page_alloc: buddy allocator', () => {
  it('splits a block and merges it back to the same free counts', () => {
    const p = fresh();
    const before = [p.freeBlocks(0), p.freeBlocks(1)];
    const free0 = p.freeFrames;
    const got = [0, 0, 1, 3, 0, 2].map((o) => [p.alloc(o, 0xcc0, FrameUse.pages, undefined), o]);
    assert.ok(got.every(([pfn]) => pfn >= 0));
    assert.equal(p.freeFrames, free0 - (1 + 1 + 2 + 8 + 1 + 4));
    for (const [pfn, o] of got.reverse()) assert.ok(p.free(pfn, o));
    assert.equal(p.freeFrames, free0);
    assert.deepEqual([p.freeBlocks(0), p.freeBlocks(1)], before);
  });

  it('refuses to free what it did not allocate, or with the wrong order', () => {
    const p = fresh();
    const pfn = p.alloc(1, 0xcc0, FrameUse.pages, undefined);
    assert.equal(p.free(pfn, 0), false);
    assert.equal(p.free(pfn + 1, 1), false);
    assert.equal(p.free(pfn, 1), true);
    assert.equal(p.free(pfn, 1), false);
  });

  it('keeps blocks aligned to their size', () => {
    const p = fresh();
    for (let o = 0; o < 11; o++) {
      const pfn = p.alloc(o, 0xcc0, FrameUse.pages, undefined);
      assert.equal(pfn % (1 << o), 0, `order ${o}`);
    }
  });

  it('reuses the block freed last (LIFO free lists) when its buddy is still in use', () => {
    const p = fresh();
    // before: a b c d allocated (a,b and c,d are buddies)
    const [a, , c] = [0, 1, 2, 3].map(() => p.alloc(0, 0xcc0, FrameUse.pages, undefined));
    p.free(a, 0);
    p.free(c, 0);
    // after: a and c free, neither can merge; c was freed last and comes back first
    assert.equal(p.alloc(0, 0xcc0, FrameUse.pages, undefined), c);
    assert.equal(p.alloc(0, 0xcc0, FrameUse.pages, undefined), a);
  });

  it('serves GFP_DMA from ZONE_DMA (below 16 MiB) and GFP_KERNEL from DMA32 first', () => {
    const p = fresh();
    const dma = p.alloc(0, 0x1, FrameUse.pages, undefined);
    const k = p.alloc(0, 0xcc0, FrameUse.pages, undefined);
    assert.ok(dma < 4096, `dma ${dma}`);
    assert.ok(k >= 4096, `kernel ${k}`);
  });

  it('records owner, head and use for every frame of a block', () => {
    const p = fresh();
    const owner = { tag: 'x' };
    const pfn = p.alloc(2, 0xcc0, FrameUse.vmalloc, owner);
    for (let i = 0; i < 4; i++) {
      assert.equal(p.head(pfn + i), pfn);
      assert.equal(p.owner(pfn + i), owner);
      assert.equal(p.use[pfn + i], FrameUse.vmalloc);
    }
    assert.equal(p.orderOf(pfn), 2);
  });

  it('prints /proc/buddyinfo lines for populated zones only', () => {
    const lines = fresh().buddyinfo();
    assert.equal(lines.length, 2);
    assert.match(lines[0], /^Node 0, zone {6}DMA( +\d+){11} $/);
    assert.match(lines[1], /^Node 0, zone {4}DMA32( +\d+){11} $/);
  });
});
