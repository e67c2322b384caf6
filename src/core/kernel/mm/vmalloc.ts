// The vmalloc area and the module area (mm/vmalloc.c in miniature): virtual ranges made of single
// page frames from the buddy allocator, mapped through the page table, each followed by an
// unmapped guard page. vmalloc, module_alloc and the 16 KiB task stacks (CONFIG_VMAP_STACK) live
// here.
//
// Invariants: areas are kept sorted by address and never overlap (their size includes the guard
// page, as vm_struct.size does); allocation is first-fit from the bottom of the region, like 6.1's
// free-space search; a vfree'd area's pages are unmapped and freed at once but its address range
// stays reserved ("unpurged") until enough has been freed lazily (lazy_max_pages), so a use after
// vfree faults instead of landing in a new area. Freed task stacks are cached for reuse, as
// free_thread_stack() does.

import type { Span } from '../../source/source';
import type { I64 } from '../../vm/value';
import type { Frame } from '../trace';
import type { Accounting, AllocRecord, FaultInjector } from './accounting';
import { KFRAMES, fmtFrame } from './frames';
import {
  KASAN_PAGE_FREE, KASAN_VMALLOC_INVALID, MODULES_END, MODULES_VADDR, PAGE_SIZE, THREAD_SIZE, VMALLOC_END, VMALLOC_START,
  __GFP_NOWARN, __GFP_ZERO, GFP_KERNEL,
} from './layout';
import type { Rng } from './layout';
import type { Memory } from './memory';
import { FrameUse } from './page_alloc';
import type { PageAllocator } from './page_alloc';
import type { Reporter } from './reports';
import type { MMReport, Site, TaskRef } from './types';

export type VmKind = 'vmalloc' | 'module' | 'stack' | 'ioremap';

export class VmArea {
  /** Freed, its range not yet purged. */
  lazy = false;
  record: AllocRecord | undefined = undefined;
  constructor(
    /** Start and size including the guard page (vm_struct.addr/size). */
    readonly addr: number,
    readonly size: number,
    readonly kind: VmKind,
    /** Page frames, one per mapped page (empty for ioremap). */
    readonly pfns: number[],
    /** %pS of the caller, for /proc/vmallocinfo. */
    readonly caller: Frame,
    readonly span: Span | undefined,
    /** Bytes asked for. */
    readonly requested: number,
    /** Physical address of an ioremap. */
    readonly phys = 0,
  ) {}

  get mappedBytes(): number {
    return this.size - PAGE_SIZE;
  }
}

/** A task's kernel stack: the bounds the VM uses and the area. */
export interface KernelStack {
  readonly bottom: number;
  readonly top: number;
  readonly base: I64;
}

export interface VmEnv {
  readonly mem: Memory;
  readonly pages: PageAllocator;
  readonly acct: Accounting;
  readonly faults: FaultInjector;
  readonly reporter: Reporter;
  readonly initOnAlloc: boolean;
  readonly task: TaskRef;
  readonly owner: string | undefined;
  now(): number;
  framesOf(site: Site | undefined): readonly Frame[];
  emit(r: MMReport): MMReport;
}

/** lazy_max_pages() with one CPU: 32 MiB of lazily freed ranges before a purge. */
const LAZY_MAX_PAGES = (32 << 20) / PAGE_SIZE;
/** NR_CACHED_STACKS. */
const CACHED_STACKS = 2;

export class VmallocSpace {
  /** Areas of the vmalloc region, sorted by address (including lazily freed ones). */
  private readonly vmap: VmArea[] = [];
  /** Areas of the module region. */
  private readonly mods: VmArea[] = [];
  private lazyPages = 0;
  private readonly stackCache: VmArea[] = [];
  /** Random module load offset (get_module_load_offset() with KASLR): 1..1024 pages. */
  readonly moduleBase: number;
  private warnedZero = false;

  constructor(private readonly env: VmEnv, rng: Rng) {
    this.moduleBase = MODULES_VADDR + (1 + rng.below(1024)) * PAGE_SIZE;
  }

