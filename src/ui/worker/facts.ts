// Parse facts the editor needs besides diagnostics, read off the typed AST in the worker: where the
// init and exit functions are named (CodeLens), and the size of each kmalloc-family call whose size
// the compiler knows (`kmalloc(sizeof(*p), GFP_KERNEL)` is 56 bytes for struct Person), for the
// hover that names the slab cache. Pure: no vscode, no Node.

import { entryPoint } from '../../core/index';
import type { Expr, FrontEndResult, Span, Stmt } from '../../core/index';
import type { WireAllocation, WireRange } from '../../protocol/kernel';

/** A span as 1-based positions in its file. */
export function toWireRange(s: Span): WireRange {
  return { file: s.file.name, virtual: s.file.isVirtual, start: s.file.position(s.start), end: s.file.position(s.end) };
}

/** The init and exit functions' name spans, as insmod and rmmod would pick them. */
export function entryRanges(fe: FrontEndResult): { init: WireRange | undefined; exit: WireRange | undefined } {
  const own = (s: Span | undefined) => (s && s.file === fe.file ? toWireRange(s) : undefined);
  return {
    init: own(entryPoint(fe.unit, '.kmodlab.init', 'init_module')?.nameSpan),
    exit: own(entryPoint(fe.unit, '.kmodlab.exit', 'cleanup_module')?.nameSpan),
  };
}

/** Which argument(s) give the size, per kmalloc-family allocator (n * size for the array forms). */
const SIZE_ARGS: Readonly<Record<string, readonly number[]>> = {
  kmalloc: [0],
  kzalloc: [0],
  kmalloc_node: [0],
  kzalloc_node: [0],
  __kmalloc: [0],
  kmalloc_array: [0, 1],
  kcalloc: [0, 1],
  krealloc: [1],
  kvmalloc: [0],
  kvzalloc: [0],
  kvmalloc_array: [0, 1],
  kvcalloc: [0, 1],
  vmalloc: [0],
  vzalloc: [0],
  vmalloc_array: [0, 1],
  vcalloc: [0, 1],
};

/** Allocators whose memory comes from the vmalloc area (whole pages); the rest are kmalloc's. */
const VMALLOC_FAMILY = new Set(['vmalloc', 'vzalloc', 'vmalloc_array', 'vcalloc']);

/** Every kmalloc- or vmalloc-family call in the module's own functions whose size is a compile-time constant. */
export function allocationSizes(fe: FrontEndResult): WireAllocation[] {
  const out: WireAllocation[] = [];
  const visit = (e: Expr) => {
    if (e.k !== 'call') return;
    // A direct call's callee is the function decayed to a pointer: `&kmalloc`, maybe cast.
    let callee = e.callee;
    while (callee.k === 'cast' || callee.k === 'addr') callee = callee.e;
    if (callee.k !== 'func' || callee.span.file !== fe.file) return;
    const argIdx = SIZE_ARGS[callee.f.name];
    if (!argIdx) return;
    let size = 1;
    for (const i of argIdx) {
      const v = e.args[i] ? constValue(e.args[i]) : undefined;
      if (v === undefined) return;
      size *= v;
    }
    out.push({ range: toWireRange(callee.span), fn: callee.f.name, size, family: VMALLOC_FAMILY.has(callee.f.name) ? 'vmalloc' : 'kmalloc' });
  };
  for (const f of fe.unit.funcs) if (!f.fromHeader && f.body) walkStmt(f.body, visit);
  return out;
}

function stripCasts(e: Expr): Expr {
  while (e.k === 'cast') e = e.e;
  return e;
}

/** The value of a constant integer expression the front end folded or left as simple arithmetic. */
function constValue(e: Expr): number | undefined {
  e = stripCasts(e);
  if (e.k === 'num') {
    const n = typeof e.value === 'bigint' ? Number(e.value) : e.value;
    return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
  }
  if (e.k === 'binary' && (e.op === '*' || e.op === '+' || e.op === '-')) {
    const l = constValue(e.l);
    const r = constValue(e.r);
    if (l === undefined || r === undefined) return undefined;
    const v = e.op === '*' ? l * r : e.op === '+' ? l + r : l - r;
    return v >= 0 ? v : undefined;
  }
  return undefined;
}

/** Calls `visit` on every expression under `s`, outermost first. */
function walkStmt(s: Stmt, visit: (e: Expr) => void): void {
  switch (s.k) {
    case 'expr':
      return walkExpr(s.e, visit);
    case 'decl':
      for (const leaf of s.v.init?.leaves ?? []) if ('expr' in leaf) walkExpr(leaf.expr, visit);
      return;
    case 'block':
      for (const t of s.stmts) walkStmt(t, visit);
      return;
    case 'if':
      walkExpr(s.c, visit);
      walkStmt(s.t, visit);
      if (s.f) walkStmt(s.f, visit);
      return;
    case 'while':
    case 'do':
      walkExpr(s.c, visit);
      return walkStmt(s.body, visit);
    case 'for':
      if (s.init) walkStmt(s.init, visit);
      if (s.c) walkExpr(s.c, visit);
      if (s.step) walkExpr(s.step, visit);
      return walkStmt(s.body, visit);
    case 'switch':
      walkExpr(s.c, visit);
      return walkStmt(s.body, visit);
    case 'case':
    case 'default':
    case 'label':
      return walkStmt(s.body, visit);
    case 'return':
      if (s.e) walkExpr(s.e, visit);
      return;
    case 'break':
    case 'continue':
    case 'goto':
    case 'empty':
      return;
  }
}

function walkExpr(e: Expr, visit: (e: Expr) => void): void {
  visit(e);
  switch (e.k) {
    case 'call':
      walkExpr(e.callee, visit);
      for (const a of e.args) walkExpr(a, visit);
      return;
    case 'unary':
    case 'cast':
    case 'deref':
    case 'addr':
    case 'member':
      return walkExpr(e.e, visit);
    case 'binary':
    case 'logical':
    case 'comma':
    case 'ptrdiff':
      walkExpr(e.l, visit);
      return walkExpr(e.r, visit);
    case 'ptradd':
      walkExpr(e.p, visit);
      return walkExpr(e.i, visit);
    case 'assign':
    case 'opassign':
      walkExpr(e.target, visit);
      return walkExpr(e.value, visit);
    case 'incdec':
      return walkExpr(e.target, visit);
    case 'cond':
      walkExpr(e.c, visit);
      walkExpr(e.t, visit);
      return walkExpr(e.f, visit);
    case 'stmtexpr':
      return walkStmt(e.body, visit);
    case 'vaarg':
      return walkExpr(e.ap, visit);
    case 'compound':
      for (const leaf of e.v.init?.leaves ?? []) if ('expr' in leaf) walkExpr(leaf.expr, visit);
      return;
    case 'num':
    case 'str':
    case 'var':
    case 'func':
    case 'error':
      return;
  }
}
