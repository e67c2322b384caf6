// The memory-management subsystem of the emulated kernel: one `MM` object composing physical
// memory (Memory), the buddy allocator (PageAllocator), the slab caches (SlabAllocator), the
// vmalloc and module areas (VmallocSpace), the allocation funnel (Accounting) and fault injection,
// booted deterministically from a seed. This file is the only surface the rest of the kernel
// imports; the kernel sets `hooks` once (call traces, clock, dump_stack, report sink) and `task` /
// `owner` as tasks and modules run.
//
// Invariants: no module-level mutable state (each MM is independent); nothing a student program
// does makes these methods throw, except a `PageFault` where the real kernel would fault too
// (kfree/ksize/kmem_cache_free of a pointer that is not in the direct map), which the kernel turns
// into an Oops; reports go to `hooks.report` and are also returned.

import type { Span } from '../../source/source';
import type { I64 } from '../../vm/value';
import { sub64 } from '../../vm/value';
import type { Frame } from '../trace';
import { AllocRecord, Accounting, FaultInjector } from './accounting';
import { KFRAMES } from './frames';
import {
  GFP_KERNEL, KASAN_PAGE_FREE, KASAN_PAGE_REDZONE, KMALLOC_MAX_CACHE_SIZE, KMALLOC_MAX_SIZE, MAX_ORDER, PAGE_OFFSET, PAGE_SIZE,
  Rng, START_KERNEL_MAP, STRUCT_PAGE_SIZE, THREAD_SIZE, VMALLOC_END, VMALLOC_START, VMEMMAP_START, ZERO_SIZE_PTR, __GFP_NOFAIL,
  __GFP_NORETRY, __GFP_NOWARN, __GFP_ZERO, getOrder, hex16,
} from './layout';
import { Memory, PageFault } from './memory';
import { FrameUse, PageAllocator } from './page_alloc';
import { Reporter } from './reports';
import { KmemCache, OBJ_FREED, OBJ_LIVE, OBJ_QUARANTINED, SLAB, Slab, SlabAllocator } from './slab';
import type { SlabEnv } from './slab';
import type { AllocationInfo, Family, MMHooks, MMReport, Site, TaskRef } from './types';
import { VmallocSpace } from './vmalloc';
import type { KernelStack, VmEnv } from './vmalloc';

export * from './layout';
export { Memory, PageFault, faultKind } from './memory';
export type { FaultKind } from './memory';
export { PageAllocator, FrameUse } from './page_alloc';
export { SlabAllocator, KmemCache, Slab, SLAB, calculateLayout } from './slab';
export type { CacheLayout } from './slab';
export { VmallocSpace, VmArea } from './vmalloc';
export type { KernelStack } from './vmalloc';
export { Accounting, AllocRecord, FaultInjector } from './accounting';
export { Reporter } from './reports';
export { KFRAMES, fmtFrame } from './frames';
export type * from './types';

export interface MMOptions {
  /** Bytes of RAM (default 128 MiB; clamped to 32 MiB..2 GiB, rounded down to 4 MiB). */
  readonly ramBytes?: number;
  /** Seed of every random choice; same seed, same addresses (default 0). */
  readonly seed?: number;
  /** Generic KASAN: shadow memory, quarantine, reports on bad accesses and frees. */
  readonly kasan?: boolean;
  /** slub_debug=FZPU: red zones, poison, tracking and consistency checks in every cache. */
  readonly slubDebug?: boolean;
  /** init_on_alloc=1 (Debian's default): new objects and pages read as zero. Default true. */
  readonly initOnAlloc?: boolean;
  /** Fail the Nth allocation attempt (1-based), like /proc/self/fail-nth. */
  readonly failNth?: number;
  /** Fail allocation attempts with this probability (0..1), seeded. */
  readonly failProbability?: number;
  /** CONFIG_SLAB_FREELIST_RANDOM (Debian: on). Default true. */
  readonly randomFreelist?: boolean;
  /** kasan_multi_shot: report every KASAN bug, not just the first. Default false, as a stock boot. */
  readonly kasanMultiShot?: boolean;
}

/** A plain-JSON picture of memory for the memory map. */
export interface MemorySnapshot {
  readonly ramBytes: number;
  readonly pageSize: number;
  readonly zones: { name: string; startPfn: number; endPfn: number; managed: number; free: number; buddy: number[] }[];
  /** Runs of page frames with the same use. */
  readonly frames: { start: number; count: number; use: string }[];
  readonly caches: {
    name: string; struct: string; objectSize: number; slotSize: number; objectsPerSlab: number; pagesPerSlab: number;
    active: number; total: number;
    /** Per slab: its frame, address and one letter per slot: `.` never used, `L` live, `Q` quarantined, `f` free. */
    slabs: { pfn: number; addr: string; states: string }[];
  }[];
  readonly vmalloc: { addr: string; size: number; kind: string; requested: number; pfns: number[]; caller: string }[];
  /** Live allocations made by modules. */
  readonly allocations: { id: number; family: Family; addr: string; size: number; usable: number; cache?: string; owner?: string; file?: string; line?: number }[];
}

/** `{address, write}` of a PageFault, for the kernel's Oops path. */
export function asPageFault(e: unknown): { address: I64; write: boolean; kind: string; ip?: Frame } | undefined {
  return e instanceof PageFault ? { address: e.address, write: e.write, kind: e.kind, ip: e.ip } : undefined;
}

const DEFAULT_TASK: TaskRef = { pid: 93, comm: 'insmod' };
/** Shared by every allocation made with no call trace available (never mutated). */
const NO_FRAMES: readonly Frame[] = Object.freeze([]);

