// The kernel's vsnprintf (lib/vsprintf.c of Linux 6.1), re-implemented from its documented and
// observed behaviour: printk(), sprintf(), snprintf(), scnprintf() and kasprintf() of emulated
// modules all format through here, so their output matches a real kernel character for character.
//
// Arguments arrive as an array of I64 values after C's default argument promotions; the conversion's
// length modifier decides how each is read (`%d` takes the low 32 bits as signed, `%lu` reads 64 bits
// unsigned), exactly like va_arg would. Where the kernel differs from glibc this file follows the
// kernel: `%.0d` of 0 prints "0", `%#x` of 0 prints "0x0", a precision given with `*` that is negative
// becomes 0, `%.s` means "no precision", `%j`, `%n`, `%f` and other unknown conversions stop the
// output with a WARN_ONCE ("Please remove unsupported %n in format string"), `%p` prints a hashed
// value and everything after `%p` that is alphanumeric is swallowed as the pointer extension.
//
// Invariants: never throws on any format string or argument list (missing arguments read as 0,
// unreadable memory prints "(efault)"); no module-level mutable state (the %p hash key comes from
// the FormatEnv); the output can be capped (snprintf's size) while the returned length still counts
// everything that would have been written.

import type { I64 } from '../vm/value';
import { errname } from './errno';

/** Emulated kernel memory as the formatter reads it (strings for %s, bytes for %ph/%pM/%pI4/...). */
export interface FormatMemory {
  /**
   * Up to `max` bytes of a NUL-terminated string as a latin1 string, or null if unreadable (printed
   * as "(efault)"). An implementation may instead throw the emulator's page-fault signal to
   * reproduce the Oops a real kernel takes on a wild %s pointer; this file never catches it.
   */
  readCString(addr: I64, max: number): string | null;
  /** Exactly `n` bytes, or null if any of them is unreadable. */
  readBytes(addr: I64, n: number): Uint8Array | null;
}

/** What kallsyms knows about an address: `init_module+0x2a/0x3e [test_mem]`. */
export interface KernelSymbol {
  readonly name: string;
  /** Offset of the address from the symbol's start. */
  readonly offset: number;
  /** The symbol's size in bytes. */
  readonly size: number;
  /** The module the symbol belongs to; undefined for the kernel proper. */
  readonly module?: string;
}

/** kallsyms_lookup(): the symbol containing `addr`, or null/undefined when none does. */
export type Symbolizer = (addr: I64) => KernelSymbol | null | undefined;

/** The 128-bit SipHash key behind %p (ptr_key in lib/vsprintf.c), as two unsigned 64-bit halves. */
export interface PointerHashKey {
  readonly k0: bigint;
  readonly k1: bigint;
}

/** Everything %s, %p and friends need from the kernel. All fields are optional. */
export interface FormatEnv {
  readonly memory?: FormatMemory;
  readonly symbolize?: Symbolizer;
  /** Key for hashed %p/%pK values; default `pointerHashKey(0)`. */
  readonly hashKey?: PointerHashKey;
  /** The `no_hash_pointers` boot option: %p prints raw addresses. */
  readonly noHashPointers?: boolean;
  /** %pV: read the `struct va_format` at `addr` as a format string and its arguments. */
  readonly readVaFormat?: (addr: I64) => { fmt: string; args: readonly I64[] } | null;
}

/** A WARN_ONCE the real vsnprintf would have raised; the caller prints it as a warning report. */
export interface FormatWarning {
  /** The WARN's message, without the trailing newline. */
  readonly message: string;
  readonly file: string;
  /** Line in Debian's 6.1.176 lib/vsprintf.c (the oracle's 6.1.192 may differ by a few lines). */
  readonly line: number;
  /** The function the WARNING line names (`format_decode+0x.../0x...`). */
  readonly fn: string;
}

export interface FormatResult {
  /** The text that fits in the buffer (at most `size - 1` characters). */
  readonly text: string;
  /** The length the whole output would have had (vsnprintf's return value). */
  readonly length: number;
  readonly warnings: FormatWarning[];
}

/** No cap beyond this many characters (1 MiB), so a `%99999999d` cannot exhaust the host. */
export const FORMAT_HARD_CAP = 1 << 20;
const PAGE_SIZE = 4096;
const MAX_ERRNO = 4095;
const FIELD_WIDTH_MAX = (1 << 23) - 1;
const PRECISION_MAX = (1 << 15) - 1;

