// Parser and type checker: layouts (LP64), conversions, and errors with exact positions.
// One-line helpers over tables of minimal snippets.

import { strict as assert } from 'node:assert';
import { frontEnd, kernelHeaders } from '../../../src/core/index';
import type { Diagnostic } from '../../../src/core/index';
import { evalConst } from '../../../src/core/c/parse';
import { sizeOf, typeName, findMember } from '../../../src/core/c/types';

function fe(src: string) {
  return frontEnd({ fileName: 't.c', text: src }, kernelHeaders());
}

function errors(src: string): string[] {
  return fe(src).diagnostics.filter((d: Diagnostic) => d.severity === 'error').map((d) => {
    const p = d.span.file.position(d.span.start);
    return `${p.line}:${p.column}: ${d.message}`;
  });
}

/** sizeof and offsetof of a struct defined in `src` by evaluating a global initializer. */
function constOf(src: string, name: string): bigint | undefined {
  const r = fe(src);
  const v = r.unit.globals.find((g) => g.name === name);
  const leaf = v?.init?.leaves[0];
  if (!leaf || !('expr' in leaf)) return undefined;
  const c = evalConst(leaf.expr);
  return c === undefined ? undefined : BigInt(c);
}

describe('C types: x86_64 LP64 layout', () => {
  const PERSON = `#include <linux/list.h>
struct Person { char name[30]; unsigned int weight; unsigned char gender; struct list_head list; };`;
  const cases: [string, string, bigint][] = [
    ['sizeof(struct Person)', PERSON, 56n],
    ['offsetof(struct Person, list)', PERSON, 40n],
    ['offsetof(struct Person, weight)', PERSON, 32n],
    ['offsetof(struct Person, gender)', PERSON, 36n],
    ['sizeof(long)', '', 8n],
    ['sizeof(int *)', '', 8n],
    ['sizeof(short)', '', 2n],
    ['sizeof(struct { char a; long b; })', '', 16n],
    ['sizeof(struct { char a; char b; short c; })', '', 4n],
    ['sizeof(union { char a[5]; int b; })', '', 8n],
    ['sizeof(struct { unsigned a:3; unsigned b:30; })', '', 8n],
    ['sizeof(struct { char c; int a:3; })', '', 4n],
    ['sizeof(struct __attribute__((packed)) { char a; int b; })', '', 5n],
    ['sizeof(spinlock_t)', '#include <linux/spinlock.h>', 4n],
    ['sizeof(struct mutex)', '#include <linux/mutex.h>', 32n],
    ['sizeof(u64)', '#include <linux/types.h>', 8n],
    ['sizeof(int[10][3])', '', 120n],
    ['sizeof("abc")', '', 4n],
    ['_Alignof(long long)', '', 8n],
  ];
  for (const [expr, prelude, want] of cases) {
    it(`${expr} == ${want}`, () => {
      const src = `${prelude.includes('offsetof') || expr.includes('offsetof') ? '#include <linux/stddef.h>\n' : ''}${prelude}\nunsigned long x = ${expr};\n`;
      assert.deepEqual(errors(src), []);
      assert.equal(constOf(src, 'x'), want);
    });
  }
});

describe('C constant expressions: usual arithmetic conversions', () => {
  const cases: [string, bigint][] = [
    ['-1 < 0u', 0n],
    ['-1 < 0', 1n],
    ['(unsigned char)300', 44n],
    ['(signed char)200', -56n],
    ['0xffffffff + 1', 0n],
    ['0xffffffffUL + 1', 4294967296n],
    ['1 << 31', -2147483648n],
    ['-7 / 2', -3n],
    ['-7 % 2', -1n],
    ['7u / 2', 3n],
    ['(int)2147483648L', -2147483648n],
    ["'a'", 97n],
    ["'\\n'", 10n],
    ['sizeof(int) * 3 == 12', 1n],
    ['1 ? 2 : 3', 2n],
    ['(long)-1 >> 1', -1n],
    ['(unsigned long)-1 >> 63', 1n],
  ];
  for (const [expr, want] of cases) {
    it(`${expr} == ${want}`, () => {
      const src = `long x = ${expr};\n`;
      assert.deepEqual(errors(src), []);
      assert.equal(constOf(src, 'x'), want);
    });
  }
});

