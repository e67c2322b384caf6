// The preprocessor: the C standard's own macro examples, GNU and kernel idioms, includes from a
// virtual file map, #if arithmetic, diagnostics with exact positions, macro origins, limits, and
// never throwing. One-line helpers over tables of minimal snippets.

import { strict as assert } from 'node:assert';
import { preprocess } from '../../../src/core/c/preprocess';
import type { PreprocessOptions, PreprocessResult } from '../../../src/core/c/preprocess';
import { TokenKind, userSpan } from '../../../src/core/c/token';
import type { Token } from '../../../src/core/c/token';
import { SourceFile } from '../../../src/core/source/source';

type Files = Record<string, string>;

function pp(src: string, files: Files = {}, extra: Partial<PreprocessOptions> = {}): PreprocessResult {
  const cache = new Map<string, SourceFile>();
  return preprocess(new SourceFile('t.c', src), {
    resolveInclude(name, kind) {
      const key = kind === 'quote' && `./${name}` in files ? `./${name}` : name;
      if (!(key in files)) return undefined;
      let f = cache.get(key);
      if (!f) cache.set(key, (f = new SourceFile(name, files[key], true)));
      return f;
    },
    defines: { KBUILD_MODNAME: '"test_mem"' },
    ...extra,
  });
}

/** The output spellings joined by single spaces (EOF left out). */
function expand(src: string, files: Files = {}, extra: Partial<PreprocessOptions> = {}): string {
  return pp(src, files, extra).tokens.slice(0, -1).map((t) => t.text).join(' ');
}

/** `file:line:col: severity: message` for every diagnostic. */
function diags(src: string, files: Files = {}, extra: Partial<PreprocessOptions> = {}): string[] {
  return pp(src, files, extra).diagnostics.map((d) => {
    const p = d.span.file.position(d.span.start);
    return `${d.span.file.name}:${p.line}:${p.column}: ${d.severity}: ${d.message}`;
  });
}

function assertExpands(src: string, expected: string, files: Files = {}): void {
  const r = pp(src, files);
  assert.deepEqual(r.diagnostics.map((d) => d.message), [], `unexpected diagnostics for ${JSON.stringify(src)}`);
  assert.equal(r.tokens.slice(0, -1).map((t) => t.text).join(' '), expected);
}

function assertDiags(src: string, expected: string[], files: Files = {}): void {
  assert.deepEqual(diags(src, files), expected);
}

/** `#if <expr>` is true. */
function ifValue(expr: string): boolean {
  return expand(`#if ${expr}\nyes\n#else\nno\n#endif`) === 'yes';
}

function find(r: PreprocessResult, text: string, nth = 0): Token {
  const t = r.tokens.filter((x) => x.text === text)[nth];
  assert.ok(t, `no token ${text}`);
  return t;
}

function lineOf(t: Token): number {
  const s = userSpan(t);
  return s.file.position(s.start).line;
}

describe('preprocess: C11 6.10.3.5 examples', () => {
  it('EXAMPLE 3 (f(2 * (y+1)) …)', () => {
    const src = `#define x 3
#define f(a) f(x * (a))
#undef x
#define x 2
#define g f
#define z z[0]
#define h g(~
#define m(a) a(w)
#define w 0,1
#define t(a) a
#define p() int
#define q(x) x
#define r(x,y) x ## y
#define str(x) # x
f(y+1) + f(f(z)) % t(t(g)(0) + t)(1);
g(x+(3,4)-w) | h 5) & m
(f)^m(m);
p() i[q()] = { q(1), r(2,3), r(4,), r(,5), r(,) };
char c[2][6] = { str(hello), str() };`;
    assertExpands(
      src,
      'f ( 2 * ( y + 1 ) ) + f ( 2 * ( f ( 2 * ( z [ 0 ] ) ) ) ) % f ( 2 * ( 0 ) ) + t ( 1 ) ; ' +
        'f ( 2 * ( 2 + ( 3 , 4 ) - 0 , 1 ) ) | f ( 2 * ( ~ 5 ) ) & f ( 2 * ( 0 , 1 ) ) ^ m ( 0 , 1 ) ; ' +
        'int i [ ] = { 1 , 23 , 4 , 5 , } ; char c [ 2 ] [ 6 ] = { "hello" , "" } ;',
    );
  });

  it('EXAMPLE 4 (str / xstr, debug, glue)', () => {
    const src = `#define str(s) # s
#define xstr(s) str(s)
#define debug(s, t) printf("x" # s "= %d, x" # t "= %s", \\
 x ## s, x ## t)
#define INCFILE(n) vers ## n
#define glue(a, b) a ## b
#define xglue(a, b) glue(a, b)
#define HIGHLOW "hello"
#define LOW LOW ", world"
debug(1, 2);
fputs(str(strncmp("abc\\0d", "abc", '\\4') // this goes away
 == 0) str(: @\\n), s);
xstr(INCFILE(2).h)
glue(HIGH, LOW);
xglue(HIGH, LOW)`;
    assertExpands(
      src,
      'printf ( "x" "1" "= %d, x" "2" "= %s" , x1 , x2 ) ; ' +
        'fputs ( "strncmp(\\"abc\\\\0d\\", \\"abc\\", \'\\\\4\') == 0" ": @\\n" , s ) ; ' +
        '"vers2.h" "hello" ; "hello" ", world"',
    );
  });

  it('EXAMPLE 5 (placemarkers)', () => {
    assertExpands(
      `#define t(x,y,z) x ## y ## z
int j[] = { t(1,2,3), t(,4,5), t(6,,7), t(8,9,),
 t(10,,), t(,11,), t(,,12), t(,,) };`,
      'int j [ ] = { 123 , 45 , 67 , 89 , 10 , 11 , 12 , } ;',
    );
  });

  it('6.10.3.3 EXAMPLE (hash_hash)', () => {
    assertExpands(
      `#define hash_hash # ## #
#define mkstr(a) # a
#define in_between(a) mkstr(a)
#define join(c, d) in_between(c hash_hash d)
char p[] = join(x, y);`,
      'char p [ ] = "x ## y" ;',
    );
  });

  it('EXAMPLE 7 (variadic debug / showlist / report)', () => {
    assertExpands(
      `#define debug(...) fprintf(stderr, __VA_ARGS__)
#define showlist(...) puts(#__VA_ARGS__)
#define report(test, ...) ((test)?puts(#test):\\
 printf(__VA_ARGS__))
debug("Flag");
debug("X = %d\\n", x);
showlist(The first, second, and third items.);
report(x>y, "x is %d but y is %d", x, y);`,
      'fprintf ( stderr , "Flag" ) ; fprintf ( stderr , "X = %d\\n" , x ) ; ' +
        'puts ( "The first, second, and third items." ) ; ' +
        '( ( x > y ) ? puts ( "x>y" ) : printf ( "x is %d but y is %d" , x , y ) ) ;',
    );
  });

  it('6.10.3.4 EXAMPLE (gcc: f(2)(9) is 2*9*g)', () => assertExpands('#define f(a) a*g\n#define g(a) f(a)\nf(2)(9)', '2 * 9 * g'));
});

