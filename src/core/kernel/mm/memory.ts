// Physical RAM and the kernel's virtual address space, as the interpreter sees it.
//
// RAM is one ArrayBuffer. The direct map (PAGE_OFFSET + physical offset) needs no lookup; every
// other kernel address (vmalloc area, task stacks, module area) goes through a page table that maps
// a virtual page number to a page frame. The accessors ld8..st64 are the interpreter's hottest
// code: each fast path is a typeof test, one subtraction, a bounds test, a KASAN shadow test and a
// DataView call, small enough for V8 to inline; anything unusual (bigint or unmapped addresses, the
// page table, page-crossing accesses, poisoned shadow) goes to a slow-path method.
//
// Invariants: the shadow (one byte per 8-byte granule of RAM, generic-KASAN encoding) is written
// only while `kasan` is on, so with KASAN off the shadow test always passes. A bad access calls
// `onBadAccess` and then proceeds, as KASAN does. An unmapped, NULL-page or non-canonical address
// throws a `PageFault`: the only exception thrown here, caught by the kernel and turned into an Oops.

import type { I64 } from '../../vm/value';
import type { Frame } from '../trace';
import { CANONICAL_KERNEL_START, KASAN_GRANULE_SIZE, PAGE_OFFSET, PAGE_SIZE, USER_END } from './layout';

export type FaultKind = 'null' | 'not-present' | 'non-canonical';

/** An access the MMU refused. Thrown by Memory (and kfree of a non-kernel pointer); the kernel turns it into an Oops. */
export class PageFault {
  constructor(
    readonly address: I64,
    readonly write: boolean,
    readonly kind: FaultKind,
    /** The kernel function that faulted (`kfree+0x4b/0x110`), when it was not the student's code. */
    readonly ip?: Frame,
  ) {}
}

/** Why an address faults, without accessing it. */
export function faultKind(a: I64): FaultKind {
  if (typeof a !== 'number' || a < CANONICAL_KERNEL_START || a >= USER_END) return 'non-canonical';
  return a >= 0 && a < PAGE_SIZE ? 'null' : 'not-present';
}

const TWO32 = 4294967296;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

export interface MemoryOptions {
  /** Bytes of RAM (a multiple of the page size). */
  readonly ramBytes: number;
  readonly kasan?: boolean;
}

export class Memory {
  /** Bytes of RAM. */
  readonly size: number;
  readonly buffer: ArrayBuffer;
  readonly bytes: Uint8Array;
  readonly view: DataView;
  /** Generic KASAN shadow: one byte per 8 bytes of RAM (0 = accessible, 1..7 partial, >= 0x80 poisoned). */
  readonly shadow: Uint8Array;
  /** Report bad accesses (and maintain the shadow). */
  readonly kasan: boolean;
  /** Like current->kasan_depth: while > 0 bad accesses are not reported (the kernel's own metadata accesses). */
  kasanDepth = 0;
  /** Called on a bad access before it proceeds; the kernel prints the KASAN report. */
  onBadAccess: ((addr: I64, size: number, write: boolean, shadow: number) => void) | undefined = undefined;

  private readonly lim2: number;
  private readonly lim4: number;
  private readonly lim8: number;
  /** Page table of the non-direct-map kernel regions: virtual page number -> page frame number. */
  private readonly pte = new Map<number, number>();
  /** One-entry TLB in front of `pte`. */
  private tlbVpn = NaN;
  private tlbBase = 0;
  /**
   * The last translated page outside the direct map (a vmalloc page or a stack page), checked in
   * the accessors' fast path so byte loops over vmalloc buffers and stack arrays skip the slow path:
   * virtual start of the page and its physical offset. NaN when invalid.
   */
  private lastStart = NaN;
  private lastPhys = 0;
  /** Physically contiguous mappings (task stacks), checked before the page table: [start, end, phys]*. */
  private readonly wins: number[] = [];
  /** Side output of `xlate`: bytes physically contiguous from the translated address. */
  private run = 0;

