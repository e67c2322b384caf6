// Compiles the typed AST into JavaScript closures, once, at module load. Nothing is ever turned
// into JavaScript source (no eval, no new Function): each AST node becomes a closure specialised on
// its C type, so `a + b` on ints is `(a(f) + b(f)) | 0` and a 64-bit add is an `add64` call.
//
// Representation (see value.ts): values of 32 bits or fewer are numbers in their type's range,
// 64-bit values and pointers are I64, aggregates are the address of their bytes. Scalar locals whose
// address is never taken live in the frame's JS slot array; everything else lives in emulated memory
// (globals in the module's data, address-taken locals in the task's 16 KiB kernel stack).
//
// Statements return a completion code (NORMAL, BREAK, CONTINUE, RETURN, GOTO) instead of throwing,
// which keeps loops fast. `goto` may target a label that is a direct child of any enclosing block.
//
// Speed comes from calling fewer closures: V8 cannot inline a call whose target varies, so every
// closure call costs about as much as a C statement at -O0. Operands that need no closure of their
// own (a register local, a constant: see `leaf`) are read inline by their parent, which gives the
// fused forms below: `i < n`, `x + 1`, `s + x`, `p->field`, `*p`, `p[i]`, `x = v;`, `i++;`, and
// `x op= v` compiled as `x = x op v`. Each fused form computes exactly what the general closure
// would (test/unit/vm/semantics.test.ts has a gcc-checked row for each).
//
// Every statement closure starts by setting `f.cur` (what call traces, reports and soft lockups
// name). That is also where a debugger's per-statement hook belongs: a hooked build would wrap the
// closures `stmt` returns, so a run without the debugger pays nothing for it.

import type { Block, Expr, Func, InitLeaf, Initializer, Stmt, TranslationUnit, Var } from '../c/ast';
import type { CType } from '../c/types';
import { T, is64, isUnsigned, sizeOf, alignUp, typeName } from '../c/types';
import type { Span } from '../source/source';
import type { Diagnostic } from '../diag/diagnostic';
import type { I64 } from './value';
import {
  add64, and64, cmp64, lo32, lo32s, mul64, neg64, not64, or64, sar64, sdiv64, shl64, shr64, srem64, sub64, trunc, ucmp64, udiv64, urem64, xor64,
} from './value';
import type { AnyFunction, CallSite, CompiledFunction, Machine, NativeFunction } from './machine';
import { Frame } from './machine';
import { walkChildren, walkStmt } from '../analysis/walk';

type EV = (f: Frame) => I64;
type AV = (f: Frame) => I64;
type SV = (f: Frame) => number;
/** A statement of the resumable form: yields block requests, returns a completion code. */
type GSV = (f: Frame) => Generator<unknown, number, I64>;
/** Evaluates an expression's blocking parts in order, leaving their values in frame slots. */
type GRun = (f: Frame) => Generator<unknown, void, I64>;

const COMPARISONS: ReadonlySet<string> = new Set(['==', '!=', '<', '<=', '>', '>=']);
const COMMUTATIVE: ReadonlySet<string> = new Set(['+', '*', '&', '|', '^']);

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

const NORMAL = 0;
const BREAK = 1;
const CONTINUE = 2;
const RETURN = 3;
const GOTO = 4;

/** What the loader decided about the module's memory before compiling. */
export interface ModuleLayout {
  /** Address of each global (including function-local statics and string literals). */
  globalAddr(v: Var): I64;
  stringAddr(id: number): I64;
  /** Address of a function (module or kernel export); undefined if it cannot be resolved. */
  funcAddr(name: string): I64 | undefined;
  /**
   * Called after every store to memory by an assignment, when set (the memory map's timeline
   * records heap writes). Decided at compile time, so a run nobody watches pays nothing.
   */
  onStore?: (addr: I64, size: number, span: Span) => void;
  /**
   * Debug hook: called before every statement that can hold a breakpoint, with `f.cur` already set
   * (the debugger's step counter, breakpoints and pauses). Decided at compile time: a module that
   * is not being debugged is compiled without the wrapper and pays nothing. It may throw to pause.
   */
  onStatement?: (f: Frame, s: Stmt) => void;
  /**
   * Kernel functions that may block (msleep, wait_for_completion, ...): module functions that call
   * them get a resumable form as well (see "Resumable form" below). Unset: none do.
   */
  blocks?: (name: string) => boolean;
}

export interface CompileResult {
  functions: Map<string, CompiledFunction>;
  /** Runs the module's static initializers (globals' initial values). */
  initGlobals: () => void;
  diagnostics: Diagnostic[];
}

/** Byte accessors by C type, chosen once at compile time. */
function loader(m: Machine, t: CType): (a: I64) => I64 {
  const mem = m.mem;
  if (t.kind === 'ptr') return (a) => mem.ld64(a);
  if (t.kind === 'int') {
    if (t.ik === 'bool') return (a) => (mem.ld8(a) !== 0 ? 1 : 0);
    switch (t.size) {
      case 1: return t.signed ? (a) => mem.ld8s(a) : (a) => mem.ld8(a);
      case 2: return t.signed ? (a) => mem.ld16s(a) : (a) => mem.ld16(a);
      case 4: return t.signed ? (a) => mem.ld32s(a) : (a) => mem.ld32(a);
      case 8: return (a) => mem.ld64(a);
    }
  }
  // Aggregates evaluate to their address.
  return (a) => a;
}

/** A load from the address `a(f)` computes, specialised by type (one closure per access, no wrapper). */
function fusedLoad(m: Machine, t: CType, a: AV): EV {
  const mem = m.mem;
  if (t.kind === 'ptr') return (f) => mem.ld64(a(f));
  if (t.kind === 'int') {
    if (t.ik === 'bool') return (f) => (mem.ld8(a(f)) !== 0 ? 1 : 0);
    switch (t.size) {
      case 1: return t.signed ? (f) => mem.ld8s(a(f)) : (f) => mem.ld8(a(f));
      case 2: return t.signed ? (f) => mem.ld16s(a(f)) : (f) => mem.ld16(a(f));
      case 4: return t.signed ? (f) => mem.ld32s(a(f)) : (f) => mem.ld32(a(f));
      case 8: return (f) => mem.ld64(a(f));
    }
  }
  return a;
}

/** A load at a constant offset from a base pointer (`p->field`), specialised by type. */
function fusedMemberLoad(m: Machine, t: CType, base: AV, off: number): EV {
  const mem = m.mem;
  const at = (b: I64): I64 => (typeof b === 'number' ? b + off : add64(b, off));
  if (t.kind === 'ptr') return (f) => mem.ld64(at(base(f)));
  if (t.kind === 'int') {
    if (t.ik === 'bool') return (f) => (mem.ld8(at(base(f))) !== 0 ? 1 : 0);
    switch (t.size) {
      case 1: return t.signed ? (f) => mem.ld8s(at(base(f))) : (f) => mem.ld8(at(base(f)));
      case 2: return t.signed ? (f) => mem.ld16s(at(base(f))) : (f) => mem.ld16(at(base(f)));
      case 4: return t.signed ? (f) => mem.ld32s(at(base(f))) : (f) => mem.ld32(at(base(f)));
      case 8: return (f) => mem.ld64(at(base(f)));
    }
  }
  return (f) => at(base(f));
}

/** `p->field` where p is a register local. */
function fusedSlotMemberLoad(m: Machine, t: CType, slot: number, off: number): EV {
  const mem = m.mem;
  const at = (b: I64): I64 => (typeof b === 'number' ? b + off : add64(b, off));
  if (t.kind === 'ptr') return (f) => mem.ld64(at(f.s[slot]));
  if (t.kind === 'int') {
    if (t.ik === 'bool') return (f) => (mem.ld8(at(f.s[slot])) !== 0 ? 1 : 0);
    switch (t.size) {
      case 1: return t.signed ? (f) => mem.ld8s(at(f.s[slot])) : (f) => mem.ld8(at(f.s[slot]));
      case 2: return t.signed ? (f) => mem.ld16s(at(f.s[slot])) : (f) => mem.ld16(at(f.s[slot]));
      case 4: return t.signed ? (f) => mem.ld32s(at(f.s[slot])) : (f) => mem.ld32(at(f.s[slot]));
      case 8: return (f) => mem.ld64(at(f.s[slot]));
    }
  }
  return (f) => at(f.s[slot]);
}

function storer(m: Machine, t: CType): (a: I64, v: I64) => void {
  const mem = m.mem;
  if (t.kind === 'ptr') return (a, v) => mem.st64(a, v);
  if (t.kind === 'int') {
    switch (t.size) {
      case 1: return (a, v) => mem.st8(a, v as number);
      case 2: return (a, v) => mem.st16(a, v as number);
      case 4: return (a, v) => mem.st32(a, v as number);
      case 8: return (a, v) => mem.st64(a, v);
    }
  }
  const n = sizeOf(t);
  return (a, v) => mem.move(a, v, n);
}

/** Convert a value of type `from` to type `to` (both scalar). */
function converter(from: CType, to: CType): ((v: I64) => I64) | undefined {
  if (to.kind === 'void') return undefined;
  if (to.kind === 'int' && to.ik === 'bool') return (v) => (v !== 0 ? 1 : 0);
  const fromWide = is64(from);
  if (to.kind === 'ptr' || (to.kind === 'int' && to.size === 8)) {
    // Widening: a 32-bit value's number is already its 64-bit signed reading (sign- or zero-extended by type).
    return undefined;
  }
  if (to.kind === 'int') {
    const bits = to.size * 8;
    const signed = to.signed;
    if (!fromWide && from.kind === 'int' && from.size <= to.size && (from.signed === signed || from.size < to.size && !from.signed)) return undefined;
    if (fromWide) {
      if (bits === 32) return signed ? lo32s : lo32;
      return (v) => trunc(lo32s(v), bits, signed);
    }
    if (bits === 32) return signed ? (v) => (v as number) | 0 : (v) => (v as number) >>> 0;
    if (bits === 16) return signed ? (v) => ((v as number) << 16) >> 16 : (v) => (v as number) & 0xffff;
    return signed ? (v) => ((v as number) << 24) >> 24 : (v) => (v as number) & 0xff;
  }
  return undefined;
}