/** The numbers behind /proc/meminfo and `free`, in KiB. */
export interface MemCounts {
  readonly totalKb: number;
  readonly freeKb: number;
  readonly availableKb: number;
  readonly slabKb: number;
  readonly sreclaimableKb: number;
  readonly kernelStackKb: number;
  readonly vmallocUsedKb: number;
}

export class MM implements SlabEnv, VmEnv {
  readonly mem: Memory;
  readonly pages: PageAllocator;
  readonly acct = new Accounting();
  readonly faults: FaultInjector;
  readonly rng: Rng;
  readonly reporter: Reporter;
  readonly slab: SlabAllocator;
  readonly vm: VmallocSpace;
  readonly kasan: boolean;
  readonly slubDebug: boolean;
  readonly initOnAlloc: boolean;
  readonly randomFreelist: boolean;
  readonly kasanMultiShot: boolean;
  readonly seed: number;
  /** Set once by the kernel. */
  hooks: MMHooks = {};
  /** The running task (insmod/rmmod); read at each allocation. */
  task: TaskRef = DEFAULT_TASK;
  /** The module whose code is running; allocations are attributed to it. */
  owner: string | undefined = undefined;
  /** Runs a kmem_cache constructor on a new object (the kernel calls into the VM). */
  ctorRunner: ((ctor: I64, obj: I64) => void) | undefined = undefined;
  private kasanDone = false;
  private warnedOrder = false;
  private warnedLarge = false;
  /** Frames reserved at boot: [firmware end, image start, image end, memmap start]. */
  readonly bootLayout: { imageStartPfn: number; imageEndPfn: number; memmapStartPfn: number };

  constructor(opts: MMOptions = {}) {
    const ram = Math.max(32 << 20, Math.min(2 ** 31, opts.ramBytes ?? 128 << 20));
    const ramBytes = Math.floor(ram / (4 << 20)) * (4 << 20);
    this.seed = opts.seed ?? 0;
    this.kasan = opts.kasan ?? false;
    this.slubDebug = opts.slubDebug ?? false;
    this.initOnAlloc = opts.initOnAlloc ?? true;
    this.randomFreelist = opts.randomFreelist ?? true;
    this.kasanMultiShot = opts.kasanMultiShot ?? false;
    this.rng = new Rng(this.seed);
    this.mem = new Memory({ ramBytes, kasan: this.kasan });
    this.mem.onBadAccess = (a, size, write, shadow) => this.badAccess(a, size, write, shadow);
    const nFrames = ramBytes / PAGE_SIZE;
    this.pages = new PageAllocator(nFrames);
    this.faults = new FaultInjector(opts.failNth, Math.max(0, Math.min(1, opts.failProbability ?? 0)), this.seed);
    this.reporter = new Reporter(this);

    // Physical layout: firmware below 1 MiB, the kernel image from 16 MiB, the memmap and early
    // boot allocations at the top (memblock allocates top-down); the rest goes to the buddy allocator.
    const imageStart = (16 << 20) / PAGE_SIZE;
    const imageEnd = imageStart + Math.min(32 << 20, ramBytes / 4) / PAGE_SIZE;
    const memmapStart = nFrames - Math.max(1, Math.ceil((nFrames * STRUCT_PAGE_SIZE) / PAGE_SIZE) + nFrames / 256);
    this.bootLayout = { imageStartPfn: imageStart, imageEndPfn: imageEnd, memmapStartPfn: memmapStart };
    this.pages.reserve(0, 256, FrameUse.reserved);
    this.pages.reserve(imageStart, imageEnd, FrameUse.kernel);
    this.pages.reserve(memmapStart, nFrames, FrameUse.memmap);
    this.pages.release(256, imageStart);
    this.pages.release(imageEnd, memmapStart);
    this.mem.poison(256 * PAGE_SIZE, (imageStart - 256) * PAGE_SIZE, KASAN_PAGE_FREE);
    this.mem.poison(imageEnd * PAGE_SIZE, (memmapStart - imageEnd) * PAGE_SIZE, KASAN_PAGE_FREE);

    this.slab = new SlabAllocator(this);
    this.slab.boot();
    this.vm = new VmallocSpace(this, this.rng);
    this.vm.boot(this.rng);
    this.fragment();
    this.populateKmalloc();
  }

  /**
   * Boot noise: the kernel allocates pages while booting and frees many of them again, leaving
   * single free pages scattered through low memory. Order-0 allocations (vmalloc pages, small slabs)
   * then come from those scattered frames, in a seeded order, as on a real machine.
   */
  private fragment(): void {
    const n = Math.floor(this.pages.freeFrames / 16);
    const taken: number[] = [];
    for (let i = 0; i < n; i++) {
      const pfn = this.pages.alloc(0, GFP_KERNEL, FrameUse.boot, undefined);
      if (pfn < 0) break;
      taken.push(pfn);
    }
    for (let i = taken.length - 1; i > 0; i--) {
      const j = this.rng.below(i + 1);
      const t = taken[i];
      taken[i] = taken[j];
      taken[j] = t;
    }
    for (let i = 0; i < taken.length; i += 2) this.pages.free(taken[i], 0);
  }

  /** The kernel's own kmalloc objects from boot, so module objects share slabs with them as they do on Linux. */
  private populateKmalloc(): void {
    for (let i = 3; i <= 13; i++) {
      const cache = this.slab.kmalloc[0][i];
      const per = cache.layout.objects;
      const count = Math.max(1, Math.floor(per * (0.5 + this.rng.float() * 1.5)));
      const got: number[] = [];
      for (let k = 0; k < count; k++) {
        const a = this.slab.allocObject(cache, cache.objectSize, GFP_KERNEL, undefined, true);
        if (a) got.push(a);
      }
      for (const a of got) {
        if (this.rng.below(3) !== 0) continue;
        const ref = this.slab.objectAt(a - PAGE_OFFSET);
        if (ref && ref.exact) this.slab.freeInternal(ref.slab, ref.idx);
      }
    }
  }

