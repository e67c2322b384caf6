// The memory map panel's message for a debugger stop (no vscode, so it is unit-tested): the
// snapshot the debug worker built at the stop, the stop's tick and line, and the objects the
// current line touches, found by address (a pointer may point into an object, not at its start).

import type { DebugStep } from '../core/index';
import type { MemmapObject, ToMemmapView } from '../protocol/memoryMap';

/** The `snapshot` message that shows a debugger stop. */
export function debugStopMessage(step: DebugStep): Extract<ToMemmapView, { type: 'snapshot' }> {
  const objects = step.snapshot?.objects ?? [];
  return {
    type: 'snapshot',
    snapshot: step.snapshot,
    debug: { tick: step.tick, ...(step.line !== undefined ? { line: step.line } : {}) },
    highlight: touchedObjects(objects, step.highlight),
  };
}

/**
 * Ids of the objects holding the addresses (`0x…`), in the order of `addrs`, each once. Where a
 * freed object and a live one share an address, the live one holds it; else the newest freed one.
 */
export function touchedObjects(objects: readonly MemmapObject[], addrs: readonly string[]): number[] {
  const ids: number[] = [];
  for (const text of addrs) {
    const addr = parseHex(text);
    if (addr === undefined) continue;
    let best: MemmapObject | undefined;
    for (const o of objects) {
      const start = parseHex(o.addr)!;
      if (addr < start || addr >= start + BigInt(Math.max(1, o.size))) continue;
      if (!best || rank(o) > rank(best)) best = o;
    }
    if (best && !ids.includes(best.id)) ids.push(best.id);
  }
  return ids;
}

/** Live before leaked before freed; among equals, the newest allocation. */
function rank(o: MemmapObject): number {
  return (o.state === 'freed' ? 0 : 1) * 1e12 + o.allocSeq;
}

/** `0xffff888003a1c040` or `ffff888003a1c040` as an unsigned 64-bit value. */
function parseHex(text: string): bigint | undefined {
  const m = /^(?:0x)?([0-9a-f]{1,16})$/i.exec(text.trim());
  return m ? BigInt(`0x${m[1]}`) : undefined;
}