// Flag bits of struct printf_spec, as in lib/vsprintf.c (the values matter: ZEROPAD == '0' - ' ').
const SIGN = 1;
const LEFT = 2;
const PLUS = 4;
const SPACE = 8;
const ZEROPAD = 16;
const SMALL = 32;
const SPECIAL = 64;

interface Spec {
  flags: number;
  width: number; // -1 when absent
  precision: number; // -1 when absent
  base: number;
}

/** The output buffer: materialises at most `cap` characters but counts all of them. */
class Out {
  text = '';
  len = 0;
  constructor(readonly cap: number) {}

  put(s: string): void {
    if (this.len < this.cap) {
      const room = this.cap - this.len;
      this.text += s.length <= room ? s : s.slice(0, room);
    }
    this.len += s.length;
  }

  pad(ch: string, n: number): void {
    if (n <= 0) return;
    if (this.len < this.cap) this.text += ch.repeat(Math.min(n, this.cap - this.len));
    this.len += n;
  }
}

// ---- argument reading ------------------------------------------------------------------------------

/** The unsigned 64-bit pattern of an argument. */
function u64(v: I64 | undefined): bigint {
  if (v === undefined) return 0n;
  if (typeof v === 'bigint') return BigInt.asUintN(64, v);
  if (!Number.isFinite(v)) return 0n;
  return BigInt.asUintN(64, BigInt(Math.trunc(v)));
}

/** va_arg(args, int): the low 32 bits as a signed int. */
function argInt(v: I64 | undefined): number {
  if (v === undefined) return 0;
  if (typeof v === 'bigint') return Number(BigInt.asIntN(32, v));
  if (!Number.isFinite(v)) return 0;
  return Number(BigInt.asIntN(32, BigInt(Math.trunc(v))));
}

/** 64-bit value of an argument as an unsigned bigint, read the way the qualifier says. */
function readInteger(v: I64 | undefined, qualifier: string, signed: boolean): bigint {
  switch (qualifier) {
    case 'L': case 'l': case 'z': case 't':
      return u64(v);
    case 'H': {
      const x = argInt(v) & 0xff;
      return BigInt.asUintN(64, BigInt(signed ? (x << 24) >> 24 : x));
    }
    case 'h': {
      const x = argInt(v) & 0xffff;
      return BigInt.asUintN(64, BigInt(signed ? (x << 16) >> 16 : x));
    }
    default: {
      const x = argInt(v);
      return BigInt.asUintN(64, BigInt(signed ? x : x >>> 0));
    }
  }
}

// ---- number() --------------------------------------------------------------------------------------

/** lib/vsprintf.c number(): sign, 0x prefix, zero/space padding and precision, kernel rules. */
function number(out: Out, num: bigint, spec: Spec): void {
  let flags = spec.flags;
  let fw = spec.width;
  let precision = spec.precision;
  const base = spec.base;
  const needPfx = (flags & SPECIAL) !== 0 && base !== 10;
  const isZero = num === 0n;
  const locase = (flags & SMALL) !== 0;
  if (flags & LEFT) flags &= ~ZEROPAD;
  let sign = '';
  if (flags & SIGN) {
    const s = BigInt.asIntN(64, num);
    if (s < 0n) {
      sign = '-';
      num = -s;
      fw--;
    } else if (flags & PLUS) {
      sign = '+';
      fw--;
    } else if (flags & SPACE) {
      sign = ' ';
      fw--;
    }
  }
  if (needPfx) {
    if (base === 16) fw -= 2;
    else if (!isZero) fw--;
  }
  let digits = num.toString(base);
  if (!locase) digits = digits.toUpperCase();
  const i = digits.length;
  // Printing 100 with %2d gives "100": the precision grows to the digit count.
  if (i > precision) precision = i;
  fw -= precision;
  if (!(flags & (ZEROPAD | LEFT))) {
    out.pad(' ', fw);
    fw = -1;
  }
  if (sign) out.put(sign);
  if (needPfx) {
    if (base === 16 || !isZero) out.put('0');
    if (base === 16) out.put(locase ? 'x' : 'X');
  }
  if (!(flags & LEFT)) {
    out.pad(flags & ZEROPAD ? '0' : ' ', fw);
    fw = -1;
  }
  out.pad('0', precision - i);
  out.put(digits);
  out.pad(' ', fw);
}

