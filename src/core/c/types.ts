// C types with the x86_64 LP64 layout (System V ABI): char 1, short 2, int 4, long 8, pointers 8,
// struct members aligned to their natural alignment, bit-fields packed into their declared unit as
// gcc does. Types are plain immutable objects; struct types are the one exception, filled in when
// their definition completes (a forward-declared `struct Person` is the same object later).

export type IntKind = 'char' | 'schar' | 'uchar' | 'short' | 'ushort' | 'int' | 'uint' | 'long' | 'ulong' | 'llong' | 'ullong' | 'bool';

export interface Member {
  readonly name: string;
  readonly type: CType;
  readonly offset: number;
  /** Bit-field position and width; undefined for ordinary members. */
  readonly bitOffset?: number;
  readonly bitWidth?: number;
}

export type CType =
  | { readonly kind: 'void'; readonly alias?: string }
  | { readonly kind: 'int'; readonly ik: IntKind; readonly size: 1 | 2 | 4 | 8; readonly signed: boolean; readonly alias?: string; readonly isEnum?: string }
  | { readonly kind: 'float'; readonly size: 4 | 8 | 16; readonly name: string; readonly alias?: string }
  | { readonly kind: 'ptr'; readonly to: CType; readonly alias?: string }
  | { readonly kind: 'array'; readonly of: CType; readonly len: number | undefined; readonly alias?: string; readonly vla?: boolean }
  | FuncType
  | StructType;

export interface FuncType {
  readonly kind: 'func';
  readonly ret: CType;
  readonly params: readonly CType[];
  readonly paramNames: readonly string[];
  readonly variadic: boolean;
  /** Declared as `f()`: any arguments are accepted, as in C before C23. */
  readonly unprototyped: boolean;
  readonly alias?: string;
}

export interface StructType {
  readonly kind: 'struct';
  readonly tag: string | undefined;
  readonly union: boolean;
  members: Member[];
  size: number;
  align: number;
  complete: boolean;
  flexible: boolean;
  packed: boolean;
  readonly alias?: string;
}

function int(ik: IntKind, size: 1 | 2 | 4 | 8, signed: boolean): CType {
  return { kind: 'int', ik, size, signed };
}

export const T = {
  void: { kind: 'void' } as CType,
  bool: int('bool', 1, false),
  char: int('char', 1, true),
  schar: int('schar', 1, true),
  uchar: int('uchar', 1, false),
  short: int('short', 2, true),
  ushort: int('ushort', 2, false),
  int: int('int', 4, true),
  uint: int('uint', 4, false),
  long: int('long', 8, true),
  ulong: int('ulong', 8, false),
  llong: int('llong', 8, true),
  ullong: int('ullong', 8, false),
  float: { kind: 'float', size: 4, name: 'float' } as CType,
  double: { kind: 'float', size: 8, name: 'double' } as CType,
  ldouble: { kind: 'float', size: 16, name: 'long double' } as CType,
} as const;

export function ptrTo(t: CType): CType {
  return { kind: 'ptr', to: t };
}

export function arrayOf(t: CType, len: number | undefined): CType {
  return { kind: 'array', of: t, len };
}

export function withAlias<C extends CType>(t: C, alias: string): C {
  if (t.kind === 'struct') return t; // keep identity of struct types; typedef names are remembered by the scope
  return { ...t, alias };
}

export function newStruct(tag: string | undefined, union: boolean): StructType {
  return { kind: 'struct', tag, union, members: [], size: 0, align: 1, complete: false, flexible: false, packed: false };
}

export function sizeOf(t: CType): number {
  switch (t.kind) {
    case 'void': return 1; // GNU: sizeof(void) == 1, arithmetic on void * steps by bytes
    case 'int': return t.size;
    case 'float': return t.size;
    case 'ptr': return 8;
    case 'array': return t.len === undefined ? 0 : t.len * sizeOf(t.of);
    case 'func': return 1; // GNU
    case 'struct': return t.size;
  }
}

