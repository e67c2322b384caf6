// The module's call graph and the contexts its functions run in. Edges come from direct calls
// (Func.calls); the analysis order is callees first (strongly connected components in reverse
// topological order), module exit last, because its entry state is what init and the other entry
// points leave behind. Contexts come from registrations: a function passed to request_irq() runs
// in hard interrupt context, one stored in `.ndo_set_rx_mode` of a `struct net_device_ops` runs with
// a spinlock held, one stored in `.read` of a `struct file_operations` runs in process context.

import type { Expr, Func, TranslationUnit, Var } from '../c/ast';
import type { CType } from '../c/types';
import type { Span } from '../source/source';
import { memberContext } from './contexts';
import type { CallbackContext } from './kernelApi';
import { callbacksOf, contextReason } from './kernelApi';
import { funcName, walkStmt } from './walk';

export interface FnContext {
  readonly context: CallbackContext;
  /** Why the function runs there, as a sentence fragment: "is a hard interrupt handler registered with request_irq()". */
  readonly note: string;
  readonly site: Span;
}

export interface CallGraph {
  readonly funcs: ReadonlyMap<string, Func>;
  /** Functions to analyze, callees before callers, the module exit last. */
  readonly order: readonly Func[];
  readonly callees: ReadonlyMap<string, ReadonlySet<string>>;
  readonly callers: ReadonlyMap<string, ReadonlySet<string>>;
  readonly init: string | undefined;
  readonly exit: string | undefined;
  /** Known contexts of callbacks (atomic or process), first registration wins. */
  readonly contexts: ReadonlyMap<string, FnContext>;
  /** Functions whose address is taken somewhere (they may be called from anywhere). */
  readonly addressTaken: ReadonlySet<string>;
}

function entryName(unit: TranslationUnit, global: string, fallback: string, funcs: ReadonlyMap<string, Func>): string | undefined {
  const g = unit.globals.find((v) => v.name === global);
  for (const l of g?.init?.leaves ?? []) {
    if ('expr' in l) {
      const n = funcName(l.expr);
      if (n) return n;
    }
  }
  return funcs.has(fallback) ? fallback : undefined;
}

export function buildCallGraph(unit: TranslationUnit, debug: (msg: string) => void = () => undefined): CallGraph {
  const funcs = new Map<string, Func>();
  for (const f of unit.funcs) if (f.body && !funcs.has(f.name)) funcs.set(f.name, f);
  const init = entryName(unit, '__kmodlab_initcall', 'init_module', funcs);
  const exit = entryName(unit, '__kmodlab_exitcall', 'cleanup_module', funcs);

  const callees = new Map<string, Set<string>>();
  for (const f of funcs.values()) {
    const set = new Set<string>();
    for (const c of f.calls) if (funcs.has(c.name)) set.add(c.name);
    callees.set(f.name, set);
  }
  // Analyze the student's functions and the header inlines they reach.
  const wanted = new Set<string>();
  const stack = [...funcs.values()].filter((f) => !f.fromHeader).map((f) => f.name);
  while (stack.length) {
    const n = stack.pop()!;
    if (wanted.has(n)) continue;
    wanted.add(n);
    for (const c of callees.get(n) ?? []) stack.push(c);
  }
  const callers = new Map<string, Set<string>>();
  for (const [f, cs] of callees) {
    if (!wanted.has(f)) continue;
    for (const c of cs) {
      let s = callers.get(c);
      if (!s) callers.set(c, (s = new Set()));
      s.add(f);
    }
  }

  const order = tarjan([...wanted].sort(), callees).map((n) => funcs.get(n)!);
  if (exit) {
    const i = order.findIndex((f) => f.name === exit);
    if (i >= 0 && !(callers.get(exit)?.size)) order.push(...order.splice(i, 1));
  }

  const { contexts, addressTaken } = findContexts(unit, funcs, wanted, debug);
  return { funcs, order, callees, callers, init, exit, contexts, addressTaken };
}

/** Tarjan's algorithm: components in reverse topological order (callees first). */
function tarjan(nodes: string[], edges: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[] = [];
  let next = 0;
  const set = new Set(nodes);
  const visit = (root: string): void => {
    // Iterative, so a deep call chain in a generated module cannot overflow the JS stack.
    const work: { n: string; it: Iterator<string> }[] = [];
    const enter = (n: string): void => {
      index.set(n, next);
      low.set(n, next);
      next++;
      stack.push(n);
      onStack.add(n);
      work.push({ n, it: [...(edges.get(n) ?? [])].filter((m) => set.has(m))[Symbol.iterator]() });
    };
    enter(root);
    while (work.length) {
      const top = work[work.length - 1];
      const r = top.it.next();
      if (!r.done) {
        const m = r.value;
        if (!index.has(m)) enter(m);
        else if (onStack.has(m)) low.set(top.n, Math.min(low.get(top.n)!, index.get(m)!));
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1].n;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.n)!));
      }
      if (low.get(top.n) === index.get(top.n)) {
        let m: string;
        do {
          m = stack.pop()!;
          onStack.delete(m);
          out.push(m);
        } while (m !== top.n);
      }
    }
  };
  for (const n of nodes) if (!index.has(n)) visit(n);
  return out;
}

function structTag(t: CType): string | undefined {
  return t.kind === 'struct' ? t.tag : undefined;
}

