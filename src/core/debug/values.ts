// C values of the paused machine, decoded by type for the debugger's Variables view, hovers and
// watches. A `Place` is where a value is: bytes at an address of emulated memory, a JS slot of a
// frame (a register local, which has no address), or a computed value. Reads are unchecked and
// never fault (the debugger looking at freed memory must not trigger a KASAN report), so a
// dangling pointer shows its bytes, or `<unreadable>` when the page is not mapped.
//
// `list_head` is shown as the list it links: the entries are the structures that embed the nodes,
// found as container_of does, by the embedding struct (the list head's own container type, or any
// struct of the module with a list_head member whose start is an allocation or a global).

import type { CType, StructType } from '../c/types';
import { sizeOf, typeName } from '../c/types';
import type { I64 } from '../vm/value';
import { i64, toHex64 } from '../vm/value';

/** Unchecked, non-faulting reads of emulated memory, and what the debugger knows of its objects. */
export interface MemoryView {
  peek(addr: I64, n: number): Uint8Array | null;
  /** The start of the allocation or global that contains `addr`, if it is one's first byte. */
  isObjectStart(addr: I64): boolean;
  /** The name of the function at an address (function pointers). */
  functionAt(addr: I64): string | undefined;
  /** Structs of the module that embed a `struct list_head` (for list entries), with the member's offset. */
  listContainers(): readonly { type: StructType; offset: number; member: string }[];
}

export type Place =
  | { readonly kind: 'memory'; readonly type: CType; readonly addr: I64 }
  | { readonly kind: 'slot'; readonly type: CType; get(): I64; set(v: I64): void }
  | { readonly kind: 'value'; readonly type: CType; readonly value: I64 };

/** A child in the Variables view: its label, the place, and the C expression that names it. */
export interface Child {
  readonly name: string;
  readonly place: Place;
  readonly evaluateName: string | undefined;
}

const MAX_ELEMENTS = 256;
const MAX_LIST = 1000;
const MAX_STRING = 256;

export function addOffset(a: I64, off: number): I64 {
  return typeof a === 'number' && Number.isSafeInteger(a + off) ? a + off : i64(BigInt.asIntN(64, BigInt(a) + BigInt(off)));
}

export function hexAddr(a: I64): string {
  return `0x${toHex64(a)}`;
}

/** Decode little-endian bytes as the integer or pointer type `t`. */
function decode(bytes: Uint8Array, t: CType): I64 {
  const size = bytes.length;
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
  const signed = t.kind === 'int' ? t.signed : true;
  if (t.kind === 'int' && t.ik === 'bool') return v !== 0n ? 1 : 0;
  const bits = BigInt(size * 8);
  if (size === 8) return i64(BigInt.asIntN(64, v));
  return Number(signed ? BigInt.asIntN(Number(bits), v) : BigInt.asUintN(Number(bits), v));
}

function encode(v: I64, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let b = BigInt.asUintN(size * 8, BigInt(v));
  for (let i = 0; i < size; i++) {
    out[i] = Number(b & 0xffn);
    b >>= 8n;
  }
  return out;
}

/** The scalar value at a place; undefined when its memory is unreadable. */
export function readScalar(mem: MemoryView, p: Place): I64 | undefined {
  if (p.kind === 'value') return p.value;
  if (p.kind === 'slot') return p.get();
  if (p.type.kind === 'array' || p.type.kind === 'struct' || p.type.kind === 'func') return p.addr;
  const size = p.type.kind === 'int' ? p.type.size : 8;
  const bytes = mem.peek(p.addr, size);
  return bytes ? decode(bytes, p.type) : undefined;
}

/** The bytes to store for a scalar value at a place of type `t`. */
export function scalarBytes(t: CType, v: I64): Uint8Array | undefined {
  if (t.kind === 'ptr') return encode(v, 8);
  if (t.kind === 'int') return encode(v, t.size);
  return undefined;
}

const isCharType = (t: CType): boolean => t.kind === 'int' && t.size === 1 && t.ik !== 'bool';
const isListHead = (t: CType): boolean => t.kind === 'struct' && t.tag === 'list_head';