/** special_hex_number(): `0x` and 2*size zero-padded hex digits. */
function specialHex(out: Out, num: bigint, size: number): void {
  number(out, num, { flags: SPECIAL | SMALL | ZEROPAD, width: 2 + 2 * size, precision: -1, base: 16 });
}

/** pointer_string(): hex, zero-padded to 16 digits unless a width was given. */
function pointerString(out: Out, ptr: bigint, spec: Spec): void {
  const s: Spec = { ...spec, base: 16, flags: spec.flags | SMALL };
  if (s.width === -1) {
    s.width = 16;
    s.flags |= ZEROPAD;
  }
  number(out, ptr, s);
}

// ---- strings ---------------------------------------------------------------------------------------

/** widen_string() + string_nocheck(): precision limits, width pads (left or right). */
function putString(out: Out, s: string, spec: Spec): void {
  const body = spec.precision >= 0 && s.length > spec.precision ? s.slice(0, spec.precision) : s;
  const pad = spec.width - body.length;
  if (pad > 0 && !(spec.flags & LEFT)) out.pad(' ', pad);
  out.put(body);
  if (pad > 0 && spec.flags & LEFT) out.pad(' ', pad);
}

/** error_string(): like a string, but capped at 16 characters when no precision was given. */
function errorString(out: Out, s: string, spec: Spec): void {
  putString(out, s, spec.precision === -1 ? { ...spec, precision: 16 } : spec);
}

/** check_pointer_msg(): "(null)" for NULL, "(efault)" for the first page and error pointers. */
function checkPointerMsg(p: bigint): string | undefined {
  if (p === 0n) return '(null)';
  if (p < BigInt(PAGE_SIZE) || p >= (1n << 64n) - BigInt(MAX_ERRNO)) return '(efault)';
  return undefined;
}

function isErrOrNull(p: bigint): boolean {
  return p === 0n || p >= (1n << 64n) - BigInt(MAX_ERRNO);
}

/** The signed I64 of an unsigned 64-bit pattern (what the memory interface takes). */
function toI64(p: bigint): I64 {
  const s = BigInt.asIntN(64, p);
  return s >= -9007199254740991n && s <= 9007199254740991n ? Number(s) : s;
}

const HEX = '0123456789abcdef';
function hexByte(b: number, upper = false): string {
  const s = HEX[(b >> 4) & 15] + HEX[b & 15];
  return upper ? s.toUpperCase() : s;
}

// ---- SipHash-2-4 for %p ------------------------------------------------------------------------------

const M64 = (1n << 64n) - 1n;
const rotl = (x: bigint, b: bigint): bigint => ((x << b) | (x >> (64n - b))) & M64;

/** siphash_1u64(): SipHash-2-4 of one little-endian u64 under a 128-bit key. */
export function siphash1u64(first: bigint, key: PointerHashKey): bigint {
  let v0 = 0x736f6d6570736575n ^ (key.k0 & M64);
  let v1 = 0x646f72616e646f6dn ^ (key.k1 & M64);
  let v2 = 0x6c7967656e657261n ^ (key.k0 & M64);
  let v3 = 0x7465646279746573n ^ (key.k1 & M64);
  const round = (): void => {
    v0 = (v0 + v1) & M64; v1 = rotl(v1, 13n); v1 ^= v0; v0 = rotl(v0, 32n);
    v2 = (v2 + v3) & M64; v3 = rotl(v3, 16n); v3 ^= v2;
    v0 = (v0 + v3) & M64; v3 = rotl(v3, 21n); v3 ^= v0;
    v2 = (v2 + v1) & M64; v1 = rotl(v1, 17n); v1 ^= v2; v2 = rotl(v2, 32n);
  };
  const m = first & M64;
  v3 ^= m; round(); round(); v0 ^= m;
  const b = 8n << 56n; // length 8, no tail bytes
  v3 ^= b; round(); round(); v0 ^= b;
  v2 ^= 0xffn;
  round(); round(); round(); round();
  return (v0 ^ v1 ^ v2 ^ v3) & M64;
}

/** A deterministic %p key from a seed (splitmix64), standing in for get_random_bytes(). */
export function pointerHashKey(seed: number): PointerHashKey {
  let x = BigInt.asUintN(64, BigInt(Number.isFinite(seed) ? Math.trunc(seed) : 0));
  const next = (): bigint => {
    x = (x + 0x9e3779b97f4a7c15n) & M64;
    let z = x;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64;
    return z ^ (z >> 31n);
  };
  return { k0: next(), k1: next() };
}

