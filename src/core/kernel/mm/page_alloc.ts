// The buddy allocator over the page frames of RAM (mm/page_alloc.c in miniature). Zones DMA
// (below 16 MiB), DMA32 (below 4 GiB) and Normal (above; empty unless RAM is that large), orders
// 0..MAX_ORDER-1, one free list per zone and order, split on allocation and merge on free.
//
// Invariants: a free block is aligned to its size, lies in one zone and is on exactly one list;
// `freeOrder[pfn]` is its order at its head frame and -1 everywhere else; an allocated block
// records its order at its head in `allocOrder` and its head in `head[]` for every frame, plus a
// use code and an owner object (slab, vmalloc area, allocation record) for the memory map. Free
// lists are LIFO, as the kernel's are: the block freed last is reused first, which is what makes
// order-0 pages come from scattered places once boot has fragmented memory.

import { MAX_ORDER, PAGE_SHIFT, ZONE_DMA32_END_PFN, ZONE_DMA_END_PFN, ZONE_NAMES, __GFP_DMA, __GFP_DMA32 } from './layout';
import type { ZoneName } from './layout';

/** What a page frame is used for. */
export const FrameUse = {
  free: 0,
  /** Firmware, the first MiB. */
  reserved: 1,
  /** The kernel image (text, data, bss). */
  kernel: 2,
  /** The struct page array and other early boot allocations. */
  memmap: 3,
  /** Pages the emulated kernel allocated while booting (page cache, page tables, ...). */
  boot: 4,
  slab: 5,
  vmalloc: 6,
  /** alloc_pages() by a module. */
  pages: 7,
  /** Module text and data (module_alloc). */
  module: 8,
  /** A task's kernel stack. */
  stack: 9,
  /** kmalloc() larger than KMALLOC_MAX_CACHE_SIZE. */
  kmalloc: 10,
} as const;
export type FrameUseCode = (typeof FrameUse)[keyof typeof FrameUse];
export const FRAME_USE_NAMES = ['free', 'reserved', 'kernel', 'memmap', 'boot', 'slab', 'vmalloc', 'pages', 'module', 'stack', 'kmalloc'] as const;

export interface ZoneInfo {
  readonly name: ZoneName;
  readonly startPfn: number;
  readonly endPfn: number;
  /** Frames handed to the buddy allocator (not reserved at boot). */
  managed: number;
  free: number;
}

export class PageAllocator {
  readonly nFrames: number;
  readonly use: Uint8Array;
  /** Order of the free block headed here, else -1. */
  private readonly freeOrder: Int8Array;
  /** Order of the allocated block headed here, else -1. */
  private readonly allocOrder: Int8Array;
  /** Head frame of the allocated block containing this frame, else -1. */
  private readonly headOf: Int32Array;
  /** Owner object per frame of an allocated block (a Slab, a VmArea, an allocation record). */
  private readonly owners: unknown[];
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  /** List heads and tails, indexed zone * MAX_ORDER + order. */
  private readonly heads: Int32Array;
  private readonly tails: Int32Array;
  private readonly nrFree: Int32Array;
  readonly zones: ZoneInfo[];

  constructor(nFrames: number) {
    this.nFrames = nFrames;
    this.use = new Uint8Array(nFrames).fill(FrameUse.reserved);
    this.freeOrder = new Int8Array(nFrames).fill(-1);
    this.allocOrder = new Int8Array(nFrames).fill(-1);
    this.headOf = new Int32Array(nFrames).fill(-1);
    this.owners = new Array<unknown>(nFrames).fill(undefined);
    this.next = new Int32Array(nFrames).fill(-1);
    this.prev = new Int32Array(nFrames).fill(-1);
    this.heads = new Int32Array(3 * MAX_ORDER).fill(-1);
    this.tails = new Int32Array(3 * MAX_ORDER).fill(-1);
    this.nrFree = new Int32Array(3 * MAX_ORDER);
    const bounds = [0, ZONE_DMA_END_PFN, ZONE_DMA32_END_PFN, Infinity];
    this.zones = ZONE_NAMES.map((name, z) => ({
      name, startPfn: Math.min(bounds[z], nFrames), endPfn: Math.min(bounds[z + 1], nFrames), managed: 0, free: 0,
    }));
  }

