// SLUB-style slab caches: the kmalloc-8 .. kmalloc-8k families (normal, cg, rcl, dma) and the
// caches modules create with kmem_cache_create. Object layout, slab order and objects per slab are
// computed as 6.1's calculate_sizes()/calculate_order() do (with slub_debug=FZPU the red zones,
// tracking data and padding are laid out byte for byte as the oracle's object dumps show).
//
// Per-object metadata (requested size, allocation and free sites, task, time, id) lives in JS side
// tables of each slab, never in simulated memory; simulated memory holds what the real kernel
// keeps there: the object, SLUB's poison and red zones, and the hardened freelist pointer.
//
// Invariants: a slot is `never` used, `live`, `quarantined` (freed, held back by KASAN so
// use-after-free stays detectable) or `freed` (on the freelist); a slab's `inuse` counts live and
// quarantined slots; the freelist is a LIFO stack of slot indices (the top is allocated next), seeded
// at slab creation in a per-cache random order (CONFIG_SLAB_FREELIST_RANDOM, from the boot seed).
// kmalloc and kfree are O(1) and allocate no JS objects unless a report is built.

import type { Span } from '../../source/source';
import type { I64 } from '../../vm/value';
import type { Frame } from '../trace';
import type { Accounting, FaultInjector } from './accounting';
import {
  KASAN_GRANULE_SIZE, KASAN_PAGE_FREE, KASAN_SLAB_FREE, KASAN_SLAB_FREETRACK, KASAN_SLAB_REDZONE, KMALLOC_MAX_CACHE_SIZE,
  MAX_ORDER, PAGE_OFFSET, PAGE_SHIFT, PAGE_SIZE, POISON_END, POISON_FREE, POISON_INUSE, SLUB_MAX_ORDER, SLUB_RED_ACTIVE,
  SLUB_RED_INACTIVE, SLUB_TRACK_SIZE, __GFP_ACCOUNT, __GFP_DMA, __GFP_NOWARN, __GFP_RECLAIMABLE, __GFP_ZERO, fls, getOrder,
} from './layout';
import type { Rng } from './layout';
import type { Memory } from './memory';
import { FrameUse } from './page_alloc';
import type { PageAllocator } from './page_alloc';
import type { Reporter } from './reports';
import type { Family, MMReport, Site, TaskRef } from './types';

/** kmem_cache_create() flags (include/linux/slab.h). */
export const SLAB = {
  CONSISTENCY_CHECKS: 0x100,
  RED_ZONE: 0x400,
  POISON: 0x800,
  HWCACHE_ALIGN: 0x2000,
  CACHE_DMA: 0x4000,
  CACHE_DMA32: 0x8000,
  STORE_USER: 0x10000,
  RECLAIM_ACCOUNT: 0x20000,
  PANIC: 0x40000,
  TYPESAFE_BY_RCU: 0x80000,
  ACCOUNT: 0x4000000,
} as const;
const DEBUG_FLAGS = SLAB.CONSISTENCY_CHECKS | SLAB.RED_ZONE | SLAB.POISON | SLAB.STORE_USER;

/** Slot states. */
export const OBJ_NEVER = 0;
export const OBJ_LIVE = 1;
export const OBJ_QUARANTINED = 2;
export const OBJ_FREED = 3;

/** Empty slabs a cache keeps before returning pages to the buddy allocator (MIN_PARTIAL). */
const MIN_PARTIAL = 5;

// ---- layout -------------------------------------------------------------------------------------

/** Where everything sits in one slot; offsets are from the object's start unless noted. */
export interface CacheLayout {
  readonly objectSize: number;
  /** Slot size (s->size), the stride between objects. */
  readonly size: number;
  readonly align: number;
  /** Object plus right red zone (s->inuse). */
  readonly inuse: number;
  /** Free pointer offset (s->offset). */
  readonly offset: number;
  /** Left red zone before each object (s->red_left_pad); objects start this far into their slot. */
  readonly redLeft: number;
  /** Start of SLUB's tracking data (get_info_end). */
  readonly infoEnd: number;
  /** Start of the 0x5a padding that print_trailer shows, and its end (size_from_object). */
  readonly padStart: number;
  readonly padEnd: number;
  readonly order: number;
  readonly objects: number;
  readonly flags: number;
  /** Free pointer inside the object (overwrites it on free) rather than after it. */
  readonly fpInside: boolean;
  /** slab_ksize(). */
  readonly ksize: number;
}

function alignUp(x: number, a: number): number {
  return Math.ceil(x / a) * a;
}

/** optimal_redzone() of mm/kasan/generic.c. */
function kasanRedzone(objectSize: number): number {
  return objectSize <= 64 - 16 ? 16 : objectSize <= 128 - 32 ? 32 : objectSize <= 512 - 64 ? 64 : objectSize <= 4096 - 128 ? 128
    : objectSize <= (1 << 14) - 256 ? 256 : objectSize <= (1 << 15) - 512 ? 512 : objectSize <= (1 << 16) - 1024 ? 1024 : 2048;
}