  // ---- environment for the subsystems -------------------------------------------------------------

  now(): number {
    return this.hooks.now ? this.hooks.now() : 0;
  }

  jiffies(): number {
    return this.hooks.jiffies ? this.hooks.jiffies() : Math.floor(this.now() / 4e6);
  }

  framesOf(site: Site | undefined): readonly Frame[] {
    if (site !== undefined && site.frames !== undefined) return site.frames;
    return this.hooks.stack ? this.hooks.stack() : NO_FRAMES;
  }

  emit(r: MMReport): MMReport {
    if (r.source === 'kasan') {
      // report_enabled(): one KASAN report per boot unless kasan_multi_shot.
      if (this.kasanDone && !this.kasanMultiShot) return r;
      this.kasanDone = true;
    }
    this.hooks.report?.(r);
    return r;
  }

  runCtor(ctor: I64, obj: I64): void {
    this.ctorRunner?.(ctor, obj);
  }

  /** Memory's KASAN hook: build the report for the code that is running. */
  private badAccess(addr: I64, size: number, write: boolean, shadow: number): void {
    if (this.kasanDone && !this.kasanMultiShot) return;
    const frames = this.hooks.stack ? this.hooks.stack() : [];
    this.emit(this.reporter.kasanAccess(addr, size, write, shadow, frames, frames[0]?.span));
  }

  /** The struct page fault of virt_to_folio() on a pointer outside the direct map (kfree of a vmalloc pointer). */
  private structPageFault(ptr: I64, ip: Frame): PageFault {
    const x = typeof ptr === 'number' ? BigInt.asUintN(64, BigInt(ptr)) : BigInt.asUintN(64, ptr);
    const startMap = BigInt.asUintN(64, BigInt(START_KERNEL_MAP));
    const pageOff = BigInt.asUintN(64, BigInt(PAGE_OFFSET));
    // __phys_addr(): above __START_KERNEL_map it is an image address, below it a direct-map one.
    const pa = x >= startMap ? x - startMap : BigInt.asUintN(64, x - pageOff);
    const page = BigInt.asUintN(64, BigInt(VMEMMAP_START) + (pa >> 12n) * BigInt(STRUCT_PAGE_SIZE) + 8n);
    const signed = BigInt.asIntN(64, page);
    const addr: I64 = signed >= -9007199254740991n && signed <= 9007199254740991n ? Number(signed) : signed;
    return new PageFault(addr, false, 'not-present', ip);
  }

  /** Physical offset of a direct-map pointer, or -1. */
  private directOffset(ptr: I64): number {
    if (typeof ptr !== 'number') return -1;
    const o = ptr - PAGE_OFFSET;
    return o >= 0 && o < this.mem.size ? o : -1;
  }

  // ---- kmalloc family ---------------------------------------------------------------------------------

  /** kmalloc(): an address, ZERO_SIZE_PTR for 0 bytes, or 0 (NULL) on failure. */
  kmalloc(size: number, gfp: number, site?: Site): I64 {
    if (size === 0) return ZERO_SIZE_PTR;
    if (!(size > 0) || size > KMALLOC_MAX_SIZE) {
      if (!this.warnedOrder && !(gfp & __GFP_NOWARN)) {
        this.warnedOrder = true;
        this.emit(this.reporter.orderTooLarge(size, site));
      }
      return 0;
    }
    if (size > KMALLOC_MAX_CACHE_SIZE) return this.kmallocLarge(size, gfp, site);
    const cache = this.slab.kmallocCache(size, gfp) as KmemCache;
    if (this.faults.active && !(gfp & __GFP_NOFAIL) && this.faults.shouldFail()) {
      if (!(gfp & __GFP_NOWARN)) this.emit(this.reporter.faultInjected('failslab', KFRAMES.kmalloc_trace, site));
      return 0;
    }
    return this.slab.allocObject(cache, size, gfp, site);
  }

  kzalloc(size: number, gfp: number, site?: Site): I64 {
    return this.kmalloc(size, gfp | __GFP_ZERO, site);
  }

  /** kmalloc above KMALLOC_MAX_CACHE_SIZE: whole pages from the buddy allocator (kmalloc_large). */
  private kmallocLarge(size: number, gfp: number, site: Site | undefined): I64 {
    const order = getOrder(size);
    if (this.faults.active && !(gfp & __GFP_NOFAIL) && this.faults.shouldFail()) {
      if (!(gfp & __GFP_NOWARN)) this.emit(this.reporter.faultInjected('fail_page_alloc', KFRAMES.kmalloc_large, site));
      return 0;
    }
    const pfn = this.pages.alloc(order, gfp, FrameUse.kmalloc, undefined);
    if (pfn < 0) {
      if (!(gfp & __GFP_NOWARN)) this.emit(this.reporter.allocFailure(order, gfp, [KFRAMES.kmalloc_large, ...this.framesOf(site)], site?.span));
      return 0;
    }
    const addr = PAGE_OFFSET + pfn * PAGE_SIZE;
    const bytes = PAGE_SIZE << order;
    const r = this.acct.record('kmalloc', addr, size, bytes, `kmalloc-order-${order}`, gfp, site?.span, this.framesOf(site), this.task, this.owner, this.now(), pfn, order);
    this.pages.retag(pfn, FrameUse.kmalloc, r);
    const o = pfn * PAGE_SIZE;
    if (this.initOnAlloc || gfp & __GFP_ZERO) this.mem.bytes.fill(0, o, o + bytes);
    this.mem.unpoison(o, size);
    const from = Math.ceil(size / 8) * 8;
    if (from < bytes) this.mem.poison(o + from, bytes - from, KASAN_PAGE_REDZONE);
    return addr;
  }

