// The kernel shell terminal's line editing (src/ui/lineEditor.ts): what each key sequence leaves
// on the line, what it submits, and what it writes to the terminal.

import { strict as assert } from 'node:assert';
import { LineEditor } from '../../../src/ui/lineEditor';
import type { EditorEvent } from '../../../src/ui/lineEditor';

const UP = '\x1b[A';
const DOWN = '\x1b[B';
const LEFT = '\x1b[D';
const RIGHT = '\x1b[C';
const HOME = '\x1b[H';
const END = '\x1b[F';
const DEL = '\x1b[3~';
const BS = '\x7f';

/** The lines submitted and the line left being typed, with the cursor shown as `|`. */
function edit(...inputs: string[]): string {
  const e = new LineEditor('# ');
  const submitted: string[] = [];
  for (const input of inputs) {
    for (const ev of e.feed(input)) {
      if (ev.kind === 'submit') submitted.push(ev.line);
      if (ev.kind === 'interrupt') submitted.push('^C');
      if (ev.kind === 'eof') submitted.push('EOF');
    }
  }
  const { line, cursor } = e.state;
  return [...submitted.map((s) => `<${s}>`), `${line.slice(0, cursor)}|${line.slice(cursor)}`].join(' ');
}

describe('ui/lineEditor', () => {
  const cases: [string, string[], string][] = [
    ['typing', ['lsmod'], 'lsmod|'],
    ['enter submits', ['lsmod\r'], '<lsmod> |'],
    ['a paste of several lines submits each', ['ls\r\ncat x\r'], '<ls> <cat x> |'],
    ['backspace', ['lsmodd', BS], 'lsmod|'],
    ['backspace at the start does nothing', [BS, 'a'], 'a|'],
    ['left then insert', ['lsmd', LEFT, 'o'], 'lsmo|d'],
    ['right stops at the end', ['ab', RIGHT, RIGHT], 'ab|'],
    ['home and end', ['mod', HOME, 'ls', END, '!'], 'lsmod!|'],
    ['ctrl-a and ctrl-e', ['mod', '\x01', 'ls', '\x05', 'x'], 'lsmodx|'],
    ['delete under the cursor', ['lsxmod', LEFT, LEFT, LEFT, LEFT, DEL], 'ls|mod'],
    ['backspace in the middle', ['lsxmod', LEFT, LEFT, LEFT, BS], 'ls|mod'],
    ['ctrl-u kills to the start', ['echo hi', LEFT, LEFT, '\x15'], '|hi'],
    ['ctrl-c drops the line', ['insmod x', '\x03'], '<^C> |'],
    ['ctrl-d on an empty line ends', ['\x04'], '<EOF> |'],
    ['ctrl-d on a line deletes', ['ab', LEFT, '\x04'], 'a|'],
    ['up recalls the last line', ['lsmod\r', 'dmesg\r', UP], '<lsmod> <dmesg> dmesg|'],
    ['up twice, then down', ['lsmod\r', 'dmesg\r', UP, UP, DOWN], '<lsmod> <dmesg> dmesg|'],
    ['down past the newest returns the draft', ['lsmod\r', 'cat', UP, DOWN], '<lsmod> cat|'],
    ['up stops at the oldest', ['a\r', UP, UP, UP], '<a> a|'],
    ['empty lines and repeats stay out of the history', ['a\r', '\r', 'a\r', UP, UP], '<a> <> <a> a|'],
    ['an edited recalled line is submitted as edited', ['lsmod\r', UP, BS, BS, 'x\r'], '<lsmod> <lsmx> |'],
    ['unknown escape sequences are ignored', ['a', '\x1b[15~', '\x1b[1;5C', 'b'], 'ab|'],
  ];
  for (const [name, inputs, want] of cases) it(name, () => assert.equal(edit(...inputs), want));

  it('echoes typing at the end as is, and redraws an edit in the middle', () => {
    const e = new LineEditor('# ');
    const writes = (evs: EditorEvent[]): string[] => evs.flatMap((ev) => (ev.kind === 'write' ? [ev.text] : []));
    assert.deepEqual(writes(e.feed('ab')), ['a', 'b']);
    assert.deepEqual(writes(e.feed(BS)), ['\b \b']);
    assert.deepEqual(writes(e.feed(LEFT)), ['\x1b[D']);
    assert.deepEqual(writes(e.feed('x')), ['\r\x1b[K# xa\x1b[1D']);
    assert.deepEqual(writes(e.feed('\r')), ['\r\n']);
  });
});