/** calc_slab_order() + calculate_order() of 6.1, for one CPU (min_objects = 4 * (fls(1) + 1) = 8). */
function slabOrder(size: number): number {
  const orderObjects = (order: number): number => Math.floor((PAGE_SIZE << order) / size);
  const calc = (minObjects: number, maxOrder: number, fract: number): number => {
    let order = getOrder(minObjects * size);
    for (; order <= maxOrder; order++) {
      const slabSize = PAGE_SIZE << order;
      if (slabSize % size <= slabSize / fract) break;
    }
    return order;
  };
  let minObjects = Math.min(4 * (fls(1) + 1), orderObjects(SLUB_MAX_ORDER));
  while (minObjects > 1) {
    for (let fraction = 16; fraction >= 4; fraction /= 2) {
      const order = calc(minObjects, SLUB_MAX_ORDER, fraction);
      if (order <= SLUB_MAX_ORDER) return order;
    }
    minObjects--;
  }
  const o1 = calc(1, SLUB_MAX_ORDER, 1);
  if (o1 <= SLUB_MAX_ORDER) return o1;
  return Math.min(calc(1, MAX_ORDER - 1, 1), MAX_ORDER - 1);
}

/** calculate_sizes() of mm/slub.c (6.1), plus kasan_cache_create() when KASAN is on. */
export function calculateLayout(objectSize: number, align: number, flags: number, opts: { kasan: boolean; kmalloc: boolean; ctor: boolean }): CacheLayout {
  let size = alignUp(objectSize, 8);
  const poison = (flags & SLAB.POISON) !== 0 && !opts.ctor && (flags & SLAB.TYPESAFE_BY_RCU) === 0;
  const redzone = (flags & SLAB.RED_ZONE) !== 0;
  const storeUser = (flags & SLAB.STORE_USER) !== 0;
  if (redzone && size === objectSize) size += 8;
  const inuse = size;
  let offset: number;
  let fpInside: boolean;
  if ((flags & (SLAB.TYPESAFE_BY_RCU | SLAB.POISON)) !== 0 || opts.ctor || (redzone && objectSize < 8) || (storeUser && opts.kmalloc)) {
    offset = size;
    size += 8;
    fpInside = false;
  } else {
    offset = Math.floor(objectSize / 2 / 8) * 8;
    fpInside = true;
  }
  const infoEnd = fpInside ? inuse : inuse + 8;
  let padStart = infoEnd;
  if (storeUser) {
    size += 2 * SLUB_TRACK_SIZE;
    padStart += 2 * SLUB_TRACK_SIZE;
    // The original kmalloc request size (orig_size), which the oracle's dumps show as 4 bytes.
    if (opts.kmalloc) {
      size += 4;
      padStart += 4;
    }
  }
  if (opts.kasan) {
    const before = size;
    size += 16; // struct kasan_alloc_meta
    if (opts.ctor || (flags & SLAB.TYPESAFE_BY_RCU) || objectSize < 16) size += 16; // kasan_free_meta outside the object
    size = Math.max(size, objectSize + kasanRedzone(objectSize));
    padStart += size - before;
  }
  let redLeft = 0;
  if (redzone) {
    size += 8;
    redLeft = alignUp(8, align);
    size += redLeft;
  }
  size = alignUp(size, align);
  const order = slabOrder(size);
  const objects = Math.floor((PAGE_SIZE << order) / size);
  const ksize = redzone || poison || opts.kasan ? objectSize : storeUser || (flags & SLAB.TYPESAFE_BY_RCU) ? inuse : size;
  void poison;
  return { objectSize, size, align, inuse, offset, redLeft, infoEnd, padStart, padEnd: size - redLeft, order, objects, flags, fpInside, ksize };
}

// ---- slabs and caches ----------------------------------------------------------------------------

export class Slab {
  readonly addr: number;
  readonly base: number;
  readonly objects: number;
  inuse = 0;
  /** Free slot indices; the top (free[nfree - 1]) is allocated next. */
  readonly free: Int32Array;
  nfree = 0;
  /** Index in the cache's partial list, or -1. */
  pidx = -1;
  /** Taken out of service after a failed consistency check (SLUB's "Marking all objects used"). */
  broken = false;
  readonly state: Uint8Array;
  readonly req: Uint32Array;
  readonly gfp: Uint32Array;
  readonly id: Float64Array;
  readonly allocNs: Float64Array;
  readonly freeNs: Float64Array;
  readonly allocJiffies: Float64Array;
  readonly freeJiffies: Float64Array;
  readonly allocSpan: (Span | undefined)[];
  readonly freeSpan: (Span | undefined)[];
  readonly allocFrames: (readonly Frame[] | undefined)[];
  readonly freeFrames: (readonly Frame[] | undefined)[];
  readonly allocTask: (TaskRef | undefined)[];
  readonly freeTask: (TaskRef | undefined)[];
  readonly owner: (string | undefined)[];

