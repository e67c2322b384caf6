// The allocation funnel: events, lookups, kmemleak's list of live allocations, the /proc views and
// the memory map snapshot.

import { strict as assert } from 'node:assert';
import { GFP_KERNEL, hex16 } from '../../../src/core/kernel/mm/index';
import type { MMEvent } from '../../../src/core/kernel/mm/index';
import { boot, site } from './helpers';

describe('mm/accounting', () => {
  it('announces every allocation and free with increasing ids', () => {
    const { mm } = boot();
    const events: MMEvent[] = [];
    mm.acct.onEvent = (e) => events.push(e);
    const p = mm.kmalloc(40, GFP_KERNEL, site(0x10));
    const v = mm.vmalloc(100);
    const c = mm.kmemCacheCreate('things', 24, 0, 0);
    const o = mm.kmemCacheAlloc(c, GFP_KERNEL);
    mm.kfree(p);
    mm.vfree(v);
    mm.kmemCacheFree(c, o);
    assert.deepEqual(events.map((e) => [e.kind, e.family]), [
      ['alloc', 'kmalloc'], ['alloc', 'vmalloc'], ['alloc', 'kmem_cache'], ['free', 'kmalloc'], ['free', 'vmalloc'], ['free', 'kmem_cache'],
    ]);
    const ids = events.filter((e) => e.kind === 'alloc').map((e) => e.id);
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
    assert.equal(events[0].addr, p);
    assert.equal(events[3].id, events[0].id);
    assert.equal(events[0].kind === 'alloc' && events[0].cache, 'kmalloc-64');
  });

  it('looks up the allocation containing an address', () => {
    const { mm } = boot();
    const p = mm.kmalloc(40, GFP_KERNEL, site(0x10)) as number;
    const info = mm.lookup(p + 20);
    assert.deepEqual([info?.addr, info?.size, info?.usable, info?.cache, info?.state, info?.owner], [p, 40, 64, 'kmalloc-64', 'live', undefined]);
    mm.kfree(p);
    assert.equal(mm.lookup(p)?.state, 'freed');
    const v = mm.vmalloc(6000) as number;
    assert.equal(mm.lookup(v + 5000)?.addr, v);
    assert.equal(mm.lookup(v + 5000)?.pfns?.length, 2);
  });

  it('lists the live allocations of a module, oldest first (kmemleak at rmmod)', () => {
    const { mm } = boot();
    mm.owner = 'test_mem';
    const a = mm.kmalloc(30, GFP_KERNEL);
    const b = mm.kmalloc(5000, GFP_KERNEL);
    const v = mm.vmalloc(100);
    const big = mm.kmalloc(20000, GFP_KERNEL);
    mm.kfree(b);
    mm.owner = 'other';
    mm.kmalloc(30, GFP_KERNEL);
    mm.owner = undefined;
    const live = mm.liveAllocations('test_mem');
    assert.deepEqual(live.map((x) => [x.family, x.addr]), [['kmalloc', a], ['vmalloc', v], ['kmalloc', big]]);
    assert.equal(mm.liveAllocations().length, 4);
  });

  it('/proc/meminfo and /proc/buddyinfo', () => {
    const { mm } = boot();
    const m = mm.meminfo();
    assert.match(m[0], /^MemTotal: {7} {0,7}\d+ kB$/);
    assert.ok(m.some((l) => l.startsWith('VmallocUsed:')));
    const before = Number(/\d+/.exec(m.find((l) => l.startsWith('MemFree:')) ?? '')?.[0]);
    mm.vmalloc(40 * 4096);
    const after = Number(/\d+/.exec(mm.meminfo().find((l) => l.startsWith('MemFree:')) ?? '')?.[0]);
    assert.equal(before - after, 160);
    assert.ok(mm.buddyinfo().every((l) => l.startsWith('Node 0, zone ')));
  });

  it('the snapshot is plain JSON', () => {
    const { mm } = boot();
    mm.owner = 'test_mem';
    const p = mm.kmalloc(64, GFP_KERNEL, site(0x10));
    mm.vmalloc(100);
    const snap = mm.snapshot();
    const round = JSON.parse(JSON.stringify(snap));
    assert.deepEqual(round, snap);
    assert.ok(snap.caches.some((c) => c.name === 'kmalloc-64' && c.slabs.some((s) => s.states.includes('L'))));
    assert.ok(snap.vmalloc.length > 100);
    assert.deepEqual(snap.allocations.map((a) => a.addr).slice(0, 1), [hex16(p)]);
    assert.ok(snap.frames.some((f) => f.use === 'kernel') && snap.frames.some((f) => f.use === 'free'));
  });

  // Speed is measured in bench/, not asserted here: this checks that churn reuses slots.
  it('10^5 kmalloc/kfree pairs reuse the same slab objects', function () {
    this.timeout(60000);
    const { mm } = boot();
    mm.hooks = {};
    const seen = new Set<unknown>();
    for (let i = 0; i < 100000; i++) {
      const p = mm.kmalloc(64, GFP_KERNEL);
      seen.add(p);
      mm.kfree(p);
    }
    assert.ok(seen.size < 1000, `${seen.size} distinct addresses`);
  });
});
