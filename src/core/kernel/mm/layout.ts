// The fixed facts of the emulated machine's memory: the x86_64 4-level virtual map without KASLR,
// page and slab constants, poison bytes, KASAN shadow codes and GFP flag bits, all as Linux 6.1
// defines them. Addresses are I64 values (signed 64-bit, so kernel addresses are small negative
// numbers; the few outside the safe-integer range are bigints). Everything here is immutable; the
// seeded PRNG at the bottom is a class so that each kernel owns its own state.
//
// Sources: arch/x86/include/asm/page_64_types.h and pgtable_64_types.h (the map),
// include/linux/poison.h, mm/kasan/kasan.h (shadow codes, CONFIG_KASAN_GENERIC),
// include/linux/gfp_types.h of 6.1 (flag bits) and include/trace/events/mmflags.h (flag names).

import type { I64 } from '../../vm/value';
import { hex64 } from '../../vm/value';

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 4096;
/** MAX_ORDER of 6.1: the buddy allocator has orders 0..MAX_ORDER-1. */
export const MAX_ORDER = 11;
export const THREAD_SIZE = 16384;
/** sizeof(struct page): the vmemmap holds one per page frame. */
export const STRUCT_PAGE_SIZE = 64;

// ---- the virtual map (Documentation/x86/x86_64/mm.rst, 4-level paging, no KASLR) ---------------

/** Start of the direct map of all physical memory: ffff888000000000. */
export const PAGE_OFFSET = hex64('ffff888000000000') as number;
/** The direct map is 64 TiB long. */
export const DIRECT_MAP_END = hex64('ffffc88000000000') as number;
export const VMALLOC_START = hex64('ffffc90000000000') as number;
export const VMALLOC_END = hex64('ffffe8ffffffffff') as number;
export const VMEMMAP_START = hex64('ffffea0000000000') as number;
/** KASAN's shadow region (generic mode, 4-level); only used to describe addresses. */
export const KASAN_SHADOW_START = hex64('ffffec0000000000') as number;
export const KASAN_SHADOW_END = hex64('fffffc0000000000') as number;
export const KASAN_SHADOW_OFFSET: I64 = hex64('dffffc0000000000');
/** __START_KERNEL_map: the kernel image is mapped here (text at +16 MiB). */
export const START_KERNEL_MAP = hex64('ffffffff80000000') as number;
export const KERNEL_TEXT_START = hex64('ffffffff81000000') as number;
export const MODULES_VADDR = hex64('ffffffffc0000000') as number;
export const MODULES_END = hex64('ffffffffff000000') as number;
/** Lowest canonical kernel address (-2^47) and the end of canonical user space (2^47). */
export const CANONICAL_KERNEL_START = -(2 ** 47);
export const USER_END = 2 ** 47;

/** kmalloc(0) returns this: dereferencing it faults in the NULL page. */
export const ZERO_SIZE_PTR = 16;

// ---- include/linux/poison.h -------------------------------------------------------------------

/** x86_64 CONFIG_ILLEGAL_POINTER_VALUE; list poisons are offsets from it. */
export const POISON_POINTER_DELTA: I64 = hex64('dead000000000000');
export const LIST_POISON1: I64 = hex64('dead000000000100');
export const LIST_POISON2: I64 = hex64('dead000000000122');
/** Uninitialised slab padding and slab pages (slub_debug=P). */
export const POISON_INUSE = 0x5a;
/** A freed object's bytes (slub_debug=P)... */
export const POISON_FREE = 0x6b;
/** ...and its last byte. */
export const POISON_END = 0xa5;
/** Red zones around objects in use, and around free objects (slub_debug=Z). */
export const SLUB_RED_ACTIVE = 0xcc;
export const SLUB_RED_INACTIVE = 0xbb;

// ---- slab sizes ---------------------------------------------------------------------------------

export const KMALLOC_MIN_SIZE = 8;
export const KMALLOC_MAX_CACHE_SIZE = 8192;
/** Largest kmalloc: an order MAX_ORDER-1 page block (4 MiB). */
export const KMALLOC_MAX_SIZE = PAGE_SIZE << (MAX_ORDER - 1);
/** PAGE_ALLOC_COSTLY_ORDER, SLUB's slub_max_order. */
export const SLUB_MAX_ORDER = 3;
/** sizeof(struct track) with CONFIG_STACKDEPOT. */
export const SLUB_TRACK_SIZE = 32;

// ---- KASAN shadow byte values (mm/kasan/kasan.h, 6.1, generic mode) ----------------------------
// One shadow byte describes an 8-byte granule: 0 = all accessible, 1..7 = only the first N bytes
// are accessible, and the codes below (all >= 0x80) say why the granule is not accessible.

