// The memory map's message for a debugger stop: the stop's snapshot, tick and line, and the ids of
// the objects the current line touches (found by address, a live object before a freed one).

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ModuleDebugger } from '../../../src/core/index';
import type { DebugStep } from '../../../src/core/index';
import type { MemmapObject } from '../../../src/protocol/memoryMap';
import { debugStopMessage, touchedObjects } from '../../../src/ui/memmapFollow';

const TEST_MEM = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'examples', 'test_mem.c'), 'utf8');

/** The DebugStep at the first stop on `line` of test_mem.c. */
function stepAt(line: number): DebugStep {
  const d = new ModuleDebugger({ fileName: 'test_mem.c', text: TEST_MEM });
  d.setBreakpoints([{ id: 1, line }]);
  let step: DebugStep | undefined;
  d.run({
    output: () => {},
    stopped(_stop, state) {
      step = state.step();
      return 'terminate';
    },
  });
  return step!;
}

const object = (id: number, addr: string, size: number, state: MemmapObject['state'], allocSeq: number): MemmapObject => ({
  id, family: 'kmalloc', addr, size, holder: 'kmalloc-64', allocator: 'kmalloc', flags: 'GFP_KERNEL', region: 'direct map', pfns: [], state, allocSeq, fields: [], findings: [],
});

describe('ui/memmapFollow', function () {
  this.timeout(30000);

  it('shows a stop at the second list_add_tail with the second Person and the list head marked', () => {
    const line = TEST_MEM.split('\n').findIndex((l, i, all) => l.includes('list_add_tail') && all.slice(0, i).some((x) => x.includes('list_add_tail'))) + 1;
    const step = stepAt(line);
    const msg = debugStopMessage(step);
    assert.equal(msg.type, 'snapshot');
    assert.deepEqual(msg.debug, { tick: step.tick, line });
    assert.equal(msg.snapshot, step.snapshot);
    const objects = msg.snapshot!.objects;
    const roman2 = objects.find((o) => o.fields.some((f) => f.name === 'name' && f.value === '"roman2"'))!;
    const head = objects.find((o) => o.name === 'personList')!;
    assert.deepEqual([...msg.highlight!].sort(), [roman2.id, head.id].sort());
    // Plain data: it reaches the webview through postMessage unchanged.
    assert.deepEqual(JSON.parse(JSON.stringify(msg)), msg);
  });

  it('finds the object an address points into, preferring a live object to a freed one at the same address', () => {
    const objects = [object(1, 'ffff888003a1c000', 56, 'freed', 3), object(2, 'ffff888003a1c000', 56, 'live', 7), object(3, 'ffff888003a1c040', 56, 'live', 9)];
    // 0x…c028 is the list member of #2; 0x…c040 starts #3, listed twice; 0x…c100 is in no object.
    assert.deepEqual(touchedObjects(objects, ['0xffff888003a1c028', '0xffff888003a1c040', '0xffff888003a1c040', '0xffff888003a1c100', 'junk']), [2, 3]);
  });

  it('shows a stop without a snapshot (no recorder) with nothing marked', () => {
    assert.deepEqual(debugStopMessage({ tick: 4, line: undefined, snapshot: undefined, highlight: ['0xffff888003a1c000'] }), {
      type: 'snapshot', snapshot: undefined, debug: { tick: 4 }, highlight: [],
    });
  });
});