  zoneOf(pfn: number): number {
    return pfn < ZONE_DMA_END_PFN ? 0 : pfn < ZONE_DMA32_END_PFN ? 1 : 2;
  }

  // ---- free lists ------------------------------------------------------------------------------

  private insert(pfn: number, order: number, tail: boolean): void {
    const zone = this.zoneOf(pfn);
    const li = zone * MAX_ORDER + order;
    this.freeOrder[pfn] = order;
    if (tail) {
      const t = this.tails[li];
      this.prev[pfn] = t;
      this.next[pfn] = -1;
      if (t >= 0) this.next[t] = pfn;
      else this.heads[li] = pfn;
      this.tails[li] = pfn;
    } else {
      const h = this.heads[li];
      this.next[pfn] = h;
      this.prev[pfn] = -1;
      if (h >= 0) this.prev[h] = pfn;
      else this.tails[li] = pfn;
      this.heads[li] = pfn;
    }
    this.nrFree[li]++;
    this.zones[zone].free += 1 << order;
    this.use.fill(FrameUse.free, pfn, pfn + (1 << order));
  }

  private remove(pfn: number, order: number): void {
    const zone = this.zoneOf(pfn);
    const li = zone * MAX_ORDER + order;
    const n = this.next[pfn];
    const p = this.prev[pfn];
    if (p >= 0) this.next[p] = n;
    else this.heads[li] = n;
    if (n >= 0) this.prev[n] = p;
    else this.tails[li] = p;
    this.next[pfn] = -1;
    this.prev[pfn] = -1;
    this.freeOrder[pfn] = -1;
    this.nrFree[li]--;
    this.zones[zone].free -= 1 << order;
  }

  /**
   * Hand [start, end) to the allocator at boot, as maximal aligned blocks appended in ascending
   * order, so the first allocations come from the lowest free memory (above the kernel image).
   */
  release(start: number, end: number): void {
    let pfn = Math.max(0, start);
    end = Math.min(end, this.nFrames);
    while (pfn < end) {
      let order = MAX_ORDER - 1;
      while (order > 0 && (pfn % (1 << order) !== 0 || pfn + (1 << order) > end || this.zoneOf(pfn) !== this.zoneOf(pfn + (1 << order) - 1))) order--;
      this.zones[this.zoneOf(pfn)].managed += 1 << order;
      this.insert(pfn, order, true);
      pfn += 1 << order;
    }
  }

  // ---- allocation ------------------------------------------------------------------------------

  /**
   * Allocate 2^order frames; returns the head frame or -1. Zones are tried from the one the gfp mask
   * names downwards (Normal -> DMA32 -> DMA), as the zonelist fallback does.
   */
  alloc(order: number, gfp: number, use: FrameUseCode, owner: unknown): number {
    if (order < 0 || order >= MAX_ORDER) return -1;
    const top = gfp & __GFP_DMA ? 0 : gfp & __GFP_DMA32 ? 1 : 2;
    for (let zone = top; zone >= 0; zone--) {
      for (let o = order; o < MAX_ORDER; o++) {
        const pfn = this.heads[zone * MAX_ORDER + o];
        if (pfn < 0) continue;
        this.remove(pfn, o);
        // expand(): keep the low half, give the high halves back.
        while (o > order) {
          o--;
          this.insert(pfn + (1 << o), o, false);
        }
        this.claim(pfn, order, use, owner);
        return pfn;
      }
    }
    return -1;
  }

