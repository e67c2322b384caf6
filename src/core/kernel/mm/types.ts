// Types shared by the memory-management subsystems and their users (the kernel, the memory map,
// the tests). Reports are plain data: the kernel decides where they go (dmesg, a finding, an
// editor diagnostic); nothing here prints.

import type { Span } from '../../source/source';
import type { I64 } from '../../vm/value';
import type { Frame } from '../trace';

export type Family = 'kmalloc' | 'kmem_cache' | 'vmalloc' | 'pages' | 'module' | 'stack';

/** Where an allocation or free was requested: the student's statement and the call trace there. */
export interface Site {
  readonly span?: Span;
  /** The call trace, innermost first (module frames, then the tail the kernel adds). */
  readonly frames?: readonly Frame[];
}

export interface TaskRef {
  readonly pid: number;
  readonly comm: string;
}

/** One allocation, live or freed, as `lookup` and `liveAllocations` describe it (built on demand). */
export interface AllocationInfo {
  readonly id: number;
  readonly family: Family;
  /** Start of the object, area or block. */
  readonly addr: I64;
  /** The size that was asked for. */
  readonly size: number;
  /** What is really usable (ksize, the area without its guard page, PAGE_SIZE << order). */
  readonly usable: number;
  /** kmalloc-64, the kmem_cache's name, `vmalloc`, ... */
  readonly cache?: string;
  readonly gfp: number;
  readonly state: 'live' | 'freed';
  /** The module whose code made the allocation. */
  readonly owner?: string;
  readonly span?: Span;
  readonly frames: readonly Frame[];
  readonly task?: TaskRef;
  /** Virtual time of the allocation and the free, in ns. */
  readonly allocNs: number;
  readonly freeNs?: number;
  readonly freeSpan?: Span;
  readonly freeFrames?: readonly Frame[];
  readonly freeTask?: TaskRef;
  /** Page frames backing a vmalloc area, stack or module allocation. */
  readonly pfns?: readonly number[];
}

/** Allocation events; structurally the `alloc`/`free` members of the kernel's KernelEvent. */
export type MMEvent =
  | { kind: 'alloc'; id: number; family: string; addr: I64; size: number; cache?: string; gfp?: number; span?: Span }
  | { kind: 'free'; id: number; family: string; addr: I64; span?: Span };

/** A WARNING the kernel prints with its own `------------[ cut here ]------------` formatter. */
export interface Warning {
  /** The WARN() message line, if any. */
  readonly message?: string;
  readonly file: string;
  readonly line: number;
  /** The function containing the WARN (`__vunmap+0x31a/0x340`): RIP and the `at` line. */
  readonly ip: Frame;
  /** The call trace below `ip`, innermost first (the student's frames). */
  readonly frames: readonly Frame[];
  /** True when the file:line could not be checked against the 6.1 sources. */
  readonly approximate?: boolean;
}

/** A report produced by the memory subsystem; the kernel prints and records it. */
export interface MMReport {
  /** Stable id: kasan-use-after-free, kasan-slab-out-of-bounds, double-free, invalid-free, free-mismatch, ... */
  readonly rule: string;
  /** Which part of the kernel speaks: KASAN, SLUB debugging, a WARN(), fault injection; `silent` prints nothing (stock kernel). */
  readonly source: 'kasan' | 'slub' | 'warn' | 'fault-inject' | 'page_alloc' | 'silent';
  /** The line that names the problem (`BUG: KASAN: use-after-free in ...`). */
  readonly headline: string;
  /** Lines to print, in order, at `level`; empty strings are the kernel's empty lines. */
  readonly lines: readonly string[];
  readonly level: number;
  /** A taint to add after `lines` (B: bad page state, as KASAN and SLUB add). */
  readonly taint?: 'B';
  /** Lines printed after the taint is added (SLUB's `FIX ...`). */
  readonly after?: readonly string[];
  /** A WARNING to print after `lines` with the kernel's formatter. */
  readonly warning?: Warning;
  /** A BUG(): the kernel prints `kernel BUG at file:line!` and its invalid-opcode Oops, and the task dies. */
  readonly bug?: { readonly file: string; readonly line: number; readonly ip: Frame };
  /** The student's code where it was detected. */
  readonly span?: Span;
  /** Where the object was allocated and freed. */
  readonly related: readonly { readonly span: Span; readonly message: string }[];
  /** The address the report is about. */
  readonly addr?: I64;
}

/** What the kernel provides to the memory subsystem; set once, never per allocation. */
export interface MMHooks {
  /** The call trace of the running code, innermost first; used when a Site has no frames. */
  stack?: () => readonly Frame[];
  /** Virtual time, ns. */
  now?: () => number;
  /** jiffies (HZ=250). */
  jiffies?: () => number;
  /** The `CPU: ... Comm: ...` / `Hardware name:` / `Call Trace:` block for these frames (dump_stack). */
  dumpStack?: (frames: readonly Frame[]) => string[];
  /** `%p`: the hashed form of a pointer (16 hex digits). */
  hashPointer?: (addr: I64) => string;
  /** print_tainted(): `Tainted: G           OE     ` (or `Not tainted`). */
  tainted?: () => string;
  /** Receives every report as it happens. */
  report?: (r: MMReport) => void;
}