  /**
   * Boot-time areas: ioremaps at the bottom, then the kernel threads' stacks (20 KiB at 16 KiB
   * alignment, so a 12 KiB hole follows each; all but the first are taken by small boot vmallocs).
   * A module's first small vmalloc thus lands at VMALLOC_START + 0x4d000 and its task stack above
   * 0x630000, as in the oracle's kernel_facts run.
   */
  boot(rng: Rng): void {
    const ioCaller: Frame = { fn: 'acpi_os_map_iomem', offset: 0x1a1, size: 0x1f0 };
    for (let off = 0; off < 0x48000; off += 0x2000) {
      const phys = 0xfebd0000 + rng.below(16) * PAGE_SIZE;
      this.insert(this.vmap, new VmArea(VMALLOC_START + off, 0x2000, 'ioremap', [], ioCaller, undefined, PAGE_SIZE, phys));
    }
    const stackCaller: Frame = { fn: 'kernel_clone', offset: 0x9d, size: 0x3c0 };
    const hashCaller: Frame = { fn: 'alloc_large_system_hash', offset: 0x1d5, size: 0x290 };
    let first = true;
    for (let off = 0x48000; off + 0x8000 <= 0x630000; off += 0x8000) {
      this.bootArea(VMALLOC_START + off, 4, stackCaller, 'stack');
      if (!first) this.bootArea(VMALLOC_START + off + 0x5000, 1, hashCaller, 'vmalloc');
      first = false;
    }
    // One stack for the first task, cached as free_thread_stack() would leave it.
    this.stackFree(this.stackAlloc(THREAD_SIZE));
  }

  private bootArea(addr: number, nPages: number, caller: Frame, kind: VmKind): void {
    const area = new VmArea(addr, (nPages + 1) * PAGE_SIZE, kind, [], caller, undefined, nPages * PAGE_SIZE);
    for (let i = 0; i < nPages; i++) {
      const pfn = this.env.pages.alloc(0, GFP_KERNEL, FrameUse.boot, area);
      if (pfn < 0) break;
      area.pfns.push(pfn);
      this.env.mem.map(Math.floor(addr / PAGE_SIZE) + i, pfn);
    }
    this.insert(this.vmap, area);
  }

  // ---- address space management -------------------------------------------------------------------

