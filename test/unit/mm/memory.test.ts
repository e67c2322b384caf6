// Memory: the interpreter's loads and stores, faults, bulk operations and the KASAN hook.

import { strict as assert } from 'node:assert';
import type { I64 } from '../../../src/core/vm/value';
import { hex64 } from '../../../src/core/vm/value';
import { Memory, PageFault, PAGE_OFFSET, KASAN_SLAB_FREE } from '../../../src/core/kernel/mm/index';

const MiB = 1 << 20;

function fault(fn: () => unknown): PageFault {
  try {
    fn();
  } catch (e) {
    if (e instanceof PageFault) return e;
    throw e;
  }
  assert.fail('expected a PageFault');
}

describe('mm/memory: loads and stores', () => {
  const mem = new Memory({ ramBytes: 4 * MiB });
  const base = PAGE_OFFSET + 0x1000;

  const stores: [string, (a: I64) => void, (a: I64) => I64, I64][] = [
    ['st8/ld8', (a) => mem.st8(a, 0xab), (a) => mem.ld8(a), 0xab],
    ['st8/ld8s', (a) => mem.st8(a, 0xab), (a) => mem.ld8s(a), -0x55],
    ['st16/ld16', (a) => mem.st16(a, 0xbeef), (a) => mem.ld16(a), 0xbeef],
    ['st16/ld16s', (a) => mem.st16(a, 0xbeef), (a) => mem.ld16s(a), -0x4111],
    ['st32/ld32', (a) => mem.st32(a, 0xdeadbeef), (a) => mem.ld32(a), 0xdeadbeef],
    ['st32/ld32s', (a) => mem.st32(a, 0xdeadbeef), (a) => mem.ld32s(a), -559038737],
    ['st64/ld64 small', (a) => mem.st64(a, 42), (a) => mem.ld64(a), 42],
    ['st64/ld64 negative', (a) => mem.st64(a, -2), (a) => mem.ld64(a), -2],
    ['st64/ld64 kernel pointer', (a) => mem.st64(a, PAGE_OFFSET + 0x1234), (a) => mem.ld64(a), PAGE_OFFSET + 0x1234],
    ['st64/ld64 bigint', (a) => mem.st64(a, hex64('dead000000000100')), (a) => mem.ld64(a), hex64('dead000000000100')],
    ['st64/ld64 max', (a) => mem.st64(a, 0x7fffffffffffffffn), (a) => mem.ld64(a), 0x7fffffffffffffffn],
  ];
  for (const [name, st, ld, want] of stores) {
    it(`${name} round trip (aligned and unaligned)`, () => {
      for (const off of [0, 3]) {
        st(base + off);
        assert.equal(ld(base + off), want);
      }
    });
  }

  it('is little-endian', () => {
    mem.st32(base, 0x11223344);
    assert.deepEqual([...mem.readBytes(base, 4)], [0x44, 0x33, 0x22, 0x11]);
  });

  it('a safe ld64 result is a number, a wide one a bigint', () => {
    mem.st64(base, 2 ** 53 + 2);
    assert.equal(typeof mem.ld64(base), 'bigint');
    mem.st64(base, 2 ** 40);
    assert.equal(typeof mem.ld64(base), 'number');
  });
});

describe('mm/memory: faults', () => {
  const mem = new Memory({ ramBytes: 4 * MiB });
  const cases: [string, I64, string][] = [
    ['NULL', 0, 'null'],
    ['NULL + 8', 8, 'null'],
    ['user address', 0x400000, 'not-present'],
    ['beyond RAM in the direct map', PAGE_OFFSET + 64 * MiB, 'not-present'],
    ['unmapped vmalloc address', hex64('ffffc90000001000'), 'not-present'],
    ['non-canonical number', 2 ** 50, 'non-canonical'],
    ['non-canonical bigint', hex64('dead000000000100'), 'non-canonical'],
  ];
  for (const [name, addr, kind] of cases) {
    it(`${name} faults as ${kind}, for loads and stores`, () => {
      const r = fault(() => mem.ld32(addr));
      assert.equal(r.kind, kind);
      assert.equal(r.write, false);
      assert.equal(r.address, addr);
      const w = fault(() => mem.st8(addr, 1));
      assert.equal(w.write, true);
    });
  }

  it('readCString returns null instead of faulting', () => {
    assert.equal(mem.readCString(0, 16), null);
  });
});

