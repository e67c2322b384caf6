// The memory map's recorder: it listens to a booted machine's event log while modules run and keeps
// what the map needs to draw memory at any earlier step of the run: the timeline's steps (every
// event but heap writes), the module's objects (its allocations and its globals) and, per object, a
// history of its contents.
//
// Contents history. The state at step S is memory right after event S (heap writes are not steps:
// the writes made between two steps show at the second). An object's bytes (its first WINDOW
// bytes) are copied when something may have changed them, and a new version is kept, stamped with
// the step, when they differ from the last copy. Objects are read:
//  - at their allocation; at their free (or, when vfree already unmapped it, from the working copy:
//    the last version plus the stores since); once more at the next step, when the poison is in;
//  - at each step, when written since the last one. With `traceWrites` (the panel is open) the VM
//    reports every store and exactly the objects hit are read. Without it, stores cost nothing and
//    the objects read at each step are the module's globals and its WATCHED most recent live
//    allocations, where a module's stores almost always go (a list_add writes the new node, the
//    previous one and the head): an older object changed only later may show its change late;
//  - all live objects at each module state change (end of init, rmmod), which also catches bytes
//    kernel helpers (strcpy, memset) wrote into an object the module's code never stores to.
//
// Invariants: versions of an object are in increasing step order and no two are equal; the state
// at step S is, per object, the last version stamped <= S. Reading memory never faults or reports
// (peekBytes). With no recorder attached nothing is recorded: the only cost of the feature is then
// the event log's one boolean test. A recorder that reaches MAX_STEPS stops listening.

import type { Var } from '../c/ast';
import type { CType } from '../c/types';
import { sizeOf } from '../c/types';
import type { Booted } from '../kernel/boot';
import type { StampedEvent } from '../kernel/events';
import { PAGE_OFFSET, PAGE_SIZE } from '../kernel/mm/layout';
import type { LoadedModule } from '../kernel/module';
import type { Span } from '../source/source';
import type { I64 } from '../vm/value';
import { allocationTypes, spanKey } from './allocTypes';
import { PageIndex, contains } from './pageIndex';
import type { AllocTypes } from './allocTypes';

/** Bytes of each object kept per version (enough for the fields a card shows). */
export const WINDOW = 512;
/** Steps, and bytes of versions, kept at most; past these the timeline is marked truncated. */
const MAX_STEPS = 50_000;
const MAX_VERSION_BYTES = 32 << 20;
/** Recent live allocations read at each step when heap writes are not traced. */
const WATCHED = 8;

export interface ContentVersion {
  /** The step from which these bytes hold. */
  readonly seq: number;
  readonly bytes: Uint8Array;
}

/** One object of a module: an allocation its code made, or one of its global variables. */
export interface TrackedObject {
  /** The kernel's allocation id; negative for globals. */
  readonly id: number;
  readonly family: string;
  readonly addr: number;
  readonly size: number;
  /** The cache name the kernel gave the allocation (`kmalloc-64`, `vmalloc`), or the global's section. */
  readonly cache: string | undefined;
  readonly gfp: number | undefined;
  readonly type: CType | undefined;
  /** The global's name. */
  readonly name?: string;
  readonly module: string;
  readonly span: Span | undefined;
  readonly allocSeq: number;
  freeSeq: number | undefined;
  freeSpan: Span | undefined;
  /** Page frames behind it, in virtual order: read when first captured (they do not move), undefined before. */
  pfns: number[] | undefined;
  readonly versions: ContentVersion[];
  /** Finding steps about this object. */
  readonly findings: number[];
  /** The last version with the heap writes since applied (kept only while it is dirty). */
  working?: Uint8Array;
}

/** The recorded step events: everything but heap writes. */
export type StepEvent = Exclude<StampedEvent, { kind: 'write' }> & { objectId?: number };

