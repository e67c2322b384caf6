// Memory allocation APIs: <linux/slab.h>, <linux/vmalloc.h>, <linux/gfp.h>, <linux/mm.h>.
// The analyzer reads `sleeps`, `nullable`, `allocates` and `frees` from here; the interpreter runs
// `impl` against the emulated mm (kernel/mm), which does the accounting, poisoning and reports.

import type { KernelExport } from './types';
import type { Kernel } from '../kernel';
import type { CallSite } from '../../vm/machine';
import type { I64 } from '../../vm/value';
import { MIGHT_SLEEP_SITES } from '../report';

const GFP_DIRECT_RECLAIM = 0x400;

/** might_alloc(): allocations whose gfp flags allow direct reclaim may sleep. */
function mightAlloc(k: Kernel, site: CallSite, gfp: I64, api: string): void {
  if ((Number(gfp) & GFP_DIRECT_RECLAIM) === 0) return;
  const s = MIGHT_SLEEP_SITES[api] ?? MIGHT_SLEEP_SITES.kmalloc;
  k.mightSleep(site, `${s.file}:${s.line}`, api);
}

const num = (v: I64): number => (typeof v === 'number' ? v : Number(BigInt.asUintN(64, v)));

/** size_t arguments: a negative I64 is a huge unsigned size. */
const size = (v: I64): number => {
  const n = num(v);
  return n < 0 ? Number.MAX_SAFE_INTEGER : n;
};

function kmallocLike(name: string, proto: string, doc: string, zero: boolean, sizeOf: (a: I64[]) => number, gfpArg: number): KernelExport {
  return {
    name, header: 'linux/slab.h', proto, doc, sleeps: 'gfp', gfpArg, nullable: true, allocates: 'kmalloc',
    docUrl: 'https://www.kernel.org/doc/html/v6.1/core-api/memory-allocation.html',
    impl: (k, a, site) => {
      const gfp = Number(a[gfpArg]) | (zero ? 0x100 : 0);
      mightAlloc(k, site, gfp, name);
      return k.k.mm.kmalloc(sizeOf(a), gfp, site);
    },
  };
}