  constructor(readonly cache: KmemCache, readonly pfn: number, readonly order: number) {
    const n = cache.layout.objects;
    this.objects = n;
    this.base = pfn * PAGE_SIZE;
    this.addr = PAGE_OFFSET + this.base;
    this.free = new Int32Array(n);
    this.state = new Uint8Array(n);
    this.req = new Uint32Array(n);
    this.gfp = new Uint32Array(n);
    this.id = new Float64Array(n);
    this.allocNs = new Float64Array(n);
    this.freeNs = new Float64Array(n);
    this.allocJiffies = new Float64Array(n);
    this.freeJiffies = new Float64Array(n);
    this.allocSpan = new Array<Span | undefined>(n).fill(undefined);
    this.freeSpan = new Array<Span | undefined>(n).fill(undefined);
    this.allocFrames = new Array<readonly Frame[] | undefined>(n).fill(undefined);
    this.freeFrames = new Array<readonly Frame[] | undefined>(n).fill(undefined);
    this.allocTask = new Array<TaskRef | undefined>(n).fill(undefined);
    this.freeTask = new Array<TaskRef | undefined>(n).fill(undefined);
    this.owner = new Array<string | undefined>(n).fill(undefined);
  }

  /** Address of slot `i`'s object. */
  objAddr(i: number): number {
    return this.addr + this.cache.layout.redLeft + i * this.cache.layout.size;
  }

  /** Physical offset of slot `i`'s object. */
  objPhys(i: number): number {
    return this.base + this.cache.layout.redLeft + i * this.cache.layout.size;
  }

  /** The slot whose object is nearest to physical offset `o` (nearest_obj()), clamped to the slab. */
  nearest(o: number): number {
    const L = this.cache.layout;
    const i = Math.floor((o - this.base) / L.size);
    return Math.max(0, Math.min(this.objects - 1, i));
  }

  /** Record a new allocation of slot `idx` in the side tables and the funnel. */
  recordAlloc(idx: number, site: Site | undefined, env: SlabEnv, addr: number, req: number, gfp: number): void {
    this.id[idx] = env.acct.alloc(this.cache.family, addr, req, this.cache.name, gfp, site?.span);
    this.allocSpan[idx] = site?.span;
    this.allocFrames[idx] = env.framesOf(site);
    this.allocTask[idx] = env.task;
    this.owner[idx] = env.owner;
    this.allocNs[idx] = env.now();
    this.allocJiffies[idx] = env.jiffies();
    // The free track of the slot's previous object stays, as SLUB's does, until the next free.
  }

  /** The next free object after the top of the freelist (what its free pointer holds), or 0. */
  nextFree(i: number): number {
    for (let k = this.nfree - 1; k > 0; k--) if (this.free[k] === i) return this.objAddr(this.free[k - 1]);
    return 0;
  }
}

export class KmemCache {
  readonly slabs = new Set<Slab>();
  /** Slabs with free slots, other than `cpu`. */
  readonly partial: Slab[] = [];
  /** The slab allocations come from (SLUB's cpu slab). */
  cpu: Slab | undefined = undefined;
  /** Empty slabs on the partial list. */
  emptySlabs = 0;
  live = 0;
  /** Per-cache random sequence for the initial freelist order. */
  readonly randomSeq: Int32Array;
  /** s->random for the hardened freelist pointer, as two 32-bit halves. */
  readonly randomLo: number;
  readonly randomHi: number;
  refcount = 1;
  destroyed = false;

  constructor(
    readonly name: string,
    readonly layout: CacheLayout,
    readonly family: Family,
    /** Address of this cache's struct kmem_cache (what kmem_cache_create returns). */
    public structAddr: number,
    readonly gfpExtra: number,
    readonly ctor: I64 | undefined,
    rng: Rng,
    randomFreelist: boolean,
  ) {
    const n = layout.objects;
    this.randomSeq = new Int32Array(n);
    for (let i = 0; i < n; i++) this.randomSeq[i] = i;
    if (randomFreelist) {
      for (let i = n - 1; i > 0; i--) {
        const j = rng.below(i + 1);
        const t = this.randomSeq[i];
        this.randomSeq[i] = this.randomSeq[j];
        this.randomSeq[j] = t;
      }
    }
    this.randomLo = rng.next();
    this.randomHi = rng.next();
  }

  get objectSize(): number {
    return this.layout.objectSize;
  }

  get totalObjects(): number {
    return this.slabs.size * this.layout.objects;
  }

  get activeObjects(): number {
    let n = 0;
    for (const s of this.slabs) n += s.inuse;
    return n;
  }
}

// ---- the allocator ----------------------------------------------------------------------------------

/** What the slab allocator needs from the rest of the memory subsystem (implemented by MM). */
export interface SlabEnv {
  readonly mem: Memory;
  readonly pages: PageAllocator;
  readonly acct: Accounting;
  readonly faults: FaultInjector;
  readonly rng: Rng;
  readonly kasan: boolean;
  readonly slubDebug: boolean;
  readonly initOnAlloc: boolean;
  readonly randomFreelist: boolean;
  readonly reporter: Reporter;
  readonly task: TaskRef;
  readonly owner: string | undefined;
  now(): number;
  jiffies(): number;
  framesOf(site: Site | undefined): readonly Frame[];
  emit(r: MMReport): MMReport;
  runCtor(ctor: I64, obj: I64): void;
}