export class MemmapRecorder {
  readonly steps: StepEvent[] = [];
  /** By id, in allocation order (globals first, as their module is linked). */
  readonly objects = new Map<number, TrackedObject>();
  /** The step each module went `gone` at. */
  readonly goneAt = new Map<string, number>();
  truncated = false;
  private readonly dirty = new Set<TrackedObject>();
  /** Objects freed at the last step: read once more at the next, when the allocator's poison is in. */
  private readonly justFreed = new Set<TrackedObject>();
  /** The live objects by page, for heap writes (an object leaves it once read after its free). */
  private readonly live = new PageIndex<TrackedObject>();
  private readonly typesByUnit = new WeakMap<object, AllocTypes>();
  private lastStep = 0;
  private versionBytes = 0;
  private nextGlobalId = -1;
  private readonly stop: () => void;

  /** Recent live allocations (newest last) and globals, read at each step without `traceWrites`. */
  private readonly recent: TrackedObject[] = [];
  private readonly globals: TrackedObject[] = [];

  /**
   * Attach to `booted` before insmod. With `traceWrites` the VM reports the heap writes of modules
   * compiled from now on (exact, but each store then costs an event).
   */
  constructor(
    readonly booted: Booted,
    readonly traceWrites = false,
  ) {
    const events = booted.kernel.events;
    if (traceWrites) events.traceWrites = true;
    this.stop = events.listen((e) => this.onEvent(e));
  }

  /** The last step of the run, after reading every object that changed since it (shown at that step). */
  settle(): number {
    this.flush(this.lastStep);
    return this.lastStep;
  }

  /**
   * Read every live object now, as its version at the last step: a debugger stops between steps,
   * and the map it follows shows memory as it stands at the stop (writes since the last step
   * included, whether or not heap writes are traced). Returns the last step.
   */
  captureLive(): number {
    this.flush(this.lastStep);
    for (const o of this.objects.values()) if (o.freeSeq === undefined) this.capture(o, this.lastStep);
    return this.lastStep;
  }

  /** The object holding `addr` now: a live one, else the most recently freed one. */
  objectAt(addr: number): TrackedObject | undefined {
    const live = this.live.find(addr);
    if (live) return live;
    let best: TrackedObject | undefined;
    for (const o of this.objects.values()) if (contains(o, addr) && (!best || o.allocSeq > best.allocSeq)) best = o;
    return best;
  }

  private onEvent(e: StampedEvent): void {
    if (e.kind === 'write') {
      this.onWrite(e.addr, e.size);
      return;
    }
    if (this.steps.length >= MAX_STEPS) {
      // The timeline is full: stop listening (the run goes on at full speed).
      this.truncated = true;
      this.stop();
      return;
    }
    // The kernel announces a free after poisoning or unmapping the memory: the object's working
    // copy is its last state, unless memory still holds it (poisoned) once the free is recorded.
    const freed = e.kind === 'free' ? this.objects.get(e.id) : undefined;
    if (freed && freed.freeSeq === undefined) this.keepWorkingCopy(freed, e.seq);
    // Module state changes are rare: read every live object then, whatever wrote to it.
    if (e.kind === 'module') for (const o of this.objects.values()) if (o.freeSeq === undefined) this.dirty.add(o);
    if (!this.traceWrites) this.watchRecent();
    this.flush(e.seq);
    this.lastStep = e.seq;
    const step: StepEvent = { ...e };
    this.steps.push(step);
    switch (e.kind) {
      case 'alloc': {
        const o = this.onAlloc(e);
        if (o) this.capture(o, e.seq);
        step.objectId = o?.id;
        break;
      }
      case 'free':
        if (freed && freed.freeSeq === undefined) {
          freed.freeSeq = e.seq;
          freed.freeSpan = e.span;
          this.capture(freed, e.seq);
          this.justFreed.add(freed);
          step.objectId = freed.id;
        }
        break;
      case 'module':
        this.onModule(e.name, e.state, e.seq);
        break;
      case 'finding':
        step.objectId = this.findingObject(e.seq);
        break;
      default:
        break;
    }
  }