export const MM_EXPORTS: KernelExport[] = [
  kmallocLike('kmalloc', 'void *kmalloc(size_t size, gfp_t flags)', 'Allocate physically contiguous memory from the slab caches (kmalloc-8 … kmalloc-8k, larger from the page allocator). May sleep with GFP_KERNEL; returns NULL on failure.', false, (a) => size(a[0]), 1),
  kmallocLike('kzalloc', 'void *kzalloc(size_t size, gfp_t flags)', 'kmalloc() and zero the memory.', true, (a) => size(a[0]), 1),
  kmallocLike('kmalloc_array', 'void *kmalloc_array(size_t n, size_t size, gfp_t flags)', 'Allocate an array of n elements, checking n * size for overflow.', false, (a) => mulSize(a[0], a[1]), 2),
  kmallocLike('kcalloc', 'void *kcalloc(size_t n, size_t size, gfp_t flags)', 'Allocate a zeroed array of n elements, checking n * size for overflow.', true, (a) => mulSize(a[0], a[1]), 2),
  kmallocLike('kmalloc_node', 'void *kmalloc_node(size_t size, gfp_t flags, int node)', 'kmalloc() on a NUMA node (one node here).', false, (a) => size(a[0]), 1),
  kmallocLike('kzalloc_node', 'void *kzalloc_node(size_t size, gfp_t flags, int node)', 'kzalloc() on a NUMA node (one node here).', true, (a) => size(a[0]), 1),
  {
    name: 'kfree', header: 'linux/slab.h', proto: 'void kfree(const void *objp)', doc: 'Free memory from kmalloc(); kfree(NULL) does nothing. Never for vmalloc() memory: use vfree() or kvfree().',
    frees: { arg: 0, family: 'kmalloc' },
    impl: (k, a, site) => {
      k.k.mm.kfree(a[0], site);
      return undefined;
    },
  },
  {
    name: 'kfree_sensitive', header: 'linux/slab.h', proto: 'void kfree_sensitive(const void *objp)', doc: 'Zero, then free, memory from kmalloc().',
    frees: { arg: 0, family: 'kmalloc' },
    impl: (k, a, site) => {
      const n = k.k.mm.ksize(a[0]);
      if (n > 0) k.mem.fill(a[0], 0, n);
      k.k.mm.kfree(a[0], site);
      return undefined;
    },
  },
  {
    name: 'ksize', header: 'linux/slab.h', proto: 'size_t ksize(const void *objp)', doc: 'The usable size of a kmalloc() object: the size of its cache (kmalloc(56) → 64).',
    impl: (k, a) => k.k.mm.ksize(a[0]),
  },
  {
    name: 'krealloc', header: 'linux/slab.h', proto: 'void *krealloc(const void *objp, size_t new_size, gfp_t flags)', doc: 'Resize a kmalloc() object; on failure returns NULL and leaves the old object alone (do not assign it straight back).',
    sleeps: 'gfp', gfpArg: 2, nullable: true, allocates: 'kmalloc', resizes: 0,
    impl: (k, a, site) => {
      mightAlloc(k, site, a[2], 'krealloc');
      return k.k.mm.krealloc(a[0], size(a[1]), Number(a[2]), site);
    },
  },
  {
    name: 'kstrdup', header: 'linux/string.h', proto: 'char *kstrdup(const char *s, gfp_t gfp)', doc: 'Copy a string into new kmalloc() memory.', sleeps: 'gfp', gfpArg: 1, nullable: true, allocates: 'kmalloc', derefs: [],
    impl: (k, a, site) => {
      if (a[0] === 0) return 0;
      mightAlloc(k, site, a[1], 'kstrdup');
      const s = k.cstring(a[0], 1 << 20) ?? '';
      const p = k.k.mm.kmalloc(s.length + 1, Number(a[1]), site);
      if (p !== 0) k.mem.move(p, a[0], s.length + 1);
      return p;
    },
  },
  {
    name: 'kstrndup', header: 'linux/string.h', proto: 'char *kstrndup(const char *s, size_t max, gfp_t gfp)', doc: 'Copy at most max bytes of a string into new kmalloc() memory.', sleeps: 'gfp', gfpArg: 2, nullable: true, allocates: 'kmalloc',
    impl: (k, a, site) => {
      if (a[0] === 0) return 0;
      mightAlloc(k, site, a[2], 'kstrdup');
      const s = (k.cstring(a[0], 1 << 20) ?? '').slice(0, size(a[1]));
      const p = k.k.mm.kmalloc(s.length + 1, Number(a[2]), site);
      if (p !== 0) {
        k.mem.move(p, a[0], s.length);
        k.mem.st8(typeof p === 'number' ? p + s.length : p, 0);
      }
      return p;
    },
  },
  {
    name: 'kmemdup', header: 'linux/string.h', proto: 'void *kmemdup(const void *src, size_t len, gfp_t gfp)', doc: 'Copy len bytes into new kmalloc() memory.', sleeps: 'gfp', gfpArg: 2, nullable: true, allocates: 'kmalloc', derefs: [0],
    impl: (k, a, site) => {
      mightAlloc(k, site, a[2], 'kstrdup');
      const p = k.k.mm.kmalloc(size(a[1]), Number(a[2]), site);
      if (p !== 0) k.mem.move(p, a[0], size(a[1]));
      return p;
    },
  },
  {
    name: 'kasprintf', header: 'linux/kernel.h', proto: 'char *kasprintf(gfp_t gfp, const char *fmt, ...)', doc: 'Format into new kmalloc() memory.', sleeps: 'gfp', gfpArg: 0, nullable: true, allocates: 'kmalloc', derefs: [1],
    impl: (k, a, site) => {
      mightAlloc(k, site, a[0], 'kasprintf');
      const s = k.k.format(k.cstring(a[1]) ?? '', a.slice(2));
      const p = k.k.mm.kmalloc(s.length + 1, Number(a[0]), site);
      if (p !== 0) {
        for (let i = 0; i < s.length; i++) k.mem.st8(typeof p === 'number' ? p + i : p, s.charCodeAt(i) & 0xff);
        k.mem.st8(typeof p === 'number' ? p + s.length : p, 0);
      }
      return p;
    },
  },
  {
    name: 'kmem_cache_create', header: 'linux/slab.h', proto: 'struct kmem_cache *kmem_cache_create(const char *name, unsigned int size, unsigned int align, slab_flags_t flags, void (*ctor)(void *))',
    doc: 'Create a slab cache of same-sized objects; returns NULL on failure.', sleeps: 'always', nullable: true, derefs: [0],
    impl: (k, a, site) => {
      k.mightSleep(site, 'mm/slab_common.c:325', 'kmem_cache_create');
      return k.k.mm.cacheCreate(k.cstring(a[0]) ?? '', num(a[1]), num(a[2]), num(a[3]), a[4], site);
    },
  },
  {
    name: 'kmem_cache_alloc', header: 'linux/slab.h', proto: 'void *kmem_cache_alloc(struct kmem_cache *cachep, gfp_t flags)', doc: 'Allocate an object from a slab cache; NULL on failure. Free it with kmem_cache_free().',
    sleeps: 'gfp', gfpArg: 1, nullable: true, allocates: 'kmem_cache', derefs: [0],
    impl: (k, a, site) => {
      mightAlloc(k, site, a[1], 'kmem_cache_alloc');
      return k.k.mm.cacheAlloc(a[0], Number(a[1]), site);
    },
  },
  {
    name: 'kmem_cache_zalloc', header: 'linux/slab.h', proto: 'void *kmem_cache_zalloc(struct kmem_cache *k, gfp_t flags)', doc: 'kmem_cache_alloc() and zero the object.',
    sleeps: 'gfp', gfpArg: 1, nullable: true, allocates: 'kmem_cache', derefs: [0],
    impl: (k, a, site) => {
      mightAlloc(k, site, a[1], 'kmem_cache_alloc');
      return k.k.mm.cacheAlloc(a[0], Number(a[1]) | 0x100, site);
    },
  },
  {
    name: 'kmem_cache_free', header: 'linux/slab.h', proto: 'void kmem_cache_free(struct kmem_cache *cachep, void *objp)', doc: 'Return an object to its slab cache.', frees: { arg: 1, family: 'kmem_cache' }, derefs: [0],
    impl: (k, a, site) => {
      k.k.mm.cacheFree(a[0], a[1], site);
      return undefined;
    },
  },
  {
    name: 'kmem_cache_destroy', header: 'linux/slab.h', proto: 'void kmem_cache_destroy(struct kmem_cache *s)', doc: 'Destroy a slab cache; all its objects must have been freed.', sleeps: 'always',
    impl: (k, a, site) => {
      k.k.mm.cacheDestroy(a[0], site);
      return undefined;
    },
  },
  {
    name: 'vmalloc', header: 'linux/vmalloc.h', proto: 'void *vmalloc(unsigned long size)', doc: 'Allocate virtually contiguous memory from scattered pages (page granular, with a guard page). May sleep; returns NULL on failure. Free with vfree().',
    sleeps: 'always', nullable: true, allocates: 'vmalloc', docUrl: 'https://www.kernel.org/doc/html/v6.1/core-api/memory-allocation.html',
    impl: (k, a, site) => {
      k.mightSleep(site, sleepSite('vmalloc'), 'vmalloc');
      return k.k.mm.vmalloc(size(a[0]), 0xcc0, site);
    },
  },
  {
    name: 'vzalloc', header: 'linux/vmalloc.h', proto: 'void *vzalloc(unsigned long size)', doc: 'vmalloc() and zero the memory.', sleeps: 'always', nullable: true, allocates: 'vmalloc',
    impl: (k, a, site) => {
      k.mightSleep(site, sleepSite('vzalloc'), 'vzalloc');
      return k.k.mm.vmalloc(size(a[0]), 0xcc0 | 0x100, site);
    },
  },
  {
    name: 'vfree', header: 'linux/vmalloc.h', proto: 'void vfree(const void *addr)', doc: 'Free memory from vmalloc(); vfree(NULL) does nothing. Never for kmalloc() memory.', frees: { arg: 0, family: 'vmalloc' },
    impl: (k, a, site) => {
      k.k.mm.vfree(a[0], site);
      return undefined;
    },
  },
  {
    name: 'kvmalloc', header: 'linux/slab.h', proto: 'void *kvmalloc(size_t size, gfp_t flags)', doc: 'Try kmalloc(), fall back to vmalloc() for large sizes. Free with kvfree().',
    sleeps: 'gfp', gfpArg: 1, nullable: true, allocates: 'kvmalloc',
    impl: (k, a, site) => {
      mightAlloc(k, site, a[1], 'kvmalloc');
      return k.k.mm.kvmalloc(size(a[0]), Number(a[1]), site);
    },
  },
  {
    name: 'kvzalloc', header: 'linux/slab.h', proto: 'void *kvzalloc(size_t size, gfp_t flags)', doc: 'kvmalloc() and zero the memory. Free with kvfree().',
    sleeps: 'gfp', gfpArg: 1, nullable: true, allocates: 'kvmalloc',
    impl: (k, a, site) => {
      mightAlloc(k, site, a[1], 'kvmalloc');
      return k.k.mm.kvmalloc(size(a[0]), Number(a[1]) | 0x100, site);
    },
  },
  {
    name: 'kvmalloc_array', header: 'linux/slab.h', proto: 'void *kvmalloc_array(size_t n, size_t size, gfp_t flags)', doc: 'kvmalloc() of an array, checking n * size for overflow.',
    sleeps: 'gfp', gfpArg: 2, nullable: true, allocates: 'kvmalloc',
    impl: (k, a, site) => {
      mightAlloc(k, site, a[2], 'kvmalloc');
      return k.k.mm.kvmalloc(mulSize(a[0], a[1]), Number(a[2]), site);
    },
  },
  {
    name: 'kvcalloc', header: 'linux/slab.h', proto: 'void *kvcalloc(size_t n, size_t size, gfp_t flags)', doc: 'Zeroed kvmalloc() of an array.',
    sleeps: 'gfp', gfpArg: 2, nullable: true, allocates: 'kvmalloc',
    impl: (k, a, site) => {
      mightAlloc(k, site, a[2], 'kvmalloc');
      return k.k.mm.kvmalloc(mulSize(a[0], a[1]), Number(a[2]) | 0x100, site);
    },
  },
  {
    name: 'kvfree', header: 'linux/slab.h', proto: 'void kvfree(const void *addr)', doc: 'Free memory from kvmalloc(), kmalloc() or vmalloc(): it checks which.', frees: { arg: 0, family: 'any' },
    impl: (k, a, site) => {
      if (k.k.mm.isVmalloc(a[0])) k.k.mm.vfree(a[0], site);
      else k.k.mm.kfree(a[0], site);
      return undefined;
    },
  },
  {
    name: 'is_vmalloc_addr', header: 'linux/mm.h', proto: 'bool is_vmalloc_addr(const void *x)', doc: 'Whether an address lies in the vmalloc area.',
    impl: (k, a) => (k.k.mm.isVmalloc(a[0]) ? 1 : 0),
  },
  {
    name: '__get_free_pages', header: 'linux/gfp.h', proto: 'unsigned long __get_free_pages(gfp_t gfp_mask, unsigned int order)', doc: 'Allocate 2^order physically contiguous pages; returns their address or 0.',
    sleeps: 'gfp', gfpArg: 0, nullable: true, allocates: 'pages',
    impl: (k, a, site) => {
      mightAlloc(k, site, a[0], '__get_free_pages');
      return k.k.mm.getFreePages(Number(a[0]), num(a[1]), site);
    },
  },
  {
    name: 'get_zeroed_page', header: 'linux/gfp.h', proto: 'unsigned long get_zeroed_page(gfp_t gfp_mask)', doc: 'Allocate one zeroed page; returns its address or 0.',
    sleeps: 'gfp', gfpArg: 0, nullable: true, allocates: 'pages',
    impl: (k, a, site) => {
      mightAlloc(k, site, a[0], '__get_free_pages');
      return k.k.mm.getFreePages(Number(a[0]) | 0x100, 0, site);
    },
  },
  {
    name: 'free_pages', header: 'linux/gfp.h', proto: 'void free_pages(unsigned long addr, unsigned int order)', doc: 'Free pages from __get_free_pages(); the order must match.', frees: { arg: 0, family: 'pages' },
    impl: (k, a, site) => {
      k.k.mm.freePages(a[0], num(a[1]), site);
      return undefined;
    },
  },
  {
    name: 'alloc_pages', header: 'linux/gfp.h', proto: 'struct page *alloc_pages(gfp_t gfp, unsigned int order)', doc: 'Allocate 2^order pages; returns their struct page or NULL.',
    sleeps: 'gfp', gfpArg: 0, nullable: true, allocates: 'page_struct',
    impl: (k, a, site) => {
      mightAlloc(k, site, a[0], 'alloc_pages');
      return k.k.mm.allocPages(Number(a[0]), num(a[1]), site);
    },
  },
  {
    name: '__free_pages', header: 'linux/gfp.h', proto: 'void __free_pages(struct page *page, unsigned int order)', doc: 'Free pages from alloc_pages().', frees: { arg: 0, family: 'page_struct' },
    impl: (k, a, site) => {
      k.k.mm.freePageStruct(a[0], num(a[1]), site);
      return undefined;
    },
  },
  {
    name: 'page_address', header: 'linux/mm.h', proto: 'void *page_address(const struct page *page)', doc: 'The direct-map address of a page.',
    impl: (k, a) => k.k.mm.pageAddress(a[0]),
  },
  {
    name: 'virt_to_page', header: 'linux/mm.h', proto: 'struct page *virt_to_page(const void *addr)', doc: 'The struct page of a direct-map address.',
    impl: (k, a) => k.k.mm.virtToPage(a[0]),
  },
  {
    name: 'vmalloc_to_page', header: 'linux/vmalloc.h', proto: 'struct page *vmalloc_to_page(const void *addr)', doc: 'The struct page behind a vmalloc address.',
    impl: (k, a) => k.k.mm.vmallocToPage(a[0]),
  },
  {
    name: 'get_order', header: 'linux/mm.h', proto: 'int get_order(unsigned long size)', doc: 'The smallest order whose 2^order pages hold size bytes.',
    impl: (_k, a) => {
      const n = Math.max(1, size(a[0]));
      let order = 0;
      while (4096 * 2 ** order < n) order++;
      return order;
    },
  },
];

