// The abstract interpreter: the transfer function of the solver (dataflow.ts) for one function.
// It evaluates the typed AST over the abstract state of state.ts: pointer targets per place,
// NULL/freed facts per object, list membership, atomic sections, small integer constants. Calls
// are read from the kernel API table (kernelApi.ts), from the `<linux/list.h>` model, or from the
// callee's summary (summary.ts), translated into the caller's places.
// During the final pass over the solved states (`reporting`), it records events (a call under a
// lock, a dereference of a maybe-NULL object, a free) that the checks turn into diagnostics.
// Invariant: a function's events are recorded only from its fixpoint states, never from the
// intermediate iterations.

import type { Expr, Func, Stmt, Var } from '../c/ast';
import type { CType } from '../c/types';
import { sizeOf } from '../c/types';
import type { Related } from '../diag/diagnostic';
import type { Span } from '../source/source';
import type { Cfg, CfgNode } from './cfg';
import { buildStmtExprCfg, isStraightLine } from './cfg';
import type { Lattice, SolveOptions } from './dataflow';
import { solve } from './dataflow';
import type { AllocFamily, HoldKind, KernelExport } from './kernelApi';
import { apiOf, borrowsArgs, GFP_NOFAIL, isNoreturn, listOpOf, releaseMatches } from './kernelApi';
import type { Facts, Hold, JoinContext, ListVal, State, Val } from './state';
import {
  addressOf, cloneState, DEFAULT_FACTS, emptyState, derefTarget, Fr, idEnd, joinStates, joinVal, NULL_T, NULL_VAL, Nul, objectOf, ownerOf,
  renameObject, stateKey, union, UNKNOWN,
} from './state';
import type { ReleaseKind, SleepInfo, Summary } from './summary';

/** An allocation call in the module (or a header), numbered once per module. */
export interface AllocSite {
  readonly id: string;
  readonly span: Span;
  readonly name: string;
  readonly text: string;
  readonly family: AllocFamily | undefined;
  readonly nullable: boolean;
  readonly fn: string;
  readonly gfpExpr?: Expr;
}

/** A call that reaches the event through a helper: where the helper was called, and the deeper chain. */
export interface Via {
  readonly callee: string;
  readonly callSpan: Span;
  readonly inner: Span;
  readonly chain: readonly Related[];
}

export type Event =
  | {
      readonly k: 'call'; readonly span: Span; readonly name: string; readonly text: string; readonly exp?: KernelExport;
      readonly sum?: Summary; readonly args: readonly Val[]; readonly argExprs: readonly Expr[]; readonly holds: readonly Hold[];
      readonly user: boolean;
      /** What this path knows of the function's own integer parameters (nonzero, zero or unknown). */
      readonly params?: readonly (boolean | undefined)[];
    }
  | { readonly k: 'deref'; readonly span: Span; readonly obj: string; readonly facts: Facts; readonly via?: Via; readonly holdsEmpty: boolean }
  | {
      readonly k: 'free'; readonly span: Span; readonly name: string; readonly family: AllocFamily | 'any'; readonly obj: string;
      readonly facts: Facts; readonly via?: Via; readonly arg?: Expr; readonly under?: boolean;
    }
  | { readonly k: 'alloc'; readonly site: AllocSite; readonly gfp: number | undefined; readonly holds: readonly Hold[] }
  | { readonly k: 'realloc-self'; readonly span: Span; readonly name: string; readonly site: AllocSite | undefined; readonly target: string }
  | { readonly k: 'exit'; readonly state: State; readonly span: Span }
  | { readonly k: 'release'; readonly rel: ReleaseKind; readonly key: string }
  | { readonly k: 'overwrite'; readonly place: string; readonly old: string; readonly value: Val; readonly span: Span };

export interface ModuleCtx {
  readonly summaries: Map<string, Summary>;
  readonly sites: Map<Expr, AllocSite>;
  readonly siteById: Map<string, AllocSite>;
  readonly readSites: Map<Expr, number>;
  readonly cfgs: WeakMap<object, Cfg>;
  readonly funcs: ReadonlyMap<string, Func>;
  readonly limits: SolveOptions;
  counters: { site: number; read: number };
}

/** The source text of a span in the student's file, or undefined for kernel headers. */
export function srcText(span: Span): string | undefined {
  if (span.file.isVirtual) return undefined;
  return span.file.text.slice(span.start, span.end);
}

/** How a call reads in messages: `spin_lock(&evt_lock)`, or `name()` when the text is not at hand. */
export function callText(span: Span, name: string): string {
  const t = srcText(span);
  if (t && /^\w+$/.test(t)) {
    // A macro's use (`spin_lock_irqsave(&l, flags)`): its span is the name; show the arguments too.
    const text = span.file.text;
    let i = span.end;
    while (text[i] === ' ' || text[i] === '\t') i++;
    if (text[i] === '(') {
      let depth = 0;
      for (let j = i; j < text.length && j < i + 70 && text[j] !== '\n'; j++) {
        if (text[j] === '(') depth++;
        else if (text[j] === ')' && --depth === 0) return `${t}${text.slice(i, j + 1)}`;
      }
    }
    return `${t}()`;
  }
  if (t && t.length <= 70 && !t.includes('\n')) return t.replace(/\s+/g, ' ');
  return `${name}()`;
}

/** Pointer fields followed from an input beyond this depth are not tracked (linked structures in loops). */
const MAX_SYM_DEPTH = 3;

function strip(e: Expr): Expr {
  while (e.k === 'cast') e = e.e;
  return e;
}

function isPtr(t: CType): boolean {
  return t.kind === 'ptr';
}

function isListHead(t: CType): boolean {
  return t.kind === 'struct' && t.tag === 'list_head';
}

function numOf(v: bigint | number): number | undefined {
  const n = typeof v === 'bigint' ? Number(v) : v;
  return Number.isSafeInteger(n) ? n : undefined;
}

function truthy(v: Val): boolean | undefined {
  if (v.n !== undefined) return v.n !== 0;
  if (v.nz) return true;
  if (v.f) return true;
  if (v.t && v.t.length > 0) {
    if (v.t.every((x) => x === NULL_T)) return false;
    if (v.t.every((x) => x.charCodeAt(0) === 64)) return true;
  }
  return undefined;
}

/** The interpreter for one function. */
export class FnInterp {
  events: Event[] = [];
  reporting = false;
  readonly lattice: Lattice<State>;
  readonly joinCx: JoinContext;
  private readonly varKeys = new Map<Var, string>();
  readonly syms = new Map<string, string>();
  readonly symOrigin = new Map<string, string>();
  private readonly ptrPlaces = new Set<string>();
  /** Locals used as array indexes (`a[i]`): writing one forgets the `a[i]` entries. */
  private readonly indexVars = new Set<string>();
  readonly paramKeys: string[];
  private condDepth = 0;
  /** First span where each object was made in this function (allocation or helper call). */
  readonly madeAt = new Map<string, Span>();

  constructor(readonly mod: ModuleCtx, readonly fn: Func, readonly fidx: number) {
    this.paramKeys = fn.params.map((p) => this.varKey(p));
    this.joinCx = {
      defaultVal: (place) => this.defaultVal(place),
      defaultFacts: (obj) => (obj.charCodeAt(0) === 115 ? DEFAULT_FACTS : undefined),
      defaultList: (place) => this.defaultList(place),
    };
    this.lattice = { key: stateKey, join: (a, b) => joinStates(a, b, this.joinCx) };
  }

  varKey(v: Var): string {
    let k = this.varKeys.get(v);
    if (k === undefined) {
      k = v.kind === 'global' ? `g:${v.name}` : v.isStatic ? `g:${this.fn.name}$${v.name}` : `l${this.varKeys.size}`;
      this.varKeys.set(v, k);
    }
    return k;
  }

  /** The symbolic object for the entry value of a non-local place. */
  sym(place: string): string {
    let s = this.syms.get(place);
    if (s === undefined) {
      s = `s${this.fidx}_${this.syms.size}`;
      this.syms.set(place, s);
      this.symOrigin.set(s, place);
    }
    return s;
  }

  private defaultVal(place: string): Val | undefined {
    if (place.charCodeAt(0) === 108 /* l */) return undefined;
    if (this.ptrPlaces.has(place) && this.isSymbolicPlace(place)) return { t: [this.sym(place)] };
    return UNKNOWN;
  }