const KMALLOC_NAMES = ['', '96', '192', '8', '16', '32', '64', '128', '256', '512', '1k', '2k', '4k', '8k'];
/** size_index[] of mm/slab_common.c: the cache index for sizes 1..192, by (size - 1) / 8. */
const SIZE_INDEX = [3, 4, 5, 5, 6, 6, 6, 6, 1, 1, 1, 1, 7, 7, 7, 7, 2, 2, 2, 2, 2, 2, 2, 2];
/** KMALLOC_NORMAL, KMALLOC_CGROUP, KMALLOC_RECLAIM, KMALLOC_DMA, in the order 6.1 creates them. */
const KMALLOC_PREFIX = ['kmalloc-', 'kmalloc-cg-', 'kmalloc-rcl-', 'dma-kmalloc-'];

/** Result of classifying a pointer handed to a free function. */
export interface SlabObjRef {
  readonly slab: Slab;
  readonly idx: number;
  /** The pointer is exactly an object's start. */
  readonly exact: boolean;
}

export class SlabAllocator {
  /** All caches, in creation order. */
  readonly caches: KmemCache[] = [];
  /** kmalloc caches by [type][index]. */
  readonly kmalloc: KmemCache[][] = [[], [], [], []];
  /** The slab owning each page frame. */
  readonly slabOf: (Slab | undefined)[];
  /** The cache whose struct kmem_cache lives at an address. */
  readonly byStruct = new Map<number, KmemCache>();
  kmemCache: KmemCache | undefined = undefined;
  readonly quarantine: Quarantine;

  constructor(private readonly env: SlabEnv) {
    this.slabOf = new Array<Slab | undefined>(env.pages.nFrames).fill(undefined);
    // QUARANTINE_FRACTION: KASAN keeps up to 1/32 of RAM of freed objects out of circulation.
    this.quarantine = new Quarantine(this, Math.floor(env.mem.size / 32));
  }

  /** Create the boot caches: kmem_cache, kmem_cache_node, and the four kmalloc families. */
  boot(): void {
    const kc = this.newCache('kmem_cache', 256, 64, SLAB.HWCACHE_ALIGN, 'kmem_cache', false, undefined);
    this.kmemCache = kc;
    this.newCache('kmem_cache_node', 64, 64, SLAB.HWCACHE_ALIGN, 'kmem_cache', false, undefined);
    for (let type = 0; type < 4; type++) {
      for (let i = 3; i <= 13; i++) {
        this.kmalloc[type][i] = this.newKmalloc(type, i);
        if (i === 6) this.kmalloc[type][1] = this.newKmalloc(type, 1);
        if (i === 7) this.kmalloc[type][2] = this.newKmalloc(type, 2);
      }
    }
  }

  private newKmalloc(type: number, i: number): KmemCache {
    const size = i === 1 ? 96 : i === 2 ? 192 : 1 << i;
    // create_boot_cache(): power-of-two kmalloc caches are naturally aligned.
    const align = (size & (size - 1)) === 0 ? Math.max(8, size) : 8;
    const flags = type === 2 ? SLAB.RECLAIM_ACCOUNT : type === 3 ? SLAB.CACHE_DMA : type === 1 ? SLAB.ACCOUNT : 0;
    return this.newCache(KMALLOC_PREFIX[type] + KMALLOC_NAMES[i], size, align, flags, 'kmalloc', true, undefined);
  }

  /** The common part of kmem_cache_create and the boot caches. */
  newCache(name: string, size: number, align: number, flags: number, family: Family, kmalloc: boolean, ctor: I64 | undefined): KmemCache {
    if (this.env.slubDebug) flags |= DEBUG_FLAGS;
    if (flags & SLAB.HWCACHE_ALIGN) {
      let ralign = 64;
      while (size <= ralign / 2) ralign /= 2;
      align = Math.max(align, ralign);
    }
    align = alignUp(Math.max(align, 8), 8);
    const layout = calculateLayout(size, align, flags, { kasan: this.env.kasan, kmalloc, ctor: ctor !== undefined && ctor !== 0 });
    const gfpExtra = flags & SLAB.CACHE_DMA ? __GFP_DMA : 0;
    const c = new KmemCache(name, layout, family, 0, gfpExtra, ctor !== 0 ? ctor : undefined, this.env.rng, this.env.randomFreelist);
    // Each cache's struct kmem_cache is an object of the kmem_cache cache (the first one holds itself).
    const holder = this.kmemCache ?? c;
    const addr = this.allocObject(holder, holder.objectSize, 0, undefined, true);
    c.structAddr = addr;
    if (addr) this.byStruct.set(addr, c);
    this.caches.push(c);
    return c;
  }

