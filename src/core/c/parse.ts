// Parser and type checker for C11 with the GNU extensions kernel code uses. Recursive descent in
// the style of chibicc: declarations drive the typedef/ordinary-name scopes the grammar depends on,
// and every expression is typed as it is built, with the usual conversions made explicit as casts.
//
// Invariants: never throws on user input (panic-mode recovery at `;` and `}` with cascades
// suppressed); every diagnostic carries the student's span (macro expansions map to the use site);
// the returned TranslationUnit is always usable, with `error` expressions where typing failed.

import type { Token } from './token';
import { TokenKind, userSpan } from './token';
import type { Span } from '../source/source';
import { joinSpans } from '../source/source';
import { DiagnosticBag } from '../diag/diagnostic';
import type { Attributes, Block, Expr, Func, FuncRef, Initializer, InitLeaf, Stmt, TranslationUnit, Var, BinOp } from './ast';
import type { CType, FuncType, StructType } from './types';
import {
  T, alignOf, alignUp, arrayOf, commonType, decay, findMember, isArithmetic, isInteger, isScalar, layoutStruct, newStruct,
  promote, ptrTo, sameType, sizeOf, typeName, withAlias,
} from './types';
import { decodeCharLiteral, decodeStringLiteral } from './lex';
import type { I64 } from '../vm/value';
import { add64, and64, cmp64, i64, mul64, neg64, not64, or64, sar64, sdiv64, shl64, shr64, srem64, sub64, trunc, ucmp64, udiv64, urem64, xor64 } from '../vm/value';

export interface ParseOptions {
  /** Nesting limit for blocks, parentheses and declarators (a clear error instead of a stack overflow). */
  maxNesting?: number;
  /** Names of functions defined in virtual headers are marked `fromHeader`. */
}

export interface ParseResult {
  unit: TranslationUnit;
  diagnostics: DiagnosticBag;
}

class ParseAbort {
  constructor(readonly span: Span) {}
}

interface Scope {
  vars: Map<string, VarEntry>;
  tags: Map<string, CType>;
}

type VarEntry =
  | { kind: 'var'; v: Var }
  | { kind: 'typedef'; type: CType; user: boolean }
  | { kind: 'enum'; value: I64; type: CType }
  | { kind: 'func'; f: FuncRef };

interface DeclSpec {
  type: CType;
  storage: 'typedef' | 'static' | 'extern' | 'auto' | 'register' | undefined;
  inline: boolean;
  attrs: Attributes;
  user: boolean;
  span: Span;
}

const BINOP_PREC: Record<string, number> = {
  '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6, '<': 7, '<=': 7, '>': 7, '>=': 7, '<<': 8, '>>': 8,
  '+': 9, '-': 9, '*': 10, '/': 10, '%': 10,
};

const ASSIGN_OPS = new Set(['=', '+=', '-=', '*=', '/=', '%=', '<<=', '>>=', '&=', '|=', '^=']);

export function parse(tokens: readonly Token[], opts: ParseOptions = {}): ParseResult {
  const p = new Parser(tokens, opts);
  return { unit: p.translationUnit(), diagnostics: p.diags };
}

class Parser {
  readonly diags = new DiagnosticBag();
  private pos = 0;
  private scopes: Scope[] = [{ vars: new Map(), tags: new Map() }];
  private globals: Var[] = [];
  private funcs: Func[] = [];
  private funcRefs = new Map<string, FuncRef>();
  private strings: Extract<Expr, { k: 'str' }>[] = [];
  private curFunc: Func | undefined;
  private depth = 0;
  private readonly maxNesting: number;
  private lastErrorPos = -1;
  private breakDepth = 0;
  private continueDepth = 0;
  private switches: Extract<Stmt, { k: 'switch' }>[] = [];
  /** The case values of each open switch, so a duplicate is found without a scan (100,000 cases stay linear). */
  private readonly caseValues = new WeakMap<Extract<Stmt, { k: 'switch' }>, Set<I64>>();
  private anonCount = 0;

  constructor(private readonly toks: readonly Token[], opts: ParseOptions) {
    this.maxNesting = opts.maxNesting ?? 512;
  }

  // ---- token helpers ----------------------------------------------------------------------

  private get tok(): Token {
    return this.toks[this.pos];
  }

  private atEOF(): boolean {
    return this.toks[this.pos].kind === TokenKind.EOF;
  }

  private peek(n = 1): Token {
    return this.toks[Math.min(this.pos + n, this.toks.length - 1)];
  }

  private at(text: string): boolean {
    const t = this.toks[this.pos];
    return t.text === text && (t.kind === TokenKind.Punct || t.kind === TokenKind.Keyword);
  }

  private atKw(...names: string[]): boolean {
    const t = this.toks[this.pos];
    return t.kind === TokenKind.Keyword && names.includes(t.text);
  }

  private next(): Token {
    const t = this.toks[this.pos];
    if (t.kind !== TokenKind.EOF) this.pos++;
    return t;
  }

  private consume(text: string): boolean {
    if (this.at(text)) {
      this.pos++;
      return true;
    }
    return false;
  }

  private sp(t: Token = this.tok): Span {
    return userSpan(t);
  }

  /** Span from the token at `start` to the previous token. */
  private spanFrom(start: number): Span {
    const a = userSpan(this.toks[start]);
    const b = userSpan(this.toks[Math.max(start, this.pos - 1)]);
    return joinSpans(a, b);
  }

  private expect(text: string, what?: string): Token {
    if (this.at(text)) return this.next();
    this.errorAt(this.tok, `expected '${text}'${what ? ` ${what}` : ''} before ${this.describe(this.tok)}`);
    throw new ParseAbort(this.sp());
  }

  /** gcc: `expected ',' or ';' before 'return'`. */
  private expectDeclEnd(): void {
    if (this.consume(';')) return;
    this.errorAt(this.tok, `expected ',' or ';' before ${this.describe(this.tok)}`);
    throw new ParseAbort(this.sp());
  }

  private describe(t: Token): string {
    if (t.kind === TokenKind.EOF) return 'end of input';
    if (t.kind === TokenKind.Number) return 'numeric constant';
    if (t.kind === TokenKind.String) return 'string constant';
    return `'${t.text}'`;
  }

  private errorAt(t: Token, msg: string, code = 'KM1001'): void {
    if (this.pos === this.lastErrorPos && code === 'KM1001') return; // suppress cascades at one position
    this.lastErrorPos = this.pos;
    this.diags.error(code, userSpan(t), msg);
  }

  private error(span: Span, msg: string, code = 'KM2002'): void {
    this.diags.error(code, span, msg);
  }

  private warn(span: Span, msg: string, code = 'KM2006'): void {
    this.diags.warning(code, span, msg);
  }

  private unsupported(span: Span, what: string): void {
    this.diags.error('KM9001', span, `not supported by Kernel Module Lab: ${what}`);
  }

  private enter(): void {
    if (++this.depth > this.maxNesting) {
      this.depth = 0;
      this.diags.error('KM9002', this.sp(), `nesting deeper than ${this.maxNesting} levels (limit of Kernel Module Lab)`);
      this.pos = this.toks.length - 1;
      throw new ParseAbort(this.sp());
    }
  }

  private leave(): void {
    this.depth--;
  }

  // ---- scopes ---------------------------------------------------------------------------------

  private pushScope(): void {
    this.scopes.push({ vars: new Map(), tags: new Map() });
  }

  private popScope(): void {
    this.scopes.pop();
  }