  constructor(opts: MemoryOptions) {
    this.size = opts.ramBytes;
    this.buffer = new ArrayBuffer(this.size);
    this.bytes = new Uint8Array(this.buffer);
    this.view = new DataView(this.buffer);
    this.shadow = new Uint8Array(Math.ceil(this.size / KASAN_GRANULE_SIZE));
    this.kasan = opts.kasan ?? false;
    this.lim2 = this.size - 1;
    this.lim4 = this.size - 3;
    this.lim8 = this.size - 7;
  }

  // ---- fast paths ------------------------------------------------------------------------------

  ld8(a: I64): number {
    if (typeof a === 'number') {
      const o = a - PAGE_OFFSET;
      if (o >= 0 && o < this.size) {
        if (this.shadow[o >>> 3] === 0) return this.bytes[o];
      } else {
        const d = a - this.lastStart;
        if (d >= 0 && d < PAGE_SIZE) {
          const p = this.lastPhys + d;
          if (this.shadow[p >>> 3] === 0) return this.bytes[p];
        }
      }
    }
    return this.ldSlow(a, 1) as number;
  }

  ld8s(a: I64): number {
    return (this.ld8(a) << 24) >> 24;
  }

  ld16(a: I64): number {
    if (typeof a === 'number') {
      const o = a - PAGE_OFFSET;
      if (o >= 0 && o < this.lim2 && (this.shadow[o >>> 3] | this.shadow[(o + 1) >>> 3]) === 0) return this.view.getUint16(o, true);
    }
    return this.ldSlow(a, 2) as number;
  }

  ld16s(a: I64): number {
    return (this.ld16(a) << 16) >> 16;
  }

  ld32(a: I64): number {
    if (typeof a === 'number') {
      const o = a - PAGE_OFFSET;
      if (o >= 0 && o < this.lim4) {
        if ((this.shadow[o >>> 3] | this.shadow[(o + 3) >>> 3]) === 0) return this.view.getUint32(o, true);
      } else {
        const d = a - this.lastStart;
        if (d >= 0 && d <= PAGE_SIZE - 4) {
          const p = this.lastPhys + d;
          if ((this.shadow[p >>> 3] | this.shadow[(p + 3) >>> 3]) === 0) return this.view.getUint32(p, true);
        }
      }
    }
    return this.ldSlow(a, 4) as number;
  }

  ld32s(a: I64): number {
    return this.ld32(a) | 0;
  }

  ld64(a: I64): I64 {
    if (typeof a === 'number') {
      const o = a - PAGE_OFFSET;
      if (o >= 0 && o < this.lim8 && (this.shadow[o >>> 3] | this.shadow[(o + 7) >>> 3]) === 0) {
        const lo = this.view.getUint32(o, true);
        const hi = this.view.getInt32(o + 4, true);
        const v = hi * TWO32 + lo;
        if (v >= -MAX_SAFE && v <= MAX_SAFE) return v;
        return this.view.getBigInt64(o, true);
      }
    }
    return this.ldSlow(a, 8);
  }

  st8(a: I64, v: number): void {
    if (typeof a === 'number') {
      const o = a - PAGE_OFFSET;
      if (o >= 0 && o < this.size) {
        if (this.shadow[o >>> 3] === 0) {
          this.bytes[o] = v;
          return;
        }
      } else {
        const d = a - this.lastStart;
        if (d >= 0 && d < PAGE_SIZE) {
          const p = this.lastPhys + d;
          if (this.shadow[p >>> 3] === 0) {
            this.bytes[p] = v;
            return;
          }
        }
      }
    }
    this.stSlow(a, 1, v);
  }

  st16(a: I64, v: number): void {
    if (typeof a === 'number') {
      const o = a - PAGE_OFFSET;
      if (o >= 0 && o < this.lim2 && (this.shadow[o >>> 3] | this.shadow[(o + 1) >>> 3]) === 0) {
        this.view.setUint16(o, v, true);
        return;
      }
    }
    this.stSlow(a, 2, v);
  }

