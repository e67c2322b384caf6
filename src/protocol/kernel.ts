// The messages between the extension and its kernel worker (a Node worker thread on the desktop, a
// Web Worker on vscode.dev). Everything here is plain, structured-cloneable data: core objects
// (SourceFile, Span, the Booted machine) never cross the boundary. Positions are 1-based, as the
// core prints them; only src/ui/convert.ts turns them into 0-based editor ranges.
//
// Each request carries an `id`; the worker answers every request with exactly one reply of the
// matching `type` and `inReplyTo` (or an `internal-error` reply), in order. No vscode, no DOM.

import type { KernelExport } from '../core/kernel/exports/types';
import type { MemmapDelta, MemmapSnapshot } from './memoryMap';

/** A 1-based position, as `SourceFile.position` returns it (column counts UTF-16 code units). */
export interface WirePosition {
  readonly line: number;
  readonly column: number;
}

/** A span resolved to positions in the file it belongs to. */
export interface WireRange {
  /** The core's file name: the module's base name (`test_mem.c`), a local include, or `linux/list.h`. */
  readonly file: string;
  /** True for the emulated kernel headers (they exist only inside the worker). */
  readonly virtual: boolean;
  readonly start: WirePosition;
  readonly end: WirePosition;
}

export interface WireRelated {
  readonly range: WireRange;
  readonly message: string;
}

export interface WireEdit {
  readonly range: WireRange;
  readonly newText: string;
}

export interface WireFix {
  readonly title: string;
  readonly edits: readonly WireEdit[];
}

export type WireSeverity = 'error' | 'warning' | 'info' | 'hint';

/** A front-end or analyzer diagnostic. */
export interface WireDiagnostic {
  /** Catalog code, `KM3002`. */
  readonly code: string;
  /** Rule name (`null-check`), empty for front-end errors. */
  readonly rule: string;
  readonly severity: WireSeverity;
  readonly range: WireRange;
  readonly message: string;
  readonly related: readonly WireRelated[];
  readonly fixes: readonly WireFix[];
  /** The catalog's documentation link for `code`, when it has one. */
  readonly docUrl?: string;
}

/** A runtime finding of the emulated kernel (Oops, KASAN, leak, ...). */
export interface WireFinding {
  /** `oops`, `kasan-use-after-free`, `leak`, ... */
  readonly rule: string;
  /** The report's headline as the kernel printed it. */
  readonly message: string;
  /** Where in the student's code; undefined when the kernel could not tell. */
  readonly range: WireRange | undefined;
  readonly related: readonly WireRelated[];
  /** Every line of the kernel's report. */
  readonly report: readonly string[];
  /** Documentation for this kind of bug (the catalog's link for the matching static check, if any). */
  readonly docUrl?: string;
}

/** The module's state as the status bar shows it. */
export type ModuleState = 'not-loaded' | 'live' | 'failed' | 'tainted';

/** Limits of the front end (`kmodlab.limits.*`); each exceeded limit is a KM9002 diagnostic. */
export interface FrontEndLimits {
  readonly maxExpansionDepth?: number;
  readonly maxOutputTokens?: number;
  readonly maxNesting?: number;
}

/** Run settings, from the `kmodlab.*` configuration. */
export interface RunSettings {
  readonly limits?: FrontEndLimits;
  /** The insmod task's kernel stack, bytes (the stack-overflow report past it). */
  readonly stackBytes?: number;
  /** Events kept for the memory map's timeline; past it the oldest are dropped, and the log says so. */
  readonly eventLogCap?: number;
  readonly ramBytes?: number;
  readonly seed?: number;
  readonly failNth?: number;
  readonly failRate?: number;
  readonly softLockupSeconds?: number;
  readonly config?: 'full' | 'default' | 'slub_debug' | 'kasan' | 'kmemleak';
}

/** The module's source as the editor has it (unsaved edits included). */
export interface ModuleSource {
  readonly fileName: string;
  readonly text: string;
  /** Files next to the module that `#include "..."` may read, by the name written in the include. */
  readonly locals: Readonly<Record<string, string>>;
}

/** An allocation call whose size the front end knows (`kmalloc(sizeof(*p), ...)`), for hovers. */
export interface WireAllocation {
  /** The allocator's name as written. */
  readonly range: WireRange;
  readonly fn: string;
  readonly size: number;
  /** Slab caches (kmalloc, kzalloc, kcalloc, ...) or whole pages in the vmalloc area (vmalloc, vzalloc). */
  readonly family: 'kmalloc' | 'vmalloc';
}

/** What the UI needs from one API table entry (KERNEL_EXPORTS) for hovers: the plain-data fields. */
export type WireApi = Pick<KernelExport, 'name' | 'header' | 'proto' | 'doc' | 'sleeps' | 'gfpArg' | 'nullable' | 'allocates' | 'docUrl'>;

// ---- extension → worker ---------------------------------------------------------------------

/** Boot a fresh machine and insmod the module (Load Module). */
export interface LoadRequest {
  readonly type: 'load';
  readonly id: number;
  readonly source: ModuleSource;
  readonly settings: RunSettings;
  readonly params?: string;
}

/** rmmod the module on the machine kept from the last load. */
export interface UnloadRequest {
  readonly type: 'unload';
  readonly id: number;
}

/** rmmod then insmod the current source on the same machine (a fresh boot when there is none). */
export interface ReloadRequest {
  readonly type: 'reload';
  readonly id: number;
  readonly source: ModuleSource;
  readonly settings: RunSettings;
  readonly params?: string;
}