  private lookup(name: string): VarEntry | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const e = this.scopes[i].vars.get(name);
      if (e) return e;
    }
    return undefined;
  }

  private lookupTag(name: string): CType | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const e = this.scopes[i].tags.get(name);
      if (e) return e;
    }
    return undefined;
  }

  private declare(name: string, e: VarEntry): void {
    this.scopes[this.scopes.length - 1].vars.set(name, e);
  }

  private isTypedefName(t: Token): boolean {
    if (t.kind !== TokenKind.Ident) return false;
    const e = this.lookup(t.text);
    return e?.kind === 'typedef';
  }

  private isTypeStart(t: Token = this.tok): boolean {
    if (t.kind === TokenKind.Keyword) return TYPE_KEYWORDS.has(t.text);
    if (t.kind === TokenKind.Ident) return this.isTypedefName(t) || QUALIFIER_IDENTS.has(t.text);
    return false;
  }

  // ---- top level ------------------------------------------------------------------------------

  translationUnit(): TranslationUnit {
    while (!this.atEOF()) {
      const start = this.pos;
      try {
        this.externalDeclaration();
      } catch (e) {
        if (!(e instanceof ParseAbort)) throw e;
        this.depth = 0;
        this.curFunc = undefined;
        while (this.scopes.length > 1) this.popScope();
        this.recoverTopLevel();
      }
      if (this.pos === start) this.next(); // always make progress
    }
    for (const f of this.funcRefs.values()) {
      if (f.def === undefined) {
        // Declared but not defined here: resolved by the module loader against the kernel's exports.
      }
    }
    return { globals: this.globals, funcs: this.funcs, funcRefs: this.funcRefs, strings: this.strings };
  }

  private recoverTopLevel(): void {
    let depth = 0;
    while (!this.atEOF()) {
      if (this.at('{')) depth++;
      else if (this.at('}')) {
        depth--;
        if (depth <= 0) {
          this.next();
          this.consume(';');
          return;
        }
      } else if (this.at(';') && depth <= 0) {
        this.next();
        return;
      }
      this.next();
    }
  }

  private externalDeclaration(): void {
    if (this.consume(';')) return;
    if (this.atKw('asm', '__asm__', '__asm')) {
      this.unsupported(this.sp(), 'inline assembly (asm)');
      this.skipBalancedUntilSemicolon();
      return;
    }
    if (this.atKw('_Static_assert')) {
      this.staticAssert();
      return;
    }
    const start = this.pos;
    const spec = this.declSpec();
    if (this.consume(';')) return; // struct declaration or a lone type
    let first = true;
    for (;;) {
      const dstart = this.pos;
      const d = this.declarator(spec.type);
      const attrs = { ...spec.attrs, ...d.attrs, ...this.attributes() };
      if (d.name === undefined) {
        this.errorAt(this.toks[dstart], 'expected identifier or \'(\'');
        throw new ParseAbort(this.sp());
      }
      if (d.type.kind === 'func') {
        if (first && this.at('{')) {
          this.functionDefinition(d.name, d.type, d.nameSpan, d.paramVars ?? [], spec, attrs, start);
          return;
        }
        this.declareFunction(d.name, d.type, d.nameSpan, spec.storage === 'static');
        if (spec.storage === 'typedef') this.declare(d.name, { kind: 'typedef', type: d.type, user: true });
      } else if (spec.storage === 'typedef') {
        this.declare(d.name, { kind: 'typedef', type: withAlias(d.type, d.name), user: true });
      } else {
        this.globalVariable(d.name, d.type, d.nameSpan, spec, attrs);
      }
      first = false;
      if (this.consume(',')) continue;
      this.expectDeclEnd();
      return;
    }
  }

  private skipBalancedUntilSemicolon(): void {
    let depth = 0;
    while (!this.atEOF()) {
      if (this.at('(') || this.at('{')) depth++;
      if (this.at(')') || this.at('}')) depth--;
      if (this.at(';') && depth <= 0) {
        this.next();
        return;
      }
      this.next();
    }
  }

  private staticAssert(): void {
    const start = this.pos;
    this.next();
    this.expect('(');
    const e = this.conditional();
    let msg = '';
    if (this.consume(',')) {
      const s = this.primary();
      if (s.k === 'str') msg = latin1(s.bytes.subarray(0, s.bytes.length - 1));
    }
    this.expect(')');
    this.consume(';');
    const v = this.constValue(e);
    if (v !== undefined && v === 0) this.error(this.spanFrom(start), `static assertion failed${msg ? `: "${msg}"` : ''}`);
  }

  private declareFunction(name: string, type: FuncType, span: Span, isStatic: boolean): FuncRef {
    const existing = this.lookup(name);
    if (existing?.kind === 'func') {
      if (!sameType(existing.f.type, type) && !existing.f.type.unprototyped && !type.unprototyped) {
        this.error(span, `conflicting types for '${name}'; have '${typeName(type)}'`, 'KM2005');
      }
      if (existing.f.type.unprototyped && !type.unprototyped) (existing.f as { type: FuncType }).type = type;
      void isStatic;
      return existing.f;
    }
    let ref = this.funcRefs.get(name);
    if (!ref) {
      ref = { name, type, def: undefined };
      this.funcRefs.set(name, ref);
    }
    this.scopes[0].vars.set(name, { kind: 'func', f: ref });
    return ref;
  }

  private globalVariable(name: string, type: CType, span: Span, spec: DeclSpec, attrs: Attributes): void {
    const existing = this.scopes[0].vars.get(name);
    let v: Var;
    if (existing?.kind === 'var') {
      v = existing.v;
      if (type.kind === 'array' && v.type.kind === 'array' && v.type.len === undefined) v.type = type;
      if (!spec.storage || spec.storage === 'static') v.isExtern = false;
    } else {
      if (existing) this.error(span, `'${name}' redeclared as a different kind of symbol`, 'KM2005');
      v = {
        name, type, span, kind: 'global', isStatic: spec.storage === 'static', isExtern: spec.storage === 'extern',
        addressTaken: true, init: undefined, attrs, slot: -1, user: spec.user,
      };
      this.globals.push(v);
      this.scopes[0].vars.set(name, { kind: 'var', v });
    }
    if (this.consume('=')) {
      if (v.init) this.error(span, `redefinition of '${name}'`, 'KM2005');
      v.init = this.initializer(v.type);
      v.isExtern = false;
      if (v.type.kind === 'array' && v.type.len === undefined) v.type = arrayOf(v.type.of, Math.floor(v.init.size / Math.max(1, sizeOf(v.type.of))));
    }
    if (v.type.kind === 'void') this.error(span, `variable '${name}' declared void`);
    if (v.type.kind === 'struct' && !v.type.complete && !v.isExtern) this.error(span, `storage size of '${name}' isn't known`);
  }

  private functionDefinition(name: string, type: FuncType, nameSpan: Span, params: Var[], spec: DeclSpec, attrs: Attributes, start: number): void {
    const ref = this.declareFunction(name, type, nameSpan, spec.storage === 'static');
    if (ref.def) {
      this.error(nameSpan, `redefinition of '${name}'`, 'KM2005');
    }
    const fromHeader = nameSpan.file.isVirtual;
    const f: Func = {
      name, type, span: userSpan(this.toks[start]), nameSpan, isStatic: spec.storage === 'static', isInline: spec.inline,
      params, locals: [], body: undefined, attrs, fromHeader, labels: new Map(), calls: [],
    };
    ref.def = f;
    (ref as { type: FuncType }).type = type;
    this.funcs.push(f);
    this.curFunc = f;
    this.pushScope();
    for (const p of params) {
      if (p.name) this.declare(p.name, { kind: 'var', v: p });
    }
    // __func__ is a static const char[] in every function.
    const fn = this.stringLiteral(name, nameSpan);
    this.declare('__func__', { kind: 'var', v: this.literalVar('__func__', fn) });
    this.declare('__FUNCTION__', { kind: 'var', v: this.literalVar('__FUNCTION__', fn) });
    f.body = this.compoundStatement(false);
    this.popScope();
    this.curFunc = undefined;
    (f as { span: Span }).span = this.spanFrom(start);
  }

  private literalVar(name: string, s: Extract<Expr, { k: 'str' }>): Var {
    const v: Var = {
      name, type: s.type, span: s.span, kind: 'global', isStatic: true, isExtern: false, addressTaken: true,
      init: { span: s.span, leaves: [{ offset: 0, type: s.type, bytes: s.bytes }], size: s.bytes.length }, attrs: {}, slot: -1,
    };
    this.funcNames.add(v);
    return v;
  }

  /** The __func__/__FUNCTION__ variables, which join the globals when first used. */
  private readonly funcNames = new Set<Var>();

  // ---- declaration specifiers ------------------------------------------------------------------

  private declSpec(): DeclSpec {
    const startTok = this.tok;
    let storage: DeclSpec['storage'];
    let inline = false;
    let user = false;
    const attrs: Attributes = {};
    let base: CType | undefined;
    let signed: boolean | undefined;
    let longs = 0;
    let short = false;
    let sawInt = false;
    let sawChar = false;
    let sawAny = false;
    for (;;) {
      const t = this.tok;
      if (t.kind === TokenKind.Keyword) {
        switch (t.text) {
          case 'typedef': case 'static': case 'extern': case 'auto': case 'register':
            if (storage && storage !== t.text) this.errorAt(t, `multiple storage classes in declaration specifiers`);
            storage = t.text;
            this.next();
            continue;
          case 'inline': case '__inline': case '__inline__':
            inline = true; this.next(); continue;
          case 'const': case 'volatile': case 'restrict': case '__restrict': case '__restrict__': case '__volatile__':
          case '__const': case '__const__': case '_Noreturn': case '_Thread_local': case '__extension__':
            this.next(); continue;
          case '_Atomic':
            this.next();
            if (this.at('(')) {
              this.next();
              base = this.typeName();
              this.expect(')');
              sawAny = true;
            }
            continue;
          case '_Alignas': {
            this.next();
            this.expect('(');
            if (this.isTypeStart()) attrs.aligned = alignOf(this.typeName());
            else attrs.aligned = Number(this.constExpr());
            this.expect(')');
            continue;
          }
          case '__attribute__': case '__attribute':
            Object.assign(attrs, this.attributes());
            continue;
          case 'void': base = T.void; sawAny = true; this.next(); continue;
          case '_Bool': base = T.bool; sawAny = true; this.next(); continue;
          case 'char': sawChar = true; sawAny = true; this.next(); continue;
          case 'int': sawInt = true; sawAny = true; this.next(); continue;
          case 'short': short = true; sawAny = true; this.next(); continue;
          case 'long': longs++; sawAny = true; this.next(); continue;
          case 'signed': case '__signed__': signed = true; sawAny = true; this.next(); continue;
          case 'unsigned': signed = false; sawAny = true; this.next(); continue;
          case 'float': case 'double': case '_Complex': {
            this.diags.error('KM2004', this.sp(), `floating point ('${t.text}') cannot be used in kernel code`);
            base = t.text === 'float' ? T.float : T.double;
            sawAny = true;
            this.next();
            continue;
          }
          case 'struct': case 'union':
            base = this.structSpec();
            sawAny = true;
            continue;
          case 'enum':
            base = this.enumSpec();
            sawAny = true;
            continue;
          case 'typeof': case '__typeof__': case '__typeof': {
            this.next();
            this.expect('(');
            if (this.isTypeStart()) base = this.typeName();
            else base = this.expr().type;
            this.expect(')');
            sawAny = true;
            continue;
          }
          case '__auto_type':
            this.next();
            base = T.void; // resolved from the initializer
            attrs.other = [...(attrs.other ?? []), '__auto_type'];
            sawAny = true;
            continue;
        }
        break;
      }
      if (t.kind === TokenKind.Ident) {
        if (QUALIFIER_IDENTS.has(t.text)) {
          if (t.text === '__user') user = true;
          this.next();
          continue;
        }
        if (!sawAny && base === undefined && this.isTypedefName(t)) {
          const e = this.lookup(t.text);
          if (e?.kind === 'typedef') {
            base = e.type;
            sawAny = true;
            this.next();
            continue;
          }
        }
      }
      break;
    }
    let type: CType;
    if (base !== undefined) {
      type = base;
      if (signed !== undefined || longs || short) {
        if (base.kind === 'int' && !sawChar && !sawInt) {
          // e.g. `unsigned` after a typedef: not valid C, keep the typedef
        }
      }
    } else if (sawChar) {
      type = signed === undefined ? T.char : signed ? T.schar : T.uchar;
    } else if (short) {
      type = signed === false ? T.ushort : T.short;
    } else if (longs >= 2) {
      type = signed === false ? T.ullong : T.llong;
    } else if (longs === 1) {
      type = signed === false ? T.ulong : T.long;
    } else if (sawInt || signed !== undefined) {
      type = signed === false ? T.uint : T.int;
    } else {
      if (!sawAny) {
        if (this.tok.kind === TokenKind.Ident && this.peek().kind === TokenKind.Ident) {
          this.errorAt(this.tok, `unknown type name '${this.tok.text}'`);
          this.next();
        } else if (storage === undefined && !inline) {
          this.errorAt(this.tok, `expected declaration specifiers before ${this.describe(this.tok)}`);
          throw new ParseAbort(this.sp());
        } else {
          this.warn(userSpan(startTok), `type defaults to 'int' in declaration`);
        }
      }
      type = T.int;
    }
    if (attrs.aligned && type.kind === 'struct') {
      /* alignment attribute on a struct definition is applied in structSpec */
    }
    return { type, storage, inline, attrs, user, span: userSpan(startTok) };
  }

  /** `__attribute__((a, b(c)))`, repeated; returns what it understood. */
  private attributes(): Attributes {
    const attrs: Attributes = {};
    while (this.atKw('__attribute__', '__attribute')) {
      this.next();
      this.expect('(');
      this.expect('(');
      while (!this.at(')') && !this.atEOF()) {
        const nameTok = this.next();
        const name = nameTok.text.replace(/^__(.*)__$/, '$1');
        const args: Expr[] = [];
        const argToks: string[] = [];
        if (this.consume('(')) {
          while (!this.at(')') && !this.atEOF()) {
            if (this.tok.kind === TokenKind.String || this.tok.kind === TokenKind.Number) {
              const e = this.assign();
              args.push(e);
            } else if (this.tok.kind === TokenKind.Ident && (this.peek().text === ',' || this.peek().text === ')') && !this.lookup(this.tok.text)) {
              argToks.push(this.next().text);
            } else {
              args.push(this.assign());
            }
            if (!this.consume(',')) break;
          }
          this.expect(')');
        }
        switch (name) {
          case 'section':
            if (args[0]?.k === 'str') attrs.section = latin1(args[0].bytes.subarray(0, args[0].bytes.length - 1));
            break;
          case 'packed': attrs.packed = true; break;
          case 'aligned': attrs.aligned = args.length ? Number(this.constValue(args[0]) ?? 16) : 16; break;
          case 'unused': case 'used': case 'maybe_unused': attrs.unused = true; break;
          case 'noreturn': attrs.noreturn = true; break;
          case 'weak': attrs.weak = true; break;
          case 'alias':
            if (args[0]?.k === 'str') attrs.alias = latin1(args[0].bytes.subarray(0, args[0].bytes.length - 1));
            break;
          default:
            attrs.other = [...(attrs.other ?? []), name + (argToks.length ? `(${argToks.join(',')})` : '')];
        }
        if (!this.consume(',')) break;
      }
      this.expect(')');
      this.expect(')');
    }
    return attrs;
  }

  private structSpec(): CType {
    const kwTok = this.next();
    const union = kwTok.text === 'union';
    const attrs = this.attributes();
    let tag: string | undefined;
    let tagSpan = userSpan(kwTok);
    if (this.tok.kind === TokenKind.Ident) {
      tagSpan = this.sp();
      tag = this.next().text;
    }
    if (!this.at('{')) {
      if (tag === undefined) {
        this.errorAt(this.tok, `expected '{' before ${this.describe(this.tok)}`);
        throw new ParseAbort(this.sp());
      }
      const found = this.lookupTag(tag);
      if (found) {
        if (found.kind === 'struct' && found.union !== union) this.error(tagSpan, `'${tag}' defined as wrong kind of tag`);
        return found;
      }
      const st = newStruct(tag, union);
      // A forward reference declares the tag in the current scope (C11 6.7.2.3).
      this.scopes[this.atDeclarationEnd() ? this.scopes.length - 1 : 0].tags.set(tag, st);
      return st;
    }
    let st: StructType;
    const existing = tag !== undefined ? this.scopes[this.scopes.length - 1].tags.get(tag) : undefined;
    if (existing && existing.kind === 'struct' && !existing.complete) st = existing;
    else {
      if (existing && existing.kind === 'struct' && existing.complete) this.error(tagSpan, `redefinition of '${union ? 'union' : 'struct'} ${tag}'`, 'KM2005');
      st = newStruct(tag, union);
      if (tag !== undefined) this.scopes[this.scopes.length - 1].tags.set(tag, st);
    }
    this.next(); // {
    this.enter();
    const decls: { name: string; type: CType; bitWidth?: number }[] = [];
    while (!this.at('}') && !this.atEOF()) {
      try {
        if (this.atKw('_Static_assert')) {
          this.staticAssert();
          continue;
        }
        const spec = this.declSpec();
        if (this.consume(';')) {
          // Anonymous struct/union member (C11).
          if (spec.type.kind === 'struct' && (spec.type.tag === undefined || spec.type.tag.startsWith('<'))) decls.push({ name: '', type: spec.type });
          continue;
        }
        for (;;) {
          let name = '';
          let type = spec.type;
          let nameSpan = this.sp();
          if (!this.at(':')) {
            const d = this.declarator(spec.type);
            name = d.name ?? '';
            type = d.type;
            nameSpan = d.nameSpan;
          }
          let bitWidth: number | undefined;
          if (this.consume(':')) {
            bitWidth = Number(this.constExpr());
            if (!isInteger(type)) this.error(nameSpan, `bit-field '${name}' has invalid type`);
          }
          const mattrs = this.attributes();
          if (mattrs.aligned && type.kind !== 'struct') {
            // member alignment: model by padding to the requested alignment
            decls.push({ name: '', type: arrayOf(T.char, 0) });
          }
          if (type.kind === 'func') this.error(nameSpan, `field '${name}' declared as a function`);
          if (type.kind === 'struct' && !type.complete) this.error(nameSpan, `field '${name}' has incomplete type`);
          if (decls.some((d) => d.name && d.name === name)) this.error(nameSpan, `duplicate member '${name}'`);
          decls.push({ name, type, bitWidth });
          if (!this.consume(',')) break;
        }
        this.expect(';', 'at end of declaration list');
      } catch (e) {
        if (!(e instanceof ParseAbort)) throw e;
        this.skipTo([';', '}']);
        this.consume(';');
      }
    }
    this.expect('}');
    this.leave();
    const after = this.attributes();
    const packed = !!(attrs.packed || after.packed);
    layoutStruct(st, decls, packed, attrs.aligned ?? after.aligned ?? 1);
    return st;
  }

  private atDeclarationEnd(): boolean {
    return this.at(';');
  }

  private enumSpec(): CType {
    const kw = this.next();
    this.attributes();
    let tag: string | undefined;
    if (this.tok.kind === TokenKind.Ident) tag = this.next().text;
    const enumType: CType = { ...(T.uint as Extract<CType, { kind: 'int' }>), isEnum: tag ?? '<anonymous>' };
    if (!this.at('{')) {
      if (tag === undefined) {
        this.errorAt(this.tok, `expected '{' before ${this.describe(this.tok)}`);
        throw new ParseAbort(userSpan(kw));
      }
      const found = this.lookupTag(tag);
      return found ?? enumType;
    }
    this.next();
    let value: I64 = 0;
    const consts: { name: string; value: I64; span: Span }[] = [];
    while (!this.at('}') && !this.atEOF()) {
      const nameTok = this.next();
      if (nameTok.kind !== TokenKind.Ident) {
        this.errorAt(nameTok, `expected identifier before ${this.describe(nameTok)}`);
        this.skipTo([',', '}']);
        this.consume(',');
        continue;
      }
      this.attributes();
      if (this.consume('=')) value = this.constExpr();
      consts.push({ name: nameTok.text, value, span: userSpan(nameTok) });
      this.declare(nameTok.text, { kind: 'enum', value, type: T.int });
      value = add64(value, 1);
      if (!this.consume(',')) break;
    }
    this.expect('}');
    this.attributes();
    // gcc: the enum's type is unsigned int if all values are non-negative, else int (or 64-bit if needed).
    const neg = consts.some((c) => cmp64(c.value, 0) < 0);
    const wide = consts.some((c) => cmp64(c.value, 0xffffffff) > 0 || cmp64(c.value, -0x80000000) < 0);
    const base = wide ? (neg ? T.long : T.ulong) : neg ? T.int : T.uint;
    const t: CType = { ...(base as Extract<CType, { kind: 'int' }>), isEnum: tag ?? '<anonymous>' };
    if (tag !== undefined) this.scopes[this.scopes.length - 1].tags.set(tag, t);
    for (const c of consts) {
      const fits = cmp64(c.value, -0x80000000) >= 0 && cmp64(c.value, 0x7fffffff) <= 0;
      this.declare(c.name, { kind: 'enum', value: c.value, type: fits ? T.int : t });
    }
    return t;
  }

  // ---- declarators ----------------------------------------------------------------------------

  private declarator(base: CType): { name: string | undefined; type: CType; nameSpan: Span; paramVars?: Var[]; attrs?: Attributes } {
    this.enter();
    try {
      let type = base;
      while (this.at('*')) {
        this.next();
        type = ptrTo(type);
        this.qualifiers();
      }
      this.qualifiers();
      if (this.at('(') && !this.isParamListStart()) {
        // Nested declarator: parse it against a placeholder, then patch in the suffix type.
        this.next();
        const startInner = this.pos;
        const probe = this.declarator(T.int);
        void probe;
        this.expect(')');
        const suffix = this.typeSuffix(type);
        const end = this.pos;
        this.pos = startInner;
        const inner = this.declarator(suffix.type);
        this.pos = end;
        return { ...inner, paramVars: inner.paramVars ?? suffix.params };
      }
      let name: string | undefined;
      let nameSpan = this.sp();
      if (this.tok.kind === TokenKind.Ident) {
        nameSpan = this.sp();
        name = this.next().text;
      }
      const attrs = this.attributes();
      const suffix = this.typeSuffix(type);
      Object.assign(attrs, this.attributes());
      return { name, type: suffix.type, nameSpan, paramVars: suffix.params, attrs };
    } finally {
      this.leave();
    }
  }

  /** An abstract declarator can start with `(` for a function suffix: `int (int)`. */
  private isParamListStart(): boolean {
    const n = this.peek();
    if (n.text === ')' && n.kind === TokenKind.Punct) return true;
    if (n.kind === TokenKind.Keyword && (n.text === 'void' || TYPE_KEYWORDS.has(n.text))) return !(n.text === '__attribute__');
    if (n.kind === TokenKind.Ident && (this.isTypedefName(n) || QUALIFIER_IDENTS.has(n.text))) return true;
    return false;
  }

  private qualifiers(): void {
    for (;;) {
      if (this.atKw('const', 'volatile', 'restrict', '__restrict', '__restrict__', '__volatile__', '__const', '_Atomic')) this.next();
      else if (this.atKw('__attribute__', '__attribute')) this.attributes();
      else if (this.tok.kind === TokenKind.Ident && QUALIFIER_IDENTS.has(this.tok.text)) this.next();
      else return;
    }
  }

  private typeSuffix(type: CType): { type: CType; params?: Var[] } {
    if (this.at('(')) {
      this.next();
      const { params, vars, variadic, unprototyped } = this.paramList();
      const rest = this.typeSuffix(type);
      if (rest.type.kind === 'array') this.error(this.sp(), `function returns an array`);
      const ft: FuncType = { kind: 'func', ret: rest.type, params, paramNames: vars.map((v) => v.name), variadic, unprototyped };
      return { type: ft, params: vars };
    }
    if (this.at('[')) {
      const open = this.next();
      while (this.atKw('static', 'const', 'volatile', 'restrict')) this.next();
      let len: number | undefined;
      let vla = false;
      if (!this.at(']')) {
        const e = this.assign();
        const v = this.constValue(e);
        if (v === undefined) {
          vla = true;
          this.unsupported(e.span, 'variable-length arrays (the kernel forbids them too: -Wvla)');
          len = 1;
        } else {
          len = Number(v);
          if (len < 0) {
            this.error(e.span, `size of array is negative`);
            len = 0;
          }
        }
      }
      this.expect(']');
      const rest = this.typeSuffix(type);
      if (rest.type.kind === 'struct' && !rest.type.complete) this.error(userSpan(open), `array type has incomplete element type '${typeName(rest.type)}'`);
      const at = arrayOf(rest.type, len);
      return { type: vla ? { ...at, vla: true } as CType : at };
    }
    return { type };
  }

  private paramList(): { params: CType[]; vars: Var[]; variadic: boolean; unprototyped: boolean } {
    const params: CType[] = [];
    const vars: Var[] = [];
    if (this.consume(')')) return { params, vars, variadic: false, unprototyped: true };
    if (this.atKw('void') && this.peek().text === ')') {
      this.next();
      this.next();
      return { params, vars, variadic: false, unprototyped: false };
    }
    let variadic = false;
    for (;;) {
      if (this.consume('...')) {
        variadic = true;
        break;
      }
      const spec = this.declSpec();
      const d = this.declarator(spec.type);
      let t = d.type;
      if (t.kind === 'array') t = ptrTo(t.of);
      else if (t.kind === 'func') t = ptrTo(t);
      if (t.kind === 'float') this.diags.error('KM2004', d.nameSpan, `floating point parameter cannot be used in kernel code`);
      params.push(t);
      vars.push({
        name: d.name ?? '', type: t, span: d.nameSpan, kind: 'param', isStatic: false, isExtern: false,
        addressTaken: t.kind === 'struct', init: undefined, attrs: {}, slot: -1, user: spec.user,
      });
      if (!this.consume(',')) break;
    }
    this.expect(')');
    return { params, vars, variadic, unprototyped: false };
  }

  /** A type name, as in casts and sizeof: specifiers plus an abstract declarator. */
  private typeName(): CType {
    const spec = this.declSpec();
    return this.declarator(spec.type).type;
  }

  // ---- initializers ---------------------------------------------------------------------------

  private initializer(type: CType): Initializer {
    const start = this.pos;
    const leaves: InitLeaf[] = [];
    let size = sizeOf(type);
    if (this.at('{') || (type.kind === 'array' && this.tok.kind === TokenKind.String)) {
      size = this.initAggregate(type, 0, leaves, true);
    } else {
      const e = this.assign();
      this.initScalar(type, 0, e, leaves);
    }
    return { span: this.spanFrom(start), leaves, size: Math.max(size, sizeOf(type)) };
  }

  private initScalar(type: CType, offset: number, e: Expr, leaves: InitLeaf[], bit?: { bitOffset?: number; bitWidth?: number }): void {
    if (type.kind === 'struct' || type.kind === 'array') {
      if (type.kind === 'struct' && e.type.kind === 'struct' && e.type === type) {
        leaves.push({ offset, type, expr: e });
        return;
      }
      this.error(e.span, `invalid initializer for '${typeName(type)}'`);
      return;
    }
    const expr = this.convertAssign(type, e, 'initialization');
    if (bit?.bitWidth !== undefined) leaves.push({ offset, type, expr, bitOffset: bit.bitOffset, bitWidth: bit.bitWidth });
    else leaves.push({ offset, type, expr });
  }

  /** Initialise an aggregate at `offset`; returns the size used (for arrays of unknown length). */
  private initAggregate(type: CType, offset: number, leaves: InitLeaf[], top: boolean): number {
    // A string literal initialises a char array.
    if (type.kind === 'array' && isCharType(type.of) && (this.tok.kind === TokenKind.String || (this.at('{') && this.peek().kind === TokenKind.String && this.peek(2).text === '}'))) {
      const braced = this.consume('{');
      const s = this.primary();
      if (braced) this.expect('}');
      if (s.k !== 'str') return 0;
      let bytes = s.bytes;
      if (type.len !== undefined) {
        if (bytes.length - 1 > type.len) this.warn(s.span, `initializer-string for array of 'char' is too long`);
        const b = new Uint8Array(type.len);
        b.set(bytes.subarray(0, Math.min(type.len, bytes.length)));
        bytes = b;
      }
      leaves.push({ offset, type, bytes });
      return bytes.length;
    }
    if (!this.at('{')) {
      // Brace elision: initialise this sub-aggregate from the following scalars.
      return this.initBraceless(type, offset, leaves);
    }
    this.next();
    this.enter();
    let used = 0;
    if (type.kind === 'array') {
      const esz = sizeOf(type.of);
      let idx = 0;
      let maxIdx = 0;
      while (!this.at('}') && !this.atEOF()) {
        if (this.at('[')) {
          this.next();
          idx = Number(this.constExpr());
          let hi = idx;
          if (this.consume('...')) hi = Number(this.constExpr());
          this.expect(']');
          this.consume('=');
          for (let i = idx; i <= hi; i++) {
            const save = this.pos;
            this.initElement(type.of, offset + i * esz, leaves);
            if (i < hi) this.pos = save;
          }
          idx = hi + 1;
        } else {
          if (type.len !== undefined && idx >= type.len) {
            this.warn(this.sp(), `excess elements in array initializer`);
            this.assign();
          } else this.initElement(type.of, offset + idx * esz, leaves);
          idx++;
        }
        maxIdx = Math.max(maxIdx, idx);
        if (!this.consume(',')) break;
      }
      used = (type.len ?? maxIdx) * esz;
    } else if (type.kind === 'struct') {
      let mi = 0;
      const members = type.members;
      while (!this.at('}') && !this.atEOF()) {
        if (this.at('.')) {
          // Designators may chain: .a.b = 1, .arr[2] = 3
          this.next();
          const nameTok = this.next();
          const found = findMember(type, nameTok.text);
          if (!found) {
            this.error(userSpan(nameTok), `'${typeName(type)}' has no member named '${nameTok.text}'`);
            this.skipTo([',', '}']);
          } else {
            const idx = members.findIndex((m) => m.name === nameTok.text);
            mi = idx >= 0 ? idx + 1 : mi;
            if (this.at('.') || this.at('[')) {
              this.designatedTail(found.member.type, offset + found.offset, leaves);
            } else {
              this.consume('=');
              this.initElement(found.member.type, offset + found.offset, leaves, found.member);
            }
          }
        } else if (this.tok.kind === TokenKind.Ident && this.peek().text === ':') {
          // GNU old-style designator `name: value`
          const nameTok = this.next();
          this.next();
          const found = findMember(type, nameTok.text);
          if (found) this.initElement(found.member.type, offset + found.offset, leaves, found.member);
          else this.assign();
        } else {
          while (mi < members.length && members[mi].name === '' && members[mi].bitWidth !== undefined) mi++;
          if (mi >= members.length) {
            this.warn(this.sp(), `excess elements in struct initializer`);
            this.assign();
          } else {
            const m = members[mi++];
            this.initElement(m.type, offset + m.offset, leaves, m);
          }
          if (type.union) mi = members.length;
        }
        if (!this.consume(',')) break;
      }
      used = type.size;
    } else {
      // Scalar in braces: `int x = { 3 };`
      const e = this.assign();
      this.initScalar(type, offset, e, leaves);
      this.consume(',');
      used = sizeOf(type);
    }
    this.expect('}');
    this.leave();
    void top;
    return used;
  }

  private designatedTail(type: CType, offset: number, leaves: InitLeaf[]): void {
    if (this.consume('.')) {
      const nameTok = this.next();
      const found = type.kind === 'struct' ? findMember(type, nameTok.text) : undefined;
      if (!found) {
        this.error(userSpan(nameTok), `request for member '${nameTok.text}' in something not a structure or union`);
        this.skipTo([',', '}']);
        return;
      }
      return this.designatedTail(found.member.type, offset + found.offset, leaves);
    }
    if (this.consume('[')) {
      const idx = Number(this.constExpr());
      this.expect(']');
      const et = type.kind === 'array' ? type.of : T.int;
      return this.designatedTail(et, offset + idx * sizeOf(et), leaves);
    }
    this.consume('=');
    this.initElement(type, offset, leaves);
  }

  private initElement(type: CType, offset: number, leaves: InitLeaf[], member?: { bitOffset?: number; bitWidth?: number }): void {
    if (type.kind === 'array' || type.kind === 'struct') {
      if (type.kind === 'struct' && !this.at('{')) {
        // A struct-typed expression (or brace elision).
        const save = this.pos;
        const e = this.assign();
        if (e.type.kind === 'struct' && e.type === type) {
          leaves.push({ offset, type, expr: e });
          return;
        }
        this.pos = save;
      }
      this.initAggregate(type, offset, leaves, false);
      return;
    }
    const braced = this.consume('{');
    const e = this.assign();
    if (braced) {
      this.consume(',');
      this.expect('}');
    }
    this.initScalar(type, offset, e, leaves, member);
  }

  private initBraceless(type: CType, offset: number, leaves: InitLeaf[]): number {
    if (type.kind === 'array') {
      const esz = sizeOf(type.of);
      const n = type.len ?? 0;
      for (let i = 0; i < n; i++) {
        this.initElement(type.of, offset + i * esz, leaves);
        if (i < n - 1 && !(this.at(',') && !this.peek().text.match(/^[}]$/))) break;
        if (i < n - 1) this.next();
      }
      return sizeOf(type);
    }
    if (type.kind === 'struct') {
      const ms = type.members.filter((m) => m.name !== '' || m.bitWidth === undefined);
      for (let i = 0; i < ms.length; i++) {
        this.initElement(ms[i].type, offset + ms[i].offset, leaves, ms[i]);
        if (type.union) break;
        if (i < ms.length - 1 && !(this.at(',') && this.peek().text !== '}')) break;
        if (i < ms.length - 1) this.next();
      }
      return type.size;
    }
    const e = this.assign();
    this.initScalar(type, offset, e, leaves);
    return sizeOf(type);
  }

  // ---- statements -----------------------------------------------------------------------------

  private compoundStatement(newScope = true): Block {
    const start = this.pos;
    this.expect('{');
    this.enter();
    if (newScope) this.pushScope();
    const stmts: Stmt[] = [];
    while (!this.at('}') && !this.atEOF()) {
      const before = this.pos;
      try {
        if (this.isDeclarationStart()) this.localDeclaration(stmts);
        else stmts.push(this.statement());
      } catch (e) {
        if (!(e instanceof ParseAbort)) throw e;
        this.recoverStatement();
      }
      if (this.pos === before) this.next();
    }
    if (this.atEOF()) {
      this.errorAt(this.tok, `expected '}' at end of input`);
    } else this.next();
    if (newScope) this.popScope();
    this.leave();
    return { k: 'block', span: this.spanFrom(start), stmts };
  }

  private recoverStatement(): void {
    let depth = 0;
    while (!this.atEOF()) {
      if (this.at('{')) depth++;
      else if (this.at('}')) {
        if (depth === 0) return; // let the enclosing block close
        depth--;
        if (depth === 0) {
          this.next();
          return;
        }
      } else if (this.at(';') && depth === 0) {
        this.next();
        return;
      }
      this.next();
    }
  }

  private isDeclarationStart(): boolean {
    const t = this.tok;
    if (t.kind === TokenKind.Keyword) {
      if (t.text === '_Static_assert') return true;
      return TYPE_KEYWORDS.has(t.text) || STORAGE_KEYWORDS.has(t.text);
    }
    if (t.kind === TokenKind.Ident) {
      if (QUALIFIER_IDENTS.has(t.text)) return true;
      if (this.isTypedefName(t)) {
        const n = this.peek();
        // `foo: label` or `foo = 3` where foo is a typedef shadowed... keep simple: a typedef name followed by ':' is a label.
        return n.text !== ':' && n.text !== '=' && n.text !== '(' || (n.text === '(' && this.peek(2).text === '*');
      }
    }
    return false;
  }

  private localDeclaration(out: Stmt[]): void {
    if (this.atKw('_Static_assert')) {
      this.staticAssert();
      return;
    }
    const spec = this.declSpec();
    if (this.consume(';')) return;
    for (;;) {
      const d = this.declarator(spec.type);
      const attrs = { ...spec.attrs, ...d.attrs, ...this.attributes() };
      if (d.name === undefined) {
        this.errorAt(this.tok, `expected identifier or '(' before ${this.describe(this.tok)}`);
        throw new ParseAbort(this.sp());
      }
      if (spec.storage === 'typedef') {
        this.declare(d.name, { kind: 'typedef', type: withAlias(d.type, d.name), user: true });
      } else if (d.type.kind === 'func') {
        const ref = this.declareFunction(d.name, d.type, d.nameSpan, false);
        this.declare(d.name, { kind: 'func', f: ref });
      } else if (spec.storage === 'static' || spec.storage === 'extern') {
        // Function-local statics live with the module's globals.
        const v: Var = {
          name: d.name, type: d.type, span: d.nameSpan, kind: 'global', isStatic: true, isExtern: spec.storage === 'extern',
          addressTaken: true, init: undefined, attrs, slot: -1, user: spec.user,
        };
        if (spec.storage === 'extern') {
          const g = this.scopes[0].vars.get(d.name);
          if (g?.kind === 'var') {
            this.declare(d.name, g);
            if (!this.consume(',')) break;
            continue;
          }
        }
        this.declare(d.name, { kind: 'var', v });
        if (this.consume('=')) {
          v.init = this.initializer(v.type);
          if (v.type.kind === 'array' && v.type.len === undefined) v.type = arrayOf(v.type.of, Math.floor(v.init.size / Math.max(1, sizeOf(v.type.of))));
        }
        this.globals.push(v);
      } else {
        let type: CType = d.type;
        const v: Var = {
          name: d.name, type, span: d.nameSpan, kind: 'local', isStatic: false, isExtern: false,
          addressTaken: type.kind === 'struct' || type.kind === 'array', init: undefined, attrs, slot: -1, user: spec.user,
        };
        // The variable is in scope in its own initializer (C11 6.2.1p7).
        this.declare(d.name, { kind: 'var', v });
        if (this.consume('=')) {
          if (spec.attrs.other?.includes('__auto_type')) {
            const e = this.assign();
            type = decay(e.type);
            v.type = type;
            v.init = { span: e.span, leaves: [{ offset: 0, type, expr: e }], size: sizeOf(type) };
          } else {
            v.init = this.initializer(type);
            if (type.kind === 'array' && type.len === undefined) {
              v.type = arrayOf(type.of, Math.floor(v.init.size / Math.max(1, sizeOf(type.of))));
            }
          }
        } else if (type.kind === 'array' && type.len === undefined) {
          this.error(d.nameSpan, `array size missing in '${d.name}'`);
          v.type = arrayOf(type.of, 1);
        }
        if (v.type.kind === 'void') this.error(d.nameSpan, `variable '${d.name}' declared void`);
        if (v.type.kind === 'struct' && !v.type.complete) this.error(d.nameSpan, `storage size of '${d.name}' isn't known`);
        if (v.type.kind === 'float') { /* reported by declSpec */ }
        this.curFunc?.locals.push(v);
        out.push({ k: 'decl', span: joinSpans(spec.span, this.spanFrom(this.pos - 1)), v });
      }
      if (this.consume(',')) continue;
      this.expectDeclEnd();
      return;
    }
    this.expectDeclEnd();
  }

  private statement(): Stmt {
    const start = this.pos;
    const t = this.tok;
    this.enter();
    try {
      if (t.kind === TokenKind.Keyword) {
        switch (t.text) {
          case 'if': {
            this.next();
            this.expect('(');
            const c = this.condition(this.expr());
            this.expect(')');
            const th = this.statement();
            let el: Stmt | undefined;
            if (this.atKw('else')) {
              this.next();
              el = this.statement();
            }
            return { k: 'if', span: this.spanFrom(start), c, t: th, f: el };
          }
          case 'while': {
            this.next();
            this.expect('(');
            const c = this.condition(this.expr());
            this.expect(')');
            const body = this.loopBody();
            return { k: 'while', span: this.spanFrom(start), c, body };
          }
          case 'do': {
            this.next();
            const body = this.loopBody();
            if (!this.atKw('while')) {
              this.errorAt(this.tok, `expected 'while' before ${this.describe(this.tok)}`);
              throw new ParseAbort(this.sp());
            }
            this.next();
            this.expect('(');
            const c = this.condition(this.expr());
            this.expect(')');
            this.expect(';');
            return { k: 'do', span: this.spanFrom(start), c, body };
          }
          case 'for': {
            this.next();
            this.expect('(');
            this.pushScope();
            let init: Stmt | undefined;
            if (this.isDeclarationStart()) {
              const decls: Stmt[] = [];
              this.localDeclaration(decls);
              init = decls.length === 1 ? decls[0] : { k: 'block', span: this.spanFrom(start), stmts: decls };
            } else if (!this.consume(';')) {
              const e = this.expr();
              init = { k: 'expr', span: e.span, e };
              this.expect(';');
            }
            const c = this.at(';') ? undefined : this.condition(this.expr());
            this.expect(';');
            const step = this.at(')') ? undefined : this.expr();
            this.expect(')');
            const body = this.loopBody();
            this.popScope();
            return { k: 'for', span: this.spanFrom(start), init, c, step, body };
          }
          case 'switch': {
            this.next();
            this.expect('(');
            let c = this.expr();
            if (!isInteger(c.type)) {
              this.error(c.span, `switch quantity not an integer`);
              c = { k: 'error', type: T.int, span: c.span };
            }
            c = this.cast(promote(c.type), c);
            this.expect(')');
            const sw: Extract<Stmt, { k: 'switch' }> = { k: 'switch', span: this.spanFrom(start), c, body: { k: 'empty', span: c.span }, cases: [], hasDefault: false };
            this.switches.push(sw);
            this.breakDepth++;
            try {
              sw.body = this.statement();
            } finally {
              this.breakDepth--;
              this.switches.pop();
            }
            sw.span = this.spanFrom(start);
            return sw;
          }
          case 'case': {
            this.next();
            const e = this.conditional();
            const v = this.constValue(e);
            let hi: I64 | undefined;
            if (this.consume('...')) hi = this.constExpr();
            this.expect(':');
            const sw = this.switches[this.switches.length - 1];
            const span = this.spanFrom(start);
            if (v === undefined) this.error(e.span, `case label does not reduce to an integer constant`);
            if (!sw) this.error(span, `case label not within a switch statement`);
            else if (v !== undefined) {
              const cv = sw.c.type.kind === 'int' && sw.c.type.size === 4 ? trunc(v, 32, sw.c.type.signed) : v;
              let seen = this.caseValues.get(sw);
              if (!seen) this.caseValues.set(sw, (seen = new Set()));
              if (seen.has(cv)) this.error(span, `duplicate case value`);
              seen.add(cv);
              sw.cases.push({ value: cv, span });
            }
            const body = this.at('}') ? ({ k: 'empty', span } as Stmt) : this.statement();
            return { k: 'case', span, value: v ?? 0, hi, body };
          }
          case 'default': {
            this.next();
            this.expect(':');
            const span = this.spanFrom(start);
            const sw = this.switches[this.switches.length - 1];
            if (!sw) this.error(span, `'default' label not within a switch statement`);
            else {
              if (sw.hasDefault) this.error(span, `multiple default labels in one switch`);
              sw.hasDefault = true;
            }
            const body = this.at('}') ? ({ k: 'empty', span } as Stmt) : this.statement();
            return { k: 'default', span, body };
          }
          case 'break':
            this.next();
            this.expect(';');
            if (this.breakDepth === 0) this.error(this.spanFrom(start), `break statement not within loop or switch`);
            return { k: 'break', span: this.spanFrom(start) };
          case 'continue':
            this.next();
            this.expect(';');
            if (this.continueDepth === 0) this.error(this.spanFrom(start), `continue statement not within a loop`);
            return { k: 'continue', span: this.spanFrom(start) };
          case 'return': {
            this.next();
            let e: Expr | undefined;
            const ret = this.curFunc?.type.ret ?? T.int;
            if (!this.at(';')) {
              e = this.expr();
              if (ret.kind === 'void') {
                if (e.type.kind !== 'void') this.warn(e.span, `'return' with a value, in function returning void`);
              } else e = this.convertAssign(ret, e, 'return');
            } else if (ret.kind !== 'void') {
              this.warn(this.sp(), `'return' with no value, in function returning non-void`);
            }
            this.expect(';');
            return { k: 'return', span: this.spanFrom(start), e };
          }
          case 'goto': {
            this.next();
            if (this.at('*')) {
              this.unsupported(this.sp(), 'computed goto');
              this.skipTo([';']);
              this.consume(';');
              return { k: 'empty', span: this.spanFrom(start) };
            }
            const l = this.next();
            if (l.kind !== TokenKind.Ident) this.errorAt(l, `expected identifier before ${this.describe(l)}`);
            this.expect(';');
            return { k: 'goto', span: this.spanFrom(start), label: l.text };
          }
          case 'asm': case '__asm__': case '__asm':
            this.unsupported(this.sp(), 'inline assembly (asm)');
            this.skipBalancedUntilSemicolon();
            return { k: 'empty', span: this.spanFrom(start) };
        }
      }
      if (t.kind === TokenKind.Punct) {
        if (t.text === '{') return this.compoundStatement();
        if (t.text === ';') {
          this.next();
          return { k: 'empty', span: this.spanFrom(start) };
        }
      }
      if (t.kind === TokenKind.Ident && this.peek().text === ':' && this.peek().kind === TokenKind.Punct) {
        this.next();
        this.next();
        this.attributes();
        const span = this.spanFrom(start);
        if (this.curFunc) {
          if (this.curFunc.labels.has(t.text)) this.error(span, `duplicate label '${t.text}'`);
          this.curFunc.labels.set(t.text, span);
        }
        const body = this.at('}') ? ({ k: 'empty', span } as Stmt) : this.isDeclarationStart() ? this.declAfterLabel(span) : this.statement();
        return { k: 'label', span, label: t.text, body };
      }
      const e = this.expr();
      this.expect(';', 'after expression');
      return { k: 'expr', span: this.spanFrom(start), e };
    } finally {
      this.leave();
    }
  }

  private declAfterLabel(span: Span): Stmt {
    const out: Stmt[] = [];
    this.localDeclaration(out);
    return out.length === 1 ? out[0] : { k: 'block', span, stmts: out };
  }

  private loopBody(): Stmt {
    this.breakDepth++;
    this.continueDepth++;
    try {
      return this.statement();
    } finally {
      this.breakDepth--;
      this.continueDepth--;
    }
  }

  private skipTo(stops: string[]): void {
    let depth = 0;
    while (!this.atEOF()) {
      if (depth === 0 && stops.includes(this.tok.text)) return;
      if (this.at('(') || this.at('{') || this.at('[')) depth++;
      if (this.at(')') || this.at('}') || this.at(']')) {
        if (depth === 0) return;
        depth--;
      }
      this.next();
    }
  }

  /** A controlling expression: must be scalar. */
  private condition(e: Expr): Expr {
    if (!isScalar(decay(e.type)) && e.k !== 'error') {
      this.error(e.span, `used ${typeName(e.type)} type value where scalar is required`);
      return { k: 'error', type: T.int, span: e.span };
    }
    if (e.k === 'assign' && e.value.k !== 'num') {
      // gcc -Wparentheses: suggest parentheses around assignment used as truth value (only when not parenthesised; we cannot tell, so skip)
    }
    return this.rvalue(e);
  }

  // ---- expressions ----------------------------------------------------------------------------

  expr(): Expr {
    let e = this.assign();
    while (this.at(',')) {
      this.next();
      const r = this.assign();
      e = { k: 'comma', type: r.type, span: joinSpans(e.span, r.span), l: e, r: this.rvalue(r) };
    }
    return e;
  }

  private assign(): Expr {
    this.enter();
    try {
      const l = this.conditional();
      const t = this.tok;
      if (t.kind === TokenKind.Punct && ASSIGN_OPS.has(t.text)) {
        this.next();
        const r = this.assign();
        return this.makeAssign(t.text, l, r, joinSpans(l.span, r.span));
      }
      return l;
    } finally {
      this.leave();
    }
  }

  private checkLvalue(e: Expr, what: string): boolean {
    if (e.k === 'error') return false;
    if (e.k === 'var' || e.k === 'deref' || e.k === 'member' || e.k === 'compound') {
      if (e.type.kind === 'array') {
        this.error(e.span, `assignment to expression with array type`);
        return false;
      }
      return true;
    }
    this.error(e.span, `lvalue required as ${what}`);
    return false;
  }

  private makeAssign(op: string, l: Expr, r: Expr, span: Span): Expr {
    if (!this.checkLvalue(l, op === '=' ? 'left operand of assignment' : 'left operand of assignment')) return { k: 'error', type: l.type, span };
    if (l.k === 'var') this.noteWrite(l);
    if (op === '=') {
      if (l.type.kind === 'struct') {
        if (r.type !== l.type) {
          this.error(span, `incompatible types when assigning to type '${typeName(l.type)}' from type '${typeName(r.type)}'`);
          return { k: 'error', type: l.type, span };
        }
        return { k: 'assign', type: l.type, span, target: l, value: r };
      }
      return { k: 'assign', type: l.type, span, target: l, value: this.convertAssign(l.type, r, 'assignment') };
    }
    const bop = op.slice(0, -1) as BinOp;
    const rv = this.rvalue(r);
    if (l.type.kind === 'ptr' && (bop === '+' || bop === '-') && isInteger(rv.type)) {
      return { k: 'opassign', type: l.type, span, op: bop === '+' ? 'ptr+' : 'ptr-', target: l, value: this.cast(T.long, rv), opType: l.type, scale: this.elemSize(l.type, span) };
    }
    if (!isArithmetic(l.type) || !isArithmetic(rv.type)) {
      this.error(span, `invalid operands to binary ${bop} (have '${typeName(l.type)}' and '${typeName(rv.type)}')`);
      return { k: 'error', type: l.type, span };
    }
    const opType = bop === '<<' || bop === '>>' ? promote(l.type) : commonType(l.type, rv.type);
    const value = bop === '<<' || bop === '>>' ? this.cast(promote(rv.type), rv) : this.cast(opType, rv);
    this.checkDivZero(bop, value);
    return { k: 'opassign', type: l.type, span, op: bop, target: l, value, opType, scale: 1 };
  }

  private noteWrite(_e: Expr): void {
    /* reserved for const checks */
  }

  private conditional(): Expr {
    const c = this.binary(1);
    if (!this.at('?')) return c;
    this.next();
    if (this.at(':')) {
      // GNU `a ?: b`
      this.next();
      const f = this.conditional();
      const cv = this.rvalue(c);
      return this.makeCond(this.condition(cv), cv, f);
    }
    const t = this.expr();
    this.expect(':');
    const f = this.conditional();
    return this.makeCond(this.condition(c), t, f);
  }

  private makeCond(c: Expr, t0: Expr, f0: Expr): Expr {
    const span = joinSpans(c.span, f0.span);
    const t = this.rvalue(t0);
    const f = this.rvalue(f0);
    let type: CType;
    if (isArithmetic(t.type) && isArithmetic(f.type)) type = commonType(t.type, f.type);
    else if (t.type.kind === 'void' || f.type.kind === 'void') type = T.void;
    else if (t.type.kind === 'ptr' && f.type.kind === 'ptr') type = t.type.to.kind === 'void' ? f.type : t.type;
    else if (t.type.kind === 'ptr' && this.isNullConst(f)) type = t.type;
    else if (f.type.kind === 'ptr' && this.isNullConst(t)) type = f.type;
    else if (t.type.kind === 'struct' && t.type === f.type) type = t.type;
    else if (t.type.kind === 'ptr' && isInteger(f.type)) {
      this.warn(span, `pointer/integer type mismatch in conditional expression`);
      type = t.type;
    } else if (f.type.kind === 'ptr' && isInteger(t.type)) {
      this.warn(span, `pointer/integer type mismatch in conditional expression`);
      type = f.type;
    } else {
      this.error(span, `type mismatch in conditional expression`);
      return { k: 'error', type: t.type, span };
    }
    return { k: 'cond', type, span, c, t: type.kind === 'void' || type.kind === 'struct' ? t : this.cast(type, t), f: type.kind === 'void' || type.kind === 'struct' ? f : this.cast(type, f) };
  }

  /**
   * Precedence climbing. A chain `a + b + c + ...` is parsed in a loop but builds a left-deep tree
   * that every later pass walks recursively, so each link counts as one level of nesting.
   */
  private binary(minPrec: number): Expr {
    let l = this.castExpr();
    let links = 0;
    try {
      for (;;) {
        const t = this.tok;
        if (t.kind !== TokenKind.Punct) return l;
        const prec = BINOP_PREC[t.text];
        if (prec === undefined || prec < minPrec) return l;
        this.next();
        this.enter();
        links++;
        const r = this.binary(prec + 1);
        l = this.makeBinary(t.text, l, r);
      }
    } finally {
      this.depth -= links;
    }
  }

  private makeBinary(op: string, l0: Expr, r0: Expr): Expr {
    const span = joinSpans(l0.span, r0.span);
    if (l0.k === 'error' || r0.k === 'error') return { k: 'error', type: T.int, span };
    const l = this.rvalue(l0);
    const r = this.rvalue(r0);
    if (op === '&&' || op === '||') {
      return { k: 'logical', type: T.int, span, op, l: this.condition(l), r: this.condition(r) };
    }
    const lt = l.type;
    const rt = r.type;
    if (op === '+' || op === '-') {
      if (lt.kind === 'ptr' && isInteger(rt)) return { k: 'ptradd', type: lt, span, op, p: l, i: this.cast(T.long, r), scale: this.elemSize(lt, span) };
      if (op === '+' && isInteger(lt) && rt.kind === 'ptr') return { k: 'ptradd', type: rt, span, op, p: r, i: this.cast(T.long, l), scale: this.elemSize(rt, span) };
      if (op === '-' && lt.kind === 'ptr' && rt.kind === 'ptr') {
        if (!sameType(lt.to, rt.to) && lt.to.kind !== 'void' && rt.to.kind !== 'void') this.error(span, `invalid operands to binary - (have '${typeName(lt)}' and '${typeName(rt)}')`);
        return { k: 'ptrdiff', type: T.long, span, l, r, scale: this.elemSize(lt, span) };
      }
    }
    if (op === '==' || op === '!=' || op === '<' || op === '>' || op === '<=' || op === '>=') {
      if (lt.kind === 'ptr' || rt.kind === 'ptr') {
        if (lt.kind === 'ptr' && rt.kind === 'ptr') {
          if (!sameType(lt.to, rt.to) && lt.to.kind !== 'void' && rt.to.kind !== 'void') this.warn(span, `comparison of distinct pointer types lacks a cast`);
        } else if (!(this.isNullConst(lt.kind === 'ptr' ? r : l))) {
          if (!isInteger(lt.kind === 'ptr' ? rt : lt)) {
            this.error(span, `invalid operands to binary ${op}`);
            return { k: 'error', type: T.int, span };
          }
          this.warn(span, `comparison between pointer and integer`);
        }
        return { k: 'binary', type: T.int, span, op: op as BinOp, l: this.cast(T.ulong, l), r: this.cast(T.ulong, r) };
      }
      if (!isArithmetic(lt) || !isArithmetic(rt)) {
        this.error(span, `invalid operands to binary ${op} (have '${typeName(lt)}' and '${typeName(rt)}')`);
        return { k: 'error', type: T.int, span };
      }
      // (gcc's -Wsign-compare is not part of the kernel's default warnings, so it is not reported.)
      const ct = commonType(lt, rt);
      return { k: 'binary', type: T.int, span, op: op as BinOp, l: this.cast(ct, l), r: this.cast(ct, r) };
    }
    if (!isArithmetic(lt) || !isArithmetic(rt)) {
      this.error(span, `invalid operands to binary ${op} (have '${typeName(lt)}' and '${typeName(rt)}')`);
      return { k: 'error', type: T.int, span };
    }
    if ((op === '%' || op === '&' || op === '|' || op === '^' || op === '<<' || op === '>>') && (lt.kind === 'float' || rt.kind === 'float')) {
      this.error(span, `invalid operands to binary ${op}`);
      return { k: 'error', type: T.int, span };
    }
    if (op === '<<' || op === '>>') {
      const pt = promote(lt);
      const rr = this.cast(promote(rt), r);
      const c = this.constValue(rr);
      if (c !== undefined && (cmp64(c, 0) < 0 || cmp64(c, sizeOf(pt) * 8) >= 0)) this.warn(rr.span, cmp64(c, 0) < 0 ? `${op === '<<' ? 'left' : 'right'} shift count is negative` : `${op === '<<' ? 'left' : 'right'} shift count >= width of type`);
      return this.fold({ k: 'binary', type: pt, span, op: op as BinOp, l: this.cast(pt, l), r: rr });
    }
    const ct = commonType(lt, rt);
    const rr = this.cast(ct, r);
    this.checkDivZero(op, rr);
    return this.fold({ k: 'binary', type: ct, span, op: op as BinOp, l: this.cast(ct, l), r: rr });
  }

  private checkDivZero(op: string, r: Expr): void {
    if ((op === '/' || op === '%') && this.constValue(r) === 0) this.warn(r.span, `division by zero`);
  }

  private elemSize(pt: CType, span: Span): number {
    if (pt.kind !== 'ptr') return 1;
    const t = pt.to;
    if (t.kind === 'struct' && !t.complete) {
      this.error(span, `invalid use of undefined type '${typeName(t)}'`);
      return 1;
    }
    return Math.max(1, sizeOf(t));
  }

  private isNullConst(e: Expr): boolean {
    let x = e;
    while (x.k === 'cast' && (x.type.kind === 'ptr' && x.type.to.kind === 'void' || isInteger(x.type))) x = x.e;
    return x.k === 'num' && x.value === 0;
  }

  /** Fold integer constant expressions so constants stay constants (array sizes, case labels). */
  private fold(e: Expr): Expr {
    const v = this.constValue(e);
    if (v === undefined) return e;
    return { k: 'num', type: e.type, span: e.span, value: v };
  }

  private castExpr(): Expr {
    if (this.at('(') && this.isTypeStart(this.peek())) {
      const start = this.pos;
      this.next();
      const type = this.typeName();
      this.expect(')');
      if (this.at('{')) {
        // Compound literal.
        return this.postfixOps(this.compoundLiteral(type, start));
      }
      // Casts nest like prefix operators: `(int)(long)(int)x` is one level each.
      this.enter();
      let e: Expr;
      try {
        e = this.castExpr();
      } finally {
        this.leave();
      }
      const span = this.spanFrom(start);
      return this.explicitCast(type, e, span);
    }
    return this.unary();
  }

  private compoundLiteral(type: CType, start: number): Expr {
    const init = this.initializer(type);
    const t = type.kind === 'array' && type.len === undefined ? arrayOf(type.of, Math.floor(init.size / Math.max(1, sizeOf(type.of)))) : type;
    const span = this.spanFrom(start);
    const v: Var = {
      name: `<compound literal ${++this.anonCount}>`, type: t, span, kind: this.curFunc ? 'local' : 'global', isStatic: !this.curFunc,
      isExtern: false, addressTaken: true, init, attrs: {}, slot: -1,
    };
    if (this.curFunc) this.curFunc.locals.push(v);
    else this.globals.push(v);
    return { k: 'compound', type: t, span, v };
  }

  private explicitCast(type: CType, e0: Expr, span: Span): Expr {
    if (e0.k === 'error') return { ...e0, type };
    if (type.kind === 'void') return { k: 'cast', type, span, e: e0 };
    const e = this.rvalue(e0);
    if (type.kind === 'struct' || type.kind === 'array') {
      this.error(span, `conversion to non-scalar type requested`);
      return { k: 'error', type, span };
    }
    if (!isScalar(e.type)) {
      this.error(span, `aggregate value used where a${type.kind === 'int' ? 'n integer' : ' scalar'} was expected`);
      return { k: 'error', type, span };
    }
    if (type.kind === 'float' || e.type.kind === 'float') {
      this.diags.error('KM2004', span, `floating point cannot be used in kernel code`);
      return { k: 'error', type, span };
    }
    return this.fold({ k: 'cast', type, span, e });
  }

  /** Insert an implicit conversion (a no-op when the representation does not change). */
  cast(type: CType, e: Expr): Expr {
    if (sameType(type, e.type) && e.type.kind !== 'array' && e.type.kind !== 'func') return e;
    if (e.k === 'num' && type.kind === 'int') return { k: 'num', type, span: e.span, value: convertConst(e.value, type) };
    if (e.k === 'num' && type.kind === 'ptr') return { k: 'num', type, span: e.span, value: e.value };
    return { k: 'cast', type, span: e.span, e };
  }

  /** Convert for assignment/initialisation/argument passing/return, with gcc's warnings. */
  private convertAssign(to: CType, e0: Expr, ctx: string): Expr {
    if (e0.k === 'error') return { ...e0, type: to };
    const e = this.rvalue(e0);
    const from = e.type;
    if (to.kind === 'ptr') {
      if (from.kind === 'ptr') {
        if (!compatiblePointee(to.to, from.to)) {
          this.warn(e.span, `${ctx === 'argument' ? 'passing argument' : ctx} from incompatible pointer type: '${typeName(from)}' to '${typeName(to)}'`);
        }
        return this.cast(to, e);
      }
      if (isInteger(from)) {
        if (!this.isNullConst(e)) this.warn(e.span, `${ctx} makes pointer from integer without a cast`);
        return this.cast(to, e);
      }
    }
    if (to.kind === 'int' && from.kind === 'ptr') {
      if (to.ik !== 'bool') this.warn(e.span, `${ctx} makes integer from pointer without a cast`);
      return this.cast(to, e);
    }
    if (to.kind === 'struct') {
      if (from !== to) this.error(e.span, `incompatible types when ${ctx === 'argument' ? 'passing argument of' : 'initializing'} type '${typeName(to)}' using type '${typeName(from)}'`);
      return e;
    }
    if (to.kind === 'float' || from.kind === 'float') {
      if (from.kind === 'float') this.diags.error('KM2004', e.span, `floating point cannot be used in kernel code`);
      return { k: 'error', type: to, span: e.span };
    }
    if (!isScalar(from)) {
      this.error(e.span, `incompatible types in ${ctx}: '${typeName(from)}' to '${typeName(to)}'`);
      return { k: 'error', type: to, span: e.span };
    }
    if (to.kind === 'int' && e.k === 'num' && to.ik !== 'bool') {
      const v = convertConst(e.value, to);
      if (v !== e.value && !(from.kind === 'int' && !from.signed) && sizeOf(to) < 8) {
        const asUnsigned = convertConst(e.value, { ...to, signed: !to.signed } as CType);
        if (asUnsigned !== e.value || cmp64(e.value, 0) < 0 && !to.signed) {
          this.warn(e.span, `overflow in conversion from '${typeName(from)}' to '${typeName(to)}' changes value from '${String(e.value)}' to '${String(v)}'`);
        }
      }
    }
    return this.cast(to, e);
  }

  /** Array-to-pointer and function-to-pointer decay for rvalues. */
  rvalue(e: Expr): Expr {
    if (e.type.kind === 'array') return { k: 'addr', type: ptrTo(e.type.of), span: e.span, e };
    if (e.type.kind === 'func') return { k: 'addr', type: ptrTo(e.type), span: e.span, e };
    return e;
  }

  /** Prefix operators nest (`- - - x`, `sizeof sizeof x`, casts through castExpr): one level each. */
  private unary(): Expr {
    this.enter();
    try {
      return this.unaryOperand();
    } finally {
      this.leave();
    }
  }

  private unaryOperand(): Expr {
    const t = this.tok;
    const start = this.pos;
    if (t.kind === TokenKind.Punct) {
      switch (t.text) {
        case '+': {
          this.next();
          const e = this.rvalue(this.castExpr());
          if (!isArithmetic(e.type)) this.error(e.span, `wrong type argument to unary plus`);
          return this.cast(promote(e.type), e);
        }
        case '-': case '~': {
          this.next();
          const e0 = this.castExpr();
          const e = this.rvalue(e0);
          const span = this.spanFrom(start);
          if (!isArithmetic(e.type) || (t.text === '~' && e.type.kind === 'float')) {
            if (e.k !== 'error') this.error(span, `wrong type argument to ${t.text === '-' ? 'unary minus' : 'bit-complement'}`);
            return { k: 'error', type: T.int, span };
          }
          const pt = promote(e.type);
          return this.fold({ k: 'unary', type: pt, span, op: t.text as '-' | '~', e: this.cast(pt, e) });
        }
        case '!': {
          this.next();
          const e = this.castExpr();
          const span = this.spanFrom(start);
          return this.fold({ k: 'unary', type: T.int, span, op: '!', e: this.condition(e) });
        }
        case '&': {
          this.next();
          const e = this.castExpr();
          const span = this.spanFrom(start);
          if (e.k === 'error') return e;
          if (e.k === 'member' && e.bitWidth !== undefined) {
            this.error(span, `cannot take address of bit-field '${e.name}'`);
            return { k: 'error', type: ptrTo(e.type), span };
          }
          if (e.k === 'func') return { k: 'addr', type: ptrTo(e.type), span, e };
          if (e.k !== 'var' && e.k !== 'deref' && e.k !== 'member' && e.k !== 'compound' && e.k !== 'str') {
            this.error(span, `lvalue required as unary '&' operand`);
            return { k: 'error', type: ptrTo(e.type), span };
          }
          if (e.k === 'var') e.v.addressTaken = true;
          if (e.k === 'deref') return this.cast(ptrTo(e.type), e.e); // &*p is p
          return { k: 'addr', type: ptrTo(e.type), span, e };
        }
        case '*': {
          this.next();
          const e0 = this.castExpr();
          const span = this.spanFrom(start);
          return this.makeDeref(e0, span);
        }
        case '++': case '--': {
          this.next();
          const e = this.unary();
          return this.makeIncDec(e, true, t.text === '++', this.spanFrom(start));
        }
        case '&&':
          this.next();
          this.unsupported(this.spanFrom(start), 'labels as values (&&label)');
          this.next();
          return { k: 'error', type: ptrTo(T.void), span: this.spanFrom(start) };
      }
    }
    if (t.kind === TokenKind.Keyword) {
      switch (t.text) {
        case 'sizeof': {
          this.next();
          let type: CType;
          if (this.at('(') && this.isTypeStart(this.peek())) {
            this.next();
            type = this.typeName();
            this.expect(')');
            if (this.at('{')) {
              type = this.compoundLiteral(type, start).type;
            }
          } else {
            const e = this.unary();
            type = e.type;
            if (e.k === 'member' && e.bitWidth !== undefined) this.error(e.span, `'sizeof' applied to a bit-field`);
          }
          const span = this.spanFrom(start);
          if (type.kind === 'struct' && !type.complete) this.error(span, `invalid application of 'sizeof' to incomplete type '${typeName(type)}'`);
          if (type.kind === 'func') this.warn(span, `invalid application of 'sizeof' to a function type`);
          return { k: 'num', type: T.ulong, span, value: sizeOf(type) };
        }
        case '_Alignof': case '__alignof__': {
          this.next();
          this.expect('(');
          const type = this.isTypeStart() ? this.typeName() : this.expr().type;
          this.expect(')');
          return { k: 'num', type: T.ulong, span: this.spanFrom(start), value: alignOf(type) };
        }
        case '__builtin_offsetof': {
          this.next();
          this.expect('(');
          const type = this.typeName();
          this.expect(',');
          let off = 0;
          let cur = type;
          for (;;) {
            const nameTok = this.next();
            const found = cur.kind === 'struct' ? findMember(cur, nameTok.text) : undefined;
            if (!found) {
              this.error(userSpan(nameTok), `'${typeName(cur)}' has no member named '${nameTok.text}'`);
              break;
            }
            off += found.offset;
            cur = found.member.type;
            while (this.at('[')) {
              this.next();
              const idx = Number(this.constExpr());
              this.expect(']');
              if (cur.kind === 'array') {
                off += idx * sizeOf(cur.of);
                cur = cur.of;
              }
            }
            if (!this.consume('.')) break;
          }
          this.expect(')');
          return { k: 'num', type: T.ulong, span: this.spanFrom(start), value: off };
        }
        case '__builtin_va_arg': {
          this.next();
          this.expect('(');
          const ap = this.assign();
          this.expect(',');
          const type = this.typeName();
          this.expect(')');
          return { k: 'vaarg', type, span: this.spanFrom(start), ap };
        }
        case '__extension__':
          this.next();
          return this.castExpr();
      }
    }
    return this.postfix();
  }

  private makeDeref(e0: Expr, span: Span): Expr {
    const e = this.rvalue(e0);
    if (e.k === 'error') return { k: 'error', type: T.int, span };
    if (e.type.kind !== 'ptr') {
      this.error(span, `invalid type argument of unary '*' (have '${typeName(e.type)}')`);
      return { k: 'error', type: T.int, span };
    }
    const to = e.type.to;
    if (to.kind === 'func') return e0.k === 'func' ? e0 : { k: 'deref', type: to, span, e };
    if (to.kind === 'void') {
      this.warn(span, `dereferencing 'void *' pointer`);
    }
    if (to.kind === 'struct' && !to.complete) {
      this.error(span, `dereferencing pointer to incomplete type '${typeName(to)}'`);
      return { k: 'error', type: T.int, span };
    }
    return { k: 'deref', type: to, span, e };
  }

  private makeIncDec(e: Expr, prefix: boolean, inc: boolean, span: Span): Expr {
    if (!this.checkLvalue(e, `${inc ? 'increment' : 'decrement'} operand`)) return { k: 'error', type: e.type, span };
    if (!isScalar(e.type)) {
      this.error(span, `wrong type argument to ${inc ? 'increment' : 'decrement'}`);
      return { k: 'error', type: e.type, span };
    }
    const step = e.type.kind === 'ptr' ? this.elemSize(e.type, span) : 1;
    return { k: 'incdec', type: e.type, span, prefix, delta: inc ? step : -step, target: e };
  }

  private postfix(): Expr {
    const e = this.primary();
    return this.postfixOps(e);
  }

  private postfixOps(e0: Expr): Expr {
    let e = e0;
    for (;;) {
      const t = this.tok;
      if (t.kind !== TokenKind.Punct) return e;
      switch (t.text) {
        case '[': {
          this.next();
          const idx = this.expr();
          this.expect(']');
          const span = joinSpans(e.span, userSpan(this.toks[this.pos - 1]));
          const base = this.rvalue(e);
          const i = this.rvalue(idx);
          let sum: Expr;
          if (base.type.kind === 'ptr' && isInteger(i.type)) sum = { k: 'ptradd', type: base.type, span, op: '+', p: base, i: this.cast(T.long, i), scale: this.elemSize(base.type, span) };
          else if (i.type.kind === 'ptr' && isInteger(base.type)) sum = { k: 'ptradd', type: i.type, span, op: '+', p: i, i: this.cast(T.long, base), scale: this.elemSize(i.type, span) };
          else {
            if (base.k !== 'error' && i.k !== 'error') this.error(span, `subscripted value is neither array nor pointer`);
            e = { k: 'error', type: T.int, span };
            continue;
          }
          this.checkConstIndex(e, idx, span);
          e = this.makeDeref(sum, span);
          continue;
        }
        case '(': {
          e = this.call(e);
          continue;
        }
        case '.': case '->': {
          this.next();
          const nameTok = this.next();
          const span = joinSpans(e.span, userSpan(nameTok));
          let base = e;
          if (t.text === '->') {
            const r = this.rvalue(e);
            if (r.type.kind !== 'ptr' || r.type.to.kind !== 'struct') {
              if (r.k !== 'error') this.error(span, `invalid type argument of '->' (have '${typeName(r.type)}')`);
              e = { k: 'error', type: T.int, span };
              continue;
            }
            base = this.makeDeref(r, span);
          }
          const st = base.type;
          if (st.kind !== 'struct') {
            if (base.k !== 'error') this.error(span, `request for member '${nameTok.text}' in something not a structure or union`);
            e = { k: 'error', type: T.int, span };
            continue;
          }
          if (!st.complete) {
            this.error(span, `invalid use of undefined type '${typeName(st)}'`);
            e = { k: 'error', type: T.int, span };
            continue;
          }
          const found = findMember(st, nameTok.text);
          if (!found) {
            this.error(userSpan(nameTok), `'${typeName(st)}' has no member named '${nameTok.text}'`);
            e = { k: 'error', type: T.int, span };
            continue;
          }
          e = { k: 'member', type: found.member.type, span, e: base, name: nameTok.text, offset: found.offset, bitOffset: found.member.bitOffset, bitWidth: found.member.bitWidth };
          continue;
        }
        case '++': case '--': {
          this.next();
          e = this.makeIncDec(e, false, t.text === '++', joinSpans(e.span, userSpan(t)));
          continue;
        }
      }
      return e;
    }
  }

  /** gcc -Warray-bounds for constant indexes into arrays of known size. */
  private checkConstIndex(arr: Expr, idx: Expr, span: Span): void {
    if (arr.type.kind !== 'array' || arr.type.len === undefined) return;
    const v = this.constValue(idx);
    if (v === undefined) return;
    if (cmp64(v, 0) < 0 || cmp64(v, arr.type.len) >= 0) {
      if (arr.type.len === 0) return; // zero-length trailing arrays
      this.warn(span, `array subscript ${String(v)} is outside array bounds of '${typeName(arr.type)}'`);
    }
  }

  private call(callee0: Expr): Expr {
    const open = this.next();
    const args: Expr[] = [];
    while (!this.at(')') && !this.atEOF()) {
      args.push(this.assign());
      if (!this.consume(',')) break;
    }
    const close = this.expect(')');
    const span = joinSpans(callee0.span, userSpan(close));
    void open;
    if (callee0.k === 'error') return { k: 'error', type: T.int, span };
    const callee = this.rvalue(callee0);
    let ft: CType | undefined = callee.type.kind === 'ptr' ? callee.type.to : undefined;
    if (!ft || ft.kind !== 'func') {
      this.error(span, `called object is not a function or function pointer`);
      return { k: 'error', type: T.int, span };
    }
    const f = ft as FuncType;
    const name = callee0.k === 'func' ? callee0.f.name : undefined;
    const builtin = name !== undefined ? this.builtinCall(name, args, span) : undefined;
    if (builtin) return builtin;
    if (!f.unprototyped) {
      if (args.length < f.params.length || (!f.variadic && args.length > f.params.length)) {
        this.error(span, `too ${args.length < f.params.length ? 'few' : 'many'} arguments to function '${name ?? typeName(f)}'`);
      }
    }
    const conv: Expr[] = args.map((a, i) => {
      if (i < f.params.length && !f.unprototyped) return this.convertAssign(f.params[i], a, 'argument');
      const r = this.rvalue(a);
      if (r.type.kind === 'float') this.diags.error('KM2004', r.span, `floating point cannot be used in kernel code`);
      return isInteger(r.type) ? this.cast(promote(r.type), r) : r;
    });
    if (name && this.curFunc) this.curFunc.calls.push({ name, span });
    return { k: 'call', type: f.ret, span, callee, args: conv, direct: callee0.k === 'func' ? callee0.f : undefined };
  }

  /** Compiler builtins that are not functions. */
  private builtinCall(name: string, args: Expr[], span: Span): Expr | undefined {
    switch (name) {
      case '__builtin_expect':
      case '__builtin_expect_with_probability':
        return args[0] ? this.rvalue(args[0]) : { k: 'error', type: T.long, span };
      case '__builtin_constant_p':
        return { k: 'num', type: T.int, span, value: args[0] && this.constValue(args[0]) !== undefined ? 1 : 0 };
      case '__builtin_unreachable':
      case '__builtin_trap':
        return undefined;
      case '__builtin_types_compatible_p':
        return undefined;
    }
    return undefined;
  }

  private primary(): Expr {
    const t = this.tok;
    const start = this.pos;
    switch (t.kind) {
      case TokenKind.Number: {
        this.next();
        return this.numberLiteral(t);
      }
      case TokenKind.Char: {
        this.next();
        const v = decodeCharLiteral(t.text);
        const wide = /^[LuU]/.test(t.text);
        return { k: 'num', type: wide ? T.int : T.int, span: userSpan(t), value: wide ? v : (v << 24) >> 24 };
      }
      case TokenKind.String: {
        // Adjacent string literals concatenate.
        const parts: number[] = [];
        let wide = false;
        while (this.tok.kind === TokenKind.String) {
          const s = decodeStringLiteral(this.next().text);
          wide = wide || s.wide;
          for (const b of s.bytes) parts.push(b);
        }
        if (wide) this.unsupported(this.spanFrom(start), 'wide string literals');
        parts.push(0);
        return this.makeString(new Uint8Array(parts), this.spanFrom(start));
      }
      case TokenKind.Ident: {
        this.next();
        const span = userSpan(t);
        if (t.text.startsWith('__builtin_') && this.at('(')) {
          const alias = BUILTIN_ALIASES[t.text];
          if (alias) {
            const e = this.lookup(alias);
            if (e?.kind === 'func') return { k: 'func', type: e.f.type, span, f: e.f };
          }
          if (t.text === '__builtin_types_compatible_p') {
            this.next();
            const a = this.typeName();
            this.expect(',');
            const b = this.typeName();
            this.expect(')');
            return { k: 'num', type: T.int, span: this.spanFrom(start), value: sameType(a, b) ? 1 : 0 };
          }
          if (t.text === '__builtin_choose_expr') {
            this.next();
            const c = this.assign();
            this.expect(',');
            const a = this.assign();
            this.expect(',');
            const b = this.assign();
            this.expect(')');
            return this.constValue(c) ? a : b;
          }
          if (t.text === '__builtin_va_start' || t.text === '__builtin_va_end' || t.text === '__builtin_va_copy') {
            this.unsupported(span, `${t.text} (variadic functions written in the module)`);
            this.skipTo([')']);
            this.consume(')');
            return { k: 'error', type: T.void, span: this.spanFrom(start) };
          }
          if (['__builtin_expect', '__builtin_expect_with_probability', '__builtin_constant_p', '__builtin_unreachable', '__builtin_trap'].includes(t.text)) {
            const ft: FuncType = { kind: 'func', ret: t.text === '__builtin_expect' ? T.long : t.text === '__builtin_constant_p' ? T.int : T.void, params: [], paramNames: [], variadic: true, unprototyped: true };
            const ref: FuncRef = this.funcRefs.get(t.text) ?? { name: t.text, type: ft, def: undefined };
            if (t.text === '__builtin_unreachable' || t.text === '__builtin_trap') this.funcRefs.set(t.text, ref);
            return { k: 'func', type: ft, span, f: ref };
          }
        }
        const e = this.lookup(t.text);
        if (!e) {
          if (this.at('(')) {
            this.diags.error('KM2003', span, `implicit declaration of function '${t.text}'`);
            const ft: FuncType = { kind: 'func', ret: T.int, params: [], paramNames: [], variadic: false, unprototyped: true };
            const ref = this.declareFunction(t.text, ft, span, false);
            return { k: 'func', type: ft, span, f: ref };
          }
          this.diags.error('KM2001', span, `'${t.text}' undeclared${this.curFunc ? ' (first use in this function)' : ' here (not in a function)'}`);
          // Declare it to suppress repeated reports.
          this.declare(t.text, { kind: 'var', v: { name: t.text, type: T.int, span, kind: 'local', isStatic: false, isExtern: false, addressTaken: false, init: undefined, attrs: {}, slot: -1 } });
          return { k: 'error', type: T.int, span };
        }
        switch (e.kind) {
          case 'var':
            // __func__ is emitted into the module's data only where a function uses it, as gcc does.
            if (!e.v.referenced && this.funcNames.has(e.v)) this.globals.push(e.v);
            e.v.referenced = true;
            return { k: 'var', type: e.v.type, span, v: e.v };
          case 'enum': return { k: 'num', type: e.type, span, value: e.value };
          case 'func': return { k: 'func', type: e.f.type, span, f: e.f };
          case 'typedef':
            this.errorAt(t, `expected expression before '${t.text}'`);
            throw new ParseAbort(span);
        }
        break;
      }
      case TokenKind.Punct: {
        if (t.text === '(') {
          this.next();
          if (this.at('{')) {
            // GNU statement expression.
            if (!this.curFunc) {
              this.errorAt(t, `braced-group within expression allowed only inside a function`);
            }
            this.pushScope();
            const body = this.compoundStatement(false);
            this.popScope();
            this.expect(')');
            const last = body.stmts[body.stmts.length - 1];
            const type = last && last.k === 'expr' ? decay(last.e.type) : T.void;
            if (last && last.k === 'expr') last.e = this.rvalue(last.e);
            return { k: 'stmtexpr', type, span: this.spanFrom(start), body };
          }
          const e = this.expr();
          this.expect(')');
          return e;
        }
        break;
      }
      case TokenKind.Keyword:
        if (t.text === '__func__' || t.text === '__FUNCTION__') break;
        break;
      default:
        break;
    }
    this.errorAt(t, `expected expression before ${this.describe(t)}`);
    throw new ParseAbort(userSpan(t));
  }

  private stringLiteral(text: string, span: Span): Extract<Expr, { k: 'str' }> {
    const bytes = new Uint8Array(text.length + 1);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
    return this.makeString(bytes, span);
  }

  private makeString(bytes: Uint8Array, span: Span): Extract<Expr, { k: 'str' }> {
    const s: Extract<Expr, { k: 'str' }> = { k: 'str', type: arrayOf(T.char, bytes.length), span, bytes, id: this.strings.length };
    this.strings.push(s);
    return s;
  }

  private numberLiteral(t: Token): Expr {
    const span = userSpan(t);
    const r = parseIntegerLiteral(t.text);
    if (r.kind === 'float') {
      this.diags.error('KM2004', span, `floating point constant '${t.text}' cannot be used in kernel code`);
      return { k: 'num', type: T.int, span, value: 0 };
    }
    if (r.kind === 'error') {
      this.error(span, r.message, 'KM1001');
      return { k: 'num', type: T.int, span, value: 0 };
    }
    return { k: 'num', type: r.type, span, value: r.value };
  }

  // ---- constant evaluation --------------------------------------------------------------------

  constExpr(): I64 {
    const e = this.conditional();
    const v = this.constValue(e);
    if (v === undefined) {
      this.error(e.span, `expression is not an integer constant expression`);
      return 0;
    }
    return v;
  }

  /** The value of an integer constant expression, or undefined if it is not one. */
  constValue(e: Expr): I64 | undefined {
    return evalConst(e);
  }
}

