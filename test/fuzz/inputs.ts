// What the fuzzer feeds the core: the project's own C files (corpus, golden fixtures, oracle
// modules, examples) mutated as a student's typing mutates them, programs generated from a small
// grammar of module C, and the pathological inputs of issue 7. Mutations and programs are
// fast-check arbitraries, so a fixed seed gives the same inputs on every machine and a failing
// input shrinks to a small one.

import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';

/** One input: a module's text, the local files its `#include "…"` lines may read, and a name for the report. */
export interface FuzzInput {
  readonly name: string;
  readonly text: string;
  readonly locals?: Readonly<Record<string, string>>;
}

const ROOT = path.join(__dirname, '..', '..');
/** Folders whose `.c` files seed the mutations. */
const SEED_DIRS = ['test/corpus', 'test/golden/fixtures', 'test/oracle', 'test/unit/vm/fixtures', 'examples'];

/** The project's C files, sorted by path so the seed picks the same file everywhere. */
export function seedFiles(): FuzzInput[] {
  const out: FuzzInput[] = [];
  for (const dir of SEED_DIRS) {
    const abs = path.join(ROOT, dir);
    if (!fs.existsSync(abs)) continue;
    for (const f of fs.readdirSync(abs).filter((n) => n.endsWith('.c')).sort()) {
      out.push({ name: `${dir}/${f}`, text: fs.readFileSync(path.join(abs, f), 'latin1') });
    }
  }
  return out;
}

// ---- mutations --------------------------------------------------------------------------------

/** Characters that matter to C: a flip to one of these breaks structure rather than a name. */
const C_CHARS = [...'{}()[];,.*&|!=<>+-/%#"\'\\\n \t?:~^0123456789abcxyzXL_'];

type Mutation =
  | { kind: 'flip'; at: number; ch: string }
  | { kind: 'delete-token'; at: number }
  | { kind: 'duplicate-tokens'; at: number; count: number }
  | { kind: 'truncate'; at: number };

/** Tokens of C text, roughly (identifiers, numbers, strings, single characters): where they start and end. */
function roughTokens(text: string): [number, number][] {
  const out: [number, number][] = [];
  const re = /[A-Za-z_]\w*|\d\w*|"(?:\\.|[^"\\\n])*"?|'(?:\\.|[^'\\\n])*'?|\S/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push([m.index, m.index + m[0].length]);
  return out;
}

/** `at` is a fraction of the text (0..1), so one mutation applies to any file. */
function applyMutation(text: string, m: Mutation): string {
  if (m.kind === 'flip' || m.kind === 'truncate') {
    const i = Math.floor(m.at * text.length);
    return m.kind === 'truncate' ? text.slice(0, i) : text.slice(0, i) + m.ch + text.slice(i + 1);
  }
  const toks = roughTokens(text);
  if (toks.length === 0) return text;
  const i = Math.min(toks.length - 1, Math.floor(m.at * toks.length));
  if (m.kind === 'delete-token') return text.slice(0, toks[i][0]) + text.slice(toks[i][1]);
  const last = toks[Math.min(toks.length - 1, i + m.count - 1)];
  const copy = text.slice(toks[i][0], last[1]);
  return `${text.slice(0, last[1])} ${copy}${text.slice(last[1])}`;
}

const fraction = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fraction, ch: fc.oneof(fc.constantFrom(...C_CHARS), fc.string({ minLength: 1, maxLength: 1, unit: 'binary' })) }),
  fc.record({ kind: fc.constant('delete-token' as const), at: fraction }),
  fc.record({ kind: fc.constant('duplicate-tokens' as const), at: fraction, count: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fraction }),
);

/** A seed file with one to eight mutations applied in turn. */
export function mutatedInputs(seeds: readonly FuzzInput[]): fc.Arbitrary<FuzzInput> {
  return fc.tuple(fc.constantFrom(...seeds), fc.array(mutationArb, { minLength: 1, maxLength: 8 })).map(([seed, muts]) => ({
    name: `${seed.name} mutated (${muts.map((m) => m.kind).join(', ')})`,
    text: muts.reduce(applyMutation, seed.text),
  }));
}

// ---- generated programs -------------------------------------------------------------------------

/** The module around generated statements: globals, a struct with a list, and both entry points. */
function moduleAround(initBody: string, exitBody: string, helpers: string): string {
  return `#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/delay.h>
MODULE_LICENSE("GPL");
struct item { int v; char name[16]; struct list_head list; };
static LIST_HEAD(items);
static DEFINE_SPINLOCK(lock);
static int g;
static char *buf;
static struct item *it;
${helpers}
static int __init gen_init(void)
{
  int a = 1, b = 2, i = 0;
  char *p = NULL;
${initBody}
  return 0;
}
static void __exit gen_exit(void)
{
${exitBody}
}
module_init(gen_init);
module_exit(gen_exit);
`;
}

const ints = fc.constantFrom('a', 'b', 'i', 'g', 'it->v', 'p[0]', 'buf[1]', '0', '1', '-1', '7', '0x7fffffff', '4096', 'sizeof(*it)');
const ptrs = fc.constantFrom('p', 'buf', 'it', 'NULL', '(char *)it', 'it->name');