export const KASAN_GRANULE_SIZE = 8;
export const KASAN_PAGE_FREE = 0xff;
export const KASAN_PAGE_REDZONE = 0xfe;
export const KASAN_SLAB_REDZONE = 0xfc;
export const KASAN_SLAB_FREE = 0xfb;
/** First granule of a freed object whose free track was saved. */
export const KASAN_SLAB_FREETRACK = 0xfa;
export const KASAN_GLOBAL_REDZONE = 0xf9;
export const KASAN_VMALLOC_INVALID = 0xf8;
export const KASAN_STACK_LEFT = 0xf1;
export const KASAN_STACK_MID = 0xf2;
export const KASAN_STACK_RIGHT = 0xf3;
export const KASAN_STACK_PARTIAL = 0xf4;

/** get_shadow_bug_type() of mm/kasan/report_generic.c (6.1: `use-after-free`, not `slab-use-after-free`). */
export function kasanBugType(shadow: number): string {
  if (shadow < KASAN_GRANULE_SIZE) return 'out-of-bounds';
  switch (shadow) {
    case KASAN_PAGE_REDZONE:
    case KASAN_SLAB_REDZONE: return 'slab-out-of-bounds';
    case KASAN_GLOBAL_REDZONE: return 'global-out-of-bounds';
    case KASAN_STACK_LEFT:
    case KASAN_STACK_MID:
    case KASAN_STACK_RIGHT:
    case KASAN_STACK_PARTIAL: return 'stack-out-of-bounds';
    case KASAN_PAGE_FREE:
    case KASAN_SLAB_FREE:
    case KASAN_SLAB_FREETRACK: return 'use-after-free';
    case KASAN_VMALLOC_INVALID: return 'vmalloc-out-of-bounds';
    default: return 'unknown-crash';
  }
}

// ---- GFP flags (include/linux/gfp_types.h, 6.1) -------------------------------------------------

export const __GFP_DMA = 0x01;
export const __GFP_HIGHMEM = 0x02;
export const __GFP_DMA32 = 0x04;
export const __GFP_MOVABLE = 0x08;
export const __GFP_RECLAIMABLE = 0x10;
export const __GFP_HIGH = 0x20;
export const __GFP_IO = 0x40;
export const __GFP_FS = 0x80;
export const __GFP_ZERO = 0x100;
export const __GFP_ATOMIC = 0x200;
export const __GFP_DIRECT_RECLAIM = 0x400;
export const __GFP_KSWAPD_RECLAIM = 0x800;
export const __GFP_WRITE = 0x1000;
export const __GFP_NOWARN = 0x2000;
export const __GFP_RETRY_MAYFAIL = 0x4000;
export const __GFP_NOFAIL = 0x8000;
export const __GFP_NORETRY = 0x10000;
export const __GFP_MEMALLOC = 0x20000;
export const __GFP_COMP = 0x40000;
export const __GFP_NOMEMALLOC = 0x80000;
export const __GFP_HARDWALL = 0x100000;
export const __GFP_THISNODE = 0x200000;
export const __GFP_ACCOUNT = 0x400000;
export const __GFP_ZEROTAGS = 0x800000;
export const __GFP_RECLAIM = __GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM;

export const GFP_ATOMIC = __GFP_HIGH | __GFP_ATOMIC | __GFP_KSWAPD_RECLAIM; // 0xa20
export const GFP_KERNEL = __GFP_RECLAIM | __GFP_IO | __GFP_FS; // 0xcc0
export const GFP_KERNEL_ACCOUNT = GFP_KERNEL | __GFP_ACCOUNT;
export const GFP_NOWAIT = __GFP_KSWAPD_RECLAIM; // 0x800
export const GFP_NOIO = __GFP_RECLAIM;
export const GFP_NOFS = __GFP_RECLAIM | __GFP_IO;
export const GFP_USER = __GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HARDWALL; // 0x100cc0
export const GFP_DMA = __GFP_DMA;
export const GFP_DMA32 = __GFP_DMA32;
export const GFP_HIGHUSER = GFP_USER | __GFP_HIGHMEM;
export const GFP_HIGHUSER_MOVABLE = GFP_HIGHUSER | __GFP_MOVABLE;