  private insert(list: VmArea[], a: VmArea): void {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].addr < a.addr) lo = mid + 1;
      else hi = mid;
    }
    list.splice(lo, 0, a);
  }

  /** First-fit: the lowest `align`-aligned start in [start, end) where `size` bytes are free. */
  private findSpace(list: VmArea[], start: number, end: number, size: number, align: number): number | undefined {
    let cand = Math.ceil(start / align) * align;
    for (const a of list) {
      if (a.addr + a.size <= cand) continue;
      if (cand + size <= a.addr) break;
      cand = Math.ceil((a.addr + a.size) / align) * align;
    }
    return cand + size <= end ? cand : undefined;
  }

  private purgeLazy(): void {
    for (const list of [this.vmap, this.mods]) {
      for (let i = list.length - 1; i >= 0; i--) if (list[i].lazy) list.splice(i, 1);
    }
    this.lazyPages = 0;
  }

  /** Reserve a range in a region, purging lazily freed ranges if it is full (undefined: no room). */
  private reserve(list: VmArea[], start: number, end: number, size: number, align: number): number | undefined {
    let at = this.findSpace(list, start, end, size, align);
    if (at === undefined && this.lazyPages > 0) {
      this.purgeLazy();
      at = this.findSpace(list, start, end, size, align);
    }
    return at;
  }

  /** Allocate and map `n` order-0 frames at `addr`; on failure everything is undone and false returned. */
  private populate(area: VmArea, n: number, gfp: number, use: (typeof FrameUse)[keyof typeof FrameUse]): boolean {
    const { pages, mem } = this.env;
    const vpn0 = Math.floor(area.addr / PAGE_SIZE);
    for (let i = 0; i < n; i++) {
      const pfn = pages.alloc(0, gfp, use, area);
      if (pfn < 0) {
        this.depopulate(area);
        return false;
      }
      area.pfns.push(pfn);
      mem.map(vpn0 + i, pfn);
    }
    return true;
  }

  private depopulate(area: VmArea): void {
    const { pages, mem } = this.env;
    const vpn0 = Math.floor(area.addr / PAGE_SIZE);
    area.pfns.forEach((pfn, i) => {
      mem.unmap(vpn0 + i);
      pages.free(pfn, 0);
      mem.poison(pfn * PAGE_SIZE, PAGE_SIZE, KASAN_PAGE_FREE);
    });
    area.pfns.length = 0;
  }

  /** Zero an area's pages (init_on_alloc / __GFP_ZERO) and set their KASAN shadow. */
  private prepare(area: VmArea, zero: boolean, accessible: number): void {
    const mem = this.env.mem;
    area.pfns.forEach((pfn, i) => {
      const o = pfn * PAGE_SIZE;
      if (zero) mem.bytes.fill(0, o, o + PAGE_SIZE);
      const ok = Math.max(0, Math.min(PAGE_SIZE, accessible - i * PAGE_SIZE));
      mem.unpoison(o, ok);
      // A partial granule is already described by unpoison(); poison from the next granule on.
      const from = Math.ceil(ok / 8) * 8;
      if (from < PAGE_SIZE) mem.poison(o + from, PAGE_SIZE - from, KASAN_VMALLOC_INVALID);
    });
  }

  // ---- vmalloc / vfree --------------------------------------------------------------------------------

  /** vmalloc/vzalloc: returns the address or 0. */
  vmalloc(size: number, gfp: number, site: Site | undefined): number {
    const env = this.env;
    if (!(size > 0)) {
      // __vmalloc_node_range(): WARN_ON_ONCE(!size).
      if (!this.warnedZero && size === 0) {
        this.warnedZero = true;
        env.emit({
          rule: 'alloc-failure', source: 'warn', headline: 'vmalloc(0)', lines: [], level: 4, span: site?.span, related: [],
          warning: { file: 'mm/vmalloc.c', line: 3146, ip: KFRAMES.__vmalloc_node_range, frames: [KFRAMES.vmalloc, ...env.framesOf(site)], approximate: true },
        });
      }
      return 0;
    }
    const nPages = Math.ceil(size / PAGE_SIZE);
    if (nPages > env.pages.managedFrames) {
      if (!(gfp & __GFP_NOWARN)) env.emit(env.reporter.vmallocError(size, gfp, 'exceeds total pages', site));
      return 0;
    }
    if (env.faults.active && env.faults.shouldFail()) {
      if (!(gfp & __GFP_NOWARN)) env.emit(env.reporter.faultInjected('failslab', KFRAMES.__vmalloc_node_range, site));
      return 0;
    }
    const bytes = (nPages + 1) * PAGE_SIZE;
    const at = this.reserve(this.vmap, VMALLOC_START, VMALLOC_END + 1, bytes, PAGE_SIZE);
    if (at === undefined) {
      if (!(gfp & __GFP_NOWARN)) env.emit(env.reporter.vmallocError(size, gfp, 'vm_struct allocation failed', site));
      return 0;
    }
    const frames = env.framesOf(site);
    const area = new VmArea(at, bytes, 'vmalloc', [], frames[0] ?? KFRAMES.vmalloc, site?.span, size);
    if (!this.populate(area, nPages, gfp, FrameUse.vmalloc)) {
      if (!(gfp & __GFP_NOWARN)) env.emit(env.reporter.vmallocError(size, gfp, 'failed to allocate pages', site));
      return 0;
    }
    this.insert(this.vmap, area);
    this.prepare(area, env.initOnAlloc || (gfp & __GFP_ZERO) !== 0, size);
    area.record = env.acct.record('vmalloc', at, size, nPages * PAGE_SIZE, 'vmalloc', gfp, site?.span, frames, env.task, env.owner, env.now(), -1, -1);
    return at;
  }

  /** vfree: undefined when fine (or NULL), else the WARN report of __vunmap(). */
  vfree(ptr: I64, site: Site | undefined): MMReport | undefined {
    const env = this.env;
    if (ptr === 0) return undefined;
    if (typeof ptr !== 'number' || ptr % PAGE_SIZE !== 0) return env.emit(env.reporter.vfreeBad(ptr, 'bad', site));
    const area = this.exact(this.vmap, ptr) ?? this.exact(this.mods, ptr);
    if (!area || area.lazy || area.kind === 'ioremap') return env.emit(env.reporter.vfreeBad(ptr, 'none', site));
    this.release(area, site);
    return undefined;
  }

  private exact(list: VmArea[], addr: number): VmArea | undefined {
    const a = this.find(list, addr);
    return a && a.addr === addr ? a : undefined;
  }

  private find(list: VmArea[], addr: number): VmArea | undefined {
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const a = list[mid];
      if (addr < a.addr) hi = mid - 1;
      else if (addr >= a.addr + a.size) lo = mid + 1;
      else return a;
    }
    return undefined;
  }

  private release(area: VmArea, site: Site | undefined): void {
    const env = this.env;
    this.depopulate(area);
    area.lazy = true;
    this.lazyPages += area.size / PAGE_SIZE;
    if (area.record) env.acct.release(area.record, site?.span, env.framesOf(site), env.task, env.now());
    if (this.lazyPages > LAZY_MAX_PAGES) this.purgeLazy();
  }

  // ---- module area ----------------------------------------------------------------------------------

  /** module_alloc(): zeroed pages in the module area for a module's code and data. */
  moduleAlloc(size: number, name: string, site?: Site): number {
    const env = this.env;
    const nPages = Math.max(1, Math.ceil(size / PAGE_SIZE));
    const bytes = (nPages + 1) * PAGE_SIZE;
    const at = this.reserve(this.mods, this.moduleBase, MODULES_END, bytes, PAGE_SIZE);
    if (at === undefined) return 0;
    const caller: Frame = { fn: 'load_module', offset: 0x1e5e, size: 0x2630 };
    const area = new VmArea(at, bytes, 'module', [], caller, site?.span, size);
    if (!this.populate(area, nPages, GFP_KERNEL, FrameUse.module)) return 0;
    this.insert(this.mods, area);
    this.prepare(area, true, nPages * PAGE_SIZE);
    area.record = env.acct.record('module', at, size, nPages * PAGE_SIZE, name, GFP_KERNEL, site?.span, env.framesOf(site), env.task, name, env.now());
    return at;
  }

  moduleFree(base: I64): void {
    if (typeof base !== 'number') return;
    const area = this.exact(this.mods, base);
    if (area && !area.lazy) this.release(area, undefined);
  }

  // ---- task stacks ----------------------------------------------------------------------------------

  /**
   * A THREAD_SIZE kernel stack in the vmalloc area, THREAD_SIZE-aligned, with a guard page. Its
   * pages are one physically contiguous block so the memory fast window covers the whole stack.
   */
  stackAlloc(bytes = THREAD_SIZE): KernelStack {
    const env = this.env;
    const nPages = Math.max(1, Math.ceil(bytes / PAGE_SIZE));
    let area = this.stackCache.length > 0 && this.stackCache[this.stackCache.length - 1].mappedBytes === nPages * PAGE_SIZE ? this.stackCache.pop() : undefined;
    if (area) {
      env.mem.bytes.fill(0, area.pfns[0] * PAGE_SIZE, area.pfns[0] * PAGE_SIZE + nPages * PAGE_SIZE);
    } else {
      const order = Math.ceil(Math.log2(nPages));
      const at = this.reserve(this.vmap, VMALLOC_START, VMALLOC_END + 1, (nPages + 1) * PAGE_SIZE, Math.max(PAGE_SIZE, 2 ** order * PAGE_SIZE));
      const head = at === undefined ? -1 : env.pages.alloc(order, GFP_KERNEL, FrameUse.stack, undefined);
      // Stacks are only allocated between tasks and one is always cached from boot, so this cannot
      // happen while a single module runs; it would be a bug in Kernel Module Lab.
      if (at === undefined || head < 0) throw new Error('internal: out of memory for a kernel stack');
      const caller: Frame = { fn: 'kernel_clone', offset: 0x9d, size: 0x3c0 };
      area = new VmArea(at, (nPages + 1) * PAGE_SIZE, 'stack', [], caller, undefined, nPages * PAGE_SIZE);
      env.pages.retag(head, FrameUse.stack, area);
      for (let i = 0; i < nPages; i++) {
        area.pfns.push(head + i);
        env.mem.map(Math.floor(at / PAGE_SIZE) + i, head + i);
      }
      this.insert(this.vmap, area);
      this.prepare(area, true, nPages * PAGE_SIZE);
      area.record = env.acct.record('stack', at, nPages * PAGE_SIZE, nPages * PAGE_SIZE, 'stack', GFP_KERNEL, undefined, [], env.task, undefined, env.now(), head, order);
    }
    env.mem.addWindow(area.addr, nPages * PAGE_SIZE, area.pfns[0] * PAGE_SIZE);
    return { bottom: area.addr, top: area.addr + nPages * PAGE_SIZE, base: area.addr };
  }

  stackFree(stack: KernelStack): void {
    const area = typeof stack.base === 'number' ? this.exact(this.vmap, stack.base) : undefined;
    if (!area || area.kind !== 'stack') return;
    this.env.mem.removeWindow(area.addr);
    if (this.stackCache.length < CACHED_STACKS) this.stackCache.push(area);
  }

  // ---- queries --------------------------------------------------------------------------------------

  /** find_vm_area(): the area (guard page included) containing `addr`, live or lazily freed. */
  areaAt(addr: I64): VmArea | undefined {
    if (typeof addr !== 'number') return undefined;
    return addr >= MODULES_VADDR ? this.find(this.mods, addr) : this.find(this.vmap, addr);
  }

  isVmallocAddr(addr: I64): boolean {
    return typeof addr === 'number' && addr >= VMALLOC_START && addr < VMALLOC_END;
  }

  /** The frame behind a vmalloc/module address, or -1. */
  toPfn(addr: I64): number {
    if (typeof addr !== 'number') return -1;
    return this.env.mem.mapped(Math.floor(addr / PAGE_SIZE));
  }

  /** Live areas of both regions (the memory map). */
  areas(): VmArea[] {
    return [...this.vmap, ...this.mods].filter((a) => !a.lazy);
  }

  /** Pages mapped by live vmalloc-region areas (VmallocUsed). */
  usedPages(): number {
    let n = 0;
    for (const a of this.vmap) if (!a.lazy) n += a.pfns.length;
    for (const a of this.mods) if (!a.lazy) n += a.pfns.length;
    return n;
  }

  /** /proc/vmallocinfo (addresses raw, as root with kptr_restrict=0 and no_hash_pointers would show them). */
  vmallocinfo(fmtAddr: (a: number) => string): string[] {
    const out: string[] = [];
    const live = [...this.vmap, ...this.mods].filter((a) => !a.lazy);
    for (const a of live) {
      let line = `0x${fmtAddr(a.addr)}-0x${fmtAddr(a.addr + a.size)} ${String(a.size).padStart(7)} ${fmtFrame(a.caller)}`;
      if (a.pfns.length) line += ` pages=${a.pfns.length}`;
      if (a.kind === 'ioremap') line += ` phys=0x${a.phys.toString(16).padStart(16, '0')} ioremap`;
      else line += ' vmalloc';
      if (a.pfns.length) line += ` N0=${a.pfns.length}`;
      out.push(line);
    }
    for (const a of [...this.vmap, ...this.mods].filter((x) => x.lazy)) {
      out.push(`0x${fmtAddr(a.addr)}-0x${fmtAddr(a.addr + a.size)} ${String(a.size).padStart(7)} unpurged vm_area`);
    }
    return out;
  }
}