/** Evaluate an integer constant expression with C semantics (wrapping to the expression's type). */
export function evalConst(e: Expr): I64 | undefined {
  switch (e.k) {
    case 'num': return e.value;
    case 'cast': {
      if (e.type.kind === 'ptr') {
        const v = evalConst(e.e);
        return v;
      }
      if (e.type.kind !== 'int') return undefined;
      const v = evalConst(e.e);
      return v === undefined ? undefined : convertConst(v, e.type);
    }
    case 'unary': {
      const v = evalConst(e.e);
      if (v === undefined) return undefined;
      if (e.op === '!') return v === 0 ? 1 : 0;
      const r = e.op === '-' ? neg64(v) : not64(v);
      return convertConst(r, e.type);
    }
    case 'binary': {
      const l = evalConst(e.l);
      if (l === undefined) return undefined;
      const r = evalConst(e.r);
      if (r === undefined) return undefined;
      const ot = e.op === '==' || e.op === '!=' || e.op === '<' || e.op === '<=' || e.op === '>' || e.op === '>=' ? e.l.type : e.type;
      const uns = ot.kind === 'ptr' || (ot.kind === 'int' && !ot.signed);
      let v: I64;
      switch (e.op) {
        case '+': v = add64(l, r); break;
        case '-': v = sub64(l, r); break;
        case '*': v = mul64(l, r); break;
        case '/': if (r === 0) return undefined; v = uns ? udiv64(l, r) : sdiv64(l, r); break;
        case '%': if (r === 0) return undefined; v = uns ? urem64(l, r) : srem64(l, r); break;
        case '<<': v = shl64(l, Number(r) & 63); break;
        case '>>': v = uns ? shr64(ot.kind === 'int' && ot.size === 4 ? convertConst(l, ot) : l, Number(r) & 63) : sar64(l, Number(r) & 63); break;
        case '&': v = and64(l, r); break;
        case '|': v = or64(l, r); break;
        case '^': v = xor64(l, r); break;
        case '==': return l === r ? 1 : 0;
        case '!=': return l !== r ? 1 : 0;
        case '<': return (uns ? ucmp64(l, r) : cmp64(l, r)) < 0 ? 1 : 0;
        case '<=': return (uns ? ucmp64(l, r) : cmp64(l, r)) <= 0 ? 1 : 0;
        case '>': return (uns ? ucmp64(l, r) : cmp64(l, r)) > 0 ? 1 : 0;
        case '>=': return (uns ? ucmp64(l, r) : cmp64(l, r)) >= 0 ? 1 : 0;
      }
      return convertConst(v, e.type);
    }
    case 'logical': {
      const l = evalConst(e.l);
      if (l === undefined) return undefined;
      if (e.op === '&&' && l === 0) return 0;
      if (e.op === '||' && l !== 0) return 1;
      const r = evalConst(e.r);
      if (r === undefined) return undefined;
      return r !== 0 ? 1 : 0;
    }
    case 'cond': {
      const c = evalConst(e.c);
      if (c === undefined) return undefined;
      return evalConst(c !== 0 ? e.t : e.f);
    }
    case 'comma':
      return undefined;
    default:
      return undefined;
  }
}