/**
 * Statements a debugger stops at: everything that does work. Blocks, empty statements and the
 * label/case wrappers are not, since the statement they wrap is.
 */
export function isStoppable(s: Stmt): boolean {
  return s.k !== 'block' && s.k !== 'empty' && s.k !== 'label' && s.k !== 'case' && s.k !== 'default' && !(s.k === 'decl' && !s.v.init);
}

interface FnCtx {
  readonly def: Func;
  readonly cf: CompiledFunction;
  /** Byte offset of each memory-resident local from the frame base. */
  readonly memOffset: Map<Var, number>;
  readonly slotOf: Map<Var, number>;
  frameBytes: number;
  nslots: number;
}

export class Compiler {
  private readonly diags: Diagnostic[] = [];
  private readonly functions = new Map<string, CompiledFunction>();
  private ctx: FnCtx | undefined;
  /** Module functions that may block, directly or through other module functions. */
  private sleepy = new Set<string>();
  /** Blocking sub-expressions of the resumable form and the frame slot their value waits in. */
  private readonly hoisted = new Map<Expr, number>();
  private blocks: (name: string) => boolean = () => false;

  constructor(
    private readonly m: Machine,
    private readonly unit: TranslationUnit,
    private readonly layout: ModuleLayout,
    private readonly moduleName: string,
    /** Resolved functions for calls: module functions are filled in here; natives come from the kernel. */
    private readonly resolve: (name: string) => AnyFunction | undefined,
    /** Function addresses assigned by the loader. */
    private readonly funcAddrOf: (f: Func) => { addr: I64; size: number },
  ) {}

  compile(): CompileResult {
    for (const def of this.unit.funcs) {
      if (!def.body) continue;
      const { addr, size } = this.funcAddrOf(def);
      const cf: CompiledFunction = {
        kind: 'module', name: def.name, def, module: this.moduleName, addr, size, frameSize: 0, nslots: 0, homes: new Map(),
        invoke: () => 0, invoke0: () => 0, invoke1: () => 0, invoke2: () => 0, invoke3: () => 0,
      };
      this.functions.set(def.name, cf);
      this.m.register(cf);
    }
    for (const cf of this.functions.values()) this.compileFunction(cf);
    if (this.layout.blocks) this.compileResumables(this.layout.blocks);
    const inits = this.compileGlobalInits();
    return {
      functions: this.functions,
      initGlobals: () => {
        for (const i of inits) i();
      },
      diagnostics: this.diags,
    };
  }

  private unsupported(span: Span, what: string): void {
    this.diags.push({ code: 'KM9001', rule: '', severity: 'error', span, message: `not supported by Kernel Module Lab: ${what}`, related: [], fixes: [] });
  }

  // ---- functions -------------------------------------------------------------------------------

  /**
   * Lay out a function's frame: memory-resident variables get offsets below the frame top (as a
   * real frame would), scalar register candidates get JS slots. Deterministic, so the resumable
   * form of a function gets the same layout as its plain form.
   */
  private frameLayout(cf: CompiledFunction): FnCtx {
    const def = cf.def;
    const ctx: FnCtx = { def, cf, memOffset: new Map(), slotOf: new Map(), frameBytes: 0, nslots: 0 };
    const place = (v: Var) => {
      if (v.addressTaken || v.type.kind === 'struct' || v.type.kind === 'array') {
        const sz = Math.max(1, sizeOf(v.type));
        ctx.frameBytes = alignUp(ctx.frameBytes + sz, Math.min(16, Math.max(1, alignOfType(v.type))));
        ctx.memOffset.set(v, ctx.frameBytes);
      } else {
        ctx.slotOf.set(v, ctx.nslots++);
      }
    };
    def.params.forEach(place);
    def.locals.forEach(place);
    return ctx;
  }

  /** How each parameter is stored into a fresh frame. */
  private paramStores(ctx: FnCtx): { slot: number; off: number; store: ((a: I64, v: I64) => void) | undefined }[] {
    return ctx.def.params.map((p) => {
      const slot = ctx.slotOf.get(p);
      if (slot !== undefined) return { slot, off: 0, store: undefined };
      return { slot: -1, off: ctx.memOffset.get(p)!, store: storer(this.m, p.type) };
    });
  }

  private compileFunction(cf: CompiledFunction): void {
    const def = cf.def;
    const ctx = this.frameLayout(cf);
    this.ctx = ctx;
    // Return address and saved frame pointer, as on x86_64.
    const frameSize = alignUp(ctx.frameBytes, 16) + 16;
    const body = this.block(def.body!);
    cf.frameSize = frameSize;
    cf.nslots = ctx.nslots;
    for (const [v, slot] of ctx.slotOf) cf.homes.set(v, { slot });
    for (const [v, offset] of ctx.memOffset) cf.homes.set(v, { offset });
    const m = this.m;
    const params = this.paramStores(ctx);
    const nslots = ctx.nslots;
    const nparams = params.length;
    const retConv = def.type.ret.kind === 'void' ? undefined : def.type.ret;
    // Frames of returned calls, reused by later calls (a frame is only referenced while it runs).
    const pool: Frame[] = [];
    const enter = (): Frame => {
      const top = m.sp;
      const sp = top - frameSize;
      if (sp < m.stackLimit) m.host.stackOverflow(m, cf);
      // bp is the top of the locals area: local at offset o lives at bp - o.
      let f = pool.pop();
      if (f === undefined) f = new Frame(cf, top - 16, nslots);
      else f.reset(top - 16);
      m.sp = sp;
      m.frames.push(f);
      return f;
    };
    // Arguments beyond the parameters are dropped; missing ones read as 0 (the fresh frame's value).
    const param = (f: Frame, i: number, v: I64): void => {
      if (i >= nparams) return;
      const p = params[i];
      if (p.slot >= 0) f.s[p.slot] = v;
      else p.store!(f.bp - p.off, v);
    };
    const run = (f: Frame): I64 | undefined => {
      const r = body(f);
      m.frames.pop();
      m.sp = f.bp + 16;
      pool.push(f);
      if (r === RETURN) return f.ret;
      // Falling off the end (or a goto whose label was not found, reported at compile time).
      return retConv ? 0 : undefined;
    };
    cf.invoke = (args: I64[]): I64 | undefined => {
      const f = enter();
      for (let i = 0; i < args.length; i++) param(f, i, args[i]);
      return run(f);
    };
    cf.invoke0 = () => run(enter());
    cf.invoke1 = (a) => {
      const f = enter();
      param(f, 0, a);
      return run(f);
    };
    cf.invoke2 = (a, b) => {
      const f = enter();
      param(f, 0, a);
      param(f, 1, b);
      return run(f);
    };
    cf.invoke3 = (a, b, c) => {
      const f = enter();
      param(f, 0, a);
      param(f, 1, b);
      param(f, 2, c);
      return run(f);
    };
    this.ctx = undefined;
  }

  // ---- statements ------------------------------------------------------------------------------

  private block(b: Block): SV {
    const stmts = b.stmts.map((s) => this.stmt(s));
    const labels = labelIndex(b);
    const n = stmts.length;
    const m = this.m;
    if (labels.size === 0) {
      if (n === 1) return stmts[0];
      if (n === 2) {
        const [a, c] = stmts;
        return (f) => {
          const r = a(f);
          return r !== NORMAL ? r : c(f);
        };
      }
      return (f) => {
        for (let i = 0; i < n; i++) {
          const r = stmts[i](f);
          if (r !== NORMAL) return r;
        }
        return NORMAL;
      };
    }
    return (f) => {
      for (let i = 0; i < n; i++) {
        const r = stmts[i](f);
        if (r !== NORMAL) {
          if (r === GOTO) {
            const target = labels.get(f.gotoLabel);
            if (target !== undefined) {
              // A goto may jump backwards: it costs a loop iteration, so `again: ... goto again;` ends in the soft lockup.
              if (--m.budget < 0) m.slice();
              i = target - 1;
              continue;
            }
          }
          return r;
        }
      }
      return NORMAL;
    };
  }

  /** A statement, wrapped by the debug hook when one was given (see `ModuleLayout.onStatement`). */
  private stmt(s: Stmt): SV {
    const run = this.stmtBody(s);
    const hook = this.layout.onStatement;
    if (!hook || !isStoppable(s)) return run;
    return (f) => {
      f.cur = s;
      hook(f, s);
      return run(f);
    };
  }

