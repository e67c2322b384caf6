// C semantics at run time: integer widths, signedness, the usual conversions, 64-bit wrap-around
// and shifts, evaluated by the interpreter (operands are locals, so nothing is constant-folded).
// Each row's expected text was produced by gcc -O0 on x86_64 from the same declarations and
// expression, printed with the same format.

import { strict as assert } from 'node:assert';
import { runModule } from '../../../src/core/index';

type Row = [type: string, format: string, decls: string, expr: string, gcc: string];

const ROWS: Row[] = [
  ["int", "%d", "int a = 2147483647; int b = 0;", "a + b", "2147483647"],
  ["unsigned", "%u", "unsigned a = 4294967295u; unsigned b = 2;", "a + b", "1"],
  ["int", "%d", "int a = -7; int b = 2;", "a / b", "-3"],
  ["int", "%d", "int a = -7; int b = 2;", "a % b", "-1"],
  ["unsigned", "%u", "unsigned a = 7; unsigned b = 2;", "a / b", "3"],
  ["long", "%ld", "long a = -1; long b = 1000000000000L;", "a * b", "-1000000000000"],
  ["unsigned long", "%lu", "unsigned long a = 18446744073709551615UL; unsigned long b = 3;", "a / b", "6148914691236517205"],
  ["unsigned long", "%lu", "unsigned long a = -1; int b = 1;", "a >> b", "9223372036854775807"],
  ["long", "%ld", "long a = -8; int b = 1;", "a >> b", "-4"],
  ["unsigned long", "%lx", "unsigned long a = 6364136223846793005UL; unsigned long b = 88172645463325252UL;", "a * b + 1442695040888963407UL", "bdd5e9321f4bbb43"],
  ["unsigned long", "%lx", "unsigned long a = 0xdeadbeefcafebabeUL; unsigned long b = 0x0123456789abcdefUL;", "a ^ b", "df8efb8843557751"],
  ["unsigned long", "%lx", "unsigned long a = 0xdeadbeefcafebabeUL; unsigned long b = 0xff;", "a & ~b", "deadbeefcafeba00"],
  ["int", "%d", "int a = 200; int b = 0;", "(signed char)(a + b)", "-56"],
  ["unsigned", "%u", "int a = 300; int b = 0;", "(unsigned char)(a + b)", "44"],
  ["int", "%d", "int a = 40000; int b = 0;", "(short)(a + b)", "-25536"],
  ["unsigned", "%u", "int a = -1; int b = 0;", "(unsigned short)(a + b)", "65535"],
  ["long", "%ld", "unsigned a = 0x80000000u; int b = 0;", "(long)(int)(a + b)", "-2147483648"],
  ["unsigned long", "%lu", "int a = -1; int b = 0;", "(unsigned long)(unsigned int)(a + b)", "4294967295"],
  ["unsigned", "%u", "unsigned a = 1; int b = 31;", "a << b", "2147483648"],
  ["unsigned", "%x", "unsigned a = 0x12345678u; int b = 4;", "a >> b", "1234567"],
  ["int", "%d", "int a = -1; int b = 4;", "a >> b", "-1"],
  ["int", "%d", "int a = -1; unsigned b = 0;", "a < b", "0"],
  ["int", "%d", "long a = -1; unsigned b = 0;", "a < b", "1"],
  ["unsigned", "%u", "int a = -5; int b = 3;", "(unsigned)(a % b)", "4294967294"],
  ["long", "%ld", "long a = 9007199254740993L; long b = 2;", "a + b", "9007199254740995"],
  ["long", "%ld", "long a = -9007199254740993L; long b = 2;", "a - b", "-9007199254740995"],
  ["unsigned long", "%lu", "unsigned long a = 4294967296UL; unsigned long b = 4294967295UL;", "a * b", "18446744069414584320"],
  ["long", "%ld", "long a = -9223372036854775807L - 1L; long b = 2;", "a / b", "-4611686018427387904"],
  ["unsigned long", "%lu", "long a = -1; unsigned long b = 10;", "(unsigned long)a % b", "5"],
  ["int", "%d", "int a = 0; int b = 5;", "!a + !b + ~a", "0"],
  ["unsigned", "%u", "unsigned char a = 250; unsigned char b = 10;", "(unsigned char)(a + b) + a * b", "2504"],
  ["int", "%d", "short a = -300; unsigned char b = 200;", "a * b", "-60000"],
  ["long", "%ld", "int a = 2000000000; int b = 2;", "(long)a * b", "4000000000"],
  ["unsigned long", "%lu", "unsigned a = 4000000000u; unsigned b = 2;", "(unsigned long)a * b + a * b", "11705032704"],
  ["int", "%d", "int a = 5; int b = -3;", "a / b * b + a % b", "5"],
  ["unsigned long", "%lx", "unsigned long a = 1; int b = 63;", "a << b", "8000000000000000"],
  ["long", "%ld", "long a = 1; int b = 62;", "(a << b) + (a << b) - 1", "9223372036854775807"],
  // The interpreter's fused forms: constant operands (on either side, divisors without a zero
  // check), compound assignment and ++/-- on registers, signed and unsigned 64-bit comparisons of
  // numbers and bigints, pointer arithmetic with register and constant indices.
  ["int", "%d", "int a = -7; int b = 0;", "a / 2 + b", "-3"],
  ["int", "%d", "int a = -7; int b = 0;", "a % 2 + b", "-1"],
  ["int", "%d", "int a = -2147483647 - 1; int b = 0;", "a / 7 + b", "-306783378"],
  ["unsigned", "%u", "unsigned a = 4294967295u; unsigned b = 0;", "a / 7u + b", "613566756"],
  ["unsigned", "%u", "unsigned a = 4294967295u; unsigned b = 0;", "a % 1000u + b", "295"],
  ["unsigned", "%u", "unsigned a = 3; unsigned b = 0;", "a - 5u + b", "4294967294"],
  ["unsigned", "%u", "unsigned a = 2147483648u; unsigned b = 0;", "a * 3u + b", "2147483648"],
  ["unsigned", "%u", "unsigned a = 0x80000001u; unsigned b = 0;", "(a << 1) + (a >> 31) + b", "3"],
  ["int", "%d", "int a = 0x40000000; int b = 0;", "(a << 1) + b", "-2147483648"],
  ["unsigned", "%u", "unsigned a = 5; unsigned b = 0;", "4294967295u + a + b", "4"],
  ["int", "%d", "int a = -1; int b = 0;", "(a ^ 0x7fffffff) + (1 | a) + b", "2147483647"],
  ["int", "%d", "int a = -5; int b = 3;", "a - (b + 1)", "-9"],
  ["int", "%d", "int a = -5; int b = 3;", "((b << 2) ^ a) + (a >> (b - 1)) * 100", "-209"],
  ["int", "%d", "int a = 2147483647; int b = 3;", "(int)((unsigned)a + (unsigned)(b * 2))", "-2147483643"],
  ["unsigned", "%u", "unsigned a = 4000000000u; unsigned b = 3;", "a + (b * 100000000u)", "5032704"],
  ["unsigned", "%u", "unsigned a = 4000000000u; unsigned b = 3;", "a - (b + 7u)", "3999999990"],
  ["unsigned", "%u", "unsigned a = 4000000000u; unsigned b = 3;", "(a >> (b + 1u)) + (a << (b - 2u))", "3955032704"],
  ["unsigned", "%u", "unsigned a = 4000000000u; unsigned b = 3;", "(b + 1u) * a", "3115098112"],
  ["unsigned", "%u", "unsigned char c = 250; int b = 10;", "(c += b, c)", "4"],
  ["unsigned", "%u", "unsigned char c = 5; int b = 10;", "(c -= b, c)", "251"],
  ["int", "%d", "signed char c = 100; int b = 100;", "(c += b, c)", "-56"],
  ["unsigned", "%u", "unsigned a = 4294967295u; int b = 0;", "(a++, a + b)", "0"],
  ["unsigned", "%u", "unsigned a = 0; int b = 0;", "(a--, a + b)", "4294967295"],
  ["int", "%d", "int a = -2147483647; int b = 0;", "(a--, a + b)", "-2147483648"],
  ["unsigned", "%u", "unsigned a = 4294967295u; int b = 0;", "a++ + b", "4294967295"],
  ["unsigned", "%u", "unsigned a = 7; unsigned b = 3;", "(a *= 2147483648u, a + b)", "2147483651"],
  ["unsigned", "%u", "unsigned a = 100; unsigned b = 7;", "(a %= b, a /= 2u, a)", "1"],
  ["int", "%d", "int a = -100; int b = 7;", "(a %= b, a)", "-2"],
  ["unsigned", "%u", "unsigned a = 1; int b = 31;", "(a <<= b, a)", "2147483648"],
  ["int", "%d", "short s = 32767; int b = 1;", "(s += b, s)", "-32768"],
  ["unsigned long", "%lu", "unsigned long a = 18446744073709551615UL; unsigned long b = 2;", "(a += b, a)", "1"],
  ["long", "%ld", "long a = 9007199254740991L; long b = 2;", "(a += b, a)", "9007199254740993"],
  ["long", "%ld", "long a = -9007199254740991L; int b = 0;", "(a--, a - 1 + b)", "-9007199254740993"],
  ["long", "%ld", "long a = 9007199254740990L; long b = 0;", "(a++, a++, a + b)", "9007199254740992"],
  ["long", "%ld", "long a = 9007199254740990L; long b = 0;", "a + 5 + b", "9007199254740995"],
  ["unsigned long", "%lu", "unsigned long a = 3; int b = 0;", "a - 5 + b", "18446744073709551614"],
  ["long", "%ld", "long a = -9007199254740990L; long b = 10;", "(a -= b, a)", "-9007199254741000"],
  ["long", "%ld", "long a = 9007199254740990L; long b = 10;", "(a += b, a)", "9007199254741000"],
  ["unsigned long", "%lu", "unsigned long a = 9007199254740991UL; long b = 0;", "(++a, a + b)", "9007199254740992"],
  ["unsigned long", "%lu", "unsigned long a = 18446744073709551615UL; int b = 0;", "(a++, a + b)", "0"],
  ["int", "%d", "long a = 9223372036854775807L; long b = 1;", "(a > b) + (a < b) * 2 + (-a < b) * 4", "5"],
  ["int", "%d", "long a = -9223372036854775807L - 1; long b = 9007199254740993L;", "(a < b) + (b < a) * 2 + (b > 5) * 4 + (a <= -1) * 8", "13"],
  ["int", "%d", "unsigned long a = 18446744073709551615UL; unsigned long b = 1;", "(a > b) + (a < b) * 2 + (a > 5UL) * 4", "5"],
  ["int", "%d", "unsigned long a = 9007199254740993UL; unsigned long b = 9007199254740992UL;", "(a > b) + (a <= b) * 2 + (b >= a) * 4", "1"],
  ["int", "%d", "int a = -1; unsigned b = 1;", "(a < 1) + (b > 0u) * 2 + ((unsigned)a > 5u) * 4", "7"],
  ["long", "%ld", "char buf[8] = \"abcdefg\"; int i = 2;", "(long)(buf + 5 - i)[0] + (&buf[6])[-1]", "202"],
  ["long", "%ld", "int arr[6] = {1, 2, 3, 4, 5, 6}; int *p = arr + 5; long i = 2;", "p[-i] * 10 + *(p - 3) + p[i - 3]", "48"],
  ["long", "%ld", "int arr[6] = {1, 2, 3, 4, 5, 6}; int *p = arr + 5; long i = 4;", "(p -= i, p++, p[1] * 10 + *p)", "43"],
];

/** One module that prints every row's value, one line per row. */
function moduleFor(rows: Row[]): string {
  const fns = rows.map(([t, f, d, e], i) => `static noinline void c${i}(void) { ${d} printk(KERN_INFO "${f}\\n", (${t})(${e})); }`);
  const calls = rows.map((_, i) => `c${i}();`).join(' ');
  return `#include <linux/module.h>\nMODULE_LICENSE("GPL");\n${fns.join('\n')}\nint init_module(void) { ${calls} return 0; }\nvoid cleanup_module(void) { }\n`;
}

describe('vm: integer semantics match gcc -O0 on x86_64', () => {
  const r = runModule({ fileName: 'sem.c', text: moduleFor(ROWS) });
  const out = (r.booted?.log('dmesg') ?? []).map((l) => l.replace(/^\[\s*\d+\.\d+\] /, '')).filter((l) => !/taints kernel|tainting kernel/.test(l));
  it('builds and runs', () => {
    assert.deepEqual(r.buildErrors.map((d) => d.message), []);
    assert.equal(r.insmod?.status, 0);
  });
  ROWS.forEach(([t, , d, e, want], i) => {
    it(`${d} (${t})(${e}) = ${want}`, () => assert.equal(out[i], want));
  });
});
