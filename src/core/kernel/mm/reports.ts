// Report builders for the memory subsystem: KASAN (mm/kasan/report.c, report_generic.c), SLUB
// debugging (mm/slub.c: slab_bug, print_trailer, object_err, check_bytes_and_report), the
// WARN()s of vmalloc/slab_common/page_alloc, failslab's fail_dump and warn_alloc. Wording and
// layout follow Linux 6.1 and the oracle's recorded output; each builder returns an MMReport and
// prints nothing. Text is only built here, when a report happens, never on an allocation path.
//
// The `CPU: ... / Call Trace:` block is not formatted here: the kernel's `dumpStack(frames)` hook
// does it, given complete frame lists (innermost first, starting with dump_stack_lvl).

import type { Span } from '../../source/source';
import type { I64 } from '../../vm/value';
import type { Frame } from '../trace';
import type { FaultInjector } from './accounting';
import { KFRAMES, fmtFrame, traceLines } from './frames';
import {
  KASAN_GRANULE_SIZE, KASAN_VMALLOC_INVALID, PAGE_OFFSET, PAGE_SIZE, STRUCT_PAGE_SIZE, VMEMMAP_START, formatGfp, hex16, kasanBugType,
} from './layout';
import type { Memory } from './memory';
import type { PageAllocator } from './page_alloc';
import { OBJ_FREED, OBJ_LIVE, OBJ_QUARANTINED } from './slab';
import type { KmemCache, Slab, SlabAllocator } from './slab';
import type { MMHooks, MMReport, Site, TaskRef, Warning } from './types';
import type { VmallocSpace } from './vmalloc';

const KASAN_RULER = '==================================================================';
const SLUB_RULER = '=============================================================================';
const SLUB_DASHES = '-----------------------------------------------------------------------------';

/** What the builders read (implemented by MM). */
export interface ReportEnv {
  readonly mem: Memory;
  readonly pages: PageAllocator;
  readonly slab: SlabAllocator;
  readonly vm: VmallocSpace;
  readonly hooks: MMHooks;
  readonly faults: FaultInjector;
  readonly task: TaskRef;
  jiffies(): number;
  framesOf(site: Site | undefined): readonly Frame[];
}

type Related = { span: Span; message: string }[];

/** `%px`: 16 hex digits. */
export function px(a: I64): string {
  return hex16(a);
}

export class Reporter {
  constructor(private readonly env: ReportEnv) {}

  // ---- shared pieces ---------------------------------------------------------------------------

  /** `%p`: hashed unless the kernel provides no hash (then raw). */
  private p(a: I64): string {
    return this.env.hooks.hashPointer?.(a) ?? px(a);
  }

  private tainted(): string {
    return this.env.hooks.tainted?.() ?? 'Tainted: G           OE     ';
  }

  private dump(frames: readonly Frame[]): string[] {
    const d = this.env.hooks.dumpStack;
    if (d) return d(frames);
    return ['Call Trace:', ' <TASK>', ...traceLines(frames), ' </TASK>'];
  }

  private task(): TaskRef {
    return this.env.task;
  }

  /** print_hex_dump(KERN_ERR, prefix, DUMP_PREFIX_ADDRESS, 16, 1, addr, len, true). */
  hexDump(prefix: string, addr: number, len: number): string[] {
    const out: string[] = [];
    const data = this.env.mem.peekBytes(addr, len);
    if (!data) return out;
    for (let i = 0; i < len; i += 16) {
      const row = data.subarray(i, Math.min(len, i + 16));
      let hex = '';
      let ascii = '';
      for (let j = 0; j < row.length; j++) {
        hex += (j ? ' ' : '') + row[j].toString(16).padStart(2, '0');
        ascii += row[j] >= 0x20 && row[j] < 0x7f ? String.fromCharCode(row[j]) : '.';
      }
      out.push(`${prefix}${px(addr + i)}: ${hex.padEnd(49)}${ascii}`);
    }
    return out;
  }