  /** Places whose entry value is an input of the function (globals, storage behind inputs). */
  private isSymbolicPlace(place: string): boolean {
    if (place.startsWith('g:')) return true;
    const o = ownerOf(place);
    return o !== undefined && o.charCodeAt(0) === 115;
  }

  private defaultList(place: string): ListVal {
    return { entry: this.isSymbolicPlace(place), seq: [], set: [] };
  }

  // ---- places and values ------------------------------------------------------------------

  read(W: State, place: string, type: CType): Val {
    const v = W.env.get(place);
    if (v) return place.endsWith('[]') && v.t ? { ...v, w: true } : v;
    const ix = place.endsWith(']') ? place.lastIndexOf('[') : -1;
    if (ix > 0 && place.length - ix > 2) return this.read(W, `${place.slice(0, ix)}[]`, type);
    if (isPtr(type) && this.isSymbolicPlace(place) && this.symDepth(place) < MAX_SYM_DEPTH) {
      this.ptrPlaces.add(place);
      return { t: [this.sym(place)], w: place.endsWith('[]') || undefined };
    }
    return UNKNOWN;
  }

  /** How many pointers deep a place is from the function's inputs (`#s1.next` of `#s0.next`: 2). */
  private symDepth(place: string): number {
    let d = 0;
    let p: string | undefined = place;
    while (p && d < MAX_SYM_DEPTH) {
      const o = ownerOf(p);
      if (!o) break;
      d++;
      p = this.symOrigin.get(o);
    }
    return d;
  }

  private write(W: State, places: readonly string[], v: Val, type: CType): void {
    const ptr = isPtr(type);
    if (places.length === 0) {
      // Stored where we cannot follow (through an untracked pointer): the object escapes.
      this.escape(W, v);
      return;
    }
    let val: Val;
    if (ptr) {
      if (!v.t && v.n === 0) val = NULL_VAL;
      else val = { t: v.t, f: v.f, g: v.g };
      if (!val.t && val.f === undefined && val.g === undefined) val = UNKNOWN;
    } else {
      val = { n: v.n, nz: v.nz, g: v.g, c: v.c, t: v.t };
    }
    const weak = places.length > 1;
    for (const p of places) this.forgetIndex(W, p);
    for (const p0 of places) {
      let p = p0;
      const ix = p.endsWith(']') ? p.lastIndexOf('[') : -1;
      if (ix > 0 && p.length - ix > 2) {
        // `a[i] = v`: remembered for `a[i]`, and one more possibility for every element.
        if (ptr || p.charCodeAt(0) === 108) W.env.set(p, val);
        p = `${p.slice(0, ix)}[]`;
      }
      if (!ptr && p.charCodeAt(0) !== 108 && !val.t) {
        // Scalars are tracked in locals only; other places may change behind our back. (An
        // address kept in an integer, `unsigned long page = __get_free_pages(...)`, stays tracked.)
        W.env.delete(p);
        continue;
      }
      if (ptr) this.ptrPlaces.add(p);
      if (this.reporting && ptr && !weak && p.startsWith('g:') && val.t?.some((t) => t.charCodeAt(0) === 97)) {
        // A global that held memory on entry gets new memory without the old being freed.
        const old = this.read(W, p, type);
        const o = old.t && old.t.length === 1 ? objectOf(old.t[0]) : undefined;
        const f = o && o.charCodeAt(0) === 115 ? W.facts.get(o) ?? DEFAULT_FACTS : undefined;
        if (o && f && f.f === Fr.No && f.n !== Nul.Yes && !f.esc) this.emit({ k: 'overwrite', place: p, old: o, value: val, span: this.curSpan ?? this.fn.span });
      }
      if (!weak && !p.endsWith('[]')) W.env.set(p, val);
      else {
        const old = W.env.get(p) ?? this.defaultVal(p) ?? UNKNOWN;
        W.env.set(p, joinVal(old, val));
      }
    }
  }

  /** A new value for an index variable forgets what `a[i]` held. */
  private forgetIndex(W: State, k: string): void {
    if (!this.indexVars.has(k)) return;
    const gone: string[] = [];
    W.env.forEach((_v, key) => {
      if (key.endsWith(`[${k}]`)) gone.push(key);
    });
    for (const key of gone) W.env.delete(key);
  }

  private escape(W: State, v: Val): void {
    for (const t of v.t ?? []) {
      const o = objectOf(t);
      if (!o) continue;
      const f = W.facts.get(o);
      if (f && !f.esc) W.facts.set(o, { ...f, esc: true });
      for (const u of W.inst.get(o) ?? []) this.escape(W, { t: [u] });
    }
    if (v.t) {
      // Storage whose address escapes takes its contents along (`register(&dev)` with dev.buf set).
      for (const t of v.t) {
        if (t.charCodeAt(0) !== 64 || t === '@str') continue;
        const p = t.slice(1);
        for (const [k, w] of W.env) if (k === p || k.startsWith(`${p}.`)) this.escapeObjs(W, w);
      }
    }
  }

  private escapeObjs(W: State, v: Val): void {
    for (const t of v.t ?? []) {
      const o = objectOf(t);
      const f = o ? W.facts.get(o) : undefined;
      if (o && f && !f.esc) W.facts.set(o, { ...f, esc: true });
    }
  }

  /** The places an lvalue designates; `access` records the dereference (not for `&p->x`). */
  place(e: Expr, W: State, access: boolean): string[] {
    switch (e.k) {
      case 'var': return [this.varKey(e.v)];
      case 'compound': return [this.varKey(e.v)];
      case 'member': return this.place(e.e, W, access).map((p) => `${p}.${e.name}`);
      case 'deref': {
        const v = this.eval(e.e, W);
        if (access) this.derefVal(W, v, e.span, undefined);
        // `a[i]`: all elements of an array are one summary place, `P[]`, updated weakly; while the
        // index variable keeps its value, `P[lK]` remembers what was just stored at `a[i]`.
        const inner = strip(e.e);
        let elem = '';
        if (inner.k === 'ptradd') {
          const idx = strip(inner.i);
          if (!(idx.k === 'num' && numOf(idx.value) === 0)) {
            elem = '[]';
            if (idx.k === 'var' && idx.v.kind !== 'global' && !idx.v.isStatic) {
              const k = this.varKey(idx.v);
              this.indexVars.add(k);
              elem = `[${k}]`;
            }
          }
        }
        const out: string[] = [];
        for (const t of v.t ?? []) {
          const p = derefTarget(t);
          if (p) out.push(!elem || /\[\w*\]$/.test(p) ? p : p + elem);
        }
        return out;
      }
      case 'cast': return this.place(e.e, W, access);
      default:
        this.eval(e, W);
        return [];
    }
  }

  /** The place of a simple lvalue without evaluating anything (for `p = krealloc(p, ...)`). */
  private pathOf(e: Expr, W: State): string | undefined {
    e = strip(e);
    if (e.k === 'var') return this.varKey(e.v);
    if (e.k === 'member') {
      const b = this.pathOf(e.e, W);
      return b === undefined ? undefined : `${b}.${e.name}`;
    }
    if (e.k === 'deref') {
      const inner = strip(e.e);
      const p = this.pathOf(inner, W);
      if (p === undefined) return undefined;
      const v = W.env.get(p);
      if (v?.t && v.t.length === 1) return derefTarget(v.t[0]);
      return `${p}*`;
    }
    return undefined;
  }