  /** The kmalloc cache for a request (kmalloc_slab()); undefined above KMALLOC_MAX_CACHE_SIZE. */
  kmallocCache(size: number, gfp: number): KmemCache | undefined {
    if (size > KMALLOC_MAX_CACHE_SIZE || size <= 0) return undefined;
    const index = size <= 192 ? SIZE_INDEX[(size - 1) >> 3] : fls(size - 1);
    const type = (gfp & (__GFP_RECLAIMABLE | __GFP_DMA | __GFP_ACCOUNT)) === 0 ? 0 : gfp & __GFP_DMA ? 3 : gfp & __GFP_RECLAIMABLE ? 2 : 1;
    return this.kmalloc[type][index];
  }

  // ---- allocation ------------------------------------------------------------------------------

  /**
   * Allocate one object of `cache` (`req` bytes asked for). Returns its address, or 0 if the page
   * allocator is out of memory. `internal` allocations (the kernel's own) skip fault injection and
   * tracking.
   */
  allocObject(cache: KmemCache, req: number, gfp: number, site: Site | undefined, internal = false): number {
    const env = this.env;
    for (;;) {
      let slab = cache.cpu;
      if (slab === undefined || slab.nfree === 0 || slab.broken) {
        slab = this.refill(cache, gfp, site, internal);
        if (slab === undefined) return 0;
      }
      const idx = slab.free[--slab.nfree];
      const L = cache.layout;
      const o = slab.objPhys(idx);
      if (env.slubDebug && slab.state[idx] !== OBJ_NEVER) {
        // alloc_consistency_checks(): a freed object must still carry its poison and red zones.
        const bad = this.checkObject(slab, idx, SLUB_RED_INACTIVE, 'alloc', site);
        if (bad) {
          slab.broken = true;
          cache.cpu = undefined;
          continue;
        }
      }
      slab.state[idx] = OBJ_LIVE;
      slab.inuse++;
      cache.live++;
      slab.req[idx] = req;
      slab.gfp[idx] = gfp;
      const mem = env.mem;
      if (env.kasan) {
        mem.unpoison(o, req);
        const end = alignUp(req, KASAN_GRANULE_SIZE);
        if (end < L.objectSize) mem.poison(o + end, L.objectSize - end, KASAN_SLAB_REDZONE);
      }
      if (env.slubDebug) {
        const bytes = mem.bytes;
        if (L.redLeft) bytes.fill(SLUB_RED_ACTIVE, o - L.redLeft, o);
        bytes.fill(SLUB_RED_ACTIVE, o + L.objectSize, o + L.inuse);
      }
      // slab_want_init_on_alloc(): init_on_alloc skips ctor caches, and poisoned (slub_debug=P) or
      // RCU caches are only zeroed for __GFP_ZERO, which is why the oracle's live objects read 6b.
      const poisoned = (L.flags & (SLAB.POISON | SLAB.TYPESAFE_BY_RCU)) !== 0;
      if ((gfp & __GFP_ZERO) !== 0 || (env.initOnAlloc && cache.ctor === undefined && !poisoned)) mem.bytes.fill(0, o, o + L.objectSize);
      const addr = slab.objAddr(idx);
      if (!internal) {
        slab.recordAlloc(idx, site, env, addr, req, gfp);
      } else {
        slab.id[idx] = 0;
        slab.allocFrames[idx] = undefined;
        slab.allocSpan[idx] = undefined;
        slab.owner[idx] = undefined;
        slab.allocTask[idx] = undefined;
      }
      return addr;
    }
  }

  /** Find or make a slab with a free slot and make it the cpu slab. */
  private refill(cache: KmemCache, gfp: number, site: Site | undefined, internal: boolean): Slab | undefined {
    const old = cache.cpu;
    if (old !== undefined && old.nfree > 0 && !old.broken) this.addPartial(cache, old);
    cache.cpu = undefined;
    while (cache.partial.length > 0) {
      const s = cache.partial[cache.partial.length - 1];
      this.removePartial(cache, s);
      if (s.broken || s.nfree === 0) continue;
      cache.cpu = s;
      return s;
    }
    const s = this.newSlab(cache, gfp, site, internal);
    if (s) cache.cpu = s;
    return s;
  }

  private newSlab(cache: KmemCache, gfp: number, site: Site | undefined, internal: boolean): Slab | undefined {
    const env = this.env;
    const L = cache.layout;
    const pfn = env.pages.alloc(L.order, gfp | cache.gfpExtra, FrameUse.slab, undefined);
    if (pfn < 0) {
      if (!internal && (gfp & __GFP_NOWARN) === 0) env.emit(env.reporter.allocFailure(L.order, gfp | cache.gfpExtra, env.framesOf(site), site?.span));
      return undefined;
    }
    const slab = new Slab(cache, pfn, L.order);
    env.pages.retag(pfn, FrameUse.slab, slab);
    for (let i = pfn; i < pfn + (1 << L.order); i++) this.slabOf[i] = slab;
    cache.slabs.add(slab);
    const mem = env.mem;
    const bytes = PAGE_SIZE << L.order;
    // kasan_poison_slab(): nothing in a new slab is accessible until it is allocated.
    mem.poison(slab.base, bytes, KASAN_SLAB_REDZONE);
    if (L.flags & SLAB.POISON) mem.bytes.fill(POISON_INUSE, slab.base, slab.base + bytes);
    for (let i = 0; i < slab.objects; i++) {
      const o = slab.objPhys(i);
      if (env.slubDebug) this.initObject(slab, i, SLUB_RED_INACTIVE);
      if (cache.ctor !== undefined) {
        mem.unpoison(o, L.objectSize);
        env.runCtor(cache.ctor, slab.objAddr(i));
        mem.poison(o, L.objectSize, KASAN_SLAB_REDZONE);
      }
    }
    // shuffle_freelist(): the per-cache random sequence from a random start.
    const n = slab.objects;
    const start = env.randomFreelist ? env.rng.below(n) : 0;
    for (let k = 0; k < n; k++) slab.free[n - 1 - k] = cache.randomSeq[(start + k) % n];
    slab.nfree = n;
    return slab;
  }

