// SLUB caches: size classes, object layout (checked against the oracle's slabinfo and object
// dumps), kmalloc/kfree semantics, poisoning, and the SLUB and KASAN reports on bad frees.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GFP_DMA, GFP_KERNEL, GFP_KERNEL_ACCOUNT, PAGE_OFFSET, ZERO_SIZE_PTR, __GFP_RECLAIMABLE, calculateLayout, hex16 } from '../../../src/core/kernel/mm/index';
import { boot, noAddr, site } from './helpers';

const ORACLE = path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'oracle', 'fidelity');

/** The oracle's dmesg lines without timestamps (empty if the oracle is not beside the repo). */
function oracle(name: string): string[] {
  const f = path.join(ORACLE, `${name}.dmesg`);
  if (!fs.existsSync(f)) return [];
  return fs.readFileSync(f, 'latin1').split('\n').map((l) => l.replace(/^\[ *\d+\.\d+\] ?/, ''));
}

describe('mm/slab: kmalloc size classes', () => {
  const { mm } = boot();
  const table: [number, number, string][] = [
    [1, GFP_KERNEL, 'kmalloc-8'],
    [8, GFP_KERNEL, 'kmalloc-8'],
    [9, GFP_KERNEL, 'kmalloc-16'],
    [24, GFP_KERNEL, 'kmalloc-32'],
    [56, GFP_KERNEL, 'kmalloc-64'],
    [64, GFP_KERNEL, 'kmalloc-64'],
    [65, GFP_KERNEL, 'kmalloc-96'],
    [96, GFP_KERNEL, 'kmalloc-96'],
    [97, GFP_KERNEL, 'kmalloc-128'],
    [100, GFP_KERNEL, 'kmalloc-128'],
    [129, GFP_KERNEL, 'kmalloc-192'],
    [192, GFP_KERNEL, 'kmalloc-192'],
    [193, GFP_KERNEL, 'kmalloc-256'],
    [257, GFP_KERNEL, 'kmalloc-512'],
    [1000, GFP_KERNEL, 'kmalloc-1k'],
    [2048, GFP_KERNEL, 'kmalloc-2k'],
    [4097, GFP_KERNEL, 'kmalloc-8k'],
    [8192, GFP_KERNEL, 'kmalloc-8k'],
    [100, GFP_KERNEL | GFP_DMA, 'dma-kmalloc-128'],
    [100, GFP_KERNEL_ACCOUNT, 'kmalloc-cg-128'],
    [100, GFP_KERNEL | __GFP_RECLAIMABLE, 'kmalloc-rcl-128'],
  ];
  for (const [size, gfp, name] of table) {
    it(`kmalloc(${size}, 0x${gfp.toString(16)}) comes from ${name}`, () => {
      assert.equal(mm.slab.kmallocCache(size, gfp)?.name, name);
      const p = mm.kmalloc(size, gfp);
      assert.equal(mm.lookup(p)?.cache, name);
    });
  }
});

describe('mm/slab: layouts match the oracle', () => {
  // <objsize> <objperslab> <pagesperslab> of the oracle's /proc/slabinfo (no slub_debug).
  const slabinfo: [number, number, number, number][] = [
    [8, 8, 512, 1], [16, 16, 256, 1], [32, 32, 128, 1], [64, 64, 64, 1], [96, 96, 42, 1], [128, 128, 32, 1], [192, 192, 21, 1],
    [256, 256, 16, 1], [512, 512, 8, 1], [1024, 1024, 8, 2], [2048, 2048, 8, 4], [4096, 4096, 8, 8], [8192, 8192, 4, 8],
    [2304, 2304, 14, 8], [8448, 8448, 3, 8], [1216, 1216, 13, 4],
  ];
  for (const [size, slot, per, pages] of slabinfo) {
    it(`${size}-byte objects: ${per} per slab of ${pages} page(s)`, () => {
      const align = (size & (size - 1)) === 0 ? size : 8;
      const L = calculateLayout(size, align, 0, { kasan: false, kmalloc: true, ctor: false });
      assert.deepEqual([L.size, L.objects, 1 << L.order], [slot, per, pages]);
    });
  }

  // slub_debug=FZPU: the oracle's `objects=25` for kmalloc-32 and `objects=16` for kmalloc-64,
  // objects at @offset=512 / 2624 (slot 3 / 10), padding at object+0x74 / +0x94.
  const debug: [number, number, number, number, number][] = [
    [32, 160, 25, 32, 116],
    [64, 256, 16, 64, 148],
  ];
  for (const [size, slot, per, redLeft, pad] of debug) {
    it(`slub_debug kmalloc-${size}: ${slot}-byte slots, ${per} per slab, ${redLeft}-byte left red zone, padding at +${pad}`, () => {
      const L = calculateLayout(size, size, 0x100 | 0x400 | 0x800 | 0x10000, { kasan: false, kmalloc: true, ctor: false });
      assert.deepEqual([L.size, L.objects, L.redLeft, L.padStart, L.inuse], [slot, per, redLeft, pad, size + 8]);
    });
  }

  it('KASAN adds a red zone after each kmalloc-64 object (128-byte slots)', () => {
    const L = calculateLayout(64, 64, 0, { kasan: true, kmalloc: true, ctor: false });
    assert.deepEqual([L.size, L.objects], [128, 32]);
  });
});

