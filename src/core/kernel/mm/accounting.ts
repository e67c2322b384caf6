// The one allocation funnel. Every allocation and free of every family (kmalloc, kmem_cache,
// vmalloc, pages, module, stack) is numbered here, counted per family, and announced to an optional
// listener. Slab objects keep their record in their slab's side tables (typed arrays, no object per
// allocation, so kmalloc/kfree stay O(1) and allocation-free); every other family gets an
// `AllocRecord` kept in a map by address. Failslab-style fault injection lives here too, because it
// counts allocation attempts across families.
//
// Invariants: ids are 1, 2, 3... in allocation order and never reused; a record's state only goes
// live -> freed; nothing here builds strings unless a report or a listener asks for it.

import type { Span } from '../../source/source';
import type { I64 } from '../../vm/value';
import type { Frame } from '../trace';
import { Rng } from './layout';
import type { Family, MMEvent, TaskRef } from './types';

/** The record of a non-slab allocation (vmalloc area, page block, large kmalloc, module, stack). */
export class AllocRecord {
  state: 'live' | 'freed' = 'live';
  freeSpan: Span | undefined = undefined;
  freeFrames: readonly Frame[] | undefined = undefined;
  freeTask: TaskRef | undefined = undefined;
  freeNs = 0;
  constructor(
    readonly id: number,
    readonly family: Family,
    readonly addr: I64,
    readonly size: number,
    readonly usable: number,
    readonly name: string,
    readonly gfp: number,
    readonly span: Span | undefined,
    readonly frames: readonly Frame[],
    readonly task: TaskRef | undefined,
    readonly owner: string | undefined,
    readonly allocNs: number,
    /** Head frame and order of a page block; -1 for areas made of single pages. */
    readonly pfn: number,
    readonly order: number,
  ) {}
}

export interface FamilyCounters {
  allocs: number;
  frees: number;
  liveCount: number;
  liveBytes: number;
}

export class Accounting {
  private nextId = 1;
  /** Listener for alloc/free events; unset costs one test per allocation. */
  onEvent: ((e: MMEvent) => void) | undefined = undefined;
  /** Live and freed non-slab allocations by start address (freed ones are kept until reused, for reports). */
  readonly records = new Map<I64, AllocRecord>();
  readonly counters: Record<Family, FamilyCounters> = {
    kmalloc: { allocs: 0, frees: 0, liveCount: 0, liveBytes: 0 },
    kmem_cache: { allocs: 0, frees: 0, liveCount: 0, liveBytes: 0 },
    vmalloc: { allocs: 0, frees: 0, liveCount: 0, liveBytes: 0 },
    pages: { allocs: 0, frees: 0, liveCount: 0, liveBytes: 0 },
    module: { allocs: 0, frees: 0, liveCount: 0, liveBytes: 0 },
    stack: { allocs: 0, frees: 0, liveCount: 0, liveBytes: 0 },
  };

  /** Number a new allocation and announce it. */
  alloc(family: Family, addr: I64, size: number, cache: string | undefined, gfp: number, span: Span | undefined): number {
    const id = this.nextId++;
    const c = this.counters[family];
    c.allocs++;
    c.liveCount++;
    c.liveBytes += size;
    if (this.onEvent !== undefined) this.onEvent({ kind: 'alloc', id, family, addr, size, cache, gfp, span });
    return id;
  }

  free(family: Family, id: number, addr: I64, size: number, span: Span | undefined): void {
    const c = this.counters[family];
    c.frees++;
    c.liveCount--;
    c.liveBytes -= size;
    if (this.onEvent !== undefined) this.onEvent({ kind: 'free', id, family, addr, span });
  }

  /** Allocate and keep a record (non-slab families). */
  record(
    family: Family, addr: I64, size: number, usable: number, name: string, gfp: number,
    span: Span | undefined, frames: readonly Frame[], task: TaskRef | undefined, owner: string | undefined, ns: number,
    pfn = -1, order = -1,
  ): AllocRecord {
    const id = this.alloc(family, addr, size, name, gfp, span);
    const r = new AllocRecord(id, family, addr, size, usable, name, gfp, span, frames, task, owner, ns, pfn, order);
    this.records.set(addr, r);
    return r;
  }

  /** Mark a record freed. */
  release(r: AllocRecord, span: Span | undefined, frames: readonly Frame[] | undefined, task: TaskRef | undefined, ns: number): void {
    if (r.state === 'freed') return;
    r.state = 'freed';
    r.freeSpan = span;
    r.freeFrames = frames;
    r.freeTask = task;
    r.freeNs = ns;
    this.free(r.family, r.id, r.addr, r.size, span);
  }
}

/** Failslab / fail_page_alloc: make an allocation attempt fail, as `fail-nth` or a probability asks. */
export class FaultInjector {
  /** Attempts seen so far (1-based count of the last one). */
  attempts = 0;
  failures = 0;
  private readonly rng: Rng;

  constructor(
    /** Fail exactly the Nth attempt (1-based), like writing N to /proc/self/fail-nth. */
    readonly failNth: number | undefined,
    /** Fail each attempt with this probability (0..1). */
    readonly probability: number,
    seed: number,
  ) {
    this.rng = new Rng(seed ^ 0x5eed);
  }

  get active(): boolean {
    return this.failNth !== undefined || this.probability > 0;
  }

  /** One allocation attempt: should it fail? */
  shouldFail(): boolean {
    const n = ++this.attempts;
    let fail = false;
    if (this.failNth !== undefined && n === this.failNth) fail = true;
    else if (this.probability > 0 && this.rng.float() < this.probability) fail = true;
    if (fail) this.failures++;
    return fail;
  }

  /** The `name ..., interval 1, probability P, space 0, times T` line of fail_dump(). */
  describe(name: string): string {
    // fail-nth leaves the attribute at its defaults (probability 0, times 1); a probability run is
    // configured the way the fault-injection documentation shows (times -1: unlimited).
    const prob = this.failNth !== undefined ? 0 : Math.round(this.probability * 100);
    const times = this.failNth !== undefined ? 1 : -1;
    return `name ${name}, interval 1, probability ${prob}, space 0, times ${times}`;
  }
}
