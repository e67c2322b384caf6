// The vmalloc and module areas and the task stacks: addresses, guard pages, scattering, vfree
// misuse (the oracle's bug_vfree_kmalloc) and /proc/vmallocinfo.

import { strict as assert } from 'node:assert';
import {
  GFP_KERNEL, MODULES_END, MODULES_VADDR, PAGE_SIZE, PageFault, THREAD_SIZE, VMALLOC_START, hex16,
} from '../../../src/core/kernel/mm/index';
import { boot, site } from './helpers';

function faults(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof PageFault) return e.kind;
    throw e;
  }
  return 'no fault';
}

describe('mm/vmalloc', () => {
  it('the first small vmalloc lands at VMALLOC_START + 0x4d000, as in the oracle runs', () => {
    const { mm } = boot();
    assert.equal(hex16(mm.vmalloc(100)), 'ffffc9000004d000');
  });

  it('vmalloc(3 pages) is virtually contiguous but physically scattered', () => {
    const { mm } = boot();
    const v = mm.vmalloc(3 * PAGE_SIZE) as number;
    const pfns = mm.lookup(v)?.pfns ?? [];
    assert.equal(pfns.length, 3);
    assert.ok(pfns[1] !== pfns[0] + 1 || pfns[2] !== pfns[1] + 1, `pfns ${pfns}`);
    mm.mem.st32(v + PAGE_SIZE - 2, 0xa1b2c3d4);
    assert.equal(mm.mem.ld32(v + PAGE_SIZE - 2), 0xa1b2c3d4);
    assert.equal(mm.vmallocToPage(v + PAGE_SIZE), mm.structPage(pfns[1]));
  });

  it('the page after an area is an unmapped guard page', () => {
    const { mm } = boot();
    const v = mm.vmalloc(100) as number;
    mm.mem.st8(v + PAGE_SIZE - 1, 1);
    assert.equal(faults(() => mm.mem.ld8(v + PAGE_SIZE)), 'not-present');
  });

  it('vzalloc and (init_on_alloc) vmalloc memory reads zero', () => {
    const { mm } = boot();
    const v = mm.vzalloc(64);
    assert.equal(mm.mem.ld64(v), 0);
  });

  it('vfree(NULL) is silent; a use after vfree faults; a second vfree is a nonexistent vm area', () => {
    const { mm, reports } = boot();
    assert.equal(mm.vfree(0), undefined);
    const v = mm.vmalloc(5000);
    assert.equal(mm.vfree(v), undefined);
    assert.deepEqual(reports, []);
    assert.equal(faults(() => mm.mem.ld8(v)), 'not-present');
    const r = mm.vfree(v);
    assert.equal(r?.warning?.line, 2758);
  });

  it('vfree of kmalloc pointers: the two __vunmap WARNs of the oracle', () => {
    const { mm, reports } = boot();
    mm.hooks.hashPointer = () => '000000009a0207be';
    // kmalloc(100) objects are 128-byte slots: take one that does not start a page, like the oracle's.
    let p = mm.kmalloc(100, GFP_KERNEL) as number;
    while ((p - VMALLOC_START) % PAGE_SIZE === 0) p = mm.kmalloc(100, GFP_KERNEL) as number;
    const q = mm.kmalloc(4096, GFP_KERNEL);
    const a = mm.vfree(p, site(0x50, 'bug_vfree_kmalloc'));
    const b = mm.vfree(q, site(0x67, 'bug_vfree_kmalloc'));
    assert.equal(reports.length, 2);
    assert.deepEqual([a?.warning?.message, a?.warning?.file, a?.warning?.line], ['Trying to vfree() bad address (000000009a0207be)', 'mm/vmalloc.c', 2752]);
    assert.deepEqual([a?.warning?.ip.fn, a?.warning?.ip.offset, a?.warning?.ip.size], ['__vunmap', 0x31a, 0x340]);
    assert.deepEqual([b?.warning?.message, b?.warning?.line, b?.warning?.ip.offset], ['Trying to vfree() nonexistent vm area (000000009a0207be)', 2758, 0x7e]);
    assert.equal(a?.warning?.frames[0].fn, 'init_module');
    assert.equal(mm.lookup(p)?.state, 'live');
  });

  it('KASAN: reading past a vmalloc(100) is a vmalloc-out-of-bounds', () => {
    const { mm, reports } = boot({ kasan: true });
    const v = mm.vmalloc(100) as number;
    mm.mem.ld8(v + 99);
    assert.equal(reports.length, 0);
    mm.mem.ld8(v + 100);
    assert.equal(reports.length, 1);
    assert.match(reports[0].headline, /^BUG: KASAN: vmalloc-out-of-bounds in /);
    assert.ok(reports[0].lines.includes('The buggy address belongs to the virtual mapping at'));
  });

  it('vmalloc(0) and absurd sizes return NULL with the kernel warnings', () => {
    const { mm, reports } = boot();
    assert.equal(mm.vmalloc(0), 0);
    assert.equal(mm.vmalloc(2 ** 40), 0);
    assert.equal(reports.length, 2);
    assert.match(reports[1].headline, /^insmod: vmalloc error: size 1099511627776, exceeds total pages, mode:0xcc0\(GFP_KERNEL\), nodemask=\(null\),cpuset=\/,mems_allowed=0$/);
  });

  it('/proc/vmallocinfo names the caller and the pages', () => {
    const { mm } = boot();
    const v = mm.vmalloc(100, GFP_KERNEL, site(0x2a, 'test_mem'));
    const line = mm.vmallocinfo().find((l) => l.startsWith(`0x${hex16(v)}`));
    assert.equal(line, `0x${hex16(v)}-0x${hex16((v as number) + 2 * PAGE_SIZE)}    8192 init_module+0x2a/0x5e [test_mem] pages=1 vmalloc N0=1`);
    mm.vfree(v);
    assert.ok(mm.vmallocinfo().some((l) => l.startsWith(`0x${hex16(v)}`) && l.endsWith('unpurged vm_area')));
  });

  it('is_vmalloc_addr', () => {
    const { mm } = boot();
    assert.equal(mm.isVmallocAddr(mm.vmalloc(10)), true);
    assert.equal(mm.isVmallocAddr(mm.kmalloc(10, GFP_KERNEL)), false);
  });
});