  /** init_object(): red zones and poison of a slot (slub_debug). */
  private initObject(slab: Slab, i: number, red: number): void {
    const L = slab.cache.layout;
    const b = this.env.mem.bytes;
    const o = slab.objPhys(i);
    if (L.redLeft) b.fill(red, o - L.redLeft, o);
    if (L.flags & SLAB.POISON && slab.cache.ctor === undefined) {
      b.fill(POISON_FREE, o, o + L.objectSize - 1);
      b[o + L.objectSize - 1] = POISON_END;
    }
    if (L.flags & SLAB.RED_ZONE) b.fill(red, o + L.objectSize, o + L.inuse);
  }

  private addPartial(cache: KmemCache, s: Slab): void {
    if (s.pidx >= 0 || s === cache.cpu) return;
    s.pidx = cache.partial.length;
    cache.partial.push(s);
    if (s.inuse === 0) cache.emptySlabs++;
  }

  private removePartial(cache: KmemCache, s: Slab): void {
    const i = s.pidx;
    if (i < 0) return;
    const last = cache.partial.pop() as Slab;
    if (last !== s) {
      cache.partial[i] = last;
      last.pidx = i;
    }
    s.pidx = -1;
    if (s.inuse === 0) cache.emptySlabs--;
  }

  /** Give a slab's pages back to the buddy allocator. */
  discard(s: Slab): void {
    const cache = s.cache;
    this.removePartial(cache, s);
    if (cache.cpu === s) cache.cpu = undefined;
    cache.slabs.delete(s);
    for (let i = s.pfn; i < s.pfn + (1 << s.order); i++) this.slabOf[i] = undefined;
    this.env.pages.free(s.pfn, s.order);
    this.env.mem.poison(s.base, PAGE_SIZE << s.order, KASAN_PAGE_FREE);
  }

  // ---- free ----------------------------------------------------------------------------------------

  /** Classify a direct-map physical offset: the slab and slot it falls in, if it is in a slab. */
  objectAt(o: number): SlabObjRef | undefined {
    const slab = this.slabOf[Math.floor(o / PAGE_SIZE)];
    if (slab === undefined) return undefined;
    const L = slab.cache.layout;
    const rel = o - slab.base - L.redLeft;
    const idx = Math.floor(rel / L.size);
    const exact = rel >= 0 && rel % L.size === 0 && idx < slab.objects;
    return { slab, idx: exact ? idx : slab.nearest(o), exact };
  }

  /**
   * Free the object at physical offset `o` of `slab` (kfree / kmem_cache_free once the cache is
   * known). Returns the first report made, if any. Order of checks as in 6.1: KASAN's
   * slab_free_hook first, then SLUB's free_debug_processing, then the free itself.
   */
  freeObject(slab: Slab, o: number, ptr: number, site: Site | undefined, via: 'kfree' | 'kmem_cache_free'): MMReport | undefined {
    const env = this.env;
    const cache = slab.cache;
    const L = cache.layout;
    const rel = o - slab.base - L.redLeft;
    const idx = Math.floor(rel / L.size);
    const exact = rel >= 0 && rel % L.size === 0 && idx < slab.objects;
    if (env.kasan) {
      if (!exact) return env.emit(env.reporter.kasanFree('invalid-free', ptr, via, slab, slab.nearest(o), site));
      if (slab.state[idx] !== OBJ_LIVE) return env.emit(env.reporter.kasanFree('double-free', ptr, via, slab, idx, site));
    }
    if (env.slubDebug) {
      if (!exact) return env.emit(env.reporter.slubInvalidPointer(slab, ptr, site));
      if (slab.state[idx] !== OBJ_LIVE) return env.emit(env.reporter.slubAlreadyFree(slab, idx, site));
      const bad = this.checkObject(slab, idx, SLUB_RED_ACTIVE, 'free', site);
      if (bad) return bad;
    } else if (!env.kasan) {
      // A stock kernel checks nothing here: the free corrupts the freelist. Only the hardened
      // freelist's BUG_ON(object == fp) catches freeing the object that is already its head.
      if (!exact) return env.emit(env.reporter.silent('invalid-free', `${via}() of a pointer ${ptr - slab.objAddr(slab.nearest(o))} bytes into an object of ${cache.name} (the stock kernel does not notice; the freelist is now corrupt)`, ptr, site));
      if (slab.state[idx] !== OBJ_LIVE) {
        const head = slab === cache.cpu && slab.nfree > 0 && slab.free[slab.nfree - 1] === idx;
        return env.emit(env.reporter.hardenedDoubleFree(cache, ptr, head, site));
      }
    }
    this.release(slab, idx, site);
    return undefined;
  }

