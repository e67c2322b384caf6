// Building the memory map's plain-JSON pictures from a recorder: the whole picture at one step
// (`memmapSnapshot`) and the change from one step to another (`memmapDelta`, what the timeline
// sends as the student steps). Objects are rebuilt at the step from the recorder's history: an
// object exists from its allocation step, is freed from its free step, is a leak once its module
// is gone, and holds the bytes of its last version stamped at or before the step. Frames, slab
// caches and vmalloc areas are the machine's present state (the history keeps objects, not pages).
//
// Invariant: a snapshot at S with a delta S → T applied equals the snapshot at T, object for object.

import type {
  MemmapCache, MemmapDelta, MemmapEvent, MemmapEventKind, MemmapField, MemmapObject, MemmapRegion, MemmapRegionName, MemmapSnapshot, MemmapVmArea,
} from '../../protocol/memoryMap';
import type { WireRange } from '../../protocol/kernel';
import type { CType } from '../c/types';
import { typeName } from '../c/types';
import type { MemorySnapshot } from '../kernel/mm/index';
import {
  DIRECT_MAP_END, MODULES_END, MODULES_VADDR, PAGE_OFFSET, PAGE_SIZE, START_KERNEL_MAP, VMALLOC_END, VMALLOC_START, formatGfp, hex16,
} from '../kernel/mm/layout';
import type { Span } from '../source/source';
import { decodeObject } from './decode';
import { PageIndex } from './pageIndex';
import type { MemmapRecorder, StepEvent, TrackedObject } from './recorder';

const REGIONS: readonly { name: MemmapRegionName; start: number; end: number }[] = [
  { name: 'direct map', start: PAGE_OFFSET, end: DIRECT_MAP_END },
  { name: 'vmalloc area', start: VMALLOC_START, end: VMALLOC_END },
  { name: 'kernel image', start: START_KERNEL_MAP, end: MODULES_VADDR },
  { name: 'module area', start: MODULES_VADDR, end: MODULES_END },
];

/** The picture at step `at` (the last step when undefined or past it). */
export function memmapSnapshot(rec: MemmapRecorder, module: string, at?: number): MemmapSnapshot {
  const last = rec.settle();
  const step = at === undefined || at > last ? last : Math.max(0, at);
  const machine = rec.booted.mm.snapshot();
  const index = stepIndex(rec, step);
  const objects = visibleObjects(rec, step).map((o) => objectAt(rec, index, o, step));
  return {
    module,
    at: step,
    last,
    unloaded: rec.goneAt.has(module) && rec.goneAt.get(module)! <= step,
    truncated: rec.truncated,
    events: rec.steps.map(toEvent),
    objects,
    regions: REGIONS.map((r) => ({ name: r.name, start: hex16(r.start), end: hex16(r.end), log2Size: Math.log2(r.end - r.start + 1) }) satisfies MemmapRegion),
    pageSize: PAGE_SIZE,
    zones: machine.zones.filter((z) => z.endPfn > z.startPfn).map((z) => ({ name: z.name, startPfn: z.startPfn, endPfn: z.endPfn, free: z.free })),
    frames: machine.frames,
    caches: cachesOf(machine, objects),
    vmAreas: vmAreasOf(rec, machine),
  };
}

/** What changes from step `from` to step `to`: the objects to replace and the ids to drop. */
export function memmapDelta(rec: MemmapRecorder, from: number, to: number): MemmapDelta {
  const last = rec.settle();
  const target = Math.max(0, Math.min(to, last));
  const lo = Math.min(from, target);
  const hi = Math.max(from, target);
  const inRange = (s: number | undefined): boolean => s !== undefined && s > lo && s <= hi;
  const moduleGoneInRange = new Set([...rec.goneAt].filter(([, s]) => inRange(s)).map(([m]) => m));
  const objects: MemmapObject[] = [];
  const removed: number[] = [];
  const index = stepIndex(rec, target);
  for (const o of rec.objects.values()) {
    if (o.allocSeq > target) {
      if (o.allocSeq <= from) removed.push(o.id);
      continue;
    }
    const changed =
      inRange(o.allocSeq) || inRange(o.freeSeq) || moduleGoneInRange.has(o.module) || o.versions.some((v) => inRange(v.seq)) || o.findings.some(inRange);
    if (changed) objects.push(objectAt(rec, index, o, target));
  }
  return { from, to: target, objects, removed };
}