/** Integer expressions over the module's variables, a few levels deep. */
const intExpr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    ints,
    fc.tuple(tie('e'), fc.constantFrom('+', '-', '*', '/', '%', '<<', '>>', '&', '|', '^', '&&', '||', '==', '<'), tie('e')).map(([l, op, r]) => `(${l} ${op} ${r})`),
    fc.tuple(fc.constantFrom('-', '!', '~'), tie('e')).map(([op, e]) => `${op}${e}`),
    fc.tuple(tie('e'), tie('e'), tie('e')).map(([c, t, f]) => `(${c} ? ${t} : ${f})`),
  ),
})).e;

/** Statements a teaching module uses: allocations, frees, list operations, locks, loops, switches. */
const statement: fc.Arbitrary<string> = fc.letrec<{ s: string }>((tie) => ({
  s: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(ptrs, fc.constantFrom('kmalloc', 'kzalloc', 'vmalloc'), intExpr).map(([p, f, n]) =>
      p === 'NULL' || p.includes('(') || p.includes('->') ? `p = ${f}(${n}${f === 'vmalloc' ? '' : ', GFP_KERNEL'});` : `${p} = ${f}(${n}${f === 'vmalloc' ? '' : ', GFP_KERNEL'});`),
    fc.tuple(fc.constantFrom('kfree', 'vfree', 'kvfree'), ptrs).map(([f, p]) => `${f}(${p});`),
    fc.tuple(fc.constantFrom('a', 'b', 'i', 'g', 'it->v', 'p[2]', '*p'), intExpr).map(([l, e]) => `${l} = ${e};`),
    intExpr.map((e) => `printk(KERN_INFO "v=%d %s %p\\n", ${e}, p, it);`),
    fc.constantFrom(
      'it = kmalloc(sizeof(*it), GFP_KERNEL);',
      'if (it) list_add(&it->list, &items);',
      'list_del(&it->list);',
      'spin_lock(&lock);',
      'spin_unlock(&lock);',
      'msleep(1);',
      'strcpy(it->name, "a long name that overflows");',
      'return -ENOMEM;',
      'a = helper(a);',
      'memset(p, 0, 64);',
    ),
    fc.tuple(intExpr, tie('s'), tie('s')).map(([c, t, f]) => `if (${c}) { ${t} } else { ${f} }`),
    fc.tuple(intExpr, tie('s')).map(([n, s]) => `for (i = 0; i < ${n}; i++) { ${s} }`),
    fc.tuple(intExpr, tie('s')).map(([c, s]) => `while (${c}) { ${s} break; }`),
    fc.tuple(intExpr, fc.array(fc.tuple(fc.integer({ min: -3, max: 5 }), tie('s')), { maxLength: 4 })).map(
      ([c, cs]) => `switch (${c}) { ${cs.map(([v, s]) => `case ${v}: ${s} break;`).join(' ')} default: break; }`,
    ),
  ),
})).s;

/** A whole module from generated statements (and a helper that may recurse). */
export const generatedModules: fc.Arbitrary<FuzzInput> = fc
  .tuple(fc.array(statement, { minLength: 1, maxLength: 12 }), fc.array(statement, { maxLength: 4 }), intExpr)
  .map(([init, exit, helperExpr]) => ({
    name: 'generated module',
    text: moduleAround(init.join('\n  '), exit.join('\n  '), `static int helper(int a) { int b = a; return a > 0 && a < 50 ? helper(a - 1) + ${helperExpr.replace(/\bi\b|\bp\b|buf|it->\w+/g, 'b')} : b; }`),
  }));

// ---- pathological inputs -----------------------------------------------------------------------

const MODULE_HEAD = '#include <linux/module.h>\n#include <linux/kernel.h>\nMODULE_LICENSE("GPL");\n';
/** A module whose init function has `body`; `before` goes above it. */
function initModule(body: string, before = ''): string {
  return `${MODULE_HEAD}${before}\nint init_module(void)\n{\n${body}\n}\nvoid cleanup_module(void) { }\n`;
}

