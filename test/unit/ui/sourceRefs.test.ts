// sourceRefs.ts: `file.c:NN` references in kernel log lines (links back to the source) and the
// `#include "..."` names a module reads from its own folder.

import { strict as assert } from 'node:assert';
import { findSourceRefs, quoteIncludes } from '../../../src/ui/sourceRefs';

describe('ui/sourceRefs', () => {
  it('finds the position in a decoded call-trace frame', () => {
    const line = '[    2.353580]  cleanup_module (test_mem.c:62) test_mem';
    const [r] = findSourceRefs(line);
    assert.deepEqual(r, { start: line.indexOf('test_mem.c'), end: line.indexOf(')'), file: 'test_mem.c', line: 62, column: undefined });
  });

  it('reads line and column, and paths', () => {
    assert.deepEqual(
      findSourceRefs('BUG: sleeping function called from invalid context at drivers/foo.c:12:5').map((r) => [r.file, r.line, r.column]),
      [['drivers/foo.c', 12, 5]],
    );
  });

  it('finds several references and ignores addresses and symbols', () => {
    assert.deepEqual(
      findSourceRefs('kfree+0x4b/0x110 at ffffeb0200001348 (a.c:1) (b.h:22)').map((r) => `${r.file}:${r.line}`),
      ['a.c:1', 'b.h:22'],
    );
    assert.deepEqual(findSourceRefs('RIP: 0010:kfree+0x4b/0x110'), []);
  });

  it('lists the quoted includes once each, in order', () => {
    assert.deepEqual(quoteIncludes('#include <linux/module.h>\n#include "person.h"\n  # include "util.h"\n#include "person.h"\n'), ['person.h', 'util.h']);
  });
});