  /** The free proper: the slot leaves the live set, into the quarantine (KASAN) or the freelist. */
  private release(slab: Slab, idx: number, site: Site | undefined): void {
    const env = this.env;
    const cache = slab.cache;
    const L = cache.layout;
    const o = slab.objPhys(idx);
    cache.live--;
    const id = slab.id[idx];
    if (id > 0) {
      slab.freeSpan[idx] = site?.span;
      slab.freeFrames[idx] = env.framesOf(site);
      slab.freeTask[idx] = env.task;
      slab.freeNs[idx] = env.now();
      slab.freeJiffies[idx] = env.jiffies();
      env.acct.free(cache.family, id, slab.objAddr(idx), slab.req[idx], site?.span);
    }
    if (env.slubDebug) this.initObject(slab, idx, SLUB_RED_INACTIVE);
    if (env.kasan) {
      env.mem.poison(o, alignUp(L.objectSize, KASAN_GRANULE_SIZE), KASAN_SLAB_FREE);
      env.mem.shadow[o >>> 3] = KASAN_SLAB_FREETRACK;
      slab.state[idx] = OBJ_QUARANTINED;
      this.quarantine.put(slab, idx, L.size);
    } else {
      slab.state[idx] = OBJ_FREED;
      this.toFreelist(slab, idx);
    }
  }

  /** Free one of the kernel's own objects (boot noise, a cache's struct): no checks, no quarantine. */
  freeInternal(slab: Slab, idx: number): void {
    if (slab.state[idx] !== OBJ_LIVE) return;
    slab.cache.live--;
    if (this.env.slubDebug) this.initObject(slab, idx, SLUB_RED_INACTIVE);
    const L = slab.cache.layout;
    this.env.mem.poison(slab.objPhys(idx), alignUp(L.objectSize, KASAN_GRANULE_SIZE), KASAN_SLAB_FREE);
    this.toFreelist(slab, idx);
  }

  /** Put a slot back on its slab's freelist (after the quarantine, or at once). */
  toFreelist(slab: Slab, idx: number): void {
    const cache = slab.cache;
    slab.state[idx] = OBJ_FREED;
    const wasFull = slab.nfree === 0;
    slab.free[slab.nfree++] = idx;
    slab.inuse--;
    this.writeFreePointer(slab, idx);
    if (slab === cache.cpu || slab.broken) return;
    if (wasFull) this.addPartial(cache, slab);
    else if (slab.inuse === 0 && slab.pidx >= 0) cache.emptySlabs++;
    if (slab.inuse === 0 && cache.emptySlabs > MIN_PARTIAL) this.discard(slab);
  }

  /** Store the hardened freelist pointer (next ^ s->random ^ swab(&fp)) where SLUB keeps it. */
  private writeFreePointer(slab: Slab, idx: number): void {
    const L = slab.cache.layout;
    const fpPhys = slab.objPhys(idx) + L.offset;
    const fpAddr = PAGE_OFFSET + fpPhys;
    const next = slab.nfree > 1 ? slab.objAddr(slab.free[slab.nfree - 2]) : 0;
    // 64-bit XOR done on 32-bit halves so no bigint is needed on the free path.
    const nLo = next >>> 0;
    const nHi = Math.floor(next / 4294967296) | 0;
    const aLo = fpAddr >>> 0;
    const aHi = Math.floor(fpAddr / 4294967296) | 0;
    const v = this.env.mem.view;
    v.setUint32(fpPhys, (nLo ^ slab.cache.randomLo ^ bswap32(aHi)) >>> 0, true);
    v.setUint32(fpPhys + 4, (nHi ^ slab.cache.randomHi ^ bswap32(aLo)) >>> 0, true);
  }

  // ---- SLUB consistency checks ------------------------------------------------------------------------

  /**
   * check_object(): red zones, poison and padding of slot `idx` must hold their patterns. On the
   * first mismatch it reports (BUG ... overwritten), restores the bytes and returns the report.
   */
  checkObject(slab: Slab, idx: number, val: number, phase: 'alloc' | 'free', site: Site | undefined): MMReport | undefined {
    const L = slab.cache.layout;
    const o = slab.objPhys(idx);
    let r: MMReport | undefined;
    if (L.flags & SLAB.RED_ZONE) {
      r = this.checkBytes(slab, idx, 'Left Redzone', o - L.redLeft, val, L.redLeft, phase, site)
        ?? this.checkBytes(slab, idx, 'Right Redzone', o + L.objectSize, val, L.inuse - L.objectSize, phase, site);
      if (r) return r;
    }
    if (L.flags & SLAB.POISON) {
      if (val !== SLUB_RED_ACTIVE && slab.cache.ctor === undefined) {
        r = this.checkBytes(slab, idx, 'Poison', o, POISON_FREE, L.objectSize - 1, phase, site)
          ?? this.checkBytes(slab, idx, 'End Poison', o + L.objectSize - 1, POISON_END, 1, phase, site);
        if (r) return r;
      }
      // check_pad_bytes() repairs the padding but does not fail the check.
      this.checkBytes(slab, idx, 'Object padding', o + L.padStart, POISON_INUSE, L.padEnd - L.padStart, phase, site);
    }
    return undefined;
  }

