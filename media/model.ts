// The webview's copy of the memory map: the snapshot it was sent, with the deltas of the timeline
// applied to it. Objects are kept in display order: module globals first (the list heads), then
// allocations in the order they were made.
//
// Invariant: `objects` always equals the `objects` of a snapshot taken at `at`.

import type { MemmapDelta, MemmapEvent, MemmapObject, MemmapSnapshot } from '../src/protocol/memoryMap';

export class MemmapModel {
  readonly objects: MemmapObject[];
  private readonly byId = new Map<number, MemmapObject>();
  /** Index in `events` of each step seq. */
  private readonly eventIndex = new Map<number, number>();

  constructor(readonly snapshot: MemmapSnapshot) {
    this.objects = [...snapshot.objects].sort(displayOrder);
    for (const o of this.objects) this.byId.set(o.id, o);
    snapshot.events.forEach((e, i) => this.eventIndex.set(e.seq, i));
    this.at = snapshot.at;
  }

  /** The step shown. */
  at: number;

  get events(): readonly MemmapEvent[] {
    return this.snapshot.events;
  }

  object(id: number): MemmapObject | undefined {
    return this.byId.get(id);
  }

  /** The index of the step shown in `events` (the last event at or before it). */
  get stepIndex(): number {
    const exact = this.eventIndex.get(this.at);
    if (exact !== undefined) return exact;
    let i = this.events.length - 1;
    while (i > 0 && this.events[i].seq > this.at) i--;
    return Math.max(0, i);
  }

  indexOfSeq(seq: number): number | undefined {
    return this.eventIndex.get(seq);
  }

  /** Apply the change from the step shown to `delta.to`; false if the delta starts elsewhere. */
  apply(delta: MemmapDelta): boolean {
    if (delta.from !== this.at) return false;
    for (const o of delta.objects) this.byId.set(o.id, o);
    for (const id of delta.removed) this.byId.delete(id);
    this.objects.length = 0;
    this.objects.push(...[...this.byId.values()].sort(displayOrder));
    this.at = delta.to;
    return true;
  }
}

function displayOrder(a: MemmapObject, b: MemmapObject): number {
  const ga = a.id < 0;
  const gb = b.id < 0;
  if (ga !== gb) return ga ? -1 : 1;
  return ga ? b.id - a.id : a.id - b.id;
}
