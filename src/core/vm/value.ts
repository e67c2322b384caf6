// How C values live in JavaScript while the interpreter runs.
//
// - Integers of 32 bits or fewer are JS numbers in the range of their C type (int32 for `int`,
//   uint32 for `unsigned int`, 0..255 for `unsigned char`, ...).
// - 64-bit integers and pointers are an `I64`: the value read as a *signed* two's-complement 64-bit
//   integer, held as a JS number when it is a safe integer and as a bigint otherwise. Kernel
//   addresses sit in the top half of the address space, so as signed values they are small negative
//   numbers (0xffff888000000000 is -0x778000000000) and pointer arithmetic stays on fast doubles.
//   Only genuinely wide 64-bit arithmetic (hashes, LCGs) falls back to bigint.
// - Whether a 64-bit value is unsigned is a property of its C type, not of the JS value: unsigned
//   comparison, division, right shift and printing go through the `u*` helpers below.
//
// Invariant: a bigint I64 is always outside the safe-integer range and inside [-2^63, 2^63). Every
// helper returns canonical values, so `a === b` is equality for numbers and bigints alike.

export type I64 = number | bigint;

const TWO32 = 4294967296;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Canonicalise any integer (number, possibly unsafe, or bigint) to a signed 64-bit I64. */
export function i64(v: number | bigint): I64 {
  if (typeof v === 'number') {
    if (v >= -MAX_SAFE && v <= MAX_SAFE) return v;
    if (!Number.isFinite(v)) return 0;
    v = BigInt(Math.trunc(v));
  }
  const w = BigInt.asIntN(64, v);
  return w >= -9007199254740991n && w <= 9007199254740991n ? Number(w) : w;
}

const MIN64 = -(1n << 63n);
const MAX64 = (1n << 63n) - 1n;
/** BigInt(n) for shift counts 0..63, so a 64-bit shift allocates no shift amount. */
const SHIFTS: readonly bigint[] = Array.from({ length: 64 }, (_, i) => BigInt(i));

export function fromBig(v: bigint): I64 {
  // Wrap only when the value left the 64-bit range (a product can; a sum or shift rarely does).
  const w = v < MIN64 || v > MAX64 ? BigInt.asIntN(64, v) : v;
  return w >= -9007199254740991n && w <= 9007199254740991n ? Number(w) : w;
}

export function big(v: I64): bigint {
  return typeof v === 'bigint' ? v : BigInt(v);
}

/** The unsigned reading of a 64-bit value, as a bigint in [0, 2^64). */
export function ubig(v: I64): bigint {
  return BigInt.asUintN(64, typeof v === 'bigint' ? v : BigInt(v));
}

/** Build an I64 from its two 32-bit halves (lo unsigned, hi signed or unsigned). */
export function fromHalves(lo: number, hi: number): I64 {
  hi |= 0;
  if (hi > -2097152 && hi < 2097152) return hi * TWO32 + (lo >>> 0);
  return (BigInt(hi) << 32n) | BigInt(lo >>> 0);
}

// ToUint32/ToInt32 (`>>> 0`, `| 0`) reduce any integral double modulo 2^32 exactly, so the low
// half of a number I64 needs no bigint, however far above 2^32 it is.

/** The low 32 bits, unsigned. */
export function lo32(v: I64): number {
  return typeof v === 'number' ? v >>> 0 : Number(BigInt.asUintN(32, v));
}

/** The low 32 bits, signed (a truncating cast to `int`). */
export function lo32s(v: I64): number {
  return typeof v === 'number' ? v | 0 : Number(BigInt.asIntN(32, v));
}

export function hi32(v: I64): number {
  return typeof v === 'number' ? Math.floor(v / TWO32) | 0 : Number(BigInt.asIntN(32, v >> 32n));
}

export function add64(a: I64, b: I64): I64 {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    if (r >= -MAX_SAFE && r <= MAX_SAFE) return r;
  }
  return fromBig(big(a) + big(b));
}

export function sub64(a: I64, b: I64): I64 {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a - b;
    if (r >= -MAX_SAFE && r <= MAX_SAFE) return r;
  }
  return fromBig(big(a) - big(b));
}

export function mul64(a: I64, b: I64): I64 {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a * b;
    if (r >= -MAX_SAFE && r <= MAX_SAFE) return r;
  }
  return fromBig(big(a) * big(b));
}

export function neg64(a: I64): I64 {
  if (typeof a === 'number') return a === 0 ? 0 : -a;
  return fromBig(-a);
}

