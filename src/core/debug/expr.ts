// C expressions typed in the debugger (watches, hovers, the debug console, breakpoint conditions),
// evaluated on the paused machine. This is a small interpreter of the side-effect-free part of C:
// names in the frame's scope, literals, `.`, `->`, `[]`, unary `* & - ! ~`, casts to a struct
// pointer, and the arithmetic, comparison and logical operators with pointer scaling. It reads memory
// through the unchecked view of values.ts, so a watch never triggers a kernel report, and it never
// turns text into JavaScript (nothing is eval'd). Errors come back as values, never as throws.

import type { CType, StructType } from '../c/types';
import { T, findMember, sizeOf, typeName } from '../c/types';
import type { I64 } from '../vm/value';
import { i64 } from '../vm/value';
import type { MemoryView, Place } from './values';
import { addOffset, readScalar } from './values';

/** Names the expression can use: the frame's locals and parameters, then the module's globals. */
export interface Scope {
  lookup(name: string): Place | undefined;
  /** A struct type by tag, for casts such as `(struct Person *)p`. */
  structTag(tag: string): StructType | undefined;
}

export type EvalResult = { readonly place: Place } | { readonly error: string };

class EvalError {
  constructor(readonly message: string) {}
}

const TOKEN = /\s*(0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*|'(?:\\.|[^'])'|[A-Za-z_]\w*|->|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%<>!~&|^()[\].?:])/y;