describe('preprocess: rescanning and the hide set', () => {
  const cases: [string, string, string][] = [
    ['self-reference', '#define foo foo\nfoo', 'foo'],
    ['self-reference inside', '#define foo a foo b\nfoo', 'a foo b'],
    ['mutual recursion', '#define a b\n#define b a\na b', 'a b'],
    ['function-like mutual recursion', '#define f(x) g(x)\n#define g(x) f(x)\nf(1)', 'f ( 1 )'],
    ['a name without ( is not invoked', '#define f(x) [x]\nf + 1', 'f + 1'],
    ['( may come from the file after the expansion', '#define f(x) [x]\n#define g f\ng(1)', '[ 1 ]'],
    ['( from a macro does not invoke', '#define f(x) [x]\n#define LP (\nf LP 1)', 'f ( 1 )'],
    ['arguments over several lines', '#define f(a, b) a + b\nf(1,\n  2)', '1 + 2'],
    ['nested parentheses in arguments', '#define f(a, b) [a|b]\nf((1, 2), g(3, 4))', '[ ( 1 , 2 ) | g ( 3 , 4 ) ]'],
    ['arguments are expanded first', '#define ONE 1\n#define f(x) x x\nf(ONE)', '1 1'],
    ['but not next to # or ##', '#define ONE 1\n#define s(x) #x\n#define c(x) x ## 2\ns(ONE) c(ONE)', '"ONE" ONE2'],
    ['a painted token stays painted', '#define foo foo\n#define id(x) x\nid(foo)', 'foo'],
    ['empty object-like macro', '#define E\na E b', 'a b'],
    ['zero-parameter macro', '#define f() 7\nf() f ( )', '7 7'],
    ['keywords can be macros', '#define inline inline __attribute__((always_inline))\nstatic inline int', 'static inline __attribute__ ( ( always_inline ) ) int'],
    ['#undef', '#define X 1\nX\n#undef X\nX', '1 X'],
    ['a # in the middle of a line is a token', 'a # b', 'a # b'],
    ['null directive', '#\nx', 'x'],
    ['_Pragma is consumed', 'a _Pragma("GCC diagnostic push") b', 'a b'],
    ['body with a splice', '#define X 1 + \\\n  2\nX', '1 + 2'],
  ];
  for (const [name, src, want] of cases) it(name, () => assertExpands(src, want));
});