  eval(e: Expr, W: State): Val {
    if (W.dead) return UNKNOWN;
    switch (e.k) {
      case 'num': {
        const n = numOf(e.value);
        return n === 0 ? { n: 0, t: [NULL_T] } : n === undefined ? UNKNOWN : { n };
      }
      case 'str': return { t: ['@str'] };
      case 'var': {
        const k = this.varKey(e.v);
        if (e.v.type.kind === 'array' || e.v.type.kind === 'struct') return { t: [`@${k}`] };
        return this.read(W, k, e.type);
      }
      case 'func': return { f: e.f.name };
      case 'call': return this.call(e, W);
      case 'unary': {
        const v = this.eval(e.e, W);
        if (e.op === '!') {
          const b = truthy(v);
          return b === undefined ? { c: e } : { n: b ? 0 : 1 };
        }
        if (v.n !== undefined) return { n: e.op === '-' ? -v.n : ~v.n };
        return UNKNOWN;
      }
      case 'binary': {
        const l = this.eval(e.l, W);
        const r = this.eval(e.r, W);
        if (l.n !== undefined && r.n !== undefined) {
          const n = fold(e.op, l.n, r.n);
          if (n !== undefined) return { n };
        }
        if (e.op === '==' || e.op === '!=' || e.op === '<' || e.op === '>' || e.op === '<=' || e.op === '>=') return { c: e };
        if (e.op === '|' && (l.g !== undefined || r.g !== undefined)) return { g: l.g ?? r.g };
        return UNKNOWN;
      }
      case 'ptradd': {
        const p = this.eval(e.p, W);
        this.eval(e.i, W);
        if (!p.t) return UNKNOWN;
        // container_of(): subtracting from an interior pointer gives the object itself.
        if (e.op === '-') return { t: [...new Set(p.t.map((t) => containerOf(t)))].sort() };
        return { t: p.t };
      }
      case 'ptrdiff':
        this.eval(e.l, W);
        this.eval(e.r, W);
        return UNKNOWN;
      case 'logical': {
        const r = this.cond(e, W);
        this.mergeInto(W, [...r.t, ...r.f]);
        const t = r.t.length > 0;
        const f = r.f.length > 0;
        return t && !f ? { n: 1 } : f && !t ? { n: 0 } : { c: e };
      }
      case 'assign': return this.assign(e, W);
      case 'opassign': {
        const places = this.place(e.target, W, true);
        const old = places.length === 1 ? this.read(W, places[0], e.target.type) : UNKNOWN;
        const v = this.eval(e.value, W);
        let nv: Val = UNKNOWN;
        if (e.op === 'ptr+' || e.op === 'ptr-') nv = { t: old.t };
        else if (old.n !== undefined && v.n !== undefined) {
          const n = fold(e.op, old.n, v.n);
          if (n !== undefined) nv = { n };
        } else if (e.op === '|' && old.g !== undefined) nv = { g: old.g };
        this.write(W, places, nv, e.target.type);
        return nv;
      }
      case 'incdec': {
        const places = this.place(e.target, W, true);
        const old = places.length === 1 ? this.read(W, places[0], e.target.type) : UNKNOWN;
        const nv: Val = isPtr(e.target.type) ? { t: old.t } : old.n !== undefined ? { n: old.n + (e.delta > 0 ? 1 : -1) } : UNKNOWN;
        this.write(W, places, nv, e.target.type);
        return e.prefix ? nv : old;
      }
      case 'cond': {
        const r = this.cond(e.c, W);
        const outs: { st: State; v: Val }[] = [];
        for (const s of r.t) outs.push({ st: s, v: this.eval(e.t, s) });
        for (const s of r.f) outs.push({ st: s, v: this.eval(e.f, s) });
        const live = outs.filter((o) => !o.st.dead);
        if (live.length === 0) {
          W.dead = true;
          return UNKNOWN;
        }
        this.mergeInto(W, live.map((o) => o.st));
        return live.map((o) => o.v).reduce((a, b) => joinVal(a, b));
      }
      case 'cast': return this.eval(e.e, W);
      case 'deref': {
        if (e.type.kind === 'func') return this.eval(e.e, W);
        const places = this.place(e, W, true);
        return this.readAll(W, places, e.type, e);
      }
      case 'addr': {
        const inner = strip(e.e);
        if (inner.k === 'func') return { f: inner.f.name };
        if (inner.k === 'deref') return this.eval(inner.e, W);
        const places = this.place(e.e, W, false);
        return places.length ? { t: [...new Set(places.map(addressOf))].sort() } : UNKNOWN;
      }
      case 'member': {
        if (e.name === 'next' || e.name === 'prev') {
          if (isListHead(e.e.type)) return this.listRead(e, W);
        }
        if (e.type.kind === 'array' || e.type.kind === 'struct') {
          const places = this.place(e, W, true);
          return places.length ? { t: [...new Set(places.map(addressOf))].sort() } : UNKNOWN;
        }
        const places = this.place(e, W, true);
        return this.readAll(W, places, e.type, e);
      }
      case 'comma':
        this.eval(e.l, W);
        return this.eval(e.r, W);
      case 'stmtexpr': return this.stmtExpr(e, W);
      case 'compound': {
        const k = this.varKey(e.v);
        this.declInit(e.v, k, W);
        return e.type.kind === 'struct' || e.type.kind === 'array' ? { t: [`@${k}`] } : this.read(W, k, e.type);
      }
      case 'vaarg':
        this.eval(e.ap, W);
        return UNKNOWN;
      case 'error': return UNKNOWN;
    }
  }

  private readAll(W: State, places: readonly string[], type: CType, site?: Expr): Val {
    if (places.length === 0) return UNKNOWN;
    // `READ_ONCE(head->next)` reads the link through its address: still a list read.
    if (site && places.length === 1 && type.kind === 'ptr' && isListHead(type.to)) {
      const m = /\.(next|prev)$/.exec(places[0]);
      if (m) return this.listReadAt(W, places[0].slice(0, -m[0].length), m[1], site);
    }
    const one = (p: string): Val => (site && isPtr(type) ? this.readElemField(W, p, type, site) : undefined) ?? this.read(W, p, type);
    if (places.length === 1) return one(places[0]);
    return places.map(one).reduce((a, b) => joinVal(a, b));
  }

  /**
   * A pointer field of a list element read in a loop (`e->blob` while iterating): the element is one
   * of many, so the field's value is too. It becomes an instance of its own, read afresh on each
   * iteration, over what that field holds in the list's objects.
   */
  private readElemField(W: State, place: string, type: CType, site: Expr): Val | undefined {
    if (W.env.has(place)) return undefined;
    const owner = ownerOf(place);
    const under = owner ? W.inst.get(owner) : undefined;
    if (!owner || !under) return undefined;
    const rest = place.slice(1 + owner.length);
    const objs = new Set<string>();
    for (const u of under) {
      for (const t of this.read(W, `#${u}${rest}`, type).t ?? []) {
        const o = objectOf(t);
        if (o) objs.add(o);
      }
    }
    if (objs.size === 0) return undefined;
    return this.instance(site, W, [...objs].sort());
  }

  /** Replaces W's contents with the join of `states` (for forks inside an expression). */
  private mergeInto(W: State, states: State[]): void {
    const live = states.filter((s) => !s.dead);
    if (live.length === 0) {
      W.dead = true;
      return;
    }
    let j = live[0];
    for (let i = 1; i < live.length; i++) j = this.lattice.join(j, live[i]);
    if (j === W) return;
    W.holds = j.holds.slice();
    W.env = j.env.clone();
    W.facts = j.facts.clone();
    W.lists = j.lists.clone();
    W.inst = j.inst.clone();
    W.dead = false;
    W.key = undefined;
  }

  private assign(e: Extract<Expr, { k: 'assign' }>, W: State): Val {
    const value = strip(e.value);
    if (value.k === 'call' && value.direct) {
      const exp = apiOf(value.direct.name);
      if (exp?.resizes !== undefined && value.args[exp.resizes]) {
        const tp = this.pathOf(e.target, W);
        const ap = this.pathOf(value.args[exp.resizes], W);
        if (tp !== undefined && tp === ap) this.emit({ k: 'realloc-self', span: value.span, name: value.direct.name, site: this.siteFor(value, exp), target: srcText(e.target.span) ?? tp });
      }
    }
    const places = this.place(e.target, W, true);
    const v = this.eval(e.value, W);
    this.write(W, places, v, e.target.type);
    return v;
  }

  // ---- lists ----------------------------------------------------------------------------

  private listRead(e: Extract<Expr, { k: 'member' }>, W: State): Val {
    const bases = this.place(e.e, W, true);
    if (bases.length !== 1) return UNKNOWN;
    return this.listReadAt(W, bases[0], e.name, e);
  }

  /** Reading `B.next` (or `.prev`) of a `list_head` at place B. */
  private listReadAt(W: State, B: string, name: string, e: Expr): Val {
    // An element's own node (`pos->member.next` while iterating): any element of its list.
    const owner = ownerOf(B);
    if (owner) {
      for (const [L, lv] of W.lists) {
        if (lv.set.some((t) => objectOf(t) === owner) || owner === this.listSymOf(L, W) || W.inst.get(owner)?.some((u) => lv.set.some((t) => objectOf(t) === u) || u === this.listSymOf(L, W))) {
          return this.instance(e, W, this.members(L, lv));
        }
      }
      const under = W.inst.get(owner);
      if (under) return this.instance(e, W, under);
    }
    const lv = W.lists.get(B) ?? this.defaultList(B);
    if (!W.lists.has(B)) W.lists.set(B, lv);
    if (name === 'next' && !lv.entry && lv.seq) {
      if (lv.seq.length === 0) return { t: [`@${B}`] };
      return { t: [lv.seq[0]] };
    }
    if (name === 'prev' && !lv.entry && lv.seq) {
      if (lv.seq.length === 0) return { t: [`@${B}`] };
      return { t: [lv.seq[lv.seq.length - 1]] };
    }
    const m = this.members(B, lv);
    if (m.length === 0) return { t: [`@${B}`] };
    return this.instance(e, W, m);
  }