  /**
   * kfree(): NULL and ZERO_SIZE_PTR are ignored; slab objects go back to their cache after the
   * checks the configuration enables; large kmallocs go back to the buddy allocator. A pointer
   * outside the direct map makes virt_to_folio() fault, as on Linux: this throws a PageFault.
   */
  kfree(ptr: I64, site?: Site): MMReport | undefined {
    if (typeof ptr === 'number' && ptr >= 0 && ptr <= ZERO_SIZE_PTR) return undefined;
    const o = this.directOffset(ptr);
    if (o < 0) throw this.structPageFault(ptr, KFRAMES.kfree);
    const slab = this.slab.slabOf[Math.floor(o / PAGE_SIZE)];
    if (slab !== undefined) return this.slab.freeObject(slab, o, ptr as number, site, 'kfree');
    return this.freeNonSlab(ptr as number, o, site);
  }

  /** free_large_kmalloc(): the page is not a slab. */
  private freeNonSlab(ptr: number, o: number, site: Site | undefined): MMReport | undefined {
    const pfn = Math.floor(o / PAGE_SIZE);
    const owner = this.pages.owner(pfn);
    if (owner instanceof AllocRecord && owner.state === 'live' && (owner.family === 'kmalloc' || (owner.family === 'pages' && owner.order > 0))) {
      let report: MMReport | undefined;
      if (this.kasan && ptr !== owner.addr) report = this.emit(this.reporter.kasanFree('invalid-free', ptr, 'kfree', undefined, 0, site));
      this.releaseBlock(owner, site);
      return report;
    }
    let report: MMReport | undefined;
    if (this.kasan && this.pages.isFree(pfn)) report = this.emit(this.reporter.kasanFree('double-free', ptr, 'kfree', undefined, 0, site));
    if (!this.warnedLarge) {
      this.warnedLarge = true;
      const w = this.emit(this.reporter.freeLarge(ptr, site));
      report ??= w;
    } else {
      report ??= this.emit(this.reporter.silent('invalid-free', `kfree() of ${hex16(ptr)}, which kmalloc did not return`, ptr, site));
    }
    // Linux would now free a page it does not own; the emulator frees it only if it was an
    // order-0 alloc_pages() block, to keep the memory map consistent.
    if (owner instanceof AllocRecord && owner.state === 'live' && owner.family === 'pages' && owner.order === 0) this.releaseBlock(owner, site);
    return report;
  }

  private releaseBlock(r: AllocRecord, site: Site | undefined): void {
    this.pages.free(r.pfn, r.order);
    this.mem.poison(r.pfn * PAGE_SIZE, PAGE_SIZE << r.order, KASAN_PAGE_FREE);
    this.acct.release(r, site?.span, this.framesOf(site), this.task, this.now());
  }

  /** ksize(): the usable size; with KASAN it also unpoisons the whole object, as 6.1's ksize() does. */
  ksize(ptr: I64): number {
    if (typeof ptr === 'number' && ptr >= 0 && ptr <= ZERO_SIZE_PTR) return 0;
    const o = this.directOffset(ptr);
    if (o < 0) throw this.structPageFault(ptr, { fn: '__ksize', offset: 0x21, size: 0xb0 });
    const pfn = Math.floor(o / PAGE_SIZE);
    const slab = this.slab.slabOf[pfn];
    if (slab) {
      const size = slab.cache.layout.ksize;
      const ref = this.slab.objectAt(o);
      if (ref) this.mem.unpoison(slab.objPhys(ref.idx), size);
      return size;
    }
    const head = this.pages.head(pfn);
    return head >= 0 ? PAGE_SIZE << this.pages.orderOf(head) : PAGE_SIZE;
  }

  /** kstrdup() for the kernel (charp module parameters): 0 on failure. */
  kstrdup(text: string, gfp = GFP_KERNEL, site?: Site): I64 {
    const a = this.kmalloc(text.length + 1, gfp, site);
    if (a === 0 || a === ZERO_SIZE_PTR) return 0;
    const b = new Uint8Array(text.length + 1);
    for (let i = 0; i < text.length; i++) b[i] = text.charCodeAt(i) & 0xff;
    this.mem.writeBytes(a, b);
    return a;
  }

  /**
   * krealloc(): 0 bytes frees and returns ZERO_SIZE_PTR; a size that still fits keeps the object
   * (re-poisoned to the new size under KASAN); otherwise a new object gets ksize() bytes copied and
   * the old one is freed. A freed `ptr` is a KASAN report (kasan_check_byte) and NULL.
   */
  krealloc(ptr: I64, size: number, gfp: number, site?: Site): I64 {
    if (size === 0) {
      this.kfree(ptr, site);
      return ZERO_SIZE_PTR;
    }
    const isNull = typeof ptr === 'number' && ptr >= 0 && ptr <= ZERO_SIZE_PTR;
    let ks = 0;
    if (!isNull) {
      const o = this.directOffset(ptr);
      if (o < 0) throw this.structPageFault(ptr, { fn: 'krealloc', offset: 0x2e, size: 0xc0 });
      const ref = this.slab.objectAt(o);
      if (this.kasan && ref && ref.slab.state[ref.idx] !== OBJ_LIVE) {
        const frames = this.framesOf(site);
        this.emit(this.reporter.kasanAccess(ptr, 1, false, this.mem.shadowAt(o), [{ fn: 'krealloc', offset: 0x2e, size: 0xc0 }, ...frames], site?.span));
        return 0;
      }
      ks = ref ? ref.slab.cache.layout.ksize : this.ksize(ptr);
      if (ks >= size) {
        if (ref && ref.exact) {
          ref.slab.req[ref.idx] = size;
          const op = ref.slab.objPhys(ref.idx);
          this.mem.unpoison(op, size);
          const from = Math.ceil(size / 8) * 8;
          if (from < ref.slab.cache.objectSize) this.mem.poison(op + from, ref.slab.cache.objectSize - from, 0xfc);
        }
        return ptr;
      }
    }
    const n = this.kmalloc(size, gfp, site);
    if (n !== 0 && !isNull) {
      const src = this.mem.peekBytes(ptr, ks);
      if (src) this.mem.bytes.set(src, (n as number) - PAGE_OFFSET);
      this.kfree(ptr, site);
    }
    return n;
  }

