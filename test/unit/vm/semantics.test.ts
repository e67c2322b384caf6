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
