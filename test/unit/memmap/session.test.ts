// The kernel worker's `memmap` request: the picture of the kept machine at a step, or the delta
// between two steps, and nothing when no machine is kept.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KernelSession } from '../../../src/ui/worker/session';
import type { Request } from '../../../src/ui/kernelClient';
import type { FromWorker, MemmapReply, ToWorker } from '../../../src/protocol/kernel';

const TEST_MEM = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'examples', 'test_mem.c'), 'utf8');

let nextId = 1;
function ask(s: KernelSession, msg: Request): FromWorker {
  return s.handle({ ...msg, id: nextId++ } as ToWorker);
}

describe('memmap/session', function () {
  this.timeout(30000);

  it('has no memory map before a Load', () => {
    const r = ask(new KernelSession(), { type: 'memmap' }) as MemmapReply;
    assert.equal(r.type, 'memmap');
    assert.equal(r.snapshot, undefined);
    assert.equal(r.delta, undefined);
  });

  it('records the run from boot: the last step, an earlier one and the delta back to it', () => {
    const s = new KernelSession();
    ask(s, { type: 'load', source: { fileName: 'test_mem.c', text: TEST_MEM, locals: {} }, settings: {} });
    const last = (ask(s, { type: 'memmap' }) as MemmapReply).snapshot!;
    assert.equal(last.module, 'test_mem');
    assert.equal(last.at, last.last);
    const people = (objects: typeof last.objects) => objects.filter((o) => o.type === 'struct Person' && o.family !== 'global').length;
    assert.equal(people(last.objects), 3);
    const vmallocStep = last.events.find((e) => e.kind === 'alloc' && e.label.startsWith('vmalloc('))!;
    const earlier = (ask(s, { type: 'memmap', at: vmallocStep.seq - 1 }) as MemmapReply).snapshot!;
    assert.equal(people(earlier.objects), 2);
    const delta = (ask(s, { type: 'memmap', from: last.at, at: vmallocStep.seq - 1 }) as MemmapReply).delta!;
    assert.equal(delta.to, vmallocStep.seq - 1);
    assert.deepEqual(delta.removed, [vmallocStep.objectId]);
    // Structured-cloneable: the reply survives a JSON round trip unchanged.
    assert.deepEqual(JSON.parse(JSON.stringify(last)), last);
  });
});