  private listSymOf(L: string, W: State): string | undefined {
    const lv = W.lists.get(L);
    return lv?.entry ? this.sym(`list:${L}`) : undefined;
  }

  private members(L: string, lv: ListVal): string[] {
    const out = new Set<string>();
    for (const t of lv.set) {
      const o = objectOf(t);
      if (o) out.add(o);
    }
    if (lv.entry) out.add(this.sym(`list:${L}`));
    return [...out].sort();
  }

  /** A fresh element instance for a list read at `site`; the previous one (still held by a cursor) is renamed. */
  private instance(site: Expr, W: State, under: readonly string[]): Val {
    let n = this.mod.readSites.get(site);
    if (n === undefined) {
      n = this.mod.counters.read++;
      this.mod.readSites.set(site, n);
    }
    const id = `e${n}`;
    this.retire(W, id);
    W.inst.set(id, under);
    W.facts.set(id, { n: Nul.No, f: Fr.No, esc: false });
    return { t: [id] };
  }

  /** Before an allocation site or list read runs again, its previous object becomes `<id>o`. */
  private retire(W: State, id: string): void {
    if (!W.facts.has(id) && !W.inst.has(id)) return;
    // Older generations share one name; their facts are joined (weaker, never wrong).
    renameObject(W, id, `${id}o`);
  }

  private listOp(name: string, args: readonly Val[], W: State): void {
    const op = listOpOf(name);
    if (!op) return;
    const headPlaces = (i: number): string[] => (args[i]?.t ?? []).map(derefTarget).filter((p): p is string => p !== undefined);
    const remove = (elem: Val): void => {
      const objs = new Set((elem.t ?? []).map(objectOf).filter((o): o is string => o !== undefined));
      if (objs.size === 0) return;
      const exact = objs.size === 1 && !W.inst.has([...objs][0]);
      for (const [L, lv] of W.lists) {
        const hit = lv.set.some((t) => objs.has(objectOf(t) ?? ''));
        const viaInst = [...objs].some((o) => W.inst.get(o)?.some((u) => lv.set.some((t) => objectOf(t) === u) || u === this.listSymOf(L, W)));
        if (hit && exact) {
          W.lists.set(L, { entry: lv.entry, seq: lv.seq ? lv.seq.filter((t) => !objs.has(objectOf(t) ?? '')) : null, set: lv.set.filter((t) => !objs.has(objectOf(t) ?? '')) });
        } else if (hit || viaInst) {
          W.lists.set(L, { ...lv, seq: null });
        }
      }
    };
    const add = (elem: Val, head: number, tail: boolean): void => {
      const hs = headPlaces(head);
      const et = (elem.t ?? []).filter((t) => t !== NULL_T);
      if (et.length === 0) return;
      for (const t of et) {
        const o = objectOf(t);
        if (o) for (const k of [...W.lists.keys()]) if (ownerOf(k) === o && k.startsWith(`#${o}`) && `@${k}` === t) W.lists.delete(k);
      }
      for (const H of hs) {
        const lv = W.lists.get(H) ?? this.defaultList(H);
        let seq: readonly string[] | null = null;
        if (lv.seq && et.length === 1 && hs.length === 1) {
          if (tail) seq = [...lv.seq, et[0]];
          else if (!lv.entry) seq = [et[0], ...lv.seq];
        }
        W.lists.set(H, { entry: lv.entry, seq, set: union(lv.set, et)! });
      }
      if (hs.length === 0) this.escape(W, elem);
    };
    switch (op.op) {
      case 'add': add(args[op.elem] ?? UNKNOWN, op.head, op.tail); break;
      case 'del': remove(args[op.elem] ?? UNKNOWN); break;
      case 'move':
        remove(args[op.elem] ?? UNKNOWN);
        add(args[op.elem] ?? UNKNOWN, op.head, op.tail);
        break;
      case 'init':
        for (const H of headPlaces(op.head)) W.lists.set(H, { entry: false, seq: [], set: [] });
        break;
    }
  }

  // ---- dereferences, frees, allocations --------------------------------------------------

  private derefVal(W: State, v: Val, span: Span, via: Via | undefined): void {
    for (const t of v.t ?? []) {
      const o = objectOf(t);
      if (!o) continue;
      const f = W.facts.get(o) ?? (o.charCodeAt(0) === 115 ? DEFAULT_FACTS : undefined);
      if (!f) continue;
      if (this.reporting && (f.n === Nul.Maybe || f.n === Nul.Yes || f.f === Fr.Yes || (f.n === Nul.Unknown && o.charCodeAt(0) === 115))) {
        this.emit({ k: 'deref', span, obj: o, facts: f, via, holdsEmpty: W.holds.length === 0 });
      }
      // After a dereference the pointer is known non-NULL on this path (else the kernel oopsed):
      // one report per allocation, not one per line.
      if (f.n !== Nul.No) W.facts.set(o, { ...f, n: Nul.No });
    }
  }

  /** Records the free (events) and, unless `mark` is false, marks the objects freed. */
  private freeVal(W: State, v: Val, name: string, family: AllocFamily | 'any', span: Span, arg: Expr | undefined, via: Via | undefined, mark = true): void {
    const targets = (v.t ?? []).filter((t) => t !== NULL_T);
    const objs = new Set<string>();
    for (const t of targets) {
      const o = objectOf(t);
      if (o) objs.add(o);
    }
    const strong = objs.size === 1 && !v.w;
    for (const o of objs) {
      const f = W.facts.get(o) ?? (o.charCodeAt(0) === 115 ? DEFAULT_FACTS : undefined);
      if (!f) continue;
      if (f.n === Nul.Yes) continue; // kfree(NULL) on this path: nothing happens.
      if (this.reporting) this.emit({ k: 'free', span, name, family, obj: o, facts: f, via, arg });
      const under = W.inst.get(o);
      if (under) {
        for (const u of under) {
          const uf = W.facts.get(u) ?? (u.charCodeAt(0) === 115 ? DEFAULT_FACTS : undefined);
          if (!uf) continue;
          if (this.reporting) this.emit({ k: 'free', span, name, family, obj: u, facts: uf, via, arg, under: true });
          // One element of many: the others may still be live.
          if (mark) W.facts.set(u, { ...uf, f: uf.f === Fr.Yes ? Fr.Yes : Fr.Maybe, freeSite: span, freeName: name });
        }
      }
      if (mark) W.facts.set(o, { ...f, f: strong ? Fr.Yes : f.f === Fr.Yes ? Fr.Yes : Fr.Maybe, freeSite: span, freeName: name, freeChain: via ? viaChain(via) : undefined });
    }
  }

  siteFor(call: Extract<Expr, { k: 'call' }>, exp: KernelExport): AllocSite {
    let s = this.mod.sites.get(call);
    if (!s) {
      const id = `a${this.mod.counters.site++}`;
      const name = exp.name;
      s = {
        id, span: call.span, name, text: callText(call.span, name), family: exp.allocates, nullable: exp.nullable === true && !exp.errPtr,
        fn: this.fn.name, gfpExpr: exp.gfpArg !== undefined ? call.args[exp.gfpArg] : undefined,
      };
      this.mod.sites.set(call, s);
      this.mod.siteById.set(id, s);
    }
    return s;
  }

  private newObject(W: State, site: AllocSite, span: Span): Val {
    this.retire(W, site.id);
    W.facts.set(site.id, { n: site.nullable ? Nul.Maybe : Nul.No, f: Fr.No, esc: false });
    if (!this.madeAt.has(site.id)) this.madeAt.set(site.id, span);
    return { t: [site.id] };
  }

  // ---- calls ------------------------------------------------------------------------------