  /** Without traced writes: the globals and the recent live allocations may have changed. */
  private watchRecent(): void {
    for (const o of this.globals) this.dirty.add(o);
    for (let i = this.recent.length - 1; i >= 0; i--) {
      if (this.recent[i].freeSeq !== undefined) this.recent.splice(i, 1);
      else this.dirty.add(this.recent[i]);
    }
  }

  private onWrite(addr: I64, size: number): void {
    if (typeof addr !== 'number') return;
    for (const o of this.live.near(addr)) {
      if (o.freeSeq !== undefined || addr >= o.addr + o.size || addr + size <= o.addr) continue;
      this.dirty.add(o);
      this.applyWrite(o, addr, size);
    }
  }

  /** Update `o`'s working copy (its last version plus the stores since) with a store just made. */
  private applyWrite(o: TrackedObject, addr: number, size: number): void {
    const window = Math.min(o.size, WINDOW);
    const from = Math.max(addr, o.addr);
    const to = Math.min(addr + size, o.addr + window);
    if (to <= from) return;
    const written = this.booted.mm.mem.peekBytes(from, to - from);
    if (!written) return;
    o.working ??= o.versions.at(-1)?.bytes.slice() ?? new Uint8Array(window);
    o.working.set(written, from - o.addr);
  }

  /** Keep `o`'s working copy as its version at step `seq` (its state just before a free). */
  private keepWorkingCopy(o: TrackedObject, seq: number): void {
    this.dirty.delete(o);
    if (o.working) this.keep(o, o.working, seq);
    o.working = undefined;
  }

  private onAlloc(e: Extract<StampedEvent, { kind: 'alloc' }>): TrackedObject | undefined {
    const module = this.booted.mm.owner;
    if (!module || typeof e.addr !== 'number' || e.family === 'module' || e.family === 'stack') return undefined;
    const o: TrackedObject = {
      id: e.id, family: e.family, addr: e.addr, size: e.size, cache: e.cache, gfp: e.gfp, module,
      type: e.span ? this.typesOf(module)?.get(spanKey(e.span)) : undefined,
      span: e.span, allocSeq: e.seq, freeSeq: undefined, freeSpan: undefined,
      pfns: undefined,
      versions: [], findings: [],
    };
    this.track(o);
    this.recent.push(o);
    if (this.recent.length > WATCHED) this.recent.shift();
    return o;
  }

  private onModule(name: string, state: string, seq: number): void {
    const mod = this.booted.kernel.modules.get(name);
    if (state === 'coming' && mod) this.trackGlobals(mod, seq);
    if (state === 'gone') this.goneAt.set(name, seq);
  }

  private trackGlobals(mod: LoadedModule, seq: number): void {
    for (const [v, addr] of mod.globalAddrs) {
      if (!isDataGlobal(v) || typeof addr !== 'number') continue;
      const size = Math.max(1, sizeOf(v.type));
      this.globals.push(this.track({
        id: this.nextGlobalId--, family: 'global', addr, size, cache: undefined, gfp: undefined, type: v.type, name: v.name,
        module: mod.name, span: v.span, allocSeq: seq, freeSeq: undefined, freeSpan: undefined,
        pfns: undefined, versions: [], findings: [],
      }));
    }
    for (const o of this.objects.values()) if (o.allocSeq === seq) this.capture(o, seq);
  }

  private track(o: TrackedObject): TrackedObject {
    this.objects.set(o.id, o);
    this.live.add(o);
    return o;
  }

  private typesOf(module: string): AllocTypes | undefined {
    const unit = this.booted.kernel.modules.get(module)?.unit;
    if (!unit) return undefined;
    let t = this.typesByUnit.get(unit);
    if (!t) this.typesByUnit.set(unit, (t = allocationTypes(unit)));
    return t;
  }

  /** The object a finding's report names: the first address in it that falls in a tracked object. */
  private findingObject(seq: number): number | undefined {
    const f = this.booted.kernel.findings.at(-1);
    for (const line of f?.report ?? [f?.message ?? '']) {
      for (const m of line.matchAll(/\b(?:0x)?(ffff[0-9a-f]{12})\b/g)) {
        const o = this.objectAt(Number(BigInt.asIntN(64, BigInt(`0x${m[1]}`))));
        if (o) {
          o.findings.push(seq);
          return o.id;
        }
      }
    }
    return undefined;
  }