describe('front-end errors have exact positions and never throw', () => {
  const cases: [string, string[]][] = [
    ['int f(void) { return y; }', ["1:22: 'y' undeclared (first use in this function)"]],
    ['int f(void) { int a = 1 return a; }', ["1:25: expected ',' or ';' before 'return'"]],
    ['int f(void) { float x = 1; return 0; }', ["1:15: floating point ('float') cannot be used in kernel code"]],
    ['struct S { int a; };\nint f(struct S *s) { return s->b; }', ["2:32: 'struct S' has no member named 'b'"]],
    ['int f(void) { asm("nop"); return 0; }', ['1:15: not supported by Kernel Module Lab: inline assembly (asm)']],
    ['int f(void) { g(); return 0; }', ["1:15: implicit declaration of function 'g'"]],
  ];
  for (const [src, want] of cases) {
    it(src.replace(/\n/g, ' '), () => {
      assert.deepEqual(errors(src), want);
    });
  }

  it('returns a partial unit after a syntax error and keeps later functions', () => {
    const r = fe('int broken(void) { int = ; }\nint good(void) { return 1; }\n');
    assert.ok(r.unit.funcs.some((f) => f.name === 'good'));
    assert.ok(r.diagnostics.some((d) => d.severity === 'error'));
  });

  it('types expressions', () => {
    const r = fe('#include <linux/list.h>\nstruct P { int w; struct list_head l; };\nstruct P *p;\nvoid *q = &p->l;');
    const st = r.unit.globals.find((g) => g.name === 'p')!.type;
    assert.equal(typeName(st), 'struct P *');
    assert.equal(st.kind === 'ptr' && st.to.kind === 'struct' ? findMember(st.to, 'l')?.offset : -1, 8);
    assert.equal(sizeOf(st), 8);
  });
});

// Found by the fuzzer (test/unit/fuzz): each once threw RangeError or took minutes.
describe('parser limits on hostile input', () => {
  const LIMIT = 'nesting deeper than 512 levels (limit of Kernel Module Lab)';
  const cases: [string, string][] = [
    ['10,000 unary minus', `int f(int x) { return ${'-'.repeat(10_000)}x; }`],
    ['10,000 casts', `int f(int x) { return ${'(int)'.repeat(10_000)}x; }`],
    ['a 100,000-term sum', `int f(int x) { return ${Array(100_000).fill('x').join('+')}; }`],
  ];
  for (const [name, src] of cases) {
    it(`${name}: a limit diagnostic, not an exception`, () => {
      assert.ok(errors(src).some((e) => e.endsWith(LIMIT)), errors(src).join('\n'));
    });
  }

  it('a 512-term sum is still fine', () => {
    assert.deepEqual(errors(`int f(int x) { return ${Array(500).fill('x').join('+')}; }`), []);
  });

  it('finds a duplicate among 100,000 case labels (without a quadratic scan)', () => {
    const cases = Array.from({ length: 100_000 }, (_, i) => `case ${i}: break;`).join(' ');
    assert.deepEqual(errors(`int f(int x) { switch (x) { ${cases} case 7: break; } return 0; }`).map((e) => e.replace(/^\d+:\d+: /, '')), ['duplicate case value']);
  });
});

describe('#include "..." stays in the module folder', () => {
  const read: string[] = [];
  const readLocal = (name: string) => {
    read.push(name);
    return name === 'ok.h' ? '#define OK 1\n' : 'secret';
  };
  const cases: [string, string][] = [
    ['../../etc/passwd', '2:10: ../../etc/passwd: outside the module\'s folder; #include "..." reads only files in the module\'s own folder'],
    ['/etc/passwd', '2:10: /etc/passwd: outside the module\'s folder; #include "..." reads only files in the module\'s own folder'],
    ['sub/../../x.h', '2:10: sub/../../x.h: outside the module\'s folder; #include "..." reads only files in the module\'s own folder'],
  ];
  for (const [name, want] of cases) {
    it(`refuses "${name}" at the include's position, without reading it`, () => {
      read.length = 0;
      const r = frontEnd({ fileName: 't.c', text: `#include "ok.h"\n#include "${name}"\nint x = OK;`, readLocal }, kernelHeaders());
      const errs = r.diagnostics.filter((d) => d.severity === 'error').map((d) => {
        const p = d.span.file.position(d.span.start);
        return `${p.line}:${p.column}: ${d.message}`;
      });
      assert.deepEqual(errs, [want]);
      assert.equal(r.diagnostics[0].code, 'KM1005');
      assert.deepEqual(read, ['ok.h']);
    });
  }
});