describe('mm/slab: kmalloc and kfree', () => {
  it('objects are in the direct map, inside one physically contiguous slab', () => {
    const { mm } = boot();
    const ps = Array.from({ length: 20 }, () => mm.kmalloc(64, GFP_KERNEL) as number);
    for (const p of ps) {
      assert.equal(typeof p, 'number');
      const o = p - PAGE_OFFSET;
      assert.ok(o > 0 && o < mm.mem.size, hex16(p));
      const ref = mm.slab.objectAt(o);
      assert.ok(ref && ref.exact);
      assert.ok(p >= ref.slab.addr && p + 64 <= ref.slab.addr + (4096 << ref.slab.order));
    }
    assert.match(hex16(ps[0]), /^ffff8880[0-9a-f]{8}$/);
  });

  it('kmalloc(0) is ZERO_SIZE_PTR; kfree(NULL) and kfree(ZERO_SIZE_PTR) are silent', () => {
    const { mm, reports } = boot({ kasan: true, slubDebug: true });
    assert.equal(mm.kmalloc(0, GFP_KERNEL), ZERO_SIZE_PTR);
    assert.equal(mm.kzalloc(0, GFP_KERNEL), ZERO_SIZE_PTR);
    assert.equal(mm.ksize(ZERO_SIZE_PTR), 0);
    mm.kfree(0);
    mm.kfree(ZERO_SIZE_PTR);
    assert.deepEqual(reports, []);
  });

  const ksizes: [number, number][] = [[1, 8], [56, 64], [100, 128], [8192, 8192], [8193, 16384], [100000, 131072]];
  for (const [req, ks] of ksizes) {
    it(`ksize(kmalloc(${req})) = ${ks}`, () => {
      const { mm } = boot();
      assert.equal(mm.ksize(mm.kmalloc(req, GFP_KERNEL)), ks);
    });
  }

  it('kmalloc larger than 8 KiB comes whole from the page allocator and goes back on kfree', () => {
    const { mm } = boot();
    const free = mm.pages.freeFrames;
    const p = mm.kmalloc(8193, GFP_KERNEL);
    assert.equal(mm.pages.freeFrames, free - 4);
    assert.equal(((p as number) - PAGE_OFFSET) % 16384, 0);
    mm.kfree(p);
    assert.equal(mm.pages.freeFrames, free);
  });

  it('kmalloc memory reads zero (init_on_alloc) and kzalloc zeroes even when it is off', () => {
    const { mm } = boot();
    const p = mm.kmalloc(64, GFP_KERNEL);
    mm.mem.fill(p, 0x11, 64);
    mm.kfree(p);
    const q = mm.kmalloc(64, GFP_KERNEL);
    assert.equal(q, p);
    assert.equal(mm.mem.ld64(q), 0);
    const off = boot({ initOnAlloc: false }).mm;
    const r = off.kmalloc(64, GFP_KERNEL);
    off.mem.fill(r, 0x11, 64);
    off.kfree(r);
    assert.equal(off.mem.ld8(off.kmalloc(64, GFP_KERNEL)), 0x11);
    const z = off.kzalloc(64, GFP_KERNEL);
    assert.equal(off.mem.ld64(z), 0);
  });

  it('a freed object holds the hardened freelist pointer in its middle (no debugging)', () => {
    const { mm } = boot({ initOnAlloc: false });
    const p = mm.kmalloc(64, GFP_KERNEL);
    mm.mem.fill(p, 0x11, 64);
    mm.kfree(p);
    const bytes = [...mm.mem.readBytes(p, 64)];
    assert.deepEqual(bytes.slice(0, 32), new Array(32).fill(0x11));
    assert.notDeepEqual(bytes.slice(32, 40), new Array(8).fill(0x11));
    assert.deepEqual(bytes.slice(40), new Array(24).fill(0x11));
  });

  it('slub_debug poisons a freed object with 6b and a5 (the oracle bug_uaf)', () => {
    const { mm, reports } = boot({ slubDebug: true });
    const p = mm.kmalloc(64, GFP_KERNEL);
    mm.mem.fill(p, 0x11, 64);
    mm.kfree(p);
    const bytes = [...mm.mem.readBytes(p, 64)];
    assert.deepEqual(bytes.slice(0, 63), new Array(63).fill(0x6b));
    assert.equal(bytes[63], 0xa5);
    assert.equal(mm.mem.ld8(p), 0x6b);
    assert.deepEqual(reports, []);
  });

  it('same seed, same addresses; another seed, other addresses', () => {
    const run = (seed: number): string[] => {
      const { mm } = boot({ seed });
      return [mm.kmalloc(32, GFP_KERNEL), mm.kmalloc(100, GFP_KERNEL), mm.vmalloc(5000), mm.kmalloc(5000, GFP_KERNEL), mm.moduleAlloc(9000, 'm')].map(hex16);
    };
    assert.deepEqual(run(3), run(3));
    assert.notDeepEqual(run(3), run(4));
  });
});