const DEFAULT_KEY = pointerHashKey(0);

/** The 32-bit id %p prints for a pointer (ptr_to_id: siphash, low 32 bits). */
export function hashPointer(addr: I64, key: PointerHashKey = DEFAULT_KEY): number {
  return Number(siphash1u64(u64(addr), key) & 0xffffffffn);
}

/** `%p` as a string: `0000000086a93833` (NULL and error pointers print raw, as in 6.1). */
export function formatHashedPointer(addr: I64, key: PointerHashKey = DEFAULT_KEY): string {
  const p = u64(addr);
  const v = isErrOrNull(p) ? p : BigInt(hashPointer(addr, key));
  return v.toString(16).padStart(16, '0');
}

// ---- symbols -------------------------------------------------------------------------------------

/**
 * sprint_symbol() and friends: `name+0x2a/0x3e [mod]`, `name [mod]` (no offset), and for %pB the
 * lookup of addr-1 (a return address may point just past its function). Unknown addresses print as
 * `0xffffffffc0000000`.
 */
export function formatSymbol(addr: I64, symbolize: Symbolizer | undefined, mode: 'offset' | 'no-offset' | 'backtrace' = 'offset'): string {
  const p = u64(addr);
  const back = mode === 'backtrace' ? 1n : 0n;
  const look = toI64(BigInt.asUintN(64, p - back));
  let sym: KernelSymbol | null | undefined;
  try {
    sym = symbolize?.(look);
  } catch {
    sym = undefined;
  }
  if (!sym) return `0x${p.toString(16)}`;
  let s = sym.name;
  if (mode !== 'no-offset') {
    const off = Math.max(0, Math.trunc(sym.offset)) + Number(back);
    s += `+0x${off.toString(16)}/0x${Math.max(0, Math.trunc(sym.size)).toString(16)}`;
  }
  if (sym.module) s += ` [${sym.module}]`;
  return s;
}

// ---- the formatter ---------------------------------------------------------------------------------

const WARN_LINES = { unsupported: 2661, width: 2693, precision: 2702 } as const;

interface State {
  readonly args: readonly I64[];
  next: number;
  readonly env: FormatEnv;
  readonly out: Out;
  readonly warnings: FormatWarning[];
  readonly depth: number;
}