  /** A call in an expression: the cases of a summary are joined. */
  private call(e: Extract<Expr, { k: 'call' }>, W: State): Val {
    const outs = this.callCases(e, W);
    const live = outs.filter((o) => !o.st.dead);
    if (live.length === 0) {
      W.dead = true;
      return UNKNOWN;
    }
    if (live.length === 1 && live[0].st === W) return live[0].v;
    this.mergeInto(W, live.map((o) => o.st));
    return live.map((o) => o.v).reduce((a, b) => joinVal(a, b));
  }

  /** A call: one outcome per case of the callee's summary (W itself when there is one). */
  callCases(e: Extract<Expr, { k: 'call' }>, W: State): { st: State; v: Val }[] {
    let name = e.direct?.name;
    let def = e.direct?.def;
    if (!name) {
      const fv = this.eval(e.callee, W);
      if (fv.f) {
        name = fv.f;
        def = this.mod.funcs.get(fv.f);
      }
    }
    const args = e.args.map((a) => this.eval(a, W));
    if (W.dead) return [{ st: W, v: UNKNOWN }];
    if (!name) {
      for (const a of args) this.escape(W, a);
      return [{ st: W, v: UNKNOWN }];
    }
    const exp = def?.body ? undefined : apiOf(name);
    const sum = def?.body ? this.mod.summaries.get(name) : undefined;
    if (this.reporting) {
      this.emit({ k: 'call', span: e.span, name, text: callText(e.span, name), exp, sum, args, argExprs: e.args, holds: W.holds.slice(), user: !!def?.body && !def.fromHeader, params: this.paramFacts(W) });
    }
    if (def?.body) {
      const lop = def.fromHeader ? listOpOf(name) : undefined;
      if (sum && lop) {
        this.applyDerefs(W, sum, args, e, name);
        this.listOp(name, args, W);
        return [{ st: W, v: UNKNOWN }];
      }
      if (sum) return this.applySummary(W, sum, args, e, name);
      if (lop) {
        this.listOp(name, args, W);
        return [{ st: W, v: UNKNOWN }];
      }
      for (const a of args) this.escape(W, a);
      return [{ st: W, v: UNKNOWN }];
    }
    if (exp) return [{ st: W, v: this.exportCall(W, exp, args, e) }];
    if (isNoreturn(name)) W.dead = true;
    for (const a of args) this.escape(W, a);
    return [{ st: W, v: UNKNOWN }];
  }

  private exportCall(W: State, exp: KernelExport, args: readonly Val[], e: Extract<Expr, { k: 'call' }>): Val {
    const eff = exp.effect;
    if (eff && 'acquire' in eff && !exp.trylock) this.acquire(W, eff.acquire, eff.arg !== undefined ? args[eff.arg] : undefined, e.span, exp.name);
    if (eff && 'release' in eff) this.release(W, eff.release, eff.arg !== undefined ? args[eff.arg] : undefined);
    for (const i of exp.derefs ?? []) if (args[i]) this.derefVal(W, args[i], e.span, { callee: exp.name, callSpan: e.span, inner: e.span, chain: [] });
    if (exp.frees && args[exp.frees.arg]) this.freeVal(W, args[exp.frees.arg], exp.name, exp.frees.family, e.span, e.args[exp.frees.arg], undefined);
    // Pointers handed to the kernel for keeping (queue_work(), register_*()) are no longer ours to
    // leak; string, memory, printk and lock functions only borrow them, as do variadic arguments.
    const ft = e.direct?.type;
    const nparams = ft && !ft.unprototyped ? ft.params.length : args.length;
    const borrows = borrowsArgs(exp);
    args.forEach((a, i) => {
      if (exp.frees?.arg === i || i >= nparams || exp.resizes === i) return;
      if (borrows && (exp.derefs?.includes(i) || exp.header !== '')) return;
      this.escape(W, a);
    });
    if (exp.resizes !== undefined && args[exp.resizes]) {
      // krealloc(): on success the old block is gone, on failure it stays; either way not a leak here.
      for (const t of args[exp.resizes].t ?? []) {
        const o = objectOf(t);
        const f = o ? W.facts.get(o) ?? (o.charCodeAt(0) === 115 ? DEFAULT_FACTS : undefined) : undefined;
        if (o && f) W.facts.set(o, { ...f, f: Fr.Maybe, esc: true });
      }
    }
    if (exp.noreturn || isNoreturn(exp.name)) W.dead = true;
    if (exp.nullable || exp.allocates) {
      const site = this.siteFor(e, exp);
      const gfp = exp.gfpArg !== undefined ? args[exp.gfpArg]?.n : undefined;
      if (this.reporting) this.emit({ k: 'alloc', site, gfp, holds: W.holds.slice() });
      const v = this.newObject(W, site, e.span);
      // GFP_KERNEL | __GFP_NOFAIL never returns NULL.
      if (gfp !== undefined && (gfp & GFP_NOFAIL) !== 0) W.facts.set(site.id, { n: Nul.No, f: Fr.No, esc: false });
      return v;
    }
    return UNKNOWN;
  }

  private acquire(W: State, kind: HoldKind, lock: Val | undefined, span: Span, name: string, chain?: readonly Related[]): void {
    const key = lock ? lockKey(lock) : 'ctx';
    W.holds.push({ kind, key, site: span, call: callText(span, name), chain });
  }

  private release(W: State, rel: Parameters<typeof releaseMatches>[0], lock: Val | undefined): void {
    const key = lock ? lockKey(lock) : 'ctx';
    let i = -1;
    for (let j = W.holds.length - 1; j >= 0; j--) {
      if (releaseMatches(rel, W.holds[j].kind) && (W.holds[j].key === key || key === '?' || W.holds[j].key === '?')) {
        i = j;
        break;
      }
    }
    if (i < 0) for (let j = W.holds.length - 1; j >= 0; j--) if (releaseMatches(rel, W.holds[j].kind)) {
      i = j;
      break;
    }
    if (i >= 0) W.holds.splice(i, 1);
    // Releasing what this function never took: the caller's lock (an unlock helper).
    else this.emit({ k: 'release', rel, key });
  }

  private applyDerefs(W: State, sum: Summary, args: readonly Val[], e: Extract<Expr, { k: 'call' }>, name: string): void {
    for (const [i, inner] of sum.derefs) {
      if (!args[i]) continue;
      this.derefVal(W, args[i], e.span, { callee: name, callSpan: e.span, inner, chain: [] });
    }
  }