/** The member (and its struct) that holds byte `offset` of an object of type `t`, descending into nested structs. */
function memberAt(t: CType, offset: number): { tag: string | undefined; name: string } | undefined {
  let cur = t;
  let off = offset;
  for (let depth = 0; depth < 8; depth++) {
    if (cur.kind === 'array') {
      const sz = elemSize(cur.of);
      if (sz > 0) off %= sz;
      cur = cur.of;
      continue;
    }
    if (cur.kind !== 'struct') return undefined;
    let hit: { name: string; type: CType; offset: number } | undefined;
    for (const m of cur.members) if (m.offset <= off && (!hit || m.offset >= hit.offset)) hit = m;
    if (!hit) return undefined;
    if (hit.type.kind !== 'struct' && hit.type.kind !== 'array') return off === hit.offset ? { tag: cur.tag, name: hit.name } : undefined;
    off -= hit.offset;
    cur = hit.type;
  }
  return undefined;
}

function elemSize(t: CType): number {
  switch (t.kind) {
    case 'int': return t.size;
    case 'ptr': return 8;
    case 'struct': return t.size;
    case 'array': return t.len === undefined ? 0 : t.len * elemSize(t.of);
    default: return 0;
  }
}

function line(s: Span): number {
  return s.file.position(s.start).line;
}

function findContexts(unit: TranslationUnit, funcs: ReadonlyMap<string, Func>, wanted: ReadonlySet<string>, debug: (msg: string) => void): { contexts: Map<string, FnContext>; addressTaken: Set<string> } {
  const contexts = new Map<string, FnContext>();
  const addressTaken = new Set<string>();
  const guarded = (name: string, f: () => void): void => {
    try {
      f();
    } catch (e) {
      debug(`internal: context scan of ${name}() failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  const set = (fn: string | undefined, c: FnContext): void => {
    if (!fn || !funcs.has(fn)) return;
    const old = contexts.get(fn);
    // An atomic registration outranks a process-context one: the function must be safe in both.
    if (!old || (old.context === 'process' && c.context !== 'process')) contexts.set(fn, c);
  };

  // Header functions that store a parameter into a known callback member (timer_setup-style inlines),
  // propagated through functions that pass their parameter on.
  const cbParams = new Map<string, Map<number, CallbackContext>>();
  const paramIndex = (f: Func, e: Expr): number => {
    while (e.k === 'cast') e = e.e;
    return e.k === 'var' ? f.params.indexOf(e.v as Var) : -1;
  };
  for (let round = 0; round < 4; round++) {
    let changed = false;
    for (const f of funcs.values()) {
      if (!f.body || !wanted.has(f.name)) continue;
      // Only a function that takes a function pointer can pass one on to the kernel.
      if (!f.params.some((p) => p.type.kind === 'ptr' && p.type.to.kind === 'func')) continue;
      const mine = cbParams.get(f.name) ?? new Map<number, CallbackContext>();
      guarded(f.name, () => walkStmt(f.body!, (e) => {
        if (e.k === 'assign' && e.target.k === 'member') {
          const mc = memberContext(structTag(e.target.e.type), e.target.name);
          const i = paramIndex(f, e.value);
          if (mc && i >= 0 && !mine.has(i)) {
            mine.set(i, mc.context);
            changed = true;
          }
        }
        if (e.k === 'call' && e.direct) {
          const reg = [...callbacksOf(e.direct.name), ...[...(cbParams.get(e.direct.name) ?? [])].map(([arg, context]) => ({ arg, context }))];
          for (const r of reg) {
            const a = e.args[r.arg];
            const i = a ? paramIndex(f, a) : -1;
            if (i >= 0 && !mine.has(i)) {
              mine.set(i, r.context);
              changed = true;
            }
          }
        }
      }));
      if (mine.size) cbParams.set(f.name, mine);
    }
    if (!changed) break;
  }

  for (const f of funcs.values()) {
    if (!f.body || f.fromHeader) continue;
    // A function named anywhere but as the callee of a direct call has its address taken.
    const callees = new Set<Expr>();
    guarded(f.name, () => walkStmt(f.body!, (e) => {
      if (e.k === 'call') {
        callees.add(e.callee);
        if (e.callee.k === 'addr' || e.callee.k === 'cast') callees.add(e.callee.e);
      }
      if ((e.k === 'addr' || e.k === 'func') && !callees.has(e)) {
        const n = funcName(e);
        if (n) addressTaken.add(n);
      }
      if (e.k === 'call' && e.direct) {
        const name = e.direct.name;
        const reg = [...callbacksOf(name), ...[...(cbParams.get(name) ?? [])].map(([arg, context]) => ({ arg, context }))];
        for (const r of reg) {
          const a = e.args[r.arg];
          const fn = a ? funcName(a) : undefined;
          if (fn) set(fn, { context: r.context, note: `${fn}() is ${contextReason(r.context)} registered with ${name}() at line ${line(e.span)}`, site: e.span });
        }
      }
      if (e.k === 'assign' && e.target.k === 'member') {
        const tag = structTag(e.target.e.type);
        const mc = memberContext(tag, e.target.name);
        const fn = funcName(e.value);
        if (mc && fn) set(fn, { context: mc.context, note: `${fn}() is the .${e.target.name} callback of struct ${tag} (line ${line(e.span)}): ${mc.why}`, site: e.span });
      }
    }));
  }
  const scanInit = (v: Var): void => {
    if (!v.init) return;
    for (const l of v.init.leaves) {
      if (!('expr' in l)) continue;
      const fn = funcName(l.expr);
      if (!fn) continue;
      addressTaken.add(fn);
      const m = memberAt(v.type, l.offset);
      const mc = m ? memberContext(m.tag, m.name) : undefined;
      const span = l.expr.span.file.isVirtual ? v.span : l.expr.span;
      if (mc && m) set(fn, { context: mc.context, note: `${fn}() is the .${m.name} callback of struct ${m.tag} (line ${line(span)}): ${mc.why}`, site: span });
    }
  };
  for (const g of unit.globals) scanInit(g);
  for (const f of funcs.values()) if (!f.fromHeader) for (const v of f.locals) scanInit(v);
  return { contexts, addressTaken };
}
