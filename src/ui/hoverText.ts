// The text of the editor's hovers, as Markdown strings: kernel APIs from the API table (what it
// does, whether it may sleep, whether it can return NULL, its documentation), GFP flags, and the
// slab cache a constant-size kmalloc lands in (`56 bytes → kmalloc-64, 8 bytes unused`). Pure: no
// vscode, so the unit tests check the exact text.

import type { WireApi } from '../protocol/kernel';

const PAGE_SIZE = 4096;
/** SLUB's largest kmalloc cache on x86_64 (KMALLOC_SHIFT_HIGH = PAGE_SHIFT + 1). */
const KMALLOC_MAX_CACHE_SIZE = 2 * PAGE_SIZE;
/** Linux 6.1: MAX_ORDER is 11, so the page allocator's largest block is order 10 (4 MiB). */
const MAX_PAGE_ORDER = 10;

const MEMORY_ALLOCATION_DOC = 'https://www.kernel.org/doc/html/v6.1/core-api/memory-allocation.html';

/** Where a kmalloc of `size` bytes comes from, as the 6.1 kernel decides it. */
export type KmallocPlacement =
  | { readonly kind: 'zero' }
  | { readonly kind: 'cache'; readonly cache: string; readonly objectSize: number }
  | { readonly kind: 'pages'; readonly order: number; readonly bytes: number }
  | { readonly kind: 'too-large' };

/**
 * kmalloc_index() and kmalloc_large() of Linux 6.1 with SLUB on x86_64: the power-of-two caches
 * kmalloc-8 … kmalloc-8k plus kmalloc-96 and kmalloc-192; larger requests go to the page allocator.
 */
export function kmallocPlacement(size: number): KmallocPlacement {
  if (size <= 0) return { kind: 'zero' };
  if (size > KMALLOC_MAX_CACHE_SIZE) {
    let order = 0;
    while (PAGE_SIZE << order < size) order++;
    return order > MAX_PAGE_ORDER ? { kind: 'too-large' } : { kind: 'pages', order, bytes: PAGE_SIZE << order };
  }
  // The two non-power-of-two caches exist because 96- and 192-byte objects are common.
  let objectSize: number;
  if (size > 64 && size <= 96) objectSize = 96;
  else if (size > 128 && size <= 192) objectSize = 192;
  else {
    objectSize = 8;
    while (objectSize < size) objectSize *= 2;
  }
  return { kind: 'cache', cache: `kmalloc-${cacheSuffix(objectSize)}`, objectSize };
}

/** `64`, `1k`, `8k`: how the kernel names its kmalloc caches. */
function cacheSuffix(n: number): string {
  return n >= 1024 ? `${n / 1024}k` : String(n);
}

/** The one-line placement text: `56 bytes → kmalloc-64, 8 bytes unused`. */
export function kmallocSizeText(size: number): string {
  const p = kmallocPlacement(size);
  const bytes = `${size} ${size === 1 ? 'byte' : 'bytes'}`;
  switch (p.kind) {
    case 'zero':
      return `${bytes} → ZERO_SIZE_PTR (no memory; dereferencing it faults)`;
    case 'cache':
      return `${bytes} → ${p.cache}, ${unused(p.objectSize - size)}`;
    case 'pages':
      return `${bytes} → page allocator, order ${p.order} (${p.bytes} bytes), ${unused(p.bytes - size)}`;
    case 'too-large':
      return `${bytes} → fails: more than the page allocator's largest block (order ${MAX_PAGE_ORDER}, ${(PAGE_SIZE << MAX_PAGE_ORDER) >> 20} MiB)`;
  }
}

/** vmalloc() rounds up to whole pages and leaves an unmapped guard page after the area. */
export function vmallocSizeText(size: number): string {
  const bytes = `${size} ${size === 1 ? 'byte' : 'bytes'}`;
  if (size <= 0) return `${bytes} → NULL (vmalloc(0) fails and warns)`;
  const pages = Math.ceil(size / PAGE_SIZE);
  return `${bytes} → vmalloc area, ${pages} ${pages === 1 ? 'page' : 'pages'} (${pages * PAGE_SIZE} bytes) + a guard page, ${unused(pages * PAGE_SIZE - size)}`;
}

function unused(n: number): string {
  return `${n} ${n === 1 ? 'byte' : 'bytes'} unused`;
}

/** A GFP flag: what it means and whether an allocation with it may sleep. */
interface GfpInfo {
  readonly doc: string;
  readonly sleeps: boolean;
}

