// Kernel library functions: <linux/string.h>, the printf family and number parsing (lib/string.c,
// lib/vsprintf.c, lib/kstrtox.c). They work on emulated memory byte by byte, so an overrun is
// caught by the same KASAN shadow checks as a direct store from module code.

import type { KernelExport } from './types';
import type { Kernel } from '../kernel';
import type { I64 } from '../../vm/value';
import { add64, sub64, fromBig, i64 } from '../../vm/value';

const at = (p: I64, i: number): I64 => (typeof p === 'number' ? p + i : add64(p, i));

function strlen(k: Kernel, s: I64): number {
  return k.mem.strnlen(s, Number.MAX_SAFE_INTEGER);
}

function strnlen(k: Kernel, s: I64, max: number): number {
  return k.mem.strnlen(s, max);
}

function writeString(k: Kernel, dst: I64, bytes: Uint8Array | number[], size: number): void {
  const mem = k.mem;
  const n = Math.min(bytes.length, size);
  for (let i = 0; i < n; i++) mem.st8(at(dst, i), bytes[i]);
}

function cmp(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const sizeArg = (v: I64): number => (typeof v === 'number' ? (v < 0 ? Number.MAX_SAFE_INTEGER : v) : Number.MAX_SAFE_INTEGER);

function latin1Bytes(s: string): number[] {
  const out: number[] = new Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

/** Parse an integer the way kstrto*() does: optional sign, base prefix when base is 0, an optional trailing newline. */
function kstrto(text: string | null, base: number, signed: boolean, bits: number): { ok: true; v: bigint } | { ok: false; err: number } {
  if (text === null) return { ok: false, err: -14 };
  let s = text;
  if (s.endsWith('\n')) s = s.slice(0, -1);
  let neg = false;
  if (s.startsWith('+')) s = s.slice(1);
  else if (s.startsWith('-')) {
    if (!signed) return { ok: false, err: -22 };
    neg = true;
    s = s.slice(1);
  }
  let b = base;
  if (b === 0) {
    if (/^0[xX][0-9a-fA-F]/.test(s)) {
      b = 16;
      s = s.slice(2);
    } else if (/^0/.test(s) && s.length > 1) {
      b = 8;
      s = s.slice(1);
    } else b = 10;
  } else if (b === 16 && /^0[xX]/.test(s)) s = s.slice(2);
  if (s === '') return { ok: false, err: -22 };
  const digits = '0123456789abcdefghijklmnopqrstuvwxyz'.slice(0, b);
  let v = 0n;
  for (const ch of s.toLowerCase()) {
    const d = digits.indexOf(ch);
    if (d < 0) return { ok: false, err: -22 };
    v = v * BigInt(b) + BigInt(d);
    if (v > (1n << 64n)) return { ok: false, err: -34 };
  }
  if (neg) v = -v;
  const lo = signed ? -(1n << BigInt(bits - 1)) : 0n;
  const hi = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
  if (v < lo || v > hi) return { ok: false, err: -34 };
  return { ok: true, v };
}

function kstrtoEntry(name: string, type: string, signed: boolean, bits: number, store: (k: Kernel, p: I64, v: bigint) => void): KernelExport {
  return {
    name, header: 'linux/kernel.h', proto: `int __must_check ${name}(const char *s, unsigned int base, ${type} *res)`,
    doc: `Convert a string to ${type}; returns 0, -EINVAL or -ERANGE.`, derefs: [0, 2],
    impl: (k, a) => {
      const r = kstrto(k.cstring(a[0]), Number(a[1]), signed, bits);
      if (!r.ok) return r.err;
      store(k, a[2], r.v);
      return 0;
    },
  };
}

const st = (size: 1 | 2 | 4 | 8) => (k: Kernel, p: I64, v: bigint) => {
  if (size === 8) k.mem.st64(p, fromBig(v));
  else if (size === 4) k.mem.st32(p, Number(BigInt.asIntN(32, v)));
  else if (size === 2) k.mem.st16(p, Number(BigInt.asIntN(16, v)));
  else k.mem.st8(p, Number(BigInt.asIntN(8, v)));
};

export const LIB_EXPORTS: KernelExport[] = [
  {
    name: 'strlen', header: 'linux/string.h', proto: '__kernel_size_t strlen(const char *s)', doc: 'Length of a NUL-terminated string.', derefs: [0],
    impl: (k, a) => strlen(k, a[0]),
  },
  {
    name: 'strnlen', header: 'linux/string.h', proto: '__kernel_size_t strnlen(const char *s, __kernel_size_t count)', doc: 'Length of a string, at most count.', derefs: [0],
    impl: (k, a) => strnlen(k, a[0], sizeArg(a[1])),
  },
  {
    name: 'strcpy', header: 'linux/string.h', proto: 'char *strcpy(char *dest, const char *src)', doc: 'Copy a string including its NUL; the kernel prefers strscpy().', derefs: [0, 1],
    impl: (k, a) => {
      k.mem.move(a[0], a[1], strlen(k, a[1]) + 1);
      return a[0];
    },
  },
  {
    name: 'strncpy', header: 'linux/string.h', proto: 'char *strncpy(char *dest, const char *src, __kernel_size_t count)', doc: 'Copy at most count bytes, padding with NULs; may leave dest unterminated.', derefs: [0, 1],
    impl: (k, a) => {
      const mem = k.mem;
      const n = sizeArg(a[2]);
      let end = false;
      for (let i = 0; i < n; i++) {
        const c = end ? 0 : mem.ld8(at(a[1], i));
        if (c === 0) end = true;
        mem.st8(at(a[0], i), c);
      }
      return a[0];
    },
  },
  {
    name: 'strscpy', header: 'linux/string.h', proto: 'ssize_t strscpy(char *dest, const char *src, size_t count)', doc: 'Copy a string into a sized buffer, always NUL-terminated; returns the length or -E2BIG.', derefs: [0, 1],
    impl: (k, a) => {
      const mem = k.mem;
      const n = sizeArg(a[2]);
      if (n === 0) return -7;
      for (let i = 0; i < n; i++) {
        const c = mem.ld8(at(a[1], i));
        mem.st8(at(a[0], i), c);
        if (c === 0) return i;
      }
      mem.st8(at(a[0], n - 1), 0);
      return -7;
    },
  },
  {
    name: 'strlcpy', header: 'linux/string.h', proto: 'size_t strlcpy(char *dest, const char *src, size_t size)', doc: 'Copy a string into a sized buffer; returns strlen(src).', derefs: [0, 1],
    impl: (k, a) => {
      const len = strlen(k, a[1]);
      const size = sizeArg(a[2]);
      if (size) {
        const n = Math.min(len, size - 1);
        k.mem.move(a[0], a[1], n);
        k.mem.st8(at(a[0], n), 0);
      }
      return len;
    },
  },
  {
    name: 'strcat', header: 'linux/string.h', proto: 'char *strcat(char *dest, const char *src)', doc: 'Append src to dest.', derefs: [0, 1],
    impl: (k, a) => {
      const d = strlen(k, a[0]);
      k.mem.move(at(a[0], d), a[1], strlen(k, a[1]) + 1);
      return a[0];
    },
  },
  {
    name: 'strncat', header: 'linux/string.h', proto: 'char *strncat(char *dest, const char *src, __kernel_size_t count)', doc: 'Append at most count bytes of src to dest.', derefs: [0, 1],
    impl: (k, a) => {
      const d = strlen(k, a[0]);
      const mem = k.mem;
      const n = sizeArg(a[2]);
      let i = 0;
      for (; i < n; i++) {
        const c = mem.ld8(at(a[1], i));
        if (c === 0) break;
        mem.st8(at(a[0], d + i), c);
      }
      mem.st8(at(a[0], d + i), 0);
      return a[0];
    },
  },
  {
    name: 'strcmp', header: 'linux/string.h', proto: 'int strcmp(const char *cs, const char *ct)', doc: 'Compare two strings.', derefs: [0, 1],
    impl: (k, a) => {
      // Read as far as the shorter string's NUL, like the byte loop would. Up to there neither
      // string has a NUL before the last byte, so a byte comparison of that length is strcmp.
      const n = Math.min(strlen(k, a[0]), strlen(k, a[1])) + 1;
      return Math.sign(k.mem.compare(a[0], a[1], n));
    },
  },
  {
    name: 'strncmp', header: 'linux/string.h', proto: 'int strncmp(const char *cs, const char *ct, __kernel_size_t count)', doc: 'Compare at most count bytes of two strings.', derefs: [0, 1],
    impl: (k, a) => {
      const mem = k.mem;
      const n = sizeArg(a[2]);
      for (let i = 0; i < n; i++) {
        const x = mem.ld8(at(a[0], i));
        const y = mem.ld8(at(a[1], i));
        if (x !== y) return cmp(x, y);
        if (x === 0) return 0;
      }
      return 0;
    },
  },
  {
    name: 'strcasecmp', header: 'linux/string.h', proto: 'int strcasecmp(const char *s1, const char *s2)', doc: 'Compare two strings ignoring case.', derefs: [0, 1],
    impl: (k, a) => {
      const mem = k.mem;
      const low = (c: number) => (c >= 65 && c <= 90 ? c + 32 : c);
      for (let i = 0; ; i++) {
        const x = low(mem.ld8(at(a[0], i)));
        const y = low(mem.ld8(at(a[1], i)));
        if (x !== y) return x - y;
        if (x === 0) return 0;
      }
    },
  },
  {
    name: 'strchr', header: 'linux/string.h', proto: 'char *strchr(const char *s, int c)', doc: 'Find the first occurrence of a character.', derefs: [0],
    impl: (k, a) => {
      const c = Number(a[1]) & 0xff;
      for (let i = 0; ; i++) {
        const x = k.mem.ld8(at(a[0], i));
        if (x === c) return at(a[0], i);
        if (x === 0) return 0;
      }
    },
  },
  {
    name: 'strrchr', header: 'linux/string.h', proto: 'char *strrchr(const char *s, int c)', doc: 'Find the last occurrence of a character.', derefs: [0],
    impl: (k, a) => {
      const c = Number(a[1]) & 0xff;
      let last: I64 = 0;
      for (let i = 0; ; i++) {
        const x = k.mem.ld8(at(a[0], i));
        if (x === c) last = at(a[0], i);
        if (x === 0) return last;
      }
    },
  },
  {
    name: 'strstr', header: 'linux/string.h', proto: 'char *strstr(const char *s1, const char *s2)', doc: 'Find a substring.', derefs: [0, 1],
    impl: (k, a) => {
      const hay = k.cstring(a[0], 1 << 20) ?? '';
      const needle = k.cstring(a[1], 1 << 20) ?? '';
      const i = hay.indexOf(needle);
      return i < 0 ? 0 : at(a[0], i);
    },
  },
  {
    name: 'memcpy', header: 'linux/string.h', proto: 'void *memcpy(void *to, const void *from, __kernel_size_t len)', doc: 'Copy len bytes (the areas must not overlap).', derefs: [0, 1],
    impl: (k, a) => {
      const n = sizeArg(a[2]);
      if (n) k.mem.move(a[0], a[1], n);
      return a[0];
    },
  },
  {
    name: 'memmove', header: 'linux/string.h', proto: 'void *memmove(void *dest, const void *src, __kernel_size_t count)', doc: 'Copy count bytes; the areas may overlap.', derefs: [0, 1],
    impl: (k, a) => {
      const n = sizeArg(a[2]);
      if (n) k.mem.move(a[0], a[1], n);
      return a[0];
    },
  },
  {
    name: 'memset', header: 'linux/string.h', proto: 'void *memset(void *s, int c, __kernel_size_t count)', doc: 'Fill count bytes with c.', derefs: [0],
    impl: (k, a) => {
      const n = sizeArg(a[2]);
      if (n) k.mem.fill(a[0], Number(a[1]) & 0xff, n);
      return a[0];
    },
  },
  {
    name: 'memcmp', header: 'linux/string.h', proto: 'int memcmp(const void *cs, const void *ct, __kernel_size_t count)', doc: 'Compare count bytes.', derefs: [0, 1],
    impl: (k, a) => {
      const n = sizeArg(a[2]);
      if (n === 0) return 0;
      return k.mem.compare(a[0], a[1], n);
    },
  },
  {
    name: 'memchr', header: 'linux/string.h', proto: 'void *memchr(const void *s, int c, __kernel_size_t n)', doc: 'Find a byte in a memory area.', derefs: [0],
    impl: (k, a) => {
      const n = sizeArg(a[2]);
      const c = Number(a[1]) & 0xff;
      for (let i = 0; i < n; i++) if (k.mem.ld8(at(a[0], i)) === c) return at(a[0], i);
      return 0;
    },
  },
  {
    name: 'sprintf', header: 'linux/kernel.h', proto: 'int sprintf(char *buf, const char *fmt, ...)', doc: 'Format into buf with no size limit; prefer snprintf/scnprintf.', derefs: [0, 1],
    impl: (k, a) => {
      const s = k.k.format(k.cstring(a[1]) ?? '', a.slice(2));
      writeString(k, a[0], [...latin1Bytes(s), 0], s.length + 1);
      return s.length;
    },
  },
  {
    name: 'snprintf', header: 'linux/kernel.h', proto: 'int snprintf(char *buf, size_t size, const char *fmt, ...)', doc: 'Format into a sized buffer; returns the length it would have written.', derefs: [0, 2],
    impl: (k, a) => {
      const s = k.k.format(k.cstring(a[2]) ?? '', a.slice(3));
      const size = sizeArg(a[1]);
      if (size > 0) {
        const bytes = latin1Bytes(s).slice(0, size - 1);
        bytes.push(0);
        writeString(k, a[0], bytes, size);
      }
      return s.length;
    },
  },
  {
    name: 'scnprintf', header: 'linux/kernel.h', proto: 'int scnprintf(char *buf, size_t size, const char *fmt, ...)', doc: 'Format into a sized buffer; returns the length actually written.', derefs: [0, 2],
    impl: (k, a) => {
      const s = k.k.format(k.cstring(a[2]) ?? '', a.slice(3));
      const size = sizeArg(a[1]);
      if (size === 0) return 0;
      const bytes = latin1Bytes(s).slice(0, size - 1);
      const n = bytes.length;
      bytes.push(0);
      writeString(k, a[0], bytes, size);
      return n;
    },
  },
  {
    name: 'simple_strtoul', header: 'linux/kernel.h', proto: 'unsigned long simple_strtoul(const char *cp, char **endp, unsigned int base)', doc: 'Obsolete: use kstrtoul().', derefs: [0],
    impl: (k, a) => {
      const s = k.cstring(a[0]) ?? '';
      const m = /^\s*(0[xX][0-9a-fA-F]+|[0-9]+)/.exec(s);
      const text = m ? m[1] : '';
      if (a[1] !== 0) k.mem.st64(a[1], at(a[0], m ? m[0].length : 0));
      const base = Number(a[2]) || (/^0[xX]/.test(text) ? 16 : /^0/.test(text) ? 8 : 10);
      return text ? i64(BigInt.asIntN(64, BigInt(base === 16 ? (text.startsWith('0x') || text.startsWith('0X') ? text : '0x' + text) : base === 8 ? '0o' + (text.replace(/^0/, '') || '0') : text))) : 0;
    },
  },
  kstrtoEntry('kstrtoint', 'int', true, 32, st(4)),
  kstrtoEntry('kstrtouint', 'unsigned int', false, 32, st(4)),
  kstrtoEntry('kstrtol', 'long', true, 64, st(8)),
  kstrtoEntry('kstrtoul', 'unsigned long', false, 64, st(8)),
  kstrtoEntry('kstrtoll', 'long long', true, 64, st(8)),
  kstrtoEntry('kstrtoull', 'unsigned long long', false, 64, st(8)),
  kstrtoEntry('kstrtou8', 'u8', false, 8, st(1)),
  kstrtoEntry('kstrtou16', 'u16', false, 16, st(2)),
  kstrtoEntry('kstrtos32', 's32', true, 32, st(4)),
  kstrtoEntry('kstrtou32', 'u32', false, 32, st(4)),
  {
    name: 'kstrtobool', header: 'linux/kernel.h', proto: 'int kstrtobool(const char *s, bool *res)', doc: 'Parse y/n/1/0/on/off.', derefs: [0, 1],
    impl: (k, a) => {
      const s = (k.cstring(a[0]) ?? '').toLowerCase();
      const v = /^(y|1|on)/.test(s) ? 1 : /^(n|0|of)/.test(s) ? 0 : -1;
      if (v < 0) return -22;
      k.mem.st8(a[1], v);
      return 0;
    },
  },
];

export { strlen, strnlen, latin1Bytes, writeString, sub64 };
