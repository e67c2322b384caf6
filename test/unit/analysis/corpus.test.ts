// The labelled corpus (test/corpus, copied from the shared corpus with its expected.json): every
// expected finding must be found (on its line or one of the alt lines), and no finding of the seven
// rules may stand where no expectation is. The GFP_ATOMIC hint is advice and does not count.
// Also the seed module examples/test_mem.c: exactly its three NULL-check findings and the hint.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FINDING_RULES } from '../../../src/core/index';
import type { Diagnostic } from '../../../src/core/index';
import { analyzeText } from './helpers';

const CORPUS = path.join(__dirname, '..', '..', 'corpus');
const EXAMPLES = path.join(__dirname, '..', '..', '..', 'examples');

interface Expectation {
  readonly class: string;
  readonly line: number;
  readonly alt: readonly number[];
}

const expected = JSON.parse(fs.readFileSync(path.join(CORPUS, 'expected.json'), 'utf8')) as Record<string, Expectation[]>;

function lineOf(d: Diagnostic): number {
  return d.span.file.position(d.span.start).line;
}

function matches(d: Diagnostic, e: Expectation): boolean {
  const l = lineOf(d);
  return d.rule === e.class && (l === e.line || e.alt.includes(l));
}

/** Headers the front end could not find: the likely reason when an expectation fails. */
function missingHeaders(r: { frontEnd: readonly Diagnostic[] }): string[] {
  return r.frontEnd.filter((d) => d.code === 'KM1004').map((d) => d.message.replace(/:.*$/, ''));
}

describe('analyzer on the labelled corpus', () => {
  let found = 0;
  let total = 0;
  let falseAlarms = 0;
  for (const [file, exps] of Object.entries(expected)) {
    it(file, () => {
      const text = fs.readFileSync(path.join(CORPUS, file), 'latin1');
      const r = analyzeText(text, file);
      assert.deepEqual(r.internal.filter((m) => !m.includes('work budget')), [], 'the analyzer reported an internal error');
      const fe = r.diagnostics;
      const ds = fe.filter((d) => (FINDING_RULES as readonly string[]).includes(d.rule));
      const missing = exps.filter((e) => !ds.some((d) => matches(d, e)));
      const extra = ds.filter((d) => !exps.some((e) => matches(d, e)));
      total += exps.length;
      found += exps.length - missing.length;
      falseAlarms += extra.length;
      const absent = missingHeaders(r);
      const why = missing.length && absent.length ? ` (Kernel Module Lab does not ship ${absent.join(', ')} yet)` : '';
      assert.deepEqual(missing.map((e) => `${e.class} ${e.line}`), [], `expected findings not found in ${file}${why}`);
      assert.deepEqual(extra.map((d) => `${d.rule} ${lineOf(d)}: ${d.message}`), [], `false alarms in ${file}`);
    });
  }
  after(() => {
    // The score, for the log (the assertions above are what fail the suite).
    process.stdout.write(`      corpus: ${found}/${total} expected findings, ${falseAlarms} false alarms\n`);
  });
});

describe('analyzer on examples/test_mem.c', () => {
  const text = fs.readFileSync(path.join(EXAMPLES, 'test_mem.c'), 'latin1');

  it('reports exactly the three unchecked allocations and the GFP_ATOMIC hint', () => {
    const r = analyzeText(text, 'test_mem.c');
    assert.deepEqual(r.internal, []);
    assert.deepEqual(r.diagnostics.map((d) => `${d.rule} ${lineOf(d)}`), [
      'null-check 21',
      'gfp-atomic-hint 27',
      'null-check 28',
      'null-check 35',
    ]);
    const hint = r.diagnostics.find((d) => d.rule === 'gfp-atomic-hint')!;
    assert.equal(hint.severity, 'hint');
    assert.equal(hint.code, 'KM3101');
    for (const d of r.diagnostics.filter((x) => x.rule === 'null-check')) {
      assert.equal(d.code, 'KM3002');
      assert.equal(d.related.length >= 1, true);
      assert.equal(lineOf({ ...d, span: d.related[0].span }), lineOf(d) - 1, 'the allocation is related information');
      assert.match(d.message, /^strcpy\(\) dereferences the result of (kmalloc|vmalloc)\(\) at line \d+, which may be NULL/);
      assert.equal(d.fixes.length, 1);
      assert.match(d.fixes[0].edits[0].newText, /if \(!aNewPerson\)\n\s*return -ENOMEM;/);
    }
  });

  it('a copy that kfree()s the vmalloc node gets a free-mismatch', () => {
    const copy = text.replace(/vfree\(aPerson\);/, 'kfree(aPerson);');
    assert.notEqual(copy, text);
    const r = analyzeText(copy, 'test_mem_kfree.c');
    const fm = r.diagnostics.filter((d) => d.rule === 'free-mismatch');
    assert.deepEqual(fm.map((d) => lineOf(d)), [62]);
    assert.match(fm[0].message, /kfree\(\) frees memory from vmalloc\(\) in init_module\(\) at line 34/);
    assert.deepEqual(fm[0].fixes.map((f) => f.edits[0].newText), ['vfree', 'kvfree']);
  });

  it('a copy that vfree()s the kmalloc nodes gets two free-mismatches and no other change', () => {
    const copy = text.replace(/^kfree\(aPerson\);/gm, 'vfree(aPerson);');
    const r = analyzeText(copy, 'test_mem_vfree.c');
    assert.deepEqual(r.diagnostics.filter((d) => d.rule === 'free-mismatch').map((d) => lineOf(d)), [54, 58]);
    assert.equal(r.diagnostics.filter((d) => d.rule === 'null-check').length, 3);
  });

  it('a copy whose exit frees only two nodes leaks the third', () => {
    const copy = text.replace(/aPerson = list_first_entry\(&personList.list, struct Person, list\);\nprintk\(KERN_INFO "freeing node %s\\n", aPerson->name\);\nlist_del\(&aPerson->list\);\nvfree\(aPerson\);\n/, '');
    assert.notEqual(copy, text);
    const r = analyzeText(copy, 'test_mem_leak.c');
    assert.deepEqual(r.diagnostics.filter((d) => d.rule === 'leak').map((d) => lineOf(d)), [34]);
  });
});