export function alignOf(t: CType): number {
  switch (t.kind) {
    case 'void': return 1;
    case 'int': return t.size;
    case 'float': return t.size;
    case 'ptr': return 8;
    case 'array': return alignOf(t.of);
    case 'func': return 1;
    case 'struct': return t.align;
  }
}

export const isInteger = (t: CType): t is Extract<CType, { kind: 'int' }> => t.kind === 'int';
export const isPointer = (t: CType): boolean => t.kind === 'ptr';
export const isArithmetic = (t: CType): boolean => t.kind === 'int' || t.kind === 'float';
export const isScalar = (t: CType): boolean => t.kind === 'int' || t.kind === 'ptr' || t.kind === 'float';
export const isAggregate = (t: CType): boolean => t.kind === 'struct' || t.kind === 'array';
/** 64-bit scalars are I64 values in the VM; narrower ones are plain numbers. */
export const is64 = (t: CType): boolean => (t.kind === 'int' && t.size === 8) || t.kind === 'ptr';
export const isUnsigned = (t: CType): boolean => (t.kind === 'int' && !t.signed) || t.kind === 'ptr';

/** Integer promotion: anything narrower than int becomes int (C11 6.3.1.1). */
export function promote(t: CType): CType {
  if (t.kind === 'int' && t.size < 4) return T.int;
  return t;
}

const RANK: Record<IntKind, number> = { bool: 0, char: 1, schar: 1, uchar: 1, short: 2, ushort: 2, int: 3, uint: 3, long: 4, ulong: 4, llong: 5, ullong: 5 };

/** The usual arithmetic conversions (C11 6.3.1.8) for two integer operands. */
export function commonType(a: CType, b: CType): CType {
  if (a.kind === 'float' || b.kind === 'float') return a.kind === 'float' ? a : b;
  const x = promote(a);
  const y = promote(b);
  if (x.kind !== 'int' || y.kind !== 'int') return T.long;
  if (x.ik === y.ik) return canonical(x);
  if (x.signed === y.signed) return canonical(RANK[x.ik] >= RANK[y.ik] ? x : y);
  const [u, s] = x.signed ? [y, x] : [x, y];
  if (u.kind !== 'int' || s.kind !== 'int') return T.long;
  if (RANK[u.ik] >= RANK[s.ik]) return canonical(u);
  if (s.size > u.size) return canonical(s);
  return canonical(unsignedOf(s));
}

function canonical(t: CType): CType {
  return t.kind === 'int' ? (T as Record<string, CType>)[t.ik] : t;
}

export function unsignedOf(t: CType): CType {
  if (t.kind !== 'int') return t;
  switch (t.ik) {
    case 'char': case 'schar': return T.uchar;
    case 'short': return T.ushort;
    case 'int': return T.uint;
    case 'long': return T.ulong;
    case 'llong': return T.ullong;
    default: return t;
  }
}

/** Array and function types decay to pointers in most expression contexts. */
export function decay(t: CType): CType {
  if (t.kind === 'array') return ptrTo(t.of);
  if (t.kind === 'func') return ptrTo(t);
  return t;
}

export function sameType(a: CType, b: CType): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'void': return true;
    case 'int': return b.kind === 'int' && a.ik === b.ik;
    case 'float': return b.kind === 'float' && a.size === b.size;
    case 'ptr': return b.kind === 'ptr' && sameType(a.to, b.to);
    case 'array': return b.kind === 'array' && sameType(a.of, b.of) && (a.len === b.len || a.len === undefined || b.len === undefined);
    case 'func': {
      if (b.kind !== 'func' || !sameType(a.ret, b.ret)) return false;
      if (a.unprototyped || b.unprototyped) return true;
      return a.params.length === b.params.length && a.variadic === b.variadic && a.params.every((p, i) => sameType(p, b.params[i]));
    }
    case 'struct': return false;
  }
}

