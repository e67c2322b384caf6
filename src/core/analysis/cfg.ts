// Control-flow graphs over the typed AST, one per function body (and one per GNU statement
// expression that contains control flow). Nodes are statements, declarations, branches and
// returns; expressions stay trees, and the interpreter (interp.ts) splits `&&`, `||`, `!` and `?:`
// itself where a condition decides a branch. The graph is built backwards in one pass: each
// statement is built knowing its successor, so `break`, `continue`, `goto`, `case` fallthrough and
// `return` need no patching beyond the lazily created label nodes.
// Invariant: node 0 is the entry, node 1 the exit; a branch's successors are [true, false].

import type { Block, Expr, Func, Stmt, Var } from '../c/ast';
import type { Span } from '../source/source';

export type CfgNode =
  | { readonly k: 'nop'; succ: number[]; readonly span?: Span }
  | { readonly k: 'expr'; succ: number[]; readonly e: Expr; readonly span: Span }
  | { readonly k: 'decl'; succ: number[]; readonly v: Var; readonly span: Span }
  | { readonly k: 'branch'; succ: number[]; readonly c: Expr; readonly span: Span }
  | { readonly k: 'switch'; succ: number[]; readonly c: Expr; readonly span: Span }
  /** `return e;`; `implicit` for falling off the end (span: the closing brace); `value` for a statement expression's result. */
  | { readonly k: 'ret'; succ: number[]; readonly e: Expr | undefined; readonly span: Span; readonly implicit?: boolean; readonly value?: boolean };

export interface Cfg {
  readonly nodes: CfgNode[];
  readonly entry: number;
  readonly exit: number;
}

interface Ctx {
  readonly brk?: number;
  readonly cont?: number;
  readonly sw?: { targets: number[]; deflt?: number };
}

class Builder {
  readonly nodes: CfgNode[] = [];
  private readonly labels = new Map<string, number>();

  constructor() {
    this.add({ k: 'nop', succ: [] });
    this.add({ k: 'nop', succ: [] });
  }

  add(n: CfgNode): number {
    this.nodes.push(n);
    return this.nodes.length - 1;
  }

  private label(name: string): number {
    let id = this.labels.get(name);
    if (id === undefined) {
      id = this.add({ k: 'nop', succ: [] });
      this.labels.set(name, id);
    }
    return id;
  }

  /** Builds `s` so that it continues at `next`; returns the node where `s` starts. */
  stmt(s: Stmt, next: number, ctx: Ctx): number {
    switch (s.k) {
      case 'expr': return this.add({ k: 'expr', succ: [next], e: s.e, span: s.span });
      case 'decl': return this.add({ k: 'decl', succ: [next], v: s.v, span: s.span });
      case 'block': return this.block(s, next, ctx);
      case 'empty': return next;
      case 'if': {
        const t = this.stmt(s.t, next, ctx);
        const f = s.f ? this.stmt(s.f, next, ctx) : next;
        return this.add({ k: 'branch', succ: [t, f], c: s.c, span: s.span });
      }
      case 'while': {
        const head = this.add({ k: 'branch', succ: [], c: s.c, span: s.span });
        const body = this.stmt(s.body, head, { ...ctx, brk: next, cont: head });
        this.nodes[head].succ = [body, next];
        return head;
      }
      case 'do': {
        const cond = this.add({ k: 'branch', succ: [], c: s.c, span: s.c.span });
        const body = this.stmt(s.body, cond, { ...ctx, brk: next, cont: cond });
        this.nodes[cond].succ = [body, next];
        return body;
      }
      case 'for': {
        const head = s.c
          ? this.add({ k: 'branch', succ: [], c: s.c, span: s.c.span })
          : this.add({ k: 'nop', succ: [], span: s.span });
        const step = s.step ? this.add({ k: 'expr', succ: [head], e: s.step, span: s.step.span }) : head;
        const body = this.stmt(s.body, step, { ...ctx, brk: next, cont: step });
        this.nodes[head].succ = s.c ? [body, next] : [body];
        return s.init ? this.stmt(s.init, head, ctx) : head;
      }
      case 'switch': {
        const sw: { targets: number[]; deflt?: number } = { targets: [] };
        const sn = this.add({ k: 'switch', succ: [], c: s.c, span: s.span });
        this.stmt(s.body, next, { ...ctx, brk: next, sw });
        // Built backwards: the cases were met last first.
        this.nodes[sn].succ = [...sw.targets.reverse(), sw.deflt ?? next];
        return sn;
      }
      case 'case':
      case 'default': {
        const body = this.stmt(s.body, next, ctx);
        const id = this.add({ k: 'nop', succ: [body], span: s.span });
        if (ctx.sw) {
          if (s.k === 'default') ctx.sw.deflt = id;
          else ctx.sw.targets.push(id);
        }
        return id;
      }
      case 'break': return ctx.brk ?? next;
      case 'continue': return ctx.cont ?? next;
      case 'return': return this.add({ k: 'ret', succ: [1], e: s.e, span: s.span });
      case 'goto': return this.label(s.label);
      case 'label': {
        const id = this.label(s.label);
        this.nodes[id].succ = [this.stmt(s.body, next, ctx)];
        return id;
      }
    }
  }

  block(b: Block, next: number, ctx: Ctx): number {
    let cur = next;
    for (let i = b.stmts.length - 1; i >= 0; i--) cur = this.stmt(b.stmts[i], cur, ctx);
    return cur;
  }
}

/** The CFG of a function body; falling off the end is an implicit return at the closing brace. */
export function buildCfg(f: Func): Cfg {
  const b = new Builder();
  const end = f.body ? { file: f.body.span.file, start: Math.max(f.body.span.start, f.body.span.end - 1), end: f.body.span.end } : f.span;
  const implicitRet = b.add({ k: 'ret', succ: [1], e: undefined, span: end, implicit: true });
  const start = f.body ? b.block(f.body, implicitRet, {}) : implicitRet;
  b.nodes[0].succ = [start];
  return { nodes: b.nodes, entry: 0, exit: 1 };
}

/**
 * The CFG of a statement expression `({ ...; e; })`: the last expression statement becomes a
 * `ret` node with `value` set, so the solver's exit states carry the expression's value.
 */
export function buildStmtExprCfg(body: Block): Cfg {
  const b = new Builder();
  const stmts = body.stmts;
  const last = stmts.length ? stmts[stmts.length - 1] : undefined;
  let cur = 1;
  let rest = stmts;
  if (last && last.k === 'expr') {
    cur = b.add({ k: 'ret', succ: [1], e: last.e, span: last.span, value: true });
    rest = stmts.slice(0, -1);
  }
  for (let i = rest.length - 1; i >= 0; i--) cur = b.stmt(rest[i], cur, {});
  b.nodes[0].succ = [cur];
  return { nodes: b.nodes, entry: 0, exit: 1 };
}

/** Whether a statement expression is straight-line (declarations and expressions only). */
export function isStraightLine(body: Block): boolean {
  return body.stmts.every((s) => s.k === 'expr' || s.k === 'decl' || s.k === 'empty');
}