/** __def_gfpflag_names of include/trace/events/mmflags.h, in its order (combinations first). */
const GFP_NAMES: readonly (readonly [number, string])[] = [
  [GFP_HIGHUSER_MOVABLE, 'GFP_HIGHUSER_MOVABLE'],
  [GFP_HIGHUSER, 'GFP_HIGHUSER'],
  [GFP_USER, 'GFP_USER'],
  [GFP_KERNEL_ACCOUNT, 'GFP_KERNEL_ACCOUNT'],
  [GFP_KERNEL, 'GFP_KERNEL'],
  [GFP_NOFS, 'GFP_NOFS'],
  [GFP_ATOMIC, 'GFP_ATOMIC'],
  [GFP_NOIO, 'GFP_NOIO'],
  [GFP_NOWAIT, 'GFP_NOWAIT'],
  [GFP_DMA, 'GFP_DMA'],
  [__GFP_HIGHMEM, '__GFP_HIGHMEM'],
  [GFP_DMA32, 'GFP_DMA32'],
  [__GFP_HIGH, '__GFP_HIGH'],
  [__GFP_ATOMIC, '__GFP_ATOMIC'],
  [__GFP_IO, '__GFP_IO'],
  [__GFP_FS, '__GFP_FS'],
  [__GFP_NOWARN, '__GFP_NOWARN'],
  [__GFP_RETRY_MAYFAIL, '__GFP_RETRY_MAYFAIL'],
  [__GFP_NOFAIL, '__GFP_NOFAIL'],
  [__GFP_NORETRY, '__GFP_NORETRY'],
  [__GFP_COMP, '__GFP_COMP'],
  [__GFP_ZERO, '__GFP_ZERO'],
  [__GFP_NOMEMALLOC, '__GFP_NOMEMALLOC'],
  [__GFP_MEMALLOC, '__GFP_MEMALLOC'],
  [__GFP_HARDWALL, '__GFP_HARDWALL'],
  [__GFP_THISNODE, '__GFP_THISNODE'],
  [__GFP_RECLAIMABLE, '__GFP_RECLAIMABLE'],
  [__GFP_MOVABLE, '__GFP_MOVABLE'],
  [__GFP_ACCOUNT, '__GFP_ACCOUNT'],
  [__GFP_WRITE, '__GFP_WRITE'],
  [__GFP_RECLAIM, '__GFP_RECLAIM'],
  [__GFP_DIRECT_RECLAIM, '__GFP_DIRECT_RECLAIM'],
  [__GFP_KSWAPD_RECLAIM, '__GFP_KSWAPD_RECLAIM'],
  [__GFP_ZEROTAGS, '__GFP_ZEROTAGS'],
];

/** `%#x(%pGg)` as warn_alloc prints a gfp mask: `0xcc0(GFP_KERNEL)`, `0x40dc0(GFP_KERNEL|__GFP_COMP|__GFP_ZERO)`. */
export function formatGfp(gfp: number): string {
  let rest = gfp >>> 0;
  const names: string[] = [];
  for (const [mask, name] of GFP_NAMES) {
    if (rest === 0) break;
    if ((rest & mask) === mask) {
      names.push(name);
      rest = (rest & ~mask) >>> 0;
    }
  }
  if (rest) names.push(`0x${rest.toString(16)}`);
  return `0x${(gfp >>> 0).toString(16)}(${names.join('|')})`;
}

// ---- zones ----------------------------------------------------------------------------------------

/** Zone boundaries in page frames: DMA below 16 MiB, DMA32 below 4 GiB, Normal above. */
export const ZONE_DMA_END_PFN = (16 << 20) >>> PAGE_SHIFT;
export const ZONE_DMA32_END_PFN = 2 ** 32 / PAGE_SIZE;
export const ZONE_NAMES = ['DMA', 'DMA32', 'Normal'] as const;
export type ZoneName = (typeof ZONE_NAMES)[number];

// ---- deterministic randomness -------------------------------------------------------------------

/**
 * mulberry32: a tiny seeded PRNG. Every random choice of the emulated kernel (boot fragmentation,
 * freelist shuffles, failslab probability) draws from one instance, in boot order, so the same
 * seed gives the same addresses.
 */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = (seed ^ 0x9e3779b9) >>> 0;
  }
  /** A uniform 32-bit unsigned integer. */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** A uniform integer in [0, n). */
  below(n: number): number {
    return n <= 1 ? 0 : this.next() % n;
  }
  /** A uniform float in [0, 1). */
  float(): number {
    return this.next() / 4294967296;
  }
}

// ---- small helpers ----------------------------------------------------------------------------------

/** `%016lx` of a 64-bit value given as I64. */
export function hex16(v: I64): string {
  const u = typeof v === 'number' ? (v >= 0 ? BigInt(v) : BigInt.asUintN(64, BigInt(v))) : BigInt.asUintN(64, v);
  return u.toString(16).padStart(16, '0');
}

/** The smallest order with PAGE_SIZE << order >= size (get_order()). */
export function getOrder(size: number): number {
  let order = 0;
  while (PAGE_SIZE * 2 ** order < size) order++;
  return order;
}

/** fls(): position of the highest set bit, 1-based; fls(0) = 0. */
export function fls(x: number): number {
  return x === 0 ? 0 : 32 - Math.clz32(x);
}