  st32(a: I64, v: number): void {
    if (typeof a === 'number') {
      const o = a - PAGE_OFFSET;
      if (o >= 0 && o < this.lim4) {
        if ((this.shadow[o >>> 3] | this.shadow[(o + 3) >>> 3]) === 0) {
          this.view.setUint32(o, v, true);
          return;
        }
      } else {
        const d = a - this.lastStart;
        if (d >= 0 && d <= PAGE_SIZE - 4) {
          const p = this.lastPhys + d;
          if ((this.shadow[p >>> 3] | this.shadow[(p + 3) >>> 3]) === 0) {
            this.view.setUint32(p, v, true);
            return;
          }
        }
      }
    }
    this.stSlow(a, 4, v);
  }

  st64(a: I64, v: I64): void {
    if (typeof a === 'number') {
      const o = a - PAGE_OFFSET;
      if (o >= 0 && o < this.lim8 && (this.shadow[o >>> 3] | this.shadow[(o + 7) >>> 3]) === 0) {
        if (typeof v === 'number') {
          this.view.setUint32(o, v >>> 0, true);
          this.view.setInt32(o + 4, Math.floor(v / TWO32), true);
        } else {
          // A wide value (a hash, LIST_POISON1): a bigint I64 is in the int64 range.
          this.view.setBigInt64(o, v, true);
        }
        return;
      }
    }
    this.stSlow(a, 8, v);
  }

  // ---- slow paths ------------------------------------------------------------------------------

  /** Physical offset of `a` for an access of `size` bytes (KASAN-checked), or -1 if it crosses into a non-contiguous page. */
  private phys(a: I64, size: number, write: boolean): number {
    if (typeof a !== 'number') throw new PageFault(a, write, 'non-canonical');
    const o = this.xlate(a, write);
    if (this.run < size) return -1;
    if (this.kasan) this.check(a, o, size, write);
    return o;
  }

  private ldSlow(a: I64, size: number): I64 {
    const o = this.phys(a, size, false);
    if (o < 0) {
      // The access straddles two pages that are not physically adjacent: assemble it byte by byte.
      const base = a as number;
      if (size === 8) {
        let lo = 0;
        let hi = 0;
        for (let i = 3; i >= 0; i--) lo = lo * 256 + this.ld8(base + i);
        for (let i = 7; i >= 4; i--) hi = hi * 256 + this.ld8(base + i);
        return this.join(lo, hi | 0);
      }
      let v = 0;
      for (let i = size - 1; i >= 0; i--) v = v * 256 + this.ld8(base + i);
      return v;
    }
    switch (size) {
      case 1: return this.bytes[o];
      case 2: return this.view.getUint16(o, true);
      case 4: return this.view.getUint32(o, true);
      default: return this.join(this.view.getUint32(o, true), this.view.getInt32(o + 4, true));
    }
  }

  private join(lo: number, hi: number): I64 {
    const v = hi * TWO32 + lo;
    if (v >= -MAX_SAFE && v <= MAX_SAFE) return v;
    return (BigInt(hi) << 32n) | BigInt(lo >>> 0);
  }

  private stSlow(a: I64, size: number, v: I64): void {
    let lo: number;
    let hi: number;
    if (typeof v === 'number') {
      lo = v >>> 0;
      hi = size === 8 ? Math.floor(v / TWO32) | 0 : 0;
    } else {
      lo = Number(BigInt.asUintN(32, v));
      hi = Number(BigInt.asIntN(32, v >> 32n));
    }
    const o = this.phys(a, size, true);
    if (o < 0) {
      const base = a as number;
      for (let i = 0; i < size; i++) this.st8(base + i, i < 4 ? (lo >>> (8 * i)) & 0xff : (hi >>> (8 * (i - 4))) & 0xff);
      return;
    }
    switch (size) {
      case 1: this.bytes[o] = lo; break;
      case 2: this.view.setUint16(o, lo, true); break;
      case 4: this.view.setUint32(o, lo, true); break;
      default:
        this.view.setUint32(o, lo, true);
        this.view.setInt32(o + 4, hi, true);
    }
  }