describe('mm/slab: double free', () => {
  it('with KASAN: BUG: KASAN: double-free in __kmem_cache_free, with both tracks', () => {
    const { mm, reports } = boot({ kasan: true });
    const p = mm.kmalloc(32, GFP_KERNEL, site(0x1c));
    mm.kfree(p, site(0x36));
    const r = mm.kfree(p, site(0x4a));
    assert.ok(r);
    assert.equal(reports.length, 1);
    assert.equal(r.rule, 'double-free');
    assert.match(r.headline, /^BUG: KASAN: double-free in __kmem_cache_free\+0x[0-9a-f]+\/0x[0-9a-f]+$/);
    assert.equal(r.lines[0], '==================================================================');
    assert.equal(r.lines[2], `Free of addr ${hex16(p)} by task insmod/93`);
    assert.ok(r.lines.includes('Allocated by task 93:'));
    assert.ok(r.lines.includes('Freed by task 93:'));
    assert.ok(r.lines.includes(` which belongs to the cache kmalloc-32 of size 32`));
    assert.ok(r.lines.includes('The buggy address is located 0 bytes inside of'));
    assert.equal(r.taint, 'B');
  });

  it('with slub_debug only: BUG kmalloc-32 (...): Object already free, laid out like the oracle', () => {
    const { mm, reports } = boot({ slubDebug: true });
    const p = mm.kmalloc(32, GFP_KERNEL, site(0x1c, 'bug_double_free'));
    mm.kfree(p, site(0x36, 'bug_double_free'));
    const r = mm.kfree(p, site(0x4a, 'bug_double_free'));
    assert.ok(r && reports.length === 1);
    assert.equal(r.headline, 'BUG kmalloc-32 (Tainted: G           OE     ): Object already free');
    assert.deepEqual(r.after, [`FIX kmalloc-32: Object at 0x${hex16(p)} not freed`]);
    const lines = r.lines.map(noAddr);
    assert.deepEqual(lines.slice(0, 8), [
      '=============================================================================',
      'BUG kmalloc-32 (Tainted: G           OE     ): Object already free',
      '-----------------------------------------------------------------------------',
      '',
      'Allocated in init_module+0x1c/0x5e [bug_double_free] age=0 cpu=0 pid=93',
      ' kmalloc_trace+0x26/0x90',
      ' init_module+0x1c/0x5e [bug_double_free]',
      ' do_one_initcall+0x59/0x220',
    ]);
    // The Redzone/Object/Padding dump is the oracle's, byte for byte once addresses are masked.
    const want = oracle('bug_double_free').map(noAddr);
    if (want.length) {
      const from = want.findIndex((l) => l.startsWith('Redzone  '));
      const to = want.findIndex((l) => l.startsWith('Padding  '));
      const dump = want.slice(from, to + 1);
      const got = lines.slice(lines.findIndex((l) => l.startsWith('Redzone  ')));
      assert.deepEqual(got.slice(0, dump.length), dump);
      assert.ok(lines.some((l) => /^Slab 0xADDR objects=25 used=\d+ fp=0xADDR flags=0xfffffc0000200\(slab\|node=0\|zone=1\|lastcpupid=0x1fffff\)$/.test(l)));
      assert.ok(lines.includes('Object 0xADDR @offset=N fp=0xADDR'));
    }
  });

  it('on a stock kernel an immediate double free is the hardened freelist BUG at mm/slub.c:419', () => {
    const { mm } = boot();
    const p = mm.kmalloc(32, GFP_KERNEL);
    mm.kfree(p);
    const r = mm.kfree(p);
    assert.ok(r?.bug);
    assert.deepEqual([r.bug.file, r.bug.line], ['mm/slub.c', 419]);
  });

  it('on a stock kernel a later double free is silent (but reported as a finding)', () => {
    const { mm } = boot();
    const p = mm.kmalloc(32, GFP_KERNEL);
    const q = mm.kmalloc(32, GFP_KERNEL);
    mm.kfree(p);
    mm.kfree(q); // q is now the freelist head, so the hardened check cannot see p twice
    const r = mm.kfree(p);
    assert.ok(r);
    assert.equal(r.source, 'silent');
    assert.deepEqual(r.lines, []);
  });
});