describe('mm/vmalloc: task stacks and the module area', () => {
  it('a task stack is THREAD_SIZE, THREAD_SIZE-aligned, in the vmalloc area, with nothing mapped below it', () => {
    const { mm } = boot();
    const s = mm.stackAlloc();
    assert.equal(s.top - s.bottom, THREAD_SIZE);
    assert.equal((s.bottom - VMALLOC_START) % THREAD_SIZE, 0);
    assert.ok(mm.isVmallocAddr(s.bottom));
    mm.mem.st64(s.top - 8, 7);
    assert.equal(mm.mem.ld64(s.top - 8), 7);
    assert.equal(faults(() => mm.mem.ld8(s.bottom - 1)), 'not-present');
    assert.equal(faults(() => mm.mem.ld8(s.top)), 'not-present');
    mm.stackFree(s);
    const again = mm.stackAlloc();
    assert.equal(again.bottom, s.bottom, 'a freed stack is cached and reused');
    assert.equal(mm.mem.ld64(again.top - 8), 0, 'and zeroed');
  });

  it('module memory is in [MODULES_VADDR, MODULES_END) and zeroed', () => {
    const { mm } = boot();
    const m = mm.moduleAlloc(10000, 'test_mem') as number;
    assert.ok(m >= MODULES_VADDR && m < MODULES_END);
    assert.match(hex16(m), /^ffffffffc0[0-9a-f]{6}$/);
    assert.equal(mm.mem.ld64(m + 8192), 0);
    mm.moduleFree(m);
    assert.equal(faults(() => mm.mem.ld8(m)), 'not-present');
  });
});