describe('preprocess: # and ##', () => {
  const cases: [string, string, string][] = [
    ['white space is normalised', '#define s(x) #x\ns(  a   +\n   b  )', '"a + b"'],
    ['no space where there was none', '#define s(x) #x\ns(a+b)', '"a+b"'],
    ['strings and chars are escaped', '#define s(x) #x\ns("a\\n" \'"\')', '"\\"a\\\\n\\" \'\\"\'"'],
    ['an empty argument', '#define s(x) #x\ns()', '""'],
    ['__stringify', '#define __stringify_1(x...) #x\n#define __stringify(x...) __stringify_1(x)\n#define FOO 42\n__stringify(FOO) __stringify(a, b)', '"42" "a, b"'],
    ['paste to an identifier', '#define cat(a, b) a ## b\ncat(x, 1) cat(in, t)', 'x1 int'],
    ['paste to a punctuator', '#define cat(a, b) a##b\ncat(-, >) cat(<<, =)', '-> <<='],
    ['paste with empty operands', '#define cat(a, b) a##b\ncat(, x) cat(x, ) [cat(,)]', 'x x [ ]'],
    ['paste in an object-like macro', '#define AB a ## b\nAB', 'ab'],
    ['paste then expand the result', '#define cat(a, b) a##b\n#define xy 5\ncat(x, y)', '5'],
    ['__COUNTER__ pasted through a helper', '#define P_(a,b) a##b\n#define P(a,b) P_(a,b)\nP(id_, __COUNTER__) P(id_, __COUNTER__)', 'id_0 id_1'],
  ];
  for (const [name, src, want] of cases) it(name, () => assertExpands(src, want));
  it('a pasted keyword is a Keyword token', () => assert.equal(find(pp('#define cat(a, b) a##b\ncat(in, t)'), 'int').kind, TokenKind.Keyword));
  it('an invalid paste keeps both tokens and reports at the use', () => {
    const src = '#define cat(a, b) a##b\nint x = cat(+, -);';
    assert.equal(expand(src), 'int x = + - ;');
    assert.deepEqual(diags(src), ['t.c:2:9: error: pasting "+" and "-" does not give a valid preprocessing token']);
  });
});

describe('preprocess: variadic macros', () => {
  const cases: [string, string, string][] = [
    ['##__VA_ARGS__ without arguments drops the comma', '#define e(fmt, ...) p(fmt, ##__VA_ARGS__)\ne("a")', 'p ( "a" )'],
    ['##__VA_ARGS__ with arguments', '#define e(fmt, ...) p(fmt, ##__VA_ARGS__)\ne("a", 1, 2)', 'p ( "a" , 1 , 2 )'],
    ['##__VA_ARGS__ with an empty argument', '#define e(fmt, ...) p(fmt, ##__VA_ARGS__)\ne("a",)', 'p ( "a" )'],
    ['spaced , ## __VA_ARGS__', '#define e(fmt, ...) p(fmt , ## __VA_ARGS__)\ne("a") e("b", x)', 'p ( "a" ) p ( "b" , x )'],
    ['GNU named variadic args...', '#define e(fmt, args...) p(fmt, ## args)\ne("a") e("b", 1, 2)', 'p ( "a" ) p ( "b" , 1 , 2 )'],
    ['__VA_ARGS__ keeps its commas', '#define v(...) [__VA_ARGS__]\nv(1, (2, 3), 4)', '[ 1 , ( 2 , 3 ) , 4 ]'],
    ['omitted variable arguments', '#define v(a, ...) [a __VA_ARGS__]\nv(1)', '[ 1 ]'],
    ['__VA_OPT__ without arguments', '#define F(a, ...) f(a __VA_OPT__(,) __VA_ARGS__)\nF(1)', 'f ( 1 )'],
    ['__VA_OPT__ with arguments', '#define F(a, ...) f(a __VA_OPT__(,) __VA_ARGS__)\nF(1, 2, 3)', 'f ( 1 , 2 , 3 )'],
  ];
  for (const [name, src, want] of cases) it(name, () => assertExpands(src, want));
});

describe('preprocess: kernel idioms', () => {
  const PRINTK = `#define KERN_SOH "\\001"
#define KERN_INFO KERN_SOH "6"
#define KERN_ERR KERN_SOH "3"
#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif
#define pr_info(fmt, ...) printk(KERN_INFO pr_fmt(fmt), ##__VA_ARGS__)
#define pr_err(fmt, ...) printk(KERN_ERR pr_fmt(fmt), ##__VA_ARGS__)
`;
  it('pr_info without arguments', () => assertExpands(`${PRINTK}pr_info("hello\\n");`, 'printk ( "\\001" "6" "hello\\n" ) ;', {}));
  it('pr_info with arguments', () => assertExpands(`${PRINTK}pr_info("%d %s\\n", x, name);`, 'printk ( "\\001" "6" "%d %s\\n" , x , name ) ;'));
  it('pr_fmt defined by the module before the header', () => {
    const files = { 'linux/printk.h': PRINTK };
    assertExpands('#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt\n#include <linux/printk.h>\npr_err("bad\\n");', 'printk ( "\\001" "3" "test_mem" ": " "bad\\n" ) ;', files);
  });
  it('container_of', () => {
    assertExpands(
      `#define offsetof(T, m) __builtin_offsetof(T, m)
#define container_of(ptr, type, member) ({ void *__mptr = (void *)(ptr); ((type *)(__mptr - offsetof(type, member))); })
struct person *p = container_of(pos, struct person, list);`,
      'struct person * p = ( { void * __mptr = ( void * ) ( pos ) ; ( ( struct person * ) ( __mptr - __builtin_offsetof ( struct person , list ) ) ) ; } ) ;',
    );
  });
  it('list_for_each_entry', () => {
    assertExpands(
      `#define container_of(ptr, type, member) ((type *)((char *)(ptr) - __builtin_offsetof(type, member)))
#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first_entry(ptr, type, member) list_entry((ptr)->next, type, member)
#define list_next_entry(pos, member) list_entry((pos)->member.next, typeof(*(pos)), member)
#define list_entry_is_head(pos, head, member) (&pos->member == (head))
#define list_for_each_entry(pos, head, member) \\
	for (pos = list_first_entry(head, typeof(*pos), member); \\
	     !list_entry_is_head(pos, head, member); \\
	     pos = list_next_entry(pos, member))
list_for_each_entry(p, &people, list) n++;`,
      'for ( p = ( ( typeof ( * p ) * ) ( ( char * ) ( ( & people ) -> next ) - __builtin_offsetof ( typeof ( * p ) , list ) ) ) ; ' +
        '! ( & p -> list == ( & people ) ) ; ' +
        'p = ( ( typeof ( * ( p ) ) * ) ( ( char * ) ( ( p ) -> list . next ) - __builtin_offsetof ( typeof ( * ( p ) ) , list ) ) ) ) n ++ ;',
    );
  });
  it('KBUILD_MODNAME comes from the options', () => assertExpands('KBUILD_MODNAME', '"test_mem"'));
  it('module_init shape with ## and #', () => {
    assertExpands('#define module_init(fn) int init_module(void) __attribute__((alias(#fn)));\nmodule_init(test_init)', 'int init_module ( void ) __attribute__ ( ( alias ( "test_init" ) ) ) ;');
  });
});