describe('mm/slab: red zones and invalid frees', () => {
  it('slub_debug: writing p[64] of kmalloc(64) is `Right Redzone overwritten` at kfree (the oracle bug_redzone64)', () => {
    const { mm, reports } = boot({ slubDebug: true });
    const p = mm.kmalloc(64, GFP_KERNEL, site(0x1c, 'bug_redzone64')) as number;
    mm.mem.st8(p + 64, 0x41);
    const r = mm.kfree(p, site(0x45, 'bug_redzone64'));
    assert.ok(r && reports.length === 1);
    assert.equal(r.headline, 'BUG kmalloc-64 (Tainted: G           OE     ): Right Redzone overwritten');
    assert.equal(r.lines[4], `0x${hex16(p + 64)}-0x${hex16(p + 64)} @offset=${p + 64 - mm.slab.objectAt(p - PAGE_OFFSET)!.slab.addr}. First byte 0x41 instead of 0xcc`);
    assert.deepEqual(r.after, [`FIX kmalloc-64: Restoring Right Redzone 0x${hex16(p + 64)}-0x${hex16(p + 64)}=0xcc`, `FIX kmalloc-64: Object at 0x${hex16(p)} not freed`]);
    const want = oracle('bug_redzone64').map(noAddr);
    if (want.length) {
      const from = want.findIndex((l) => l.startsWith('Redzone  '));
      const to = want.length - 1 - [...want].reverse().findIndex((l) => l.startsWith('Padding  '));
      const lines = r.lines.map(noAddr);
      const got = lines.slice(lines.findIndex((l) => l.startsWith('Redzone  ')));
      assert.deepEqual(got.slice(0, to - from + 1), want.slice(from, to + 1));
    }
    assert.equal(mm.mem.ld8(p + 64), 0xcc, 'the red zone is restored');
    assert.equal(mm.lookup(p)?.state, 'live', 'the object is not freed');
  });

  it('slub_debug: writing p[56] of kmalloc(56) goes unnoticed (the oracle bug_redzone)', () => {
    const { mm, reports } = boot({ slubDebug: true });
    const p = mm.kmalloc(56, GFP_KERNEL) as number;
    mm.mem.st8(p + 56, 0x41);
    mm.kfree(p);
    assert.deepEqual(reports, []);
  });

  it('KASAN: the same p[56] write is a slab-out-of-bounds (kmalloc red zone)', () => {
    const { mm, reports } = boot({ kasan: true });
    const p = mm.kmalloc(56, GFP_KERNEL) as number;
    mm.mem.st8(p + 56, 0x41);
    assert.equal(reports.length, 1);
    assert.match(reports[0].headline, /^BUG: KASAN: slab-out-of-bounds in init_module\+0x40\/0x5e \[test_mem\]$/);
    assert.equal(reports[0].lines[2], `Write of size 1 at addr ${hex16(p + 56)} by task insmod/93`);
    assert.ok(reports[0].lines.includes('The buggy address is located 56 bytes inside of'));
  });

  it('kfree of a pointer into an object: KASAN invalid-free, SLUB `Invalid object pointer`', () => {
    const k = boot({ kasan: true });
    const p = k.mm.kmalloc(64, GFP_KERNEL) as number;
    assert.match(k.mm.kfree(p + 8)!.headline, /^BUG: KASAN: invalid-free in __kmem_cache_free\+/);
    const s = boot({ slubDebug: true });
    const q = s.mm.kmalloc(64, GFP_KERNEL) as number;
    assert.equal(s.mm.kfree(q + 8)!.headline, `BUG kmalloc-64 (Tainted: G           OE     ): Invalid object pointer 0x${hex16(q + 8)}`);
    assert.equal(s.mm.lookup(q)?.state, 'live');
  });

  it('kfree of a vmalloc pointer faults in kfree (the oracle bug_kfree_vmalloc)', () => {
    const { mm } = boot();
    const v = mm.vmalloc(100);
    assert.throws(() => mm.kfree(v), (e: unknown) => {
      const f = e as { kind: string; ip?: { fn: string }; address: number };
      return f.kind === 'not-present' && f.ip?.fn === 'kfree' && hex16(f.address).startsWith('ffffeb');
    });
  });
});