  /** check_bytes_and_report(): report and restore the first run of bytes that is not `value`. */
  private checkBytes(slab: Slab, idx: number, what: string, start: number, value: number, n: number, phase: 'alloc' | 'free', site: Site | undefined): MMReport | undefined {
    if (n <= 0) return undefined;
    const b = this.env.mem.bytes;
    const end0 = start + n;
    let i = start;
    // Word-sized compares first (the common case is a clean pattern), then byte by byte.
    const word = (value * 0x01010101) >>> 0;
    const v = this.env.mem.view;
    while (i + 4 <= end0 && v.getUint32(i, true) === word) i += 4;
    while (i < end0 && b[i] === value) i++;
    if (i === end0) return undefined;
    const fault = i;
    let end = end0;
    while (end > fault && b[end - 1] === value) end--;
    const r = this.env.emit(this.env.reporter.slubOverwritten(slab, idx, what, fault, end, value, phase, site));
    b.fill(value, fault, end);
    return r;
  }

  // ---- cache teardown ------------------------------------------------------------------------------

  /** kmem_cache_destroy(): the objects still live, or an empty list once the cache is gone. */
  destroy(cache: KmemCache): { live: { slab: Slab; idx: number }[] } {
    this.quarantine.flush(cache);
    const live: { slab: Slab; idx: number }[] = [];
    for (const s of cache.slabs) for (let i = 0; i < s.objects; i++) if (s.state[i] === OBJ_LIVE) live.push({ slab: s, idx: i });
    if (live.length > 0) return { live };
    for (const s of [...cache.slabs]) this.discard(s);
    cache.destroyed = true;
    const i = this.caches.indexOf(cache);
    if (i >= 0) this.caches.splice(i, 1);
    this.byStruct.delete(cache.structAddr);
    // The struct kmem_cache goes back to its cache.
    const o = cache.structAddr - PAGE_OFFSET;
    const ref = this.objectAt(o);
    if (ref && ref.exact) this.freeInternal(ref.slab, ref.idx);
    return { live };
  }
}

function bswap32(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}

/**
 * KASAN's quarantine: freed objects wait here, still poisoned, before their slot can be reused, so
 * a use after free (or a double free) is caught even after later allocations. FIFO, bounded by
 * bytes like QUARANTINE_FRACTION; kept as parallel arrays with a moving head (no per-entry objects).
 */
export class Quarantine {
  private slabs: (Slab | undefined)[] = [];
  private idx: number[] = [];
  private sizes: number[] = [];
  private head = 0;
  bytes = 0;

  constructor(private readonly owner: SlabAllocator, readonly maxBytes: number) {}

  get length(): number {
    return this.slabs.length - this.head;
  }

  put(slab: Slab, idx: number, size: number): void {
    this.slabs.push(slab);
    this.idx.push(idx);
    this.sizes.push(size);
    this.bytes += size;
    while (this.bytes > this.maxBytes && this.head < this.slabs.length) this.releaseOldest();
    if (this.head > 4096 && this.head * 2 > this.slabs.length) this.compact();
  }

  private releaseOldest(): void {
    const h = this.head++;
    const s = this.slabs[h];
    this.bytes -= this.sizes[h];
    this.slabs[h] = undefined;
    if (s !== undefined && s.state[this.idx[h]] === OBJ_QUARANTINED && s.cache.slabs.has(s)) this.owner.toFreelist(s, this.idx[h]);
  }

  private compact(): void {
    this.slabs = this.slabs.slice(this.head);
    this.idx = this.idx.slice(this.head);
    this.sizes = this.sizes.slice(this.head);
    this.head = 0;
  }

  /** kasan_cache_shutdown(): release every quarantined object of `cache` (all caches if undefined). */
  flush(cache?: KmemCache): void {
    for (let i = this.head; i < this.slabs.length; i++) {
      const s = this.slabs[i];
      if (s === undefined || (cache !== undefined && s.cache !== cache)) continue;
      this.slabs[i] = undefined;
      this.bytes -= this.sizes[i];
      if (s.state[this.idx[i]] === OBJ_QUARANTINED && s.cache.slabs.has(s)) this.owner.toFreelist(s, this.idx[i]);
    }
  }
}

/** Bytes of a page block. */
export function blockBytes(order: number): number {
  return 2 ** (order + PAGE_SHIFT);
}

