// hoverText.ts: the slab cache a constant-size kmalloc lands in (Linux 6.1 kmalloc_index() with
// SLUB on x86_64) and the hover texts built from the API table and the GFP table.

import { strict as assert } from 'node:assert';
import { apiHover, gfpHover, kmallocPlacement, kmallocSizeText, vmallocSizeText } from '../../../src/ui/hoverText';
import type { WireApi } from '../../../src/protocol/kernel';

describe('ui/hoverText', () => {
  it('shows struct Person (56 bytes) in kmalloc-64 with 8 bytes unused', () => {
    assert.equal(kmallocSizeText(56), '56 bytes → kmalloc-64, 8 bytes unused');
  });

  const CACHES: [number, string][] = [
    [1, 'kmalloc-8'],
    [8, 'kmalloc-8'],
    [9, 'kmalloc-16'],
    [33, 'kmalloc-64'],
    [64, 'kmalloc-64'],
    [65, 'kmalloc-96'],
    [96, 'kmalloc-96'],
    [97, 'kmalloc-128'],
    [129, 'kmalloc-192'],
    [192, 'kmalloc-192'],
    [193, 'kmalloc-256'],
    [257, 'kmalloc-512'],
    [1000, 'kmalloc-1k'],
    [2048, 'kmalloc-2k'],
    [4096, 'kmalloc-4k'],
    [5000, 'kmalloc-8k'],
    [8192, 'kmalloc-8k'],
  ];
  for (const [size, cache] of CACHES) {
    it(`puts ${size} bytes in ${cache}`, () => {
      const p = kmallocPlacement(size);
      assert.equal(p.kind === 'cache' && p.cache, cache);
    });
  }

  it('sends more than 8 KiB to the page allocator, by order', () => {
    assert.equal(kmallocSizeText(8193), '8193 bytes → page allocator, order 2 (16384 bytes), 8191 bytes unused');
    assert.deepEqual(kmallocPlacement(4 << 20), { kind: 'pages', order: 10, bytes: 4 << 20 });
    assert.deepEqual(kmallocPlacement((4 << 20) + 1), { kind: 'too-large' });
  });

  it('explains kmalloc(0) and the singular', () => {
    assert.match(kmallocSizeText(0), /ZERO_SIZE_PTR/);
    assert.equal(kmallocSizeText(7), '7 bytes → kmalloc-8, 1 byte unused');
    assert.equal(kmallocSizeText(64), '64 bytes → kmalloc-64, 0 bytes unused');
  });

  it('rounds vmalloc up to whole pages plus a guard page', () => {
    assert.equal(vmallocSizeText(56), '56 bytes → vmalloc area, 1 page (4096 bytes) + a guard page, 4040 bytes unused');
    assert.equal(vmallocSizeText(8192), '8192 bytes → vmalloc area, 2 pages (8192 bytes) + a guard page, 0 bytes unused');
  });

  it('says whether a GFP flag may sleep', () => {
    assert.match(gfpHover('GFP_KERNEL')!, /\*\*May sleep:\*\* yes/);
    assert.match(gfpHover('GFP_ATOMIC')!, /\*\*May sleep:\*\* no\./);
    assert.match(gfpHover('GFP_ATOMIC')!, /memory-allocation\.html/);
    assert.equal(gfpHover('kmalloc'), undefined);
  });

  it('builds an API hover from the table entry, with the placement of a known size', () => {
    const kmalloc: WireApi = {
      name: 'kmalloc',
      header: 'linux/slab.h',
      proto: 'void *kmalloc(size_t size, gfp_t flags)',
      doc: 'Allocate physically contiguous memory.',
      sleeps: 'gfp',
      gfpArg: 1,
      nullable: true,
      allocates: 'kmalloc',
    };
    const md = apiHover(kmalloc, { size: 56, family: 'kmalloc' });
    assert.match(md, /```c\nvoid \*kmalloc\(size_t size, gfp_t flags\);\n```/);
    assert.match(md, /\*\*56 bytes → kmalloc-64, 8 bytes unused\*\*/);
    assert.match(md, /\*\*May sleep:\*\* when its GFP flags allow it/);
    assert.match(md, /\*\*Can return NULL:\*\*/);
    assert.match(md, /`#include <linux\/slab\.h>` · \[Documentation\]\(https:\/\/www\.kernel\.org\/doc\/html\/v6\.1\/core-api\/memory-allocation\.html\)/);
    const msleep: WireApi = { name: 'msleep', header: 'linux/delay.h', proto: 'void msleep(unsigned int msecs)', doc: 'Sleep.', sleeps: 'always' };
    assert.match(apiHover(msleep), /\*\*May sleep:\*\* yes/);
    assert.doesNotMatch(apiHover(msleep), /NULL/);
  });
});