describe('mm/memory: bulk operations and page tables', () => {
  const mem = new Memory({ ramBytes: 4 * MiB });
  const a = PAGE_OFFSET + 0x2000;

  it('fill, writeBytes, readBytes', () => {
    mem.fill(a, 0x6b, 16);
    assert.deepEqual([...mem.readBytes(a, 16)], new Array(16).fill(0x6b));
    mem.writeBytes(a, new Uint8Array([104, 105, 0]));
    assert.equal(mem.readCString(a, 100), 'hi');
    assert.equal(mem.strlen(a), 2);
  });

  it('move is memmove (overlapping both ways)', () => {
    mem.writeBytes(a, new Uint8Array([1, 2, 3, 4, 5, 6]));
    mem.move(a + 1, a, 4);
    assert.deepEqual([...mem.readBytes(a, 6)], [1, 1, 2, 3, 4, 6]);
    mem.move(a, a + 1, 4);
    assert.deepEqual([...mem.readBytes(a, 6)], [1, 2, 3, 4, 4, 6]);
  });

  it('maps virtual pages to frames and splits accesses that cross into another frame', () => {
    const v = hex64('ffffc90000010000') as number;
    const vpn = Math.floor(v / 4096);
    mem.map(vpn, 7);
    mem.map(vpn + 1, 3);
    mem.st64(v + 4092, 0x0007060504030201);
    assert.equal(mem.ld64(v + 4092), 0x0007060504030201);
    assert.deepEqual([...mem.readBytes(PAGE_OFFSET + 7 * 4096 + 4092, 4)], [1, 2, 3, 4]);
    assert.deepEqual([...mem.readBytes(PAGE_OFFSET + 3 * 4096, 4)], [5, 6, 7, 0]);
    mem.st64(v + 4093, -3n * 2n ** 60n);
    assert.equal(mem.ld64(v + 4093), -3n * 2n ** 60n);
    mem.unmap(vpn + 1);
    assert.equal(fault(() => mem.ld8(v + 4096)).kind, 'not-present');
  });

  it('move and compare between the direct map and pages in other frames, run by run', () => {
    const v = hex64('ffffc90000020000') as number;
    const vpn = Math.floor(v / 4096);
    mem.map(vpn, 9);
    mem.map(vpn + 1, 5);
    const src = new Uint8Array(300).map((_, i) => (i * 7 + 1) & 0xff);
    mem.writeBytes(a, src);
    mem.move(v + 4000, a, 300);
    assert.deepEqual([...mem.readBytes(v + 4000, 300)], [...src]);
    assert.deepEqual([...mem.readBytes(PAGE_OFFSET + 5 * 4096, 4)], [...src.subarray(96, 100)]);
    assert.equal(mem.compare(a, v + 4000, 300), 0);
    mem.st8(v + 4100, 0);
    assert.equal(mem.compare(a, v + 4000, 300), src[100]);
    assert.equal(mem.compare(v + 4000, a, 300), -src[100]);
    // The destination faults before anything is written, as a copy through a buffer would.
    mem.unmap(vpn + 1);
    mem.fill(v + 4000, 0, 96);
    assert.equal(fault(() => mem.move(v + 4000, a, 300)).address, v + 4096);
    assert.deepEqual([...mem.readBytes(v + 4000, 96)], new Array(96).fill(0));
    mem.unmap(vpn);
  });
});

describe('mm/memory: KASAN shadow', () => {
  it('calls onBadAccess for a poisoned granule, then lets the access proceed', () => {
    const mem = new Memory({ ramBytes: 4 * MiB, kasan: true });
    const seen: [I64, number, boolean, number][] = [];
    mem.onBadAccess = (addr, size, write, shadow) => seen.push([addr, size, write, shadow]);
    const o = 0x3000;
    mem.bytes[o] = 0x6b;
    mem.poison(o, 64, KASAN_SLAB_FREE);
    assert.equal(mem.ld8(PAGE_OFFSET + o), 0x6b);
    mem.st32(PAGE_OFFSET + o + 8, 1);
    assert.deepEqual(seen, [[PAGE_OFFSET + o, 1, false, KASAN_SLAB_FREE], [PAGE_OFFSET + o + 8, 4, true, KASAN_SLAB_FREE]]);
  });

  it('a partial granule lets only its first bytes through', () => {
    const mem = new Memory({ ramBytes: 4 * MiB, kasan: true });
    let bad = 0;
    mem.onBadAccess = () => bad++;
    mem.poison(0x4000, 16, 0xfc);
    mem.unpoison(0x4000, 13);
    mem.ld32(PAGE_OFFSET + 0x4008);
    mem.ld8(PAGE_OFFSET + 0x400c);
    assert.equal(bad, 0);
    mem.ld8(PAGE_OFFSET + 0x400d);
    mem.ld64(PAGE_OFFSET + 0x4008);
    assert.equal(bad, 2);
  });

  it('with KASAN off the shadow is never written and nothing is reported', () => {
    const mem = new Memory({ ramBytes: 4 * MiB });
    let bad = 0;
    mem.onBadAccess = () => bad++;
    mem.poison(0x4000, 64, KASAN_SLAB_FREE);
    mem.ld64(PAGE_OFFSET + 0x4000);
    assert.equal(bad, 0);
  });
});
