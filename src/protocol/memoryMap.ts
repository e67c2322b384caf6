// The memory map's data and messages, shared by the kernel worker (which builds the data from the
// core's recorder), the extension (which relays it) and the webview (which draws it). Everything is
// plain, structured-cloneable JSON: addresses are 16-digit hex strings, as the kernel prints them.
//
// Time travel: every step of the timeline is an event `seq` of the run. A `MemmapSnapshot` is the
// memory as it was right after one step; a `MemmapDelta` turns the picture at one step into the
// picture at another by replacing the objects that differ (never the whole snapshot).
//
// Safety: strings in here come from module memory and source (`name = "<script>"`); the webview
// shows every one of them as text, never as HTML. No vscode, no DOM, no Node.

import type { WireRange } from './kernel';

/** The kernel's virtual regions an object can live in (x86_64, 4-level paging, no KASLR). */
export type MemmapRegionName = 'direct map' | 'vmalloc area' | 'module area' | 'kernel image';

/** One decoded field of an object's contents, by the C type the module gave the pointer. */
export interface MemmapField {
  /** `name`, `weight`, `list.next`; `[0]` for elements; `bytes` when the type is unknown. */
  readonly name: string;
  /** The C type as written (`char [30]`, `unsigned int`, `struct list_head *`). */
  readonly type: string;
  /** The value as C would print it: `"roman1"`, `130`, `0xffff888003a1c040`, `6b 6b 6b …`. */
  readonly value: string;
  /** Poison the kernel wrote (0x6b after a free, LIST_POISON1/2 after list_del): marked in the view. */
  readonly poison?: string;
  /** For pointers into a known object: that object's id and the byte offset into it. */
  readonly target?: { readonly id: number; readonly offset: number; readonly field?: string };
}

export type MemmapObjectState = 'live' | 'freed' | 'leaked';

/** An allocation of the module (or one of its globals) as it was at the snapshot's step. */
export interface MemmapObject {
  /** The allocation id (the kernel's, shown in reports); negative for module globals. */
  readonly id: number;
  /** `kmalloc`, `kmem_cache`, `vmalloc`, `pages`, or `global` for a module variable. */
  readonly family: string;
  readonly addr: string;
  /** Bytes requested. */
  readonly size: number;
  /** What holds it: `kmalloc-64`, `vmalloc 4 KiB + guard`, `module .data`. */
  readonly holder: string;
  /** The allocator as called (`kmalloc`, empty for globals), with the GFP flags (`GFP_KERNEL`), when known. */
  readonly allocator: string;
  readonly flags: string;
  /** The C type its contents are decoded by (`struct Person`), or undefined for raw bytes. */
  readonly type?: string;
  /** For globals: the variable's name. */
  readonly name?: string;
  readonly region: MemmapRegionName;
  /** Page frames holding it, in virtual order (the slab page for kmalloc, each page for vmalloc). */
  readonly pfns: readonly number[];
  readonly state: MemmapObjectState;
  /** Where it was allocated and freed (student code), when known. */
  readonly site?: WireRange;
  readonly freeSite?: WireRange;
  /** The steps (event seqs) of its allocation and its free. */
  readonly allocSeq: number;
  readonly freeSeq?: number;
  readonly fields: readonly MemmapField[];
  /** Findings (event seqs of `finding` events) about this object, up to the snapshot's step. */
  readonly findings: readonly number[];
}

export type MemmapEventKind = 'alloc' | 'free' | 'printk' | 'lock' | 'context' | 'module' | 'deferred' | 'finding';

/** One step of the timeline. */
export interface MemmapEvent {
  readonly seq: number;
  /** Virtual time, ns since boot. */
  readonly ns: number;
  readonly kind: MemmapEventKind;
  /** One line: `kmalloc(56) = ffff888003a1c040`, `printk: initialize …`, `spin_lock`, `test_mem: live`. */
  readonly label: string;
  readonly range?: WireRange;
  /** The object it concerns (alloc, free, a finding about an object). */
  readonly objectId?: number;
}