  private stmtBody(s: Stmt): SV {
    switch (s.k) {
      case 'expr': {
        const x = s.e.k === 'opassign' ? (this.asPlainAssign(s.e) ?? s.e) : s.e;
        const slot = x.k === 'assign' && x.target.k === 'var' ? this.ctx?.slotOf.get(x.target.v) : undefined;
        if (x.k === 'assign' && slot !== undefined) {
          // `x = v;` to a register, the commonest statement: one closure for statement and store.
          const v = this.expr(x.value);
          return (f) => {
            f.cur = s;
            f.s[slot] = v(f);
            return NORMAL;
          };
        }
        const step = s.e.k === 'incdec' ? this.registerStep(s, s.e) : undefined;
        if (step) return step;
        const e = this.effect(s.e);
        return (f) => {
          f.cur = s;
          e(f);
          return NORMAL;
        };
      }
      case 'decl': return this.decl(s.v, s);
      case 'block': return this.block(s);
      case 'empty': return () => NORMAL;
      case 'if': {
        const c = this.cond(s.c);
        const t = this.stmt(s.t);
        const e = s.f ? this.stmt(s.f) : undefined;
        if (e) return (f) => {
          f.cur = s;
          return c(f) ? t(f) : e(f);
        };
        return (f) => {
          f.cur = s;
          return c(f) ? t(f) : NORMAL;
        };
      }
      case 'while': {
        const c = this.cond(s.c);
        const body = this.stmt(s.body);
        const m = this.m;
        return (f) => {
          for (;;) {
            f.cur = s;
            if (!c(f)) return NORMAL;
            const r = body(f);
            if (r !== NORMAL && r !== CONTINUE) return r === BREAK ? NORMAL : r;
            if (--m.budget < 0) m.slice();
          }
        };
      }
      case 'do': {
        const c = this.cond(s.c);
        const body = this.stmt(s.body);
        const m = this.m;
        return (f) => {
          for (;;) {
            const r = body(f);
            if (r !== NORMAL && r !== CONTINUE) return r === BREAK ? NORMAL : r;
            f.cur = s;
            if (!c(f)) return NORMAL;
            if (--m.budget < 0) m.slice();
          }
        };
      }
      case 'for': {
        const init = s.init ? this.stmt(s.init) : undefined;
        const c = s.c ? this.cond(s.c) : undefined;
        const step = s.step ? this.effect(s.step) : undefined;
        const body = this.stmt(s.body);
        const m = this.m;
        return (f) => {
          f.cur = s;
          if (init) init(f);
          for (;;) {
            if (c && !c(f)) return NORMAL;
            const r = body(f);
            if (r !== NORMAL && r !== CONTINUE) return r === BREAK ? NORMAL : r;
            if (step) step(f);
            if (--m.budget < 0) m.slice();
          }
        };
      }
      case 'switch': return this.switchStmt(s);
      case 'case':
      case 'default':
        return this.stmt(s.body);
      case 'label': return this.stmt(s.body);
      case 'break': return () => BREAK;
      case 'continue': return () => CONTINUE;
      case 'return': {
        if (!s.e) return (f) => {
          f.cur = s;
          return RETURN;
        };
        const e = this.expr(s.e);
        if (s.e.type.kind === 'struct') {
          this.unsupported(s.span, 'returning a struct by value');
        }
        return (f) => {
          f.cur = s;
          f.ret = e(f);
          return RETURN;
        };
      }
      case 'goto': {
        const label = s.label;
        if (!this.ctx?.def.labels.has(label)) {
          this.diags.push({ code: 'KM2001', rule: '', severity: 'error', span: s.span, message: `label '${label}' used but not defined`, related: [], fixes: [] });
        } else if (!this.labelReachable(label)) {
          this.unsupported(s.span, `goto into a nested statement (label '${label}')`);
        }
        return (f) => {
          f.cur = s;
          f.gotoLabel = label;
          return GOTO;
        };
      }
    }
  }

  /** A goto target must be a direct child of some block (possibly behind other labels). */
  private labelReachable(label: string): boolean {
    const def = this.ctx!.def;
    let ok = false;
    const visit = (s: Stmt | undefined): void => {
      if (!s || ok) return;
      switch (s.k) {
        case 'block':
          for (const c of s.stmts) {
            let x: Stmt = c;
            while (x.k === 'label') {
              if (x.label === label) ok = true;
              x = x.body;
            }
            visit(x);
          }
          return;
        case 'if': visit(s.t); visit(s.f); return;
        case 'while': case 'do': case 'for': visit(s.body); return;
        case 'switch': visit(s.body); return;
        case 'case': case 'default': visit(s.body); return;
        case 'label': visit(s.body); return;
        default: return;
      }
    };
    visit(def.body);
    return ok;
  }

  private switchStmt(s: Extract<Stmt, { k: 'switch' }>): SV {
    const c = this.expr(s.c);
    if (s.body.k !== 'block') {
      // `switch (x) case 1: ...;` without braces: run the body when a case matches.
      const body = this.stmt(s.body);
      const values = s.cases.map((x) => x.value);
      return (f) => {
        f.cur = s;
        const v = c(f);
        if (!values.includes(v) && !s.hasDefault) return NORMAL;
        const r = body(f);
        return r === BREAK ? NORMAL : r;
      };
    }
    const stmts = s.body.stmts;
    const compiled = stmts.map((x) => this.stmt(x));
    const table = new Map<I64, number>();
    let defaultIdx = -1;
    const ranges: { lo: I64; hi: I64; idx: number }[] = [];
    let found = 0;
    stmts.forEach((st, i) => {
      let x: Stmt = st;
      for (;;) {
        if (x.k === 'case') {
          if (x.hi !== undefined) ranges.push({ lo: x.value, hi: x.hi, idx: i });
          else if (!table.has(x.value)) table.set(x.value, i);
          found++;
          x = x.body;
        } else if (x.k === 'default') {
          defaultIdx = i;
          found++;
          x = x.body;
        } else if (x.k === 'label') x = x.body;
        else break;
      }
    });
    if (found < s.cases.length + (s.hasDefault ? 1 : 0)) this.unsupported(s.span, 'case labels nested inside statements of the switch body');
    const labels = new Map<string, number>();
    stmts.forEach((st, i) => {
      let x: Stmt = st;
      while (x.k === 'label' || x.k === 'case' || x.k === 'default') {
        if (x.k === 'label') labels.set(x.label, i);
        x = x.body;
      }
    });
    const n = compiled.length;
    const m = this.m;
    const signed = !isUnsigned(s.c.type);
    return (f) => {
      f.cur = s;
      const v = c(f);
      let start = table.get(v);
      if (start === undefined) {
        for (const r of ranges) {
          const inRange = signed ? cmp64(v, r.lo) >= 0 && cmp64(v, r.hi) <= 0 : ucmp64(v, r.lo) >= 0 && ucmp64(v, r.hi) <= 0;
          if (inRange) {
            start = r.idx;
            break;
          }
        }
      }
      if (start === undefined) start = defaultIdx;
      if (start < 0) return NORMAL;
      for (let i = start; i < n; i++) {
        const r = compiled[i](f);
        if (r !== NORMAL) {
          if (r === BREAK) return NORMAL;
          if (r === GOTO) {
            const t = labels.get(f.gotoLabel);
            if (t !== undefined) {
              if (--m.budget < 0) m.slice(); // As in block(): a backward goto is a loop.
              i = t - 1;
              continue;
            }
          }
          return r;
        }
      }
      return NORMAL;
    };
  }

  private decl(v: Var, s: Stmt): SV {
    if (!v.init) {
      // Uninitialised locals: register slots read as 0 from a fresh frame; memory ones keep stack garbage.
      const slot = this.ctx!.slotOf.get(v);
      if (slot !== undefined) return (f) => {
        f.s[slot] = 0;
        return NORMAL;
      };
      return () => NORMAL;
    }
    const init = this.initializerFor(v, v.init);
    return (f) => {
      f.cur = s;
      init(f);
      return NORMAL;
    };
  }

  /** Initialise a variable from its initializer: zero-fill aggregates, then store the leaves in order. */
  private initializerFor(v: Var, init: Initializer): (f: Frame) => void {
    const slot = this.ctx?.slotOf.get(v);
    if (slot !== undefined) {
      const leaf = init.leaves[0];
      if (!leaf || !('expr' in leaf)) return (f) => {
        f.s[slot] = 0;
      };
      const e = this.expr(leaf.expr);
      return (f) => {
        f.s[slot] = e(f);
      };
    }
    const addr = this.varAddr(v);
    const size = sizeOf(v.type);
    const mem = this.m.mem;
    const leaves = init.leaves.map((l) => this.leafStore(l));
    const scalarOnly = v.type.kind !== 'struct' && v.type.kind !== 'array';
    return (f) => {
      const a = addr(f);
      if (!scalarOnly) mem.fill(a, 0, size);
      for (let i = 0; i < leaves.length; i++) leaves[i](f, a);
    };
  }

  private leafStore(l: InitLeaf): (f: Frame, base: I64) => void {
    const mem = this.m.mem;
    if ('bytes' in l) {
      const bytes = l.bytes;
      const off = l.offset;
      return (_f, base) => {
        const a = add64(base, off);
        for (let i = 0; i < bytes.length; i++) mem.st8(add64(a, i), bytes[i]);
      };
    }
    const e = this.expr(l.expr);
    const off = l.offset;
    if (l.bitWidth !== undefined) {
      const put = this.bitfieldStore(l.type, l.bitOffset ?? 0, l.bitWidth);
      return (f, base) => put(add64(base, off), e(f));
    }
    const st = storer(this.m, l.type);
    return (f, base) => st(add64(base, off), e(f));
  }

  // ---- variables -------------------------------------------------------------------------------

  private varAddr(v: Var): AV {
    if (v.kind === 'global') {
      const a = this.layout.globalAddr(v);
      return () => a;
    }
    const off = this.ctx?.memOffset.get(v);
    if (off === undefined) {
      // A variable of another function (cannot happen for well-formed input).
      return () => 0;
    }
    return (f) => f.bp - off;
  }

  // ---- expressions -----------------------------------------------------------------------------

  /** Compile a condition to a JS boolean-valued closure. */
  private cond(e: Expr): (f: Frame) => boolean {
    if (e.k === 'binary') {
      const r = this.compare(e);
      if (r) return r;
    }
    if (e.k === 'unary' && e.op === '!') {
      const inner = this.cond(e.e);
      return (f) => !inner(f);
    }
    if (e.k === 'logical') {
      const l = this.cond(e.l);
      const r = this.cond(e.r);
      return e.op === '&&' ? (f) => l(f) && r(f) : (f) => l(f) || r(f);
    }
    const lf = this.leaf(e);
    if (lf && 'slot' in lf) {
      const x = lf.slot;
      return (f) => f.s[x] !== 0;
    }
    const v = this.expr(e);
    return (f) => v(f) !== 0;
  }

  /**
   * An operand that needs no closure of its own: a register local or a constant (seen through
   * conversions that do not change the value's representation). Fusing these into their parent
   * node saves a closure call per operand on the hottest paths (`i < n`, `p->next`, `x + 1`).
   */
  private leaf(e: Expr): { slot: number } | { value: I64 } | undefined {
    if (e.k === 'num') return { value: e.value };
    if (e.k === 'var') {
      const slot = this.ctx?.slotOf.get(e.v);
      return slot === undefined ? undefined : { slot };
    }
    if (e.k === 'cast' && e.type.kind !== 'void' && !converter(e.e.type, e.type)) return this.leaf(e.e);
    return undefined;
  }