/** The GFP flags a teaching module meets (include/linux/gfp_types.h, 6.1). */
export const GFP_FLAGS: Readonly<Record<string, GfpInfo>> = {
  GFP_KERNEL: { doc: 'The normal flags for kernel allocations in process context: the allocator may sleep to reclaim memory or wait for I/O. Not allowed with a spinlock held, with interrupts off or in interrupt context.', sleeps: true },
  GFP_ATOMIC: { doc: 'For allocations that must not sleep: interrupt handlers, timers, code holding a spinlock. May dip into the emergency reserves, and fails more often than GFP_KERNEL.', sleeps: false },
  GFP_NOWAIT: { doc: 'Do not sleep and do not use the emergency reserves: fails quickly when memory is short.', sleeps: false },
  GFP_NOIO: { doc: 'May sleep to reclaim memory but starts no block I/O (for code on the block I/O path).', sleeps: true },
  GFP_NOFS: { doc: 'May sleep to reclaim memory but does not call into file systems (for file-system code holding its locks).', sleeps: true },
  GFP_USER: { doc: 'For memory that user space can reach directly (page tables, buffers mapped to a process); may sleep.', sleeps: true },
  GFP_HIGHUSER: { doc: 'Like GFP_USER, and may come from high memory (pages without a permanent kernel mapping).', sleeps: true },
  GFP_HIGHUSER_MOVABLE: { doc: 'User pages that the kernel may migrate (page cache and anonymous memory); may sleep.', sleeps: true },
  GFP_KERNEL_ACCOUNT: { doc: 'GFP_KERNEL, and charge the memory to the current task\'s memory cgroup (for allocations user space can trigger).', sleeps: true },
  GFP_DMA: { doc: 'Only from ZONE_DMA (the first 16 MiB), for old devices with 24-bit DMA. Combine with GFP_KERNEL or GFP_ATOMIC.', sleeps: false },
  GFP_DMA32: { doc: 'Only from ZONE_DMA32 (below 4 GiB), for devices with 32-bit DMA. Combine with GFP_KERNEL or GFP_ATOMIC.', sleeps: false },
  __GFP_ZERO: { doc: 'Return zeroed memory (kzalloc() is kmalloc() with __GFP_ZERO).', sleeps: false },
  __GFP_NOWARN: { doc: 'Do not print the page allocation failure warning when the allocation fails.', sleeps: false },
  __GFP_NOFAIL: { doc: 'Retry forever: the allocation never fails (use only where failure cannot be handled; it can deadlock).', sleeps: true },
  __GFP_NORETRY: { doc: 'Give up after one light attempt at reclaim instead of retrying.', sleeps: false },
  __GFP_RETRY_MAYFAIL: { doc: 'Try hard to reclaim memory, but fail rather than invoke the OOM killer.', sleeps: false },
  __GFP_HIGH: { doc: 'High priority: may use part of the emergency reserves (part of GFP_ATOMIC).', sleeps: false },
  __GFP_ACCOUNT: { doc: 'Charge the allocation to the current task\'s memory cgroup.', sleeps: false },
  __GFP_DIRECT_RECLAIM: { doc: 'The caller may enter direct reclaim, that is, sleep until memory is freed.', sleeps: true },
  __GFP_KSWAPD_RECLAIM: { doc: 'Wake kswapd to reclaim memory in the background when memory runs low.', sleeps: false },
};

/** Hover for a GFP flag, or undefined when `name` is not one. */
export function gfpHover(name: string): string | undefined {
  const g = GFP_FLAGS[name];
  if (!g) return undefined;
  const sleep = g.sleeps ? '**May sleep:** yes: only in process context without locks held.' : '**May sleep:** no.';
  return [`**${name}** (GFP flag)`, '', g.doc, '', sleep, '', `[Documentation: memory allocation](${MEMORY_ALLOCATION_DOC})`].join('\n');
}

/** The kernel's documentation page for an API without its own link, by the header declaring it. */
const DOC_BY_HEADER: Readonly<Record<string, string>> = {
  'linux/slab.h': MEMORY_ALLOCATION_DOC,
  'linux/vmalloc.h': MEMORY_ALLOCATION_DOC,
  'linux/gfp.h': MEMORY_ALLOCATION_DOC,
  'linux/mm.h': MEMORY_ALLOCATION_DOC,
  'linux/list.h': 'https://www.kernel.org/doc/html/v6.1/core-api/kernel-api.html#list-management-functions',
  'linux/printk.h': 'https://www.kernel.org/doc/html/v6.1/core-api/printk-basics.html',
  'linux/kernel.h': 'https://www.kernel.org/doc/html/v6.1/core-api/kernel-api.html',
  'linux/string.h': 'https://www.kernel.org/doc/html/v6.1/core-api/kernel-api.html#string-manipulation',
  'linux/spinlock.h': 'https://www.kernel.org/doc/html/v6.1/kernel-hacking/locking.html',
  'linux/mutex.h': 'https://www.kernel.org/doc/html/v6.1/locking/mutex-design.html',
  'linux/delay.h': 'https://www.kernel.org/doc/html/v6.1/timers/timers-howto.html',
  'linux/uaccess.h': 'https://www.kernel.org/doc/html/v6.1/core-api/kernel-api.html',
  'linux/module.h': 'https://www.kernel.org/doc/html/v6.1/driver-api/basics.html',
  'linux/moduleparam.h': 'https://www.kernel.org/doc/html/v6.1/driver-api/basics.html',
};

/** The documentation link shown for an API. */
export function apiDocUrl(api: WireApi): string {
  return api.docUrl ?? DOC_BY_HEADER[api.header] ?? 'https://www.kernel.org/doc/html/v6.1/core-api/kernel-api.html';
}

/** Hover for a kernel API from the API table; `alloc` adds where a constant-size allocation lands. */
export function apiHover(api: WireApi, alloc?: { readonly size: number; readonly family: 'kmalloc' | 'vmalloc' }): string {
  const lines = ['```c', `${api.proto};`, '```', '', api.doc, ''];
  if (alloc) lines.push(`**${alloc.family === 'vmalloc' ? vmallocSizeText(alloc.size) : kmallocSizeText(alloc.size)}**`, '');
  const sleeps =
    api.sleeps === 'always'
      ? 'yes: never call it with a spinlock held, with interrupts off or in interrupt context.'
      : api.sleeps === 'gfp'
        ? 'when its GFP flags allow it (GFP_KERNEL: yes; GFP_ATOMIC: no).'
        : 'no.';
  lines.push(`**May sleep:** ${sleeps}`);
  if (api.nullable) lines.push('', '**Can return NULL:** check the result before using it.');
  lines.push('', `\`#include <${api.header}>\` · [Documentation](${apiDocUrl(api)})`);
  return lines.join('\n');
}