function tokenize(text: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < text.length) {
    if (/^\s*$/.test(text.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(text);
    if (!m) throw new EvalError(`unexpected '${text.slice(pos).trim()[0]}'`);
    out.push(m[1]);
    pos = TOKEN.lastIndex;
  }
  return out;
}

const PREC: Record<string, number> = {
  '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6, '<': 7, '<=': 7, '>': 7, '>=': 7, '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '%': 10,
};

/** Evaluate a C expression in a scope. */
export function evaluate(text: string, scope: Scope, mem: MemoryView): EvalResult {
  try {
    const p = new ExprParser(tokenize(text), scope, mem);
    const place = p.expr(0);
    if (!p.done()) throw new EvalError(`unexpected '${p.peek()}'`);
    return { place };
  } catch (e) {
    if (e instanceof EvalError) return { error: e.message };
    throw e;
  }
}

class ExprParser {
  private pos = 0;

  constructor(private readonly toks: string[], private readonly scope: Scope, private readonly mem: MemoryView) {}

  done(): boolean {
    return this.pos >= this.toks.length;
  }

  peek(): string | undefined {
    return this.toks[this.pos];
  }

  private eat(t: string): boolean {
    if (this.toks[this.pos] !== t) return false;
    this.pos++;
    return true;
  }

  private expect(t: string): void {
    if (!this.eat(t)) throw new EvalError(`expected '${t}'`);
  }

  expr(minPrec: number): Place {
    let l = this.unary();
    for (;;) {
      const op = this.peek();
      const prec = op !== undefined ? PREC[op] : undefined;
      if (prec === undefined || prec < minPrec) break;
      this.pos++;
      const r = this.expr(prec + 1);
      l = this.binary(op!, l, r);
    }
    return l;
  }

  private unary(): Place {
    const t = this.peek();
    if (t === '*') {
      this.pos++;
      return this.deref(this.unary());
    }
    if (t === '&') {
      this.pos++;
      const p = this.unary();
      if (p.kind !== 'memory') throw new EvalError('cannot take the address of a value that is not in memory (a register local)');
      return { kind: 'value', type: { kind: 'ptr', to: p.type }, value: p.addr };
    }
    if (t === '-' || t === '!' || t === '~') {
      this.pos++;
      const v = this.int(this.unary());
      const r = t === '-' ? -v : t === '!' ? (v === 0n ? 1n : 0n) : ~v;
      return num(r);
    }
    if (t === '(' && this.toks[this.pos + 1] === 'struct') {
      this.pos += 2;
      const tag = this.toks[this.pos++];
      const st = tag ? this.scope.structTag(tag) : undefined;
      if (!st) throw new EvalError(`unknown struct '${tag ?? ''}'`);
      let type: CType = st;
      while (this.eat('*')) type = { kind: 'ptr', to: type };
      this.expect(')');
      const v = readScalar(this.mem, this.unary());
      if (v === undefined) throw new EvalError('unreadable memory');
      if (type.kind !== 'ptr') throw new EvalError('only casts to a pointer are supported');
      return { kind: 'value', type, value: v };
    }
    return this.postfix(this.primary());
  }

  private postfix(p: Place): Place {
    for (;;) {
      if (this.eat('.')) p = this.member(p, this.ident());
      else if (this.eat('->')) p = this.member(this.deref(p), this.ident());
      else if (this.eat('[')) {
        const i = this.expr(0);
        this.expect(']');
        p = this.deref(this.binary('+', p, i));
      } else return p;
    }
  }

  private primary(): Place {
    const t = this.toks[this.pos++];
    if (t === undefined) throw new EvalError('expression expected');
    if (t === '(') {
      const p = this.expr(0);
      this.expect(')');
      return p;
    }
    if (/^\d|^0[xX]/.test(t)) return num(BigInt(t.replace(/[uUlL]+$/, '')));
    if (t.startsWith("'")) {
      const body = t.slice(1, -1);
      const c = body.startsWith('\\') ? ({ n: 10, t: 9, '0': 0, '\\': 92, "'": 39 } as Record<string, number>)[body[1]] ?? body.charCodeAt(1) : body.charCodeAt(0);
      return num(BigInt(c));
    }
    if (t === 'NULL') return { kind: 'value', type: { kind: 'ptr', to: T.void }, value: 0 };
    if (/^[A-Za-z_]/.test(t)) {
      const p = this.scope.lookup(t);
      if (!p) throw new EvalError(`'${t}' is not in scope here`);
      return p;
    }
    throw new EvalError(`unexpected '${t}'`);
  }

  private ident(): string {
    const t = this.toks[this.pos++];
    if (!t || !/^[A-Za-z_]\w*$/.test(t)) throw new EvalError('member name expected');
    return t;
  }

  private member(p: Place, name: string): Place {
    if (p.type.kind !== 'struct' || p.kind !== 'memory') throw new EvalError(`'.${name}' on a value of type ${typeName(p.type)}, which is not a struct`);
    const m = findMember(p.type, name);
    if (!m) throw new EvalError(`${typeName(p.type)} has no member '${name}'`);
    return { kind: 'memory', type: m.member.type, addr: addOffset(p.addr, m.offset) };
  }

  private deref(p: Place): Place {
    const t = p.type;
    if (t.kind === 'array' && p.kind === 'memory') return { kind: 'memory', type: t.of, addr: p.addr };
    if (t.kind !== 'ptr') throw new EvalError(`cannot dereference a value of type ${typeName(t)}`);
    if (t.to.kind === 'void') throw new EvalError('cannot dereference a void pointer');
    const v = readScalar(this.mem, p);
    if (v === undefined) throw new EvalError('unreadable memory');
    if (v === 0) throw new EvalError('NULL pointer');
    return { kind: 'memory', type: t.to, addr: v };
  }

  private int(p: Place): bigint {
    if (p.type.kind !== 'int' && p.type.kind !== 'ptr') throw new EvalError(`a number was expected, not ${typeName(p.type)}`);
    const v = readScalar(this.mem, p);
    if (v === undefined) throw new EvalError('unreadable memory');
    return BigInt(v);
  }

  /** Element type of a pointer or array operand (for scaling), if it is one. */
  private pointee(p: Place): CType | undefined {
    if (p.type.kind === 'ptr') return p.type.to;
    if (p.type.kind === 'array') return p.type.of;
    return undefined;
  }

  private binary(op: string, l: Place, r: Place): Place {
    const lt = this.pointee(l);
    const rt = this.pointee(r);
    const value = (p: Place): bigint => (p.type.kind === 'array' && p.kind === 'memory' ? BigInt(p.addr) : this.int(p));
    if ((op === '+' || op === '-') && lt && !rt) {
      const scale = BigInt(Math.max(1, lt.kind === 'void' ? 1 : sizeOf(lt)));
      const a = value(l) + (op === '+' ? 1n : -1n) * this.int(r) * scale;
      return { kind: 'value', type: { kind: 'ptr', to: lt }, value: i64(BigInt.asIntN(64, a)) };
    }
    if (op === '-' && lt && rt) return num((value(l) - value(r)) / BigInt(Math.max(1, sizeOf(lt))));
    const a = value(l);
    if (op === '&&') return num(a !== 0n && value(r) !== 0n ? 1n : 0n);
    if (op === '||') return num(a !== 0n || value(r) !== 0n ? 1n : 0n);
    const b = value(r);
    switch (op) {
      case '+': return num(a + b);
      case '-': return num(a - b);
      case '*': return num(a * b);
      case '/': if (b === 0n) throw new EvalError('division by zero'); return num(a / b);
      case '%': if (b === 0n) throw new EvalError('division by zero'); return num(a % b);
      case '<<': return num(a << b);
      case '>>': return num(a >> b);
      case '&': return num(a & b);
      case '|': return num(a | b);
      case '^': return num(a ^ b);
      case '==': return num(a === b ? 1n : 0n);
      case '!=': return num(a !== b ? 1n : 0n);
      case '<': return num(a < b ? 1n : 0n);
      case '<=': return num(a <= b ? 1n : 0n);
      case '>': return num(a > b ? 1n : 0n);
      case '>=': return num(a >= b ? 1n : 0n);
    }
    throw new EvalError(`operator '${op}' is not supported`);
  }
}

/** An integer result: `long`, as the usual arithmetic conversions of int operands would give. */
function num(v: bigint): Place {
  const x = BigInt.asIntN(64, v);
  const fits = x >= -(1n << 31n) && x < 1n << 31n;
  return { kind: 'value', type: fits ? T.int : T.long, value: i64(x) as I64 };
}
