// Pre-order walks over the typed AST, for the syntactic passes (call graph, callback registrations,
// stack frames). The dataflow passes do not use it: they follow the CFG.

import type { Expr, Stmt } from '../c/ast';

export function walkExpr(e: Expr, visit: (e: Expr) => void): void {
  visit(e);
  switch (e.k) {
    case 'call':
      walkExpr(e.callee, visit);
      for (const a of e.args) walkExpr(a, visit);
      break;
    case 'unary':
    case 'cast':
    case 'deref':
    case 'addr':
    case 'member':
      walkExpr(e.e, visit);
      break;
    case 'binary':
    case 'logical':
    case 'comma':
    case 'ptrdiff':
      walkExpr(e.l, visit);
      walkExpr(e.r, visit);
      break;
    case 'ptradd':
      walkExpr(e.p, visit);
      walkExpr(e.i, visit);
      break;
    case 'assign':
    case 'opassign':
      walkExpr(e.target, visit);
      walkExpr(e.value, visit);
      break;
    case 'incdec':
      walkExpr(e.target, visit);
      break;
    case 'cond':
      walkExpr(e.c, visit);
      walkExpr(e.t, visit);
      walkExpr(e.f, visit);
      break;
    case 'stmtexpr':
      walkStmt(e.body, visit);
      break;
    case 'compound':
      for (const l of e.v.init?.leaves ?? []) if ('expr' in l) walkExpr(l.expr, visit);
      break;
    case 'vaarg':
      walkExpr(e.ap, visit);
      break;
    default:
      break;
  }
}

export function walkStmt(s: Stmt, visit: (e: Expr) => void): void {
  switch (s.k) {
    case 'expr': walkExpr(s.e, visit); break;
    case 'decl': for (const l of s.v.init?.leaves ?? []) if ('expr' in l) walkExpr(l.expr, visit); break;
    case 'block': for (const x of s.stmts) walkStmt(x, visit); break;
    case 'if':
      walkExpr(s.c, visit);
      walkStmt(s.t, visit);
      if (s.f) walkStmt(s.f, visit);
      break;
    case 'while':
    case 'do':
      walkExpr(s.c, visit);
      walkStmt(s.body, visit);
      break;
    case 'for':
      if (s.init) walkStmt(s.init, visit);
      if (s.c) walkExpr(s.c, visit);
      if (s.step) walkExpr(s.step, visit);
      walkStmt(s.body, visit);
      break;
    case 'switch':
      walkExpr(s.c, visit);
      walkStmt(s.body, visit);
      break;
    case 'case':
    case 'default':
    case 'label':
      walkStmt(s.body, visit);
      break;
    case 'return': if (s.e) walkExpr(s.e, visit); break;
    default: break;
  }
}

/** The function an expression designates (`fn`, `&fn`, `(void *)fn`), if any. */
export function funcName(e: Expr): string | undefined {
  while (e.k === 'cast' || e.k === 'addr') e = e.e;
  return e.k === 'func' ? e.f.name : undefined;
}