/** Convert an integer constant to a C integer type (wrapping). */
export function convertConst(v: I64, t: CType): I64 {
  if (t.kind === 'ptr') return v;
  if (t.kind !== 'int') return v;
  if (t.ik === 'bool') return v !== 0 ? 1 : 0;
  if (t.size === 8) return v; // I64 is already the signed 64-bit reading; unsignedness is in the type
  return trunc(v, t.size * 8, t.signed);
}

function isCharType(t: CType): boolean {
  return t.kind === 'int' && t.size === 1 && t.ik !== 'bool';
}

function compatiblePointee(a: CType, b: CType): boolean {
  if (a.kind === 'void' || b.kind === 'void') return true;
  if (a.kind === 'int' && b.kind === 'int') return a.size === b.size && (a.signed === b.signed || a.size === 1);
  if (a.kind === 'struct' || b.kind === 'struct') return a === b || (a.kind === 'struct' && b.kind === 'struct' && a.tag !== undefined && a.tag === b.tag);
  if (a.kind === 'ptr' && b.kind === 'ptr') return compatiblePointee(a.to, b.to);
  return sameType(a, b);
}

export function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

type LiteralResult = { kind: 'int'; value: I64; type: CType } | { kind: 'float' } | { kind: 'error'; message: string };

/** Parse an integer literal and give it its C type (C11 6.4.4.1: the first type in the list that fits). */
export function parseIntegerLiteral(text: string): LiteralResult {
  const m = /^(0[xX][0-9a-fA-F]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)([uUlL]*)$/.exec(text);
  if (!m) {
    if (/^(0[xX][0-9a-fA-F.]*[pP]|[0-9.]*([eE][+-]?[0-9]+)?[fFlL]?$|[0-9]*\.)/.test(text) && /[.eEpP]/.test(text) && !/^0[xX][0-9a-fA-F]+$/.test(text)) return { kind: 'float' };
    return { kind: 'error', message: `invalid suffix on integer constant '${text}'` };
  }
  const digits = m[1];
  const suffix = m[2].toLowerCase();
  if (!/^(u?l{0,2}|l{1,2}u?)$/.test(suffix) || suffix.includes('lul')) return { kind: 'error', message: `invalid suffix "${m[2]}" on integer constant` };
  let big: bigint;
  if (/^0[bB]/.test(digits)) big = BigInt(digits);
  else if (/^0[xX]/.test(digits)) big = BigInt(digits);
  else if (digits.length > 1 && digits[0] === '0') big = BigInt('0o' + digits.slice(1));
  else big = BigInt(digits);
  const decimal = !/^0/.test(digits) || digits === '0';
  const u = suffix.includes('u');
  const longs = (suffix.match(/l/g) ?? []).length;
  const fits = (bits: number, signed: boolean) => big <= (signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n);
  let type: CType;
  const cands: CType[] = [];
  if (longs === 0) {
    if (!u) cands.push(T.int);
    if (u || !decimal) cands.push(T.uint);
  }
  if (longs <= 1) {
    if (!u) cands.push(T.long);
    if (u || !decimal) cands.push(T.ulong);
  }
  if (!u) cands.push(T.llong);
  if (u || !decimal) cands.push(T.ullong);
  const found = cands.find((c) => c.kind === 'int' && fits(c.size * 8, c.signed));
  if (found) type = found;
  else if (big < 1n << 64n) type = T.ulong; // gcc: "integer constant is so large that it is unsigned"
  else return { kind: 'error', message: `integer constant is too large for its type` };
  return { kind: 'int', value: i64(BigInt.asIntN(64, big)), type };
}