describe('mm/slab: use after free', () => {
  it('KASAN: a read after kfree fires the shadow hook: BUG: KASAN: use-after-free', () => {
    const { mm, reports } = boot({ kasan: true });
    const p = mm.kmalloc(64, GFP_KERNEL, site(0x1c)) as number;
    mm.kfree(p, site(0x30));
    assert.equal(mm.mem.ld8(p), 0);
    assert.equal(reports.length, 1);
    const r = reports[0];
    assert.equal(r.rule, 'kasan-use-after-free');
    assert.equal(r.headline, 'BUG: KASAN: use-after-free in init_module+0x40/0x5e [test_mem]');
    assert.equal(r.lines[2], `Read of size 1 at addr ${hex16(p)} by task insmod/93`);
    const i = r.lines.indexOf('Memory state around the buggy address:');
    assert.ok(i > 0);
    assert.match(r.lines[i + 3], /^>[0-9a-f]{16}: /);
    assert.ok(r.lines[i + 3].includes('fa fb fb fb fb fb fb fb'));
    const caret = r.lines[i + 4];
    assert.equal(caret.trimStart(), '^');
    assert.equal(r.lines[i + 3].slice(caret.length - 1, caret.length + 1), 'fa');
    assert.equal(r.lines.at(-1), '==================================================================');
  });

  it('KASAN: only the first report is printed unless kasan_multi_shot', () => {
    const one = boot({ kasan: true });
    const p = one.mm.kmalloc(64, GFP_KERNEL) as number;
    one.mm.kfree(p);
    one.mm.mem.ld8(p);
    one.mm.mem.ld8(p + 1);
    assert.equal(one.reports.length, 1);
    const multi = boot({ kasan: true, kasanMultiShot: true });
    const q = multi.mm.kmalloc(64, GFP_KERNEL) as number;
    multi.mm.kfree(q);
    multi.mm.mem.ld8(q);
    multi.mm.mem.ld8(q + 1);
    assert.equal(multi.reports.length, 2);
  });

  it('KASAN quarantine keeps a freed object out of circulation', () => {
    const { mm } = boot({ kasan: true });
    const p = mm.kmalloc(64, GFP_KERNEL);
    mm.kfree(p);
    for (let i = 0; i < 200; i++) assert.notEqual(mm.kmalloc(64, GFP_KERNEL), p);
  });
});