  private compare(e: Extract<Expr, { k: 'binary' }>): ((f: Frame) => boolean) | undefined {
    if (!COMPARISONS.has(e.op)) return undefined;
    const t = e.l.type;
    // JS relational operators compare a number and a bigint by mathematical value, so on canonical
    // I64 values they are C's signed comparison at any width. Unsigned 64-bit values (and
    // pointers) need ucmp64, which orders negative I64s above positive ones.
    const direct = !is64(t) || !isUnsigned(t) || e.op === '==' || e.op === '!=';
    const fused = direct ? this.fusedCompare(e.op, e.l, e.r) : undefined;
    if (fused) return fused;
    const l = this.expr(e.l);
    const rl = this.leaf(e.r);
    if (direct && rl && 'value' in rl) {
      // `x < 10`, `s[i] >= 'a'`: the constant needs no closure.
      const c = rl.value;
      switch (e.op) {
        case '==': return (f) => l(f) === c;
        case '!=': return (f) => l(f) !== c;
        case '<': return (f) => l(f) < c;
        case '<=': return (f) => l(f) <= c;
        case '>': return (f) => l(f) > c;
        case '>=': return (f) => l(f) >= c;
        default: return undefined;
      }
    }
    const r = this.expr(e.r);
    if (direct) {
      switch (e.op) {
        case '==': return (f) => l(f) === r(f);
        case '!=': return (f) => l(f) !== r(f);
        case '<': return (f) => l(f) < r(f);
        case '<=': return (f) => l(f) <= r(f);
        case '>': return (f) => l(f) > r(f);
        case '>=': return (f) => l(f) >= r(f);
        default: return undefined;
      }
    }
    switch (e.op) {
      case '<': return (f) => ucmp64(l(f), r(f)) < 0;
      case '<=': return (f) => ucmp64(l(f), r(f)) <= 0;
      case '>': return (f) => ucmp64(l(f), r(f)) > 0;
      case '>=': return (f) => ucmp64(l(f), r(f)) >= 0;
      default: return undefined;
    }
  }

  /** Comparisons with register/constant operands (identity comparison of canonical values). */
  private fusedCompare(op: string, le: Expr, re: Expr): ((f: Frame) => boolean) | undefined {
    const a = this.leaf(le);
    const b = this.leaf(re);
    if (!a || !('slot' in a)) return undefined;
    const x = a.slot;
    if (b && 'value' in b) {
      const c = b.value;
      switch (op) {
        case '==': return (f) => f.s[x] === c;
        case '!=': return (f) => f.s[x] !== c;
        case '<': return (f) => f.s[x] < c;
        case '<=': return (f) => f.s[x] <= c;
        case '>': return (f) => f.s[x] > c;
        case '>=': return (f) => f.s[x] >= c;
      }
      return undefined;
    }
    if (b && 'slot' in b) {
      const y = b.slot;
      switch (op) {
        case '==': return (f) => f.s[x] === f.s[y];
        case '!=': return (f) => f.s[x] !== f.s[y];
        case '<': return (f) => f.s[x] < f.s[y];
        case '<=': return (f) => f.s[x] <= f.s[y];
        case '>': return (f) => f.s[x] > f.s[y];
        case '>=': return (f) => f.s[x] >= f.s[y];
      }
      return undefined;
    }
    const r = this.expr(re);
    switch (op) {
      case '==': return (f) => f.s[x] === r(f);
      case '!=': return (f) => f.s[x] !== r(f);
      case '<': return (f) => f.s[x] < r(f);
      case '<=': return (f) => f.s[x] <= r(f);
      case '>': return (f) => f.s[x] > r(f);
      case '>=': return (f) => f.s[x] >= r(f);
    }
    return undefined;
  }

  /** An expression evaluated for its side effects only (a statement, a for step, the left of a comma). */
  private effect(e: Expr): EV {
    return e.k === 'incdec' ? this.incdec(e, false) : this.expr(e);
  }

  expr(e: Expr): EV {
    // In the resumable form, a blocking call already ran (and yielded) before its expression: its value waits in a slot.
    const hoisted = this.hoisted.get(e);
    if (hoisted !== undefined) return (f) => f.s[hoisted];
    switch (e.k) {
      case 'num': {
        const v = e.value;
        return () => v;
      }
      case 'str': {
        const a = this.layout.stringAddr(e.id);
        return () => a;
      }
      case 'var': {
        const slot = this.ctx?.slotOf.get(e.v);
        if (slot !== undefined) return (f) => f.s[slot];
        const addr = this.varAddr(e.v);
        if (e.type.kind === 'array' || e.type.kind === 'struct') return addr;
        if (e.v.kind === 'global') {
          const a = this.layout.globalAddr(e.v);
          return fusedLoad(this.m, e.type, () => a);
        }
        return fusedLoad(this.m, e.type, addr);
      }
      case 'func': {
        const a = this.layout.funcAddr(e.f.name) ?? 0;
        return () => a;
      }
      case 'call': return this.call(e);
      case 'unary': {
        const v = this.expr(e.e);
        const wide = is64(e.type);
        switch (e.op) {
          case '!': {
            const c = this.cond(e.e);
            return (f) => (c(f) ? 0 : 1);
          }
          case '-':
            if (wide) return (f) => neg64(v(f));
            return isUnsigned(e.type) ? (f) => (-(v(f) as number)) >>> 0 : (f) => (-(v(f) as number)) | 0;
          case '~':
            if (wide) return (f) => not64(v(f));
            return isUnsigned(e.type) ? (f) => ~(v(f) as number) >>> 0 : (f) => ~(v(f) as number);
        }
        break;
      }
      case 'binary': return this.binary(e);
      case 'ptradd': return this.ptradd(e);
      case 'ptrdiff': {
        const l = this.expr(e.l);
        const r = this.expr(e.r);
        const scale = e.scale;
        return (f) => sdiv64(sub64(l(f), r(f)), scale);
      }
      case 'logical': {
        const c = this.cond(e);
        return (f) => (c(f) ? 1 : 0);
      }
      case 'assign': return this.assign(e);
      case 'opassign': return this.opassign(e);
      case 'incdec': return this.incdec(e);
      case 'cond': {
        const c = this.cond(e.c);
        const t = this.expr(e.t);
        const fl = this.expr(e.f);
        return (f) => (c(f) ? t(f) : fl(f));
      }
      case 'cast': {
        const v = this.expr(e.e);
        if (e.type.kind === 'void') return (f) => {
          v(f);
          return 0;
        };
        const conv = converter(e.e.type, e.type);
        if (!conv) return v;
        return (f) => conv(v(f));
      }
      case 'deref': {
        const agg = e.type.kind === 'struct' || e.type.kind === 'array' || e.type.kind === 'func';
        const reg = this.leaf(e.e);
        // `*p` with p in a register: one closure for the whole access.
        if (!agg && reg && 'slot' in reg) return fusedSlotMemberLoad(this.m, e.type, reg.slot, 0);
        const a = this.expr(e.e);
        if (agg) return a;
        return fusedLoad(this.m, e.type, a);
      }
      case 'addr': return this.addr(e.e);
      case 'member': {
        if (e.bitWidth === undefined && e.type.kind !== 'struct' && e.type.kind !== 'array') {
          // `p->field` with p in a register: one closure for the whole access.
          const base = e.e.k === 'deref' ? this.leaf(e.e.e) : undefined;
          if (base && 'slot' in base) return fusedSlotMemberLoad(this.m, e.type, base.slot, e.offset);
          if (e.offset !== 0) return fusedMemberLoad(this.m, e.type, this.addr(e.e), e.offset);
        }
        const a = this.addr(e);
        if (e.bitWidth !== undefined) {
          const get = this.bitfieldLoad(e.type, e.bitOffset ?? 0, e.bitWidth);
          return (f) => get(a(f));
        }
        if (e.type.kind === 'struct' || e.type.kind === 'array') return a;
        return fusedLoad(this.m, e.type, a);
      }
      case 'comma': {
        const l = this.effect(e.l);
        const r = this.expr(e.r);
        return (f) => {
          l(f);
          return r(f);
        };
      }
      case 'stmtexpr': {
        const stmts = e.body.stmts;
        const last = stmts[stmts.length - 1];
        const init = stmts.slice(0, last && last.k === 'expr' ? -1 : stmts.length).map((s) => this.stmt(s));
        const val = last && last.k === 'expr' ? this.expr(last.e) : () => 0;
        return (f) => {
          for (let i = 0; i < init.length; i++) {
            const r = init[i](f);
            if (r !== NORMAL) {
              // break/continue/return/goto out of a statement expression: not modelled.
              break;
            }
          }
          return val(f);
        };
      }
      case 'compound': {
        const addr = this.varAddr(e.v);
        const init = e.v.init ? this.initializerFor(e.v, e.v.init) : undefined;
        const ld = loader(this.m, e.type);
        const agg = e.type.kind === 'struct' || e.type.kind === 'array';
        if (this.ctx?.slotOf.has(e.v)) {
          const slot = this.ctx.slotOf.get(e.v)!;
          return (f) => {
            if (init) init(f);
            return f.s[slot];
          };
        }
        return (f) => {
          if (init && e.v.kind === 'local') init(f);
          const a = addr(f);
          return agg ? a : ld(a);
        };
      }
      case 'vaarg':
        this.unsupported(e.span, 'va_arg in module code');
        return () => 0;
      case 'error':
        return () => 0;
    }
    return () => 0;
  }