function mulSize(n: I64, s: I64): number {
  const r = size(n) * size(s);
  return r > Number.MAX_SAFE_INTEGER ? Number.MAX_SAFE_INTEGER : r;
}

function sleepSite(api: string): string {
  const s = MIGHT_SLEEP_SITES[api] ?? MIGHT_SLEEP_SITES.vmalloc;
  return `${s.file}:${s.line}`;
}

/** What the exports need from the memory manager (implemented over kernel/mm in boot.ts). */
export interface KernelMM {
  kmalloc(size: number, gfp: number, site: CallSite): I64;
  kfree(ptr: I64, site: CallSite): void;
  ksize(ptr: I64): number;
  krealloc(ptr: I64, size: number, gfp: number, site: CallSite): I64;
  kvmalloc(size: number, gfp: number, site: CallSite): I64;
  cacheCreate(name: string, size: number, align: number, flags: number, ctor: I64, site: CallSite): I64;
  cacheAlloc(cache: I64, gfp: number, site: CallSite): I64;
  cacheFree(cache: I64, ptr: I64, site: CallSite): void;
  cacheDestroy(cache: I64, site: CallSite): void;
  vmalloc(size: number, gfp: number, site: CallSite): I64;
  vfree(ptr: I64, site: CallSite): void;
  isVmalloc(ptr: I64): boolean;
  getFreePages(gfp: number, order: number, site: CallSite): I64;
  freePages(addr: I64, order: number, site: CallSite): void;
  allocPages(gfp: number, order: number, site: CallSite): I64;
  freePageStruct(page: I64, order: number, site: CallSite): void;
  pageAddress(page: I64): I64;
  virtToPage(addr: I64): I64;
  vmallocToPage(addr: I64): I64;
}