/** Signed division, truncating toward zero; the caller checks for a zero divisor. */
export function sdiv64(a: I64, b: I64): I64 {
  if (typeof a === 'number' && typeof b === 'number') return Math.trunc(a / b) || 0;
  return fromBig(big(a) / big(b));
}

export function srem64(a: I64, b: I64): I64 {
  if (typeof a === 'number' && typeof b === 'number') return a % b || 0;
  return fromBig(big(a) % big(b));
}

export function udiv64(a: I64, b: I64): I64 {
  if (typeof a === 'number' && typeof b === 'number' && a >= 0 && b > 0) return Math.floor(a / b);
  return fromBig(ubig(a) / ubig(b));
}

export function urem64(a: I64, b: I64): I64 {
  if (typeof a === 'number' && typeof b === 'number' && a >= 0 && b > 0) return a % b;
  return fromBig(ubig(a) % ubig(b));
}

export function and64(a: I64, b: I64): I64 {
  if (typeof a === 'number' && typeof b === 'number' && a >= 0 && b >= 0 && a < TWO32 && b < TWO32) return (a & b) >>> 0;
  return fromBig(big(a) & big(b));
}

export function or64(a: I64, b: I64): I64 {
  if (typeof a === 'number' && typeof b === 'number' && a >= 0 && b >= 0 && a < TWO32 && b < TWO32) return (a | b) >>> 0;
  return fromBig(big(a) | big(b));
}

export function xor64(a: I64, b: I64): I64 {
  if (typeof a === 'number' && typeof b === 'number' && a >= 0 && b >= 0 && a < TWO32 && b < TWO32) return (a ^ b) >>> 0;
  return fromBig(big(a) ^ big(b));
}

export function not64(a: I64): I64 {
  if (typeof a === 'number') return a < MAX_SAFE ? -a - 1 : fromBig(~BigInt(a));
  return fromBig(~a);
}

export function shl64(a: I64, n: number): I64 {
  n &= 63;
  if (typeof a === 'number' && n < 32) {
    const r = a * (1 << n >>> 0 || TWO32);
    if (r >= -MAX_SAFE && r <= MAX_SAFE) return r;
  }
  return fromBig(big(a) << SHIFTS[n]);
}

export function sar64(a: I64, n: number): I64 {
  n &= 63;
  if (typeof a === 'number') return Math.floor(a / 2 ** n);
  return fromBig(a >> SHIFTS[n]);
}

export function shr64(a: I64, n: number): I64 {
  n &= 63;
  if (typeof a === 'number' && a >= 0) return Math.floor(a / 2 ** n);
  return fromBig(ubig(a) >> SHIFTS[n]);
}

/** Signed comparison: negative, zero or positive. */
export function cmp64(a: I64, b: I64): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  const x = big(a);
  const y = big(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Unsigned comparison: negative values are the top half of the range. */
export function ucmp64(a: I64, b: I64): number {
  if (typeof a === 'number' && typeof b === 'number' && (a >= 0) === (b >= 0)) return a < b ? -1 : a > b ? 1 : 0;
  const x = ubig(a);
  const y = ubig(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Truncate any integer to an n-bit C integer (n <= 32) of the given signedness. */
export function trunc(v: I64, bits: number, signed: boolean): number {
  const x = typeof v === 'number' ? v : Number(BigInt.asIntN(32, v));
  switch (bits) {
    case 8: return signed ? (x << 24) >> 24 : x & 0xff;
    case 16: return signed ? (x << 16) >> 16 : x & 0xffff;
    case 32: return signed ? x | 0 : x >>> 0;
    case 1: return x !== 0 ? 1 : 0;
    default: {
      const m = 2 ** bits;
      const u = ((x % m) + m) % m;
      return signed && u >= m / 2 ? u - m : u;
    }
  }
}

/** The value of a 64-bit unsigned I64 as a JS number (approximate above 2^53), for %lu on small values. */
export function toUnsignedString(v: I64): string {
  return typeof v === 'number' && v >= 0 ? String(v) : ubig(v).toString();
}

/** Hex of the 64-bit pattern, lower case, without prefix or padding. */
export function toHex64(v: I64): string {
  if (typeof v === 'number' && v >= 0) return v.toString(16);
  return ubig(v).toString(16);
}

/** Parse a 64-bit hex pattern such as `ffff888000000000` into an I64. */
export function hex64(s: string): I64 {
  return fromBig(BigInt('0x' + s));
}