  /** Address of the struct page of a frame (vmemmap). */
  structPage(pfn: number): number {
    return VMEMMAP_START + pfn * STRUCT_PAGE_SIZE;
  }

  /** `%pGp` of a page's flags: `0xfffffc0000200(slab|node=0|zone=1|lastcpupid=0x1fffff)`. */
  pageFlags(pfn: number, slab: boolean, head: boolean): string {
    // Debian 6.1 page->flags: zone at bit 51, last_cpupid (21 bits, all ones = none) at bit 30.
    const zone = this.env.pages.zoneOf(pfn);
    const bits = (BigInt(zone) << 51n) | (0x1fffffn << 30n) | (slab ? 1n << 9n : 0n) | (head ? 1n << 16n : 0n);
    const names = [slab ? 'slab' : '', head ? 'head' : ''].filter(Boolean);
    names.push('node=0', `zone=${zone}`, 'lastcpupid=0x1fffff');
    return `0x${bits.toString(16)}(${names.join('|')})`;
  }

  /** dump_page(page, reason) for the frame holding physical offset `o`. */
  private dumpPage(o: number, reason: string): string[] {
    const pages = this.env.pages;
    const pfn = Math.floor(o / PAGE_SIZE);
    const head = pages.head(pfn);
    const order = head >= 0 ? pages.orderOf(head) : 0;
    const free = pages.isFree(pfn);
    const slab = this.env.slab.slabOf[pfn];
    const compound = order > 0;
    const lines = [`page:${this.p(this.structPage(pfn))} refcount:${free ? 0 : 1} mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x${pfn.toString(16)}`];
    if (compound) lines.push(`head:${this.p(this.structPage(head))} order:${order} compound_mapcount:0 compound_pincount:0`);
    lines.push(`flags: ${this.pageFlags(head >= 0 ? head : pfn, slab !== undefined, compound)}`);
    const flagsWord = this.pageFlags(head >= 0 ? head : pfn, slab !== undefined, compound).replace(/\(.*/, '').slice(2).padStart(16, '0');
    let w: string[];
    if (slab) {
      const fp = slab.nfree > 0 ? slab.objAddr(slab.free[slab.nfree - 1]) : 0;
      const counters = (slab.inuse & 0xffff) + (slab.objects & 0x7fff) * 0x10000 + (slab === slab.cache.cpu ? 0x80000000 : 0);
      w = [flagsWord, '0000000000000000', 'dead000000000122', px(slab.cache.structAddr), px(fp), counters.toString(16).padStart(16, '0'), '00000001ffffffff', '0000000000000000'];
    } else {
      w = [flagsWord, '0000000000000000', 'dead000000000122', '0000000000000000', '0000000000000000', '0000000000000000', free ? '00000000ffffff7f' : '00000001ffffffff', '0000000000000000'];
    }
    lines.push(`raw: ${w.slice(0, 4).join(' ')}`, `raw: ${w.slice(4).join(' ')}`);
    lines.push(`page dumped because: ${reason}`);
    return lines;
  }

  /** The shadow byte KASAN would show for the granule at virtual address `a`. */
  private shadowOf(a: number): number {
    const o = this.env.mem.translate(a);
    if (o < 0) return KASAN_VMALLOC_INVALID;
    return this.env.mem.shadowAt(o);
  }

  /** print_memory_metadata(): five rows of 16 shadow bytes around `addr`, `>` and `^` on its row. */
  private memoryState(addr: number): string[] {
    const rowBytes = 16 * KASAN_GRANULE_SIZE;
    const first = Math.floor(addr / rowBytes) * rowBytes - 2 * rowBytes;
    const out = ['Memory state around the buggy address:'];
    for (let i = 0; i < 5; i++) {
      const row = first + i * rowBytes;
      const cells: string[] = [];
      for (let g = 0; g < 16; g++) cells.push(this.shadowOf(row + g * KASAN_GRANULE_SIZE).toString(16).padStart(2, '0'));
      out.push(`${i === 2 ? '>' : ' '}${px(row)}: ${cells.join(' ')}`);
      if (addr >= row && addr < row + rowBytes) out.push(`${' '.repeat(3 + 16 + Math.floor((addr - row) / KASAN_GRANULE_SIZE) * 3)}^`);
    }
    return out;
  }

  /** Allocated/Freed tracks of a KASAN report (stack depot traces). */
  private kasanTracks(slab: Slab, idx: number): string[] {
    const out: string[] = [];
    const kmalloc = slab.cache.family === 'kmalloc';
    const allocFrames = slab.allocFrames[idx];
    if (slab.id[idx] > 0 && allocFrames) {
      out.push(`Allocated by task ${slab.allocTask[idx]?.pid ?? 0}:`);
      out.push(...traceLines([KFRAMES.kasan_save_stack, KFRAMES.kasan_set_track, kmalloc ? KFRAMES.__kasan_kmalloc : KFRAMES.__kasan_slab_alloc, kmalloc ? KFRAMES.kmalloc_trace : KFRAMES.kmem_cache_alloc, ...allocFrames]));
      out.push('');
    }
    const st = slab.state[idx];
    const freeFrames = slab.freeFrames[idx];
    if ((st === OBJ_QUARANTINED || st === OBJ_FREED) && freeFrames) {
      out.push(`Freed by task ${slab.freeTask[idx]?.pid ?? 0}:`);
      out.push(...traceLines([KFRAMES.kasan_save_stack, KFRAMES.kasan_set_track, KFRAMES.kasan_set_free_info, KFRAMES.____kasan_slab_free, KFRAMES.slab_free_freelist_hook, kmalloc ? KFRAMES.__kmem_cache_free : KFRAMES.kmem_cache_free, ...freeFrames]));
      out.push('');
    }
    return out;
  }

  /** describe_object_addr(). */
  private describeObject(slab: Slab, idx: number, addr: number): string[] {
    const obj = slab.objAddr(idx);
    const size = slab.cache.objectSize;
    let rel: string;
    let bytes: number;
    if (addr < obj) {
      rel = 'to the left';
      bytes = obj - addr;
    } else if (addr >= obj + size) {
      rel = 'to the right';
      bytes = addr - (obj + size);
    } else {
      rel = 'inside';
      bytes = addr - obj;
    }
    return [
      `The buggy address belongs to the object at ${px(obj)}`,
      ` which belongs to the cache ${slab.cache.name} of size ${size}`,
      `The buggy address is located ${bytes} bytes ${rel} of`,
      ` ${size}-byte region [${px(obj)}, ${px(obj + size)})`,
    ];
  }

  /** print_address_description() after the dump_stack it starts with. */
  private addressDescription(addr: number): { lines: string[]; related: Related } {
    const env = this.env;
    const lines: string[] = [];
    const related: Related = [];
    const o = addr - PAGE_OFFSET;
    let pageO = -1;
    if (o >= 0 && o < env.mem.size) {
      pageO = o;
      const slab = env.slab.slabOf[Math.floor(o / PAGE_SIZE)];
      if (slab) {
        const idx = slab.nearest(o);
        lines.push(...this.kasanTracks(slab, idx), ...this.describeObject(slab, idx, addr), '');
        const as = slab.allocSpan[idx];
        const fs = slab.freeSpan[idx];
        if (as) related.push({ span: as, message: `the ${slab.cache.objectSize}-byte object was allocated here` });
        if (fs && slab.state[idx] !== OBJ_LIVE) related.push({ span: fs, message: 'and freed here' });
      }
    } else {
      const area = env.vm.areaAt(addr);
      if (area) {
        lines.push('The buggy address belongs to the virtual mapping at', ` [${px(area.addr)}, ${px(area.addr + area.size)}) created by:`, ` ${fmtFrame(area.caller)}`, '');
        if (area.span) related.push({ span: area.span, message: `the ${area.size - PAGE_SIZE}-byte area was vmalloc'd here` });
        pageO = env.mem.translate(addr);
      }
    }
    if (pageO >= 0) lines.push('The buggy address belongs to the physical page:', ...this.dumpPage(pageO, 'kasan: bad access detected'), '');
    return { lines, related };
  }

  // ---- KASAN ---------------------------------------------------------------------------------

  /** A bad load or store (kasan_report()). `frames` is the running code, innermost first. */
  kasanAccess(addr: I64, size: number, write: boolean, shadow: number, frames: readonly Frame[], span: Span | undefined): MMReport {
    const t = this.task();
    const a = typeof addr === 'number' ? addr : 0;
    // kasan_find_first_bad_addr(): the first granule step of the access whose shadow is not 0.
    let bad = a;
    while (bad < a + size && this.shadowOf(bad) === 0) bad += KASAN_GRANULE_SIZE;
    const type = kasanBugType(shadow);
    const ip = frames[0];
    const headline = `BUG: KASAN: ${type} in ${ip ? fmtFrame(ip) : '0x0'}`;
    const desc = this.addressDescription(bad);
    const lines = [
      KASAN_RULER,
      headline,
      `${write ? 'Write' : 'Read'} of size ${size} at addr ${px(addr)} by task ${t.comm}/${t.pid}`,
      '',
      ...this.dump([KFRAMES.dump_stack_lvl, KFRAMES.print_address_description, KFRAMES.print_report, KFRAMES.kasan_report, ...frames]),
      '',
      ...desc.lines,
      ...this.memoryState(bad),
      KASAN_RULER,
    ];
    return { rule: `kasan-${type}`, source: 'kasan', headline, lines, level: 3, taint: 'B', span, related: desc.related, addr };
  }

  /** kasan_report_invalid_free(): a double free or a free of a pointer that is not an object's start. */
  kasanFree(kind: 'double-free' | 'invalid-free', ptr: number, via: 'kfree' | 'kmem_cache_free', slab: Slab | undefined, _idx: number, site: Site | undefined): MMReport {
    const t = this.task();
    const ipFrame = via === 'kfree' ? KFRAMES.__kmem_cache_free : KFRAMES.kmem_cache_free;
    const headline = `BUG: KASAN: ${kind} in ${fmtFrame(ipFrame)}`;
    const frames = this.env.framesOf(site);
    const desc = this.addressDescription(ptr);
    const inner = slab ? [KFRAMES.kasan_report_invalid_free, KFRAMES.____kasan_slab_free, KFRAMES.slab_free_freelist_hook, ipFrame] : [KFRAMES.kasan_report_invalid_free, KFRAMES.free_large_kmalloc, KFRAMES.kfree];
    const lines = [
      KASAN_RULER,
      headline,
      `Free of addr ${px(ptr)} by task ${t.comm}/${t.pid}`,
      '',
      ...this.dump([KFRAMES.dump_stack_lvl, KFRAMES.print_address_description, KFRAMES.print_report, ...inner, ...frames]),
      '',
      ...desc.lines,
      ...this.memoryState(ptr),
      KASAN_RULER,
    ];
    return { rule: kind, source: 'kasan', headline, lines, level: 3, taint: 'B', span: site?.span, related: desc.related, addr: ptr };
  }

  // ---- SLUB debugging -------------------------------------------------------------------------

  private slabBug(cache: KmemCache, reason: string): string[] {
    return [SLUB_RULER, `BUG ${cache.name} (${this.tainted()}): ${reason}`, SLUB_DASHES, ''];
  }

  private slabInfo(slab: Slab): string {
    const fp = slab.nfree > 0 ? slab.objAddr(slab.free[slab.nfree - 1]) : 0;
    return `Slab 0x${px(this.structPage(slab.pfn))} objects=${slab.objects} used=${slab.inuse} fp=0x${px(fp)} flags=${this.pageFlags(slab.pfn, true, slab.order > 0)}`;
  }

  /** print_tracking(): `Allocated in <caller> age=N cpu=0 pid=P` and its stack, then the same for the free. */
  private tracking(slab: Slab, idx: number): string[] {
    const out: string[] = [];
    const now = this.env.jiffies();
    const af = slab.allocFrames[idx];
    if (slab.id[idx] > 0 && af && af.length > 0) {
      out.push(`Allocated in ${fmtFrame(af[0])} age=${Math.max(0, Math.round(now - slab.allocJiffies[idx]))} cpu=0 pid=${slab.allocTask[idx]?.pid ?? 0}`);
      out.push(...traceLines([slab.cache.family === 'kmalloc' ? KFRAMES.kmalloc_trace : KFRAMES.kmem_cache_alloc, ...af]));
    }
    const ff = slab.freeFrames[idx];
    if (ff && ff.length > 0 && slab.freeTask[idx]) {
      out.push(`Freed in ${fmtFrame(ff[0])} age=${Math.max(0, Math.round(now - slab.freeJiffies[idx]))} cpu=0 pid=${slab.freeTask[idx]?.pid ?? 0}`);
      // The oracle's free tracks start one frame above the caller of kfree().
      out.push(...traceLines(ff.slice(1)));
    }
    return out;
  }

  /** print_trailer() without its dump_stack. */
  private trailer(slab: Slab, idx: number): string[] {
    const L = slab.cache.layout;
    const obj = slab.objAddr(idx);
    const next = slab.state[idx] === OBJ_FREED ? slab.nextFree(idx) : 0;
    const lines = [...this.tracking(slab, idx), this.slabInfo(slab), `Object 0x${px(obj)} @offset=${obj - slab.addr} fp=0x${px(next)}`, ''];
    if (L.redLeft) lines.push(...this.hexDump('Redzone  ', obj - L.redLeft, L.redLeft));
    else if (obj > slab.addr + 16) lines.push(...this.hexDump('Bytes b4 ', obj - 16, 16));
    lines.push(...this.hexDump('Object   ', obj, Math.min(L.objectSize, PAGE_SIZE)));
    if (L.inuse > L.objectSize && L.redLeft) lines.push(...this.hexDump('Redzone  ', obj + L.objectSize, L.inuse - L.objectSize));
    if (L.padEnd > L.padStart) lines.push(...this.hexDump('Padding  ', obj + L.padStart, L.padEnd - L.padStart));
    return lines;
  }

  private slubRelated(slab: Slab, idx: number): Related {
    const r: Related = [];
    const as = slab.allocSpan[idx];
    if (as) r.push({ span: as, message: `the object was allocated here (${slab.cache.name})` });
    const fs = slab.freeSpan[idx];
    if (fs && slab.state[idx] !== OBJ_LIVE) r.push({ span: fs, message: 'and first freed here' });
    return r;
  }

  /** free_consistency_checks(): object_err(..., "Object already free"). */
  slubAlreadyFree(slab: Slab, idx: number, site: Site | undefined): MMReport {
    const c = slab.cache;
    const frames = this.env.framesOf(site);
    const lines = [...this.slabBug(c, 'Object already free'), ...this.trailer(slab, idx), ...this.dump([KFRAMES.dump_stack_lvl, KFRAMES.object_err, KFRAMES.free_to_partial_list_cold, ...frames])];
    return {
      rule: 'double-free', source: 'slub', headline: lines[1], lines, level: 3, taint: 'B',
      after: [`FIX ${c.name}: Object at 0x${px(slab.objAddr(idx))} not freed`], span: site?.span, related: this.slubRelated(slab, idx), addr: slab.objAddr(idx),
    };
  }

  /** free_consistency_checks(): slab_err(..., "Invalid object pointer 0x%p"). */
  slubInvalidPointer(slab: Slab, ptr: number, site: Site | undefined): MMReport {
    const c = slab.cache;
    const frames = this.env.framesOf(site);
    const lines = [...this.slabBug(c, `Invalid object pointer 0x${px(ptr)}`), this.slabInfo(slab), ...this.dump([KFRAMES.dump_stack_lvl, KFRAMES.slab_err, KFRAMES.free_to_partial_list_cold, ...frames])];
    const idx = slab.nearest(ptr - PAGE_OFFSET);
    return { rule: 'invalid-free', source: 'slub', headline: lines[1], lines, level: 3, taint: 'B', span: site?.span, related: this.slubRelated(slab, idx), addr: ptr };
  }

  /** check_bytes_and_report(): `BUG cache (...): Right Redzone overwritten` and the object dump. */
  slubOverwritten(slab: Slab, idx: number, what: string, fault: number, end: number, expected: number, phase: 'alloc' | 'free', site: Site | undefined): MMReport {
    const c = slab.cache;
    const frames = this.env.framesOf(site);
    const b = this.env.mem.bytes;
    const fa = PAGE_OFFSET + fault;
    const ea = PAGE_OFFSET + end - 1;
    const inner = phase === 'free'
      ? [KFRAMES.check_bytes_and_report_cold, KFRAMES.check_object, KFRAMES.free_to_partial_list]
      : [KFRAMES.check_bytes_and_report_cold, KFRAMES.check_object, KFRAMES.alloc_debug_processing, KFRAMES.___slab_alloc, c.family === 'kmalloc' ? KFRAMES.kmalloc_trace : KFRAMES.kmem_cache_alloc];
    const lines = [
      ...this.slabBug(c, `${what} overwritten`),
      `0x${px(fa)}-0x${px(ea)} @offset=${fa - slab.addr}. First byte 0x${b[fault].toString(16)} instead of 0x${expected.toString(16)}`,
      ...this.trailer(slab, idx),
      ...this.dump([KFRAMES.dump_stack_lvl, ...inner, ...frames]),
    ];
    const after = [`FIX ${c.name}: Restoring ${what} 0x${px(fa)}-0x${px(ea)}=0x${expected.toString(16)}`];
    after.push(phase === 'free' ? `FIX ${c.name}: Object at 0x${px(slab.objAddr(idx))} not freed` : `FIX ${c.name}: Marking all objects used`);
    const rule = what.includes('Redzone') ? 'redzone-overwritten' : what.includes('Poison') ? 'use-after-free-write' : 'padding-overwritten';
    return { rule, source: 'slub', headline: lines[1], lines, level: 3, taint: 'B', after, span: site?.span, related: this.slubRelated(slab, idx), addr: fa };
  }

  /** __kmem_cache_shutdown(): `Objects remaining in X on __kmem_cache_shutdown()`, then kmem_cache_destroy's WARN. */
  cacheBusy(cache: KmemCache, live: readonly { slab: Slab; idx: number }[], site: Site | undefined): MMReport {
    const frames = this.env.framesOf(site);
    const lines: string[] = [];
    const bySlab = new Map<Slab, number[]>();
    for (const { slab, idx } of live) bySlab.set(slab, [...(bySlab.get(slab) ?? []), idx]);
    const debug = (cache.layout.flags & 0x10000) !== 0;
    for (const [slab, idxs] of bySlab) {
      lines.push(...this.slabBug(cache, `Objects remaining in ${cache.name} on __kmem_cache_shutdown()`), this.slabInfo(slab));
      lines.push(...this.dump([KFRAMES.dump_stack_lvl, KFRAMES.slab_err, KFRAMES.__kmem_cache_shutdown, KFRAMES.kmem_cache_destroy, ...frames]));
      for (const i of idxs) {
        // slub_debug turns pointer hashing off, so the objects show as raw addresses there.
        const obj = slab.objAddr(i);
        lines.push(`Object 0x${debug ? px(obj) : this.p(obj)} @offset=${obj - slab.addr}`);
        if (debug) lines.push(...this.tracking(slab, i));
      }
    }
    const caller = frames[0] ?? KFRAMES.kmem_cache_destroy;
    const warning: Warning = {
      message: `kmem_cache_destroy ${cache.name}: Slab cache still has objects when called from ${fmtFrame(caller)}`,
      file: 'mm/slab_common.c', line: 494, ip: KFRAMES.kmem_cache_destroy, frames, approximate: true,
    };
    const related: Related = [];
    for (const { slab, idx } of live.slice(0, 8)) {
      const s = slab.allocSpan[idx];
      if (s) related.push({ span: s, message: `object of ${cache.name} allocated here is still live` });
    }
    return { rule: 'cache-busy', source: 'slub', headline: warning.message as string, lines, level: 3, taint: 'B', warning, span: site?.span, related };
  }

  /** cache_from_obj(): `kmem_cache_free: Wrong slab cache. X but object is from Y` (a WARN). */
  wrongCache(given: KmemCache, actual: KmemCache, slab: Slab, idx: number, site: Site | undefined): MMReport {
    const frames = this.env.framesOf(site);
    const message = `kmem_cache_free: Wrong slab cache. ${given.name} but object is from ${actual.name}`;
    const after = (actual.layout.flags & 0x10000) !== 0 ? this.tracking(slab, idx) : [];
    return {
      rule: 'free-mismatch', source: 'warn', headline: message, lines: [], level: 4, after,
      warning: { message, file: 'mm/slab.h', line: 728, ip: KFRAMES.kmem_cache_free, frames, approximate: true },
      span: site?.span, related: this.slubRelated(slab, idx), addr: slab.objAddr(idx),
    };
  }

  /** virt_to_cache(): kmem_cache_free() of something that is not in a slab. */
  notSlab(ptr: I64, site: Site | undefined): MMReport {
    const frames = this.env.framesOf(site);
    const message = 'virt_to_cache: Object is not a Slab page!';
    return {
      rule: 'free-mismatch', source: 'warn', headline: message, lines: [], level: 4,
      warning: { message, file: 'mm/slab.h', line: 680, ip: KFRAMES.kmem_cache_free, frames, approximate: true }, span: site?.span, related: [], addr: ptr,
    };
  }

  /** free_large_kmalloc(): WARN_ON_ONCE(order == 0) and `object pointer: 0x%p` for kfree of a page that no kmalloc returned. */
  freeLarge(ptr: number, site: Site | undefined): MMReport {
    const frames = this.env.framesOf(site);
    const message = `kfree() of ${px(ptr)}, which kmalloc did not return (not in a slab, not a large kmalloc)`;
    return {
      rule: 'invalid-free', source: 'warn', headline: message, lines: [], level: 4, after: [`object pointer: 0x${this.p(ptr)}`],
      warning: { file: 'mm/slab_common.c', line: 985, ip: KFRAMES.free_large_kmalloc, frames: [KFRAMES.kfree, ...frames], approximate: true },
      span: site?.span, related: [], addr: ptr,
    };
  }

  // ---- stock kernel (no debugging) ----------------------------------------------------------------

  /** What a stock kernel does not print, but the editor should still show. */
  silent(rule: string, message: string, ptr: I64, site: Site | undefined): MMReport {
    return { rule, source: 'silent', headline: message, lines: [], level: 4, span: site?.span, related: [], addr: ptr };
  }

  /**
   * A double kfree on a stock kernel. With SLAB_FREELIST_HARDENED, set_freepointer()'s
   * BUG_ON(object == fp) fires when the object is still the freelist head: `kernel BUG at
   * mm/slub.c:419!` (the oracle's bug_double_free.nodebug); otherwise the freelist is silently corrupted.
   */
  hardenedDoubleFree(cache: KmemCache, ptr: number, head: boolean, site: Site | undefined): MMReport {
    if (head) {
      return {
        rule: 'double-free', source: 'slub', headline: 'kernel BUG at mm/slub.c:419!', lines: [], level: 4,
        bug: { file: 'mm/slub.c', line: 419, ip: KFRAMES.__kmem_cache_free }, span: site?.span, related: [], addr: ptr,
      };
    }
    return this.silent('double-free', `double free of an object of ${cache.name} (the stock kernel does not notice; the freelist is now corrupt)`, ptr, site);
  }

  // ---- vmalloc --------------------------------------------------------------------------------------

  /** __vunmap(): the two WARNs of the oracle's bug_vfree_kmalloc. */
  vfreeBad(ptr: I64, kind: 'bad' | 'none', site: Site | undefined): MMReport {
    const frames = this.env.framesOf(site);
    const message = kind === 'bad' ? `Trying to vfree() bad address (${this.p(ptr)})` : `Trying to vfree() nonexistent vm area (${this.p(ptr)})`;
    return {
      rule: 'free-mismatch', source: 'warn', headline: message, lines: [], level: 4,
      warning: kind === 'bad'
        ? { message, file: 'mm/vmalloc.c', line: 2752, ip: KFRAMES.__vunmap_bad, frames }
        : { message, file: 'mm/vmalloc.c', line: 2758, ip: KFRAMES.__vunmap_none, frames },
      span: site?.span, related: [], addr: ptr,
    };
  }

  /** __vmalloc_node_range(): `vmalloc error: size N, exceeds total pages` (warn_alloc). */
  vmallocError(size: number, gfp: number, what: string, site: Site | undefined): MMReport {
    const t = this.task();
    const frames = this.env.framesOf(site);
    const headline = `${t.comm}: vmalloc error: size ${size}, ${what}, mode:${formatGfp(gfp)}, nodemask=(null),cpuset=/,mems_allowed=0`;
    const lines = [headline, ...this.dump([KFRAMES.dump_stack_lvl, KFRAMES.warn_alloc, KFRAMES.__vmalloc_node_range, KFRAMES.vmalloc, ...frames])];
    return { rule: 'alloc-failure', source: 'page_alloc', headline, lines, level: 4, span: site?.span, related: [] };
  }

  /** The WARN_ON_ONCE in __alloc_pages() for order >= MAX_ORDER (kmalloc of more than 4 MiB). */
  orderTooLarge(size: number, site: Site | undefined): MMReport {
    const frames = this.env.framesOf(site);
    const headline = `kmalloc(${size}) asks for more than KMALLOC_MAX_SIZE (4 MiB): __alloc_pages() refuses order >= MAX_ORDER`;
    return {
      rule: 'alloc-failure', source: 'warn', headline, lines: [], level: 4,
      warning: { file: 'mm/page_alloc.c', line: 5525, ip: KFRAMES.__alloc_pages, frames: [KFRAMES.kmalloc_large, ...frames], approximate: true },
      span: site?.span, related: [],
    };
  }

  /** warn_alloc(): `insmod: page allocation failure: order:N, mode:...`. */
  allocFailure(order: number, gfp: number, frames: readonly Frame[], span: Span | undefined): MMReport {
    const t = this.task();
    const headline = `${t.comm}: page allocation failure: order:${order}, mode:${formatGfp(gfp)}, nodemask=(null),cpuset=/,mems_allowed=0`;
    const lines = [headline, ...this.dump([KFRAMES.dump_stack_lvl, KFRAMES.warn_alloc, KFRAMES.__alloc_pages, ...frames])];
    return { rule: 'alloc-failure', source: 'page_alloc', headline, lines, level: 4, span, related: [] };
  }

  // ---- fault injection --------------------------------------------------------------------------------

  /** fail_dump() of lib/fault-inject.c (verbose 2: the message and a stack dump). */
  faultInjected(name: 'failslab' | 'fail_page_alloc', allocator: Frame, site: Site | undefined): MMReport {
    const frames = this.env.framesOf(site);
    const lines = [
      'FAULT_INJECTION: forcing a failure.',
      this.env.faults.describe(name),
      ...this.dump([KFRAMES.dump_stack_lvl, KFRAMES.should_fail, name === 'failslab' ? KFRAMES.should_failslab : KFRAMES.__alloc_pages, allocator, ...frames]),
    ];
    return { rule: 'fault-injection', source: 'fault-inject', headline: lines[0], lines, level: 5, span: site?.span, related: [] };
  }
}