  // ---- kmem_cache -------------------------------------------------------------------------------------

  /** kmem_cache_create(): the address of the new struct kmem_cache, or 0. */
  kmemCacheCreate(name: string, size: number, align: number, flags: number, ctor?: I64, site?: Site): I64 {
    if (!(size > 0) || size > KMALLOC_MAX_SIZE || !name) {
      this.emit({
        rule: 'cache-create-failed', source: 'warn', headline: `kmem_cache_create(${name}) failed with error -22`,
        lines: [`kmem_cache_create(${name}) failed with error -22`, ...(this.hooks.dumpStack?.([KFRAMES.dump_stack_lvl, ...this.framesOf(site)]) ?? [])],
        level: 4, span: site?.span, related: [],
      });
      return 0;
    }
    const permitted = SLAB.HWCACHE_ALIGN | SLAB.POISON | SLAB.RED_ZONE | SLAB.STORE_USER | SLAB.CONSISTENCY_CHECKS | SLAB.PANIC | SLAB.ACCOUNT | SLAB.RECLAIM_ACCOUNT | SLAB.TYPESAFE_BY_RCU | SLAB.CACHE_DMA | SLAB.CACHE_DMA32;
    const c = this.slab.newCache(name, size, Math.max(0, align), flags & permitted, 'kmem_cache', false, ctor);
    return c.structAddr;
  }

  /** The cache behind a struct kmem_cache pointer. */
  cacheOf(ptr: I64): KmemCache | undefined {
    return typeof ptr === 'number' ? this.slab.byStruct.get(ptr) : undefined;
  }

  kmemCacheAlloc(cachePtr: I64, gfp: number, site?: Site): I64 {
    const cache = this.cacheOf(cachePtr);
    if (!cache || cache.destroyed) {
      if (typeof cachePtr === 'number' && cachePtr >= 0 && cachePtr < PAGE_SIZE) throw new PageFault(cachePtr, false, 'null', KFRAMES.kmem_cache_alloc);
      this.emit(this.reporter.silent('bad-cache', 'kmem_cache_alloc() on something that is not a live kmem_cache', cachePtr, site));
      return 0;
    }
    if (this.faults.active && !(gfp & __GFP_NOFAIL) && this.faults.shouldFail()) {
      if (!(gfp & __GFP_NOWARN)) this.emit(this.reporter.faultInjected('failslab', KFRAMES.kmem_cache_alloc, site));
      return 0;
    }
    return this.slab.allocObject(cache, cache.objectSize, gfp, site);
  }

  kmemCacheZalloc(cachePtr: I64, gfp: number, site?: Site): I64 {
    return this.kmemCacheAlloc(cachePtr, gfp | __GFP_ZERO, site);
  }

  kmemCacheFree(cachePtr: I64, ptr: I64, site?: Site): MMReport | undefined {
    const cache = this.cacheOf(cachePtr);
    if (!cache && typeof cachePtr === 'number' && cachePtr >= 0 && cachePtr < PAGE_SIZE) throw new PageFault(cachePtr + 0x60, false, 'null', KFRAMES.kmem_cache_free);
    const o = this.directOffset(ptr);
    if (o < 0) throw this.structPageFault(ptr, KFRAMES.kmem_cache_free);
    const slab = this.slab.slabOf[Math.floor(o / PAGE_SIZE)];
    if (!slab) return this.emit(this.reporter.notSlab(ptr, site));
    let report: MMReport | undefined;
    if (cache && slab.cache !== cache) report = this.emit(this.reporter.wrongCache(cache, slab.cache, slab, slab.nearest(o), site));
    return this.slab.freeObject(slab, o, ptr as number, site, 'kmem_cache_free') ?? report;
  }

  /** kmem_cache_destroy(): a report if objects are still live (the cache then stays). */
  kmemCacheDestroy(cachePtr: I64, site?: Site): MMReport | undefined {
    if (cachePtr === 0) return undefined;
    const cache = this.cacheOf(cachePtr);
    if (!cache || cache.destroyed) return this.emit(this.reporter.silent('bad-cache', 'kmem_cache_destroy() of something that is not a live kmem_cache', cachePtr, site));
    const { live } = this.slab.destroy(cache);
    if (live.length) return this.emit(this.reporter.cacheBusy(cache, live, site));
    return undefined;
  }

  // ---- vmalloc -------------------------------------------------------------------------------------

  vmalloc(size: number, gfp: number = GFP_KERNEL, site?: Site): I64 {
    return this.vm.vmalloc(size, gfp, site);
  }

  vzalloc(size: number, gfp: number = GFP_KERNEL, site?: Site): I64 {
    return this.vm.vmalloc(size, gfp | __GFP_ZERO, site);
  }