  /** Applies a callee's summary at a call: one state per case. */
  private applySummary(W: State, sum: Summary, args: readonly Val[], e: Extract<Expr, { k: 'call' }>, name: string): { st: State; v: Val }[] {
    this.applyDerefs(W, sum, args, e, name);
    const tr = new Translator(this, sum, args, W);
    // Frees inside the callee, checked against what the caller passed (before the cases change W).
    for (const fr of sum.frees) {
      const objs = tr.objs(fr.obj);
      if (objs.length === 0) continue;
      const via: Via = { callee: name, callSpan: e.span, inner: fr.span, chain: fr.chain };
      // The check only: which paths of the callee free is the business of its cases below.
      this.freeVal(W, { t: objs }, fr.name, fr.family, e.span, undefined, via, false);
    }
    if (sum.cases.length === 0) {
      W.dead = true;
      return [{ st: W, v: UNKNOWN }];
    }
    const out: { st: State; v: Val }[] = [];
    for (let ci = 0; ci < sum.cases.length; ci++) {
      const c = sum.cases[ci];
      const S = ci === sum.cases.length - 1 ? W : cloneState(W);
      // Allocations made by the callee: a second call makes new objects.
      for (const o of c.facts.keys()) if (o.charCodeAt(0) === 97) this.retire(S, o);
      // The callee's inputs are the caller's values before the call's effects: translate
      // against a snapshot (O(1) to take), not against S as it changes below.
      const t = new Translator(this, sum, args, cloneState(S));
      for (const [o, f] of c.facts) {
        if (o.charCodeAt(0) === 97 || o.charCodeAt(0) === 101) {
          S.facts.set(o, f);
          if (!this.madeAt.has(o)) this.madeAt.set(o, e.span);
          continue;
        }
        const objs = t.objs(o);
        for (const x of objs) {
          const xf = S.facts.get(x) ?? (x.charCodeAt(0) === 115 ? DEFAULT_FACTS : undefined);
          if (!xf) continue;
          let n = xf.n;
          if (objs.length === 1 && (f.n === Nul.No || f.n === Nul.Yes)) n = f.n;
          S.facts.set(x, {
            ...xf,
            n,
            f: f.f === Fr.No ? xf.f : f.f === Fr.Yes && objs.length === 1 ? Fr.Yes : xf.f === Fr.Yes ? Fr.Yes : Fr.Maybe,
            esc: xf.esc || f.esc,
            freeSite: f.f !== Fr.No ? e.span : xf.freeSite,
            freeName: f.f !== Fr.No ? f.freeName : xf.freeName,
          });
        }
      }
      for (const [o, u] of c.inst) S.inst.set(o, [...new Set(u.flatMap((x) => t.objs(x)))].sort());
      for (const [p, v] of c.env) {
        const places = t.places(p);
        if (places.length === 0) {
          this.escape(S, t.val(v));
          continue;
        }
        const nv = t.val(v);
        for (const q of places) {
          if (nv.t || nv.f) this.ptrPlaces.add(q);
          if (places.length === 1) S.env.set(q, nv);
          else S.env.set(q, joinVal(S.env.get(q) ?? this.defaultVal(q) ?? UNKNOWN, nv));
        }
      }
      for (const [p, lv] of c.lists) {
        for (const q of t.places(p)) {
          const cur = S.lists.get(q) ?? this.defaultList(q);
          const mine = lv.set.filter((x) => !(lv.entry && x === t.calleeListSym(p)));
          const added = [...new Set(mine.flatMap((x) => t.targets(x)))].sort();
          if (!lv.entry) S.lists.set(q, { entry: false, seq: lv.seq ? lv.seq.flatMap((x) => t.targets(x)) : null, set: added });
          else {
            const seq = cur.seq && lv.seq ? [...cur.seq, ...lv.seq.flatMap((x) => t.targets(x))] : null;
            S.lists.set(q, { entry: cur.entry, seq, set: union(cur.set, added)! });
          }
        }
      }
      for (const r of sum.releases) {
        const keys = r.key === 'ctx' || r.key === '?' ? [] : t.places(r.key);
        let i = -1;
        for (let j = S.holds.length - 1; j >= 0 && i < 0; j--) if (releaseMatches(r.rel, S.holds[j].kind) && (keys.length === 0 || keys.includes(S.holds[j].key))) i = j;
        if (i >= 0) S.holds.splice(i, 1);
      }
      for (const h of c.acquired) {
        const keys = h.key === 'ctx' ? ['ctx'] : t.places(h.key);
        S.holds.push({ ...h, key: keys.length === 1 ? keys[0] : '?', site: e.span, call: callText(e.span, name), chain: [{ span: h.site, message: `${h.call} in ${name}()` }, ...(h.chain ?? [])] });
      }
      const v = t.val(c.ret);
      S.key = undefined;
      out.push({ st: S, v });
    }
    return out;
  }

  // ---- conditions ---------------------------------------------------------------------------

  /** Splits W by the truth of `e`: states where it holds, states where it does not. */
  cond(e: Expr, W: State): { t: State[]; f: State[] } {
    if (W.dead) return { t: [], f: [] };
    const x = strip(e);
    switch (x.k) {
      case 'num': return numOf(x.value) === 0 ? { t: [], f: [W] } : { t: [W], f: [] };
      case 'unary':
        if (x.op === '!') {
          const r = this.cond(x.e, W);
          return { t: r.f, f: r.t };
        }
        break;
      case 'logical': {
        const a = this.cond(x.l, W);
        const t: State[] = [];
        const f: State[] = [];
        if (x.op === '&&') {
          f.push(...a.f);
          for (const s of a.t) {
            const b = this.cond(x.r, s);
            t.push(...b.t);
            f.push(...b.f);
          }
        } else {
          t.push(...a.t);
          for (const s of a.f) {
            const b = this.cond(x.r, s);
            t.push(...b.t);
            f.push(...b.f);
          }
        }
        return { t: this.cap(t), f: this.cap(f) };
      }
      case 'cond': {
        const c = this.cond(x.c, W);
        const t: State[] = [];
        const f: State[] = [];
        for (const s of c.t) {
          const r = this.cond(x.t, s);
          t.push(...r.t);
          f.push(...r.f);
        }
        for (const s of c.f) {
          const r = this.cond(x.f, s);
          t.push(...r.t);
          f.push(...r.f);
        }
        return { t: this.cap(t), f: this.cap(f) };
      }
      case 'comma':
        this.eval(x.l, W);
        return this.cond(x.r, W);
      case 'binary':
        if (x.op === '==' || x.op === '!=') {
          const l = strip(x.l);
          const r = strip(x.r);
          const isNull = (y: Expr): boolean => y.k === 'num' && numOf(y.value) === 0;
          if (isNull(r) || isNull(l)) {
            const res = this.condTruthy(isNull(r) ? x.l : x.r, W);
            return x.op === '==' ? { t: res.f, f: res.t } : res;
          }
          const lv = this.eval(x.l, W);
          const rv = this.eval(x.r, W);
          if (lv.n !== undefined && rv.n !== undefined) return (lv.n === rv.n) === (x.op === '==') ? { t: [W], f: [] } : { t: [], f: [W] };
          // Comparing a local integer with a constant: remember the outcome on each side.
          return this.split(W);
        }
        break;
      case 'call': {
        const name = x.direct?.name;
        const exp = name ? apiOf(name) : undefined;
        if (exp?.trylock && exp.effect && 'acquire' in exp.effect) {
          const args = x.args.map((a) => this.eval(a, W));
          if (this.reporting) this.emit({ k: 'call', span: x.span, name: name!, text: callText(x.span, name!), exp, args, argExprs: x.args, holds: W.holds.slice(), user: false });
          const T = cloneState(W);
          const eff = exp.effect;
          this.acquire(T, eff.acquire, eff.arg !== undefined ? args[eff.arg] : undefined, x.span, name!);
          return { t: [T], f: [W] };
        }
        const sum = name && x.direct?.def?.body ? this.mod.summaries.get(name) : undefined;
        if (sum?.nullTest !== undefined && x.args[sum.nullTest]) {
          // IS_ERR_OR_NULL(p): false means p is a valid pointer.
          const arg = x.args[sum.nullTest];
          for (let i = 0; i < x.args.length; i++) if (i !== sum.nullTest) this.eval(x.args[i], W);
          const v = this.eval(arg, cloneState(W));
          const r = this.condTruthy(arg, W);
          // An error pointer is also "true"; allocations that return NULL on failure never give one.
          const errPossible = (v.t ?? []).some((t) => t !== NULL_T && t.charCodeAt(0) !== 97);
          return { t: [...r.f, ...(errPossible ? r.t.map((s) => cloneState(s)) : [])], f: r.t };
        }
        const outs = this.callCases(x, W);
        const t: State[] = [];
        const f: State[] = [];
        for (const o of outs) {
          if (o.st.dead) continue;
          const b = truthy(o.v);
          if (b === true) t.push(o.st);
          else if (b === false) f.push(o.st);
          else {
            t.push(o.st);
            f.push(cloneState(o.st));
          }
        }
        return { t, f };
      }
      case 'stmtexpr': {
        const body = x.body;
        const last = body.stmts[body.stmts.length - 1];
        if (!last || last.k !== 'expr') break;
        const states = this.stmtExprPrefix(x, W);
        const t: State[] = [];
        const f: State[] = [];
        for (const s of states) {
          const r = this.cond(last.e, s);
          t.push(...r.t);
          f.push(...r.f);
        }
        return { t: this.cap(t), f: this.cap(f) };
      }
      case 'var': {
        const v = this.read(W, this.varKey(x.v), x.type);
        if (v.c && this.condDepth < 4) {
          this.condDepth++;
          try {
            return this.cond(v.c, W);
          } finally {
            this.condDepth--;
          }
        }
        break;
      }
      default:
        break;
    }
    return this.condTruthy(x, W);
  }

  private split(W: State): { t: State[]; f: State[] } {
    return { t: [W], f: [cloneState(W)] };
  }

  private cap(states: State[]): State[] {
    const live = states.filter((s) => !s.dead);
    const max = this.mod.limits.maxStates;
    if (live.length <= max) return live;
    let j = live[0];
    for (let i = 1; i < live.length; i++) j = this.lattice.join(j, live[i]);
    return [j];
  }