  /** Translate a number address to a physical offset, setting `run`; throws PageFault if unmapped. */
  private xlate(a: number, write: boolean): number {
    const o = a - PAGE_OFFSET;
    if (o >= 0 && o < this.size) {
      this.run = this.size - o;
      return o;
    }
    const w = this.wins;
    for (let i = 0; i < w.length; i += 3) {
      if (a >= w[i] && a < w[i + 1]) {
        this.run = w[i + 1] - a;
        const page = Math.floor(a / PAGE_SIZE) * PAGE_SIZE;
        if (page >= w[i] && page + PAGE_SIZE <= w[i + 1]) {
          this.lastStart = page;
          this.lastPhys = w[i + 2] + (page - w[i]);
        }
        return w[i + 2] + (a - w[i]);
      }
    }
    if (a < 0 && a >= CANONICAL_KERNEL_START) {
      const vpn = Math.floor(a / PAGE_SIZE);
      let base: number;
      if (vpn === this.tlbVpn) {
        base = this.tlbBase;
      } else {
        const pfn = this.pte.get(vpn);
        if (pfn === undefined) throw new PageFault(a, write, 'not-present');
        base = pfn * PAGE_SIZE;
        this.tlbVpn = vpn;
        this.tlbBase = base;
      }
      this.lastStart = vpn * PAGE_SIZE;
      this.lastPhys = base;
      const off = a - vpn * PAGE_SIZE;
      this.run = PAGE_SIZE - off;
      return base + off;
    }
    throw new PageFault(a, write, faultKind(a));
  }

  /** KASAN: is every byte of [o, o+size) accessible? If not, report (once) and let the access proceed. */
  private check(a: number, o: number, size: number, write: boolean): void {
    const sh = this.shadow;
    const last = o + size - 1;
    for (let g = o >>> 3; g <= last >>> 3; g++) {
      const s = sh[g];
      if (s === 0) continue;
      // A partial granule (1..7) makes only its first s bytes accessible.
      const hiByte = Math.min(last, g * 8 + 7) - g * 8;
      if (s < KASAN_GRANULE_SIZE && hiByte < s) continue;
      if (this.kasanDepth === 0 && this.onBadAccess) {
        // As get_shadow_bug_type(): a partial granule is described by the granule after it.
        const code = s < KASAN_GRANULE_SIZE ? (g + 1 < sh.length ? sh[g + 1] : s) : s;
        this.kasanDepth++;
        try {
          this.onBadAccess(a, size, write, code);
        } finally {
          this.kasanDepth--;
        }
      }
      return;
    }
  }

  /** KASAN check of a bulk access (memcpy, memset, string reads) of [a, a+n). */
  private checkRange(a: number, n: number, write: boolean): void {
    let done = 0;
    while (done < n) {
      const o = this.xlate(a + done, write);
      const len = Math.min(this.run, n - done);
      this.check(a + done, o, len, write);
      done += len;
    }
  }

  // ---- bulk access -----------------------------------------------------------------------------

  /** Copy n bytes out of kernel memory (KASAN-checked; throws PageFault). */
  readBytes(a: I64, n: number): Uint8Array {
    const out = new Uint8Array(Math.max(0, n));
    if (n <= 0) return out;
    if (typeof a !== 'number') throw new PageFault(a, false, 'non-canonical');
    if (this.kasan) this.checkRange(a, n, false);
    let done = 0;
    while (done < n) {
      const o = this.xlate(a + done, false);
      const len = Math.min(this.run, n - done);
      out.set(this.bytes.subarray(o, o + len), done);
      done += len;
    }
    return out;
  }