  vfree(ptr: I64, site?: Site): MMReport | undefined {
    return this.vm.vfree(ptr, site);
  }

  /** kvmalloc(): kmalloc when it can (without warnings or retries), else vmalloc. */
  kvmalloc(size: number, gfp: number, site?: Site): I64 {
    const kgfp = size > PAGE_SIZE ? gfp | __GFP_NOWARN | __GFP_NORETRY : gfp;
    const a = size <= KMALLOC_MAX_SIZE ? this.kmalloc(size, kgfp, site) : 0;
    if (a !== 0 || size <= PAGE_SIZE) return a;
    return this.vm.vmalloc(size, gfp, site);
  }

  kvfree(ptr: I64, site?: Site): MMReport | undefined {
    return this.isVmallocAddr(ptr) ? this.vfree(ptr, site) : this.kfree(ptr, site);
  }

  isVmallocAddr(ptr: I64): boolean {
    return typeof ptr === 'number' && ptr >= VMALLOC_START && ptr < VMALLOC_END;
  }

  /** vmalloc_to_page(): the struct page behind a vmalloc address, or 0. */
  vmallocToPage(ptr: I64): I64 {
    const pfn = this.vm.toPfn(ptr);
    return pfn < 0 ? 0 : this.structPage(pfn);
  }

  // ---- page allocator -----------------------------------------------------------------------------------

  /** The struct page address of a frame. */
  structPage(pfn: number): number {
    return VMEMMAP_START + pfn * STRUCT_PAGE_SIZE;
  }

  /** The frame of a struct page pointer, or -1. */
  pfnOfPage(page: I64): number {
    if (typeof page !== 'number') return -1;
    const rel = page - VMEMMAP_START;
    if (rel < 0 || rel % STRUCT_PAGE_SIZE !== 0) return -1;
    const pfn = rel / STRUCT_PAGE_SIZE;
    return pfn < this.pages.nFrames ? pfn : -1;
  }

  /** alloc_pages(): a struct page pointer or 0. */
  allocPages(gfp: number, order: number, site?: Site): I64 {
    const pfn = this.allocBlock(gfp, order, site);
    return pfn < 0 ? 0 : this.structPage(pfn);
  }

  /** __get_free_pages(): a direct-map address or 0. */
  getFreePages(gfp: number, order: number, site?: Site): I64 {
    const pfn = this.allocBlock(gfp, order, site);
    return pfn < 0 ? 0 : PAGE_OFFSET + pfn * PAGE_SIZE;
  }

  private allocBlock(gfp: number, order: number, site: Site | undefined): number {
    if (!(order >= 0) || order >= MAX_ORDER) {
      if (!this.warnedOrder && !(gfp & __GFP_NOWARN)) {
        this.warnedOrder = true;
        this.emit(this.reporter.orderTooLarge(PAGE_SIZE * 2 ** Math.max(0, order), site));
      }
      return -1;
    }
    if (this.faults.active && !(gfp & __GFP_NOFAIL) && this.faults.shouldFail()) {
      if (!(gfp & __GFP_NOWARN)) this.emit(this.reporter.faultInjected('fail_page_alloc', KFRAMES.__alloc_pages, site));
      return -1;
    }
    const pfn = this.pages.alloc(order, gfp, FrameUse.pages, undefined);
    if (pfn < 0) {
      if (!(gfp & __GFP_NOWARN)) this.emit(this.reporter.allocFailure(order, gfp, this.framesOf(site), site?.span));
      return -1;
    }
    const bytes = PAGE_SIZE << order;
    const r = this.acct.record('pages', PAGE_OFFSET + pfn * PAGE_SIZE, bytes, bytes, `order-${order}`, gfp, site?.span, this.framesOf(site), this.task, this.owner, this.now(), pfn, order);
    this.pages.retag(pfn, FrameUse.pages, r);
    const o = pfn * PAGE_SIZE;
    if (this.initOnAlloc || gfp & __GFP_ZERO) this.mem.bytes.fill(0, o, o + bytes);
    this.mem.unpoison(o, bytes);
    return pfn;
  }

  /** free_pages(addr, order). A mismatched order or a block that is not allocated is reported, not freed. */
  freePages(addr: I64, order: number, site?: Site): MMReport | undefined {
    if (addr === 0) return undefined;
    const o = this.directOffset(addr);
    return this.freeBlock(o < 0 ? -1 : Math.floor(o / PAGE_SIZE), order, addr, site);
  }

  /** __free_pages(page, order). */
  freePagesStruct(page: I64, order: number, site?: Site): MMReport | undefined {
    if (page === 0) return undefined;
    return this.freeBlock(this.pfnOfPage(page), order, page, site);
  }

  private freeBlock(pfn: number, order: number, what: I64, site: Site | undefined): MMReport | undefined {
    const owner = pfn >= 0 ? this.pages.owner(pfn) : undefined;
    if (owner instanceof AllocRecord && owner.family === 'pages' && owner.state === 'live' && owner.pfn === pfn && owner.order === order) {
      this.releaseBlock(owner, site);
      return undefined;
    }
    const why = owner instanceof AllocRecord && owner.family === 'pages' && owner.pfn === pfn ? `order ${order}, but it was allocated with order ${owner.order}` : 'a block that alloc_pages() did not return (or that is already free)';
    return this.emit(this.reporter.silent('free-mismatch', `free_pages() of ${hex16(what)}: ${why}`, what, site));
  }

  // ---- module area and stacks (for the kernel) ---------------------------------------------------------

  moduleAlloc(size: number, name = this.owner ?? 'module'): I64 {
    return this.vm.moduleAlloc(size, name);
  }