describe('preprocess: macro origins', () => {
  const SRC = `#define KERN_SOH "\\001"
#define KERN_INFO KERN_SOH "6"
#define pr_info(fmt, ...) printk(KERN_INFO fmt, ##__VA_ARGS__)
int f(void)
{
`;
  it('a token from KERN_INFO used on line 17 has its userSpan on line 17', () => {
    const src = `${SRC}${'\n'.repeat(17 - 6)}\tpr_info("x=%d\\n", x);\n}`;
    const r = pp(src);
    const six = find(r, '"6"');
    assert.equal(lineOf(six), 17);
    assert.equal(lineOf(find(r, 'printk')), 17);
    assert.equal(lineOf(find(r, '"\\001"')), 17);
  });
  it('the origin chain names the macros, innermost first', () => {
    const r = pp(`${SRC}pr_info("a");\n}`);
    const soh = find(r, '"\\001"');
    const names: string[] = [];
    for (let o = soh.origin; o; o = o.parent) names.push(o.name);
    assert.deepEqual(names, ['KERN_SOH', 'KERN_INFO', 'pr_info']);
  });
  it('def points at the macro name in its #define, the span at the body', () => {
    const r = pp(`${SRC}pr_info("a");\n}`);
    const six = find(r, '"6"');
    const def = six.origin?.def;
    assert.ok(def);
    assert.equal(def.file.text.slice(def.start, def.end), 'KERN_INFO');
    assert.equal(six.span.file.text.slice(six.span.start, six.span.end), '"6"');
    assert.equal(six.span.file.position(six.span.start).line, 2);
  });
  it('use is the macro name at its use site', () => {
    const r = pp(`${SRC}pr_info("a");\n}`);
    const u = find(r, 'printk').origin?.use;
    assert.ok(u);
    assert.equal(u.file.text.slice(u.start, u.end), 'pr_info');
  });
  it('argument tokens keep their own span and no origin', () => {
    const r = pp(`${SRC}  pr_info("a", value);\n}`);
    const v = find(r, 'value');
    assert.equal(v.origin, undefined);
    assert.deepEqual(v.span.file.position(v.span.start), { line: 6, column: 16 });
  });
  it('a macro used inside an argument: origin at that use', () => {
    const r = pp('#define ONE 1\n#define id(x) x\nid(ONE)');
    const one = find(r, '1');
    assert.equal(one.origin?.name, 'ONE');
    assert.equal(one.origin?.parent, undefined);
    assert.deepEqual(userSpan(one).file.position(userSpan(one).start), { line: 3, column: 4 });
  });
  it('tokens from a header macro point at the student line', () => {
    const r = pp('#include <linux/kernel.h>\n\nint x = MAX(a, 3);', { 'linux/kernel.h': '#define MAX(a, b) ((a) > (b) ? (a) : (b))\n' });
    const q = find(r, '?');
    assert.equal(q.span.file.name, 'linux/kernel.h');
    assert.equal(userSpan(q).file.name, 't.c');
    assert.equal(lineOf(q), 3);
  });
  it('__LINE__ and __FILE__ name the student line inside a header macro', () => {
    const r = pp('#include "h.h"\n\nWHERE', { 'h.h': '#define WHERE __FILE__ __LINE__\n' });
    assert.deepEqual(r.tokens.slice(0, -1).map((t) => t.text), ['"t.c"', '3']);
  });
});

