// Decoding an object's bytes by its C type into the fields the memory map prints:
// `name = "roman1"`, `weight = 130`, `list.next = 0xffff888003a1c068`. Nested structs are
// flattened with dotted names (as gdb's `print` does), arrays of char are strings, other arrays
// list their first elements, and pointers carry the object they point into (resolved by the
// caller). Bytes the kernel poisoned are marked: POISON_FREE (0x6b) on a freed slab object,
// LIST_POISON1/2 in a `list_del`ed entry.
//
// Invariant: decoding never throws, whatever the bytes; at most MAX_FIELDS fields come out.

import type { MemmapField } from '../../protocol/memoryMap';
import type { CType } from '../c/types';
import { sizeOf, typeName } from '../c/types';
import { LIST_POISON1, LIST_POISON2, POISON_FREE } from '../kernel/mm/layout';

/** Fields per object at most (a large array shows its first elements). */
export const MAX_FIELDS = 48;
/** Elements of a non-char array shown. */
const MAX_ELEMENTS = 8;
/** Bytes shown when the type is unknown. */
const RAW_BYTES = 32;

/** Where a pointer value points: the object id, the offset into it, and the field there. */
export type ResolvePointer = (addr: number) => MemmapField['target'] | undefined;

const POISON_NAMES = new Map<bigint, string>([
  [BigInt.asUintN(64, BigInt(LIST_POISON1)), 'LIST_POISON1'],
  [BigInt.asUintN(64, BigInt(LIST_POISON2)), 'LIST_POISON2'],
]);

/**
 * The fields of `bytes` read as `type` (repeated when `bytes` holds several, as kcalloc's do), or
 * raw bytes. In a `freed` object a lone 0x6b byte is poison too (in a live one it is the char 'k').
 */
export function decodeObject(bytes: Uint8Array, type: CType | undefined, resolve: ResolvePointer, freed = false): MemmapField[] {
  const out: MemmapField[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = type ? sizeOf(type) : 0;
  if (!type || size <= 0 || size > bytes.length) {
    out.push(rawField('bytes', bytes.subarray(0, RAW_BYTES), bytes.length));
    return out;
  }
  const count = Math.floor(bytes.length / size);
  if (count === 1 || type.kind === 'int' || type.kind === 'float') {
    // A `char *` buffer is one string; an `int *` buffer is an array of ints.
    const whole: CType = count > 1 ? { kind: 'array', of: type, len: count } : type;
    decodeAt(view, 0, whole, '', resolve, freed, out);
  } else {
    for (let i = 0; i < count && out.length < MAX_FIELDS; i++) decodeAt(view, i * size, type, `[${i}]`, resolve, freed, out);
  }
  return out.slice(0, MAX_FIELDS);
}

function decodeAt(view: DataView, at: number, t: CType, name: string, resolve: ResolvePointer, freed: boolean, out: MemmapField[]): void {
  if (out.length >= MAX_FIELDS || at + Math.max(1, sizeOf(t)) > view.byteLength) return;
  switch (t.kind) {
    case 'struct':
      for (const m of t.members) {
        const mName = name ? `${name}.${m.name}` : m.name;
        if (m.bitWidth !== undefined) out.push(bitfield(view, at + m.offset, m.type, m.bitOffset ?? 0, m.bitWidth, mName));
        else decodeAt(view, at + m.offset, m.type, mName, resolve, freed, out);
      }
      return;
    case 'array': {
      if (t.of.kind === 'int' && t.of.size === 1) {
        out.push(stringField(view, at, t.len ?? 0, name, typeName(t)));
        return;
      }
      const each = sizeOf(t.of);
      const n = Math.min(t.len ?? 0, MAX_ELEMENTS);
      for (let i = 0; i < n && each > 0; i++) decodeAt(view, at + i * each, t.of, `${name}[${i}]`, resolve, freed, out);
      return;
    }
    case 'ptr': {
      const raw = view.getBigUint64(at, true);
      const poison = POISON_NAMES.get(raw) ?? (raw === 0x6b6b6b6b6b6b6b6bn ? 'POISON_FREE' : undefined);
      const value = raw === 0n ? 'NULL' : `0x${raw.toString(16).padStart(16, '0')}`;
      const target = raw === 0n || poison ? undefined : resolve(Number(BigInt.asIntN(64, raw)));
      out.push({ name, type: typeName(t), value, ...(poison ? { poison } : {}), ...(target ? { target } : {}) });
      return;
    }
    case 'int': {
      const v = readInt(view, at, t.size, t.signed);
      out.push({ name, type: typeName(t), value: String(v), ...(allFree(view, at, t.size) && (freed || t.size > 1) ? { poison: 'POISON_FREE' } : {}) });
      return;
    }
    case 'float':
      out.push({ name, type: typeName(t), value: String(t.size === 4 ? view.getFloat32(at, true) : view.getFloat64(at, true)) });
      return;
    default:
      return;
  }
}

function readInt(view: DataView, at: number, size: number, signed: boolean): number | bigint {
  switch (size) {
    case 1: return signed ? view.getInt8(at) : view.getUint8(at);
    case 2: return signed ? view.getInt16(at, true) : view.getUint16(at, true);
    case 4: return signed ? view.getInt32(at, true) : view.getUint32(at, true);
    default: return signed ? view.getBigInt64(at, true) : view.getBigUint64(at, true);
  }
}

function bitfield(view: DataView, at: number, t: CType, bitOffset: number, width: number, name: string): MemmapField {
  const size = Math.max(1, sizeOf(t));
  let unit = 0n;
  for (let i = size - 1; i >= 0; i--) unit = (unit << 8n) | BigInt(at + i < view.byteLength ? view.getUint8(at + i) : 0);
  let v = (unit >> BigInt(bitOffset)) & ((1n << BigInt(width)) - 1n);
  if (t.kind === 'int' && t.signed && width > 0 && v >> BigInt(width - 1)) v -= 1n << BigInt(width);
  return { name, type: `${typeName(t)} : ${width}`, value: String(v) };
}

/** A char array as C prints it: up to the NUL, with escapes; the whole array when there is no NUL. */
function stringField(view: DataView, at: number, len: number, name: string, type: string): MemmapField {
  const n = Math.min(len, view.byteLength - at);
  if (n > 1 && allFree(view, at, n)) return { name, type, value: '6b 6b 6b …', poison: 'POISON_FREE' };
  let s = '';
  let i = 0;
  for (; i < n; i++) {
    const c = view.getUint8(at + i);
    if (c === 0) break;
    s += escapeChar(c);
  }
  return { name, type, value: `"${s}"${i === n && n > 0 ? ' (no NUL)' : ''}` };
}

function escapeChar(c: number): string {
  if (c === 0x22) return '\\"';
  if (c === 0x5c) return '\\\\';
  if (c >= 0x20 && c < 0x7f) return String.fromCharCode(c);
  if (c === 0x0a) return '\\n';
  if (c === 0x09) return '\\t';
  return `\\x${c.toString(16).padStart(2, '0')}`;
}

function allFree(view: DataView, at: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (view.getUint8(at + i) !== POISON_FREE) return false;
  return n > 0;
}

function rawField(name: string, bytes: Uint8Array, total: number): MemmapField {
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
  const poisoned = bytes.length > 0 && bytes.every((b) => b === POISON_FREE);
  return { name, type: `${total} bytes`, value: total > bytes.length ? `${hex} …` : hex, ...(poisoned ? { poison: 'POISON_FREE' } : {}) };
}
