// The core module debugger, driven synchronously (the host answers each stop directly): stepping
// into and out of the headers' C helpers, reverse continue, kernel reports as exceptions (BUG,
// soft lockup, leak at rmmod), memory edits that survive a replay, and list_head decoding.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ModuleDebugger, parseAddress } from '../../../src/core/index';
import type { DebugLaunch, DebugStep, PausedState, Resume, SourceBreakpoint, Stop, VariableInfo } from '../../../src/core/index';
import { spanLine } from '../../../src/core/source/source';
import type { MemmapObject } from '../../../src/protocol/memoryMap';

const TEST_MEM = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'examples', 'test_mem.c'), 'utf8');
const lineOf = (text: string, needle: string, nth = 1): number => {
  let at = -1;
  for (let i = 0; i < nth; i++) at = text.indexOf(needle, at + 1);
  assert.ok(at >= 0, needle);
  return text.slice(0, at).split('\n').length;
};

interface Seen {
  reason: Stop['reason'];
  line: number | undefined;
  file: string | undefined;
  fn: string;
  stop: Stop;
  /** Whatever the step's `look` returned while the machine stood there. */
  seen: unknown;
}

/**
 * Debug `text`, answering the stops with `answers` in order (then `continue`); `look` inspects each
 * stop while it is valid.
 */
function debug(text: string, bps: Omit<SourceBreakpoint, 'id'>[], answers: Resume[], look: (s: PausedState) => unknown = () => undefined, launch: Partial<DebugLaunch> = {}): Seen[] {
  const d = new ModuleDebugger({ fileName: 'm.c', text, ...launch });
  d.setBreakpoints(bps.map((b, i) => ({ ...b, id: i + 1 })));
  const out: Seen[] = [];
  d.run({
    output: () => {},
    stopped(stop, state) {
      out.push({ reason: stop.reason, line: stop.span && spanLine(stop.span), file: stop.span?.file.name, fn: state.stackTrace()[0].name, stop, seen: look(state) });
      return answers[out.length - 1] ?? 'continue';
    },
  });
  return out;
}