  /** `p + i` on a pointer: the index scaled by the element size, with register and constant operands fused. */
  private ptradd(e: Extract<Expr, { k: 'ptradd' }>): AV {
    const scale = e.op === '+' ? e.scale : -e.scale;
    const pl = this.leaf(e.p);
    const il = this.leaf(e.i);
    const ps = pl && 'slot' in pl ? pl.slot : -1;
    if (il && 'value' in il && typeof il.value === 'number') {
      // `p + 1`, `&buf[3]`: a constant byte offset.
      const k = il.value * scale;
      if (ps >= 0) return (f) => {
        const a = f.s[ps];
        return typeof a === 'number' ? a + k : add64(a, k);
      };
      const p = this.expr(e.p);
      return (f) => {
        const a = p(f);
        return typeof a === 'number' ? a + k : add64(a, k);
      };
    }
    if (ps >= 0 && il && 'slot' in il) {
      // `p[i]` with both in registers.
      const is = il.slot;
      return (f) => {
        const a = f.s[ps];
        const b = f.s[is];
        return typeof a === 'number' && typeof b === 'number' ? a + b * scale : add64(a, mul64(b, scale));
      };
    }
    const p = this.expr(e.p);
    const i = this.expr(e.i);
    return (f) => {
      const a = p(f);
      const b = i(f);
      return typeof a === 'number' && typeof b === 'number' ? a + b * scale : add64(a, mul64(b, scale));
    };
  }

  /** The address of an lvalue (or of an aggregate rvalue). */
  private addr(e: Expr): AV {
    switch (e.k) {
      case 'var': return this.varAddr(e.v);
      case 'deref': return this.expr(e.e);
      case 'member': {
        const off = e.offset;
        const reg = e.e.k === 'deref' ? this.leaf(e.e.e) : undefined;
        if (off !== 0 && reg && 'slot' in reg) {
          // `&p->field` with p in a register.
          const x = reg.slot;
          return (f) => {
            const b = f.s[x];
            return typeof b === 'number' ? b + off : add64(b, off);
          };
        }
        const base = this.addr(e.e);
        if (off === 0) return base;
        return (f) => {
          const b = base(f);
          return typeof b === 'number' ? b + off : add64(b, off);
        };
      }
      case 'str': {
        const a = this.layout.stringAddr(e.id);
        return () => a;
      }
      case 'func': {
        const a = this.layout.funcAddr(e.f.name) ?? 0;
        return () => a;
      }
      case 'compound': return this.expr(e);
      default:
        // Aggregate rvalues (a struct returned by a call or a statement expression) evaluate to an address.
        return this.expr(e);
    }
  }

