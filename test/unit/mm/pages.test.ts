// alloc_pages/__get_free_pages/free_pages, kfree of memory kmalloc did not return, krealloc.

import { strict as assert } from 'node:assert';
import { GFP_KERNEL, PAGE_OFFSET, PAGE_SIZE, VMEMMAP_START, ZERO_SIZE_PTR, hex16 } from '../../../src/core/kernel/mm/index';
import { boot } from './helpers';

describe('mm: page allocator API', () => {
  it('alloc_pages returns a struct page in the vmemmap; page_address maps it back', () => {
    const { mm } = boot();
    const page = mm.allocPages(GFP_KERNEL, 1) as number;
    assert.equal((page - VMEMMAP_START) % 64, 0);
    const addr = mm.pageAddress(page) as number;
    assert.equal((addr - PAGE_OFFSET) % (2 * PAGE_SIZE), 0);
    assert.equal(mm.virtToPage(addr + 100), page);
    assert.equal(mm.lookup(addr + PAGE_SIZE)?.family, 'pages');
    const free = mm.pages.freeFrames;
    assert.equal(mm.freePagesStruct(page, 1), undefined);
    assert.equal(mm.pages.freeFrames, free + 2);
  });

  it('free_pages with the wrong order is reported and frees nothing', () => {
    const { mm, reports } = boot();
    const a = mm.getFreePages(GFP_KERNEL, 2);
    const r = mm.freePages(a, 1);
    assert.equal(r?.rule, 'free-mismatch');
    assert.equal(reports.length, 1);
    assert.equal(mm.lookup(a)?.state, 'live');
  });

  it('an order above MAX_ORDER-1 fails with the __alloc_pages WARN (once)', () => {
    const { mm, reports } = boot();
    assert.equal(mm.allocPages(GFP_KERNEL, 11), 0);
    assert.equal(mm.kmalloc(5 << 20, GFP_KERNEL), 0);
    assert.equal(reports.length, 1);
    assert.equal(reports[0].warning?.ip.fn, '__alloc_pages');
  });
});

describe('mm: kfree of memory kmalloc did not return', () => {
  it('an order-0 page: the free_large_kmalloc WARN_ON_ONCE and `object pointer:`', () => {
    const { mm, reports } = boot();
    mm.hooks.hashPointer = () => '00000000deadbeef';
    const a = mm.getFreePages(GFP_KERNEL, 0);
    const r = mm.kfree(a);
    assert.equal(r?.warning?.ip.fn, 'free_large_kmalloc');
    assert.deepEqual(r?.after, ['object pointer: 0x00000000deadbeef']);
    mm.kfree(mm.getFreePages(GFP_KERNEL, 0));
    assert.equal(reports.filter((x) => x.warning).length, 1, 'WARN_ON_ONCE');
  });

  it('a pointer into a large kmalloc frees the whole block (KASAN calls it an invalid-free)', () => {
    const plain = boot().mm;
    const p = plain.kmalloc(20000, GFP_KERNEL) as number;
    assert.equal(plain.kfree(p + 64), undefined);
    assert.equal(plain.lookup(p)?.state, 'freed');
    const k = boot({ kasan: true });
    const q = k.mm.kmalloc(20000, GFP_KERNEL) as number;
    assert.match(k.mm.kfree(q + 64)?.headline ?? '', /^BUG: KASAN: invalid-free in /);
  });
});

describe('mm: krealloc', () => {
  it('keeps the object while it fits, moves it when it does not, frees on size 0', () => {
    const { mm } = boot();
    const p = mm.kmalloc(40, GFP_KERNEL) as number;
    mm.mem.writeBytes(p, new Uint8Array([1, 2, 3]));
    assert.equal(mm.krealloc(p, 60, GFP_KERNEL), p);
    const q = mm.krealloc(p, 200, GFP_KERNEL) as number;
    assert.notEqual(q, p);
    assert.deepEqual([...mm.mem.readBytes(q, 3)], [1, 2, 3]);
    assert.equal(mm.lookup(p)?.state, 'freed');
    assert.equal(mm.lookup(q)?.cache, 'kmalloc-256');
    assert.equal(mm.krealloc(q, 0, GFP_KERNEL), ZERO_SIZE_PTR);
    assert.equal(mm.lookup(q)?.state, 'freed');
    assert.match(hex16(mm.krealloc(0, 10, GFP_KERNEL)), /^ffff8880/);
  });
});