  moduleFree(base: I64): void {
    this.vm.moduleFree(base);
  }

  stackAlloc(bytes = THREAD_SIZE): KernelStack {
    return this.vm.stackAlloc(bytes);
  }

  stackFree(stack: KernelStack): void {
    this.vm.stackFree(stack);
  }

  // ---- lookups ------------------------------------------------------------------------------------------

  private slotInfo(slab: Slab, idx: number): AllocationInfo | undefined {
    const id = slab.id[idx];
    if (!(id > 0)) return undefined;
    const st = slab.state[idx];
    const freed = st === OBJ_FREED || st === OBJ_QUARANTINED;
    return {
      id, family: slab.cache.family, addr: slab.objAddr(idx), size: slab.req[idx], usable: slab.cache.layout.ksize, cache: slab.cache.name,
      gfp: slab.gfp[idx], state: st === OBJ_LIVE ? 'live' : 'freed', owner: slab.owner[idx], span: slab.allocSpan[idx],
      frames: slab.allocFrames[idx] ?? [], task: slab.allocTask[idx], allocNs: slab.allocNs[idx],
      freeNs: freed ? slab.freeNs[idx] : undefined, freeSpan: freed ? slab.freeSpan[idx] : undefined,
      freeFrames: freed ? slab.freeFrames[idx] : undefined, freeTask: freed ? slab.freeTask[idx] : undefined,
    };
  }

  private recordInfo(r: AllocRecord, pfns?: readonly number[]): AllocationInfo {
    return {
      id: r.id, family: r.family, addr: r.addr, size: r.size, usable: r.usable, cache: r.name, gfp: r.gfp, state: r.state, owner: r.owner,
      span: r.span, frames: r.frames, task: r.task, allocNs: r.allocNs, freeNs: r.state === 'freed' ? r.freeNs : undefined,
      freeSpan: r.freeSpan, freeFrames: r.freeFrames, freeTask: r.freeTask,
      pfns: pfns ?? (r.pfn >= 0 ? Array.from({ length: 1 << r.order }, (_, i) => r.pfn + i) : undefined),
    };
  }

  /** The allocation containing `addr` (for the memory map and `%pS`-like descriptions), live or recently freed. */
  lookup(addr: I64): AllocationInfo | undefined {
    const o = this.directOffset(addr);
    if (o >= 0) {
      const pfn = Math.floor(o / PAGE_SIZE);
      const slab = this.slab.slabOf[pfn];
      if (slab) {
        const ref = this.slab.objectAt(o);
        return ref ? this.slotInfo(slab, ref.idx) : undefined;
      }
      const owner = this.pages.owner(pfn);
      if (owner instanceof AllocRecord) return this.recordInfo(owner);
      const area = owner as { record?: AllocRecord; pfns?: number[] } | undefined;
      if (area && area.record) return this.recordInfo(area.record, area.pfns);
      // A freed page block: its record is still in the funnel, keyed by the block's start.
      for (let order = 0; order < MAX_ORDER; order++) {
        const start = PAGE_OFFSET + Math.floor(o / (PAGE_SIZE << order)) * (PAGE_SIZE << order);
        const r = this.acct.records.get(start);
        if (r && r.order === order) return this.recordInfo(r);
      }
      return undefined;
    }
    const area = this.vm.areaAt(addr);
    if (area && area.record) return this.recordInfo(area.record, area.pfns);
    return undefined;
  }

  /** Live allocations made by module code (all modules, or one), in allocation order: kmemleak's view. */
  liveAllocations(owner?: string): AllocationInfo[] {
    const out: AllocationInfo[] = [];
    for (const c of this.slab.caches) {
      if (c.live === 0) continue;
      for (const s of c.slabs) {
        for (let i = 0; i < s.objects; i++) {
          if (s.state[i] !== OBJ_LIVE || !(s.id[i] > 0)) continue;
          if (owner !== undefined ? s.owner[i] !== owner : s.owner[i] === undefined) continue;
          const info = this.slotInfo(s, i);
          if (info) out.push(info);
        }
      }
    }
    for (const area of this.vm.areas()) {
      const r = area.record;
      if (r && r.state === 'live' && r.family === 'vmalloc' && (owner !== undefined ? r.owner === owner : r.owner !== undefined)) out.push(this.recordInfo(r, area.pfns));
    }
    for (const r of this.acct.records.values()) {
      if (r.state !== 'live' || (r.family !== 'kmalloc' && r.family !== 'pages')) continue;
      if (owner !== undefined ? r.owner !== owner : r.owner === undefined) continue;
      out.push(this.recordInfo(r));
    }
    return out.sort((a, b) => a.id - b.id);
  }

  // ---- /proc files ------------------------------------------------------------------------------------------

  /** /proc/slabinfo (newest cache first, as the kernel lists them). */
  slabinfo(): string[] {
    const out = [
      'slabinfo - version: 2.1',
      '# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>',
    ];
    const p = (n: number, w: number): string => String(n).padStart(w);
    for (const c of [...this.slab.caches].reverse()) {
      const L = c.layout;
      const slabs = c.slabs.size;
      out.push(`${c.name.padEnd(17)} ${p(c.activeObjects, 6)} ${p(c.totalObjects, 6)} ${p(L.size, 6)} ${p(L.objects, 4)} ${p(1 << L.order, 4)} : tunables ${p(0, 4)} ${p(0, 4)} ${p(0, 4)} : slabdata ${p(slabs, 6)} ${p(slabs, 6)} ${p(0, 6)}`);
    }
    return out;
  }

  /** /proc/buddyinfo. */
  buddyinfo(): string[] {
    return this.pages.buddyinfo();
  }

