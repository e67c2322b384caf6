// The typed AST. The parser types every expression as it builds it (C cannot be parsed without
// knowing which names are types, so the checker runs inside the parser as in chibicc), and inserts
// the usual conversions as explicit `cast` nodes: later passes never re-derive a C conversion.
// Every node has the span of the student's text it came from (macro uses map back to their call site).

import type { Span } from '../source/source';
import type { CType, FuncType } from './types';
import type { I64 } from '../vm/value';

export interface Attributes {
  /** `__attribute__((section("…")))`: `.init.text` for `__init`, `.exit.text` for `__exit`. */
  section?: string;
  packed?: boolean;
  aligned?: number;
  unused?: boolean;
  noreturn?: boolean;
  weak?: boolean;
  alias?: string;
  /** Anything parsed but not honoured, for hovers. */
  other?: string[];
}

/** A variable: global, local or parameter. */
export interface Var {
  readonly name: string;
  type: CType;
  readonly span: Span;
  readonly kind: 'global' | 'local' | 'param';
  isStatic: boolean;
  isExtern: boolean;
  /** Its address is taken (`&x`) or it is an aggregate: it must live in emulated memory. */
  addressTaken: boolean;
  init: Initializer | undefined;
  attrs: Attributes;
  /** Set by the VM: slot index (locals in JS) or byte offset (frame / module data). */
  slot: number;
  /** `__user` was written in the declaration's pointer type (for copy_*_user checks). */
  user?: boolean;
  /** Referenced by some expression (an undefined extern is an Unknown symbol only then). */
  referenced?: boolean;
}

export interface Func {
  readonly name: string;
  type: FuncType;
  readonly span: Span;
  /** Span of the name in the definition (CodeLens and call traces point here). */
  readonly nameSpan: Span;
  isStatic: boolean;
  isInline: boolean;
  params: Var[];
  locals: Var[];
  body: Block | undefined;
  attrs: Attributes;
  /** Defined in a virtual kernel header (a `static inline` such as list_add): shown as kernel code. */
  fromHeader: boolean;
  /** Labels defined in the body, for goto checks. */
  labels: Map<string, Span>;
  /** Functions called directly, with the call spans (for the call graph). */
  calls: { name: string; span: Span }[];
}

/** A flattened initializer: zero the object, then store each leaf at its byte offset. */
export interface Initializer {
  readonly span: Span;
  readonly leaves: InitLeaf[];
  /** Size in bytes the initializer implies (for `int a[] = {1,2,3}` and flexible arrays). */
  readonly size: number;
}

export type InitLeaf =
  | { readonly offset: number; readonly type: CType; readonly expr: Expr; readonly bitOffset?: number; readonly bitWidth?: number }
  | { readonly offset: number; readonly type: CType; readonly bytes: Uint8Array };

export type Expr =
  | { k: 'num'; type: CType; span: Span; value: I64 }
  | { k: 'str'; type: CType; span: Span; bytes: Uint8Array; id: number }
  | { k: 'var'; type: CType; span: Span; v: Var }
  | { k: 'func'; type: CType; span: Span; f: FuncRef }
  | { k: 'call'; type: CType; span: Span; callee: Expr; args: Expr[]; /** types of variadic args after default promotions */ direct: FuncRef | undefined }
  | { k: 'unary'; type: CType; span: Span; op: '-' | '~' | '!'; e: Expr }
  | { k: 'binary'; type: CType; span: Span; op: BinOp; l: Expr; r: Expr }
  /** Pointer ± integer, scaled by `scale` bytes; `op` is '+' or '-'. */
  | { k: 'ptradd'; type: CType; span: Span; op: '+' | '-'; p: Expr; i: Expr; scale: number }
  | { k: 'ptrdiff'; type: CType; span: Span; l: Expr; r: Expr; scale: number }
  | { k: 'logical'; type: CType; span: Span; op: '&&' | '||'; l: Expr; r: Expr }
  | { k: 'assign'; type: CType; span: Span; target: Expr; value: Expr }
  /** `a op= b`: computed in `opType` then converted back to the target's type. */
  | { k: 'opassign'; type: CType; span: Span; op: BinOp | 'ptr+' | 'ptr-'; target: Expr; value: Expr; opType: CType; scale: number }
  /** ++/--, prefix or postfix; `delta` is ±1 scaled for pointers. */
  | { k: 'incdec'; type: CType; span: Span; prefix: boolean; delta: number; target: Expr }
  | { k: 'cond'; type: CType; span: Span; c: Expr; t: Expr; f: Expr }
  | { k: 'cast'; type: CType; span: Span; e: Expr }
  | { k: 'deref'; type: CType; span: Span; e: Expr }
  | { k: 'addr'; type: CType; span: Span; e: Expr }
  /** `e.name` on an lvalue struct (arrow access is `member` of a `deref`). */
  | { k: 'member'; type: CType; span: Span; e: Expr; name: string; offset: number; bitOffset?: number; bitWidth?: number }
  | { k: 'comma'; type: CType; span: Span; l: Expr; r: Expr }
  | { k: 'stmtexpr'; type: CType; span: Span; body: Block }
  /** A compound literal or a temporary: storage in the frame, initialised each time it is evaluated. */
  | { k: 'compound'; type: CType; span: Span; v: Var }
  | { k: 'vaarg'; type: CType; span: Span; ap: Expr }
  /** Something the front end could not type (already reported): evaluates to 0. */
  | { k: 'error'; type: CType; span: Span };

export type BinOp = '+' | '-' | '*' | '/' | '%' | '<<' | '>>' | '&' | '|' | '^' | '==' | '!=' | '<' | '<=' | '>' | '>=';

/** A function known by name: a student function, a header inline, or a kernel export (API table). */
export interface FuncRef {
  readonly name: string;
  readonly type: FuncType;
  /** The definition once parsed (undefined for kernel exports and undefined externs). */
  def: Func | undefined;
}

export type Stmt =
  | { k: 'expr'; span: Span; e: Expr }
  | { k: 'decl'; span: Span; v: Var }
  | Block
  | { k: 'if'; span: Span; c: Expr; t: Stmt; f: Stmt | undefined }
  | { k: 'while'; span: Span; c: Expr; body: Stmt }
  | { k: 'do'; span: Span; c: Expr; body: Stmt }
  | { k: 'for'; span: Span; init: Stmt | undefined; c: Expr | undefined; step: Expr | undefined; body: Stmt }
  | { k: 'switch'; span: Span; c: Expr; body: Stmt; cases: { value: I64; span: Span }[]; hasDefault: boolean }
  | { k: 'case'; span: Span; value: I64; hi?: I64; body: Stmt }
  | { k: 'default'; span: Span; body: Stmt }
  | { k: 'break'; span: Span }
  | { k: 'continue'; span: Span }
  | { k: 'return'; span: Span; e: Expr | undefined }
  | { k: 'goto'; span: Span; label: string }
  | { k: 'label'; span: Span; label: string; body: Stmt }
  | { k: 'empty'; span: Span };

export interface Block {
  k: 'block';
  span: Span;
  stmts: Stmt[];
}

export interface TranslationUnit {
  readonly globals: Var[];
  readonly funcs: Func[];
  /** Every function name referenced, with its reference (defined, header inline or kernel export). */
  readonly funcRefs: Map<string, FuncRef>;
  /** String literals in order of appearance (the VM places them in the module's .rodata). */
  readonly strings: Extract<Expr, { k: 'str' }>[];
}