describe('core/debug ModuleDebugger', function () {
  this.timeout(60000);

  it('steps into list_add_tail only when asked, and steps out of it back to the caller', () => {
    const line = lineOf(TEST_MEM, 'list_add_tail');
    const plain = debug(TEST_MEM, [{ line }], ['stepIn']);
    assert.deepEqual(plain.slice(0, 2).map((s) => [s.fn, s.line]), [['init_module', line], ['init_module', line + 1]]);
    const into = debug(TEST_MEM, [{ line }], ['stepIn', 'stepOut'], undefined, { stepIntoHeaders: true });
    assert.equal(into[1].fn, 'list_add_tail');
    assert.equal(into[1].file, 'linux/list.h');
    assert.deepEqual([into[2].fn, into[2].line], ['init_module', line + 1]);
  });

  it('reverse-continues to the previous hit of a breakpoint, and to the entry when there is none', () => {
    const loop = TEST_MEM.replace('return 0;', 'int i, n = 0;\nfor (i = 0; i < 3; i++)\nn += i;\nreturn 0;');
    const body = lineOf(loop, 'n += i;');
    const stops = debug(loop, [{ line: body }], ['continue', 'reverseContinue', 'reverseContinue'], (s) => (s.evaluate('i', 0) as { value: string }).value);
    assert.deepEqual(stops.slice(0, 4).map((s) => [s.line, s.seen]), [[body, '0'], [body, '1'], [body, '0'], [lineOf(loop, 'printk(KERN_INFO "initialize'), stops[3].seen]]);
    assert.equal(stops[3].reason, 'entry');
  });

  it('stops at the line of a sleeping-in-atomic BUG, with the report as the exception', () => {
    const bad = TEST_MEM.replace('aNewPerson = kmalloc(sizeof(*aNewPerson), GFP_KERNEL);', 'DEFINE_SPINLOCK(l);\nspin_lock(&l);\naNewPerson = kmalloc(sizeof(*aNewPerson), GFP_KERNEL);\nspin_unlock(&l);');
    const [stop] = debug(bad, [], ['terminate']);
    assert.equal(stop.reason, 'exception');
    assert.equal(stop.line, lineOf(bad, 'GFP_KERNEL);'));
    assert.match(stop.stop.exception!.message, /BUG: sleeping function called from invalid context/);
    assert.ok(stop.stop.exception!.report.some((l) => /in_atomic\(\): 1/.test(l)));
  });

  it('stops at an endless loop with the soft-lockup report', () => {
    const looping = TEST_MEM.replace('return 0;', 'while (1) { }\nreturn 0;');
    const [stop] = debug(looping, [], ['terminate'], undefined, { softLockupSeconds: 1 });
    assert.equal(stop.reason, 'exception');
    assert.equal(stop.line, lineOf(looping, 'while (1)'));
    assert.match(stop.stop.exception!.message, /soft lockup/);
  });

  it('stops at rmmod on a leak, at the allocation site, with the kmemleak report', () => {
    const leaky = TEST_MEM.replace(/list_del\(&aPerson->list\);\nvfree\(aPerson\);/, 'list_del(&aPerson->list);');
    const [stop] = debug(leaky, [], ['continue']);
    assert.equal(stop.reason, 'exception');
    assert.equal(stop.line, lineOf(leaky, 'vmalloc(sizeof'));
    assert.match(stop.stop.exception!.message, /unreferenced object/);
  });

  it('keeps a memory edit made while paused when a step back replays the run', () => {
    const line = lineOf(TEST_MEM, 'aNewPerson->gender = 1;');
    let stopsSeen = 0;
    const stops = debug(TEST_MEM, [{ line }], ['next', 'stepBack'], (s) => {
      if (stopsSeen++ === 0) {
        const weight = s.evaluate('&aNewPerson->weight', 0) as VariableInfo;
        assert.deepEqual(s.writeMemory(parseAddress(weight.memoryReference!)!, new Uint8Array([7, 0, 0, 0])), { written: 4 });
      }
      return (s.evaluate('aNewPerson->weight', 0) as VariableInfo).value;
    });
    assert.deepEqual(stops.slice(0, 3).map((s) => [s.line, s.seen]), [[line, '7'], [line + 1, '7'], [line, '7']]);
  });

  it('decodes personList.list as its entries, by the struct that embeds the list_head', () => {
    const line = lineOf(TEST_MEM, 'printk(KERN_INFO "traversing');
    const [stop] = debug(TEST_MEM, [{ line }], ['terminate'], (s) => {
      const list = s.evaluate('personList.list', 0) as { value: string; ref: number };
      return { summary: list.value, entries: s.variables(list.ref).filter((v) => v.name.startsWith('[')).map((v) => `${v.type} ${v.value}`) };
    });
    const seen = stop.seen as { summary: string; entries: string[] };
    assert.equal(seen.summary, 'list of 3 entries');
    assert.deepEqual(seen.entries.map((e) => /name="(\w+)", weight=(\d+)/.exec(e)?.slice(1).join(' ')), ['roman1 130', 'roman2 260', 'roman3 390']);
    assert.ok(seen.entries.every((e) => e.startsWith('struct Person ')));
  });

  it('gives the memory map the snapshot at the step and the objects the current line touches', () => {
    const line = lineOf(TEST_MEM, 'strcpy(aNewPerson->name, "roman1");');
    const [stop] = debug(TEST_MEM, [{ line }], ['terminate'], (s) => ({ step: s.step(), person: (s.evaluate('aNewPerson', 0) as VariableInfo).memoryReference }));
    const { step, person } = stop.seen as { step: DebugStep; person: string };
    assert.equal(step.line, line);
    assert.deepEqual(step.highlight, [person]);
    assert.ok(step.snapshot?.objects.some((o) => `0x${o.addr}` === person && o.size === 56));
  });

  it('gives the memory map the two Persons as they stand after the second list_add_tail, and what the line touches', () => {
    const line = lineOf(TEST_MEM, 'list_add_tail', 2);
    const look = (s: PausedState) => ({
      step: s.step(),
      person: (s.evaluate('aNewPerson', 0) as VariableInfo).memoryReference,
      head: (s.evaluate('personList', 0) as VariableInfo).memoryReference,
    });
    // Stopped at the second list_add_tail, then one step over it.
    const [at, after] = debug(TEST_MEM, [{ line }], ['next', 'terminate'], look);
    assert.equal(after.line, line + 1);
    const people = (step: DebugStep) => step.snapshot!.objects.filter((o) => o.type === 'struct Person' && o.family !== 'global');
    const name = (o: MemmapObject) => o.fields.find((f) => f.name === 'name')?.value;
    for (const stop of [at, after]) {
      const { step } = stop.seen as { step: DebugStep };
      assert.equal(step.snapshot!.module, 'm');
      assert.deepEqual(people(step).map(name), ['"roman1"', '"roman2"']);
    }
    // The line names aNewPerson and personList: the second Person and the list head are touched.
    const { step, person, head } = at.seen as { step: DebugStep; person: string; head: string };
    assert.equal(step.line, line);
    assert.deepEqual([...step.highlight].sort(), [person, head].sort());
    assert.equal(`0x${people(step)[1].addr}`, person);
    // After the step, memory holds the ring: the first Person's list.next points into the second.
    const [first, second] = people((after.seen as { step: DebugStep }).step);
    const next = first.fields.find((f) => f.name === 'list.next');
    assert.deepEqual(next?.target, { id: second.id, offset: 40, field: 'list' });
  });
});