  /** Truth of a pointer or integer: refines the places it was read from and the objects it names. */
  private condTruthy(e: Expr, W: State): { t: State[]; f: State[] } {
    const x = strip(e);
    let places: string[] = [];
    let v: Val;
    if (x.k === 'var' || x.k === 'member' || x.k === 'deref') {
      if (x.k === 'member' && (x.name === 'next' || x.name === 'prev') && isListHead(x.e.type)) v = this.eval(x, W);
      else {
        places = this.place(x, W, true);
        v = this.readAll(W, places, x.type);
      }
    } else if (x.k === 'assign') {
      v = this.eval(x, W);
      places = this.place(x.target, W, false);
    } else v = this.eval(x, W);
    if (W.dead) return { t: [], f: [] };
    const b = truthy(v);
    if (b === true) return { t: [W], f: [] };
    if (b === false) return { t: [], f: [W] };
    if (v.c && this.condDepth < 4) {
      this.condDepth++;
      try {
        return this.cond(v.c, W);
      } finally {
        this.condDepth--;
      }
    }
    const T = W;
    const F = cloneState(W);
    let tOk = true;
    let fOk = true;
    if (v.t) {
      const nonNull = v.t.filter((t) => t !== NULL_T);
      if (nonNull.length === 0) tOk = false;
      const objs = nonNull.map(objectOf).filter((o): o is string => o !== undefined);
      if (places.length === 1) {
        T.env.set(places[0], { t: nonNull });
        F.env.set(places[0], NULL_VAL);
      }
      if (objs.length === 1 && nonNull.length === 1) {
        const o = objs[0];
        const f = W.facts.get(o) ?? (o.charCodeAt(0) === 115 ? DEFAULT_FACTS : undefined);
        if (f) {
          if (f.n === Nul.Yes) tOk = false;
          else T.facts.set(o, { ...f, n: Nul.No });
          if (f.n === Nul.No && !v.t.includes(NULL_T)) fOk = false;
          else F.facts.set(o, { ...f, n: Nul.Yes });
        }
      }
      if (nonNull.length > 0 && nonNull.every((t) => t.charCodeAt(0) === 64)) fOk = false;
    } else if (places.length === 1 && places[0].charCodeAt(0) === 108 && x.type.kind === 'int') {
      T.env.set(places[0], { nz: true, g: v.g });
      F.env.set(places[0], { n: 0 });
    }
    return { t: tOk ? [T] : [], f: fOk ? [F] : [] };
  }

  // ---- statement expressions ----------------------------------------------------------------

  private stmtCfg(e: Extract<Expr, { k: 'stmtexpr' }>): Cfg {
    let c = this.mod.cfgs.get(e.body);
    if (!c) {
      c = buildStmtExprCfg(e.body);
      this.mod.cfgs.set(e.body, c);
    }
    return c;
  }

  private stmtExpr(e: Extract<Expr, { k: 'stmtexpr' }>, W: State): Val {
    const body = e.body;
    if (isStraightLine(body)) {
      let v: Val = UNKNOWN;
      for (let i = 0; i < body.stmts.length; i++) {
        const s = body.stmts[i];
        if (s.k === 'decl') this.decl(s.v, W);
        else if (s.k === 'expr') v = this.eval(s.e, W);
        if (W.dead) return UNKNOWN;
      }
      const last = body.stmts[body.stmts.length - 1];
      return last && last.k === 'expr' ? v : UNKNOWN;
    }
    const exits = this.subSolve(this.stmtCfg(e), W);
    if (exits.length === 0) {
      W.dead = true;
      return UNKNOWN;
    }
    const v = exits.map((s) => s.ret ?? UNKNOWN).reduce((a, b) => joinVal(a, b));
    const saved = W.ret;
    this.mergeInto(W, exits);
    W.ret = saved;
    return v;
  }

  /** The states after every statement but the last (which is an expression statement). */
  private stmtExprPrefix(e: Extract<Expr, { k: 'stmtexpr' }>, W: State): State[] {
    const body = e.body;
    if (isStraightLine(body)) {
      for (let i = 0; i < body.stmts.length - 1; i++) {
        const s = body.stmts[i];
        if (s.k === 'decl') this.decl(s.v, W);
        else if (s.k === 'expr') this.eval(s.e, W);
      }
      return W.dead ? [] : [W];
    }
    const prefix: Stmt[] = body.stmts.slice(0, -1);
    const key = { body, prefix: true };
    let c = this.mod.cfgs.get(body.stmts[body.stmts.length - 1]);
    if (!c) {
      c = buildStmtExprCfg({ k: 'block', span: body.span, stmts: [...prefix, { k: 'expr', span: body.span, e: { k: 'num', type: e.type, span: body.span, value: 0 } }] });
      this.mod.cfgs.set(body.stmts[body.stmts.length - 1], c);
    }
    void key;
    return this.subSolve(c, W).map((s) => {
      s.ret = W.ret;
      return s;
    });
  }

  private subSolve(cfg: Cfg, W: State): State[] {
    const reporting = this.reporting;
    this.reporting = false;
    const start = cloneState(W);
    start.ret = undefined;
    const sol = solve(cfg, [start], this.lattice, (n, id, s) => this.transfer(n, id, s), this.mod.limits);
    if (reporting) {
      this.reporting = true;
      for (const [id, states] of sol.states) {
        if (id === cfg.exit) continue;
        for (const s of states) this.transfer(cfg.nodes[id], id, s);
      }
    }
    return (sol.states.get(cfg.exit) ?? []).filter((s) => !s.dead).map((s) => cloneState(s));
  }

  // ---- statements -----------------------------------------------------------------------------

  private decl(v: Var, W: State): void {
    if (v.isStatic || v.isExtern) return;
    const k = this.varKey(v);
    W.env.delete(k);
    this.forgetIndex(W, k);
    for (const [p] of [...W.lists]) if (p === k || p.startsWith(`${k}.`)) W.lists.delete(p);
    this.declInit(v, k, W);
  }

  private declInit(v: Var, k: string, W: State): void {
    if (!v.init) return;
    for (const leaf of v.init.leaves) {
      if (!('expr' in leaf)) continue;
      const path = leaf.offset === 0 && (v.type.kind !== 'struct' && v.type.kind !== 'array') ? k : memberPath(v.type, leaf.offset, k);
      const val = this.eval(leaf.expr, W);
      if (path) this.write(W, [path], val, leaf.type);
      if (W.dead) return;
    }
  }

  /** The span of the statement being interpreted (for events that have no expression of their own). */
  private curSpan: Span | undefined;

  /** The solver's transfer function. */
  transfer(node: CfgNode, _id: number, s: State): [number, State][] {
    if (s.dead) return [];
    if (node.k !== 'nop') this.curSpan = node.span;
    switch (node.k) {
      case 'nop': return node.succ.map((_, i) => [i, s] as [number, State]);
      case 'expr': {
        const W = cloneState(s);
        const outs = this.evalTop(node.e, W);
        return outs.filter((o) => !o.dead).map((o) => [0, o]);
      }
      case 'decl': {
        const W = cloneState(s);
        const v = node.v;
        const init = v.init?.leaves;
        if (init && init.length === 1 && 'expr' in init[0] && init[0].offset === 0 && v.type.kind !== 'struct' && v.type.kind !== 'array' && !v.isStatic) {
          const call = strip(init[0].expr);
          if (call.k === 'call') {
            const k = this.varKey(v);
            W.env.delete(k);
            return this.callCases(call, W).filter((o) => !o.st.dead).map((o) => {
              this.write(o.st, [k], o.v, v.type);
              return [0, o.st] as [number, State];
            });
          }
        }
        this.decl(v, W);
        return W.dead ? [] : [[0, W]];
      }
      case 'branch': {
        const W = cloneState(s);
        const r = this.cond(node.c, W);
        return [...r.t.filter((x) => !x.dead).map((x) => [0, x] as [number, State]), ...r.f.filter((x) => !x.dead).map((x) => [1, x] as [number, State])];
      }
      case 'switch': {
        const W = cloneState(s);
        this.eval(node.c, W);
        if (W.dead) return [];
        return node.succ.map((_, i) => [i, W] as [number, State]);
      }
      case 'ret': {
        const W = cloneState(s);
        if (node.e) {
          const call = strip(node.e);
          if (call.k === 'call' && !node.value) {
            const outs = this.callCases(call, W).filter((o) => !o.st.dead);
            return outs.map((o) => {
              o.st.ret = o.v;
              if (this.reporting) this.emit({ k: 'exit', state: o.st, span: node.span });
              return [0, o.st] as [number, State];
            });
          }
          W.ret = this.eval(node.e, W);
        } else W.ret = UNKNOWN;
        if (W.dead) return [];
        if (this.reporting && !node.value) this.emit({ k: 'exit', state: W, span: node.span });
        return [[0, W]];
      }
    }
  }