  /** Like readBytes, but unchecked and non-faulting (the kernel's own dumps): null if any byte is unmapped. */
  peekBytes(a: I64, n: number): Uint8Array | null {
    const depth = this.kasanDepth;
    this.kasanDepth = depth + 1;
    try {
      if (typeof a !== 'number') return null;
      const out = new Uint8Array(Math.max(0, n));
      let done = 0;
      while (done < n) {
        const o = this.xlate(a + done, false);
        const len = Math.min(this.run, n - done);
        out.set(this.bytes.subarray(o, o + len), done);
        done += len;
      }
      return out;
    } catch (e) {
      if (e instanceof PageFault) return null;
      throw e;
    } finally {
      this.kasanDepth = depth;
    }
  }

  writeBytes(a: I64, data: Uint8Array): void {
    const n = data.length;
    if (n === 0) return;
    if (typeof a !== 'number') throw new PageFault(a, true, 'non-canonical');
    if (this.kasan) this.checkRange(a, n, true);
    let done = 0;
    while (done < n) {
      const o = this.xlate(a + done, true);
      const len = Math.min(this.run, n - done);
      this.bytes.set(data.subarray(done, done + len), o);
      done += len;
    }
  }

  /** memset. */
  fill(a: I64, byte: number, n: number): void {
    if (n <= 0) return;
    if (typeof a !== 'number') throw new PageFault(a, true, 'non-canonical');
    if (this.kasan) this.checkRange(a, n, true);
    let done = 0;
    while (done < n) {
      const o = this.xlate(a + done, true);
      const len = Math.min(this.run, n - done);
      this.bytes.fill(byte & 0xff, o, o + len);
      done += len;
    }
  }

  /** memmove: overlapping ranges copy as if through a temporary buffer. */
  move(dst: I64, src: I64, n: number): void {
    if (n <= 0) return;
    if (typeof dst === 'number' && typeof src === 'number') {
      const od = dst - PAGE_OFFSET;
      const os = src - PAGE_OFFSET;
      if (od >= 0 && os >= 0 && od + n <= this.size && os + n <= this.size) {
        if (this.kasan) {
          this.checkRange(src, n, false);
          this.checkRange(dst, n, true);
        }
        this.bytes.copyWithin(od, os, os + n);
        return;
      }
      if (dst >= src + n || src >= dst + n) {
        // Disjoint ranges, at least one outside the direct map: check (or fault on) all of the
        // source and then all of the destination, as a copy through a buffer would, then copy run
        // by run without the buffer.
        this.touchRange(src, n, false);
        this.touchRange(dst, n, true);
        let done = 0;
        while (done < n) {
          const os2 = this.xlate(src + done, false);
          const srcRun = this.run;
          const od2 = this.xlate(dst + done, true);
          const len = Math.min(srcRun, this.run, n - done);
          this.bytes.copyWithin(od2, os2, os2 + len);
          done += len;
        }
        return;
      }
    }
    this.writeBytes(dst, this.readBytes(src, n));
  }

