// Constants of src/core/kernel/mm/layout.ts against the values Linux 6.1 defines (gfp_types.h,
// poison.h, kasan.h) and the oracle prints (shared/oracle/KERNEL-FACTS.md: GFP_KERNEL=0xcc0 ...).

import { strict as assert } from 'node:assert';
import * as L from '../../../src/core/kernel/mm/layout';

describe('mm/layout: GFP flags are 6.1 values', () => {
  const table: [string, number, number][] = [
    ['GFP_KERNEL', L.GFP_KERNEL, 0xcc0],
    ['GFP_ATOMIC', L.GFP_ATOMIC, 0xa20],
    ['GFP_NOWAIT', L.GFP_NOWAIT, 0x800],
    ['GFP_USER', L.GFP_USER, 0x100cc0],
    ['__GFP_ZERO', L.__GFP_ZERO, 0x100],
    ['__GFP_DMA', L.__GFP_DMA, 0x1],
    ['__GFP_DMA32', L.__GFP_DMA32, 0x4],
    ['__GFP_HIGHMEM', L.__GFP_HIGHMEM, 0x2],
    ['__GFP_DIRECT_RECLAIM', L.__GFP_DIRECT_RECLAIM, 0x400],
    ['__GFP_KSWAPD_RECLAIM', L.__GFP_KSWAPD_RECLAIM, 0x800],
    ['__GFP_IO', L.__GFP_IO, 0x40],
    ['__GFP_FS', L.__GFP_FS, 0x80],
    ['__GFP_NOWARN', L.__GFP_NOWARN, 0x2000],
    ['__GFP_NOFAIL', L.__GFP_NOFAIL, 0x8000],
    ['__GFP_HIGH', L.__GFP_HIGH, 0x20],
    ['__GFP_ACCOUNT', L.__GFP_ACCOUNT, 0x400000],
    ['GFP_NOIO', L.GFP_NOIO, 0xc00],
    ['GFP_NOFS', L.GFP_NOFS, 0xc40],
    ['GFP_DMA', L.GFP_DMA, 0x1],
    ['GFP_DMA32', L.GFP_DMA32, 0x4],
  ];
  for (const [name, got, want] of table) it(`${name} = 0x${want.toString(16)}`, () => assert.equal(got, want));

  const names: [number, string][] = [
    [L.GFP_KERNEL, '0xcc0(GFP_KERNEL)'],
    [L.GFP_ATOMIC, '0xa20(GFP_ATOMIC)'],
    [L.GFP_KERNEL | L.__GFP_ZERO, '0xdc0(GFP_KERNEL|__GFP_ZERO)'],
    [L.GFP_KERNEL | L.__GFP_COMP | L.__GFP_NOWARN, '0x42cc0(GFP_KERNEL|__GFP_NOWARN|__GFP_COMP)'],
  ];
  for (const [gfp, want] of names) it(`%pGg of 0x${gfp.toString(16)} is ${want}`, () => assert.equal(L.formatGfp(gfp), want));
});

describe('mm/layout: address map and poison values', () => {
  const hex: [string, L.Rng | number | bigint, string][] = [
    ['PAGE_OFFSET', L.PAGE_OFFSET, 'ffff888000000000'],
    ['VMALLOC_START', L.VMALLOC_START, 'ffffc90000000000'],
    ['VMALLOC_END', L.VMALLOC_END, 'ffffe8ffffffffff'],
    ['VMEMMAP_START', L.VMEMMAP_START, 'ffffea0000000000'],
    ['MODULES_VADDR', L.MODULES_VADDR, 'ffffffffc0000000'],
    ['MODULES_END', L.MODULES_END, 'ffffffffff000000'],
    ['LIST_POISON1', L.LIST_POISON1, 'dead000000000100'],
    ['LIST_POISON2', L.LIST_POISON2, 'dead000000000122'],
  ];
  for (const [name, v, want] of hex) it(`${name} = ${want}`, () => assert.equal(L.hex16(v as number | bigint), want));

  it('kernel addresses are safe negative numbers, the list poisons are bigints', () => {
    assert.equal(typeof L.PAGE_OFFSET, 'number');
    assert.ok(L.PAGE_OFFSET < 0);
    assert.equal(typeof L.LIST_POISON1, 'bigint');
  });

  it('sizes and poison bytes', () => {
    assert.deepEqual(
      [L.PAGE_SIZE, L.THREAD_SIZE, L.ZERO_SIZE_PTR, L.KMALLOC_MAX_CACHE_SIZE, L.KMALLOC_MAX_SIZE, L.MAX_ORDER],
      [4096, 16384, 16, 8192, 4 << 20, 11],
    );
    assert.deepEqual([L.POISON_FREE, L.POISON_END, L.POISON_INUSE, L.SLUB_RED_ACTIVE, L.SLUB_RED_INACTIVE], [0x6b, 0xa5, 0x5a, 0xcc, 0xbb]);
  });

  const bugTypes: [number, string][] = [
    [L.KASAN_SLAB_FREE, 'use-after-free'],
    [L.KASAN_SLAB_FREETRACK, 'use-after-free'],
    [L.KASAN_PAGE_FREE, 'use-after-free'],
    [L.KASAN_SLAB_REDZONE, 'slab-out-of-bounds'],
    [L.KASAN_PAGE_REDZONE, 'slab-out-of-bounds'],
    [L.KASAN_VMALLOC_INVALID, 'vmalloc-out-of-bounds'],
    [L.KASAN_GLOBAL_REDZONE, 'global-out-of-bounds'],
    [L.KASAN_STACK_LEFT, 'stack-out-of-bounds'],
    [3, 'out-of-bounds'],
  ];
  for (const [code, want] of bugTypes) it(`shadow 0x${code.toString(16)} is a ${want}`, () => assert.equal(L.kasanBugType(code), want));

  it('the seeded PRNG is deterministic and seed-dependent', () => {
    const a = new L.Rng(7);
    const b = new L.Rng(7);
    const c = new L.Rng(8);
    const sa = [a.next(), a.next(), a.next()];
    assert.deepEqual(sa, [b.next(), b.next(), b.next()]);
    assert.notDeepEqual(sa, [c.next(), c.next(), c.next()]);
  });
});
