// The kernel's exported variables (jiffies, jiffies_64, init_uts_ns, ...): the entries of the API
// table that carry `data`. They live in one region of the kernel image's .data, mapped at
// __START_KERNEL_map + physical address like the rest of the image, so a module that reads
// `jiffies` loads real bytes from a real kernel address (ffffffff81600000 and up) and `&jiffies`
// prints as a kernel-image pointer.
//
// Invariants: the layout depends only on the table (same exports, same addresses); values are
// written at boot by each entry's `init` and kept current by `update`, which the kernel calls
// whenever virtual time moves (see Kernel.advance). Nothing here throws on module input.

import type { KernelExport } from './exports/types';
import type { Kernel } from './kernel';
import type { I64 } from '../vm/value';

/** Virtual address of the kernel data region: __START_KERNEL_map + 22 MiB (the image starts at 16 MiB). */
export const KERNEL_DATA_START = 0xffffffff81600000n;
/** Offset of the region from the start of the kernel image (physical 16 MiB). */
export const KERNEL_DATA_IMAGE_OFFSET = 0x600000;
/**
 * The region's size: the first page holds every variable the table exports, the second the kernel's
 * own objects that modules only get pointers to (the system workqueues, list heads, task structs).
 */
export const KERNEL_DATA_BYTES = 8192;
const VARS_BYTES = 4096;

export interface DataSymbol {
  readonly name: string;
  readonly addr: I64;
  readonly size: number;
  readonly entry: KernelExport;
}

export class KernelData {
  private readonly symbols = new Map<string, DataSymbol>();
  /** The symbols whose value follows the kernel's state (updated as time moves). */
  private readonly live: DataSymbol[] = [];
  /** Next free byte of the kernel-object page. */
  private objects = VARS_BYTES;

  /** Lay out every data export of the table from `base` (an address as a number, region of `bytes`). */
  constructor(readonly base: number, readonly bytes: number, exports: Iterable<KernelExport>) {
    let off = 0;
    for (const e of exports) {
      const d = e.data;
      if (!d) continue;
      const align = Math.max(1, d.align ?? 8);
      off = Math.ceil(off / align) * align;
      if (off + d.size > Math.min(bytes, VARS_BYTES)) throw new Error(`kernel data region full at ${e.name}`);
      const sym: DataSymbol = { name: e.name, addr: base + off, size: d.size, entry: e };
      this.symbols.set(e.name, sym);
      if (d.update) this.live.push(sym);
      off += d.size;
    }
  }

  /** Write every variable's boot value (zero unless the entry says otherwise). */
  boot(k: Kernel): void {
    for (const s of this.symbols.values()) {
      k.mem.fill(s.addr, 0, s.size);
      s.entry.data?.init?.(k, s.addr);
    }
    this.refresh(k);
  }

  /** Bring the live variables up to date (jiffies after the clock moved). */
  refresh(k: Kernel): void {
    for (const s of this.live) s.entry.data?.update?.(k, s.addr);
  }

  /**
   * Room for a small kernel-internal object (zeroed, 16-byte aligned), or 0 when the page is full.
   * Deterministic: the same calls in the same order give the same addresses.
   */
  object(bytes: number): I64 {
    const at = Math.ceil(this.objects / 16) * 16;
    if (bytes <= 0 || at + bytes > this.bytes) return 0;
    this.objects = at + bytes;
    return this.base + at;
  }

  /** The address of an exported variable, or undefined when the kernel exports none of that name. */
  addr(name: string): I64 | undefined {
    return this.symbols.get(name)?.addr;
  }

  /** The variable at an address (for `%pS` and the memory map), if any. */
  at(addr: I64): DataSymbol | undefined {
    if (typeof addr !== 'number') return undefined;
    for (const s of this.symbols.values()) {
      if (addr >= (s.addr as number) && addr < (s.addr as number) + s.size) return s;
    }
    return undefined;
  }

  all(): DataSymbol[] {
    return [...this.symbols.values()];
  }
}