const TYPE_KEYWORDS = new Set([
  'void', 'char', 'short', 'int', 'long', 'float', 'double', 'signed', 'unsigned', '_Bool', 'struct', 'union', 'enum',
  'const', 'volatile', 'restrict', '__restrict', '__restrict__', '__volatile__', '__const', '__const__', '_Atomic', '_Alignas',
  'typeof', '__typeof__', '__typeof', '__signed__', '_Complex', 'inline', '__inline', '__inline__', '__attribute__', '__attribute',
  '_Noreturn', '_Thread_local', '__auto_type', '__extension__', 'static', 'extern', 'typedef', 'auto', 'register',
]);

const STORAGE_KEYWORDS = new Set(['static', 'extern', 'typedef', 'auto', 'register', 'inline', '__inline', '__inline__', '_Thread_local']);

/** Sparse annotations and section markers that may stand where a qualifier stands, if a header did not define them away. */
const QUALIFIER_IDENTS = new Set(['__user', '__kernel', '__iomem', '__rcu', '__percpu', '__force', '__bitwise', '__must_check', '__always_inline', '__noreturn']);

/** `__builtin_memcpy(...)` and friends call the ordinary kernel function. */
const BUILTIN_ALIASES: Record<string, string> = {
  __builtin_memcpy: 'memcpy', __builtin_memset: 'memset', __builtin_memmove: 'memmove', __builtin_memcmp: 'memcmp',
  __builtin_strlen: 'strlen', __builtin_strcpy: 'strcpy', __builtin_strcmp: 'strcmp',
};

void alignUp;
