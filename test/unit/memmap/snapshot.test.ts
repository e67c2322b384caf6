// The memory map's snapshot builder on the core: objects decoded by the C type the module gave
// them, pointers resolved to the objects they point into (test_mem.c's list is a ring through its
// head), the picture at an earlier step and the deltas between steps, poison and leaks.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bootKernel, frontEnd, insmod, kernelHeaders, rmmod } from '../../../src/core/index';
import { MemmapRecorder, memmapDelta, memmapSnapshot } from '../../../src/core/memmap/index';
import type { MemmapObject, MemmapSnapshot } from '../../../src/protocol/memoryMap';

const TEST_MEM = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'examples', 'test_mem.c'), 'utf8');

/** Boot, attach a recorder (tracing heap writes or not), insmod `text` (and rmmod it with `unload`). */
function run(text: string, { unload = false, config = 'full' as const, traceWrites = false } = {}) {
  const fe = frontEnd({ fileName: 'm.c', text, readLocal: () => undefined }, kernelHeaders());
  assert.deepEqual(fe.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
  const booted = bootKernel({ config });
  const rec = new MemmapRecorder(booted, traceWrites);
  assert.equal(insmod(booted.kernel, fe, '').status, 0);
  if (unload) assert.equal(rmmod(booted.kernel, fe.moduleName).status, 0);
  return { rec, module: fe.moduleName };
}

const field = (o: MemmapObject, name: string) => o.fields.find((f) => f.name === name);
const persons = (s: MemmapSnapshot) => s.objects.filter((o) => o.type === 'struct Person' && o.family !== 'global');
const byName = (s: MemmapSnapshot, name: string) => persons(s).find((o) => field(o, 'name')?.value === `"${name}"`)!;

describe('memmap/snapshot', function () {
  this.timeout(30000);

  it('decodes the three Person objects by their C type, with caches and allocators', () => {
    const { rec, module } = run(TEST_MEM);
    const s = memmapSnapshot(rec, module);
    const ps = persons(s);
    assert.deepEqual(
      ps.map((o) => [field(o, 'name')?.value, field(o, 'weight')?.value, field(o, 'gender')?.value, o.holder, o.allocator, o.flags]),
      [
        ['"roman1"', '130', '1', 'kmalloc-64', 'kmalloc', 'GFP_KERNEL'],
        ['"roman2"', '260', '1', 'kmalloc-64', 'kmalloc', 'GFP_ATOMIC'],
        ['"roman3"', '390', '1', 'vmalloc 4 KiB + guard', 'vmalloc', 'GFP_KERNEL'],
      ],
    );
    assert.deepEqual(ps.map((o) => [o.size, o.region, o.state]), [
      [56, 'direct map', 'live'],
      [56, 'direct map', 'live'],
      [56, 'vmalloc area', 'live'],
    ]);
    assert.equal(field(ps[0], 'name')?.type, 'char [30]');
    assert.equal(ps[0].site?.start.line, 20);
  });

  it('shows the module’s own globals only, not the kernel variables its headers declare extern', () => {
    const text = TEST_MEM.replace('struct Person personList;', 'struct Person personList;\nextern int later;\nint later = 3;\nstatic unsigned long started;').replace('INIT_LIST_HEAD(&personList.list);', 'INIT_LIST_HEAD(&personList.list);\nstarted = jiffies;');
    const { rec, module } = run(text);
    const globals = memmapSnapshot(rec, module).objects.filter((o) => o.family === 'global').map((o) => o.name);
    assert.deepEqual(globals.sort(), ['later', 'personList', 'started']);
  });

  it('resolves list.next and list.prev to the objects they point into: a ring through the head', () => {
    const { rec, module } = run(TEST_MEM);
    const s = memmapSnapshot(rec, module);
    const head = s.objects.find((o) => o.name === 'personList')!;
    assert.equal(head.family, 'global');
    assert.equal(head.region, 'module area');
    const ids = [head.id, byName(s, 'roman1').id, byName(s, 'roman2').id, byName(s, 'roman3').id];
    const next = (id: number) => field(s.objects.find((o) => o.id === id)!, 'list.next')!.target!;
    const prev = (id: number) => field(s.objects.find((o) => o.id === id)!, 'list.prev')!.target!;
    for (let i = 0; i < 4; i++) {
      assert.deepEqual(next(ids[i]), { id: ids[(i + 1) % 4], offset: 40, field: 'list' });
      assert.deepEqual(prev(ids[i]), { id: ids[(i + 3) % 4], offset: 40, field: 'list' });
    }
  });

  it('puts the kmalloc objects in a slab page and the vmalloc one in a frame of its own', () => {
    const { rec, module } = run(TEST_MEM);
    const s = memmapSnapshot(rec, module);
    const [a, b, c] = [byName(s, 'roman1'), byName(s, 'roman2'), byName(s, 'roman3')];
    assert.equal(a.pfns.length, 1);
    const slab = s.caches.find((k) => k.name === 'kmalloc-64')!;
    assert.ok(slab.slabs.some((sl) => sl.pfn === a.pfns[0]) && slab.slabs.some((sl) => sl.pfn === b.pfns[0]));
    assert.equal(c.pfns.length, 1);
    const area = s.vmAreas.find((v) => v.objectId === c.id)!;
    assert.deepEqual(area.pfns, c.pfns);
    // Its virtual neighbours (kernel stacks) are backed by frames nowhere near its own.
    const neighbours = s.vmAreas.filter((v) => v !== area).flatMap((v) => v.pfns);
    assert.ok(neighbours.length > 0);
    assert.ok(neighbours.every((p) => Math.abs(p - c.pfns[0]) > 1), `${c.pfns} vs ${neighbours}`);
  });

  it('rebuilds memory at an earlier step: before the third allocation there are two Persons', () => {
    const { rec, module } = run(TEST_MEM);
    const last = memmapSnapshot(rec, module);
    const third = last.events.find((e) => e.kind === 'alloc' && e.objectId === byName(last, 'roman3').id)!;
    const before = memmapSnapshot(rec, module, third.seq - 1);
    assert.equal(before.at, third.seq - 1);
    assert.deepEqual(persons(before).map((o) => field(o, 'name')?.value), ['"roman1"', '"roman2"']);
    // The head then closed the ring on roman2, not roman3.
    const head = before.objects.find((o) => o.name === 'personList')!;
    assert.equal(field(head, 'list.prev')?.target?.id, byName(before, 'roman2').id);
    // Right after its allocation the third object is there, still empty (init_on_alloc).
    const at = memmapSnapshot(rec, module, third.seq);
    const fresh = persons(at).find((o) => o.id === third.objectId)!;
    assert.deepEqual([field(fresh, 'name')?.value, field(fresh, 'weight')?.value], ['""', '0']);
  });

  it('a delta turns the picture at one step into the picture at another', () => {
    const { rec, module } = run(TEST_MEM, { unload: true });
    const last = memmapSnapshot(rec, module);
    const steps = last.events.map((e) => e.seq);
    const sameAs = (s: MemmapSnapshot, objects: Map<number, MemmapObject>) =>
      assert.deepEqual([...objects.values()].sort((x, y) => x.id - y.id), [...s.objects].sort((x, y) => x.id - y.id));
    for (const [from, to] of [[steps.at(-1)!, steps[8]], [steps[3], steps.at(-1)!], [steps[10], steps[12]]]) {
      const objects = new Map(memmapSnapshot(rec, module, from).objects.map((o) => [o.id, o]));
      const d = memmapDelta(rec, from, to);
      for (const o of d.objects) objects.set(o.id, o);
      for (const id of d.removed) objects.delete(id);
      sameAs(memmapSnapshot(rec, module, to), objects);
      assert.ok(d.objects.length < last.objects.length || from === steps[3], 'a delta carries only what changed');
    }
  });

  it('marks freed objects and their poison after rmmod: LIST_POISON at the free, then POISON_FREE in kfree’d ones', () => {
    const { rec, module } = run(TEST_MEM, { unload: true, traceWrites: true });
    const s = memmapSnapshot(rec, module);
    assert.equal(s.unloaded, true);
    const ps = persons(s);
    assert.deepEqual(ps.map((o) => o.state), ['freed', 'freed', 'freed']);
    const kfreed = ps[0];
    const listPoison = (o: MemmapObject) => [field(o, 'list.next')?.poison, field(o, 'list.prev')?.poison];
    // At its free, list_del() has poisoned the pointers; SLUB's 0x6b comes in by the next step.
    const free = s.events.find((e) => e.kind === 'free' && e.objectId === kfreed.id)!;
    const atFree = memmapSnapshot(rec, module, free.seq).objects.find((o) => o.id === kfreed.id)!;
    assert.equal(atFree.state, 'freed');
    assert.deepEqual(listPoison(atFree), ['LIST_POISON1', 'LIST_POISON2']);
    assert.equal(field(atFree, 'name')?.value, '"roman1"');
    assert.equal(field(kfreed, 'name')?.poison, 'POISON_FREE');
    assert.equal(field(kfreed, 'gender')?.poison, 'POISON_FREE');
    // vfree() unmaps the pages: the last bytes seen are those after list_del() (traced stores).
    const vfreed = ps[2];
    assert.equal(field(vfreed, 'name')?.value, '"roman3"');
    assert.deepEqual(listPoison(vfreed), ['LIST_POISON1', 'LIST_POISON2']);
    // The step before a free still shows the object live.
    const vfree = s.events.find((e) => e.kind === 'free' && e.objectId === vfreed.id)!;
    assert.equal(memmapSnapshot(rec, module, vfree.seq - 1).objects.find((o) => o.id === vfreed.id)!.state, 'live');
  });

  it('without traced heap writes, test_mem.c shows the same memory at every step (but the vfree’d node’s last stores)', () => {
    const light = run(TEST_MEM, { unload: true });
    const traced = run(TEST_MEM, { unload: true, traceWrites: true });
    const lightEvents = memmapSnapshot(light.rec, light.module).events;
    const tracedEvents = memmapSnapshot(traced.rec, traced.module).events;
    // Traced stores take event numbers too: compare the steps by position.
    assert.deepEqual(lightEvents.map((e) => e.label), tracedEvents.map((e) => e.label));
    const vfreeAt = lightEvents.findIndex((e) => e.label.startsWith('vfree('));
    const vfreed = lightEvents[vfreeAt].objectId;
    lightEvents.forEach((e, i) => {
      const objects = (r: typeof light, seq: number) =>
        memmapSnapshot(r.rec, r.module, seq).objects.filter((o) => !(o.id === vfreed && i >= vfreeAt)).map(({ allocSeq: _a, freeSeq: _f, findings: _g, ...o }) => o);
      assert.deepEqual(objects(light, e.seq), objects(traced, tracedEvents[i].seq), `at step ${i}: ${e.label}`);
    });
  });

  it('shows objects still allocated after rmmod as leaks, with the finding on the object', () => {
    const leaky = TEST_MEM.replace(/list_del\(&aPerson->list\);\nvfree\(aPerson\);/, '');
    assert.notEqual(leaky, TEST_MEM);
    const { rec, module } = run(leaky, { unload: true, config: 'full' });
    const s = memmapSnapshot(rec, module);
    const leaked = s.objects.filter((o) => o.state === 'leaked');
    assert.deepEqual(leaked.map((o) => field(o, 'name')?.value), ['"roman3"']);
    const finding = s.events.find((e) => e.kind === 'finding' && e.objectId === leaked[0].id);
    assert.ok(finding, s.events.filter((e) => e.kind === 'finding').map((e) => e.label).join('\n'));
    assert.deepEqual(leaked[0].findings, [finding.seq]);
  });

  it('decodes untyped memory as bytes and arrays of ints element by element', () => {
    const { rec, module } = run(`#include <linux/module.h>
#include <linux/slab.h>
MODULE_LICENSE("GPL");
static void *raw;
static int *nums;
static int __init m_init(void) {
  raw = kmalloc(16, GFP_KERNEL);
  nums = kcalloc(4, sizeof(int), GFP_KERNEL);
  if (!raw || !nums) return -ENOMEM;
  memset(raw, 0xab, 16);
  nums[0] = 7; nums[3] = -2;
  return 0;
}
static void __exit m_exit(void) { kfree(raw); kfree(nums); }
module_init(m_init);
module_exit(m_exit);
`);
    const s = memmapSnapshot(rec, module);
    const heap = s.objects.filter((o) => o.family !== 'global');
    assert.deepEqual(heap[0].fields.map((f) => [f.name, f.value]), [['bytes', 'ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab']]);
    assert.equal(heap[1].type, 'int');
    assert.deepEqual(heap[1].fields.map((f) => [f.name, f.value]), [['[0]', '7'], ['[1]', '0'], ['[2]', '0'], ['[3]', '-2']]);
    // Globals point at them.
    const raw = s.objects.find((o) => o.name === 'raw')!;
    assert.equal(raw.fields[0].target?.id, heap[0].id);
  });
});
