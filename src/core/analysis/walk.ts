// Pre-order walks over the typed AST, for the syntactic passes (call graph, callback registrations,
// stack frames). The dataflow passes do not use it: they follow the CFG.

import type { Expr, Stmt } from '../c/ast';

export function walkExpr(e: Expr, visit: (e: Expr) => void): void {
  visit(e);
  if (e.k === 'stmtexpr') walkStmt(e.body, visit);
  else walkChildren(e, (c) => walkExpr(c, visit));
}

/**
 * The direct sub-expressions of `e`, in C's order of evaluation where it has one (a call's callee,
 * then its arguments). A statement expression's body is statements: see walkStmt.
 */
export function walkChildren(e: Expr, visit: (e: Expr) => void): void {
  switch (e.k) {
    case 'call':
      visit(e.callee);
      for (const a of e.args) visit(a);
      break;
    case 'unary':
    case 'cast':
    case 'deref':
    case 'addr':
    case 'member':
      visit(e.e);
      break;
    case 'binary':
    case 'logical':
    case 'comma':
    case 'ptrdiff':
      visit(e.l);
      visit(e.r);
      break;
    case 'ptradd':
      visit(e.p);
      visit(e.i);
      break;
    case 'assign':
    case 'opassign':
      visit(e.target);
      visit(e.value);
      break;
    case 'incdec':
      visit(e.target);
      break;
    case 'cond':
      visit(e.c);
      visit(e.t);
      visit(e.f);
      break;
    case 'compound':
      for (const l of e.v.init?.leaves ?? []) if ('expr' in l) visit(l.expr);
      break;
    case 'vaarg':
      visit(e.ap);
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