function visibleObjects(rec: MemmapRecorder, step: number): TrackedObject[] {
  return [...rec.objects.values()].filter((o) => o.allocSeq <= step);
}

const liveAt = (o: TrackedObject, step: number): boolean => o.freeSeq === undefined || o.freeSeq > step;

/**
 * The objects pointers can point into at `step`: those live then, and of the freed ones only the
 * newest at each address (a dangling pointer shows the object last freed there).
 */
function stepIndex(rec: MemmapRecorder, step: number): PageIndex<TrackedObject> {
  const index = new PageIndex<TrackedObject>();
  const newestFreed = new Map<number, TrackedObject>();
  for (const o of rec.objects.values()) {
    if (o.allocSeq > step) continue;
    if (liveAt(o, step)) index.add(o);
    else if ((newestFreed.get(o.addr)?.allocSeq ?? -1) < o.allocSeq) newestFreed.set(o.addr, o);
  }
  for (const o of newestFreed.values()) index.add(o);
  return index;
}

/** One object as it was at `step`. */
function objectAt(rec: MemmapRecorder, index: PageIndex<TrackedObject>, o: TrackedObject, step: number): MemmapObject {
  const freed = o.freeSeq !== undefined && o.freeSeq <= step;
  const gone = rec.goneAt.get(o.module);
  const bytes = versionAt(o, step);
  const fields = bytes ? decodeObject(bytes, o.type, (addr) => pointerTarget(index, addr, step), freed) : [];
  return {
    id: o.id,
    family: o.family,
    addr: hex16(o.addr),
    size: o.size,
    holder: holderOf(o),
    allocator: o.family === 'global' ? '' : (calleeAt(o.span) ?? o.family),
    flags: o.gfp !== undefined ? gfpNames(o.gfp) : '',
    ...(o.type ? { type: typeName(o.type) } : {}),
    ...(o.name ? { name: o.name } : {}),
    region: regionOf(o.addr),
    pfns: [...(o.pfns ?? [])],
    state: freed ? 'freed' : gone !== undefined && gone <= step && o.family !== 'global' ? 'leaked' : 'live',
    ...(o.span ? { site: wireRange(o.span) } : {}),
    ...(freed && o.freeSpan ? { freeSite: wireRange(o.freeSpan) } : {}),
    allocSeq: o.allocSeq,
    ...(freed ? { freeSeq: o.freeSeq } : {}),
    fields,
    findings: o.findings.filter((s) => s <= step),
  };
}

function versionAt(o: TrackedObject, step: number): Uint8Array | undefined {
  const v = o.versions;
  // Versions are in step order: binary search for the last one stamped <= step.
  let lo = 0;
  let hi = v.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v[mid].seq <= step) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? v[lo - 1].bytes : undefined;
}

/** The object `addr` points into at `step` (a live one before a freed one), the offset and the member there. */
function pointerTarget(index: PageIndex<TrackedObject>, addr: number, step: number): MemmapField['target'] | undefined {
  const o = index.find(addr, (a, b) => liveAt(a, step) && !liveAt(b, step));
  if (!o) return undefined;
  const offset = addr - o.addr;
  const field = o.type ? memberPath(o.type, offset) : undefined;
  return { id: o.id, offset, ...(field ? { field } : {}) };
}

/** The dotted member name at `offset` of `t` (`list` for offset 40 of struct Person), if one starts there. */
export function memberPath(t: CType, offset: number): string | undefined {
  if (t.kind !== 'struct') return undefined;
  for (const m of t.members) {
    if (offset === m.offset) return m.name;
    const size = m.type.kind === 'struct' ? m.type.size : 0;
    if (offset > m.offset && offset < m.offset + size) {
      const inner = memberPath(m.type, offset - m.offset);
      return inner ? `${m.name}.${inner}` : undefined;
    }
  }
  return undefined;
}

function holderOf(o: TrackedObject): string {
  switch (o.family) {
    case 'vmalloc':
      return `vmalloc ${formatKiB(Math.ceil(o.size / PAGE_SIZE) * PAGE_SIZE)} + guard`;
    case 'pages':
      return `pages ${formatKiB((o.pfns?.length ?? 0) * PAGE_SIZE)}`;
    case 'global':
      return `${o.module} .data`;
    default:
      return o.cache ?? o.family;
  }
}