  private binary(e: Extract<Expr, { k: 'binary' }>): EV {
    const cmp = this.compare(e);
    if (cmp) return (f) => (cmp(f) ? 1 : 0);
    const l = this.expr(e.l);
    const r = this.expr(e.r);
    const t = e.type;
    const m = this.m;
    const span = e.span;
    if (is64(t)) {
      const uns = isUnsigned(t);
      const rl = this.leaf(e.r);
      const ll = this.leaf(e.l);
      const rc = rl && 'value' in rl && typeof rl.value === 'number' ? rl.value : undefined;
      if ((e.op === '+' || e.op === '-') && rc !== undefined) {
        // `n + 1`, `len - 8`: the safe-integer fast path with the constant folded into the closure.
        const c = e.op === '+' ? rc : -rc;
        return (f) => {
          const a = l(f);
          if (typeof a === 'number' && Math.abs(a + c) <= MAX_SAFE) return a + c;
          return add64(a, c);
        };
      }
      if (e.op === '+' && ll && 'slot' in ll) {
        // `total + x` with total in a register (`total += x` compiles to this too).
        const x = ll.slot;
        return (f) => {
          const a = f.s[x];
          const b = r(f);
          if (typeof a === 'number' && typeof b === 'number' && Math.abs(a + b) <= MAX_SAFE) return a + b;
          return add64(a, b);
        };
      }
      switch (e.op) {
        case '+': return (f) => {
          const a = l(f);
          const b = r(f);
          if (typeof a === 'number' && typeof b === 'number' && Math.abs(a + b) <= MAX_SAFE) return a + b;
          return add64(a, b);
        };
        case '-': return (f) => {
          const a = l(f);
          const b = r(f);
          if (typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) <= MAX_SAFE) return a - b;
          return sub64(a, b);
        };
        case '*': return (f) => mul64(l(f), r(f));
        case '/': return (f) => {
          const a = l(f);
          const b = r(f);
          if (b === 0) return m.host.divideError(m, span);
          return uns ? udiv64(a, b) : sdiv64(a, b);
        };
        case '%': return (f) => {
          const a = l(f);
          const b = r(f);
          if (b === 0) return m.host.divideError(m, span);
          return uns ? urem64(a, b) : srem64(a, b);
        };
        case '&': return (f) => and64(l(f), r(f));
        case '|': return (f) => or64(l(f), r(f));
        case '^': return (f) => xor64(l(f), r(f));
        case '<<': return (f) => shl64(l(f), Number(r(f)));
        case '>>': return uns ? (f) => shr64(l(f), Number(r(f))) : (f) => sar64(l(f), Number(r(f)));
      }
      return () => 0;
    }
    const uns = isUnsigned(t);
    type N = (f: Frame) => number;
    const a = l as N;
    const b = r as N;
    const rl = this.leaf(e.r);
    const ll = this.leaf(e.l);
    if (rl && 'value' in rl && ll && 'slot' in ll && typeof rl.value === 'number') {
      // `i + 1`, `x & 7`, `n >> 2` with i in a register.
      const x = ll.slot;
      const c = rl.value;
      const s = (f: Frame) => f.s[x] as number;
      if (uns) {
        switch (e.op) {
          case '+': return (f) => (s(f) + c) >>> 0;
          case '-': return (f) => (s(f) - c) >>> 0;
          case '*': return (f) => Math.imul(s(f), c) >>> 0;
          case '&': return (f) => (s(f) & c) >>> 0;
          case '>>': return (f) => s(f) >>> c;
          case '<<': return (f) => (s(f) << c) >>> 0;
        }
      } else {
        switch (e.op) {
          case '+': return (f) => (s(f) + c) | 0;
          case '-': return (f) => (s(f) - c) | 0;
          case '*': return (f) => Math.imul(s(f), c);
          case '&': return (f) => s(f) & c;
          case '>>': return (f) => s(f) >> c;
          case '<<': return (f) => s(f) << c;
        }
      }
    }
    const ls = ll && 'slot' in ll ? ll.slot : -1;
    const rs = rl && 'slot' in rl ? rl.slot : -1;
    if (ls >= 0 || (rs >= 0 && COMMUTATIVE.has(e.op))) {
      // `s + x`, `acc ^ (...)`, `u << (i & 15)`, and `(...) + i` for commutative operators: the
      // register is read inline. A register is a local whose address is never taken, so the other
      // operand cannot change it (short of undefined behaviour), and the order of reads is free.
      const x = ls >= 0 ? ls : rs;
      const o = ls >= 0 ? b : a;
      if (uns) {
        switch (e.op) {
          case '+': return (f) => ((f.s[x] as number) + o(f)) >>> 0;
          case '-': return (f) => ((f.s[x] as number) - o(f)) >>> 0;
          case '*': return (f) => Math.imul(f.s[x] as number, o(f)) >>> 0;
          case '&': return (f) => ((f.s[x] as number) & o(f)) >>> 0;
          case '|': return (f) => ((f.s[x] as number) | o(f)) >>> 0;
          case '^': return (f) => ((f.s[x] as number) ^ o(f)) >>> 0;
          case '<<': return (f) => ((f.s[x] as number) << o(f)) >>> 0;
          case '>>': return (f) => (f.s[x] as number) >>> o(f);
        }
      } else {
        switch (e.op) {
          case '+': return (f) => ((f.s[x] as number) + o(f)) | 0;
          case '-': return (f) => ((f.s[x] as number) - o(f)) | 0;
          case '*': return (f) => Math.imul(f.s[x] as number, o(f));
          case '&': return (f) => (f.s[x] as number) & o(f);
          case '|': return (f) => (f.s[x] as number) | o(f);
          case '^': return (f) => (f.s[x] as number) ^ o(f);
          case '<<': return (f) => (f.s[x] as number) << o(f);
          case '>>': return (f) => (f.s[x] as number) >> o(f);
        }
      }
    }
    const rc = rl && 'value' in rl && typeof rl.value === 'number' ? rl.value : undefined;
    const lc = ll && 'value' in ll && typeof ll.value === 'number' && COMMUTATIVE.has(e.op) ? ll.value : undefined;
    if (rc !== undefined || lc !== undefined) {
      // `x * 31u`, `'A' + x`, `(u >> 8) % 2001u`: the constant needs no closure, and a nonzero
      // divisor no zero check (a signed divisor of -1 keeps the INT_MIN / -1 check below).
      const x = rc !== undefined ? a : b;
      const c = rc ?? lc!;
      if (uns) {
        switch (e.op) {
          case '+': return (f) => (x(f) + c) >>> 0;
          case '-': return (f) => (x(f) - c) >>> 0;
          case '*': return (f) => Math.imul(x(f), c) >>> 0;
          case '/': if (c !== 0) return (f) => Math.floor(x(f) / c); break;
          case '%': if (c !== 0) return (f) => x(f) % c; break;
          case '&': return (f) => (x(f) & c) >>> 0;
          case '|': return (f) => (x(f) | c) >>> 0;
          case '^': return (f) => (x(f) ^ c) >>> 0;
          case '>>': return (f) => x(f) >>> c;
          case '<<': return (f) => (x(f) << c) >>> 0;
        }
      } else {
        switch (e.op) {
          case '+': return (f) => (x(f) + c) | 0;
          case '-': return (f) => (x(f) - c) | 0;
          case '*': return (f) => Math.imul(x(f), c);
          case '/': if (c !== 0 && c !== -1) return (f) => (x(f) / c) | 0; break;
          case '%': if (c !== 0 && c !== -1) return (f) => x(f) % c | 0; break;
          case '&': return (f) => x(f) & c;
          case '|': return (f) => x(f) | c;
          case '^': return (f) => x(f) ^ c;
          case '>>': return (f) => x(f) >> c;
          case '<<': return (f) => x(f) << c;
        }
      }
    }
    if (uns) {
      switch (e.op) {
        case '+': return (f) => (a(f) + b(f)) >>> 0;
        case '-': return (f) => (a(f) - b(f)) >>> 0;
        case '*': return (f) => Math.imul(a(f), b(f)) >>> 0;
        case '/': return (f) => {
          const x = a(f);
          const y = b(f);
          if (y === 0) return m.host.divideError(m, span);
          return Math.floor(x / y);
        };
        case '%': return (f) => {
          const x = a(f);
          const y = b(f);
          if (y === 0) return m.host.divideError(m, span);
          return x % y;
        };
        case '&': return (f) => (a(f) & b(f)) >>> 0;
        case '|': return (f) => (a(f) | b(f)) >>> 0;
        case '^': return (f) => (a(f) ^ b(f)) >>> 0;
        case '<<': return (f) => (a(f) << b(f)) >>> 0;
        case '>>': return (f) => a(f) >>> b(f);
      }
      return () => 0;
    }
    switch (e.op) {
      case '+': return (f) => (a(f) + b(f)) | 0;
      case '-': return (f) => (a(f) - b(f)) | 0;
      case '*': return (f) => Math.imul(a(f), b(f));
      case '/': return (f) => {
        const x = a(f);
        const y = b(f);
        if (y === 0 || (x === -2147483648 && y === -1)) return m.host.divideError(m, span);
        return (x / y) | 0;
      };
      case '%': return (f) => {
        const x = a(f);
        const y = b(f);
        if (y === 0 || (x === -2147483648 && y === -1)) return m.host.divideError(m, span);
        return x % y | 0;
      };
      case '&': return (f) => a(f) & b(f);
      case '|': return (f) => a(f) | b(f);
      case '^': return (f) => a(f) ^ b(f);
      case '<<': return (f) => a(f) << b(f);
      case '>>': return (f) => a(f) >> b(f);
    }
    return () => 0;
  }

  /** An arithmetic operation on already-converted operands of type t (for compound assignment). */
  private arith(op: string, t: CType, span: Span): (a: I64, b: I64) => I64 {
    const m = this.m;
    const uns = isUnsigned(t);
    if (is64(t)) {
      switch (op) {
        case '+': return add64;
        case '-': return sub64;
        case '*': return mul64;
        case '/': return (a, b) => (b === 0 ? m.host.divideError(m, span) : uns ? udiv64(a, b) : sdiv64(a, b));
        case '%': return (a, b) => (b === 0 ? m.host.divideError(m, span) : uns ? urem64(a, b) : srem64(a, b));
        case '&': return and64;
        case '|': return or64;
        case '^': return xor64;
        case '<<': return (a, b) => shl64(a, Number(b));
        case '>>': return uns ? (a, b) => shr64(a, Number(b)) : (a, b) => sar64(a, Number(b));
      }
    }
    type N = (a: number, b: number) => number;
    const ops: Record<string, N> = uns
      ? {
          '+': (a, b) => (a + b) >>> 0, '-': (a, b) => (a - b) >>> 0, '*': (a, b) => Math.imul(a, b) >>> 0,
          '/': (a, b) => (b === 0 ? m.host.divideError(m, span) : Math.floor(a / b)), '%': (a, b) => (b === 0 ? m.host.divideError(m, span) : a % b),
          '&': (a, b) => (a & b) >>> 0, '|': (a, b) => (a | b) >>> 0, '^': (a, b) => (a ^ b) >>> 0, '<<': (a, b) => (a << b) >>> 0, '>>': (a, b) => a >>> b,
        }
      : {
          '+': (a, b) => (a + b) | 0, '-': (a, b) => (a - b) | 0, '*': (a, b) => Math.imul(a, b),
          '/': (a, b) => (b === 0 ? m.host.divideError(m, span) : (a / b) | 0), '%': (a, b) => (b === 0 ? m.host.divideError(m, span) : a % b | 0),
          '&': (a, b) => a & b, '|': (a, b) => a | b, '^': (a, b) => a ^ b, '<<': (a, b) => a << b, '>>': (a, b) => a >> b,
        };
    return ops[op] as (a: I64, b: I64) => I64;
  }

  /** Read-modify-write access to an lvalue: returns get and set closures sharing one address evaluation. */
  private lvalue(e: Expr): { slot?: number; addr?: AV; ld?: (a: I64) => I64; st?: (a: I64, v: I64) => void } {
    if (e.k === 'var') {
      const slot = this.ctx?.slotOf.get(e.v);
      if (slot !== undefined) return { slot };
    }
    if (e.k === 'member' && e.bitWidth !== undefined) {
      return { addr: this.addr(e), ld: this.bitfieldLoad(e.type, e.bitOffset ?? 0, e.bitWidth), st: this.bitfieldStore(e.type, e.bitOffset ?? 0, e.bitWidth) };
    }
    const st = storer(this.m, e.type);
    const onStore = this.layout.onStore;
    if (!onStore) return { addr: this.addr(e), ld: loader(this.m, e.type), st };
    const size = sizeOf(e.type);
    const span = e.span;
    return {
      addr: this.addr(e),
      ld: loader(this.m, e.type),
      st: (a, v) => {
        st(a, v);
        onStore(a, size, span);
      },
    };
  }

  private assign(e: Extract<Expr, { k: 'assign' }>): EV {
    const v = this.expr(e.value);
    const lv = this.lvalue(e.target);
    if (lv.slot !== undefined) {
      const slot = lv.slot;
      return (f) => (f.s[slot] = v(f));
    }
    const addr = lv.addr!;
    const st = lv.st!;
    if (e.target.k === 'member' && e.target.bitWidth !== undefined) {
      const ld = lv.ld!;
      return (f) => {
        const a = addr(f);
        st(a, v(f));
        return ld(a);
      };
    }
    if (e.type.kind === 'struct') {
      return (f) => {
        const val = v(f);
        const a = addr(f);
        st(a, val);
        return a;
      };
    }
    // C leaves the order of evaluating the two sides unspecified; gcc evaluates the value first.
    const tt = e.target.type;
    if (!this.layout.onStore && (tt.kind === 'ptr' || tt.kind === 'int')) {
      // A scalar store with nobody watching: the memory accessor is called directly.
      const mem = this.m.mem;
      switch (tt.kind === 'ptr' ? 8 : tt.size) {
        case 1: return (f) => {
          const val = v(f);
          mem.st8(addr(f), val as number);
          return val;
        };
        case 2: return (f) => {
          const val = v(f);
          mem.st16(addr(f), val as number);
          return val;
        };
        case 4: return (f) => {
          const val = v(f);
          mem.st32(addr(f), val as number);
          return val;
        };
        case 8: return (f) => {
          const val = v(f);
          mem.st64(addr(f), val);
          return val;
        };
      }
    }
    return (f) => {
      const val = v(f);
      st(addr(f), val);
      return val;
    };
  }

  /**
   * `x op= v` on a variable is `x = (T)((OpT)x op v)`: reading and writing a variable has no side
   * effects, so the compound assignment can be the plain assignment of a binary operation, with all
   * their fused forms. Other targets (`p->n += v`) keep a single address evaluation, in `opassign`.
   */
  private asPlainAssign(e: Extract<Expr, { k: 'opassign' }>): Extract<Expr, { k: 'assign' }> | undefined {
    const { target, value, span } = e;
    if (target.k !== 'var') return undefined;
    let rhs: Expr;
    if (e.op === 'ptr+' || e.op === 'ptr-') {
      rhs = { k: 'ptradd', type: target.type, span, op: e.op === 'ptr+' ? '+' : '-', p: target, i: value, scale: e.scale };
    } else {
      const l: Expr = { k: 'cast', type: e.opType, span, e: target };
      rhs = { k: 'cast', type: target.type, span, e: { k: 'binary', type: e.opType, span, op: e.op, l, r: value } };
    }
    return { k: 'assign', type: e.type, span, target, value: rhs };
  }

  private opassign(e: Extract<Expr, { k: 'opassign' }>): EV {
    const plain = this.asPlainAssign(e);
    if (plain) return this.assign(plain);
    const v = this.expr(e.value);
    const lv = this.lvalue(e.target);
    const tt = e.target.type;
    let op: (a: I64, b: I64) => I64;
    if (e.op === 'ptr+' || e.op === 'ptr-') {
      const scale = e.scale;
      const sign = e.op === 'ptr+' ? 1 : -1;
      op = (a, b) => (typeof a === 'number' && typeof b === 'number' ? a + sign * b * scale : add64(a, mul64(b, sign * scale)));
    } else {
      const ar = this.arith(e.op, e.opType, e.span);
      const toOp = converter(tt, e.opType);
      const back = converter(e.opType, tt);
      op = (a, b) => {
        const x = toOp ? toOp(a) : a;
        const r = ar(x, b);
        return back ? back(r) : r;
      };
    }
    if (lv.slot !== undefined) {
      const slot = lv.slot;
      return (f) => (f.s[slot] = op(f.s[slot], v(f)));
    }
    const addr = lv.addr!;
    const ld = lv.ld!;
    const st = lv.st!;
    return (f) => {
      const a = addr(f);
      const r = op(ld(a), v(f));
      st(a, r);
      return r;
    };
  }

  /**
   * `i++;`, `p--;` as a statement, on a register int, unsigned int, 64-bit integer or pointer: one
   * closure for the statement and the update (undefined for other forms).
   */
  private registerStep(s: Stmt, e: Extract<Expr, { k: 'incdec' }>): SV | undefined {
    const x = e.target.k === 'var' ? this.ctx?.slotOf.get(e.target.v) : undefined;
    const t = e.type;
    const d = e.delta;
    if (x === undefined || t.kind !== 'int' && t.kind !== 'ptr') return undefined;
    if (t.kind === 'int' && t.size === 4) {
      if (t.signed) return (f) => {
        f.cur = s;
        f.s[x] = ((f.s[x] as number) + d) | 0;
        return NORMAL;
      };
      return (f) => {
        f.cur = s;
        f.s[x] = ((f.s[x] as number) + d) >>> 0;
        return NORMAL;
      };
    }
    if (!is64(t)) return undefined;
    return (f) => {
      f.cur = s;
      const v = f.s[x];
      f.s[x] = typeof v === 'number' && Math.abs(v + d) <= MAX_SAFE ? v + d : add64(v, d);
      return NORMAL;
    };
  }

  /** `++x`, `x--`, ...; with `valueUsed` false (a statement, a for step) postfix is compiled as prefix. */
  private incdec(e: Extract<Expr, { k: 'incdec' }>, valueUsed = true): EV {
    const t = e.type;
    const d = e.delta;
    const prefix = e.prefix || !valueUsed;
    const lv = this.lvalue(e.target);
    if (lv.slot !== undefined && t.kind === 'int' && t.size === 4) {
      // The loop counter: `i++` on a register int or unsigned int, wrapped inline.
      const x = lv.slot;
      if (t.signed) {
        if (prefix) return (f) => (f.s[x] = ((f.s[x] as number) + d) | 0);
        return (f) => {
          const old = f.s[x] as number;
          f.s[x] = (old + d) | 0;
          return old;
        };
      }
      if (prefix) return (f) => (f.s[x] = ((f.s[x] as number) + d) >>> 0);
      return (f) => {
        const old = f.s[x] as number;
        f.s[x] = (old + d) >>> 0;
        return old;
      };
    }
    if (lv.slot !== undefined && prefix && is64(t)) {
      const x = lv.slot;
      return (f) => {
        const v = f.s[x];
        return (f.s[x] = typeof v === 'number' && Math.abs(v + d) <= MAX_SAFE ? v + d : add64(v, d));
      };
    }
    let step: (v: I64) => I64;
    if (is64(t)) step = (v) => (typeof v === 'number' && Math.abs(v + d) <= MAX_SAFE ? v + d : add64(v, d));
    else {
      const back = converter(T.long, t)!;
      step = back ? (v) => back((v as number) + d) : (v) => (v as number) + d;
    }
    if (lv.slot !== undefined) {
      const slot = lv.slot;
      if (prefix) return (f) => (f.s[slot] = step(f.s[slot]));
      return (f) => {
        const old = f.s[slot];
        f.s[slot] = step(old);
        return old;
      };
    }
    const addr = lv.addr!;
    const ld = lv.ld!;
    const st = lv.st!;
    if (prefix) return (f) => {
      const a = addr(f);
      const r = step(ld(a));
      st(a, r);
      return r;
    };
    return (f) => {
      const a = addr(f);
      const old = ld(a);
      st(a, step(old));
      return old;
    };
  }

  private bitfieldLoad(t: CType, bitOffset: number, width: number): (a: I64) => I64 {
    const mem = this.m.mem;
    const signed = t.kind === 'int' && t.signed && t.ik !== 'bool';
    const bytes = Math.ceil((bitOffset + width) / 8);
    return (a) => {
      // Read the bytes that hold the field (little-endian), then extract.
      let v = 0n;
      for (let i = bytes - 1; i >= 0; i--) v = (v << 8n) | BigInt(mem.ld8(add64(a, i)));
      let x = (v >> BigInt(bitOffset)) & ((1n << BigInt(width)) - 1n);
      if (signed && width > 0 && (x >> BigInt(width - 1)) & 1n) x -= 1n << BigInt(width);
      return width <= 32 ? Number(x) : Number(BigInt.asIntN(64, x));
    };
  }

  private bitfieldStore(t: CType, bitOffset: number, width: number): (a: I64, v: I64) => void {
    const mem = this.m.mem;
    void t;
    const bytes = Math.ceil((bitOffset + width) / 8);
    const mask = ((1n << BigInt(width)) - 1n) << BigInt(bitOffset);
    return (a, v) => {
      let word = 0n;
      for (let i = bytes - 1; i >= 0; i--) word = (word << 8n) | BigInt(mem.ld8(add64(a, i)));
      const bv = (BigInt.asUintN(64, BigInt(v)) << BigInt(bitOffset)) & mask;
      word = (word & ~mask) | bv;
      for (let i = 0; i < bytes; i++) mem.st8(add64(a, i), Number((word >> BigInt(8 * i)) & 0xffn));
    };
  }

  private call(e: Extract<Expr, { k: 'call' }>): EV {
    const m = this.m;
    const args = e.args.map((a) => this.expr(a));
    const n = args.length;
    // One CallSite object per call site, pointed at the calling frame on each call: natives use it
    // synchronously (they copy what they keep), so reusing it saves an allocation per call.
    const cs: { span: Span; frame: Frame } = { span: e.span, frame: undefined as unknown as Frame };
    const site = (f: Frame): CallSite => {
      cs.frame = f;
      return cs;
    };
    const direct = e.direct ? (this.functions.get(e.direct.name) ?? this.resolve(e.direct.name)) : undefined;
    const retStruct = e.type.kind === 'struct';
    if (retStruct) this.unsupported(e.span, 'calling a function that returns a struct by value');
    if (direct && direct.kind === 'module') {
      const cf = direct;
      // Arity-specialised entries: no argument array on the hottest calls. The arguments are all
      // evaluated before the callee's frame is entered (an argument may itself call a function).
      switch (n) {
        case 0: return () => cf.invoke0() ?? 0;
        case 1: {
          const [a0] = args;
          return (f) => cf.invoke1(a0(f)) ?? 0;
        }
        case 2: {
          const [a0, a1] = args;
          return (f) => {
            const x = a0(f);
            return cf.invoke2(x, a1(f)) ?? 0;
          };
        }
        case 3: {
          const [a0, a1, a2] = args;
          return (f) => {
            const x = a0(f);
            const y = a1(f);
            return cf.invoke3(x, y, a2(f)) ?? 0;
          };
        }
      }
      return (f) => {
        const vals = new Array<I64>(n);
        for (let i = 0; i < n; i++) vals[i] = args[i](f);
        return cf.invoke(vals) ?? 0;
      };
    }
    if (direct && direct.kind === 'native') {
      const nf: NativeFunction = direct;
      const impl = nf.impl;
      switch (n) {
        case 1: {
          const [a0] = args;
          return (f) => impl(m, [a0(f)], site(f)) ?? 0;
        }
        case 2: {
          const [a0, a1] = args;
          return (f) => impl(m, [a0(f), a1(f)], site(f)) ?? 0;
        }
        case 3: {
          const [a0, a1, a2] = args;
          return (f) => impl(m, [a0(f), a1(f), a2(f)], site(f)) ?? 0;
        }
      }
      return (f) => {
        const vals = new Array<I64>(n);
        for (let i = 0; i < n; i++) vals[i] = args[i](f);
        return impl(m, vals, site(f)) ?? 0;
      };
    }
    if (e.direct && !direct) {
      // Declared but neither defined nor exported: the loader reports `Unknown symbol`; calling it is unreachable.
      const name = e.direct.name;
      return (f) => m.host.badCall(m, this.layout.funcAddr(name) ?? 0, site(f));
    }
    const callee = this.expr(e.callee);
    return (f) => {
      const target = callee(f);
      const vals = new Array<I64>(n);
      for (let i = 0; i < n; i++) vals[i] = args[i](f);
      return m.callAddr(target, vals, site(f)) ?? 0;
    };
  }

  // ---- resumable form --------------------------------------------------------------------------
  //
  // A kernel thread must be able to block (msleep, wait_for_completion, wait_event) and be resumed
  // later, while other tasks run. Closures cannot be suspended, so every module function that may
  // block (it calls a blocking kernel function, or a module function that may block) is compiled a
  // second time as a generator, `cf.resume`; everything else stays plain closures, so hot loops
  // run at full speed. The kernel runs a kthread through its resumable form when it has one.
  //
  // In the resumable form, a statement that cannot block is the plain closure. In one that can,
  // each blocking sub-expression (a call to a blocking function or to a resumable module function,
  // or a statement expression that blocks, as the wait_event macros are) is "hoisted": it runs
  // first, in evaluation order, as a generator that leaves its value in a frame slot, and the plain
  // closure of the rest of the expression reads that slot. A blocking native is called with
  // `Machine.blockable` set: instead of sleeping it leaves a request in `Machine.pending`, which the
  // generator yields; the scheduler resumes it with the call's value.
  //
  // Hoisting keeps C's order of evaluation for blocking calls that come first in their expression
  // (`msleep(100);`, `ret = wait_for_completion_timeout(&c, HZ);`, `if (wait_event_interruptible(...))`).
  // A blocking call that C might not evaluate at all (behind `&&`, `||` or `?:`), and a blocking
  // statement inside a `switch`, are left in the plain form: they block on the host stack, as a
  // callback does (kernel/deferred.ts describes that fallback).

  private compileResumables(blocks: (name: string) => boolean): void {
    this.blocks = blocks;
    const sleepy = this.sleepy;
    for (let changed = true; changed; ) {
      changed = false;
      for (const cf of this.functions.values()) {
        if (sleepy.has(cf.name)) continue;
        if (cf.def.calls.some((c) => blocks(c.name) || sleepy.has(c.name))) {
          sleepy.add(cf.name);
          changed = true;
        }
      }
    }
    for (const name of sleepy) this.compileResumable(this.functions.get(name)!);
  }

  private compileResumable(cf: CompiledFunction): void {
    const ctx = this.frameLayout(cf);
    this.ctx = ctx;
    const body = this.gstmt(cf.def.body!);
    const m = this.m;
    const params = this.paramStores(ctx);
    const frameSize = cf.frameSize;
    const nslots = ctx.nslots;
    const retConv = cf.def.type.ret.kind !== 'void';
    cf.resume = function* (args: I64[]) {
      const top = m.sp;
      const sp = top - frameSize;
      if (sp < m.stackLimit) m.host.stackOverflow(m, cf);
      const f = new Frame(cf, top - 16, nslots);
      m.sp = sp;
      m.frames.push(f);
      for (let i = 0; i < params.length; i++) {
        const p = params[i];
        const v = i < args.length ? args[i] : 0;
        if (p.slot >= 0) f.s[p.slot] = v;
        else p.store!(f.bp - p.off, v);
      }
      const r = yield* body(f);
      m.frames.pop();
      m.sp = top;
      if (r === RETURN) return f.ret;
      return retConv ? 0 : undefined;
    };
    this.ctx = undefined;
  }

  /** A call that may block: to a blocking kernel function or to a module function that may block. */
  private blockingCall(e: Expr): boolean {
    return e.k === 'call' && e.direct !== undefined && (this.blocks(e.direct.name) || this.sleepy.has(e.direct.name));
  }

  private stmtBlocks(s: Stmt): boolean {
    let found = false;
    walkStmt(s, (e) => {
      if (!found && this.blockingCall(e)) found = true;
    });
    return found;
  }

  /**
   * The blocking sub-expressions of `e` in evaluation order, or undefined when one of them might
   * not be evaluated (behind &&, || or ?:) and so cannot be hoisted.
   */
  private blockingParts(e: Expr): Expr[] | undefined {
    const out: Expr[] = [];
    let ok = true;
    const visit = (x: Expr, guarded: boolean): void => {
      if (!ok) return;
      switch (x.k) {
        case 'call':
          visit(x.callee, guarded);
          for (const a of x.args) visit(a, guarded);
          if (this.blockingCall(x)) {
            if (guarded) ok = false;
            out.push(x);
          }
          return;
        case 'stmtexpr':
          if (this.stmtBlocks(x.body)) {
            if (guarded) ok = false;
            out.push(x);
          }
          return;
        case 'logical':
          visit(x.l, guarded);
          visit(x.r, true);
          return;
        case 'cond':
          visit(x.c, guarded);
          visit(x.t, true);
          visit(x.f, true);
          return;
        default:
          walkChildren(x, (c) => visit(c, guarded));
      }
    };
    visit(e, false);
    return ok ? out : undefined;
  }

  /** Hoist the blocking parts of expressions (in order): the runner that evaluates them, or undefined if one cannot be hoisted. */
  private hoist(exprs: readonly Expr[]): GRun | undefined {
    const parts: Expr[] = [];
    for (const e of exprs) {
      const p = this.blockingParts(e);
      if (!p) return undefined;
      parts.push(...p);
    }
    const runs = parts.map((p) => {
      const run = this.hoistedPart(p, this.ctx!.nslots++);
      this.hoisted.set(p, this.ctx!.nslots - 1);
      return run;
    });
    if (runs.length === 1) return runs[0];
    return function* (f) {
      for (const r of runs) yield* r(f);
    };
  }

  private hoistedPart(e: Expr, slot: number): GRun {
    const m = this.m;
    if (e.k === 'stmtexpr') {
      const stmts = e.body.stmts;
      const last = stmts[stmts.length - 1];
      const valueLast = last !== undefined && last.k === 'expr';
      const init = stmts.slice(0, valueLast ? -1 : stmts.length).map((s) => this.gstmt(s));
      const lastRun = valueLast ? this.hoist([last.e]) : undefined;
      const val = valueLast ? this.expr(last.e) : () => 0;
      return function* (f) {
        for (const s of init) {
          // break/continue/return/goto out of a statement expression: not modelled (as in the plain form).
          if ((yield* s(f)) !== NORMAL) break;
        }
        if (lastRun) yield* lastRun(f);
        f.s[slot] = val(f);
      };
    }
    const call = e as Extract<Expr, { k: 'call' }>;
    const callee = this.functions.get(call.direct!.name);
    if (callee) {
      const args = call.args.map((a) => this.expr(a));
      const plain = this.expr(call);
      return function* (f) {
        if (!callee.resume) {
          f.s[slot] = plain(f);
          return;
        }
        const vals = args.map((a) => a(f));
        f.s[slot] = (yield* callee.resume(vals)) ?? 0;
      };
    }
    const ev = this.expr(call);
    return function* (f) {
      m.blockable = true;
      let v: I64;
      try {
        v = ev(f);
      } finally {
        // A blocking function takes the flag; if the call never reached one (or died), no later call may.
        m.blockable = false;
      }
      if (m.pending !== undefined) {
        const request = m.pending;
        m.pending = undefined;
        v = yield request;
      }
      f.s[slot] = v;
    };
  }

  /** A plain statement as a (never yielding) generator. */
  private plain(s: Stmt): GSV {
    const sv = this.stmt(s);
    // eslint-disable-next-line require-yield
    return function* (f) {
      return sv(f);
    };
  }

  private gstmt(s: Stmt): GSV {
    if (!this.stmtBlocks(s)) return this.plain(s);
    const m = this.m;
    switch (s.k) {
      case 'expr': {
        const h = this.hoist([s.e]);
        if (!h) return this.plain(s);
        const e = this.expr(s.e);
        return function* (f) {
          f.cur = s;
          yield* h(f);
          e(f);
          return NORMAL;
        };
      }
      case 'decl': {
        const h = this.hoist((s.v.init?.leaves ?? []).flatMap((l) => ('expr' in l ? [l.expr] : [])));
        if (!h) return this.plain(s);
        const d = this.decl(s.v, s);
        return function* (f) {
          f.cur = s;
          yield* h(f);
          return d(f);
        };
      }
      case 'block': return this.gblock(s);
      case 'label': return this.gstmt(s.body);
      case 'if': {
        const h = this.hoist([s.c]);
        if (!h) return this.plain(s);
        const c = this.cond(s.c);
        const t = this.gstmt(s.t);
        const e = s.f ? this.gstmt(s.f) : undefined;
        return function* (f) {
          f.cur = s;
          yield* h(f);
          if (c(f)) return yield* t(f);
          return e ? yield* e(f) : NORMAL;
        };
      }
      case 'while':
      case 'do': {
        const h = this.hoist([s.c]);
        if (!h) return this.plain(s);
        const c = this.cond(s.c);
        const body = this.gstmt(s.body);
        const test = s.k === 'while';
        return function* (f) {
          for (let first = true; ; first = false) {
            if (test || !first) {
              f.cur = s;
              yield* h(f);
              if (!c(f)) return NORMAL;
            }
            const r = yield* body(f);
            if (r !== NORMAL && r !== CONTINUE) return r === BREAK ? NORMAL : r;
            if (--m.budget < 0) m.slice();
          }
        };
      }
      case 'for': {
        const init = s.init ? this.gstmt(s.init) : undefined;
        const hc = s.c ? this.hoist([s.c]) : undefined;
        const hs = s.step ? this.hoist([s.step]) : undefined;
        if ((s.c && !hc) || (s.step && !hs)) return this.plain(s);
        const c = s.c ? this.cond(s.c) : undefined;
        const step = s.step ? this.expr(s.step) : undefined;
        const body = this.gstmt(s.body);
        return function* (f) {
          f.cur = s;
          if (init) yield* init(f);
          for (;;) {
            if (c) {
              yield* hc!(f);
              if (!c(f)) return NORMAL;
            }
            const r = yield* body(f);
            if (r !== NORMAL && r !== CONTINUE) return r === BREAK ? NORMAL : r;
            if (step) {
              yield* hs!(f);
              step(f);
            }
            if (--m.budget < 0) m.slice();
          }
        };
      }
      case 'return': {
        if (!s.e) return this.plain(s);
        const h = this.hoist([s.e]);
        if (!h) return this.plain(s);
        const e = this.expr(s.e);
        return function* (f) {
          f.cur = s;
          yield* h(f);
          f.ret = e(f);
          return RETURN;
        };
      }
      default:
        // switch (and anything else that blocks in an unusual place): the plain form.
        return this.plain(s);
    }
  }

  private gblock(b: Block): GSV {
    const stmts = b.stmts.map((s) => this.gstmt(s));
    const labels = labelIndex(b);
    return function* (f) {
      for (let i = 0; i < stmts.length; i++) {
        const r = yield* stmts[i](f);
        if (r === NORMAL) continue;
        const target = r === GOTO ? labels.get(f.gotoLabel) : undefined;
        if (target === undefined) return r;
        i = target - 1;
      }
      return NORMAL;
    };
  }

  // ---- globals ---------------------------------------------------------------------------------

  private compileGlobalInits(): (() => void)[] {
    const out: (() => void)[] = [];
    const mem = this.m.mem;
    const dummy = new Frame(
      { kind: 'module', name: '<static init>', def: undefined as unknown as Func, module: this.moduleName, addr: 0, size: 0, frameSize: 0, nslots: 0, homes: new Map(), invoke: () => 0, invoke0: () => 0, invoke1: () => 0, invoke2: () => 0, invoke3: () => 0 },
      0,
      0,
    );
    for (const s of this.unit.strings) {
      const a = this.layout.stringAddr(s.id);
      const bytes = s.bytes;
      out.push(() => {
        for (let i = 0; i < bytes.length; i++) mem.st8(add64(a, i), bytes[i]);
      });
    }
    for (const v of this.unit.globals) {
      if (!v.init || v.isExtern) continue;
      const a = this.layout.globalAddr(v);
      const leaves = v.init.leaves.map((l) => this.leafStore(l));
      out.push(() => {
        for (const l of leaves) l(dummy, a);
      });
    }
    return out;
  }
}

/** The index in `b` of each label that is a direct child of it (possibly behind other labels): where a goto resumes. */
function labelIndex(b: Block): Map<string, number> {
  const labels = new Map<string, number>();
  b.stmts.forEach((s, i) => {
    let x: Stmt = s;
    while (x.k === 'label') {
      labels.set(x.label, i);
      x = x.body;
    }
  });
  return labels;
}

function alignOfType(t: CType): number {
  switch (t.kind) {
    case 'int': return t.size;
    case 'ptr': return 8;
    case 'array': return alignOfType(t.of);
    case 'struct': return t.align;
    default: return 8;
  }
}

export { typeName };