/** Lay out a struct or union's members (gcc's algorithm for the x86_64 SysV ABI, bit-fields included). */
export function layoutStruct(st: StructType, decls: { name: string; type: CType; bitWidth?: number }[], packed: boolean, minAlign = 1): void {
  const members: Member[] = [];
  let offsetBits = 0;
  let align = minAlign;
  let size = 0;
  for (let i = 0; i < decls.length; i++) {
    const d = decls[i];
    const t = d.type;
    const tsz = sizeOf(t);
    const talign = packed ? 1 : alignOf(t);
    if (d.bitWidth !== undefined) {
      const unitBits = tsz * 8;
      if (d.bitWidth === 0) {
        offsetBits = alignUp(offsetBits, unitBits);
        continue;
      }
      if (st.union) {
        members.push({ name: d.name, type: t, offset: 0, bitOffset: 0, bitWidth: d.bitWidth });
        size = Math.max(size, tsz);
      } else {
        // A bit-field may not straddle a boundary of its declared type's alignment unit.
        if (!packed && Math.floor(offsetBits / unitBits) !== Math.floor((offsetBits + d.bitWidth - 1) / unitBits)) {
          offsetBits = alignUp(offsetBits, unitBits);
        }
        const byteOff = Math.floor(offsetBits / (talign * 8)) * talign;
        members.push({ name: d.name, type: t, offset: byteOff, bitOffset: offsetBits - byteOff * 8, bitWidth: d.bitWidth });
        offsetBits += d.bitWidth;
      }
      if (d.name) align = Math.max(align, talign);
      continue;
    }
    const flexible = t.kind === 'array' && t.len === undefined;
    if (flexible && i === decls.length - 1 && !st.union) st.flexible = true;
    if (st.union) {
      members.push({ name: d.name, type: t, offset: 0 });
      size = Math.max(size, tsz);
    } else {
      const off = alignUp(Math.ceil(offsetBits / 8), talign);
      members.push({ name: d.name, type: t, offset: off });
      offsetBits = (off + tsz) * 8;
    }
    align = Math.max(align, talign);
  }
  if (!st.union) size = Math.ceil(offsetBits / 8);
  st.members = members;
  st.align = align;
  st.size = alignUp(size, align);
  st.packed = packed;
  st.complete = true;
}

export function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/** Find a member by name, looking through anonymous struct and union members. */
export function findMember(st: StructType, name: string): { member: Member; offset: number } | undefined {
  for (const m of st.members) {
    if (m.name === name) return { member: m, offset: m.offset };
    if (!m.name && m.type.kind === 'struct') {
      const inner = findMember(m.type, name);
      if (inner) return { member: inner.member, offset: m.offset + inner.offset };
    }
  }
  return undefined;
}

const INT_NAMES: Record<IntKind, string> = {
  bool: '_Bool', char: 'char', schar: 'signed char', uchar: 'unsigned char', short: 'short', ushort: 'unsigned short',
  int: 'int', uint: 'unsigned int', long: 'long', ulong: 'unsigned long', llong: 'long long', ullong: 'unsigned long long',
};

/** The type as C spells it, for messages and hovers: `struct Person *`, `char [30]`, `int (*)(void)`. */
export function typeName(t: CType): string {
  return render(t, '');
}

function render(t: CType, inner: string): string {
  if (t.alias) return join(t.alias, inner);
  switch (t.kind) {
    case 'void': return join('void', inner);
    case 'int': return join(t.isEnum ? `enum ${t.isEnum}` : INT_NAMES[t.ik], inner);
    case 'float': return join(t.name, inner);
    case 'struct': return join(`${t.union ? 'union' : 'struct'} ${t.tag ?? '<anonymous>'}`, inner);
    case 'ptr': {
      const needParen = t.to.kind === 'array' || t.to.kind === 'func';
      return render(t.to, needParen ? `(*${inner})` : `*${inner}`);
    }
    case 'array': return render(t.of, `${inner}[${t.len ?? ''}]`);
    case 'func': {
      const ps = t.unprototyped ? '' : t.params.length === 0 && !t.variadic ? 'void' : [...t.params.map(typeName), ...(t.variadic ? ['...'] : [])].join(', ');
      return render(t.ret, `${inner}(${ps})`);
    }
  }
}

function join(base: string, inner: string): string {
  if (!inner) return base;
  return inner.startsWith('*') || inner.startsWith('(') ? `${base} ${inner}` : `${base} ${inner}`;
}
