// The analyzer never throws (DESIGN invariant 1): every corpus file and the examples, cut at every
// 100th character, go through the front end and the analyzer without an exception and without an
// internal error on the debug channel. A few hand-made broken inputs join them.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze, frontEnd, kernelHeaders } from '../../../src/core/index';

const ROOT = path.join(__dirname, '..', '..', '..');
const FILES = [
  ...fs.readdirSync(path.join(ROOT, 'test', 'corpus')).filter((f) => f.endsWith('.c')).map((f) => path.join(ROOT, 'test', 'corpus', f)),
  path.join(ROOT, 'examples', 'test_mem.c'),
];

function run(text: string, name: string): string[] {
  const internal: string[] = [];
  const fe = frontEnd({ fileName: name, text }, kernelHeaders());
  analyze(fe, { debug: (m) => internal.push(m) });
  return internal.filter((m) => !m.includes('work budget'));
}

describe('analyzer robustness', function () {
  this.timeout(120000);
  for (const file of FILES) {
    it(`${path.basename(file)} truncated at every 100th character`, () => {
      const text = fs.readFileSync(file, 'latin1');
      for (let n = 0; n <= text.length; n += 100) {
        const internal = run(text.slice(0, n), path.basename(file));
        assert.deepEqual(internal, [], `internal error with the first ${n} characters`);
      }
    });
  }

  const broken: [string, string][] = [
    ['empty', ''],
    ['only a brace', '}'],
    ['unterminated function', 'int f(void) { spin_lock(&l); if (x'],
    ['goto to a missing label', '#include <linux/slab.h>\nint f(void) { void *p = kmalloc(4, GFP_KERNEL); goto nowhere; }'],
    ['recursion', '#include <linux/slab.h>\nstatic void *f(int n) { return n ? f(n - 1) : kmalloc(4, GFP_KERNEL); }'],
    ['mutual recursion with locks', '#include <linux/spinlock.h>\nstatic DEFINE_SPINLOCK(l);\nstatic void g(int);\nstatic void f(int n) { spin_lock(&l); g(n); }\nstatic void g(int n) { spin_unlock(&l); if (n) f(n - 1); }'],
    ['statement expression with goto', '#include <linux/slab.h>\nint f(void) { int x = ({ int y = 1; if (y) goto out; y; }); out: return x; }'],
    ['deep nesting', `int f(int x) { ${'if (x) { '.repeat(200)}x++;${' }'.repeat(200)} return x; }`],
    ['long else-if chain', `int f(int x) { ${Array.from({ length: 300 }, (_, i) => `if (x == ${i}) return ${i};`).join(' else ')} return -1; }`],
  ];
  for (const [name, text] of broken) {
    it(`does not throw on ${name}`, () => assert.deepEqual(run(text, 't.c'), []));
  }

  it('a bug in the analyzer costs findings, not an exception: it becomes an internal note', () => {
    const text = '#include <linux/slab.h>\nint f(void) { char *p = kmalloc(4, GFP_KERNEL); p[0] = 1; return 0; }\nint g(void) { char *q = kmalloc(4, GFP_KERNEL); q[0] = 1; kfree(q); return 0; }';
    const fe = frontEnd({ fileName: 't.c', text }, kernelHeaders());
    const f = fe.unit.funcs.find((x) => x.name === 'f')!;
    // An AST the front end never produces: an expression statement without an expression.
    (f.body!.stmts as unknown[]).unshift({ k: 'expr', span: f.span, e: null });
    const internal: string[] = [];
    let ds: ReturnType<typeof analyze> = [];
    assert.doesNotThrow(() => {
      ds = analyze(fe, { debug: (m) => internal.push(m) });
    });
    assert.ok(internal.some((m) => m.startsWith('internal: analysis of f() failed')), internal.join('\n'));
    // The other function is still analyzed.
    assert.deepEqual(ds.map((d) => `${d.rule} ${d.span.file.position(d.span.start).line}`), ['null-check 3']);
  });
});