/** A region of the kernel's virtual address space, with the span of it the objects occupy. */
export interface MemmapRegion {
  readonly name: MemmapRegionName;
  readonly start: string;
  readonly end: string;
  /** log2 of the region's size in bytes (drawn to that scale on a log axis). */
  readonly log2Size: number;
}

/** A vmalloc area (the module's, or a neighbour of one), with the frames behind its pages. */
export interface MemmapVmArea {
  readonly addr: string;
  readonly size: number;
  /** `vmalloc`, `stack`, `ioremap`, `module`. */
  readonly kind: string;
  readonly pfns: readonly number[];
  /** The object id when the module owns it. */
  readonly objectId?: number;
}

export interface MemmapCache {
  readonly name: string;
  readonly objectSize: number;
  readonly slotSize: number;
  readonly objectsPerSlab: number;
  readonly pagesPerSlab: number;
  readonly active: number;
  readonly total: number;
  /** Per slab: its first frame, address and one letter per slot (`.` never used, `L` live, `Q` quarantined, `f` free). */
  readonly slabs: readonly { readonly pfn: number; readonly addr: string; readonly states: string }[];
}

/** The memory map at one step. Frames, caches and areas are the machine's present state. */
export interface MemmapSnapshot {
  readonly module: string;
  /** The step shown (an event seq), and the last step of the run. */
  readonly at: number;
  readonly last: number;
  /** True when the module is gone (rmmod ran): live objects are then leaks. */
  readonly unloaded: boolean;
  /** The run had more steps than the recorder keeps: it stopped, and later steps are missing. */
  readonly truncated: boolean;
  readonly events: readonly MemmapEvent[];
  readonly objects: readonly MemmapObject[];
  readonly regions: readonly MemmapRegion[];
  readonly pageSize: number;
  readonly zones: readonly { readonly name: string; readonly startPfn: number; readonly endPfn: number; readonly free: number }[];
  /** Runs of frames with the same owner: `slab kmalloc-64`, `vmalloc`, `free`, `boot`, ... */
  readonly frames: readonly { readonly start: number; readonly count: number; readonly use: string }[];
  readonly caches: readonly MemmapCache[];
  readonly vmAreas: readonly MemmapVmArea[];
}

/** From the picture at step `from` to the picture at step `to`: objects to replace, ids to drop. */
export interface MemmapDelta {
  readonly from: number;
  readonly to: number;
  readonly objects: readonly MemmapObject[];
  readonly removed: readonly number[];
}

// ---- webview ↔ extension ---------------------------------------------------------------------

/** What the webview keeps across hide/show and reload (vscode.setState and the serializer). */
export interface MemmapViewState {
  /** The step the student was looking at; undefined follows the last step. */
  readonly at?: number;
  readonly tab: MemmapTab;
  readonly selected?: number;
  readonly scrollTop?: number;
}

export type MemmapTab = 'objects' | 'virtual' | 'physical' | 'slabs';

export type FromMemmapView =
  | { readonly type: 'ready'; readonly state?: MemmapViewState }
  /** Show step `to`; the webview holds the picture at `from`. */
  | { readonly type: 'step'; readonly from: number; readonly to: number }
  | { readonly type: 'reveal'; readonly range: WireRange };

/** The debugger stop a snapshot shows, when the panel follows a debug session instead of Load. */
export interface MemmapDebugStop {
  /** The debugger's tick (statements and reports since boot) and the student's line, when known. */
  readonly tick: number;
  readonly line?: number;
}

export type ToMemmapView =
  | {
      readonly type: 'snapshot';
      readonly snapshot: MemmapSnapshot | undefined;
      readonly state?: MemmapViewState;
      /** Set while following the debugger: the stop shown (the timeline is the debugger's then). */
      readonly debug?: MemmapDebugStop;
      /** Ids of the objects the current line touches (marked in the view). */
      readonly highlight?: readonly number[];
    }
  | { readonly type: 'delta'; readonly delta: MemmapDelta };