  private claim(pfn: number, order: number, use: FrameUseCode, owner: unknown): void {
    const n = 1 << order;
    this.allocOrder[pfn] = order;
    this.headOf.fill(pfn, pfn, pfn + n);
    this.use.fill(use, pfn, pfn + n);
    for (let i = pfn; i < pfn + n; i++) this.owners[i] = owner;
  }

  /** Change the use/owner of an allocated block (a page becomes a slab). */
  retag(pfn: number, use: FrameUseCode, owner: unknown): void {
    const order = this.allocOrder[pfn];
    if (order < 0) return;
    this.claim(pfn, order, use, owner);
  }

  /** Free a block allocated with `alloc`; false (and nothing changes) if `pfn` is not the head of an allocated block of that order. */
  free(pfn: number, order: number): boolean {
    if (pfn < 0 || pfn >= this.nFrames || this.allocOrder[pfn] !== order || this.headOf[pfn] !== pfn) return false;
    const n = 1 << order;
    this.allocOrder[pfn] = -1;
    this.headOf.fill(-1, pfn, pfn + n);
    for (let i = pfn; i < pfn + n; i++) this.owners[i] = undefined;
    const zone = this.zoneOf(pfn);
    while (order < MAX_ORDER - 1) {
      const buddy = pfn ^ (1 << order);
      if (buddy >= this.nFrames || this.freeOrder[buddy] !== order || this.zoneOf(buddy) !== zone) break;
      this.remove(buddy, order);
      pfn = Math.min(pfn, buddy);
      order++;
    }
    this.insert(pfn, order, false);
    return true;
  }

  // ---- queries ---------------------------------------------------------------------------------

  /** The head frame of the allocated block containing `pfn`, or -1 if the frame is free or reserved. */
  head(pfn: number): number {
    return pfn >= 0 && pfn < this.nFrames ? this.headOf[pfn] : -1;
  }

  /** The order of the allocated block headed by `pfn`, or -1. */
  orderOf(pfn: number): number {
    return pfn >= 0 && pfn < this.nFrames ? this.allocOrder[pfn] : -1;
  }

  owner(pfn: number): unknown {
    return pfn >= 0 && pfn < this.nFrames ? this.owners[pfn] : undefined;
  }

  isFree(pfn: number): boolean {
    return this.use[pfn] === FrameUse.free;
  }

  /** Mark frames that never reach the allocator (firmware, kernel image, memmap). */
  reserve(start: number, end: number, use: FrameUseCode): void {
    this.use.fill(use, Math.max(0, start), Math.min(end, this.nFrames));
  }

  /** Free blocks per order of one zone. */
  freeBlocks(zone: number): number[] {
    return Array.from(this.nrFree.subarray(zone * MAX_ORDER, zone * MAX_ORDER + MAX_ORDER));
  }

  get freeFrames(): number {
    return this.zones.reduce((s, z) => s + z.free, 0);
  }

  get managedFrames(): number {
    return this.zones.reduce((s, z) => s + z.managed, 0);
  }

  /** /proc/buddyinfo: one line per populated zone. */
  buddyinfo(): string[] {
    const out: string[] = [];
    this.zones.forEach((z, i) => {
      if (z.managed === 0) return;
      let line = `Node 0, zone ${z.name.padStart(8)} `;
      for (const n of this.freeBlocks(i)) line += `${String(n).padStart(6)} `;
      out.push(line);
    });
    return out;
  }

  /** Runs of frames with the same use, for the memory map. */
  runs(): { start: number; count: number; use: string }[] {
    const out: { start: number; count: number; use: string }[] = [];
    let start = 0;
    for (let i = 1; i <= this.nFrames; i++) {
      if (i === this.nFrames || this.use[i] !== this.use[start]) {
        out.push({ start, count: i - start, use: FRAME_USE_NAMES[this.use[start]] });
        start = i;
      }
    }
    return out;
  }

  /** Bytes of a frame count, as a physical address (for messages). */
  static physOf(pfn: number): number {
    return pfn * 2 ** PAGE_SHIFT;
  }
}