/** Issue 7's pathological inputs, each once. */
export function pathologicalInputs(): FuzzInput[] {
  const n = 10_000;
  return [
    { name: '10,000 nested blocks', text: initModule(`int x = 0;\n${'{'.repeat(n)} x++; ${'}'.repeat(n)}\nreturn x;`) },
    { name: '10,000 nested parentheses', text: initModule(`int x = 1;\nreturn ${'('.repeat(n)}x${')'.repeat(n)};`) },
    { name: '10,000 nested ifs', text: initModule(`int x = 1;\n${'if (x) '.repeat(n)}x++;\nreturn 0;`) },
    { name: '10,000 nested unary minus', text: initModule(`int x = 1;\nreturn ${'- '.repeat(n)}x;`) },
    { name: '10,000 nested casts', text: initModule(`int x = 1;\nreturn ${'(int)'.repeat(n)}x;`) },
    { name: '10,000 nested initializer braces', text: initModule(`int x = ${'{'.repeat(n)}1${'}'.repeat(n)};\nreturn x;`) },
    { name: '10,000 nested #if', text: initModule(`${'#if 1\n'.repeat(n)}return 0;\n${'#endif\n'.repeat(n)}`) },
    { name: '100,000-term sum', text: initModule(`int x = 1;\nreturn ${Array(100_000).fill('x').join(' + ')};`) },
    { name: 'a 1 MB line', text: initModule(`int x = 1; /* ${'a'.repeat(1 << 20)} */ return x;`) },
    { name: 'a 1 MB string literal', text: initModule(`static const char s[] = "${'b'.repeat(1 << 20)}";\nprintk(KERN_INFO "%zu\\n", sizeof(s));\nreturn 0;`) },
    { name: 'a 1 MB identifier', text: initModule(`int ${'v'.repeat(1 << 20)} = 0;\nreturn 0;`) },
    { name: 'self-referencing macros', text: initModule('return A + F(1);', '#define A B\n#define B A\n#define F(x) F(x) + G(x)\n#define G(x) F(x)') },
    { name: 'exponential macro expansion', text: initModule('return 0;', `#define X10(x) x x x x x x x x x x\nstatic int v[] = { X10(X10(X10(X10(X10(X10(X10(1,))))))) };`) },
    { name: 'macro defining deep nesting', text: initModule('return N5(x);', '#define N1(x) ((((((((((x))))))))))\n#define N2(x) N1(N1(N1(N1(N1(N1(N1(N1(N1(N1(x))))))))))\n#define N3(x) N2(N2(N2(N2(N2(x)))))\n#define N4(x) N3(N3(x))\n#define N5(x) N4(N4(x))\nstatic int x = 1;') },
    { name: '#include cycle', text: initModule('return 0;', '#include "a.h"'), locals: { 'a.h': '#include "b.h"\nint a;\n', 'b.h': '#include "a.h"\nint b;\n' } },
    { name: '#include of itself', text: initModule('return 0;', '#include "self.h"'), locals: { 'self.h': '#include "self.h"\n' } },
    { name: '#include leaving the folder', text: initModule('return 0;', '#include "../../etc/passwd"\n#include "/etc/passwd"') },
    {
      name: '100,000-case switch',
      text: initModule(`int x = 99999, y = 0;\nswitch (x) {\n${Array.from({ length: 100_000 }, (_, i) => `case ${i}: y = ${i}; break;`).join('\n')}\n}\nreturn y == 99999 ? 0 : -EINVAL;`),
    },
    { name: 'deep recursion', text: initModule('return f(1000000);', 'static int f(int n) { return n ? f(n - 1) + 1 : 0; }') },
    { name: 'mutual recursion', text: initModule('return f(1000000);', 'static int g(int n);\nstatic int f(int n) { return n ? g(n - 1) + 1 : 0; }\nstatic int g(int n) { return n ? f(n - 1) + 1 : 0; }') },
    { name: 'recursion with a large frame', text: initModule('return f(100);', 'static int f(int n) { char big[1024]; big[n % 1024] = n; return n ? f(n - 1) + big[0] : 0; }') },
    { name: 'an endless loop', text: initModule('volatile int x = 0;\nfor (;;) x++;\nreturn 0;') },
    { name: 'an endless goto loop', text: initModule('int x = 0;\nagain: x++;\ngoto again;\nreturn 0;') },
    { name: 'allocating until memory runs out', text: initModule('int n = 0;\nwhile (kmalloc(4096, GFP_KERNEL)) n++;\nprintk(KERN_INFO "%d\\n", n);\nreturn 0;', '#include <linux/slab.h>') },
    { name: 'vmalloc until memory runs out', text: initModule('int n = 0;\nwhile (vmalloc(1 << 20)) n++;\nprintk(KERN_INFO "%d\\n", n);\nreturn 0;', '#include <linux/vmalloc.h>') },
    { name: 'printk in a long loop', text: initModule('int i;\nfor (i = 0; i < 1000000; i++) printk(KERN_INFO "line %d\\n", i);\nreturn 0;') },
    { name: 'a 1 MB stack array', text: initModule('char big[1 << 20];\nbig[0] = 1;\nreturn big[0] - 1;') },
    { name: 'a huge kmalloc', text: initModule('void *p = kmalloc(1UL << 40, GFP_KERNEL);\nkfree(p);\nreturn p ? 0 : -ENOMEM;', '#include <linux/slab.h>') },
    { name: 'nothing but braces', text: '}'.repeat(n) + '{'.repeat(n) },
    { name: 'nothing but #', text: '#'.repeat(1 << 16) },
    { name: 'NUL bytes and control characters', text: initModule('return 0;\x00\x01\x7f\ufeff', '\x00#define\x00A 1') },
    { name: 'unterminated comment', text: initModule('return 0; /* never closed') },
    { name: 'unterminated string', text: initModule('printk("never closed);\nreturn 0;') },
  ];
}