/** The memory snapshot of the kept machine. */
export interface SnapshotRequest {
  readonly type: 'snapshot';
  readonly id: number;
}

/**
 * The memory map of the kept machine (src/protocol/memoryMap.ts): the picture at step `at` (the
 * last step when omitted), or with `from` the delta from the picture at step `from` to it. The
 * first one also makes later Loads trace heap writes, for an exact history (see MemmapRecorder).
 */
export interface MemmapRequest {
  readonly type: 'memmap';
  readonly id: number;
  readonly at?: number;
  readonly from?: number;
}

/** Front end (and, with `analyze`, the static analyzer) on one version of a document. */
export interface AnalyzeRequest {
  readonly type: 'analyze';
  readonly id: number;
  /** The editor's document URI. The worker ignores it; the extension replaces queued requests by it. */
  readonly document: string;
  readonly source: ModuleSource;
  /** Run the analyzer too; false gives the parse facts only (entry points, allocation sizes). */
  readonly analyze: boolean;
  readonly limits?: FrontEndLimits;
}

/** The API table summary for hovers. */
export interface ApiTableRequest {
  readonly type: 'api-table';
  readonly id: number;
}

/**
 * A line typed in the kernel shell (Kernel Module Lab: Open Kernel Shell). It runs on the machine
 * Load kept (booted fresh with `settings` when there is none), with `modules` as its .ko files.
 * An empty line with `followMs` is a step of `dmesg -w`: virtual time moves on by that much.
 */
export interface ShellRequest {
  readonly type: 'shell';
  readonly id: number;
  readonly line: string;
  readonly modules: readonly ModuleSource[];
  readonly settings: RunSettings;
  readonly followMs?: number;
  /** The terminal's width, so `ls` prints columns as on a tty. */
  readonly columns?: number;
}

export type ToWorker = LoadRequest | UnloadRequest | ReloadRequest | SnapshotRequest | MemmapRequest | AnalyzeRequest | ApiTableRequest | ShellRequest;

// ---- worker → extension ---------------------------------------------------------------------

/** What one kernel operation (load, unload, reload) produced. */
export interface KernelReply {
  readonly type: 'kernel';
  readonly inReplyTo: number;
  readonly op: 'load' | 'unload' | 'reload';
  /** True when the machine was booted afresh: the log starts over. */
  readonly booted: boolean;
  /** dmesg lines printed during this operation, in order. */
  readonly log: readonly string[];
  /** What insmod/rmmod wrote to stderr, with the tool's exit status. */
  readonly tools: readonly { readonly tool: 'insmod' | 'rmmod'; readonly status: number; readonly stderr: readonly string[] }[];
  /** Errors that kept the module from building (nothing ran then). */
  readonly buildErrors: readonly WireDiagnostic[];
  /** Findings the kernel reported during this operation. */
  readonly findings: readonly WireFinding[];
  readonly state: ModuleState;
  /** The module name (`test_mem`). */
  readonly module: string;
}

export interface SnapshotReply {
  readonly type: 'snapshot';
  readonly inReplyTo: number;
  /** Plain JSON of the machine's memory, or undefined when no machine is kept. */
  readonly snapshot: unknown;
}

/** Exactly one of `snapshot` and `delta` when a machine is kept (the delta when `from` was asked), neither otherwise. */
export interface MemmapReply {
  readonly type: 'memmap';
  readonly inReplyTo: number;
  readonly snapshot?: MemmapSnapshot;
  readonly delta?: MemmapDelta;
}

export interface AnalyzeReply {
  readonly type: 'analyze';
  readonly inReplyTo: number;
  readonly diagnostics: readonly WireDiagnostic[];
  /** Name spans of the init and exit functions (module_init/module_exit or init_module/cleanup_module). */
  readonly init: WireRange | undefined;
  readonly exit: WireRange | undefined;
  readonly allocations: readonly WireAllocation[];
  /** True when the static analyzer ran (false: front-end diagnostics only). */
  readonly analyzed: boolean;
}

export interface ApiTableReply {
  readonly type: 'api-table';
  readonly inReplyTo: number;
  readonly apis: readonly WireApi[];
}

/** A bug in Kernel Module Lab itself (a thrown error in the worker), never the student's. */
export interface InternalErrorReply {
  readonly type: 'internal-error';
  readonly inReplyTo: number;
  readonly message: string;
}

/** What a shell line printed, and the prompt to show next. */
export interface ShellReply {
  readonly type: 'shell';
  readonly inReplyTo: number;
  /** stdout and stderr interleaved, `\n` line ends. */
  readonly output: string;
  /** The kernel log lines new since the last reply of any kind (for the Kernel Log output). */
  readonly log: readonly string[];
  readonly status: number;
  readonly prompt: string;
  /** `dmesg -w` is following: send `followMs` steps until Ctrl-C. */
  readonly follow: boolean;
  /** `exit` ran: close the terminal. */
  readonly exit: boolean;
}

export type FromWorker = KernelReply | SnapshotReply | MemmapReply | AnalyzeReply | ApiTableReply | InternalErrorReply | ShellReply;

/** The reply type for each request type. */
export interface ReplyFor {
  load: KernelReply;
  unload: KernelReply;
  reload: KernelReply;
  snapshot: SnapshotReply;
  memmap: MemmapReply;
  analyze: AnalyzeReply;
  'api-table': ApiTableReply;
  shell: ShellReply;
}