function nextArg(st: State): I64 | undefined {
  return st.args[st.next++];
}

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isAlnum = (c: string): boolean => (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');

/** skip_atoi(), wrapped into a signed bitfield of `bits` bits as struct printf_spec stores it. */
function atoiInto(fmt: string, i: number, bits: number): { value: number; end: number } {
  let v = 0;
  while (i < fmt.length && isDigit(fmt[i])) {
    v = (v * 10 + (fmt.charCodeAt(i) - 48)) % 2 ** 32;
    i++;
  }
  const m = 2 ** bits;
  let w = v % m;
  if (w >= m / 2) w -= m;
  return { value: w, end: i };
}

/**
 * Format `fmt` with `args` the way the kernel's vsnprintf does, keeping at most `cap` characters.
 * `fmt` is a latin1 string (one character per byte).
 */
export function format(fmt: string, args: readonly I64[], env: FormatEnv = {}, cap = FORMAT_HARD_CAP): FormatResult {
  const st: State = { args, next: 0, env, out: new Out(Math.max(0, Math.min(cap, FORMAT_HARD_CAP))), warnings: [], depth: 0 };
  run(fmt, st);
  return { text: st.out.text, length: st.out.len, warnings: st.warnings };
}

function run(fmt: string, st: State): void {
  const out = st.out;
  let i = 0;
  const n = fmt.length;
  while (i < n) {
    const pct = fmt.indexOf('%', i);
    if (pct < 0) {
      out.put(fmt.slice(i));
      return;
    }
    if (pct > i) out.put(fmt.slice(i, pct));
    i = pct + 1;
    const spec: Spec = { flags: 0, width: -1, precision: -1, base: 10 };
    // Flags.
    for (;;) {
      const c = fmt[i];
      if (c === '-') spec.flags |= LEFT;
      else if (c === '+') spec.flags |= PLUS;
      else if (c === ' ') spec.flags |= SPACE;
      else if (c === '#') spec.flags |= SPECIAL;
      else if (c === '0') spec.flags |= ZEROPAD;
      else break;
      i++;
    }
    // Field width: digits, or `*` from the next int argument (negative means left-justified).
    if (i < n && isDigit(fmt[i])) {
      const r = atoiInto(fmt, i, 24);
      spec.width = r.value;
      i = r.end;
    } else if (fmt[i] === '*') {
      i++;
      let w = argInt(nextArg(st));
      if (w > FIELD_WIDTH_MAX || w < -FIELD_WIDTH_MAX) {
        warnOnce(st, `field width ${w} too large`, WARN_LINES.width, 'set_field_width');
        w = Math.max(-FIELD_WIDTH_MAX, Math.min(FIELD_WIDTH_MAX, w));
      }
      if (w < 0) {
        w = -w;
        spec.flags |= LEFT;
      }
      spec.width = w;
    }
    // Precision: `.` followed by digits or `*`; a bare `.` leaves "no precision" (unlike C).
    if (fmt[i] === '.') {
      i++;
      if (i < n && isDigit(fmt[i])) {
        const r = atoiInto(fmt, i, 16);
        spec.precision = r.value < 0 ? 0 : r.value;
        i = r.end;
      } else if (fmt[i] === '*') {
        i++;
        let p = argInt(nextArg(st));
        if (p !== (p << 16) >> 16) {
          warnOnce(st, `precision ${p} too large`, WARN_LINES.precision, 'set_precision');
          p = Math.max(0, Math.min(PRECISION_MAX, p));
        }
        spec.precision = p < 0 ? 0 : p;
      }
    }
    // Length qualifier: h hh l ll L z t (the kernel knows no j, q or Z).
    let qualifier = '';
    const q = fmt[i];
    if (q === 'h' || q === 'l' || q === 'L' || q === 'z' || q === 't') {
      qualifier = q;
      i++;
      if (fmt[i] === q && (q === 'l' || q === 'h')) {
        qualifier = q === 'l' ? 'L' : 'H';
        i++;
      }
    }
    const conv = i < n ? fmt[i] : '\0';
    switch (conv) {
      case 'c': {
        i++;
        const ch = String.fromCharCode(argInt(nextArg(st)) & 0xff);
        let fw = spec.width;
        if (!(spec.flags & LEFT)) {
          out.pad(' ', fw - 1);
          fw = fw > 0 ? 0 : fw;
        }
        out.put(ch);
        out.pad(' ', fw - 1);
        continue;
      }
      case 's': {
        i++;
        stringArg(st, u64(nextArg(st)), spec);
        continue;
      }
      case 'p': {
        i++;
        let e = i;
        while (e < n && isAlnum(fmt[e])) e++;
        pointer(st, fmt.slice(i, e), u64(nextArg(st)), spec);
        // The kernel skips every alphanumeric character after %p, known extension or not.
        i = e;
        continue;
      }
      case '%':
        i++;
        out.put('%');
        continue;
      case 'o':
        spec.base = 8;
        break;
      case 'x':
        spec.flags |= SMALL;
        spec.base = 16;
        break;
      case 'X':
        spec.base = 16;
        break;
      case 'd':
      case 'i':
        spec.flags |= SIGN;
        break;
      case 'u':
        break;
      default:
        // %n, %f, %j..., a lone % at the end: WARN_ONCE and stop formatting (the remaining
        // arguments could not be fetched safely).
        warnOnce(st, `Please remove unsupported %${conv} in format string`, WARN_LINES.unsupported, 'format_decode');
        return;
    }
    i++;
    const signed = (spec.flags & SIGN) !== 0;
    number(out, readInteger(nextArg(st), qualifier, signed), spec);
  }
}

function warnOnce(st: State, message: string, line: number, fn: string): void {
  if (!st.warnings.some((w) => w.message === message)) st.warnings.push({ message, file: 'lib/vsprintf.c', line, fn });
}

function readString(st: State, p: bigint, max: number): string | null {
  const mem = st.env.memory;
  return mem ? mem.readCString(toI64(p), max) : null;
}

function readBytes(st: State, p: bigint, count: number): Uint8Array | null {
  const mem = st.env.memory;
  if (!mem) return null;
  const b = mem.readBytes(toI64(p), count);
  return b && b.length >= count ? b : null;
}

/** string(): check the pointer, then copy up to the precision. */
function stringArg(st: State, p: bigint, spec: Spec): void {
  const err = checkPointerMsg(p);
  if (err) return errorString(st.out, err, spec);
  const max = spec.precision >= 0 ? spec.precision : FORMAT_HARD_CAP;
  const s = readString(st, p, max);
  if (s === null) return errorString(st.out, '(efault)', spec);
  putString(st.out, s, spec);
}

/** default_pointer() / ptr_to_id(): the hashed id (raw for NULL and error pointers). */
function defaultPointer(st: State, p: bigint, spec: Spec): void {
  if (st.env.noHashPointers || isErrOrNull(p)) return pointerString(st.out, p, spec);
  pointerString(st.out, BigInt(hashPointer(toI64(p), st.env.hashKey ?? DEFAULT_KEY)), spec);
}

/** lib/vsprintf.c pointer(): the %p extensions. `ext` is the alphanumeric run after the `p`. */
function pointer(st: State, ext: string, p: bigint, spec: Spec): void {
  const out = st.out;
  const c0 = ext[0] ?? '';
  const c1 = ext[1] ?? '';
  switch (c0) {
    case 'S':
    case 's':
    case 'B': {
      const mode = c0 === 'B' ? 'backtrace' : c0 === 's' ? 'no-offset' : 'offset';
      return putString(out, formatSymbol(toI64(p), st.env.symbolize, mode), spec);
    }
    case 'x':
      return pointerString(out, p, spec);
    case 'K':
      // kptr_restrict = 0: hashed like %p.
      return defaultPointer(st, p, spec);
    case 'e': {
      if (p < (1n << 64n) - BigInt(MAX_ERRNO)) return defaultPointer(st, p, spec);
      const err = Number(BigInt.asIntN(64, p));
      const sym = errname(err);
      if (sym) return putString(out, sym, spec);
      return number(out, BigInt.asUintN(64, BigInt(err)), { ...spec, flags: spec.flags | SIGN, base: 10 });
    }
    case 'h':
      return hexString(st, p, spec, c1);
    case 'a':
      return addressVal(st, p, spec);
    case 'M':
    case 'm':
      return macAddress(st, p, spec, c0, c1);
    case 'I':
    case 'i':
      return ipAddress(st, p, spec, ext);
    case 'E':
      return escapedString(st, p, spec, ext);
    case 'U':
      return uuidString(st, p, spec, c1);
    case 'V':
      return vaFormat(st, p, spec);
    case 'u':
    case 'k':
      if (c1 === 's') return stringArg(st, p, spec);
      return errorString(out, '(einval)', spec);
    case 'f':
      // fwnode_string() without the 'w' (and we model no firmware nodes).
      return errorString(out, '(%pf?)', spec);
    case 'O':
      // CONFIG_OF is not set in Debian's x86_64 kernel.
      return errorString(out, '(%pOF?)', spec);
    case 'A':
      warnOnce(st, 'Please remove %pA from non-Rust code', 0, 'pointer');
      return errorString(out, '(%pA?)', spec);
    case 'R': case 'r': case 'b': case 'N': case '4': case 'd': case 't': case 'C': case 'D': case 'g': case 'G':
      // These print kernel objects (resources, bitmaps, dentries, clocks, ...) that the emulator
      // does not model; say so in the kernel's own style rather than print something invented.
      return errorString(out, `(%p${c0}?)`, spec);
    default:
      return defaultPointer(st, p, spec);
  }
}

/** %ph, %phC, %phD, %phN: up to 64 bytes as hex, the length taken from the field width. */
function hexString(st: State, p: bigint, spec: Spec, variant: string): void {
  if (spec.width === 0) return;
  const err = checkPointerMsg(p);
  if (err) return errorString(st.out, err, spec);
  const sep = variant === 'C' ? ':' : variant === 'D' ? '-' : variant === 'N' ? '' : ' ';
  const len = spec.width > 0 ? Math.min(spec.width, 64) : 1;
  const bytes = readBytes(st, p, len);
  if (!bytes) return errorString(st.out, '(efault)', spec);
  const parts: string[] = [];
  for (let k = 0; k < len; k++) parts.push(hexByte(bytes[k]));
  st.out.put(parts.join(sep));
}

function le64(b: Uint8Array): bigint {
  let v = 0n;
  for (let k = 7; k >= 0; k--) v = (v << 8n) | BigInt(b[k]);
  return v;
}

/** %pa, %pap, %pad: a phys_addr_t / dma_addr_t read through the pointer, as 0x%016llx. */
function addressVal(st: State, p: bigint, spec: Spec): void {
  const err = checkPointerMsg(p);
  if (err) return errorString(st.out, err, spec);
  const b = readBytes(st, p, 8);
  if (!b) return errorString(st.out, '(efault)', spec);
  specialHex(st.out, le64(b), 8);
}

/** %pM, %pMR, %pMF, %pm: a 6-byte MAC address. */
function macAddress(st: State, p: bigint, spec: Spec, kind: string, variant: string): void {
  const err = checkPointerMsg(p);
  if (err) return errorString(st.out, err, spec);
  const b = readBytes(st, p, 6);
  if (!b) return errorString(st.out, '(efault)', spec);
  const reversed = variant === 'R';
  const sep = variant === 'F' ? '-' : ':';
  const parts: string[] = [];
  for (let k = 0; k < 6; k++) parts.push(hexByte(b[reversed ? 5 - k : k]));
  putString(st.out, parts.join(kind === 'M' ? sep : ''), spec);
}

/** %pI4, %pi4 (with leading zeros), %pI6, %pi6, %pI6c. */
function ipAddress(st: State, p: bigint, spec: Spec, ext: string): void {
  const kind = ext[1];
  const err = checkPointerMsg(p);
  if (err) return errorString(st.out, err, spec);
  // %pIS (struct sockaddr) is not modelled; ip_addr_string() prints this for unknown variants.
  if (kind !== '4' && kind !== '6') return errorString(st.out, '(invalid address)', spec);
  const b = readBytes(st, p, kind === '4' ? 4 : 16);
  if (!b) return errorString(st.out, '(efault)', spec);
  const leading = ext[0] === 'i';
  if (kind === '4') {
    const order = ext[2] === 'h' || ext[2] === 'l' ? [3, 2, 1, 0] : [0, 1, 2, 3];
    const quads = order.map((k) => (leading ? String(b[k]).padStart(3, '0') : String(b[k])));
    return putString(st.out, quads.join('.'), spec);
  }
  if (ext[0] === 'i') {
    let s = '';
    for (let k = 0; k < 16; k++) s += hexByte(b[k]);
    return putString(st.out, s, spec);
  }
  if (ext[2] === 'c') return putString(st.out, ip6Compressed(b), spec);
  const words: string[] = [];
  for (let k = 0; k < 16; k += 2) words.push(hexByte(b[k]) + hexByte(b[k + 1]));
  putString(st.out, words.join(':'), spec);
}

/** ip6_compressed_string(): the longest run of zero words becomes `::`; v4-mapped ends in a.b.c.d. */
function ip6Compressed(b: Uint8Array): string {
  const w = (k: number): number => (b[2 * k] << 8) | b[2 * k + 1];
  const v4mapped = w(0) === 0 && w(1) === 0 && w(2) === 0 && w(3) === 0 && w(4) === 0 && w(5) === 0xffff;
  const isatap = ((w(4) | 0x0200) === 0x0200) && w(5) === 0x5efe;
  const useV4 = v4mapped || isatap;
  const range = useV4 ? 6 : 8;
  let longest = 1;
  let colonpos = -1;
  for (let k = 0; k < range; k++) {
    let z = 0;
    for (let j = k; j < range && w(j) === 0; j++) z++;
    if (z > longest) {
      longest = z;
      colonpos = k;
    }
  }
  if (longest === 1) colonpos = -1;
  let s = '';
  let needColon = false;
  for (let k = 0; k < range; k++) {
    if (k === colonpos) {
      if (needColon || k === 0) s += ':';
      s += ':';
      needColon = false;
      k += longest - 1;
      continue;
    }
    if (needColon) s += ':';
    s += w(k).toString(16);
    needColon = true;
  }
  if (useV4) {
    if (needColon) s += ':';
    s += `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  }
  return s;
}

/** Kernel ctype isprint(): ASCII 0x20..0x7e plus Latin-1 0xa0..0xff. */
function kernelIsprint(c: number): boolean {
  return (c >= 0x20 && c <= 0x7e) || c >= 0xa0;
}

/** %pE[achnops]: string_escape_mem() over `width` bytes (1 without a width). */
function escapedString(st: State, p: bigint, spec: Spec, ext: string): void {
  if (spec.width === 0) return;
  const err = checkPointerMsg(p);
  if (err) return errorString(st.out, err, spec);
  let flags = 0;
  for (let k = 1; k < ext.length; k++) {
    const f = 'scnoph'.indexOf(ext[k]);
    if (ext[k] === 'a') flags |= 1 | 2 | 4 | 8;
    else if (f >= 0) flags |= [1, 2, 4, 8, 16, 32][f];
    else break;
  }
  if (!flags) flags = 1 | 2 | 4 | 8 | 16; // ESCAPE_ANY_NP
  const len = spec.width < 0 ? 1 : spec.width;
  const b = readBytes(st, p, len);
  if (!b) return errorString(st.out, '(efault)', spec);
  let s = '';
  const SPACES: Record<number, string> = { 10: 'n', 13: 'r', 9: 't', 11: 'v', 12: 'f' };
  const SPECIALS: Record<number, string> = { 92: '\\', 7: 'a', 27: 'e', 34: '"' };
  for (const c of b) {
    if (flags & 16 && kernelIsprint(c)) s += String.fromCharCode(c);
    else if (flags & 1 && SPACES[c]) s += `\\${SPACES[c]}`;
    else if (flags & 2 && SPECIALS[c]) s += `\\${SPECIALS[c]}`;
    else if (flags & 4 && c === 0) s += '\\0';
    else if (flags & 8) s += `\\${c.toString(8).padStart(3, '0')}`;
    else if (flags & 32) s += `\\x${hexByte(c)}`;
    else s += String.fromCharCode(c);
  }
  st.out.put(s);
}

/** %pU[bBlL]: a 16-byte UUID/GUID. */
function uuidString(st: State, p: bigint, spec: Spec, variant: string): void {
  const err = checkPointerMsg(p);
  if (err) return errorString(st.out, err, spec);
  const b = readBytes(st, p, 16);
  if (!b) return errorString(st.out, '(efault)', spec);
  const upper = variant === 'B' || variant === 'L';
  const guid = variant === 'l' || variant === 'L';
  const index = guid ? [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15] : [...Array(16).keys()];
  let s = '';
  for (let k = 0; k < 16; k++) {
    s += hexByte(b[index[k]], upper);
    if (k === 3 || k === 5 || k === 7 || k === 9) s += '-';
  }
  putString(st.out, s, spec);
}

/** %pV: format a nested `struct va_format` (no width or precision applies). */
function vaFormat(st: State, p: bigint, spec: Spec): void {
  const err = checkPointerMsg(p);
  if (err) return errorString(st.out, err, spec);
  const va = st.env.readVaFormat?.(toI64(p)) ?? null;
  if (!va || st.depth > 8) return errorString(st.out, '(efault)', spec);
  const inner: State = { args: va.args, next: 0, env: st.env, out: st.out, warnings: st.warnings, depth: st.depth + 1 };
  run(va.fmt, inner);
}

// ---- the printf family -----------------------------------------------------------------------------

/** vsprintf()/sprintf(): the whole output (bounded by FORMAT_HARD_CAP). */
export function vsprintf(fmt: string, args: readonly I64[], env: FormatEnv = {}): string {
  return format(fmt, args, env).text;
}

/**
 * snprintf(buf, size, ...): the text stored in `buf` (at most size-1 characters, empty for size 0)
 * and the return value, the length the full output would have had.
 */
export function snprintf(size: number, fmt: string, args: readonly I64[], env: FormatEnv = {}): { text: string; ret: number; warnings: FormatWarning[] } {
  const sz = Number.isFinite(size) && size > 0 ? Math.floor(size) : 0;
  // The kernel rejects sizes above INT_MAX with WARN_ON_ONCE and returns 0.
  if (sz > 0x7fffffff) return { text: '', ret: 0, warnings: [{ message: 'size > INT_MAX', file: 'lib/vsprintf.c', line: 2743, fn: 'vsnprintf' }] };
  const r = format(fmt, args, env, sz > 0 ? sz - 1 : 0);
  return { text: r.text, ret: r.length, warnings: r.warnings };
}

/** scnprintf(): like snprintf but returns the number of characters actually stored. */
export function scnprintf(size: number, fmt: string, args: readonly I64[], env: FormatEnv = {}): { text: string; ret: number; warnings: FormatWarning[] } {
  const r = snprintf(size, fmt, args, env);
  return { text: r.text, ret: r.text.length, warnings: r.warnings };
}

/** kasprintf(): the formatted string for a fresh allocation of length + 1 bytes. */
export function kasprintf(fmt: string, args: readonly I64[], env: FormatEnv = {}): { text: string; bytes: number; warnings: FormatWarning[] } {
  const r = format(fmt, args, env);
  return { text: r.text, bytes: r.text.length + 1, warnings: r.warnings };
}