/** A C string literal for bytes up to the first NUL (or `max` bytes). */
function cString(bytes: Uint8Array): string {
  let s = '"';
  for (const b of bytes) {
    if (b === 0) break;
    if (b === 0x22 || b === 0x5c) s += `\\${String.fromCharCode(b)}`;
    else if (b >= 0x20 && b < 0x7f) s += String.fromCharCode(b);
    else if (b === 10) s += '\\n';
    else s += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return `${s}"`;
}

/** A one-line rendering of the value at a place, as a C debugger shows it. */
export function render(mem: MemoryView, p: Place, depth = 0): string {
  const t = p.type;
  switch (t.kind) {
    case 'int': {
      const v = readScalar(mem, p);
      if (v === undefined) return '<unreadable>';
      if (isCharType(t)) {
        const c = Number(v) & 0xff;
        return c >= 0x20 && c < 0x7f ? `${v} '${String.fromCharCode(c)}'` : `${v}`;
      }
      return t.signed ? String(v) : BigInt.asUintN(t.size * 8, BigInt(v)).toString();
    }
    case 'ptr': {
      const v = readScalar(mem, p);
      if (v === undefined) return '<unreadable>';
      if (v === 0) return 'NULL';
      const hex = hexAddr(v);
      if (t.to.kind === 'func') {
        const fn = mem.functionAt(v);
        return fn ? `${hex} <${fn}>` : hex;
      }
      if (isCharType(t.to)) {
        const bytes = mem.peek(v, MAX_STRING);
        return bytes ? `${hex} ${cString(bytes)}` : `${hex} <unreadable>`;
      }
      if (t.to.kind === 'struct' && depth === 0 && !isListHead(t.to)) return `${hex} ${render(mem, { kind: 'memory', type: t.to, addr: v }, 1)}`;
      return hex;
    }
    case 'array': {
      if (p.kind !== 'memory') return typeName(t);
      if (isCharType(t.of)) {
        const bytes = mem.peek(p.addr, Math.min(t.len ?? MAX_STRING, MAX_STRING));
        return bytes ? cString(bytes) : '<unreadable>';
      }
      if (depth > 0) return '{...}';
      const n = Math.min(t.len ?? 0, 8);
      const parts = elements(p.addr, t.of, n).map((c) => render(mem, c.place, depth + 1));
      return `{${parts.join(', ')}${(t.len ?? 0) > n ? ', ...' : ''}}`;
    }
    case 'struct': {
      if (p.kind !== 'memory') return typeName(t);
      if (isListHead(t)) {
        const list = listEntries(mem, p.addr);
        return list.error ? `<${list.error}>` : `list of ${list.entries.length} entr${list.entries.length === 1 ? 'y' : 'ies'}`;
      }
      if (depth > 1) return '{...}';
      const parts = t.members.filter((m) => m.name).slice(0, 6).map((m) => `${m.name}=${render(mem, memberPlace(p.addr, m), depth + 1)}`);
      return `{${parts.join(', ')}${t.members.length > 6 ? ', ...' : ''}}`;
    }
    case 'func': return p.kind === 'memory' ? `${hexAddr(p.addr)} <${mem.functionAt(p.addr) ?? '?'}>` : 'function';
    default: return typeName(t);
  }
}

function memberPlace(base: I64, m: StructType['members'][number]): Place {
  return { kind: 'memory', type: m.type, addr: addOffset(base, m.offset) };
}

function elements(addr: I64, of: CType, n: number): Child[] {
  const size = sizeOf(of);
  return Array.from({ length: n }, (_, i) => ({ name: `[${i}]`, place: { kind: 'memory', type: of, addr: addOffset(addr, i * size) } as Place, evaluateName: undefined }));
}

/**
 * The children of a value: members of a struct, elements of an array, the pointee of a pointer
 * (a pointer to a struct expands to the struct's members), and the entries of a list.
 * `expr` is the C expression of the value, to name the children.
 */
export function children(mem: MemoryView, p: Place, expr: string | undefined): Child[] {
  const t = p.type;
  const sub = (suffix: string): string | undefined => (expr === undefined ? undefined : `${paren(expr)}${suffix}`);
  if (t.kind === 'struct' && p.kind === 'memory') {
    const members = t.members.filter((m) => m.name).map((m) => ({ name: m.name, place: memberPlace(p.addr, m), evaluateName: sub(`.${m.name}`) }));
    if (!isListHead(t)) return members;
    const list = listEntries(mem, p.addr);
    const entries: Child[] = list.entries.map((e, i) => ({
      name: `[${i}]`,
      place: e.container ? { kind: 'memory', type: e.container.type, addr: e.addr } : { kind: 'value', type: { kind: 'ptr', to: t }, value: e.addr },
      evaluateName: e.container && expr !== undefined ? `((struct ${e.container.type.tag} *)${hexAddr(e.addr)})` : undefined,
    }));
    return [...entries, ...members];
  }
  if (t.kind === 'array' && p.kind === 'memory') {
    return elements(p.addr, t.of, Math.min(t.len ?? 0, MAX_ELEMENTS)).map((c, i) => ({ ...c, evaluateName: sub(`[${i}]`) }));
  }
  if (t.kind === 'ptr' && t.to.kind !== 'void' && t.to.kind !== 'func') {
    const v = readScalar(mem, p);
    if (v === undefined || v === 0 || !mem.peek(v, 1)) return [];
    const target: Place = { kind: 'memory', type: t.to, addr: v };
    if (t.to.kind === 'struct') {
      return children(mem, target, undefined).map((c) => ({ ...c, evaluateName: expr === undefined ? undefined : c.name.startsWith('[') ? c.evaluateName : `${paren(expr)}->${c.name}` }));
    }
    return [{ name: `*${expr ?? ''}`, place: target, evaluateName: expr === undefined ? undefined : `*${paren(expr)}` }];
  }
  return [];
}

/** Whether a value has children to expand. */
export function expandable(mem: MemoryView, p: Place): boolean {
  const t = p.type;
  if (t.kind === 'struct' || (t.kind === 'array' && (t.len ?? 0) > 0)) return p.kind === 'memory';
  if (t.kind !== 'ptr' || t.to.kind === 'void' || t.to.kind === 'func') return false;
  const v = readScalar(mem, p);
  return v !== undefined && v !== 0 && mem.peek(v, 1) !== null;
}

function paren(expr: string): string {
  return /^[A-Za-z_][\w.]*$|^\(.*\)$/.test(expr) ? expr : `(${expr})`;
}

/** Where a value's bytes are, for readMemory and data breakpoints: a pointer gives its target. */
export function memoryOf(mem: MemoryView, p: Place): { addr: I64; size: number } | undefined {
  if (p.type.kind === 'ptr') {
    const v = readScalar(mem, p);
    if (v === undefined || v === 0) return undefined;
    const to = p.type.to;
    return { addr: v, size: to.kind === 'void' || to.kind === 'func' ? 1 : Math.max(1, sizeOf(to)) };
  }
  return p.kind === 'memory' ? { addr: p.addr, size: Math.max(1, sizeOf(p.type)) } : undefined;
}

export interface ListEntry {
  /** The entry's start: the container's address when known, else the node's. */
  readonly addr: I64;
  readonly container: { type: StructType; offset: number } | undefined;
}

/**
 * Walk a list from the head at `head` (next pointers, as list_for_each does) and find each node's
 * container. Stops at the head, at a poisoned or unreadable pointer, or after MAX_LIST nodes.
 */
export function listEntries(mem: MemoryView, head: I64): { entries: ListEntry[]; error?: string } {
  const entries: ListEntry[] = [];
  const seen = new Set<string>();
  const next = (a: I64): I64 | undefined => {
    const b = mem.peek(a, 8);
    return b ? decode(b, { kind: 'ptr', to: { kind: 'void' } }) : undefined;
  };
  let node = next(head);
  while (node !== undefined && node !== head) {
    const key = String(node);
    if (node === 0 || seen.has(key)) return { entries, error: node === 0 ? 'corrupted list: NULL next pointer' : 'corrupted list: a cycle that misses the head' };
    if (BigInt.asUintN(64, BigInt(node)) >> 32n === 0xdead0000n) return { entries, error: `corrupted list: next is LIST_POISON (${hexAddr(node)})` };
    if (entries.length >= MAX_LIST) return { entries, error: `more than ${MAX_LIST} entries` };
    seen.add(key);
    const container = containerOf(mem, node);
    entries.push({ addr: container ? addOffset(node, -container.offset) : node, container });
    node = next(node);
  }
  if (node === undefined) return { entries, error: 'corrupted list: unreadable next pointer' };
  return { entries };
}

function containerOf(mem: MemoryView, node: I64): { type: StructType; offset: number } | undefined {
  return mem.listContainers().find((c) => mem.isObjectStart(addOffset(node, -c.offset)));
}