function formatKiB(bytes: number): string {
  return bytes >= 1 << 20 ? `${bytes / (1 << 20)} MiB` : `${bytes / 1024} KiB`;
}

/** `GFP_KERNEL` from 0xcc0: the flag names formatGfp puts in parentheses. */
function gfpNames(gfp: number): string {
  const m = /\((.*)\)$/.exec(formatGfp(gfp));
  return m && m[1] ? m[1] : `0x${(gfp >>> 0).toString(16)}`;
}

/** The function a call expression's span starts with (`kmalloc` for `kmalloc(sizeof(*p), GFP_KERNEL)`). */
function calleeAt(span: Span | undefined): string | undefined {
  if (!span) return undefined;
  return /^[A-Za-z_]\w*/.exec(span.file.text.slice(span.start, span.end))?.[0];
}

function regionOf(addr: number): MemmapRegionName {
  return REGIONS.find((r) => addr >= r.start && addr <= r.end)?.name ?? 'direct map';
}

export function wireRange(s: Span): WireRange {
  return { file: s.file.name, virtual: s.file.isVirtual, start: s.file.position(s.start), end: s.file.position(s.end) };
}

function toEvent(e: StepEvent): MemmapEvent {
  const span = 'span' in e ? e.span : undefined;
  const base = { seq: e.seq, ns: e.ns, ...(span ? { range: wireRange(span) } : {}), ...(e.objectId !== undefined ? { objectId: e.objectId } : {}) };
  const [kind, label] = eventLabel(e);
  return { ...base, kind, label };
}

function eventLabel(e: StepEvent): [MemmapEventKind, string] {
  switch (e.kind) {
    case 'alloc':
      return ['alloc', `${calleeAt(e.span) ?? e.family}(${e.size}) = ${hex16(e.addr)}${e.cache ? ` in ${e.cache}` : ''}`];
    case 'free':
      return ['free', `${calleeAt(e.span) ?? e.family}(${hex16(e.addr)})`];
    case 'printk':
      return ['printk', `printk: ${e.text.trim()}`];
    case 'context':
      return [/lock/.test(e.what) ? 'lock' : 'context', `${e.what} ${e.enter ? 'taken' : 'released'}`];
    case 'module':
      return ['module', `${e.name}: ${e.state}`];
    case 'deferred':
      return ['deferred', `${e.what} ${e.fn}: ${e.phase}${e.detail ? ` (${e.detail})` : ''} in ${e.task}`];
    case 'finding':
      return ['finding', e.message];
  }
}

/** Caches holding objects of the module first, then every other cache in use, as /proc/slabinfo. */
function cachesOf(machine: MemorySnapshot, objects: readonly MemmapObject[]): MemmapCache[] {
  const mine = new Set(objects.map((o) => o.holder));
  return machine.caches
    .filter((c) => c.active > 0 || mine.has(c.name))
    .sort((a, b) => Number(mine.has(b.name)) - Number(mine.has(a.name)))
    .map(({ struct: _struct, ...c }) => c);
}

/** The module's vmalloc areas and their virtual neighbours: neighbours in virtual memory, scattered in physical memory. */
function vmAreasOf(rec: MemmapRecorder, machine: MemorySnapshot): MemmapVmArea[] {
  const areas = machine.vmalloc;
  const owned = new Map<string, number>();
  for (const o of rec.objects.values()) if (o.family === 'vmalloc' && o.freeSeq === undefined) owned.set(hex16(o.addr), o.id);
  const keep = new Set<number>();
  areas.forEach((a, i) => {
    if (!owned.has(a.addr)) return;
    for (const j of [i - 1, i, i + 1]) if (j >= 0 && j < areas.length && areas[j].kind !== 'ioremap') keep.add(j);
  });
  return [...keep]
    .sort((a, b) => a - b)
    .map((i) => areas[i])
    .map((a) => ({ addr: a.addr, size: a.size, kind: a.kind, pfns: a.pfns, ...(owned.has(a.addr) ? { objectId: owned.get(a.addr) } : {}) }));
}