  /** memcmp of [a, a+n) and [b, b+n) as unsigned bytes: negative, zero or positive (KASAN-checked; throws PageFault). */
  compare(a: I64, b: I64, n: number): number {
    if (n <= 0) return 0;
    if (typeof a === 'number' && typeof b === 'number') {
      const oa = a - PAGE_OFFSET;
      const ob = b - PAGE_OFFSET;
      if (oa >= 0 && ob >= 0 && oa + n <= this.size && ob + n <= this.size) {
        if (this.kasan) {
          this.checkRange(a, n, false);
          this.checkRange(b, n, false);
        }
        const bytes = this.bytes;
        for (let i = 0; i < n; i++) {
          const d = bytes[oa + i] - bytes[ob + i];
          if (d !== 0) return d;
        }
        return 0;
      }
    }
    const x = this.readBytes(a, n);
    const y = this.readBytes(b, n);
    for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i] - y[i];
    return 0;
  }

  /** Translate every page of [a, a+n), KASAN-checking it when KASAN is on: the faults and reports of reading or writing it. */
  private touchRange(a: number, n: number, write: boolean): void {
    if (this.kasan) {
      this.checkRange(a, n, write);
      return;
    }
    let done = 0;
    while (done < n) {
      this.xlate(a + done, write);
      done += Math.min(this.run, n - done);
    }
  }

  /** A NUL-terminated string (latin1) of at most `max` bytes, or null if reading it faults. */
  readCString(a: I64, max: number): string | null {
    try {
      const n = this.strnlen(a, max);
      const b = this.readBytes(a, n);
      let s = '';
      for (let i = 0; i < b.length; i += 4096) s += String.fromCharCode(...b.subarray(i, i + 4096));
      return s;
    } catch (e) {
      if (e instanceof PageFault) return null;
      throw e;
    }
  }

  /** strlen (throws PageFault like the real one would fault). */
  strlen(a: I64): number {
    return this.strnlen(a, Number.MAX_SAFE_INTEGER);
  }

  /** strnlen; KASAN-checks the bytes it reads, including the terminator. */
  strnlen(a: I64, max: number): number {
    if (typeof a !== 'number') throw new PageFault(a, false, 'non-canonical');
    let n = 0;
    while (n < max) {
      const o = this.xlate(a + n, false);
      const len = Math.min(this.run, max - n);
      const z = this.bytes.subarray(o, o + len).indexOf(0);
      const got = z < 0 ? len : z + 1;
      if (this.kasan) this.check(a + n, o, got, false);
      if (z >= 0) return n + z;
      n += len;
    }
    return max;
  }

  // ---- page table and shadow (for the allocators) -------------------------------------------------

  /** Map virtual page `vpn` (address / PAGE_SIZE, negative for kernel addresses) to frame `pfn`. */
  map(vpn: number, pfn: number): void {
    this.pte.set(vpn, pfn);
    if (vpn === this.tlbVpn) this.tlbVpn = NaN;
    this.lastStart = NaN;
  }

  unmap(vpn: number): void {
    this.pte.delete(vpn);
    if (vpn === this.tlbVpn) this.tlbVpn = NaN;
    this.lastStart = NaN;
  }

  /** The frame mapped at virtual page `vpn`, or -1. */
  mapped(vpn: number): number {
    return this.pte.get(vpn) ?? -1;
  }

  /** Register a physically contiguous mapping (a task stack) for fast translation; its pages must also be in the page table. */
  addWindow(start: number, length: number, phys: number): void {
    this.wins.push(start, start + length, phys);
    this.lastStart = NaN;
  }

  removeWindow(start: number): void {
    this.lastStart = NaN;
    for (let i = 0; i < this.wins.length; i += 3) {
      if (this.wins[i] === start) {
        this.wins.splice(i, 3);
        return;
      }
    }
  }

  /** The physical offset of a kernel address, or -1 if it is not mapped (never throws). */
  translate(a: I64): number {
    if (typeof a !== 'number') return -1;
    try {
      return this.xlate(a, false);
    } catch (e) {
      if (e instanceof PageFault) return -1;
      throw e;
    }
  }

  /** KASAN: mark [o, o+n) of RAM (o granule-aligned) with a poison code. No-op with KASAN off. */
  poison(o: number, n: number, code: number): void {
    if (!this.kasan || n <= 0) return;
    this.shadow.fill(code, o >>> 3, Math.ceil((o + n) / KASAN_GRANULE_SIZE));
  }

  /** KASAN: make [o, o+n) accessible; a trailing partial granule gets the count of accessible bytes. */
  unpoison(o: number, n: number): void {
    if (!this.kasan || n <= 0) return;
    const g = o >>> 3;
    const full = Math.floor(n / KASAN_GRANULE_SIZE);
    this.shadow.fill(0, g, g + full);
    const rest = n % KASAN_GRANULE_SIZE;
    if (rest) this.shadow[g + full] = rest;
  }

  /** The shadow byte of a granule of RAM (for reports and the memory map). */
  shadowAt(o: number): number {
    return this.shadow[o >>> 3];
  }
}
