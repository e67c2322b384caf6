// The 64-bit integer helpers of src/core/vm/value.ts, checked against BigInt arithmetic.
// Every result must equal the reference *and* be canonical (a safe integer as a number, anything
// wider as a bigint), because the interpreter compares I64 values with `===`. Tables of named
// cases come first, then every operator over a grid of boundary operands, then an LCG that only
// works if multiplication wraps like uint64.

import { strict as assert } from 'node:assert';
import type { I64 } from '../../src/core/vm/value';
import {
  add64, and64, big, cmp64, fromBig, fromHalves, hex64, hi32, i64, lo32, mul64, neg64, not64, or64,
  sar64, sdiv64, shl64, shr64, srem64, sub64, toHex64, toUnsignedString, trunc, ubig, ucmp64, udiv64,
  urem64, xor64,
} from '../../src/core/vm/value';

const MAX_SAFE = 2n ** 53n - 1n;

/** The canonical I64 for the 64-bit two's-complement wrap of `b`: the reference for every helper. */
function canon(b: bigint): I64 {
  const w = BigInt.asIntN(64, b);
  return w >= -MAX_SAFE && w <= MAX_SAFE ? Number(w) : w;
}

/** `-0x778000000000`, `0x10`, `-0x8000000000000000n`: readable operands in test names. */
function show(v: I64): string {
  const n = big(v);
  return `${n < 0n ? '-' : ''}0x${(n < 0n ? -n : n).toString(16)}${typeof v === 'bigint' ? 'n' : ''}`;
}

/** Asserts `got` is the canonical form of `want` (same JS type, same value). */
function assertI64(got: I64, want: I64, what: string): void {
  const c = canon(big(want));
  assert.ok(
    got === c,
    `${what}: got ${show(got)} (${typeof got}), want ${show(c)} (${typeof c})`,
  );
}