describe('mm/slab: kmem_cache', () => {
  it('create, alloc, free, destroy', () => {
    const { mm, reports } = boot();
    const c = mm.kmemCacheCreate('person_cache', 56, 0, 0);
    assert.notEqual(c, 0);
    const o = mm.kmemCacheAlloc(c, GFP_KERNEL);
    assert.equal(mm.lookup(o)?.cache, 'person_cache');
    assert.equal(mm.lookup(o)?.family, 'kmem_cache');
    assert.equal(mm.ksize(o), 56);
    assert.equal(mm.kmemCacheFree(c, o), undefined);
    assert.equal(mm.kmemCacheDestroy(c), undefined);
    assert.deepEqual(reports, []);
    assert.ok(!mm.slabinfo().some((l) => l.startsWith('person_cache')));
  });

  it('destroying a cache with live objects: Objects remaining ... and the kmem_cache_destroy WARN', () => {
    const { mm } = boot();
    const c = mm.kmemCacheCreate('leaky', 40, 0, 0);
    mm.kmemCacheAlloc(c, GFP_KERNEL, site(0x10));
    const r = mm.kmemCacheDestroy(c, site(0x50));
    assert.ok(r?.warning);
    assert.equal(r.lines[1], 'BUG leaky (Tainted: G           OE     ): Objects remaining in leaky on __kmem_cache_shutdown()');
    assert.equal(r.warning.message, 'kmem_cache_destroy leaky: Slab cache still has objects when called from init_module+0x50/0x5e [test_mem]');
    assert.ok(mm.slabinfo().some((l) => l.startsWith('leaky')));
  });

  it('kmem_cache_free to the wrong cache: the cache_from_obj WARN, then the object is freed anyway', () => {
    const { mm } = boot();
    const a = mm.kmemCacheCreate('a_cache', 64, 0, 0);
    const p = mm.kmalloc(64, GFP_KERNEL);
    const r = mm.kmemCacheFree(a, p);
    assert.equal(r?.warning?.message, 'kmem_cache_free: Wrong slab cache. a_cache but object is from kmalloc-64');
    assert.equal(mm.lookup(p)?.state, 'freed');
  });

  it('kfree of a kmem_cache object works (6.1 finds the cache from the page)', () => {
    const { mm, reports } = boot({ slubDebug: true, kasan: true });
    const c = mm.kmemCacheCreate('objs', 24, 0, 0);
    const o = mm.kmemCacheAlloc(c, GFP_KERNEL);
    mm.kfree(o);
    assert.deepEqual(reports, []);
    assert.equal(mm.lookup(o)?.state, 'freed');
  });

  it('a constructor runs for each object of a new slab', () => {
    const { mm } = boot();
    const seen: number[] = [];
    mm.ctorRunner = (_ctor, obj) => seen.push(obj as number);
    const c = mm.kmemCacheCreate('ctor_cache', 100, 0, 0, -123456);
    const o = mm.kmemCacheAlloc(c, GFP_KERNEL) as number;
    assert.ok(seen.length >= 8 && seen.includes(o));
  });
});

describe('mm/slab: fault injection', () => {
  it('failNth fails exactly that attempt and prints FAULT_INJECTION', () => {
    const { mm, reports } = boot({ failNth: 2 });
    assert.notEqual(mm.kmalloc(10, GFP_KERNEL), 0);
    assert.equal(mm.kmalloc(10, GFP_KERNEL), 0);
    assert.notEqual(mm.kmalloc(10, GFP_KERNEL), 0);
    assert.equal(reports.length, 1);
    assert.deepEqual(reports[0].lines.slice(0, 2), ['FAULT_INJECTION: forcing a failure.', 'name failslab, interval 1, probability 0, space 0, times 1']);
    assert.equal(reports[0].level, 5);
  });

  it('__GFP_NOWARN fails silently; __GFP_NOFAIL is never failed', () => {
    const { mm, reports } = boot({ failNth: 1 });
    assert.equal(mm.kmalloc(10, GFP_KERNEL | 0x2000), 0);
    assert.deepEqual(reports, []);
    const n = boot({ failNth: 1 });
    assert.notEqual(n.mm.kmalloc(10, GFP_KERNEL | 0x8000), 0);
  });

  it('failProbability is seeded', () => {
    const pattern = (seed: number): number[] => {
      const { mm } = boot({ failProbability: 0.3, seed });
      return Array.from({ length: 40 }, () => (mm.kmalloc(16, GFP_KERNEL | 0x2000) === 0 ? 1 : 0));
    };
    const a = pattern(1);
    assert.deepEqual(a, pattern(1));
    assert.ok(a.includes(1) && a.includes(0));
  });
});

describe('mm/slab: /proc/slabinfo', () => {
  it('has the 2.1 header and the kernel format', () => {
    const { mm } = boot();
    const lines = mm.slabinfo();
    assert.equal(lines[0], 'slabinfo - version: 2.1');
    const want = oracle('kernel_facts');
    const header = want.find((l) => l.startsWith('# name'));
    if (header) assert.equal(lines[1], header);
    const k64 = lines.find((l) => l.startsWith('kmalloc-64 '));
    assert.match(k64 ?? '', /^kmalloc-64 {7} {1,6}\d+ {1,6}\d+ {5}64 {3}64 {4}1 : tunables {4}0 {4}0 {4}0 : slabdata {1,6}\d+ {1,6}\d+ {6}0$/);
    assert.equal(lines.at(-1)?.split(/\s+/)[0], 'kmem_cache');
  });
});