describe('preprocess: builtins', () => {
  const cases: [string, string, string][] = [
    ['__LINE__', '\n\n__LINE__', '3'],
    ['__FILE__', '__FILE__', '"t.c"'],
    ['__COUNTER__', '__COUNTER__ __COUNTER__ __COUNTER__', '0 1 2'],
    ['__DATE__ and __TIME__ are fixed', '__DATE__ __TIME__', '"Jan  1 2024" "00:00:00"'],
    ['__STDC_VERSION__', '__STDC_VERSION__ __STDC__', '201112L 1'],
    ['__GNUC__', '__GNUC__ __GNUC_MINOR__', '12 2'],
    ['target', '__x86_64__ __LP64__ __CHAR_BIT__ __SIZEOF_LONG__ __SIZEOF_POINTER__', '1 1 8 8 8'],
    ['kernel build', '__KERNEL__ MODULE', '1 1'],
    ['byte order', '__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__', '1234 == 1234'],
    ['limits', '__INT_MAX__ __LONG_MAX__', '0x7fffffff 0x7fffffffffffffffL'],
  ];
  for (const [name, src, want] of cases) it(name, () => assertExpands(src, want));
  it('macros are returned', () => {
    const r = pp('#define F(a, b...) a b\n#define G 1');
    assert.deepEqual(r.macros.get('F')?.params, ['a', 'b']);
    assert.equal(r.macros.get('F')?.variadic, true);
    assert.equal(r.macros.get('G')?.body.map((t) => t.text).join(' '), '1');
    assert.equal(r.macros.get('__KERNEL__')?.nameSpan?.file.name, '<built-in>');
  });
});