describe('vm/value: I64 helpers', () => {
  describe('named cases', () => {
    const DIRECT_MAP = -0x778000000000; // 0xffff888000000000, the start of the kernel's direct map
    const cases: [string, () => I64, I64][] = [
      ["hex64('ffff888000000000')", () => hex64('ffff888000000000'), -0x778000000000],
      ["hex64('ffffffffffffffff')", () => hex64('ffffffffffffffff'), -1],
      ["hex64('8000000000000000')", () => hex64('8000000000000000'), -(2n ** 63n)],
      ["hex64('0020000000000000')", () => hex64('0020000000000000'), 2n ** 53n],
      ['i64(2 ** 53)', () => i64(2 ** 53), 2n ** 53n],
      ['i64(2n ** 64n + 5n)', () => i64(2n ** 64n + 5n), 5],
      ['fromBig(2n ** 63n)', () => fromBig(2n ** 63n), -(2n ** 63n)],
      ['add64(direct map, 0x1000)', () => add64(DIRECT_MAP, 0x1000), -0x777ffffff000],
      ['add64(MAX_SAFE, 1)', () => add64(2 ** 53 - 1, 1), 2n ** 53n],
      ['add64(2^63-1, 1) wraps', () => add64(2n ** 63n - 1n, 1), -(2n ** 63n)],
      ['sub64(-2^63, 1) wraps', () => sub64(-(2n ** 63n), 1), 2n ** 63n - 1n],
      ['sub64(2^53, 1) back to a number', () => sub64(2n ** 53n, 1), 2 ** 53 - 1],
      ['mul64(2^32, 2^32) wraps to 0', () => mul64(2 ** 32, 2 ** 32), 0],
      ['mul64(0x100000001, 0x100000001)', () => mul64(0x100000001, 0x100000001), 0x200000001n + (1n << 64n)],
      ['neg64(-2^63) wraps', () => neg64(-(2n ** 63n)), -(2n ** 63n)],
      ['shl64(1, 63)', () => shl64(1, 63), -(2n ** 63n)],
      ['shl64(1, 64) masks the count', () => shl64(1, 64), 1],
      ['shl64(-1, 4)', () => shl64(-1, 4), -16],
      ['shl64(0x12345678, 40) drops the top', () => shl64(0x12345678, 40), 0x345678n << 40n],
      ['sar64(-1, 63)', () => sar64(-1, 63), -1],
      ['sar64(-3, 1)', () => sar64(-3, 1), -2],
      ['sar64(direct map, 12)', () => sar64(DIRECT_MAP, 12), -0x778000000],
      ['sar64(-2^63, 63)', () => sar64(-(2n ** 63n), 63), -1],
      ['shr64(-1, 60)', () => shr64(-1, 60), 15],
      ['shr64(-1, 0)', () => shr64(-1, 0), -1],
      ['shr64(direct map, 32)', () => shr64(DIRECT_MAP, 32), 0xffff8880],
      ['udiv64(-1, 2)', () => udiv64(-1, 2), 2n ** 63n - 1n],
      ['udiv64(10, 3)', () => udiv64(10, 3), 3],
      ['udiv64(direct map, 4096)', () => udiv64(DIRECT_MAP, 4096), 0xffff888000000],
      ['udiv64(2^53-1, 2)', () => udiv64(2 ** 53 - 1, 2), 2 ** 52 - 1],
      ['sdiv64(-7, 2) truncates toward zero', () => sdiv64(-7, 2), -3],
      ['sdiv64(2^53-1, 2)', () => sdiv64(2 ** 53 - 1, 2), 2 ** 52 - 1],
      ['srem64(-7, 2)', () => srem64(-7, 2), -1],
      ['urem64(-1, 10)', () => urem64(-1, 10), 5],
      ['and64(direct map, -4096)', () => and64(DIRECT_MAP, -4096), DIRECT_MAP],
      ['or64(0x80000000, 1)', () => or64(0x80000000, 1), 0x80000001],
      ['xor64(-1, 0xff)', () => xor64(-1, 0xff), -256],
      ['not64(0)', () => not64(0), -1],
      ['not64(2^53-1)', () => not64(2 ** 53 - 1), -(2n ** 53n)],
      ['fromHalves(0, 0xffff8880)', () => fromHalves(0, 0xffff8880), -0x778000000000],
      ['fromHalves(0xffffffff, -1)', () => fromHalves(0xffffffff, -1), -1],
      ['fromHalves(0, 0x80000000)', () => fromHalves(0, 0x80000000), -(2n ** 63n)],
      ['fromHalves(0, 0x200000)', () => fromHalves(0, 0x200000), 2n ** 53n],
      ['fromHalves(0, -0x200000)', () => fromHalves(0, -0x200000), -(2n ** 53n)],
    ];
    for (const [name, run, want] of cases) {
      it(name, () => assertI64(run(), want, name));
    }
  });

  describe('hi32 / lo32 / toHex64 / toUnsignedString', () => {
    const cases: [I64, number, number, string, string][] = [
      // value,                     hi32,        lo32,        hex,                 unsigned decimal
      [0, 0, 0, '0', '0'],
      [-1, -1, 0xffffffff, 'ffffffffffffffff', '18446744073709551615'],
      [-0x778000000000, -30592, 0, 'ffff888000000000', '18446612682070032384'],
      [0x123456789a, 0x12, 0x3456789a, '123456789a', '78187493530'],
      [-(2n ** 63n), -0x80000000, 0, '8000000000000000', '9223372036854775808'],
      [2n ** 63n - 1n, 0x7fffffff, 0xffffffff, '7fffffffffffffff', '9223372036854775807'],
    ];
    for (const [v, hi, lo, hex, dec] of cases) {
      it(show(v), () => {
        assert.equal(hi32(v), hi, 'hi32');
        assert.equal(lo32(v), lo, 'lo32');
        assert.equal(toHex64(v), hex, 'toHex64');
        assert.equal(toUnsignedString(v), dec, 'toUnsignedString');
        assertI64(fromHalves(lo, hi), v, 'fromHalves(lo32, hi32)');
        assertI64(hex64(hex), v, 'hex64(toHex64)');
      });
    }
  });

  describe('trunc to narrow C integers', () => {
    const cases: [I64, number, boolean, number][] = [
      // value,         bits, signed, result
      [300, 8, false, 44],
      [200, 8, true, -56],
      [-1, 8, false, 255],
      [128, 8, true, -128],
      [0x12345678, 16, true, 0x5678],
      [0x18000, 16, true, -32768],
      [-1, 16, false, 0xffff],
      [-1, 32, false, 0xffffffff],
      [2 ** 32 + 5, 32, true, 5],
      [0x80000000, 32, true, -2147483648],
      [-0x778000000000, 32, false, 0],
      [-(2n ** 63n) + 0x1ffn, 8, false, 0xff],
      [2n ** 62n + 0x80n, 8, true, -128],
      [13, 3, false, 5],
      [6, 3, true, -2],
      [-1, 24, false, 0xffffff],
    ];
    for (const [v, bits, signed, want] of cases) {
      it(`trunc(${show(v)}, ${bits}, ${signed})`, () => assert.equal(trunc(v, bits, signed), want));
    }
  });

  describe('every operator over boundary operands, against BigInt', () => {
    const OPERANDS: I64[] = [
      0, 1, -1, 2, -7, 0x7fffffff, 0x80000000, 0xffffffff, 2 ** 32, -(2 ** 32), 2 ** 52 + 1,
      2 ** 53 - 1, -(2 ** 53 - 1), -0x778000000000, 0x5851f42d, 2n ** 53n, -(2n ** 53n),
      2n ** 63n - 1n, -(2n ** 63n), 0x5851f42d4c957f2dn, -0x21524110n * 2n ** 32n,
    ];
    const u = (b: bigint) => BigInt.asUintN(64, b);
    const BINARY: [string, (a: I64, b: I64) => I64, (a: bigint, b: bigint) => bigint | undefined][] = [
      ['add64', add64, (a, b) => a + b],
      ['sub64', sub64, (a, b) => a - b],
      ['mul64', mul64, (a, b) => a * b],
      ['and64', and64, (a, b) => a & b],
      ['or64', or64, (a, b) => a | b],
      ['xor64', xor64, (a, b) => a ^ b],
      // Division by zero is the caller's to check; INT64_MIN / -1 traps on x86 (not compared).
      ['sdiv64', sdiv64, (a, b) => (b === 0n || (a === -(2n ** 63n) && b === -1n) ? undefined : a / b)],
      ['srem64', srem64, (a, b) => (b === 0n || (a === -(2n ** 63n) && b === -1n) ? undefined : a % b)],
      ['udiv64', udiv64, (a, b) => (b === 0n ? undefined : u(a) / u(b))],
      ['urem64', urem64, (a, b) => (b === 0n ? undefined : u(a) % u(b))],
    ];
    for (const [name, fn, ref] of BINARY) {
      it(name, () => {
        const failures: string[] = [];
        for (const a of OPERANDS) {
          for (const b of OPERANDS) {
            const want = ref(big(a), big(b));
            if (want === undefined) continue;
            const got = fn(a, b);
            const c = canon(want);
            if (got !== c) failures.push(`${name}(${show(a)}, ${show(b)}) = ${show(got)}, want ${show(c)}`);
          }
        }
        assert.deepEqual(failures, []);
      });
    }

    const SHIFTS: [string, (a: I64, n: number) => I64, (a: bigint, n: bigint) => bigint][] = [
      ['shl64', shl64, (a, n) => a << n],
      ['sar64', sar64, (a, n) => BigInt.asIntN(64, a) >> n],
      ['shr64', shr64, (a, n) => u(a) >> n],
    ];
    for (const [name, fn, ref] of SHIFTS) {
      it(name, () => {
        const failures: string[] = [];
        for (const a of OPERANDS) {
          for (const n of [0, 1, 4, 12, 31, 32, 33, 47, 52, 53, 63]) {
            const got = fn(a, n);
            const c = canon(ref(big(a), BigInt(n)));
            if (got !== c) failures.push(`${name}(${show(a)}, ${n}) = ${show(got)}, want ${show(c)}`);
          }
        }
        assert.deepEqual(failures, []);
      });
    }

    it('cmp64 and ucmp64', () => {
      const failures: string[] = [];
      for (const a of OPERANDS) {
        for (const b of OPERANDS) {
          const s = Math.sign(cmp64(a, b));
          const us = Math.sign(ucmp64(a, b));
          const ws = big(a) < big(b) ? -1 : big(a) > big(b) ? 1 : 0;
          const wus = u(big(a)) < u(big(b)) ? -1 : u(big(a)) > u(big(b)) ? 1 : 0;
          if (s !== ws) failures.push(`cmp64(${show(a)}, ${show(b)}) = ${s}, want ${ws}`);
          if (us !== wus) failures.push(`ucmp64(${show(a)}, ${show(b)}) = ${us}, want ${wus}`);
        }
      }
      assert.deepEqual(failures, []);
    });

    it('neg64 and not64', () => {
      const failures: string[] = [];
      for (const a of OPERANDS) {
        if (neg64(a) !== canon(-big(a))) failures.push(`neg64(${show(a)}) = ${show(neg64(a))}`);
        if (not64(a) !== canon(~big(a))) failures.push(`not64(${show(a)}) = ${show(not64(a))}`);
      }
      assert.deepEqual(failures, []);
    });

    it('ucmp64 puts kernel addresses above user addresses', () => {
      assert.ok(ucmp64(-0x778000000000, 0x7fffffffffff) > 0);
      assert.ok(ucmp64(-1, 1) > 0);
      assert.ok(ucmp64(1, -1) < 0);
      assert.ok(ucmp64(-2, -1) < 0);
      assert.ok(ucmp64(-(2n ** 63n), 2n ** 63n - 1n) > 0);
      assert.equal(ucmp64(-0x778000000000, hex64('ffff888000000000')), 0);
    });
  });

  describe('64-bit LCG (Knuth MMIX) wraps like uint64', () => {
    it('1000 steps of x = x * 6364136223846793005 + 1442695040888963407', () => {
      const A = 6364136223846793005n;
      const C = 1442695040888963407n;
      let x: I64 = 1;
      let want = 1n;
      for (let i = 0; i < 1000; i++) {
        x = add64(mul64(x, fromBig(A)), fromBig(C));
        want = BigInt.asUintN(64, want * A + C);
        assert.equal(ubig(x), want, `step ${i + 1}`);
        assert.equal(x, canon(want), `step ${i + 1}: canonical`);
      }
      // The first step from 1 is A + C, which overflows int64: the signed reading is negative.
      assert.equal(toHex64(add64(mul64(1, fromBig(A)), fromBig(C))), (A + C).toString(16));
    });

    it('32-bit LCG seed times a 64-bit multiplier', () => {
      // The product exceeds 2^53, so the number fast path must hand over to bigint.
      const got = mul64(0x5851f42d, 0x5851f42d4c957f2dn);
      assertI64(got, BigInt.asIntN(64, 0x5851f42dn * 0x5851f42d4c957f2dn), 'mul64');
      assert.equal(typeof got, 'bigint');
    });
  });
});
