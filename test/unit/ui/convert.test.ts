// convert.ts: the only place core positions (1-based) become editor positions (0-based). Checked
// against the text itself: the converted position must index the same character the core meant.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { baseName, fileOf, oneBased, rangeContains, toRange, zeroBased } from '../../../src/ui/convert';
import type { WireRange } from '../../../src/protocol/kernel';
import { SourceFile } from '../../../src/core/index';

/** A stand-in for vscode.Range that records its four numbers. */
class FakeRange {
  constructor(
    readonly startLine: number,
    readonly startCharacter: number,
    readonly endLine: number,
    readonly endCharacter: number,
  ) {}
}
const Range = FakeRange as unknown as Parameters<typeof toRange>[1];

const wire = (sl: number, sc: number, el: number, ec: number, file = 'm.c', virtual = false): WireRange => ({
  file,
  virtual,
  start: { line: sl, column: sc },
  end: { line: el, column: ec },
});

describe('ui/convert', () => {
  it('shifts 1-based lines and columns to 0-based', () => {
    assert.deepEqual(zeroBased(wire(1, 1, 3, 7)), { startLine: 0, startCharacter: 0, endLine: 2, endCharacter: 6 });
    assert.deepEqual(oneBased(0, 0), { line: 1, column: 1 });
    assert.deepEqual(oneBased(20, 4), { line: 21, column: 5 });
  });

  it('builds a Range through the constructor it is given', () => {
    assert.deepEqual({ ...toRange(wire(21, 1, 21, 7), Range) }, { startLine: 20, startCharacter: 0, endLine: 20, endCharacter: 6 });
  });

  it('widens an empty span to one character only when asked (diagnostics, not edits)', () => {
    assert.deepEqual({ ...toRange(wire(2, 5, 2, 5), Range) }, { startLine: 1, startCharacter: 4, endLine: 1, endCharacter: 4 });
    assert.deepEqual({ ...toRange(wire(2, 5, 2, 5), Range, true) }, { startLine: 1, startCharacter: 4, endLine: 1, endCharacter: 5 });
  });

  it('never produces negative positions', () => {
    assert.deepEqual(zeroBased(wire(0, 0, 0, 0)), { startLine: 0, startCharacter: 0, endLine: 0, endCharacter: 0 });
  });

  it('maps a core span of test_mem.c to the same text the editor shows at the 0-based position', () => {
    const text = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'examples', 'test_mem.c'), 'utf8');
    const file = new SourceFile('test_mem.c', text);
    const offset = text.indexOf('kmalloc(sizeof(*aNewPerson), GFP_ATOMIC)');
    const p = file.position(offset);
    const z = zeroBased({ start: p, end: p });
    // The editor splits lines at '\n' and counts UTF-16 code units, as SourceFile does.
    assert.equal(text.split('\n')[z.startLine].slice(z.startCharacter, z.startCharacter + 7), 'kmalloc');
  });

  it('keeps CRLF files on the same columns (the \\r stays at the line end)', () => {
    const file = new SourceFile('m.c', 'int a;\r\nint b;\r\n');
    const z = zeroBased({ start: file.position(12), end: file.position(13) });
    assert.deepEqual([z.startLine, z.startCharacter], [1, 4]);
  });

  it('tells whether a position lies in a range, ends included', () => {
    const r = wire(3, 5, 3, 12);
    assert.equal(rangeContains(r, { line: 3, column: 5 }), true);
    assert.equal(rangeContains(r, { line: 3, column: 12 }), true);
    assert.equal(rangeContains(r, { line: 3, column: 4 }), false);
    assert.equal(rangeContains(r, { line: 4, column: 1 }), false);
  });

  it('classifies files: the module itself, a local include, a virtual kernel header', () => {
    assert.deepEqual(fileOf(wire(1, 1, 1, 1, 'test_mem.c'), '/home/s/test_mem.c'), { kind: 'self' });
    assert.deepEqual(fileOf(wire(1, 1, 1, 1, 'person.h'), 'test_mem.c'), { kind: 'local', path: 'person.h' });
    assert.deepEqual(fileOf(wire(1, 1, 1, 1, 'linux/list.h', true), 'test_mem.c'), { kind: 'virtual' });
    assert.equal(baseName('C:\\src\\m.c'), 'm.c');
  });
});