  /** Read every object written since the last step; versions that changed are kept at step `seq`. */
  private flush(seq: number): void {
    for (const o of this.dirty) {
      // A freed object is read at its free and once after: later its memory belongs to someone else.
      if (o.freeSeq === undefined) this.capture(o, seq);
    }
    this.dirty.clear();
    for (const o of this.justFreed) {
      // Unless its memory was given to a new object of the module already.
      if (!this.live.near(o.addr).some((n) => n !== o && contains(n, o.addr))) this.capture(o, seq);
      this.live.remove(o);
    }
    this.justFreed.clear();
  }

  /** Read `o` (or, when its memory is gone, take its working copy) as its version at step `seq`. */
  private capture(o: TrackedObject, seq: number): void {
    if (this.versionBytes > MAX_VERSION_BYTES) {
      this.truncated = true;
      return;
    }
    // A vmalloc area gets its pages only after the allocation event: read again at a later step.
    if (o.pfns === undefined || (o.pfns.length === 0 && seq > o.allocSeq)) o.pfns = this.pfnsOf(o.addr, o.size);
    const mem = this.booted.mm.mem;
    const n = Math.min(o.size, WINDOW);
    // Most objects are in the direct map: compare them in place, and copy only what changed.
    const off = o.addr - PAGE_OFFSET;
    const inPlace = off >= 0 && off + n <= mem.size ? mem.bytes.subarray(off, off + n) : undefined;
    const last = o.versions.at(-1);
    const working = o.working;
    o.working = undefined;
    if (inPlace && last && sameBytes(last.bytes, inPlace)) return;
    const bytes = inPlace ? inPlace.slice() : (mem.peekBytes(o.addr, n) ?? working);
    if (bytes) this.keep(o, bytes, seq);
  }

  /** A new version of `o` at step `seq`, unless its bytes did not change (it replaces one already at `seq`). */
  private keep(o: TrackedObject, bytes: Uint8Array, seq: number): void {
    const last = o.versions.at(-1);
    if (last && sameBytes(last.bytes, bytes)) return;
    if (last && last.seq === seq) o.versions.pop();
    o.versions.push({ seq, bytes });
    this.versionBytes += bytes.length;
  }

  /** The frames behind [addr, addr + size): the direct map's, else from the allocation record (vmalloc and module pages). */
  private pfnsOf(addr: number, size: number): number[] {
    const direct = directPfns(addr, size, this.booted.mm.mem.size);
    if (direct.length) return direct;
    const info = this.booted.mm.lookup(addr);
    const base = typeof info?.addr === 'number' ? info.addr : addr;
    if (!info?.pfns) return [];
    const first = Math.floor((addr - base) / PAGE_SIZE);
    const last = Math.floor((addr + Math.max(1, size) - 1 - base) / PAGE_SIZE);
    return info.pfns.slice(first, last + 1);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Frames of a direct-map object (a slab object or a page block), from its address. */
function directPfns(addr: number, size: number, ramBytes: number): number[] {
  const o = addr - PAGE_OFFSET;
  if (o < 0 || o >= ramBytes) return [];
  const first = Math.floor(o / PAGE_SIZE);
  const last = Math.floor((o + Math.max(1, size) - 1) / PAGE_SIZE);
  return Array.from({ length: Math.min(last - first + 1, 1024) }, (_, i) => first + i);
}

/**
 * A variable the module itself holds in its data: not a function, not modinfo strings, not the
 * `struct module` itself, and not an `extern` declaration (that names the kernel's variable,
 * `jiffies`, or repeats a definition of the module).
 */
function isDataGlobal(v: Var): boolean {
  return !v.isExtern && v.type.kind !== 'func' && v.attrs.section !== '.modinfo' && v.name !== '__this_module' && !v.name.startsWith('__UNIQUE_ID');
}