  /** An expression statement: a call or an assignment of a call splits by the callee's cases. */
  private evalTop(e: Expr, W: State): State[] {
    const x = strip(e);
    if (x.k === 'call') return this.callCases(x, W).map((o) => o.st);
    if (x.k === 'assign') {
      const value = strip(x.value);
      if (value.k === 'call' && value.direct?.def?.body) {
        const places = this.place(x.target, W, true);
        return this.callCases(value, W).map((o) => {
          this.write(o.st, places, o.v, x.target.type);
          return o.st;
        });
      }
    }
    this.eval(e, W);
    return [W];
  }

  private emit(ev: Event): void {
    if (this.reporting) this.events.push(ev);
  }

  /** Entry state: parameters hold symbolic inputs; gfp parameters are remembered as such. */
  entryState(holds: readonly Hold[]): State {
    const s = emptyState();
    s.holds = holds.slice();
    this.fn.params.forEach((p, i) => {
      const k = this.paramKeys[i];
      if (isPtr(p.type)) {
        this.ptrPlaces.add(k);
        const o = this.sym(k);
        s.env.set(k, { t: [o] });
      } else if (p.type.kind === 'int' && (p.type.alias === 'gfp_t' || /gfp/i.test(p.name))) {
        s.env.set(k, { g: i });
      }
    });
    return s;
  }

  /** What W knows of the integer parameters: nonzero, zero, or unknown (for conditional sleeps). */
  private paramFacts(W: State): (boolean | undefined)[] | undefined {
    let out: (boolean | undefined)[] | undefined;
    this.fn.params.forEach((p, i) => {
      if (p.type.kind !== 'int') return;
      const v = W.env.get(this.paramKeys[i]);
      const b = v?.n !== undefined ? v.n !== 0 : v?.nz ? true : undefined;
      if (b !== undefined) (out ??= [])[i] = b;
    });
    return out;
  }

  /** Whether a place outlives the function and is not inside one of its own allocations. */
  isRootPlace(place: string): boolean {
    if (place.startsWith('g:')) return true;
    const o = ownerOf(place);
    return o !== undefined && o.charCodeAt(0) === 115;
  }

  /** Sleep info for this function's summary, from its call events. */
  sleepOf(ev: Extract<Event, { k: 'call' }>): { always?: SleepInfo; gfpParam?: number } {
    const here = ev.span;
    if (ev.exp) {
      const sk = ev.exp.sleeps;
      if (sk === 'always') return { always: { span: here, call: ev.text, chain: [] } };
      if (sk === 'gfp' && ev.exp.gfpArg !== undefined) {
        const g = ev.args[ev.exp.gfpArg];
        if (g?.g !== undefined) return { gfpParam: g.g };
        if (g?.n !== undefined && (g.n & 0x400) !== 0) return { always: { span: here, call: ev.text, chain: [] } };
      }
    }
    return {};
  }
}

/** Translates a callee's summary into the caller's places and objects at one call. */
class Translator {
  private readonly cache = new Map<string, string[]>();
  constructor(private readonly ip: FnInterp, private readonly sum: Summary, private readonly args: readonly Val[], private readonly target: State) {}

  calleeListSym(place: string): string | undefined {
    for (const [s, o] of this.sum.symOrigin) if (o === `list:${place}`) return s;
    return undefined;
  }

  /** The caller's objects (targets) a callee object stands for. */
  objs(o: string): string[] {
    return [...new Set(this.targets(o).map((t) => objectOf(t)).filter((x): x is string => x !== undefined))];
  }

  /** The caller's targets for a callee target. */
  targets(t: string): string[] {
    if (t === NULL_T) return [NULL_T];
    if (t.charCodeAt(0) === 64) {
      // `@P`: the address of a callee place.
      return this.places(t.slice(1)).map(addressOf);
    }
    const c0 = t.charCodeAt(0);
    if (c0 === 115 /* s */) return this.symTargets(t);
    if (c0 === 97 /* a */ || c0 === 101 /* e */) return [t];
    return [];
  }

  private symTargets(s: string): string[] {
    const hit = this.cache.get(s);
    if (hit) return hit;
    this.cache.set(s, []);
    const origin = this.sum.symOrigin.get(s);
    let out: string[] = [];
    if (origin !== undefined) {
      const pi = this.sum.paramKeys.indexOf(origin);
      if (pi >= 0) out = (this.args[pi]?.t ?? []).slice();
      else if (origin.startsWith('list:')) {
        for (const q of this.places(origin.slice(5))) {
          const lv = this.target.lists.get(q);
          const members = new Set<string>();
          for (const x of lv?.set ?? []) {
            const o = objectOf(x);
            if (o) members.add(o);
          }
          if (!lv || lv.entry) members.add(this.ip.sym(`list:${q}`));
          out.push(...members);
        }
      } else {
        for (const q of this.places(origin)) out.push(...(this.ip.read(this.target, q, { kind: 'ptr', to: { kind: 'void' } }).t ?? []));
      }
    }
    out = [...new Set(out)].sort();
    this.cache.set(s, out);
    return out;
  }

  /** The caller's places for a callee place. */
  places(p: string): string[] {
    if (p.startsWith('g:')) return [p];
    if (p.charCodeAt(0) !== 35) return [];
    const end = idEnd(p, 1);
    const obj = p.slice(1, end);
    const rest = p.slice(end);
    const out: string[] = [];
    for (const t of this.targets(obj)) {
      const base = derefTarget(t);
      if (base) out.push(base + rest);
    }
    return out;
  }

  val(v: Val): Val {
    const out: { -readonly [K in keyof Val]: Val[K] } = {};
    if (v.t) out.t = [...new Set(v.t.flatMap((t) => this.targets(t)))].sort();
    if (v.n !== undefined) out.n = v.n;
    if (v.nz) out.nz = true;
    if (v.f !== undefined) out.f = v.f;
    if (v.g !== undefined) {
      const a = this.args[v.g];
      if (a?.g !== undefined) out.g = a.g;
      else if (a?.n !== undefined) out.n = a.n;
    }
    return out;
  }
}

function viaChain(via: Via): Related[] {
  return [{ span: via.inner, message: `in ${via.callee}()` }, ...via.chain];
}

function lockKey(v: Val): string {
  if (v.t && v.t.length === 1) return derefTarget(v.t[0]) ?? '?';
  return '?';
}

function containerOf(t: string): string {
  if (t.charCodeAt(0) !== 64) return t;
  if (t.charCodeAt(1) === 35) return t.slice(2, idEnd(t, 2));
  return t.slice(0, idEnd(t, 1));
}

function fold(op: string, a: number, b: number): number | undefined {
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return b === 0 ? undefined : Math.trunc(a / b);
    case '%': return b === 0 ? undefined : a % b;
    case '<<': return a * 2 ** b;
    case '>>': return Math.floor(a / 2 ** b);
    case '&': return Number(BigInt(a) & BigInt(b));
    case '|': return Number(BigInt(a) | BigInt(b));
    case '^': return Number(BigInt(a) ^ BigInt(b));
    case '==': return a === b ? 1 : 0;
    case '!=': return a !== b ? 1 : 0;
    case '<': return a < b ? 1 : 0;
    case '<=': return a <= b ? 1 : 0;
    case '>': return a > b ? 1 : 0;
    case '>=': return a >= b ? 1 : 0;
    case 'ptr+':
    case 'ptr-': return undefined;
  }
  return undefined;
}

/** `k.member.sub` for the leaf of an initializer at `offset` (designated initializers of structs). */
function memberPath(t: CType, offset: number, base: string): string | undefined {
  let cur = t;
  let path = base;
  let off = offset;
  for (let depth = 0; depth < 8; depth++) {
    if (cur.kind === 'array') {
      cur = cur.of;
      const sz = sizeOf(cur);
      if (sz > 0) off %= sz;
      continue;
    }
    if (cur.kind !== 'struct') return path;
    let hit: { name: string; type: CType; offset: number } | undefined;
    for (const m of cur.members) if (m.offset <= off && (!hit || m.offset >= hit.offset)) hit = m;
    if (!hit) return undefined;
    path = hit.name ? `${path}.${hit.name}` : path;
    off -= hit.offset;
    cur = hit.type;
    if (cur.kind !== 'struct' && cur.kind !== 'array') return off === 0 ? path : undefined;
  }
  return undefined;
}