  /** /proc/vmallocinfo (raw addresses). */
  vmallocinfo(): string[] {
    return this.vm.vmallocinfo((a) => hex16(a));
  }

  /** The numbers behind /proc/meminfo and `free`, in KiB. */
  memCounts(): MemCounts {
    const kb = (pages: number): number => pages * (PAGE_SIZE / 1024);
    let slabPages = 0;
    let reclaimable = 0;
    for (const c of this.slab.caches) {
      const n = c.slabs.size << c.layout.order;
      slabPages += n;
      if (c.layout.flags & SLAB.RECLAIM_ACCOUNT) reclaimable += n;
    }
    let stacks = 0;
    for (const a of this.vm.areas()) if (a.kind === 'stack') stacks++;
    const free = this.pages.freeFrames;
    return {
      totalKb: kb(this.pages.managedFrames),
      freeKb: kb(free),
      // si_mem_available(): free pages plus the half of reclaimable slab the kernel counts on.
      availableKb: kb(free + Math.floor(reclaimable / 2)),
      slabKb: kb(slabPages),
      sreclaimableKb: kb(reclaimable),
      kernelStackKb: stacks * (THREAD_SIZE / 1024),
      vmallocUsedKb: kb(this.vm.usedPages()),
    };
  }

  /** A /proc/meminfo summary (the shell's /proc/meminfo has every line: kernel/procfiles.ts). */
  meminfo(): string[] {
    const c = this.memCounts();
    const line = (label: string, v: number): string => `${`${label}:`.padEnd(16)}${String(v).padStart(8)} kB`;
    return [
      line('MemTotal', c.totalKb),
      line('MemFree', c.freeKb),
      line('MemAvailable', c.availableKb),
      line('Slab', c.slabKb),
      line('SReclaimable', c.sreclaimableKb),
      line('SUnreclaim', c.slabKb - c.sreclaimableKb),
      line('KernelStack', c.kernelStackKb),
      line('VmallocTotal', 34359738367),
      line('VmallocUsed', c.vmallocUsedKb),
      line('VmallocChunk', 0),
    ];
  }

  /** Everything the memory map draws, as plain JSON. */
  snapshot(): MemorySnapshot {
    const letters = ['.', 'L', 'Q', 'f'];
    const spanPos = (s: Span | undefined): { file?: string; line?: number } => (s ? { file: s.file.name, line: s.file.position(s.start).line } : {});
    return {
      ramBytes: this.mem.size,
      pageSize: PAGE_SIZE,
      zones: this.pages.zones.map((z, i) => ({ name: z.name, startPfn: z.startPfn, endPfn: z.endPfn, managed: z.managed, free: z.free, buddy: this.pages.freeBlocks(i) })),
      frames: this.pages.runs(),
      caches: this.slab.caches.map((c) => ({
        name: c.name, struct: hex16(c.structAddr), objectSize: c.objectSize, slotSize: c.layout.size, objectsPerSlab: c.layout.objects,
        pagesPerSlab: 1 << c.layout.order, active: c.activeObjects, total: c.totalObjects,
        slabs: [...c.slabs].map((s) => ({ pfn: s.pfn, addr: hex16(s.addr), states: Array.from(s.state, (v) => letters[v]).join('') })),
      })),
      vmalloc: this.vm.areas().map((a) => ({
        addr: hex16(a.addr), size: a.size, kind: a.kind, requested: a.requested, pfns: [...a.pfns], caller: `${a.caller.fn}+0x${a.caller.offset.toString(16)}/0x${a.caller.size.toString(16)}`,
      })),
      allocations: this.liveAllocations().map((a) => ({ id: a.id, family: a.family, addr: hex16(a.addr), size: a.size, usable: a.usable, cache: a.cache, owner: a.owner, ...spanPos(a.span) })),
    };
  }

  // ---- the names exports/mm.ts uses (KernelMM) ------------------------------------------------------------

  cacheCreate(name: string, size: number, align: number, flags: number, ctor: I64, site?: Site): I64 {
    return this.kmemCacheCreate(name, size, align, flags, ctor, site);
  }

  cacheAlloc(cache: I64, gfp: number, site?: Site): I64 {
    return this.kmemCacheAlloc(cache, gfp, site);
  }

  cacheFree(cache: I64, ptr: I64, site?: Site): MMReport | undefined {
    return this.kmemCacheFree(cache, ptr, site);
  }

  cacheDestroy(cache: I64, site?: Site): MMReport | undefined {
    return this.kmemCacheDestroy(cache, site);
  }

  isVmalloc(ptr: I64): boolean {
    return this.isVmallocAddr(ptr);
  }

  freePageStruct(page: I64, order: number, site?: Site): MMReport | undefined {
    return this.freePagesStruct(page, order, site);
  }

  /** page_address(): the direct-map address of a struct page, or 0. */
  pageAddress(page: I64): I64 {
    const pfn = this.pfnOfPage(page);
    return pfn < 0 ? 0 : PAGE_OFFSET + pfn * PAGE_SIZE;
  }

  /** virt_to_page(): computed like the kernel does, valid or not (it never faults by itself). */
  virtToPage(addr: I64): I64 {
    const o = this.directOffset(addr);
    if (o >= 0) return this.structPage(Math.floor(o / PAGE_SIZE));
    return sub64(this.structPageFault(addr, KFRAMES.kfree).address, 8);
  }

  /** Build (and send) the KASAN report for a bad access explicitly (the Memory hook does this itself). */
  kasanAccessReport(addr: I64, size: number, write: boolean, shadow: number, frames: readonly Frame[]): MMReport {
    return this.emit(this.reporter.kasanAccess(addr, size, write, shadow, frames, frames[0]?.span));
  }
}