describe('preprocess: #include', () => {
  const files: Files = {
    'linux/a.h': '#ifndef A_H\n#define A_H\nint a;\n#endif\n',
    './local.h': 'int local;\n',
    'linux/sys.h': 'int sys;\n',
    'once.h': '#pragma once\nint once;\n',
    'cyc1.h': '#include "cyc2.h"\nint c1;\n',
    'cyc2.h': '#include "cyc1.h"\nint c2;\n',
    'self.h': '#include "self.h"\n#include "self.h"\n',
    'x.h': 'int x;',
    'broken.h': '#if 1\nint b;\n',
  };
  const cases: [string, string, string][] = [
    ['system include', '#include <linux/sys.h>\nend', 'int sys ; end'],
    ['quote include', '#include "local.h"', 'int local ;'],
    ['quote falls back to system', '#include "linux/sys.h"', 'int sys ;'],
    ['include guard', '#include <linux/a.h>\n#include <linux/a.h>\n#include "linux/a.h"', 'int a ;'],
    ['#pragma once', '#include "once.h"\n#include "once.h"', 'int once ;'],
    ['computed include', '#define H <linux/sys.h>\n#include H', 'int sys ;'],
    ['computed quote include', '#define Q "local.h"\n#include Q', 'int local ;'],
    ['#include_next', '#include_next <linux/sys.h>', 'int sys ;'],
    ['no newline at end of header', '#include "x.h"\nint y;', 'int x ; int y ;'],
    ['__has_include', '#if __has_include(<linux/sys.h>) && !__has_include("nope.h")\nyes\n#endif', 'yes'],
  ];
  for (const [name, src, want] of cases) it(name, () => assertExpands(src, want, files));
  it('includes lists each file once, in order', () => {
    assert.deepEqual(pp('#include <linux/a.h>\n#include "local.h"\n#include <linux/a.h>', files).includes.map((f) => f.name), ['linux/a.h', 'local.h']);
  });
  it('a missing header: gcc wording at the header name, and processing goes on', () => {
    const r = pp('#include <linux/module.h>\n#include <linux/foo.h>\nint after;', files);
    assert.deepEqual(
      r.diagnostics.map((d) => `${d.code} ${d.span.file.position(d.span.start).line}:${d.span.file.position(d.span.start).column} ${d.message}`),
      ['KM1004 1:10 linux/module.h: No such file or directory', 'KM1004 2:10 linux/foo.h: No such file or directory'],
    );
    assert.equal(r.tokens.map((t) => t.text).join(' ').trim(), 'int after ;');
  });
  it('a missing quoted header', () => assertDiags('#include "nothere.h"', ['t.c:1:10: error: nothere.h: No such file or directory'], files));
  it('an include cycle without guards ends with one clear diagnostic', () => {
    const r = pp('#include "cyc1.h"\nint main_;', files);
    assert.equal(r.diagnostics.length, 1);
    assert.match(r.diagnostics[0].message, /^#include nested depth 64 exceeds maximum of 64$/);
    assert.match(r.diagnostics[0].related[0].message, /cyc1\.h → cyc2\.h → cyc1\.h/);
    assert.ok(r.tokens.some((t) => t.text === 'main_'));
  });
  it('a file including itself twice does not explode', () => {
    const r = pp('#include "self.h"\nok', files);
    assert.equal(r.diagnostics.length, 1);
    assert.equal(r.tokens[r.tokens.length - 2].text, 'ok');
  });
  it('a bad #include form', () => assertDiags('#include foo', ['t.c:1:10: error: #include expects "FILENAME" or <FILENAME>'], files));
  it('an unterminated #if in a header is reported in the header', () => assertDiags('#include "broken.h"\nint y;', ['broken.h:1:1: error: unterminated #if'], files));
});

describe('preprocess: conditionals', () => {
  const cases: [string, string, string][] = [
    ['#ifdef', '#define X\n#ifdef X\na\n#endif\n#ifdef Y\nb\n#endif', 'a'],
    ['#ifndef / #else', '#ifndef X\na\n#else\nb\n#endif', 'a'],
    ['#elif chain', '#define V 2\n#if V == 1\none\n#elif V == 2\ntwo\n#elif V == 2\nagain\n#else\nother\n#endif', 'two'],
    ['nested skipped groups', '#if 0\n#if 1\na\n#else\nb\n#endif\n#else\nc\n#endif', 'c'],
    ['defined X and defined(X)', '#define X\n#if defined X && defined(X) && !defined(Y)\nok\n#endif', 'ok'],
    ['a macro expanding to defined', '#define X\n#define HAS_X defined(X)\n#if HAS_X\nok\n#endif', 'ok'],
    ['#elifdef', '#if 0\n#elifdef __KERNEL__\nk\n#endif', 'k'],
    ['skipped groups ignore garbage', "#if 0\ndon't @ \"\n#bogus\n#endif\nok", 'ok'],
    ['#if with a function-like macro', '#define V(a, b) ((a) << 8 | (b))\n#if V(1, 2) == 258\nok\n#endif', 'ok'],
  ];
  for (const [name, src, want] of cases) it(name, () => assertExpands(src, want));
  it('inactive ranges cover the skipped lines', () => {
    const src = '#if 0\nskipped\nalso\n#else\nkept\n#endif\n';
    const r = pp(src);
    assert.deepEqual(r.inactiveRanges.map((s) => src.slice(s.start, s.end)), ['skipped\nalso\n']);
  });
  const errors: [string, string, string[]][] = [
    ['unterminated #if', 'int a;\n#if 1\nint b;\n', ['t.c:2:1: error: unterminated #if']],
    ['unterminated #ifdef after #else', '#ifdef X\n#else\n', ['t.c:1:1: error: unterminated #else']],
    ['#else without #if', '#else\n', ['t.c:1:2: error: #else without #if']],
    ['#endif without #if', 'x\n#endif\n', ['t.c:2:2: error: #endif without #if']],
    ['#elif without #if', '#elif 1\n', ['t.c:1:2: error: #elif without #if']],
    ['#else after #else', '#if 1\n#else\n#else\n#endif\n', ['t.c:3:2: error: #else after #else']],
    ['extra tokens', '#if 1\n#endif X\n', ['t.c:2:8: warning: extra tokens at end of #endif directive']],
    ['#ifdef without a name', '#ifdef\n#endif\n', ['t.c:1:2: error: no macro name given in #ifdef directive']],
  ];
  for (const [name, src, want] of errors) it(name, () => assertDiags(src, want));
});

describe('preprocess: #if arithmetic', () => {
  const cases: [string, boolean][] = [
    ['-1 < 0u', false],
    ['-1 > 0u', true],
    ['-1 < 0', true],
    ['0x7fffffffffffffff + 0 > 0', true],
    ['0xffffffffffffffff == -1', true],
    ['0xffffffffffffffff > 0', true],
    ['(0u - 1) == 18446744073709551615u', true],
    ['(1 ? -1 : 0u) > 0', true],
    ['(2 + 3) * 4 == 20', true],
    ['-7 / 2 == -3 && -7 % 2 == -1', true],
    ['~0 == -1', true],
    ['~0u == 0xffffffffffffffff', true],
    ['1 << 62 > 0', true],
    ['(-1 >> 1) == -1', true],
    ['(0xffffffffffffffffu >> 63) == 1', true],
    ['1 ? 2 : (1/0)', true],
    ['0 && 1/0', false],
    ['1 || 1/0', true],
    ["'a' == 97", true],
    ["'\\377' < 0", true],
    ["'\\n' == 10", true],
    ['UNDEFINED_NAME == 0', true],
    ['UNDEFINED_FN', false],
    ['__STDC_VERSION__ >= 201112L', true],
    ['__GNUC__ == 12 && __GNUC_MINOR__ == 2', true],
    ['__SIZEOF_LONG__ == 8 && __SIZEOF_POINTER__ == 8 && __CHAR_BIT__ == 8', true],
    ['__INT_MAX__ == 2147483647', true],
    ['__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__', true],
    ['__has_attribute(__fallthrough__) && __has_attribute(packed)', true],
    ['__has_attribute(__counted_by__)', false],
    ['__has_builtin(__builtin_expect)', false],
    ['defined(__has_include) && defined(__has_attribute)', true],
    ['(1, 0)', false],
    ['1 == 1 == 1', true],
    ['5 > 3 > 0', true],
    ['0b101 == 5 && 010 == 8 && 0x10 == 16', true],
  ];
  for (const [expr, want] of cases) it(`${expr} → ${want ? 1 : 0}`, () => assert.equal(ifValue(expr), want));
  it('__has_builtin answers through the option', () => assert.equal(expand('#if __has_builtin(__builtin_expect)\ny\n#endif', {}, { hasBuiltin: (n) => n === '__builtin_expect' }), 'y'));
  const errors: [string, string[]][] = [
    ['1/0', ['t.c:1:6: error: division by zero in #if']],
    ['1 % 0', ['t.c:1:7: error: division by zero in #if']],
    ['', ['t.c:1:2: error: #if with no expression']],
    ['1 +', ['t.c:1:7: error: operator \'+\' has no right operand']],
    ['(1', ["t.c:1:5: error: missing ')' in expression"]],
    ['()', ["t.c:1:6: error: missing expression between '(' and ')'"]],
    ['1 2', ['t.c:1:7: error: missing binary operator before token "2"']],
    ['1.0', ['t.c:1:5: error: floating constant in preprocessor expression']],
    ['12abc', ['t.c:1:5: error: invalid suffix "abc" on integer constant']],
    ['"s"', ['t.c:1:5: error: token ""s"" is not valid in preprocessor expressions']],
    ['x = 1', ['t.c:1:7: error: token "=" is not valid in preprocessor expressions']],
    ['1 ? 2', ["t.c:1:7: error: '?' without following ':'"]],
    ['defined', ['t.c:1:5: error: operator "defined" requires an identifier']],
    ['defined(X', ['t.c:1:13: error: missing \')\' after "defined"']],
    ['0x7fffffffffffffff + 1', ['t.c:1:24: warning: integer overflow in preprocessor expression']],
    ['18446744073709551615 == -1', ['t.c:1:5: warning: integer constant is so large that it is unsigned']],
  ];
  for (const [expr, want] of errors) it(`#if ${expr}`, () => assertDiags(`#if ${expr}\n#endif`, want));
  it('an error in a macro used by #if points at the #if line', () => {
    assertDiags('#define BAD (1/0)\n#if BAD\n#endif', ['t.c:2:5: error: division by zero in #if']);
  });
});

describe('preprocess: diagnostics', () => {
  const cases: [string, string, string[]][] = [
    ['#error: message and position', 'int x;\n  #  error this is "bad"  \n', ['t.c:2:6: error: #error this is "bad"']],
    ['#error without text', '#error\n', ['t.c:1:2: error: #error']],
    ['#warning is a warning', "#warning don't do this\n", ["t.c:1:2: warning: #warning don't do this"]],
    ['unknown directive', '#foo bar\n', ['t.c:1:2: error: invalid preprocessing directive #foo']],
    ['too many arguments', '#define f(x) x\nf(1, 2)', ['t.c:2:1: error: macro "f" passed 2 arguments, but takes just 1']],
    ['too few arguments', '#define g(x, y) x\ng(1)', ['t.c:2:1: error: macro "g" requires 2 arguments, but only 1 given']],
    ['unterminated argument list', '#define f(x) x\nint a = f(1,\n', ['t.c:2:9: error: unterminated argument list invoking macro "f"']],
    ['redefinition', '#define A 1\n#define A 2\n', ['t.c:2:9: warning: "A" redefined']],
    ['an identical redefinition is fine', '#define A  1 +  2\n#define A 1 + 2\n', []],
    ['# not followed by a parameter', '#define s(x) #y\n', ["t.c:1:14: error: '#' is not followed by a macro parameter"]],
    ['## at an end', '#define c(x) ## x\n', ["t.c:1:14: error: '##' cannot appear at either end of a macro expansion"]],
    ['macro names must be identifiers', '#define 3 x\n', ['t.c:1:9: error: macro names must be identifiers']],
    ['"defined" cannot be a macro', '#define defined 1\n', ['t.c:1:9: error: "defined" cannot be used as a macro name']],
    ['duplicate parameter', '#define f(a, a) a\n', ['t.c:1:14: error: duplicate macro parameter "a"']],
    ['bad parameter list', '#define f(a b) a\n', ['t.c:1:13: error: expected \',\' or \')\', found "b"']],
    ['no macro name', '#define\n', ['t.c:1:2: error: no macro name given in #define directive']],
    ['a stray character reaching the parser', 'int a @ b;', ["t.c:1:7: error: stray '@' in program"]],
    ['a stray character from a macro points at the use', '#define AT @\nint a AT;', ["t.c:2:7: error: stray '@' in program"]],
    ['lexical problems are reported once', 'char *s = "abc;\n', ['t.c:1:11: error: missing terminating " character']],
    ['unterminated comment even in a skipped group', '#if 0\n/* x\n#endif\n', ['t.c:2:1: error: unterminated comment', 't.c:1:1: error: unterminated #if']],
  ];
  for (const [name, src, want] of cases) it(name, () => assertDiags(src, want));
  it('#error continues processing', () => assert.equal(expand('#error stop\nint x;'), 'int x ;'));
  it('#error is KM1003, a missing header KM1004', () => {
    assert.deepEqual(pp('#error x\n#include <nope.h>').diagnostics.map((d) => d.code), ['KM1003', 'KM1004']);
  });
  it('expansion errors name the macros involved as related information', () => {
    const d = pp('#define cat(a, b) a ## b\n#define W cat(+, /)\nW').diagnostics[0];
    assert.deepEqual(d.related.map((r) => r.message), ["in expansion of macro 'cat'", "in expansion of macro 'W'"]);
  });
});

describe('preprocess: limits and robustness', () => {
  it('maxExpansionDepth: deep argument nesting stops with a diagnostic', () => {
    const src = '#define f(x) x\n' + 'f('.repeat(50) + '1' + ')'.repeat(50);
    const r = pp(src, {}, { maxExpansionDepth: 10 });
    assert.equal(r.diagnostics.length, 1);
    assert.equal(r.diagnostics[0].code, 'KM9002');
  });
  it('a deep but allowed nesting expands', () => assertExpands('#define f(x) x\n' + 'f('.repeat(150) + '1' + ')'.repeat(150), '1'));
  it('maxOutputTokens: exponential expansion stops with a diagnostic', () => {
    let src = '#define a0 x x\n';
    for (let k = 1; k <= 30; k++) src += `#define a${k} a${k - 1} a${k - 1}\n`;
    src += 'a30\n';
    const r = pp(src, {}, { maxOutputTokens: 10_000 });
    assert.equal(r.diagnostics.length, 1);
    assert.equal(r.diagnostics[0].code, 'KM9002');
    assert.ok(r.tokens.length <= 10_001);
  });
  it('expansion whose output is discarded is bounded too', () => {
    let src = '#define a0 x x\n';
    for (let k = 1; k <= 30; k++) src += `#define a${k} a${k - 1} a${k - 1}\n`;
    src += '#define drop(x)\n#define keep(x) drop(x)\nkeep(a30)\n';
    const r = pp(src, {}, { maxOutputTokens: 10_000 });
    assert.equal(r.diagnostics[0]?.code, 'KM9002');
  });
  it('deeply nested #if parentheses', () => {
    const r = pp(`#if ${'('.repeat(5000)}1${')'.repeat(5000)}\n#endif`);
    assert.equal(r.diagnostics.length, 1);
  });
  it('a long ?: chain in #if', () => {
    const r = pp(`#if ${'1 ? '.repeat(3000)}1${' : 0'.repeat(3000)}\n#endif`);
    assert.equal(r.diagnostics.length, 1);
  });
  it('never throws on a few hundred random inputs', () => {
    const pieces = [
      '#define ', '#undef ', '#if ', '#ifdef ', '#ifndef ', '#elif ', '#else', '#endif', '#include ', '#error ', '#', '##', '\n', ' ', '(', ')', ',',
      '...', '__VA_ARGS__', '__VA_OPT__', 'defined', 'f', 'g', 'x', 'f(', 'g(x)', '"', "'", '\\', '\\\n', '/*', '*/', '//', '<', '>', '"h.h"',
      '<h.h>', '1', '0x', '+', '-', '/', '%', '?', ':', '@', 'é', '_Pragma', '__LINE__', '__has_include', '__COUNTER__', 'L"', 'u8',
    ];
    let seed = 987654321;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const files: Files = { 'h.h': '#define f(a) a g\n#include "h.h"\n' };
    for (let k = 0; k < 400; k++) {
      let s = '';
      const len = rand(60);
      for (let j = 0; j < len; j++) s += pieces[rand(pieces.length)];
      const r = pp(s, files, { maxIncludeDepth: 8 });
      assert.equal(r.tokens.at(-1)?.kind, TokenKind.EOF, s);
      for (const d of r.diagnostics) assert.ok(d.span.start <= d.span.end && d.span.end <= d.span.file.text.length, s);
    }
  });
});

describe('preprocess: speed', () => {
  // No time bound here (timings on shared CI machines are noise; speed is measured in bench/):
  // the test checks that a large macro-heavy file preprocesses cleanly and completely.
  it('a 20,000-line kernel-style file preprocesses without diagnostics', () => {
    const src = kernelStyle(20_000);
    const r = pp(src, { 'linux/kernel.h': KERNEL_H });
    assert.deepEqual(r.diagnostics, []);
    assert.ok(r.tokens.length > 100_000, `only ${r.tokens.length} tokens`);
  });
});

const KERNEL_H = `#ifndef _LINUX_KERNEL_H
#define _LINUX_KERNEL_H
#define KERN_SOH "\\001"
#define KERN_INFO KERN_SOH "6"
#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif
#define pr_info(fmt, ...) printk(KERN_INFO pr_fmt(fmt), ##__VA_ARGS__)
#define container_of(ptr, type, member) ({ void *__mptr = (void *)(ptr); ((type *)(__mptr - __builtin_offsetof(type, member))); })
#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_for_each_entry(pos, head, member) \\
	for (pos = list_entry((head)->next, typeof(*pos), member); &pos->member != (head); \\
	     pos = list_entry(pos->member.next, typeof(*pos), member))
#define min(a, b) ((a) < (b) ? (a) : (b))
#define __stringify_1(x...) #x
#define __stringify(x...) __stringify_1(x)
#define BIT(n) (1UL << (n))
#endif
`;

/** A generated module of about `lines` lines using the macros of KERNEL_H. */
function kernelStyle(lines: number): string {
  const out = ['#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt', '#include <linux/kernel.h>'];
  for (let k = 0; out.length < lines; k++) {
    out.push(
      `static int f${k}(struct list_head *head, int v)`,
      '{',
      '\tstruct item *pos;',
      '\tint n = 0;',
      '\tlist_for_each_entry(pos, head, list) {',
      `\t\tif (pos->v & BIT(${k % 32}))`,
      '\t\t\tn += min(pos->v, v);',
      '\t}',
      `#if ${k % 3} == 1`,
      `\tpr_info("f${k}: %d %s\\n", n, __stringify(v + ${k}));`,
      '#else',
      '\tpr_info("none\\n");',
      '#endif',
      '\treturn n;',
      '}',
    );
  }
  return out.join('\n') + '\n';
}
